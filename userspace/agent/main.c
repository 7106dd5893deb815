// SPDX-License-Identifier: MIT
/*
 * credgated: the credgate agent.  Loads the configuration and the device
 * metadata, serves io.credgate.Device over Varlink and runs the event loop
 * the other parts of the agent (gate backend, audit, store watches) plug
 * their fds into.  See credgated(8).
 */
#include "agent.h"
#include "base/util.h"
#include "version.h"

#include "gate/gate.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>

static void usage(FILE *f)
{
	fputs("usage: credgated [OPTIONS]\n"
	      "  --config FILE       configuration (default " CG_CONFIG_PATH ")\n"
	      "  --backend NAME      auto, lsm, bpf or none (default: [gate] backend)\n"
	      "  --socket PATH       Varlink socket (default: [varlink] socket, " CG_VARLINK_SOCKET ")\n"
	      "  --state-dir DIR     persistent state (default " CG_STATE_DIR ")\n"
	      "  --os-release FILE   os-release to read (default /etc/os-release, /usr/lib/os-release)\n"
	      "  --foreground        do not detach\n"
	      "  --syslog            log to syslog(3) as well as to stderr\n"
	      "  --check-seccomp     install the seccomp filter, try a call outside it, report, exit\n"
	      "  --check-privileges  drop privileges as after set-up, try what must fail, report, exit\n"
	      "  --version, --help\n"
	      "exit status: 0 stopped cleanly, 2 error; see credgated(8)\n", f);
}

/* --check-seccomp: the filter refuses a call outside the allow list (here
 * personality(2), which the agent never makes) with EPERM. */
static int check_seccomp(void)
{
	long r;

	if (agent_seccomp_install() < 0)
		return EXIT_CG_ERROR;
	errno = 0;
	r = syscall(SYS_personality, 0xffffffffUL);
	if (r == -1 && errno == EPERM) {
		puts("seccomp: personality(2) refused with EPERM");
		return EXIT_CG_OK;
	}
	printf("seccomp: personality(2) was not refused (returned %ld, %s)\n", r, strerror(errno));
	return EXIT_CG_VIOLATION;
}

static int parse_args(struct agent *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "backend", required_argument, NULL, 'b' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "os-release", required_argument, NULL, 'o' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "syslog", no_argument, NULL, 'l' },
		{ "check-seccomp", no_argument, NULL, 'S' },
		{ "check-privileges", no_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "c:b:s:d:o:flSPVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config_path = optarg; break;
		case 's': a->socket_path = optarg; break;
		case 'd': a->state_dir = optarg; break;
		case 'o': a->os_release_path = optarg; break;
		case 'f': a->foreground = true; break;
		case 'l': a->syslog = true; break;
		case 'S': exit(check_seccomp());
		case 'P': a->check_privileges = true; break;
		case 'b':
			r = cg_from_name(&cg_backend_names, optarg);
			if (r < 0)
				return log_error_errno(EINVAL, "--backend %s: expected auto, lsm, bpf or none", optarg);
			a->backend = (enum cg_backend)r;
			a->backend_set = true;
			break;
		case 'V':
			puts("credgated " CREDGATE_VERSION);
			exit(EXIT_CG_OK);
		case 'h':
			usage(stdout);
			exit(EXIT_CG_OK);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(EINVAL, "unexpected argument '%s' (see credgated --help)", argv[optind]);
	return 0;
}

/* Config, os-release and the support-end floor into a->metadata.  On
 * failure the previous metadata stays (a bad edit never blanks it). */
static int load_metadata(struct agent *a, bool explicit_config)
{
	struct cg_config config;
	struct cg_metadata md;
	int r;

	r = cg_config_load(&config, NULL, a->config_path, explicit_config ? 0 : CG_CONFIG_MISSING_OK);
	if (r < 0) {
		cg_config_free(&config);
		return log_error_errno(r, "%s: not loaded; fix the lines above", a->config_path);
	}
	if (!config.path)
		log_warning("%s does not exist; using built-in defaults", a->config_path);
	r = cg_metadata_load(&md, &config, a->os_release_path, a->state_dir, true);
	if (r < 0) {
		cg_config_free(&config);
		return r;
	}
	cg_config_free(&a->config);
	cg_metadata_free(&a->metadata);
	a->config = config;
	a->metadata = md;
	return 0;
}

