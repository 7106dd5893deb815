// SPDX-License-Identifier: MIT
/* credgate.conf's [audit] section applied to an audit (see audit.h). */
#include "audit/audit.h"
#include "config/config.h"
#include "base/util.h"

int audit_config_read(const char *root, const char *path, struct cg_config *c)
{
	_cleanup_free_ char *text = NULL, *name = NULL;
	size_t size;
	int r;

	r = cg_config_init(c);
	if (r < 0)
		return r;
	r = rooted_read(root, path, 1 << 20, &text, &size);
	if (r == -ENOENT)
		return 0;
	if (asprintf(&name, "%s%s", root && strcmp(root, "/") ? root : "", path) < 0)
		return -ENOMEM;
	if (r < 0)
		return log_error_errno(r, "%s: cannot read: %m", name);
	if (memchr(text, '\0', size))
		return log_error_errno(EINVAL, "%s: contains a NUL byte; not a configuration file", name);
	return cg_config_load_string(c, name, text);
}

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
