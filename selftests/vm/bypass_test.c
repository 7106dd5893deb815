// SPDX-License-Identifier: MIT
/*
 * In-VM tests of the ways past a closed gate that issue 11 found, on both
 * backends: SCTP extra addresses (sctp_bindx() after a loopback listen,
 * [public, loopback] then listen, IPv4 addresses on an IPv6 socket),
 * AF_SMC, TCP on the DHCP client ports (allow-listed for UDP binds only),
 * and a family refused by family (AF_TIPC); raw and ping sockets (judged
 * by address, their protocol or ICMP identifier as the port, never
 * exempt); services in a new network namespace (its own addresses, and a
 * veth pair reached from the initial namespace).  Each is refused while
 * the gate is closed, allowed while it is open, and counted.  A kernel
 * without the protocol gives SKIP with the reason.  Local-only families
 * (netlink, AF_PACKET raw, cooked and SOCK_PACKET) stay allowed.
 *
 * The bpf backend reads SCTP and SMC structures through module BTF: the
 * suite inserts sctp, smc and tipc before it loads the gate
 * (run-suite.sh).
 */
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <fcntl.h>
#include <sched.h>

#include "gate_helpers.h"
#include "kselftest_harness.h"

#ifndef SOL_SCTP
#define SOL_SCTP		132
#endif
#define SCTP_SOCKOPT_BINDX_ADD	100	/* <linux/sctp.h>, no libsctp needed */
#define SMCPROTO_SMC		0	/* net/smc/smc.h: IPv4 */
#define SMCPROTO_SMC6		1	/* IPv6 */

FIXTURE(bypass) {
	struct gate *g;
	uint64_t before[CREDGATE_NR_COUNTERS];
};

FIXTURE_SETUP(bypass)
{
	int r = open_test_gate(&self->g);

	ASSERT_EQ(0, r) TH_LOG("cannot open the gate: %s", strerror(-r));
	ASSERT_EQ(0, setup_test_net()) TH_LOG("no test addresses " TEST_ADDR4 "/" TEST_ADDR6);
	reset_gate(self->g);
	ASSERT_EQ(0, gate_read_counters(self->g, self->before));
}

FIXTURE_TEARDOWN(bypass)
{
	reset_gate(self->g);
	gate_close(self->g);
}

#define EXPECT_DELTA(br, ba, lr, la) do { \
	uint64_t _d[CREDGATE_NR_COUNTERS]; \
	ASSERT_EQ(0, counter_delta(self->g, self->before, _d)); \
	EXPECT_EQ((uint64_t)(br), _d[IDX_BIND_REFUSED]); \
	EXPECT_EQ((uint64_t)(ba), _d[IDX_BIND_AUDITED]); \
	EXPECT_EQ((uint64_t)(lr), _d[IDX_LISTEN_REFUSED]); \
	EXPECT_EQ((uint64_t)(la), _d[IDX_LISTEN_AUDITED]); \
} while (0)

/* Errors that mean "this kernel has no such protocol". */
static bool no_protocol(int err)
{
	return err == EAFNOSUPPORT || err == EPROTONOSUPPORT ||
	       err == ESOCKTNOSUPPORT || err == EPFNOSUPPORT;
}

/* A socket, or SKIP with the reason when the kernel lacks the protocol. */
#define SOCKET_OR_SKIP(fd, family, type, proto, what) do { \
	fd = socket(family, (type) | SOCK_CLOEXEC, proto); \
	if (fd < 0 && no_protocol(errno)) \
		SKIP(return, "kernel has no %s: socket(): %s", what, strerror(errno)); \
	ASSERT_LE(0, fd) TH_LOG("socket(%s): %s", what, strerror(errno)); \
} while (0)

static int sys(int r)
{
	return r < 0 ? -errno : 0;
}

static int do_bind(int fd, int family, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(family, addr, port, &ss);

	return sys(bind(fd, (struct sockaddr *)&ss, len));
}

