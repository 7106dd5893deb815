// SPDX-License-Identifier: MIT
/*
 * /etc/shadow: name:password:lastchg:min:max:warn:inactive:expire:reserved
 * (shadow(5)).  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

/* Fields 3..8 hold days: empty or a decimal number. */
static const char *const shadow_numeric_why[9] = {
	[2] = "field 3 (last change) is not a number of days",
	[3] = "field 4 (minimum age) is not a number of days",
	[4] = "field 5 (maximum age) is not a number of days",
	[5] = "field 6 (warning period) is not a number of days",
	[6] = "field 7 (inactivity period) is not a number of days",
	[7] = "field 8 (expiration date) is not a number of days",
};

static int shadow_parse_line(const char *line, size_t len, struct store_span *user,
			     struct store_span *hash, const char **why)
{
	struct store_span f[9];
	int r;

	r = store_colon_entry(line, len, f, ARRAY_SIZE(f), "name:password:lastchange:min:max:warn:inactive:expire:reserved", why);
	if (r)
		return r;
	for (size_t i = 2; i < 8; i++)
		if (f[i].len && !store_field_is_uint(line + f[i].off, f[i].len)) {
			*why = shadow_numeric_why[i];
			return -EINVAL;
		}
	*user = f[0];
	*hash = f[1];
	return 0;
}

const struct store_ops store_shadow_ops = {
	.name = "shadow",
	.default_path = "/etc/shadow",
	.parse_line = shadow_parse_line,
};
