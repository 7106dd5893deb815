// SPDX-License-Identifier: MIT
/*
 * The audit engine.  Cheap checks first (blank, locked, unknown, exact
 * hash, cache), then each remaining distinct hash against the dictionary
 * in likelihood order, on all cores, stopping per hash at the first match.
 */
#include "audit.h"
#include "dict.h"
#include "util.h"
#include "verify.h"

#include <ini.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>

/* Candidates a worker takes at a time: small, so a found match stops work early. */
#define AUDIT_CHUNK 8

static const char *const verdict_names[_AUDIT_VERDICT_MAX] = {
	[AUDIT_OK] = "ok",
	[AUDIT_LOCKED] = "locked",
	[AUDIT_BLANK] = "blank",
	[AUDIT_DEFAULT] = "default",
	[AUDIT_DERIVED] = "derived",
	[AUDIT_SEQUENTIAL] = "sequential",
	[AUDIT_COMMON] = "common",
	[AUDIT_UNKNOWN] = "unknown",
};

const char *audit_verdict_name(enum audit_verdict v)
{
	return (unsigned)v < _AUDIT_VERDICT_MAX ? verdict_names[v] : "?";
}

bool audit_verdict_is_violation(enum audit_verdict v)
{
	return v != AUDIT_OK && v != AUDIT_LOCKED;
}

void audit_report_free(struct audit_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_accounts; i++) {
		free(r->accounts[i].store);
		free(r->accounts[i].user);
		free(r->accounts[i].hash);
		free(r->accounts[i].detail);
	}
	free(r->accounts);
	free(r);
}

/* Configuration: the [audit] section of credgate.conf. */

struct config_ctx {
	struct audit_config *cfg;
	const char *path;
	int err;
	char msg[256];		/* the first bad setting; inih gives its line */
};

static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	struct config_ctx *c = user;
	struct audit_config *cfg = c->cfg;
	unsigned long n;

	if (strcmp(section, "audit"))
		return 1;
	if (!strcmp(name, "htpasswd") && value[0] == '/') {
		char **v = reallocarray(cfg->htpasswd, cfg->n_htpasswd + 1, sizeof(*v));

		if (!v || !(v[cfg->n_htpasswd] = strdup(value))) {
			if (v)
				cfg->htpasswd = v;
			c->err = -ENOMEM;
			return 0;
		}
		cfg->htpasswd = v;
		cfg->n_htpasswd++;
		return 1;
	}
	if (!strcmp(name, "unknown") && (!strcmp(value, "ok") || !strcmp(value, "violation"))) {
		cfg->unknown_ok = !strcmp(value, "ok");
		return 1;
	}
	if (!strcmp(name, "sequential-max") && parse_uint(value, 1000, &n) == 0) {
		cfg->sequential_max = (long)n;
		return 1;
	}
	if (!c->msg[0])
		snprintf(c->msg, sizeof(c->msg),
			 "[audit] %.40s = %.60s: unknown setting or bad value (htpasswd = /PATH, unknown = ok|violation, sequential-max = 0..1000)",
			 name, value);
	return 0;
}

void audit_config_clear(struct audit_config *cfg)
{
	for (size_t i = 0; i < cfg->n_htpasswd; i++)
		free(cfg->htpasswd[i]);
	free(cfg->htpasswd);
	*cfg = (struct audit_config){ .unknown_ok = -1, .sequential_max = -1 };
}

int audit_config_load(const char *root, const char *path, struct audit_config *cfg,
		      store_diag_fn diag, void *ud)
{
	_cleanup_free_ char *data = NULL, *diag_path = NULL;
	struct config_ctx c = { .cfg = cfg };
	size_t size;
	int r;

	*cfg = (struct audit_config){ .unknown_ok = -1, .sequential_max = -1 };
	if (asprintf(&diag_path, "%s%s", root ? root : "", path) < 0)
		return -ENOMEM;
	r = store_read(root, path, 1 << 20, &data, &size);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (diag)
			diag(ud, diag_path, 0, strerror(-r));
		return r;
	}
	r = ini_parse_string(data, config_handler, &c);
	if (c.err)
		return c.err;
	if (r > 0 && diag)
		diag(ud, diag_path, (unsigned)r, c.msg[0] ? c.msg : "syntax error");
	return r ? -EINVAL : 0;
}

/* The engine. */

struct audit_run_ctx {
	const struct audit_opts *opts;
	store_diag_fn diag;
	void *ud;
	struct audit_report *rep;
	struct store_file **stores;
	size_t n_stores;
	struct dict dict;
	size_t n_cands;		/* candidates used at this depth */
	unsigned char digest[32];
	size_t cap_accounts;
};

