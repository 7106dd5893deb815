// SPDX-License-Identifier: MIT
/* Migration building blocks: line edits, credentials output. */
#include "migrate/migrate.h"
#include "base/atomic_file.h"
#include "migrate/password.h"
#include "migrate/service.h"
#include "audit/service.h"
#include "base/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

unsigned long migrate_today(void)
{
	time_t now = time(NULL);

	return now > 0 ? (unsigned long)(now / 86400) : 0;
}

int path_inside_root(const char *path, const char *root)
{
	_cleanup_free_ char *dir = NULL, *rroot = NULL, *rpath = NULL;
	const char *base;
	size_t n;

	rroot = realpath(root, NULL);
	if (!rroot)
		return -errno;
	rpath = realpath(path, NULL);
	if (!rpath) {
		char *slash;

		if (errno != ENOENT)
			return -errno;
		dir = strdup(path);
		if (!dir)
			return -ENOMEM;
		slash = strrchr(dir, '/');
		base = slash ? slash + 1 : path;
		if (slash)
			*slash = '\0';
		rpath = realpath(slash ? (*dir ? dir : "/") : ".", NULL);
		if (!rpath)
			return -errno;
		{
			char *full;

			if (asprintf(&full, "%s/%s", rpath, base) < 0)
				return -ENOMEM;
			free(rpath);
			rpath = full;
		}
	}
	n = strlen(rroot);
	return !strcmp(rroot, "/") || (!strncmp(rpath, rroot, n) && rpath[n] == '/');
}

char *migrate_locked_hash(const char *hash)
{
	char *s;

	if (asprintf(&s, "!%s", hash) < 0)
		return NULL;
	return s;
}

/* The field after the hash: [*off, *off + *len), ending at ':' or EOL. */
static int next_field(const char *data, size_t size, size_t hash_end,
		      size_t *off, size_t *len)
{
	size_t i;

	if (hash_end >= size || data[hash_end] != ':')
		return -EINVAL;
	*off = hash_end + 1;
	for (i = *off; i < size && data[i] != ':' && data[i] != '\n' && data[i] != '\r'; i++)
		;
	*len = i - *off;
	return 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (GREEDY_REALLOC(b->p, b->cap, b->len + n + 1) < 0)
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int migrate_apply_edits(const char *data, size_t size, const struct line_edit *edits,
			size_t n_edits, char **out, size_t *out_len)
{
	struct buf b = { 0 };
	size_t pos = 0;
	int r = 0;

	for (size_t i = 0; i < n_edits && r >= 0; i++) {
		const struct line_edit *e = &edits[i];
		size_t hash_end = e->hash_off + e->hash_len;
		size_t f_off, f_len;
		char num[24];

		if (e->hash_off < pos || hash_end > size) {
			r = -EINVAL;
			break;
		}
		r = buf_add(&b, data + pos, e->hash_off - pos);
		if (r < 0)
			break;
		if (e->new_hash)
			r = buf_add(&b, e->new_hash, strlen(e->new_hash));
		else
			r = buf_add(&b, data + e->hash_off, e->hash_len);
		pos = hash_end;
		if (r < 0 || !e->set_lastchg)
			continue;
		r = next_field(data, size, hash_end, &f_off, &f_len);
		if (r < 0)
			break;
		snprintf(num, sizeof(num), ":%lu", e->lastchg);
		r = buf_add(&b, num, strlen(num));
		pos = f_off + f_len;
	}
	if (r >= 0)
		r = buf_add(&b, data + pos, size - pos);
	if (r < 0) {
		free(b.p);
		return r;
	}
	*out = b.p;
	if (out_len)
		*out_len = b.len;
	return 0;
}

int credentials_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		      0600);

	if (fd < 0)
		return -errno;
	/* Mode 0600 whatever the umask. */
	if (fchmod(fd, 0600) < 0) {
		int r = -errno;

		close(fd);
		unlink(path);
		return r;
	}
	return fd;
}

