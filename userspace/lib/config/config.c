// SPDX-License-Identifier: MIT
/*
 * credgate.conf parser.  inih splits the file into (section, key, value);
 * this file owns the meaning of every key, in one table (conf_items
 * below): the sections, the keys, how each value is parsed and where it
 * goes, which keys are lists, and the "known: ..." lists of the messages
 * all come from it.  inih is built without line numbers in the handler, so
 * the line reader below counts lines itself.
 */
#include "config/config.h"
#include "store/store.h"
#include "config/metadata.h"
#include "base/rooted.h"
#include "base/util.h"

#include <ini.h>
#include <limits.h>
#include <stddef.h>

#include <credgate/policy.h>

#define CG_CONFIG_MAX_SIZE	(1024 * 1024)


static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int config_init(struct cg_config *c)
{
	static const uint16_t default_udp[] = CREDGATE_DEFAULT_ALLOW_UDP;
	static const struct { const char *type, *path; } default_stores[] = {
		{ "shadow", "/etc/shadow" },
		{ "passwd", "/etc/passwd" },
		{ "gshadow", "/etc/gshadow" },
	};

	memset(c, 0, sizeof(*c));
	c->gate.backend = CG_BACKEND_AUTO;
	c->gate.mode = CREDGATE_MODE_ENFORCE;
	c->gate.allow_ports = calloc(ARRAY_SIZE(default_udp), sizeof(*c->gate.allow_ports));
	if (!c->gate.allow_ports)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(default_udp); i++)
		c->gate.allow_ports[i] = CG_ALLOW_ENTRY(CREDGATE_PROTO_UDP, default_udp[i]);
	c->gate.n_allow_ports = ARRAY_SIZE(default_udp);

	c->audit.stores = calloc(ARRAY_SIZE(default_stores), sizeof(*c->audit.stores));
	if (!c->audit.stores)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(default_stores); i++) {
		c->audit.stores[i].type = strdup(default_stores[i].type);
		c->audit.stores[i].path = strdup(default_stores[i].path);
		c->audit.n_stores++;
		if (!c->audit.stores[i].type || !c->audit.stores[i].path)
			return -ENOMEM;
	}
	c->audit.depth = CG_DEPTH_FULL;
	/* Every password on the device: web UIs, SNMP, Wi-Fi, MQTT, Samba. */
	c->audit.discover = true;
	/* Every verdict but ok and locked keeps the gate closed. */
	c->audit.close_on = ((1u << _CG_VERDICT_MAX) - 1) &
			    ~((1u << CG_VERDICT_OK) | (1u << CG_VERDICT_LOCKED));
	c->audit.max_store_size = 16ul << 20;
	c->audit.max_accounts = 100000;
	c->audit.max_words = 100000;
	c->audit.time_limit = 0;
	c->audit.sequential_max = CG_SEQUENTIAL_MAX_DEFAULT;
	c->migration.first_boot = CG_POLICY_NONE;
	c->product.acknowledgement_days = -1;
	c->product.status_update_days = -1;
	c->varlink.socket = strdup(CG_VARLINK_SOCKET);
	c->varlink.max_clients = 64;
	c->varlink.max_clients_per_user = 8;
	c->varlink.idle_timeout = 60;
	c->agent.user = strdup(CG_AGENT_USER);
	c->agent.restart_refused = true;
	c->agent.gate_opened_dir = strdup(CG_GATE_OPENED_DIR);
	c->agent.systemctl = strdup(CG_SYSTEMCTL);
	return c->varlink.socket && c->agent.user && c->agent.gate_opened_dir &&
	       c->agent.systemctl ? 0 : -ENOMEM;
}

