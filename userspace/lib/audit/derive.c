// SPDX-License-Identifier: MIT
#include "audit/derive.h"
#include "base/util.h"

#include <ctype.h>
#include <dirent.h>

static const char *const devid_names[_DEVID_MAX] = {
	[DEVID_MAC] = "mac",
	[DEVID_SERIAL] = "serial",
	[DEVID_HOSTNAME] = "hostname",
	[DEVID_MODEL] = "model",
	[DEVID_SSID] = "ssid",
};

/* Values firmware puts where it has nothing to say. */
static const char *const placeholders[] = {
	"to be filled by o.e.m.", "default string", "not specified", "none",
	"system serial number", "system product name", "0123456789", "localhost",
	"(none)", "unknown", "00:00:00:00:00:00",
};

const char *device_id_kind_name(enum device_id_kind kind)
{
	return (unsigned)kind < _DEVID_MAX ? devid_names[kind] : "?";
}

int device_id_kind_from_name(const char *name, enum device_id_kind *out)
{
	for (unsigned i = 0; i < _DEVID_MAX; i++)
		if (!strcmp(devid_names[i], name)) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

static bool is_placeholder(const char *v)
{
	if (strlen(v) < 3)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(placeholders); i++)
		if (!strcasecmp(v, placeholders[i]))
			return true;
	return false;
}

int device_ids_add(struct device_ids *ids, enum device_id_kind kind, const char *value,
		   const char *source)
{
	_cleanup_free_ char *v = strdup(value);
	struct device_id *n;
	size_t len;

	if (!v)
		return -ENOMEM;
	/* Device tree strings end in NUL, sysfs ones in LF: take the text. */
	len = strcspn(v, "\n\r");
	v[len] = '\0';
	strstrip_trailing(v);
	if (is_placeholder(v))
		return 0;
	for (size_t i = 0; i < ids->n; i++)
		if (ids->v[i].kind == kind && !strcmp(ids->v[i].value, v))
			return 0;
	n = reallocarray(ids->v, ids->n + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	ids->v = n;
	n[ids->n] = (struct device_id){ .kind = kind, .source = strdup(source) };
	if (!n[ids->n].source)
		return -ENOMEM;
	n[ids->n].value = TAKE_PTR(v);
	ids->n++;
	return 0;
}

int device_ids_add_arg(struct device_ids *ids, const char *arg)
{
	_cleanup_free_ char *key = NULL;
	const char *eq = strchr(arg, '=');
	enum device_id_kind kind;

	if (!eq || eq == arg || !eq[1])
		return -EINVAL;
	key = strndup(arg, (size_t)(eq - arg));
	if (!key)
		return -ENOMEM;
	if (device_id_kind_from_name(key, &kind) < 0)
		return -EINVAL;
	return device_ids_add(ids, kind, eq + 1, "--device-id");
}

void device_ids_clear(struct device_ids *ids)
{
	for (size_t i = 0; i < ids->n; i++) {
		free(ids->v[i].value);
		free(ids->v[i].source);
	}
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

static int add_from_file(struct device_ids *ids, enum device_id_kind kind,
			 const char *root, const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t size;

	if (rooted_read(root, path, 4096, &data, &size) < 0)
		return 0;	/* identifiers are best effort */
	return device_ids_add(ids, kind, data, path);
}

/* hostapd.conf: "ssid=NAME" lines. */
static int add_hostapd_ssid(struct device_ids *ids, const char *root)
{
	_cleanup_free_ char *data = NULL;
	size_t size;
	char *save = NULL;

	if (rooted_read(root, "/etc/hostapd/hostapd.conf", 1 << 20, &data, &size) < 0)
		return 0;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, "ssid=", 5)) {
			int r = device_ids_add(ids, DEVID_SSID, l + 5, "/etc/hostapd/hostapd.conf");

			if (r < 0)
				return r;
		}
	return 0;
}

int device_ids_probe_tree(struct device_ids *ids, const char *root)
{
	int r = add_from_file(ids, DEVID_HOSTNAME, root, "/etc/hostname");

	return r < 0 ? r : add_hostapd_ssid(ids, root);
}

int device_ids_probe_live(struct device_ids *ids)
{
	static const struct {
		enum device_id_kind kind;
		const char *path;
	} files[] = {
		{ DEVID_SERIAL, "/proc/device-tree/serial-number" },
		{ DEVID_SERIAL, "/sys/class/dmi/id/product_serial" },
		{ DEVID_SERIAL, "/sys/class/dmi/id/board_serial" },
		{ DEVID_SERIAL, "/sys/class/dmi/id/chassis_serial" },
		{ DEVID_MODEL, "/proc/device-tree/model" },
		{ DEVID_MODEL, "/sys/class/dmi/id/product_name" },
		{ DEVID_HOSTNAME, "/proc/sys/kernel/hostname" },
	};
	struct dirent *de;
	DIR *dh;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		r = add_from_file(ids, files[i].kind, NULL, files[i].path);
		if (r < 0)
			return r;
	}
	dh = opendir("/sys/class/net");
	if (dh) {
		while ((de = readdir(dh))) {
			_cleanup_free_ char *path = NULL, *data = NULL;
			size_t size;

			if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo"))
				continue;
			if (asprintf(&path, "/sys/class/net/%s/address", de->d_name) < 0) {
				closedir(dh);
				return -ENOMEM;
			}
			if (rooted_read(NULL, path, 4096, &data, &size) < 0)
				continue;
			r = device_ids_add(ids, DEVID_MAC, data, de->d_name);
			if (r < 0) {
				closedir(dh);
				return r;
			}
		}
		closedir(dh);
	}
	return add_hostapd_ssid(ids, NULL);
}

