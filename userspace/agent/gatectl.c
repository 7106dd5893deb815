// SPDX-License-Identifier: MIT
/*
 * The agent's side of the kernel gate: pick the backend, make sure the gate
 * is closed, apply mode and allow list from the config, open and close it
 * on the audit's verdict, and read refusal events.
 */
#include "agent.h"
#include "gate/gate.h"
#include "base/util.h"

#include <sys/epoll.h>
#include <syslog.h>

static void set_status_gate(struct agent *a)
{
	if (a->active == CG_BACKEND_NONE)
		a->status.gate = "unknown";
	else
		a->status.gate = a->gate_open ? "open" : "closed";
}

static int pick_backend(struct agent *a, enum cg_backend *out)
{
	enum cg_backend b = a->backend_set ? a->backend : a->config.gate.backend;
	_cleanup_free_ char *lsms = NULL;
	size_t len;
	int r;

	switch (b) {
	case CG_BACKEND_LSM:
		*out = CG_BACKEND_LSM;
		return 0;
	case CG_BACKEND_BPF:
		*out = CG_BACKEND_BPF;
		return 0;
	case CG_BACKEND_NONE:
		return -ENOSYS;
	default:
		break;
	}
	r = gate_detect_backend(out);
	if (r == -ENOSYS) {
		(void)read_file(GATE_LSM_LIST, 4096, &lsms, &len);
		if (lsms)
			lsms[strcspn(lsms, "\n")] = '\0';
		agent_log(a, LOG_ERR,
			  "the kernel offers neither the credgate LSM nor BPF LSM (%s: '%s'): nothing can be enforced; boot a kernel with credgate or with 'bpf' in lsm=, or run with --backend none (no enforcement)",
			  GATE_LSM_LIST, lsms ? lsms : "unreadable");
		return -EINVAL;
	}
	return r;
}

/* Mode and allow list from [gate]; a locked gate keeps what it has. */
static int apply_config(struct agent *a)
{
	static uint32_t allow[CREDGATE_ALLOW_WORDS];
	int r;

	gate_allow_from_entries(allow, a->config.gate.allow_ports, a->config.gate.n_allow_ports);
	r = gate_set_mode(a->gate, (uint32_t)a->config.gate.mode);
	if (r == 0)
		r = gate_set_allow(a->gate, allow);
	if (r == -EROFS) {
		agent_log(a, LOG_WARNING,
			  "mode and allow list are locked until reboot: keeping what the kernel has, not [gate] mode/allow_ports of %s",
			  a->config_path);
		return 0;
	}
	if (r < 0)
		return log_error_errno(r, "cannot apply [gate] mode/allow_ports: %m");
	if (a->config.gate.lock) {
		r = gate_lock(a->gate);
		if (r < 0)
			return log_error_errno(r, "cannot lock the gate ([gate] lock = yes): %m");
	}
	return 0;
}

int agent_gate_setup(struct agent *a)
{
	enum cg_backend want;
	int r;

	a->status.mode = credgate_mode_name(a->config.gate.mode);
	a->status.compliant = false;
	r = pick_backend(a, &want);
	if (r == -ENOSYS) {
		a->active = CG_BACKEND_NONE;
		a->status.backend = cg_backend_name(CG_BACKEND_NONE);
		set_status_gate(a);
		agent_log(a, LOG_WARNING,
			  "BACKEND NONE: NOTHING IS ENFORCED. The audit runs and is reported, but no kernel gate refuses network services on this host.");
		return 0;
	}
	if (r < 0)
		return r;
	if (want == CG_BACKEND_BPF) {
		r = gate_bpf_load(false);
		if (r == -EOPNOTSUPP)
			return r;	/* not built in: the library said so */
		if (r < 0)
			return log_error_errno(r, "cannot load the BPF LSM programs: %m (is 'bpf' in the kernel's lsm= list and bpffs mounted on /sys/fs/bpf?)");
		agent_log(a, LOG_INFO, r == 1 ? "bpf: re-using the programs pinned under %s" :
			  "bpf: loaded and pinned the programs under %s", GATE_BPF_PIN_DIR);
	}
	r = gate_open_backend(want, &a->gate);
	if (r < 0)
		return log_error_errno(r, "cannot open the %s gate: %m", cg_backend_name(want));
	a->active = want == CG_BACKEND_LSM ? CG_BACKEND_LSM : CG_BACKEND_BPF;
	a->status.backend = cg_backend_name(a->active);
	/* Fail closed: nothing is open until an audit says so. */
	r = gate_set_state(a->gate, CREDGATE_CLOSED);
	if (r < 0)
		return log_error_errno(r, "cannot close the gate: %m");
	a->gate_open = false;
	set_status_gate(a);
	return apply_config(a);
}

int agent_gate_decide(struct agent *a, bool open, const char *why)
{
	/* A new reason for the same state is logged too: a gate closed while
	 * a hash is judged then says what the judgement found. */
	bool changed = !a->decided || open != a->gate_open || strcmp(why, a->last_why);
	bool opens = open && (!a->decided || !a->gate_open);
	int r = 0;

	if (a->gate)
		r = gate_set_state(a->gate, open ? CREDGATE_OPEN : CREDGATE_CLOSED);
	if (r < 0) {
		/* Could not open: stays closed.  Could not close: say so loudly. */
		agent_log(a, LOG_ERR, "cannot %s the gate: %s", open ? "open" : "close", strerror(-r));
		return r;
	}
	a->gate_open = open;
	a->decided = true;
	set_status_gate(a);
	if (changed)
		agent_log(a, open ? LOG_NOTICE : LOG_WARNING, "gate %s%s: %s",
			  a->gate ? (open ? "opened" : "closed") : (open ? "would open" : "would close"),
			  a->gate ? "" : " (backend none)", why);
	snprintf(a->last_why, sizeof(a->last_why), "%s", why);
	agent_metrics_update(a);
	if (opens && a->gate)
		agent_restart_opened(a);	/* what was refused comes back */
	return 0;
}

static int on_event(const struct credgate_event *e, void *userdata)
{
	agent_log_refusal(userdata, e);
	return 0;
}

static int on_events_fd(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	struct agent *a = userdata;

	(void)loop;
	(void)fd;
	(void)events;
	(void)gate_events_poll(a->events, 0);
	agent_metrics_update(a);	/* the refusal counters moved */
	return 0;
}

int agent_events_setup(struct agent *a)
{
	int r;

	if (!a->gate)
		return 0;
	r = refusal_log_new(&a->refusals, 60);
	if (r < 0)
		return r;
	r = gate_events_open(a->gate, on_event, a, &a->events);
	if (r < 0) {
		/* Enforcement does not depend on it: warn and go on. */
		agent_log(a, LOG_WARNING, "refusal events unavailable (%s): refusals are only counted",
			  strerror(-r));
		return 0;
	}
	return cg_loop_add(a->loop, gate_events_fd(a->events), EPOLLIN, on_events_fd, a);
}

void agent_gate_free(struct agent *a)
{
	gate_events_free(a->events);
	a->events = NULL;
	refusal_log_free(a->refusals);
	a->refusals = NULL;
	gate_close(a->gate);
	a->gate = NULL;
}
