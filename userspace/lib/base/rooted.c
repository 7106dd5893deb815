// SPDX-License-Identifier: MIT
/* Files read inside a --root tree as the device would see them (base/rooted.h). */
#include "base/rooted.h"
#include "base/util.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

int rooted_open(const char *root, const char *path)
{
	_cleanup_close_ int rootfd = -1;
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (root_is_host(root)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		return fd < 0 ? -errno : fd;
	}
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		/* Kernels before 5.6: refuse a final symlink rather than follow it out of the tree. */
		fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int rooted_read(const char *root, const char *path, size_t max, char **out, size_t *size)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = rooted_open(root, path);
	if (fd < 0)
		return fd;
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
