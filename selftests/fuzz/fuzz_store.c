// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for one store parser, chosen at build time with
 * -DFUZZ_STORE_TYPE=STORE_SHADOW (etc.): never crash, and every record's
 * spans lie inside the input and match its copies.
 */
#include "store/store.h"
#include "base/util.h"

#include <stdint.h>

static void no_diag(void *ud, const char *path, unsigned line, const char *msg)
{
	(void)ud;
	(void)path;
	(void)line;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_file *sf = NULL;

	if (store_parse(FUZZ_STORE_TYPE, "/etc/fuzz", "fuzz", (const char *)data, size,
			no_diag, NULL, &sf) < 0)
		return 0;
	for (size_t i = 0; i < sf->n_records; i++) {
		const struct store_record *r = &sf->records[i];

		if (r->line_span.off + r->line_span.len > size ||
		    r->hash_span.off < r->line_span.off ||
		    r->hash_span.off + r->hash_span.len > r->line_span.off + r->line_span.len ||
		    r->user_span.off + r->user_span.len > size ||
		    strlen(r->hash) != r->hash_span.len ||
		    memcmp(r->hash, data + r->hash_span.off, r->hash_span.len) ||
		    memcmp(r->user, data + r->user_span.off, r->user_span.len))
			abort();
	}
	store_file_free(sf);
	return 0;
}
