// SPDX-License-Identifier: MIT
/*
 * The audit engine through the library API (what credgated and migrate
 * use), on hashes made by mkpasswd, openssl and htpasswd.  Small lists and
 * cheap hash costs keep it fast under ASan+UBSan.
 */
#include <sys/stat.h>

#include "audit/audit.h"
#include "base/util.h"
#include "audit/verify.h"

#include "kselftest_harness.h"
#include "needs_openat2.h"

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* First line of a command's output, without the newline. */
static char *run(const char *fmt, ...)
{
	char cmd[512], buf[512];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (!fgets(buf, sizeof(buf), p))
		buf[0] = '\0';
	pclose(p);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const struct audit_account *find(const struct audit_report *r, const char *user)
{
	for (size_t i = 0; i < r->n_accounts; i++)
		if (!strcmp(r->accounts[i].user, user))
			return &r->accounts[i];
	return NULL;
}

static void quiet(void *ud, const char *path, unsigned line, const char *msg)
{
	(void)ud;
	(void)path;
	(void)line;
	(void)msg;
}

TEST(verdict_names)
{
	static const char *const names[] = { "ok", "locked", "blank", "default", "derived",
					     "sequential", "common", "unknown", "noauth" };

	for (int v = 0; v < _CG_VERDICT_MAX; v++)
		EXPECT_STREQ(names[v], cg_verdict_name(v));
	EXPECT_FALSE(audit_verdict_is_violation(CG_VERDICT_OK));
	EXPECT_FALSE(audit_verdict_is_violation(CG_VERDICT_LOCKED));
	for (int v = CG_VERDICT_BLANK; v < _CG_VERDICT_MAX; v++)
		EXPECT_TRUE(audit_verdict_is_violation(v));
}

TEST(classify)
{
	static const struct {
		const char *hash;
		enum hash_kind kind;
	} cases[] = {
		{ "", HASH_EMPTY }, { "!", HASH_LOCKED }, { "*", HASH_LOCKED },
		{ "!!", HASH_LOCKED }, { "!$6$a$b", HASH_LOCKED }, { "x", HASH_INVALID },
		{ "LK", HASH_INVALID }, { "$6$salt$hash", HASH_CRYPT }, { "$y$j9T$s$h", HASH_CRYPT },
		{ "$2b$05$abcdefghijklmnopqrstuu", HASH_CRYPT }, { "abcdefghijklm", HASH_CRYPT },
		{ "$apr1$x$y", HASH_APR1 }, { "{SHA}abc", HASH_SHA1 },
		{ "$argon2id$v=19$x", HASH_UNKNOWN }, { "{SSHA}abc", HASH_UNKNOWN },
		{ "$9$x$y", HASH_UNKNOWN },
	};
	struct hash_info info;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		hash_classify(cases[i].hash, &info);
		EXPECT_EQ(cases[i].kind, info.kind) TH_LOG("hash '%s'", cases[i].hash);
	}
}

TEST(apr1_and_sha_match_apache_tools)
{
	_cleanup_free_ char *apr = NULL, *sha = NULL;
	struct verify_ctx *vc = calloc(1, sizeof(*vc));
	struct hash_info info;
	char buf[128];

	ASSERT_NE(NULL, vc);
	if (!have("openssl") || !have("htpasswd"))
		SKIP(free(vc); return, "openssl or htpasswd not installed");
	apr = run("openssl passwd -apr1 -salt q1w2e3r4 'S3cret pass'");
	ASSERT_NE(NULL, apr);
	ASSERT_EQ(0, apr1_crypt("S3cret pass", apr, buf, sizeof(buf)));
	EXPECT_STREQ(apr, buf);
	hash_classify(apr, &info);
	EXPECT_TRUE(verify_password(vc, &info, apr, "S3cret pass"));
	EXPECT_FALSE(verify_password(vc, &info, apr, "S3cret pas"));
	sha = run("htpasswd -nbs u 'hello world' | cut -d: -f2");
	ASSERT_NE(NULL, sha);
	hash_classify(sha, &info);
	ASSERT_EQ(HASH_SHA1, info.kind);
	EXPECT_TRUE(verify_password(vc, &info, sha, "hello world"));
	EXPECT_FALSE(verify_password(vc, &info, sha, "hello"));
	free(vc);
}