void cg_config_free(struct cg_config *c)
{
	struct cg_product *p = &c->product;

	free(c->path);
	free(c->gate.allow_ports);
	for (size_t i = 0; i < c->audit.n_stores; i++) {
		free(c->audit.stores[i].type);
		free(c->audit.stores[i].path);
	}
	free(c->audit.stores);
	free(p->name);
	free(p->manufacturer);
	free(p->model);
	free(p->hardware_version);
	free(p->firmware_version);
	free(p->support_end);
	free(p->support_url);
	strv_free(p->contacts, p->n_contacts);
	free(p->policy_url);
	free(p->encryption_url);
	strv_free(p->preferred_languages, p->n_preferred_languages);
	free(p->compliance_url);
	free(p->sbom_url);
	free(c->varlink.socket);
	free(c->varlink.status_group);
	free(c->agent.user);
	free(c->agent.gate_opened_dir);
	free(c->agent.systemctl);
	free(c->agent.prometheus_textfile);
	strv_free(c->migration.provisioned, c->migration.n_provisioned);
	free(c->migration.provision_product);
	memset(c, 0, sizeof(*c));
}

/* ---- parsing ---------------------------------------------------------- */

struct parse_ctx {
	struct cg_config *c;
	const char *name;		/* file name for messages */
	const char *pos;		/* reader position in the text */
	unsigned int line;		/* line the handler is looking at */
	unsigned int errors;
	bool *given;			/* per conf_items[] entry: seen in the file */
	bool first;			/* the line being parsed is its key's first */
};

__attribute__((format(printf, 2, 3)))
static int conf_error(struct parse_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error_errno(EINVAL, "%s:%u: %s", ctx->name, ctx->line, msg);
	ctx->errors++;
	return 1;	/* keep parsing: report every problem at once */
}

static bool section_known(const char *name, size_t len);
static const char *known_names(const char *section, const char *open, const char *close,
			       const char *last, char *buf, size_t size);

/* A section header names a known section; checked here because inih does
 * not call the handler for a section without keys. */
static void check_section_header(struct parse_ctx *ctx, const char *line)
{
	const char *end;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '[' || !(end = strchr(line, ']')))
		return;
	line++;
	if (!section_known(line, (size_t)(end - line))) {
		char known[256];

		conf_error(ctx, "unknown section [%.*s] (known: %s)", (int)(end - line), line,
			   known_names(NULL, "", "", ", ", known, sizeof(known)));
	}
}

/*
 * ini_reader: one line per call, so ctx->line is the line inih hands to
 * the handler next.  A line longer than inih's buffer is an error here
 * (inih would silently split it) and its tail is skipped.
 */
static char *conf_reader(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	const char *nl;
	size_t len, take;

	if (!*ctx->pos)
		return NULL;
	ctx->line++;
	nl = strchr(ctx->pos, '\n');
	len = nl ? (size_t)(nl - ctx->pos) + 1 : strlen(ctx->pos);
	take = len;
	if (take > (size_t)num - 1) {
		conf_error(ctx, "line longer than %d characters", num - 2);
		take = 0;	/* hand inih an empty line instead */
	}
	memcpy(str, ctx->pos, take);
	str[take] = '\0';
	ctx->pos += len;
	check_section_header(ctx, str);
	return str;
}

/*
 * The table.  Each parser gets the item, the value (empty only for
 * CONF_EMPTY_OK items) and
 * @data, the item's field in struct cg_config; it returns 0, 1 when it
 * reported a problem (conf_error()), or -ENOMEM.
 */
struct conf_item;
typedef int conf_parse_fn(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			  void *data);

enum {
	/* May be given again: every line adds to the list; the first one
	 * replaces the built-in default.  Other keys may be set once. */
	CONF_LIST = 1 << 0,
	/* An empty value is allowed and means "none" (the field is NULL). */
	CONF_EMPTY_OK = 1 << 1,
};

struct conf_item {
	const char *section;
	const char *key;
	conf_parse_fn *parse;
	unsigned int flags;		/* CONF_* */
	size_t offset;			/* of the field in struct cg_config */
	unsigned long min, max;		/* numbers: the range; text: the longest */
	const struct cg_names *names;	/* enums: the accepted names */
};

