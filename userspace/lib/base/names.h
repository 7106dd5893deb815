/* SPDX-License-Identifier: MIT */
/*
 * The vocabulary: one enum and one name table per concept that the
 * configuration, the CLI, the agent, JSON and logs share.  A name is
 * spelled here and nowhere else; credgate.conf(5), the JSON of
 * `credgate audit --json` and the Varlink replies use these names.
 *
 * The gate's own concepts (state, mode, hook, action, protocol) are shared
 * with the kernel and live in <credgate/policy.h> with their names;
 * cg_mode_from_name() and friends below parse those names.
 */
#ifndef CREDGATE_NAMES_H
#define CREDGATE_NAMES_H

#include <stddef.h>

/* Which implementation of the gate the device runs. */
enum cg_backend {
	CG_BACKEND_AUTO = 0,	/* detect: the built-in LSM, else BPF LSM */
	CG_BACKEND_LSM,		/* security/credgate, built into the kernel */
	CG_BACKEND_BPF,		/* bpf/credgate.bpf.c loaded by the agent */
	CG_BACKEND_NONE,	/* audit and publish only, no gate */
	_CG_BACKEND_MAX,
};

/*
 * How hard an audit looks.  Fast: blank, locked, the exact-hash table,
 * the factory-default lists and the device-derived candidates.  Full adds
 * the sequential and common-password tiers (docs/audit.md).
 */
enum cg_depth {
	CG_DEPTH_FAST = 0,
	CG_DEPTH_FULL,
	_CG_DEPTH_MAX,
};

/* The verdict an audit gives one account; bit numbers of close_on. */
enum cg_verdict {
	CG_VERDICT_OK = 0,
	CG_VERDICT_LOCKED,	/* no password login possible */
	CG_VERDICT_BLANK,
	CG_VERDICT_DEFAULT,
	CG_VERDICT_DERIVED,
	CG_VERDICT_SEQUENTIAL,
	CG_VERDICT_COMMON,
	CG_VERDICT_UNKNOWN,	/* could not be judged: a hash this build cannot verify */
	CG_VERDICT_NOAUTH,	/* a service lets clients in without any password */
	_CG_VERDICT_MAX,
};

/*
 * What migration does to an offending account (credgate migrate --policy,
 * [migration] first_boot).  NONE: leave it (first_boot only).
 */
enum cg_policy {
	CG_POLICY_NONE = 0,	/* leave the account as it is (first_boot only) */
	CG_POLICY_RANDOM,	/* unique random password, plaintext to the operator */
	CG_POLICY_USER,		/* expire: the user defines the password before use */
	CG_POLICY_LOCK,		/* "!" before the hash: no password login */
	_CG_POLICY_MAX,
};

/* A concept's names, indexed by value (NULL: no such value). */
struct cg_names {
	const char *const *name;
	const char *(*fn)(unsigned int v);	/* instead of name[] */
	unsigned int n;
};

extern const struct cg_names cg_backend_names, cg_depth_names, cg_verdict_names,
	cg_policy_names, cg_mode_names;

/* Name of @v ("?" for a value out of range); never NULL. */
const char *cg_name(const struct cg_names *t, unsigned int v);
/* Value of @s, or -EINVAL. */
int cg_from_name(const struct cg_names *t, const char *s);
/* "a, b, c" (@sep ", ") into @buf (truncated to @size), for messages. */
const char *cg_names_join(const struct cg_names *t, const char *sep, char *buf, size_t size);

static inline const char *cg_backend_name(enum cg_backend b)
{
	return cg_name(&cg_backend_names, b);
}

static inline const char *cg_depth_name(enum cg_depth d)
{
	return cg_name(&cg_depth_names, d);
}

static inline const char *cg_verdict_name(enum cg_verdict v)
{
	return cg_name(&cg_verdict_names, v);
}

static inline const char *cg_policy_name(enum cg_policy f)
{
	return cg_name(&cg_policy_names, f);
}

#endif
