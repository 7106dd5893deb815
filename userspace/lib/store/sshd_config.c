// SPDX-License-Identifier: MIT
/*
 * OpenSSH's sshd_config (/etc/ssh/sshd_config), for one setting:
 * PermitEmptyPasswords yes lets a blank account log in over SSH.
 *   Keyword value | Keyword=value   keywords case-insensitive, '#' comments
 *   Match ...                        the lines up to the next Match apply
 *                                    only to the connections it matches
 * sshd uses the first value it reads outside Match blocks; a
 * PermitEmptyPasswords yes inside any Match block counts whatever the
 * criteria (credgate cannot know which connections match).  Include is not
 * followed (docs/audit.md).  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

/* The keyword and its first value: "Key value", "Key=value", "Key = value". */
static size_t split(const char *line, size_t len, struct store_span *k, struct store_span *v)
{
	size_t i = 0, n = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	k->off = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '=')
		i++;
	k->len = i - k->off;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '=')
		i++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	v->off = i;
	while (i < len && line[i] != ' ' && line[i] != '\t')
		i++;
	v->len = i - v->off;
	if (v->len)
		n++;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len ? n + 1 : n;	/* more than one value token: 2 */
}

static int sshd_config_parse_fields(const char *line, size_t len, struct store_field *f,
				    const char **why)
{
	struct store_span k, v;
	size_t n;

	if (store_line_is_blank_or_comment(line, len))
		return 0;
	n = split(line, len, &k, &v);
	if (store_span_is(line + k.off, k.len, "PermitEmptyPasswords")) {
		if (n != 1 || (!store_span_is(line + v.off, v.len, "yes") &&
			       !store_span_is(line + v.off, v.len, "no"))) {
			*why = "PermitEmptyPasswords: expected yes or no (sshd refuses to start otherwise)";
			return -EINVAL;
		}
	} else if (store_span_is(line + k.off, k.len, "Match")) {
		if (!n) {
			*why = "Match without criteria (sshd refuses to start)";
			return -EINVAL;
		}
	} else
		return 0;
	f[0] = (struct store_field){ .user = k, .hash = v, .scheme = STORE_SCHEME_SETTING,
				     .what = "setting" };
	return 1;
}

static int sshd_config_finish(struct store_file *sf)
{
	_cleanup_free_ bool *keep = calloc(sf->n_records + 1, sizeof(bool));
	unsigned match = 0;
	bool global_seen = false;
	int r;

	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < sf->n_records; i++) {
		struct store_record *rec = &sf->records[i];

		if (!strcasecmp(rec->user, "Match")) {
			match = !strcasecmp(rec->hash, "all") ? 0 : rec->line;
			continue;
		}
		if (!match) {
			/* Outside Match blocks the first value is the one sshd uses. */
			if (global_seen)
				continue;
			global_seen = true;
		}
		if (strcasecmp(rec->hash, "yes"))
			continue;
		keep[i] = true;
		if (match)
			r = store_set_note(rec, STORE_SCHEME_NOAUTH_IF_BLANK,
					   "PermitEmptyPasswords yes in the Match block of line %u (counted whatever its criteria): sshd lets an account with an empty password log in without one",
					   match);
		else
			r = store_set_note(rec, STORE_SCHEME_NOAUTH_IF_BLANK,
					   "PermitEmptyPasswords yes: sshd lets an account with an empty password log in without one");
		if (r < 0)
			return r;
	}
	store_keep_records(sf, keep);
	return 0;
}

const struct store_ops store_sshd_config_ops = {
	.name = "sshd-config",
	.dup_ok = true,
	.crlf_ok = true,		/* a trailing CR is stripped: the setting is still read */
	.parse_fields = sshd_config_parse_fields,
	.finish = sshd_config_finish,
};
