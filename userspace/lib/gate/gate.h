/* SPDX-License-Identifier: MIT */
/*
 * The kernel gate from userland: one API over both enforcement backends.
 *
 *   lsm  the built-in credgate LSM, driven through securityfs files under
 *        /sys/kernel/security/credgate/;
 *   bpf  the BPF LSM programs of bpf/credgate.bpf.c, driven through maps
 *        pinned under /sys/fs/bpf/credgate/ (gate_bpf_load() puts them there).
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure.  Errors worth a special message:
 *   -ENOSYS  no backend: the kernel offers neither the credgate LSM nor BPF LSM
 *   -ENOENT  bpf backend selected but nothing pinned (run 'credgate gate load')
 *   -EPERM   not privileged enough (CAP_MAC_ADMIN for lsm, root for bpf)
 *   -EROFS   mode/allow list are locked until reboot
 *   -EOPNOTSUPP  bpf backend selected in a program built without it
 *            (make BPF=0); the first gate_open_backend()/gate_bpf_load()
 *            logs so, naming the lsm backend as the way out
 *
 * Paths can be redirected for tests with the environment variable
 * CREDGATE_SYSFS_ROOT (default "", i.e. "/"): the LSM list is then read from
 * $CREDGATE_SYSFS_ROOT/sys/kernel/security/lsm, and so on.
 */
#ifndef CREDGATE_GATE_H
#define CREDGATE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <credgate/policy.h>

#include "base/names.h"

#define GATE_BPF_PIN_DIR	"/sys/fs/bpf/credgate"
#define GATE_LSM_DIR		"/sys/kernel/security/credgate"
#define GATE_LSM_LIST		"/sys/kernel/security/lsm"

struct gate;

struct gate_status {
	enum cg_backend backend;
	uint32_t state;			/* enum credgate_state */
	uint32_t mode;			/* enum credgate_mode */
	bool locked;
	uint64_t counters[CREDGATE_NR_COUNTERS];	/* credgate_counter_index() */
};

/* A backend a gate can be opened with: "auto", "lsm", "bpf"; -EINVAL otherwise. */
int gate_backend_from_name(const char *name);

/*
 * Which backend the running kernel offers (never AUTO): "credgate" in the
 * active LSM list -> LSM, else "bpf" -> BPF.  -ENOSYS when neither.
 */
int gate_detect_backend(enum cg_backend *out);

/*
 * Open the gate's control interface.  @want AUTO detects.  For bpf, the
 * pinned maps must exist (-ENOENT otherwise: run gate_bpf_load()).
 */
int gate_open_backend(enum cg_backend want, struct gate **out);
void gate_close(struct gate *g);
static inline void gate_closep(struct gate **g)
{
	gate_close(*g);
}
enum cg_backend gate_backend(const struct gate *g);

int gate_get_status(struct gate *g, struct gate_status *st);
int gate_read_counters(struct gate *g, uint64_t counters[CREDGATE_NR_COUNTERS]);
int gate_set_state(struct gate *g, uint32_t state);
int gate_set_mode(struct gate *g, uint32_t mode);	/* -EROFS when locked */

/*
 * The allow list as per-protocol port bitmaps (struct credgate_config.allow,
 * credgate_allow_test()/credgate_allow_set() of policy.h).
 */
int gate_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS]);
int gate_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS]);
/* Fill @allow with the defaults of policy.h (udp:68 udp:546, DHCP clients). */
void gate_default_allow(uint32_t allow[CREDGATE_ALLOW_WORDS]);
/*
 * Fill @allow with the @n entries CG_ALLOW_ENTRY(proto, port) of
 * config/config.h (struct cg_config gate.allow_ports).
 */
void gate_allow_from_entries(uint32_t allow[CREDGATE_ALLOW_WORDS],
			     const uint32_t *entries, size_t n);
/*
 * One allow-list entry "PROTO:PORT" (udp, tcp, sctp; port 1-65535).
 * Returns 0, -ENOPROTOOPT for a bare port (the syntax before protocols:
 * say "write udp:PORT or tcp:PORT"), -EINVAL for anything else.
 */
int gate_parse_allow_entry(const char *tok, int *proto, uint16_t *port);
/*
 * The allow list as text: "udp:68 udp:546", entries separated by one
 * space, by protocol then port.  Returns a malloc'd string or NULL.
 */
char *gate_format_allow(const uint32_t allow[CREDGATE_ALLOW_WORDS]);

/* Freeze mode and allow list until reboot (idempotent). */
int gate_lock(struct gate *g);

/*
 * bpf: load the programs, initialise a fresh gate (closed, enforce, default
 * allow list), attach and pin maps and links under GATE_BPF_PIN_DIR.  What
 * is already pinned is re-used: maps keep their contents and a pinned link
 * is never attached a second time.  Returns 1 when everything was already
 * pinned (nothing done), 0 when something was loaded.  @force: remove the
 * pins first and load afresh (refused with -EROFS when the config is locked).
 * libbpf's messages go to the log sink (debug ones with LIBBPF_LOG_LEVEL=debug).
 */
int gate_bpf_load(bool force);

/*
 * Refusal events.  bpf: the ring buffer map (consuming: one reader at a
 * time sees each event).  lsm: the kernel log lines "credgate: refused ..."
 * read from /dev/kmsg, starting with the oldest record the kernel holds
 * (rate limited by the kernel: the counters are the complete record).
 * The callback returns 0 to go on, anything else to stop polling.
 */
typedef int (*gate_event_fn)(const struct credgate_event *e, void *userdata);
struct gate_events;
int gate_events_open(struct gate *g, gate_event_fn fn, void *userdata,
		     struct gate_events **out);
/* Wait up to @timeout_ms (-1: forever, 0: no wait); returns events handled. */
int gate_events_poll(struct gate_events *ev, int timeout_ms);
/* For epoll/poll loops (the agent). */
int gate_events_fd(struct gate_events *ev);
void gate_events_free(struct gate_events *ev);

/*
 * Parse a kernel log line of the lsm backend ("... credgate: refused listen
 * comm=telnetd pid=123 uid=0 addr=0.0.0.0 port=23") into @e (ts_ns 0).
 * -EINVAL when the line is not one.
 */
int gate_parse_log_line(const char *line, struct credgate_event *e);

/* "192.0.2.1" / "2001:db8::1" for an event or decision address. */
void gate_format_addr(uint16_t family, const uint8_t addr[16], char *buf,
		      size_t len);

#endif