/* sctp_bindx(SCTP_BINDX_ADD_ADDR) of up to four "family addr port" triples. */
struct xaddr {
	int family;
	const char *addr;
	int port;
};

static int bindx_add(int fd, const struct xaddr *xa, int n)
{
	unsigned char buf[4 * sizeof(struct sockaddr_in6)];
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len = make_sockaddr(xa[i].family, xa[i].addr, xa[i].port, &ss);

		memcpy(buf + off, &ss, len);
		off += len;
	}
	return sys(setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_BINDX_ADD, buf, (socklen_t)off));
}

static int sctp_socket(int family)
{
	return socket(family, SOCK_SEQPACKET | SOCK_CLOEXEC, IPPROTO_SCTP);
}

/* bind 127.0.0.1:P, listen (allowed), then bindx-add 192.0.2.1:P or :0. */
TEST_F(bypass, sctp_bindx_add_after_loopback_listen)
{
	const struct xaddr pub = { AF_INET, TEST_ADDR4, 18201 };
	const struct xaddr pub0 = { AF_INET, TEST_ADDR4, 0 };
	const struct xaddr pub6 = { AF_INET6, TEST_ADDR6, 18201 };
	_cleanup_close_ int fd = -1, fd6 = -1;

	SOCKET_OR_SKIP(fd, AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, "SCTP");
	ASSERT_EQ(0, do_bind(fd, AF_INET, "127.0.0.1", 18201));
	ASSERT_EQ(0, sys(listen(fd, 4)));
	EXPECT_EQ(-EACCES, bindx_add(fd, &pub, 1));
	/* Port 0 in bindx means the endpoint's port: no way round. */
	EXPECT_EQ(-EACCES, bindx_add(fd, &pub0, 1));

	fd6 = sctp_socket(AF_INET6);
	ASSERT_LE(0, fd6);
	ASSERT_EQ(0, do_bind(fd6, AF_INET6, "::1", 18201));
	ASSERT_EQ(0, sys(listen(fd6, 4)));
	EXPECT_EQ(-EACCES, bindx_add(fd6, &pub6, 1));
	EXPECT_DELTA(3, 0, 0, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_EQ(0, bindx_add(fd, &pub, 1));
	EXPECT_EQ(0, bindx_add(fd6, &pub6, 1));
	EXPECT_DELTA(3, 0, 0, 0);
}

/* bindx [public, loopback] or [loopback, public] then listen. */
TEST_F(bypass, sctp_bindx_public_and_loopback_then_listen)
{
	const struct xaddr pl[] = { { AF_INET, TEST_ADDR4, 18202 }, { AF_INET, "127.0.0.1", 18202 } };
	const struct xaddr pl0[] = { { AF_INET, TEST_ADDR4, 0 }, { AF_INET, "127.0.0.1", 0 } };
	const struct xaddr lp0[] = { { AF_INET, "127.0.0.1", 0 }, { AF_INET, TEST_ADDR4, 0 } };
	const struct xaddr lo[] = { { AF_INET, "127.0.0.1", 0 }, { AF_INET, "127.0.0.2", 0 } };
	int fd;

	SOCKET_OR_SKIP(fd, AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, "SCTP");
	/* With a port: refused at bindx already. */
	EXPECT_EQ(-EACCES, bindx_add(fd, pl, 2));
	close(fd);

	/* Ephemeral: bindx passes, listen judges every address. */
	fd = sctp_socket(AF_INET);
	ASSERT_EQ(0, bindx_add(fd, pl0, 2));
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);
	fd = sctp_socket(AF_INET);
	ASSERT_EQ(0, bindx_add(fd, lp0, 2));
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);

	/* Loopback only: allowed. */
	fd = sctp_socket(AF_INET);
	ASSERT_EQ(0, bindx_add(fd, lo, 2));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(1, 0, 2, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	fd = sctp_socket(AF_INET);
	EXPECT_EQ(0, bindx_add(fd, pl, 2));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	fd = sctp_socket(AF_INET);
	EXPECT_EQ(0, bindx_add(fd, lp0, 2));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(1, 0, 2, 0);
}

