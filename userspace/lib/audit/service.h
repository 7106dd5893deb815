/* SPDX-License-Identifier: MIT */
/*
 * The audit of the service stores (htdigest, plain, smbpasswd, mosquitto,
 * snmpd, hostapd; docs/audit.md "Service stores"): what a record's scheme
 * decides at once (plain text judged by lookup, no-password and disabled
 * states, the type's own defaults), and the tagged hash the dictionary
 * phase verifies otherwise.
 */
#ifndef CREDGATE_SERVICE_H
#define CREDGATE_SERVICE_H

#include <stdbool.h>

#include "audit/dict.h"
#include "base/names.h"
#include "store/store.h"

struct service_default {
	enum store_type type;
	const char *password;
	const char *origin;
};

struct service_verdict {
	enum cg_verdict verdict;
	char detail[384];
	char *vkey;	/* the tagged hash for the dictionary phase, NULL: decided */
};

/*
 * Judge @rec of @sf with the audit's dictionary: @d (its first @n_a the
 * defaults, then sequential, common) and @dev (derived from the device's identifiers; may be NULL).  Verification errors
 * are reported through @diag and counted in *n_errors (verdict unknown,
 * nothing cached).  0 or -ENOMEM; out->vkey is the caller's to free.
 */
int service_judge(const struct dict *d, size_t n_a, const struct dict *dev, const struct store_file *sf,
		  const struct store_record *rec, bool unknown_ok, store_diag_fn diag,
		  void *userdata, unsigned *n_errors, struct service_verdict *out);

/*
 * The tagged hash verify_digest.c reads (and the cache is keyed on) for a
 * hashed record (htdigest, NT, mosquitto, WPA PSK): *out is the caller's.
 * -EINVAL when the record has none (plain text, a PSK without an ssid).
 * migrate records the verdict of a new secret under it.
 */
int service_tagged_hash(const struct store_record *rec, char **out);

#endif