static int write_line_synced(int fd, const char *line)
{
	int r = write_full(fd, line, strlen(line));

	if (r < 0)
		return r;
	/* The password must be on disk before the store that uses it. */
	return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

int credentials_add(int fd, const char *store, const char *user, const char *password)
{
	_cleanup_erase_free_ char *line = NULL;

	if (asprintf(&line, "%s\t%s\t%s\n", store, user, password) < 0)
		return -ENOMEM;
	return write_line_synced(fd, line);
}

int credentials_note_failure(int fd, const char *store, const char *step, int err)
{
	_cleanup_free_ char *line = NULL;

	if (asprintf(&line, "# not applied: %s (%s: %s)\n", store, step ? step : "?",
		     strerror(err < 0 ? -err : err)) < 0)
		return -ENOMEM;
	return write_line_synced(fd, line);
}

/* Parse errors are not reported twice: the store was audited as loaded. */
static void diag_quiet(void *userdata, const char *path, unsigned line, const char *msg)
{
	(void)userdata;
	(void)path;
	(void)line;
	(void)msg;
}

/* Same accounts, in the same order, and no new bad lines. */
static int same_accounts(const struct store_file *a, const struct store_file *b)
{
	if (a->n_records != b->n_records || a->n_errors != b->n_errors)
		return -EINVAL;
	for (size_t i = 0; i < a->n_records; i++)
		if (strcmp(a->records[i].user, b->records[i].user))
			return -EINVAL;
	return 0;
}

int migrate_write_store(const char *root, const struct store_file *sf,
			const struct line_edit *edits, size_t n_edits, const char **step)
{
	_cleanup_free_ char *now = NULL, *data = NULL;
	_cleanup_close_ int dirfd = -1, fd = -1;
	struct store_file *check = NULL;
	const char *base;
	size_t now_len, len;
	int r;

	*step = "prepare new contents";
	r = migrate_apply_edits(sf->data, sf->size, edits, n_edits, &data, &len);
	if (r < 0)
		return r;
	r = store_parse(sf->type, sf->path, sf->path, data, len, diag_quiet, NULL, &check);
	if (r < 0)
		return r;
	*step = "check new contents";
	r = same_accounts(sf, check);
	store_file_free(check);
	if (r < 0)
		return r;
	/* Every step from here on is relative to the store's directory in the tree. */
	*step = "open the store's directory";
	dirfd = rooted_open_parent(root, sf->path, &base);
	if (dirfd < 0)
		return dirfd;
	/* A writer that ignores the shadow lock (BusyBox passwd) changed it. */
	*step = "re-read store";
	fd = rooted_open_regular_at(dirfd, base, O_RDONLY);
	if (fd < 0)
		return fd;
	r = rooted_read_fd(fd, STORE_FILE_MAX, &now, &now_len);
	if (r < 0)
		return r;
	if (now_len != sf->size || memcmp(now, sf->data, now_len)) {
		*step = "check store unchanged since it was read";
		return -EAGAIN;
	}
	return atomic_file_replace_at(dirfd, base, data, len, step);
}

/* The method most accounts of @sf use, for a blank account's new hash. */
static const char *store_method(const struct store_file *sf)
{
	const char *best = NULL;
	size_t best_n = 0;

	for (size_t i = 0; i < sf->n_records; i++) {
		const char *m = password_method_of(sf->records[i].hash);
		size_t n = 0;

		if (!m || m == best)
			continue;
		for (size_t j = i; j < sf->n_records; j++)
			n += password_method_of(sf->records[j].hash) == m;
		if (n > best_n) {
			best = m;
			best_n = n;
		}
	}
	return best;
}

/* --hash-method, else the account's own method, else the store's, else the default. */
static const char *new_hash_method(const struct migrate_opts *o, const struct store_file *sf,
				   const struct store_record *rec)
{
	const char *method = o->method;

	if (!method)
		method = password_method_of(rec->hash);
	if (!method)
		method = store_method(sf);
	return method ? method : PASSWORD_DEFAULT_METHOD;
}

static bool user_selected(const struct migrate_opts *o, const char *user)
{
	if (!o->n_users)
		return true;
	for (size_t i = 0; i < o->n_users; i++)
		if (!strcmp(o->users[i], user))
			return true;
	return false;
}

static bool wanted(const struct migrate_opts *o, const struct audit_account *a)
{
	return audit_verdict_is_violation(a->verdict) && user_selected(o, a->user);
}

/* Every --user must name an audited account. */
static int check_users(const struct migrate_opts *o, const struct audit_report *rep)
{
	for (size_t u = 0; u < o->n_users; u++) {
		bool found = false, flagged = false;

		for (size_t i = 0; i < rep->n_accounts; i++)
			if (!strcmp(rep->accounts[i].user, o->users[u])) {
				found = true;
				flagged |= audit_verdict_is_violation(rep->accounts[i].verdict);
			}
		if (!found)
			return log_error_errno(ENOENT, "migrate: --user %s: no such account in the audited stores; nothing was changed",
				      o->users[u]);
		if (!flagged)
			log_warning("migrate: --user %s: audit verdict is not a violation; left as it is",
				o->users[u]);
	}
	return 0;
}

/* The user policy needs an expiry field: shadow only (service stores: check_service_policy). */
static int check_policy_fits(const struct migrate_opts *o, const struct audit_report *rep)
{
	if (o->policy != CG_POLICY_USER)
		return 0;
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *a = &rep->accounts[i];

		if (wanted(o, a) && a->store_type != STORE_SHADOW &&
		    !store_type_is_service(a->store_type))
			return log_error_errno(EINVAL, "migrate: %s:%u: account '%s': policy 'user' needs a password-aging field, which %s stores do not have; use --policy random or lock for it (nothing was changed)",
				      a->store, a->line, a->user, store_ops_get(a->store_type)->name);
	}
	return 0;
}

