// SPDX-License-Identifier: MIT
/*
 * In-VM tests of the BPF backend's pinning (SKIP on the lsm backend):
 * enforcement outlives the loader, loading twice never attaches twice,
 * garbage map writes fail cleanly and fail closed, a full ring buffer
 * drops events but no refusal or count, an incompatible pinned map fails
 * the load (suggesting --force), a loader killed midway leaves only
 * initialised maps and the next load completes, lock freezes the config
 * map while open/close keep working.  The lock test runs last and undoes
 * itself the way only root can: by removing the pins and loading afresh.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <time.h>

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

/*
 * A link whose last reference (its pin, its loader's fd) went away is
 * released by a kernel worker (always on 6.12, sometimes on 6.1): it may
 * still be counted, and its program still run, for a moment.  Wait (up to
 * 5 s) until the counts are @bind and @listen; the caller checks them.
 */
static void wait_links(int n[2], int bind, int listen)
{
	for (int i = 0; i < 250; i++) {
		count_links(n);
		if (n[0] == bind && n[1] == listen)
			return;
		usleep(20000);
	}
}

/*
 * The link's id goes before its program is detached: once it is no longer
 * counted, wait (up to 5 s) until the program no longer refuses.
 */
static bool unrefused_soon(int family, const char *addr, int port)
{
	for (int i = 0; i < 250; i++) {
		if (!refused(family, addr, port))
			return true;
		usleep(20000);
	}
	return false;
}

/* Reopen the pinned gate (after a new load): closed, enforce, unlocked. */
static void expect_fresh_gate(struct __test_metadata *_metadata, struct gate **g)
{
	struct gate_status st;

	gate_close(*g);
	*g = NULL;
	ASSERT_EQ(0, gate_open_backend(CG_BACKEND_BPF, g));
	ASSERT_EQ(0, gate_get_status(*g, &st));
	EXPECT_EQ(CREDGATE_CLOSED, st.state);
	EXPECT_EQ(CREDGATE_MODE_ENFORCE, st.mode);
	EXPECT_FALSE(st.locked);
}

TEST_F(pin, enforcement_survives_loader_exit)
{
	uint64_t before[CREDGATE_NR_COUNTERS], d[CREDGATE_NR_COUNTERS];
	int n[2];

	REQUIRE_BPF();
	/* A fresh load by a process that exits at once. */
	ASSERT_EQ(0, system("credgate gate load --force >/dev/null"));
	expect_fresh_gate(_metadata, &self->g);
	wait_links(n, 1, 1);
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
	wait_links(n, 1, 1);
	ASSERT_EQ(1, n[0]);
	ASSERT_EQ(1, n[1]);
	EXPECT_EQ(0, system("credgate gate load | grep -q 'already loaded'"));
	EXPECT_EQ(1, gate_bpf_load(false));
	wait_links(n, 1, 1);
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
	wait_links(n, 1, 0);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(0, n[1]);
	EXPECT_TRUE(unrefused_soon(AF_INET, NULL, 0));	/* not enforced now */
	EXPECT_EQ(0, system("credgate gate load | grep -q '^loaded'"));
	wait_links(n, 1, 1);
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
	int n[2];

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		snprintf(path, sizeof(path), GATE_BPF_PIN_DIR "/%s", pins[i]);
		unlink(path);
	}
	wait_links(n, 0, 0);	/* the old links released (see wait_links) */
}

static int count_event(const struct credgate_event *e, void *userdata)
{
	int *n = userdata;

	(void)e;
	(*n)++;
	return 0;
}

/* Every event the ring buffer holds now, consumed. */
static int drain(struct gate_events *ev)
{
	int total = 0, r;

	while ((r = gate_events_poll(ev, 0)) > 0)
		total += r;
	return r < 0 ? r : total;
}

/* Records of a 64 KiB ring buffer: an 8-byte header each, 8-byte aligned. */
#define RING_RECORDS	(65536 / ((8 + sizeof(struct credgate_event) + 7) & ~(size_t)7))
#define FLOOD		(3 * (int)RING_RECORDS)

