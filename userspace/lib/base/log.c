// SPDX-License-Identifier: MIT
/* The library's log sink (base/log.h). */
#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static cg_log_sink_fn *sink;
static void *sink_userdata;
static const char *progname = "credgate";

void cg_log_set_sink(cg_log_sink_fn *fn, void *userdata)
{
	sink = fn;
	sink_userdata = userdata;
}

void cg_log_set_progname(const char *name)
{
	progname = name;
}

const char *cg_log_progname(void)
{
	return progname;
}

void cg_log_stderr(int prio, const char *msg)
{
	fprintf(stderr, "%s: %s%s\n", progname, prio == LOG_WARNING ? "warning: " : "", msg);
}

int cg_logv(int prio, int err, const char *fmt, va_list ap)
{
	char line[CG_LOG_LINE_MAX];
	int saved = errno;

	errno = abs(err);
	vsnprintf(line, sizeof(line), fmt, ap);
	if (sink)
		sink(prio, line, sink_userdata);
	else
		cg_log_stderr(prio, line);
	errno = saved;
	return -abs(err);
}

int cg_log(int prio, int err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cg_logv(prio, err, fmt, ap);
	va_end(ap);
	return r;
}