/* An IPv6 SCTP socket binds AF_INET addresses (sctp_bind, not inet6_bind). */
TEST_F(bypass, sctp_ipv6_socket_with_inet_address)
{
	const struct xaddr pub4 = { AF_INET, TEST_ADDR4, 18203 };
	int fd;

	SOCKET_OR_SKIP(fd, AF_INET6, SOCK_STREAM, IPPROTO_SCTP, "SCTP over IPv6");
	EXPECT_EQ(-EACCES, do_bind(fd, AF_INET, TEST_ADDR4, 18203));
	EXPECT_EQ(-EACCES, do_bind(fd, AF_INET, "0.0.0.0", 18203));
	EXPECT_EQ(-EACCES, bindx_add(fd, &pub4, 1));
	/* Loopback through the same path is fine, and so is its listen. */
	EXPECT_EQ(0, do_bind(fd, AF_INET, "127.0.0.1", 18203));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	/* Ephemeral IPv4 bind, then listen: refused at listen. */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	ASSERT_EQ(0, do_bind(fd, AF_INET, TEST_ADDR4, 0));
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(3, 0, 1, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	EXPECT_EQ(0, do_bind(fd, AF_INET, TEST_ADDR4, 18203));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(3, 0, 1, 0);
}

/* AF_SMC: judged by its inet address although its TCP socket runs no hook. */
TEST_F(bypass, smc_listen)
{
	int fd;

	SOCKET_OR_SKIP(fd, AF_SMC, SOCK_STREAM, SMCPROTO_SMC, "AF_SMC");
	EXPECT_EQ(-EACCES, do_bind(fd, AF_INET, "0.0.0.0", 18204));
	close(fd);
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));		/* autobind: wildcard */
	close(fd);
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);
	ASSERT_EQ(0, do_bind(fd, AF_INET, TEST_ADDR4, 0));
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC6);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, do_bind(fd, AF_INET6, "::", 18204));
	close(fd);
	/* Loopback stays allowed. */
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);
	EXPECT_EQ(0, do_bind(fd, AF_INET, "127.0.0.1", 18204));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(2, 0, 2, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);
	EXPECT_EQ(0, do_bind(fd, AF_INET, "0.0.0.0", 18205));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	fd = socket(AF_SMC, SOCK_STREAM | SOCK_CLOEXEC, SMCPROTO_SMC);
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(2, 0, 2, 0);
}

/* The DHCP client ports are allow-listed for UDP binds, not for TCP. */
TEST_F(bypass, tcp_listen_on_dhcp_ports)
{
	int hook;

	EXPECT_EQ(-EACCES, try_serve(AF_INET, SOCK_STREAM, "0.0.0.0", 68, &hook, NULL));
	EXPECT_EQ(-EACCES, try_serve(AF_INET6, SOCK_STREAM, "::", 546, &hook, NULL));
	/* UDP binds on them stay allowed (DHCP clients). */
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_DGRAM, "0.0.0.0", 68, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET6, SOCK_DGRAM, "::", 546, &hook, NULL));
	EXPECT_DELTA(2, 0, 0, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_STREAM, "0.0.0.0", 68, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET6, SOCK_STREAM, "::", 546, &hook, NULL));
	EXPECT_DELTA(2, 0, 0, 0);
}

static int tipc_bind(int fd, __u32 type, __u32 instance)
{
	struct sockaddr_tipc st = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.scope = TIPC_CLUSTER_SCOPE,
		.addr.name.name.type = type,
		.addr.name.name.instance = instance,
	};

	return sys(bind(fd, (struct sockaddr *)&st, sizeof(st)));
}

