// SPDX-License-Identifier: MIT
/*
 * The audit engine.  Cheap checks first (blank, locked, unknown, exact
 * hash, cache), then each remaining distinct hash against the dictionary
 * in likelihood order, on all cores, stopping per hash at the first match.
 */
#include "audit/audit.h"
#include "audit/dict.h"
#include "base/rooted.h"
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
	/*
	 * Two layers, cached apart: @dict holds the device-independent
	 * candidates (OEM and built-in defaults, then sequential and common),
	 * @dev the device's own (derived from its identifiers).  They are
	 * verified in one likelihood order: @dict's first @n_a (the
	 * defaults), @dev, the rest of @dict.  An image build can seed the
	 * first layer's verdicts (--seed-cache); only @dev is left to hash.
	 */
	struct dict dict, dev;
	size_t n_a;		/* defaults at the front of @dict */
	size_t n_cands;		/* positions in that order used at this depth */
	unsigned char digest[32], dev_digest[32];
	size_t cap_accounts;
};

enum { LAYER_IND, LAYER_DEV, _LAYER_MAX };

/*
 * The one verification order of the two layers: @d's first @n_a (the
 * defaults), then @dev (derived), then the rest of @d.  Position of
 * candidate @i of layer @l, and the candidate at position @v.
 */
static size_t pos_of(size_t n_a, size_t n_dev, int l, size_t i)
{
	if (l == LAYER_DEV)
		return n_a + i;
	return i < n_a ? i : i + n_dev;
}

static const struct candidate *cand_of(const struct dict *d, size_t n_a, const struct dict *dev,
				       size_t v)
{
	size_t n_dev = dev ? dev->n_cands : 0;

	if (v < n_a)
		return &d->cands[v];
	if (v - n_a < n_dev)
		return &dev->cands[v - n_a];
	return &d->cands[v - n_dev];
}

const struct candidate *audit_dict_lookup(const struct dict *d, size_t n_a, const struct dict *dev,
					  const char *password)
{
	size_t first = SIZE_MAX, n_dev = dev ? dev->n_cands : 0;

	for (int l = 0; l < _LAYER_MAX; l++) {
		const struct dict *x = l == LAYER_DEV ? dev : d;
		long i = x ? dict_find(x, password) : -1;

		if (i >= 0 && pos_of(n_a, n_dev, l, (size_t)i) < first)
			first = pos_of(n_a, n_dev, l, (size_t)i);
	}
	return first == SIZE_MAX ? NULL : cand_of(d, n_a, dev, first);
}

static const struct candidate *cand_at(const struct audit_run_ctx *c, size_t v)
{
	return cand_of(&c->dict, c->n_a, &c->dev, v);
}

static size_t order_of(const struct audit_run_ctx *c, int l, size_t i)
{
	return pos_of(c->n_a, c->dev.n_cands, l, i);
}

/* The layer of position @v, and its index there. */
static int layer_of(const struct audit_run_ctx *c, size_t v, size_t *i)
{
	if (v < c->n_a) {
		*i = v;
		return LAYER_IND;
	}
	if (v - c->n_a < c->dev.n_cands) {
		*i = v - c->n_a;
		return LAYER_DEV;
	}
	*i = v - c->dev.n_cands;
	return LAYER_IND;
}

static size_t layer_size(const struct audit_run_ctx *c, int l)
{
	return l == LAYER_DEV ? c->dev.n_cands : c->dict.n_cands;
}

/* How many candidates of layer @l sit among the first @v positions. */
static size_t layer_prefix(const struct audit_run_ctx *c, int l, size_t v)
{
	size_t nd = c->dev.n_cands;

	if (l == LAYER_DEV)
		return v <= c->n_a ? 0 : v - c->n_a < nd ? v - c->n_a : nd;
	return v <= c->n_a ? v : v <= c->n_a + nd ? c->n_a : v - nd;
}

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
	int r;

	va_start(ap, fmt);
	r = cg_vset_string(&a->detail, fmt, ap);
	va_end(ap);
	return r;
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

