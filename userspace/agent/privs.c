// SPDX-License-Identifier: MIT
/*
 * Least privilege for the steady state (docs/agent.md, "Privileges").
 *
 * After set-up (backend loaded, maps, securityfs files and /dev/kmsg open,
 * first-boot migration done, socket listening, syslog connected) the agent
 * switches to its service user ([agent] user, default "credgate") and keeps
 * only:
 *   CAP_DAC_READ_SEARCH  read the stores (/etc/shadow may be mode 0000/0640)
 *   CAP_MAC_ADMIN        lsm backend: write securityfs state (checked per write)
 *   CAP_BPF              bpf backend: on 6.1 every bpf(2) call, even a map
 *                        update on an fd already open, needs CAP_BPF or
 *                        CAP_SYS_ADMIN while unprivileged_bpf_disabled is set
 * then sets no_new_privs, empties the bounding and ambient sets, limits
 * every file-system write to the state and runtime directories with
 * Landlock (where the kernel has it), and installs a seccomp allow list of
 * exactly the system calls the loop, the Varlink server and the audit
 * child make: no socket(2), no connect(2), no execve(2).
 */
#include "agent.h"
#include "base/util.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <libgen.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <syslog.h>

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* setresuid with the permitted set kept (the caller trims it next). */
static int switch_user(const struct agent *a)
{
	if (a->run_uid == geteuid())
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return log_error_errno(errno, "prctl(PR_SET_KEEPCAPS): %m");
	if (setgroups(1, &a->run_gid) < 0 || setresgid(a->run_gid, a->run_gid, a->run_gid) < 0 ||
	    setresuid(a->run_uid, a->run_uid, a->run_uid) < 0)
		return log_error_errno(errno, "cannot switch to [agent] user = %s (uid %u): %m",
				       a->config.agent.user, (unsigned)a->run_uid);
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

static int keep_caps(struct agent *a, const cap_value_t *keep, size_t n_keep)
{
	cap_t cur = cap_get_proc(), next = cap_init();
	cap_flag_value_t have;
	cap_value_t kept[8];
	size_t n = 0;
	int r = 0;

	if (!cur || !next) {
		r = -errno;
		goto out;
	}
	for (size_t i = 0; i < n_keep && n < ARRAY_SIZE(kept); i++)
		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &have) == 0 && have == CAP_SET)
			kept[n++] = keep[i];
	/* The bounding set first: dropping from it needs CAP_SETPCAP. */
	if (cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &have) == 0 && have == CAP_SET) {
		for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
			bool wanted = false;

			for (size_t i = 0; i < n; i++)
				wanted |= kept[i] == c;
			if (!wanted && cap_drop_bound(c) < 0 && errno != EINVAL) {
				r = log_error_errno(errno, "cannot drop capability %d from the bounding set: %m", c);
				goto out;
			}
		}
	}
	r = switch_user(a);
	if (r < 0)
		goto out;
	if (n && (cap_set_flag(next, CAP_PERMITTED, (int)n, kept, CAP_SET) < 0 ||
		  cap_set_flag(next, CAP_EFFECTIVE, (int)n, kept, CAP_SET) < 0)) {
		r = -errno;
		goto out;
	}
	if (cap_set_proc(next) < 0) {
		r = log_error_errno(errno, "cannot set the capabilities: %m");
		goto out;
	}
	(void)cap_reset_ambient();
	agent_log(a, LOG_INFO, "running as uid %u gid %u; capabilities kept: %s%s%s%s",
		  (unsigned)geteuid(), (unsigned)getegid(), n ? "" : "none",
		  n > 0 ? cap_to_name(kept[0]) : "", n > 1 ? " " : "",
		  n > 1 ? cap_to_name(kept[1]) : "");
out:
	cap_free(cur);
	cap_free(next);
	return r;
}

/* Every system call the steady state makes (glibc on x86_64 and arm64). */
static const char *const allowed_syscalls[] = {
	/* event loop, signals, timers */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "read", "write",
	"readv", "writev", "close", "timerfd_settime", "clock_gettime",
	"clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "restart_syscall",
	"sigaltstack",
	"poll", "ppoll", "fcntl", "getpid", "gettid", "getuid", "geteuid",
	"getgid", "getegid", "exit", "exit_group", "sched_yield", "futex",
	"set_robust_list", "rseq", "madvise", "mmap", "munmap", "mremap",
	"mprotect", "brk", "getrandom", "uname", "sysinfo",
	/* Varlink server */
	"accept4", "accept", "recvfrom", "sendto", "recvmsg", "sendmsg",
	"shutdown", "getsockopt",
	/* stores, cache, lists, inotify */
	"openat", "open", "newfstatat", "fstat", "stat", "lstat", "statx",
	"lseek", "pread64", "pwrite64", "getdents64", "readlinkat", "readlink",
	"faccessat", "faccessat2", "access", "inotify_add_watch", "inotify_rm_watch",
	"renameat", "renameat2", "rename", "unlinkat", "unlink", "fsync",
	"fdatasync", "fchmod", "fchown", "ftruncate", "mkdirat", "mkdir",
	"ioctl", "getcwd", "umask", "flock",
	/* the audit child and its worker threads */
	"clone", "wait4", "waitid", "kill", "tgkill", "prctl", "setpriority",
	"sched_getaffinity", "pipe2", "alarm", "setitimer", "dup", "dup2", "dup3",
	"close_range",
	/* the gate: bpf map updates and ring buffer, securityfs writes */
	"bpf",
};