/*
 * The record @a names in @sf: same line and user, and the same secret (the
 * raw field, or for a hashed service record its tagged hash).  A record
 * already in @done (planned before) is skipped: snmpd's createUser may
 * hold the same passphrase twice on one line.
 */
static const struct store_record *find_record(const struct store_file *sf,
					      const struct audit_account *a,
					      const struct store_record *const *done, size_t n_done)
{
	for (size_t i = 0; i < sf->n_records; i++) {
		const struct store_record *r = &sf->records[i];
		bool same = !strcmp(r->hash, a->hash), seen = false;

		if (r->line != a->line || strcmp(r->user, a->user))
			continue;
		if (!same && store_type_is_service(sf->type)) {
			_cleanup_free_ char *tagged = NULL;

			same = service_tagged_hash(r, &tagged) >= 0 && !strcmp(tagged, a->hash);
		}
		for (size_t k = 0; k < n_done && !seen; k++)
			seen = done[k] == r;
		if (same && !seen)
			return r;
	}
	return NULL;
}

/* The stand-in for a new password in check_service_policy: nothing is written. */
#define DRY_RUN_PASSWORD "2345678923456789"

/*
 * Every flagged service-store record must be migratable with the policy
 * (a disabled or must-change state, an ssid for a PSK ...), before any
 * store is written: one that is not is named FILE:LINE and stays a
 * violation, and nothing is changed.
 */
