// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the migration building blocks: password generation
 * and hashing, label-password derivation, line edits, crash-safe store
 * replacement and the password-database lock.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "base/atomic_file.h"
#include "migrate/migrate.h"
#include "migrate/password.h"
#include "migrate/provision.h"
#include "base/util.h"

#include "kselftest_harness.h"
#include "needs_openat2.h"

/* clang reports the harness's unused 'variant' parameter at each TEST(). */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wunused-parameter"
#endif

static bool in_alphabet(const char *pw)
{
	if (strlen(pw) != PASSWORD_LEN)
		return false;
	for (; *pw; pw++)
		if (!strchr(PASSWORD_ALPHABET, *pw))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(alphabet_is_unambiguous)
{
	const char *a = PASSWORD_ALPHABET;

	ASSERT_EQ(32, strlen(a));
	for (size_t i = 0; i < 32; i++)
		ASSERT_EQ(a + i, strchr(a, a[i]));	/* no duplicates */
	ASSERT_EQ(NULL, strpbrk(a, "01lOoIL|"));
	ASSERT_GE(PASSWORD_LEN, 15);	/* NIST SP 800-63B rev. 4 */
}

TEST(generated_passwords_are_distinct)
{
	enum { N = 10000 };
	char (*pw)[PASSWORD_LEN + 1] = calloc(N, sizeof(*pw));
	char **sorted = calloc(N, sizeof(*sorted));

	ASSERT_NE(NULL, pw);
	ASSERT_NE(NULL, sorted);
	for (int i = 0; i < N; i++) {
		ASSERT_EQ(0, password_generate(pw[i]));
		ASSERT_TRUE(in_alphabet(pw[i]));
		sorted[i] = pw[i];
	}
	qsort(sorted, N, sizeof(*sorted), cmp_str);
	for (int i = 1; i < N; i++)
		ASSERT_NE(0, strcmp(sorted[i - 1], sorted[i]));
	free(sorted);
	free(pw);
}

TEST(hash_verifies_with_crypt)
{
	static const char *const methods[] = {
		"$6$", "$6$rounds=1000$", "$5$rounds=1000$", "$y$", "$2b$",
	};
	char pw[PASSWORD_LEN + 1], hash[CRYPT_OUTPUT_SIZE];
	struct crypt_data *cd = calloc(1, sizeof(*cd));

	ASSERT_NE(NULL, cd);
	ASSERT_EQ(0, password_generate(pw));
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
		size_t plen = strcspn(methods[i] + 1, "$") + 2;

		ASSERT_EQ(0, password_hash(pw, methods[i], hash)) TH_LOG("%s", methods[i]);
		ASSERT_EQ(0, strncmp(hash, methods[i], plen));
		ASSERT_NE(NULL, crypt_rn(pw, hash, cd, sizeof(*cd)));
		ASSERT_STREQ(hash, cd->output);
		ASSERT_NE(NULL, crypt_rn("wrong", hash, cd, sizeof(*cd)));
		ASSERT_STRNE(hash, cd->output);
	}
	ASSERT_NE(NULL, strstr((password_hash(pw, "$6$rounds=1000$", hash), hash),
			       "rounds=1000$"));
	free(cd);
}

TEST(hash_method_parsing)
{
	ASSERT_EQ(0, password_method_valid("$6$"));
	ASSERT_EQ(0, password_method_valid("$y$"));
	ASSERT_EQ(0, password_method_valid("$6$rounds=5000$"));
	ASSERT_EQ(-EINVAL, password_method_valid(""));
	ASSERT_EQ(-EINVAL, password_method_valid("sha512"));
	ASSERT_EQ(-EINVAL, password_method_valid("$6$rounds=abc$"));
	ASSERT_EQ(-EINVAL, password_method_valid("$y$rounds=5$"));
	ASSERT_EQ(-EINVAL, password_method_valid("$nope$"));
	ASSERT_STREQ("$y$", password_method_of("$y$j9T$abc$def"));
	ASSERT_STREQ("$6$", password_method_of("$6$rounds=1000$salt$hash"));
	ASSERT_STREQ("$2b$", password_method_of("$2b$05$abcdefghijklmnopqrstuv"));
	ASSERT_EQ(NULL, password_method_of("$1$salt$hash"));	/* weak: default */
	ASSERT_EQ(NULL, password_method_of("$apr1$salt$hash"));
	ASSERT_EQ(NULL, password_method_of("abcdefghijklm"));	/* DES */
	ASSERT_EQ(NULL, password_method_of(""));
}

