// SPDX-License-Identifier: MIT
/*
 * htdigest files (Apache mod_auth_digest, lighttpd auth.backend "htdigest"):
 * user:realm:hex(MD5(user:realm:password)) per line.  As Apache reads them:
 * blanks around a line are ignored, '#' starts a comment, fields after a
 * third ':' are ignored.  One user may appear once per realm.  The only
 * code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static int htdigest_parse_fields(const char *line, size_t len, struct store_field *f,
				 const char **why)
{
	struct store_span s[4];
	size_t start = 0, end = len, n;

	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	if (start == end || line[start] == '#')
		return 0;
	n = store_split(line + start, end - start, ':', s, ARRAY_SIZE(s));
	if (n < 3) {
		*why = "missing fields: expected user:realm:digest (the digest is MD5(user:realm:password) in hex, as htdigest writes it)";
		return -EINVAL;
	}
	if (s[0].len == 0) {
		*why = "empty user name";
		return -EINVAL;
	}
	if (s[2].len != 32 || !store_field_is_hex(line + start + s[2].off, 32)) {
		*why = "field 3 is not an MD5 digest (32 hex digits); re-create the entry with htdigest";
		return -EINVAL;
	}
	for (size_t i = 0; i < 3; i++)
		s[i].off += start;
	f[0] = (struct store_field){
		.user = s[0], .salt = s[1], .hash = s[2],
		.scheme = STORE_SCHEME_HTDIGEST,
	};
	return 1;
}

const struct store_ops store_htdigest_ops = {
	.name = "htdigest",
	.crlf_ok = true,
	.parse_fields = htdigest_parse_fields,
};