static int check_service_policy(const struct migrate_opts *o, const struct audit_report *rep)
{
	struct store_file *sf = NULL;
	int ret = 0, r;

	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *a = &rep->accounts[i];
		const struct store_record *rec;
		struct service_plan sp;
		const char *why = NULL;

		if (!wanted(o, a) || !store_type_is_service(a->store_type))
			continue;
		if (a->verdict == CG_VERDICT_NOAUTH) {
			/* No password to replace: the service's configuration
			 * must change (the detail says how). */
			ret = log_error_errno(EOPNOTSUPP, "migrate: %s:%u: '%s' (noauth): no password to migrate: %s; it stays a violation (nothing was changed)",
					      a->store, a->line, a->user,
					      a->detail ? a->detail : "the service needs no password");
			continue;
		}
		if (!sf || strcmp(sf->path, a->store)) {
			store_file_free(sf);
			sf = NULL;
			r = store_load(a->store_type, o->root, a->store, diag_quiet, NULL, &sf);
			if (r < 0) {
				ret = log_error_errno(r, "migrate: %s left unchanged: cannot read it: %m", a->store);
				break;
			}
		}
		rec = find_record(sf, a, NULL, 0);
		if (!rec) {
			ret = log_error_errno(EAGAIN, "migrate: %s:%u: '%s' changed while it was audited; run again (nothing was changed)",
					      a->store, a->line, a->user);
			break;
		}
		r = service_plan(sf, rec, o->policy, DRY_RUN_PASSWORD, 0, &sp, &why);
		free(sp.vkey);
		explicit_bzero(&sp, sizeof(sp));
		if (r == -EOPNOTSUPP) {
			ret = log_error_errno(EOPNOTSUPP, "migrate: %s:%u: '%s' (%s): policy '%s' cannot migrate this %s entry: %s; it stays a violation (nothing was changed)",
					      a->store, a->line, a->user, cg_verdict_name(a->verdict),
					      cg_policy_name(o->policy), store_ops_get(a->store_type)->name,
					      why ? why : "not supported");
			continue;
		}
		if (r < 0) {
			ret = log_error_errno(r, "migrate: %s:%u: '%s': cannot plan the change: %m; nothing was changed",
					      a->store, a->line, a->user);
			break;
		}
	}
	store_file_free(sf);
	return ret;
}

struct pending {
	struct line_edit edit[STORE_EDITS_MAX];
	size_t n_edits;
	struct service_plan sp;	/* service stores: the texts edit[] points into */
	char *hash;		/* owned new hash */
	char password[PASSWORD_LEN + 1];
	const struct store_record *rec;
};

static int cmp_edit(const void *a, const void *b)
{
	const struct line_edit *x = a, *y = b;

	return (x->hash_off > y->hash_off) - (x->hash_off < y->hash_off);
}

/* Draws of a random password the audit would flag before giving up. */
#define MIGRATE_MAX_DRAWS 64

/*
 * A new random password: judged by lookup against every tier of the
 * audit's dictionary (no hashing); one the audit would flag is drawn again.
 */
static int draw_password(struct audit_judge *j, char password[PASSWORD_LEN + 1])
{
	for (int i = 0; i < MIGRATE_MAX_DRAWS; i++) {
		const char *why;
		int r = password_generate(password);

		if (r < 0)
			return r;
		if (audit_judge_password(j, password, &why) == CG_VERDICT_OK)
			return 0;
	}
	return log_error_errno(EDEADLK, "migrate: %d random passwords in a row are in the audit's dictionary; check the lists in %s",
		      MIGRATE_MAX_DRAWS, AUDIT_DEFAULTS_DIR);
}

/* A service store's record (migrate/service.c): its edits, its new secret's verdict. */
static int plan_service(const struct migrate_opts *o, struct audit_judge *j,
			const struct store_file *sf, struct pending *p)
{
	const char *why = NULL;
	int r;

	if (o->policy == CG_POLICY_RANDOM) {
		r = draw_password(j, p->password);
		if (r < 0)
			return r;
	}
	r = service_plan(sf, p->rec, o->policy, p->password, time(NULL), &p->sp, &why);
	if (r < 0)
		return log_error_errno(r, "migrate: %s:%u: '%s': %s; nothing was changed", sf->path,
				       p->rec->line, p->rec->user, why ? why : strerror(-r));
	/* Judged clean by draw_password: the agent need not hash it again. */
	if (p->sp.vkey) {
		r = audit_judge_trust(j, p->sp.vkey);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->sp.n; i++)
		p->edit[i] = (struct line_edit){ .hash_off = p->sp.e[i].span.off,
						 .hash_len = p->sp.e[i].span.len,
						 .new_hash = p->sp.e[i].text };
	p->n_edits = p->sp.n;
	return 0;
}

static int plan_account(const struct migrate_opts *o, struct audit_judge *j,
			const struct store_file *sf, const struct store_record *rec,
			struct pending *p)
{
	char hash[CRYPT_OUTPUT_SIZE];
	const char *method;
	int r;

