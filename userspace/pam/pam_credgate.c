// SPDX-License-Identifier: MIT
/*
 * pam_credgate.so: the PAM password stack refuses a new password the
 * audit would flag (blank, factory default, derived from the device's
 * identifiers, sequential, common), and records the verdict of the hash
 * pam_unix then writes, so the agent reacts without hashing
 * (pam_credgate(8), docs/integration.md "PAM").
 *
 *   password requisite pam_credgate.so [options]          before pam_unix
 *   password optional  pam_credgate.so record [options]   after pam_unix
 *
 * Judging is the library's known-plaintext call (audit_judge_*), the one
 * `credgate passwd` and migrate use; the audit options come from
 * credgate.conf and the module's arguments through the CLI's audit_args.
 */
#include <fcntl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <sys/stat.h>
#include <syslog.h>

#include "../cli/audit_args.h"
#include "audit/audit.h"
#include "audit/verify.h"
#include "base/util.h"

#define PC_EXPORT __attribute__((visibility("default")))

struct pc_opts {
	bool record;		/* the line after pam_unix */
	bool enforce_for_root;	/* default true: a default for root is what we stop */
	unsigned retry;		/* prompts before giving up (default 1) */
	struct audit_args aa;
};

/* The library's messages go to syslog through the handle of the call. */
static pam_handle_t *log_pamh;

static void pam_sink(int prio, const char *msg, void *userdata)
{
	(void)userdata;
	if (log_pamh)
		pam_syslog(log_pamh, prio, "%s", msg);
}

/* Map one module argument to the shared audit option it stands for. */
static int audit_arg(struct pc_opts *o, const char *arg)
{
	static const struct { const char *key; int opt; bool value; } map[] = {
		{ "config=", AUDIT_OPT_CONFIG, true },
		{ "store=", AUDIT_OPT_STORE, true },
		{ "defaults=", AUDIT_OPT_DEFAULTS, true },
		{ "device_id=", AUDIT_OPT_DEVICE_ID, true },
		{ "cache=", AUDIT_OPT_CACHE, true },
		{ "no_cache", AUDIT_OPT_NO_CACHE, false },
		{ "no_builtin", AUDIT_OPT_NO_BUILTIN, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		size_t n = strlen(map[i].key);

		if (map[i].value ? strncmp(arg, map[i].key, n) : strcmp(arg, map[i].key))
			continue;
		if (map[i].value && !arg[n])
			return -EINVAL;
		return audit_args_option(&o->aa, map[i].opt, map[i].value ? arg + n : NULL) < 0 ?
			       -EINVAL : 0;
	}
	return -ENOENT;
}

static int parse_opts(pam_handle_t *pamh, int argc, const char **argv, struct pc_opts *o)
{
	unsigned long n;

	*o = (struct pc_opts){ .enforce_for_root = true, .retry = 1 };
	o->aa.opts.depth = CG_DEPTH_FULL;
	o->aa.quiet = true;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "record")) {
			o->record = true;
		} else if (!strcmp(a, "use_authtok") || !strcmp(a, "use_first_pass") ||
			   !strncmp(a, "authtok_type=", 13)) {
			/* pam_get_authtok() reads these itself. */
		} else if (!strcmp(a, "enforce_for_root=yes") || !strcmp(a, "enforce_for_root")) {
			o->enforce_for_root = true;
		} else if (!strcmp(a, "enforce_for_root=no")) {
			o->enforce_for_root = false;
		} else if (!strncmp(a, "retry=", 6)) {
			if (parse_uint(a + 6, 10, &n) < 0 || !n)
				goto bad;
			o->retry = (unsigned)n;
		} else if (audit_arg(o, a) < 0) {
			goto bad;
		}
		continue;
bad:
		pam_syslog(pamh, LOG_ERR, "bad module argument '%s' (see pam_credgate(8)); the password is not changed",
			   a);
		pam_error(pamh, "credgate: bad module argument '%s' in the PAM configuration (see pam_credgate(8)); the password is not changed",
			  a);
		return -EINVAL;
	}
	if (audit_args_finish(&o->aa) < 0) {
		pam_error(pamh, "credgate: cannot read its configuration (see the system log); the password is not changed");
		return -EINVAL;
	}
	return 0;
}

/* The line before pam_unix: refuse what the audit would flag. */
static int check_new(pam_handle_t *pamh, int flags, struct pc_opts *o)
{
	struct audit_judge *j = NULL;
	int r, ret = PAM_AUTHTOK_ERR;

	if (flags & PAM_PRELIM_CHECK)
		return PAM_SUCCESS;
	r = audit_judge_new(&o->aa.opts, &j);
	if (r < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot build the audit's dictionary: %s", strerror(-r));
		pam_error(pamh, "credgate: cannot judge the new password (see the system log); nothing was changed");
		return PAM_AUTHTOK_ERR;
	}
	for (unsigned attempt = 0; attempt < o->retry; attempt++) {
		const char *pw = NULL, *why;
		enum cg_verdict v;

		r = pam_get_authtok(pamh, PAM_AUTHTOK, &pw, NULL);
		if (r != PAM_SUCCESS) {
			pam_syslog(pamh, LOG_ERR, "cannot read the new password: %s", pam_strerror(pamh, r));
			ret = r == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_AUTHTOK_ERR;
			break;
		}
		v = audit_judge_password(j, pw, &why);
		if (v == CG_VERDICT_OK) {
			ret = PAM_SUCCESS;
			break;
		}
		if (getuid() == 0 && !o->enforce_for_root) {
			pam_info(pamh, "credgate: warning: %s; the gate will stay closed (set anyway: enforce_for_root=no)",
				 why);
			ret = PAM_SUCCESS;
			break;
		}
		/* The wording of `credgate passwd`. */
		pam_error(pamh, "credgate: refused (%s): %s; the gate would stay closed. Choose another (nothing was changed)",
			  cg_verdict_name(v), why);
		pam_syslog(pamh, LOG_NOTICE, "new password refused: %s", cg_verdict_name(v));
		pam_set_item(pamh, PAM_AUTHTOK, NULL);
	}
	audit_judge_free(j);
	return ret;
}

