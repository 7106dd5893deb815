// SPDX-License-Identifier: MIT
/*
 * The bpf backend: the maps of bpf/credgate.bpf.c pinned under
 * GATE_BPF_PIN_DIR (gate_bpf_load.c puts them there), and the ring buffer
 * of refusal events.  libbpf's own messages go to the log sink.
 */
#include "gate/gate_internal.h"
#include "base/util.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* The pinned maps, in the order they are created. */
const char *const gate_bpf_map_names[4] = { "gate", "config", "stats", "events" };

/* What bpf/credgate.bpf.c declares for each of them (same order). */
static const struct {
	__u32 type, key_size, value_size, max_entries;
} gate_bpf_map_shapes[] = {
	{ BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct credgate_gate), 1 },
	{ BPF_MAP_TYPE_ARRAY, sizeof(__u32), sizeof(struct credgate_config), 1 },
	{ BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(__u32), sizeof(__u64), CREDGATE_NR_COUNTERS },
	{ BPF_MAP_TYPE_RINGBUF, 0, 0, 64 * 1024 },
};

char *gate_bpf_pin_path(const char *name)
{
	char *p;

	if (asprintf(&p, GATE_BPF_PIN_DIR "/%s", name) < 0)
		return NULL;
	return p;
}

int gate_bpf_obj_get_pinned(const char *name)
{
	_cleanup_free_ char *path = gate_bpf_pin_path(name);
	int fd;

	if (!path)
		return -ENOMEM;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	return fd;
}

/*
 * The pinned map @i of gate_bpf_map_names[], checked against the shape
 * this build's programs use before anything reads or writes it (a map
 * pinned by another credgate version, or anything else at that path,
 * would otherwise be read into a struct of another size).  Returns its fd,
 * -ENOENT when nothing is pinned there, -EPROTO (logged) for a map of
 * another shape, or another -errno.
 */
int gate_bpf_map_get_pinned(size_t i)
{
	_cleanup_close_ int fd = -1;
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	_Static_assert(ARRAY_SIZE(gate_bpf_map_shapes) == ARRAY_SIZE(gate_bpf_map_names),
		       "one shape per map");
	if (i >= ARRAY_SIZE(gate_bpf_map_names))
		return -EINVAL;
	fd = gate_bpf_obj_get_pinned(gate_bpf_map_names[i]);
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
		return -errno;
	if (info.type != gate_bpf_map_shapes[i].type ||
	    info.key_size != gate_bpf_map_shapes[i].key_size ||
	    info.value_size != gate_bpf_map_shapes[i].value_size ||
	    info.max_entries != gate_bpf_map_shapes[i].max_entries) {
		cg_log(LOG_ERR, 0,
		       "%s/%s is not the map this credgate uses (type %u, key %u, value %u bytes, %u entries; expected type %u, key %u, value %u, %u entries): pinned by another credgate version? 'credgate gate load --force' replaces the pins (refused while the gate is locked)",
		       GATE_BPF_PIN_DIR, gate_bpf_map_names[i], info.type, info.key_size,
		       info.value_size, info.max_entries, gate_bpf_map_shapes[i].type,
		       gate_bpf_map_shapes[i].key_size, gate_bpf_map_shapes[i].value_size,
		       gate_bpf_map_shapes[i].max_entries);
		return -EPROTO;
	}
	return TAKE_FD(fd);
}

/*
 * libbpf's print callback: warnings and information to the log sink, one
 * message a line ("libbpf: ..."), debug output only with
 * LIBBPF_LOG_LEVEL=debug (what libbpf's own default printer does).
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const int prio[] = {
		[LIBBPF_WARN] = LOG_WARNING, [LIBBPF_INFO] = LOG_INFO, [LIBBPF_DEBUG] = LOG_DEBUG,
	};
	const char *env = getenv("LIBBPF_LOG_LEVEL");
	_cleanup_free_ char *msg = NULL;
	char *save = NULL;

	if (level == LIBBPF_DEBUG && !(env && !strcasecmp(env, "debug")))
		return 0;
	if (vasprintf(&msg, fmt, ap) < 0)
		return -ENOMEM;
	for (char *line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		cg_log((unsigned int)level < ARRAY_SIZE(prio) ? prio[level] : LOG_DEBUG, 0,
		       "%s", line);
	return 0;
}

void gate_bpf_log_setup(void)
{
	libbpf_set_print(libbpf_print);
}

static int bpf_open(struct gate *g)
{
	int *fds[] = { &g->bpf.gate_fd, &g->bpf.config_fd, &g->bpf.stats_fd, &g->bpf.events_fd };

	_Static_assert(ARRAY_SIZE(fds) == ARRAY_SIZE(gate_bpf_map_names), "one fd per map");
	gate_bpf_log_setup();
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		*fds[i] = -1;
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		int fd = gate_bpf_map_get_pinned(i);

		if (fd < 0)
			return fd == -EACCES ? -EPERM : fd;
		*fds[i] = fd;
	}
	return 0;
}

static void bpf_close(struct gate *g)
{
	closep(&g->bpf.gate_fd);
	closep(&g->bpf.config_fd);
	closep(&g->bpf.stats_fd);
	closep(&g->bpf.events_fd);
}

/* The config map's one entry, malloc'd (32 KiB: not for the stack). */
static int bpf_read_config(struct gate *g, struct credgate_config **out)
{
	_cleanup_free_ struct credgate_config *cfg = malloc(sizeof(*cfg));
	__u32 zero = 0;

	if (!cfg)
		return -ENOMEM;
	if (bpf_map_lookup_elem(g->bpf.config_fd, &zero, cfg) < 0)
		return -errno;
	*out = TAKE_PTR(cfg);
	return 0;
}

