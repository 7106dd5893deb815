// SPDX-License-Identifier: MIT
/*
 * The kernel gate from userland (see gate.h): backend detection, the lsm
 * backend over securityfs files, the bpf backend over pinned maps, and the
 * BPF loader that pins maps and links so enforcement outlives the loader.
 */
#include "gate/gate.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "credgate.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

struct gate {
	enum cg_backend backend;
	char *lsm_dir;			/* lsm: securityfs directory */
	int gate_fd, config_fd, stats_fd, events_fd;	/* bpf: pinned maps */
};

/* The pinned objects, in the order they are created. */
static const char *const bpf_map_names[] = { "gate", "config", "stats", "events" };
static const char *const bpf_link_names[] = {
	"link_socket_bind", "link_socket_listen", "link_sctp_bind_connect"
};

int gate_backend_from_name(const char *name)
{
	int b = cg_from_name(&cg_backend_names, name);

	return b == CG_BACKEND_NONE ? -EINVAL : b;
}

/* $CREDGATE_SYSFS_ROOT + @path (tests point it at a fake tree). */
static char *sys_path(const char *path)
{
	const char *root = getenv("CREDGATE_SYSFS_ROOT");
	char *p;

	if (asprintf(&p, "%s%s", root ? root : "", path) < 0)
		return NULL;
	return p;
}

static char *bpf_pin_path(const char *name)
{
	char *p;

	if (asprintf(&p, GATE_BPF_PIN_DIR "/%s", name) < 0)
		return NULL;
	return p;
}

/* Is @name one of the comma-separated entries of @list? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",\n");

		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

int gate_detect_backend(enum cg_backend *out)
{
	_cleanup_free_ char *path = sys_path(GATE_LSM_LIST), *list = NULL;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, 4096, &list, NULL);
	if (r == -ENOENT)
		return -ENOSYS;	/* no securityfs or no LSM support at all */
	if (r < 0)
		return r;
	if (list_has(list, "credgate"))
		*out = CG_BACKEND_LSM;
	else if (list_has(list, "bpf"))
		*out = CG_BACKEND_BPF;
	else
		return -ENOSYS;
	return 0;
}

void gate_default_allow(uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	static const __u16 ports[] = CREDGATE_DEFAULT_ALLOW_UDP;

	memset(allow, 0, CREDGATE_ALLOW_WORDS * sizeof(uint32_t));
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		credgate_allow_set(allow, CREDGATE_PROTO_UDP, ports[i], 1);
}