/*
 * design.md: "A full ring buffer drops the event, never the refusal or
 * the count."  Nobody reads while FLOOD binds are refused: every one is
 * refused and counted, the buffer keeps at most RING_RECORDS events, and
 * once drained it takes new ones again.
 */
TEST_F(pin, full_ring_buffer_drops_events_not_refusals)
{
	uint64_t before[CREDGATE_NR_COUNTERS], d[CREDGATE_NR_COUNTERS];
	struct sockaddr_storage ss;
	socklen_t len = make_sockaddr(AF_INET, "0.0.0.0", 18106, &ss);
	struct gate_events *ev = NULL;
	_cleanup_close_ int fd = -1;
	int seen = 0, refusals = 0;

	REQUIRE_BPF();
	ASSERT_EQ(0, gate_events_open(self->g, count_event, &seen, &ev));
	ASSERT_LE(0, drain(ev));	/* what earlier tests left */
	seen = 0;
	ASSERT_EQ(0, gate_read_counters(self->g, before));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	for (int i = 0; i < FLOOD; i++)
		if (bind(fd, (struct sockaddr *)&ss, len) < 0 && errno == EACCES)
			refusals++;
	EXPECT_EQ(FLOOD, refusals);
	ASSERT_EQ(0, counter_delta(self->g, before, d));
	EXPECT_EQ((uint64_t)FLOOD, d[IDX_BIND_REFUSED]);

	EXPECT_LT(0, drain(ev));
	EXPECT_LE(seen, (int)RING_RECORDS);
	EXPECT_LT(0, seen);
	TH_LOG("%d refusals, %d events kept (room for %zu)", refusals, seen, RING_RECORDS);

	/* Drained, it holds events again; the gate still refuses. */
	seen = 0;
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18106));
	EXPECT_EQ(1, gate_events_poll(ev, 1000));
	EXPECT_EQ(1, seen);
	gate_events_free(ev);

	/* Full again: the CLI reader copes and exits 0. */
	for (int i = 0; i < FLOOD; i++)
		bind(fd, (struct sockaddr *)&ss, len);
	EXPECT_EQ(0, system("credgate gate events >/dev/null"));
	EXPECT_TRUE(refused(AF_INET, NULL, 0));
}

static int load_cli(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "credgate gate load %s >/tmp/pin-load.log 2>&1", args);
	return system(cmd);
}

/* decoy_map(NAME, VALUE_SIZE): an array map of that value size pinned at
 * GATE_BPF_PIN_DIR/NAME in place of credgate's (which is unlinked). */
static int decoy_map(const char *name, __u32 value_size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), GATE_BPF_PIN_DIR "/%s", name);
	if (unlink(path) < 0)
		return -errno;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, 4, value_size, 1, NULL);
	if (fd < 0 || bpf_obj_pin(fd, path) < 0) {
		int e = -errno;

		if (fd >= 0)
			close(fd);
		return e;
	}
	return fd;
}

/* Whether FILE has a line matching the extended regex ERE (else shown). */
static bool log_has(const char *file, const char *ere)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "grep -q -E -- \"%s\" %s || { sed 's/^/# /' %s; exit 1; }",
		 ere, file, file);
	return system(cmd) == 0;
}

/*
 * design.md: "A pinned map from an incompatible credgate version makes
 * the load fail with a message that suggests --force."  A config map of
 * 8 bytes (mode, locked: no allow list) replaces the pinned one, and a
 * link is missing so that the load has work to do.  The load fails with
 * exit 2 and that message, attaches nothing, and the programs still
 * attached still refuse; --force loads afresh.
 */
