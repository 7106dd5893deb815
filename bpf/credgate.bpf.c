// SPDX-License-Identifier: GPL-2.0-only
/*
 * credgate BPF LSM backend: the gate policy of include/credgate/policy.h
 * enforced from lsm/socket_bind and lsm/socket_listen on stock kernels
 * (CONFIG_BPF_LSM, "bpf" in the active LSM list, BTF).
 *
 * CO-RE: the few kernel types used are declared below with
 * preserve_access_index; libbpf relocates every field access against the
 * running kernel's BTF, so one object loads on 6.1 and newer kernels and
 * builds for any architecture without a target vmlinux.h.
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
} __attribute__((preserve_access_index));

struct socket {
	struct sock *sk;
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

/* Decide, count, report; returns the LSM verdict. */
static __always_inline int judge(int hook, const struct credgate_addr *a)
{
	const struct credgate_config *cfg;
	const struct credgate_gate *g;
	__u32 zero = 0;
	int action;

	g = bpf_map_lookup_elem(&gate, &zero);
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!g || !cfg)
		return 0;	/* cannot happen for a 1-entry array */

	action = credgate_decide(g->state, cfg, hook, a);
	if (action == CREDGATE_ALLOW)
		return 0;
	report(hook, action, a);
	return action == CREDGATE_REFUSE ? -EACCES : 0;
}

SEC("lsm/socket_bind")
int BPF_PROG(credgate_bind, struct socket *sock,
	     struct sockaddr *address, int addrlen, int ret)
{
	struct credgate_addr a = {};
	int sk_family, sa_family;

	if (ret)
		return ret;	/* an earlier program already refused */

	sk_family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	sa_family = BPF_CORE_READ(address, sa_family);
	a.family = credgate_bind_family(sk_family, sa_family, addrlen);
	if (a.family == CREDGATE_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)address;

		a.port = bpf_ntohs(BPF_CORE_READ(sin, sin_port));
		bpf_core_read(a.addr, 4, &sin->sin_addr);
	} else if (a.family == CREDGATE_AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)address;

		a.port = bpf_ntohs(BPF_CORE_READ(sin6, sin6_port));
		bpf_core_read(a.addr, 16, &sin6->sin6_addr);
	} else {
		return 0;
	}
	return judge(CREDGATE_HOOK_BIND, &a);
}

SEC("lsm/socket_listen")
int BPF_PROG(credgate_listen, struct socket *sock, int backlog,
	     int ret)
{
	struct credgate_addr a = {};
	struct sock *sk;

	if (ret)
		return ret;

	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	a.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	a.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (a.family == CREDGATE_AF_INET) {
		bpf_core_read(a.addr, 4, &sk->__sk_common.skc_rcv_saddr);
	} else if (a.family == CREDGATE_AF_INET6) {
		/* No IPv6 in the kernel: no AF_INET6 sockets either. */
		if (!bpf_core_field_exists(sk->__sk_common.skc_v6_rcv_saddr))
			return 0;
		bpf_core_read(a.addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	} else {
		return 0;
	}
	return judge(CREDGATE_HOOK_LISTEN, &a);
}

char LICENSE[] SEC("license") = "GPL";
