// SPDX-License-Identifier: MIT
/* credgate audit: check every credential store for guessable passwords. */
#include "audit.h"
#include "commands.h"
#include "util.h"

#include <getopt.h>
#include <json-c/json.h>

struct audit_args {
	struct audit_opts opts;
	struct audit_store_spec *stores;
	const char **defaults;
	struct device_ids ids;
	bool json, no_cache;
	const char *cache;
};

static void audit_usage(FILE *f)
{
	fputs("usage: credgate audit [--root DIR] [--json] [--depth fast|full]\n"
	      "                      [--store TYPE:PATH]... [--defaults FILE]... [--no-builtin]\n"
	      "                      [--device-id KEY=VALUE]... [--no-cache | --cache FILE]\n"
	      "                      [--allow-unknown] [--threads N]\n"
	      "  TYPE: shadow, passwd, gshadow, htpasswd; KEY: mac, serial, hostname, model, ssid\n"
	      "exit status: 0 compliant, 1 violations found, 2 error\n", f);
}

static int add_store(struct audit_args *a, const char *arg)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *type = NULL;
	struct audit_store_spec *n;
	enum store_type t;

	if (!colon || colon[1] != '/')
		return cg_err(EINVAL, "--store %s: expected TYPE:/ABSOLUTE/PATH", arg);
	type = strndup(arg, (size_t)(colon - arg));
	if (!type)
		return -ENOMEM;
	if (store_type_from_name(type, &t) < 0)
		return cg_err(EINVAL, "--store %s: unknown store type '%s' (shadow, passwd, gshadow, htpasswd)",
			      arg, type);
	n = reallocarray(a->stores, a->opts.n_stores + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	a->stores = n;
	n[a->opts.n_stores++] = (struct audit_store_spec){ t, colon + 1 };
	return 0;
}

static int add_defaults(struct audit_args *a, const char *path)
{
	const char **n = reallocarray(a->defaults, a->opts.n_defaults_files + 1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	a->defaults = n;
	n[a->opts.n_defaults_files++] = path;
	return 0;
}

static int parse_args(struct audit_args *a, int argc, char **argv)
{
	enum { OPT_ROOT = 256, OPT_JSON, OPT_DEPTH, OPT_STORE, OPT_DEFAULTS, OPT_NO_BUILTIN,
	       OPT_DEVICE_ID, OPT_NO_CACHE, OPT_CACHE, OPT_ALLOW_UNKNOWN, OPT_THREADS };
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "defaults", required_argument, NULL, OPT_DEFAULTS },
		{ "no-builtin", no_argument, NULL, OPT_NO_BUILTIN },
		{ "device-id", required_argument, NULL, OPT_DEVICE_ID },
		{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "allow-unknown", no_argument, NULL, OPT_ALLOW_UNKNOWN },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long n;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			a->opts.root = optarg;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_DEPTH:
			if (!strcmp(optarg, "fast"))
				a->opts.depth = AUDIT_DEPTH_FAST;
			else if (!strcmp(optarg, "full"))
				a->opts.depth = AUDIT_DEPTH_FULL;
			else
				return cg_err(EINVAL, "--depth %s: expected fast or full", optarg);
			break;
		case OPT_STORE:
			r = add_store(a, optarg);
			if (r < 0)
				return r;
			break;
		case OPT_DEFAULTS:
			if (add_defaults(a, optarg) < 0)
				return -ENOMEM;
			break;
		case OPT_NO_BUILTIN:
			a->opts.no_builtin = true;
			break;
		case OPT_DEVICE_ID:
			r = device_ids_add_arg(&a->ids, optarg);
			if (r == -ENOMEM)
				return r;
			if (r < 0)
				return cg_err(EINVAL, "--device-id %s: expected KEY=VALUE with KEY one of mac, serial, hostname, model, ssid",
					      optarg);
			break;
		case OPT_NO_CACHE:
			a->no_cache = true;
			break;
		case OPT_CACHE:
			a->cache = optarg;
			break;
		case OPT_ALLOW_UNKNOWN:
			a->opts.unknown_ok = true;
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 256, &n) < 0 || !n)
				return cg_err(EINVAL, "--threads %s: expected 1..256", optarg);
			a->opts.threads = (unsigned)n;
			break;
		case 'h':
			audit_usage(stdout);
			return 1;
		default:
			audit_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc)
		return cg_err(EINVAL, "unexpected argument '%s' (see credgate audit --help)", argv[optind]);
	a->opts.stores = a->stores;
	a->opts.defaults_files = a->defaults;
	a->opts.device_ids = &a->ids;
	/* The cache lives on the audited system; never write into an image. */
	if (a->no_cache)
		a->opts.cache_path = NULL;
	else if (a->cache)
		a->opts.cache_path = a->cache;
	else if (!a->opts.root && geteuid() == 0)
		a->opts.cache_path = AUDIT_CACHE_PATH;
	return 0;
}

