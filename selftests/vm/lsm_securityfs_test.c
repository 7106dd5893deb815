// SPDX-License-Identifier: MIT
/*
 * In-VM tests of the credgate LSM's securityfs interface
 * (/sys/kernel/security/credgate/: state, mode, allow_ports, lock, stats).
 * Runs as root inside a throwaway VM booted with the credgate kernel;
 * SKIPs on kernels without the LSM (e.g. the bpf backend's kernel).
 *
 * Every test restores what it changed.  The last test locks mode and allow
 * list until reboot (kselftest runs TESTs in definition order), after
 * restoring the defaults; set CREDGATE_TEST_NO_LOCK=1 to skip it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define CG_DIR		"/sys/kernel/security/credgate"
#define TEST_PORT	18080	/* not allow-listed by default */
#define DEFAULT_ALLOW	"udp:68 udp:546\n"

static const char *const writable_files[] = {
	"state", "mode", "allow_ports", "lock",
};

/* Why the suite cannot run here, or NULL. */
static const char *skip_reason(void)
{
	if (geteuid() != 0)
		return "needs root";
	if (access(CG_DIR, F_OK))
		return "no " CG_DIR ": kernel without the credgate LSM";
	return NULL;
}

static int cg_open(const char *name, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), CG_DIR "/%s", name);
	return open(path, flags | O_CLOEXEC);
}

