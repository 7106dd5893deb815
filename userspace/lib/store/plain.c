// SPDX-License-Identifier: MIT
/*
 * Plain-text password files (lighttpd auth.backend "plain"): user:password
 * per line, the password being the rest of the line after the first ':'
 * (it may hold ':' itself).  '#' in the first column starts a comment;
 * nothing is trimmed, a blank is part of the password.  The only code that
 * knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static int plain_parse_fields(const char *line, size_t len, struct store_field *f,
			      const char **why)
{
	const char *colon;

	if (len == 0 || line[0] == '#')
		return 0;
	colon = memchr(line, ':', len);
	if (!colon) {
		*why = "missing ':' between user name and password (expected user:password)";
		return -EINVAL;
	}
	if (colon == line) {
		*why = "empty user name";
		return -EINVAL;
	}
	f[0] = (struct store_field){
		.user = { 0, (size_t)(colon - line) },
		.hash = { (size_t)(colon - line) + 1, len - (size_t)(colon - line) - 1 },
		.scheme = STORE_SCHEME_PLAIN,
	};
	return 1;
}

const struct store_ops store_plain_ops = {
	.name = "plain",
	.parse_fields = plain_parse_fields,
};
