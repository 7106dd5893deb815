/* SPDX-License-Identifier: MIT */
/* credgated: the state the agent's parts share. */
#ifndef CREDGATE_AGENT_H
#define CREDGATE_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <credgate/policy.h>

#include "config/config.h"
#include "loop.h"
#include "config/metadata.h"
#include "varlink/varlink.h"

/* An account that keeps the gate closed.  Never a password or a hash. */
struct cg_violation {
	char *user;
	char *store;		/* path of the store */
	char *verdict;		/* cg_verdict_name() */
};

/*
 * What io.credgate.Device.GetStatus serves.  The gate backend and the
 * audit fill it in; the Varlink service only reads it.
 */
struct cg_agent_status {
	const char *gate;	/* "open", "closed" or "unknown" (no backend) */
	const char *backend;	/* cg_backend_name() of the backend in use */
	const char *mode;	/* credgate_mode_name() */
	bool compliant;		/* last audit found no violation */
	struct cg_violation *violations;
	size_t n_violations;
	time_t last_audit;	/* 0: no audit has run yet */
};

struct gate;
struct gate_events;
struct refusal_log;
struct watch;

/* Violations listed in the status (GetStatus); the rest are counted in the log. */
#define AGENT_STATUS_MAX_VIOLATIONS 100

/* An audit running in a child process (audit_job.c). */
struct audit_job {
	pid_t pid;		/* 0: none running */
	int fd;			/* read end of the result pipe, -1 */
	bool full;		/* depth full (else fast) */
	char *buf;		/* result lines read so far */
	size_t len, cap;
	bool pending_seen;	/* a "P" line was acted on */
	int read_err;		/* reading the report failed (-EFBIG: over 4 MiB) */
};

struct agent {
	const char *config_path;
	const char *state_dir;
	const char *os_release_path;	/* NULL: the system's */
	const char *socket_path;	/* NULL: from the config */
	enum cg_backend backend;
	bool backend_set;		/* --backend given */
	bool foreground;
	bool syslog;			/* also log to syslog(3) */
	bool check_privileges;		/* --check-privileges */

	enum cg_backend active;		/* the backend in use (never AUTO) */
	struct gate *gate;		/* NULL for backend none */
	struct gate_events *events;
	struct refusal_log *refusals;
	bool gate_open;			/* what the agent last decided */
	bool decided;			/* a decision has been made */
	char last_why[640];		/* the reason last logged */
	bool decided_logged;
	int inotify_fd, debounce_fd;
	struct watch *watches;		/* watch.c */
	size_t n_watches, cap_watches;
	bool rewatch;			/* rebuild the watches before the next audit */
	long long debounce_deadline_ms;	/* CLOCK_MONOTONIC; 0: no burst pending */
	struct audit_job job;
	bool full_pending;		/* run the full tier after this fast one */
	struct timespec started;	/* for the time-to-decision log line */

	struct cg_config config;
	struct cg_metadata metadata;
	struct cg_agent_status status;
	struct cg_loop *loop;
	struct vl_server *server;
	int signal_fd;

	/* privs.c: who the steady state runs as ([agent] user), and the
	 * group that may see GetStatus's accounts ([varlink] status_group). */
	uid_t run_uid;
	gid_t run_gid;
	gid_t status_gid;		/* (gid_t)-1: root only */
	bool landlocked;		/* writes limited by Landlock */

	/* restart.c: refused services noted while closed, and the socket
	 * to the helper that restarts them when the gate opens (-1: off). */
	struct restart_list *restart;
	int restart_fd;
	pid_t restart_pid;
};

/* Replace the violations list (copies the strings). */
int agent_status_set_violations(struct cg_agent_status *st,
				const struct cg_violation *v, size_t n);
void agent_status_clear(struct cg_agent_status *st);

/* log.c: one line to stderr (the agent's log) and, with --syslog, syslog. */
void agent_log(const struct agent *a, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* cg_log_set_sink() target: library messages to stderr and syslog. */
void agent_log_sink(int prio, const char *msg, void *userdata);

/* gatectl.c: the kernel gate. */
int agent_gate_setup(struct agent *a);
int agent_gate_decide(struct agent *a, bool open, const char *why);
int agent_events_setup(struct agent *a);
void agent_gate_free(struct agent *a);

/* audit_job.c: audits in a child process, results into a->status. */
struct audit_opts;
struct audit_store_spec;
/* The audit options the config asks for (*stores, *cache: caller frees). */
int agent_audit_opts(const struct agent *a, bool full, struct audit_opts *o,
		     struct audit_store_spec **stores, char **cache);
int agent_audit_start(struct agent *a, bool full);
/* Does opening the gate wait for the full tier (audit_job.c)? */
bool agent_decision_full(const struct agent *a);
void agent_audit_cancel(struct agent *a);

/* watch.c: inotify on the stores' directories, debounced re-audit. */
int agent_watch_setup(struct agent *a);
void agent_watch_free(struct agent *a);

/* restart.c: [agent] restart_refused; setup forks the root helper (before
 * the privileges are dropped). */
int agent_restart_setup(struct agent *a);
void agent_restart_note(struct agent *a, const struct credgate_event *e, const char *comm);
void agent_restart_opened(struct agent *a);
void agent_restart_free(struct agent *a);

/* refusal.c: refusal events into one rate-limited log line per service. */
int refusal_log_new(struct refusal_log **out, unsigned interval_s);
void refusal_log_free(struct refusal_log *rl);
void agent_log_refusal(struct agent *a, const struct credgate_event *e);

/* privs.c: capabilities, no_new_privs, seccomp. */
/*
 * privs.c.  agent_resolve_user(): look up [agent] user and [varlink]
 * status_group (before set-up; set-up hands the state directory to the
 * user).  agent_drop_privileges(): the steady state (docs/agent.md).
 */
int agent_resolve_user(struct agent *a);
int agent_resolve_status_group(struct agent *a);
int agent_drop_privileges(struct agent *a);
int agent_seccomp_install(void);
/* --check-privileges: drop as the agent does, then try what must fail. */
int agent_check_privileges(struct agent *a);

/* firstboot.c: the [migration] first_boot policy, once per device. */
int agent_first_boot(struct agent *a);

/* metrics.c: rewrite [agent] prometheus_textfile (nothing when unset). */
void agent_metrics_update(struct agent *a);

/* device.c: the io.credgate.Device interface. */
extern const struct vl_interface device_interface;

#endif
