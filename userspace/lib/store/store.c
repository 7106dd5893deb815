// SPDX-License-Identifier: MIT
/*
 * The part of store parsing every format shares: safe opening (inside a
 * rootfs when auditing an image), splitting into lines, rejecting NUL bytes,
 * over-long lines and CRLF where the system would misread them, and
 * duplicate users.  What a line means is up to store_TYPE.c.
 */
#include "store/store.h"
#include "base/util.h"

#include <fcntl.h>
#include <sys/stat.h>

static const struct store_ops *const store_ops_table[_STORE_TYPE_MAX] = {
	[STORE_SHADOW] = &store_shadow_ops,
	[STORE_PASSWD] = &store_passwd_ops,
	[STORE_GSHADOW] = &store_gshadow_ops,
	[STORE_HTPASSWD] = &store_htpasswd_ops,
	[STORE_HTDIGEST] = &store_htdigest_ops,
	[STORE_PLAIN] = &store_plain_ops,
	[STORE_SMBPASSWD] = &store_smbpasswd_ops,
	[STORE_MOSQUITTO] = &store_mosquitto_ops,
	[STORE_SNMPD] = &store_snmpd_ops,
	[STORE_HOSTAPD] = &store_hostapd_ops,
	[STORE_MOSQUITTO_CONF] = &store_mosquitto_conf_ops,
	[STORE_SSHD_CONFIG] = &store_sshd_config_ops,
	[STORE_PAM] = &store_pam_ops,
	[STORE_INIT] = &store_init_ops,
};

const struct store_ops *store_ops_get(enum store_type type)
{
	if ((unsigned)type >= _STORE_TYPE_MAX)
		return NULL;
	return store_ops_table[type];
}

static const char *store_type_name(unsigned int type)
{
	return store_ops_table[type]->name;
}

const struct cg_names store_type_names = { .fn = store_type_name, .n = _STORE_TYPE_MAX };

int store_type_from_name(const char *name, enum store_type *out)
{
	int t = cg_from_name(&store_type_names, name);

	if (t < 0)
		return t;
	*out = (enum store_type)t;
	return 0;
}

void store_diag_log(void *userdata, const char *path, unsigned line, const char *msg)
{
	(void)userdata;
	if (line)
		log_error_errno(EINVAL, "%s:%u: %s", path, line, msg);
	else
		log_error_errno(EINVAL, "%s: %s", path, msg);
}

size_t store_split(const char *line, size_t len, char sep, struct store_span *fields,
		   size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != sep)
			continue;
		if (n < max)
			fields[n] = (struct store_span){ start, i - start };
		n++;
		start = i + 1;
	}
	return n;
}

int store_colon_entry(const char *line, size_t len, struct store_span *f, size_t n,
		      const char *layout, const char **why)
{
	static __thread char msg[160];
	size_t found;

	if (store_line_is_blank_or_comment(line, len))
		return 1;
	found = store_split(line, len, ':', f, n);
	if (found != n) {
		snprintf(msg, sizeof(msg), "%s fields: expected %zu ':'-separated fields (%s), found %zu",
			 found < n ? "missing" : "too many", n, layout, found);
		*why = msg;
		return -EINVAL;
	}
	if (f[0].len == 0) {
		*why = "empty name in field 1";
		return -EINVAL;
	}
	if (line[0] == '+' || line[0] == '-') {
		*why = "NIS compat entry ('+'/'-'): credgate cannot audit entries it cannot see; list them locally";
		return -EINVAL;
	}
	return 0;
}

bool store_line_is_blank_or_comment(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i == len || line[i] == '#';
}

bool store_field_is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

int store_tokens(const char *line, size_t len, struct store_span *tok, size_t max,
		 const char **why)
{
	size_t n = 0, i = 0;

	for (;;) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			return (int)n;
		if (line[i] == '"') {
			start = ++i;
			while (i < len && line[i] != '"') {
				if (line[i] == '\\') {
					*why = "backslash escape inside a quoted token: credgate does not read escapes; quote the value without one";
					return -EINVAL;
				}
				i++;
			}
			if (i == len) {
				*why = "unterminated double quote";
				return -EINVAL;
			}
			if (n < max)
				tok[n] = (struct store_span){ start, i - start };
			i++;
			if (i < len && line[i] != ' ' && line[i] != '\t') {
				*why = "text right after a closing double quote";
				return -EINVAL;
			}
		} else {
			start = i;
			while (i < len && line[i] != ' ' && line[i] != '\t')
				i++;
			if (n < max)
				tok[n] = (struct store_span){ start, i - start };
		}
		if (n++ > 1000) {
			*why = "more than 1000 tokens on one line";
			return -EINVAL;
		}
	}
}

