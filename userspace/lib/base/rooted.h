/* SPDX-License-Identifier: MIT */
/*
 * Rooted file access: read a file of the device, or of an unpacked image
 * given with --root, as the device would see it.  Every reader of a file
 * of the audited system (stores, credgate.conf, device identifiers) goes
 * through here, so a tree's symlinks cannot point it outside the tree.
 */
#ifndef CREDGATE_ROOTED_H
#define CREDGATE_ROOTED_H

#include <stdbool.h>
#include <stddef.h>

/* No "." or ".." component: @path names one file (configured store paths). */
bool rooted_path_is_plain(const char *path);

/*
 * Paths are absolute as on the device.  With @root (not NULL, "" or "/"),
 * a "." or ".." component is refused (-EINVAL), and
 * @path is resolved inside @root with openat2(RESOLVE_IN_ROOT): absolute
 * and relative symlinks, "..", stay in the tree; without openat2 (Linux
 * before 5.6, or a seccomp profile refusing it) -EOPNOTSUPP, never a
 * resolution that could leave the tree.  Only regular files (and
 * directories where asked) are ever opened: the name is resolved with
 * O_PATH, checked with fstat, and the checked inode reopened through
 * /proc/self/fd, so a device, FIFO or socket in a store's place is never
 * opened (-EBADFD; -EISDIR for a directory).
 */

/* Open @path for reading (O_NONBLOCK).  An fd or a negative errno. */
int rooted_open(const char *root, const char *path);

/*
 * Open the directory holding @path (O_RDONLY | O_DIRECTORY, usable for
 * *at() calls and fsync); *@base points at @path's last component.
 */
int rooted_open_parent(const char *root, const char *path, const char **base);

/*
 * Open @name in @dirfd with @flags (O_RDONLY, O_WRONLY ...) if it is a
 * regular file, never following a final symlink (-ELOOP for one).
 */
int rooted_open_regular_at(int dirfd, const char *name, int flags);

/* Reopen the O_PATH @pathfd with @flags once fstat shows a regular file. */
int rooted_reopen(int pathfd, int flags);

/*
 * What a rooted_*() error means for a user: "not a regular file" for
 * -EBADFD, the "."/".." and openat2 refusals, else strerror().
 */
const char *rooted_strerror(int err);

/* Read a whole regular file of at most @max bytes (a path, or an open fd). */
int rooted_read(const char *root, const char *path, size_t max, char **out, size_t *size);
int rooted_read_fd(int fd, size_t max, char **out, size_t *size);

#endif
