// SPDX-License-Identifier: MIT
/*
 * Store watches.  Tools replace stores by rename (passwd, chpasswd,
 * credgate migrate, sed -i), which a watch on the file itself would miss
 * after the first change, so the agent watches each store's directory and
 * filters on the name.  Bursts of events (a tool writes a temporary file,
 * fsyncs, renames, writes a backup) are debounced into one re-audit.
 */
#include "agent.h"
#include "audit/audit.h"
#include "base/util.h"

#include <libgen.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <syslog.h>

#define DEBOUNCE_MS 50
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		    IN_DELETE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

struct watch {
	int wd;
	char *name;		/* basename of the store; NULL: any file */
};

static int add_watch(struct agent *a, const char *path, bool whole_dir)
{
	_cleanup_free_ char *d = strdup(path), *b = strdup(path);
	struct watch *nw;
	int wd;

	if (!d || !b)
		return -ENOMEM;
	wd = inotify_add_watch(a->inotify_fd, whole_dir ? path : dirname(d), WATCH_MASK);
	if (wd < 0) {
		agent_log(a, LOG_WARNING, "cannot watch %s (%m): changes to it are noticed only at the next audit",
			  whole_dir ? path : dirname(d));
		return 0;
	}
	nw = reallocarray(a->watches, a->n_watches + 1, sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	a->watches = nw;
	a->watches[a->n_watches].wd = wd;
	a->watches[a->n_watches].name = whole_dir ? NULL : strdup(basename(b));
	if (!whole_dir && !a->watches[a->n_watches].name)
		return -ENOMEM;
	a->n_watches++;
	return 0;
}

static bool relevant(const struct agent *a, const struct inotify_event *ev)
{
	for (size_t i = 0; i < a->n_watches; i++) {
		if (a->watches[i].wd != ev->wd)
			continue;
		if (!a->watches[i].name || (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))
			return true;
		if (ev->len && !strcmp(ev->name, a->watches[i].name))
			return true;
	}
	return false;
}

static int on_inotify(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	struct agent *a = userdata;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t len;

	(void)loop;
	(void)events;
	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			hit |= relevant(a, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	if (hit) {
		struct itimerspec its = { .it_value.tv_nsec = DEBOUNCE_MS * 1000000L };

		if (timerfd_settime(a->debounce_fd, 0, &its, NULL) < 0)
			agent_log(a, LOG_ERR, "timerfd: %m");
	}
	return 0;
}

static int on_debounce(struct cg_loop *loop, int fd, uint32_t events, void *userdata)
{
	struct agent *a = userdata;
	uint64_t n;

	(void)loop;
	(void)events;
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return 0;
	agent_log(a, LOG_INFO, "a store changed: auditing again");
	a->full_pending = a->config.audit.depth == CG_DEPTH_FULL;
	if (agent_audit_start(a, false) < 0)
		agent_gate_decide(a, false, "could not start an audit");
	return 0;
}

int agent_watch_setup(struct agent *a)
{
	int r;

	a->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (a->inotify_fd < 0)
		return log_error_errno(errno, "inotify_init1: %m");
	a->debounce_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (a->debounce_fd < 0)
		return log_error_errno(errno, "timerfd_create: %m");
	for (size_t i = 0; i < a->config.audit.n_stores; i++) {
		r = add_watch(a, a->config.audit.stores[i].path, false);
		if (r < 0)
			return r;
	}
	/* The OEM's default lists change what is a violation. */
	if (access(AUDIT_DEFAULTS_DIR, F_OK) == 0) {
		r = add_watch(a, AUDIT_DEFAULTS_DIR, true);
		if (r < 0)
			return r;
	}
	r = cg_loop_add(a->loop, a->inotify_fd, EPOLLIN, on_inotify, a);
	if (r == 0)
		r = cg_loop_add(a->loop, a->debounce_fd, EPOLLIN, on_debounce, a);
	return r;
}

void agent_watch_free(struct agent *a)
{
	for (size_t i = 0; i < a->n_watches; i++)
		free(a->watches[i].name);
	free(a->watches);
	a->watches = NULL;
	a->n_watches = 0;
	if (a->inotify_fd >= 0)
		close(a->inotify_fd);
	if (a->debounce_fd >= 0)
		close(a->debounce_fd);
	a->inotify_fd = a->debounce_fd = -1;
}
