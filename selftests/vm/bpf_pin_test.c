// SPDX-License-Identifier: MIT
/*
 * In-VM tests of the BPF backend's pinning (SKIP on the lsm backend):
 * enforcement outlives the loader, loading twice never attaches twice,
 * garbage map writes fail cleanly and fail closed, lock freezes the config
 * map while open/close keep working.  The lock test runs last and undoes
 * itself the way only root can: by removing the pins and loading afresh.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>

#include "gate_helpers.h"
#include "kselftest_harness.h"

FIXTURE(pin) {
	struct gate *g;
};

FIXTURE_SETUP(pin)
{
	enum cg_backend b;
	int r;

	self->g = NULL;
	if (gate_detect_backend(&b) < 0 || b != CG_BACKEND_BPF)
		return;		/* each test SKIPs (6.1's harness runs the body anyway) */
	r = open_test_gate(&self->g);
	ASSERT_EQ(0, r) TH_LOG("cannot open the gate: %s", strerror(-r));
	reset_gate(self->g);
}

FIXTURE_TEARDOWN(pin)
{
	if (self->g) {
		reset_gate(self->g);
		gate_close(self->g);
	}
}

#define REQUIRE_BPF() do { \
	if (!self->g) \
		SKIP(return, "not the bpf backend"); \
} while (0)

/* Attached credgate programs, by name: [0] bind, [1] listen. */
static int count_links(int n[2])
{
	__u32 id = 0;

	n[0] = n[1] = 0;
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info li = { 0 };
		struct bpf_prog_info pi = { 0 };
		__u32 llen = sizeof(li), plen = sizeof(pi);
		_cleanup_close_ int lfd = bpf_link_get_fd_by_id(id), pfd = -1;

		if (lfd < 0 || bpf_obj_get_info_by_fd(lfd, &li, &llen) < 0)
			continue;
		pfd = bpf_prog_get_fd_by_id(li.prog_id);
		if (pfd < 0 || bpf_obj_get_info_by_fd(pfd, &pi, &plen) < 0)
			continue;
		if (!strcmp(pi.name, "credgate_bind"))
			n[0]++;
		else if (!strcmp(pi.name, "credgate_listen"))
			n[1]++;
	}
	return 0;
}

static bool refused(int family, const char *addr, int port)
{
	int hook;

	return try_serve(family, SOCK_STREAM, addr, port, &hook, NULL) == -EACCES;
}

TEST_F(pin, enforcement_survives_loader_exit)
{
	uint64_t before[CREDGATE_NR_COUNTERS], d[CREDGATE_NR_COUNTERS];
	struct gate_status st;
	int n[2];

	REQUIRE_BPF();
	/* A fresh load by a process that exits at once. */
	ASSERT_EQ(0, system("credgate gate load --force >/dev/null"));
	gate_close(self->g);
	ASSERT_EQ(0, gate_open_backend(CG_BACKEND_BPF, &self->g));
	ASSERT_EQ(0, gate_get_status(self->g, &st));
	EXPECT_EQ(CREDGATE_CLOSED, st.state);
	EXPECT_EQ(CREDGATE_MODE_ENFORCE, st.mode);
	EXPECT_FALSE(st.locked);
	count_links(n);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(1, n[1]);

	ASSERT_EQ(0, gate_read_counters(self->g, before));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18101));
	EXPECT_TRUE(refused(AF_INET6, NULL, 0));
	ASSERT_EQ(0, counter_delta(self->g, before, d));
	EXPECT_EQ(1u, d[IDX_BIND_REFUSED]);
	EXPECT_EQ(1u, d[IDX_LISTEN_REFUSED]);
}

