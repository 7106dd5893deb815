// SPDX-License-Identifier: MIT
/* Verb tables of the CLI (verbs.h). */
#include "verbs.h"
#include "base/util.h"

const char *names_list(const struct cg_names *t, int (*keep)(const char *name), const char *sep,
		       const char *last, char *buf, size_t size)
{
	const char *v[32];
	size_t n = 0, len = 0;

	for (unsigned int i = 0; i < t->n && n < ARRAY_SIZE(v); i++) {
		const char *s = cg_name(t, i);

		/* cg_name() says "?" where the table has a gap */
		if (cg_from_name(t, s) == (int)i && (!keep || keep(s) >= 0))
			v[n++] = s;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s", !i ? "" : i + 1 < n ? sep : last, v[i]);

		if (w < 0)
			break;
		len += (size_t)w;
	}
	return buf;
}

/* "NAME SYNOPSIS" of @v into @buf. */
static const char *verb_synopsis(const struct verb *v, char *buf, size_t size)
{
	char choices[128];
	const char *args = v->synopsis;

	if (!args && v->choices)
		args = names_list(v->choices, NULL, "|", "|", choices, sizeof(choices));
	snprintf(buf, size, "%s%s%s", v->name, args ? " " : "", args ? args : "");
	return buf;
}

int dispatch_verb(int argc, char **argv, const struct verb *verbs, const char *prog,
		  const char *what, void (*usage)(FILE *f), void *userdata)
{
	const struct verb *v;
	unsigned int n;
	char buf[256];

	if (argc > 0 && !strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_CG_OK;
	}
	for (v = verbs; v->name; v++)
		if (argc > 0 ? !strcmp(argv[0], v->name) : !!(v->flags & VERB_DEFAULT))
			break;
	if (!v->name) {
		if (argc > 0)
			log_error_errno(EINVAL, "unknown %s '%s' (try: %s --help)", what, argv[0], prog);
		else
			log_error_errno(EINVAL, "no %s given (try: %s --help)", what, prog);
		return EXIT_CG_ERROR;
	}
	if (argc == 0)	/* the default verb, as if named without arguments */
		return v->dispatch(1, (char *[]){ (char *)v->name, NULL }, userdata);
	n = (unsigned int)argc - 1;
	if (n < v->min_args || (v->max_args != VERB_ANY && n > v->max_args)) {
		log_error_errno(EINVAL, "usage: %s %s", prog, verb_synopsis(v, buf, sizeof(buf)));
		return EXIT_CG_ERROR;
	}
	if (v->choices && n == 1 && cg_from_name(v->choices, argv[1]) < 0) {
		log_error_errno(EINVAL, "bad %s \"%s\": expected %s", v->name, argv[1],
				names_list(v->choices, NULL, ", ", " or ", buf, sizeof(buf)));
		return EXIT_CG_ERROR;
	}
	return v->dispatch(argc, argv, userdata);
}

void verbs_help(FILE *f, const struct verb *verbs, int width)
{
	char buf[256];

	for (const struct verb *v = verbs; v->name; v++) {
		if (!v->help)
			continue;
		fprintf(f, "  %-*s ", width, verb_synopsis(v, buf, sizeof(buf)));
		for (const char *p = v->help; *p; p++) {
			fputc(*p, f);
			if (*p == '\n')
				fprintf(f, "%*s", width + 3, "");
		}
		fputc('\n', f);
	}
}