static const char *advice(const struct audit_account *acc)
{
	switch (acc->verdict) {
	case AUDIT_UNKNOWN:
		return "re-hash it with a method this build verifies (yescrypt, sha512crypt), or set 'unknown = ok' in [audit] of credgate.conf";
	case AUDIT_BLANK:
		if (acc->store_type == STORE_HTPASSWD)
			return "set a password with htpasswd, or remove the user";
		return "set a unique password or lock the account (passwd -l), or run 'credgate migrate'";
	default:
		if (acc->store_type == STORE_HTPASSWD)
			return "set a unique password with htpasswd";
		if (acc->store_type == STORE_GSHADOW)
			return "remove the group password (gpasswd -r) or set a unique one";
		return "set a unique password (passwd) or run 'credgate migrate'";
	}
}

static void print_human(const struct audit_report *rep)
{
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *acc = &rep->accounts[i];

		if (!audit_verdict_is_violation(acc->verdict))
			continue;
		printf("%s:%u: %s: %s: %s; %s\n", acc->store, acc->line, acc->user,
		       audit_verdict_name(acc->verdict), acc->detail ? acc->detail : "",
		       advice(acc));
	}
	if (rep->n_errors)
		printf("not compliant: %u store or list error(s) reported above; %zu account(s), %zu violation(s)\n",
		       rep->n_errors, rep->n_accounts, rep->n_violations);
	else if (rep->compliant)
		printf("compliant: %zu account(s), no blank, default or guessable password\n",
		       rep->n_accounts);
	else
		printf("not compliant: %zu account(s), %zu violation(s)\n", rep->n_accounts,
		       rep->n_violations);
}

static int print_json(const struct audit_report *rep)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();

	if (!root || !arr) {
		json_object_put(root);
		json_object_put(arr);
		return -ENOMEM;
	}
	json_object_object_add(root, "compliant", json_object_new_boolean(rep->compliant));
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *acc = &rep->accounts[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "store", json_object_new_string(acc->store));
		json_object_object_add(o, "line", json_object_new_int64(acc->line));
		json_object_object_add(o, "user", json_object_new_string(acc->user));
		json_object_object_add(o, "verdict",
				       json_object_new_string(audit_verdict_name(acc->verdict)));
		json_object_object_add(o, "detail",
				       json_object_new_string(acc->detail ? acc->detail : ""));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "accounts", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	struct audit_args a = { 0 };
	struct audit_report *rep = NULL;
	int r, ret = EXIT_CG_ERROR;

	r = parse_args(&a, argc, argv);
	if (r == 1) {
		ret = EXIT_CG_OK;
		goto out;
	}
	if (r < 0)
		goto out;
	r = audit_run(&a.opts, &rep);
	if (r < 0) {
		cg_err(r, "audit failed: %s", strerror(-r));
		goto out;
	}
	if (a.json ? print_json(rep) < 0 : (print_human(rep), false))
		goto out;
	if (getenv("CREDGATE_AUDIT_STATS"))
		fprintf(stderr, "stats: candidates=%zu hashes_to_check=%zu cache_hits=%zu verifications=%llu threads=%u\n",
			rep->stats.candidates, rep->stats.hashes_to_check, rep->stats.cache_hits,
			rep->stats.verifications, rep->stats.threads);
	ret = rep->n_errors ? EXIT_CG_ERROR :
	      rep->n_violations ? EXIT_CG_VIOLATION : EXIT_CG_OK;
out:
	audit_report_free(rep);
	device_ids_clear(&a.ids);
	free(a.stores);
	free(a.defaults);
	fflush(stdout);
	return ret;
}
