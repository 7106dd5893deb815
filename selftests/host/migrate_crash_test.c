// SPDX-License-Identifier: MIT
/*
 * Crash safety of 'credgate migrate' (docs/migration.md): runs killed with
 * SIGKILL at every named step (test hook CREDGATE_TEST_CRASH_AT) and at
 * random moments leave /etc/shadow parseable, with the same accounts, and
 * either entirely old or entirely new.
 *
 * CREDGATE_CRASH_RUNS sets the number of runs (default 1000; `make
 * crashloop` runs many more).  CREDGATE_BUILD names the directory holding
 * the credgate binary (default build).
 */
#include <crypt.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "store/store.h"
#include "base/util.h"

#include "kselftest_harness.h"

/* clang reports the harness's unused 'variant' parameter at each TEST(). */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wunused-parameter"
#endif

#ifndef __has_feature
#define __has_feature(x) 0
#endif

#define N_ACCOUNTS 300
#define TARGET_EVERY 50		/* every 50th account has a blank password */
#define N_TARGETS ((N_ACCOUNTS - 1) / TARGET_EVERY)

static const char *const crash_steps[] = {
	"locked", "credentials-written", "create-temp", "write-temp", "write-temp-half", "copy-attributes",
	"fsync-temp", "link-backup", "rename-backup", "rename", "fsync-dir", "replaced",
};

struct image {
	char dir[64], etc[96], shadow[128], creds[128];
	char *shadow_data, *passwd_data;
	size_t shadow_len;
};

static char *make_shadow(size_t *len)
{
	char *s = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&s, &cap);

	if (!f)
		return NULL;
	fputs("root:*:19000:0:99999:7:::\n", f);
	for (int i = 1; i < N_ACCOUNTS; i++) {
		if (i % TARGET_EVERY == 0)
			fprintf(f, "blank%03d::19000:0:99999:7:::\n", i);
		else
			fprintf(f, "svc%03d:!:19000::::::\n", i);
	}
	fclose(f);
	*len = strlen(s);
	return s;
}

static char *make_passwd(const char *shadow)
{
	char *s = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&s, &cap);
	int uid = 0;

	if (!f)
		return NULL;
	for (const char *p = shadow; *p; p = strchr(p, '\n') + 1) {
		fprintf(f, "%.*s:x:%d:%d::/:/bin/sh\n", (int)strcspn(p, ":"), p, uid, uid);
		uid++;
	}
	fclose(f);
	return s;
}

static int put(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) < 0 || fchown(fd, 0, 42) < 0)
		r = -EIO;
	close(fd);
	return r;
}

static int reset_tree(struct image *im)
{
	char path[160];

	unlink(im->creds);
	snprintf(path, sizeof(path), "%s/shadow-", im->etc);
	unlink(path);
	snprintf(path, sizeof(path), "%s/passwd", im->etc);
	if (put(path, im->passwd_data, strlen(im->passwd_data), 0644) < 0)
		return -EIO;
	return put(im->shadow, im->shadow_data, im->shadow_len, 0640);
}

