/* SPDX-License-Identifier: MIT */
/* Subcommands of the credgate CLI: one file each, userspace/cli/cmd_NAME.c. */
#ifndef CREDGATE_CLI_COMMANDS_H
#define CREDGATE_CLI_COMMANDS_H

/*
 * Each returns a process exit code (EXIT_CG_* in util.h).  argv[0] is the
 * verb; @userdata is unused (the verb table's dispatch type, verbs.h).
 */
int cmd_gate(int argc, char **argv, void *userdata);
int cmd_audit(int argc, char **argv, void *userdata);
int cmd_migrate(int argc, char **argv, void *userdata);
int cmd_passwd(int argc, char **argv, void *userdata);
int cmd_provision(int argc, char **argv, void *userdata);
int cmd_report(int argc, char **argv, void *userdata);
int cmd_status(int argc, char **argv, void *userdata);
int cmd_support(int argc, char **argv, void *userdata);

#endif