static int add_account(struct audit_run_ctx *c, const struct store_file *sf,
		       const struct store_record *rec, enum audit_verdict v, const char *detail)
{
	struct audit_report *rep = c->rep;
	struct audit_account *a;

	if (rep->n_accounts == c->cap_accounts) {
		size_t cap = c->cap_accounts ? c->cap_accounts * 2 : 32;
		struct audit_account *n = reallocarray(rep->accounts, cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		rep->accounts = n;
		c->cap_accounts = cap;
	}
	a = &rep->accounts[rep->n_accounts];
	*a = (struct audit_account){
		.store_type = sf->type,
		.store = strdup(sf->path),
		.line = rec->line,
		.user = strdup(rec->user),
		.hash = strdup(rec->hash),
		.verdict = v,
		.detail = detail ? strdup(detail) : NULL,
	};
	if (!a->store || !a->user || !a->hash || (detail && !a->detail)) {
		free(a->store);
		free(a->user);
		free(a->hash);
		free(a->detail);
		return -ENOMEM;
	}
	rep->n_accounts++;
	return 0;
}

static int set_detail(struct audit_account *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int set_detail(struct audit_account *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(a->detail);
	a->detail = s;
	return 0;
}

static int load_store(struct audit_run_ctx *c, enum store_type type, const char *path,
		      bool required)
{
	struct store_file *sf = NULL, **n;
	int r;

	r = store_load(type, c->opts->root, path, c->diag, c->ud, &sf);
	if (r == -ENOENT) {
		if (!required)
			return 0;
		c->diag(c->ud, path, 0, "store does not exist");
		c->rep->n_errors++;
		return 0;
	}
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		c->rep->n_errors++;
		return 0;
	}
	c->rep->n_errors += sf->n_errors;
	n = reallocarray(c->stores, c->n_stores + 1, sizeof(*n));
	if (!n) {
		store_file_free(sf);
		return -ENOMEM;
	}
	c->stores = n;
	c->stores[c->n_stores++] = sf;
	return 0;
}

static int load_stores(struct audit_run_ctx *c, const struct audit_config *cfg)
{
	const struct audit_opts *o = c->opts;
	int r = 0;

	if (o->n_stores) {
		for (size_t i = 0; i < o->n_stores && r >= 0; i++)
			r = load_store(c, o->stores[i].type, o->stores[i].path, true);
		return r;
	}
	r = load_store(c, STORE_SHADOW, store_shadow_ops.default_path, false);
	if (r >= 0)
		r = load_store(c, STORE_PASSWD, store_passwd_ops.default_path, true);
	if (r >= 0)
		r = load_store(c, STORE_GSHADOW, store_gshadow_ops.default_path, false);
	for (size_t i = 0; i < cfg->n_htpasswd && r >= 0; i++)
		r = load_store(c, STORE_HTPASSWD, cfg->htpasswd[i], true);
	return r;
}

static int build_dict(struct audit_run_ctx *c, unsigned seq_max)
{
	const struct audit_opts *o = c->opts;
	struct device_ids probed = { 0 };
	int r;

	/* The OEM knows its factory passwords: its lists come first. */
	r = dict_load_dir(&c->dict, o->root, AUDIT_DEFAULTS_DIR, c->diag, c->ud);
	for (size_t i = 0; i < o->n_defaults_files && r >= 0; i++) {
		/* --defaults names a file on the host running the audit, even with --root. */
		r = dict_load_list(&c->dict, NULL, o->defaults_files[i], c->diag, c->ud);
		if (r == -ENOENT) {
			c->diag(c->ud, o->defaults_files[i], 0, "defaults list does not exist");
			c->dict.n_errors++;
		}
		if (r != -ENOMEM)
			r = 0;
	}
	if (r >= 0 && !o->no_builtin)
		r = dict_add_builtin_defaults(&c->dict);
	if (r >= 0)
		r = o->root ? device_ids_probe_tree(&probed, o->root) : device_ids_probe_live(&probed);
	if (r >= 0)
		r = derive_add_candidates(&c->dict, &probed);
	if (r >= 0 && o->device_ids)
		r = derive_add_candidates(&c->dict, o->device_ids);
	device_ids_clear(&probed);
	if (r >= 0 && o->depth == AUDIT_DEPTH_FULL) {
		r = dict_add_sequential(&c->dict, seq_max);
		if (r >= 0 && !o->no_builtin)
			r = dict_add_builtin_common(&c->dict);
	}
	if (r < 0)
		return r;
	c->rep->n_errors += c->dict.n_errors;
	c->n_cands = o->depth == AUDIT_DEPTH_FULL ? c->dict.n_cands :
						    dict_count_upto(&c->dict, CAND_DERIVED);
	return dict_digest(&c->dict, c->n_cands, c->digest);
}

/* Does some shadow store hold @user?  (passwd's "x" defers to it.) */
static bool shadow_has_user(const struct audit_run_ctx *c, const char *user)
{
	for (size_t s = 0; s < c->n_stores; s++) {
		if (c->stores[s]->type != STORE_SHADOW)
			continue;
		for (size_t i = 0; i < c->stores[s]->n_records; i++)
			if (!strcmp(c->stores[s]->records[i].user, user))
				return true;
	}
	return false;
}

static bool have_shadow(const struct audit_run_ctx *c)
{
	for (size_t s = 0; s < c->n_stores; s++)
		if (c->stores[s]->type == STORE_SHADOW)
			return true;
	return false;
}

/* The cheap verdicts.  Returns 1 when the account still needs the dictionary. */
static int classify(struct audit_run_ctx *c, const struct store_file *sf,
		    const struct store_record *rec, bool shadow_sorted)
{
	const struct exact_hash *ex;
	struct hash_info info;
	char detail[256];
	int r;

	if (sf->type == STORE_PASSWD && !strcmp(rec->hash, "x")) {
		if (shadow_sorted && shadow_has_user(c, rec->user))
			return 0;	/* the shadow entry is the account */
		return add_account(c, sf, rec, AUDIT_LOCKED,
				   "password field 'x' defers to /etc/shadow, which has no entry for this user: no password login");
	}
	hash_classify(rec->hash, &info);
	switch (info.kind) {
	case HASH_EMPTY:
		if (sf->type == STORE_GSHADOW)
			return add_account(c, sf, rec, AUDIT_LOCKED,
					   "no group password: only members can use the group");
		return add_account(c, sf, rec, AUDIT_BLANK,
				   "empty password field: anyone can log in without a password");
	case HASH_LOCKED:
		snprintf(detail, sizeof(detail), "'%c' prefix: password login disabled",
			 rec->hash[0]);
		return add_account(c, sf, rec, AUDIT_LOCKED, detail);
	case HASH_INVALID:
		return add_account(c, sf, rec, AUDIT_LOCKED,
				   "not a valid password hash: no password can match it");
	case HASH_UNKNOWN:
		snprintf(detail, sizeof(detail),
			 "%s hash that this build cannot verify%s", info.method,
			 c->opts->unknown_ok ? " (allowed by configuration)" :
					       "; counted as a violation");
		return add_account(c, sf, rec, AUDIT_UNKNOWN, detail);
	default:
		break;
	}
	ex = dict_find_exact(&c->dict, rec->hash);
	if (ex) {
		snprintf(detail, sizeof(detail),
			 "hash is a known factory default image hash (%.200s)", ex->origin);
		return add_account(c, sf, rec, AUDIT_DEFAULT, detail);
	}
	r = add_account(c, sf, rec, AUDIT_OK, NULL);
	return r < 0 ? r : 1;
}

/* Work for the dictionary phase: one item per distinct hash. */
struct work_item {
	const char *hash;
	struct hash_info info;
	_Atomic size_t found;	/* lowest matching candidate index, or SIZE_MAX */
	unsigned char key[32];
	bool cached;
};

struct pool {
	struct work_item *items;
	size_t n_items, n_cands, n_tasks;
	const struct dict *dict;
	_Atomic size_t next;
	_Atomic unsigned long long verifications;
	_Atomic int err;
};

static void found_min(struct work_item *it, size_t idx)
{
	size_t cur = atomic_load(&it->found);

	while (idx < cur && !atomic_compare_exchange_weak(&it->found, &cur, idx))
		;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct verify_ctx *vc = calloc(1, sizeof(*vc));
	unsigned long long done = 0;

	if (!vc) {
		atomic_store(&p->err, -ENOMEM);
		return NULL;
	}
	for (;;) {
		size_t t = atomic_fetch_add(&p->next, 1), start, end;
		struct work_item *it;

		if (t >= p->n_tasks)
			break;
		/* Round-robin over items, chunk by chunk in likelihood order. */
		it = &p->items[t % p->n_items];
		start = (t / p->n_items) * AUDIT_CHUNK;
		end = start + AUDIT_CHUNK < p->n_cands ? start + AUDIT_CHUNK : p->n_cands;
		for (size_t i = start; i < end; i++) {
			if (atomic_load_explicit(&it->found, memory_order_relaxed) < i)
				break;
			done++;
			if (verify_password(vc, &it->info, it->hash, p->dict->cands[i].password)) {
				found_min(it, i);
				break;
			}
		}
	}
	atomic_fetch_add(&p->verifications, done);
	explicit_bzero(vc, sizeof(*vc));
	free(vc);
	return NULL;
}

static unsigned thread_count(const struct audit_opts *o, size_t tasks)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if ((size_t)n > tasks)
		n = (long)tasks;
	return n > 256 ? 256 : (unsigned)n;
}

