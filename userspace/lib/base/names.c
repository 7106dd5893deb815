// SPDX-License-Identifier: MIT
/* The name tables of base/names.h. */
#include "base/names.h"
#include "base/util.h"

#include <credgate/policy.h>

static const char *const backend[] = {
	[CG_BACKEND_AUTO] = "auto", [CG_BACKEND_LSM] = "lsm",
	[CG_BACKEND_BPF] = "bpf", [CG_BACKEND_NONE] = "none",
};
static const char *const depth[] = {
	[CG_DEPTH_FAST] = "fast", [CG_DEPTH_FULL] = "full",
};
static const char *const verdict[] = {
	[CG_VERDICT_OK] = "ok", [CG_VERDICT_LOCKED] = "locked",
	[CG_VERDICT_BLANK] = "blank", [CG_VERDICT_DEFAULT] = "default",
	[CG_VERDICT_DERIVED] = "derived", [CG_VERDICT_SEQUENTIAL] = "sequential",
	[CG_VERDICT_COMMON] = "common", [CG_VERDICT_UNKNOWN] = "unknown",
	[CG_VERDICT_NOAUTH] = "noauth",
};
static const char *const policy[] = {
	[CG_POLICY_NONE] = "none", [CG_POLICY_RANDOM] = "random",
	[CG_POLICY_USER] = "user", [CG_POLICY_LOCK] = "lock",
};

_Static_assert(ARRAY_SIZE(backend) == _CG_BACKEND_MAX, "backend names");
_Static_assert(ARRAY_SIZE(depth) == _CG_DEPTH_MAX, "depth names");
_Static_assert(ARRAY_SIZE(verdict) == _CG_VERDICT_MAX, "verdict names");
_Static_assert(ARRAY_SIZE(policy) == _CG_POLICY_MAX, "policy names");

#define NAMES(t) { .name = (t), .n = ARRAY_SIZE(t) }
const struct cg_names cg_backend_names = NAMES(backend);
const struct cg_names cg_depth_names = NAMES(depth);
const struct cg_names cg_verdict_names = NAMES(verdict);
const struct cg_names cg_policy_names = NAMES(policy);

/* Gate modes are named in <credgate/policy.h>, shared with the kernel. */
static const char *mode_name(unsigned int m)
{
	return credgate_mode_name(m);
}

const struct cg_names cg_mode_names = { .fn = mode_name, .n = CREDGATE_MODE_OFF + 1 };

static const char *name_at(const struct cg_names *t, unsigned int i)
{
	return t->fn ? t->fn(i) : t->name[i];
}

const char *cg_name(const struct cg_names *t, unsigned int v)
{
	const char *s = v < t->n ? name_at(t, v) : NULL;

	return s ? s : "?";
}

int cg_from_name(const struct cg_names *t, const char *s)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (name_at(t, i) && !strcmp(name_at(t, i), s))
			return (int)i;
	return -EINVAL;
}

const char *cg_names_join(const struct cg_names *t, const char *sep, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (unsigned int i = 0; i < t->n; i++) {
		const char *s = name_at(t, i);
		int w;

		if (!s)
			continue;
		w = snprintf(buf + len, size - len, "%s%s", len ? sep : "", s);
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return buf;
}
