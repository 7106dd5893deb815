// SPDX-License-Identifier: MIT
/* Support period and disclosure metadata: sources, validation, floor. */
#include "config/metadata.h"
#include "base/rooted.h"
#include "base/util.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

/* ---- validation ------------------------------------------------------- */

static bool is_uri_char(unsigned char ch)
{
	/* RFC 3986 unreserved, reserved and '%': printable ASCII minus
	 * blanks, quotes, angle brackets and a few others. */
	return ch > 0x20 && ch < 0x7f && !strchr("\"<>\\^`{|}", ch);
}

static bool host_valid(const char *s, size_t len)
{
	size_t label = 0;
	bool dot = false;

	if (!len || len > 253 || s[0] == '.' || s[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			dot = true;
			continue;
		}
		if (!isalnum(ch) && ch != '-')
			return false;
		if (ch == '-' && !label)
			return false;
		if (++label > 63)
			return false;
	}
	return dot;
}

bool cg_https_url_valid(const char *s, const char **why)
{
	const char *host, *end;

	if (strncmp(s, "https://", 8)) {
		*why = "must be an https:// URL (RFC 9116 requires https for web URIs)";
		return false;
	}
	if (strlen(s) > 1024) {
		*why = "is longer than 1024 characters";
		return false;
	}
	for (const char *p = s; *p; p++) {
		if (!is_uri_char((unsigned char)*p)) {
			*why = "contains a character not allowed in a URI (blank, quote, control ...)";
			return false;
		}
	}
	host = s + 8;
	end = host + strcspn(host, ":/?#");
	if (!host_valid(host, (size_t)(end - host))) {
		*why = "does not name a valid host (e.g. https://example.com/security)";
		return false;
	}
	if (*end == ':') {
		unsigned long port = 0;
		const char *p = end + 1;

		if (!isdigit((unsigned char)*p)) {
			*why = "has a bad port number";
			return false;
		}
		for (; isdigit((unsigned char)*p); p++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (port == 0 || port > 65535 || (*p && *p != '/' && *p != '?' && *p != '#')) {
			*why = "has a bad port number";
			return false;
		}
	}
	return true;
}

static bool mailto_valid(const char *addr, const char **why)
{
	const char *at = strchr(addr, '@');
	size_t hlen;

	*why = "is not a valid mailto: address (e.g. mailto:security@example.com)";
	if (!at || at == addr || strchr(at + 1, '@'))
		return false;
	for (const char *p = addr; p < at; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".!#$%&'*+/=?^_~-", *p))
			return false;
	hlen = strcspn(at + 1, "?");
	if (!host_valid(at + 1, hlen))
		return false;
	for (const char *p = at + 1 + hlen; *p; p++)
		if (!is_uri_char((unsigned char)*p))
			return false;
	return true;
}

static bool tel_valid(const char *num, const char **why)
{
	int digits = 0;

	*why = "is not a global telephone number (RFC 3966, e.g. tel:+44-20-7946-0000)";
	if (*num != '+')
		return false;
	for (const char *p = num + 1; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr("-.()", *p))
			return false;
	}
	return digits >= 3 && digits <= 15;
}

bool cg_contact_uri_valid(const char *s, const char **why)
{
	if (strlen(s) > 1024) {
		*why = "is longer than 1024 characters";
		return false;
	}
	if (!strncmp(s, "mailto:", 7))
		return mailto_valid(s + 7, why);
	if (!strncmp(s, "tel:", 4))
		return tel_valid(s + 4, why);
	if (!strncmp(s, "https:", 6) || !strncmp(s, "http:", 5))
		return cg_https_url_valid(s, why);
	*why = "must be a mailto:, https:// or tel: URI (RFC 9116 Contact)";
	return false;
}

bool cg_language_tag_valid(const char *s, const char **why)
{
	size_t n = 0;
	bool first = true;

	*why = "is not an RFC 5646 language tag (e.g. en, de, pt-BR)";
	for (const char *p = s;; p++) {
		if (*p == '-' || !*p) {
			if (!n || n > 8 || (first && n < 2))
				return false;
			if (!*p)
				return true;
			first = false;
			n = 0;
			continue;
		}
		if (first ? !isalpha((unsigned char)*p) : !isalnum((unsigned char)*p))
			return false;
		n++;
	}
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned int m, unsigned int d)
{
	long era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

int cg_date_parse(const char *s, long *day)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned int y, m, d;

	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;

		if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return -EINVAL;
	}
	if (s[10])
		return -EINVAL;
	y = (unsigned int)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
	m = (unsigned int)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned int)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -EINVAL;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -EINVAL;
	if (day)
		*day = days_from_civil(y, m, d);
	return 0;
}

