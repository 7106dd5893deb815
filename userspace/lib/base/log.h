/* SPDX-License-Identifier: MIT */
/*
 * The library's log sink.  Library code never prints: it hands each
 * message to the sink the program set (the CLI: stderr; credgated: stderr
 * and, with --syslog, syslog), at a syslog(3) priority.
 *
 * Messages with an error take it as a negative (or positive) errno and
 * may use %m for its text, like systemd's log_*_errno(): the call sets
 * errno from @err before formatting, so the message describes the error
 * the code returns, not whatever errno holds.  They return -abs(err), so
 * `return log_error_errno(r, "cannot read %s: %m", path);` reports and
 * propagates in one line.
 */
#ifndef CREDGATE_LOG_H
#define CREDGATE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Longest message a sink is handed (longer ones are cut). */
#define CG_LOG_LINE_MAX 2048

typedef void cg_log_sink_fn(int prio, const char *msg, void *userdata);

/*
 * Route every message to @fn (NULL: the default, "PROGNAME: [warning: ]MSG"
 * on stderr).  Set once at start-up, before threads.
 */
void cg_log_set_sink(cg_log_sink_fn *fn, void *userdata);

/* The program name the default sink starts each line with ("credgate"). */
void cg_log_set_progname(const char *name);
const char *cg_log_progname(void);

/*
 * @in with every control character (a terminal escape sequence in a user
 * name from a hostile store, C1 controls included) and every byte that is
 * not part of well-formed UTF-8 written as \xHH, into @out (truncated to
 * @size, never in the middle of a character).  Every message is passed
 * through it before it reaches a sink; text output of names read from
 * stores uses it too.
 */
const char *cg_escape_controls(const char *in, char *out, size_t size);
/* Is @s well-formed UTF-8 (JSON can carry it as it is)? */
bool cg_utf8_valid(const char *s);

/* The default sink's line on stderr, for sinks that add to it. */
void cg_log_stderr(int prio, const char *msg);

int cg_log(int prio, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int cg_logv(int prio, int err, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#define log_error_errno(err, ...)	cg_log(LOG_ERR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...)	cg_log(LOG_WARNING, (err), __VA_ARGS__)
#define log_error(...)			((void)cg_log(LOG_ERR, 0, __VA_ARGS__))
#define log_warning(...)		((void)cg_log(LOG_WARNING, 0, __VA_ARGS__))
#define log_notice(...)			((void)cg_log(LOG_NOTICE, 0, __VA_ARGS__))
#define log_info(...)			((void)cg_log(LOG_INFO, 0, __VA_ARGS__))

#endif
