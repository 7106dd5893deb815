/* SPDX-License-Identifier: MIT */
/* credgated: the state the agent's parts share. */
#ifndef CREDGATE_AGENT_H
#define CREDGATE_AGENT_H

#include <stdbool.h>
#include <time.h>

#include "config.h"
#include "loop.h"
#include "metadata.h"
#include "varlink.h"

#define CREDGATE_VERSION "0.1.0"

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
	const char *mode;	/* cg_gate_mode_name() */
	bool compliant;		/* last audit found no violation */
	struct cg_violation *violations;
	size_t n_violations;
	time_t last_audit;	/* 0: no audit has run yet */
};

struct agent {
	const char *config_path;
	const char *state_dir;
	const char *os_release_path;	/* NULL: the system's */
	const char *socket_path;	/* NULL: from the config */
	enum cg_backend backend;
	bool backend_set;		/* --backend given */
	bool foreground;

	struct cg_config config;
	struct cg_metadata metadata;
	struct cg_agent_status status;
	struct cg_loop *loop;
	struct vl_server *server;
	int signal_fd;
};

/* Replace the violations list (copies the strings). */
int agent_status_set_violations(struct cg_agent_status *st,
				const struct cg_violation *v, size_t n);
void agent_status_clear(struct cg_agent_status *st);

/* device.c: the io.credgate.Device interface. */
extern const struct vl_interface device_interface;

#endif