/* A family refused by family: no address makes a TIPC service local. */
TEST_F(bypass, tipc_refused_by_family)
{
	int fd;

	SOCKET_OR_SKIP(fd, AF_TIPC, SOCK_STREAM, 0, "AF_TIPC");
	EXPECT_EQ(-EACCES, tipc_bind(fd, 18206, 1));
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);
	fd = socket(AF_TIPC, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EACCES, tipc_bind(fd, 18206, 2));
	close(fd);
	EXPECT_DELTA(2, 0, 1, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	fd = socket(AF_TIPC, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT_EQ(0, tipc_bind(fd, 18206, 3));
	EXPECT_EQ(0, sys(listen(fd, 4)));
	close(fd);
	EXPECT_DELTA(2, 0, 1, 0);
}

struct seen {
	int n;
	struct credgate_event e[4];
};

static int collect(const struct credgate_event *e, void *userdata)
{
	struct seen *s = userdata;

	if (s->n < (int)ARRAY_SIZE(s->e))
		s->e[s->n] = *e;
	s->n++;
	return 0;
}

/* Refusals by family and of SCTP extra addresses reach the event stream. */
TEST_F(bypass, events_of_new_refusals)
{
	const struct xaddr pub = { AF_INET, TEST_ADDR4, 18208 };
	struct gate_events *ev = NULL;
	struct seen s = { 0 };
	uint8_t a4[16] = { 0 };
	int fd, r;

	fd = socket(AF_TIPC, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && no_protocol(errno))
		SKIP(return, "kernel has no AF_TIPC: socket(): %s", strerror(errno));
	close(fd);
	fd = sctp_socket(AF_INET);
	if (fd < 0 && no_protocol(errno))
		SKIP(return, "kernel has no SCTP: socket(): %s", strerror(errno));
	ASSERT_LE(0, fd);
	/* lsm: kernel log lines, rate limited (burst 10 per 5 s): start a window. */
	if (gate_backend(self->g) == CG_BACKEND_LSM)
		sleep(6);
	ASSERT_EQ(0, gate_events_open(self->g, collect, &s, &ev));
	while (gate_events_poll(ev, 0) > 0)
		;	/* drop what earlier tests left */
	s.n = 0;

	ASSERT_EQ(0, do_bind(fd, AF_INET, "127.0.0.1", 18208));
	EXPECT_EQ(-EACCES, bindx_add(fd, &pub, 1));
	close(fd);
	fd = socket(AF_TIPC, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT_EQ(-EACCES, sys(listen(fd, 4)));
	close(fd);

	r = gate_events_poll(ev, 1000);
	if (r >= 0 && s.n < 2)
		gate_events_poll(ev, 1000);
	gate_events_free(ev);
	ASSERT_EQ(2, s.n);

	EXPECT_EQ(CREDGATE_HOOK_BIND, s.e[0].hook);
	EXPECT_EQ(CREDGATE_REFUSE, s.e[0].action);
	EXPECT_EQ(CREDGATE_AF_INET, s.e[0].family);
	EXPECT_EQ(18208, s.e[0].port);
	inet_pton(AF_INET, TEST_ADDR4, a4);
	EXPECT_EQ(0, memcmp(s.e[0].addr, a4, 4));
	EXPECT_EQ((uint32_t)getpid(), s.e[0].pid);

	EXPECT_EQ(CREDGATE_HOOK_LISTEN, s.e[1].hook);
	EXPECT_EQ(CREDGATE_AF_TIPC, s.e[1].family);
	EXPECT_EQ(0, s.e[1].port);
	EXPECT_EQ(0, strncmp(s.e[1].comm, "bypass_test", CREDGATE_COMM_LEN));
	EXPECT_DELTA(1, 0, 1, 0);
}

/* Permissive: a refused-by-family bind is audited once, and allowed. */
TEST_F(bypass, permissive_audits_sctp_and_families)
{
	const struct xaddr pub = { AF_INET, TEST_ADDR4, 18207 };
	int fd;

	SOCKET_OR_SKIP(fd, AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, "SCTP");
	ASSERT_EQ(0, gate_set_mode(self->g, CREDGATE_MODE_PERMISSIVE));
	ASSERT_EQ(0, do_bind(fd, AF_INET, "127.0.0.1", 18207));
	ASSERT_EQ(0, sys(listen(fd, 4)));
	EXPECT_EQ(0, bindx_add(fd, &pub, 1));
	close(fd);
	EXPECT_DELTA(0, 1, 0, 0);
}

/* Local-only families are never gated: netlink, packet (DHCP), unix. */
TEST_F(bypass, local_families_allowed)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = (int)if_nametoindex("lo"),
	};
	_cleanup_close_ int nl = -1, pk = -1;

	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ASSERT_LE(0, nl);
	EXPECT_EQ(0, sys(bind(nl, (struct sockaddr *)&snl, sizeof(snl))));
	pk = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	ASSERT_LE(0, pk);
	EXPECT_EQ(0, sys(bind(pk, (struct sockaddr *)&sll, sizeof(sll))));
	EXPECT_DELTA(0, 0, 0, 0);
}

