/* SPDX-License-Identifier: MIT */
/*
 * Verb tables of the CLI, after systemd's src/shared/verbs.h: `credgate
 * VERB` and `credgate gate VERB` each look their verb up in one table that
 * also gives the argument count, the synopsis and the one-line help of
 * --help.
 */
#ifndef CREDGATE_CLI_VERBS_H
#define CREDGATE_CLI_VERBS_H

#include <limits.h>
#include <stdio.h>

#include "base/names.h"

#define VERB_ANY UINT_MAX

enum {
	VERB_DEFAULT = 1 << 0,	/* run when no verb is given */
};

struct verb {
	const char *name;
	/* Arguments after the verb (argv[1..]), VERB_ANY: no limit. */
	unsigned int min_args, max_args;
	unsigned int flags;		/* VERB_* */
	/* The one argument names one of these; checked before dispatch. */
	const struct cg_names *choices;
	const char *synopsis;		/* after the name: "[--json]"; NULL: none (or @choices) */
	const char *help;		/* for --help, may have \n; NULL: not listed */
	/* argv[0] is the verb; returns an exit code (EXIT_CG_*). */
	int (*dispatch)(int argc, char **argv, void *userdata);
};

/*
 * Find argv[0] in @verbs (ended by an entry without name; no argument:
 * the VERB_DEFAULT one), check the number of arguments ("usage: PROG
 * VERB SYNOPSIS") and the choice, and run it.  "help" is a verb of every
 * table: @usage on stdout.  @prog ("credgate gate") and @what ("gate
 * command") name the table in messages.
 */
int dispatch_verb(int argc, char **argv, const struct verb *verbs, const char *prog,
		  const char *what, void (*usage)(FILE *f), void *userdata);

/* "  VERB SYNOPSIS   HELP" lines of --help, help starting at column @width + 3. */
void verbs_help(FILE *f, const struct verb *verbs, int width);

/*
 * For messages: the names of @t that @keep accepts (NULL: all), separated
 * by @sep and by @last before the last one ("a, b or c", "a|b|c").
 */
const char *names_list(const struct cg_names *t, int (*keep)(const char *name), const char *sep,
		       const char *last, char *buf, size_t size);

#endif
