// SPDX-License-Identifier: MIT
/*
 * Store watches.  Tools replace stores by rename (passwd, chpasswd,
 * credgate migrate, sed -i), which a watch on the file itself would miss
 * after the first change, so the agent watches each store's directory and
 * filters on the name.  A store that is a symlink (/etc/shadow ->
 * /data/shadow on read-only root file systems) is watched at every hop:
 * the link's directory and name, and the target's; any change to a hop
 * re-resolves the chain.  A lost watch (IN_IGNORED: the directory went
 * away) or a queue overflow (IN_Q_OVERFLOW: events were dropped) means
 * changes could have been missed: the watches are rebuilt and the stores
 * audited again.  Bursts of events (a tool writes a temporary file,
 * fsyncs, renames, writes a backup) are debounced into one re-audit:
 * DEBOUNCE_MS after the last event, but never later than DEBOUNCE_MAX_MS
 * after the first, so continuous writes cannot postpone the audit.
 */
#include "agent.h"
#include "audit/audit.h"
#include "base/util.h"

#include <libgen.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <time.h>

#define DEBOUNCE_MS	50
#define DEBOUNCE_MAX_MS	250
/* Symlink hops followed from a store's path to the file itself. */
#define WATCH_MAX_HOPS	8
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		    IN_DELETE | IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF)

struct watch {
	int wd;
	char *name;		/* basename of the store or hop; NULL: any file */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Watch @dir for changes to @name (NULL: to any file in it). */
static int add_watch(struct agent *a, const char *dir, const char *name)
{
	int wd = inotify_add_watch(a->inotify_fd, dir, WATCH_MASK);

	if (wd < 0) {
		agent_log(a, LOG_WARNING, "cannot watch %s (%m): changes to it are noticed only at the next audit",
			  dir);
		return 0;
	}
	if (GREEDY_REALLOC(a->watches, a->cap_watches, a->n_watches + 1) < 0)
		return -ENOMEM;
	a->watches[a->n_watches].wd = wd;
	a->watches[a->n_watches].name = name ? strdup(name) : NULL;
	if (name && !a->watches[a->n_watches].name)
		return -ENOMEM;
	a->n_watches++;
	return 0;
}

/* Watch @path's directory for @path's name, and each symlink hop after it. */
static int watch_store(struct agent *a, const char *path)
{
	char cur[PATH_MAX];

	if (strlen(path) >= sizeof(cur))
		return 0;
	strcpy(cur, path);
	for (int hop = 0; hop <= WATCH_MAX_HOPS; hop++) {
		char d[PATH_MAX], b[PATH_MAX], target[PATH_MAX];
		struct stat st;
		ssize_t n;
		int r;

		strcpy(d, cur);
		strcpy(b, cur);
		r = add_watch(a, dirname(d), basename(b));
		if (r < 0)
			return r;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return 0;
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return 0;
		target[n] = '\0';
		if (target[0] == '/') {
			strcpy(cur, target);
		} else {
			strcpy(d, cur);
			if (snprintf(cur, sizeof(cur), "%s/%s", dirname(d), target) >= (int)sizeof(cur))
				return 0;
		}
	}
	agent_log(a, LOG_WARNING, "%s: more than %d symlinks: only the first are watched",
		  path, WATCH_MAX_HOPS);
	return 0;
}

static bool watched(const struct watch *w, size_t n, int wd)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].wd == wd)
			return true;
	return false;
}

/* Existing directory of @path (a watch there sees the file appear). */
static bool dir_exists(const char *path)
{
	char d[PATH_MAX];

	snprintf(d, sizeof(d), "%s", path);
	return access(dirname(d), F_OK) == 0;
}

/*
 * Without [audit] stores the audit also reads the service configurations
 * at their usual paths (audit_service_configs()): each one whose
 * directory exists is watched like a store, and every file of the
 * directories where a new file matters (an init script, an included PAM
 * file).
 */
static int watch_service_configs(struct agent *a)
{
	static const char *const dirs[] = { "/etc/init.d", "/etc/pam.d" };
	struct audit_store_spec *v = NULL;
	size_t n = 0;
	int r;

	r = audit_service_configs(NULL, &v, &n);
	for (size_t i = 0; i < n && r >= 0; i++)
		if (dir_exists(v[i].path))
			r = watch_store(a, v[i].path);
	audit_store_specs_free(v, n);
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && r >= 0; i++)
		if (access(dirs[i], F_OK) == 0)
			r = add_watch(a, dirs[i], NULL);
	return r;
}

