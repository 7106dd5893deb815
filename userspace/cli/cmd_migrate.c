// SPDX-License-Identifier: MIT
/*
 * credgate migrate: move the accounts the audit flags to a unique random
 * password, a user-defined one (expire), or lock them (docs/migration.md).
 */
#include <getopt.h>
#include <sys/stat.h>

#include "audit.h"
#include "commands.h"
#include "migrate.h"
#include "password.h"
#include "util.h"

struct migrate_args {
	struct migrate_opts m;
	struct audit_opts audit;
	struct audit_store_spec *stores;
	const char **defaults;
	const char **users;
	struct device_ids ids;
	const char *creds_path;
	bool have_policy;
};

static void migrate_usage(FILE *f)
{
	fputs("usage: credgate migrate [--root DIR] --policy random|user|lock [--user NAME]...\n"
	      "                        [--credentials-out FILE] [--hash-method PREFIX]\n"
	      "                        [--depth fast|full] [--store TYPE:PATH]... [--defaults FILE]...\n"
	      "                        [--no-builtin] [--device-id KEY=VALUE]... [--allow-unknown]\n"
	      "                        [--threads N]\n"
	      "Changes every account whose audit verdict is a violation (see credgate-migrate(1)).\n"
	      "random: new passwords go to --credentials-out (mode 0600, STORE<TAB>USER<TAB>PASSWORD)\n"
	      "        or to stdout when it is a terminal.\n"
	      "exit status: 0 done (or nothing to do), 2 error (the stores are unchanged)\n", f);
}

static int push(const void *item, size_t size, void *arrayp, size_t *n)
{
	void **array = arrayp;
	char *a = reallocarray(*array, *n + 1, size);

	if (!a)
		return -ENOMEM;
	memcpy(a + *n * size, item, size);
	*array = a;
	(*n)++;
	return 0;
}

static int add_store(struct migrate_args *a, const char *arg)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *type = NULL;
	struct audit_store_spec spec;

	if (!colon || colon[1] != '/')
		return cg_err(EINVAL, "--store %s: expected TYPE:/ABSOLUTE/PATH", arg);
	type = strndup(arg, (size_t)(colon - arg));
	if (!type)
		return -ENOMEM;
	if (store_type_from_name(type, &spec.type) < 0)
		return cg_err(EINVAL, "--store %s: unknown store type '%s' (shadow, passwd, gshadow, htpasswd)",
			      arg, type);
	spec.path = colon + 1;
	return push(&spec, sizeof(spec), &a->stores, &a->audit.n_stores);
}