int gate_parse_allow_entry(const char *tok, int *proto, uint16_t *port)
{
	const char *colon = strchr(tok, ':');
	unsigned long v;

	if (!colon)
		return parse_uint(tok, 65535, &v) == 0 && v > 0 ? -ENOPROTOOPT : -EINVAL;
	*proto = credgate_proto_parse(tok, (int)(colon - tok));
	if (*proto < 0 || parse_uint(colon + 1, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

char *gate_format_allow(const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	/* At most 3 x 65535 entries of up to "sctp:65535" plus a separator. */
	char *buf = malloc((size_t)CREDGATE_PROTO_MAX * 65535 * 11 + 2);
	size_t len = 0;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (int proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++)
		for (uint32_t port = 1; port <= 65535; port++)
			if (credgate_allow_test(allow, proto, (__u16)port))
				len += (size_t)sprintf(buf + len, "%s%s:%u", len ? " " : "",
						       credgate_proto_name(proto), port);
	return buf;
}

/* ---- lsm backend: securityfs files ---- */

static int lsm_read(struct gate *g, const char *file, char **out)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (asprintf(&path, "%s/%s", g->lsm_dir, file) < 0)
		return -ENOMEM;
	r = read_file(path, 1 << 20, out, NULL);
	if (r < 0)
		return r;
	strstrip_trailing(*out);
	return 0;
}

static int lsm_write(struct gate *g, const char *file, const char *value)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", g->lsm_dir, file) < 0)
		return -ENOMEM;
	return write_string_file(path, value);
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

static int lsm_get_state(struct gate *g, uint32_t *state)
{
	_cleanup_free_ char *s = NULL;
	int r = lsm_read(g, "state", &s);

	if (r < 0)
		return r;
	if (!strcmp(s, "open"))
		*state = CREDGATE_OPEN;
	else if (!strcmp(s, "closed"))
		*state = CREDGATE_CLOSED;
	else
		return -EBADMSG;
	return 0;
}

static int mode_from_name(const char *s)
{
	for (uint32_t m = CREDGATE_MODE_ENFORCE; m <= CREDGATE_MODE_OFF; m++)
		if (!strcmp(s, credgate_mode_name(m)))
			return (int)m;
	return -EINVAL;
}

static int lsm_get_mode(struct gate *g, uint32_t *mode)
{
	_cleanup_free_ char *s = NULL;
	int r = lsm_read(g, "mode", &s);

	if (r < 0)
		return r;
	r = mode_from_name(s);
	if (r < 0)
		return -EBADMSG;
	*mode = (uint32_t)r;
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
	_cleanup_free_ char *buf = gate_format_allow(allow);
	size_t len;

	if (!buf)
		return -ENOMEM;
	len = strlen(buf);
	/* A long list is larger than a page: the kernel refuses, say so. */
	if (len + 1 > 4096)
		return -E2BIG;
	strcpy(buf + len, "\n");
	return lsm_write(g, "allow_ports", buf);
}

/* ---- bpf backend: pinned maps ---- */

static int bpf_obj_get_pinned(const char *name)
{
	_cleanup_free_ char *path = bpf_pin_path(name);
	int fd;

	if (!path)
		return -ENOMEM;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	return fd;
}

static int bpf_read_config(struct gate *g, struct credgate_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(g->config_fd, &zero, cfg) < 0)
		return -errno;
	return 0;
}

static int bpf_write_config(struct gate *g, const struct credgate_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(g->config_fd, &zero, cfg, BPF_ANY) < 0)
		return errno == EPERM ? -EROFS : -errno;	/* frozen */
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
		if (bpf_map_lookup_elem(g->stats_fd, &i, v) < 0)
			return -errno;
		c[i] = 0;
		for (int cpu = 0; cpu < ncpu; cpu++)
			c[i] += v[cpu];
	}
	return 0;
}

/* ---- common API ---- */

static struct gate *gate_new(enum cg_backend b)
{
	struct gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->backend = b;
	g->gate_fd = g->config_fd = g->stats_fd = g->events_fd = -1;
	return g;
}

void gate_close(struct gate *g)
{
	if (!g)
		return;
	free(g->lsm_dir);
	closep(&g->gate_fd);
	closep(&g->config_fd);
	closep(&g->stats_fd);
	closep(&g->events_fd);
	free(g);
}

static int open_lsm(struct gate *g)
{
	struct stat st;

	g->lsm_dir = sys_path(GATE_LSM_DIR);
	if (!g->lsm_dir)
		return -ENOMEM;
	if (stat(g->lsm_dir, &st) < 0)
		return errno == ENOENT ? -ENOSYS : -errno;
	return 0;
}

static int open_bpf(struct gate *g)
{
	int *fds[] = { &g->gate_fd, &g->config_fd, &g->stats_fd, &g->events_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		int fd = bpf_obj_get_pinned(bpf_map_names[i]);

		if (fd < 0)
			return fd == -EACCES ? -EPERM : fd;
		*fds[i] = fd;
	}
	return 0;
}

int gate_open_backend(enum cg_backend want, struct gate **out)
{
	struct gate *g;
	int r;

	if (want == CG_BACKEND_AUTO) {
		r = gate_detect_backend(&want);
		if (r < 0)
			return r;
	}
	g = gate_new(want);
	if (!g)
		return -ENOMEM;
	r = want == CG_BACKEND_LSM ? open_lsm(g) : open_bpf(g);
	if (r < 0) {
		gate_close(g);
		return r;
	}
	*out = g;
	return 0;
}

enum cg_backend gate_backend(const struct gate *g)
{
	return g->backend;
}

int gate_read_counters(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS])
{
	if (g->backend == CG_BACKEND_LSM)
		return lsm_read_counters(g, c);
	return bpf_read_counters(g, c);
}