/* Read the whole file into buf (NUL-terminated): length or -errno. */
static ssize_t cg_read(const char *name, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = cg_open(name, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

/* One write() of len bytes at offset 0 on a fresh descriptor: 0 or -errno. */
static int cg_write_len(const char *name, const char *data, size_t len)
{
	ssize_t n;
	int fd = cg_open(name, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static int cg_write(const char *name, const char *data)
{
	return cg_write_len(name, data, strlen(data));
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* What the writable files hold, to check that a bad write changed nothing. */
struct snapshot {
	char state[32], mode[32], lock[8];
	char allow[65536 * 6 + 2];
};

static struct snapshot *take_snapshot(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	if (cg_read("state", s->state, sizeof(s->state)) < 0 ||
	    cg_read("mode", s->mode, sizeof(s->mode)) < 0 ||
	    cg_read("lock", s->lock, sizeof(s->lock)) < 0 ||
	    cg_read("allow_ports", s->allow, sizeof(s->allow)) < 0)
		abort();
	return s;
}

static bool snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return !strcmp(a->state, b->state) && !strcmp(a->mode, b->mode) &&
	       !strcmp(a->lock, b->lock) && !strcmp(a->allow, b->allow);
}

/* Put state, mode and allow list back (mode/allow only when unlocked). */
static void restore_snapshot(const struct snapshot *s)
{
	cg_write("state", s->state);
	if (strcmp(s->lock, "1\n")) {
		cg_write("mode", s->mode);
		cg_write("allow_ports", s->allow);
	}
}

struct stats {
	long bind_refused, bind_audited, listen_refused, listen_audited;
};

static int read_stats(struct stats *st)
{
	char buf[512];
	int n;

	if (cg_read("stats", buf, sizeof(buf)) < 0)
		return -1;
	n = sscanf(buf, "bind_refused %ld\nbind_audited %ld\n"
		   "listen_refused %ld\nlisten_audited %ld\n",
		   &st->bind_refused, &st->bind_audited,
		   &st->listen_refused, &st->listen_audited);
	return n == 4 ? 0 : -1;
}

/* bind() a fresh socket to addr:port; 0 or -errno.  Returns the fd in *fdp. */
static int try_bind(int family, const char *addr, int port, int *fdp)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, one = 1, err = 0;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		err = -errno;
	if (fdp && !err)
		*fdp = fd;
	else
		close(fd);
	return err;
}

static int try_listen_unbound(int family)
{
	int fd, err = 0;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	if (listen(fd, 1))
		err = -errno;
	close(fd);
	return err;
}

/* A strictly ascending list of ports 1..65535 separated by single spaces. */
/* "PROTO:PORT ...\n", by protocol (udp, tcp, sctp) then port, no repeats. */
static bool valid_port_list(const char *s)
{
	static const char *const protos[] = { "udp:", "tcp:", "sctp:" };
	long prev = -1, key, port;
	char *end;
	size_t p;

	if (!strcmp(s, "\n"))
		return true;
	for (;;) {
		for (p = 0; p < 3; p++)
			if (!strncmp(s, protos[p], strlen(protos[p])))
				break;
		if (p == 3)
			return false;
		s += strlen(protos[p]);
		if (*s < '0' || *s > '9')
			return false;
		port = strtol(s, &end, 10);
		key = (long)p * 65536 + port;
		if (port < 1 || port > 65535 || key <= prev)
			return false;
		prev = key;
		if (!strcmp(end, "\n"))
			return true;
		if (*end != ' ')
			return false;
		s = end + 1;
	}
}

/*
 * Every test starts from a snapshot of the writable files and the teardown
 * puts it back, also after a failed ASSERT.
 */
FIXTURE(securityfs) {
	struct snapshot *orig;
};

FIXTURE_SETUP(securityfs)
{
	if (!skip_reason())
		self->orig = take_snapshot();
}

FIXTURE_TEARDOWN(securityfs)
{
	if (self->orig) {
		restore_snapshot(self->orig);
		free(self->orig);
	}
}

#define REQUIRE_CREDGATE() do {						\
		const char *why = skip_reason();			\
		if (why)						\
			SKIP(return, "%s", why);			\
	} while (0)

/* Tests that write mode or allow_ports cannot run once "lock" was written. */
#define REQUIRE_UNLOCKED() do {						\
		REQUIRE_CREDGATE();					\
		if (!strcmp(self->orig->lock, "1\n"))			\
			SKIP(return, "mode and allow list locked in this boot"); \
	} while (0)

TEST_F(securityfs, read_formats)
{
	static const char *const names[] = {
		"state", "mode", "allow_ports", "lock", "stats",
	};
	char buf[65536 * 6 + 2];
	struct stats st;
	struct stat sb;
	char path[128];
	size_t i;

	REQUIRE_CREDGATE();

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), CG_DIR "/%s", names[i]);
		ASSERT_EQ(0, stat(path, &sb)) TH_LOG("%s: %m", path);
		EXPECT_EQ(i == 4 ? 0444 : 0644, sb.st_mode & 07777)
			TH_LOG("%s mode %o", path, sb.st_mode & 07777);
		EXPECT_EQ(0u, sb.st_uid);
	}

	ASSERT_LT(0, cg_read("state", buf, sizeof(buf)));
	EXPECT_TRUE(!strcmp(buf, "open\n") || !strcmp(buf, "closed\n"))
		TH_LOG("state: '%s'", buf);
	ASSERT_LT(0, cg_read("mode", buf, sizeof(buf)));
	EXPECT_TRUE(!strcmp(buf, "enforce\n") || !strcmp(buf, "permissive\n") ||
		    !strcmp(buf, "off\n")) TH_LOG("mode: '%s'", buf);
	ASSERT_LT(0, cg_read("lock", buf, sizeof(buf)));
	EXPECT_TRUE(!strcmp(buf, "0\n") || !strcmp(buf, "1\n"))
		TH_LOG("lock: '%s'", buf);
	ASSERT_LT(0, cg_read("allow_ports", buf, sizeof(buf)));
	EXPECT_TRUE(valid_port_list(buf)) TH_LOG("allow_ports: '%s'", buf);
	ASSERT_LT(0, cg_read("stats", buf, sizeof(buf)));
	ASSERT_EQ(0, read_stats(&st)) TH_LOG("stats: '%s'", buf);
	/* Exactly four lines, nothing after. */
	EXPECT_EQ(4, count_lines(buf)) TH_LOG("stats: '%s'", buf);
	EXPECT_EQ('\n', buf[strlen(buf) - 1]);
}

TEST_F(securityfs, boot_defaults)
{
	char buf[256];

	REQUIRE_CREDGATE();
	/* The VM kernel keeps the Kconfig defaults unless the test changed them. */
	ASSERT_LT(0, cg_read("lock", buf, sizeof(buf)));
	if (strcmp(buf, "0\n"))
		SKIP(return, "already locked in this boot");
	ASSERT_LT(0, cg_read("allow_ports", buf, sizeof(buf)));
	EXPECT_STREQ(DEFAULT_ALLOW, buf);
}

