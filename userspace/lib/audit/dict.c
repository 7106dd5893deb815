// SPDX-License-Identifier: MIT
#include "audit/dict.h"
#include "base/util.h"
#include "audit/verify.h"

#include <dirent.h>
#include <openssl/evp.h>

#include "dict_data.h"

#define SET_EMPTY ((size_t)-1)
#define DICT_LIST_LINE_MAX 4096

#define ARENA_BLOCK (64 * 1024)

struct dict_arena_block {
	struct dict_arena_block *next;
	size_t used, size;
	char data[];
};

void dict_init(struct dict *d)
{
	memset(d, 0, sizeof(*d));
}

/* Copy @s into the arena: one allocation per 64 KiB, not per string. */
static const char *arena_strdup(struct dict *d, const char *s)
{
	size_t len = strlen(s) + 1;
	struct dict_arena_block *b = d->arena;

	if (!b || b->size - b->used < len) {
		size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = d->arena;
		d->arena = b;
	}
	memcpy(b->data + b->used, s, len);
	b->used += len;
	return b->data + b->used - len;
}

static const char *intern_origin(struct dict *d, const char *origin)
{
	if (d->last_origin && !strcmp(d->last_origin, origin))
		return d->last_origin;
	d->last_origin = arena_strdup(d, origin);
	return d->last_origin;
}

void dict_clear(struct dict *d)
{
	while (d->arena) {
		struct dict_arena_block *next = d->arena->next;

		free(d->arena);
		d->arena = next;
	}
	free(d->cands);
	free(d->exact);
	free(d->set);
	dict_init(d);
}

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a, also on 32-bit */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

static int set_grow(struct dict *d)
{
	size_t cap = d->set_cap ? d->set_cap * 2 : 8192;
	size_t *set = malloc(cap * sizeof(*set));

	if (!set)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		set[i] = SET_EMPTY;
	for (size_t i = 0; i < d->n_cands; i++) {
		size_t h = str_hash(d->cands[i].password) & (cap - 1);

		while (set[h] != SET_EMPTY)
			h = (h + 1) & (cap - 1);
		set[h] = i;
	}
	free(d->set);
	d->set = set;
	d->set_cap = cap;
	return 0;
}

/* @password and @origin are used as they are when @copy is false. */
static int add_candidate(struct dict *d, enum cand_kind kind, const char *password,
			 const char *origin, bool printable, bool copy)
{
	struct candidate *c;
	size_t h;

	if ((d->n_cands + 1) * 2 > d->set_cap && set_grow(d) < 0)
		return -ENOMEM;
	for (h = str_hash(password) & (d->set_cap - 1); d->set[h] != SET_EMPTY;
	     h = (h + 1) & (d->set_cap - 1))
		if (!strcmp(d->cands[d->set[h]].password, password))
			return 0;
	if (GREEDY_REALLOC(d->cands, d->cap_cands, d->n_cands + 1) < 0)
		return -ENOMEM;
	c = &d->cands[d->n_cands];
	c->password = copy ? arena_strdup(d, password) : password;
	c->origin = copy ? intern_origin(d, origin) : origin;
	if (!c->password || !c->origin)
		return -ENOMEM;
	c->kind = kind;
	c->printable = printable;
	d->set[h] = d->n_cands++;
	return 1;
}

long dict_find(const struct dict *d, const char *password)
{
	if (!d->set_cap)
		return -1;
	for (size_t h = str_hash(password) & (d->set_cap - 1); d->set[h] != SET_EMPTY;
	     h = (h + 1) & (d->set_cap - 1))
		if (!strcmp(d->cands[d->set[h]].password, password))
			return (long)d->set[h];
	return -1;
}

int dict_add(struct dict *d, enum cand_kind kind, const char *password,
	     const char *origin, bool printable)
{
	return add_candidate(d, kind, password, origin, printable, true);
}

int dict_add_exact(struct dict *d, const char *hash, const char *origin)
{
	struct exact_hash *e;

	if (GREEDY_REALLOC(d->exact, d->cap_exact, d->n_exact + 1) < 0)
		return -ENOMEM;
	e = &d->exact[d->n_exact];
	e->hash = arena_strdup(d, hash);
	e->origin = arena_strdup(d, origin);
	if (!e->hash || !e->origin)
		return -ENOMEM;
	d->n_exact++;
	d->exact_sorted = false;
	return 0;
}

static int add_static(struct dict *d, enum cand_kind kind, const char *const *list,
		      size_t n, const char *origin, bool printable)
{
	for (size_t i = 0; i < n; i++) {
		int r = add_candidate(d, kind, list[i], origin, printable, false);

		if (r < 0)
			return r;
	}
	return 0;
}

int dict_add_builtin_defaults(struct dict *d)
{
	return add_static(d, CAND_DEFAULT, dict_builtin_defaults,
			  ARRAY_SIZE(dict_builtin_defaults),
			  "public default-credential lists (Mirai, SecLists, DefaultCreds)", true);
}

int dict_add_builtin_common(struct dict *d)
{
	return add_static(d, CAND_COMMON, dict_builtin_common,
			  ARRAY_SIZE(dict_builtin_common),
			  "common-password blocklist (SecLists top 1000)", false);
}

static void list_diag(store_diag_fn diag, void *ud, const char *path, unsigned line,
		      const char *msg)
{
	if (diag)
		diag(ud, path, line, msg);
}

