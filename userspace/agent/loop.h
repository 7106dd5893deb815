/* SPDX-License-Identifier: MIT */
/*
 * The agent's event loop: one epoll set, one callback per fd.  Every part
 * of the agent (Varlink server, signals, later inotify on the stores and
 * the gate's event ring buffer) adds its fd with cg_loop_add().
 */
#ifndef CREDGATE_AGENT_LOOP_H
#define CREDGATE_AGENT_LOOP_H

#include <stdint.h>

struct cg_loop;

/* Called with the epoll events of @fd.  A negative return ends the loop
 * with that error. */
typedef int (*cg_loop_fn)(struct cg_loop *loop, int fd, uint32_t events, void *userdata);

int cg_loop_new(struct cg_loop **out);
void cg_loop_free(struct cg_loop *loop);
int cg_loop_add(struct cg_loop *loop, int fd, uint32_t events, cg_loop_fn fn, void *userdata);
int cg_loop_remove(struct cg_loop *loop, int fd);
/* Run until cg_loop_quit() or a callback fails; returns the exit value. */
int cg_loop_run(struct cg_loop *loop);
void cg_loop_quit(struct cg_loop *loop, int value);

#endif