/* A good write, then the file reads back as @want. */
static void write_reads_back(struct __test_metadata *_metadata,
			     const char *file, const char *data,
			     const char *want)
{
	char buf[256];

	ASSERT_EQ(0, cg_write(file, data)) TH_LOG("%s <- '%s'", file, data);
	ASSERT_LT(0, cg_read(file, buf, sizeof(buf)));
	EXPECT_STREQ(want, buf) TH_LOG("%s after '%s'", file, data);
}

TEST_F(securityfs, state_write)
{
	REQUIRE_CREDGATE();

	write_reads_back(_metadata, "state", "open", "open\n");
	write_reads_back(_metadata, "state", "closed\n", "closed\n");
	write_reads_back(_metadata, "state", "open\n", "open\n");
}

TEST_F(securityfs, mode_write)
{
	REQUIRE_UNLOCKED();

	write_reads_back(_metadata, "mode", "permissive", "permissive\n");
	write_reads_back(_metadata, "mode", "off", "off\n");
	write_reads_back(_metadata, "mode", "enforce", "enforce\n");
	write_reads_back(_metadata, "mode", "off\n", "off\n");
}

TEST_F(securityfs, allow_ports_write)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "tcp:80 tcp:443\n", "tcp:80 tcp:443\n" },
		{ " tcp:8080\ttcp:22 \n tcp:22", "tcp:22 tcp:8080\n" },
		{ "sctp:65535 tcp:1 udp:9", "udp:9 tcp:1 sctp:65535\n" },
		{ "tcp:0080", "tcp:80\n" },
		{ "udp:80 tcp:80", "udp:80 tcp:80\n" },
		{ "   \n", "\n" },
		{ "udp:68\nudp:546\n", "udp:68 udp:546\n" },
	};
	char buf[256];
	size_t i;

	REQUIRE_UNLOCKED();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		write_reads_back(_metadata, "allow_ports", cases[i].in,
				 cases[i].out);
	/* A zero-length write clears the list too. */
	ASSERT_EQ(0, cg_write_len("allow_ports", "", 0));
	ASSERT_LT(0, cg_read("allow_ports", buf, sizeof(buf)));
	EXPECT_STREQ("\n", buf);
}

TEST_F(securityfs, all_ports_read_back)
{
	char *list, *buf;
	size_t size = 65536 * 6 + 2, off = 0;
	int port;

	REQUIRE_UNLOCKED();

	/* A page holds ~800 ports per write: check a long list reads back. */
	list = calloc(1, 4096);
	buf = calloc(1, size);
	ASSERT_NE(NULL, list);
	ASSERT_NE(NULL, buf);
	for (port = 1000; off < 4000; port += 7)
		off += snprintf(list + off, 4096 - off, "tcp:%d ", port);
	ASSERT_EQ(0, cg_write("allow_ports", list));
	ASSERT_LT(0, cg_read("allow_ports", buf, size));
	list[off - 1] = '\n';
	EXPECT_STREQ(list, buf);

	free(list);
	free(buf);
}

/* Every bad write: the errno, and nothing changed. */
static void expect_rejected(struct __test_metadata *_metadata, const char *file,
			    const char *data, size_t len, int err)
{
	struct snapshot *before = take_snapshot(), *after;

	EXPECT_EQ(-err, cg_write_len(file, data, len))
		TH_LOG("%s <- '%.*s' (%zu bytes)", file, (int)(len > 40 ? 40 : len),
		       data, len);
	after = take_snapshot();
	EXPECT_TRUE(snapshot_equal(before, after)) TH_LOG("%s changed", file);
	free(before);
	free(after);
}

#define REJECT(file, str, err) \
	expect_rejected(_metadata, file, str, sizeof(str) - 1, err)

