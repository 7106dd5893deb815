// SPDX-License-Identifier: MIT
/*
 * Crash-safe store replacement: temporary file, fsync, rename, fsync of the
 * directory, previous version kept as NAME- (docs/migration.md).
 */
#include "base/atomic_file.h"
#include "base/rooted.h"
#include "base/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#define TEMP_TAG ".credgate-"

#ifdef CREDGATE_TEST_HOOKS
void test_crash_point(const char *step)
{
	const char *at = getenv("CREDGATE_TEST_CRASH_AT");

	if (at && !strcmp(at, step))
		raise(SIGKILL);
}
#endif

/* Open (creating it 0600 if missing) the lock file @name in @dirfd: a regular file only. */
static int open_lock_file(int dirfd, const char *name)
{
	for (int tries = 0; tries < 3; tries++) {
		int fd = rooted_open_regular_at(dirfd, name, O_WRONLY);

		if (fd != -ENOENT)
			return fd;
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EAGAIN;
}

int pwdb_lock(const char *root, unsigned int timeout_ms)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	_cleanup_close_ int dirfd = -1;
	unsigned int waited = 0;
	const char *base;
	int fd;

	/* glibc's lckpwdf() opens the same file, O_WRONLY | O_CREAT, mode 0600. */
	dirfd = rooted_open_parent(root, "/etc/.pwd.lock", &base);
	if (dirfd < 0)
		return dirfd;
	fd = open_lock_file(dirfd, base);
	if (fd < 0)
		return fd;
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		int err = errno;

		if (err != EAGAIN && err != EACCES && err != EINTR) {
			close(fd);
			return -err;
		}
		if (waited >= timeout_ms) {
			close(fd);
			return -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
		waited += 10;
	}
	test_crash_point("locked");
	return fd;
}

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ".BASE<suffix>.credgate-XXXXXXXXXXXX" with a random tail. */
static int temp_name(char *buf, size_t size, const char *base, const char *suffix)
{
	uint8_t rnd[6];
	char tail[13];
	int n;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(tail + 2 * i, 3, "%02x", rnd[i]);
	n = snprintf(buf, size, ".%s%s" TEMP_TAG "%s", base, suffix, tail);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Remove temporary files a killed run left behind for this store.  Callers
 * hold the password-database lock, so no live writer owns them.
 */
static void remove_stale_temps(int dirfd, const char *base)
{
	char prefix[NAME_MAX + 1];
	DIR *d;
	struct dirent *de;
	int n, fd;

	n = snprintf(prefix, sizeof(prefix), ".%s", base);
	if (n < 0 || (size_t)n >= sizeof(prefix))
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *rest;

		if (strncmp(de->d_name, prefix, (size_t)n))
			continue;
		rest = de->d_name + n;
		if (*rest == '-')
			rest++;
		if (strncmp(rest, TEMP_TAG, strlen(TEMP_TAG)) ||
		    strlen(rest) != strlen(TEMP_TAG) + 12)
			continue;
		unlinkat(dirfd, de->d_name, 0);
	}
	closedir(d);
}

