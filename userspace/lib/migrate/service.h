/* SPDX-License-Identifier: MIT */
/*
 * Migration of the service stores' secrets (docs/migration.md "Service
 * stores"): the secret field each format stores for a new password, and
 * the edits of one record for each policy.
 */
#ifndef CREDGATE_MIGRATE_SERVICE_H
#define CREDGATE_MIGRATE_SERVICE_H

#include "base/names.h"
#include "store/store.h"

struct service_plan {
	struct store_edit e[STORE_EDITS_MAX];
	size_t n;
	char *vkey;		/* random, hashed formats: the new tagged hash (service.h), caller frees */
	const char *what;	/* random: what the new password is ("community string", ...) */
};

/*
 * The edits of @rec for @policy; with CG_POLICY_RANDOM, @password is the
 * new plaintext (judged clean by the caller), stored as the format stores
 * it (htdigest MD5, NT hash, mosquitto $7$, WPA PSK, or plain text) and
 * checked with the audit's own verifier before it is returned.  0, or
 * -EOPNOTSUPP with *why set (static text) when @rec cannot be migrated
 * that way, or another negative errno.
 */
int service_plan(const struct store_file *sf, const struct store_record *rec,
		 enum cg_policy policy, const char *password, time_t now,
		 struct service_plan *out, const char **why);

#endif
