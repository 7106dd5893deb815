// SPDX-License-Identifier: MIT
/* libFuzzer target for OEM defaults lists (dict_parse_list). */
#include "audit/dict.h"
#include "base/util.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct dict d;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	dict_init(&d);
	dict_parse_list(&d, copy, size, "fuzz", NULL, NULL);
	for (size_t i = 0; i < d.n_exact; i++)
		if (dict_find_exact(&d, d.exact[i].hash) == NULL)
			abort();
	dict_clear(&d);
	free(copy);
	return 0;
}
