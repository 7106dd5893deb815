// SPDX-License-Identifier: MIT
/*
 * credgate report: compliance evidence from the device (or an unpacked
 * rootfs) for an assessor.  One model, built here as JSON from the audit
 * (the same library calls as cmd_audit.c), credgate.conf's [migration]
 * and the published metadata; rendered as JSON, TS 103 701 IXIT text or
 * a static HTML page.  Never a password or a hash: the model holds user
 * names, verdicts and sentences only.  See credgate-report(1) and
 * docs/compliance.md.
 */
#include "audit/audit.h"
#include "audit_args.h"
#include "commands.h"
#include "base/util.h"
#include "config/metadata.h"

#include <getopt.h>
#include <json-c/json.h>
#include <time.h>

enum report_format { FORMAT_JSON, FORMAT_HTML, FORMAT_IXIT, _FORMAT_MAX };

static const char *const format_names[] = {
	[FORMAT_JSON] = "json", [FORMAT_HTML] = "html", [FORMAT_IXIT] = "ixit",
};
static const struct cg_names report_format_names = { .name = format_names, .n = _FORMAT_MAX };

struct report_cli {
	struct audit_args a;
	enum report_format format;
};

static void report_usage(FILE *f)
{
	fputs("usage: credgate report [--root DIR] [--format json|html|ixit] [--config FILE]\n"
	      "                       [--store TYPE:PATH]... [--depth fast|full] [--defaults FILE]...\n"
	      "                       [--device-id KEY=VALUE]... [--no-cache | --cache FILE] [--quiet]\n"
	      "Compliance evidence per authentication mechanism: accounts and verdicts, how\n"
	      "uniqueness is achieved, the EN 18031-1 AUM-5 decision path, TS 103 701 IXIT\n"
	      "1-AuthMech fields, support period and disclosure policy.  Never a password or hash.\n"
	      "exit status: 0 compliant, 1 violations found, 2 error\n", f);
}

enum { OPT_FORMAT = 256 };

static int report_option(void *userdata, int opt, const char *arg)
{
	struct report_cli *c = userdata;
	int r;

	(void)opt;
	r = cg_from_name(&report_format_names, arg);
	if (r < 0)
		return log_error_errno(EINVAL, "--format %s: expected json, html or ixit", arg);
	c->format = (enum report_format)r;
	return 0;
}

static int parse_args(struct report_cli *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{}
	};
	static const struct audit_args_cmd cmd = {
		.name = "report", .options = options, .option = report_option, .usage = report_usage,
	};
	int r;

	r = audit_args_parse(&c->a, &cmd, c, argc, argv);
	if (r)
		return r;
	return audit_args_finish(&c->a);
}

/* ---- the model -------------------------------------------------------- */

static void add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s ? s : ""));
}

/* What a store type authenticates (the IXIT "Description"). */
static const char *mechanism_description(enum store_type t)
{
	switch (t) {
	case STORE_SHADOW:
		return "local account passwords (shadow): console, SSH, telnet and every PAM or shadow-based login";
	case STORE_PASSWD:
		return "passwords held in the passwd file itself (no shadow entry): the same logins as shadow";
	case STORE_GSHADOW:
		return "group passwords (gshadow): newgrp/sg to a group";
	case STORE_HTPASSWD:
		return "HTTP Basic authentication of a web server or web UI (htpasswd file)";
	case STORE_MOSQUITTO_CONF:
	case STORE_SSHD_CONFIG:
	case STORE_PAM:
	case STORE_INIT:
		return "a service configured to let clients in without any password (verdict noauth)";
	default:
		return "password store";
	}
}

static bool is_provisioned(const struct cg_config *cfg, const struct audit_account *acc)
{
	if (acc->store_type != STORE_SHADOW)
		return false;	/* credgate provision writes shadow only */
	for (size_t i = 0; i < cfg->migration.n_provisioned; i++)
		if (!strcmp(cfg->migration.provisioned[i], acc->user))
			return true;
	return false;
}