FIXTURE(tree) {
	char root[64];
	char list[128];
	char cache[128];
};

FIXTURE_SETUP(tree)
{
	_cleanup_free_ char *h_default = NULL, *h_derived = NULL, *h_seq = NULL,
			     *h_ok = NULL, *h_exact = NULL, *h_web = NULL;
	char shadow[4096], path[256];

	strcpy(self->root, "/tmp/cg-engine-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(path, sizeof(path), "%s/etc", self->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/credgate", self->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/etc/credgate/defaults.d", self->root);
	mkdir(path, 0755);
	snprintf(self->list, sizeof(self->list), "%s/host.list", self->root);
	snprintf(self->cache, sizeof(self->cache), "%s/state/audit.cache", self->root);
	if (!have("mkpasswd") || !have("openssl"))
		return;
	h_default = run("mkpasswd -m sha512crypt -R 1000 Fact0ry");
	h_derived = run("mkpasswd -m md5crypt 0A1B2C");
	h_seq = run("mkpasswd -m yescrypt -R 1 admin3");
	h_ok = run("mkpasswd -m md5crypt 'long-and-random-7Qx!'");
	h_exact = run("openssl passwd -6 -salt imagesalt 'unknowable-9'");
	h_web = run("openssl passwd -apr1 Fact0ry");
	snprintf(shadow, sizeof(shadow),
		 "root:%s:1::::::\nblank::1::::::\nlocked:!:1::::::\nder:%s:1::::::\n"
		 "seq:%s:1::::::\nok:%s:1::::::\nexact:%s:1::::::\nunk:$argon2id$v=19$x:1::::::\n"
		 "twin:%s:1::::::\n",
		 h_default, h_derived, h_seq, h_ok, h_exact, h_default);
	write_file(self->root, "etc/shadow", shadow);
	write_file(self->root, "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
	snprintf(shadow, sizeof(shadow), "# image\n%s\n", h_exact);
	write_file(self->root, "etc/credgate/defaults.d/image.list", shadow);
	snprintf(shadow, sizeof(shadow), "web:%s\n", h_web);
	write_file(self->root, "etc/web.htpasswd", shadow);
	write_file(self->root, "host.list", "Fact0ry\n");
}

FIXTURE_TEARDOWN(tree)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->root);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->root);
}

static int audit(struct __test_metadata *_metadata, FIXTURE_DATA(tree) *self,
		 enum cg_depth depth, unsigned threads, bool cache,
		 struct audit_report **rep)
{
	const char *lists[] = { self->list };
	struct device_ids ids = { 0 };
	struct audit_opts o = {
		.root = self->root,
		.depth = depth,
		.defaults_files = lists,
		.n_defaults_files = 1,
		.no_builtin = true,
		.device_ids = &ids,
		.threads = threads,
		.cache_path = cache ? self->cache : NULL,
		.diag = quiet,
	};
	int r;

	ASSERT_EQ(0, device_ids_add_arg(&ids, "mac=00:11:22:0a:1b:2c"));
	r = audit_run(&o, rep);
	device_ids_clear(&ids);
	return r;
}

static void expect_verdict(struct __test_metadata *_metadata, const struct audit_report *r,
			   const char *user, enum cg_verdict v)
{
	const struct audit_account *a = find(r, user);

	ASSERT_NE(NULL, a) TH_LOG("no account %s", user);
	EXPECT_STREQ(cg_verdict_name(v), cg_verdict_name(a->verdict))
		TH_LOG("%s: %s", user, a->detail ? a->detail : "");
}