int gate_get_status(struct gate *g, struct gate_status *st)
{
	int r;

	memset(st, 0, sizeof(*st));
	st->backend = g->backend;
	if (g->backend == CG_BACKEND_LSM) {
		if ((r = lsm_get_state(g, &st->state)) < 0 ||
		    (r = lsm_get_mode(g, &st->mode)) < 0 ||
		    (r = lsm_get_locked(g, &st->locked)) < 0)
			return r;
	} else {
		_cleanup_free_ struct credgate_config *cfg = malloc(sizeof(*cfg));
		struct credgate_gate gs;
		__u32 zero = 0;

		if (!cfg)
			return -ENOMEM;
		if (bpf_map_lookup_elem(g->gate_fd, &zero, &gs) < 0)
			return -errno;
		r = bpf_read_config(g, cfg);
		if (r < 0)
			return r;
		st->state = gs.state;
		st->mode = cfg->mode;
		st->locked = cfg->locked;
	}
	return gate_read_counters(g, st->counters);
}

int gate_set_state(struct gate *g, uint32_t state)
{
	struct credgate_gate gs = { .state = state };
	__u32 zero = 0;

	if (state != CREDGATE_OPEN && state != CREDGATE_CLOSED)
		return -EINVAL;
	if (g->backend == CG_BACKEND_LSM)
		return lsm_write(g, "state", credgate_state_name(state));
	if (bpf_map_update_elem(g->gate_fd, &zero, &gs, BPF_ANY) < 0)
		return -errno;
	return 0;
}

int gate_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	int r;

	if (g->backend == CG_BACKEND_LSM)
		return lsm_get_allow(g, allow);
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	r = bpf_read_config(g, cfg);
	if (r < 0)
		return r;
	memcpy(allow, cfg->allow, sizeof(cfg->allow));
	return 0;
}

/*
 * Change the frozen part (mode, allow list) of the bpf config: read, check
 * the lock, modify, write back.
 */
static int bpf_update_config(struct gate *g, const uint32_t *mode,
			     const uint32_t *allow)
{
	_cleanup_free_ struct credgate_config *cfg = malloc(sizeof(*cfg));
	int r;

	if (!cfg)
		return -ENOMEM;
	r = bpf_read_config(g, cfg);
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

static int lsm_check_unlocked(struct gate *g)
{
	bool locked;
	int r = lsm_get_locked(g, &locked);

	if (r < 0)
		return r;
	return locked ? -EROFS : 0;
}

int gate_set_mode(struct gate *g, uint32_t mode)
{
	int r;

	if (mode > CREDGATE_MODE_OFF)
		return -EINVAL;
	if (g->backend == CG_BACKEND_BPF)
		return bpf_update_config(g, &mode, NULL);
	r = lsm_check_unlocked(g);
	if (r < 0)
		return r;
	return lsm_write(g, "mode", credgate_mode_name(mode));
}

int gate_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	int r;

	for (int proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++)
		if (credgate_allow_test(allow, proto, 0))
			return -EINVAL;	/* port 0 is never an allow-list entry */
	for (int w = 0; w < CREDGATE_PORT_WORDS; w++)
		if (allow[CREDGATE_PROTO_NONE * CREDGATE_PORT_WORDS + w])
			return -EINVAL;	/* the unused slot stays empty */
	if (g->backend == CG_BACKEND_BPF)
		return bpf_update_config(g, NULL, allow);
	r = lsm_check_unlocked(g);
	if (r < 0)
		return r;
	return lsm_set_allow(g, allow);
}

int gate_lock(struct gate *g)
{
	_cleanup_free_ struct credgate_config *cfg = NULL;
	int r;

	if (g->backend == CG_BACKEND_LSM) {
		bool locked;

		r = lsm_get_locked(g, &locked);
		if (r < 0 || locked)
			return r;
		return lsm_write(g, "lock", "1");
	}

	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	r = bpf_read_config(g, cfg);
	if (r < 0)
		return r;
	if (!cfg->locked) {
		cfg->locked = 1;
		r = bpf_write_config(g, cfg);
		if (r < 0)
			return r;
	}
	/* Freezing twice fails with EBUSY: the map is frozen either way. */
	if (bpf_map_freeze(g->config_fd) < 0 && errno != EBUSY)
		return -errno;
	return 0;
}