/* CRA Art. 13(19): say it at every start when support has ended. */
static void warn_support_state(const struct agent *a)
{
	bool supported;
	long days;

	cg_metadata_support_state(&a->metadata, time(NULL), &supported, &days);
	if (!a->metadata.support_end)
		log_warning("no support end is published: set [product] support_end in %s or SUPPORT_END in os-release",
			a->config_path);
	else if (!supported)
		log_warning("the security support period ended on %s (%ld days ago): this device no longer receives security updates",
			a->metadata.support_end, -days);
	if (!a->metadata.n_contacts)
		log_warning("no vulnerability-disclosure contact is published: set [product] contact in %s",
			a->config_path);
}

static int on_signal(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	struct agent *a = userdata;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		if (load_metadata(a, true) == 0) {
			warn_support_state(a);
			(void)agent_resolve_status_group(a);
			agent_log(a, LOG_NOTICE, "reloaded %s (backend, stores and privileges change at the next start)",
				  a->config_path);
			a->full_pending = a->config.audit.depth == CG_DEPTH_FULL;
			if (agent_audit_start(a, false) < 0)
				agent_gate_decide(a, false, "could not start an audit");
		}
		return 0;
	}
	cg_loop_quit(loop, EXIT_CG_OK);
	return 0;
}

static int on_varlink(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	(void)loop;
	(void)fd;
	(void)events;
	/* A failing epoll_wait inside the server is transient (EINTR...). */
	vl_server_process(userdata, 0);
	return 0;
}

static int setup_signals(struct agent *a)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	a->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->signal_fd < 0)
		return -errno;
	return cg_loop_add(a->loop, a->signal_fd, EPOLLIN, on_signal, a);
}

static int setup_varlink(struct agent *a)
{
	static const struct vl_service_info info = {
		.vendor = "credgate",
		.product = "credgated",
		.version = CREDGATE_VERSION,
		.url = "",
	};
	struct vl_limits limits = {
		.max_clients = (unsigned int)a->config.varlink.max_clients,
		.max_clients_per_uid = (unsigned int)a->config.varlink.max_clients_per_user,
		/* An eighth of the slots stays free for root's credgate status. */
		.root_reserve = (unsigned int)a->config.varlink.max_clients / 8,
		.idle_timeout_ms = (unsigned int)(a->config.varlink.idle_timeout * 1000),
	};
	const char *path = a->socket_path;	/* resolved in main() */
	_cleanup_free_ char *dir = strdup(path);
	char *slash;
	int r;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* Made here: the service user's, so it can remove the socket at
		 * exit (in a directory it cannot write, the socket stays and
		 * the next start replaces it). */
		if (mkdir(dir, 0755) == 0) {
			if (chown(dir, a->run_uid, a->run_gid) < 0)
				return log_error_errno(errno, "cannot give %s to [agent] user = %s: %m", dir,
						       a->config.agent.user);
		} else if (errno != EEXIST) {
			return log_error_errno(errno, "cannot create %s: %m", dir);
		}
	}
	r = vl_server_new(&a->server, &limits, &info);
	if (r < 0)
		return r;
	r = vl_server_add_interface(a->server, &device_interface, a);
	if (r < 0)
		return r;
	/* 0666: the support period and contact are public information. */
	r = vl_server_listen(a->server, path, 0666);
	if (r < 0)
		return r;
	return 0;
}

static int detach(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return log_error_errno(errno, "fork: %m");
	if (pid > 0)
		_exit(EXIT_CG_OK);	/* the socket is listening: ready */
	setsid();
	/* stderr stays: it is the agent's log (init scripts redirect it). */
	if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout))
		return -errno;
	return chdir("/") < 0 ? -errno : 0;
}

/*
 * A broken config or a failed set-up must not leave the gate open: close
 * whatever backend the kernel offers, without the config's help.
 */
static void keep_gate_closed(struct agent *a)
{
	enum cg_backend b = CG_BACKEND_AUTO;
	struct gate *g = NULL;

	if (a->backend_set && a->backend == CG_BACKEND_NONE)
		return;
	if (a->backend_set)
		b = a->backend == CG_BACKEND_LSM ? CG_BACKEND_LSM :
		    a->backend == CG_BACKEND_BPF ? CG_BACKEND_BPF : CG_BACKEND_AUTO;
	if (b == CG_BACKEND_AUTO && gate_detect_backend(&b) < 0)
		return;
	/* BPF with nothing pinned enforces nothing: load it (closed). */
	if (!a->gate && b == CG_BACKEND_BPF)
		(void)gate_bpf_load(false);
	if (a->gate)
		g = a->gate;
	else if (gate_open_backend(b, &g) < 0)
		return;
	if (gate_set_state(g, CREDGATE_CLOSED) == 0)
		agent_log(a, LOG_ERR, "the gate is kept closed");
	if (g != a->gate)
		gate_close(g);
}

