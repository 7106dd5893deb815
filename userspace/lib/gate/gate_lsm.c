// SPDX-License-Identifier: MIT
/*
 * The lsm backend: the built-in credgate LSM through its securityfs files
 * (GATE_LSM_DIR: state, mode, allow_ports, lock, stats).  Its refusal
 * events are the kernel's log lines, read by gate_events.c.
 */
#include "gate/gate_internal.h"
#include "base/util.h"

#include <fcntl.h>
#include <sys/stat.h>

static int lsm_read(struct gate *g, const char *file, char **out)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "%s/%s", g->lsm.dir, file) < 0)
		return -ENOMEM;
	r = read_file(path, 1 << 20, out, NULL);
	if (r < 0)
		return r;
	strstrip_trailing(*out);
	return 0;
}

/*
 * The files the agent writes after set-up, opened for writing once, as
 * root: the steady state runs as the service user, which may not open them
 * (0644 root) but may write through these fds (the kernel checks
 * CAP_MAC_ADMIN of the opener and of the writer, and offset 0).
 */
static const char *const lsm_files[] = { "state", "mode", "allow_ports", "lock" };

static int lsm_write(struct gate *g, const char *file, const char *value)
{
	_cleanup_free_ char *path = NULL;
	size_t len = strlen(value);
	ssize_t n;

	for (size_t i = 0; i < ARRAY_SIZE(lsm_files); i++) {
		if (strcmp(file, lsm_files[i]) || g->lsm.wfd[i] < 0)
			continue;
		n = pwrite(g->lsm.wfd[i], value, len, 0);
		if (n < 0)
			return -errno;
		return (size_t)n == len ? 0 : -EIO;
	}
	if (asprintf(&path, "%s/%s", g->lsm.dir, file) < 0)
		return -ENOMEM;
	return write_string_file(path, value);
}

static int lsm_open(struct gate *g)
{
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(lsm_files); i++)
		g->lsm.wfd[i] = -1;
	g->lsm.dir = gate_sys_path(GATE_LSM_DIR);
	if (!g->lsm.dir)
		return -ENOMEM;
	if (stat(g->lsm.dir, &st) < 0)
		return errno == ENOENT ? -ENOSYS : -errno;
	/* Best effort: without the right to open them, writes fail later. */
	for (size_t i = 0; i < ARRAY_SIZE(lsm_files); i++) {
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", g->lsm.dir, lsm_files[i]) < 0)
			return -ENOMEM;
		g->lsm.wfd[i] = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	}
	return 0;
}

static void lsm_close(struct gate *g)
{
	for (size_t i = 0; i < ARRAY_SIZE(lsm_files); i++)
		if (g->lsm.wfd[i] >= 0)
			close(g->lsm.wfd[i]);
	free(g->lsm.dir);
}

static int lsm_get_locked(struct gate *g, bool *locked)
{
	_cleanup_free_ char *s = NULL;
	int r = lsm_read(g, "lock", &s);

	if (r < 0)
		return r;
	if (strcmp(s, "0") && strcmp(s, "1"))
		return -EBADMSG;
	*locked = s[0] == '1';
	return 0;
}

static int lsm_check_unlocked(struct gate *g)
{
	bool locked;
	int r = lsm_get_locked(g, &locked);

	if (r < 0)
		return r;
	return locked ? -EROFS : 0;
}

static int lsm_get_state(struct gate *g, uint32_t *state)
{
	_cleanup_free_ char *s = NULL;
	int r = lsm_read(g, "state", &s);

	if (r < 0)
		return r;
	if (!strcmp(s, credgate_state_name(CREDGATE_OPEN)))
		*state = CREDGATE_OPEN;
	else if (!strcmp(s, credgate_state_name(CREDGATE_CLOSED)))
		*state = CREDGATE_CLOSED;
	else
		return -EBADMSG;
	return 0;
}

static int lsm_get_mode(struct gate *g, uint32_t *mode)
{
	_cleanup_free_ char *s = NULL;
	int r = lsm_read(g, "mode", &s);

	if (r < 0)
		return r;
	r = cg_from_name(&cg_mode_names, s);
	if (r < 0)
		return -EBADMSG;
	*mode = (uint32_t)r;
	return 0;
}

static int lsm_get_status(struct gate *g, struct gate_status *st)
{
	int r;

	if ((r = lsm_get_state(g, &st->state)) < 0 ||
	    (r = lsm_get_mode(g, &st->mode)) < 0 ||
	    (r = lsm_get_locked(g, &st->locked)) < 0)
		return r;
	return 0;
}

static int lsm_read_counters(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS])
{
	_cleanup_free_ char *s = NULL;
	char *save = NULL;
	int r = lsm_read(g, "stats", &s);

	if (r < 0)
		return r;
	memset(c, 0, CREDGATE_NR_COUNTERS * sizeof(*c));
	for (char *line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[32];
		unsigned long long v;

		if (sscanf(line, "%31s %llu", name, &v) != 2)
			return -EBADMSG;
		for (int i = 0; i < CREDGATE_NR_COUNTERS; i++)
			if (!strcmp(name, credgate_counter_name(i)))
				c[i] = v;
	}
	return 0;
}

static int lsm_set_state(struct gate *g, uint32_t state)
{
	return lsm_write(g, "state", credgate_state_name(state));
}

static int lsm_set_mode(struct gate *g, uint32_t mode)
{
	int r = lsm_check_unlocked(g);

	if (r < 0)
		return r;
	return lsm_write(g, "mode", credgate_mode_name(mode));
}

static int lsm_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	_cleanup_free_ char *s = NULL;
	char *save = NULL;
	int r = lsm_read(g, "allow_ports", &s);

	if (r < 0)
		return r;
	memset(allow, 0, CREDGATE_ALLOW_WORDS * sizeof(uint32_t));
	for (char *tok = strtok_r(s, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		uint16_t port;
		int proto;

		if (gate_parse_allow_entry(tok, &proto, &port) < 0)
			return -EBADMSG;
		credgate_allow_set(allow, proto, port, 1);
	}
	return 0;
}

static int lsm_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = lsm_check_unlocked(g);
	if (r < 0)
		return r;
	buf = gate_format_allow(allow);
	if (!buf)
		return -ENOMEM;
	len = strlen(buf);
	/* A long list is larger than a page: the kernel refuses, say so. */
	if (len + 1 > 4096)
		return -E2BIG;
	strcpy(buf + len, "\n");
	return lsm_write(g, "allow_ports", buf);
}

static int lsm_lock(struct gate *g)
{
	bool locked;
	int r = lsm_get_locked(g, &locked);

	if (r < 0 || locked)
		return r;
	return lsm_write(g, "lock", "1");
}

/* Built into the kernel: nothing to load. */
static int lsm_load(bool force)
{
	(void)force;
	return -EOPNOTSUPP;
}

const struct gate_ops gate_lsm_ops = {
	.backend = CG_BACKEND_LSM,
	.open = lsm_open,
	.close = lsm_close,
	.get_status = lsm_get_status,
	.read_counters = lsm_read_counters,
	.set_state = lsm_set_state,
	.set_mode = lsm_set_mode,
	.get_allow = lsm_get_allow,
	.set_allow = lsm_set_allow,
	.lock = lsm_lock,
	.load = lsm_load,
	.events_open = gate_kmsg_open,
	.events_poll = gate_kmsg_poll,
	.events_free = gate_kmsg_free,
};