TEST_F(securityfs, garbage_rejected)
{

	REQUIRE_UNLOCKED();

	REJECT("state", "opened", EINVAL);
	REJECT("state", "OPEN", EINVAL);
	REJECT("state", "open\n\n", EINVAL);
	REJECT("state", " open", EINVAL);
	REJECT("state", "open\0closed", EINVAL);
	REJECT("state", "1", EINVAL);
	REJECT("state", "", EINVAL);
	REJECT("state", "\xff\xfe\x01", EINVAL);
	REJECT("mode", "enforcing", EINVAL);
	REJECT("mode", "permissive off", EINVAL);
	REJECT("mode", "", EINVAL);
	REJECT("mode", "\n", EINVAL);
	REJECT("mode", "off\0", EINVAL);
	REJECT("lock", "0", EINVAL);
	REJECT("lock", "2", EINVAL);
	REJECT("lock", "yes", EINVAL);
	REJECT("lock", "11", EINVAL);
	REJECT("lock", "1 ", EINVAL);
	REJECT("lock", "", EINVAL);
	REJECT("stats", "0", EINVAL);
}

TEST_F(securityfs, invalid_port_lists)
{
	static const char *const bad[] = {
		"80 x", "0", "65536", "-1", "80,81", "+80", "0x50", "80 0",
		"99999999999999999999", "80;81", "1e3", "80\x80", "x",
		/* bare ports (the syntax before protocols) and bad entries */
		"80", "68 546", "udp:68 546", "tcp:", ":80", "tcp:0", "tcp:65536",
		"TCP:80", "raw:80", "tcp:80:1", "tcp :80", "tcp:+80", "tcp:0x50",
		"udpx:68", "ud:68", "tcp:80,tcp:81",
	};
	size_t i;

	REQUIRE_UNLOCKED();

	/* A distinctive list, so "unchanged" means something. */
	ASSERT_EQ(0, cg_write("allow_ports", "tcp:22 tcp:80"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_rejected(_metadata, "allow_ports", bad[i], strlen(bad[i]),
				EINVAL);
	REJECT("allow_ports", "tcp:80\0 tcp:81", EINVAL);
}

TEST_F(securityfs, oversized_write)
{
	long page = sysconf(_SC_PAGESIZE);
	char *big, buf[64];
	size_t i;

	REQUIRE_UNLOCKED();

	big = malloc(page + 2);
	ASSERT_NE(NULL, big);
	/* One page exactly: accepted. */
	memset(big, ' ', page);
	memcpy(big + page - 7, "tcp:443", 7);
	ASSERT_EQ(0, cg_write_len("allow_ports", big, page));
	ASSERT_LT(0, cg_read("allow_ports", buf, sizeof(buf)));
	EXPECT_STREQ("tcp:443\n", buf);
	/* One byte more: refused, whatever it holds. */
	memset(big, ' ', page + 1);
	memcpy(big + page - 2, "80", 2);
	for (i = 0; i < 4; i++)
		expect_rejected(_metadata, writable_files[i], big, page + 1,
				EINVAL);
	memset(big, 'A', page + 1);
	for (i = 0; i < 4; i++)
		expect_rejected(_metadata, writable_files[i], big, page + 1,
				EINVAL);
	free(big);
}

TEST_F(securityfs, offset_and_partial_writes)
{
	struct snapshot *now;
	char buf[64];
	size_t i;
	int fd;

	REQUIRE_UNLOCKED();

	for (i = 0; i < 4; i++) {
		fd = cg_open(writable_files[i], O_WRONLY);
		ASSERT_LE(0, fd);
		errno = 0;
		EXPECT_EQ(-1, pwrite(fd, "1", 1, 1));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s pwrite at 1", writable_files[i]);
		ASSERT_EQ(2, lseek(fd, 2, SEEK_SET));
		errno = 0;
		EXPECT_EQ(-1, write(fd, "1", 1));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s write at 2", writable_files[i]);
		close(fd);
	}
	/* pwrite() at offset 0 is an ordinary write. */
	fd = cg_open("state", O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)strlen(self->orig->state),
		  pwrite(fd, self->orig->state, strlen(self->orig->state), 0));
	close(fd);
	/* A write after a read starts at the read's offset: refused. */
	fd = cg_open("state", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf)));
	errno = 0;
	EXPECT_EQ(-1, write(fd, "open", 4));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	/* A valid word split over two writes: the first half is refused. */
	fd = cg_open("state", O_WRONLY);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, write(fd, "op", 2));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	REJECT("mode", "perm", EINVAL);
	REJECT("lock", "", EINVAL);

	now = take_snapshot();
	EXPECT_TRUE(snapshot_equal(self->orig, now));
	free(now);
}

