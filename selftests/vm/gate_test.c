// SPDX-License-Identifier: MIT
/*
 * In-VM tests of the kernel gate, backend-agnostic: the same tests run on
 * the built-in LSM and on the BPF LSM programs, driven through gate.h.
 * Every test checks the exact counter deltas of what it made the gate
 * refuse or audit.  The lock, irreversible until reboot, is tested by
 * gate_lock_test.sh (shell tests run after every binary in run-suite.sh)
 * and, for the bpf map freeze, by bpf_pin_test.
 */
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "gate_helpers.h"
#include "kselftest_harness.h"

FIXTURE(gate) {
	struct gate *g;
	uint64_t before[CREDGATE_NR_COUNTERS];
};

FIXTURE_SETUP(gate)
{
	int r = open_test_gate(&self->g);

	ASSERT_EQ(0, r) TH_LOG("cannot open the gate: %s", strerror(-r));
	ASSERT_EQ(0, setup_test_net()) TH_LOG("no test addresses " TEST_ADDR4 "/" TEST_ADDR6);
	reset_gate(self->g);
	ASSERT_EQ(0, gate_read_counters(self->g, self->before));
}

FIXTURE_TEARDOWN(gate)
{
	reset_gate(self->g);
	gate_close(self->g);
}

/* A served address must fail with EACCES at @want_hook. */
#define EXPECT_REFUSED(want_hook, family, type, addr, port) do { \
	int _hook, _r = try_serve(family, type, addr, port, &_hook, NULL); \
	EXPECT_EQ(-EACCES, _r) TH_LOG("%s port %d: %s", addr ? addr : "(autobind)", \
				      port, strerror(-_r)); \
	EXPECT_EQ(want_hook, _hook); \
} while (0)

#define EXPECT_SERVED(family, type, addr, port) do { \
	int _hook, _r = try_serve(family, type, addr, port, &_hook, NULL); \
	EXPECT_EQ(0, _r) TH_LOG("%s port %d: %s (hook %d)", addr ? addr : "(autobind)", \
				port, strerror(-_r), _hook); \
} while (0)

#define EXPECT_DELTA(br, ba, lr, la) do { \
	uint64_t _d[CREDGATE_NR_COUNTERS]; \
	ASSERT_EQ(0, counter_delta(self->g, self->before, _d)); \
	EXPECT_EQ((uint64_t)(br), _d[IDX_BIND_REFUSED]); \
	EXPECT_EQ((uint64_t)(ba), _d[IDX_BIND_AUDITED]); \
	EXPECT_EQ((uint64_t)(lr), _d[IDX_LISTEN_REFUSED]); \
	EXPECT_EQ((uint64_t)(la), _d[IDX_LISTEN_AUDITED]); \
} while (0)

TEST_F(gate, closed_refuses_tcp_wildcard_v4)
{
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, "0.0.0.0", 18001);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET, SOCK_STREAM, NULL, 0);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET, SOCK_STREAM, "0.0.0.0", 0);
	EXPECT_DELTA(1, 0, 2, 0);
}

TEST_F(gate, closed_refuses_tcp_wildcard_v6)
{
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET6, SOCK_STREAM, "::", 18002);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET6, SOCK_STREAM, NULL, 0);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET6, SOCK_STREAM, "::", 0);
	EXPECT_DELTA(1, 0, 2, 0);
}

TEST_F(gate, closed_refuses_tcp_interface_addresses)
{
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, TEST_ADDR4, 18003);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET6, SOCK_STREAM, TEST_ADDR6, 18003);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET6, SOCK_STREAM, "::ffff:" TEST_ADDR4, 18003);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET, SOCK_STREAM, TEST_ADDR4, 0);
	EXPECT_REFUSED(CREDGATE_HOOK_LISTEN, AF_INET6, SOCK_STREAM, TEST_ADDR6, 0);
	EXPECT_DELTA(3, 0, 2, 0);
}

TEST_F(gate, closed_refuses_udp_bind_non_loopback)
{
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_DGRAM, "0.0.0.0", 18004);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_DGRAM, TEST_ADDR4, 18004);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET6, SOCK_DGRAM, TEST_ADDR6, 18004);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET6, SOCK_DGRAM, "::", 18004);
	/* Port 0 (ephemeral, e.g. a client's source port): not gated. */
	EXPECT_SERVED(AF_INET, SOCK_DGRAM, "0.0.0.0", 0);
	EXPECT_SERVED(AF_INET, SOCK_DGRAM, TEST_ADDR4, 0);
	EXPECT_SERVED(AF_INET6, SOCK_DGRAM, TEST_ADDR6, 0);
	EXPECT_DELTA(4, 0, 0, 0);
}

