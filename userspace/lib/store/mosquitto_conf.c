// SPDX-License-Identifier: MIT
/*
 * mosquitto.conf (/etc/mosquitto/mosquitto.conf), as mosquitto 2.x reads
 * it, for one question: does a listener reachable from the network take
 * clients without a password?  The settings weighed:
 *   listener PORT [ADDRESS|SOCKET-PATH]   a listener (PORT 0 + path: unix socket)
 *   port PORT, bind_address ADDRESS        the default listener (deprecated forms)
 *   bind_interface IFACE                   the current listener's interface
 *   per_listener_settings true|false       allow_anonymous per listener or global
 *   allow_anonymous true|false             default false (2.x)
 * With no listener and no port, 2.x listens on the loopback interface only.
 * '#' starts a comment line; keywords are case-sensitive, as the broker
 * reads them; every other keyword is ignored.  include_dir is not followed
 * (docs/audit.md).  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

#define MQ_TOKENS 4

static bool is_bool(const char *line, struct store_span t)
{
	return store_span_is(line + t.off, t.len, "true") || store_span_is(line + t.off, t.len, "false");
}

static bool is_port(const char *line, struct store_span t)
{
	unsigned long v = 0;

	if (!store_field_is_uint(line + t.off, t.len) || t.len > 5)
		return false;
	for (size_t i = 0; i < t.len; i++)
		v = v * 10 + (unsigned long)(line[t.off + i] - '0');
	return v <= 65535;
}

static bool kw(const char *line, struct store_span t, const char *word)
{
	return t.len == strlen(word) && !memcmp(line + t.off, word, t.len);
}

static int mosquitto_conf_parse_fields(const char *line, size_t len, struct store_field *f,
				       const char **why)
{
	struct store_span t[MQ_TOKENS];
	int n;

	if (store_line_is_blank_or_comment(line, len))
		return 0;
	n = store_tokens(line, len, t, MQ_TOKENS, why);
	if (n <= 0)
		return n;
	if (kw(line, t[0], "allow_anonymous") || kw(line, t[0], "per_listener_settings")) {
		if (n != 2 || !is_bool(line, t[1])) {
			*why = "expected true or false (the broker refuses to start otherwise)";
			return -EINVAL;
		}
	} else if (kw(line, t[0], "listener") || kw(line, t[0], "port")) {
		if (n < 2 || !is_port(line, t[1]) || (kw(line, t[0], "port") && n != 2)) {
			*why = "expected a port number 0..65535 (listener PORT [ADDRESS])";
			return -EINVAL;
		}
	} else if (kw(line, t[0], "bind_address") || kw(line, t[0], "bind_interface")) {
		if (n != 2) {
			*why = "expected one address or interface name";
			return -EINVAL;
		}
	} else
		return 0;
	f[0] = (struct store_field){ .user = t[0], .hash = n > 1 ? t[1] : (struct store_span){ t[0].off + t[0].len, 0 },
				     .salt = n > 2 ? t[2] : (struct store_span){ 0, 0 },
				     .scheme = STORE_SCHEME_SETTING, .what = "setting" };
	return 1;
}

struct listener {
	unsigned line;
	const char *port, *addr, *iface;
	int anon;		/* -1 unset, else 0/1 */
	size_t anon_rec;	/* the allow_anonymous record that set it */
};

static bool loopback_only(const struct listener *l)
{
	const char *a = l->addr;

	if (!strcmp(l->port, "0") || (a && a[0] == '/'))
		return true;	/* a unix socket */
	if (l->iface)
		return !strcmp(l->iface, "lo");
	return a && (!strcmp(a, "localhost") || !strncmp(a, "127.", 4) || !strcmp(a, "::1") ||
		     !strcmp(a, "[::1]") || !strcmp(a, "ip6-localhost"));
}

/* Which allow_anonymous true reaches a listener not bound to loopback. */
static int mosquitto_conf_finish(struct store_file *sf)
{
	_cleanup_free_ struct listener *ls = NULL;
	_cleanup_free_ bool *keep = NULL;
	struct listener def = { .anon = -1 };
	size_t n = 0, anon_rec = 0;
	bool per_listener = false, have_def = false;
	int global = -1, r = 0;

	ls = calloc(sf->n_records + 1, sizeof(*ls));
	keep = calloc(sf->n_records + 1, sizeof(*keep));
	if (!ls || !keep)
		return -ENOMEM;
	for (size_t i = 0; i < sf->n_records; i++) {
		struct store_record *rec = &sf->records[i];
		struct listener *cur = n ? &ls[n - 1] : &def;
		const char *k = rec->user;

		if (!strcmp(k, "per_listener_settings"))
			per_listener = !strcmp(rec->hash, "true");
		else if (!strcmp(k, "listener")) {
			ls[n++] = (struct listener){ .line = rec->line, .port = rec->hash,
						     .addr = rec->salt, .anon = -1 };
		} else if (!strcmp(k, "port")) {
			have_def = true;
			def.line = rec->line;
			def.port = rec->hash;
		} else if (!strcmp(k, "bind_address"))
			def.addr = rec->hash;
		else if (!strcmp(k, "bind_interface"))
			cur->iface = rec->hash;
		else if (!strcmp(k, "allow_anonymous")) {
			int v = !strcmp(rec->hash, "true");

			/* Global, or the listener it follows (the default one before any). */
			global = v;
			anon_rec = i;
			cur->anon = v;
			cur->anon_rec = i;
		}
	}
	if (have_def)
		ls[n++] = def;
	/* No listener at all: 2.x serves 127.0.0.1 and ::1 port 1883 only. */
	for (size_t i = 0; i < n; i++) {
		const struct listener *l = &ls[i];
		int anon = per_listener ? l->anon : global;
		size_t at = per_listener ? l->anon_rec : anon_rec;
		struct store_record *rec = &sf->records[at];

		if (anon != 1 || loopback_only(l) || keep[at])
			continue;
		keep[at] = true;
		r = store_set_note(rec, STORE_SCHEME_NOAUTH,
				   "allow_anonymous true%s: the listener on port %s (line %u) on %s takes MQTT clients without any password",
				   per_listener ? " for this listener" : "", l->port, l->line,
				   l->iface ? l->iface : l->addr ? l->addr : "every address");
		if (r < 0)
			return r;
	}
	store_keep_records(sf, keep);
	return 0;
}

const struct store_ops store_mosquitto_conf_ops = {
	.name = "mosquitto-conf",
	.dup_ok = true,
	.crlf_ok = true,		/* a trailing CR is stripped: the setting is still read */
	.parse_fields = mosquitto_conf_parse_fields,
	.finish = mosquitto_conf_finish,
};