/* How this account's password is unique (or why it is not). */
static const char *uniqueness_of(const struct cg_config *cfg, const struct audit_account *acc,
				 const char **method)
{
	enum cg_policy fb = cfg->migration.first_boot;

	if (acc->verdict == CG_VERDICT_LOCKED) {
		*method = "none-needed";
		return "no password login (locked): nothing to make unique";
	}
	if (acc->verdict == CG_VERDICT_UNKNOWN) {
		*method = "not-assessed";
		return "not assessed: the hash method could not be verified by this build";
	}
	if (audit_verdict_is_violation(acc->verdict)) {
		if (fb == CG_POLICY_RANDOM) {
			*method = "first-boot-random";
			return "not unique as shipped; credgated replaces it with a unique random password at first boot, before the gate opens ([migration] first_boot = random)";
		}
		if (fb == CG_POLICY_USER) {
			*method = "user-defined";
			return "not unique as shipped; the account is expired at first boot and the user defines the password at first use, the gate closed until then ([migration] first_boot = user)";
		}
		if (fb == CG_POLICY_LOCK) {
			*method = "locked-at-first-boot";
			return "not unique as shipped; locked at first boot ([migration] first_boot = lock)";
		}
		*method = "none";
		return "not unique: a blank, default or guessable password, and [migration] first_boot = none";
	}
	if (is_provisioned(cfg, acc)) {
		*method = "hkdf-provisioning";
		return "unique per device: derived at the factory by credgate provision, HKDF-SHA256 keyed with the manufacturer secret (never on the device) over the product ID and the device serial number (declared in [migration] provisioned)";
	}
	*method = "set-on-device";
	return "not a known default or guessable password; how it was set is not recorded (declare factory-provisioned accounts in [migration] provisioned)";
}

static json_object *node(const char *id, const char *question, const char *answer,
			 const char *basis)
{
	json_object *o = json_object_new_object();

	add_str(o, "node", id);
	add_str(o, "question", question);
	add_str(o, "answer", answer);
	add_str(o, "basis", basis);
	return o;
}

struct mech_counts {
	size_t accounts, passwords, blank, violations, provisioned;
	size_t by_verdict[_CG_VERDICT_MAX];
};

/* EN 18031-1 AUM-5-1: factory passwords unique per equipment or changed at first use. */
static json_object *aum_5_1(const struct cg_config *cfg, const struct mech_counts *n,
			    const char **result)
{
	json_object *path = json_object_new_array();
	enum cg_policy fb = cfg->migration.first_boot;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s: %zu of %zu account(s) accept a password login",
		 n->passwords ? "yes" : "no", n->passwords, n->accounts);
	json_object_array_add(path, node("1", "Does the mechanism authenticate with passwords?",
					 buf, "audit: every account not locked"));
	if (!n->passwords) {
		*result = "not applicable";
		return path;
	}
	snprintf(buf, sizeof(buf), "%s: %zu blank password(s), %zu service setting(s) needing no password",
		 n->blank || n->by_verdict[CG_VERDICT_NOAUTH] ? "yes" : "no", n->blank,
		 n->by_verdict[CG_VERDICT_NOAUTH]);
	json_object_array_add(path, node("2", "Can the equipment be used with no password (blank)?",
					 buf, "audit verdicts blank and noauth; Implementing Decision (EU) 2025/138 removes the presumption of conformity when the user may choose no password"));
	snprintf(buf, sizeof(buf), "%s: %zu blank, default or guessable password(s)",
		 n->violations ? "yes" : "no", n->violations);
	json_object_array_add(path, node("3", "Does the equipment hold a factory default or guessable password?",
					 buf, "audit verdicts blank, default, derived, sequential, common, unknown, noauth"));
	if (!n->violations) {
		snprintf(buf, sizeof(buf), "yes: %zu provisioned per device (HKDF), the others not a known default",
			 n->provisioned);
		json_object_array_add(path, node("4", "Is every password unique per equipment or user-defined?",
						 buf, "audit clean; [migration] provisioned"));
		*result = "met";
		return path;
	}
	snprintf(buf, sizeof(buf), "%s ([migration] first_boot = %s)",
		 fb == CG_POLICY_RANDOM ? "yes: replaced by a unique random password at first boot" :
		 fb == CG_POLICY_USER ? "yes: the user must define it at first use" :
		 fb == CG_POLICY_LOCK ? "yes: locked at first boot" : "no", cg_policy_name(fb));
	json_object_array_add(path, node("4", "Is each such password made unique, or must it be changed, before first use?",
					 buf, "credgated first-boot migration; the gate stays closed until it is done"));
	*result = fb == CG_POLICY_NONE ? "not met" : "met by first-boot migration";
	return path;
}

