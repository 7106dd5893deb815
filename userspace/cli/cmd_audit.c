// SPDX-License-Identifier: MIT
/* credgate audit: check every credential store for guessable passwords. */
#include "audit/audit.h"
#include "audit_args.h"
#include "commands.h"
#include "base/util.h"
#include "varlink/varlink.h"

#include <getopt.h>
#include <json-c/json.h>

struct audit_cli {
	struct audit_args a;
	bool json, seed;
};

static void audit_usage(FILE *f)
{
	fputs("usage: credgate audit [--root DIR] [--json] [--depth fast|full]\n"
	      "                      [--store TYPE:PATH]... [--defaults FILE]... [--no-builtin]\n"
	      "                      [--device-id KEY=VALUE]... [--no-cache | --cache FILE]\n"
	      "                      [--allow-unknown] [--threads N] [--quiet] [--redact] [--seed-cache]\n"
	      "                      [--discover]\n"
	      "  TYPE: shadow, passwd, gshadow, htpasswd, htdigest, plain, smbpasswd, mosquitto,\n"
	      "        snmpd, hostapd, mosquitto-conf, sshd-config, pam, init;\n"
	      "  KEY: mac, serial, hostname, model, ssid\n"
	      "  --discover: also audit the service stores found at their usual paths and in\n"
	      "    the services' configurations (each listed with why and whether audited)\n"
	      "  --seed-cache (with --root, full depth): write the device-independent verdicts\n"
	      "    into DIR/var/lib/credgate/audit.cache, so the device hashes only derived ones\n"
	      "exit status: 0 compliant, 1 violations found, 2 error\n", f);
}

enum { OPT_JSON = 256, OPT_SEED };

static int audit_option(void *userdata, int opt, const char *arg)
{
	struct audit_cli *c = userdata;

	(void)arg;
	if (opt == OPT_JSON)
		c->json = true;
	else if (opt == OPT_SEED)
		c->seed = true;
	return 0;
}

static int parse_args(struct audit_cli *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "seed-cache", no_argument, NULL, OPT_SEED },
		{}
	};
	static const struct audit_args_cmd cmd = {
		.name = "audit", .options = options, .option = audit_option, .usage = audit_usage,
	};
	int r;

	r = audit_args_parse(&c->a, &cmd, c, argc, argv);
	if (r)
		return r;
	r = audit_args_finish(&c->a);
	if (r < 0)
		return r;
	if (c->seed) {
		if (root_is_host(c->a.opts.root))
			return log_error_errno(EINVAL, "--seed-cache writes into an image: give --root DIR");
		if (c->a.depth_set && c->a.opts.depth != CG_DEPTH_FULL)
			return log_error_errno(EINVAL, "--seed-cache seeds every device-independent tier: it needs --depth full");
		/* The seed covers every tier the device decides on. */
		c->a.opts.depth = CG_DEPTH_FULL;
		c->a.opts.seed_cache = true;
	}
	return 0;
}

static const char *noauth_advice(const struct audit_account *acc)
{
	switch (acc->store_type) {
	case STORE_MOSQUITTO_CONF:
		return "set allow_anonymous false (clients then need a password_file entry) or bind the listener to 127.0.0.1";
	case STORE_SSHD_CONFIG:
		return "set PermitEmptyPasswords no, and a password for the blank account";
	case STORE_PAM:
		return "remove nullok from the auth line, and set a password for the blank account";
	default:
		return "let the service run login (remove telnetd's -l, getty's autologin) or remove the service";
	}
}

