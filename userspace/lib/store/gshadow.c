// SPDX-License-Identifier: MIT
/*
 * /etc/gshadow: group:password:administrators:members (gshadow(5)).  A
 * group password lets non-members newgrp into the group.  The only code
 * that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static int gshadow_parse_line(const char *line, size_t len, struct store_span *user,
			      struct store_span *hash, const char **why)
{
	struct store_span f[4];
	int r;

	r = store_colon_entry(line, len, f, ARRAY_SIZE(f), "group:password:administrators:members", why);
	if (r)
		return r;
	*user = f[0];
	*hash = f[1];
	return 0;
}

const struct store_ops store_gshadow_ops = {
	.name = "gshadow",
	.default_path = "/etc/gshadow",
	.parse_line = gshadow_parse_line,
};
