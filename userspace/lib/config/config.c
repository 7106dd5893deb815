// SPDX-License-Identifier: MIT
/*
 * credgate.conf parser.  inih splits the file into (section, key, value);
 * this file owns the meaning of every key.  inih is built without line
 * numbers in the handler, so the line reader below counts lines itself.
 */
#include "config/config.h"
#include "store/store.h"
#include "config/metadata.h"
#include "base/util.h"

#include <ini.h>
#include <limits.h>

#include <credgate/policy.h>

#define CG_CONFIG_MAX_SIZE	(1024 * 1024)
/* inih reads lines into a buffer of INI_MAX_LINE bytes. */
#define CG_CONFIG_MAX_LINE	INI_MAX_LINE


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

int cg_config_init(struct cg_config *c)
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
	c->varlink.idle_timeout = 60;
	return c->varlink.socket ? 0 : -ENOMEM;
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
	memset(c, 0, sizeof(*c));
}

/* ---- parsing ---------------------------------------------------------- */

struct parse_ctx {
	struct cg_config *c;
	const char *name;		/* file name for messages */
	const char *pos;		/* reader position in the text */
	unsigned int line;		/* line the handler is looking at */
	unsigned int errors;
	/* keys already set, to refuse duplicates: "section.key" */
	char **seen;
	size_t n_seen;
	/* lists given in the file replace the defaults on first use */
	bool stores_set, ports_set;
};

__attribute__((format(printf, 2, 3)))
static int conf_error(struct parse_ctx *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error_errno(EINVAL, "%s:%u: %s", ctx->name, ctx->line, msg);
	ctx->errors++;
	return 1;	/* keep parsing: report every problem at once */
}

static bool section_known(const char *name, size_t len);

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
	if (!section_known(line, (size_t)(end - line)))
		conf_error(ctx, "unknown section [%.*s] (known: gate, audit, migration, product, varlink)",
			   (int)(end - line), line);
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

static bool seen_before(struct parse_ctx *ctx, const char *section, const char *key)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s.%s", section, key);
	for (size_t i = 0; i < ctx->n_seen; i++)
		if (!strcmp(ctx->seen[i], buf))
			return true;
	if (strv_push(&ctx->seen, &ctx->n_seen, buf) < 0)
		return false;
	return false;
}