TEST_F(gate, closed_allows_loopback)
{
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "127.0.0.1", 18005);
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "127.1.2.3", 18005);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, "::1", 18005);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", 18006);
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "127.0.0.1", 0);
	EXPECT_SERVED(AF_INET, SOCK_DGRAM, "127.0.0.1", 18005);
	EXPECT_SERVED(AF_INET6, SOCK_DGRAM, "::1", 18005);
	EXPECT_DELTA(0, 0, 0, 0);
}

TEST_F(gate, closed_allows_allow_listed_ports)
{
	uint32_t allow[CREDGATE_ALLOW_WORDS];

	/* Defaults: the DHCP client ports. */
	EXPECT_SERVED(AF_INET, SOCK_DGRAM, "0.0.0.0", 68);
	EXPECT_SERVED(AF_INET6, SOCK_DGRAM, "::", 546);

	ASSERT_EQ(0, gate_get_allow(self->g, allow));
	credgate_allow_set(allow, CREDGATE_PROTO_TCP, 18007, 1);
	ASSERT_EQ(0, gate_set_allow(self->g, allow));
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "0.0.0.0", 18007);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, "::", 18007);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, TEST_ADDR6, 18007);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, "0.0.0.0", 18008);
	/* A tcp entry does not cover UDP (entries name their protocol). */
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_DGRAM, "0.0.0.0", 18007);
	EXPECT_DELTA(2, 0, 0, 0);
}

static int connect_to(int family, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(family, addr, port, &ss);
	_cleanup_close_ int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	return connect(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

TEST_F(gate, closed_allows_unix_and_outbound_connect)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	_cleanup_close_ int lfd = -1, lfd6 = -1, ufd = -1;
	int hook;

	ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, ufd);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/gate_test.%d.sock", getpid());
	unlink(sun.sun_path);
	EXPECT_EQ(0, bind(ufd, (struct sockaddr *)&sun, sizeof(sun)));
	EXPECT_EQ(0, listen(ufd, 1));
	unlink(sun.sun_path);

	ASSERT_EQ(0, try_serve(AF_INET, SOCK_STREAM, "127.0.0.1", 18009, &hook, &lfd));
	ASSERT_EQ(0, try_serve(AF_INET6, SOCK_STREAM, "::1", 18009, &hook, &lfd6));
	EXPECT_EQ(0, connect_to(AF_INET, "127.0.0.1", 18009));
	EXPECT_EQ(0, connect_to(AF_INET6, "::1", 18009));
	EXPECT_DELTA(0, 0, 0, 0);
}

TEST_F(gate, open_allows_everything)
{
	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_OPEN));
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "0.0.0.0", 18010);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, "::", 18010);
	EXPECT_SERVED(AF_INET, SOCK_STREAM, TEST_ADDR4, 18010);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, TEST_ADDR6, 18010);
	EXPECT_SERVED(AF_INET, SOCK_STREAM, NULL, 0);
	EXPECT_SERVED(AF_INET6, SOCK_DGRAM, TEST_ADDR6, 18010);
	EXPECT_DELTA(0, 0, 0, 0);

	/* Closing again refuses again. */
	ASSERT_EQ(0, gate_set_state(self->g, CREDGATE_CLOSED));
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, "0.0.0.0", 18010);
	EXPECT_DELTA(1, 0, 0, 0);
}

TEST_F(gate, permissive_allows_and_counts)
{
	ASSERT_EQ(0, gate_set_mode(self->g, CREDGATE_MODE_PERMISSIVE));
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "0.0.0.0", 18011);	/* bind + listen */
	EXPECT_SERVED(AF_INET6, SOCK_DGRAM, TEST_ADDR6, 18011);	/* bind */
	EXPECT_SERVED(AF_INET, SOCK_STREAM, NULL, 0);		/* listen */
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "127.0.0.1", 18011);	/* nothing */
	EXPECT_DELTA(0, 2, 0, 2);
}

TEST_F(gate, mode_off_allows_without_counting)
{
	ASSERT_EQ(0, gate_set_mode(self->g, CREDGATE_MODE_OFF));
	EXPECT_SERVED(AF_INET, SOCK_STREAM, "0.0.0.0", 18012);
	EXPECT_SERVED(AF_INET6, SOCK_STREAM, NULL, 0);
	EXPECT_DELTA(0, 0, 0, 0);
}