static pid_t spawn_migrate(const struct image *im, const char *crash_at)
{
	const char *build = getenv("CREDGATE_BUILD");
	char bin[512];
	pid_t pid;

	/* The test build: the shipped one has no crash hook. */
	snprintf(bin, sizeof(bin), "%s/test/credgate", build ? build : "build");
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (crash_at)
			setenv("CREDGATE_TEST_CRASH_AT", crash_at, 1);
		/* 1000 runs: a cheap hash keeps each short; crash safety
		 * does not depend on the cost. */
		execl(bin, "credgate", "migrate", "--root", im->dir, "--per-device", "--policy", "random",
		      "--credentials-out", im->creds, "--hash-method", "$6$rounds=1000$",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static const char *creds_password(const char *creds, const char *user)
{
	static char pw[64];
	char key[96];
	const char *p;

	snprintf(key, sizeof(key), "/etc/shadow\t%s\t", user);
	p = creds ? strstr(creds, key) : NULL;
	if (!p)
		return NULL;
	p += strlen(key);
	snprintf(pw, sizeof(pw), "%.*s", (int)strcspn(p, "\n"), p);
	return pw;
}

enum outcome { OUT_OLD, OUT_NEW, OUT_BAD };

/* Is the store entirely old, entirely new, or neither? */
static enum outcome judge(const struct image *im, struct store_file *old, char *why, size_t whylen)
{
	_cleanup_free_ char *data = NULL, *creds = NULL;
	struct store_file *now = NULL;
	struct crypt_data *cd;
	size_t len, changed = 0;
	enum outcome out = OUT_BAD;

	if (read_file(im->shadow, STORE_FILE_MAX, &data, &len) < 0) {
		snprintf(why, whylen, "shadow missing");
		return OUT_BAD;
	}
	if (len == im->shadow_len && !memcmp(data, im->shadow_data, len))
		return OUT_OLD;
	if (store_parse(STORE_SHADOW, "/etc/shadow", "/etc/shadow", data, len, NULL, NULL, &now) < 0 ||
	    now->n_errors || now->n_records != old->n_records) {
		snprintf(why, whylen, "does not parse or lost accounts");
		goto out;
	}
	read_file(im->creds, 1 << 20, &creds, NULL);
	cd = calloc(1, sizeof(*cd));
	for (size_t i = 0; i < now->n_records; i++) {
		const struct store_record *a = &old->records[i], *b = &now->records[i];
		const char *pw;

		if (strcmp(a->user, b->user)) {
			snprintf(why, whylen, "account order changed at %s", a->user);
			goto out_cd;
		}
		if (a->hash[0] != '\0') {
			if (a->line_span.len != b->line_span.len ||
			    memcmp(im->shadow_data + a->line_span.off, data + b->line_span.off,
				   a->line_span.len)) {
				snprintf(why, whylen, "untouched line %s changed", a->user);
				goto out_cd;
			}
			continue;
		}
		pw = creds_password(creds, a->user);
		if (!pw || !crypt_rn(pw, b->hash, cd, sizeof(*cd)) || strcmp(cd->output, b->hash)) {
			snprintf(why, whylen, "%s: new hash does not match credentials", a->user);
			goto out_cd;
		}
		changed++;
	}
	if (changed == N_TARGETS)
		out = OUT_NEW;
	else
		snprintf(why, whylen, "%zu of %d accounts migrated", changed, N_TARGETS);
out_cd:
	free(cd);
out:
	store_file_free(now);
	return out;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

FIXTURE(crash) {
	char dir[64];
};

FIXTURE_SETUP(crash)
{
	/*
	 * SIGKILL leaves the page cache intact, so tmpfs (no fsync cost) sees
	 * the same crash states as a disk, with more runs per second.
	 */
	strcpy(self->dir, access("/dev/shm", W_OK) == 0 ? "/dev/shm/cg-crash-XXXXXX"
							: "/tmp/cg-crash-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
}

FIXTURE_TEARDOWN(crash)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.creds'", self->dir, self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

/* Generous: the loop's length is set by CREDGATE_CRASH_RUNS. */
TEST_F_TIMEOUT(crash, sigkill_anywhere_leaves_old_or_new, 3600)
{
	struct image im = {};
	struct store_file *old = NULL;
	const char *env = getenv("CREDGATE_CRASH_RUNS");
	unsigned long runs = 1000;
	long long t, run_ns = 0;
	unsigned n_old = 0, n_new = 0, n_killed = 0;
	char why[160];
	int status;

#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
	/* The sanitizer build checks this harness; the plain build does the 1000 runs. */
	runs = 200;
#endif
	if (env)
		ASSERT_EQ(0, parse_uint(env, 100000000, &runs));
	strcpy(im.dir, self->dir);
	snprintf(im.etc, sizeof(im.etc), "%s/etc", im.dir);
	snprintf(im.shadow, sizeof(im.shadow), "%s/shadow", im.etc);
	/* Outside the tree: migrate refuses credentials inside --root. */
	snprintf(im.creds, sizeof(im.creds), "%s.creds", im.dir);
	ASSERT_EQ(0, mkdir(im.etc, 0755));
	im.shadow_data = make_shadow(&im.shadow_len);
	im.passwd_data = make_passwd(im.shadow_data);
	ASSERT_NE(NULL, im.passwd_data);
	ASSERT_EQ(0, store_parse(STORE_SHADOW, "/etc/shadow", "/etc/shadow", im.shadow_data,
				 im.shadow_len, NULL, NULL, &old));
	ASSERT_EQ(0, old->n_errors);

	/* Calibrate: how long an undisturbed run takes. */
	for (int i = 0; i < 3; i++) {
		pid_t pid;

		ASSERT_EQ(0, reset_tree(&im));
		t = now_ns();
		pid = spawn_migrate(&im, NULL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		run_ns += now_ns() - t;
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("undisturbed migrate failed: status %#x", status);
		ASSERT_EQ(OUT_NEW, judge(&im, old, why, sizeof(why))) TH_LOG("%s", why);
	}
	run_ns /= 3;
	TH_LOG("undisturbed run: %lld us; %lu runs", run_ns / 1000, runs);

	srand((unsigned)now_ns());
	for (unsigned long i = 0; i < runs; i++) {
		const char *step = NULL;
		enum outcome o;
		pid_t pid;

		ASSERT_EQ(0, reset_tree(&im));
		if (i % 3 == 0)
			step = crash_steps[(i / 3) % ARRAY_SIZE(crash_steps)];
		pid = spawn_migrate(&im, step);
		ASSERT_GT(pid, 0);
		if (!step) {
			long long d = (long long)(rand() % 1000) * run_ns / 1000;
			struct timespec ts = { d / 1000000000LL, d % 1000000000LL };

			nanosleep(&ts, NULL);
			kill(pid, SIGKILL);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			n_killed++;
		else if (step)
			ASSERT_TRUE(0) TH_LOG("hook %s did not fire (status %#x)", step, status);
		o = judge(&im, old, why, sizeof(why));
		ASSERT_NE(OUT_BAD, o) TH_LOG("run %lu (%s): %s", i, step ? step : "random kill", why);
		if (o == OUT_OLD)
			n_old++;
		else
			n_new++;
	}
	TH_LOG("%lu runs: %u killed, %u left the old store, %u the new one",
	       runs, n_killed, n_old, n_new);
	ASSERT_GE(n_killed, runs / 3);
	ASSERT_GT(n_old, 0);
	ASSERT_GT(n_new, 0);
	store_file_free(old);
	free(im.shadow_data);
	free(im.passwd_data);
}

TEST_HARNESS_MAIN