static int set_string(struct parse_ctx *ctx, char **dst, const char *value)
{
	char *s = strdup(value);

	(void)ctx;
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int set_enum(struct parse_ctx *ctx, const char *key, const char *value,
		    const struct cg_names *names, int *out)
{
	int i = cg_from_name(names, value);

	if (i < 0) {
		char choices[256];

		return conf_error(ctx, "%s = '%s': expected one of %s", key, value,
				  cg_names_join(names, "|", choices, sizeof(choices)));
	}
	*out = i;
	return 0;
}

static int set_bool(struct parse_ctx *ctx, const char *key, const char *value, bool *out)
{
	if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1"))
		*out = true;
	else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0"))
		*out = false;
	else
		return conf_error(ctx, "%s = '%s': expected yes or no", key, value);
	return 0;
}

static int set_uint(struct parse_ctx *ctx, const char *key, const char *value,
		    unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;

	if (parse_uint(value, max, &v) < 0 || v < min)
		return conf_error(ctx, "%s = '%s': expected a whole number from %lu to %lu",
				  key, value, min, max);
	*out = v;
	return 0;
}

/* Lists are separated by commas and/or blanks; NULL-terminated strtok. */
#define LIST_SEP ", \t"

static int parse_ports(struct parse_ctx *ctx, const char *key, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	struct cg_config *c = ctx->c;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	if (!ctx->ports_set) {
		c->gate.n_allow_ports = 0;
		ctx->ports_set = true;
	}
	for (char *t = strtok_r(copy, LIST_SEP, &save); t; t = strtok_r(NULL, LIST_SEP, &save)) {
		char *colon = strchr(t, ':');
		unsigned long port;
		uint32_t *np, e;
		int proto;
		size_t i;

		if (!colon) {
			if (parse_uint(t, 65535, &port) == 0 && port > 0)
				return conf_error(ctx, "%s: '%s' names no protocol: entries are PROTO:PORT now; "
						  "write udp:%s (bind only, e.g. DHCP), tcp:%s or sctp:%s",
						  key, t, t, t, t);
			return conf_error(ctx, "%s: '%s' is not PROTO:PORT (udp, tcp or sctp; port 1-65535)",
					  key, t);
		}
		proto = credgate_proto_parse(t, (int)(colon - t));
		if (proto < 0)
			return conf_error(ctx, "%s: '%s': unknown protocol (known: udp, tcp, sctp)", key, t);
		if (parse_uint(colon + 1, 65535, &port) < 0 || port == 0)
			return conf_error(ctx, "%s: '%s': not a port number (1-65535)", key, t);
		e = CG_ALLOW_ENTRY(proto, port);
		for (i = 0; i < c->gate.n_allow_ports && c->gate.allow_ports[i] < e; i++)
			;
		if (i < c->gate.n_allow_ports && c->gate.allow_ports[i] == e)
			continue;
		np = realloc(c->gate.allow_ports, (c->gate.n_allow_ports + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		memmove(np + i + 1, np + i, (c->gate.n_allow_ports - i) * sizeof(*np));
		np[i] = e;
		c->gate.allow_ports = np;
		c->gate.n_allow_ports++;
	}
	return 0;
}

static int parse_stores(struct parse_ctx *ctx, const char *key, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	struct cg_config *c = ctx->c;
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	if (!ctx->stores_set) {
		for (size_t i = 0; i < c->audit.n_stores; i++) {
			free(c->audit.stores[i].type);
			free(c->audit.stores[i].path);
		}
		c->audit.n_stores = 0;
		c->audit.stores_explicit = true;
		ctx->stores_set = true;
	}
	for (char *t = strtok_r(copy, LIST_SEP, &save); t; t = strtok_r(NULL, LIST_SEP, &save)) {
		char *colon = strchr(t, ':');
		struct cg_store_spec *ns;

		if (!colon || colon == t || colon[1] != '/')
			return conf_error(ctx, "%s: '%s' is not TYPE:/ABSOLUTE/PATH (e.g. htpasswd:/etc/lighttpd.htpasswd)",
					  key, t);
		*colon = '\0';
		if (cg_from_name(&store_type_names, t) < 0) {
			char known[128];

			return conf_error(ctx, "%s: unknown store type '%s' (known: %s)", key, t,
					  cg_names_join(&store_type_names, ", ", known, sizeof(known)));
		}
		ns = realloc(c->audit.stores, (c->audit.n_stores + 1) * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		c->audit.stores = ns;
		ns[c->audit.n_stores].type = strdup(t);
		ns[c->audit.n_stores].path = strdup(colon + 1);
		c->audit.n_stores++;
		if (!ns[c->audit.n_stores - 1].type || !ns[c->audit.n_stores - 1].path)
			return -ENOMEM;
	}
	return 0;
}

static int parse_close_on(struct parse_ctx *ctx, const char *key, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL;
	uint32_t mask = 0;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, LIST_SEP, &save); t; t = strtok_r(NULL, LIST_SEP, &save)) {
		int v = cg_from_name(&cg_verdict_names, t);

		if (v < 0 || v == CG_VERDICT_OK || v == CG_VERDICT_LOCKED)
			return conf_error(ctx, "%s: '%s' is not a violation verdict (blank, default, derived, sequential, common, unknown)",
					  key, t);
		mask |= 1u << v;
	}
	if (!(mask & (1u << CG_VERDICT_BLANK)) || !(mask & (1u << CG_VERDICT_DEFAULT)))
		return conf_error(ctx, "%s: blank and default must always close the gate (the law allows no exception)",
				  key);
	ctx->c->audit.close_on = mask;
	return 0;
}

static int parse_string_list(struct parse_ctx *ctx, const char *key, const char *value,
			     char ***v, size_t *n,
			     bool (*valid)(const char *s, const char **why))
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, LIST_SEP, &save); t; t = strtok_r(NULL, LIST_SEP, &save)) {
		const char *why = NULL;

		if (!valid(t, &why))
			return conf_error(ctx, "%s: '%s' %s", key, t, why);
		if (strv_push(v, n, t) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int set_url(struct parse_ctx *ctx, const char *key, const char *value, char **dst)
{
	const char *why = NULL;

	if (!cg_https_url_valid(value, &why))
		return conf_error(ctx, "%s = '%s': %s", key, value, why);
	return set_string(ctx, dst, value);
}

static int set_text(struct parse_ctx *ctx, const char *key, const char *value, char **dst)
{
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return conf_error(ctx, "%s: control characters are not allowed", key);
	if (strlen(value) > 128)
		return conf_error(ctx, "%s: longer than 128 characters", key);
	return set_string(ctx, dst, value);
}

static int set_days(struct parse_ctx *ctx, const char *key, const char *value, int *out)
{
	unsigned long v = 0;
	int r = set_uint(ctx, key, value, 1, 3650, &v);

	if (r == 0)
		*out = (int)v;
	return r;
}

static int handle_gate(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct cg_config *c = ctx->c;
	int v = 0;

	if (!strcmp(key, "backend")) {
		if (set_enum(ctx, key, value, &cg_backend_names, &v))
			return 1;
		c->gate.backend = (enum cg_backend)v;
	} else if (!strcmp(key, "mode")) {
		if (set_enum(ctx, key, value, &cg_mode_names, &v))
			return 1;
		c->gate.mode = (enum credgate_mode)v;
	} else if (!strcmp(key, "lock")) {
		return set_bool(ctx, key, value, &c->gate.lock);
	} else if (!strcmp(key, "allow_ports")) {
		return parse_ports(ctx, key, value);
	} else {
		return conf_error(ctx, "unknown key '%s' in [gate] (known: backend, mode, lock, allow_ports)", key);
	}
	return 0;
}

static int handle_audit(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct cg_config *c = ctx->c;
	int v = 0;

	if (!strcmp(key, "stores"))
		return parse_stores(ctx, key, value);
	if (!strcmp(key, "depth")) {
		if (set_enum(ctx, key, value, &cg_depth_names, &v))
			return 1;
		c->audit.depth = (enum cg_depth)v;
		c->audit.depth_explicit = true;
		return 0;
	}
	if (!strcmp(key, "close_on"))
		return parse_close_on(ctx, key, value);
	if (!strcmp(key, "max_store_size"))
		return set_uint(ctx, key, value, 1024, 1ul << 30, &c->audit.max_store_size);
	if (!strcmp(key, "max_accounts"))
		return set_uint(ctx, key, value, 1, 10000000, &c->audit.max_accounts);
	if (!strcmp(key, "max_words"))
		return set_uint(ctx, key, value, 0, 100000000, &c->audit.max_words);
	if (!strcmp(key, "time_limit"))
		return set_uint(ctx, key, value, 0, 86400, &c->audit.time_limit);
	if (!strcmp(key, "sequential_max"))
		return set_uint(ctx, key, value, 1, 1000, &c->audit.sequential_max);
	return conf_error(ctx, "unknown key '%s' in [audit] (known: stores, depth, close_on, max_store_size, max_accounts, max_words, time_limit, sequential_max)",
			  key);
}

static int handle_migration(struct parse_ctx *ctx, const char *key, const char *value)
{
	int v = 0;

	if (strcmp(key, "first_boot"))
		return conf_error(ctx, "unknown key '%s' in [migration] (known: first_boot)", key);
	if (set_enum(ctx, key, value, &cg_policy_names, &v))
		return 1;
	ctx->c->migration.first_boot = (enum cg_policy)v;
	return 0;
}

static int handle_product(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct cg_product *p = &ctx->c->product;

	if (!strcmp(key, "name"))
		return set_text(ctx, key, value, &p->name);
	if (!strcmp(key, "manufacturer"))
		return set_text(ctx, key, value, &p->manufacturer);
	if (!strcmp(key, "model"))
		return set_text(ctx, key, value, &p->model);
	if (!strcmp(key, "hardware_version"))
		return set_text(ctx, key, value, &p->hardware_version);
	if (!strcmp(key, "firmware_version"))
		return set_text(ctx, key, value, &p->firmware_version);
	if (!strcmp(key, "support_end")) {
		if (cg_date_parse(value, NULL) < 0)
			return conf_error(ctx, "support_end = '%s': expected an ISO 8601 date YYYY-MM-DD (e.g. 2031-12-31)",
					  value);
		p->support_end_origin.file = ctx->name;
		p->support_end_origin.line = ctx->line;
		return set_string(ctx, &p->support_end, value);
	}
	if (!strcmp(key, "support_url"))
		return set_url(ctx, key, value, &p->support_url);
	if (!strcmp(key, "contact"))
		return parse_string_list(ctx, key, value, &p->contacts, &p->n_contacts,
					 cg_contact_uri_valid);
	if (!strcmp(key, "policy"))
		return set_url(ctx, key, value, &p->policy_url);
	if (!strcmp(key, "encryption"))
		return set_url(ctx, key, value, &p->encryption_url);
	if (!strcmp(key, "acknowledgement_days"))
		return set_days(ctx, key, value, &p->acknowledgement_days);
	if (!strcmp(key, "status_update_days"))
		return set_days(ctx, key, value, &p->status_update_days);
	if (!strcmp(key, "preferred_languages"))
		return parse_string_list(ctx, key, value, &p->preferred_languages,
					 &p->n_preferred_languages, cg_language_tag_valid);
	if (!strcmp(key, "compliance_url"))
		return set_url(ctx, key, value, &p->compliance_url);
	if (!strcmp(key, "sbom_url"))
		return set_url(ctx, key, value, &p->sbom_url);
	return conf_error(ctx, "unknown key '%s' in [product] (known: name, manufacturer, model, hardware_version, firmware_version, support_end, support_url, contact, policy, encryption, acknowledgement_days, status_update_days, preferred_languages, compliance_url, sbom_url)",
			  key);
}

static int handle_varlink(struct parse_ctx *ctx, const char *key, const char *value)
{
	struct cg_config *c = ctx->c;

	if (!strcmp(key, "socket")) {
		if (value[0] != '/' || strlen(value) >= 108)
			return conf_error(ctx, "socket = '%s': expected an absolute path shorter than 108 bytes",
					  value);
		return set_string(ctx, &c->varlink.socket, value);
	}
	if (!strcmp(key, "max_clients"))
		return set_uint(ctx, key, value, 1, 4096, &c->varlink.max_clients);
	if (!strcmp(key, "idle_timeout"))
		return set_uint(ctx, key, value, 1, 86400, &c->varlink.idle_timeout);
	return conf_error(ctx, "unknown key '%s' in [varlink] (known: socket, max_clients, idle_timeout)", key);
}

static const struct {
	const char *name;
	int (*handle)(struct parse_ctx *ctx, const char *key, const char *value);
} sections[] = {
	{ "gate", handle_gate },
	{ "audit", handle_audit },
	{ "migration", handle_migration },
	{ "product", handle_product },
	{ "varlink", handle_varlink },
};

/* Keys that may appear more than once: every line adds to the list. */
static bool key_is_list(const char *section, const char *key)
{
	return (!strcmp(section, "product") &&
		(!strcmp(key, "contact") || !strcmp(key, "preferred_languages"))) ||
	       (!strcmp(section, "audit") && !strcmp(key, "stores")) ||
	       (!strcmp(section, "gate") && !strcmp(key, "allow_ports"));
}

static int conf_handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_ctx *ctx = user;
	int r;

	if (!*section)
		return conf_error(ctx, "'%s' is outside any section (start with [gate], [audit], [migration], [product] or [varlink])",
				  key);
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		if (strcmp(section, sections[i].name))
			continue;
		if (!key_is_list(section, key) && seen_before(ctx, section, key))
			return conf_error(ctx, "'%s' is set twice in [%s]", key, section);
		if (!*value)
			return conf_error(ctx, "'%s' has no value", key);
		r = sections[i].handle(ctx, key, value);
		if (r < 0) {
			conf_error(ctx, "%s", strerror(-r));
			return 0;	/* out of memory: stop */
		}
		return 1;
	}
	return 1;	/* unknown section: reported at its header */
}