static int run_pool(struct pool *p, const struct audit_opts *o, unsigned *threads_used)
{
	pthread_t tids[256];
	unsigned n = thread_count(o, p->n_tasks), started = 0;

	*threads_used = n;
	if (n <= 1) {
		worker(p);
		return atomic_load(&p->err);
	}
	for (; started < n; started++)
		if (pthread_create(&tids[started], NULL, worker, p))
			break;
	if (!started)
		worker(p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	return atomic_load(&p->err);
}

static int cache_key(const unsigned char digest[32], const char *hash, unsigned char out[32])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	if (!m)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(m, digest, 32) == 1 &&
	     EVP_DigestUpdate(m, hash, strlen(hash)) == 1 &&
	     EVP_DigestFinal_ex(m, out, NULL) == 1;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -EIO;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const enum audit_verdict kind_verdict[_CAND_KIND_MAX] = {
	[CAND_DEFAULT] = AUDIT_DEFAULT,
	[CAND_DERIVED] = AUDIT_DERIVED,
	[CAND_SEQUENTIAL] = AUDIT_SEQUENTIAL,
	[CAND_COMMON] = AUDIT_COMMON,
};

static int describe_match(struct audit_account *a, const struct candidate *cand)
{
	a->verdict = kind_verdict[cand->kind];
	switch (cand->kind) {
	case CAND_DEFAULT:
		if (cand->printable)
			return set_detail(a, "factory default password '%s' (%s)",
					  cand->password, cand->origin);
		return set_detail(a, "factory default password listed in %s", cand->origin);
	case CAND_DERIVED:
		return set_detail(a, "password derived from the device's %s", cand->origin);
	case CAND_SEQUENTIAL:
		return set_detail(a, "guessable %s", cand->origin);
	default:
		return set_detail(a, "on the %s", cand->origin);
	}
}

static int dictionary_phase(struct audit_run_ctx *c, size_t first)
{
	struct audit_report *rep = c->rep;
	_cleanup_free_ const char **hashes = NULL;
	_cleanup_free_ struct work_item *items = NULL;
	struct audit_cache cache = { 0 };
	size_t n_pending = 0, n_items = 0, n_work = 0;
	int r = 0;

	for (size_t i = first; i < rep->n_accounts; i++)
		n_pending += rep->accounts[i].verdict == AUDIT_OK && !rep->accounts[i].detail;
	if (!n_pending)
		return 0;
	hashes = calloc(n_pending, sizeof(*hashes));
	items = calloc(n_pending, sizeof(*items));
	if (!hashes || !items)
		return -ENOMEM;
	for (size_t i = first, k = 0; i < rep->n_accounts; i++)
		if (rep->accounts[i].verdict == AUDIT_OK && !rep->accounts[i].detail)
			hashes[k++] = rep->accounts[i].hash;
	qsort(hashes, n_pending, sizeof(*hashes), cmp_str_ptr);
	for (size_t i = 0; i < n_pending; i++)
		if (!n_items || strcmp(items[n_items - 1].hash, hashes[i])) {
			items[n_items].hash = hashes[i];
			hash_classify(hashes[i], &items[n_items].info);
			atomic_init(&items[n_items].found, SIZE_MAX);
			n_items++;
		}
	if (c->opts->cache_path) {
		r = audit_cache_load(&cache, c->opts->cache_path);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n_items; i++) {
		struct audit_cache_entry *e;

		r = cache_key(c->digest, items[i].hash, items[i].key);
		if (r < 0)
			goto out;
		e = c->opts->cache_path ? audit_cache_find(&cache, items[i].key) : NULL;
		if (e && e->cand < (long)c->n_cands) {
			e->used = true;
			items[i].cached = true;
			atomic_store(&items[i].found, e->cand < 0 ? SIZE_MAX : (size_t)e->cand);
			rep->stats.cache_hits++;
		}
	}
	/* Cached items go to the back; the pool works on the front. */
	for (size_t i = 0; i < n_items; i++)
		if (!items[i].cached) {
			struct work_item tmp;

			memcpy(&tmp, &items[n_work], sizeof(tmp));
			memcpy(&items[n_work], &items[i], sizeof(tmp));
			memcpy(&items[i], &tmp, sizeof(tmp));
			n_work++;
		}
	rep->stats.hashes_to_check = n_work;
	if (n_work && c->n_cands) {
		struct pool p = {
			.items = items,
			.n_items = n_work,
			.n_cands = c->n_cands,
			.n_tasks = n_work * ((c->n_cands + AUDIT_CHUNK - 1) / AUDIT_CHUNK),
			.dict = &c->dict,
		};

		r = run_pool(&p, c->opts, &rep->stats.threads);
		rep->stats.verifications = atomic_load(&p.verifications);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < n_work; i++) {
			size_t f = atomic_load(&items[i].found);

			r = audit_cache_put(&cache, items[i].key, f == SIZE_MAX ? -1 : (long)f);
			if (r < 0)
				goto out;
		}
	}
	for (size_t i = first; i < rep->n_accounts; i++) {
		struct audit_account *a = &rep->accounts[i];
		struct work_item key = { .hash = a->hash }, *it;
		size_t f;

		if (a->verdict != AUDIT_OK || a->detail)
			continue;
		it = NULL;
		for (size_t j = 0; j < n_items && !it; j++)
			if (!strcmp(items[j].hash, key.hash))
				it = &items[j];
		f = it ? atomic_load(&it->found) : SIZE_MAX;
		if (f == SIZE_MAX)
			r = set_detail(a, "no match among %zu candidate passwords (%s depth)",
				       c->n_cands,
				       c->opts->depth == AUDIT_DEPTH_FULL ? "full" : "fast");
		else
			r = describe_match(a, &c->dict.cands[f]);
		if (r < 0)
			goto out;
	}
	if (c->opts->cache_path && cache.dirty) {
		int w = audit_cache_save(&cache, c->opts->cache_path);

		if (w < 0)
			cg_warn("cannot write audit cache %s: %s (audit result unaffected)",
				c->opts->cache_path, strerror(-w));
	}
	r = 0;
out:
	audit_cache_clear(&cache);
	return r;
}