static int seccomp_build(scmp_filter_ctx *out)
{
	/*
	 * Default action EPERM, not KILL: a refused call shows up as a logged
	 * error ("... Operation not permitted") while the agent keeps guarding
	 * the gate; a killed agent would leave an open gate unwatched.
	 */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(allowed_syscalls); i++) {
		int nr = seccomp_syscall_resolve_name(allowed_syscalls[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EDOM)
			goto fail;
	}
	/*
	 * clone3: ENOSYS makes glibc fall back to clone, which is allowed.
	 * socket(2) and connect(2) are refused: syslog(3) is connected before
	 * (openlog LOG_NDELAY), and nothing else in the steady state talks to
	 * another process but through the Varlink socket it accepts on.
	 */
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r < 0)
		goto fail;
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}

int agent_seccomp_install(void)
{
	scmp_filter_ctx ctx = NULL;
	int r;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error_errno(errno, "prctl(PR_SET_NO_NEW_PRIVS): %m");
	r = seccomp_build(&ctx);
	if (r == 0)
		r = seccomp_load(ctx);
	if (r < 0) {
		seccomp_release(ctx);
		return log_error_errno(r, "cannot install the seccomp filter: %m");
	}
	seccomp_release(ctx);
	return 0;
}

/* The directories the steady state may write below (state, runtime). */
static size_t writable_dirs(const struct agent *a, char bufs[][PATH_MAX], const char **dirs,
			    size_t max)
{
	size_t n = 0;
	const char *files[] = { a->socket_path, a->config.agent.prometheus_textfile };

	if (a->state_dir && n < max)
		dirs[n++] = a->state_dir;
	/* The directories of the socket and of the metrics textfile. */
	for (size_t i = 0; i < ARRAY_SIZE(files) && n < max; i++) {
		if (!files[i] || strlen(files[i]) >= PATH_MAX)
			continue;
		strcpy(bufs[n], files[i]);
		dirs[n] = dirname(bufs[n]);
		n++;
	}
	return n;
}

/*
 * Landlock: every write right the kernel knows is handled, and granted
 * only beneath the writable directories; reading is not restricted (the
 * stores may be anywhere).  Without Landlock (kernel before 5.13, or not
 * in lsm=) the service user's file permissions are the limit.  Returns
 * 1 when applied, 0 when unavailable.
 */
static int landlock_apply(struct agent *a)
{
	char bufs[3][PATH_MAX];
	const char *dirs[3];
	size_t n = writable_dirs(a, bufs, dirs, 3);
	struct landlock_ruleset_attr attr = { 0 };
	_cleanup_close_ int rs = -1;
	long abi;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		agent_log(a, LOG_NOTICE, "Landlock is not available (%m): writes are limited by the service user's permissions only");
		return 0;
	}
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
		LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
		LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
		LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rs < 0)
		return log_error_errno(errno, "landlock_create_ruleset: %m");
	for (size_t i = 0; i < n; i++) {
		struct landlock_path_beneath_attr pb = { .allowed_access = attr.handled_access_fs };
		_cleanup_close_ int fd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			continue;	/* nothing to write there, then */
		pb.parent_fd = fd;
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
			return log_error_errno(errno, "landlock_add_rule %s: %m", dirs[i]);
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return log_error_errno(errno, "landlock_restrict_self: %m");
	agent_log(a, LOG_INFO, "Landlock (ABI %ld): writes only below %s%s%s%s%s", abi,
		  n > 0 ? dirs[0] : "nothing", n > 1 ? ", " : "", n > 1 ? dirs[1] : "",
		  n > 2 ? ", " : "", n > 2 ? dirs[2] : "");
	return 1;
}

int agent_resolve_user(struct agent *a)
{
	const char *name = a->config.agent.user;
	const char *file = a->config.path ? a->config.path : "the built-in configuration";
	struct passwd *pw;

	a->run_uid = geteuid();
	a->run_gid = getegid();
	if (!strcmp(name, "root")) {
		agent_log(a, LOG_WARNING, "%s: [agent] user = root: the agent keeps uid 0 after set-up (not recommended, see credgated(8))",
			  file);
		return 0;
	}
	if (geteuid() != 0) {
		agent_log(a, LOG_NOTICE, "not started as root: [agent] user = %s is not used, uid %u stays",
			  name, (unsigned)geteuid());
		return 0;
	}
	errno = 0;
	pw = getpwnam(name);
	if (!pw)
		return log_error_errno(errno ? errno : ENOENT,
				       "%s: [agent] user = %s: %s; create it (make install, or systemd-sysusers with sysusers.d/credgate.conf; see credgated(8)), or set user = root to keep uid 0 (not recommended)",
				       file, name, errno ? strerror(errno) : "no such user");
	if (pw->pw_uid == 0)
		agent_log(a, LOG_WARNING, "%s: [agent] user = %s has uid 0: the agent keeps root's uid", file, name);
	a->run_uid = pw->pw_uid;
	a->run_gid = pw->pw_gid;
	return 0;
}

