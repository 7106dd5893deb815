// SPDX-License-Identifier: MIT
/*
 * Refusal events (gate.h): the API over the backend's event source, the
 * lsm backend's source (its kernel log lines, read from /dev/kmsg) and the
 * parser of those lines, which reads the words the kernel writes with the
 * names of <credgate/policy.h>.
 */
#include "gate/gate_internal.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>

/* The kernel's pr_fmt (kernel/credgate.c). */
#define KMSG_PREFIX "credgate: "

int gate_events_deliver(struct gate_events *ev, const struct credgate_event *e)
{
	ev->handled++;
	if (ev->fn(e, ev->userdata)) {
		ev->stopped = true;
		return -ECANCELED;
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
	ev->ops = g->ops;
	ev->fn = fn;
	ev->userdata = userdata;
	ev->fd = -1;
	r = g->ops->events_open(g, ev);
	if (r < 0) {
		free(ev);
		return r;
	}
	*out = ev;
	return 0;
}

int gate_events_poll(struct gate_events *ev, int timeout_ms)
{
	int r;

	ev->handled = 0;
	ev->stopped = false;
	r = ev->ops->events_poll(ev, timeout_ms);
	if (r == -ECANCELED || r == -EINTR)
		return ev->handled;
	return r < 0 ? r : ev->handled;
}

int gate_events_fd(struct gate_events *ev)
{
	return ev->fd;
}

void gate_events_free(struct gate_events *ev)
{
	if (!ev)
		return;
	ev->ops->events_free(ev);
	free(ev);
}

/* @s after @prefix, or NULL when @s does not start with it. */
static const char *skip_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) ? NULL : s + n;
}

/* @s after the word @word and one space, or NULL. */
static const char *skip_word(const char *s, const char *word)
{
	s = skip_prefix(s, word);
	return s && *s == ' ' ? s + 1 : NULL;
}

/* @s after the name (by @name) of one of the @n @values and a space, or NULL. */
static const char *skip_name(const char *s, const char *(*name)(__u32),
			     const __u32 *values, size_t n, __u32 *value)
{
	for (size_t i = 0; i < n; i++) {
		const char *q = skip_word(s, name(values[i]));

		if (q) {
			*value = values[i];
			return q;
		}
	}
	return NULL;
}

int gate_parse_log_line(const char *line, struct credgate_event *e)
{
	static const __u32 actions[] = { CREDGATE_REFUSE, CREDGATE_AUDIT };
	static const __u32 hooks[] = { CREDGATE_HOOK_BIND, CREDGATE_HOOK_LISTEN };
	const char *p = strstr(line, KMSG_PREFIX), *comm, *rest, *q;
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned int pid, uid, port;
	size_t len;
	int n = 0;

	if (!p)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	/* "ACTION HOOK comm=...", in the words of kernel/credgate.c. */
	p = skip_name(p + strlen(KMSG_PREFIX), credgate_action_name, actions,
		      ARRAY_SIZE(actions), &e->action);
	if (p)
		p = skip_name(p, credgate_hook_name, hooks, ARRAY_SIZE(hooks), &e->hook);
	comm = p ? skip_prefix(p, "comm=") : NULL;
	if (!comm)
		return -EINVAL;
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

/* ---- the lsm backend's events: /dev/kmsg ---- */

int gate_kmsg_open(struct gate *g, struct gate_events *ev)
{
	(void)g;
	/* From the oldest record the kernel still holds. */
	ev->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return ev->fd < 0 ? -errno : 0;
}

/* One /dev/kmsg record: "PRI,SEQ,USEC,FLAGS;MESSAGE\n[ dict lines]". */
static int kmsg_drain(struct gate_events *ev)
{
	char buf[8192];

	while (!ev->stopped) {
		struct credgate_event e;
		unsigned long long usec;
		ssize_t n = read(ev->fd, buf, sizeof(buf) - 1);
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
		gate_events_deliver(ev, &e);
	}
	return 0;
}

int gate_kmsg_poll(struct gate_events *ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = ev->fd, .events = POLLIN };

	if (poll(&pfd, 1, timeout_ms) < 0)
		return -errno;
	return kmsg_drain(ev);
}

void gate_kmsg_free(struct gate_events *ev)
{
	closep(&ev->fd);
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