	p->rec = rec;
	if (store_type_is_service(sf->type))
		return plan_service(o, j, sf, p);
	p->n_edits = 1;
	p->edit[0] = (struct line_edit){ .hash_off = rec->hash_span.off,
					 .hash_len = rec->hash_span.len };
	switch (o->policy) {
	case CG_POLICY_LOCK:
		p->hash = migrate_locked_hash(rec->hash);
		if (!p->hash)
			return -ENOMEM;
		p->edit[0].new_hash = p->hash;
		return 0;
	case CG_POLICY_USER:
		p->edit[0].set_lastchg = true;
		p->edit[0].lastchg = 0;
		return 0;
	case CG_POLICY_RANDOM:
		break;
	default:
		return -EINVAL;
	}
	method = new_hash_method(o, sf, rec);
	r = draw_password(j, p->password);
	if (r < 0)
		return r;
	r = password_hash(p->password, method, hash);
	if (r < 0)
		return log_error_errno(r, "migrate: cannot hash with method '%s'", method);
	p->hash = strdup(hash);
	if (!p->hash)
		return -ENOMEM;
	/* Judged clean above: the agent need not hash it again. */
	r = audit_judge_trust(j, p->hash);
	if (r < 0)
		return r;
	p->edit[0].new_hash = p->hash;
	p->edit[0].set_lastchg = sf->type == STORE_SHADOW;
	p->edit[0].lastchg = migrate_today();
	return 0;
}

/*
 * The new password to the credentials file (or on_password).  A service
 * store's secret is named USER<TAB>LINE<TAB>WHAT: one line may hold two
 * (snmpd's auth and priv passphrases), one name several (rocommunity).
 */
static int add_credentials(const struct migrate_opts *o, const char *store,
			   const struct pending *p)
{
	_cleanup_free_ char *label = NULL;

	if (p->sp.what && asprintf(&label, "%s\t%u\t%s", p->rec->user, p->rec->line, p->sp.what) < 0)
		return -ENOMEM;
	if (o->creds_fd < 0) {
		o->on_password(o->userdata, store, label ? label : p->rec->user, p->password);
		return 0;
	}
	return credentials_add(o->creds_fd, store, label ? label : p->rec->user, p->password);
}

static void pending_clear(struct pending *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].hash);
		free(p[i].sp.vkey);
		explicit_bzero(&p[i].sp, sizeof(p[i].sp));
		explicit_bzero(p[i].password, sizeof(p[i].password));
	}
	free(p);
}

