/* SPDX-License-Identifier: MIT */
/*
 * Crash-safe replacement of a credential store, and the password-database
 * lock shared with shadow-utils.
 *
 * atomic_file_replace() never leaves @path half-written: whatever kills the
 * process, @path is either the old file or the new one (docs/migration.md).
 */
#ifndef CREDGATE_ATOMIC_FILE_H
#define CREDGATE_ATOMIC_FILE_H

#include <stddef.h>

/* How long to wait for the password-database lock (lckpwdf uses 15 s). */
#define PWDB_LOCK_TIMEOUT_MS 15000

/*
 * Take the lock lckpwdf(3) takes: a POSIX write lock on ROOT/etc/.pwd.lock
 * (@root NULL or "/" means the running system), resolved inside @root and
 * opened only if it is a regular file (created 0600 if missing; a symlink
 * or device there is refused with -EBADFD).  shadow-utils' passwd,
 * chpasswd, usermod ... take the same lock, also under -R/--root, so they
 * and credgate never interleave.  Returns the lock fd (close it to release;
 * the kernel also drops it when the process dies, so a crash never leaves
 * a stale lock) or a negative errno; -ETIMEDOUT after @timeout_ms.
 */
int pwdb_lock(const char *root, unsigned int timeout_ms);

/*
 * Replace @path with @len bytes of @data:
 *   create a temporary file in the same directory (mode 0600), write,
 *   give it @path's owner, group, mode and extended attributes, fsync,
 *   keep the current file as "@path-" (hard link, shadow-utils convention),
 *   rename over @path, fsync the directory.
 * @path must exist.  On failure the old file is left in place, the
 * temporary file is removed, *failed_step names the step that failed
 * (a static string such as "fsync temporary file") and a negative errno
 * is returned.
 */
int atomic_file_replace(const char *path, const void *data, size_t len,
			const char **failed_step);

/*
 * The same for @base in the directory @dirfd (rooted_open_parent()): every
 * step is an *at() call on @dirfd, so a --root tree's symlinks cannot send
 * a write outside it.  @base must be a regular file: -ELOOP for a symlink,
 * -EBADFD for anything else.  A failed fsync of the directory after the rename is a
 * warning, not a failure: the new file is in place.
 */
int atomic_file_replace_at(int dirfd, const char *base, const void *data, size_t len,
			   const char **failed_step);

/* write(2) all of @data, retrying on EINTR and short writes.  0 or -errno. */
int write_full(int fd, const void *data, size_t len);

/*
 * Test hook (docs/migration.md, "Test hooks"): when the environment
 * variable CREDGATE_TEST_CRASH_AT equals @step, the process kills itself
 * with SIGKILL, exactly as a power cut or the OOM killer would.  Only in
 * test builds (CREDGATE_TEST_HOOKS: $(BUILD)/libcredgate-test.a and
 * $(BUILD)/test/credgate); shipped binaries have no such hook.
 */
#ifdef CREDGATE_TEST_HOOKS
void test_crash_point(const char *step);
#else
static inline void test_crash_point(const char *step)
{
	(void)step;
}
#endif

#endif