TEST_F(pin, incompatible_pinned_map_fails_load)
{
	_cleanup_close_ int old = -1;
	int n[2];

	REQUIRE_BPF();
	ASSERT_EQ(0, unlink(GATE_BPF_PIN_DIR "/link_socket_listen"));
	old = decoy_map("config", 8);
	ASSERT_LE(0, old) TH_LOG("decoy config map: %s", strerror(-old));

	EXPECT_EQ(2 << 8, load_cli(""));
	EXPECT_TRUE(log_has("/tmp/pin-load.log", "another credgate version\\?.*'credgate gate load --force'"));
	EXPECT_NE(0, access(GATE_BPF_PIN_DIR "/link_socket_listen", F_OK));
	wait_links(n, 1, 0);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(0, n[1]);
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18107));	/* bind program */

	EXPECT_EQ(0, load_cli("--force"));
	wait_links(n, 1, 1);
	EXPECT_EQ(1, n[0]);
	EXPECT_EQ(1, n[1]);
	expect_fresh_gate(_metadata, &self->g);
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18107));
	EXPECT_TRUE(refused(AF_INET, NULL, 0));
}

/*
 * The same with every pin in place: a gate map of 256-byte values pinned
 * over the real one (found by a VM test: "already loaded", then status and
 * --force read 256 bytes into a 4-byte struct and crashed).  Each map's
 * shape is checked before use: load and status exit 2 naming the map and
 * --force; --force loads afresh; nothing crashed.
 */
TEST_F(pin, pinned_map_of_another_shape_is_never_read)
{
	_cleanup_close_ int decoy = -1;

	REQUIRE_BPF();
	decoy = decoy_map("gate", 256);
	ASSERT_LE(0, decoy) TH_LOG("decoy gate map: %s", strerror(-decoy));

	EXPECT_EQ(2 << 8, load_cli(""));
	EXPECT_TRUE(log_has("/tmp/pin-load.log",
			    "credgate/gate is not the map this credgate uses \\(type 2, key 4, value 256.*credgate gate load --force"));
	EXPECT_EQ(2 << 8, system("credgate gate status >/tmp/pin-status.log 2>&1"));
	EXPECT_TRUE(log_has("/tmp/pin-status.log", "credgate/gate is not the map this credgate uses"));
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18108));	/* still attached */

	EXPECT_EQ(0, load_cli("--force"));
	expect_fresh_gate(_metadata, &self->g);
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18108));
}

/* Every pinned map holds a closed, enforcing gate with the default list. */
static bool pinned_maps_consistent(struct __test_metadata *_metadata, int *npins)
{
	static const char *const maps[] = { "gate", "config", "stats", "events" };
	uint32_t allow[CREDGATE_ALLOW_WORDS];
	bool ok = true;
	__u32 zero = 0;

	*npins = 0;
	gate_default_allow(allow);
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		char path[128];
		_cleanup_close_ int fd = -1;

		snprintf(path, sizeof(path), GATE_BPF_PIN_DIR "/%s", maps[i]);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		(*npins)++;
		if (i == 0) {
			struct credgate_gate gs = { .state = 42 };

			ok = ok && bpf_map_lookup_elem(fd, &zero, &gs) == 0 &&
			     gs.state == CREDGATE_CLOSED;
		} else if (i == 1) {
			_cleanup_free_ struct credgate_config *cfg = calloc(1, sizeof(*cfg));

			ok = ok && cfg && bpf_map_lookup_elem(fd, &zero, cfg) == 0 &&
			     cfg->mode == CREDGATE_MODE_ENFORCE && !cfg->locked &&
			     !memcmp(cfg->allow, allow, sizeof(allow));
		}
	}
	EXPECT_TRUE(ok) TH_LOG("a pinned map is not the fresh gate's");
	return ok;
}

