// SPDX-License-Identifier: MIT
/*
 * The audit engine.  Cheap checks first (blank, locked, unknown, exact
 * hash, cache), then each remaining distinct hash against the dictionary
 * in likelihood order, on all cores, stopping per hash at the first match.
 */
#include "audit/audit.h"
#include "audit/dict.h"
#include "base/util.h"
#include "audit/verify.h"
#include "audit/service.h"

#include <ini.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>

/* Candidates a worker takes at a time: small, so a found match stops work early. */
#define AUDIT_CHUNK 8

bool audit_verdict_is_violation(enum cg_verdict v)
{
	return v != CG_VERDICT_OK && v != CG_VERDICT_LOCKED;
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
		       const struct store_record *rec, enum cg_verdict v, const char *detail)
{
	struct audit_report *rep = c->rep;
	struct audit_account *a;

	if (GREEDY_REALLOC(rep->accounts, c->cap_accounts, rep->n_accounts + 1) < 0)
		return -ENOMEM;
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

static int load_stores(struct audit_run_ctx *c)
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
	/*
	 * Every tier is always in the dictionary (generating it costs far
	 * less than one hash): its digest names one candidate order for every
	 * depth, so a full audit resumes where a fast one stopped and a
	 * trusted record covers both.  The depth bounds what is verified.
	 */
	if (r >= 0)
		r = dict_add_sequential(&c->dict, seq_max);
	if (r >= 0 && !o->no_builtin)
		r = dict_add_builtin_common(&c->dict);
	if (r < 0)
		return r;
	c->rep->n_errors += c->dict.n_errors;
	c->n_cands = o->depth == CG_DEPTH_FULL ? c->dict.n_cands :
						    dict_count_upto(&c->dict, CAND_DERIVED);
	if (o->max_candidates && c->n_cands > o->max_candidates)
		c->n_cands = o->max_candidates;
	return dict_digest(&c->dict, c->dict.n_cands, c->digest);
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

/* A service store's record (service.c); 1 when its tagged hash needs the dictionary. */
static int classify_service(struct audit_run_ctx *c, const struct store_file *sf,
			    const struct store_record *rec)
{
	struct service_verdict sv;
	struct store_record tagged = *rec;
	int r;

	r = service_judge(&c->dict, sf, rec, c->opts->unknown_ok, c->diag, c->ud,
			  &c->rep->n_errors, &sv);
	if (r < 0)
		return r;
	if (!sv.vkey)
		return add_account(c, sf, rec, sv.verdict, sv.detail);
	tagged.hash = sv.vkey;
	r = add_account(c, sf, &tagged, CG_VERDICT_OK, NULL);
	free(sv.vkey);
	return r < 0 ? r : 1;
}

/* The cheap verdicts.  Returns 1 when the account still needs the dictionary. */
static int classify(struct audit_run_ctx *c, const struct store_file *sf,
		    const struct store_record *rec, bool shadow_loaded)
{
	const struct exact_hash *ex;
	struct hash_info info;
	char detail[256];
	int r;

	if (rec->scheme != STORE_SCHEME_CRYPT)
		return classify_service(c, sf, rec);

	if (sf->type == STORE_PASSWD && !strcmp(rec->hash, "x")) {
		if (!shadow_loaded) {
			/* The password is somewhere this audit did not read. */
			snprintf(detail, sizeof(detail),
				 "user %.64s: password field 'x' defers to /etc/shadow, which was not audited (absent, or not in [audit] stores): add the shadow store",
				 rec->user);
			c->diag(c->ud, sf->path, rec->line, detail);
			c->rep->n_errors++;
			return add_account(c, sf, rec, CG_VERDICT_UNKNOWN,
					   "password field 'x' defers to a shadow store that was not audited");
		}
		if (shadow_has_user(c, rec->user))
			return 0;	/* the shadow entry is the account */
		return add_account(c, sf, rec, CG_VERDICT_LOCKED,
				   "password field 'x' defers to /etc/shadow, which has no entry for this user: no password login");
	}
	hash_classify(rec->hash, &info);
	switch (info.kind) {
	case HASH_EMPTY:
		if (sf->type == STORE_GSHADOW)
			return add_account(c, sf, rec, CG_VERDICT_LOCKED,
					   "no group password: only members can use the group");
		return add_account(c, sf, rec, CG_VERDICT_BLANK,
				   "empty password field: anyone can log in without a password");
	case HASH_LOCKED:
		snprintf(detail, sizeof(detail), "'%c' prefix: password login disabled",
			 rec->hash[0]);
		return add_account(c, sf, rec, CG_VERDICT_LOCKED, detail);
	case HASH_INVALID:
		/* Not a locked form credgate documents: it cannot prove that
		 * no password matches, so it never calls it locked. */
		snprintf(detail, sizeof(detail),
			 "password field is neither a hash this build verifies nor a locked form ('!', '*' prefix)%s",
			 c->opts->unknown_ok ? " (allowed by configuration)" : "; counted as a violation");
		return add_account(c, sf, rec, CG_VERDICT_UNKNOWN, detail);
	case HASH_UNKNOWN:
		snprintf(detail, sizeof(detail),
			 "%s hash that this build cannot verify%s", info.method,
			 c->opts->unknown_ok ? " (allowed by configuration)" :
					       "; counted as a violation");
		return add_account(c, sf, rec, CG_VERDICT_UNKNOWN, detail);
	default:
		break;
	}
	ex = dict_find_exact(&c->dict, rec->hash);
	if (ex) {
		snprintf(detail, sizeof(detail),
			 "hash is a known factory default image hash (%.200s)", ex->origin);
		return add_account(c, sf, rec, CG_VERDICT_DEFAULT, detail);
	}
	r = add_account(c, sf, rec, CG_VERDICT_OK, NULL);
	return r < 0 ? r : 1;
}

/* Work for the dictionary phase: one item per distinct hash. */
struct work_item {
	const char *hash;
	struct hash_info info;
	_Atomic size_t found;	/* lowest matching candidate index, or SIZE_MAX */
	_Atomic size_t err_at;	/* lowest candidate that could not be computed */
	_Atomic int err;	/* its negative errno (0: none) */
	size_t start;		/* candidates below this are judged (cache) */
	unsigned char key[32];
	bool cached;		/* the cache holds the whole verdict */
	bool in_cache;		/* the cache has an entry (maybe partial) */
};

struct pool {
	struct work_item *items;
	size_t n_items, n_cands, n_tasks, first;
	const struct dict *dict;
	_Atomic size_t next;
	_Atomic unsigned long long verifications;
	_Atomic int err;
	_Atomic unsigned active;	/* workers still running */
};

static void store_min(_Atomic size_t *v, size_t idx)
{
	size_t cur = atomic_load(v);

	while (idx < cur && !atomic_compare_exchange_weak(v, &cur, idx))
		;
}

/*
 * Verify @it against candidates [@start, @end): stop at the first match.
 * An error is recorded and never taken for "no match".
 */
static unsigned long long verify_range(struct verify_ctx *vc, const struct dict *d,
				       struct work_item *it, size_t start, size_t end)
{
	unsigned long long done = 0;

	for (size_t i = start; i < end; i++) {
		int r;

		if (atomic_load_explicit(&it->found, memory_order_relaxed) < i)
			break;
		done++;
		r = verify_password(vc, &it->info, it->hash, d->cands[i].password);
		if (r > 0) {
			store_min(&it->found, i);
			break;
		}
		if (r < 0) {
			atomic_store(&it->err, r);
			store_min(&it->err_at, i);
		}
	}
	return done;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct verify_ctx *vc = calloc(1, sizeof(*vc));
	unsigned long long done;

	if (!vc) {
		atomic_store(&p->err, -ENOMEM);
		atomic_fetch_sub(&p->active, 1);
		return NULL;
	}
	for (;;) {
		size_t t = atomic_fetch_add(&p->next, 1), start, end;
		struct work_item *it;

		if (t >= p->n_tasks)
			break;
		/* Round-robin over items, chunk by chunk in likelihood order. */
		it = &p->items[t % p->n_items];
		start = it->start + (t / p->n_items) * AUDIT_CHUNK;
		if (start >= p->n_cands)
			continue;
		end = start + AUDIT_CHUNK < p->n_cands ? start + AUDIT_CHUNK : p->n_cands;
		done = verify_range(vc, p->dict, it, start, end);
		atomic_fetch_add_explicit(&p->verifications, done, memory_order_relaxed);
	}
	atomic_fetch_sub(&p->active, 1);
	explicit_bzero(vc, sizeof(*vc));
	free(vc);
	return NULL;
}

/*
 * Candidates whose hash could not be computed (ENOMEM for a costly
 * yescrypt with every core hashing, say) are tried again one at a time on
 * this thread alone.  What still fails stays an error in it->err.
 */
static int retry_errors(struct pool *p)
{
	struct verify_ctx *vc = NULL;

	for (size_t k = 0; k < p->n_items; k++) {
		struct work_item *it = &p->items[k];
		size_t from = atomic_load(&it->err_at), to = atomic_load(&it->found);

		if (!atomic_load(&it->err))
			continue;
		if (from >= to) {	/* a match before the failure decides */
			atomic_store(&it->err, 0);
			continue;
		}
		if (!vc && !(vc = calloc(1, sizeof(*vc))))
			return -ENOMEM;
		atomic_store(&it->err, 0);
		atomic_store(&it->err_at, SIZE_MAX);
		p->verifications += verify_range(vc, p->dict, it, from,
						 to < p->n_cands ? to : p->n_cands);
	}
	if (vc)
		explicit_bzero(vc, sizeof(*vc));
	free(vc);
	return 0;
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

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* While the workers hash, tell opts->on_progress how far they are. */
static void watch_progress(struct pool *p, const struct audit_opts *o)
{
	const struct timespec tick = { .tv_nsec = 50 * 1000000L };
	struct timespec t0;
	double last = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&p->active)) {
		size_t next = atomic_load(&p->next);
		double t = since(&t0);

		nanosleep(&tick, NULL);
		if (t - last < 0.25)
			continue;
		last = t;
		if (next > p->n_tasks)
			next = p->n_tasks;
		o->on_progress(o->userdata, &(struct audit_progress){
			.hashes = p->n_items,
			.fraction = p->n_tasks ? (double)next / (double)p->n_tasks : 1,
			.verifications = atomic_load(&p->verifications),
			.seconds = t,
			.eta = next ? t * (double)(p->n_tasks - next) / (double)next : -1,
		});
	}
	o->on_progress(o->userdata, &(struct audit_progress){
		.hashes = p->n_items, .fraction = 1,
		.verifications = atomic_load(&p->verifications),
		.seconds = since(&t0), .done = true,
	});
}