long cg_day_of(time_t t)
{
	return (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

/* ---- os-release ------------------------------------------------------- */

/* Unquote an os-release value in place (shell-like: "..." with \ escapes,
 * '...' literal, or bare).  Returns NULL if the quoting is broken. */
static char *os_release_unquote(char *v)
{
	char q = *v, *out = v;

	if (q != '"' && q != '\'')
		return strstrip_trailing(v);
	for (char *p = v + 1; *p; p++) {
		if (*p == q) {
			*out = '\0';
			return p[1] && !isspace((unsigned char)p[1]) ? NULL : v;
		}
		if (q == '"' && *p == '\\' && p[1] && strchr("\"\\$`", p[1]))
			p++;
		*out++ = *p;
	}
	return NULL;
}

static const char *const os_release_paths[] = { "/etc/os-release", "/usr/lib/os-release" };

static int os_release_parse(struct cg_os_release *os, const char *path, char *text);

int cg_os_release_load(struct cg_os_release *os, const char *path)
{
	_cleanup_free_ char *text = NULL;
	int r = -ENOENT;

	memset(os, 0, sizeof(*os));
	if (path) {
		r = read_file(path, 64 * 1024, &text, NULL);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(os_release_paths) && r == -ENOENT; i++) {
			r = read_file(os_release_paths[i], 64 * 1024, &text, NULL);
			path = os_release_paths[i];
		}
	}
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return log_error_errno(r, "cannot read %s: %m", path);
	return os_release_parse(os, path, text);
}

int cg_os_release_load_rooted(struct cg_os_release *os, const char *root)
{
	_cleanup_free_ char *text = NULL, *shown = NULL;
	const char *path = NULL;
	int r = -ENOENT;

	if (root_is_host(root))
		return cg_os_release_load(os, NULL);
	memset(os, 0, sizeof(*os));
	for (size_t i = 0; i < ARRAY_SIZE(os_release_paths) && r == -ENOENT; i++) {
		path = os_release_paths[i];
		r = rooted_read(root, path, 64 * 1024, &text, NULL);
	}
	if (r == -ENOENT)
		return 0;
	if (asprintf(&shown, "%s%s", root, path) < 0)
		return -ENOMEM;
	if (r < 0)
		return log_error_errno(r, "cannot read %s: %m", shown);
	return os_release_parse(os, shown, text);
}

static int os_release_parse(struct cg_os_release *os, const char *path, char *text)
{
	unsigned int line = 0;

	os->path = strdup(path);
	if (!os->path)
		return -ENOMEM;

	/* strtok_r skips empty lines, so count newlines by hand. */
	for (char *l = text, *next; l; l = next) {
		static const struct { const char *key; size_t off; } keys[] = {
#define K(k, f) { k, offsetof(struct cg_os_release, f) }
			K("NAME", name), K("VERSION_ID", version_id),
			K("IMAGE_VERSION", image_version), K("VENDOR_NAME", vendor_name),
			K("VENDOR_URL", vendor_url), K("SUPPORT_URL", support_url),
			K("BUG_REPORT_URL", bug_report_url), K("SUPPORT_END", support_end),
#undef K
		};
		char *eq, *v;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		line++;
		while (isspace((unsigned char)*l))
			l++;
		if (!*l || *l == '#' || !(eq = strchr(l, '=')))
			continue;
		*eq = '\0';
		v = os_release_unquote(eq + 1);
		if (!v) {
			log_warning("%s:%u: %s: broken quoting, ignored", path, line, l);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			char **dst = (char **)((char *)os + keys[i].off);

			if (strcmp(l, keys[i].key))
				continue;
			free(*dst);
			*dst = strdup(v);
			if (!*dst)
				return -ENOMEM;
			if (dst == &os->support_end)
				os->support_end_line = line;
		}
	}
	return 0;
}

void cg_os_release_free(struct cg_os_release *os)
{
	free(os->name);
	free(os->version_id);
	free(os->image_version);
	free(os->vendor_name);
	free(os->vendor_url);
	free(os->support_url);
	free(os->bug_report_url);
	free(os->support_end);
	free(os->path);
	memset(os, 0, sizeof(*os));
}

/* ---- merge ------------------------------------------------------------ */

static int dup_first(char **dst, const char *a, const char *b, const char *c)
{
	const char *v = a && *a ? a : b && *b ? b : c && *c ? c : NULL;

	*dst = NULL;
	if (!v)
		return 0;
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int strv_dup(char ***dst, size_t *n, char *const *src, size_t count)
{
	*n = 0;
	*dst = calloc(count + 1, sizeof(char *));
	if (!*dst)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		(*dst)[i] = strdup(src[i]);
		if (!(*dst)[i])
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}

/* An os-release URL that fails validation is not published: warn. */
static const char *os_url(const struct cg_os_release *os, const char *key, const char *v)
{
	const char *why;

	if (!v || !*v)
		return NULL;
	if (cg_https_url_valid(v, &why))
		return v;
	log_warning("%s: %s=%s %s; not published", os->path, key, v, why);
	return NULL;
}

static int set_support_end(struct cg_metadata *md, const char *date, const char *file,
			   unsigned int line)
{
	char origin[PATH_MAX + 16];

	if (cg_date_parse(date, &md->support_end_day) < 0)
		return -EINVAL;
	free(md->support_end);
	free(md->support_end_origin);
	snprintf(origin, sizeof(origin), "%s:%u", file, line);
	md->support_end = strdup(date);
	md->support_end_origin = strdup(origin);
	return md->support_end && md->support_end_origin ? 0 : -ENOMEM;
}

int cg_metadata_build(struct cg_metadata *md, const struct cg_config *c,
		      const struct cg_os_release *os)
{
	const struct cg_product *p = &c->product;
	const char *os_support = os_url(os, "SUPPORT_URL", os->support_url);
	const char *os_vendor = os_url(os, "VENDOR_URL", os->vendor_url);
	const char *os_bug = os_url(os, "BUG_REPORT_URL", os->bug_report_url);
	int r = 0;

	memset(md, 0, sizeof(*md));
	md->acknowledgement_days = p->acknowledgement_days;
	md->status_update_days = p->status_update_days;
	r |= dup_first(&md->vendor, p->manufacturer, os->vendor_name, NULL);
	r |= dup_first(&md->product, p->name, os->name, NULL);
	r |= dup_first(&md->model, p->model, NULL, NULL);
	r |= dup_first(&md->hardware_version, p->hardware_version, NULL, NULL);
	r |= dup_first(&md->firmware_version, p->firmware_version, os->image_version,
		       os->version_id);
	r |= dup_first(&md->support_url, p->support_url, os_support, os_vendor);
	r |= dup_first(&md->policy_url, p->policy_url, NULL, NULL);
	r |= dup_first(&md->encryption_url, p->encryption_url, NULL, NULL);
	r |= dup_first(&md->compliance_url, p->compliance_url, NULL, NULL);
	r |= dup_first(&md->sbom_url, p->sbom_url, NULL, NULL);
	r |= strv_dup(&md->preferred_languages, &md->n_preferred_languages,
		      p->preferred_languages, p->n_preferred_languages);
	if (p->n_contacts)
		r |= strv_dup(&md->contacts, &md->n_contacts, p->contacts, p->n_contacts);
	else
		/* BUG_REPORT_URL is where the OS vendor takes reports. */
		r |= strv_dup(&md->contacts, &md->n_contacts, (char **)&os_bug, os_bug ? 1 : 0);
	if (r)
		return -ENOMEM;

	if (p->support_end) {
		r = set_support_end(md, p->support_end, p->support_end_origin.file,
				    p->support_end_origin.line);
	} else if (os->support_end && *os->support_end) {
		r = set_support_end(md, os->support_end, os->path, os->support_end_line);
		if (r == -EINVAL) {
			log_warning("%s:%u: SUPPORT_END=%s is not an ISO 8601 date YYYY-MM-DD; ignored",
				os->path, os->support_end_line, os->support_end);
			r = 0;
		}
	}
	return r;
}

void cg_metadata_free(struct cg_metadata *md)
{
	for (size_t i = 0; i < md->n_contacts; i++)
		free(md->contacts[i]);
	for (size_t i = 0; i < md->n_preferred_languages; i++)
		free(md->preferred_languages[i]);
	free(md->contacts);
	free(md->preferred_languages);
	free(md->vendor);
	free(md->product);
	free(md->model);
	free(md->hardware_version);
	free(md->firmware_version);
	free(md->support_url);
	free(md->support_end);
	free(md->support_end_origin);
	free(md->policy_url);
	free(md->encryption_url);
	free(md->compliance_url);
	free(md->sbom_url);
	memset(md, 0, sizeof(*md));
}

/* ---- the support end never moves earlier ------------------------------ */

static int write_file_atomic(int dirfd, const char *name, const char *text)
{
	char tmp[64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		int r = errno ? -errno : -EIO;

		unlinkat(dirfd, tmp, 0);
		return r;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int r = -errno;

		unlinkat(dirfd, tmp, 0);
		return r;
	}
	return fsync(dirfd) < 0 ? -errno : 0;
}

int cg_metadata_apply_floor(struct cg_metadata *md, const char *state_dir, bool persist)
{
	_cleanup_close_ int dirfd = -1;
	_cleanup_close_ int fd = -1;
	char stored[32] = "", path[PATH_MAX];
	long stored_day;
	ssize_t n;
	int r;

	snprintf(path, sizeof(path), "%s/%s", state_dir, CG_SUPPORT_END_FILE);
	if (persist && mkdir(state_dir, 0755) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create state directory %s: %m", state_dir);
	dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT && !persist)
			return 0;
		return log_error_errno(errno, "cannot open state directory %s: %m", state_dir);
	}
	fd = openat(dirfd, CG_SUPPORT_END_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno != ENOENT)
		return log_error_errno(errno, "cannot read %s: %m", path);
	if (fd >= 0) {
		n = read(fd, stored, sizeof(stored) - 1);
		stored[n > 0 ? n : 0] = '\0';
		strstrip_trailing(stored);
		if (cg_date_parse(stored, &stored_day) < 0) {
			log_warning("%s: '%s' is not a YYYY-MM-DD date; it will be replaced", path, stored);
			stored[0] = '\0';
		}
	}

	if (*stored && (!md->support_end || md->support_end_day < stored_day)) {
		if (md->support_end)
			log_error_errno(EINVAL, "%s: support end %s is earlier than %s, which this device already published (%s); "
			       "a support period may be extended, never shortened: keeping %s",
			       md->support_end_origin, md->support_end, stored, path, stored);
		else
			log_warning("no support end configured; keeping %s, which this device already published (%s)",
				stored, path);
		r = set_support_end(md, stored, path, 1);
		if (r < 0)
			return r;
		return md->support_end ? 1 : 0;
	}
	if (persist && md->support_end && strcmp(stored, md->support_end)) {
		char text[16];

		snprintf(text, sizeof(text), "%s\n", md->support_end);
		r = write_file_atomic(dirfd, CG_SUPPORT_END_FILE, text);
		if (r < 0)
			return log_error_errno(r, "cannot record support end in %s: %m", path);
	}
	return 0;
}

int cg_metadata_load(struct cg_metadata *md, const struct cg_config *c,
		     const char *os_release, const char *state_dir, bool persist)
{
	struct cg_os_release os;
	int r;

	memset(md, 0, sizeof(*md));
	r = cg_os_release_load(&os, os_release);
	if (r == 0)
		r = cg_metadata_build(md, c, &os);
	cg_os_release_free(&os);
	if (r < 0) {
		cg_metadata_free(md);
		return r;
	}
	if (cg_metadata_apply_floor(md, state_dir, persist) < 0)
		log_warning("the published support end cannot be checked against %s; serving %s",
			state_dir, md->support_end ? md->support_end : "none");
	return 0;
}

/* ---- published forms -------------------------------------------------- */

void cg_metadata_support_state(const struct cg_metadata *md, time_t now,
			       bool *supported, long *days_left)
{
	long today = cg_day_of(now);

	if (!md->support_end) {
		*supported = false;
		*days_left = 0;
		return;
	}
	*days_left = md->support_end_day - today;
	*supported = *days_left >= 0;
}

static json_object *json_str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static json_object *json_strv(char *const *v, size_t n)
{
	json_object *a = json_object_new_array_ext((int)n);

	for (size_t i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

json_object *cg_metadata_support_json(const struct cg_metadata *md, time_t now)
{
	json_object *o = json_object_new_object();
	bool supported;
	long days_left;

	if (!o)
		return NULL;
	cg_metadata_support_state(md, now, &supported, &days_left);
	json_object_object_add(o, "support_end", json_str(md->support_end));
	json_object_object_add(o, "supported", json_object_new_boolean(supported));
	json_object_object_add(o, "days_left", json_object_new_int64(days_left));
	json_object_object_add(o, "vendor", json_str(md->vendor));
	json_object_object_add(o, "product", json_str(md->product));
	json_object_object_add(o, "model", json_str(md->model));
	json_object_object_add(o, "firmware_version", json_str(md->firmware_version));
	json_object_object_add(o, "support_url", json_str(md->support_url));
	/* Optional extensions (declared ?type in the interface). */
	if (md->hardware_version)
		json_object_object_add(o, "hardware_version", json_str(md->hardware_version));
	if (md->compliance_url)
		json_object_object_add(o, "compliance_url", json_str(md->compliance_url));
	if (md->sbom_url)
		json_object_object_add(o, "sbom_url", json_str(md->sbom_url));
	return o;
}

json_object *cg_metadata_disclosure_json(const struct cg_metadata *md, time_t now)
{
	json_object *o = json_object_new_object();
	_cleanup_free_ char *txt = NULL;

	if (!o)
		return NULL;
	cg_metadata_security_txt(md, now, &txt);
	json_object_object_add(o, "contacts", json_strv(md->contacts, md->n_contacts));
	if (md->policy_url)
		json_object_object_add(o, "policy", json_str(md->policy_url));
	if (md->acknowledgement_days >= 0)
		json_object_object_add(o, "acknowledgement_days",
				       json_object_new_int(md->acknowledgement_days));
	if (md->status_update_days >= 0)
		json_object_object_add(o, "status_update_days",
				       json_object_new_int(md->status_update_days));
	json_object_object_add(o, "preferred_languages",
			       json_strv(md->preferred_languages, md->n_preferred_languages));
	json_object_object_add(o, "security_txt", json_str(txt));
	return o;
}

struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		if (GREEDY_REALLOC(b->s, b->cap, b->len + (size_t)n + 1) < 0) {
			b->oom = true;
			return;
		}
	}
}

int cg_metadata_security_txt(const struct cg_metadata *md, time_t now, char **out)
{
	struct strbuf b = { 0 };
	time_t expires = now + (time_t)CG_SECURITY_TXT_LIFETIME_DAYS * 86400;
	struct tm tm;
	char date[32];

	*out = NULL;
	if (!md->n_contacts)
		return -ENODATA;
	gmtime_r(&expires, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);

	sb_printf(&b, "# Vulnerability disclosure contact of %s%s%s%s%s (RFC 9116)\n",
		  md->vendor ? md->vendor : "this device", md->product ? " " : "",
		  md->product ? md->product : "", md->model ? " " : "",
		  md->model ? md->model : "");
	if (md->acknowledgement_days >= 0)
		sb_printf(&b, "# Reports are acknowledged within %d days.\n",
			  md->acknowledgement_days);
	if (md->status_update_days >= 0)
		sb_printf(&b, "# Reporters get a status update at least every %d days.\n",
			  md->status_update_days);
	for (size_t i = 0; i < md->n_contacts; i++)
		sb_printf(&b, "Contact: %s\n", md->contacts[i]);
	sb_printf(&b, "Expires: %s\n", date);
	if (md->encryption_url)
		sb_printf(&b, "Encryption: %s\n", md->encryption_url);
	if (md->policy_url)
		sb_printf(&b, "Policy: %s\n", md->policy_url);
	if (md->n_preferred_languages) {
		sb_printf(&b, "Preferred-Languages: ");
		for (size_t i = 0; i < md->n_preferred_languages; i++)
			sb_printf(&b, "%s%s", i ? ", " : "", md->preferred_languages[i]);
		sb_printf(&b, "\n");
	}
	if (b.oom) {
		free(b.s);
		return -ENOMEM;
	}
	*out = b.s;
	return 0;
}