/* ---- the BPF loader ---- */

static int ensure_bpffs(void)
{
	struct statfs sfs;

	if (statfs("/sys/fs/bpf", &sfs) == 0 && (unsigned long)sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700") < 0)
		return log_error_errno(errno, "/sys/fs/bpf is not a bpf filesystem and mounting one failed: %m "
			      "(mount it: mount -t bpf bpf /sys/fs/bpf)");
	return 0;
}

static bool pinned(const char *name)
{
	_cleanup_free_ char *path = bpf_pin_path(name);

	return path && access(path, F_OK) == 0;
}

static bool config_locked_pinned(void)
{
	_cleanup_(gate_closep) struct gate *g = NULL;
	struct gate_status st;

	if (gate_open_backend(CG_BACKEND_BPF, &g) < 0)
		return false;
	return gate_get_status(g, &st) == 0 && st.locked;
}

static int unpin_all(void)
{
	/* Links first: unpinning them detaches the programs. */
	for (size_t i = 0; i < ARRAY_SIZE(bpf_link_names); i++) {
		_cleanup_free_ char *p = bpf_pin_path(bpf_link_names[i]);

		if (!p)
			return -ENOMEM;
		if (unlink(p) < 0 && errno != ENOENT)
			return log_error_errno(errno, "cannot remove %s: %m", p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bpf_map_names); i++) {
		_cleanup_free_ char *p = bpf_pin_path(bpf_map_names[i]);

		if (!p)
			return -ENOMEM;
		if (unlink(p) < 0 && errno != ENOENT)
			return log_error_errno(errno, "cannot remove %s: %m", p);
	}
	return 0;
}

static int init_fresh_maps(struct credgate_bpf *skel, bool gate_fresh, bool config_fresh)
{
	__u32 zero = 0;

	if (gate_fresh) {
		struct credgate_gate gs = { .state = CREDGATE_CLOSED };

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.gate), &zero, &gs, BPF_ANY) < 0)
			return log_error_errno(errno, "cannot initialise the gate map: %m");
	}
	if (config_fresh) {
		_cleanup_free_ struct credgate_config *cfg = calloc(1, sizeof(*cfg));

		if (!cfg)
			return -ENOMEM;
		cfg->mode = CREDGATE_MODE_ENFORCE;
		gate_default_allow(cfg->allow);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.config), &zero, cfg, BPF_ANY) < 0)
			return log_error_errno(errno, "cannot initialise the config map: %m");
	}
	return 0;
}

static void credgate_bpf_destroyp(struct credgate_bpf **skel)
{
	credgate_bpf__destroy(*skel);
}