/*
 * Several processes hammer every file with good and bad writes while one
 * reads: each read must show one of the values written, never a mix, and
 * no write may fail with anything but EINVAL.
 */
TEST_F(securityfs, concurrent_writes)
{
	static const char *const lists[] = { "tcp:80 tcp:443\n", "udp:22\n", "\n" };
	enum { WRITERS = 4, ROUNDS = 150 };
	pid_t pids[WRITERS];
	char buf[256];
	int i, r, status, bad_reads = 0;

	REQUIRE_UNLOCKED();

	for (i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			int fails = 0, err;

			for (r = 0; r < ROUNDS; r++) {
				fails += cg_write("allow_ports", lists[(i + r) % 3]) != 0;
				fails += cg_write("mode", r & 1 ? "permissive" : "enforce") != 0;
				fails += cg_write("state", r & 1 ? "open" : "closed") != 0;
				err = cg_write("allow_ports", "80 x");
				fails += err != -EINVAL;
				err = cg_write("mode", "garbage");
				fails += err != -EINVAL;
				err = cg_write("lock", "0");
				fails += err != -EINVAL;
			}
			_exit(fails ? 1 : 0);
		}
	}
	for (r = 0; r < ROUNDS * 2; r++) {
		if (cg_read("allow_ports", buf, sizeof(buf)) < 0 ||
		    (strcmp(buf, lists[0]) && strcmp(buf, lists[1]) &&
		     strcmp(buf, lists[2]) && strcmp(buf, self->orig->allow)))
			bad_reads++;
		if (cg_read("mode", buf, sizeof(buf)) < 0 ||
		    (strcmp(buf, "enforce\n") && strcmp(buf, "permissive\n") &&
		     strcmp(buf, self->orig->mode)))
			bad_reads++;
	}
	for (i = 0; i < WRITERS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("writer %d: status %#x", i, status);
	}
	EXPECT_EQ(0, bad_reads);
	ASSERT_LT(0, cg_read("lock", buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
}

/* In a child: write every file through descriptors opened while privileged. */
static int unprivileged_child(const int *fds, bool change_uid)
{
	static const char *const data[] = { "open", "off", "1 2 3", "1" };
	int i, failures = 0;

	if (change_uid) {
		/* uid 0 -> 1000 clears every capability (no keepcaps). */
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			return 100;
		/* A fresh open for writing is refused by DAC already. */
		if (cg_open("state", O_WRONLY) >= 0 || errno != EACCES)
			failures++;
	} else {
		/* Stay uid 0 but drop CAP_MAC_ADMIN from every set. */
		cap_t caps = cap_get_proc();
		cap_value_t mac_admin = CAP_MAC_ADMIN;

		if (!caps ||
		    cap_set_flag(caps, CAP_EFFECTIVE, 1, &mac_admin, CAP_CLEAR) ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &mac_admin, CAP_CLEAR) ||
		    cap_set_flag(caps, CAP_INHERITABLE, 1, &mac_admin, CAP_CLEAR) ||
		    cap_set_proc(caps))
			return 101;
		cap_free(caps);
		/* Opening is allowed (DAC), writing is not. */
		if (cg_write("state", "open") != -EPERM)
			failures++;
	}
	for (i = 0; i < 4; i++) {
		errno = 0;
		if (write(fds[i], data[i], strlen(data[i])) != -1 || errno != EPERM)
			failures++;
	}
	return failures;
}

static void check_unprivileged(struct __test_metadata *_metadata,
			       bool change_uid)
{
	struct snapshot *orig, *now;
	int fds[4], status;
	pid_t pid;
	size_t i;

	ASSERT_EQ(0, cg_write("state", "closed"));
	orig = take_snapshot();
	for (i = 0; i < 4; i++) {
		fds[i] = cg_open(writable_files[i], O_WRONLY);
		ASSERT_LE(0, fds[i]);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_child(fds, change_uid));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	for (i = 0; i < 4; i++)
		close(fds[i]);
	now = take_snapshot();
	EXPECT_TRUE(snapshot_equal(orig, now));
	EXPECT_STREQ("closed\n", now->state);
	free(now);
	free(orig);
}

