// SPDX-License-Identifier: GPL-2.0-only
/*
 * credgate BPF LSM backend: the gate policy of include/credgate/policy.h
 * enforced from lsm/socket_bind, lsm/socket_listen and
 * lsm/sctp_bind_connect on stock kernels (CONFIG_BPF_LSM, "bpf" in the
 * active LSM list, BTF).
 *
 * CO-RE: the few kernel types used are declared below with
 * preserve_access_index; libbpf relocates every field access against the
 * running kernel's BTF, so one object loads on 6.1 and newer kernels and
 * builds for any architecture without a target vmlinux.h.  SCTP and SMC
 * types live in the sctp and smc modules: libbpf finds them in module BTF
 * when the module is loaded before the programs are.  When it was not,
 * bpf_core_type_exists() is false and the programs refuse what they cannot
 * read (every SCTP or SMC listen while the gate is closed): fail closed.
 *
 * Maps (pinned by the loader under /sys/fs/bpf/credgate/):
 *   gate    1 x struct credgate_gate     open/close, never frozen
 *   config  1 x struct credgate_config   mode + allow list, frozen by lock
 *   stats   per-CPU counters, credgate_counter_index() order
 *   events  ring buffer of struct credgate_event (refusals and audits)
 * Array maps start zeroed: state closed, mode enforce, empty allow list, so
 * the programs fail closed even before the loader fills in the defaults.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include <credgate/policy.h>

#define EACCES 13
#define IPPROTO_SCTP CREDGATE_IPPROTO_SCTP
#define SOCK_STREAM CREDGATE_SOCK_STREAM
#define SOCK_SEQPACKET CREDGATE_SOCK_SEQPACKET
#define SCTP_SOCKOPT_BINDX_ADD 100	/* <uapi/linux/sctp.h> */
#define SCTP_PARAM_ADD_IP_HOST 0xc001	/* <linux/sctp.h>, network order */
#define SIN_LEN 16
#define SIN6_LEN 28			/* sizeof(struct sockaddr_in6) */

/* Longest SCTP address list walked; a longer one cannot be proved local. */
#define CREDGATE_SCTP_MAX_ADDRS 16

/* Kernel types, relocated by name against the running kernel's BTF. */
struct in6_addr {
	__u8 s6_addr[16];
} __attribute__((preserve_access_index));

struct sockaddr {
	unsigned short sa_family;
} __attribute__((preserve_access_index));

struct in_addr {
	__be32 s_addr;
} __attribute__((preserve_access_index));

struct sockaddr_in {
	unsigned short sin_family;
	__be16 sin_port;
	struct in_addr sin_addr;
} __attribute__((preserve_access_index));

struct sockaddr_in6 {
	unsigned short sin6_family;
	__be16 sin6_port;
	struct in6_addr sin6_addr;
} __attribute__((preserve_access_index));

/* Fields inside anonymous unions in the kernel: libbpf finds them by name. */
struct sock_common {
	__be32 skc_rcv_saddr;
	__u16 skc_num;			/* bound local port, host order */
	unsigned short skc_family;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	__u16 sk_type;
	__u16 sk_protocol;
} __attribute__((preserve_access_index));

struct socket {
	struct sock *sk;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next;
} __attribute__((preserve_access_index));

/* SCTP (module sctp): the endpoint's bound address list. */
union sctp_addr {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
	struct sockaddr sa;
} __attribute__((preserve_access_index));

struct sctp_sockaddr_entry {
	struct list_head list;
	union sctp_addr a;
} __attribute__((preserve_access_index));

struct sctp_bind_addr {
	struct list_head address_list;
} __attribute__((preserve_access_index));

struct sctp_ep_common {
	struct sctp_bind_addr bind_addr;
} __attribute__((preserve_access_index));

struct sctp_endpoint {
	struct sctp_ep_common base;
} __attribute__((preserve_access_index));

struct sctp_sock {
	struct sctp_endpoint *ep;
} __attribute__((preserve_access_index));

