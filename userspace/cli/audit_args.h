/* SPDX-License-Identifier: MIT */
/*
 * The audit options shared by `credgate audit` and `credgate migrate`
 * (migrate acts on exactly what audit flags, so it takes the same ones).
 */
#ifndef CREDGATE_CLI_AUDIT_ARGS_H
#define CREDGATE_CLI_AUDIT_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "audit/audit.h"

/*
 * credgate.conf (--config, default /etc/credgate/credgate.conf inside
 * --root) gives the starting point; options on the command line override it.
 */
struct audit_args {
	struct audit_opts opts;
	struct audit_store_spec *stores;	/* --store */
	struct audit_store_spec *config_stores;	/* [audit] stores */
	struct cg_config *cfg;			/* owns what config_stores names */
	const char **defaults;
	struct device_ids ids;
	const char *config;
	const char *cache;			/* --cache */
	struct audit_found *found;		/* --discover, [audit] discover */
	size_t n_found;
	struct audit_store_spec *extra;		/* what of it is audited */
	bool depth_set, unknown_ok, no_cache, quiet, redact, discover;
};

enum {
	AUDIT_OPT_ROOT = 0x1000, AUDIT_OPT_DEPTH, AUDIT_OPT_STORE, AUDIT_OPT_DEFAULTS,
	AUDIT_OPT_NO_BUILTIN, AUDIT_OPT_DEVICE_ID, AUDIT_OPT_ALLOW_UNKNOWN, AUDIT_OPT_THREADS,
	AUDIT_OPT_CONFIG, AUDIT_OPT_CACHE, AUDIT_OPT_NO_CACHE, AUDIT_OPT_QUIET,
	AUDIT_OPT_REDACT, AUDIT_OPT_DISCOVER,
};

/*
 * Apply one option returned by getopt_long.  Returns 1 when @opt was a
 * shared audit option, 0 when it is not one, negative errno (with a
 * message printed) when its argument is bad.
 */
int audit_args_option(struct audit_args *a, int opt, const char *arg);

/*
 * A command that takes the shared options: its own options (a getopt_long
 * table ending in {}, values >= 256, may be NULL), the callback applying
 * one of them (0, or a negative errno with a message printed) and its
 * usage.  @positional: the command takes operands (from optind on, for the
 * caller to check); otherwise one is an error.
 */
struct audit_args_cmd {
	const char *name;	/* "audit": "see credgate audit --help" */
	const struct option *options;
	int (*option)(void *userdata, int opt, const char *arg);
	void (*usage)(FILE *f);
	bool positional;
};

/*
 * The one option loop of audit, migrate, report and passwd: the shared
 * options, @cmd's own, --help/-h.  0 when parsed (audit_args_finish()
 * is the caller's, after its own checks), 1 after --help (usage on
 * stdout), negative errno (message or usage on stderr).
 */
int audit_args_parse(struct audit_args *a, const struct audit_args_cmd *cmd, void *userdata,
		     int argc, char **argv);

/*
 * Read credgate.conf, apply it, then the command-line options on top, and
 * point opts at the collected stores, lists and identifiers.  The verdict
 * cache: --cache FILE, none with --no-cache, else the agent's
 * (AUDIT_CACHE_PATH) when auditing this system as root; never inside an
 * image (--root).  A bad
 * configuration file is an error (printed as FILE:LINE: ...).
 */
int audit_args_finish(struct audit_args *a);

void audit_args_free(struct audit_args *a);

/*
 * Progress on a terminal: when stderr is one and --quiet is not given,
 * audit_args_finish() sets opts.on_progress to a line on stderr (hashes
 * judged / total, candidates per second, time left) updated in place
 * after the first second; audit_args_progress_end() erases it.  Never on
 * stdout, so --json output stays clean.
 */
void audit_args_progress_end(void);

#endif
