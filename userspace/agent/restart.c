// SPDX-License-Identifier: MIT
/*
 * Refused services come back by themselves ([agent] restart_refused).
 *
 * While the gate is closed a service's bind or listen fails; its init
 * system retries a few times and gives up (systemd: Restart=,
 * StartLimitBurst; socket units bound by pid 1 fail for good).  The agent
 * notes each refused program from the refusal events (pid -> its cgroup
 * -> the systemd unit; pid 1 or its "(sd-listen)" child -> the failed
 * socket units) and, when the
 * gate next opens, hands the list to a small helper that kept root:
 *
 *   systemctl reset-failed UNIT...; systemctl restart --no-block UNIT...
 *   every executable of [agent] gate_opened_dir, with the refused
 *   programs as arguments (BusyBox init, OpenWrt procd, sysvinit)
 *
 * The helper is forked before the agent drops its privileges and does
 * nothing but read lists from a socketpair: the agent, which parses the
 * untrusted stores, never gets root back.  It checks every name it gets
 * (unit names: systemd's character set and a known suffix; programs: no
 * control characters) and runs programs with execv, never a shell.
 */
#include "agent.h"
#include "base/util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>

#define RESTART_MAX 64		/* names noted between two openings */
#define RESTART_NAME 256
#define RESTART_MSG (RESTART_MAX * (RESTART_NAME + 2))
#define HOOK_TIMEOUT_S 60

/* A note is a kind byte and a NUL-terminated name. */
enum { NOTE_UNIT = 'u', NOTE_SOCKETS = 's', NOTE_PROGRAM = 'p' };

struct restart_list {
	size_t n;
	char kind[RESTART_MAX];
	char name[RESTART_MAX][RESTART_NAME];
};

static bool unit_name_ok(const char *u)
{
	size_t len = strlen(u);

	if (!len || len >= RESTART_NAME || u[0] == '-' || u[0] == '.')
		return false;
	for (const char *p = u; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(":-_.\\@", *p))
			return false;
	return (len > 8 && !strcmp(u + len - 8, ".service")) ||
	       (len > 7 && !strcmp(u + len - 7, ".socket"));
}

static bool program_name_ok(const char *p)
{
	if (!*p || strlen(p) >= RESTART_NAME || *p == '-')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || *p == '/')
			return false;
	return true;
}

static bool noted(const struct restart_list *l, char kind, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->kind[i] == kind && !strcmp(l->name[i], name))
			return true;
	return false;
}

static void note(struct restart_list *l, char kind, const char *name)
{
	if (l->n >= RESTART_MAX || noted(l, kind, name))
		return;
	l->kind[l->n] = kind;
	snprintf(l->name[l->n], RESTART_NAME, "%s", name);
	l->n++;
}

/*
 * The systemd unit of a cgroup v2 path ("0::/system.slice/ssh.service"):
 * its deepest component ending in ".service", outside user.slice (a
 * person's own units are theirs to restart).  false: none.
 */
static bool unit_of_cgroup(const char *line, char *unit, size_t size)
{
	const char *path = strstr(line, "::/"), *found = NULL;
	size_t found_len = 0;

	if (!path || strstr(path, "/user.slice"))
		return false;
	for (const char *c = path + 2; c && *c;) {
		const char *next = strchr(c + 1, '/');
		size_t len = next ? (size_t)(next - c - 1) : strcspn(c + 1, "\n");

		if (len > 8 && !strncmp(c + 1 + len - 8, ".service", 8)) {
			found = c + 1;
			found_len = len;
		}
		c = next;
	}
	if (!found || found_len >= size)
		return false;
	memcpy(unit, found, found_len);
	unit[found_len] = '\0';
	return unit_name_ok(unit);
}