bool store_field_is_uint(const char *s, size_t len)
{
	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void diagf(store_diag_fn diag, void *ud, const char *path, unsigned line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void diagf(store_diag_fn diag, void *ud, const char *path, unsigned line,
		  const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag)
		diag(ud, path, line, msg);
}

void store_file_free(struct store_file *sf)
{
	if (!sf)
		return;
	for (size_t i = 0; i < sf->n_records; i++) {
		free(sf->records[i].user);
		free(sf->records[i].hash);
		free(sf->records[i].salt);
		free(sf->records[i].note);
	}
	free(sf->records);
	free(sf->data);
	free(sf->path);
	free(sf);
}

void store_keep_records(struct store_file *sf, const bool *keep)
{
	size_t n = 0;

	for (size_t i = 0; i < sf->n_records; i++) {
		struct store_record *r = &sf->records[i];

		if (keep[i]) {
			sf->records[n++] = *r;
			continue;
		}
		free(r->user);
		free(r->hash);
		free(r->salt);
		free(r->note);
	}
	sf->n_records = n;
}

int store_set_note(struct store_record *rec, enum store_scheme scheme, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = cg_vset_string(&rec->note, fmt, ap);
	va_end(ap);
	if (r >= 0)
		rec->scheme = scheme;
	return r;
}

bool store_span_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncasecmp(s, word, len);
}

static int add_record(struct store_file *sf, size_t *cap, unsigned lineno,
		      size_t line_off, size_t line_len, const struct store_field *f)
{
	struct store_span user = f->user, hash = f->hash;
	struct store_record *r;

	if (GREEDY_REALLOC(sf->records, *cap, sf->n_records + 1) < 0)
		return -ENOMEM;
	r = &sf->records[sf->n_records];
	*r = (struct store_record){
		.line = lineno,
		.line_span = { line_off, line_len },
		.user_span = { line_off + user.off, user.len },
		.hash_span = { line_off + hash.off, hash.len },
		.scheme = f->scheme,
		.what = f->what,
	};
	r->user = strndup(sf->data + r->user_span.off, user.len);
	r->hash = strndup(sf->data + r->hash_span.off, hash.len);
	if (f->salt.len)
		r->salt = strndup(sf->data + line_off + f->salt.off, f->salt.len);
	if (!r->user || !r->hash || (f->salt.len && !r->salt)) {
		free(r->user);
		free(r->hash);
		free(r->salt);
		return -ENOMEM;
	}
	sf->n_records++;
	return 0;
}

static int cmp_record_user(const void *a, const void *b)
{
	const struct store_record *ra = *(const struct store_record *const *)a;
	const struct store_record *rb = *(const struct store_record *const *)b;
	int c = strcmp(ra->user, rb->user);

	if (!c)
		c = strcmp(ra->salt ? ra->salt : "", rb->salt ? rb->salt : "");
	if (c)
		return c;
	return ra->line < rb->line ? -1 : ra->line > rb->line;
}

/* Same user (and same realm, for htdigest). */
static bool same_key(const struct store_record *a, const struct store_record *b)
{
	return !strcmp(a->user, b->user) &&
	       !strcmp(a->salt ? a->salt : "", b->salt ? b->salt : "");
}

/* The system uses the first entry of a user; a later one is a trap for readers. */
static int report_duplicates(struct store_file *sf, const char *diag_path,
			     store_diag_fn diag, void *ud)
{
	_cleanup_free_ struct store_record **idx = NULL;

	if (sf->n_records < 2 || store_ops_get(sf->type)->dup_ok)
		return 0;
	idx = calloc(sf->n_records, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < sf->n_records; i++)
		idx[i] = &sf->records[i];
	qsort(idx, sf->n_records, sizeof(*idx), cmp_record_user);
	for (size_t i = 1, first = 0; i < sf->n_records; i++) {
		if (!same_key(idx[i], idx[first])) {
			first = i;
			continue;
		}
		diagf(diag, ud, diag_path, idx[i]->line,
		      "duplicate entry for '%.64s' (first on line %u); remove one of them",
		      idx[i]->user, idx[first]->line);
		sf->n_errors++;
	}
	return 0;
}

int store_parse(enum store_type type, const char *path, const char *diag_path,
		const char *data, size_t size, store_diag_fn diag, void *ud,
		struct store_file **out)
{
	const struct store_ops *ops = store_ops_get(type);
	struct store_file *sf;
	size_t cap = 0, pos = 0;
	unsigned lineno = 0;
	int r;

