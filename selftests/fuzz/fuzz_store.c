// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for one store parser, chosen at build time with
 * -DFUZZ_STORE_TYPE=STORE_SHADOW (etc.): never crash, and every record's
 * spans lie inside the input and match its copies.  Service stores: the
 * migration edits of every record for every policy lie inside its line,
 * sorted and not overlapping.
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

static void check_edits(const struct store_file *sf, const struct store_record *r)
{
	static const char nt_like[] = "0123456789ABCDEF0123456789ABCDEF";

	if (!store_type_is_service(sf->type))
		return;
	for (int k = STORE_EDIT_SECRET; k <= STORE_EDIT_EXPIRE; k++) {
		struct store_edit e[STORE_EDITS_MAX];
		const char *why = NULL;
		size_t end = r->line_span.off;
		int n = store_record_edit(sf, r, (enum store_edit_kind)k, nt_like, 0, e, &why);

		if (n == -EOPNOTSUPP && !why)
			abort();
		if (n < 0)
			continue;
		if (n > STORE_EDITS_MAX)
			abort();
		for (int i = 0; i < n; i++) {
			if (e[i].span.off < end ||
			    e[i].span.off + e[i].span.len > r->line_span.off + r->line_span.len ||
			    !memchr(e[i].text, '\0', sizeof(e[i].text)))
				abort();
			end = e[i].span.off + e[i].span.len;
		}
	}
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
		check_edits(sf, r);
	}
	store_file_free(sf);
	return 0;
}
