// SPDX-License-Identifier: MIT
/*
 * Where the audit looks for service configurations by itself: the usual
 * paths of the files whose settings let a client in without a password
 * (docs/audit.md "Services that need no password").  Absent files are
 * skipped; the stores of the default configuration stay shadow, passwd,
 * gshadow.
 */
#include "audit/audit.h"
#include "base/rooted.h"
#include "base/util.h"

#include <dirent.h>

static const struct audit_store_spec service_configs[] = {
	{ STORE_MOSQUITTO_CONF, "/etc/mosquitto/mosquitto.conf" },
	{ STORE_SSHD_CONFIG, "/etc/ssh/sshd_config" },
	{ STORE_INIT, "/etc/inittab" },
	{ STORE_INIT, "/etc/inetd.conf" },
	{ STORE_INIT, "/etc/rc.local" },
	/* PAM services reached from the network (sshd: PermitEmptyPasswords decides). */
	{ STORE_PAM, "/etc/pam.d/remote" },
	{ STORE_PAM, "/etc/pam.d/telnet" },
	{ STORE_PAM, "/etc/pam.d/rlogin" },
	{ STORE_PAM, "/etc/pam.d/rsh" },
	{ STORE_PAM, "/etc/pam.d/rexec" },
	{ STORE_PAM, "/etc/pam.d/ftp" },
	{ STORE_PAM, "/etc/pam.d/vsftpd" },
	{ STORE_PAM, "/etc/pam.d/proftpd" },
	{ STORE_PAM, "/etc/pam.d/pure-ftpd" },
	{ STORE_PAM, "/etc/pam.d/dovecot" },
	{ STORE_PAM, "/etc/pam.d/ppp" },
};

#define INIT_DIR "/etc/init.d"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* The regular files of @dir inside @root whose names end in @suffix, sorted, as device paths. */
static int list_files(const char *root, const char *dir, const char *suffix, char ***out, size_t *n_out)
{
	_cleanup_free_ char *full = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, sl = strlen(suffix);
	DIR *dh;
	int r = 0;

	*out = NULL;
	*n_out = 0;
	/* Names only: each file is then opened safely inside @root. */
	if (asprintf(&full, "%s%s", root ? root : "", dir) < 0)
		return -ENOMEM;
	dh = opendir(full);
	for (struct dirent *de; dh && (de = readdir(dh));) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || de->d_type == DT_DIR || len < sl ||
		    strcmp(de->d_name + len - sl, suffix))
			continue;
		if (GREEDY_REALLOC(names, cap, n + 1) < 0 ||
		    asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	if (dh)
		closedir(dh);
	if (r < 0) {
		strv_free_n(names, n);
		return r;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	*n_out = n;
	return 0;
}

int audit_service_configs(const char *root, struct audit_store_spec **out, size_t *n_out)
{
	struct audit_store_spec *v;
	char **names;
	size_t n;
	int r;

	r = list_files(root, INIT_DIR, "", &names, &n);
	if (r < 0)
		return r;
	v = calloc(ARRAY_SIZE(service_configs) + n, sizeof(*v));
	if (!v) {
		strv_free_n(names, n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ARRAY_SIZE(service_configs); i++)
		v[i] = (struct audit_store_spec){ service_configs[i].type,
						  strdup(service_configs[i].path) };
	for (size_t i = 0; i < n; i++)
		v[ARRAY_SIZE(service_configs) + i] = (struct audit_store_spec){ STORE_INIT, names[i] };
	free(names);
	*out = v;
	*n_out = ARRAY_SIZE(service_configs) + n;
	for (size_t i = 0; i < *n_out; i++)
		if (!v[i].path) {
			audit_store_specs_free(v, *n_out);
			return -ENOMEM;
		}
	return 0;
}

void audit_store_specs_free(struct audit_store_spec *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free((char *)v[i].path);
	free(v);
}

/* ---- discovery ---------------------------------------------------------- */

/* Service stores at the paths their packages and documentation use. */
static const struct audit_store_spec usual_stores[] = {
	{ STORE_SNMPD, "/etc/snmp/snmpd.conf" },
	{ STORE_SNMPD, "/var/lib/snmp/snmpd.conf" },	/* net-snmp's persistent file (Debian) */
	{ STORE_SNMPD, "/var/net-snmp/snmpd.conf" },	/* the same, net-snmp's own default */
	{ STORE_HOSTAPD, "/etc/hostapd/hostapd.conf" },
	{ STORE_SMBPASSWD, "/etc/samba/smbpasswd" },
	{ STORE_SMBPASSWD, "/var/lib/samba/private/smbpasswd" },
	{ STORE_SMBPASSWD, "/var/lib/samba/smbpasswd" },
	{ STORE_SMBPASSWD, "/etc/smbpasswd" },
	{ STORE_MOSQUITTO, "/etc/mosquitto/passwd" },
};

struct found_list {
	const char *root;
	struct audit_found *v;
	size_t n, cap;
};

static bool exists_in_root(const char *root, const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t size;

	/* The reader the audit uses: what it cannot open is not there. */
	return rooted_read(root, path, STORE_FILE_MAX, &data, &size) >= 0;
}

static int add_found(struct found_list *l, enum store_type t, const char *path, size_t len,
		     const char *from, unsigned line)
{
	struct audit_found *f;

	if (!len || path[0] != '/')
		return 0;	/* relative or empty: not followed (docs/audit.md) */
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].spec.path) == len && !memcmp(l->v[i].spec.path, path, len))
			return 0;
	if (GREEDY_REALLOC(l->v, l->cap, l->n + 1) < 0)
		return -ENOMEM;
	f = &l->v[l->n];
	*f = (struct audit_found){ .spec = { t, strndup(path, len) } };
	if (from) {
		f->from = strdup(from);
		if (asprintf(&f->why, "%s:%u", from, line) < 0)
			f->why = NULL;
	} else
		f->why = strdup("usual path");
	if (!f->spec.path || !f->why || (from && !f->from)) {
		free((char *)f->spec.path);
		free(f->why);
		free(f->from);
		return -ENOMEM;
	}
	f->exists = exists_in_root(l->root, f->spec.path);
	l->n++;
	return 0;
}

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* A word from @i: quoted ("..." or '...') or up to a blank; *i moves past it. */
static void word_at(const char *s, size_t *i, size_t len, const char **w, size_t *wl)
{
	size_t j = *i;

	if (j < len && (s[j] == '"' || s[j] == '\'')) {
		char q = s[j++];
		size_t st = j;

		while (j < len && s[j] != q)
			j++;
		*w = s + st;
		*wl = j - st;
		*i = j < len ? j + 1 : j;
		return;
	}
	*w = s + j;
	while (j < len && s[j] != ' ' && s[j] != '\t' && s[j] != ';')
		j++;
	*wl = (size_t)(s + j - *w);
	*i = j;
}

