// SPDX-License-Identifier: MIT
/* Host tests of gate_parse_log_line(): the lsm backend's kernel log lines. */
#include <arpa/inet.h>

#include "gate/gate.h"
#include "base/util.h"

#include "kselftest_harness.h"

/* TEST_F, not TEST: 6.1's TEST() leaves a parameter unused (clang -Werror). */
FIXTURE(log) {
	int unused;
};

FIXTURE_SETUP(log)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(log)
{
}

TEST_F(log, parses_refusal_v4)
{
	struct credgate_event e;

	ASSERT_EQ(0, gate_parse_log_line("credgate: refused listen comm=telnetd pid=123 uid=0 "
					 "addr=0.0.0.0 port=23", &e));
	EXPECT_EQ(CREDGATE_REFUSE, e.action);
	EXPECT_EQ(CREDGATE_HOOK_LISTEN, e.hook);
	EXPECT_STREQ("telnetd", e.comm);
	EXPECT_EQ(123u, e.pid);
	EXPECT_EQ(0u, e.uid);
	EXPECT_EQ(CREDGATE_AF_INET, e.family);
	EXPECT_EQ(23, e.port);
}

TEST_F(log, parses_audit_v6_and_comm_with_spaces)
{
	struct credgate_event e;
	uint8_t want[16];

	inet_pton(AF_INET6, "2001:db8::1", want);
	ASSERT_EQ(0, gate_parse_log_line("[  12.3] credgate: audited bind comm=my pid=x d pid=7 "
					 "uid=1000 addr=2001:db8::1 port=8080", &e));
	EXPECT_EQ(CREDGATE_AUDIT, e.action);
	EXPECT_EQ(CREDGATE_HOOK_BIND, e.hook);
	EXPECT_STREQ("my pid=x d", e.comm);
	EXPECT_EQ(7u, e.pid);
	EXPECT_EQ(1000u, e.uid);
	EXPECT_EQ(CREDGATE_AF_INET6, e.family);
	EXPECT_EQ(0, memcmp(want, e.addr, 16));
	EXPECT_EQ(8080, e.port);
}

TEST_F(log, rejects_other_lines)
{
	static const char *const bad[] = {
		"", "credgate:", "credgate: refused", "credgate: allowed bind comm=a pid=1 uid=0 addr=1.2.3.4 port=1",
		"credgate: refused connect comm=a pid=1 uid=0 addr=1.2.3.4 port=1",
		"credgate: refused bind comm=a uid=0 addr=1.2.3.4 port=1",
		"credgate: refused bind comm=a pid=1 uid=0 addr=1.2.3 port=1",
		"credgate: refused bind comm=a pid=1 uid=0 addr=1.2.3.4 port=65536",
		"credgate: refused bind comm=a pid=1 uid=0 addr=1.2.3.4 port=1x",
		"credgate: refused bind comm=a pid=1 uid=0 addr=1.2.3.4",
		("credgate: refused bind comm=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa pid=1 uid=0 "
		 "addr=2001:db8:0:0:0:0:0:1:2:3:4:5:6:7:8:9:0:1:2:3:4:5 port=1"),
	};
	struct credgate_event e;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = gate_parse_log_line(bad[i], &e);

		EXPECT_EQ(-EINVAL, r) TH_LOG("line \"%s\"", bad[i]);
	}
}

TEST_F(log, long_comm_is_cut)
{
	struct credgate_event e;

	ASSERT_EQ(0, gate_parse_log_line("credgate: refused bind comm=abcdefghijklmnopqrstuvwxyz "
					 "pid=1 uid=0 addr=::ffff:192.0.2.1 port=1", &e));
	EXPECT_EQ(0, memcmp("abcdefghijklmnop", e.comm, CREDGATE_COMM_LEN));
	EXPECT_EQ(CREDGATE_AF_INET6, e.family);
}

TEST_F(log, random_input_never_crashes)
{
	char line[256];
	struct credgate_event e;
	unsigned int seed = 1;
	const char *prefix = "credgate: refused bind comm=";

	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)(rand_r(&seed) % (sizeof(line) - 1)), off = 0;

		if (i & 1) {
			off = strlen(prefix);
			memcpy(line, prefix, off);
		}
		for (size_t j = off; j < n; j++)
			line[j] = (char)(rand_r(&seed) % 255 + 1);
		line[n > off ? n : off] = '\0';
		gate_parse_log_line(line, &e);
	}
}

TEST_HARNESS_MAIN