/* EN 18031-1 AUM-5-2: passwords resistant to guessing (credgate's dictionaries). */
static json_object *aum_5_2(const struct mech_counts *n, const char **result)
{
	json_object *path = json_object_new_array();
	char buf[256];

	snprintf(buf, sizeof(buf), "%s: blank %zu, default %zu, derived %zu, sequential %zu, common %zu, not judged %zu",
		 n->violations ? "yes" : "no", n->by_verdict[CG_VERDICT_BLANK], n->by_verdict[CG_VERDICT_DEFAULT],
		 n->by_verdict[CG_VERDICT_DERIVED], n->by_verdict[CG_VERDICT_SEQUENTIAL],
		 n->by_verdict[CG_VERDICT_COMMON], n->by_verdict[CG_VERDICT_UNKNOWN]);
	json_object_array_add(path, node("1", "Is any password found by the dictionaries credgate checks?",
					 buf, "audit at the depth shown (full adds sequential and common)"));
	json_object_array_add(path, node("2", "Strength rules beyond these dictionaries (length, complexity)?",
					 "not assessed", "credgate checks guessability, not a password policy"));
	json_object_array_add(path, node("3", "Brute-force resistance (attempt limits, delays)?",
					 "not assessed", "not covered by credgate (EN 18031-1 AUM-6, ETSI 5.1-5): the manufacturer's job"));
	*result = !n->passwords ? "not applicable" : n->violations ? "not met as audited" :
		  "met for the dictionaries checked";
	return path;
}

static json_object *ixit(const struct audit_account *first, const struct mech_counts *n,
			 const struct cg_config *cfg, size_t idx)
{
	json_object *o = json_object_new_object();
	char id[32], gen[512];
	enum cg_policy fb = cfg->migration.first_boot;
	size_t w = 0;

	snprintf(id, sizeof(id), "AuthMech-%zu", idx + 1);
	add_str(o, "ID", id);
	add_str(o, "Description", mechanism_description(first->store_type));
	add_str(o, "Authentication Factor", "password (something the user knows)");
	gen[0] = '\0';
	if (n->provisioned)
		w += (size_t)snprintf(gen + w, sizeof(gen) - w,
				      "factory: credgate provision, HKDF-SHA256 (secret, product ID%s%s%s, serial) for %zu account(s); ",
				      cfg->migration.provision_product ? " \"" : "",
				      cfg->migration.provision_product ? cfg->migration.provision_product : "",
				      cfg->migration.provision_product ? "\"" : "", n->provisioned);
	if (w < sizeof(gen))
		snprintf(gen + w, sizeof(gen) - w, "first boot: %s",
			 fb == CG_POLICY_RANDOM ? "unique random password from getrandom(2) for each offending account" :
			 fb == CG_POLICY_USER ? "offending accounts expired, the user defines the password at first use" :
			 fb == CG_POLICY_LOCK ? "offending accounts locked" : "nothing changed ([migration] first_boot = none)");
	add_str(o, "Password Generation Mechanism", gen);
	add_str(o, "Security Guarantees", "not assessed by credgate");
	add_str(o, "Cryptographic Details", "not assessed by credgate (the hash methods are the store's)");
	add_str(o, "Brute Force Prevention", "not assessed: credgate does not limit login attempts (manufacturer)");
	return o;
}