/* socket(); bind to @addr:@port; close.  0 or -errno of the step that failed. */
static int bind_once(int family, int type, int proto, const char *addr, int port)
{
	_cleanup_close_ int fd = socket(family, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		return -errno;
	return do_bind(fd, family, addr, port);
}

/*
 * Raw sockets (design.md, "Not gated, on purpose"): the bind address's
 * port field (the protocol) is treated as the port, and no allow-list
 * entry names a raw socket: one naming IPPROTO_UDP on 0.0.0.0:68 is no
 * DHCP client, one naming IPPROTO_SCTP is no SCTP endpoint.
 */
TEST_F(bypass, raw_sockets_judged_by_address)
{
	EXPECT_EQ(-EACCES, bind_once(AF_INET, SOCK_RAW, IPPROTO_UDP, TEST_ADDR4, 17));
	EXPECT_EQ(-EACCES, bind_once(AF_INET, SOCK_RAW, IPPROTO_UDP, "0.0.0.0", 68));
	EXPECT_EQ(-EACCES, bind_once(AF_INET, SOCK_RAW, IPPROTO_SCTP, TEST_ADDR4, 132));
	EXPECT_EQ(-EACCES, bind_once(AF_INET6, SOCK_RAW, IPPROTO_UDP, TEST_ADDR6, 17));
	EXPECT_EQ(-EACCES, bind_once(AF_INET6, SOCK_RAW, IPPROTO_UDP, "::", 546));
	/* Port 0 and loopback are allowed, as for any inet socket. */
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_RAW, IPPROTO_UDP, TEST_ADDR4, 0));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_RAW, IPPROTO_ICMP, "127.0.0.1", 1));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, TEST_ADDR6, 0));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_RAW, IPPROTO_UDP, "::1", 17));
	EXPECT_DELTA(5, 0, 0, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_RAW, IPPROTO_UDP, TEST_ADDR4, 17));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_RAW, IPPROTO_UDP, "0.0.0.0", 68));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_RAW, IPPROTO_UDP, TEST_ADDR6, 17));
	EXPECT_DELTA(5, 0, 0, 0);
}

#define PING_GROUP_RANGE "/proc/sys/net/ipv4/ping_group_range"

/*
 * Ping sockets (SOCK_DGRAM + IPPROTO_ICMP/ICMPV6): the ICMP identifier in
 * sin_port is the port; `ping -I ADDR` binds with 0 and is allowed.
 */
