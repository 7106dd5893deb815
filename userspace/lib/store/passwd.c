// SPDX-License-Identifier: MIT
/*
 * /etc/passwd: name:password:uid:gid:gecos:home:shell (passwd(5)).  The
 * password field is usually "x" (see /etc/shadow), but BusyBox systems
 * without shadow keep the hash here.  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static int passwd_parse_line(const char *line, size_t len, struct store_span *user,
			     struct store_span *hash, const char **why)
{
	struct store_span f[7];
	int r;

	r = store_colon_entry(line, len, f, ARRAY_SIZE(f), "name:password:uid:gid:gecos:home:shell", why);
	if (r)
		return r;
	if (!store_field_is_uint(line + f[2].off, f[2].len)) {
		*why = "field 3 (uid) is not a number";
		return -EINVAL;
	}
	if (!store_field_is_uint(line + f[3].off, f[3].len)) {
		*why = "field 4 (gid) is not a number";
		return -EINVAL;
	}
	*user = f[0];
	*hash = f[1];
	return 0;
}

const struct store_ops store_passwd_ops = {
	.name = "passwd",
	.default_path = "/etc/passwd",
	.parse_line = passwd_parse_line,
};