TEST_F(securityfs, unprivileged_uid_cannot_write)
{
	REQUIRE_CREDGATE();
	check_unprivileged(_metadata, true);
}

TEST_F(securityfs, no_cap_mac_admin_cannot_write)
{
	REQUIRE_CREDGATE();
	check_unprivileged(_metadata, false);
}

/* The whole kernel log buffer (malloc'ed), or NULL. */
static char *read_kernel_log(void)
{
	int size = klogctl(10, NULL, 0), n;	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;

	if (size <= 0)
		return NULL;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/*
 * One log line per refusal, in the exact shape the agent parses:
 * "credgate: refused bind comm=NAME pid=N uid=N addr=ADDR port=N".
 */
TEST_F(securityfs, refusal_log_line)
{
	char want4[160], want6[160], *log;
	int status;
	pid_t pid;

	REQUIRE_UNLOCKED();
	ASSERT_EQ(0, cg_write("mode", "enforce"));
	ASSERT_EQ(0, cg_write("allow_ports", "udp:68 udp:546"));
	ASSERT_EQ(0, cg_write("state", "closed"));
	/* Let the log rate limit (10 lines per 5 s) of earlier tests expire. */
	sleep(6);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_NAME, "cg-logtest");
		try_bind(AF_INET, "0.0.0.0", TEST_PORT, NULL);
		try_bind(AF_INET6, "::", TEST_PORT, NULL);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	snprintf(want4, sizeof(want4),
		 "credgate: refused bind comm=cg-logtest pid=%d uid=0 addr=0.0.0.0 port=%d\n",
		 pid, TEST_PORT);
	snprintf(want6, sizeof(want6),
		 "credgate: refused bind comm=cg-logtest pid=%d uid=0 addr=:: port=%d\n",
		 pid, TEST_PORT);
	log = read_kernel_log();
	ASSERT_NE(NULL, log);
	EXPECT_NE(NULL, strstr(log, want4)) TH_LOG("no line '%s'", want4);
	if (access("/proc/net/if_inet6", F_OK) == 0)
		EXPECT_NE(NULL, strstr(log, want6)) TH_LOG("no line '%s'", want6);
	free(log);
}

/*
 * The counters move by exactly the refusals provoked.  Wildcard binds
 * stand for non-loopback ones (the gate treats them alike).
 */
