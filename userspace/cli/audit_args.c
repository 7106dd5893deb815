// SPDX-License-Identifier: MIT
#include "audit_args.h"
#include "config/config.h"
#include "base/util.h"

#include <pwd.h>

static int add_store(struct audit_args *a, const char *arg)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *type = NULL;
	struct audit_store_spec *n;
	enum store_type t;

	if (!colon || colon[1] != '/')
		return log_error_errno(EINVAL, "--store %s: expected TYPE:/ABSOLUTE/PATH", arg);
	type = strndup(arg, (size_t)(colon - arg));
	if (!type)
		return -ENOMEM;
	if (store_type_from_name(type, &t) < 0) {
		char names[256];

		return log_error_errno(EINVAL, "--store %s: unknown store type '%s' (%s)", arg, type,
				       cg_names_join(&store_type_names, ", ", names, sizeof(names)));
	}
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

int audit_args_option(struct audit_args *a, int opt, const char *arg)
{
	unsigned long n;
	int r;

	switch (opt) {
	case AUDIT_OPT_ROOT:
		a->opts.root = arg;
		return 1;
	case AUDIT_OPT_CONFIG:
		a->config = arg;
		return 1;
	case AUDIT_OPT_DEPTH:
		a->depth_set = true;
		if (!strcmp(arg, "fast"))
			a->opts.depth = CG_DEPTH_FAST;
		else if (!strcmp(arg, "full"))
			a->opts.depth = CG_DEPTH_FULL;
		else
			return log_error_errno(EINVAL, "--depth %s: expected fast or full", arg);
		return 1;
	case AUDIT_OPT_STORE:
		r = add_store(a, arg);
		return r < 0 ? r : 1;
	case AUDIT_OPT_DEFAULTS:
		r = add_defaults(a, arg);
		return r < 0 ? r : 1;
	case AUDIT_OPT_NO_BUILTIN:
		a->opts.no_builtin = true;
		return 1;
	case AUDIT_OPT_DEVICE_ID:
		r = device_ids_add_arg(&a->ids, arg);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return log_error_errno(EINVAL, "--device-id %s: expected KEY=VALUE with KEY one of mac, serial, hostname, model, ssid",
				      arg);
		return 1;
	case AUDIT_OPT_ALLOW_UNKNOWN:
		a->unknown_ok = true;
		return 1;
	case AUDIT_OPT_CACHE:
		a->cache = arg;
		return 1;
	case AUDIT_OPT_NO_CACHE:
		a->no_cache = true;
		return 1;
	case AUDIT_OPT_QUIET:
		a->quiet = true;
		return 1;
	case AUDIT_OPT_REDACT:
		a->redact = true;
		return 1;
	case AUDIT_OPT_DISCOVER:
		a->discover = true;
		return 1;
	case AUDIT_OPT_THREADS:
		if (parse_uint(arg, 256, &n) < 0 || !n)
			return log_error_errno(EINVAL, "--threads %s: expected 1..256", arg);
		a->opts.threads = (unsigned)n;
		return 1;
	}
	return 0;
}

static const struct option shared_options[] = {
	{ "root", required_argument, NULL, AUDIT_OPT_ROOT },
	{ "depth", required_argument, NULL, AUDIT_OPT_DEPTH },
	{ "store", required_argument, NULL, AUDIT_OPT_STORE },
	{ "defaults", required_argument, NULL, AUDIT_OPT_DEFAULTS },
	{ "no-builtin", no_argument, NULL, AUDIT_OPT_NO_BUILTIN },
	{ "device-id", required_argument, NULL, AUDIT_OPT_DEVICE_ID },
	{ "allow-unknown", no_argument, NULL, AUDIT_OPT_ALLOW_UNKNOWN },
	{ "threads", required_argument, NULL, AUDIT_OPT_THREADS },
	{ "config", required_argument, NULL, AUDIT_OPT_CONFIG },
	{ "cache", required_argument, NULL, AUDIT_OPT_CACHE },
	{ "no-cache", no_argument, NULL, AUDIT_OPT_NO_CACHE },
	{ "quiet", no_argument, NULL, AUDIT_OPT_QUIET },
	{ "redact", no_argument, NULL, AUDIT_OPT_REDACT },
	{ "discover", no_argument, NULL, AUDIT_OPT_DISCOVER },
	{ "help", no_argument, NULL, 'h' },
};