/* The openssl kdf vector docs/provisioning.md shows. */
TEST(provision_matches_documented_vector)
{
	static const uint8_t expect[PASSWORD_LEN] = {
		0xD7, 0xA5, 0xC9, 0x30, 0x5D, 0x46, 0x4F, 0x69,
		0x10, 0x25, 0x15, 0xDF, 0x1E, 0x95, 0x45, 0x4C,
	};
	uint8_t secret[32];
	char pw[PASSWORD_LEN + 1], want[PASSWORD_LEN + 1];

	memset(secret, 'A', sizeof(secret));
	password_from_bytes(expect, want);
	ASSERT_EQ(0, provision_derive(secret, sizeof(secret), "prod", "SER1", pw));
	ASSERT_STREQ(want, pw);
	ASSERT_STREQ("r7bix8hbi7pzyp7e", pw);
	ASSERT_TRUE(in_alphabet(pw));
}

TEST(provision_refuses_bad_input)
{
	uint8_t secret[64] = { 1 };
	char pw[PASSWORD_LEN + 1];

	ASSERT_EQ(-EINVAL, provision_derive(secret, 31, "p", "s", pw));
	ASSERT_EQ(-EINVAL, provision_derive(secret, 32, "a:b", "s", pw));
	ASSERT_EQ(-EINVAL, provision_derive(secret, 32, "p", "", pw));
	ASSERT_EQ(-EINVAL, provision_derive(secret, 32, "p", "tab\there", pw));
	ASSERT_EQ(0, provision_derive(secret, 32, "", "s:with:colons", pw));
}

TEST(provision_100000_serials_never_collide)
{
	enum { N = 100000 };
	char (*pw)[PASSWORD_LEN + 1] = calloc(N, sizeof(*pw));
	char **sorted = calloc(N, sizeof(*sorted));
	char again[PASSWORD_LEN + 1], serial[32];
	uint8_t secret[32];

	ASSERT_NE(NULL, pw);
	ASSERT_NE(NULL, sorted);
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < N; i++) {
		snprintf(serial, sizeof(serial), "SN%08d", i);
		ASSERT_EQ(0, provision_derive(secret, sizeof(secret), "cam-x1", serial, pw[i]));
		sorted[i] = pw[i];
	}
	/* Same secret and serial, same password. */
	ASSERT_EQ(0, provision_derive(secret, sizeof(secret), "cam-x1", "SN00000042", again));
	ASSERT_STREQ(pw[42], again);
	qsort(sorted, N, sizeof(*sorted), cmp_str);
	for (int i = 1; i < N; i++)
		ASSERT_NE(0, strcmp(sorted[i - 1], sorted[i]));
	free(sorted);
	free(pw);
}

TEST(line_edits_touch_only_their_bytes)
{
	const char *in = "root:*:19000:0:99999:7:::\n"
			 "admin:$1$x$y:19000:0:99999:7:::\n"
			 "guest::19001:0:99999:7:::\r\n"
			 "last:hash:5";
	size_t admin = (size_t)(strstr(in, "$1$x$y") - in);
	size_t guest = (size_t)(strstr(in, "guest:") - in) + 6;
	size_t last = (size_t)(strstr(in, "hash:5") - in);
	struct line_edit e[] = {
		{ .hash_off = admin, .hash_len = 6, .new_hash = "$6$new",
		  .set_lastchg = true, .lastchg = 20000 },
		{ .hash_off = guest, .hash_len = 0, .new_hash = "!",
		  .set_lastchg = true, .lastchg = 0 },
		{ .hash_off = last, .hash_len = 4, .new_hash = NULL,
		  .set_lastchg = true, .lastchg = 0 },
	};
	struct line_edit bad[] = { e[1], e[0] };
	struct line_edit no_field = { .hash_off = last + 5, .hash_len = 1,
				      .set_lastchg = true };
	char *out = NULL;
	size_t len;

	ASSERT_EQ(0, migrate_apply_edits(in, strlen(in), e, 3, &out, &len));
	ASSERT_STREQ("root:*:19000:0:99999:7:::\n"
		     "admin:$6$new:20000:0:99999:7:::\n"
		     "guest:!:0:0:99999:7:::\r\n"
		     "last:hash:0", out);
	ASSERT_EQ(strlen(out), len);
	free(out);
	ASSERT_EQ(0, migrate_apply_edits(in, strlen(in), NULL, 0, &out, &len));
	ASSERT_STREQ(in, out);
	free(out);
	/* Out of order, or no field after the hash: refused. */
	ASSERT_EQ(-EINVAL, migrate_apply_edits(in, strlen(in), bad, 2, &out, &len));
	ASSERT_EQ(-EINVAL, migrate_apply_edits(in, strlen(in), &no_field, 1, &out, &len));
}