TEST_F(bypass, ping_sockets_judged_by_identifier)
{
	_cleanup_free_ char *old = NULL;

	/* The kernel's default range ("1 0") allows ping sockets to nobody:
	 * the test lets group 0 (it runs as root) create them, and restores
	 * the range. */
	ASSERT_EQ(0, read_file(PING_GROUP_RANGE, 64, &old, NULL));
	ASSERT_EQ(0, write_string_file(PING_GROUP_RANGE, "0 0\n"));

	EXPECT_EQ(-EACCES, bind_once(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, TEST_ADDR4, 4242));
	EXPECT_EQ(-EACCES, bind_once(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "0.0.0.0", 68));
	EXPECT_EQ(-EACCES, bind_once(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, TEST_ADDR6, 4242));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, TEST_ADDR4, 0));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, TEST_ADDR6, 0));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, "127.0.0.1", 4242));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, "::1", 4242));
	EXPECT_DELTA(3, 0, 0, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_EQ(0, bind_once(AF_INET, SOCK_DGRAM, IPPROTO_ICMP, TEST_ADDR4, 4242));
	EXPECT_EQ(0, bind_once(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6, TEST_ADDR6, 4242));
	EXPECT_DELTA(3, 0, 0, 0);
	EXPECT_EQ(0, write_string_file(PING_GROUP_RANGE, old));
}

/* AF_PACKET on the test interface, raw, cooked and SOCK_PACKET: never gated. */
TEST_F(bypass, packet_sockets_on_interface_allowed)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex(TEST_IFNAME),
	};
	struct sockaddr spkt = { .sa_family = AF_PACKET };
	_cleanup_close_ int raw = -1, dgram = -1, legacy = -1;

	if (sll.sll_ifindex == 0)
		SKIP(return, "no " TEST_IFNAME " (the test addresses are on lo)");
	raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ASSERT_LE(0, raw) TH_LOG("socket(AF_PACKET, SOCK_RAW): %s", strerror(errno));
	EXPECT_EQ(0, sys(bind(raw, (struct sockaddr *)&sll, sizeof(sll))));
	dgram = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	ASSERT_LE(0, dgram);
	sll.sll_protocol = htons(ETH_P_IP);
	EXPECT_EQ(0, sys(bind(dgram, (struct sockaddr *)&sll, sizeof(sll))));
	legacy = socket(AF_PACKET, SOCK_PACKET | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ASSERT_LE(0, legacy) TH_LOG("socket(AF_PACKET, SOCK_PACKET): %s", strerror(errno));
	strncpy(spkt.sa_data, TEST_IFNAME, sizeof(spkt.sa_data) - 1);
	EXPECT_EQ(0, sys(bind(legacy, &spkt, sizeof(spkt))));
	EXPECT_DELTA(0, 0, 0, 0);
}

#define NS_ADDR4	"198.51.100.1"
#define NS_ADDR6	"2001:db8:1::1"

/*
 * A new network namespace (a container) is gated like the initial one:
 * its wildcard and interface addresses are refused, its own loopback and
 * the allow list hold.  The harness runs each test in a child of its own,
 * so unshare() leaves the other tests in the initial namespace.
 */
TEST_F(bypass, new_network_namespace_gated)
{
	int hook, r;

	ASSERT_EQ(0, sys(unshare(CLONE_NEWNET))) TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	r = system("ip link set lo up && "
		   "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad; "
		   "if ip link add cgns0 type dummy 2>/dev/null; then "
		   "  ip link set cgns0 up && ip addr add " NS_ADDR4 "/24 dev cgns0 && "
		   "  ip -6 addr add " NS_ADDR6 "/64 dev cgns0; "
		   "else "
		   "  ip addr add " NS_ADDR4 "/32 dev lo && ip -6 addr add " NS_ADDR6 "/128 dev lo; "
		   "fi");
	ASSERT_EQ(0, r) TH_LOG("cannot set up the namespace's addresses");
	/* The initial namespace's test address is not here. */
	EXPECT_EQ(-EADDRNOTAVAIL, bind_once(AF_INET, SOCK_STREAM, 0, TEST_ADDR4, 0));

	EXPECT_EQ(-EACCES, try_serve(AF_INET, SOCK_STREAM, "0.0.0.0", 18301, &hook, NULL));
	EXPECT_EQ(CREDGATE_HOOK_BIND, hook);
	EXPECT_EQ(-EACCES, try_serve(AF_INET, SOCK_STREAM, NS_ADDR4, 18301, &hook, NULL));
	EXPECT_EQ(-EACCES, try_serve(AF_INET6, SOCK_STREAM, NS_ADDR6, 18301, &hook, NULL));
	EXPECT_EQ(-EACCES, try_serve(AF_INET6, SOCK_DGRAM, "::", 18301, &hook, NULL));
	EXPECT_EQ(-EACCES, try_serve(AF_INET, SOCK_STREAM, NULL, 0, &hook, NULL));
	EXPECT_EQ(CREDGATE_HOOK_LISTEN, hook);
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_STREAM, "127.0.0.1", 18301, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET6, SOCK_STREAM, "::1", 18301, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_DGRAM, "0.0.0.0", 68, &hook, NULL));
	EXPECT_DELTA(4, 0, 1, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_STREAM, "0.0.0.0", 18301, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET6, SOCK_STREAM, NS_ADDR6, 18301, &hook, NULL));
	EXPECT_EQ(0, try_serve(AF_INET, SOCK_STREAM, NULL, 0, &hook, NULL));
	EXPECT_DELTA(4, 0, 1, 0);
}