/* SMC (module smc): the internal TCP socket that really listens. */
struct smc_sock {
	struct socket *clcsock;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct credgate_gate);
} gate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct credgate_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CREDGATE_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

static __always_inline void report(int hook, int action,
				   const struct credgate_addr *a)
{
	__u32 idx = credgate_counter_index(hook, action);
	struct credgate_event *e;
	__u64 *count;

	count = bpf_map_lookup_elem(&stats, &idx);
	if (count)
		*count += 1;	/* per-CPU slot, no other writer */

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;		/* ring full: the counter still tells */
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->hook = hook;
	e->action = action;
	e->family = a->family;
	e->port = a->port;
	__builtin_memcpy(e->addr, a->addr, sizeof(e->addr));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

/* Decide; returns an enum credgate_action. */
static __always_inline int decide(int hook, const struct credgate_addr *a)
{
	const struct credgate_config *cfg;
	const struct credgate_gate *g;
	__u32 zero = 0;

	g = bpf_map_lookup_elem(&gate, &zero);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!g || !cfg)
		return CREDGATE_REFUSE;	/* cannot happen for a 1-entry array */
	return credgate_decide(g->state, cfg, hook, a);
}

/* Count and report a verdict; returns the LSM verdict. */
static __always_inline int apply(int hook, int action,
				 const struct credgate_addr *a)
{
	if (action == CREDGATE_ALLOW)
		return 0;
	report(hook, action, a);
	return action == CREDGATE_REFUSE ? -EACCES : 0;
}

static __always_inline int judge(int hook, const struct credgate_addr *a)
{
	return apply(hook, decide(hook, a), a);
}

/* Refused by family, or unreadable (CREDGATE_AF_UNSPEC). */
static __always_inline int judge_family(int hook, int family)
{
	struct credgate_addr a = {};

	a.family = family;
	return judge(hook, &a);
}

/* An address as the kernel holds it (struct sockaddr_in/_in6 at @sa). */
static __always_inline void read_sockaddr(const void *sa, int family,
					  struct credgate_addr *a)
{
	a->family = family;
	if (family == CREDGATE_AF_INET) {
		const struct sockaddr_in *sin = sa;

		a->port = bpf_ntohs(BPF_CORE_READ(sin, sin_port));
		bpf_core_read(a->addr, 4, &sin->sin_addr);
	} else if (family == CREDGATE_AF_INET6) {
		const struct sockaddr_in6 *sin6 = sa;

		a->port = bpf_ntohs(BPF_CORE_READ(sin6, sin6_port));
		bpf_core_read(a->addr, 16, &sin6->sin6_addr);
	}
}

/* The allow-list protocol of a socket (credgate_proto()). */
static __always_inline int sock_proto(struct sock *sk, int family)
{
	return credgate_proto(family, BPF_CORE_READ(sk, sk_type),
			      BPF_CORE_READ(sk, sk_protocol));
}

SEC("lsm/socket_bind")
int BPF_PROG(credgate_bind, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	struct credgate_addr a = {};
	int sk_family, sa_family, family;

	if (ret)
		return ret;	/* an earlier program already refused */

	sk_family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	switch (credgate_family_rule(sk_family)) {
	case CREDGATE_FAMILY_LOCAL:
		return 0;
	case CREDGATE_FAMILY_INET:
		break;
	default:
		return judge_family(CREDGATE_HOOK_BIND, sk_family);
	}
	sa_family = addrlen >= 2 ? BPF_CORE_READ(address, sa_family) : 0;
	family = credgate_bind_family(sk_family, sa_family, addrlen);
	if (!family)
		return 0;	/* the kernel rejects this address */
	read_sockaddr(address, family, &a);
	a.proto = sock_proto(BPF_CORE_READ(sock, sk), sk_family);
	return judge(CREDGATE_HOOK_BIND, &a);
}