	if (!ops)
		return -EINVAL;
	sf = calloc(1, sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	sf->type = type;
	sf->size = size;
	sf->path = strdup(path);
	sf->data = malloc(size + 1);
	if (!sf->path || !sf->data) {
		store_file_free(sf);
		return -ENOMEM;
	}
	memcpy(sf->data, data, size);
	sf->data[size] = '\0';

	while (pos < size) {
		const char *line = sf->data + pos;
		const char *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;
		struct store_field fields[STORE_FIELDS_MAX] = { 0 };
		const char *why = NULL;
		int n = 1;

		lineno++;
		if (len > STORE_LINE_MAX) {
			diagf(diag, ud, diag_path, lineno,
			      "line is %zu bytes long (limit %u); this is not a %s entry",
			      len, STORE_LINE_MAX, ops->name);
			sf->n_errors++;
			goto next;
		}
		if (memchr(line, '\0', len)) {
			diagf(diag, ud, diag_path, lineno,
			      "line contains a NUL byte; the file is damaged, restore it from a backup");
			sf->n_errors++;
			goto next;
		}
		if (len && line[len - 1] == '\r') {
			len--;
			if (!ops->crlf_ok) {
				diagf(diag, ud, diag_path, lineno,
				      "CRLF line ending: the system reads the CR as part of the last field; convert the file to LF line endings");
				sf->n_errors++;
			}
		}
		if (ops->parse_fields) {
			r = n = ops->parse_fields(line, len, fields, &why);
			if (n == 0 || n > STORE_FIELDS_MAX)
				goto next;
		} else {
			r = ops->parse_line(line, len, &fields[0].user, &fields[0].hash, &why);
			if (r == 1)
				goto next;
		}
		if (r < 0) {
			diagf(diag, ud, diag_path, lineno, "%s", why ? why : "malformed line");
			sf->n_errors++;
			goto next;
		}
		for (int k = 0; k < n; k++) {
			r = add_record(sf, &cap, lineno, pos, len, &fields[k]);
			if (r < 0) {
				store_file_free(sf);
				return r;
			}
		}
next:
		pos += (nl ? (size_t)(nl - line) + 1 : size - pos);
	}
	r = ops->finish ? ops->finish(sf) : 0;
	if (r >= 0)
		r = report_duplicates(sf, diag_path, diag, ud);
	if (r < 0) {
		store_file_free(sf);
		return r;
	}
	*out = sf;
	return 0;
}

int store_read_reported(const char *root, const char *path, size_t max, const char *what,
			store_diag_fn diag, void *ud, char **diag_path, char **data,
			size_t *size)
{
	int r;

	*diag_path = NULL;
	if (asprintf(diag_path, "%s%s", root_prefix(root), path) < 0)
		return -ENOMEM;
	r = rooted_read(root, path, max, data, size);
	if (r == -EFBIG)
		diagf(diag, ud, *diag_path, 0, "cannot read%s%s: file too large (over %zu bytes, the most read from one file; is it the right file?)",
		      what ? " " : "", what ? what : "", max);
	else if (r < 0 && r != -ENOENT && r != -ENOMEM)
		diagf(diag, ud, *diag_path, 0, "cannot read%s%s: %s", what ? " " : "",
		      what ? what : "", rooted_strerror(r));
	return r;
}

int store_load(enum store_type type, const char *root, const char *path,
	       store_diag_fn diag, void *ud, struct store_file **out)
{
	_cleanup_free_ char *data = NULL, *diag_path = NULL;
	size_t size = 0;
	int r;

	r = store_read_reported(root, path, STORE_FILE_MAX, NULL, diag, ud, &diag_path,
				&data, &size);
	if (r < 0)
		return r;
	return store_parse(type, path, diag_path, data, size, diag, ud, out);
}

bool store_type_is_service(enum store_type type)
{
	const struct store_ops *ops = store_ops_get(type);

	return ops && ops->parse_fields;
}

int store_record_edit(const struct store_file *sf, const struct store_record *rec,
		      enum store_edit_kind kind, const char *value, time_t now,
		      struct store_edit *e, const char **why)
{
	const struct store_ops *ops = store_ops_get(sf->type);

	if (ops->edit)
		return ops->edit(sf, rec, kind, value, now, e, why);
	if (kind != STORE_EDIT_SECRET) {
		*why = kind == STORE_EDIT_DISABLE ?
			"the format has no disabled state (removing the entry is not locking it)" :
			"the format has no must-change state";
		return -EOPNOTSUPP;
	}
	if (strlen(value) >= sizeof(e->text))
		return -EINVAL;
	e->span = rec->hash_span;
	strcpy(e->text, value);
	return 1;
}