static int run_pool(struct pool *p, const struct audit_opts *o, unsigned *threads_used)
{
	pthread_t tids[256];
	unsigned n = thread_count(o, p->n_tasks), started = 0;

	*threads_used = n;
	atomic_store(&p->active, n);
	if (n <= 1 && !o->on_progress) {
		worker(p);
	} else {
		for (; started < n; started++)
			if (pthread_create(&tids[started], NULL, worker, p))
				break;
		atomic_fetch_sub(&p->active, n - started);
		if (!started) {
			atomic_store(&p->active, 1);
			worker(p);
		} else if (o->on_progress) {
			watch_progress(p, o);
		}
		for (unsigned i = 0; i < started; i++)
			pthread_join(tids[i], NULL);
	}
	if (atomic_load(&p->err))
		return atomic_load(&p->err);
	return retry_errors(p);
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

static const enum cg_verdict kind_verdict[_CAND_KIND_MAX] = {
	[CAND_DEFAULT] = CG_VERDICT_DEFAULT,
	[CAND_DERIVED] = CG_VERDICT_DERIVED,
	[CAND_SEQUENTIAL] = CG_VERDICT_SEQUENTIAL,
	[CAND_COMMON] = CG_VERDICT_COMMON,
};

/* @redact: never name the password, even a public default (kept logs). */
static int describe_match(struct audit_account *a, const struct candidate *cand, bool redact)
{
	a->verdict = kind_verdict[cand->kind];
	switch (cand->kind) {
	case CAND_DEFAULT:
		if (cand->printable && !redact)
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

static bool pending(const struct audit_account *a)
{
	return a->verdict == CG_VERDICT_OK && !a->detail;
}

/* What the cache knows about @it at this depth (1: the whole verdict). */
static bool from_cache(struct work_item *it, struct audit_cache_entry *e, size_t n_cands)
{
	e->used = true;
	if (e->cand >= 0) {
		/* The first match: below the bound it is the verdict, above it
		 * nothing in the bound matches. */
		atomic_store(&it->found, (size_t)e->cand < n_cands ? (size_t)e->cand : SIZE_MAX);
		return true;
	}
	if (e->checked >= n_cands)
		return true;
	it->start = e->checked;	/* resume where the last audit stopped */
	return false;
}

static int report_error(struct audit_run_ctx *c, struct audit_account *a, int err,
			const char *method)
{
	char msg[384];

	snprintf(msg, sizeof(msg),
		 "user %.64s: the %s hash could not be verified: %s; nothing cached, the gate stays closed (free memory or lower the hash cost, then audit again)",
		 a->user, method, strerror(-err));
	c->diag(c->ud, a->store, a->line, msg);
	c->rep->n_errors++;
	a->verdict = CG_VERDICT_UNKNOWN;
	return set_detail(a, "%s hash could not be verified (%s)", method, strerror(-err));
}

static int dictionary_phase(struct audit_run_ctx *c)
{
	struct audit_report *rep = c->rep;
	_cleanup_free_ const char **hashes = NULL;
	_cleanup_free_ struct work_item *items = NULL;
	struct audit_cache cache = { 0 };
	size_t n_pending = 0, n_items = 0, n_work = 0;
	int r = 0;

	for (size_t i = 0; i < rep->n_accounts; i++)
		n_pending += pending(&rep->accounts[i]);
	if (!n_pending)
		return 0;
	hashes = calloc(n_pending, sizeof(*hashes));
	items = calloc(n_pending, sizeof(*items));
	if (!hashes || !items)
		return -ENOMEM;
	for (size_t i = 0, k = 0; i < rep->n_accounts; i++)
		if (pending(&rep->accounts[i]))
			hashes[k++] = rep->accounts[i].hash;
	qsort(hashes, n_pending, sizeof(*hashes), cmp_str_ptr);
	for (size_t i = 0; i < n_pending; i++)
		if (!n_items || strcmp(items[n_items - 1].hash, hashes[i])) {
			items[n_items].hash = hashes[i];
			hash_classify(hashes[i], &items[n_items].info);
			atomic_init(&items[n_items].found, SIZE_MAX);
			atomic_init(&items[n_items].err_at, SIZE_MAX);
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
		items[i].in_cache = e;
		if (e && from_cache(&items[i], e, c->n_cands)) {
			items[i].cached = true;
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
	if (n_work && c->opts->on_pending)
		c->opts->on_pending(c->opts->userdata, n_work);
	if (n_work && c->n_cands) {
		size_t min_start = SIZE_MAX, remaining;
		struct pool p = {
			.items = items,
			.n_items = n_work,
			.n_cands = c->n_cands,
			.dict = &c->dict,
		};

		for (size_t i = 0; i < n_work; i++)
			if (items[i].start < min_start)
				min_start = items[i].start;
		remaining = c->n_cands > min_start ? c->n_cands - min_start : 0;
		p.n_tasks = n_work * ((remaining + AUDIT_CHUNK - 1) / AUDIT_CHUNK);
		r = run_pool(&p, c->opts, &rep->stats.threads);
		rep->stats.verifications = atomic_load(&p.verifications);
		if (r < 0)
			goto out;
		/* Update entries in place first: appending moves them. */
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < n_work; i++) {
				size_t f = atomic_load(&items[i].found);
				long cand = f == SIZE_MAX ? -1 : (long)f;
				size_t checked = f == SIZE_MAX ? c->n_cands : f + 1;
				struct audit_cache_entry *e;

				if (atomic_load(&items[i].err) || !c->opts->cache_path)
					continue;	/* an error is no verdict */
				if (pass == 0 && items[i].in_cache) {
					e = audit_cache_find(&cache, items[i].key);
					e->cand = cand;
					e->checked = checked;
					e->used = true;
					cache.dirty = true;
				} else if (pass == 1 && !items[i].in_cache) {
					r = audit_cache_put(&cache, items[i].key, cand, checked);
					if (r < 0)
						goto out;
				}
			}
	}
	for (size_t i = 0; i < rep->n_accounts; i++) {
		struct audit_account *a = &rep->accounts[i];
		struct work_item *it = NULL;
		size_t f;
		int err;

		if (!pending(a))
			continue;
		for (size_t j = 0; j < n_items && !it; j++)
			if (!strcmp(items[j].hash, a->hash))
				it = &items[j];
		f = it ? atomic_load(&it->found) : SIZE_MAX;
		err = it ? atomic_load(&it->err) : 0;
		if (err)
			r = report_error(c, a, err, it->info.method);
		else if (f == SIZE_MAX)
			r = set_detail(a, "no match among %zu candidate passwords (%s depth)",
				       c->n_cands,
				       c->opts->depth == CG_DEPTH_FULL ? "full" : "fast");
		else
			r = describe_match(a, &c->dict.cands[f], c->opts->redact);
		if (r < 0)
			goto out;
	}
	if (c->opts->cache_path && cache.dirty) {
		int w = audit_cache_save(&cache, c->opts->cache_path);

		if (w < 0)
			log_warning_errno(w, "cannot write audit cache %s: %m (audit result unaffected)",
					  c->opts->cache_path);
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
		.diag = opts->diag ? opts->diag : store_diag_log,
		.ud = opts->diag_userdata,
	};
	unsigned seq_max = opts->sequential_max ? opts->sequential_max :
						  CG_SEQUENTIAL_MAX_DEFAULT;
	bool shadow;
	int r;

	c.rep = calloc(1, sizeof(*c.rep));
	if (!c.rep)
		return -ENOMEM;
	dict_init(&c.dict);
	r = load_stores(&c);
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
	r = dictionary_phase(&c);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < c.rep->n_accounts; i++) {
		enum cg_verdict v = c.rep->accounts[i].verdict;

		if (audit_verdict_is_violation(v) &&
		    !(v == CG_VERDICT_UNKNOWN && opts->unknown_ok))
			c.rep->n_violations++;
	}
	c.rep->compliant = !c.rep->n_violations && !c.rep->n_errors;
	*out = TAKE_PTR(c.rep);
	r = 0;
out:
	for (size_t s = 0; s < c.n_stores; s++)
		store_file_free(c.stores[s]);
	free(c.stores);
	dict_clear(&c.dict);
	audit_report_free(c.rep);
	return r;
}

/* Judging plaintexts credgate sets itself (audit.h). */

struct audit_judge {
	struct audit_run_ctx c;
	struct audit_report rep;
	unsigned char (*keys)[32];	/* cache keys of trusted hashes */
	size_t n_keys;
};

void audit_judge_free(struct audit_judge *j)
{
	if (!j)
		return;
	dict_clear(&j->c.dict);
	free(j->keys);
	free(j);
}

int audit_judge_new(const struct audit_opts *opts, struct audit_judge **out)
{
	unsigned seq_max = opts->sequential_max ? opts->sequential_max :
						  CG_SEQUENTIAL_MAX_DEFAULT;
	struct audit_judge *j = calloc(1, sizeof(*j));
	int r;

	if (!j)
		return -ENOMEM;
	j->c = (struct audit_run_ctx){
		.opts = opts,
		.diag = opts->diag ? opts->diag : store_diag_log,
		.ud = opts->diag_userdata,
		.rep = &j->rep,
	};
	dict_init(&j->c.dict);
	r = build_dict(&j->c, seq_max);
	if (r < 0) {
		audit_judge_free(j);
		return r;
	}
	*out = j;
	return 0;
}

enum cg_verdict audit_judge_password(const struct audit_judge *j, const char *password,
					const char **why)
{
	static const char *const why_kind[_CAND_KIND_MAX] = {
		[CAND_DEFAULT] = "it is a factory default password",
		[CAND_DERIVED] = "it is derived from one of the device's identifiers",
		[CAND_SEQUENTIAL] = "it is a guessable sequence (a common word and a counter)",
		[CAND_COMMON] = "it is on a list of commonly used passwords",
	};
	long i;

	if (!password[0]) {
		*why = "it is empty";
		return CG_VERDICT_BLANK;
	}
	/*
	 * Every tier, whatever the depth: the same candidates the audit would
	 * hash, found by lookup.  A password the full audit would flag is
	 * never set, even when the agent audits at fast depth.
	 */
	i = dict_find(&j->c.dict, password);
	if (i < 0) {
		*why = NULL;
		return CG_VERDICT_OK;
	}
	*why = why_kind[j->c.dict.cands[i].kind];
	return kind_verdict[j->c.dict.cands[i].kind];
}

int audit_judge_trust(struct audit_judge *j, const char *hash)
{
	unsigned char (*n)[32];

	n = reallocarray(j->keys, j->n_keys + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	j->keys = n;
	return cache_key(j->c.digest, hash, j->keys[j->n_keys++]);
}

int audit_judge_commit(struct audit_judge *j)
{
	struct audit_cache cache = { 0 };
	const char *path;
	int r = 0;

	if (!j || !j->n_keys)
		return 0;
	path = j->c.opts->cache_path;
	if (!path)
		return 0;
	/* No match among every candidate of every tier: the full verdict. */
	for (size_t i = 0; i < j->n_keys && r >= 0; i++)
		r = audit_cache_put(&cache, j->keys[i], -1, j->c.dict.n_cands);
	if (r >= 0)
		r = audit_cache_save(&cache, path);
	if (r >= 0)
		j->n_keys = 0;
	audit_cache_clear(&cache);
	return r;
}