/* [audit] discover: each store found and each configuration naming one. */
static int watch_discovered(struct agent *a)
{
	struct audit_found *f = NULL;
	size_t n = 0;
	int r;

	r = audit_discover(NULL, &f, &n);
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (dir_exists(f[i].spec.path))
			r = watch_store(a, f[i].spec.path);
		if (r >= 0 && f[i].from)
			r = watch_store(a, f[i].from);
	}
	audit_found_free(f, n);
	return r;
}

/*
 * (Re)build the watch list.  inotify_add_watch() on a directory already
 * watched returns its wd, so only the directories no longer needed are
 * removed: their IN_IGNORED then names a wd that is not in the list and is
 * not taken for a lost watch.
 */
static int watches_build(struct agent *a)
{
	struct watch *old = a->watches;
	size_t n_old = a->n_watches;
	int r = 0;

	a->watches = NULL;
	a->n_watches = a->cap_watches = 0;
	for (size_t i = 0; i < a->config.audit.n_stores && r >= 0; i++)
		r = watch_store(a, a->config.audit.stores[i].path);
	if (r >= 0 && !a->config.audit.stores_explicit)
		r = watch_service_configs(a);
	if (r >= 0 && a->config.audit.discover)
		r = watch_discovered(a);
	/* The OEM's default lists change what is a violation. */
	if (r >= 0 && access(AUDIT_DEFAULTS_DIR, F_OK) == 0)
		r = add_watch(a, AUDIT_DEFAULTS_DIR, NULL);
	for (size_t i = 0; i < n_old; i++) {
		if (!watched(a->watches, a->n_watches, old[i].wd) &&
		    !watched(old, i, old[i].wd))
			inotify_rm_watch(a->inotify_fd, old[i].wd);
		free(old[i].name);
	}
	free(old);
	return r;
}

/* Does @ev touch a store (or a hop to one)?  Sets a->rewatch when needed. */
static bool relevant(struct agent *a, const struct inotify_event *ev)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		a->rewatch = true;
		return true;
	}
	/* A watch the kernel dropped (not one watches_build() removed). */
	if ((ev->mask & IN_IGNORED) && watched(a->watches, a->n_watches, ev->wd)) {
		a->rewatch = true;
		return true;
	}
	for (size_t i = 0; i < a->n_watches; i++) {
		if (a->watches[i].wd != ev->wd)
			continue;
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
			a->rewatch = true;
			return true;
		}
		if (!a->watches[i].name)
			return true;
		if (ev->len && !strcmp(ev->name, a->watches[i].name)) {
			/* A link replaced by a file, or pointed elsewhere. */
			if (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM))
				a->rewatch = true;
			return true;
		}
	}
	return false;
}

static void arm_debounce(struct agent *a)
{
	long long now = now_ms(), delay = DEBOUNCE_MS;
	struct itimerspec its = { 0 };

	if (!a->debounce_deadline_ms)
		a->debounce_deadline_ms = now + DEBOUNCE_MAX_MS;
	if (now + delay > a->debounce_deadline_ms)
		delay = a->debounce_deadline_ms - now;
	if (delay < 1)
		delay = 1;	/* 0 would disarm the timer */
	its.it_value.tv_sec = delay / 1000;
	its.it_value.tv_nsec = (delay % 1000) * 1000000L;
	if (timerfd_settime(a->debounce_fd, 0, &its, NULL) < 0)
		agent_log(a, LOG_ERR, "timerfd: %m");
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
	if (hit)
		arm_debounce(a);
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
	a->debounce_deadline_ms = 0;
	if (a->rewatch) {
		a->rewatch = false;
		if (watches_build(a) < 0)
			agent_log(a, LOG_ERR, "cannot rebuild the store watches: out of memory");
		agent_log(a, LOG_INFO, "store watches rebuilt (a watched directory or link changed, or events were lost)");
	}
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
	r = watches_build(a);
	if (r < 0)
		return r;
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
	a->n_watches = a->cap_watches = 0;
	if (a->inotify_fd >= 0)
		close(a->inotify_fd);
	if (a->debounce_fd >= 0)
		close(a->debounce_fd);
	a->inotify_fd = a->debounce_fd = -1;
}
