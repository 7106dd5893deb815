// SPDX-License-Identifier: MIT
#include "loop.h"
#include "base/util.h"

#include <sys/epoll.h>

struct cg_loop_source {
	int fd;
	cg_loop_fn fn;
	void *userdata;
	bool removed;	/* freed after the current batch of events */
	struct cg_loop_source *next;
};

struct cg_loop {
	int epfd;
	struct cg_loop_source *sources;
	bool quit;
	int value;
};

int cg_loop_new(struct cg_loop **out)
{
	struct cg_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return -errno;
	}
	*out = l;
	return 0;
}

void cg_loop_free(struct cg_loop *l)
{
	if (!l)
		return;
	while (l->sources) {
		struct cg_loop_source *s = l->sources;

		l->sources = s->next;
		free(s);
	}
	close(l->epfd);
	free(l);
}

int cg_loop_add(struct cg_loop *l, int fd, uint32_t events, cg_loop_fn fn, void *userdata)
{
	struct cg_loop_source *s = calloc(1, sizeof(*s));
	struct epoll_event e = { .events = events };

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->fn = fn;
	s->userdata = userdata;
	e.data.ptr = s;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
		free(s);
		return -errno;
	}
	s->next = l->sources;
	l->sources = s;
	return 0;
}

int cg_loop_remove(struct cg_loop *l, int fd)
{
	for (struct cg_loop_source *s = l->sources; s; s = s->next) {
		if (s->fd != fd || s->removed)
			continue;
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		s->removed = true;
		return 0;
	}
	return -ENOENT;
}

static void sweep_removed(struct cg_loop *l)
{
	for (struct cg_loop_source **p = &l->sources; *p;) {
		struct cg_loop_source *s = *p;

		if (s->removed) {
			*p = s->next;
			free(s);
		} else {
			p = &s->next;
		}
	}
}

void cg_loop_quit(struct cg_loop *l, int value)
{
	l->quit = true;
	l->value = value;
}

int cg_loop_run(struct cg_loop *l)
{
	while (!l->quit) {
		struct epoll_event ev[16];
		int n = epoll_wait(l->epfd, ev, (int)ARRAY_SIZE(ev), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->quit; i++) {
			struct cg_loop_source *s = ev[i].data.ptr;
			int r;

			if (s->removed)
				continue;
			r = s->fn(l, s->fd, ev[i].events, s->userdata);
			if (r < 0)
				return r;
		}
		sweep_removed(l);
	}
	return l->value;
}