int audit_args_parse(struct audit_args *a, const struct audit_args_cmd *cmd, void *userdata,
		     int argc, char **argv)
{
	_cleanup_free_ struct option *longopts = NULL;
	size_t n_own = 0, n_shared = ARRAY_SIZE(shared_options);
	int opt, r;

	while (cmd->options && cmd->options[n_own].name)
		n_own++;
	longopts = calloc(n_shared + n_own + 1, sizeof(*longopts));
	if (!longopts)
		return -ENOMEM;
	memcpy(longopts, shared_options, sizeof(shared_options));
	if (n_own)
		memcpy(longopts + n_shared, cmd->options, n_own * sizeof(*longopts));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			cmd->usage(stdout);
			return 1;
		}
		r = audit_args_option(a, opt, optarg);
		if (r < 0)
			return r;
		if (r)
			continue;
		if (opt >= 256 && cmd->option) {
			r = cmd->option(userdata, opt, optarg);
			if (r < 0)
				return r;
			continue;
		}
		cmd->usage(stderr);
		return -EINVAL;
	}
	if (!cmd->positional && optind < argc)
		return log_error_errno(EINVAL, "unexpected argument '%s' (see credgate %s --help)", argv[optind],
				       cmd->name);
	return 0;
}

static bool progress_shown;

void audit_args_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = false;
}

static void show_progress(void *userdata, const struct audit_progress *p)
{
	(void)userdata;
	if (p->done) {
		audit_args_progress_end();
		return;
	}
	if (p->seconds < 1.0)
		return;
	fprintf(stderr, "\r\033[Kcredgate: judging %zu hash(es): %.0f%%, %.0f candidates/s",
		p->hashes, 100 * p->fraction, (double)p->verifications / p->seconds);
	if (p->eta >= 0)
		fprintf(stderr, ", about %.0f s left", p->eta);
	fflush(stderr);
	progress_shown = true;
}

int audit_args_finish(struct audit_args *a)
{
	struct audit_opts cli = a->opts;
	int r;

	a->cfg = calloc(1, sizeof(*a->cfg));
	if (!a->cfg)
		return -ENOMEM;
	r = cg_config_load(a->cfg, a->opts.root, a->config ? a->config : CG_CONFIG_PATH,
			   CG_CONFIG_MISSING_OK);
	if (r >= 0)
		r = audit_opts_from_config(a->cfg, &a->opts, &a->config_stores);
	if (r < 0)
		return r == -EINVAL ? log_error_errno(r, "fix the configuration file (see credgate.conf(5)) or name another with --config") : r;
	/* The command line wins over the file. */
	if (a->depth_set)
		a->opts.depth = cli.depth;
	if (a->unknown_ok)
		a->opts.unknown_ok = true;
	a->opts.redact = a->redact;
	if (cli.n_stores) {
		a->opts.stores = a->stores;
		a->opts.n_stores = cli.n_stores;
	}
	a->opts.threads = cli.threads;
	a->opts.no_builtin = cli.no_builtin;
	a->opts.n_defaults_files = cli.n_defaults_files;
	a->opts.defaults_files = a->defaults;
	a->opts.device_ids = &a->ids;
	/*
	 * --store names exactly the stores to audit: [audit] discover adds
	 * to the configured or default stores only (--discover still adds).
	 */
	if (a->discover || (a->cfg->audit.discover && !cli.n_stores)) {
		size_t n = 0;

		a->discover = true;
		r = audit_discover(a->opts.root, &a->found, &a->n_found);
		if (r < 0)
			return r;
		a->extra = calloc(a->n_found + 1, sizeof(*a->extra));
		if (!a->extra)
			return -ENOMEM;
		for (size_t i = 0; i < a->n_found; i++)
			if (a->found[i].exists)
				a->extra[n++] = a->found[i].spec;
		a->opts.extra_stores = a->extra;
		a->opts.n_extra_stores = n;
	}
	if (!a->quiet && isatty(STDERR_FILENO))
		a->opts.on_progress = show_progress;
	/* The cache lives on the audited system; never write into an image. */
	if (a->no_cache)
		a->opts.cache_path = NULL;
	else if (a->cache)
		a->opts.cache_path = a->cache;
	else if (root_is_host(a->opts.root) && geteuid() == 0)
		a->opts.cache_path = AUDIT_CACHE_PATH;
	else
		a->opts.cache_path = NULL;
	/* The agent writes the cache as its service user: its records count. */
	if (a->opts.cache_path && a->cfg->agent.user) {
		struct passwd *pw = getpwnam(a->cfg->agent.user);

		if (pw)
			audit_cache_trust_owner(pw->pw_uid);
	}
	return 0;
}

void audit_args_free(struct audit_args *a)
{
	device_ids_clear(&a->ids);
	free(a->stores);
	free(a->config_stores);
	if (a->cfg)
		cg_config_free(a->cfg);
	free(a->cfg);
	free(a->defaults);
	free(a->extra);
	audit_found_free(a->found, a->n_found);
}