static int bpf_write_config(struct gate *g, const struct credgate_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(g->bpf.config_fd, &zero, cfg, BPF_ANY) < 0)
		return errno == EPERM ? -EROFS : -errno;	/* frozen */
	return 0;
}

static int bpf_get_status(struct gate *g, struct gate_status *st)
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	struct credgate_gate gs;
	__u32 zero = 0;
	int r;

	if (bpf_map_lookup_elem(g->bpf.gate_fd, &zero, &gs) < 0)
		return -errno;
	r = bpf_read_config(g, &cfg);
	if (r < 0)
		return r;
	st->state = gs.state;
	st->mode = cfg->mode;
	st->locked = cfg->locked;
	return 0;
}

static int bpf_read_counters(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS])
{
	int ncpu = libbpf_num_possible_cpus();
	_cleanup_free_ __u64 *v = NULL;

	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 i = 0; i < CREDGATE_NR_COUNTERS; i++) {
		if (bpf_map_lookup_elem(g->bpf.stats_fd, &i, v) < 0)
			return -errno;
		c[i] = 0;
		for (int cpu = 0; cpu < ncpu; cpu++)
			c[i] += v[cpu];
	}
	return 0;
}

static int bpf_set_state(struct gate *g, uint32_t state)
{
	struct credgate_gate gs = { .state = state };
	__u32 zero = 0;

	if (bpf_map_update_elem(g->bpf.gate_fd, &zero, &gs, BPF_ANY) < 0)
		return -errno;
	return 0;
}

static int bpf_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	int r = bpf_read_config(g, &cfg);

	if (r < 0)
		return r;
	memcpy(allow, cfg->allow, sizeof(cfg->allow));
	return 0;
}

/*
 * Change the frozen part (mode, allow list) of the config: read, check
 * the lock, modify, write back.
 */
static int bpf_update_config(struct gate *g, const uint32_t *mode,
			     const uint32_t *allow)
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	int r = bpf_read_config(g, &cfg);

	if (r < 0)
		return r;
	if (cfg->locked)
		return -EROFS;
	if (mode)
		cfg->mode = *mode;
	if (allow)
		memcpy(cfg->allow, allow, sizeof(cfg->allow));
	return bpf_write_config(g, cfg);
}

static int bpf_set_mode(struct gate *g, uint32_t mode)
{
	return bpf_update_config(g, &mode, NULL);
}

static int bpf_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	return bpf_update_config(g, NULL, allow);
}

static int bpf_lock(struct gate *g)
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	int r = bpf_read_config(g, &cfg);

	if (r < 0)
		return r;
	if (!cfg->locked) {
		cfg->locked = 1;
		r = bpf_write_config(g, cfg);
		if (r < 0)
			return r;
	}
	/*
	 * Freezing twice fails: the map is frozen either way.  Linux 6.1
	 * says EBUSY; 6.12 says EPERM, because a frozen map's fd loses its
	 * write permission before the frozen check.  The fd is read-write
	 * (bpf_obj_get() without flags), so EPERM here means frozen.
	 */
	if (bpf_map_freeze(g->bpf.config_fd) < 0 && errno != EBUSY && errno != EPERM)
		return -errno;
	return 0;
}

/* ---- events: the ring buffer ---- */

static int on_sample(void *ctx, void *data, size_t size)
{
	struct credgate_event e = {};

	/* A shorter record (older object) is zero-extended, a longer cut. */
	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	return gate_events_deliver(ctx, &e);
}

static int bpf_events_open(struct gate *g, struct gate_events *ev)
{
	struct ring_buffer *rb = ring_buffer__new(g->bpf.events_fd, on_sample, ev, NULL);

	if (!rb)
		return -errno;
	ev->ring = rb;
	ev->fd = ring_buffer__epoll_fd(rb);
	return 0;
}

static int bpf_events_poll(struct gate_events *ev, int timeout_ms)
{
	return ring_buffer__poll(ev->ring, timeout_ms);
}

static void bpf_events_free(struct gate_events *ev)
{
	ring_buffer__free(ev->ring);
}

const struct gate_ops gate_bpf_ops = {
	.backend = CG_BACKEND_BPF,
	.open = bpf_open,
	.close = bpf_close,
	.get_status = bpf_get_status,
	.read_counters = bpf_read_counters,
	.set_state = bpf_set_state,
	.set_mode = bpf_set_mode,
	.get_allow = bpf_get_allow,
	.set_allow = bpf_set_allow,
	.lock = bpf_lock,
	.load = gate_bpf_loader,
	.events_open = bpf_events_open,
	.events_poll = bpf_events_poll,
	.events_free = bpf_events_free,
};
