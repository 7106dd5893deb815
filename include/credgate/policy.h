/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * credgate: the one gate policy.
 *
 * This header is compiled into the built-in LSM (kernel/), the BPF LSM
 * programs (bpf/) and userspace (CLI, agent, host unit tests).  The decision
 * is written once, here, as static inline functions over plain integers and
 * byte arrays so that all three can use it unchanged.
 *
 * Semantics, while the gate is closed and the mode is not "off", by the
 * family of the socket (credgate_family_rule(), the one family table):
 *  - local-only families (AF_UNIX, AF_NETLINK, AF_PACKET ...) are never
 *    gated;
 *  - inet families (AF_INET, AF_INET6, AF_SMC) are decided by address:
 *    bind() to a non-loopback address (wildcard included) with a non-zero
 *    port that is not allow-listed is refused, and so is listen() on a
 *    socket bound to one, unless its port is allow-listed (listen without
 *    bind autobinds to the wildcard address and port 0: refused); an
 *    allow-list entry names a protocol and a port (udp:68).  SCTP
 *    endpoints hold several addresses: every one of them is judged, at
 *    bind (sctp_bindx(), ASCONF ADD_IP) and at listen;
 *  - every other family, known to carry connections from other machines
 *    or unknown to this table, is refused at bind and listen.
 * Loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) is always allowed.
 * connect() is never gated.
 */
#ifndef _CREDGATE_POLICY_H
#define _CREDGATE_POLICY_H

#include <linux/types.h>

/* Address families: the values of <linux/socket.h>, a stable ABI. */
#define CREDGATE_AF_UNSPEC	0	/* in an event: address not readable */
#define CREDGATE_AF_UNIX	1
#define CREDGATE_AF_INET	2
#define CREDGATE_AF_AX25	3
#define CREDGATE_AF_IPX		4
#define CREDGATE_AF_APPLETALK	5
#define CREDGATE_AF_NETROM	6
#define CREDGATE_AF_ATMPVC	8
#define CREDGATE_AF_X25		9
#define CREDGATE_AF_INET6	10
#define CREDGATE_AF_ROSE	11
#define CREDGATE_AF_DECNET	12
#define CREDGATE_AF_KEY		15
#define CREDGATE_AF_NETLINK	16
#define CREDGATE_AF_PACKET	17
#define CREDGATE_AF_ATMSVC	20
#define CREDGATE_AF_RDS		21
#define CREDGATE_AF_PPPOX	24
#define CREDGATE_AF_LLC		26
#define CREDGATE_AF_CAN		29
#define CREDGATE_AF_TIPC	30
#define CREDGATE_AF_BLUETOOTH	31
#define CREDGATE_AF_IUCV	32
#define CREDGATE_AF_RXRPC	33
#define CREDGATE_AF_ISDN	34
#define CREDGATE_AF_PHONET	35
#define CREDGATE_AF_IEEE802154	36
#define CREDGATE_AF_CAIF	37
#define CREDGATE_AF_ALG		38
#define CREDGATE_AF_NFC		39
#define CREDGATE_AF_VSOCK	40
#define CREDGATE_AF_KCM		41
#define CREDGATE_AF_QIPCRTR	42
#define CREDGATE_AF_SMC		43
#define CREDGATE_AF_XDP		44
#define CREDGATE_AF_MCTP	45

/* What a closed gate does with bind() and listen() of a socket family. */
enum credgate_family_rule {
	CREDGATE_FAMILY_REFUSE = 0,	/* reachable from the network, or unknown */
	CREDGATE_FAMILY_LOCAL = 1,	/* no peer outside this machine */
	CREDGATE_FAMILY_INET = 2,	/* decided by inet address and port */
};

/*
 * The family table (docs/design.md gives the reason for every row).  A
 * family that is not listed is refused: new kernels add families, and a
 * gate that does not know one cannot prove it is local.
 */