/* The first record of @user holding its password, in the audited stores. */
static int user_hash(const struct audit_opts *ao, const char *user, char **hash, char **store)
{
	static const struct audit_store_spec defaults[] = {
		{ STORE_SHADOW, "/etc/shadow" }, { STORE_PASSWD, "/etc/passwd" },
	};
	const struct audit_store_spec *specs = ao->n_stores ? ao->stores : defaults;
	size_t n = ao->n_stores ? ao->n_stores : ARRAY_SIZE(defaults);

	for (size_t s = 0; s < n; s++) {
		struct store_file *sf = NULL;
		int r = store_load(specs[s].type, NULL, specs[s].path, store_diag_log, NULL, &sf);

		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		for (size_t i = 0; i < sf->n_records; i++) {
			const struct store_record *x = &sf->records[i];

			if (strcmp(x->user, user) || (sf->type == STORE_PASSWD && !strcmp(x->hash, "x")))
				continue;
			*hash = strdup(x->hash);
			*store = strdup(specs[s].path);
			store_file_free(sf);
			return *hash && *store ? 0 : -ENOMEM;
		}
		store_file_free(sf);
	}
	return -ENOENT;
}

/*
 * The line after pam_unix: the hash now stored for the user is of the
 * password judged clean (one hash computation says so): record it as
 * trusted, then touch the store so an audit the agent started before the
 * record existed is replaced by one that finds it.
 */
static int record_new(pam_handle_t *pamh, int flags, struct pc_opts *o)
{
	_cleanup_free_ char *hash = NULL, *store = NULL;
	_cleanup_free_ struct verify_ctx *ctx = NULL;
	struct audit_judge *j = NULL;
	const char *user = NULL, *why;
	const void *pw = NULL;
	struct hash_info info;
	int r;

	if (flags & PAM_PRELIM_CHECK)
		return PAM_SUCCESS;
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user ||
	    pam_get_item(pamh, PAM_AUTHTOK, &pw) != PAM_SUCCESS || !pw) {
		pam_syslog(pamh, LOG_WARNING, "record: no user or new password at this point of the stack (put 'record' after pam_unix)");
		return PAM_IGNORE;
	}
	r = user_hash(&o->aa.opts, user, &hash, &store);
	if (r < 0) {
		pam_syslog(pamh, LOG_WARNING, "record: no hash of %s in the audited stores (%s): nothing recorded; the agent judges it itself",
			   user, strerror(-r));
		return PAM_IGNORE;
	}
	ctx = malloc(sizeof(*ctx));
	if (!ctx)
		return PAM_BUF_ERR;
	hash_classify(hash, &info);
	r = verify_password(ctx, &info, hash, pw);
	explicit_bzero(ctx, sizeof(*ctx));
	if (r != 1) {
		pam_syslog(pamh, LOG_WARNING, "record: %s of %s is not a hash of the new password (%s): nothing recorded; the agent judges it itself",
			   store, user, r < 0 ? strerror(-r) : "another writer?");
		return PAM_IGNORE;
	}
	r = audit_judge_new(&o->aa.opts, &j);
	if (r >= 0 && audit_judge_password(j, pw, &why) != CG_VERDICT_OK) {
		/* Set anyway (enforce_for_root=no): the agent must find it. */
		audit_judge_free(j);
		return PAM_IGNORE;
	}
	if (r >= 0)
		r = audit_judge_trust(j, hash);
	if (r >= 0)
		r = audit_judge_commit(j);
	audit_judge_free(j);
	if (r < 0) {
		pam_syslog(pamh, LOG_WARNING, "record: cannot record the verdict in %s: %s (the agent judges the hash itself)",
			   o->aa.opts.cache_path ? o->aa.opts.cache_path : "(no cache)", strerror(-r));
		return PAM_IGNORE;
	}
	if (o->aa.opts.cache_path && utimensat(AT_FDCWD, store, NULL, 0) < 0)
		pam_syslog(pamh, LOG_WARNING, "record: cannot touch %s: %m", store);
	return PAM_SUCCESS;
}

PC_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct pc_opts o;
	int ret;

	log_pamh = pamh;
	cg_log_set_sink(pam_sink, NULL);
	if (parse_opts(pamh, argc, argv, &o) < 0)
		ret = PAM_SERVICE_ERR;
	else
		ret = o.record ? record_new(pamh, flags, &o) : check_new(pamh, flags, &o);
	audit_args_free(&o.aa);
	cg_log_set_sink(NULL, NULL);
	log_pamh = NULL;
	return ret;
}
