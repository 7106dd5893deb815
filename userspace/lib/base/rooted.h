/* SPDX-License-Identifier: MIT */
/*
 * Rooted file access: read a file of the device, or of an unpacked image
 * given with --root, as the device would see it.  Every reader of a file
 * of the audited system (stores, credgate.conf, device identifiers) goes
 * through here, so a tree's symlinks cannot point it outside the tree.
 */
#ifndef CREDGATE_ROOTED_H
#define CREDGATE_ROOTED_H

#include <stddef.h>

/*
 * Open @path for reading; with @root, @path is resolved inside @root as
 * the device would see it (absolute symlinks stay in the tree).  Returns an
 * fd or a negative errno.
 */
int rooted_open(const char *root, const char *path);

/* Read a whole regular file (opened with rooted_open) of at most @max bytes. */
int rooted_read(const char *root, const char *path, size_t max, char **out, size_t *size);

#endif