static inline int credgate_family_rule(int family)
{
	switch (family) {
	case CREDGATE_AF_UNIX:		/* local IPC */
	case CREDGATE_AF_NETLINK:	/* kernel <-> user */
	case CREDGATE_AF_KEY:		/* PF_KEY, kernel <-> user */
	case CREDGATE_AF_ALG:		/* kernel crypto API */
	case CREDGATE_AF_PACKET:	/* DHCP clients; see design.md */
	case CREDGATE_AF_KCM:		/* no bind/listen; rides on TCP sockets */
	case CREDGATE_AF_QIPCRTR:	/* the SoC's own remote processors */
		return CREDGATE_FAMILY_LOCAL;
	case CREDGATE_AF_INET:
	case CREDGATE_AF_INET6:
	case CREDGATE_AF_SMC:		/* inet addresses, TCP fallback */
		return CREDGATE_FAMILY_INET;
	case CREDGATE_AF_AX25:		/* amateur radio */
	case CREDGATE_AF_NETROM:
	case CREDGATE_AF_ROSE:
	case CREDGATE_AF_IPX:
	case CREDGATE_AF_APPLETALK:
	case CREDGATE_AF_ATMPVC:	/* ATM */
	case CREDGATE_AF_ATMSVC:
	case CREDGATE_AF_X25:
	case CREDGATE_AF_DECNET:
	case CREDGATE_AF_RDS:		/* RDS over TCP or RDMA */
	case CREDGATE_AF_PPPOX:		/* PPPoE, L2TP, PPTP sessions */
	case CREDGATE_AF_LLC:		/* LLC2 over Ethernet */
	case CREDGATE_AF_CAN:		/* bus peers: ECUs, testers */
	case CREDGATE_AF_TIPC:		/* cluster, Ethernet/UDP bearers */
	case CREDGATE_AF_BLUETOOTH:	/* L2CAP, RFCOMM, SCO, ISO */
	case CREDGATE_AF_IUCV:		/* other z/VM guests */
	case CREDGATE_AF_RXRPC:		/* AFS over UDP */
	case CREDGATE_AF_ISDN:
	case CREDGATE_AF_PHONET:	/* cellular modems */
	case CREDGATE_AF_IEEE802154:	/* 6LoWPAN radios */
	case CREDGATE_AF_CAIF:		/* cellular modems */
	case CREDGATE_AF_NFC:		/* NFC LLCP */
	case CREDGATE_AF_VSOCK:		/* the hypervisor and other guests */
	case CREDGATE_AF_XDP:		/* raw frames from the wire */
	case CREDGATE_AF_MCTP:		/* other components, the managed host */
		return CREDGATE_FAMILY_REFUSE;
	}
	return CREDGATE_FAMILY_REFUSE;
}

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
 * Allow list: one bitmap over the whole 16-bit port space per protocol,
 * so the lookup is one load in every backend (no loop for the BPF
 * verifier) and there is no arbitrary limit on the number of entries.
 * An entry names a protocol and a port ("udp:68", "tcp:8443"):
 *  - udp covers bind() of UDP and UDP-Lite datagram sockets (UDP has no
 *    listen: an entry is a bind-only exemption, for DHCP clients);
 *  - tcp covers bind() and listen() of TCP and MPTCP stream sockets, and
 *    of AF_SMC sockets (SMC falls back to TCP);
 *  - sctp covers bind(), sctp_bindx() and listen() of SCTP sockets.
 * Any other socket (raw, ping, ...) on a non-loopback address with a
 * non-zero port is refused: no entry names it.
 */
enum credgate_proto {
	CREDGATE_PROTO_NONE = 0,	/* no entry covers it (zeroed: fail closed) */
	CREDGATE_PROTO_UDP = 1,
	CREDGATE_PROTO_TCP = 2,
	CREDGATE_PROTO_SCTP = 3,
	CREDGATE_PROTO_MAX,
};

/*
 * One bitmap per protocol, indexed by enum credgate_proto.  The slot of
 * CREDGATE_PROTO_NONE is never set and never read: it keeps the index
 * zero-based, which the BPF verifier can bound.
 */