void agent_restart_note(struct agent *a, const struct credgate_event *e, const char *comm)
{
	char path[64], line[512], unit[RESTART_NAME];
	_cleanup_fclose_ FILE *f = NULL;

	if (a->restart_fd < 0 || e->action != CREDGATE_REFUSE)
		return;
	/*
	 * systemd binds socket units itself, in pid 1 or (systemd 252 on
	 * Debian 12, for a unit with a cgroup) in a short-lived child named
	 * "(sd-listen)" in the socket unit's cgroup.  A process that only
	 * calls itself that gets the failed socket units restarted, nothing
	 * more.
	 */
	if (e->pid == 1 || !strcmp(comm, "(sd-listen)")) {
		note(a->restart, NOTE_SOCKETS, "*.socket");
		return;
	}
	if (program_name_ok(comm))
		note(a->restart, NOTE_PROGRAM, comm);
	/* The process may be gone already (a refused daemon exits). */
	snprintf(path, sizeof(path), "/proc/%u/cgroup", e->pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3) && unit_of_cgroup(line, unit, sizeof(unit))) {
			note(a->restart, NOTE_UNIT, unit);
			break;
		}
}

void agent_restart_opened(struct agent *a)
{
	char msg[RESTART_MSG];
	size_t w = 0;

	if (a->restart_fd < 0 || !a->restart->n)
		return;
	for (size_t i = 0; i < a->restart->n; i++) {
		size_t len = strlen(a->restart->name[i]) + 1;

		msg[w++] = a->restart->kind[i];
		memcpy(msg + w, a->restart->name[i], len);
		w += len;
	}
	/* One record per opening; a full buffer loses this round only. */
	if (send(a->restart_fd, msg, w, MSG_DONTWAIT) < 0)
		agent_log(a, LOG_WARNING, "cannot hand the refused services to the restart helper: %s",
			  strerror(errno));
	else
		agent_log(a, LOG_NOTICE, "gate open: restarting the %zu refused service(s) and program(s) noted while it was closed",
			  a->restart->n);
	a->restart->n = 0;
}

/* --- the helper (root) --------------------------------------------------- */

/* Run ARGV (argv[0] a path) with stdin/stdout on /dev/null (or stdout into
 * @out_fd), at most HOOK_TIMEOUT_S seconds; its exit status, or -errno. */
static int run(char *const argv[], char *const envp[], int out_fd)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
		}
		alarm(HOOK_TIMEOUT_S);	/* kept across execve */
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The failed socket units, from systemctl list-units. */
static void failed_sockets(const char *systemctl, struct restart_list *l)
{
	char *argv[] = { (char *)systemctl, "list-units", "--type=socket", "--state=failed",
			 "--plain", "--no-legend", "--no-pager", NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	_cleanup_fclose_ FILE *f = NULL;
	char line[512], unit[RESTART_NAME];
	int fd = memfd_create("credgate-sockets", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (run(argv, envp, fd) != 0 || lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "r"))) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s", unit) == 1 && unit_name_ok(unit))
			note(l, NOTE_UNIT, unit);
}

static void systemctl_units(const char *systemctl, const struct restart_list *l, const char *verb,
			    const char *opt)
{
	char *argv[RESTART_MAX + 5];
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	size_t n = 0;

	argv[n++] = (char *)systemctl;
	argv[n++] = (char *)verb;
	if (opt)
		argv[n++] = (char *)opt;
	argv[n++] = "--";
	for (size_t i = 0; i < l->n; i++)
		if (l->kind[i] == NOTE_UNIT)
			argv[n++] = (char *)l->name[i];
	argv[n] = NULL;
	if (argv[n - 1][0] != '-')
		(void)run(argv, envp, -1);
}

static int hook_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every executable regular file of @dir owned by root and writable by no
 * one else, in name order, with the programs as arguments. */
