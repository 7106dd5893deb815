// SPDX-License-Identifier: MIT
/*
 * htpasswd files (Apache, lighttpd, nginx): user:hash per line, where hash is
 * crypt(3), $apr1$, {SHA} or bcrypt.  Like Apache, blanks around a line are
 * ignored, '#' starts a comment, and fields after a second ':' are ignored.
 * The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static int htpasswd_parse_line(const char *line, size_t len, struct store_span *user,
			       struct store_span *hash, const char **why)
{
	size_t start = 0, end = len, colon, hend;

	while (start < end && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	if (start == end || line[start] == '#')
		return 1;
	for (colon = start; colon < end && line[colon] != ':'; colon++)
		;
	if (colon == end) {
		*why = "missing ':' between user name and password hash (expected user:hash)";
		return -EINVAL;
	}
	if (colon == start) {
		*why = "empty user name";
		return -EINVAL;
	}
	for (hend = colon + 1; hend < end && line[hend] != ':'; hend++)
		;
	*user = (struct store_span){ start, colon - start };
	*hash = (struct store_span){ colon + 1, hend - colon - 1 };
	return 0;
}

const struct store_ops store_htpasswd_ops = {
	.name = "htpasswd",
	.default_path = NULL,
	.crlf_ok = true,
	.parse_line = htpasswd_parse_line,
};
