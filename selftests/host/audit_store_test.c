// SPDX-License-Identifier: MIT
/*
 * Store parsers and defaults lists on hostile input: malformed lines, NUL
 * bytes, 1 MiB lines, missing fields, duplicate users, CRLF, unreadable
 * and special files.  Every case must give a file:line diagnostic, never a
 * crash; good lines keep exact byte spans for a rewriter.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "audit/dict.h"
#include "store/store.h"
#include "base/util.h"

#include "kselftest_harness.h"

struct diags {
	char text[8192];
	unsigned n;
};

static void collect(void *ud, const char *path, unsigned line, const char *msg)
{
	struct diags *d = ud;
	size_t len = strlen(d->text);

	snprintf(d->text + len, sizeof(d->text) - len, "%s:%u: %s\n", path, line, msg);
	d->n++;
}

static struct store_file *parse(enum store_type t, const char *data, size_t size,
				struct diags *d)
{
	struct store_file *sf = NULL;

	memset(d, 0, sizeof(*d));
	if (store_parse(t, "/etc/x", "/img/etc/x", data, size, collect, d, &sf) < 0)
		return NULL;
	return sf;
}

#define PARSE(t, lit, d) parse(t, lit, sizeof(lit) - 1, d)

TEST(shadow_good_lines_keep_byte_spans)
{
	static const char in[] = "# comment\n\nroot:$6$s$h:19000:0:99999:7:::\nbin:*:19000::::::";
	struct diags d;
	struct store_file *sf = PARSE(STORE_SHADOW, in, &d);

	ASSERT_NE(NULL, sf);
	ASSERT_EQ(0, d.n);
	ASSERT_EQ(2, sf->n_records);
	EXPECT_STREQ("root", sf->records[0].user);
	EXPECT_STREQ("$6$s$h", sf->records[0].hash);
	EXPECT_EQ(3, sf->records[0].line);
	EXPECT_EQ(0, memcmp(in + sf->records[0].hash_span.off, "$6$s$h", 6));
	EXPECT_EQ(6, sf->records[0].hash_span.len);
	EXPECT_EQ(strlen("root:$6$s$h:19000:0:99999:7:::"), sf->records[0].line_span.len);
	EXPECT_EQ(4, sf->records[1].line);	/* no final newline */
	EXPECT_STREQ("*", sf->records[1].hash);
	EXPECT_EQ(0, memcmp(sf->data, in, sizeof(in) - 1));
	store_file_free(sf);
}

TEST(shadow_missing_and_extra_fields)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_SHADOW, "root:x:1\nok:*:1::::::\na:b:::::::::::\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(1, sf->n_records);
	EXPECT_EQ(2, sf->n_errors);
	EXPECT_NE(NULL, strstr(d.text, "/img/etc/x:1: missing fields: expected 9"));
	EXPECT_NE(NULL, strstr(d.text, "/img/etc/x:3: too many fields"));
	store_file_free(sf);
}

TEST(shadow_bad_numbers_and_empty_name)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_SHADOW, "root:*:abc::::::\n:*:1::::::\n+::::::::\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(0, sf->n_records);
	EXPECT_EQ(3, sf->n_errors);
	EXPECT_NE(NULL, strstr(d.text, ":1: field 3 (last change) is not a number"));
	EXPECT_NE(NULL, strstr(d.text, ":2: empty name"));
	EXPECT_NE(NULL, strstr(d.text, ":3: NIS compat entry"));
	store_file_free(sf);
}

TEST(nul_byte_reported_next_line_parsed)
{
	static const char in[] = "ro\0ot:*:1::::::\nbin:*:1::::::\n";
	struct diags d;
	struct store_file *sf = parse(STORE_SHADOW, in, sizeof(in) - 1, &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(1, sf->n_records);
	EXPECT_STREQ("bin", sf->records[0].user);
	EXPECT_NE(NULL, strstr(d.text, ":1: line contains a NUL byte"));
	store_file_free(sf);
}

TEST(one_mib_line)
{
	size_t big = 1 << 20;
	char *in = malloc(big + 32);
	struct diags d;
	struct store_file *sf;

	ASSERT_NE(NULL, in);
	memset(in, 'a', big);
	strcpy(in + big, "\nbin:*:1::::::\n");
	for (int t = 0; t < _STORE_TYPE_MAX; t++) {
		sf = parse(t, in, strlen(in), &d);
		ASSERT_NE(NULL, sf);
		EXPECT_LE(1, sf->n_errors);	/* the second line fits shadow only */
		EXPECT_NE(NULL, strstr(d.text, ":1: line is 1048576 bytes long"));
		store_file_free(sf);
	}
	free(in);
}

TEST(duplicate_users)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_SHADOW,
		"root:*:1::::::\nbin:*:1::::::\nroot:$1$a$b:1::::::\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(3, sf->n_records);
	EXPECT_EQ(1, sf->n_errors);
	EXPECT_NE(NULL, strstr(d.text, ":3: duplicate entry for 'root' (first on line 1)"));
	store_file_free(sf);
}