TEST_F(pin, second_load_does_not_double_attach)
{
	uint64_t before[CREDGATE_NR_COUNTERS], d[CREDGATE_NR_COUNTERS];
	uint32_t allow[CREDGATE_ALLOW_WORDS];
	int n[2];

	REQUIRE_BPF();
	count_links(n);
	ASSERT_EQ(1, n[0]);
	ASSERT_EQ(1, n[1]);
	EXPECT_EQ(0, system("credgate gate load | grep -q 'already loaded'"));
	EXPECT_EQ(1, gate_bpf_load(false));
	count_links(n);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(1, n[1]);

	/* One refusal, one count: a second program would count twice. */
	ASSERT_EQ(0, gate_read_counters(self->g, before));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18102));
	ASSERT_EQ(0, counter_delta(self->g, before, d));
	EXPECT_EQ(1u, d[IDX_BIND_REFUSED]);

	/*
	 * One link gone (root removed its pin): the next load attaches that
	 * one only and keeps the maps' contents.
	 */
	ASSERT_EQ(0, gate_get_allow(self->g, allow));
	credgate_allow_set(allow, CREDGATE_PROTO_TCP, 18103, 1);
	ASSERT_EQ(0, gate_set_allow(self->g, allow));
	ASSERT_EQ(0, unlink(GATE_BPF_PIN_DIR "/link_socket_listen"));
	count_links(n);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(0, n[1]);
	EXPECT_FALSE(refused(AF_INET, NULL, 0));	/* not enforced now */
	EXPECT_EQ(0, system("credgate gate load | grep -q '^loaded'"));
	count_links(n);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(1, n[1]);
	EXPECT_TRUE(refused(AF_INET, NULL, 0));
	EXPECT_FALSE(refused(AF_INET, "0.0.0.0", 18103));	/* allow list kept */
}

static long raw_update(int fd, const void *key, const void *value, __u64 flags,
		       const void *tail_garbage)
{
	union {
		union bpf_attr attr;
		char bytes[sizeof(union bpf_attr) + 8];
	} u;

	memset(&u, 0, sizeof(u));
	u.attr.map_fd = (__u32)fd;
	u.attr.key = (__u64)(uintptr_t)key;
	u.attr.value = (__u64)(uintptr_t)value;
	u.attr.flags = flags;
	if (tail_garbage)	/* non-zero bytes past the command's fields */
		memset((char *)&u.attr.flags + sizeof(u.attr.flags), 0x5a, 8);
	return syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM, &u.attr, sizeof(u.attr));
}

TEST_F(pin, garbage_map_writes_fail_cleanly)
{
	_cleanup_close_ int cfd = -1, gfd = -1;
	struct credgate_config *before, *after;
	long page = sysconf(_SC_PAGESIZE);
	__u32 zero = 0, one = 1, small = 1;
	struct credgate_gate gs;
	char *map;

	REQUIRE_BPF();
	cfd = bpf_obj_get(GATE_BPF_PIN_DIR "/config");
	gfd = bpf_obj_get(GATE_BPF_PIN_DIR "/gate");
	ASSERT_LE(0, cfd);
	ASSERT_LE(0, gfd);
	before = calloc(1, sizeof(*before));
	after = calloc(1, sizeof(*after));
	ASSERT_EQ(0, bpf_map_lookup_elem(cfd, &zero, before));

	/* A 4-byte value at the end of a page: the kernel reads past it. */
	map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, (size_t)page));
	memcpy(map + page - sizeof(small), &small, sizeof(small));

	errno = 0;
	EXPECT_EQ(-1, raw_update(cfd, &zero, map + page - sizeof(small), BPF_ANY, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, raw_update(gfd, &zero, map + page, BPF_ANY, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, raw_update(cfd, &one, before, BPF_ANY, NULL));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, raw_update(cfd, &zero, before, BPF_NOEXIST, NULL));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, raw_update(cfd, &zero, before, 0x100, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, raw_update(cfd, &zero, before, BPF_ANY, "garbage"));
	EXPECT_EQ(EINVAL, errno);
	munmap(map, (size_t)page);

	ASSERT_EQ(0, bpf_map_lookup_elem(cfd, &zero, after));
	EXPECT_EQ(0, memcmp(before, after, sizeof(*before)));

	/* Values no tool writes: the programs fail closed. */
	gs.state = 42;
	ASSERT_EQ(0, bpf_map_update_elem(gfd, &zero, &gs, BPF_ANY));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18104));
	gs.state = CREDGATE_CLOSED;
	ASSERT_EQ(0, bpf_map_update_elem(gfd, &zero, &gs, BPF_ANY));
	after->mode = 99;
	ASSERT_EQ(0, bpf_map_update_elem(cfd, &zero, after, BPF_ANY));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18104));
	EXPECT_EQ(0, system("credgate gate status | grep -q 'mode: invalid'"));
	ASSERT_EQ(0, bpf_map_update_elem(cfd, &zero, before, BPF_ANY));
	free(before);
	free(after);
}

