// SPDX-License-Identifier: MIT
/* Migration building blocks: policies, line edits, credentials output. */
#include "migrate.h"
#include "util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static const char *const policy_names[] = {
	[MIGRATE_RANDOM] = "random",
	[MIGRATE_USER] = "user",
	[MIGRATE_LOCK] = "lock",
};

int migrate_policy_from_name(const char *name, enum migrate_policy *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_names); i++)
		if (!strcmp(name, policy_names[i])) {
			*out = (enum migrate_policy)i;
			return 0;
		}
	return -EINVAL;
}

const char *migrate_policy_name(enum migrate_policy policy)
{
	return (size_t)policy < ARRAY_SIZE(policy_names) ? policy_names[policy] : "?";
}

unsigned long migrate_today(void)
{
	time_t now = time(NULL);

	return now > 0 ? (unsigned long)(now / 86400) : 0;
}

char *migrate_locked_hash(const char *hash)
{
	char *s;

	if (asprintf(&s, "!%s", hash) < 0)
		return NULL;
	return s;
}

/* The field after the hash: [*off, *off + *len), ending at ':' or EOL. */
static int next_field(const char *data, size_t size, size_t hash_end,
		      size_t *off, size_t *len)
{
	size_t i;

	if (hash_end >= size || data[hash_end] != ':')
		return -EINVAL;
	*off = hash_end + 1;
	for (i = *off; i < size && data[i] != ':' && data[i] != '\n' && data[i] != '\r'; i++)
		;
	*len = i - *off;
	return 0;
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int migrate_apply_edits(const char *data, size_t size, const struct line_edit *edits,
			size_t n_edits, char **out, size_t *out_len)
{
	struct buf b = { 0 };
	size_t pos = 0;
	int r = 0;

	for (size_t i = 0; i < n_edits && r >= 0; i++) {
		const struct line_edit *e = &edits[i];
		size_t hash_end = e->hash_off + e->hash_len;
		size_t f_off, f_len;
		char num[24];

		if (e->hash_off < pos || hash_end > size) {
			r = -EINVAL;
			break;
		}
		r = buf_add(&b, data + pos, e->hash_off - pos);
		if (r < 0)
			break;
		if (e->new_hash)
			r = buf_add(&b, e->new_hash, strlen(e->new_hash));
		else
			r = buf_add(&b, data + e->hash_off, e->hash_len);
		pos = hash_end;
		if (r < 0 || !e->set_lastchg)
			continue;
		r = next_field(data, size, hash_end, &f_off, &f_len);
		if (r < 0)
			break;
		snprintf(num, sizeof(num), ":%lu", e->lastchg);
		r = buf_add(&b, num, strlen(num));
		pos = f_off + f_len;
	}
	if (r >= 0)
		r = buf_add(&b, data + pos, size - pos);
	if (r < 0) {
		free(b.p);
		return r;
	}
	*out = b.p;
	if (out_len)
		*out_len = b.len;
	return 0;
}

int credentials_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		      0600);

	if (fd < 0)
		return -errno;
	/* Mode 0600 whatever the umask. */
	if (fchmod(fd, 0600) < 0) {
		int r = -errno;

		close(fd);
		unlink(path);
		return r;
	}
	return fd;
}

static int write_line_synced(int fd, const char *line)
{
	size_t len = strlen(line);

	while (len) {
		ssize_t n = write(fd, line, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		line += n;
		len -= (size_t)n;
	}
	/* The password must be on disk before the store that uses it. */
	return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

int credentials_add(int fd, const char *store, const char *user, const char *password)
{
	_cleanup_free_ char *line = NULL;

	if (asprintf(&line, "%s\t%s\t%s\n", store, user, password) < 0)
		return -ENOMEM;
	return write_line_synced(fd, line);
}

int credentials_note_failure(int fd, const char *store, const char *step, int err)
{
	_cleanup_free_ char *line = NULL;

	if (asprintf(&line, "# not applied: %s (%s: %s)\n", store, step ? step : "?",
		     strerror(err < 0 ? -err : err)) < 0)
		return -ENOMEM;
	return write_line_synced(fd, line);
}