#define VETH_HOST	"203.0.113.1"	/* cgveth0, initial namespace */
#define VETH_NS		"203.0.113.2"	/* cgveth1, the new namespace */

/*
 * A veth pair into a new network namespace: a service there on its veth
 * address is refused while the gate is closed; open, it is reached from
 * the initial namespace over the pair.  A socket keeps the namespace it
 * was made in, so one process makes its sockets in the new namespace and
 * connects from the initial one (setns()).
 */
TEST_F(bypass, veth_listener_in_namespace)
{
	_cleanup_close_ int initns = -1, s1 = -1, s2 = -1, cfd = -1, afd = -1;
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(AF_INET, VETH_NS, 18302, &ss);
	int r;

	initns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, initns);
	ASSERT_EQ(0, sys(unshare(CLONE_NEWNET))) TH_LOG("unshare(CLONE_NEWNET): %s", strerror(errno));
	r = system("insmod /lib/modules/veth.ko 2>/dev/null; "
		   "ip link set lo up && "
		   "ip link add cgveth1 type veth peer name cgveth0 && "
		   /* BusyBox ip ignores "peer name": the kernel named it vethN */
		   "{ ip link show cgveth0 >/dev/null 2>&1 || "
		   "  ip link set \"$(ip link | sed -n 's/^[0-9]*: \\(veth[0-9]*\\)[@:].*/\\1/p' | head -n 1)\" "
		   "    name cgveth0; } && "
		   "ip link set cgveth0 netns 1 && "
		   "ip addr add " VETH_NS "/24 dev cgveth1 && ip link set cgveth1 up");
	ASSERT_EQ(0, r) TH_LOG("no veth pair into the namespace (veth.ko, 'ip link set DEV netns 1')");
	s1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	s2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s1);
	ASSERT_LE(0, s2);
	EXPECT_EQ(-EACCES, sys(bind(s1, (struct sockaddr *)&ss, len)));
	EXPECT_EQ(-EACCES, sys(listen(s1, 4)));		/* autobind: wildcard */
	EXPECT_DELTA(1, 0, 1, 0);

	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	ASSERT_EQ(0, sys(bind(s2, (struct sockaddr *)&ss, len)));
	ASSERT_EQ(0, sys(listen(s2, 4)));
	ASSERT_EQ(0, sys(setns(initns, CLONE_NEWNET)));
	r = system("ip addr add " VETH_HOST "/24 dev cgveth0 && ip link set cgveth0 up");
	ASSERT_EQ(0, r) TH_LOG("cannot configure cgveth0 in the initial namespace");
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(0, sys(connect(cfd, (struct sockaddr *)&ss, len)));
	afd = accept4(s2, NULL, NULL, SOCK_CLOEXEC);
	EXPECT_LE(0, afd) TH_LOG("accept: %s", strerror(errno));
	EXPECT_DELTA(1, 0, 1, 0);
}

TEST_HARNESS_MAIN