/*
 * The state directory belongs to the service user: the steady state saves
 * the verdict cache there (root's commands may write there too).
 */
static int prepare_state_dir(struct agent *a)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (mkdir(a->state_dir, 0700) < 0 && errno != EEXIST) {
		agent_log(a, LOG_WARNING, "cannot create %s (%m): the audit runs without its cache",
			  a->state_dir);
		return 0;
	}
	fd = open(a->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return log_error_errno(errno, "%s: %m (the state directory; see --state-dir)", a->state_dir);
	if (st.st_uid == a->run_uid && st.st_gid == a->run_gid)
		return 0;
	if (fchown(fd, a->run_uid, a->run_gid) < 0)
		return log_error_errno(errno, "cannot give %s to [agent] user = %s: %m", a->state_dir,
				       a->config.agent.user);
	return 0;
}

static int setup(struct agent *a)
{
	int r;

	r = agent_gate_setup(a);
	if (r < 0)
		return r;
	r = prepare_state_dir(a);
	if (r < 0)
		return r;
	r = agent_first_boot(a);
	if (r < 0)
		return r == -ENOMEM ? r : 0;	/* the audit keeps the gate closed */
	return 0;
}

int main(int argc, char **argv)
{
	struct agent a = {
		.config_path = CG_CONFIG_PATH,
		.state_dir = CG_STATE_DIR,
		.signal_fd = -1,
		.inotify_fd = -1,
		.debounce_fd = -1,
		.job.fd = -1,
		.restart_fd = -1,
	};
	bool explicit_config;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &a.started);
	cg_log_set_progname("credgated");
	if (parse_args(&a, argc, argv) < 0)
		return EXIT_CG_ERROR;
	if (a.syslog)
		openlog("credgated", LOG_NDELAY | LOG_PID, LOG_DAEMON);
	cg_log_set_sink(agent_log_sink, &a);
	explicit_config = strcmp(a.config_path, CG_CONFIG_PATH) != 0;
	r = load_metadata(&a, explicit_config);
	if (r < 0)
		goto out;
	warn_support_state(&a);
	r = agent_resolve_user(&a);
	if (r == 0)
		r = agent_resolve_status_group(&a);
	if (r < 0)
		goto out;
	/* --socket, or [varlink] socket: one choice for the agent and
	 * --check-privileges. */
	if (a.socket_path == NULL)
		a.socket_path = a.config.varlink.socket;
	if (a.check_privileges) {
		r = prepare_state_dir(&a);
		r = r < 0 ? EXIT_CG_ERROR : agent_check_privileges(&a);
		cg_metadata_free(&a.metadata);
		cg_config_free(&a.config);
		return r;
	}
	r = setup(&a);
	if (r < 0)
		goto out;
	r = setup_varlink(&a);
	if (r < 0)
		goto out;
	/* Detach before the signalfd exists: a signalfd polled through
	 * epoll stays bound to the process that created it. */
	if (!a.foreground) {
		r = detach();
		if (r < 0)
			goto out;
	}
	r = cg_loop_new(&a.loop);
	if (r == 0)
		r = setup_signals(&a);
	if (r == 0)
		r = cg_loop_add(a.loop, vl_server_fd(a.server), EPOLLIN, on_varlink, a.server);
	if (r == 0)
		r = agent_events_setup(&a);
	if (r == 0)
		r = agent_watch_setup(&a);
	if (r == 0)
		r = agent_restart_setup(&a);	/* the one part that keeps root */
	if (r == 0)
		r = agent_drop_privileges(&a);
	/*
	 * The first audit runs in the loop: the gate is closed meanwhile, and
	 * the socket answers status at once ("compliant": false until the
	 * deciding tier has judged every account).
	 */
	if (r == 0)
		r = agent_audit_start(&a, false);
	if (r < 0)
		goto out;
	r = cg_loop_run(a.loop);
	if (a.socket_path)
		unlink(a.socket_path);
out:
	if (r < 0)
		keep_gate_closed(&a);
	agent_audit_cancel(&a);
	agent_watch_free(&a);
	vl_server_free(a.server);
	cg_loop_free(a.loop);
	if (a.signal_fd >= 0)
		close(a.signal_fd);
	agent_gate_free(&a);
	agent_restart_free(&a);
	agent_status_clear(&a.status);
	cg_metadata_free(&a.metadata);
	cg_config_free(&a.config);
	if (a.syslog)
		closelog();
	return r < 0 ? EXIT_CG_ERROR : EXIT_CG_OK;
}