#define CREDGATE_PORT_WORDS	(65536 / 32)
#define CREDGATE_ALLOW_WORDS	(CREDGATE_PROTO_MAX * CREDGATE_PORT_WORDS)

/* Protocol numbers and socket types the mapping below reads. */
#define CREDGATE_IPPROTO_TCP	6
#define CREDGATE_IPPROTO_UDP	17
#define CREDGATE_IPPROTO_SCTP	132
#define CREDGATE_IPPROTO_UDPLITE 136
#define CREDGATE_IPPROTO_MPTCP	262
#define CREDGATE_SOCK_STREAM	1
#define CREDGATE_SOCK_DGRAM	2
#define CREDGATE_SOCK_SEQPACKET	5

/* Entries allow-listed by default: DHCP clients, bind only. */
#define CREDGATE_DEFAULT_ALLOW_UDP	{ 68, 546 }

/* Which allow-list protocol covers a socket (family, type, protocol). */
static inline int credgate_proto(int sock_family, int type, int protocol)
{
	if (sock_family == CREDGATE_AF_SMC)
		return type == CREDGATE_SOCK_STREAM ? CREDGATE_PROTO_TCP :
						      CREDGATE_PROTO_NONE;
	if (sock_family != CREDGATE_AF_INET && sock_family != CREDGATE_AF_INET6)
		return CREDGATE_PROTO_NONE;
	if (type == CREDGATE_SOCK_DGRAM &&
	    (protocol == CREDGATE_IPPROTO_UDP ||
	     protocol == CREDGATE_IPPROTO_UDPLITE))
		return CREDGATE_PROTO_UDP;
	if (type == CREDGATE_SOCK_STREAM &&
	    (protocol == CREDGATE_IPPROTO_TCP ||
	     protocol == CREDGATE_IPPROTO_MPTCP))
		return CREDGATE_PROTO_TCP;
	if ((type == CREDGATE_SOCK_STREAM || type == CREDGATE_SOCK_SEQPACKET) &&
	    protocol == CREDGATE_IPPROTO_SCTP)
		return CREDGATE_PROTO_SCTP;
	return CREDGATE_PROTO_NONE;
}

static inline const char *credgate_proto_name(int proto)
{
	switch (proto) {
	case CREDGATE_PROTO_UDP:
		return "udp";
	case CREDGATE_PROTO_TCP:
		return "tcp";
	case CREDGATE_PROTO_SCTP:
		return "sctp";
	}
	return "none";
}

/* The protocol named by the @len bytes at @name, or -1. */
static inline int credgate_proto_parse(const char *name, int len)
{
	int proto, i;

	for (proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++) {
		const char *p = credgate_proto_name(proto);

		for (i = 0; i < len && p[i] && p[i] == name[i]; i++)
			;
		if (i == len && !p[i])
			return proto;
	}
	return -1;
}

/*
 * The settings frozen by "lock": mode and allow list.  The gate state is
 * kept apart (struct credgate_gate) because open/close must keep working
 * after lock; the BPF backend freezes the map holding this struct.
 */
struct credgate_config {
	__u32 mode;			/* enum credgate_mode */
	__u32 locked;			/* 1: mode and allow list frozen */
	__u32 allow[CREDGATE_ALLOW_WORDS];	/* [proto][port word] */
};

struct credgate_gate {
	__u32 state;			/* enum credgate_state */
};