TEST(crlf_is_an_error_in_shadow_not_in_htpasswd)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_SHADOW, "root:$1$a$b:1::::::\r\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(1, sf->n_errors);
	EXPECT_NE(NULL, strstr(d.text, ":1: CRLF line ending"));
	ASSERT_EQ(1, sf->n_records);
	EXPECT_STREQ("$1$a$b", sf->records[0].hash);
	store_file_free(sf);

	sf = PARSE(STORE_HTPASSWD, "web:{SHA}abc\r\n", &d);
	ASSERT_NE(NULL, sf);
	EXPECT_EQ(0, sf->n_errors);
	ASSERT_EQ(1, sf->n_records);
	EXPECT_STREQ("{SHA}abc", sf->records[0].hash);
	store_file_free(sf);
}

TEST(passwd_fields)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_PASSWD,
		"root:x:0:0:root:/root:/bin/sh\nbad:x:zero:0::/:/bin/sh\nshort:x:0:0\nbb:$1$a$b:1:1:::\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(2, sf->n_records);
	EXPECT_NE(NULL, strstr(d.text, ":2: field 3 (uid) is not a number"));
	EXPECT_NE(NULL, strstr(d.text, ":3: missing fields: expected 7"));
	EXPECT_STREQ("$1$a$b", sf->records[1].hash);
	store_file_free(sf);
}

TEST(gshadow_fields)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_GSHADOW, "wheel:!::root\nstaff:::\nbroken:x\n", &d);

	ASSERT_NE(NULL, sf);
	EXPECT_EQ(2, sf->n_records);
	EXPECT_STREQ("", sf->records[1].hash);
	EXPECT_NE(NULL, strstr(d.text, ":3: missing fields: expected 4"));
	store_file_free(sf);
}

TEST(htpasswd_lines)
{
	struct diags d;
	struct store_file *sf = PARSE(STORE_HTPASSWD,
		"  # comment\n  alice:$apr1$x$y  \nnocolon\n:nohash\nbob:$2y$05$z:extra\n", &d);

	ASSERT_NE(NULL, sf);
	ASSERT_EQ(2, sf->n_records);
	EXPECT_STREQ("alice", sf->records[0].user);
	EXPECT_STREQ("$apr1$x$y", sf->records[0].hash);
	EXPECT_STREQ("$2y$05$z", sf->records[1].hash);
	EXPECT_NE(NULL, strstr(d.text, ":3: missing ':'"));
	EXPECT_NE(NULL, strstr(d.text, ":4: empty user name"));
	store_file_free(sf);
}

TEST(empty_and_binary_input)
{
	static const unsigned char junk[] = { 0xff, 0xfe, ':', ':', '\n', 0, 0, '\r', '\r', '\n', ':' };
	struct diags d;

	for (int t = 0; t < _STORE_TYPE_MAX; t++) {
		struct store_file *sf = parse(t, "", 0, &d);

		ASSERT_NE(NULL, sf);
		EXPECT_EQ(0, sf->n_records);
		EXPECT_EQ(0, d.n);
		store_file_free(sf);
		sf = parse(t, (const char *)junk, sizeof(junk), &d);
		ASSERT_NE(NULL, sf);
		EXPECT_NE(0, sf->n_errors);
		store_file_free(sf);
	}
}

TEST(special_files_are_refused_without_hanging)
{
	char dir[] = "/tmp/cg-store-XXXXXX", path[128];
	struct store_file *sf = NULL;
	struct diags d = { 0 };

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	EXPECT_EQ(-EBADFD, store_load(STORE_SHADOW, NULL, path, collect, &d, &sf));
	EXPECT_NE(NULL, strstr(d.text, "cannot read: not a regular file"));
	unlink(path);
	memset(&d, 0, sizeof(d));
	EXPECT_EQ(-EISDIR, store_load(STORE_SHADOW, NULL, dir, collect, &d, &sf));
	EXPECT_NE(NULL, strstr(d.text, "cannot read"));
	EXPECT_EQ(-ENOENT, store_load(STORE_SHADOW, NULL, "/nonexistent/shadow", collect, &d, &sf));
	rmdir(dir);
}

TEST(defaults_list_lines)
{
	char path[] = "/tmp/cg-list-XXXXXX";
	static const char in[] =
		"# OEM list\r\nFact0ry\r\nsvc:S3rvice\n"
		"$6$rounds=1000$salt$0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ0123456789abcdef\n"
		"root:$1$abcdefgh$0123456789abcdefghijkl\nbl\0ank\nempty:\n";
	struct dict dict;
	struct diags d = { 0 };
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(in) - 1, write(fd, in, sizeof(in) - 1));
	close(fd);
	dict_init(&dict);
	ASSERT_EQ(0, dict_load_list(&dict, NULL, path, collect, &d));
	EXPECT_EQ(2, dict.n_cands);
	EXPECT_STREQ("Fact0ry", dict.cands[0].password);
	EXPECT_STREQ("S3rvice", dict.cands[1].password);
	EXPECT_EQ(2, dict.n_exact);
	EXPECT_NE(NULL, dict_find_exact(&dict, "$1$abcdefgh$0123456789abcdefghijkl"));
	EXPECT_EQ(1, dict.n_errors);
	EXPECT_NE(NULL, strstr(d.text, ":6: line contains a NUL byte"));
	dict_clear(&dict);
	unlink(path);
}

TEST_HARNESS_MAIN