TEST(credentials_file_is_exclusive_and_private)
{
	char dir[] = "/tmp/cg-creds-XXXXXX", path[64];
	_cleanup_free_ char *text = NULL;
	struct stat st;
	mode_t old = umask(0);
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/creds", dir);
	fd = credentials_create(path);
	umask(old);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, fstat(fd, &st));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, credentials_add(fd, "/etc/shadow", "admin", "abcdefghijkmnpqr"));
	ASSERT_EQ(0, credentials_note_failure(fd, "/etc/passwd", "rename", -ENOSPC));
	close(fd);
	ASSERT_EQ(-EEXIST, credentials_create(path));
	ASSERT_EQ(0, read_file(path, 4096, &text, NULL));
	ASSERT_STREQ("/etc/shadow\tadmin\tabcdefghijkmnpqr\n"
		     "# not applied: /etc/passwd (rename: No space left on device)\n", text);
	unlink(path);
	rmdir(dir);
}

FIXTURE(store) {
	char dir[64], path[96], backup[96];
};

FIXTURE_SETUP(store)
{
	strcpy(self->dir, "/tmp/cg-atomic-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/shadow", self->dir);
	snprintf(self->backup, sizeof(self->backup), "%s/shadow-", self->dir);
	{
		char etc[96];

		snprintf(etc, sizeof(etc), "%s/etc", self->dir);
		ASSERT_EQ(0, mkdir(etc, 0755));
	}
	{
		int fd = open(self->path, O_WRONLY | O_CREAT | O_EXCL, 0640);

		ASSERT_GE(fd, 0);
		ASSERT_EQ(4, write(fd, "old\n", 4));
		ASSERT_EQ(0, fchown(fd, 0, 42));
		ASSERT_EQ(0, fchmod(fd, 0640));
		close(fd);
	}
}

FIXTURE_TEARDOWN(store)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

static char *slurp(const char *path)
{
	char *s = NULL;

	return read_file(path, 1 << 20, &s, NULL) < 0 ? NULL : s;
}

TEST_F(store, replace_keeps_owner_mode_xattrs_and_backup)
{
	_cleanup_free_ char *now = NULL, *prev = NULL;
	const char *step = "unset";
	struct stat st;
	char val[16] = "";
	bool xattrs = setxattr(self->path, "user.cg", "v1", 2, 0) == 0;

	ASSERT_EQ(0, atomic_file_replace(self->path, "new\n", 4, &step));
	ASSERT_EQ(NULL, step);
	now = slurp(self->path);
	prev = slurp(self->backup);
	ASSERT_STREQ("new\n", now);
	ASSERT_STREQ("old\n", prev);
	ASSERT_EQ(0, stat(self->path, &st));
	ASSERT_EQ(0640, st.st_mode & 07777);
	ASSERT_EQ(42, st.st_gid);
	if (xattrs) {
		ASSERT_EQ(2, getxattr(self->path, "user.cg", val, sizeof(val)));
		ASSERT_EQ(0, memcmp(val, "v1", 2));
	} else {
		TH_LOG("user.* xattrs unsupported here: not checked");
	}
}

TEST_F(store, missing_store_fails_and_names_step)
{
	char missing[128];
	const char *step = NULL;

	snprintf(missing, sizeof(missing), "%s/nope", self->dir);
	ASSERT_EQ(-ENOENT, atomic_file_replace(missing, "x", 1, &step));
	ASSERT_STREQ("open current file", step);
}

/* Kill the writer at every named step: the store is entirely old or new. */
TEST_F(store, sigkill_at_each_step_leaves_old_or_new)
{
	static const char *const steps[] = {
		"create-temp", "write-temp", "write-temp-half", "copy-attributes",
		"fsync-temp", "link-backup", "rename-backup", "rename", "fsync-dir",
		"replaced",
	};

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		_cleanup_free_ char *now = NULL;
		int status;
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			setenv("CREDGATE_TEST_CRASH_AT", steps[i], 1);
			atomic_file_replace(self->path, "new-contents\n", 13, NULL);
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("step %s did not crash", steps[i]);
		now = slurp(self->path);
		ASSERT_NE(NULL, now);
		ASSERT_TRUE(!strcmp(now, "old\n") || !strcmp(now, "new-contents\n"))
			TH_LOG("after %s: '%s'", steps[i], now);
		/* Put the old contents back for the next step. */
		ASSERT_EQ(0, atomic_file_replace(self->path, "old\n", 4, NULL));
	}
	/* The next replacement cleared every temporary file a crash left. */
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | grep -c credgate) -eq 0",
			 self->dir);
		ASSERT_EQ(0, system(cmd));
	}
}

TEST_F(store, pwdb_lock_excludes_and_dies_with_holder)
{
	int fd, pipefd[2], status;
	char c;
	pid_t pid;

	SKIP_WITHOUT_OPENAT2();
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int l = pwdb_lock(self->dir, 1000);

		if (write(pipefd[1], l >= 0 ? "y" : "n", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	ASSERT_EQ('y', c);
	ASSERT_EQ(-ETIMEDOUT, pwdb_lock(self->dir, 50));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fd = pwdb_lock(self->dir, 1000);
	ASSERT_GE(fd, 0);
	close(fd);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_HARNESS_MAIN