int agent_resolve_status_group(struct agent *a)
{
	const char *name = a->config.varlink.status_group;
	struct group *gr;

	a->status_gid = (gid_t)-1;
	if (!name)
		return 0;
	errno = 0;
	gr = getgrnam(name);
	if (!gr) {
		agent_log(a, LOG_WARNING, "%s: [varlink] status_group = %s: no such group; only root sees which accounts keep the gate closed",
			  a->config.path ? a->config.path : "credgate.conf", name);
		return 0;
	}
	a->status_gid = gr->gr_gid;
	return 0;
}

int agent_drop_privileges(struct agent *a)
{
	cap_value_t keep[3];
	size_t n = 0;
	int r;

	keep[n++] = CAP_DAC_READ_SEARCH;
	if (a->active == CG_BACKEND_LSM)
		keep[n++] = CAP_MAC_ADMIN;
	if (a->active == CG_BACKEND_BPF)
		keep[n++] = CAP_BPF;
	r = keep_caps(a, keep, n);
	if (r < 0)
		return r;
	/* Landlock wants no_new_privs first (or CAP_SYS_ADMIN, long gone). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error_errno(errno, "prctl(PR_SET_NO_NEW_PRIVS): %m");
	r = landlock_apply(a);
	if (r < 0)
		return r;
	a->landlocked = r > 0;
	return agent_seccomp_install();
}

/* --check-privileges: one line per property, "ok" or "FAIL". */
static int check(bool good, const char *what, int err)
{
	printf("%s: %s%s%s\n", good ? "ok" : "FAIL", what, err ? ": " : "", err ? strerror(err) : "");
	return good ? 0 : 1;
}

int agent_check_privileges(struct agent *a)
{
	struct sockaddr_un log_addr = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char probe[PATH_MAX];
	int fails = 0, fd, unix_fd;
	long r;

	unix_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);	/* made before, used after */
	if (agent_drop_privileges(a) < 0)
		return EXIT_CG_ERROR;
	fails += check(a->run_uid == 0 || getuid() != 0, "runs as a uid other than 0 after set-up", 0);
	printf("     uid %u gid %u\n", (unsigned)getuid(), (unsigned)getgid());
	errno = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fails += check(fd < 0 && errno == EPERM, "socket(AF_INET) refused", fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fails += check(fd < 0 && errno == EPERM, "socket(AF_UNIX) refused", fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	errno = 0;
	r = unix_fd < 0 ? -1 : connect(unix_fd, (struct sockaddr *)&log_addr, sizeof(log_addr));
	fails += check(r < 0 && errno == EPERM, "connect(2) refused", r < 0 ? errno : 0);
	errno = 0;
	r = syscall(SYS_personality, 0xffffffffUL);
	fails += check(r == -1 && errno == EPERM, "personality(2) refused (seccomp)", r < 0 ? errno : 0);
	/* /tmp is world-writable: only Landlock can refuse this one. */
	snprintf(probe, sizeof(probe), "/tmp/credgated-check.%ld", (long)getpid());
	errno = 0;
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (a->landlocked)
		fails += check(fd < 0 && errno == EACCES, "a file outside the state and runtime directories cannot be created (Landlock)",
			       fd < 0 ? errno : 0);
	else
		printf("note: Landlock unavailable here; %s could %sbe created (file permissions only)\n",
		       probe, fd < 0 ? "not " : "");
	if (fd >= 0) {
		close(fd);
		unlink(probe);
	}
	snprintf(probe, sizeof(probe), "%s/.check-privileges.%ld", a->state_dir, (long)getpid());
	errno = 0;
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fails += check(fd >= 0, "the state directory is writable", fd < 0 ? errno : 0);
	if (fd >= 0) {
		close(fd);
		unlink(probe);
	}
	for (size_t i = 0; i < a->config.audit.n_stores; i++) {
		errno = 0;
		fd = open(a->config.audit.stores[i].path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		snprintf(probe, sizeof(probe), "the store %s is readable", a->config.audit.stores[i].path);
		fails += check(fd >= 0 || errno == ENOENT, probe, fd < 0 ? errno : 0);
		if (fd >= 0)
			close(fd);
	}
	if (unix_fd >= 0)
		close(unix_fd);
	return fails ? EXIT_CG_VIOLATION : EXIT_CG_OK;
}
