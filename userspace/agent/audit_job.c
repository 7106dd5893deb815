// SPDX-License-Identifier: MIT
/*
 * Audits run in a child process.  Why a child: the dictionary and the
 * crypt work never grow the agent's own memory (idle RSS stays small), a
 * full audit runs at the lowest CPU priority without slowing the agent's
 * loop, and a store change simply kills a stale audit.  The child reports
 * over a pipe, one line per finding:
 *   P <TAB> n                                  n hashes have no verdict yet:
 *                                              sent before hashing starts
 *   V <TAB> user <TAB> store <TAB> verdict     an account that closes the gate
 *   E <TAB> message                            the audit could not finish
 *   D                                          done (absent: the child died)
 * No password or hash ever crosses the pipe.
 *
 * When the gate opens (docs/agent.md): only after an audit at the decision
 * depth (full unless close_on names no full-tier verdict) found every
 * account clean from a verification, the cache or a trusted record.  The
 * fast tier can close the gate, never open it; a hash without a verdict
 * (P) closes it at once while it is judged.
 */
#include "agent.h"
#include "audit/audit.h"
#include "base/util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>

static void put_field(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' ? '?' : *s, f);
}

int agent_audit_opts(const struct agent *a, bool full, struct audit_opts *o,
		     struct audit_store_spec **stores, char **cache)
{
	int r;

	/* Every core: the gate waits for the full tier; it runs at the
	 * lowest priority, so the device's own work comes first. */
	*o = (struct audit_opts){ .depth = CG_DEPTH_FULL };
	r = audit_opts_from_config(&a->config, o, stores);
	if (r < 0)
		return r;
	o->depth = full ? CG_DEPTH_FULL : CG_DEPTH_FAST;
	if (asprintf(cache, "%s/audit.cache", a->state_dir) < 0)
		return -ENOMEM;
	o->cache_path = *cache;
	return 0;
}

/* Does the gate wait for the full tier?  Yes unless close_on names no verdict only it finds. */
bool agent_decision_full(const struct agent *a)
{
	uint32_t full_only = (1u << CG_VERDICT_SEQUENTIAL) | (1u << CG_VERDICT_COMMON);

	return a->config.audit.depth == CG_DEPTH_FULL || (a->config.audit.close_on & full_only);
}

static void child_pending(void *userdata, size_t n)
{
	FILE *out = userdata;

	/* At once: the agent closes the gate while these are judged. */
	fprintf(out, "P\t%zu\n", n);
	fflush(out);
}

static int child_audit(const struct agent *a, bool full, FILE *out)
{
	const struct cg_config *c = &a->config;
	_cleanup_free_ struct audit_store_spec *stores = NULL, *extra = NULL;
	_cleanup_free_ char *cache = NULL;
	struct audit_found *found = NULL;
	size_t n_found = 0;
	struct audit_report *rep = NULL;
	struct audit_opts o;
	int r;

	r = agent_audit_opts(a, full, &o, &stores, &cache);
	if (r < 0) {
		fprintf(out, "E\tcannot prepare the audit: %s\n", strerror(-r));
		return r;
	}
	o.on_pending = child_pending;
	o.userdata = out;
	/* [audit] discover: what audit_discover() finds is audited too. */
	if (c->audit.discover) {
		r = audit_discover(NULL, &found, &n_found);
		extra = r < 0 ? NULL : calloc(n_found + 1, sizeof(*extra));
		if (!extra) {
			audit_found_free(found, n_found);
			fprintf(out, "E\tcannot discover the service stores: %s\n", strerror(r < 0 ? -r : ENOMEM));
			return r < 0 ? r : -ENOMEM;
		}
		for (size_t i = 0; i < n_found; i++)
			if (found[i].exists)
				extra[o.n_extra_stores++] = found[i].spec;
		o.extra_stores = extra;
	}
	for (size_t i = 0; i < c->audit.n_stores; i++) {
		const char *path = c->audit.stores[i].path;
		struct stat st;

		if (stat(path, &st) == 0 && (unsigned long)st.st_size > c->audit.max_store_size) {
			fprintf(out, "E\t%s is %lld bytes, over [audit] max_store_size = %lu\n",
				path, (long long)st.st_size, c->audit.max_store_size);
			return -EFBIG;
		}
	}
	r = audit_run(&o, &rep);
	audit_found_free(found, n_found);
	if (r < 0) {
		fprintf(out, "E\taudit failed: %s\n", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < rep->n_accounts; i++) {
		const struct audit_account *acc = &rep->accounts[i];

		/* enum cg_verdict and enum cg_verdict share their order. */
		if (!audit_verdict_is_violation(acc->verdict) ||
		    !(c->audit.close_on & (1u << acc->verdict)))
			continue;
		fputs("V\t", out);
		put_field(out, acc->user);
		fputc('\t', out);
		put_field(out, acc->store);
		fprintf(out, "\t%s\n", cg_verdict_name(acc->verdict));
	}
	if (rep->n_accounts > c->audit.max_accounts)
		fprintf(out, "E\t%zu accounts, over [audit] max_accounts = %lu\n",
			rep->n_accounts, c->audit.max_accounts);
	if (rep->n_errors)
		fprintf(out, "E\t%u problem(s) reading the stores or lists (see the messages above)\n",
			rep->n_errors);
	fputs("D\n", out);
	audit_report_free(rep);
	return 0;
}

static void job_clear(struct audit_job *j)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	j->pid = 0;
	j->pending_seen = false;
	j->read_err = 0;
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}