static bool word_is(const char *w, size_t wl, const char *word)
{
	const char *b = w;

	/* The command's name: a path or inittab prefix before it is cut off. */
	for (size_t k = 0; k < wl; k++)
		if (w[k] == '/' || w[k] == ':')
			b = w + k + 1;
	return (size_t)(w + wl - b) == strlen(word) && !memcmp(b, word, strlen(word));
}

/* lighttpd: auth.backend.{htdigest,plain,htpasswd}.userfile = "PATH" */
static int scan_lighttpd(struct found_list *l, const char *from, unsigned no, const char *s, size_t len)
{
	static const struct { const char *key; enum store_type t; } keys[] = {
		{ "auth.backend.htdigest.userfile", STORE_HTDIGEST },
		{ "auth.backend.plain.userfile", STORE_PLAIN },
		{ "auth.backend.htpasswd.userfile", STORE_HTPASSWD },
	};
	size_t i = skip_blanks(s, 0, len), wl;
	const char *w;

	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		size_t kl = strlen(keys[k].key), j;

		if (len - i < kl || memcmp(s + i, keys[k].key, kl))
			continue;
		j = skip_blanks(s, i + kl, len);
		if (j >= len || s[j] != '=')
			return 0;
		j = skip_blanks(s, j + 1, len);
		if (j >= len || s[j] != '"')
			return 0;	/* a variable or an expression: not followed */
		word_at(s, &j, len, &w, &wl);
		j = skip_blanks(s, j, len);
		if (j < len && s[j] != '#')
			return 0;	/* "..." + something: not a literal path */
		return add_found(l, keys[k].t, w, wl, from, no);
	}
	return 0;
}

/* mosquitto.conf: password_file PATH */
static int scan_mosquitto(struct found_list *l, const char *from, unsigned no, const char *s, size_t len)
{
	size_t i = skip_blanks(s, 0, len), wl;
	const char *w;

	if (len - i < 14 || memcmp(s + i, "password_file", 13) || (s[i + 13] != ' ' && s[i + 13] != '\t'))
		return 0;
	i = skip_blanks(s, i + 13, len);
	w = s + i;
	wl = len - i;
	while (wl && (w[wl - 1] == ' ' || w[wl - 1] == '\t'))
		wl--;
	return add_found(l, STORE_MOSQUITTO, w, wl, from, no);
}

