// SPDX-License-Identifier: MIT
/* Host unit tests of the one gate decision (include/credgate/policy.h). */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <credgate/policy.h>

#include "kselftest_harness.h"

static struct credgate_addr v4(const char *s, __u16 port)
{
	struct credgate_addr a = { .family = CREDGATE_AF_INET, .port = port };

	inet_pton(AF_INET, s, a.addr);
	return a;
}

static struct credgate_addr v6(const char *s, __u16 port)
{
	struct credgate_addr a = { .family = CREDGATE_AF_INET6, .port = port };

	inet_pton(AF_INET6, s, a.addr);
	return a;
}

FIXTURE(gate) {
	struct credgate_config cfg;
};

FIXTURE_SETUP(gate)
{
	memset(&self->cfg, 0, sizeof(self->cfg));
	self->cfg.mode = CREDGATE_MODE_ENFORCE;
}

FIXTURE_TEARDOWN(gate)
{
}

TEST_F(gate, families_match_libc)
{
	ASSERT_EQ(AF_INET, CREDGATE_AF_INET);
	ASSERT_EQ(AF_INET6, CREDGATE_AF_INET6);
	ASSERT_EQ(AF_UNSPEC, CREDGATE_AF_UNSPEC);
}

TEST_F(gate, closed_refuses_wildcard_and_interface_addresses)
{
	struct credgate_addr any4 = v4("0.0.0.0", 80), any6 = v6("::", 80);
	struct credgate_addr if4 = v4("192.0.2.1", 23), if6 = v6("2001:db8::1", 23);
	struct credgate_addr mapped = v6("::ffff:192.0.2.1", 23);

	for (int hook = 0; hook < CREDGATE_HOOK_MAX; hook++) {
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &any4));
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &any6));
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &if4));
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &if6));
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &mapped));
	}
}

TEST_F(gate, loopback_always_allowed)
{
	const char *lo6[] = { "::1", "::ffff:127.0.0.1", "::ffff:127.255.0.9" };
	const char *lo4[] = { "127.0.0.1", "127.1.2.3", "127.255.255.255" };

	for (int hook = 0; hook < CREDGATE_HOOK_MAX; hook++) {
		for (size_t i = 0; i < ARRAY_SIZE(lo4); i++) {
			struct credgate_addr a = v4(lo4[i], 80);

			EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &a));
		}
		for (size_t i = 0; i < ARRAY_SIZE(lo6); i++) {
			struct credgate_addr a = v6(lo6[i], 80);

			EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &a));
		}
	}
}

TEST_F(gate, near_loopback_is_not_loopback)
{
	const char *not_lo6[] = { "::2", "::", "::ffff:128.0.0.1", "::127.0.0.1",
				  "1::1", "::fffe:127.0.0.1", "::1:0:1", "fe80::1" };
	struct credgate_addr a4 = v4("126.255.255.255", 80);

	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &a4));
	for (size_t i = 0; i < ARRAY_SIZE(not_lo6); i++) {
		struct credgate_addr a = v6(not_lo6[i], 80);

		EXPECT_EQ(0, credgate_addr_is_loopback(&a)) TH_LOG("%s", not_lo6[i]);
	}
}

TEST_F(gate, bind_port_zero_allowed_listen_port_zero_refused)
{
	struct credgate_addr a = v4("0.0.0.0", 0);

	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &a));
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &a));
}

TEST_F(gate, allow_list)
{
	struct credgate_addr a = v6("::", 8443), b = v4("0.0.0.0", 8444);

	a.proto = b.proto = CREDGATE_PROTO_TCP;
	credgate_port_set(&self->cfg, CREDGATE_PROTO_TCP, 8443, 1);
	EXPECT_TRUE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_TCP, 8443));
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_TCP, 8444));
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_UDP, 8443));
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_NONE, 8443));
	for (int hook = 0; hook < CREDGATE_HOOK_MAX; hook++) {
		EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &a));
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, hook, &b));
	}
	/* A tcp entry covers neither udp, sctp nor an unmapped socket. */
	for (int proto = CREDGATE_PROTO_NONE; proto < CREDGATE_PROTO_MAX; proto++) {
		if (proto == CREDGATE_PROTO_TCP)
			continue;
		a.proto = (__u8)proto;
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg,
							   CREDGATE_HOOK_BIND, &a));
	}
	/* Port 0 on the allow list never lets an autobinding listen through. */
	credgate_port_set(&self->cfg, CREDGATE_PROTO_TCP, 0, 1);
	b.port = 0;
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &b));
	credgate_port_set(&self->cfg, CREDGATE_PROTO_TCP, 8443, 0);
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_TCP, 8443));
	credgate_port_set(&self->cfg, CREDGATE_PROTO_SCTP, 65535, 1);
	EXPECT_TRUE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_SCTP, 65535));
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_SCTP, 65534));
	/* Out-of-range protocols are never allowed and never written. */
	credgate_port_set(&self->cfg, CREDGATE_PROTO_MAX, 80, 1);
	EXPECT_FALSE(credgate_port_allowed(&self->cfg, CREDGATE_PROTO_MAX, 80));
}

