// SPDX-License-Identifier: MIT
/* credgate.conf's [audit] section applied to an audit (see audit.h); the
 * file itself is read by cg_config_load() (config/config.h). */
#include "audit/audit.h"
#include "config/config.h"
#include "base/util.h"

int audit_opts_from_config(const struct cg_config *c, struct audit_opts *o,
			   struct audit_store_spec **stores)
{
	int r;

	*stores = NULL;
	/* Unset in the file: the caller's default (credgated: full in the
	 * background; credgate audit: fast). */
	if (c->audit.depth_explicit)
		o->depth = c->audit.depth == CG_DEPTH_FULL ? CG_DEPTH_FULL : CG_DEPTH_FAST;
	o->unknown_ok = !(c->audit.close_on & (1u << CG_VERDICT_UNKNOWN));
	o->max_candidates = c->audit.max_words;
	o->sequential_max = (unsigned)c->audit.sequential_max;
	o->stores = NULL;
	o->n_stores = 0;
	/* Not named in the file: the audit's own defaults, where a missing
	 * gshadow is no error (BusyBox systems have none). */
	if (!c->audit.stores_explicit)
		return 0;
	*stores = calloc(c->audit.n_stores + 1, sizeof(**stores));
	if (!*stores)
		return -ENOMEM;
	for (size_t i = 0; i < c->audit.n_stores; i++) {
		r = store_type_from_name(c->audit.stores[i].type, &(*stores)[i].type);
		if (r < 0)
			return log_error_errno(r, "store type '%s' unknown", c->audit.stores[i].type);
		(*stores)[i].path = c->audit.stores[i].path;
	}
	o->stores = *stores;
	o->n_stores = c->audit.n_stores;
	return 0;
}