static int list_line(struct dict *d, char *line, const char *diag_path, unsigned lineno)
{
	_cleanup_free_ char *origin = NULL;
	char *colon, *pw = line;
	const char *user = NULL;

	if (!*line || line[0] == '#')
		return 0;
	if (asprintf(&origin, "%s:%u", diag_path, lineno) < 0)
		return -ENOMEM;
	if (hash_is_complete(line))
		return dict_add_exact(d, line, origin);
	colon = strchr(line, ':');
	if (colon) {
		*colon = '\0';
		user = line;
		pw = colon + 1;
		if (hash_is_complete(pw))
			return dict_add_exact(d, pw, origin);
	}
	(void)user;
	if (!*pw)
		return 0;	/* an empty password is always the 'blank' verdict */
	return dict_add(d, CAND_DEFAULT, pw, origin, false) < 0 ? -ENOMEM : 0;
}

int dict_parse_list(struct dict *d, char *data, size_t size, const char *diag_path,
		    store_diag_fn diag, void *ud)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < size) {
		char *line = data + pos, *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;
		int r;

		lineno++;
		pos += len + (nl != NULL);
		if (len && line[len - 1] == '\r')
			len--;
		if (len > DICT_LIST_LINE_MAX) {
			list_diag(diag, ud, diag_path, lineno, "line longer than 4096 bytes");
			d->n_errors++;
			continue;
		}
		if (memchr(line, '\0', len)) {
			list_diag(diag, ud, diag_path, lineno, "line contains a NUL byte");
			d->n_errors++;
			continue;
		}
		line[len] = '\0';
		r = list_line(d, line, diag_path, lineno);
		if (r < 0)
			return r;
	}
	return 0;
}

int dict_load_list(struct dict *d, const char *root, const char *path,
		   store_diag_fn diag, void *ud)
{
	_cleanup_free_ char *data = NULL, *diag_path = NULL;
	size_t size = 0;
	int r;

	r = store_read_reported(root, path, STORE_FILE_MAX, "defaults list", diag, ud,
				&diag_path, &data, &size);
	if (r < 0 && r != -ENOENT && r != -ENOMEM)
		d->n_errors++;
	if (r < 0)
		return r;
	return dict_parse_list(d, data, size, diag_path, diag, ud);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dict_load_dir(struct dict *d, const char *root, const char *dir,
		  store_diag_fn diag, void *ud)
{
	_cleanup_free_ char *full = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dh;
	int r = 0;

	/* Names only: each file is then opened safely inside @root. */
	if (asprintf(&full, "%s%s", root ? root : "", dir) < 0)
		return -ENOMEM;
	dh = opendir(full);
	if (!dh)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		size_t len;

		errno = 0;
		de = readdir(dh);
		if (!de) {
			/* A listing cut short (e.g. EOVERFLOW) must not quietly
			 * drop an OEM list: report it, the audit then fails closed. */
			if (errno) {
				list_diag(diag, ud, full, 0, "cannot list the directory; fix or remove it");
				d->n_errors++;
			}
			break;
		}
		len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".list"))
			continue;
		if (GREEDY_REALLOC(names, cap, n + 1) < 0) {
			r = -ENOMEM;
			goto out;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = dict_load_list(d, root, names[i], diag, ud);
		if (r != -ENOMEM)
			r = 0;	/* reported and counted in n_errors */
	}
out:
	closedir(dh);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* Bases people and vendors put counters on, most likely first. */
static const char *const sequential_bases[] = {
	"admin", "password", "user", "root", "guest", "test", "support",
	"default", "pass", "Admin", "Password", "service", "operator", "manager",
	"system", "ubnt",
};

int dict_add_sequential(struct dict *d, unsigned max)
{
	static const char *const tails[] = { "123", "1234", "12345", "123456" };
	char pw[64], origin[96];

	for (size_t b = 0; b < ARRAY_SIZE(sequential_bases); b++) {
		const char *base = sequential_bases[b];

		snprintf(origin, sizeof(origin), "counter on base '%s'", base);
		for (unsigned i = 0; i <= max; i++) {
			snprintf(pw, sizeof(pw), "%s%u", base, i);
			if (dict_add(d, CAND_SEQUENTIAL, pw, origin, false) < 0)
				return -ENOMEM;
			if (i < 10) {
				snprintf(pw, sizeof(pw), "%s0%u", base, i);
				if (dict_add(d, CAND_SEQUENTIAL, pw, origin, false) < 0)
					return -ENOMEM;
			}
		}
		for (size_t t = 0; t < ARRAY_SIZE(tails); t++) {
			snprintf(pw, sizeof(pw), "%s%s", base, tails[t]);
			if (dict_add(d, CAND_SEQUENTIAL, pw, origin, false) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int cmp_exact(const void *a, const void *b)
{
	return strcmp(((const struct exact_hash *)a)->hash, ((const struct exact_hash *)b)->hash);
}

const struct exact_hash *dict_find_exact(struct dict *d, const char *hash)
{
	struct exact_hash key = { .hash = hash };

	if (!d->exact_sorted) {
		if (d->n_exact)
			qsort(d->exact, d->n_exact, sizeof(*d->exact), cmp_exact);
		d->exact_sorted = true;
	}
	if (!d->n_exact)
		return NULL;
	return bsearch(&key, d->exact, d->n_exact, sizeof(*d->exact), cmp_exact);
}

int dict_digest(const struct dict *d, size_t n, unsigned char out[32])
{
	static const char tag[] = "credgate-audit-dict-1";
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(c, tag, sizeof(tag)) == 1;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char k = (unsigned char)d->cands[i].kind;

		ok = EVP_DigestUpdate(c, &k, 1) == 1 &&
		     EVP_DigestUpdate(c, d->cands[i].password, strlen(d->cands[i].password) + 1) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(c, out, NULL) == 1;
	EVP_MD_CTX_free(c);
	return ok ? 0 : -EIO;
}
