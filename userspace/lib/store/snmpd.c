// SPDX-License-Identifier: MIT
/*
 * net-snmp's snmpd.conf (/etc/snmp/snmpd.conf, and the persistent
 * /var/lib/snmp/snmpd.conf): the secrets it holds.
 *   rocommunity|rwcommunity|rocommunity6|rwcommunity6 [-OPT ARG]... COMMUNITY ...
 *   authcommunity TYPES COMMUNITY ...
 *   com2sec|com2sec6 [-Cn CONTEXT] SECNAME SOURCE COMMUNITY
 *   createUser [-e ENGINEID] NAME AUTHPROTO AUTHPASS [PRIVPROTO [PRIVPASS]]
 *   usmUser ... (snmpd's localized keys, written once createUser was read)
 * Keywords are case-insensitive, tokens are blank-separated, a token may be
 * double-quoted, '#' starts a comment.  Every other directive is ignored.
 * The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

#define SNMP_TOKENS 16

static bool tok_is(const char *line, struct store_span t, const char *word)
{
	return t.len == strlen(word) && !strncasecmp(line + t.off, word, t.len);
}

/* Skip "-X ARG" options; returns the index of the first other token. */
static size_t skip_options(const char *line, const struct store_span *t, size_t i, size_t n)
{
	while (i < n && t[i].len > 1 && line[t[i].off] == '-')
		i += 2;
	return i;
}

static int community(const char *line, const struct store_span *t, size_t n, size_t at,
		     struct store_field *f, const char **why)
{
	if (at >= n) {
		*why = "missing community string";
		return -EINVAL;
	}
	f[0] = (struct store_field){
		.user = t[0], .hash = t[at], .scheme = STORE_SCHEME_PLAIN,
		.what = "community string",
	};
	(void)line;
	return 1;
}

static int create_user(const char *line, size_t len, const struct store_span *t, size_t n,
		       struct store_field *f, const char **why)
{
	size_t i = 1;

	if (i + 1 < n && tok_is(line, t[i], "-e"))
		i += 2;
	if (i >= n) {
		*why = "createUser without a user name";
		return -EINVAL;
	}
	f[0] = (struct store_field){ .user = t[i], .hash = t[i], .what = "auth passphrase" };
	if (i + 1 >= n) {
		/*
		 * noAuthNoPriv: a user that needs no passphrase at all.  The
		 * empty span sits right after the name (and its closing quote):
		 * where a migration inserts the protocols and passphrase.
		 */
		f[0].hash.off = t[i].off + t[i].len;
		if (f[0].hash.off < len && line[f[0].hash.off] == '"')
			f[0].hash.off++;
		f[0].hash.len = 0;
		f[0].scheme = STORE_SCHEME_NOPASSWORD;
		return 1;
	}
	if (i + 2 >= n) {
		*why = "createUser: authentication protocol without a passphrase";
		return -EINVAL;
	}
	if (tok_is(line, t[i + 2], "-m") || tok_is(line, t[i + 2], "-l")) {
		if (i + 3 >= n) {
			*why = "createUser: -m/-l without a key";
			return -EINVAL;
		}
		f[0].hash = t[i + 3];
		f[0].scheme = STORE_SCHEME_OPAQUE;
		f[0].what = "auth key";
		return 1;
	}
	f[0].hash = t[i + 2];
	f[0].scheme = STORE_SCHEME_PLAIN;
	if (i + 4 < n && !(line[t[i + 4].off] == '-')) {
		f[1] = (struct store_field){
			.user = t[i], .hash = t[i + 4], .scheme = STORE_SCHEME_PLAIN,
			.what = "priv passphrase",
		};
		return 2;
	}
	/* No privacy passphrase: the auth passphrase serves for both. */
	return 1;
}

static int snmpd_parse_fields(const char *line, size_t len, struct store_field *f,
			      const char **why)
{
	struct store_span t[SNMP_TOKENS];
	int r;
	size_t n;

	if (store_line_is_blank_or_comment(line, len))
		return 0;
	r = store_tokens(line, len, t, ARRAY_SIZE(t), why);
	if (r < 0)
		return r;
	n = (size_t)r < ARRAY_SIZE(t) ? (size_t)r : ARRAY_SIZE(t);
	if (tok_is(line, t[0], "rocommunity") || tok_is(line, t[0], "rwcommunity") ||
	    tok_is(line, t[0], "rocommunity6") || tok_is(line, t[0], "rwcommunity6"))
		return community(line, t, n, skip_options(line, t, 1, n), f, why);
	if (tok_is(line, t[0], "authcommunity"))
		return community(line, t, n, skip_options(line, t, 1, n) + 1, f, why);
	if (tok_is(line, t[0], "com2sec") || tok_is(line, t[0], "com2sec6"))
		return community(line, t, n, skip_options(line, t, 1, n) + 2, f, why);
	if (tok_is(line, t[0], "createUser"))
		return create_user(line, len, t, n, f, why);
	if (tok_is(line, t[0], "usmUser")) {
		if (n < 9) {
			*why = "usmUser line with fewer than 9 fields";
			return -EINVAL;
		}
		f[0] = (struct store_field){
			.user = t[4], .hash = t[8], .scheme = STORE_SCHEME_OPAQUE,
			.what = "localized auth key",
		};
		return 1;
	}
	return 0;
}

/*
 * random: the community or passphrase token replaced in place (inside its
 * quotes if quoted; a new value never needs quoting); a createUser without
 * a passphrase gets "SHA NEW AES" after its name (authPriv, the privacy
 * passphrase the same as the auth one, as snmpd.conf(5) defines a missing
 * one).  Keys (-m/-l, usmUser) are snmpd's derived form: not rewritten.
 * No disabled and no must-change state.
 */
static int snmpd_edit(const struct store_file *sf, const struct store_record *rec,
		      enum store_edit_kind kind, const char *value, time_t now,
		      struct store_edit *e, const char **why)
{
	int n;

	(void)sf;
	(void)now;
	if (kind != STORE_EDIT_SECRET) {
		*why = kind == STORE_EDIT_DISABLE ?
			"snmpd.conf has no disabled state for a community or user (removing or commenting out the line is not locking it)" :
			"snmpd.conf has no must-change state";
		return -EOPNOTSUPP;
	}
	if (rec->scheme == STORE_SCHEME_OPAQUE) {
		*why = "an SNMPv3 key (createUser -m/-l, usmUser) is snmpd's derived form, which credgate does not compute: with snmpd stopped, replace the line by 'createUser NAME SHA PASSPHRASE AES' (usmUser: delete it from the persistent file) and run migrate again";
		return -EOPNOTSUPP;
	}
	if (rec->scheme == STORE_SCHEME_NOPASSWORD)
		n = snprintf(e->text, sizeof(e->text), " SHA %s AES", value);
	else
		n = snprintf(e->text, sizeof(e->text), "%s", value);
	if (n < 0 || (size_t)n >= sizeof(e->text))
		return -EINVAL;
	e->span = rec->hash_span;
	return 1;
}

const struct store_ops store_snmpd_ops = {
	.name = "snmpd",
	.crlf_ok = true,
	.dup_ok = true,
	.parse_fields = snmpd_parse_fields,
	.edit = snmpd_edit,
};