/* The bound address of an inet socket, as listen() sees it. */
static __always_inline void read_bound(struct sock *sk, int family,
				       struct credgate_addr *a)
{
	a->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (family == CREDGATE_AF_INET) {
		a->family = CREDGATE_AF_INET;
		bpf_core_read(a->addr, 4, &sk->__sk_common.skc_rcv_saddr);
	} else if (family == CREDGATE_AF_INET6 &&
		   bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr)) {
		a->family = CREDGATE_AF_INET6;
		bpf_core_read(a->addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	}
	/* else CREDGATE_AF_UNSPEC: refused */
}

/* SOCK_RAW sockets may name IPPROTO_SCTP too: they are no sctp_sock. */
static __always_inline int is_sctp(struct sock *sk)
{
	int type = BPF_CORE_READ(sk, sk_type);

	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_SCTP &&
	       (type == SOCK_STREAM || type == SOCK_SEQPACKET);
}

/* One address of an SCTP list or bindx array. */
static __always_inline void read_sctp_addr(const union sctp_addr *sa,
					   struct credgate_addr *a)
{
	/*
	 * Every member of union sctp_addr starts with the sockaddr family; read
	 * it through struct sockaddr, which vmlinux BTF always has (the union
	 * lives in the sctp module's BTF, absent when it is not loaded).
	 */
	int family = BPF_CORE_READ((const struct sockaddr *)sa, sa_family);

	__builtin_memset(a, 0, sizeof(*a));
	if (family == CREDGATE_AF_INET || family == CREDGATE_AF_INET6)
		read_sockaddr(sa, family, a);
	a->proto = CREDGATE_PROTO_SCTP;
}

static __always_inline int sctp_types_known(void)
{
	if (!bpf_core_type_exists(struct sctp_sock))
		return 0;
	if (!bpf_core_type_exists(struct sctp_endpoint))
		return 0;
	return bpf_core_type_exists(struct sctp_sockaddr_entry);
}

/*
 * listen() on an SCTP endpoint: every bound address must pass.  The list
 * is walked for at most CREDGATE_SCTP_MAX_ADDRS entries; a longer list,
 * or one this object cannot read (sctp module not loaded at load time),
 * cannot be proved loopback-only and is refused.  An empty list means
 * listen() autobinds to the wildcard address: refused.
 */
static __always_inline int sctp_listen(struct sock *sk, int family)
{
	struct credgate_addr a = {};
	struct list_head *head, *pos;
	__u16 port;
	int i, action = CREDGATE_ALLOW;

	/*
	 * Each type the walk reads must be known, not only sctp_sock: on
	 * Debian's 6.1 without the sctp module loaded, a check of sctp_sock
	 * alone let sctp_sockaddr_entry.list go unresolved on a live path,
	 * which fails the whole object's load (seen in make demo).
	 */
	if (!sctp_types_known())
		return judge_family(CREDGATE_HOOK_LISTEN, CREDGATE_AF_UNSPEC);

	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	head = (void *)BPF_CORE_READ((struct sctp_sock *)sk, ep) +
	       bpf_core_field_offset(struct sctp_endpoint,
				     base.bind_addr.address_list);
	pos = BPF_CORE_READ(head, next);
	if (pos == head) {
		a.family = family;	/* autobind: the wildcard address */
		a.proto = CREDGATE_PROTO_SCTP;
		return judge(CREDGATE_HOOK_LISTEN, &a);
	}
	for (i = 0; i < CREDGATE_SCTP_MAX_ADDRS; i++) {
		const struct sctp_sockaddr_entry *e;

		e = (void *)pos - bpf_core_field_offset(struct sctp_sockaddr_entry, list);
		read_sctp_addr(&e->a, &a);
		a.port = port;
		action = decide(CREDGATE_HOOK_LISTEN, &a);
		if (action != CREDGATE_ALLOW)
			return apply(CREDGATE_HOOK_LISTEN, action, &a);
		pos = BPF_CORE_READ(pos, next);
		if (pos == head)
			return 0;
	}
	return judge_family(CREDGATE_HOOK_LISTEN, CREDGATE_AF_UNSPEC);
}