static int parse_args(struct migrate_args *a, int argc, char **argv)
{
	enum { OPT_ROOT = 256, OPT_POLICY, OPT_USER, OPT_CREDS, OPT_METHOD, OPT_DEPTH,
	       OPT_STORE, OPT_DEFAULTS, OPT_NO_BUILTIN, OPT_DEVICE_ID, OPT_ALLOW_UNKNOWN,
	       OPT_THREADS };
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "user", required_argument, NULL, OPT_USER },
		{ "credentials-out", required_argument, NULL, OPT_CREDS },
		{ "hash-method", required_argument, NULL, OPT_METHOD },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "defaults", required_argument, NULL, OPT_DEFAULTS },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "device-id", required_argument, NULL, OPT_DEVICE_ID },
		{ "allow-unknown", no_argument, NULL, OPT_ALLOW_UNKNOWN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long n;
	int c, r;

	/* Same depth as `credgate audit`: act on exactly what it flags. */
	a->audit.depth = AUDIT_DEPTH_FULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			a->m.root = a->audit.root = optarg;
			break;
		case OPT_POLICY:
			if (migrate_policy_from_name(optarg, &a->m.policy) < 0)
				return cg_err(EINVAL, "--policy %s: expected random, user or lock", optarg);
			a->have_policy = true;
			break;
		case OPT_USER:
			if (push(&optarg, sizeof(optarg), &a->users, &a->m.n_users) < 0)
				return -ENOMEM;
			break;
		case OPT_CREDS:
			a->creds_path = optarg;
			break;
		case OPT_METHOD:
			if (password_method_valid(optarg) < 0)
				return cg_err(EINVAL, "--hash-method '%s': not a crypt prefix this libxcrypt can generate (e.g. '$6$', '$y$', '$2b$', '$6$rounds=5000$')",
					      optarg);
			a->m.method = optarg;
			break;
		case OPT_DEPTH:
			if (!strcmp(optarg, "fast"))
				a->audit.depth = AUDIT_DEPTH_FAST;
			else if (!strcmp(optarg, "full"))
				a->audit.depth = AUDIT_DEPTH_FULL;
			else
				return cg_err(EINVAL, "--depth %s: expected fast or full", optarg);
			break;
		case OPT_STORE:
			r = add_store(a, optarg);
			if (r < 0)
				return r;
			break;
		case OPT_DEFAULTS:
			if (push(&optarg, sizeof(optarg), &a->defaults, &a->audit.n_defaults_files) < 0)
				return -ENOMEM;
			break;
		case OPT_NO_BUILTIN:
			a->audit.no_builtin = true;
			break;
		case OPT_DEVICE_ID:
			r = device_ids_add_arg(&a->ids, optarg);
			if (r == -ENOMEM)
				return r;
			if (r < 0)
				return cg_err(EINVAL, "--device-id %s: expected KEY=VALUE with KEY one of mac, serial, hostname, model, ssid",
					      optarg);
			break;
		case OPT_ALLOW_UNKNOWN:
			a->audit.unknown_ok = true;
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 256, &n) < 0 || !n)
				return cg_err(EINVAL, "--threads %s: expected 1..256", optarg);
			a->audit.threads = (unsigned)n;
			break;
		case 'h':
			migrate_usage(stdout);
			return 1;
		default:
			migrate_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc)
		return cg_err(EINVAL, "unexpected argument '%s' (see credgate migrate --help)", argv[optind]);
	if (!a->have_policy)
		return cg_err(EINVAL, "--policy random|user|lock is required (see credgate migrate --help)");
	if (a->m.policy == MIGRATE_RANDOM && !a->creds_path && !isatty(STDOUT_FILENO))
		return cg_err(EINVAL, "--policy random: give --credentials-out FILE (or run on a terminal): new passwords are never logged; nothing was changed");
	if (a->m.policy != MIGRATE_RANDOM && (a->creds_path || a->m.method))
		return cg_err(EINVAL, "--credentials-out and --hash-method apply to --policy random only");
	a->audit.stores = a->stores;
	a->audit.defaults_files = a->defaults;
	a->audit.device_ids = &a->ids;
	/* The cache belongs to the agent; migrate always audits afresh. */
	a->audit.cache_path = NULL;
	a->m.users = a->users;
	a->m.audit = &a->audit;
	return 0;
}

int cmd_migrate(int argc, char **argv)
{
	struct migrate_args a = { .m.creds_fd = -1 };
	int r, ret = EXIT_CG_ERROR;

	r = parse_args(&a, argc, argv);
	if (r == 1)
		ret = EXIT_CG_OK;
	if (r)
		goto out;
	if (a.creds_path) {
		a.m.creds_fd = credentials_create(a.creds_path);
		if (a.m.creds_fd < 0) {
			cg_err(a.m.creds_fd, "--credentials-out %s: %s%s; nothing was changed", a.creds_path,
			       strerror(-a.m.creds_fd),
			       a.m.creds_fd == -EEXIST ? " (it is never overwritten: move it away first)" : "");
			goto out;
		}
	}
	r = migrate_run(&a.m);
	if (r >= 0) {
		if (!r)
			fprintf(stderr, "credgate: migrate: no account to migrate\n");
		else if (a.m.policy == MIGRATE_USER)
			fprintf(stderr, "credgate: migrate: %d account(s) expired; the gate stays closed until each user sets a password that passes the audit (console, or an allow-listed provisioning service)\n",
				r);
		ret = EXIT_CG_OK;
	}
out:
	if (a.m.creds_fd >= 0) {
		struct stat st;

		/* A credentials file nothing was written to is not left behind. */
		if (fstat(a.m.creds_fd, &st) == 0 && st.st_size == 0)
			unlink(a.creds_path);
		close(a.m.creds_fd);
	}
	device_ids_clear(&a.ids);
	free(a.stores);
	free(a.defaults);
	free(a.users);
	return ret;
}