static int set_string(char **dst, const char *value)
{
	char *s = strdup(value);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* An enum field (int-sized, checked by CONF_ENUM) named by it->names. */
static int parse_enum(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		      void *data)
{
	int i = cg_from_name(it->names, value);

	if (i < 0) {
		char choices[256];

		return conf_error(ctx, "%s = '%s': expected one of %s", it->key, value,
				  cg_names_join(it->names, "|", choices, sizeof(choices)));
	}
	*(int *)data = i;
	return 0;
}

static int parse_bool(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		      void *data)
{
	bool *out = data;

	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
		*out = true;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
		*out = false;
	else
		return conf_error(ctx, "%s = '%s': expected yes or no", it->key, value);
	return 0;
}

static int parse_number(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			unsigned long *out)
{
	if (parse_uint(value, it->max, out) < 0 || *out < it->min)
		return conf_error(ctx, "%s = '%s': expected a whole number from %lu to %lu",
				  it->key, value, it->min, it->max);
	return 0;
}

static int parse_ulong(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		       void *data)
{
	unsigned long v;
	int r = parse_number(ctx, it, value, &v);

	if (r == 0)
		*(unsigned long *)data = v;
	return r;
}

/* An int field: it->max must fit (days, at most 3650). */
static int parse_int(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		     void *data)
{
	unsigned long v;
	int r = parse_number(ctx, it, value, &v);

	if (r == 0)
		*(int *)data = (int)v;
	return r;
}

/* Lists are separated by commas and/or blanks. */
#define LIST_SEP ", \t"

typedef int list_item_fn(struct parse_ctx *ctx, const struct conf_item *it, char *item,
			 void *data);

/* Call @fn for each item of the list @value; the first non-zero return ends it. */
static int parse_list(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		      list_item_fn *fn, void *data)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, LIST_SEP, &save); t; t = strtok_r(NULL, LIST_SEP, &save)) {
		int r = fn(ctx, it, t, data);

		if (r)
			return r;
	}
	return 0;
}

