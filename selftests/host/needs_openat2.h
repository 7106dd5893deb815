/* SPDX-License-Identifier: MIT */
/*
 * --root resolution needs openat2(2) and refuses without it (base/rooted.h).
 * qemu-user before 9.0 (Debian 12 ships 7.2) does not emulate openat2, so
 * the cross suites run these tests as SKIP there; on a kernel they run.
 */
#ifndef CREDGATE_NEEDS_OPENAT2_H
#define CREDGATE_NEEDS_OPENAT2_H

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int openat2_available(void)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

#define SKIP_WITHOUT_OPENAT2() do { \
	if (!openat2_available()) \
		SKIP(return, "openat2(2) not available here (qemu-user before 9.0): --root refuses without it"); \
} while (0)

#endif
