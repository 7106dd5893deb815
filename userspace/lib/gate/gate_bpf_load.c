// SPDX-License-Identifier: MIT
/*
 * The BPF loader (gate_bpf_load()): load bpf/credgate.bpf.c from its
 * skeleton, initialise fresh maps, attach the programs and pin maps and
 * links under GATE_BPF_PIN_DIR so that enforcement outlives the loader.
 * The only file that includes the generated credgate.skel.h.
 */
#include "gate/gate_internal.h"
#include "base/util.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "credgate.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* The pinned links, in the order the programs are attached. */
static const char *const bpf_link_names[] = {
	"link_socket_bind", "link_socket_listen", "link_sctp_bind_connect"
};

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
	_cleanup_free_ char *path = gate_bpf_pin_path(name);

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

static int unpin(const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = gate_bpf_pin_path(names[i]);

		if (!p)
			return -ENOMEM;
		if (unlink(p) < 0 && errno != ENOENT)
			return log_error_errno(errno, "cannot remove %s: %m", p);
	}
	return 0;
}

static int unpin_all(void)
{
	/* Links first: unpinning them detaches the programs. */
	int r = unpin(bpf_link_names, ARRAY_SIZE(bpf_link_names));

	return r < 0 ? r : unpin(gate_bpf_map_names, ARRAY_SIZE(gate_bpf_map_names));
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
	struct bpf_map *maps[ARRAY_SIZE(gate_bpf_map_names)];
	bool fresh[ARRAY_SIZE(gate_bpf_map_names)];
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
		_cleanup_close_ int fd = gate_bpf_map_get_pinned(i);

		fresh[i] = fd == -ENOENT;
		if (fresh[i])
			continue;
		if (fd == -EPROTO)
			return fd;	/* logged, with the way out */
		if (fd < 0)
			return log_error_errno(fd, "cannot open %s/%s: %m", GATE_BPF_PIN_DIR,
				      gate_bpf_map_names[i]);
		r = bpf_map__reuse_fd(maps[i], fd);
		if (r < 0)
			return log_error_errno(r, "cannot re-use %s/%s: %m", GATE_BPF_PIN_DIR,
				      gate_bpf_map_names[i]);
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
		_cleanup_free_ char *p = gate_bpf_pin_path(gate_bpf_map_names[i]);

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
		_cleanup_free_ char *p = gate_bpf_pin_path(bpf_link_names[i]);
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

int gate_bpf_loader(bool force)
{
	bool all = true;
	int r;

	gate_bpf_log_setup();
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
	for (size_t i = 0; i < ARRAY_SIZE(gate_bpf_map_names); i++)
		all = all && pinned(gate_bpf_map_names[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bpf_link_names); i++)
		all = all && pinned(bpf_link_names[i]);
	if (all) {
		/* Loaded, but by this credgate?  Its maps must have our shape. */
		for (size_t i = 0; i < ARRAY_SIZE(gate_bpf_map_names); i++) {
			_cleanup_close_ int fd = gate_bpf_map_get_pinned(i);

			if (fd == -EPROTO)
				return fd;
			if (fd < 0)
				return log_error_errno(fd, "cannot open %s/%s: %m", GATE_BPF_PIN_DIR,
						       gate_bpf_map_names[i]);
		}
		return 1;
	}
	r = load_and_pin();
	return r < 0 ? r : 0;
}
