// SPDX-License-Identifier: MIT
/*
 * Files read and written inside a --root tree as the device would see them
 * (base/rooted.h).  Resolution inside a tree uses openat2(RESOLVE_IN_ROOT)
 * only: there is no fallback that follows links, so a kernel without it
 * (before 5.6, or a seccomp profile that refuses it) gets -EOPNOTSUPP.
 */
#include "base/rooted.h"
#include "base/util.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

bool rooted_path_is_plain(const char *path)
{
	const char *p = path;

	while (*p) {
		const char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = end;
	}
	return true;
}

/* An O_PATH descriptor of @path (inside @root unless it is the host). */
static int resolve(const char *root, const char *path, int flags)
{
	_cleanup_close_ int rootfd = -1;
	struct open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (root_is_host(root)) {
		fd = open(path, O_PATH | O_CLOEXEC | flags);
		return fd < 0 ? -errno : fd;
	}
	if (!rooted_path_is_plain(path))
		return -EINVAL;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	while (*path == '/')
		path++;
	fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		return -EOPNOTSUPP;
	return fd < 0 ? -errno : fd;
}

int rooted_reopen(int pathfd, int flags)
{
	char proc[64];
	struct stat st;
	int fd;

	if (fstat(pathfd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode) && !(flags & O_DIRECTORY))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return -EBADFD;
	/* The inode just checked, not whatever the name points at now. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int rooted_open(const char *root, const char *path)
{
	_cleanup_close_ int pfd = resolve(root, path, 0);

	if (pfd < 0)
		return pfd;
	return rooted_reopen(pfd, O_RDONLY | O_NONBLOCK);
}

int rooted_open_parent(const char *root, const char *path, const char **base)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int pfd = -1;
	const char *slash = strrchr(path, '/');

	if (!slash || !slash[1] || (!root_is_host(root) && !rooted_path_is_plain(path)))
		return -EINVAL;
	dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	pfd = resolve(root, dir, O_DIRECTORY);
	if (pfd < 0)
		return pfd;
	*base = slash + 1;
	return rooted_reopen(pfd, O_RDONLY | O_DIRECTORY);
}

int rooted_open_regular_at(int dirfd, const char *name, int flags)
{
	_cleanup_close_ int pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return rooted_reopen(pfd, flags);
}

int rooted_read_fd(int fd, size_t max, char **out, size_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	return read_fd_all(fd, max, (size_t)st.st_size, out, size);
}

int rooted_read(const char *root, const char *path, size_t max, char **out, size_t *size)
{
	_cleanup_close_ int fd = rooted_open(root, path);

	if (fd < 0)
		return fd;
	return rooted_read_fd(fd, max, out, size);
}

const char *rooted_strerror(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return "Permission denied (run as root)";
	case -EBADFD:
		return "not a regular file";
	case -EFBIG:
		return "file too large";
	case -ELOOP:
		return "a symlink: credgate never writes through one (name its target in [audit] stores)";
	case -EINVAL:
		return "the path has a '.' or '..' component: name the file itself";
	case -EOPNOTSUPP:
		return "--root needs openat2(2) (Linux 5.6 or later, not refused by seccomp) to stay inside the tree";
	default:
		return strerror(-err);
	}
}
