// SPDX-License-Identifier: MIT
/*
 * Least privilege for the steady state (docs/agent.md, "Privileges").
 *
 * After set-up (backend loaded, maps and /dev/kmsg open, first-boot
 * migration done, socket listening) the agent keeps only:
 *   CAP_DAC_READ_SEARCH  read the stores (/etc/shadow may be mode 0000/0640)
 *   CAP_MAC_ADMIN        lsm backend: write securityfs state (checked per write)
 *   CAP_BPF              bpf backend: on 6.1 every bpf(2) call, even a map
 *                        update on an fd already open, needs CAP_BPF or
 *                        CAP_SYS_ADMIN while unprivileged_bpf_disabled is set
 * then sets no_new_privs, empties the bounding and ambient sets, and
 * installs a seccomp allow list of exactly the system calls the loop, the
 * Varlink server and the audit child make.
 */
#include "agent.h"
#include "base/util.h"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <syslog.h>

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

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
	agent_log(a, LOG_INFO, "capabilities kept: %s%s%s%s", n ? "" : "none",
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
	"lseek", "pread64", "getdents64", "readlinkat", "readlink",
	"faccessat", "faccessat2", "access", "inotify_add_watch", "inotify_rm_watch",
	"renameat", "renameat2", "rename", "unlinkat", "unlink", "fsync",
	"fdatasync", "fchmod", "fchown", "ftruncate", "mkdirat", "mkdir",
	"ioctl", "getcwd", "umask", "flock",
	/* the audit child and its worker threads */
	"clone", "wait4", "waitid", "kill", "tgkill", "prctl", "setpriority",
	"sched_getaffinity", "pipe2", "alarm", "setitimer", "dup", "dup2", "dup3",
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
	/* clone3: ENOSYS makes glibc fall back to clone, which is allowed. */
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* syslog(3): AF_UNIX datagram sockets only. */
	if (r == 0) {
		/* Spelled out: SCMP_A0() leaves a field to the compiler. */
		struct scmp_arg_cmp unix_only = {
			.arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_UNIX, .datum_b = 0,
		};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, &unix_only);
	}
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0);
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
	return agent_seccomp_install();
}