static int port_item(struct parse_ctx *ctx, const struct conf_item *it, char *t, void *data)
{
	struct cg_config *c = ctx->c;
	char *colon = strchr(t, ':');
	unsigned long port;
	uint32_t *np, e;
	int proto;
	size_t i;

	(void)data;
	if (!colon) {
		if (parse_uint(t, 65535, &port) == 0 && port > 0)
			return conf_error(ctx, "%s: '%s' names no protocol: entries are PROTO:PORT now; "
					  "write udp:%s (bind only, e.g. DHCP), tcp:%s or sctp:%s",
					  it->key, t, t, t, t);
		return conf_error(ctx, "%s: '%s' is not PROTO:PORT (udp, tcp or sctp; port 1-65535)",
				  it->key, t);
	}
	proto = credgate_proto_parse(t, (int)(colon - t));
	if (proto < 0)
		return conf_error(ctx, "%s: '%s': unknown protocol (known: udp, tcp, sctp)", it->key, t);
	if (parse_uint(colon + 1, 65535, &port) < 0 || port == 0)
		return conf_error(ctx, "%s: '%s': not a port number (1-65535)", it->key, t);
	e = CG_ALLOW_ENTRY(proto, port);
	for (i = 0; i < c->gate.n_allow_ports && c->gate.allow_ports[i] < e; i++)
		;
	if (i < c->gate.n_allow_ports && c->gate.allow_ports[i] == e)
		return 0;
	np = realloc(c->gate.allow_ports, (c->gate.n_allow_ports + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	memmove(np + i + 1, np + i, (c->gate.n_allow_ports - i) * sizeof(*np));
	np[i] = e;
	c->gate.allow_ports = np;
	c->gate.n_allow_ports++;
	return 0;
}

static int parse_ports(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		       void *data)
{
	if (ctx->first)
		ctx->c->gate.n_allow_ports = 0;
	return parse_list(ctx, it, value, port_item, data);
}

static int store_item(struct parse_ctx *ctx, const struct conf_item *it, char *t, void *data)
{
	struct cg_config *c = ctx->c;
	char *colon = strchr(t, ':');
	struct cg_store_spec *ns;

	(void)data;
	if (!colon || colon == t || colon[1] != '/')
		return conf_error(ctx, "%s: '%s' is not TYPE:/ABSOLUTE/PATH (e.g. htpasswd:/etc/lighttpd.htpasswd)",
				  it->key, t);
	*colon = '\0';
	if (cg_from_name(&store_type_names, t) < 0) {
		char known[128];

		return conf_error(ctx, "%s: unknown store type '%s' (known: %s)", it->key, t,
				  cg_names_join(&store_type_names, ", ", known, sizeof(known)));
	}
	if (!rooted_path_is_plain(colon + 1))
		return conf_error(ctx, "%s: '%s:%s' has a '.' or '..' component: name the file itself",
				  it->key, t, colon + 1);
	ns = realloc(c->audit.stores, (c->audit.n_stores + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	c->audit.stores = ns;
	ns[c->audit.n_stores].type = strdup(t);
	ns[c->audit.n_stores].path = strdup(colon + 1);
	c->audit.n_stores++;
	if (!ns[c->audit.n_stores - 1].type || !ns[c->audit.n_stores - 1].path)
		return -ENOMEM;
	return 0;
}

static int parse_stores(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			void *data)
{
	struct cg_config *c = ctx->c;

	if (ctx->first) {
		for (size_t i = 0; i < c->audit.n_stores; i++) {
			free(c->audit.stores[i].type);
			free(c->audit.stores[i].path);
		}
		c->audit.n_stores = 0;
		c->audit.stores_explicit = true;
	}
	return parse_list(ctx, it, value, store_item, data);
}

static int parse_depth(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		       void *data)
{
	int r = parse_enum(ctx, it, value, data);

	if (r == 0)
		ctx->c->audit.depth_explicit = true;
	return r;
}

static int verdict_item(struct parse_ctx *ctx, const struct conf_item *it, char *t, void *data)
{
	int v = cg_from_name(&cg_verdict_names, t);

	if (v < 0 || v == CG_VERDICT_OK || v == CG_VERDICT_LOCKED)
		return conf_error(ctx, "%s: '%s' is not a violation verdict (blank, default, derived, sequential, common, unknown, noauth)",
				  it->key, t);
	*(uint32_t *)data |= 1u << v;
	return 0;
}

static int parse_close_on(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			  void *data)
{
	uint32_t mask = 0;
	int r = parse_list(ctx, it, value, verdict_item, &mask);

	if (r)
		return r;
	if (!(mask & (1u << CG_VERDICT_BLANK)) || !(mask & (1u << CG_VERDICT_DEFAULT)))
		return conf_error(ctx, "%s: blank and default must always close the gate (the law allows no exception)",
				  it->key);
	*(uint32_t *)data = mask;
	return 0;
}

struct string_list {
	char ***v;
	size_t *n;
	bool (*valid)(const char *s, const char **why);
};

static int string_item(struct parse_ctx *ctx, const struct conf_item *it, char *t, void *data)
{
	const struct string_list *l = data;
	const char *why = NULL;

	if (!l->valid(t, &why))
		return conf_error(ctx, "%s: '%s' %s", it->key, t, why);
	return strv_push(l->v, l->n, t) < 0 ? -ENOMEM : 0;
}

static int parse_string_list(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			     char ***v, size_t *n,
			     bool (*valid)(const char *s, const char **why))
{
	struct string_list l = { .v = v, .n = n, .valid = valid };

	return parse_list(ctx, it, value, string_item, &l);
}

static int parse_contacts(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			  void *data)
{
	struct cg_product *p = &ctx->c->product;

	(void)data;
	return parse_string_list(ctx, it, value, &p->contacts, &p->n_contacts, cg_contact_uri_valid);
}

/* An account name: what useradd(8) accepts, without '$' at the end. */
static bool account_name_valid(const char *s, const char **why)
{
	size_t len = strlen(s);

	*why = "is not an account name (letters, digits, '.', '_', '-'; at most 32)";
	if (!len || len > 32 || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

static int parse_provisioned(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			     void *data)
{
	(void)data;
	return parse_string_list(ctx, it, value, &ctx->c->migration.provisioned,
				 &ctx->c->migration.n_provisioned, account_name_valid);
}

/* credgate provision --product: 1..128 printable ASCII characters, no ':'. */
static int parse_product_id(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			    void *data)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x21 || *p > 0x7e || *p == ':')
			return conf_error(ctx, "%s = '%s': expected the product ID given to credgate provision --product (printable ASCII, no ':' or space)",
					  it->key, value);
	if (strlen(value) > it->max)
		return conf_error(ctx, "%s: longer than %lu characters", it->key, it->max);
	return set_string(data, value);
}

static int parse_languages(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			   void *data)
{
	struct cg_product *p = &ctx->c->product;

	(void)data;
	return parse_string_list(ctx, it, value, &p->preferred_languages,
				 &p->n_preferred_languages, cg_language_tag_valid);
}

static int parse_url(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		     void *data)
{
	const char *why = NULL;

	if (!cg_https_url_valid(value, &why))
		return conf_error(ctx, "%s = '%s': %s", it->key, value, why);
	return set_string(data, value);
}

/* Free text shown to people: no control characters, at most it->max long. */
static int parse_text(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
		      void *data)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return conf_error(ctx, "%s: control characters are not allowed", it->key);
	if (strlen(value) > it->max)
		return conf_error(ctx, "%s: longer than %lu characters", it->key, it->max);
	return set_string(data, value);
}

static int parse_support_end(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			     void *data)
{
	struct cg_product *p = &ctx->c->product;

	if (cg_date_parse(value, NULL) < 0)
		return conf_error(ctx, "%s = '%s': expected an ISO 8601 date YYYY-MM-DD (e.g. 2031-12-31)",
				  it->key, value);
	p->support_end_origin.file = ctx->name;
	p->support_end_origin.line = ctx->line;
	return set_string(data, value);
}

/*
 * A user or group name as useradd(8) and groupadd(8) accept it by default
 * (NAME_REGEX: [a-z_][a-z0-9_-]*[$]?, at most 32 characters).  Empty is
 * allowed where the key documents a meaning for it.
 */
static int parse_account_name(struct parse_ctx *ctx, const struct conf_item *it,
			      const char *value, void *data)
{
	size_t n = strlen(value);
	bool ok = n <= 32 && (n ? value[0] == '_' || (value[0] >= 'a' && value[0] <= 'z') :
				 !!(it->flags & CONF_EMPTY_OK));

	for (size_t i = 1; ok && i < n; i++)
		ok = value[i] == '_' || value[i] == '-' || (value[i] >= 'a' && value[i] <= 'z') ||
		     (value[i] >= '0' && value[i] <= '9') || (value[i] == '$' && i == n - 1);
	if (!ok)
		return conf_error(ctx, "%s = '%s': expected a name of lower-case letters, digits, '_' and '-' (at most 32)%s",
				  it->key, value, it->flags & CONF_EMPTY_OK ? ", or nothing" : "");
	if (n == 0) {
		free(*(char **)data);
		*(char **)data = NULL;
		return 0;
	}
	return set_string(data, value);
}

/* An absolute path shorter than it->max (108 for a socket: sun_path). */
static int parse_abs_path(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			void *data)
{
	if (value[0] != '/' || strlen(value) >= it->max)
		return conf_error(ctx, "%s = '%s': expected an absolute path shorter than %lu bytes",
				  it->key, value, it->max);
	return set_string(data, value);
}

/*
 * A file for node_exporter's textfile collector: an absolute path of a
 * "*.prom" file (the collector reads no other), no control characters.
 */
static int parse_prom_path(struct parse_ctx *ctx, const struct conf_item *it, const char *value,
			   void *data)
{
	size_t len = strlen(value);

	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return conf_error(ctx, "%s: control characters are not allowed", it->key);
	if (value[0] != '/' || len >= it->max || len < 6 || strcmp(value + len - 5, ".prom") ||
	    value[len - 6] == '/')
		return conf_error(ctx, "%s = '%s': expected an absolute path of a FILE.prom shorter than %lu bytes (node_exporter's textfile collector reads only *.prom files)",
				  it->key, value, it->max);
	return set_string(data, value);
}

/*
 * The field @f of struct cg_config, which must have type @T (a mismatch
 * with what the parser writes fails to compile).
 */
#define CONF_FIELD(f, T)							\
	(offsetof(struct cg_config, f) +					\
	 0 * sizeof(char[__builtin_types_compatible_p(				\
		__typeof__(((struct cg_config *)0)->f), T) ? 1 : -1]))
/* An enum field, written as an int by parse_enum(). */
#define CONF_ENUM(f)								\
	(offsetof(struct cg_config, f) +					\
	 0 * sizeof(char[sizeof(((struct cg_config *)0)->f) == sizeof(int) ? 1 : -1]))

#define ITEM(sec, k, fn, fl, off, ...)						\
	{ .section = (sec), .key = (k), .parse = (fn), .flags = (fl), .offset = (off), __VA_ARGS__ }

/*
 * Every key, grouped by section in the order credgate.conf(5) documents
 * them; the "known: ..." lists of the messages follow this order.
 */
static const struct conf_item conf_items[] = {
	ITEM("gate", "backend", parse_enum, 0, CONF_ENUM(gate.backend), .names = &cg_backend_names),
	ITEM("gate", "mode", parse_enum, 0, CONF_ENUM(gate.mode), .names = &cg_mode_names),
	ITEM("gate", "lock", parse_bool, 0, CONF_FIELD(gate.lock, bool)),
	ITEM("gate", "allow_ports", parse_ports, CONF_LIST, CONF_FIELD(gate.allow_ports, uint32_t *)),

	ITEM("audit", "stores", parse_stores, CONF_LIST,
	     CONF_FIELD(audit.stores, struct cg_store_spec *)),
	ITEM("audit", "depth", parse_depth, 0, CONF_ENUM(audit.depth), .names = &cg_depth_names),
	ITEM("audit", "discover", parse_bool, 0, CONF_FIELD(audit.discover, bool)),
	ITEM("audit", "close_on", parse_close_on, 0, CONF_FIELD(audit.close_on, uint32_t)),
	ITEM("audit", "max_store_size", parse_ulong, 0, CONF_FIELD(audit.max_store_size, unsigned long),
	     .min = 1024, .max = 1ul << 30),
	ITEM("audit", "max_accounts", parse_ulong, 0, CONF_FIELD(audit.max_accounts, unsigned long),
	     .min = 1, .max = 10000000),
	ITEM("audit", "max_words", parse_ulong, 0, CONF_FIELD(audit.max_words, unsigned long),
	     .min = 0, .max = 100000000),
	ITEM("audit", "time_limit", parse_ulong, 0, CONF_FIELD(audit.time_limit, unsigned long),
	     .min = 0, .max = 86400),
	ITEM("audit", "sequential_max", parse_ulong, 0, CONF_FIELD(audit.sequential_max, unsigned long),
	     .min = 1, .max = 1000),

	ITEM("migration", "first_boot", parse_enum, 0, CONF_ENUM(migration.first_boot),
	     .names = &cg_policy_names),
	ITEM("migration", "provisioned", parse_provisioned, CONF_LIST,
	     CONF_FIELD(migration.provisioned, char **)),
	ITEM("migration", "provision_product", parse_product_id, 0,
	     CONF_FIELD(migration.provision_product, char *), .max = 128),

	ITEM("product", "name", parse_text, 0, CONF_FIELD(product.name, char *), .max = 128),
	ITEM("product", "manufacturer", parse_text, 0, CONF_FIELD(product.manufacturer, char *),
	     .max = 128),
	ITEM("product", "model", parse_text, 0, CONF_FIELD(product.model, char *), .max = 128),
	ITEM("product", "hardware_version", parse_text, 0, CONF_FIELD(product.hardware_version, char *),
	     .max = 128),
	ITEM("product", "firmware_version", parse_text, 0, CONF_FIELD(product.firmware_version, char *),
	     .max = 128),
	ITEM("product", "support_end", parse_support_end, 0, CONF_FIELD(product.support_end, char *)),
	ITEM("product", "support_url", parse_url, 0, CONF_FIELD(product.support_url, char *)),
	ITEM("product", "contact", parse_contacts, CONF_LIST, CONF_FIELD(product.contacts, char **)),
	ITEM("product", "policy", parse_url, 0, CONF_FIELD(product.policy_url, char *)),
	ITEM("product", "encryption", parse_url, 0, CONF_FIELD(product.encryption_url, char *)),
	ITEM("product", "acknowledgement_days", parse_int, 0,
	     CONF_FIELD(product.acknowledgement_days, int), .min = 1, .max = 3650),
	ITEM("product", "status_update_days", parse_int, 0,
	     CONF_FIELD(product.status_update_days, int), .min = 1, .max = 3650),
	ITEM("product", "preferred_languages", parse_languages, CONF_LIST,
	     CONF_FIELD(product.preferred_languages, char **)),
	ITEM("product", "compliance_url", parse_url, 0, CONF_FIELD(product.compliance_url, char *)),
	ITEM("product", "sbom_url", parse_url, 0, CONF_FIELD(product.sbom_url, char *)),

	ITEM("varlink", "socket", parse_abs_path, 0, CONF_FIELD(varlink.socket, char *), .max = 108),
	ITEM("varlink", "max_clients", parse_ulong, 0, CONF_FIELD(varlink.max_clients, unsigned long),
	     .min = 1, .max = 4096),
	ITEM("varlink", "max_clients_per_user", parse_ulong, 0,
	     CONF_FIELD(varlink.max_clients_per_user, unsigned long), .min = 1, .max = 4096),
	ITEM("varlink", "idle_timeout", parse_ulong, 0, CONF_FIELD(varlink.idle_timeout, unsigned long),
	     .min = 1, .max = 86400),
	ITEM("varlink", "status_group", parse_account_name, CONF_EMPTY_OK,
	     CONF_FIELD(varlink.status_group, char *)),

	ITEM("agent", "user", parse_account_name, 0, CONF_FIELD(agent.user, char *)),
	ITEM("agent", "prometheus_textfile", parse_prom_path, 0,
	     CONF_FIELD(agent.prometheus_textfile, char *), .max = 4096),
	ITEM("agent", "restart_refused", parse_bool, 0, CONF_FIELD(agent.restart_refused, bool)),
	ITEM("agent", "gate_opened_dir", parse_abs_path, 0, CONF_FIELD(agent.gate_opened_dir, char *),
	     .max = 4096),
	ITEM("agent", "systemctl", parse_abs_path, 0, CONF_FIELD(agent.systemctl, char *), .max = 4096),
};

/* A section is named by the first item of its group. */
static bool section_starts_at(size_t i)
{
	return i == 0 || strcmp(conf_items[i - 1].section, conf_items[i].section);
}

static bool section_known(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_items); i++)
		if (strlen(conf_items[i].section) == len && !memcmp(conf_items[i].section, name, len))
			return true;
	return false;
}

static const struct conf_item *item_find(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(conf_items); i++)
		if (!strcmp(conf_items[i].section, section) && !strcmp(conf_items[i].key, key))
			return &conf_items[i];
	return NULL;
}

