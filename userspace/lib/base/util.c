// SPDX-License-Identifier: MIT
#include "base/util.h"

#include <ctype.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>

int greedy_realloc(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	q = reallocarray(*p, n, size);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = n;
	return 0;
}

int read_fd_all(int fd, size_t max, size_t hint, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 0;

	if (hint > max)
		hint = max;
	for (;;) {
		ssize_t n;

		/* One byte over max tells a file of max bytes from a longer one. */
		if (size + 1 >= cap &&
		    greedy_realloc((void **)&buf, &cap, (hint > size ? hint : size) + 2, 1) < 0)
			return -ENOMEM;
		n = read(fd, buf + size, cap - size - 1);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > max)
			return -EFBIG;
	}
	buf[size] = '\0';
	if (len)
		*len = size;
	*out = TAKE_PTR(buf);
	return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return read_fd_all(fd, max, 0, out, len);
}

int write_string_file(const char *path, const char *s)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(s);
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

char *strstrip_trailing(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

int cg_vset_string(char **s, const char *fmt, va_list ap)
{
	char *n;

	if (vasprintf(&n, fmt, ap) < 0)
		return -ENOMEM;
	free(*s);
	*s = n;
	return 0;
}

int fd_keep_only_as_3(int fd)
{
	if (fd != 3 && dup2(fd, 3) < 0)
		return -errno;
	if (close_range(4, ~0U, 0) < 0)
		for (int i = 4; i < 4096; i++)
			close(i);
	return 3;
}