static int follow_pam_includes(struct audit_run_ctx *c);
static bool store_loaded(const struct audit_run_ctx *c, const char *path);

static int load_stores(struct audit_run_ctx *c)
{
	const struct audit_opts *o = c->opts;
	int r = 0;

	if (o->n_stores) {
		for (size_t i = 0; i < o->n_stores && r >= 0; i++)
			r = load_store(c, o->stores[i].type, o->stores[i].path, true);
		for (size_t i = 0; i < o->n_extra_stores && r >= 0; i++)
			if (!store_loaded(c, o->extra_stores[i].path))
				r = load_store(c, o->extra_stores[i].type, o->extra_stores[i].path, false);
		return r >= 0 ? follow_pam_includes(c) : r;
	}
	r = load_store(c, STORE_SHADOW, store_shadow_ops.default_path, false);
	if (r >= 0)
		r = load_store(c, STORE_PASSWD, store_passwd_ops.default_path, true);
	if (r >= 0)
		r = load_store(c, STORE_GSHADOW, store_gshadow_ops.default_path, false);
	if (r >= 0) {
		struct audit_store_spec *v = NULL;
		size_t n = 0;

		r = audit_service_configs(o->root, &v, &n);
		for (size_t i = 0; i < n && r >= 0; i++)
			r = load_store(c, v[i].type, v[i].path, false);
		audit_store_specs_free(v, n);
	}
	for (size_t i = 0; i < o->n_extra_stores && r >= 0; i++)
		if (!store_loaded(c, o->extra_stores[i].path))
			r = load_store(c, o->extra_stores[i].type, o->extra_stores[i].path, false);
	return r >= 0 ? follow_pam_includes(c) : r;
}

static bool store_loaded(const struct audit_run_ctx *c, const char *path)
{
	for (size_t s = 0; s < c->n_stores; s++)
		if (!strcmp(c->stores[s]->path, path))
			return true;
	return false;
}

/*
 * The files a PAM stack includes (@include, include, substack), each
 * audited once, as PAM finds them (a name without '/' in /etc/pam.d).
 */
#define PAM_FILES_MAX 64

static int follow_pam_includes(struct audit_run_ctx *c)
{
	unsigned loaded = 0;
	int r = 0;

	for (size_t s = 0; s < c->n_stores && r >= 0; s++) {
		if (c->stores[s]->type != STORE_PAM)
			continue;
		for (size_t i = 0; i < c->stores[s]->n_records && r >= 0; i++) {
			const struct store_record *rec = &c->stores[s]->records[i];
			_cleanup_free_ char *path = NULL;

			if (rec->scheme != STORE_SCHEME_INCLUDE)
				continue;
			if (asprintf(&path, "%s%s", rec->user[0] == '/' ? "" : "/etc/pam.d/", rec->user) < 0)
				return -ENOMEM;
			if (store_loaded(c, path))
				continue;
			if (++loaded > PAM_FILES_MAX) {
				c->diag(c->ud, c->stores[s]->path, rec->line,
					"more than 64 included PAM files: an include loop? the stack was not audited to its end");
				c->rep->n_errors++;
				return 0;
			}
			/* c->stores may move: nothing of it is used after this. */
			r = load_store(c, STORE_PAM, path, false);
		}
	}
	return r;
}

/* The first login account (shadow, passwd) found blank, or NULL. */
static const char *blank_login(const struct audit_report *rep)
{
	for (size_t i = 0; i < rep->n_accounts; i++)
		if (rep->accounts[i].verdict == CG_VERDICT_BLANK &&
		    (rep->accounts[i].store_type == STORE_SHADOW ||
		     rep->accounts[i].store_type == STORE_PASSWD))
			return rep->accounts[i].user;
	return NULL;
}

