// SPDX-License-Identifier: MIT
/* The library's log sink (base/log.h). */
#include "base/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Length of the well-formed UTF-8 sequence at @p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if there is none;
 * *c1 is set for a C1 control (U+0080..U+009F).
 */
static size_t utf8_len(const unsigned char *p, bool *c1)
{
	size_t n;
	unsigned int cp;

	*c1 = false;
	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		cp = *p & 0x0f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		cp = *p & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*c1 = cp <= 0x9f;
	return n;
}

/* The printable character at @p: its length, 0 to escape its first byte. */
static size_t printable_len(const unsigned char *p)
{
	bool c1 = false;
	size_t n = utf8_len(p, &c1);

	return n && !c1 && *p >= 0x20 && *p != 0x7f ? n : 0;
}

bool cg_utf8_valid(const char *s)
{
	bool c1;

	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p, &c1);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

const char *cg_escape_controls(const char *in, char *out, size_t size)
{
	size_t o = 0;

	if (!size)
		return out;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 1 < size;) {
		size_t n = printable_len(p);

		if (!n) {
			if (o + 5 > size)
				break;
			snprintf(out + o, 5, "\\x%02x", *p);
			o += 4;
			p++;
		} else {
			if (o + n + 1 > size)
				break;
			memcpy(out + o, p, n);
			o += n;
			p += n;
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