struct seen {
	int n;
	struct credgate_event e[8];
};

static int collect(const struct credgate_event *e, void *userdata)
{
	struct seen *s = userdata;

	if (s->n < (int)ARRAY_SIZE(s->e))
		s->e[s->n] = *e;
	s->n++;
	return 0;
}

TEST_F(gate, events_match_refusals)
{
	struct gate_events *ev = NULL;
	struct seen s = { 0 };
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(ss);
	uint8_t any[16] = { 0 }, a6[16];
	int hook, fd, port, r;

	/* lsm: kernel log lines, rate limited (burst 10 per 5 s): start a window. */
	if (gate_backend(self->g) == CG_BACKEND_LSM)
		sleep(6);
	ASSERT_EQ(0, gate_events_open(self->g, collect, &s, &ev));
	while (gate_events_poll(ev, 0) > 0)
		;	/* drop what earlier tests left */
	s.n = 0;

	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, "0.0.0.0", 18013);
	/* listen after an ephemeral bind: the event carries the bound port. */
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, make_sockaddr(AF_INET6, TEST_ADDR6, 0, &ss)));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&ss, &len));
	port = ntohs(sin6->sin6_port);
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EACCES, errno);
	close(fd);
	(void)hook;

	r = gate_events_poll(ev, 1000);
	if (r >= 0 && s.n < 2)
		r = gate_events_poll(ev, 1000);
	gate_events_free(ev);
	ASSERT_EQ(2, s.n);

	EXPECT_EQ(CREDGATE_HOOK_BIND, s.e[0].hook);
	EXPECT_EQ(CREDGATE_REFUSE, s.e[0].action);
	EXPECT_EQ(CREDGATE_AF_INET, s.e[0].family);
	EXPECT_EQ(18013, s.e[0].port);
	EXPECT_EQ(0, memcmp(s.e[0].addr, any, 4));
	EXPECT_EQ((uint32_t)getpid(), s.e[0].pid);
	EXPECT_EQ(0u, s.e[0].uid);
	EXPECT_EQ(0, strncmp(s.e[0].comm, "gate_test", CREDGATE_COMM_LEN));

	inet_pton(AF_INET6, TEST_ADDR6, a6);
	EXPECT_EQ(CREDGATE_HOOK_LISTEN, s.e[1].hook);
	EXPECT_EQ(CREDGATE_AF_INET6, s.e[1].family);
	EXPECT_EQ(port, s.e[1].port);
	EXPECT_EQ(0, memcmp(s.e[1].addr, a6, 16));
	EXPECT_DELTA(1, 0, 1, 0);
}

/* Child as uid 1000 without capabilities: every way in must fail. */
static int unprivileged_attempts(void)
{
	const char *files[] = { GATE_LSM_DIR "/state", GATE_LSM_DIR "/mode",
				GATE_BPF_PIN_DIR "/gate", GATE_BPF_PIN_DIR "/config" };
	struct gate *g = NULL;
	int bad = 0;

	if (setgroups(0, NULL) < 0 || setresgid(1000, 1000, 1000) < 0 ||
	    setresuid(1000, 1000, 1000) < 0)
		return 100;
	if (gate_open_backend(CG_BACKEND_AUTO, &g) == 0) {
		if (gate_set_state(g, CREDGATE_OPEN) == 0)
			bad |= 1;
		if (gate_set_mode(g, CREDGATE_MODE_OFF) == 0)
			bad |= 2;
		gate_close(g);
	}
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int fd = open(files[i], O_WRONLY);

		if (fd >= 0) {
			if (write(fd, "open", 4) > 0 || write(fd, "off", 3) > 0)
				bad |= 4;
			close(fd);
		}
		fd = bpf_obj_get(files[i]);
		if (fd >= 0) {
			bad |= 8;
			close(fd);
		}
	}
	return bad;
}

TEST_F(gate, unprivileged_cannot_open_gate)
{
	struct gate_status st;
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_attempts());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("bits: 1 open, 2 mode, 4 file write, 8 map fd");
	ASSERT_EQ(0, gate_get_status(self->g, &st));
	EXPECT_EQ(CREDGATE_CLOSED, st.state);
	EXPECT_EQ(CREDGATE_MODE_ENFORCE, st.mode);
	EXPECT_REFUSED(CREDGATE_HOOK_BIND, AF_INET, SOCK_STREAM, "0.0.0.0", 18014);
	EXPECT_DELTA(1, 0, 0, 0);
}

TEST_HARNESS_MAIN
