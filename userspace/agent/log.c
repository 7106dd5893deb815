// SPDX-License-Identifier: MIT
/* The agent's log: stderr (init scripts and journald collect it) and,
 * with --syslog, syslog(3) as well.  Library messages (base/log.h) reach
 * the same two places through agent_log_sink(). */
#include "agent.h"
#include "base/util.h"

#include <stdarg.h>
#include <syslog.h>

void agent_log(const struct agent *a, int prio, const char *fmt, ...)
{
	static const char *const level[] = {
		[LOG_ERR] = "error: ", [LOG_WARNING] = "warning: ",
	};
	const char *tag = prio < (int)ARRAY_SIZE(level) && level[prio] ? level[prio] : "";
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "credgated: %s%s\n", tag, line);
	if (a && a->syslog)
		syslog(prio, "%s", line);
}

void agent_log_sink(int prio, const char *msg, void *userdata)
{
	const struct agent *a = userdata;

	cg_log_stderr(prio, msg);
	if (a && a->syslog)
		syslog(prio, "%s", msg);
}