static bool section_known(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i].name) == len && !memcmp(sections[i].name, name, len))
			return true;
	return false;
}

int cg_config_load_string(struct cg_config *c, const char *name, const char *text)
{
	struct parse_ctx ctx = { .c = c, .name = name, .pos = text };
	int r;

	r = cg_config_init(c);
	if (r < 0)
		return r;
	c->path = strdup(name);
	if (!c->path)
		return -ENOMEM;
	ctx.name = c->path;
	r = ini_parse_stream(conf_reader, &ctx, conf_handler, &ctx);
	strv_free(ctx.seen, ctx.n_seen);
	if (r > 0) {
		/* The handler never fails, so this is inih's syntax error. */
		ctx.line = (unsigned int)r;
		conf_error(&ctx, "syntax error: expected [section], 'key = value' or a # comment");
	} else if (r < 0) {
		return -ENOMEM;
	}
	return ctx.errors ? -EINVAL : 0;
}

int cg_config_load(struct cg_config *c, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	r = read_file(path, CG_CONFIG_MAX_SIZE, &text, &len);
	if (r < 0) {
		cg_config_init(c);
		return log_error_errno(r, "cannot read %s: %m", path);
	}
	if (memchr(text, '\0', len)) {
		cg_config_init(c);
		return log_error_errno(EINVAL, "%s: contains a NUL byte; not a text file", path);
	}
	return cg_config_load_string(c, path, text);
}