/* Migrate the flagged accounts of one store; returns how many, or -errno. */
static int migrate_store(const struct migrate_opts *o, struct audit_judge *j,
			 const struct audit_report *rep, const struct audit_account *first)
{
	struct store_file *sf = NULL;
	struct pending *p = NULL;
	struct line_edit *edits = NULL;
	const struct store_record **done = NULL;
	const char *step = NULL;
	size_t n = 0, n_edits = 0;
	int r;

	r = store_load(first->store_type, o->root, first->store, store_diag_log, NULL, &sf);
	if (r < 0)
		return log_error_errno(r, "migrate: %s left unchanged: cannot read it: %m", first->store);
	p = calloc(rep->n_accounts, sizeof(*p));
	done = calloc(rep->n_accounts, sizeof(*done));
	edits = calloc(rep->n_accounts * STORE_EDITS_MAX, sizeof(*edits));
	if (!p || !done || !edits) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *a = &rep->accounts[i];
		const struct store_record *rec;

		if (strcmp(a->store, first->store) || !wanted(o, a))
			continue;
		rec = find_record(sf, a, done, n);
		if (!rec) {
			r = log_error_errno(EAGAIN, "migrate: %s left unchanged: line %u ('%s') changed while it was audited; run again",
				   first->store, a->line, a->user);
			goto out;
		}
		r = plan_account(o, j, sf, rec, &p[n]);
		if (r < 0)
			goto out;
		done[n++] = rec;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < p[i].n_edits; k++)
			edits[n_edits++] = p[i].edit[k];
		if (o->policy == CG_POLICY_RANDOM && o->creds_fd >= 0) {
			r = add_credentials(o, first->store, &p[i]);
			if (r < 0) {
				log_error_errno(r, "migrate: %s left unchanged: cannot write the credentials file: %m",
				       first->store);
				goto out;
			}
		}
	}
	test_crash_point("credentials-written");
	/* The verdicts first, so the store change never finds them missing. */
	r = audit_judge_commit(j);
	if (r < 0)
		log_warning_errno(r, "migrate: cannot record the new passwords' verdicts in %s: %m (the agent will hash them itself)",
				  o->audit->cache_path);
	qsort(edits, n_edits, sizeof(*edits), cmp_edit);
	r = migrate_write_store(o->root, sf, edits, n_edits, &step);
	if (r < 0) {
		log_error_errno(r, "migrate: %s left unchanged: step '%s' failed: %s", first->store,
				step ? step : "?", rooted_strerror(r));
		if (o->policy == CG_POLICY_RANDOM && o->creds_fd >= 0)
			credentials_note_failure(o->creds_fd, first->store, step, r);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (o->policy == CG_POLICY_RANDOM && o->creds_fd < 0)
			add_credentials(o, first->store, &p[i]);
		log_notice("migrate: %s:%u: %s: %s", first->store, p[i].rec->line, p[i].rec->user,
			   o->policy == CG_POLICY_RANDOM ? "new random password" :
			   o->policy == CG_POLICY_LOCK ? "locked" :
			   "expired: the user must set a password before use");
	}
	r = (int)n;
out:
	if (p)
		pending_clear(p, rep->n_accounts);
	free(done);
	free(edits);
	store_file_free(sf);
	return r;
}