int audit_run(const struct audit_opts *opts, struct audit_report **out)
{
	struct audit_run_ctx c = {
		.opts = opts,
		.diag = opts->diag ? opts->diag : store_diag_stderr,
		.ud = opts->diag_userdata,
	};
	struct audit_config cfg;
	unsigned seq_max = opts->sequential_max ? opts->sequential_max :
						  AUDIT_SEQUENTIAL_MAX_DEFAULT;
	bool shadow;
	int r;

	c.rep = calloc(1, sizeof(*c.rep));
	if (!c.rep)
		return -ENOMEM;
	dict_init(&c.dict);
	r = audit_config_load(opts->root, AUDIT_CONFIG_PATH, &cfg, c.diag, c.ud);
	if (r == -ENOMEM)
		goto out;
	if (r < 0)
		c.rep->n_errors++;
	if (cfg.sequential_max >= 0 && !opts->sequential_max)
		seq_max = (unsigned)cfg.sequential_max;
	r = load_stores(&c, &cfg);
	if (r >= 0)
		r = build_dict(&c, seq_max);
	if (r < 0)
		goto out;
	if (!c.n_stores && !c.rep->n_errors) {
		c.diag(c.ud, opts->root ? opts->root : "/", 0,
		       "no credential store found (expected /etc/passwd)");
		c.rep->n_errors++;
	}
	c.rep->stats.candidates = c.n_cands;
	shadow = have_shadow(&c);
	for (size_t s = 0; s < c.n_stores; s++)
		for (size_t i = 0; i < c.stores[s]->n_records; i++) {
			r = classify(&c, c.stores[s], &c.stores[s]->records[i], shadow);
			if (r < 0)
				goto out;
		}
	r = dictionary_phase(&c, 0);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < c.rep->n_accounts; i++) {
		enum audit_verdict v = c.rep->accounts[i].verdict;

		if (audit_verdict_is_violation(v) &&
		    !(v == AUDIT_UNKNOWN && (opts->unknown_ok || cfg.unknown_ok == 1)))
			c.rep->n_violations++;
	}
	c.rep->compliant = !c.rep->n_violations && !c.rep->n_errors;
	*out = TAKE_PTR(c.rep);
	r = 0;
out:
	audit_config_clear(&cfg);
	for (size_t s = 0; s < c.n_stores; s++)
		store_file_free(c.stores[s]);
	free(c.stores);
	dict_clear(&c.dict);
	audit_report_free(c.rep);
	return r;
}
