// SPDX-License-Identifier: MIT
/*
 * Refusal events into log lines people can act on: one line per refused
 * service (program + port) per interval, naming the program, pid, address
 * and port, the accounts that hold the gate closed with their verdicts, and
 * the command that fixes it.  A service that retries in a loop (init
 * respawning telnetd) would otherwise flood the log; the kernel counters
 * stay the complete record.
 */
#include "agent.h"
#include "gate/gate.h"
#include "base/util.h"

#include <syslog.h>

#define REFUSAL_SLOTS 32

struct refusal_slot {
	char comm[CREDGATE_COMM_LEN + 1];
	uint16_t port;
	time_t last;		/* 0: free */
	unsigned suppressed;
};

struct refusal_log {
	unsigned interval;
	struct refusal_slot slot[REFUSAL_SLOTS];
};

int refusal_log_new(struct refusal_log **out, unsigned interval_s)
{
	struct refusal_log *rl = calloc(1, sizeof(*rl));

	if (!rl)
		return -ENOMEM;
	rl->interval = interval_s;
	*out = rl;
	return 0;
}

void refusal_log_free(struct refusal_log *rl)
{
	free(rl);
}

/* The slot of (comm, port), or the least recently used one.  Returns
 * true when a line may be logged now. */
static bool refusal_admit(struct refusal_log *rl, const char *comm, uint16_t port,
			  time_t now, unsigned *suppressed)
{
	struct refusal_slot *s = NULL, *oldest = &rl->slot[0];

	for (size_t i = 0; i < REFUSAL_SLOTS; i++) {
		struct refusal_slot *c = &rl->slot[i];

		if (c->last && c->port == port && !strcmp(c->comm, comm)) {
			s = c;
			break;
		}
		if (c->last < oldest->last)
			oldest = c;
	}
	if (s && now - s->last < (time_t)rl->interval) {
		s->suppressed++;
		return false;
	}
	if (!s) {
		s = oldest;
		snprintf(s->comm, sizeof(s->comm), "%s", comm);
		s->port = port;
		s->suppressed = 0;
	}
	*suppressed = s->suppressed;
	s->suppressed = 0;
	s->last = now;
	return true;
}

static void describe_holders(const struct agent *a, char *buf, size_t len)
{
	const struct cg_agent_status *st = &a->status;
	size_t w = 0;

	buf[0] = '\0';
	if (!st->n_violations) {
		snprintf(buf, len, st->last_audit ? "the audit could not check every store (see the messages above)" :
			 "no audit has finished yet");
		return;
	}
	for (size_t i = 0; i < st->n_violations && w < len; i++)
		w += (size_t)snprintf(buf + w, len - w, "%s%s (%s in %s)", i ? ", " : "",
				      st->violations[i].user, st->violations[i].verdict,
				      st->violations[i].store);
}

void agent_log_refusal(struct agent *a, const struct credgate_event *e)
{
	char comm[CREDGATE_COMM_LEN + 1], addr[64], where[96], holders[512];
	unsigned suppressed = 0;
	bool refused = e->action == CREDGATE_REFUSE;

	memcpy(comm, e->comm, CREDGATE_COMM_LEN);
	comm[CREDGATE_COMM_LEN] = '\0';
	for (char *p = comm; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	agent_restart_note(a, e, comm);	/* every refusal, logged or not */
	if (!refusal_admit(a->refusals, comm, e->port, time(NULL), &suppressed))
		return;
	gate_format_addr(e->family, e->addr, addr, sizeof(addr));
	describe_holders(a, holders, sizeof(holders));
	if (e->family != CREDGATE_AF_INET && e->family != CREDGATE_AF_INET6)
		/* Refused by family (no address), or an unreadable address. */
		snprintf(where, sizeof(where), "in address %s", addr);
	else
		snprintf(where, sizeof(where), "on %s%s%s port %u",
			 e->family == CREDGATE_AF_INET6 ? "[" : "", addr,
			 e->family == CREDGATE_AF_INET6 ? "]" : "", e->port);
	agent_log(a, LOG_WARNING,
		  "%s %s of %s (pid %u, uid %u) %s: the gate is closed because %s; fix: 'credgate migrate --policy random' (or set unique passwords with passwd), then restart %s%s",
		  refused ? "refused" : "would refuse (permissive mode, allowed)",
		  credgate_hook_name(e->hook), comm, e->pid, e->uid, where, holders, comm,
		  suppressed ? " (same refusal repeated since the last line)" : "");
}