/*
 * For messages: the sections (@section NULL) or the keys of @section, each
 * between @open and @close, separated by ", " and by @last before the last
 * one: "gate, audit, ..." or "[gate], [audit] ... or [varlink]".
 */
static const char *known_names(const char *section, const char *open, const char *close,
			       const char *last, char *buf, size_t size)
{
	const char *names[ARRAY_SIZE(conf_items)];
	size_t n = 0, len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(conf_items); i++) {
		if (!section && section_starts_at(i))
			names[n++] = conf_items[i].section;
		else if (section && !strcmp(conf_items[i].section, section))
			names[n++] = conf_items[i].key;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s%s%s", !i ? "" : i + 1 < n ? ", " : last,
				 open, names[i], close);

		if (w < 0)
			break;
		len += (size_t)w;
	}
	return buf;
}

static int conf_handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *ctx = user;
	const struct conf_item *it;
	char known[512];
	size_t i;
	int r;

	if (!*section)
		return conf_error(ctx, "'%s' is outside any section (start with %s)", key,
				  known_names(NULL, "[", "]", " or ", known, sizeof(known)));
	if (!section_known(section, strlen(section)))
		return 1;	/* unknown section: reported at its header */
	it = item_find(section, key);
	if (!it)
		return conf_error(ctx, "unknown key '%s' in [%s] (known: %s)", key, section,
				  known_names(section, "", "", ", ", known, sizeof(known)));
	i = (size_t)(it - conf_items);
	if (ctx->given[i] && !(it->flags & CONF_LIST))
		return conf_error(ctx, "'%s' is set twice in [%s]", key, section);
	ctx->first = !ctx->given[i];
	ctx->given[i] = true;
	if (!*value && !(it->flags & CONF_EMPTY_OK))
		return conf_error(ctx, "'%s' has no value", key);
	r = it->parse(ctx, it, value, (char *)ctx->c + it->offset);
	if (r < 0) {
		conf_error(ctx, "%s", strerror(-r));
		return 0;	/* out of memory: stop */
	}
	return 1;
}

