// SPDX-License-Identifier: MIT
/* credgate: command-line front end.  Each verb lives in cmd_VERB.c. */
#include "base/util.h"
#include "commands.h"
#include "verbs.h"
#include "version.h"

/* Each command parses its own options; argv[0] is the verb. */
#define COMMAND(name, fn, help) { name, 0, VERB_ANY, 0, NULL, NULL, help, fn }

static const struct verb verbs[] = {
	COMMAND("audit", cmd_audit, "audit credential stores for blank/default/guessable passwords"),
	COMMAND("migrate", cmd_migrate, "move offending accounts to unique or user-defined passwords"),
	COMMAND("passwd", cmd_passwd, "set a password at the console; refuses one the audit would flag"),
	COMMAND("provision", cmd_provision, "factory: derive a per-device label password into a rootfs"),
	COMMAND("gate", cmd_gate, "show or change the kernel gate (status|open|close|mode|allow|lock|load|events)"),
	COMMAND("status", cmd_status, "show backend, gate state, violations and refusal counts"),
	COMMAND("report", cmd_report, "compliance evidence per authentication mechanism (json|html|ixit)"),
	COMMAND("support", cmd_support, "show the support period and vulnerability-disclosure contact"),
	{}
};

static void usage(FILE *f)
{
	fputs("usage: credgate COMMAND [OPTIONS]\n"
	      "       credgate --version | --help\n\ncommands:\n", f);
	verbs_help(f, verbs, 10);
	fputs("\nexit status: 0 ok/compliant, 1 violations found, 2 error\n"
	      "see credgate(1) and credgate COMMAND --help\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_CG_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_CG_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("credgate " CREDGATE_VERSION);
		return EXIT_CG_OK;
	}
	return dispatch_verb(argc - 1, argv + 1, verbs, "credgate", "command", usage, NULL);
}