void agent_audit_cancel(struct agent *a)
{
	struct audit_job *j = &a->job;

	if (!j->pid)
		return;
	if (a->loop && j->fd >= 0)
		cg_loop_remove(a->loop, j->fd);
	kill(j->pid, SIGKILL);
	waitpid(j->pid, NULL, 0);
	job_clear(j);
}

/* Parse the child's lines into the status and decide. */
static int job_finish(struct agent *a)
{
	struct audit_job *j = &a->job;
	struct cg_violation *v = NULL;
	size_t n = 0, more = 0;
	bool done = false, full = j->full;
	char err[256] = "";
	char why[512] = "";
	size_t wl = 0;
	int status = 0, r;
	char *save = NULL;

	waitpid(j->pid, &status, 0);
	if (j->buf) {
		for (char *line = strtok_r(j->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *f[4] = { 0 };
			char *s2 = NULL;
			size_t k = 0;

			for (char *t = strtok_r(line, "\t", &s2); t && k < 4; t = strtok_r(NULL, "\t", &s2))
				f[k++] = t;
			if (!strcmp(f[0], "D")) {
				done = true;
			} else if (!strcmp(f[0], "P")) {
				continue;	/* acted on as it arrived (on_job) */
			} else if (!strcmp(f[0], "E") && f[1] && !err[0]) {
				snprintf(err, sizeof(err), "%s", f[1]);
			} else if (!strcmp(f[0], "V") && k == 4 && n >= AGENT_STATUS_MAX_VIOLATIONS) {
				more++;	/* counted, not listed: a status reply stays small */
			} else if (!strcmp(f[0], "V") && k == 4) {
				struct cg_violation *nv = reallocarray(v, n + 1, sizeof(*v));

				if (!nv) {
					snprintf(err, sizeof(err), "out of memory while reading its report");
					break;
				}
				v = nv;
				v[n++] = (struct cg_violation){ f[1], f[2], f[3] };
				if (wl < sizeof(why))
					wl += (size_t)snprintf(why + wl, sizeof(why) - wl, "%s%s (%s, %s)",
							       n > 1 ? ", " : "", f[1], f[3], f[2]);
			}
		}
	}
	if (!done && full && WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM && !err[0])
		/* Out of time: no verdict for some accounts, so no opening. */
		snprintf(err, sizeof(err),
			 "stopped after [audit] time_limit = %lu s before every account was judged (raise time_limit, 0 = no limit, or fix the slow hashes with 'credgate migrate')",
			 a->config.audit.time_limit);
	if (!done && j->read_err && !err[0])
		snprintf(err, sizeof(err), "its report could not be read (%s)%s", strerror(-j->read_err),
			 j->read_err == -EFBIG ? ": over 4 MiB of findings; run credgate audit to see them" : "");
	if (!done && !err[0])
		snprintf(err, sizeof(err), "the audit process died (%s %d)",
			 WIFSIGNALED(status) ? "signal" : "status",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	r = agent_status_set_violations(&a->status, v, n);
	free(v);
	job_clear(j);
	if (r < 0) {
		/* Not knowing what it found is no reason to open (or stay open). */
		a->status.compliant = false;
		agent_gate_decide(a, false, "out of memory while recording the audit's findings");
		return r;
	}
	a->status.last_audit = time(NULL);
	/* Compliant only once the deciding tier says so. */
	a->status.compliant = !n && !err[0] && (full || !agent_decision_full(a));
	if (err[0]) {
		agent_log(a, LOG_ERR, "%s audit: %s; the gate stays closed", full ? "full" : "fast", err);
		agent_gate_decide(a, false, "the audit could not check every store");
		a->full_pending = false;
	} else if (n) {
		char msg[640];

		snprintf(msg, sizeof(msg), "%s audit: %zu account(s) hold it closed: %s; fix: 'credgate migrate' (or set unique passwords with passwd)",
			 full ? "full" : "fast", n + more, why);
		agent_gate_decide(a, false, msg);
		a->full_pending = false;
	} else if (!full && agent_decision_full(a)) {
		/* Clean so far: the full tier decides whether the gate opens. */
		a->full_pending = true;
	} else {
		agent_gate_decide(a, true, full ? "full audit: no violation" : "fast audit: no violation");
	}
	if (!a->decided_logged && (a->decided || full)) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		agent_log(a, LOG_INFO, "first gate decision %.1f ms after start",
			  (double)(now.tv_sec - a->started.tv_sec) * 1e3 +
			  (double)(now.tv_nsec - a->started.tv_nsec) / 1e6);
		a->decided_logged = true;
	}
	if (a->full_pending && a->loop) {
		a->full_pending = false;
		return agent_audit_start(a, true);
	}
	return 0;
}

/* A "P" line: some hash has no verdict yet; closed until it is judged. */
static void job_check_pending(struct agent *a)
{
	struct audit_job *j = &a->job;

	if (j->pending_seen || !j->buf)
		return;
	if (strncmp(j->buf, "P\t", 2) && !strstr(j->buf, "\nP\t"))
		return;
	j->pending_seen = true;
	if (a->gate_open || !a->decided)
		agent_gate_decide(a, false, "a new or changed password hash has no verdict yet; closed while the audit judges it");
}

/* Read what the child wrote; 1 at end of file, 0 for more, <0 error. */
static int job_read(struct audit_job *j)
{
	for (;;) {
		ssize_t k;

		if (j->cap - j->len < 512) {
			if (j->len + 512 > (4u << 20))
				return -EFBIG;
			if (GREEDY_REALLOC(j->buf, j->cap, j->len + 512) < 0)
				return -ENOMEM;
		}
		k = read(j->fd, j->buf + j->len, j->cap - j->len - 1);
		if (k < 0)
			return errno == EAGAIN ? 0 : (errno == EINTR ? 0 : -errno);
		if (k == 0) {
			j->buf[j->len] = '\0';
			return 1;
		}
		j->len += (size_t)k;
		j->buf[j->len] = '\0';
	}
}

static int on_job(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	struct agent *a = userdata;
	int r;

	(void)events;
	r = job_read(&a->job);
	job_check_pending(a);
	if (r == 0)
		return 0;
	if (r < 0) {
		/* Stop the child first: blocked on a full pipe, it would never
		 * exit and waitpid() would freeze the agent. */
		kill(a->job.pid, SIGKILL);
		a->job.read_err = r;
	}
	cg_loop_remove(loop, fd);
	return job_finish(a) < 0 ? 0 : 0;
}

int agent_audit_start(struct agent *a, bool full)
{
	struct audit_job *j = &a->job;
	int p[2];
	pid_t pid;

	agent_audit_cancel(a);
	if (pipe2(p, O_CLOEXEC) < 0)
		return log_error_errno(errno, "pipe: %m");
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return log_error_errno(errno, "fork: %m");
	}
	if (pid == 0) {
		FILE *out;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The child parses untrusted stores: it keeps its pipe and
		 * stdio only - not the gate's fds, the restart helper's
		 * socket, the Varlink sockets or syslog's (its messages go
		 * to stderr). */
		if (a->syslog) {
			closelog();
			a->syslog = false;
		}
		p[1] = fd_keep_only_as_3(p[1]);
		if (p[1] < 0)
			_exit(EXIT_CG_ERROR);
		if (full) {
			(void)setpriority(PRIO_PROCESS, 0, 19);
			/* [audit] time_limit: SIGALRM ends the dictionary tier. */
			if (a->config.audit.time_limit)
				alarm((unsigned)a->config.audit.time_limit);
		}
		out = fdopen(p[1], "w");
		if (!out)
			_exit(EXIT_CG_ERROR);
		child_audit(a, full, out);
		fflush(out);
		_exit(EXIT_CG_OK);
	}
	close(p[1]);
	j->pid = pid;
	j->fd = p[0];
	j->full = full;
	if (a->loop) {
		if (fcntl(j->fd, F_SETFL, O_NONBLOCK) < 0)
			return -errno;
		return cg_loop_add(a->loop, j->fd, EPOLLIN, on_job, a);
	}
	return 0;
}
