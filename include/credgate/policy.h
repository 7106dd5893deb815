/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * credgate: the one gate policy.
 *
 * This header is compiled into the built-in LSM (kernel/), the BPF LSM
 * programs (bpf/) and userspace (CLI, agent, host unit tests).  The decision
 * is written once, here, as static inline functions over plain integers and
 * byte arrays so that all three can use it unchanged.
 *
 * Semantics, while the gate is closed and the mode is not "off":
 *  - bind() of an AF_INET/AF_INET6 socket to a non-loopback address
 *    (wildcard included) with a non-zero port that is not allow-listed is
 *    refused;
 *  - listen() on an AF_INET/AF_INET6 socket whose bound address is not
 *    loopback is refused unless its bound port is allow-listed (listen
 *    without bind autobinds to the wildcard address and port 0: refused).
 * Loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) is always allowed.
 * Other families (AF_UNIX, AF_NETLINK, AF_PACKET ...) and connect() are
 * never gated.
 */
#ifndef _CREDGATE_POLICY_H
#define _CREDGATE_POLICY_H

#include <linux/types.h>

#define CREDGATE_AF_UNSPEC	0
#define CREDGATE_AF_INET	2
#define CREDGATE_AF_INET6	10

/* sizeof(struct sockaddr_in); SIN6_LEN_RFC2133 is the IPv6 minimum. */
#define CREDGATE_SIN_LEN	16
#define CREDGATE_SIN6_LEN_MIN	24

/* Gate state.  The gate starts closed. */
enum credgate_state {
	CREDGATE_CLOSED = 0,
	CREDGATE_OPEN = 1,
};

enum credgate_mode {
	CREDGATE_MODE_ENFORCE = 0,
	CREDGATE_MODE_PERMISSIVE = 1,	/* log and count, allow */
	CREDGATE_MODE_OFF = 2,
};

enum credgate_hook {
	CREDGATE_HOOK_BIND = 0,
	CREDGATE_HOOK_LISTEN = 1,
	CREDGATE_HOOK_MAX,
};

enum credgate_action {
	CREDGATE_ALLOW = 0,
	CREDGATE_REFUSE = 1,		/* enforce: the call fails (-EACCES) */
	CREDGATE_AUDIT = 2,		/* permissive: would refuse, allowed */
};

/* Counter slots: [hook][action - 1] for REFUSE and AUDIT. */
#define CREDGATE_NR_COUNTERS	(CREDGATE_HOOK_MAX * 2)

static inline int credgate_counter_index(int hook, int action)
{
	return hook * 2 + (action == CREDGATE_AUDIT);
}

/*
 * Allow list of ports: a bitmap over the whole 16-bit port space, so the
 * lookup is one load in every backend (no loop for the BPF verifier) and
 * there is no arbitrary limit on the number of ports.
 */
#define CREDGATE_PORT_WORDS	(65536 / 32)

/* Ports allow-listed by default: DHCP clients (68/udp, 546/udp). */
#define CREDGATE_DEFAULT_ALLOW_PORTS	{ 68, 546 }

/*
 * The settings frozen by "lock": mode and allow list.  The gate state is
 * kept apart (struct credgate_gate) because open/close must keep working
 * after lock; the BPF backend freezes the map holding this struct.
 */
struct credgate_config {
	__u32 mode;			/* enum credgate_mode */
	__u32 locked;			/* 1: mode and allow list frozen */
	__u32 allow[CREDGATE_PORT_WORDS];
};

struct credgate_gate {
	__u32 state;			/* enum credgate_state */
};

/* An address as the decision sees it: network-order bytes, host-order port. */
struct credgate_addr {
	__u16 family;			/* CREDGATE_AF_INET or CREDGATE_AF_INET6 */
	__u16 port;
	__u8 addr[16];			/* IPv4: first 4 bytes */
};

/* One refusal (or permissive would-be refusal), as reported by both backends. */
#define CREDGATE_COMM_LEN	16

struct credgate_event {
	__u64 ts_ns;			/* CLOCK_MONOTONIC / ktime_get_ns() */
	__u32 pid;			/* tgid */
	__u32 uid;			/* uid in the initial namespace */
	__u32 hook;			/* enum credgate_hook */
	__u32 action;			/* CREDGATE_REFUSE or CREDGATE_AUDIT */
	__u16 family;
	__u16 port;
	__u8 addr[16];
	char comm[CREDGATE_COMM_LEN];
};

/* The allow-list bitmap (CREDGATE_PORT_WORDS words), wherever it is kept. */
static inline int credgate_allow_test(const __u32 *allow, __u16 port)
{
	return (allow[port >> 5] >> (port & 31)) & 1;
}