int migrate_run(const struct migrate_opts *o)
{
	_cleanup_close_ int lock = -1;
	struct audit_report *rep = NULL;
	struct audit_judge *j = NULL;
	const char *root = root_prefix(o->root);
	int r, total = 0;

	if (o->policy == CG_POLICY_NONE || o->policy >= _CG_POLICY_MAX)
		return log_error_errno(EINVAL, "migrate: no policy (random, user or lock) given; nothing was changed");
	if (o->policy == CG_POLICY_RANDOM && o->creds_fd < 0 && !o->on_password)
		return log_error_errno(EINVAL, "migrate: new passwords would reach nobody (no credentials file, no on_password); nothing was changed");
	lock = pwdb_lock(o->root, PWDB_LOCK_TIMEOUT_MS);
	if (lock < 0)
		return log_error_errno(lock, "migrate: cannot take the shadow lock %s/etc/.pwd.lock: %s%s; nothing was changed",
			      root, rooted_strerror(lock),
			      lock == -ETIMEDOUT ? " (another passwd/chpasswd/credgate holds it)" : "");
	r = audit_run(o->audit, &rep);
	if (r < 0)
		return log_error_errno(r, "migrate: audit failed: %m; nothing was changed");
	if (rep->n_errors) {
		r = log_error_errno(EINVAL, "migrate: the audit reported %u error(s) (see above); fix them first, nothing was changed",
			   rep->n_errors);
		goto out;
	}
	r = check_users(o, rep);
	if (r >= 0)
		r = check_service_policy(o, rep);
	if (r >= 0)
		r = check_policy_fits(o, rep);
	if (r >= 0 && o->policy == CG_POLICY_RANDOM)
		r = audit_judge_new(o->audit, &j);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *a = &rep->accounts[i];
		bool seen = false;

		if (!wanted(o, a))
			continue;
		/* One pass per store, at its first flagged account. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(rep->accounts[j].store, a->store) && wanted(o, &rep->accounts[j]);
		if (seen)
			continue;
		r = migrate_store(o, j, rep, a);
		if (r < 0)
			goto out;
		total += r;
	}
	r = total;
out:
	audit_judge_free(j);
	audit_report_free(rep);
	return r;
}

/* The first record of @user in the audited stores that holds its password. */
static int find_user_store(const struct migrate_opts *o, const char *user,
			   struct store_file **out, const struct store_record **rec)
{
	static const struct audit_store_spec defaults[] = {
		{ STORE_SHADOW, "/etc/shadow" }, { STORE_PASSWD, "/etc/passwd" },
	};
	const struct audit_store_spec *specs = o->audit->n_stores ? o->audit->stores : defaults;
	size_t n = o->audit->n_stores ? o->audit->n_stores : ARRAY_SIZE(defaults);

	const char *skipped = NULL;

	for (size_t s = 0; s < n; s++) {
		struct store_file *sf = NULL;
		int r;

		if (store_type_is_service(specs[s].type)) {
			skipped = store_ops_get(specs[s].type)->name;
			continue;	/* never rewritten with a crypt hash */
		}
		r = store_load(specs[s].type, o->root, specs[s].path, store_diag_log, NULL, &sf);

		if (r == -ENOENT)
			continue;
		if (r < 0)
			return log_error_errno(r, "passwd: cannot read %s: %m", specs[s].path);
		for (size_t i = 0; i < sf->n_records; i++) {
			const struct store_record *x = &sf->records[i];

			/* passwd's 'x' defers to the shadow store. */
			if (strcmp(x->user, user) || (sf->type == STORE_PASSWD && !strcmp(x->hash, "x")))
				continue;
			*out = sf;
			*rec = x;
			return 0;
		}
		store_file_free(sf);
	}
	if (skipped)
		return log_error_errno(ENOENT, "passwd: no account '%s' in the audited stores credgate can write (%s stores cannot be set by credgate yet: use the service's own tool); nothing was changed",
				       user, skipped);
	return log_error_errno(ENOENT, "passwd: no account '%s' in the audited stores; nothing was changed", user);
}

int migrate_set_password(const struct migrate_opts *o, const char *user, const char *password)
{
	_cleanup_close_ int lock = -1;
	struct audit_judge *j = NULL;
	struct store_file *sf = NULL;
	const struct store_record *rec = NULL;
	char hash[CRYPT_OUTPUT_SIZE];
	const char *method, *why, *step = NULL;
	struct line_edit edit;
	int r;

	r = audit_judge_new(o->audit, &j);
	if (r < 0)
		return log_error_errno(r, "passwd: cannot build the audit's dictionary: %m");
	if (audit_judge_password(j, password, &why) != CG_VERDICT_OK) {
		r = log_error_errno(EPERM, "passwd: refused: %s; the gate would stay closed. Choose another (nothing was changed)",
			   why);
		goto out;
	}
	lock = pwdb_lock(o->root, PWDB_LOCK_TIMEOUT_MS);
	if (lock < 0) {
		r = log_error_errno(lock, "passwd: cannot take the shadow lock: %s; nothing was changed",
				  rooted_strerror(lock));
		goto out;
	}
	r = find_user_store(o, user, &sf, &rec);
	if (r < 0)
		goto out;
	method = new_hash_method(o, sf, rec);
	r = password_hash(password, method, hash);
	if (r < 0) {
		log_error_errno(r, "passwd: cannot hash with method '%s'", method);
		goto out;
	}
	edit = (struct line_edit){
		.hash_off = rec->hash_span.off,
		.hash_len = rec->hash_span.len,
		.new_hash = hash,
		.set_lastchg = sf->type == STORE_SHADOW,
		.lastchg = migrate_today(),
	};
	/* The verdict first, so the agent never finds the new hash unjudged. */
	r = audit_judge_trust(j, hash);
	if (r >= 0 && audit_judge_commit(j) < 0)
		log_warning("passwd: cannot record the new password's verdict in %s (the agent will hash it itself)",
			o->audit->cache_path);
	r = migrate_write_store(o->root, sf, &edit, 1, &step);
	if (r < 0)
		log_error_errno(r, "passwd: %s left unchanged: step '%s' failed: %s", sf->path,
				step ? step : "?", rooted_strerror(r));
out:
	explicit_bzero(hash, sizeof(hash));
	store_file_free(sf);
	audit_judge_free(j);
	return r;
}
