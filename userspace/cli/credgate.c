// SPDX-License-Identifier: MIT
/* credgate: command-line front end.  Each verb lives in cmd_VERB.c. */
#include "base/util.h"
#include "commands.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "audit", cmd_audit, "audit credential stores for blank/default/guessable passwords" },
	{ "migrate", cmd_migrate, "move offending accounts to unique or user-defined passwords" },
	{ "passwd", cmd_passwd, "set a password at the console; refuses one the audit would flag" },
	{ "provision", cmd_provision, "factory: derive a per-device label password into a rootfs" },
	{ "gate", cmd_gate, "show or change the kernel gate (status|open|close|mode|allow|lock|load)" },
	{ "status", cmd_status, "show backend, gate state, violations and refusal counts" },
	{ "support", cmd_support, "show the support period and vulnerability-disclosure contact" },
};

static void usage(FILE *f)
{
	fputs("usage: credgate COMMAND [OPTIONS]\n\ncommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\nexit status: 0 ok/compliant, 1 violations found, 2 error\n"
	      "see credgate(1) and credgate COMMAND --help\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_CG_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CG_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	log_error_errno(EINVAL, "unknown command '%s' (try: credgate --help)", argv[1]);
	return EXIT_CG_ERROR;
}
