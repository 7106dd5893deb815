// SPDX-License-Identifier: MIT
/*
 * A Linux-PAM service file (/etc/pam.d/SERVICE), for one question: does
 * its auth stack accept an empty password (a module argument `nullok`,
 * pam_unix's "an empty password is a password")?
 *   [-]TYPE CONTROL MODULE [ARG]...   TYPE auth, account, password, session;
 *                                     CONTROL a word or [value=action ...]
 *   @include FILE                     every line of FILE
 *   TYPE include|substack FILE        FILE's lines of TYPE
 * '#' starts a comment.  Only `nullok` on an auth line counts
 * (nullok_secure allows it on the console's secure ttys only).  An include
 * becomes a STORE_SCHEME_INCLUDE record the audit follows.  Line
 * continuations are not read.  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

#define PAM_TOKENS 32

static int pam_parse_fields(const char *line, size_t len, struct store_field *f,
			    const char **why)
{
	struct store_span t[PAM_TOKENS] = { 0 };
	size_t i, n, type;
	bool auth;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || line[i] == '#')
		return 0;
	/* Blank-separated tokens; a [...] control is one token. */
	for (n = 0; i < len;) {
		size_t s = i;

		if (line[i] == '[') {
			while (i < len && line[i] != ']')
				i++;
			if (i == len) {
				*why = "unterminated '[' in the control field (PAM ignores this line)";
				return -EINVAL;
			}
			i++;
		} else
			while (i < len && line[i] != ' ' && line[i] != '\t')
				i++;
		if (n < PAM_TOKENS)
			t[n] = (struct store_span){ s, i - s };
		n++;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
	}
	if (store_span_is(line + t[0].off, t[0].len, "@include")) {
		if (n != 2) {
			*why = "@include takes one file name";
			return -EINVAL;
		}
		f[0] = (struct store_field){ .user = t[1], .hash = { t[1].off + t[1].len, 0 },
					     .scheme = STORE_SCHEME_INCLUDE, .what = "include" };
		return 1;
	}
	if (n < 3) {
		*why = "expected TYPE CONTROL MODULE [ARGUMENTS] (PAM ignores this line)";
		return -EINVAL;
	}
	type = line[t[0].off] == '-' ? 1 : 0;
	auth = store_span_is(line + t[0].off + type, t[0].len - type, "auth");
	if (!auth)
		return 0;
	if (store_span_is(line + t[1].off, t[1].len, "include") ||
	    store_span_is(line + t[1].off, t[1].len, "substack")) {
		f[0] = (struct store_field){ .user = t[2], .hash = { t[2].off + t[2].len, 0 },
					     .scheme = STORE_SCHEME_INCLUDE, .what = "include" };
		return 1;
	}
	for (i = 3; i < n && i < PAM_TOKENS; i++)
		if (store_span_is(line + t[i].off, t[i].len, "nullok")) {
			f[0] = (struct store_field){ .user = t[2], .hash = t[i],
						     .scheme = STORE_SCHEME_NOAUTH_IF_BLANK,
						     .what = "module argument" };
			return 1;
		}
	return 0;
}

static int pam_finish(struct store_file *sf)
{
	for (size_t i = 0; i < sf->n_records; i++) {
		struct store_record *rec = &sf->records[i];

		if (rec->scheme == STORE_SCHEME_NOAUTH_IF_BLANK &&
		    store_set_note(rec, rec->scheme,
				   "%s nullok in the auth stack of %s: an account with an empty password logs in without one",
				   rec->user, sf->path) < 0)
			return -ENOMEM;
	}
	return 0;
}

const struct store_ops store_pam_ops = {
	.name = "pam",
	.dup_ok = true,
	.crlf_ok = true,		/* a trailing CR is stripped: the setting is still read */
	.parse_fields = pam_parse_fields,
	.finish = pam_finish,
};
