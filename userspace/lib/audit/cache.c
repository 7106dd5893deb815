// SPDX-License-Identifier: MIT
/*
 * The audit verdict cache: one line per hash already checked against a
 * dictionary, keyed by SHA-256(dictionary digest || full hash string), so
 * the file holds no hash and a changed dictionary never reuses a verdict.
 * A file that is corrupt, not ours or writable by others is ignored: a
 * forged "ok" must never open the gate.
 *
 * Format 3, one line per hash and dictionary layer: KEY CAND CHECKED, where
 * CAND is the index of the first matching candidate of that layer (-1: none
 * among its first CHECKED).  The layers (audit.c) are the device-independent
 * candidates (defaults, sequential, common: what an image build can seed)
 * and the device's own (derived, keyed by the identifiers' digest).  Only
 * real verdicts are ever written: a verification that failed is not one.
 * Files of formats 1 and 2 (one key over every tier) are dropped as corrupt.
 */
#include "audit/audit.h"
#include "base/rooted.h"
#include "base/util.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>

#define CACHE_MAGIC "credgate-audit-cache 3\n"
#define CACHE_MAX_ENTRIES 100000

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct audit_cache_entry *)a)->key,
		      ((const struct audit_cache_entry *)b)->key, 32);
}

void audit_cache_clear(struct audit_cache *c)
{
	free(c->e);
	memset(c, 0, sizeof(*c));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int audit_cache_parse(struct audit_cache *c, char *data, size_t size)
{
	size_t pos = sizeof(CACHE_MAGIC) - 1;

	if (size < pos || memcmp(data, CACHE_MAGIC, pos))
		return -EBADMSG;
	while (pos < size) {
		char *line = data + pos, *nl = memchr(line, '\n', size - pos), *end;
		unsigned char key[32];
		unsigned long long checked;
		long cand;

		if (!nl || nl - line < 66 || line[64] != ' ')
			return -EBADMSG;
		for (int i = 0; i < 32; i++) {
			int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);

			if (hi < 0 || lo < 0)
				return -EBADMSG;
			key[i] = (unsigned char)(hi << 4 | lo);
		}
		*nl = '\0';
		errno = 0;
		cand = strtol(line + 65, &end, 10);
		if (errno || *end != ' ' || end == line + 65 || cand < -1)
			return -EBADMSG;
		if (end[1] < '0' || end[1] > '9')
			return -EBADMSG;
		checked = strtoull(end + 1, &end, 10);
		if (errno || *end || checked > (1ull << 40) ||
		    (cand >= 0 && checked != (unsigned long long)cand + 1))
			return -EBADMSG;
		if (audit_cache_put(c, key, cand, (size_t)checked) < 0)
			return -ENOMEM;
		pos = (size_t)(nl - data) + 1;
	}
	return 0;
}

/* The agent's service user ([agent] user), trusted besides root and the caller. */
static uid_t service_uid = (uid_t)-1;

void audit_cache_trust_owner(uid_t uid)
{
	service_uid = uid;
}

static bool owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid() || (service_uid != (uid_t)-1 && uid == service_uid);
}

/* Load @base in @dirfd (only a regular file, never through a symlink). */
static int load_at(struct audit_cache *c, int dirfd, const char *base)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	memset(c, 0, sizeof(*c));
	fd = rooted_open_regular_at(dirfd, base, O_RDONLY);
	if (fd < 0)
		return 0;
	/* Trusted only when root's, ours or the service user's, and writable by nobody else. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !owner_trusted(st.st_uid) ||
	    (st.st_mode & 022) || st.st_size > 64 << 20)
		return 0;
	r = read_fd_all(fd, 64 << 20, (size_t)st.st_size, &data, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	r = audit_cache_parse(c, data, len);
	if (r < 0) {
		audit_cache_clear(c);
		return r == -ENOMEM ? r : 0;
	}
	c->n_loaded = c->n;
	c->dirty = false;
	return 0;
}

/*
 * The directory holding @path (host, or inside @root).  With @create, the
 * missing directories are made one at a time, each with mkdirat() in its
 * parent resolved inside @root (0755; the cache's own directory 0700).
 */
static int open_cache_dir(const char *root, const char *path, bool create, const char **base)
{
	_cleanup_free_ char *dir = NULL;
	const char *slash = strrchr(path, '/');
	int dfd;

	if (root_is_host(root) && !slash) {
		*base = path;	/* a relative name: the working directory */
		dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return dfd < 0 ? -errno : dfd;
	}
	dfd = rooted_open_parent(root, path, base);
	if (dfd != -ENOENT || !create || !slash)
		return dfd;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	for (char *p = dir + 1; ; p++) {
		if (*p == '/' || !*p) {
			char saved = *p;
			const char *dbase;
			int pfd, r;

			*p = '\0';
			pfd = rooted_open_parent(root, dir, &dbase);
			if (pfd >= 0) {
				r = mkdirat(pfd, dbase, saved ? 0755 : 0700) < 0 && errno != EEXIST ?
					    -errno : 0;
				close(pfd);
			} else {
				r = pfd;
			}
			*p = saved;
			if (r < 0)
				return r;
			if (!saved)
				break;
		}
	}
	return rooted_open_parent(root, path, base);
}