/* udp entries exempt bind only: a TCP listener on 68 or 546 is refused. */
TEST_F(gate, udp_entries_are_bind_only)
{
	struct credgate_addr u = v4("0.0.0.0", 68), t = v6("::", 546);

	credgate_port_set(&self->cfg, CREDGATE_PROTO_UDP, 68, 1);
	credgate_port_set(&self->cfg, CREDGATE_PROTO_UDP, 546, 1);
	u.proto = CREDGATE_PROTO_UDP;
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &u));
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &u));
	t.proto = CREDGATE_PROTO_TCP;
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &t));
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &t));
}

TEST(proto_mapping)
{
	EXPECT_EQ(CREDGATE_PROTO_UDP, credgate_proto(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
	EXPECT_EQ(CREDGATE_PROTO_UDP, credgate_proto(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE));
	EXPECT_EQ(CREDGATE_PROTO_TCP, credgate_proto(AF_INET6, SOCK_STREAM, IPPROTO_TCP));
	EXPECT_EQ(CREDGATE_PROTO_TCP, credgate_proto(AF_INET, SOCK_STREAM, 262));	/* MPTCP */
	EXPECT_EQ(CREDGATE_PROTO_SCTP, credgate_proto(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP));
	EXPECT_EQ(CREDGATE_PROTO_SCTP, credgate_proto(AF_INET6, SOCK_STREAM, IPPROTO_SCTP));
	EXPECT_EQ(CREDGATE_PROTO_TCP, credgate_proto(AF_SMC, SOCK_STREAM, 0));
	/* Raw sockets naming a protocol are not that protocol. */
	EXPECT_EQ(CREDGATE_PROTO_NONE, credgate_proto(AF_INET, SOCK_RAW, IPPROTO_UDP));
	EXPECT_EQ(CREDGATE_PROTO_NONE, credgate_proto(AF_INET, SOCK_RAW, IPPROTO_SCTP));
	EXPECT_EQ(CREDGATE_PROTO_NONE, credgate_proto(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	EXPECT_EQ(CREDGATE_PROTO_NONE, credgate_proto(AF_TIPC, SOCK_STREAM, 0));
	EXPECT_EQ(CREDGATE_PROTO_UDP, credgate_proto_parse("udp:68", 3));
	EXPECT_EQ(CREDGATE_PROTO_TCP, credgate_proto_parse("tcp", 3));
	EXPECT_EQ(CREDGATE_PROTO_SCTP, credgate_proto_parse("sctp", 4));
	EXPECT_EQ(-1, credgate_proto_parse("sct", 3));
	EXPECT_EQ(-1, credgate_proto_parse("none", 4));
	EXPECT_EQ(-1, credgate_proto_parse("", 0));
	EXPECT_EQ(-1, credgate_proto_parse("UDP", 3));
}

TEST_F(gate, open_gate_and_off_mode_allow_everything)
{
	struct credgate_addr a = v4("0.0.0.0", 80);

	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_OPEN, &self->cfg, CREDGATE_HOOK_LISTEN, &a));
	self->cfg.mode = CREDGATE_MODE_OFF;
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &a));
}

TEST_F(gate, permissive_audits)
{
	struct credgate_addr a = v4("0.0.0.0", 80), lo = v4("127.0.0.1", 80);

	self->cfg.mode = CREDGATE_MODE_PERMISSIVE;
	EXPECT_EQ(CREDGATE_AUDIT, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &a));
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &lo));
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_OPEN, &self->cfg, CREDGATE_HOOK_BIND, &a));
}

TEST_F(gate, local_families_never_gated)
{
	struct credgate_addr a = v4("0.0.0.0", 80);

	a.family = AF_UNIX;
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_LISTEN, &a));
	a.family = AF_NETLINK;
	EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &self->cfg, CREDGATE_HOOK_BIND, &a));
}