int cg_config_load_string(struct cg_config *c, const char *name, const char *text)
{
	bool given[ARRAY_SIZE(conf_items)] = { 0 };
	struct parse_ctx ctx = { .c = c, .name = name, .pos = text, .given = given };
	int r;

	r = config_init(c);
	if (r < 0)
		return r;
	c->path = strdup(name);
	if (!c->path)
		return -ENOMEM;
	ctx.name = c->path;
	r = ini_parse_stream(conf_reader, &ctx, conf_handler, &ctx);
	if (r > 0) {
		/* The handler never fails, so this is inih's syntax error. */
		ctx.line = (unsigned int)r;
		conf_error(&ctx, "syntax error: expected [section], 'key = value' or a # comment");
	} else if (r < 0) {
		return -ENOMEM;
	}
	return ctx.errors ? -EINVAL : 0;
}

int cg_config_load(struct cg_config *c, const char *root, const char *path, unsigned int flags)
{
	_cleanup_free_ char *text = NULL, *name = NULL;
	size_t size = 0;
	int r;

	/* With a root, @path is resolved inside that tree (base/rooted.h). */
	r = store_read_reported(root, path, CG_CONFIG_MAX_SIZE, NULL,
				store_diag_log, NULL, &name, &text, &size);
	if (r == -ENOENT && (flags & CG_CONFIG_MISSING_OK))
		return config_init(c);
	if (r < 0) {
		memset(c, 0, sizeof(*c));
		if (r == -ENOENT)
			log_error_errno(r, "%s: cannot read: %m", name);
		return r;
	}
	if (memchr(text, '\0', size)) {
		memset(c, 0, sizeof(*c));
		return log_error_errno(EINVAL, "%s: contains a NUL byte; not a text file", name);
	}
	return cg_config_load_string(c, name, text);
}
