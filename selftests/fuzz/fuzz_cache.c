// SPDX-License-Identifier: MIT
/* libFuzzer target for the audit cache file parser. */
#include "audit/audit.h"
#include "base/util.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct audit_cache c = { 0 };

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (audit_cache_parse(&c, copy, size) == 0)
		for (size_t i = 0; i < c.n; i++)
			if (!audit_cache_find(&c, c.e[i].key))
				abort();
	audit_cache_clear(&c);
	free(copy);
	return 0;
}
