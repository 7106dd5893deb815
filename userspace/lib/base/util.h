/* SPDX-License-Identifier: MIT */
/*
 * Small userland helpers shared by libcredgate, the CLI and the agent:
 * cleanup attributes, exit codes and whole-file I/O (diagnostics: base/log.h).
 * Functions return 0 or a negative errno unless documented otherwise.
 */
#ifndef CREDGATE_UTIL_H
#define CREDGATE_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

/* Documented exit codes of every credgate program (docs/man/credgate.1). */
enum {
	EXIT_CG_OK = 0,		/* success, compliant */
	EXIT_CG_VIOLATION = 1,	/* audit found violations */
	EXIT_CG_ERROR = 2,	/* usage, input or system error */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

/* free() a string that held a secret, overwriting it first. */
static inline void erase_freep(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
	}
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_erase_free_ _cleanup_(erase_freep)
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

/*
 * Make room for @need elements of @size bytes in *@p, whose capacity is
 * *@cap elements: grows geometrically (at least doubling), so appending
 * one at a time costs amortised O(1).  0 or -ENOMEM (*p untouched then).
 */
int greedy_realloc(void **p, size_t *cap, size_t need, size_t size);
#define GREEDY_REALLOC(array, cap, need) \
	greedy_realloc((void **)&(array), &(cap), (need), sizeof(*(array)))

/*
 * Read @fd to end of file (not st_size bytes: procfs and sysfs report 0
 * or 4096) into a NUL-terminated buffer (*out, caller frees); @hint is the
 * expected size (0: unknown).  More than @max bytes fail with -EFBIG.
 */
int read_fd_all(int fd, size_t max, size_t hint, char **out, size_t *len);

/*
 * Read a whole file into a NUL-terminated buffer (*out, caller frees).
 * Files larger than @max bytes fail with -EFBIG.  *len may be NULL.
 */
int read_file(const char *path, size_t max, char **out, size_t *len);

/*
 * In a child just forked: @fd becomes fd 3 and every descriptor above 3
 * is closed, so only stdio and that one stay (close_range, or a loop
 * before Linux 5.9).  Returns 3 or -errno.
 */
int fd_keep_only_as_3(int fd);

/* Write @s to an existing file (sysfs/securityfs style: one write). */
int write_string_file(const char *path, const char *s);

/*
 * Whether @root (--root) names the running system: NULL, "" or "/".
 * root_prefix() is @root as the prefix of a path on this host: "" then.
 */
static inline bool root_is_host(const char *root)
{
	return !root || !*root || !strcmp(root, "/");
}

static inline const char *root_prefix(const char *root)
{
	return root_is_host(root) ? "" : root;
}

/* Remove trailing whitespace in place; returns s. */
char *strstrip_trailing(char *s);

/* Parse a decimal unsigned integer in [0, max]; whole string must match. */
int parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Replace *@s (freed) with a formatted string: 0 or -ENOMEM (*@s unchanged). */
int cg_vset_string(char **s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
