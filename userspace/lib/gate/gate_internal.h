/* SPDX-License-Identifier: MIT */
/*
 * Inside the gate library (not installed, not for callers of gate.h).
 *
 * gate.c detects the backend and dispatches every call of gate.h through
 * the backend's struct gate_ops; each backend is a file of its own:
 *
 *   gate_lsm.c       lsm: securityfs files (events: the kernel log, gate_events.c)
 *   gate_bpf.c       bpf: the pinned maps and the ring buffer
 *   gate_bpf_load.c  bpf: the loader (the only user of credgate.skel.h)
 *   gate_bpf_none.c  bpf in a build without it (make BPF=0): the Makefile
 *                    builds it instead of the two above
 *
 * Every member of struct gate_ops is set: an operation a backend does not
 * have returns -EOPNOTSUPP from a function of its own, never a NULL test.
 */
#ifndef CREDGATE_GATE_INTERNAL_H
#define CREDGATE_GATE_INTERNAL_H

#include "gate/gate.h"

struct gate_ops {
	enum cg_backend backend;
	/* Set up @g (zeroed but for ->ops); gate_close() calls ->close after
	 * a failed open too. */
	int (*open)(struct gate *g);
	void (*close)(struct gate *g);
	/* state, mode and locked of @st (the rest is filled by gate.c). */
	int (*get_status)(struct gate *g, struct gate_status *st);
	int (*read_counters)(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS]);
	int (*set_state)(struct gate *g, uint32_t state);
	/* Arguments checked by gate.c; -EROFS when locked. */
	int (*set_mode)(struct gate *g, uint32_t mode);
	int (*get_allow)(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS]);
	int (*set_allow)(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS]);
	int (*lock)(struct gate *g);
	/* Load and pin (gate_bpf_load()); needs no open gate. */
	int (*load)(bool force);
	/* Refusal events: ->events_open sets ev->fd (what to wait on). */
	int (*events_open)(struct gate *g, struct gate_events *ev);
	int (*events_poll)(struct gate_events *ev, int timeout_ms);
	void (*events_free)(struct gate_events *ev);
};

extern const struct gate_ops gate_lsm_ops, gate_bpf_ops;

struct gate {
	const struct gate_ops *ops;
	union {
		struct {
			char *dir;		/* securityfs directory */
			int wfd[4];		/* lsm_files[], opened for writing, or -1 */
		} lsm;
		struct {
			int gate_fd, config_fd, stats_fd, events_fd;	/* pinned maps */
		} bpf;
	};
};

struct gate_events {
	const struct gate_ops *ops;
	gate_event_fn fn;
	void *userdata;
	int handled;		/* by the current gate_events_poll() */
	bool stopped;		/* the callback asked to stop */
	int fd;			/* gate_events_fd() */
	void *ring;		/* bpf: struct ring_buffer */
};

/* $CREDGATE_SYSFS_ROOT + @path (tests point it at a fake tree); malloc'd. */
char *gate_sys_path(const char *path);

/* Hand @e to the callback; -ECANCELED when it asks to stop. */
int gate_events_deliver(struct gate_events *ev, const struct credgate_event *e);

/* The lsm backend's events: credgate lines of /dev/kmsg (gate_events.c). */
int gate_kmsg_open(struct gate *g, struct gate_events *ev);
int gate_kmsg_poll(struct gate_events *ev, int timeout_ms);
void gate_kmsg_free(struct gate_events *ev);

/* Shared by gate_bpf.c and gate_bpf_load.c. */
extern const char *const gate_bpf_map_names[4];	/* gate, config, stats, events */
char *gate_bpf_pin_path(const char *name);	/* GATE_BPF_PIN_DIR/@name, malloc'd */
int gate_bpf_obj_get_pinned(const char *name);	/* fd or -errno */
int gate_bpf_map_get_pinned(size_t i);		/* map @i, its shape checked */
void gate_bpf_log_setup(void);			/* libbpf's messages to the log sink */
int gate_bpf_loader(bool force);		/* gate_bpf_load() */

#endif