static int copy_xattrs(int from, int to)
{
	_cleanup_free_ char *names = NULL;
	ssize_t len;

	len = flistxattr(from, NULL, 0);
	if (len < 0)
		return errno == ENOTSUP ? 0 : -errno;
	if (len == 0)
		return 0;
	names = malloc((size_t)len);
	if (!names)
		return -ENOMEM;
	len = flistxattr(from, names, (size_t)len);
	if (len < 0)
		return -errno;
	for (char *name = names; name < names + len; name += strlen(name) + 1) {
		_cleanup_free_ char *value = NULL;
		ssize_t vlen = fgetxattr(from, name, NULL, 0);

		if (vlen < 0)
			return -errno;
		value = malloc((size_t)vlen + 1);
		if (!value)
			return -ENOMEM;
		vlen = fgetxattr(from, name, value, (size_t)vlen);
		if (vlen < 0)
			return -errno;
		if (fsetxattr(to, name, value, (size_t)vlen, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Give @to the owner, group, extended attributes and mode of @from. */
static int copy_attributes(int from, int to)
{
	struct stat st;
	int r;

	if (fstat(from, &st) < 0)
		return -errno;
	/* chown first: it clears set-id bits and file capabilities. */
	if (fchown(to, st.st_uid, st.st_gid) < 0)
		return -errno;
	r = copy_xattrs(from, to);
	if (r < 0)
		return r;
	if (fchmod(to, st.st_mode & 07777) < 0)
		return -errno;
	return 0;
}

/* Copy fallback for file systems without hard links: from the open file. */
static int copy_backup(int dirfd, const char *tmp, int old_fd)
{
	_cleanup_free_ char *old = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	if (lseek(old_fd, 0, SEEK_SET) < 0)
		return -errno;
	r = read_fd_all(old_fd, 64 << 20, 0, &old, &len);
	if (r < 0)
		return r;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	r = write_full(fd, old, len);
	if (r >= 0)
		r = copy_attributes(old_fd, fd);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	return r;
}

/* Make "@base-" hold the current @base without ever being half-written. */
static int keep_backup(int dirfd, const char *base, int old_fd, const char **step)
{
	char tmp[NAME_MAX + 1], backup[NAME_MAX + 1];
	int r, n;

	n = snprintf(backup, sizeof(backup), "%s-", base);
	if (n < 0 || (size_t)n >= sizeof(backup))
		return -ENAMETOOLONG;
	r = temp_name(tmp, sizeof(tmp), base, "-");
	if (r < 0)
		return r;
	test_crash_point("link-backup");
	*step = "link previous version";
	if (linkat(dirfd, base, dirfd, tmp, 0) < 0) {
		if (errno != EPERM && errno != EMLINK && errno != ENOTSUP &&
		    errno != EOPNOTSUPP)
			return -errno;
		*step = "copy previous version";
		r = copy_backup(dirfd, tmp, old_fd);
		if (r < 0) {
			unlinkat(dirfd, tmp, 0);
			return r;
		}
	}
	test_crash_point("rename-backup");
	*step = "rename previous version to backup";
	/* renameat() replaces a symlink at "@base-" itself, never its target. */
	if (renameat(dirfd, tmp, dirfd, backup) < 0) {
		r = -errno;
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return 0;
}

int atomic_file_replace_at(int dirfd, const char *base, const void *data, size_t len,
			   const char **failed_step)
{
	char tmp[NAME_MAX + 1];
	const char *step_dummy;
	const char **step = failed_step ? failed_step : &step_dummy;
	_cleanup_close_ int old_fd = -1, fd = -1;
	int r;

	if (!*base || strchr(base, '/'))
		return -EINVAL;
	*step = "open current file";
	old_fd = rooted_open_regular_at(dirfd, base, O_RDONLY);
	if (old_fd < 0)
		return old_fd;

	remove_stale_temps(dirfd, base);

	r = temp_name(tmp, sizeof(tmp), base, "");
	if (r < 0)
		return r;
	test_crash_point("create-temp");
	*step = "create temporary file";
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;

	test_crash_point("write-temp");
	*step = "write temporary file";
	r = write_full(fd, data, len / 2);
	test_crash_point("write-temp-half");
	if (r >= 0)
		r = write_full(fd, (const char *)data + len / 2, len - len / 2);
	if (r >= 0) {
		test_crash_point("copy-attributes");
		*step = "copy owner, mode and extended attributes";
		r = copy_attributes(old_fd, fd);
	}
	if (r >= 0) {
		test_crash_point("fsync-temp");
		*step = "fsync temporary file";
		if (fsync(fd) < 0)
			r = -errno;
	}
	if (r >= 0)
		r = keep_backup(dirfd, base, old_fd, step);
	if (r >= 0) {
		test_crash_point("rename");
		*step = "rename temporary file over the store";
		if (renameat(dirfd, tmp, dirfd, base) < 0)
			r = -errno;
	}
	if (r < 0) {
		int saved = r;

		unlinkat(dirfd, tmp, 0);
		return saved;
	}
	test_crash_point("fsync-dir");
	/*
	 * The new file is in place: a failed directory fsync only means a
	 * power cut could still bring the old one back.  Reporting "not
	 * applied" would make the operator throw the new passwords away.
	 */
	if (fsync(dirfd) < 0)
		log_warning_errno(errno, "%s replaced, but fsync of its directory failed: %m; run sync before powering off",
				  base);
	test_crash_point("replaced");
	*step = NULL;
	return 0;
}

int atomic_file_replace(const char *path, const void *data, size_t len,
			const char **failed_step)
{
	_cleanup_close_ int dirfd = -1;
	const char *base = path;

	if (failed_step)
		*failed_step = "open directory";
	if (strchr(path, '/'))
		dirfd = rooted_open_parent(NULL, path, &base);
	else if ((dirfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		dirfd = -errno;
	if (dirfd < 0)
		return dirfd;
	return atomic_file_replace_at(dirfd, base, data, len, failed_step);
}