/* AF_SMC: judged by the address of its internal TCP socket. */
static __always_inline int smc_listen(struct sock *sk)
{
	struct credgate_addr a = {};
	struct sock *clc;
	int family;

	if (!bpf_core_type_exists(struct smc_sock))
		return judge_family(CREDGATE_HOOK_LISTEN, CREDGATE_AF_UNSPEC);
	clc = BPF_CORE_READ((struct smc_sock *)sk, clcsock, sk);
	if (!clc)
		return judge_family(CREDGATE_HOOK_LISTEN, CREDGATE_AF_UNSPEC);
	family = BPF_CORE_READ(clc, __sk_common.skc_family);
	read_bound(clc, family, &a);
	a.proto = sock_proto(sk, CREDGATE_AF_SMC);
	return judge(CREDGATE_HOOK_LISTEN, &a);
}

SEC("lsm/socket_listen")
int BPF_PROG(credgate_listen, struct socket *sock, int backlog,
	     int ret)
{
	struct credgate_addr a = {};
	struct sock *sk;
	int family;

	if (ret)
		return ret;

	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return judge_family(CREDGATE_HOOK_LISTEN, CREDGATE_AF_UNSPEC);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	switch (credgate_family_rule(family)) {
	case CREDGATE_FAMILY_LOCAL:
		return 0;
	case CREDGATE_FAMILY_INET:
		break;
	default:
		return judge_family(CREDGATE_HOOK_LISTEN, family);
	}
	if (family == CREDGATE_AF_SMC)
		return smc_listen(sk);
	if (is_sctp(sk))
		return sctp_listen(sk, family);
	read_bound(sk, family, &a);
	a.proto = sock_proto(sk, family);
	return judge(CREDGATE_HOOK_LISTEN, &a);
}

/*
 * sctp_bindx(SCTP_BINDX_ADD_ADDR) (a packed array of sockaddr_in/_in6
 * that the kernel has already walked and sized) and ASCONF ADD_IP: each
 * address is judged like bind().  Port 0 in bindx means the endpoint's
 * port when it is already bound.  An array longer than
 * CREDGATE_SCTP_MAX_ADDRS cannot be walked here and is refused.
 */
SEC("lsm/sctp_bind_connect")
int BPF_PROG(credgate_sctp, struct sock *sk, int optname,
	     struct sockaddr *address, int addrlen, int ret)
{
	struct credgate_addr a = {};
	int i, off = 0, action;
	__u16 bound;

	if (ret)
		return ret;
	if (optname != SCTP_SOCKOPT_BINDX_ADD &&
	    optname != bpf_htons(SCTP_PARAM_ADD_IP_HOST))
		return 0;

	bound = BPF_CORE_READ(sk, __sk_common.skc_num);
	for (i = 0; i < CREDGATE_SCTP_MAX_ADDRS; i++) {
		const union sctp_addr *sa = (void *)address + off;
		int family, len;

		if (off >= addrlen)
			return 0;
		family = addrlen - off >= 2 ? BPF_CORE_READ(sa, sa.sa_family) : 0;
		len = family == CREDGATE_AF_INET ? SIN_LEN :
		      family == CREDGATE_AF_INET6 ? SIN6_LEN : 0;
		if (!len || len > addrlen - off)
			return judge_family(CREDGATE_HOOK_BIND, CREDGATE_AF_UNSPEC);
		read_sctp_addr(sa, &a);
		if (!a.port)
			a.port = bound;
		action = decide(CREDGATE_HOOK_BIND, &a);
		if (action != CREDGATE_ALLOW)
			return apply(CREDGATE_HOOK_BIND, action, &a);
		off += len;
	}
	if (off >= addrlen)
		return 0;
	return judge_family(CREDGATE_HOOK_BIND, CREDGATE_AF_UNSPEC);
}

char LICENSE[] SEC("license") = "GPL";