TEST(bind_family_mirrors_kernel_rules)
{
	EXPECT_EQ(AF_INET, credgate_bind_family(AF_INET, AF_INET, 16));
	EXPECT_EQ(AF_INET, credgate_bind_family(AF_INET, AF_UNSPEC, 16));
	EXPECT_EQ(0, credgate_bind_family(AF_INET, AF_INET, 15));
	EXPECT_EQ(0, credgate_bind_family(AF_INET, AF_INET6, 28));
	EXPECT_EQ(AF_INET6, credgate_bind_family(AF_INET6, AF_INET6, 24));
	EXPECT_EQ(AF_INET6, credgate_bind_family(AF_INET6, AF_INET6, 28));
	EXPECT_EQ(0, credgate_bind_family(AF_INET6, AF_INET6, 23));
	/* An IPv6 SCTP socket binds IPv4 addresses (sctp_bind). */
	EXPECT_EQ(AF_INET, credgate_bind_family(AF_INET6, AF_INET, 16));
	EXPECT_EQ(0, credgate_bind_family(AF_INET6, AF_INET, 15));
	EXPECT_EQ(0, credgate_bind_family(AF_INET6, AF_UNSPEC, 28));
	/* AF_SMC: inet addresses of either family, AF_UNSPEC as IPv4. */
	EXPECT_EQ(AF_INET, credgate_bind_family(AF_SMC, AF_INET, 16));
	EXPECT_EQ(AF_INET, credgate_bind_family(AF_SMC, AF_UNSPEC, 16));
	EXPECT_EQ(AF_INET6, credgate_bind_family(AF_SMC, AF_INET6, 28));
	EXPECT_EQ(0, credgate_bind_family(AF_SMC, AF_INET6, 23));
	EXPECT_EQ(0, credgate_bind_family(AF_UNIX, AF_UNIX, 110));
	EXPECT_EQ(0, credgate_bind_family(AF_INET, AF_INET, -1));
}

/* The family table: local families allowed, the others refused, unknown refused. */
TEST(family_table)
{
	static const int local[] = { AF_UNIX, AF_NETLINK, AF_KEY, AF_ALG, AF_PACKET,
				     AF_KCM, AF_QIPCRTR };
	static const int net[] = { AF_AX25, AF_NETROM, AF_ROSE, AF_X25, AF_LLC, AF_RDS,
				   AF_TIPC, AF_BLUETOOTH, AF_NFC, AF_CAN, AF_VSOCK, AF_XDP,
				   AF_MCTP, AF_UNSPEC, 46, 200, -1 };
	struct credgate_config cfg = { .mode = CREDGATE_MODE_ENFORCE };
	struct credgate_addr a = { .port = 1234 };

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		EXPECT_EQ(CREDGATE_FAMILY_LOCAL, credgate_family_rule(local[i]));
		a.family = (__u16)local[i];
		EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_CLOSED, &cfg,
							  CREDGATE_HOOK_LISTEN, &a));
	}
	for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
		EXPECT_EQ(CREDGATE_FAMILY_REFUSE, credgate_family_rule(net[i]));
		a.family = (__u16)net[i];
		/* Refused at bind even with port 0: no address makes them local. */
		a.port = 0;
		EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &cfg,
							   CREDGATE_HOOK_BIND, &a));
		EXPECT_EQ(CREDGATE_ALLOW, credgate_decide(CREDGATE_OPEN, &cfg,
							  CREDGATE_HOOK_BIND, &a));
	}
	EXPECT_EQ(CREDGATE_FAMILY_INET, credgate_family_rule(AF_INET));
	EXPECT_EQ(CREDGATE_FAMILY_INET, credgate_family_rule(AF_INET6));
	EXPECT_EQ(CREDGATE_FAMILY_INET, credgate_family_rule(AF_SMC));
	/* A family with an inet rule but no inet address (a bug) is refused. */
	a.family = AF_SMC;
	a.port = 0;
	EXPECT_EQ(CREDGATE_REFUSE, credgate_decide(CREDGATE_CLOSED, &cfg, CREDGATE_HOOK_BIND, &a));
}

TEST(names)
{
	EXPECT_STREQ("closed", credgate_state_name(CREDGATE_CLOSED));
	EXPECT_STREQ("open", credgate_state_name(CREDGATE_OPEN));
	EXPECT_STREQ("enforce", credgate_mode_name(CREDGATE_MODE_ENFORCE));
	EXPECT_STREQ("permissive", credgate_mode_name(CREDGATE_MODE_PERMISSIVE));
	EXPECT_STREQ("off", credgate_mode_name(CREDGATE_MODE_OFF));
	EXPECT_STREQ("invalid", credgate_mode_name(7));
	EXPECT_STREQ("bind", credgate_hook_name(CREDGATE_HOOK_BIND));
	EXPECT_STREQ("listen", credgate_hook_name(CREDGATE_HOOK_LISTEN));
	EXPECT_EQ(0, credgate_counter_index(CREDGATE_HOOK_BIND, CREDGATE_REFUSE));
	EXPECT_EQ(1, credgate_counter_index(CREDGATE_HOOK_BIND, CREDGATE_AUDIT));
	EXPECT_EQ(2, credgate_counter_index(CREDGATE_HOOK_LISTEN, CREDGATE_REFUSE));
	EXPECT_EQ(3, credgate_counter_index(CREDGATE_HOOK_LISTEN, CREDGATE_AUDIT));
}

TEST_HARNESS_MAIN
