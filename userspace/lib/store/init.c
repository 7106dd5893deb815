// SPDX-License-Identifier: MIT
/*
 * Start-up files (/etc/inittab, /etc/inetd.conf, /etc/init.d/ scripts,
 * /etc/rc.local), for the commands that serve a shell without a login:
 *   telnetd [-OPTS] -l PROGRAM      PROGRAM a shell (sh, ash, bash, ...):
 *                                   every telnet client gets that shell
 *   getty|agetty -a USER | --autologin USER  on a pseudo-terminal (pts/N):
 *                                   USER logged in without a password
 * Words are blank-separated (inittab's id:runlevels:action: prefix and a
 * path are cut off the command word, quotes removed); a '#' word starts a
 * comment.  A getty on a serial or virtual console is local, not counted
 * (docs/audit.md).  The only code that knows what these lines mean.
 */
#include "store/store.h"
#include "base/util.h"

#define INIT_WORDS 48

static const char *const shells[] = {
	"sh", "ash", "bash", "dash", "hush", "ksh", "mksh", "zsh", "csh", "tcsh", "busybox",
};

/* The word without quotes and without everything up to the last '/' or ':'. */
static struct store_span base_of(const char *line, struct store_span w)
{
	while (w.len >= 2 && (line[w.off] == '"' || line[w.off] == '\'') &&
	       line[w.off + w.len - 1] == line[w.off]) {
		w.off++;
		w.len -= 2;
	}
	for (size_t i = w.len; i-- > 0;)
		if (line[w.off + i] == '/' || line[w.off + i] == ':') {
			w.len -= i + 1;
			w.off += i + 1;
			break;
		}
	return w;
}

static bool is_shell(const char *line, struct store_span w)
{
	w = base_of(line, w);
	for (size_t i = 0; i < ARRAY_SIZE(shells); i++)
		if (store_span_is(line + w.off, w.len, shells[i]))
			return true;
	return false;
}

static bool is_separator(const char *line, struct store_span w)
{
	return w.len && (line[w.off] == ';' || line[w.off] == '|' || line[w.off] == '&' ||
			 line[w.off] == ')');
}

/* telnetd's options from word @i on: the -l program's word, or none. */
static int telnetd_program(const char *line, const struct store_span *w, size_t i, size_t n,
			   struct store_span *prog, const char **why)
{
	for (; i < n && !is_separator(line, w[i]); i++) {
		const char *s = line + w[i].off;

		if (w[i].len < 2 || s[0] != '-' || s[1] == '-')
			continue;
		for (size_t k = 1; k < w[i].len; k++) {
			if (s[k] != 'l' && !strchr("pbf", s[k]))
				continue;
			if (k + 1 < w[i].len) {	/* -lPROGRAM */
				if (s[k] == 'l')
					*prog = (struct store_span){ w[i].off + k + 1, w[i].len - k - 1 };
				break;
			}
			if (i + 1 >= n || is_separator(line, w[i + 1])) {
				if (s[k] != 'l')
					return 0;	/* not telnetd's own command line, maybe */
				*why = "telnetd -l without the program to run (telnetd refuses to start)";
				return -EINVAL;
			}
			i++;
			if (s[k] == 'l')
				*prog = w[i];
			break;
		}
	}
	return 0;
}

static bool on_pty(const char *line, const struct store_span *w, size_t i, size_t n)
{
	for (; i < n && !is_separator(line, w[i]); i++) {
		const char *s = line + w[i].off;

		if ((w[i].len > 4 && !memcmp(s, "pts/", 4)) || (w[i].len > 9 && !memcmp(s, "/dev/pts/", 9)))
			return true;
	}
	return false;
}

static bool autologin(const char *line, const struct store_span *w, size_t i, size_t n)
{
	for (; i < n && !is_separator(line, w[i]); i++)
		if (store_span_is(line + w[i].off, w[i].len, "-a") ||
		    store_span_is(line + w[i].off, w[i].len, "--autologin") ||
		    (w[i].len > 12 && !memcmp(line + w[i].off, "--autologin=", 12)))
			return true;
	return false;
}

static int init_parse_fields(const char *line, size_t len, struct store_field *f,
			     const char **why)
{
	struct store_span w[INIT_WORDS];
	size_t n = 0, i = 0;

	while (i < len && n < INIT_WORDS) {
		size_t s;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			break;
		s = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		w[n++] = (struct store_span){ s, i - s };
	}
	for (i = 0; i < n; i++) {
		struct store_span b = base_of(line, w[i]), prog = { 0, 0 };
		int r;

		if (store_span_is(line + b.off, b.len, "telnetd") ||
		    store_span_is(line + b.off, b.len, "utelnetd")) {
			r = telnetd_program(line, w, i + 1, n, &prog, why);
			if (r < 0)
				return r;
			if (!prog.len || !is_shell(line, prog))
				continue;
			f[0] = (struct store_field){ .user = b, .hash = prog, .scheme = STORE_SCHEME_NOAUTH,
						     .what = "telnetd -l" };
			return 1;
		}
		if ((store_span_is(line + b.off, b.len, "getty") ||
		     store_span_is(line + b.off, b.len, "agetty") ||
		     store_span_is(line + b.off, b.len, "mingetty")) &&
		    autologin(line, w, i + 1, n) && on_pty(line, w, i + 1, n)) {
			f[0] = (struct store_field){ .user = b, .hash = { b.off + b.len, 0 },
						     .scheme = STORE_SCHEME_NOAUTH, .what = "autologin" };
			return 1;
		}
	}
	return 0;
}

static int init_finish(struct store_file *sf)
{
	for (size_t i = 0; i < sf->n_records; i++) {
		struct store_record *rec = &sf->records[i];
		int r;

		if (!strcmp(rec->what, "telnetd -l"))
			r = store_set_note(rec, rec->scheme,
					   "%s -l %s: every telnet client gets that shell without any password",
					   rec->user, rec->hash);
		else
			r = store_set_note(rec, rec->scheme,
					   "%s autologin on a pseudo-terminal: a network session is logged in without any password",
					   rec->user);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct store_ops store_init_ops = {
	.name = "init",
	.dup_ok = true,
	.crlf_ok = true,
	.parse_fields = init_parse_fields,
	.finish = init_finish,
};