/* init files: hostapd ... -B ... CONFIG...; /etc/default/hostapd: DAEMON_CONF="A B" */
static int scan_hostapd(struct found_list *l, const char *from, unsigned no, const char *s, size_t len)
{
	size_t i = skip_blanks(s, 0, len), wl;
	const char *w;
	bool seen = false, bg = false;
	size_t first = 0;
	int r;

	if (len - i > 12 && !memcmp(s + i, "DAEMON_CONF=", 12)) {
		i += 12;
		word_at(s, &i, len, &w, &wl);
		for (size_t k = 0, st = 0; k <= wl; k++)
			if (k == wl || w[k] == ' ') {
				r = add_found(l, STORE_HOSTAPD, w + st, k - st, from, no);
				if (r < 0)
					return r;
				st = k + 1;
			}
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		i = first;
		seen = false;
		while ((i = skip_blanks(s, i, len)) < len && s[i] != '#') {
			word_at(s, &i, len, &w, &wl);
			if (!wl) {
				i++;
				continue;
			}
			if (!seen) {
				seen = word_is(w, wl, "hostapd");
				continue;
			}
			if (w[0] == ';' || w[0] == '|' || w[0] == '&')
				break;
			if (w[0] == '-') {
				bg |= wl == 2 && w[1] == 'B';
				/* Options with an argument: skip it. */
				if (wl == 2 && strchr("PefgGi", w[1])) {
					i = skip_blanks(s, i, len);
					word_at(s, &i, len, &w, &wl);
				}
				continue;
			}
			if (pass == 1 && bg) {
				r = add_found(l, STORE_HOSTAPD, w, wl, from, no);
				if (r < 0)
					return r;
			}
		}
		if (!bg)
			break;
	}
	return 0;
}

typedef int (*scan_fn)(struct found_list *l, const char *from, unsigned no, const char *s, size_t len);

static int scan_file(struct found_list *l, const char *path, scan_fn fn)
{
	_cleanup_free_ char *data = NULL;
	size_t size, pos = 0;
	unsigned no = 0;
	int r;

	if (rooted_read(l->root, path, STORE_FILE_MAX, &data, &size) < 0)
		return 0;	/* absent or unreadable: nothing found through it */
	while (pos < size) {
		const char *line = data + pos, *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;

		no++;
		if (len && line[len - 1] == '\r')
			len--;
		if (len < STORE_LINE_MAX && !memchr(line, '\0', len)) {
			r = fn(l, path, no, line, len);
			if (r < 0)
				return r;
		}
		pos += nl ? len + 1 + (line[len] == '\r') : size - pos;
	}
	return 0;
}

static int scan_files(struct found_list *l, const char *dir, const char *suffix, scan_fn fn)
{
	char **names;
	size_t n;
	int r;

	r = list_files(l->root, dir, suffix, &names, &n);
	for (size_t i = 0; i < n && r >= 0; i++)
		r = scan_file(l, names[i], fn);
	strv_free_n(names, n);
	return r;
}

int audit_discover(const char *root, struct audit_found **out, size_t *n)
{
	struct found_list l = { .root = root };
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(usual_stores) && r >= 0; i++)
		r = add_found(&l, usual_stores[i].type, usual_stores[i].path,
			      strlen(usual_stores[i].path), NULL, 0);
	if (r >= 0)
		r = scan_file(&l, "/etc/lighttpd/lighttpd.conf", scan_lighttpd);
	if (r >= 0)
		r = scan_files(&l, "/etc/lighttpd/conf-enabled", ".conf", scan_lighttpd);
	if (r >= 0)
		r = scan_files(&l, "/etc/lighttpd/conf.d", ".conf", scan_lighttpd);
	if (r >= 0)
		r = scan_file(&l, "/etc/mosquitto/mosquitto.conf", scan_mosquitto);
	if (r >= 0)
		r = scan_files(&l, "/etc/mosquitto/conf.d", ".conf", scan_mosquitto);
	if (r >= 0)
		r = scan_file(&l, "/etc/default/hostapd", scan_hostapd);
	if (r >= 0)
		r = scan_file(&l, "/etc/inittab", scan_hostapd);
	if (r >= 0)
		r = scan_file(&l, "/etc/rc.local", scan_hostapd);
	if (r >= 0)
		r = scan_files(&l, INIT_DIR, "", scan_hostapd);
	if (r < 0) {
		audit_found_free(l.v, l.n);
		return r;
	}
	/* Usual paths that are absent are not worth a line. */
	for (size_t i = 0, k = 0; i <= l.n; i++) {
		if (i == l.n) {
			l.n = k;
			break;
		}
		if (!l.v[i].exists && !l.v[i].from) {
			free((char *)l.v[i].spec.path);
			free(l.v[i].why);
			continue;
		}
		l.v[k++] = l.v[i];
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

void audit_found_free(struct audit_found *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free((char *)v[i].spec.path);
		free(v[i].why);
		free(v[i].from);
	}
	free(v);
}
