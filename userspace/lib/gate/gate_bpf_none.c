// SPDX-License-Identifier: MIT
/*
 * The bpf backend of a build without it (make BPF=0: no BPF object, no
 * libbpf): the Makefile builds this file instead of gate_bpf.c and
 * gate_bpf_load.c.  Opening and loading say so once, in words that name
 * the way out; every operation returns -EOPNOTSUPP (gate.h).
 */
#include "gate/gate_internal.h"
#include "base/util.h"

static int none_unavailable(void)
{
	static bool said;

	if (said)
		return -EOPNOTSUPP;
	said = true;
	return log_error_errno(EOPNOTSUPP, "the bpf backend is not built in (built with BPF=0); "
			       "use the built-in LSM (--backend lsm)");
}

static int none_open(struct gate *g)
{
	(void)g;
	return none_unavailable();
}

static void none_close(struct gate *g)
{
	(void)g;
}

static int none_load(bool force)
{
	(void)force;
	return none_unavailable();
}

/* A gate is never opened with these: for completeness of the table. */
static int none_get_status(struct gate *g, struct gate_status *st)
{
	(void)g, (void)st;
	return -EOPNOTSUPP;
}

static int none_read_counters(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS])
{
	(void)g, (void)c;
	return -EOPNOTSUPP;
}

static int none_set_u32(struct gate *g, uint32_t v)
{
	(void)g, (void)v;
	return -EOPNOTSUPP;
}

static int none_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	(void)g, (void)allow;
	return -EOPNOTSUPP;
}

static int none_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	(void)g, (void)allow;
	return -EOPNOTSUPP;
}

static int none_lock(struct gate *g)
{
	(void)g;
	return -EOPNOTSUPP;
}

static int none_events_open(struct gate *g, struct gate_events *ev)
{
	(void)g, (void)ev;
	return -EOPNOTSUPP;
}

static int none_events_poll(struct gate_events *ev, int timeout_ms)
{
	(void)ev, (void)timeout_ms;
	return -EOPNOTSUPP;
}

static void none_events_free(struct gate_events *ev)
{
	(void)ev;
}

const struct gate_ops gate_bpf_ops = {
	.backend = CG_BACKEND_BPF,
	.open = none_open,
	.close = none_close,
	.get_status = none_get_status,
	.read_counters = none_read_counters,
	.set_state = none_set_u32,
	.set_mode = none_set_u32,
	.get_allow = none_get_allow,
	.set_allow = none_set_allow,
	.lock = none_lock,
	.load = none_load,
	.events_open = none_events_open,
	.events_poll = none_events_poll,
	.events_free = none_events_free,
};