static json_object *mechanism(const struct audit_report *rep, size_t from, size_t to,
			      const struct cg_config *cfg, size_t idx)
{
	const struct audit_account *first = &rep->accounts[from];
	json_object *o = json_object_new_object(), *accs = json_object_new_array();
	json_object *counts = json_object_new_object(), *methods = json_object_new_object();
	struct mech_counts n = { 0 };
	const char *r1, *r2;
	char id[32];

	for (size_t i = from; i < to; i++) {
		const struct audit_account *acc = &rep->accounts[i];
		json_object *a = json_object_new_object();
		const char *method, *how = uniqueness_of(cfg, acc, &method);
		json_object *m;

		n.accounts++;
		n.by_verdict[acc->verdict < _CG_VERDICT_MAX ? acc->verdict : CG_VERDICT_UNKNOWN]++;
		n.passwords += acc->verdict != CG_VERDICT_LOCKED;
		n.blank += acc->verdict == CG_VERDICT_BLANK;
		n.violations += audit_verdict_is_violation(acc->verdict);
		n.provisioned += !strcmp(method, "hkdf-provisioning");
		add_str(a, "user", acc->user);
		json_object_object_add(a, "line", json_object_new_int64(acc->line));
		add_str(a, "verdict", cg_verdict_name(acc->verdict));
		json_object_object_add(a, "violation",
				       json_object_new_boolean(audit_verdict_is_violation(acc->verdict)));
		/* A violation's detail may quote the (public) password found: left out. */
		add_str(a, "detail", audit_verdict_is_violation(acc->verdict) ? "" : acc->detail);
		add_str(a, "uniqueness", method);
		add_str(a, "uniqueness_detail", how);
		json_object_array_add(accs, a);
		m = json_object_object_get(methods, method);
		json_object_object_add(methods, method, json_object_new_int64(m ? json_object_get_int64(m) + 1 : 1));
	}
	for (unsigned int v = 0; v < _CG_VERDICT_MAX; v++)
		json_object_object_add(counts, cg_verdict_name(v), json_object_new_int64((int64_t)n.by_verdict[v]));
	snprintf(id, sizeof(id), "AuthMech-%zu", idx + 1);
	add_str(o, "id", id);
	add_str(o, "store", first->store);
	add_str(o, "type", cg_name(&store_type_names, first->store_type));
	add_str(o, "description", mechanism_description(first->store_type));
	json_object_object_add(o, "compliant", json_object_new_boolean(!n.violations));
	json_object_object_add(o, "accounts", accs);
	json_object_object_add(o, "verdicts", counts);
	json_object_object_add(o, "uniqueness", methods);
	json_object_object_add(o, "aum_5_1", aum_5_1(cfg, &n, &r1));
	add_str(o, "aum_5_1_result", r1);
	json_object_object_add(o, "aum_5_2", aum_5_2(&n, &r2));
	add_str(o, "aum_5_2_result", r2);
	json_object_object_add(o, "ixit", ixit(first, &n, cfg, idx));
	return o;
}