static inline void credgate_allow_set(__u32 *allow, __u16 port, int allowed)
{
	__u32 bit = 1U << (port & 31);

	if (allowed)
		allow[port >> 5] |= bit;
	else
		allow[port >> 5] &= ~bit;
}

static inline int credgate_port_allowed(const struct credgate_config *cfg,
					__u16 port)
{
	return credgate_allow_test(cfg->allow, port);
}

static inline void credgate_port_set(struct credgate_config *cfg, __u16 port,
				     int allowed)
{
	credgate_allow_set(cfg->allow, port, allowed);
}

static inline int credgate_addr_is_loopback(const struct credgate_addr *a)
{
	const __u8 *b = a->addr;
	int i;

	if (a->family == CREDGATE_AF_INET)
		return b[0] == 127;

	/* ::1 and ::ffff:127.0.0.0/104 share ten leading zero bytes. */
	for (i = 0; i < 10; i++)
		if (b[i])
			return 0;
	if (b[10] == 0xff && b[11] == 0xff)
		return b[12] == 127;
	if (b[10] || b[11] || b[12] || b[13] || b[14])
		return 0;
	return b[15] == 1;
}

/*
 * Which family to read a bind() address as, or 0 when the call is not
 * gated.  It mirrors the kernel's own acceptance rules so that a bind the
 * kernel rejects anyway is left to the kernel (and keeps its errno):
 * inet_bind() takes AF_INET, and AF_UNSPEC for compatibility; inet6_bind()
 * takes only AF_INET6.  Too-short addresses fail with -EINVAL there.
 * (Not "sk_family": <net/sock.h> defines that name as a macro.)
 */
static inline int credgate_bind_family(int sock_family, int sa_family,
				       int addrlen)
{
	if (sock_family == CREDGATE_AF_INET) {
		if (addrlen < CREDGATE_SIN_LEN)
			return 0;
		if (sa_family != CREDGATE_AF_INET &&
		    sa_family != CREDGATE_AF_UNSPEC)
			return 0;
		return CREDGATE_AF_INET;
	}
	if (sock_family == CREDGATE_AF_INET6) {
		if (addrlen < CREDGATE_SIN6_LEN_MIN ||
		    sa_family != CREDGATE_AF_INET6)
			return 0;
		return CREDGATE_AF_INET6;
	}
	return 0;
}

/*
 * The decision.  @state is the gate state, @cfg mode and allow list, @hook
 * the operation, @a the address being bound (bind) or already bound
 * (listen).  Returns an enum credgate_action.
 */
static inline int credgate_decide(__u32 state,
				  const struct credgate_config *cfg,
				  int hook, const struct credgate_addr *a)
{
	if (a->family != CREDGATE_AF_INET && a->family != CREDGATE_AF_INET6)
		return CREDGATE_ALLOW;
	if (state == CREDGATE_OPEN || cfg->mode == CREDGATE_MODE_OFF)
		return CREDGATE_ALLOW;
	if (credgate_addr_is_loopback(a))
		return CREDGATE_ALLOW;
	if (hook == CREDGATE_HOOK_BIND && a->port == 0)
		return CREDGATE_ALLOW;	/* ephemeral: gated again at listen */
	if (a->port && credgate_port_allowed(cfg, a->port))
		return CREDGATE_ALLOW;
	if (cfg->mode == CREDGATE_MODE_PERMISSIVE)
		return CREDGATE_AUDIT;
	return CREDGATE_REFUSE;
}

/* Names shared by securityfs, the CLI, the agent and JSON output. */
static inline const char *credgate_state_name(__u32 state)
{
	return state == CREDGATE_OPEN ? "open" : "closed";
}

static inline const char *credgate_mode_name(__u32 mode)
{
	switch (mode) {
	case CREDGATE_MODE_ENFORCE:
		return "enforce";
	case CREDGATE_MODE_PERMISSIVE:
		return "permissive";
	case CREDGATE_MODE_OFF:
		return "off";
	}
	return "invalid";
}

static inline const char *credgate_hook_name(__u32 hook)
{
	return hook == CREDGATE_HOOK_LISTEN ? "listen" : "bind";
}

/* The word for a refusal in log lines: "refused" or "audited" (permissive). */
static inline const char *credgate_action_name(__u32 action)
{
	return action == CREDGATE_AUDIT ? "audited" : "refused";
}

/* Counter slot names, as securityfs "stats", the CLI and JSON spell them. */
static inline const char *credgate_counter_name(int idx)
{
	switch (idx) {
	case 0:
		return "bind_refused";
	case 1:
		return "bind_audited";
	case 2:
		return "listen_refused";
	case 3:
		return "listen_audited";
	}
	return "invalid";
}

#endif /* _CREDGATE_POLICY_H */