static void unpin_everything(void)
{
	static const char *const pins[] = {
		"link_socket_bind", "link_socket_listen", "link_sctp_bind_connect",
		"gate", "config", "stats", "events",
	};
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		snprintf(path, sizeof(path), GATE_BPF_PIN_DIR "/%s", pins[i]);
		unlink(path);
	}
}

/* Irreversible for the pinned maps: keep last, then start afresh. */
TEST_F(pin, lock_freezes_config_map)
{
	_cleanup_close_ int cfd = -1;
	struct credgate_config *cfg;
	uint32_t allow[CREDGATE_ALLOW_WORDS];
	struct gate_status st;
	__u32 zero = 0;
	int n[2];

	REQUIRE_BPF();
	cfd = bpf_obj_get(GATE_BPF_PIN_DIR "/config");
	cfg = calloc(1, sizeof(*cfg));
	ASSERT_LE(0, cfd);
	ASSERT_NE(NULL, cfg);
	ASSERT_EQ(0, system("credgate gate lock >/dev/null"));
	EXPECT_EQ(0, gate_lock(self->g));	/* idempotent */
	ASSERT_EQ(0, gate_get_status(self->g, &st));
	EXPECT_TRUE(st.locked);

	ASSERT_EQ(0, bpf_map_lookup_elem(cfd, &zero, cfg));
	cfg->mode = CREDGATE_MODE_OFF;
	EXPECT_EQ(-1, bpf_map_update_elem(cfd, &zero, cfg, BPF_ANY));
	EXPECT_EQ(EPERM, errno);
	gate_default_allow(allow);
	EXPECT_EQ(-EROFS, gate_set_mode(self->g, CREDGATE_MODE_OFF));
	EXPECT_EQ(-EROFS, gate_set_allow(self->g, allow));
	EXPECT_EQ(0, system("credgate gate mode off 2>&1 | grep -q 'locked until reboot'"));
	EXPECT_EQ(2 << 8, system("credgate gate load --force >/dev/null 2>&1"));

	/* The gate itself still opens and closes. */
	ASSERT_EQ(0, system("credgate gate open"));
	EXPECT_FALSE(refused(AF_INET, "0.0.0.0", 18105));
	ASSERT_EQ(0, system("credgate gate close"));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18105));

	/* The trust-model caveat: root can remove the pins, then reload. */
	gate_close(self->g);
	self->g = NULL;
	close(cfd);
	cfd = -1;
	unpin_everything();
	count_links(n);
	EXPECT_EQ(0, n[0] + n[1]);
	EXPECT_FALSE(refused(AF_INET, "0.0.0.0", 18105));
	ASSERT_EQ(0, gate_bpf_load(false));
	ASSERT_EQ(0, gate_open_backend(CG_BACKEND_BPF, &self->g));
	ASSERT_EQ(0, gate_get_status(self->g, &st));
	EXPECT_FALSE(st.locked);
	EXPECT_EQ(CREDGATE_CLOSED, st.state);
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18105));
	free(cfg);
}

TEST_HARNESS_MAIN