static json_object *build_model(const struct audit_report *rep, const struct report_cli *c,
				const struct cg_metadata *md)
{
	const struct cg_config *cfg = c->a.cfg;
	json_object *root = json_object_new_object(), *mechs = json_object_new_array();
	json_object *prov = json_object_new_object(), *users = json_object_new_array();
	time_t now = time(NULL);
	char when[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	add_str(root, "generated", when);
	add_str(root, "root", root_is_host(c->a.opts.root) ? "/" : c->a.opts.root);
	add_str(root, "depth", cg_depth_name(c->a.opts.depth));
	json_object_object_add(root, "compliant", json_object_new_boolean(rep->compliant));
	json_object_object_add(root, "errors", json_object_new_int64(rep->n_errors));
	/* Accounts come grouped by store, in store order (audit.c). */
	for (size_t i = 0, from = 0; i < rep->n_accounts; i++)
		if (i + 1 == rep->n_accounts || strcmp(rep->accounts[i + 1].store, rep->accounts[from].store)) {
			json_object_array_add(mechs, mechanism(rep, from, i + 1, cfg,
							       json_object_array_length(mechs)));
			from = i + 1;
		}
	json_object_object_add(root, "mechanisms", mechs);
	add_str(prov, "first_boot", cg_policy_name(cfg->migration.first_boot));
	for (size_t i = 0; i < cfg->migration.n_provisioned; i++)
		json_object_array_add(users, json_object_new_string(cfg->migration.provisioned[i]));
	json_object_object_add(prov, "provisioned", users);
	add_str(prov, "provision_kdf", cfg->migration.n_provisioned ?
		"HKDF-SHA256, salt \"credgate-provision-v1\", info \"credgate/v1:\" PRODUCT \":\" SERIAL" : "");
	add_str(prov, "provision_product", cfg->migration.provision_product);
	add_str(prov, "provision_serial", cfg->migration.n_provisioned ?
		"the device serial number (credgate provision --serial)" : "");
	json_object_object_add(root, "provisioning", prov);
	json_object_object_add(root, "support", cg_metadata_support_json(md, now));
	json_object_object_add(root, "disclosure", cg_metadata_disclosure_json(md, now));
	return root;
}

/* ---- renderers -------------------------------------------------------- */

static const char *s_of(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static void print_path(FILE *f, json_object *m, const char *key, const char *indent)
{
	json_object *path = json_object_object_get(m, key);

	for (size_t i = 0; i < json_object_array_length(path); i++) {
		json_object *n = json_object_array_get_idx(path, i);

		fprintf(f, "%s%s. %s %s (%s)\n", indent, s_of(n, "node"), s_of(n, "question"),
			s_of(n, "answer"), s_of(n, "basis"));
	}
}

static void print_ixit(FILE *f, json_object *model)
{
	json_object *mechs = json_object_object_get(model, "mechanisms");
	json_object *sup = json_object_object_get(model, "support");
	json_object *dis = json_object_object_get(model, "disclosure");
	json_object *contacts = json_object_object_get(dis, "contacts");

	fprintf(f, "credgate report, %s, root %s, audit depth %s\n", s_of(model, "generated"),
		s_of(model, "root"), s_of(model, "depth"));
	fprintf(f, "Product: %s %s %s, firmware %s\n", s_of(sup, "vendor"), s_of(sup, "product"),
		s_of(sup, "model"), s_of(sup, "firmware_version"));
	fprintf(f, "Compliant: %s\n\n", s_of(model, "compliant"));
	for (size_t i = 0; i < json_object_array_length(mechs); i++) {
		json_object *m = json_object_array_get_idx(mechs, i);
		json_object *x = json_object_object_get(m, "ixit");
		json_object *accs = json_object_object_get(m, "accounts");
		char user[4 * 256 + 1];

		fprintf(f, "IXIT 1-AuthMech: %s (%s %s)\n", s_of(x, "ID"), s_of(m, "type"), s_of(m, "store"));
		json_object_object_foreach(x, k, v)
			if (strcmp(k, "ID"))
				fprintf(f, "  %s: %s\n", k, json_object_get_string(v));
		fputs("  Accounts:\n", f);
		for (size_t j = 0; j < json_object_array_length(accs); j++) {
			json_object *a = json_object_array_get_idx(accs, j);

			fprintf(f, "    %s: %s; uniqueness: %s\n",
				cg_escape_controls(s_of(a, "user"), user, sizeof(user)),
				s_of(a, "verdict"), s_of(a, "uniqueness_detail"));
		}
		fprintf(f, "  EN 18031-1 AUM-5-1 decision path (result: %s):\n", s_of(m, "aum_5_1_result"));
		print_path(f, m, "aum_5_1", "    ");
		fprintf(f, "  EN 18031-1 AUM-5-2 decision path (result: %s):\n", s_of(m, "aum_5_2_result"));
		print_path(f, m, "aum_5_2", "    ");
		fputc('\n', f);
	}
	fprintf(f, "Support period: %s\n", *s_of(sup, "support_end") ?
		s_of(sup, "support_end") : "not published");
	if (*s_of(sup, "support_end"))
		fprintf(f, "Support days left: %s\n", s_of(sup, "days_left"));
	fputs("Vulnerability disclosure contacts:", f);
	for (size_t i = 0; i < json_object_array_length(contacts); i++)
		fprintf(f, " %s", json_object_get_string(json_object_array_get_idx(contacts, i)));
	fprintf(f, "%s\nDisclosure policy: %s\n", json_object_array_length(contacts) ? "" : " none published",
		*s_of(dis, "policy") ? s_of(dis, "policy") : "not published");
}

/* HTML text: &<>"' escaped, control characters shown as U+FFFD. */
static void html(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fputs("&#xfffd;", f);
			else
				fputc(*p, f);
		}
	}
}