/* An address as the decision sees it: network-order bytes, host-order port. */
struct credgate_addr {
	__u16 family;			/* see credgate_decide() */
	__u16 port;
	__u8 addr[16];			/* IPv4: first 4 bytes */
	__u8 proto;			/* enum credgate_proto of the socket */
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

/* The allow-list bitmaps (CREDGATE_ALLOW_WORDS words), wherever kept. */
static inline int credgate_allow_test(const __u32 *allow, int proto,
				      __u16 port)
{
	if (proto <= CREDGATE_PROTO_NONE || proto >= CREDGATE_PROTO_MAX)
		return 0;
	allow += proto * CREDGATE_PORT_WORDS;
	return (allow[port >> 5] >> (port & 31)) & 1;
}

static inline void credgate_allow_set(__u32 *allow, int proto, __u16 port,
				      int allowed)
{
	__u32 bit = 1U << (port & 31);

	if (proto <= CREDGATE_PROTO_NONE || proto >= CREDGATE_PROTO_MAX)
		return;
	allow += proto * CREDGATE_PORT_WORDS;
	if (allowed)
		allow[port >> 5] |= bit;
	else
		allow[port >> 5] &= ~bit;
}

static inline int credgate_port_allowed(const struct credgate_config *cfg,
					int proto, __u16 port)
{
	return credgate_allow_test(cfg->allow, proto, port);
}

static inline void credgate_port_set(struct credgate_config *cfg, int proto,
				     __u16 port, int allowed)
{
	credgate_allow_set(cfg->allow, proto, port, allowed);
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
 * Which family to read a bind() address of an inet-rule socket as, or 0
 * when the kernel rejects the address anyway (it then keeps its errno).
 * inet_bind() takes AF_INET, and AF_UNSPEC for compatibility; inet6_bind()
 * takes AF_INET6, and hands AF_INET to a protocol with its own bind (an
 * IPv6 SCTP socket binds IPv4 addresses); smc_bind() takes all three (its
 * internal TCP socket judges them).  Too-short addresses fail with
 * -EINVAL there.  Reading more than the kernel accepts only ever refuses
 * a bind the kernel would have rejected: it never lets one through.
 * (Not "sk_family": <net/sock.h> defines that name as a macro.)
 */
static inline int credgate_bind_family(int sock_family, int sa_family,
				       int addrlen)
{
	if (sock_family != CREDGATE_AF_INET &&
	    sock_family != CREDGATE_AF_INET6 &&
	    sock_family != CREDGATE_AF_SMC)
		return 0;
	if (sa_family == CREDGATE_AF_INET && addrlen >= CREDGATE_SIN_LEN)
		return CREDGATE_AF_INET;
	if (sa_family == CREDGATE_AF_UNSPEC && addrlen >= CREDGATE_SIN_LEN &&
	    sock_family != CREDGATE_AF_INET6)
		return CREDGATE_AF_INET;
	if (sa_family == CREDGATE_AF_INET6 &&
	    addrlen >= CREDGATE_SIN6_LEN_MIN &&
	    sock_family != CREDGATE_AF_INET)
		return CREDGATE_AF_INET6;
	return 0;
}

/*
 * The decision.  @state is the gate state, @cfg mode and allow list, @hook
 * the operation, @a the address being bound (bind) or already bound
 * (listen).  @a->family is the address family for inet-rule sockets, the
 * socket family for every other family, and CREDGATE_AF_UNSPEC when a
 * backend cannot read the address (refused: fail closed).  Returns an
 * enum credgate_action.
 */
static inline int credgate_decide(__u32 state,
				  const struct credgate_config *cfg,
				  int hook, const struct credgate_addr *a)
{
	int rule = credgate_family_rule(a->family);

	if (rule == CREDGATE_FAMILY_LOCAL)
		return CREDGATE_ALLOW;
	if (state == CREDGATE_OPEN || cfg->mode == CREDGATE_MODE_OFF)
		return CREDGATE_ALLOW;
	if (a->family == CREDGATE_AF_INET || a->family == CREDGATE_AF_INET6) {
		if (credgate_addr_is_loopback(a))
			return CREDGATE_ALLOW;
		if (hook == CREDGATE_HOOK_BIND && a->port == 0)
			return CREDGATE_ALLOW;	/* ephemeral: gated at listen */
		/* udp entries exempt bind only (DHCP clients). */
		if (a->port && credgate_port_allowed(cfg, a->proto, a->port) &&
		    (hook == CREDGATE_HOOK_BIND ||
		     a->proto != CREDGATE_PROTO_UDP))
			return CREDGATE_ALLOW;
	}
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