TEST_F(securityfs, stats_count_refusals)
{
	struct stats a, b;
	int fd, binds = 0, listens = 0, ipv6;

	REQUIRE_UNLOCKED();
	ASSERT_EQ(0, cg_write("mode", "enforce"));
	ASSERT_EQ(0, cg_write("allow_ports", "udp:68 udp:546"));
	ASSERT_EQ(0, cg_write("state", "closed"));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	ipv6 = fd >= 0;
	if (fd >= 0)
		close(fd);

	ASSERT_EQ(0, read_stats(&a));
	EXPECT_EQ(-EACCES, try_bind(AF_INET, "0.0.0.0", TEST_PORT, NULL));
	binds++;
	EXPECT_EQ(-EACCES, try_bind(AF_INET, "0.0.0.0", TEST_PORT + 1, NULL));
	binds++;
	EXPECT_EQ(-EACCES, try_listen_unbound(AF_INET));
	listens++;
	/* Port 0 bind passes; its listen is refused. */
	fd = -1;
	EXPECT_EQ(0, try_bind(AF_INET, "0.0.0.0", 0, &fd));
	if (fd >= 0) {
		errno = 0;
		EXPECT_EQ(-1, listen(fd, 1));
		EXPECT_EQ(EACCES, errno);
		listens++;
		close(fd);
	}
	/* Loopback and allow-listed ports: allowed, not counted. */
	fd = -1;
	EXPECT_EQ(0, try_bind(AF_INET, "127.0.0.1", TEST_PORT, &fd));
	if (fd >= 0) {
		EXPECT_EQ(0, listen(fd, 1));
		close(fd);
	}
	/* udp:68 is a UDP bind exemption: a TCP bind on 68 is refused. */
	EXPECT_EQ(-EACCES, try_bind(AF_INET, "0.0.0.0", 68, NULL));
	binds++;
	if (ipv6) {
		EXPECT_EQ(-EACCES, try_bind(AF_INET6, "::", TEST_PORT, NULL));
		binds++;
		EXPECT_EQ(-EACCES, try_listen_unbound(AF_INET6));
		listens++;
		EXPECT_EQ(0, try_bind(AF_INET6, "::1", TEST_PORT, NULL));
	}
	ASSERT_EQ(0, read_stats(&b));
	EXPECT_EQ(binds, b.bind_refused - a.bind_refused);
	EXPECT_EQ(listens, b.listen_refused - a.listen_refused);
	EXPECT_EQ(0, b.bind_audited - a.bind_audited);
	EXPECT_EQ(0, b.listen_audited - a.listen_audited);

	/* Permissive: allowed, counted as audited. */
	ASSERT_EQ(0, cg_write("mode", "permissive"));
	ASSERT_EQ(0, read_stats(&a));
	EXPECT_EQ(0, try_bind(AF_INET, "0.0.0.0", TEST_PORT, NULL));
	EXPECT_EQ(0, try_listen_unbound(AF_INET));
	ASSERT_EQ(0, read_stats(&b));
	EXPECT_EQ(1, b.bind_audited - a.bind_audited);
	EXPECT_EQ(1, b.listen_audited - a.listen_audited);
	EXPECT_EQ(0, b.bind_refused - a.bind_refused);
	EXPECT_EQ(0, b.listen_refused - a.listen_refused);

	/* Open gate, enforce mode: nothing refused, nothing counted. */
	ASSERT_EQ(0, cg_write("mode", "enforce"));
	ASSERT_EQ(0, cg_write("state", "open"));
	ASSERT_EQ(0, read_stats(&a));
	EXPECT_EQ(0, try_bind(AF_INET, "0.0.0.0", TEST_PORT, NULL));
	EXPECT_EQ(0, try_listen_unbound(AF_INET));
	ASSERT_EQ(0, read_stats(&b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

/* Last: lock is irreversible until reboot. */
TEST_F(securityfs, lock_freezes_mode_and_allow_list)
{
	struct snapshot *before, *now;
	char buf[64];
	size_t i;
	int fd;

	REQUIRE_CREDGATE();
	if (getenv("CREDGATE_TEST_NO_LOCK"))
		SKIP(return, "CREDGATE_TEST_NO_LOCK set (lock lasts until reboot)");

	ASSERT_LT(0, cg_read("lock", buf, sizeof(buf)));
	if (!strcmp(buf, "0\n")) {
		/* Freeze the defaults, not whatever an earlier test left. */
		ASSERT_EQ(0, cg_write("mode", "enforce"));
		ASSERT_EQ(0, cg_write("allow_ports", DEFAULT_ALLOW));
	}
	ASSERT_EQ(0, cg_write("lock", "1\n"));
	ASSERT_LT(0, cg_read("lock", buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	before = take_snapshot();

	REJECT("mode", "permissive", EPERM);
	REJECT("mode", "garbage", EPERM);
	REJECT("allow_ports", "80", EPERM);
	REJECT("allow_ports", "", EPERM);
	REJECT("lock", "0", EINVAL);
	EXPECT_EQ(0, cg_write("lock", "1"));	/* locking again: a no-op */

	/* The gate itself keeps working, and so do open/read/close. */
	write_reads_back(_metadata, "state", "open", "open\n");
	write_reads_back(_metadata, "state", "closed", "closed\n");
	for (i = 0; i < 4; i++) {
		fd = cg_open(writable_files[i], O_RDWR);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			EXPECT_EQ(0, close(fd));
	}

	now = take_snapshot();
	EXPECT_STREQ(before->mode, now->mode);
	EXPECT_STREQ(before->allow, now->allow);
	EXPECT_STREQ("1\n", now->lock);
	EXPECT_STREQ("closed\n", now->state);
	cg_write("state", before->state);
	free(before);
	free(now);
}

TEST_HARNESS_MAIN