static void html_row(FILE *f, const char *k, const char *v)
{
	fputs("<tr><th>", f);
	html(f, k);
	fputs("</th><td>", f);
	html(f, v);
	fputs("</td></tr>\n", f);
}

static void html_path(FILE *f, json_object *m, const char *key, const char *title)
{
	json_object *path = json_object_object_get(m, key);
	char res[64];

	snprintf(res, sizeof(res), "%s_result", key);
	fputs("<h3>", f);
	html(f, title);
	fputs(": <span class=\"res\">", f);
	html(f, s_of(m, res));
	fputs("</span></h3>\n<ol class=\"path\">\n", f);
	for (size_t i = 0; i < json_object_array_length(path); i++) {
		json_object *n = json_object_array_get_idx(path, i);

		fputs("<li><b>", f);
		html(f, s_of(n, "question"));
		fputs("</b> ", f);
		html(f, s_of(n, "answer"));
		fputs(" <small>(", f);
		html(f, s_of(n, "basis"));
		fputs(")</small></li>\n", f);
	}
	fputs("</ol>\n", f);
}

static void print_html(FILE *f, json_object *model)
{
	json_object *mechs = json_object_object_get(model, "mechanisms");
	json_object *sup = json_object_object_get(model, "support");
	json_object *dis = json_object_object_get(model, "disclosure");
	json_object *contacts = json_object_object_get(dis, "contacts");
	bool ok = json_object_get_boolean(json_object_object_get(model, "compliant"));

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<title>credgate report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;color:#222;background:#fff}\n"
	      "h1{font-size:1.6em}h2{border-bottom:2px solid #345;padding-bottom:.2em}\n"
	      "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #999;padding:.3em .6em;text-align:left;vertical-align:top}\n"
	      "th{background:#e8edf3}.ok{background:#d9f2d9}.bad{background:#f8d0d0}\n"
	      ".banner{padding:.6em 1em;font-weight:bold;font-size:1.2em;border-radius:4px}\n"
	      ".res{font-weight:normal;font-style:italic}ol.path li{margin:.3em 0}\n"
	      "</style></head><body>\n<h1>credgate compliance report</h1>\n", f);
	fprintf(f, "<p class=\"banner %s\">%s</p>\n", ok ? "ok" : "bad",
		ok ? "Compliant: no blank, default or guessable password" :
		     "Not compliant: see the accounts marked below");
	fputs("<table>\n", f);
	html_row(f, "Generated", s_of(model, "generated"));
	html_row(f, "Root", s_of(model, "root"));
	html_row(f, "Audit depth", s_of(model, "depth"));
	html_row(f, "Vendor", s_of(sup, "vendor"));
	html_row(f, "Product", s_of(sup, "product"));
	html_row(f, "Model", s_of(sup, "model"));
	html_row(f, "Firmware version", s_of(sup, "firmware_version"));
	fputs("</table>\n", f);
	for (size_t i = 0; i < json_object_array_length(mechs); i++) {
		json_object *m = json_object_array_get_idx(mechs, i);
		json_object *x = json_object_object_get(m, "ixit");
		json_object *accs = json_object_object_get(m, "accounts");

		fputs("<h2>", f);
		html(f, s_of(m, "id"));
		fputs(": ", f);
		html(f, s_of(m, "store"));
		fputs("</h2>\n<h3>TS 103 701 IXIT 1-AuthMech</h3>\n<table>\n", f);
		json_object_object_foreach(x, k, v)
			html_row(f, k, json_object_get_string(v));
		fputs("</table>\n<h3>Accounts</h3>\n<table>\n<tr><th>Account</th><th>Line</th><th>Verdict</th><th>Uniqueness</th></tr>\n", f);
		for (size_t j = 0; j < json_object_array_length(accs); j++) {
			json_object *a = json_object_array_get_idx(accs, j);
			bool bad = json_object_get_boolean(json_object_object_get(a, "violation"));

			fprintf(f, "<tr class=\"%s\"><td>", bad ? "bad" : "ok");
			html(f, s_of(a, "user"));
			fputs("</td><td>", f);
			html(f, s_of(a, "line"));
			fputs("</td><td>", f);
			html(f, s_of(a, "verdict"));
			fputs("</td><td>", f);
			html(f, s_of(a, "uniqueness_detail"));
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
		html_path(f, m, "aum_5_1", "EN 18031-1 AUM-5-1 decision path");
		html_path(f, m, "aum_5_2", "EN 18031-1 AUM-5-2 decision path");
	}
	fputs("<h2>Support period and vulnerability disclosure</h2>\n<table>\n", f);
	html_row(f, "Security updates until", *s_of(sup, "support_end") ? s_of(sup, "support_end") : "not published");
	if (*s_of(sup, "support_end"))
		html_row(f, "Days left", s_of(sup, "days_left"));
	for (size_t i = 0; i < json_object_array_length(contacts); i++)
		html_row(f, "Report vulnerabilities to", json_object_get_string(json_object_array_get_idx(contacts, i)));
	html_row(f, "Disclosure policy", *s_of(dis, "policy") ? s_of(dis, "policy") : "not published");
	fputs("</table>\n<p><small>Never a password or a hash in this report. Clauses and what remains the manufacturer's job: docs/compliance.md.</small></p>\n</body></html>\n", f);
}