/* `credgate gate load`, its output to /dev/null; the child's pid. */
static pid_t spawn_load(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("credgate", "credgate", "gate", "load", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait until @n pins were created in the pin directory or the loader ended. */
static void wait_pins(int ino, pid_t pid, int n)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { .fd = ino, .events = POLLIN };
	int seen = 0;

	while (seen < n) {
		if (waitpid(pid, NULL, WNOHANG | WNOWAIT) == pid)
			return;
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t len = read(ino, buf, sizeof(buf));

		for (char *q = buf; len > 0 && q < buf + len;
		     q += sizeof(struct inotify_event) + ((struct inotify_event *)q)->len)
			seen++;
	}
}

/*
 * design.md: fresh maps are initialised before they are pinned, "so a
 * loader killed midway never leaves an uninitialised map pinned".  From no
 * pins, `credgate gate load` is killed (SIGKILL) during verification (at
 * 1/4, 1/2 and 3/4 of an unkilled load's time) and as soon as its first to
 * sixth pin appears (inotify): what it left pinned is a closed, enforcing
 * gate, and the next load completes with one link per program and
 * refuses.
 */
TEST_F_TIMEOUT(pin, loader_killed_midway, 240)
{
	_cleanup_close_ int ino = -1;
	int killed = 0, partial = 0, n[2], npins;
	long long t0, full;

	REQUIRE_BPF();
	gate_close(self->g);
	self->g = NULL;
	ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	ASSERT_LE(0, ino);
	ASSERT_LE(0, inotify_add_watch(ino, GATE_BPF_PIN_DIR, IN_CREATE));

	unpin_everything();
	t0 = now_ms();
	ASSERT_EQ(0, load_cli(""));
	full = now_ms() - t0;
	TH_LOG("an unkilled load from no pins: %lld ms", full);

	for (int i = 1; i <= 9; i++) {
		int status = 0;
		pid_t pid;
		char buf[4096];

		unpin_everything();
		while (read(ino, buf, sizeof(buf)) > 0)
			;	/* the events of the last load */
		pid = spawn_load();
		ASSERT_LE(0, pid);
		if (i <= 3)
			usleep((useconds_t)(full * i / 4 * 1000));
		else
			wait_pins(ino, pid, i - 3);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (WIFSIGNALED(status))
			killed++;
		else
			EXPECT_EQ(0, WEXITSTATUS(status));
		pinned_maps_consistent(_metadata, &npins);
		count_links(n);
		if (WIFSIGNALED(status) && (npins > 0 || n[0] + n[1] > 0))
			partial++;
		if (i <= 3)
			TH_LOG("killed after %lld ms: %s, %d maps and %d+%d links left",
			       full * i / 4, WIFSIGNALED(status) ? "killed" : "had finished",
			       npins, n[0], n[1]);
		else
			TH_LOG("killed at pin %d: %s, %d maps and %d+%d links left", i - 3,
			       WIFSIGNALED(status) ? "killed" : "had finished", npins, n[0], n[1]);

		EXPECT_EQ(0, load_cli(""));
		wait_links(n, 1, 1);
		EXPECT_EQ(1, n[0]);
		EXPECT_EQ(1, n[1]);
		pinned_maps_consistent(_metadata, &npins);
		EXPECT_EQ(4, npins);
		EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18108));
		EXPECT_TRUE(refused(AF_INET, NULL, 0));
	}
	/* Kills must land inside the load, some after a pin, or nothing was tested. */
	EXPECT_LT(0, killed);
	EXPECT_LT(0, partial);
	TH_LOG("%d of 9 loads killed, %d of them with pins left behind", killed, partial);
	expect_fresh_gate(_metadata, &self->g);
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
	wait_links(n, 0, 0);
	EXPECT_EQ(0, n[0] + n[1]);
	EXPECT_TRUE(unrefused_soon(AF_INET, "0.0.0.0", 18105));
	ASSERT_EQ(0, gate_bpf_load(false));
	ASSERT_EQ(0, gate_open_backend(CG_BACKEND_BPF, &self->g));
	ASSERT_EQ(0, gate_get_status(self->g, &st));
	EXPECT_FALSE(st.locked);
	EXPECT_EQ(CREDGATE_CLOSED, st.state);
	EXPECT_TRUE(refused(AF_INET, "0.0.0.0", 18105));
	free(cfg);
}

TEST_HARNESS_MAIN
