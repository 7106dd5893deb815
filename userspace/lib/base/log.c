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

const char *cg_escape_controls(const char *in, char *out, size_t size)
{
	size_t o = 0;

	if (!size)
		return out;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < size; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (o + 5 > size)
				break;
			snprintf(out + o, 5, "\\x%02x", *p);
			o += 4;
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
	return out;
}

int cg_logv(int prio, int err, const char *fmt, va_list ap)
{
	char raw[CG_LOG_LINE_MAX], line[CG_LOG_LINE_MAX];
	int saved = errno;

	errno = abs(err);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	cg_escape_controls(raw, line, sizeof(line));
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