/* ---- the verb --------------------------------------------------------- */

static int load_metadata(const struct report_cli *c, struct cg_metadata *md)
{
	struct cg_os_release os;
	int r;

	memset(md, 0, sizeof(*md));
	r = cg_os_release_load_rooted(&os, c->a.opts.root);
	if (r == 0)
		r = cg_metadata_build(md, c->a.cfg, &os);
	cg_os_release_free(&os);
	if (r < 0)
		return r;
	/* The published floor lives on the device, not in an image. */
	if (root_is_host(c->a.opts.root))
		(void)cg_metadata_apply_floor(md, CG_STATE_DIR, false);
	return 0;
}

int cmd_report(int argc, char **argv, void *userdata)
{
	struct report_cli c = { 0 };
	struct audit_report *rep = NULL;
	struct cg_metadata md = { 0 };
	json_object *model = NULL;
	int r, ret = EXIT_CG_ERROR;

	(void)userdata;
	r = parse_args(&c, argc, argv);
	if (r == 1) {
		ret = EXIT_CG_OK;
		goto out;
	}
	if (r < 0)
		goto out;
	r = load_metadata(&c, &md);
	if (r < 0) {
		log_error_errno(r, "cannot build the device metadata: %m");
		goto out;
	}
	r = audit_run(&c.a.opts, &rep);
	audit_args_progress_end();
	if (r < 0) {
		log_error_errno(r, "audit failed: %m");
		goto out;
	}
	model = build_model(rep, &c, &md);
	if (!model)
		goto out;
	if (c.format == FORMAT_JSON)
		puts(json_object_to_json_string_ext(model, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (c.format == FORMAT_IXIT)
		print_ixit(stdout, model);
	else
		print_html(stdout, model);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error_errno(EIO, "cannot write the report to standard output: %m");
		goto out;
	}
	ret = rep->n_errors ? EXIT_CG_ERROR : rep->n_violations ? EXIT_CG_VIOLATION : EXIT_CG_OK;
out:
	json_object_put(model);
	cg_metadata_free(&md);
	audit_report_free(rep);
	audit_args_free(&c.a);
	return ret;
}