static const char *advice(const struct audit_account *acc)
{
	if (acc->verdict == CG_VERDICT_NOAUTH)
		return noauth_advice(acc);
	if (acc->store_type > STORE_HTPASSWD)	/* a service store (store.h) */
		return acc->verdict == CG_VERDICT_UNKNOWN ?
		       "set a secret the service stores in a form this build verifies, or set 'unknown = ok' in [audit] of credgate.conf" :
		       "run 'credgate migrate --policy random' with this store (docs/migration.md), or set a unique secret with the service's own tool";
	switch (acc->verdict) {
	case CG_VERDICT_UNKNOWN:
		return "re-hash it with a method this build verifies (yescrypt, sha512crypt), or set 'unknown = ok' in [audit] of credgate.conf";
	case CG_VERDICT_BLANK:
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

static const char *found_state(const struct audit_found *f)
{
	return f->exists ? "audited" : "not audited: the file does not exist";
}

static void print_found(const struct audit_args *a)
{
	for (size_t i = 0; i < a->n_found; i++) {
		const struct audit_found *f = &a->found[i];

		printf("discovered: %s:%s (%s): %s\n", store_ops_get(f->spec.type)->name, f->spec.path,
		       f->why, found_state(f));
	}
}

static json_object *found_json(const struct audit_args *a)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < a->n_found; i++) {
		const struct audit_found *f = &a->found[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "type", json_object_new_string(store_ops_get(f->spec.type)->name));
		json_object_object_add(o, "path", json_object_new_string(f->spec.path));
		json_object_object_add(o, "why", json_object_new_string(f->why));
		json_object_object_add(o, "audited", json_object_new_boolean(f->exists));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void print_human(const struct audit_report *rep)
{
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *acc = &rep->accounts[i];
		char user[4 * 256 + 1];

		if (!audit_verdict_is_violation(acc->verdict))
			continue;
		/* A name from the store: no terminal escape reaches the terminal. */
		printf("%s:%u: %s: %s: %s; %s\n", acc->store, acc->line,
		       cg_escape_controls(acc->user, user, sizeof(user)),
		       cg_verdict_name(acc->verdict), acc->detail ? acc->detail : "",
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

static int print_json(const struct audit_report *rep, const struct audit_args *a)
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
		json_object_object_add(o, "user", vl_json_text(acc->user));
		json_object_object_add(o, "verdict",
				       json_object_new_string(cg_verdict_name(acc->verdict)));
		json_object_object_add(o, "detail",
				       json_object_new_string(acc->detail ? acc->detail : ""));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "accounts", arr);
	if (a->discover)
		json_object_object_add(root, "discovered", found_json(a));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

int cmd_audit(int argc, char **argv, void *userdata)
{
	struct audit_cli c = { 0 };
	struct audit_report *rep = NULL;
	int r, ret = EXIT_CG_ERROR;

	(void)userdata;
	r = parse_args(&c, argc, argv);
	if (r == 1) {
		ret = EXIT_CG_OK;
		goto out;
	}
	if (r < 0)
		goto out;
	r = audit_run(&c.a.opts, &rep);
	audit_args_progress_end();
	if (r < 0) {
		log_error_errno(r, "audit failed: %m");
		goto out;
	}
	if (!c.json)
		print_found(&c.a);
	if (c.json ? print_json(rep, &c.a) < 0 : (print_human(rep), false))
		goto out;
	if (getenv("CREDGATE_AUDIT_STATS"))
		fprintf(stderr, "stats: candidates=%zu derived=%zu hashes_to_check=%zu cache_hits=%zu verifications=%llu threads=%u seeded=%zu\n",
			rep->stats.candidates, rep->stats.device_candidates,
			rep->stats.hashes_to_check, rep->stats.cache_hits,
			rep->stats.verifications, rep->stats.threads, rep->stats.seeded);
	if (c.seed && !rep->n_errors && !c.a.quiet)
		fprintf(stderr, "seeded %zu hash verdict(s) into %s%s\n", rep->stats.seeded,
			c.a.opts.root, AUDIT_CACHE_PATH);
	ret = rep->n_errors ? EXIT_CG_ERROR :
	      rep->n_violations ? EXIT_CG_VIOLATION : EXIT_CG_OK;
out:
	audit_report_free(rep);
	audit_args_free(&c.a);
	fflush(stdout);
	return ret;
}
