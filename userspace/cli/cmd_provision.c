// SPDX-License-Identifier: MIT
/*
 * credgate provision: factory host only.  Derive a device's label password
 * from the manufacturer secret and its serial (docs/provisioning.md), write
 * the hash into the rootfs, print the password once.
 */
#include <getopt.h>

#include "audit/audit.h"
#include "audit_args.h"
#include "base/atomic_file.h"
#include "commands.h"
#include "config/config.h"
#include "migrate/migrate.h"
#include "migrate/password.h"
#include "migrate/provision.h"
#include "store/store.h"
#include "base/util.h"

struct provision_args {
	const char *secret_file, *serial, *product, *user, *root, *method;
};

static void provision_usage(FILE *f)
{
	fputs("usage: credgate provision --secret-file FILE --serial SERIAL [--product ID]\n"
	      "                          [--user NAME] [--root DIR] [--hash-method PREFIX]\n"
	      "Factory host: derive the label password (HKDF-SHA256), write its hash into\n"
	      "DIR/etc/shadow, print the password once.  See credgate-provision(1).\n", f);
}

static int parse_args(int argc, char **argv, struct provision_args *a)
{
	static const struct option opts[] = {
		{ "secret-file", required_argument, NULL, 's' },
		{ "serial", required_argument, NULL, 'n' },
		{ "product", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "root", required_argument, NULL, 'r' },
		{ "hash-method", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	*a = (struct provision_args){ .product = "", .user = "root", .root = "/" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->secret_file = optarg; break;
		case 'n': a->serial = optarg; break;
		case 'p': a->product = optarg; break;
		case 'u': a->user = optarg; break;
		case 'r': a->root = optarg; break;
		case 'm': a->method = optarg; break;
		case 'h': provision_usage(stdout); return 1;
		default: provision_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(EINVAL, "provision: unexpected argument '%s'", argv[optind]);
	if (!a->secret_file || !a->serial)
		return log_error_errno(EINVAL, "provision: --secret-file and --serial are required");
	if (provision_id_valid(a->serial, 0) < 0)
		return log_error_errno(EINVAL, "provision: --serial must be 1-%d printable ASCII characters",
			      PROVISION_ID_MAX);
	if (*a->product && provision_id_valid(a->product, 1) < 0)
		return log_error_errno(EINVAL, "provision: --product must be 1-%d printable ASCII characters without ':'",
			      PROVISION_ID_MAX);
	if (a->method && password_method_valid(a->method) < 0)
		return log_error_errno(EINVAL, "provision: --hash-method '%s' is not a crypt prefix this libxcrypt can generate (e.g. '$6$', '$y$', '$6$rounds=5000$')",
			      a->method);
	return 0;
}

/* The secret must never be inside the tree that becomes the device. */
static int check_secret_outside_root(const char *secret, const char *root)
{
	int r = path_inside_root(secret, root);

	if (r < 0)
		return log_error_errno(r, "provision: cannot resolve --secret-file %s or --root %s: %m",
			      secret, root);
	if (r)
		return log_error_errno(EINVAL, "provision: the secret file %s lies inside the target root %s; keep it on the factory host and give --root the unpacked rootfs",
			      secret, root);
	return 0;
}

static int read_secret(const char *path, char **secret, size_t *len)
{
	int r = read_file(path, PROVISION_SECRET_MAX, secret, len);

	if (r == -EFBIG)
		return log_error_errno(r, "provision: secret file %s is larger than %d bytes", path,
			      PROVISION_SECRET_MAX);
	if (r < 0)
		return log_error_errno(r, "provision: cannot read secret file %s: %m", path);
	if (*len < PROVISION_SECRET_MIN) {
		explicit_bzero(*secret, *len);
		free(*secret);
		*secret = NULL;
		return log_error_errno(EINVAL, "provision: secret file %s holds %zu bytes; at least %d are required",
			      path, *len, PROVISION_SECRET_MIN);
	}
	return 0;
}

static const struct store_record *find_user(const struct store_file *sf, const char *user)
{
	for (size_t i = 0; i < sf->n_records; i++)
		if (!strcmp(sf->records[i].user, user))
			return &sf->records[i];
	return NULL;
}

/*
 * The derived password judged as the audit would judge its hash (by
 * lookup, every tier), with the target's own credgate.conf and lists.
 * Its verdict is recorded for the new hash before the store is written:
 * on a running system in the agent's cache, in an image in the image's
 * own cache (the device-independent layer, as --seed-cache writes it), so
 * the device's first audit hashes only its derived candidates.
 */
static int judge(const struct provision_args *a, const char *password,
		 struct audit_args *aa, struct audit_judge **j)
{
	const char *why;
	int r;

	aa->opts.root = a->root;
	aa->opts.depth = CG_DEPTH_FULL;
	aa->quiet = true;
	r = audit_args_finish(aa);
	if (r < 0)
		return r;
	aa->opts.seed_cache = !root_is_host(a->root);
	r = audit_judge_new(&aa->opts, j);
	if (r < 0)
		return log_error_errno(r, "provision: cannot build the audit's dictionary: %m");
	if (audit_judge_password(*j, password, &why) != CG_VERDICT_OK)
		return log_error_errno(EPERM, "provision: the derived password for serial '%s' is refused: %s (an OEM list in /etc/credgate/defaults.d may hold it); nothing was written",
				       a->serial, why);
	return 0;
}

/* Write @hash for the account into ROOT/etc/shadow under the shadow lock. */
static int write_hash(const struct provision_args *a, const char *password)
{
	_cleanup_close_ int lock = -1;
	struct audit_args aa = { 0 };
	struct audit_judge *j = NULL;
	struct store_file *sf = NULL;
	const struct store_record *rec;
	char hash[CRYPT_OUTPUT_SIZE] = "";
	const char *method, *step = NULL;
	struct line_edit edit;
	int r;

	r = judge(a, password, &aa, &j);
	if (r < 0)
		goto out;
	lock = pwdb_lock(a->root, PWDB_LOCK_TIMEOUT_MS);
	if (lock < 0) {
		r = log_error_errno(lock, "provision: cannot take the shadow lock %s/etc/.pwd.lock: %s",
				    root_prefix(a->root), rooted_strerror(lock));
		goto out;
	}
	r = store_load(STORE_SHADOW, a->root, "/etc/shadow", store_diag_log, NULL, &sf);
	if (r < 0) {
		log_error_errno(r, "provision: cannot read %s/etc/shadow: %m", root_prefix(a->root));
		goto out;
	}
	rec = find_user(sf, a->user);
	if (!rec) {
		r = log_error_errno(ENOENT, "provision: no account '%s' in %s/etc/shadow", a->user,
				    root_prefix(a->root));
		goto out;
	}
	method = a->method ? a->method : password_method_of(rec->hash);
	if (!method)
		method = PASSWORD_DEFAULT_METHOD;
	r = password_hash(password, method, hash);
	if (r < 0) {
		log_error_errno(r, "provision: cannot hash with method '%s'", method);
		goto out;
	}
	edit = (struct line_edit){
		.hash_off = rec->hash_span.off, .hash_len = rec->hash_span.len,
		.new_hash = hash, .set_lastchg = true, .lastchg = migrate_today(),
	};
	/* The verdict first, so the agent never finds the new hash unjudged. */
	r = audit_judge_trust(j, hash);
	if (r >= 0 && audit_judge_commit(j) < 0)
		log_warning("provision: cannot record the password's verdict in %s%s (the device will hash it itself)",
			    aa.opts.seed_cache ? root_prefix(a->root) : "",
			    aa.opts.seed_cache ? AUDIT_CACHE_PATH :
			    aa.opts.cache_path ? aa.opts.cache_path : "(no cache)");
	r = migrate_write_store(a->root, sf, &edit, 1, &step);
	if (r < 0)
		log_error_errno(r, "provision: %s/etc/shadow left unchanged: step '%s' failed: %s",
				root_prefix(a->root), step ? step : "?", rooted_strerror(r));
out:
	explicit_bzero(hash, sizeof(hash));
	store_file_free(sf);
	audit_judge_free(j);
	audit_args_free(&aa);
	return r;
}

int cmd_provision(int argc, char **argv, void *userdata)
{
	struct provision_args a;
	_cleanup_free_ char *secret = NULL;
	char password[PASSWORD_LEN + 1];
	size_t secret_len = 0;
	int r;

	(void)userdata;
	r = parse_args(argc, argv, &a);
	if (r)
		return r > 0 ? EXIT_CG_OK : EXIT_CG_ERROR;
	if (check_secret_outside_root(a.secret_file, a.root) < 0)
		return EXIT_CG_ERROR;
	if (read_secret(a.secret_file, &secret, &secret_len) < 0)
		return EXIT_CG_ERROR;
	r = provision_derive((const uint8_t *)secret, secret_len, a.product, a.serial, password);
	explicit_bzero(secret, secret_len);
	if (r < 0) {
		log_error_errno(r, "provision: key derivation failed (libcrypto HKDF)");
		return EXIT_CG_ERROR;
	}
	r = write_hash(&a, password);
	if (r >= 0 && (printf("%s\n", password) < 0 || fflush(stdout) != 0))
		r = log_error_errno(EIO, "provision: cannot print the password; the hash is already written: run again to print it");
	explicit_bzero(password, sizeof(password));
	return r < 0 ? EXIT_CG_ERROR : EXIT_CG_OK;
}