/* Settings that need a blank login account (sshd, PAM nullok): noauth while one is. */
static int judge_if_blank(struct audit_run_ctx *c)
{
	const char *user = blank_login(c->rep);
	_cleanup_free_ char *u = user ? strdup(user) : NULL;

	if (!user)
		return 0;
	if (!u)
		return -ENOMEM;
	for (size_t s = 0; s < c->n_stores; s++)
		for (size_t i = 0; i < c->stores[s]->n_records; i++) {
			const struct store_record *rec = &c->stores[s]->records[i];
			_cleanup_free_ char *d = NULL;
			int r;

			if (rec->scheme != STORE_SCHEME_NOAUTH_IF_BLANK)
				continue;
			if (asprintf(&d, "%s; account %.64s has an empty password", rec->note, u) < 0)
				return -ENOMEM;
			r = add_account(c, c->stores[s], rec, CG_VERDICT_NOAUTH, d);
			if (r < 0)
				return r;
		}
	return 0;
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
	c->n_a = c->dict.n_cands;
	if (r >= 0)
		r = o->root ? device_ids_probe_tree(&probed, o->root) : device_ids_probe_live(&probed);
	if (r >= 0)
		r = derive_add_candidates(&c->dev, &probed);
	if (r >= 0 && o->device_ids)
		r = derive_add_candidates(&c->dev, o->device_ids);
	device_ids_clear(&probed);
	/*
	 * Every tier is always in the dictionary (generating it costs far
	 * less than one hash): each layer's digest names one candidate order
	 * for every depth, so a full audit resumes where a fast one stopped
	 * and a trusted record covers both.  The depth bounds what is
	 * verified.  Nothing of the device goes into @dict: its digest is the
	 * same on the build host and on every device of the image.
	 */
	if (r >= 0)
		r = dict_add_sequential(&c->dict, seq_max);
	if (r >= 0 && !o->no_builtin)
		r = dict_add_builtin_common(&c->dict);
	if (r < 0)
		return r;
	c->rep->n_errors += c->dict.n_errors + c->dev.n_errors;
	c->n_cands = c->n_a + c->dev.n_cands;
	if (o->depth == CG_DEPTH_FULL)
		c->n_cands += c->dict.n_cands - c->n_a;
	if (o->max_candidates && c->n_cands > o->max_candidates)
		c->n_cands = o->max_candidates;
	r = dict_digest(&c->dict, c->dict.n_cands, c->digest);
	if (r >= 0)
		r = dict_digest(&c->dev, c->dev.n_cands, c->dev_digest);
	return r;
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

	r = service_judge(&c->dict, c->n_a, &c->dev, sf, rec, c->opts->unknown_ok, c->diag, c->ud,
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

	/* judge_if_blank() weighs these once every account has its verdict. */
	if (rec->scheme == STORE_SCHEME_NOAUTH_IF_BLANK || rec->scheme == STORE_SCHEME_INCLUDE)
		return 0;
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

/* What the cache knows about a hash in one layer. */
struct layer_state {
	unsigned char key[32];	/* SHA-256(layer digest || layer tag || hash) */
	long cand;		/* first match in the layer, -1: none among ... */
	size_t checked;		/* ... its first @checked candidates */
	bool in_cache, changed;
};

struct range {
	size_t s, e;
};

/* Work for the dictionary phase: one item per distinct hash. */
struct work_item {
	const char *hash;
	struct hash_info info;
	_Atomic size_t found;	/* lowest matching position, or SIZE_MAX */
	_Atomic size_t err_at;	/* lowest position that could not be computed */
	_Atomic int err;	/* its negative errno (0: none) */
	struct range todo[3];	/* positions no layer has judged, in order */
	unsigned n_todo;
	size_t n_chunks;	/* AUDIT_CHUNK-sized pieces of @todo */
	struct layer_state ly[_LAYER_MAX];
	bool cached;		/* the cache holds the whole verdict */
};

struct pool {
	struct work_item *items;
	size_t n_items, n_cands, n_tasks, first;
	const struct audit_run_ctx *ctx;
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
static unsigned long long verify_range(struct verify_ctx *vc, const struct audit_run_ctx *c,
				       struct work_item *it, size_t start, size_t end)
{
	unsigned long long done = 0;

	for (size_t i = start; i < end; i++) {
		int r;

		if (atomic_load_explicit(&it->found, memory_order_relaxed) < i)
			break;
		done++;
		r = verify_password(vc, &it->info, it->hash, cand_at(c, i)->password);
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
		size_t t = atomic_fetch_add(&p->next, 1), q, start = 0, end = 0;
		struct work_item *it;

		if (t >= p->n_tasks)
			break;
		/* Round-robin over items, chunk by chunk in likelihood order. */
		it = &p->items[t % p->n_items];
		q = t / p->n_items;
		if (q >= it->n_chunks)
			continue;
		for (unsigned k = 0; k < it->n_todo; k++) {
			size_t len = it->todo[k].e - it->todo[k].s;
			size_t chunks = (len + AUDIT_CHUNK - 1) / AUDIT_CHUNK;

			if (q < chunks) {
				start = it->todo[k].s + q * AUDIT_CHUNK;
				end = start + AUDIT_CHUNK < it->todo[k].e ? start + AUDIT_CHUNK :
									    it->todo[k].e;
				break;
			}
			q -= chunks;
		}
		done = verify_range(vc, p->ctx, it, start, end);
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
		/* Only what is still to judge: the layers' cached parts are known. */
		for (unsigned t = 0; t < it->n_todo; t++) {
			size_t s = it->todo[t].s > from ? it->todo[t].s : from;
			size_t e = it->todo[t].e < to ? it->todo[t].e : to;

			if (s < e)
				p->verifications += verify_range(vc, p->ctx, it, s, e);
		}
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

static int cache_key(const unsigned char digest[32], int layer, const char *hash,
		     unsigned char out[32])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned char tag = (unsigned char)layer;
	int ok;

	if (!m)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(m, digest, 32) == 1 &&
	     EVP_DigestUpdate(m, &tag, 1) == 1 &&
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

static int item_keys(const struct audit_run_ctx *c, const char *hash,
		     struct layer_state ly[_LAYER_MAX])
{
	int r = cache_key(c->digest, LAYER_IND, hash, ly[LAYER_IND].key);

	return r < 0 ? r : cache_key(c->dev_digest, LAYER_DEV, hash, ly[LAYER_DEV].key);
}

/* Take what the cache knows of layer @l (an entry that cannot be ours is ignored). */
static void from_cache(const struct audit_run_ctx *c, struct work_item *it, int l,
		       struct audit_cache_entry *e)
{
	struct layer_state *s = &it->ly[l];

	s->cand = -1;
	if (!e)
		return;
	e->used = true;
	s->in_cache = true;	/* a bad entry is overwritten, never duplicated */
	if (e->cand >= 0 && (size_t)e->cand >= layer_size(c, l))
		return;
	s->cand = e->cand;
	s->checked = e->checked < layer_size(c, l) ? e->checked : layer_size(c, l);
}

static void add_todo(struct work_item *it, size_t s, size_t e, size_t bound)
{
	if (e > bound)
		e = bound;
	if (s < e)
		it->todo[it->n_todo++] = (struct range){ s, e };
}

/*
 * From the layers' cached verdicts: the positions still to verify (resume
 * where the last audit stopped, skip a seeded layer), and the verdict when
 * nothing is left (it->cached).
 */
static void plan_item(const struct audit_run_ctx *c, struct work_item *it)
{
	const struct layer_state *ind = &it->ly[LAYER_IND], *dev = &it->ly[LAYER_DEV];
	size_t m = SIZE_MAX, bound, end_a = c->n_a, end_v = c->n_a + c->dev.n_cands;

	for (int l = 0; l < _LAYER_MAX; l++)
		if (it->ly[l].cand >= 0 && order_of(c, l, (size_t)it->ly[l].cand) < m)
			m = order_of(c, l, (size_t)it->ly[l].cand);
	/* A known first match bounds the work: only earlier positions can change it. */
	bound = m < c->n_cands ? m : c->n_cands;
	it->n_todo = 0;
	if (ind->cand < 0)
		add_todo(it, ind->checked, end_a, bound);
	if (dev->cand < 0)
		add_todo(it, c->n_a + dev->checked, end_v, bound);
	if (ind->cand < 0)
		add_todo(it, order_of(c, LAYER_IND, ind->checked > c->n_a ? ind->checked : c->n_a),
			 c->dict.n_cands + c->dev.n_cands, bound);
	it->n_chunks = 0;
	for (unsigned k = 0; k < it->n_todo; k++)
		it->n_chunks += (it->todo[k].e - it->todo[k].s + AUDIT_CHUNK - 1) / AUDIT_CHUNK;
	atomic_store(&it->found, m < c->n_cands ? m : SIZE_MAX);
	it->cached = !it->n_todo;
}

/* After verifying: what each layer now knows (every position before the verdict is judged). */
static void learn(const struct audit_run_ctx *c, struct work_item *it)
{
	size_t f = atomic_load(&it->found), b = f == SIZE_MAX ? c->n_cands : f, i = 0;
	int lf = f == SIZE_MAX ? -1 : layer_of(c, f, &i);

	for (int l = 0; l < _LAYER_MAX; l++) {
		struct layer_state *s = &it->ly[l];
		size_t p = layer_prefix(c, l, b);

		if (s->cand >= 0)
			continue;
		if (l == lf) {
			s->cand = (long)i;
			s->checked = i + 1;
			s->changed = true;
		} else if (p > s->checked) {
			s->checked = p;
			s->changed = true;
		}
	}
}

/* Put what @items learnt into @cache (entries updated in place first: appending moves them). */
static int record_items(struct audit_cache *cache, struct work_item *items, size_t n)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			for (int l = 0; l < _LAYER_MAX; l++) {
				struct layer_state *s = &items[i].ly[l];
				struct audit_cache_entry *e;

				if (atomic_load(&items[i].err) || !s->changed)
					continue;	/* an error is no verdict */
				if (pass == 0 && s->in_cache) {
					e = audit_cache_find(cache, s->key);
					e->cand = s->cand;
					e->checked = s->checked;
					e->used = true;
					cache->dirty = true;
				} else if (pass == 1 && !s->in_cache) {
					int r = audit_cache_put(cache, s->key, s->cand, s->checked);

					if (r < 0)
						return r;
				}
			}
	return 0;
}

/*
 * --seed-cache: the device-independent layer's verdict of every hash
 * judged, into the image's own cache file (inside opts->root only).
 */
static int write_seed(struct audit_run_ctx *c, struct work_item *items, size_t n)
{
	struct audit_cache seed = { 0 };
	char msg[256];
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct layer_state *s = &items[i].ly[LAYER_IND];

		if (atomic_load(&items[i].err) || (s->cand < 0 && !s->checked))
			continue;
		r = audit_cache_put(&seed, s->key, s->cand, s->checked);
		if (r >= 0)
			c->rep->stats.seeded++;
	}
	if (r >= 0)
		r = audit_cache_save_rooted(&seed, c->opts->root, AUDIT_CACHE_PATH);
	audit_cache_clear(&seed);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(msg, sizeof(msg),
			 "cannot write the seeded verdict cache into the image: %s",
			 rooted_strerror(r));
		c->diag(c->ud, AUDIT_CACHE_PATH, 0, msg);
		c->rep->n_errors++;
		c->rep->stats.seeded = 0;
	}
	return 0;
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
	if (!n_pending)	/* an image without a hash to seed still gets its (empty) seed */
		return c->opts->seed_cache && !root_is_host(c->opts->root) ? write_seed(c, NULL, 0) : 0;
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
		r = item_keys(c, items[i].hash, items[i].ly);
		if (r < 0)
			goto out;
		for (int l = 0; l < _LAYER_MAX; l++)
			from_cache(c, &items[i], l, c->opts->cache_path ?
				   audit_cache_find(&cache, items[i].ly[l].key) : NULL);
		plan_item(c, &items[i]);
		if (items[i].cached)
			rep->stats.cache_hits++;
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
	if (n_work) {
		size_t max_chunks = 0;
		struct pool p = {
			.items = items,
			.n_items = n_work,
			.n_cands = c->n_cands,
			.ctx = c,
		};

		for (size_t i = 0; i < n_work; i++)
			if (items[i].n_chunks > max_chunks)
				max_chunks = items[i].n_chunks;
		p.n_tasks = n_work * max_chunks;
		r = run_pool(&p, c->opts, &rep->stats.threads);
		rep->stats.verifications = atomic_load(&p.verifications);
		if (r < 0)
			goto out;
		for (size_t i = 0; i < n_work; i++)
			if (!atomic_load(&items[i].err))
				learn(c, &items[i]);
		if (c->opts->cache_path) {
			r = record_items(&cache, items, n_work);
			if (r < 0)
				goto out;
		}
	}
	if (c->opts->seed_cache && !root_is_host(c->opts->root)) {
		r = write_seed(c, items, n_items);
		if (r < 0)
			goto out;
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
			r = describe_match(a, cand_at(c, f), c->opts->redact);
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
	dict_init(&c.dev);
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
	c.rep->stats.device_candidates = c.dev.n_cands;
	shadow = have_shadow(&c);
	for (size_t s = 0; s < c.n_stores; s++)
		for (size_t i = 0; i < c.stores[s]->n_records; i++) {
			r = classify(&c, c.stores[s], &c.stores[s]->records[i], shadow);
			if (r < 0)
				goto out;
		}
	r = judge_if_blank(&c);
	if (r < 0)
		goto out;
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
	dict_clear(&c.dev);
	audit_report_free(c.rep);
	return r;
}

/* Judging plaintexts credgate sets itself (audit.h). */

struct audit_judge {
	struct audit_run_ctx c;
	struct audit_report rep;
	struct layer_state *keys;	/* cache keys of trusted hashes, per layer */
	size_t n_keys;
};

void audit_judge_free(struct audit_judge *j)
{
	if (!j)
		return;
	dict_clear(&j->c.dict);
	dict_clear(&j->c.dev);
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
	dict_init(&j->c.dev);
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
	const struct candidate *cand;

	if (!password[0]) {
		*why = "it is empty";
		return CG_VERDICT_BLANK;
	}
	/*
	 * Every tier, whatever the depth: the same candidates the audit would
	 * hash, found by lookup, the one the audit would match first.  A
	 * password the full audit would flag is never set, even when the
	 * agent audits at fast depth.
	 */
	cand = audit_dict_lookup(&j->c.dict, j->c.n_a, &j->c.dev, password);
	if (!cand) {
		*why = NULL;
		return CG_VERDICT_OK;
	}
	*why = why_kind[cand->kind];
	return kind_verdict[cand->kind];
}

int audit_judge_trust(struct audit_judge *j, const char *hash)
{
	struct layer_state *n;

	n = reallocarray(j->keys, j->n_keys + 1, _LAYER_MAX * sizeof(*n));
	if (!n)
		return -ENOMEM;
	j->keys = n;
	return item_keys(&j->c, hash, &j->keys[_LAYER_MAX * j->n_keys++]);
}

int audit_judge_commit(struct audit_judge *j)
{
	struct audit_cache cache = { 0 };
	const char *path;
	int r = 0;

	bool image;

	if (!j || !j->n_keys)
		return 0;
	/*
	 * Into an image (seed_cache with a root): only the device-independent
	 * layer, as --seed-cache writes it; the device tier's digest depends
	 * on identifiers only the device knows (its MAC), so the device
	 * hashes that tier itself.
	 */
	image = j->c.opts->seed_cache && !root_is_host(j->c.opts->root);
	path = image ? AUDIT_CACHE_PATH : j->c.opts->cache_path;
	if (!path)
		return 0;
	/* No match among every candidate of every tier: the full verdict. */
	for (size_t i = 0; i < _LAYER_MAX * j->n_keys && r >= 0; i++)
		if (!image || i % _LAYER_MAX == LAYER_IND)
			r = audit_cache_put(&cache, j->keys[i].key, -1,
					    layer_size(&j->c, i % _LAYER_MAX));
	if (r >= 0)
		r = audit_cache_save_rooted(&cache, image ? j->c.opts->root : NULL, path);
	if (r >= 0)
		j->n_keys = 0;
	audit_cache_clear(&cache);
	return r;
}