static int load_and_pin(void)
{
	_cleanup_(credgate_bpf_destroyp) struct credgate_bpf *skel = NULL;
	struct bpf_map *maps[ARRAY_SIZE(bpf_map_names)];
	bool fresh[ARRAY_SIZE(bpf_map_names)];
	struct bpf_program *progs[ARRAY_SIZE(bpf_link_names)];
	int r;

	skel = credgate_bpf__open();
	if (!skel)
		return log_error_errno(errno, "cannot open the BPF object: %m");
	maps[0] = skel->maps.gate;
	maps[1] = skel->maps.config;
	maps[2] = skel->maps.stats;
	maps[3] = skel->maps.events;
	progs[0] = skel->progs.credgate_bind;
	progs[1] = skel->progs.credgate_listen;
	progs[2] = skel->progs.credgate_sctp;

	/* Re-use pinned maps so their contents (state, counters) survive. */
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		_cleanup_close_ int fd = bpf_obj_get_pinned(bpf_map_names[i]);

		fresh[i] = fd == -ENOENT;
		if (fresh[i])
			continue;
		if (fd < 0)
			return log_error_errno(fd, "cannot open %s/%s: %m", GATE_BPF_PIN_DIR,
				      bpf_map_names[i]);
		r = bpf_map__reuse_fd(maps[i], fd);
		if (r < 0)
			return log_error_errno(r, "cannot re-use %s/%s: %m", GATE_BPF_PIN_DIR,
				      bpf_map_names[i]);
	}

	r = credgate_bpf__load(skel);
	if (r < 0)
		return log_error_errno(r, "the kernel refused the BPF programs: %m "
			      "(a pinned map from another credgate version? try 'credgate gate load --force')");

	/* Defaults before the maps become visible (fail closed meanwhile). */
	r = init_fresh_maps(skel, fresh[0], fresh[1]);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		_cleanup_free_ char *p = bpf_pin_path(bpf_map_names[i]);

		if (!fresh[i])
			continue;
		if (!p)
			return -ENOMEM;
		r = bpf_map__pin(maps[i], p);
		if (r < 0)
			return log_error_errno(r, "cannot pin %s: %m", p);
	}

	/* Attach only what is not attached yet: a pinned link stays as is. */
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		_cleanup_free_ char *p = bpf_pin_path(bpf_link_names[i]);
		struct bpf_link *link;

		if (!p)
			return -ENOMEM;
		if (access(p, F_OK) == 0)
			continue;
		link = bpf_program__attach(progs[i]);
		if (!link)
			return log_error_errno(errno, "cannot attach %s: %m (is 'bpf' in the active LSM list, lsm=...,bpf?)",
				      bpf_program__name(progs[i]));
		r = bpf_link__pin(link, p);
		/* The pin (if any) keeps the link; our fd goes. */
		bpf_link__destroy(link);
		if (r < 0)
			return log_error_errno(r, "cannot pin %s: %m", p);
	}
	return 0;
}