TEST_F(tree, verdicts_full_depth_any_thread_count)
{
	struct audit_report *r1 = NULL, *r2 = NULL;

	SKIP_WITHOUT_OPENAT2();

	if (!have("mkpasswd") || !have("openssl"))
		SKIP(return, "mkpasswd (whois) or openssl not installed");
	ASSERT_EQ(0, audit(_metadata, self, CG_DEPTH_FULL, 1, false, &r1));
	ASSERT_EQ(0, audit(_metadata, self, CG_DEPTH_FULL, 4, false, &r2));
	for (int i = 0; i < 2; i++) {
		struct audit_report *r = i ? r2 : r1;

		expect_verdict(_metadata, r, "root", CG_VERDICT_DEFAULT);
		expect_verdict(_metadata, r, "twin", CG_VERDICT_DEFAULT);
		expect_verdict(_metadata, r, "blank", CG_VERDICT_BLANK);
		expect_verdict(_metadata, r, "locked", CG_VERDICT_LOCKED);
		expect_verdict(_metadata, r, "der", CG_VERDICT_DERIVED);
		expect_verdict(_metadata, r, "seq", CG_VERDICT_SEQUENTIAL);
		expect_verdict(_metadata, r, "ok", CG_VERDICT_OK);
		expect_verdict(_metadata, r, "exact", CG_VERDICT_DEFAULT);
		expect_verdict(_metadata, r, "unk", CG_VERDICT_UNKNOWN);
		EXPECT_EQ(9, r->n_accounts);
		EXPECT_EQ(7, r->n_violations);
		EXPECT_FALSE(r->compliant);
		EXPECT_EQ(0, r->n_errors);
	}
	/* For migrate: store type, device path, line and the raw field. */
	EXPECT_EQ(STORE_SHADOW, find(r1, "root")->store_type);
	EXPECT_STREQ("/etc/shadow", find(r1, "root")->store);
	EXPECT_EQ(1, find(r1, "root")->line);
	EXPECT_EQ(0, strncmp(find(r1, "root")->hash, "$6$rounds=1000$", 15));
	EXPECT_EQ(NULL, strstr(find(r1, "root")->detail, "Fact0ry"));
	EXPECT_EQ(NULL, strstr(find(r1, "der")->detail, "0a1b2c"));
	audit_report_free(r1);
	audit_report_free(r2);
}

TEST_F(tree, fast_depth_skips_sequential)
{
	struct audit_report *r = NULL;

	SKIP_WITHOUT_OPENAT2();

	if (!have("mkpasswd") || !have("openssl"))
		SKIP(return, "mkpasswd (whois) or openssl not installed");
	ASSERT_EQ(0, audit(_metadata, self, CG_DEPTH_FAST, 0, false, &r));
	expect_verdict(_metadata, r, "seq", CG_VERDICT_OK);
	expect_verdict(_metadata, r, "der", CG_VERDICT_DERIVED);
	audit_report_free(r);
}

TEST_F(tree, cache_skips_all_hashing)
{
	struct audit_report *r1 = NULL, *r2 = NULL;
	struct stat st;

	SKIP_WITHOUT_OPENAT2();

	if (!have("mkpasswd") || !have("openssl"))
		SKIP(return, "mkpasswd (whois) or openssl not installed");
	ASSERT_EQ(0, audit(_metadata, self, CG_DEPTH_FAST, 0, true, &r1));
	ASSERT_EQ(0, stat(self->cache, &st));
	EXPECT_EQ(0600, st.st_mode & 0777);
	ASSERT_EQ(0, audit(_metadata, self, CG_DEPTH_FAST, 0, true, &r2));
	EXPECT_EQ(0, r2->stats.verifications);
	EXPECT_EQ(r1->stats.hashes_to_check, r2->stats.cache_hits);
	for (size_t i = 0; i < r1->n_accounts; i++)
		EXPECT_EQ(r1->accounts[i].verdict, r2->accounts[i].verdict);
	audit_report_free(r1);
	audit_report_free(r2);
}

TEST_F(tree, htpasswd_store_and_missing_store)
{
	SKIP_WITHOUT_OPENAT2();
	struct audit_store_spec stores[] = {
		{ STORE_HTPASSWD, "/etc/web.htpasswd" },
		{ STORE_SHADOW, "/etc/nonexistent" },
	};
	struct audit_opts o = {
		.root = self->root, .stores = stores, .n_stores = 2,
		.defaults_files = (const char *[]){ self->list }, .n_defaults_files = 1,
		.no_builtin = true, .diag = quiet,
	};
	struct audit_report *r = NULL;

	if (!have("mkpasswd") || !have("openssl"))
		SKIP(return, "mkpasswd (whois) or openssl not installed");
	ASSERT_EQ(0, audit_run(&o, &r));
	expect_verdict(_metadata, r, "web", CG_VERDICT_DEFAULT);
	EXPECT_EQ(STORE_HTPASSWD, r->accounts[0].store_type);
	EXPECT_EQ(1, r->n_errors);
	EXPECT_FALSE(r->compliant);
	audit_report_free(r);
}

TEST_HARNESS_MAIN
