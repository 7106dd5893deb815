/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the in-VM gate tests (gate_test.c, bpf_pin_test.c):
 * socket operations that report which step failed, the test network
 * (a dummy interface with documentation addresses) and counter deltas.
 * Tests only ever touch loopback and addresses inside the throwaway VM.
 */
#ifndef CREDGATE_GATE_HELPERS_H
#define CREDGATE_GATE_HELPERS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "gate/gate.h"
#include "base/util.h"

#define TEST_IFNAME	"cgdummy0"
#define TEST_ADDR4	"192.0.2.1"
#define TEST_ADDR6	"2001:db8::1"

static inline socklen_t make_sockaddr(int family, const char *addr, int port,
				      struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	inet_pton(AF_INET6, addr, &sin6->sin6_addr);
	return sizeof(*sin6);
}

/*
 * socket(); bind to @addr:@port unless @addr is NULL; listen() for
 * SOCK_STREAM.  Returns 0 or -errno; *hook says which step failed
 * (CREDGATE_HOOK_BIND or CREDGATE_HOOK_LISTEN, -1 for socket()).
 * On success the socket is returned in *fdp when fdp is not NULL.
 */
static inline int try_serve(int family, int type, const char *addr, int port,
			    int *hook, int *fdp)
{
	struct sockaddr_storage ss;
	int one = 1, fd, r = 0;

	*hook = -1;
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr) {
		socklen_t len = make_sockaddr(family, addr, port, &ss);

		*hook = CREDGATE_HOOK_BIND;
		if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
			r = -errno;
			goto out;
		}
	}
	if (type == SOCK_STREAM) {
		*hook = CREDGATE_HOOK_LISTEN;
		if (listen(fd, 4) < 0) {
			r = -errno;
			goto out;
		}
	}
	*hook = -1;
out:
	if (r == 0 && fdp) {
		*fdp = fd;
		return 0;
	}
	close(fd);
	return r;
}

/* The test interface: a dummy link, else the addresses on lo. */
static inline int setup_test_net(void)
{
	struct sockaddr_storage ss;
	int fd, r;

	if (if_nametoindex(TEST_IFNAME) == 0) {
		r = system("insmod /lib/modules/dummy.ko 2>/dev/null; "
			   "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad 2>/dev/null; "
			   "ip link add " TEST_IFNAME " type dummy 2>/dev/null && "
			   "ip link set " TEST_IFNAME " up && "
			   "ip addr add " TEST_ADDR4 "/24 dev " TEST_IFNAME " && "
			   "{ ip -6 addr add " TEST_ADDR6 "/64 dev " TEST_IFNAME " nodad 2>/dev/null || "
			   "  ip -6 addr add " TEST_ADDR6 "/64 dev " TEST_IFNAME "; }");
		if (r != 0)
			r = system("ip addr add " TEST_ADDR4 "/32 dev lo 2>/dev/null; "
				   "ip -6 addr add " TEST_ADDR6 "/128 dev lo 2>/dev/null; true");
	}
	/*
	 * Port-0 binds are never gated: this checks the address exists.  An
	 * address added without nodad (BusyBox ip) is tentative during DAD
	 * and bind() says EADDRNOTAVAIL: retry for up to 5 s.
	 */
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	for (int i = 0; i < 50; i++) {
		r = bind(fd, (struct sockaddr *)&ss, make_sockaddr(AF_INET6, TEST_ADDR6, 0, &ss));
		r = r < 0 ? -errno : 0;
		if (r != -EADDRNOTAVAIL)
			break;
		usleep(100000);
	}
	close(fd);
	return r;
}

/* counters now - before, per slot. */
static inline int counter_delta(struct gate *g, const uint64_t before[CREDGATE_NR_COUNTERS],
				uint64_t delta[CREDGATE_NR_COUNTERS])
{
	uint64_t now[CREDGATE_NR_COUNTERS];
	int r = gate_read_counters(g, now);

	if (r < 0)
		return r;
	for (int i = 0; i < CREDGATE_NR_COUNTERS; i++)
		delta[i] = now[i] - before[i];
	return 0;
}

#define IDX_BIND_REFUSED	0
#define IDX_BIND_AUDITED	1
#define IDX_LISTEN_REFUSED	2
#define IDX_LISTEN_AUDITED	3

/* Open the gate's control interface; on bpf load it first if needed. */
static inline int open_test_gate(struct gate **g)
{
	int r = gate_open_backend(CG_BACKEND_AUTO, g);

	if (r == -ENOENT) {
		r = gate_bpf_load(false);
		if (r < 0)
			return r;
		r = gate_open_backend(CG_BACKEND_AUTO, g);
	}
	return r;
}

/* Back to the defaults: closed, enforce, DHCP ports (errors: locked). */
static inline void reset_gate(struct gate *g)
{
	uint32_t allow[CREDGATE_ALLOW_WORDS];

	gate_default_allow(allow);
	gate_set_state(g, CREDGATE_CLOSED);
	gate_set_mode(g, CREDGATE_MODE_ENFORCE);
	gate_set_allow(g, allow);
}

#endif
