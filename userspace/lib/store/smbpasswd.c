// SPDX-License-Identifier: MIT
/*
 * Samba's smbpasswd file (passdb backend smbpasswd):
 *   name:uid:LMHASH:NTHASH:[FLAGS      ]:LCT-XXXXXXXX:
 * Each hash field is 32 hex digits, 32 'X' (none set), or begins with
 * "NO PASSWORD".  FLAGS: 'U' user, 'D' disabled, 'N' no password needed,
 * 'W'/'S'/'I' trust accounts ...  '#' starts a comment line.  LCT is the
 * last change in hex seconds; 0 means "must change at next logon" to
 * Samba.  The NT field is the secret a migration rewrites (with the LM
 * field disabled, 'N' cleared and LCT set).  The only code that knows this
 * format.
 */
#include "store/store.h"
#include "base/util.h"

enum smb_hash { SMB_HASH_HEX, SMB_HASH_NONE, SMB_HASH_NOPASSWORD, SMB_HASH_BAD };

static enum smb_hash smb_hash_kind(const char *s, size_t len)
{
	size_t x = 0;

	if (len != 32)
		return SMB_HASH_BAD;
	if (!strncasecmp(s, "NO PASSWORD", 11))
		return SMB_HASH_NOPASSWORD;
	while (x < len && (s[x] == 'X' || s[x] == '*'))
		x++;
	if (x == len)
		return SMB_HASH_NONE;
	return store_field_is_hex(s, len) ? SMB_HASH_HEX : SMB_HASH_BAD;
}

static bool has_flag(const char *flags, size_t len, char c)
{
	return memchr(flags, c, len) != NULL;
}

static int smbpasswd_parse_fields(const char *line, size_t len, struct store_field *f,
				  const char **why)
{
	struct store_span s[8];
	enum smb_hash lm, nt;
	const char *flags;
	size_t n, flen;

	if (len == 0 || line[0] == '#')
		return 0;
	n = store_split(line, len, ':', s, ARRAY_SIZE(s));
	if (n < 6) {
		*why = "missing fields: expected name:uid:LMHASH:NTHASH:[FLAGS]:LCT-XXXXXXXX: (as smbpasswd writes it)";
		return -EINVAL;
	}
	if (s[0].len == 0) {
		*why = "empty user name in field 1";
		return -EINVAL;
	}
	if (!store_field_is_uint(line + s[1].off, s[1].len)) {
		*why = "field 2 (uid) is not a number";
		return -EINVAL;
	}
	lm = smb_hash_kind(line + s[2].off, s[2].len);
	nt = smb_hash_kind(line + s[3].off, s[3].len);
	if (lm == SMB_HASH_BAD) {
		*why = "field 3 (LM hash) is neither 32 hex digits, 32 'X' nor NO PASSWORD";
		return -EINVAL;
	}
	if (nt == SMB_HASH_BAD) {
		*why = "field 4 (NT hash) is neither 32 hex digits, 32 'X' nor NO PASSWORD";
		return -EINVAL;
	}
	flags = line + s[4].off;
	flen = s[4].len;
	if (flen < 2 || flags[0] != '[' || flags[flen - 1] != ']') {
		*why = "field 5 is not the account flags in brackets ([U          ]): an old-format smbpasswd file; convert it with pdbedit";
		return -EINVAL;
	}
	f[0] = (struct store_field){ .user = s[0], .hash = s[3], .what = "NT hash" };
	if (has_flag(flags, flen, 'D'))
		f[0].scheme = STORE_SCHEME_DISABLED;
	else if (nt == SMB_HASH_NOPASSWORD || has_flag(flags, flen, 'N') ||
		 (nt == SMB_HASH_NONE && lm == SMB_HASH_NOPASSWORD))
		f[0].scheme = STORE_SCHEME_NOPASSWORD;
	else if (nt == SMB_HASH_HEX)
		f[0].scheme = STORE_SCHEME_NT;
	else if (lm == SMB_HASH_HEX) {
		f[0].scheme = STORE_SCHEME_LM;
		f[0].hash = s[2];
		f[0].what = "LM hash";
	} else
		f[0].scheme = STORE_SCHEME_DISABLED;	/* no hash at all: no password login */
	return 1;
}

/* The fields of @rec's line, already parsed once: s[2] LM ... s[5] LCT. */
static int line_fields(const struct store_file *sf, const struct store_record *rec,
		       struct store_span s[8])
{
	const char *line = sf->data + rec->line_span.off;

	if (store_split(line, rec->line_span.len, ':', s, 8) < 6)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++)
		s[i].off += rec->line_span.off;
	return 0;
}

static bool is_lct(const char *s, size_t len)
{
	return len == 12 && !memcmp(s, "LCT-", 4) && store_field_is_hex(s + 4, 8);
}

/*
 * random: LM field disabled (32 'X', what smbpasswd writes without "lanman
 * auth"), the new NT hash, 'N' (no password needed) cleared, LCT now; as
 * one edit from the LM field to the LCT field.  lock: 'D' into the first
 * free flag position.  user: LCT 0, Samba's "must change at next logon".
 */
static int smbpasswd_edit(const struct store_file *sf, const struct store_record *rec,
			  enum store_edit_kind kind, const char *value, time_t now,
			  struct store_edit *e, const char **why)
{
	struct store_span s[8];
	const char *d = sf->data;
	char flags[STORE_EDIT_TEXT_MAX];
	char *sp;
	int n;

	if (line_fields(sf, rec, s) < 0)
		return -EINVAL;
	if (s[4].len >= sizeof(flags) - 80) {
		*why = "account flags field too long for a rewrite; fix it with pdbedit";
		return -EOPNOTSUPP;
	}
	memcpy(flags, d + s[4].off, s[4].len);
	flags[s[4].len] = '\0';
	switch (kind) {
	case STORE_EDIT_SECRET:
		if (strlen(value) != 32 || !store_field_is_hex(value, 32))
			return -EINVAL;
		for (char *p = flags + 1; *p && p[1]; p++)
			if (*p == 'N')
				*p = ' ';
		if (is_lct(d + s[5].off, s[5].len))
			n = snprintf(e->text, sizeof(e->text), "%s:%s:%s:LCT-%08llX",
				     "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", value, flags,
				     (unsigned long long)now);
		else
			n = snprintf(e->text, sizeof(e->text), "%s:%s:%s:%.*s",
				     "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", value, flags,
				     (int)s[5].len, d + s[5].off);
		if (n < 0 || (size_t)n >= sizeof(e->text))
			return -EINVAL;
		e->span = (struct store_span){ s[2].off, s[5].off + s[5].len - s[2].off };
		return 1;
	case STORE_EDIT_DISABLE:
		sp = memchr(flags + 1, ' ', s[4].len - 2);
		if (!sp) {
			*why = "no free position in the account flags for 'D'; disable it with smbpasswd -d";
			return -EOPNOTSUPP;
		}
		*sp = 'D';
		e->span = s[4];
		strcpy(e->text, flags);
		return 1;
	case STORE_EDIT_EXPIRE:
		if (!is_lct(d + s[5].off, s[5].len)) {
			*why = "no LCT-XXXXXXXX field to mark the password as expired; convert the file with pdbedit";
			return -EOPNOTSUPP;
		}
		e->span = s[5];
		strcpy(e->text, "LCT-00000000");
		return 1;
	}
	return -EINVAL;
}

const struct store_ops store_smbpasswd_ops = {
	.name = "smbpasswd",
	.parse_fields = smbpasswd_parse_fields,
	.edit = smbpasswd_edit,
};
