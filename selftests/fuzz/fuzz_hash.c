// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for hash classification and verification: an arbitrary
 * stored field (first line) checked against a password (the rest).  Slow
 * methods (PBKDF2 included) are skipped so the fuzzer explores parsing,
 * not key stretching.
 */
#include "base/util.h"
#include "audit/verify.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct verify_ctx vc;
	char *copy = malloc(size + 1), *pw;
	struct hash_info info;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	pw = strchr(copy, '\n');
	if (pw)
		*pw++ = '\0';
	else
		pw = copy + strlen(copy);
	hash_classify(copy, &info);
	(void)hash_is_complete(copy);
	if (info.kind == HASH_APR1 || info.kind == HASH_SHA1 || info.kind == HASH_HTDIGEST ||
	    info.kind == HASH_NT || info.kind == HASH_MOSQ_SHA512 ||
	    (info.kind == HASH_CRYPT && (!strcmp(info.method, "md5crypt") ||
					 !strcmp(info.method, "descrypt"))))
		(void)verify_password(&vc, &info, copy, pw);
	free(copy);
	return 0;
}