int gate_bpf_load(bool force)
{
	bool all = true;
	int r;

	r = ensure_bpffs();
	if (r < 0)
		return r;
	if (mkdir(GATE_BPF_PIN_DIR, 0700) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create %s: %m", GATE_BPF_PIN_DIR);
	if (chmod(GATE_BPF_PIN_DIR, 0700) < 0)
		return log_error_errno(errno, "cannot chmod %s: %m", GATE_BPF_PIN_DIR);

	if (force) {
		if (config_locked_pinned())
			return -EROFS;
		r = unpin_all();
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(bpf_map_names); i++)
		all = all && pinned(bpf_map_names[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bpf_link_names); i++)
		all = all && pinned(bpf_link_names[i]);
	if (all)
		return 1;
	r = load_and_pin();
	return r < 0 ? r : 0;
}

/* ---- events ---- */

struct gate_events {
	struct ring_buffer *rb;		/* bpf */
	int kmsg_fd;			/* lsm: /dev/kmsg */
	gate_event_fn fn;
	void *userdata;
	int handled;
	bool stopped;
};

static int deliver(struct gate_events *ev, const struct credgate_event *e)
{
	ev->handled++;
	if (ev->fn(e, ev->userdata)) {
		ev->stopped = true;
		return -ECANCELED;
	}
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct credgate_event e = {};

	/* A shorter record (older object) is zero-extended, a longer cut. */
	memcpy(&e, data, size < sizeof(e) ? size : sizeof(e));
	return deliver(ctx, &e);
}

int gate_parse_log_line(const char *line, struct credgate_event *e)
{
	const char *p = strstr(line, "credgate: "), *comm, *rest, *q;
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned int pid, uid, port;
	size_t len;
	int n = 0;

	if (!p)
		return -EINVAL;
	p += strlen("credgate: ");
	memset(e, 0, sizeof(*e));
	if (!strncmp(p, "refused ", 8))
		e->action = CREDGATE_REFUSE;
	else if (!strncmp(p, "audited ", 8))
		e->action = CREDGATE_AUDIT;
	else
		return -EINVAL;
	p += 8;
	if (!strncmp(p, "bind comm=", 10))
		e->hook = CREDGATE_HOOK_BIND;
	else if (!strncmp(p, "listen comm=", 12))
		e->hook = CREDGATE_HOOK_LISTEN;
	else
		return -EINVAL;
	comm = strchr(p, '=') + 1;
	/* comm may hold spaces: it ends at the last " pid=". */
	rest = NULL;
	for (q = strstr(comm, " pid="); q; q = strstr(q + 1, " pid="))
		rest = q;
	if (!rest)
		return -EINVAL;
	len = (size_t)(rest - comm);
	memcpy(e->comm, comm, len < CREDGATE_COMM_LEN ? len : CREDGATE_COMM_LEN);
	/* Families refused by family carry no address: "family=N". */
	if (sscanf(rest, " pid=%u uid=%u family=%u%n", &pid, &uid, &port, &n) == 3) {
		if (port > 65535 || (rest[n] && !isspace((unsigned char)rest[n])))
			return -EINVAL;
		e->pid = pid;
		e->uid = uid;
		e->family = (__u16)port;
		return 0;
	}
	n = 0;
	if (sscanf(rest, " pid=%u uid=%u addr=%46s port=%u%n", &pid, &uid, addr, &port, &n) != 4 ||
	    port > 65535 || (rest[n] && !isspace((unsigned char)rest[n])))
		return -EINVAL;
	e->pid = pid;
	e->uid = uid;
	e->port = (__u16)port;
	if (inet_pton(AF_INET, addr, e->addr) == 1)
		e->family = CREDGATE_AF_INET;
	else if (inet_pton(AF_INET6, addr, e->addr) == 1)
		e->family = CREDGATE_AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* One /dev/kmsg record: "PRI,SEQ,USEC,FLAGS;MESSAGE\n[ dict lines]". */
static int kmsg_drain(struct gate_events *ev)
{
	char buf[8192];

	while (!ev->stopped) {
		struct credgate_event e;
		unsigned long long usec;
		ssize_t n = read(ev->kmsg_fd, buf, sizeof(buf) - 1);
		char *msg;

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg || sscanf(buf, "%*u,%*u,%llu", &usec) != 1)
			continue;
		msg[strcspn(msg, "\n")] = '\0';
		if (gate_parse_log_line(msg + 1, &e) < 0)
			continue;
		e.ts_ns = usec * 1000;
		deliver(ev, &e);
	}
	return 0;
}

int gate_events_open(struct gate *g, gate_event_fn fn, void *userdata,
		     struct gate_events **out)
{
	struct gate_events *ev;
	int r;

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->fn = fn;
	ev->userdata = userdata;
	ev->kmsg_fd = -1;
	if (g->backend == CG_BACKEND_BPF) {
		ev->rb = ring_buffer__new(g->events_fd, on_sample, ev, NULL);
		if (!ev->rb) {
			r = -errno;
			free(ev);
			return r;
		}
	} else {
		/* From the oldest record the kernel still holds. */
		ev->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (ev->kmsg_fd < 0) {
			r = -errno;
			free(ev);
			return r;
		}
	}
	*out = ev;
	return 0;
}

int gate_events_poll(struct gate_events *ev, int timeout_ms)
{
	int r;

	ev->handled = 0;
	ev->stopped = false;
	if (ev->rb) {
		r = ring_buffer__poll(ev->rb, timeout_ms);
	} else {
		struct pollfd pfd = { .fd = ev->kmsg_fd, .events = POLLIN };

		r = poll(&pfd, 1, timeout_ms);
		r = r < 0 ? -errno : kmsg_drain(ev);
	}
	if (r == -ECANCELED || r == -EINTR)
		return ev->handled;
	return r < 0 ? r : ev->handled;
}

int gate_events_fd(struct gate_events *ev)
{
	return ev->rb ? ring_buffer__epoll_fd(ev->rb) : ev->kmsg_fd;
}

void gate_events_free(struct gate_events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	closep(&ev->kmsg_fd);
	free(ev);
}

void gate_format_addr(uint16_t family, const uint8_t addr[16], char *buf, size_t len)
{
	int af = family == CREDGATE_AF_INET6 ? AF_INET6 : AF_INET;

	if (family != CREDGATE_AF_INET && family != CREDGATE_AF_INET6) {
		/* Refused by family, or an address the gate could not read. */
		snprintf(buf, len, "family %u", family);
		return;
	}
	if (!inet_ntop(af, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}