/* Generation of candidates. */

struct derive_ctx {
	struct dict *d;
	char origin[160];
};

static int emit(struct derive_ctx *c, const char *pw)
{
	if (!*pw)
		return 0;
	return dict_add(c->d, CAND_DERIVED, pw, c->origin, false) < 0 ? -ENOMEM : 0;
}

static void case_copy(char *dst, const char *src, size_t n, int (*f)(int))
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		dst[i] = (char)f((unsigned char)src[i]);
	dst[i] = '\0';
}

static const char *const prefixes[] = { "admin", "Admin", "root", "pass", "admin-", "admin_" };
static const char *const suffixes[] = { "!", "1", "@123" };

/* A compact form (no separators) and its affixed variants, in both cases. */
static int emit_compact(struct derive_ctx *c, const char *form)
{
	char lo[256], up[256], buf[320];
	const char *cases[2] = { lo, up };
	int r;

	case_copy(lo, form, sizeof(lo) - 1, tolower);
	case_copy(up, form, sizeof(up) - 1, toupper);
	for (int k = 0; k < 2; k++) {
		r = emit(c, cases[k]);
		for (size_t i = 0; r == 0 && i < ARRAY_SIZE(prefixes); i++) {
			snprintf(buf, sizeof(buf), "%s%s", prefixes[i], cases[k]);
			r = emit(c, buf);
		}
		for (size_t i = 0; r == 0 && i < ARRAY_SIZE(suffixes); i++) {
			snprintf(buf, sizeof(buf), "%s%s", cases[k], suffixes[i]);
			r = emit(c, buf);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int emit_tails(struct derive_ctx *c, const char *compact)
{
	static const size_t tails[] = { 4, 6, 8 };
	size_t len = strlen(compact);
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		const char *t;
		bool hex = true;

		if (len <= tails[i])
			continue;
		t = compact + len - tails[i];
		for (const char *p = t; *p; p++)
			hex = hex && isxdigit((unsigned char)*p);
		if (!hex)
			continue;
		r = emit_compact(c, t);
		if (r < 0)
			return r;
	}
	return 0;
}

static int derive_mac(struct derive_ctx *c, const char *mac)
{
	char hex[13], buf[32];
	size_t n = 0;
	int r;

	for (const char *p = mac; *p; p++) {
		if (isxdigit((unsigned char)*p)) {
			if (n == 12)
				return 0;
			hex[n++] = (char)tolower((unsigned char)*p);
		} else if (*p != ':' && *p != '-' && *p != '.') {
			return 0;
		}
	}
	if (n != 12)
		return 0;
	hex[12] = '\0';
	for (int sep = 0; sep < 2; sep++) {
		for (int k = 0; k < 2; k++) {
			char *q = buf;

			for (int i = 0; i < 6; i++) {
				if (i)
					*q++ = sep ? '-' : ':';
				*q++ = (char)(k ? toupper(hex[2 * i]) : hex[2 * i]);
				*q++ = (char)(k ? toupper(hex[2 * i + 1]) : hex[2 * i + 1]);
			}
			*q = '\0';
			r = emit(c, buf);
			if (r < 0)
				return r;
		}
	}
	r = emit_compact(c, hex);
	return r < 0 ? r : emit_tails(c, hex);
}

static int derive_text(struct derive_ctx *c, const char *v)
{
	char compact[256];
	size_t n = 0;
	int r;

	r = emit(c, v);
	if (r < 0)
		return r;
	for (const char *p = v; *p && n < sizeof(compact) - 1; p++)
		if (isalnum((unsigned char)*p))
			compact[n++] = *p;
	compact[n] = '\0';
	if (n < 3)
		return 0;
	r = emit_compact(c, compact);
	return r < 0 ? r : emit_tails(c, compact);
}

int derive_add_candidates(struct dict *d, const struct device_ids *ids)
{
	struct derive_ctx c = { .d = d };

	for (size_t i = 0; i < ids->n; i++) {
		const struct device_id *id = &ids->v[i];
		int r;

		snprintf(c.origin, sizeof(c.origin), "%s (%s)", device_id_kind_name(id->kind),
			 id->source);
		r = id->kind == DEVID_MAC ? derive_mac(&c, id->value) : derive_text(&c, id->value);
		if (r < 0)
			return r;
	}
	return 0;
}