int audit_cache_load(struct audit_cache *c, const char *path)
{
	_cleanup_close_ int dfd = -1;
	const char *base;

	memset(c, 0, sizeof(*c));
	dfd = open_cache_dir(NULL, path, false, &base);
	if (dfd < 0)
		return 0;
	return load_at(c, dfd, base);
}

struct audit_cache_entry *audit_cache_find(struct audit_cache *c, const unsigned char key[32])
{
	struct audit_cache_entry k;

	if (!c->n)
		return NULL;
	if (!c->sorted) {
		qsort(c->e, c->n, sizeof(*c->e), cmp_entry);
		c->sorted = true;
	}
	memcpy(k.key, key, 32);
	return bsearch(&k, c->e, c->n, sizeof(*c->e), cmp_entry);
}

int audit_cache_put(struct audit_cache *c, const unsigned char key[32], long cand,
		    size_t checked)
{
	if (GREEDY_REALLOC(c->e, c->cap, c->n + 1) < 0)
		return -ENOMEM;
	c->e[c->n] = (struct audit_cache_entry){ .cand = cand, .checked = checked, .used = true };
	memcpy(c->e[c->n].key, key, 32);
	c->n++;
	c->sorted = false;
	c->dirty = true;
	return 0;
}

static int write_entries(FILE *f, const struct audit_cache *c)
{
	size_t written = 0;

	fputs(CACHE_MAGIC, f);
	/* Entries used by this audit first, then older ones up to the bound. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->n && written < CACHE_MAX_ENTRIES; i++) {
			if (c->e[i].used != (pass == 0))
				continue;
			for (int b = 0; b < 32; b++)
				fprintf(f, "%02x", c->e[i].key[b]);
			fprintf(f, " %ld %zu\n", c->e[i].cand, c->e[i].checked);
			written++;
		}
	return fflush(f) ? -errno : 0;
}

/* Keep what another writer saved since @c was loaded (never lose a trusted record). */
static int merge_current(struct audit_cache *c, int dirfd, const char *base)
{
	struct audit_cache cur;
	size_t n0;
	int r;

	r = load_at(&cur, dirfd, base);
	if (r < 0)
		return r;
	if (c->n && !c->sorted)
		qsort(c->e, c->n, sizeof(*c->e), cmp_entry);
	n0 = c->n;	/* entries appended below stay out of the search */
	for (size_t i = 0; i < cur.n && r >= 0; i++) {
		struct audit_cache_entry *e = bsearch(&cur.e[i], c->e, n0, sizeof(*c->e), cmp_entry);

		if (!e) {
			r = audit_cache_put(c, cur.e[i].key, cur.e[i].cand, cur.e[i].checked);
			if (r >= 0)
				c->e[c->n - 1].used = false;
		} else if (e->cand < 0 && (cur.e[i].cand >= 0 || cur.e[i].checked > e->checked)) {
			/* The other writer knows more about this hash. */
			e->cand = cur.e[i].cand;
			e->checked = cur.e[i].checked;
		}
	}
	c->sorted = n0 == c->n;
	audit_cache_clear(&cur);
	return r;
}

int audit_cache_save_rooted(struct audit_cache *c, const char *root, const char *path)
{
	_cleanup_close_ int dfd = -1;
	char tmp[NAME_MAX + 1];
	const char *base;
	FILE *f;
	int fd, r;

	/* Every step is an *at() call on the resolved directory: inside @root. */
	dfd = open_cache_dir(root, path, true, &base);
	if (dfd < 0)
		return dfd;
	/* Writers (the agent's audits, migrate, passwd, the seed) take turns. */
	if (flock(dfd, LOCK_EX) < 0)
		return -errno;
	r = merge_current(c, dfd, base);
	if (r < 0)
		return r;
	if (snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", base, (long)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlinkat(dfd, tmp, 0);	/* a leftover of a crashed writer with our pid */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		return r;
	}
	r = write_entries(f, c);
	if (r == 0 && fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return r;
	}
	fsync(dfd);
	c->dirty = false;
	return 0;
}

int audit_cache_save(struct audit_cache *c, const char *path)
{
	return audit_cache_save_rooted(c, NULL, path);
}