static void run_hooks(const char *dir, const struct restart_list *l, const char *units)
{
	char *argv[RESTART_MAX + 2], env_units[2048];
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_units, NULL };
	struct dirent **names = NULL;
	size_t n = 1;
	int count;

	snprintf(env_units, sizeof(env_units), "CREDGATE_REFUSED_UNITS=%s", units);
	for (size_t i = 0; i < l->n; i++)
		if (l->kind[i] == NOTE_PROGRAM)
			argv[n++] = (char *)l->name[i];
	argv[n] = NULL;
	count = scandir(dir, &names, hook_filter, alphasort);
	for (int i = 0; i < count; i++) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0 &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    !(st.st_mode & (S_IWGRP | S_IWOTH)) && (st.st_mode & S_IXUSR)) {
			argv[0] = path;
			int rc = run(argv, envp, -1);

			if (rc)
				syslog(LOG_WARNING, "credgated: %s exited with status %d", path, rc);
		}
		free(names[i]);
	}
	free(names);
}

static void helper_round(const struct agent *a, const char *msg, size_t len)
{
	struct restart_list l = { 0 };
	char units[2048] = "";
	struct stat st;
	bool sockets = false;
	size_t w = 0;

	for (size_t i = 0; i + 1 < len;) {
		char kind = msg[i++];
		const char *name = msg + i;
		size_t nlen = strnlen(name, len - i);

		if (nlen == len - i)
			break;	/* no NUL: a torn record */
		i += nlen + 1;
		if (kind == NOTE_UNIT && unit_name_ok(name))
			note(&l, NOTE_UNIT, name);
		else if (kind == NOTE_PROGRAM && program_name_ok(name))
			note(&l, NOTE_PROGRAM, name);
		else if (kind == NOTE_SOCKETS)
			sockets = true;
	}
	/* systemd runs (sd_booted()'s test) and its systemctl is there. */
	if (a->config.agent.systemctl && access(a->config.agent.systemctl, X_OK) == 0 &&
	    stat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) {
		if (sockets)
			failed_sockets(a->config.agent.systemctl, &l);
		systemctl_units(a->config.agent.systemctl, &l, "reset-failed", NULL);
		systemctl_units(a->config.agent.systemctl, &l, "restart", "--no-block");
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.kind[i] == NOTE_UNIT)
			w += (size_t)snprintf(units + w, w < sizeof(units) ? sizeof(units) - w : 0, "%s%s",
					      w ? " " : "", l.name[i]);
	if (a->config.agent.gate_opened_dir)
		run_hooks(a->config.agent.gate_opened_dir, &l, w < sizeof(units) ? units : "");
}

static _Noreturn void helper_main(const struct agent *a, int fd)
{
	static char msg[RESTART_MSG];

	sigset_t none;

	/* The agent blocks its signals for its signalfd: unblock them here,
	 * or the hooks' alarm() (and SIGTERM at the agent's death) would
	 * never arrive. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	prctl(PR_SET_NAME, "credgated-rst", 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
	for (;;) {
		ssize_t n = recv(fd, msg, sizeof(msg), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);	/* the agent is gone */
		helper_round(a, msg, (size_t)n);
	}
}

int agent_restart_setup(struct agent *a)
{
	int sv[2];
	pid_t pid;

	a->restart_fd = -1;
	if (!a->config.agent.restart_refused || !a->gate)
		return 0;	/* off, or backend none: nothing is refused */
	a->restart = calloc(1, sizeof(*a->restart));
	if (!a->restart)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return log_error_errno(errno, "[agent] restart_refused: cannot create the helper's socket: %m");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return log_error_errno(errno, "[agent] restart_refused: cannot start the helper: %m");
	}
	if (pid == 0) {
		/* Only its end of the socketpair stays open. */
		if (fd_keep_only_as_3(sv[1]) < 0)
			_exit(1);
		helper_main(a, 3);
	}
	close(sv[1]);
	a->restart_fd = sv[0];
	a->restart_pid = pid;
	return 0;
}

void agent_restart_free(struct agent *a)
{
	if (a->restart_fd >= 0) {
		close(a->restart_fd);	/* the helper sees EOF and exits */
		a->restart_fd = -1;
		waitpid(a->restart_pid, NULL, 0);
	}
	free(a->restart);
	a->restart = NULL;
}
