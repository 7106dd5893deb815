// SPDX-License-Identifier: MIT
/* Varlink server: framing, limits, dispatch, org.varlink.service. */
#include "varlink/varlink.h"
#include "base/util.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>

#define VL_MAX_INTERFACES	8
#define VL_READ_CHUNK		4096
/* Stop reading a client's requests while this much output is queued. */
#define VL_OUTPUT_HIGH		(64 * 1024)
#define VL_ACCEPT_BATCH		16
/* "INTERFACE.ErrorName" of a transport error (interface names are short). */
#define VL_ERROR_NAME_MAX	256

/* org.varlink.service.varlink, compiled in (scripts/gen-idl). */
#include "org.varlink.service.varlink.h"

/* What an epoll event points at. */
enum vl_kind { VL_LISTENER, VL_TIMER, VL_CLIENT };

struct vl_client {
	enum vl_kind kind;
	int fd;
	struct vl_client *prev, *next;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off, out_cap;
	long long last_active_ms;
	uint32_t events;	/* registered epoll events */
	bool closing;		/* close once the output is flushed */
	struct ucred peer;	/* SO_PEERCRED at accept; uid -1 if unknown */
};

struct vl_registered {
	const struct vl_interface *iface;
	void *userdata;
};

struct vl_server {
	int epfd;
	int listen_fd;
	int timer_fd;
	enum vl_kind listener_tag, timer_tag;
	struct vl_limits limits;
	struct vl_service_info info;
	struct vl_registered ifaces[VL_MAX_INTERFACES];
	size_t n_ifaces;
	struct vl_client *clients;
	unsigned int n_clients;
	json_tokener *tok;
};

struct vl_call {
	struct vl_server *server;
	const struct vl_client *client;	/* NULL: vl_server_dispatch() */
	const char *method;
	json_object *answer;	/* the full reply object, once answered */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- answers ---------------------------------------------------------- */

json_object *vl_json_text(const char *s)
{
	_cleanup_free_ char *buf = NULL;
	size_t size;

	if (cg_utf8_valid(s))
		return json_object_new_string(s);
	size = strlen(s) * 4 + 1;
	buf = malloc(size);
	return buf ? json_object_new_string(cg_escape_controls(s, buf, size)) : NULL;
}

int vl_reply(struct vl_call *call, json_object *params)
{
	json_object *o = json_object_new_object();

	if (!o || call->answer) {
		json_object_put(params);
		json_object_put(o);
		return -EINVAL;
	}
	json_object_object_add(o, "parameters", params ? params : json_object_new_object());
	call->answer = o;
	return 0;
}

int vl_error(struct vl_call *call, const char *error, json_object *params)
{
	json_object *o = json_object_new_object();

	if (!o || call->answer) {
		json_object_put(params);
		json_object_put(o);
		return -EINVAL;
	}
	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "parameters", params ? params : json_object_new_object());
	call->answer = o;
	return 0;
}

static int vl_error_str(struct vl_call *call, const char *error, const char *key,
			const char *value)
{
	json_object *p = json_object_new_object();

	if (p)
		json_object_object_add(p, key, json_object_new_string(value));
	return vl_error(call, error, p);
}

int vl_error_invalid_parameter(struct vl_call *call, const char *parameter)
{
	vl_error_str(call, VL_ERROR_INVALID_PARAMETER, "parameter", parameter);
	return -EINVAL;
}

int vl_params_check(struct vl_call *call, json_object *params,
		    const struct vl_param *spec, size_t n)
{
	json_object_object_foreach(params, key, val) {
		size_t i;

		for (i = 0; i < n && strcmp(spec[i].name, key); i++)
			;
		if (i == n || json_object_get_type(val) != spec[i].type)
			return vl_error_invalid_parameter(call, key);
	}
	for (size_t i = 0; i < n; i++)
		if (spec[i].required && !json_object_object_get_ex(params, spec[i].name, NULL))
			return vl_error_invalid_parameter(call, spec[i].name);
	return 0;
}

/* A string holding a NUL (JSON "\u0000") would be cut short by every C
 * consumer: refuse it anywhere in the parameters.  Returns the key. */
static const char *find_embedded_nul(json_object *o, const char *where)
{
	switch (json_object_get_type(o)) {
	case json_type_string:
		return memchr(json_object_get_string(o), '\0',
			      (size_t)json_object_get_string_len(o)) ? where : NULL;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			const char *bad;

			bad = find_embedded_nul(val, key);
			if (bad)
				return bad;
		}
		return NULL;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			const char *bad = find_embedded_nul(json_object_array_get_idx(o, i), where);

			if (bad)
				return bad;
		}
		return NULL;
	default:
		return NULL;
	}
}

/* ---- org.varlink.service ---------------------------------------------- */

static int service_get_info(struct vl_call *call, json_object *params, void *userdata)
{
	struct vl_server *s = userdata;
	json_object *o, *ifaces;

	if (vl_params_check(call, params, NULL, 0) < 0)
		return 0;
	o = json_object_new_object();
	ifaces = json_object_new_array();
	if (!o || !ifaces) {
		json_object_put(o);
		json_object_put(ifaces);
		return -ENOMEM;
	}
	json_object_object_add(o, "vendor", json_object_new_string(s->info.vendor));
	json_object_object_add(o, "product", json_object_new_string(s->info.product));
	json_object_object_add(o, "version", json_object_new_string(s->info.version));
	json_object_object_add(o, "url", json_object_new_string(s->info.url));
	for (size_t i = 0; i < s->n_ifaces; i++)
		json_object_array_add(ifaces, json_object_new_string(s->ifaces[i].iface->name));
	json_object_object_add(o, "interfaces", ifaces);
	return vl_reply(call, o);
}

static const struct vl_registered *find_interface(const struct vl_server *s,
						  const char *name, size_t len)
{
	for (size_t i = 0; i < s->n_ifaces; i++) {
		const char *n = s->ifaces[i].iface->name;

		if (strlen(n) == len && !memcmp(n, name, len))
			return &s->ifaces[i];
	}
	return NULL;
}

static int service_get_interface_description(struct vl_call *call, json_object *params,
					     void *userdata)
{
	static const struct vl_param spec[] = { { "interface", json_type_string, true } };
	struct vl_server *s = userdata;
	const struct vl_registered *r;
	const char *name;
	json_object *o, *v;

	if (vl_params_check(call, params, spec, ARRAY_SIZE(spec)) < 0)
		return 0;
	json_object_object_get_ex(params, "interface", &v);
	name = json_object_get_string(v);
	r = find_interface(s, name, strlen(name));
	if (!r)
		return vl_error_str(call, VL_ERROR_INTERFACE_NOT_FOUND, "interface", name);
	o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "description", json_object_new_string(r->iface->description));
	return vl_reply(call, o);
}

static const struct vl_method service_methods[] = {
	{ "GetInfo", service_get_info },
	{ "GetInterfaceDescription", service_get_interface_description },
};

static const struct vl_interface service_interface = {
	.name = "org.varlink.service",
	.description = org_varlink_service_idl,
	.methods = service_methods,
	.n_methods = ARRAY_SIZE(service_methods),
};

/* ---- dispatch --------------------------------------------------------- */

/*
 * The full name of transport error @name (VL_ERROR_PROTOCOL ...): in the
 * first interface added after org.varlink.service (varlink.h).
 */
static const char *transport_error(const struct vl_server *s, const char *name,
				   char *buf, size_t size)
{
	const char *iface = s->n_ifaces > 1 ? s->ifaces[1].iface->name : s->ifaces[0].iface->name;

	snprintf(buf, size, "%s.%s", iface, name);
	return buf;
}

static void transport_errorv(struct vl_call *call, const char *name, json_object *params)
{
	char full[VL_ERROR_NAME_MAX];

	vl_error(call, transport_error(call->server, name, full, sizeof(full)), params);
}

static void protocol_error(struct vl_call *call, const char *reason)
{
	char full[VL_ERROR_NAME_MAX];

	vl_error_str(call, transport_error(call->server, VL_ERROR_PROTOCOL, full, sizeof(full)),
		     "reason", reason);
}

/* Fill call->answer for one request; returns true if it is oneway. */
static bool handle_request(struct vl_server *s, struct vl_call *call, const char *msg,
			   size_t len)
{
	json_object *req, *v, *params = NULL, *empty = NULL;
	const struct vl_registered *reg;
	const char *method, *dot, *bad;
	enum json_tokener_error jerr;
	bool oneway = false;
	size_t end;

	json_tokener_reset(s->tok);
	req = json_tokener_parse_ex(s->tok, msg, (int)len);
	jerr = json_tokener_get_error(s->tok);
	if (!req) {
		protocol_error(call, jerr == json_tokener_continue ? "incomplete JSON" :
			       json_tokener_error_desc(jerr));
		return false;
	}
	end = json_tokener_get_parse_end(s->tok);
	while (end < len && strchr(" \t\r\n", msg[end]))
		end++;
	if (end != len) {
		protocol_error(call, "trailing data after the JSON object");
		goto out;
	}
	if (!json_object_is_type(req, json_type_object)) {
		protocol_error(call, "a request must be a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(req, "method", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		protocol_error(call, "a request needs \"method\": string");
		goto out;
	}
	method = json_object_get_string(v);
	if (strlen(method) != (size_t)json_object_get_string_len(v)) {
		protocol_error(call, "method name contains a NUL character");
		goto out;
	}
	call->method = method;
	if (json_object_object_get_ex(req, "oneway", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			vl_error_invalid_parameter(call, "oneway");
			goto out;
		}
		oneway = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(req, "more", &v) && !json_object_is_type(v, json_type_boolean)) {
		vl_error_invalid_parameter(call, "more");
		goto out;
	}
	if (json_object_object_get_ex(req, "parameters", &params) && params &&
	    !json_object_is_type(params, json_type_object)) {
		vl_error_invalid_parameter(call, "parameters");
		goto out;
	}
	if (!params)
		params = empty = json_object_new_object();

	dot = strrchr(method, '.');
	if (!dot || dot == method) {
		vl_error_str(call, VL_ERROR_INTERFACE_NOT_FOUND, "interface", "");
		goto out;
	}
	reg = find_interface(s, method, (size_t)(dot - method));
	if (!reg) {
		_cleanup_free_ char *iface = strndup(method, (size_t)(dot - method));

		vl_error_str(call, VL_ERROR_INTERFACE_NOT_FOUND, "interface", iface ? iface : "");
		goto out;
	}
	for (size_t i = 0; i < reg->iface->n_methods; i++) {
		if (strcmp(reg->iface->methods[i].name, dot + 1))
			continue;
		bad = params ? find_embedded_nul(params, "parameters") : NULL;
		if (bad) {
			vl_error_invalid_parameter(call, bad);
			goto out;
		}
		if (reg->iface->methods[i].fn(call, params, reg->userdata) < 0 && !call->answer)
			transport_errorv(call, VL_ERROR_INTERNAL, NULL);
		goto out;
	}
	vl_error_str(call, VL_ERROR_METHOD_NOT_FOUND, "method", method);
out:
	json_object_put(empty);
	if (!call->answer)
		transport_errorv(call, VL_ERROR_INTERNAL, NULL);
	if (oneway) {
		json_object_put(call->answer);
		call->answer = NULL;
	}
	call->method = NULL;
	json_object_put(req);
	return oneway;
}

static const char *serialise(json_object *o, size_t *len)
{
	return json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN |
						 JSON_C_TO_STRING_NOSLASHESCAPE, len);
}

static int dispatch(struct vl_server *s, const struct vl_client *c, const char *msg, size_t len,
		    char **reply, size_t *reply_len)
{
	struct vl_call call = { .server = s, .client = c };
	const char *text;
	size_t n;

	*reply = NULL;
	*reply_len = 0;
	if (len > s->limits.max_message || len > INT32_MAX) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "limit", json_object_new_int64((int64_t)s->limits.max_message));
		transport_errorv(&call, VL_ERROR_TOO_LARGE, p);
	} else if (handle_request(s, &call, msg, len)) {
		return 0;
	}
	text = serialise(call.answer, &n);
	*reply = text ? strndup(text, n) : NULL;
	*reply_len = n;
	json_object_put(call.answer);
	return *reply ? 0 : -ENOMEM;
}

int vl_server_dispatch(struct vl_server *s, const char *msg, size_t len,
		       char **reply, size_t *reply_len)
{
	return dispatch(s, NULL, msg, len, reply, reply_len);
}

int vl_call_peer(const struct vl_call *call, uid_t *uid, gid_t *gid)
{
	if (!call->client || call->client->peer.uid == (uid_t)-1)
		return -ENOTCONN;
	*uid = call->client->peer.uid;
	*gid = call->client->peer.gid;
	return 0;
}

bool vl_call_peer_in_group(const struct vl_call *call, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	uid_t uid;
	gid_t primary;

	if (vl_call_peer(call, &uid, &primary) < 0)
		return false;
	if (primary == gid)
		return true;
	/* The peer's supplementary groups as they were at connect(). */
	if (getsockopt(call->client->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* ---- connections ------------------------------------------------------ */

static int client_update_events(struct vl_server *s, struct vl_client *c)
{
	uint32_t ev = 0;
	struct epoll_event e;

	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (!c->closing && c->out_len - c->out_off < VL_OUTPUT_HIGH)
		ev |= EPOLLIN;
	if (ev == c->events)
		return 0;
	e.events = ev;
	e.data.ptr = c;
	c->events = ev;
	return epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &e) < 0 ? -errno : 0;
}

static void client_free(struct vl_server *s, struct vl_client *c)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	free(c->in);
	free(c->out);
	free(c);
}

static int client_queue(struct vl_client *c, const char *text, size_t len)
{
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (GREEDY_REALLOC(c->out, c->out_cap, c->out_len + len + 1) < 0)
		return -ENOMEM;
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\0';
	c->out_len += len + 1;
	return 0;
}

static int client_flush(struct vl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	/* Do not keep a large buffer for an idle connection. */
	if (c->out_cap > 2 * VL_READ_CHUNK) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

/* Answer every complete request in the input buffer, while the output
 * stays below the high mark (the rest waits for the client to read). */
static int client_process_input(struct vl_server *s, struct vl_client *c)
{
	size_t start = 0;
	int r = 0;

	while (!c->closing && c->out_len - c->out_off < VL_OUTPUT_HIGH) {
		char *nul = memchr(c->in + start, '\0', c->in_len - start);
		_cleanup_free_ char *reply = NULL;
		size_t reply_len;

		if (!nul)
			break;
		r = dispatch(s, c, c->in + start, (size_t)(nul - (c->in + start)),
			     &reply, &reply_len);
		if (r < 0)
			break;
		if (reply) {
			r = client_queue(c, reply, reply_len);
			if (r < 0)
				break;
		}
		start = (size_t)(nul - c->in) + 1;
		c->last_active_ms = now_ms();
	}
	if (start) {
		memmove(c->in, c->in + start, c->in_len - start);
		c->in_len -= start;
	}
	if (r == 0 && !c->closing && c->in_len > s->limits.max_message &&
	    !memchr(c->in, '\0', c->in_len)) {
		_cleanup_free_ char *reply = NULL;
		size_t reply_len;

		/* Oversized: answer once, then hang up (framing is lost). */
		r = dispatch(s, c, c->in, c->in_len, &reply, &reply_len);
		if (r == 0)
			r = client_queue(c, reply, reply_len);
		c->closing = true;
		c->in_len = 0;
	}
	return r;
}

static int client_read(struct vl_server *s, struct vl_client *c)
{
	size_t want = VL_READ_CHUNK;
	ssize_t n;

	/* Never buffer more than one maximum message plus its NUL. */
	if (c->in_len + want > s->limits.max_message + 1)
		want = s->limits.max_message + 1 - c->in_len;
	if (!want)
		return 0;	/* full: wait until the buffered requests are answered */
	if (GREEDY_REALLOC(c->in, c->in_cap, c->in_len + want) < 0)
		return -ENOMEM;
	n = recv(c->fd, c->in + c->in_len, want, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	c->in_len += (size_t)n;
	return client_process_input(s, c);
}

/* Returns false when the client is gone. */
static bool client_event(struct vl_server *s, struct vl_client *c, uint32_t events)
{
	int r = 0;

	if (events & EPOLLIN)
		r = client_read(s, c);
	if (r == 0 && (events & (EPOLLOUT | EPOLLIN)))
		r = client_flush(c);
	/* Flushed: requests held back by the high mark can go now. */
	if (r == 0 && c->out_len == c->out_off && c->in_len && !c->closing) {
		r = client_process_input(s, c);
		if (r == 0)
			r = client_flush(c);
	}
	if (r == 0 && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		r = -ECONNRESET;
	if (r == 0 && c->closing && c->out_len == c->out_off)
		r = -ECONNRESET;
	if (r == 0)
		r = client_update_events(s, c);
	if (r < 0) {
		client_free(s, c);
		return false;
	}
	return true;
}

/* Over the limit: say so in one best-effort write, then hang up. */
static void refuse_client(struct vl_server *s, int fd, unsigned int limit)
{
	char msg[VL_ERROR_NAME_MAX + 64], name[VL_ERROR_NAME_MAX];
	int n;

	n = snprintf(msg, sizeof(msg), "{\"error\":\"%s\",\"parameters\":{\"limit\":%u}}",
		     transport_error(s, VL_ERROR_TOO_MANY_CLIENTS, name, sizeof(name)), limit);
	send(fd, msg, (size_t)n + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static unsigned int clients_of(const struct vl_server *s, uid_t uid)
{
	unsigned int n = 0;

	for (const struct vl_client *c = s->clients; c; c = c->next)
		n += c->peer.uid == uid;
	return n;
}

/*
 * The limit a new client of @uid would exceed, 0 if none: max_clients for
 * everyone; for users other than root also max_clients less the slots
 * reserved for root (idle clients never lock root out) and their own
 * max_clients_per_uid (one user cannot take every slot).
 */
static unsigned int over_limit(const struct vl_server *s, uid_t uid)
{
	const struct vl_limits *l = &s->limits;

	if (s->n_clients >= l->max_clients)
		return l->max_clients;
	if (uid == 0)
		return 0;
	if (l->root_reserve && s->n_clients + l->root_reserve >= l->max_clients)
		return l->max_clients - l->root_reserve;
	if (l->max_clients_per_uid && clients_of(s, uid) >= l->max_clients_per_uid)
		return l->max_clients_per_uid;
	return 0;
}

static void accept_clients(struct vl_server *s)
{
	for (int i = 0; i < VL_ACCEPT_BATCH; i++) {
		struct epoll_event e = { .events = EPOLLIN };
		struct vl_client *c;
		unsigned int limit;
		int fd;

		fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warning("varlink: accept: %m");
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &(socklen_t){ sizeof(c->peer) }) < 0)
			c->peer = (struct ucred){ .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
		limit = over_limit(s, c->peer.uid);
		if (limit) {
			refuse_client(s, fd, limit);
			free(c);
			continue;
		}
		c->kind = VL_CLIENT;
		c->fd = fd;
		c->events = EPOLLIN;
		c->last_active_ms = now_ms();
		e.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = s->clients;
		if (s->clients)
			s->clients->prev = c;
		s->clients = c;
		s->n_clients++;
	}
}

static void expire_idle(struct vl_server *s)
{
	long long now = now_ms();
	uint64_t ticks;

	if (read(s->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warning("varlink: timerfd: %m");
	for (struct vl_client *c = s->clients, *next; c; c = next) {
		next = c->next;
		if (now - c->last_active_ms >= s->limits.idle_timeout_ms)
			client_free(s, c);
	}
}

int vl_server_process(struct vl_server *s, int timeout_ms)
{
	struct epoll_event ev[32];
	bool tick = false;
	int n;

	n = epoll_wait(s->epfd, ev, (int)ARRAY_SIZE(ev), timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		enum vl_kind *kind = ev[i].data.ptr;

		if (*kind == VL_LISTENER)
			accept_clients(s);
		else if (*kind == VL_TIMER)
			tick = true;
		else
			client_event(s, (struct vl_client *)kind, ev[i].events);
	}
	/* After the batch: expiry frees clients later events may point at. */
	if (tick)
		expire_idle(s);
	return n;
}

/* ---- setup ------------------------------------------------------------ */

int vl_server_new(struct vl_server **out, const struct vl_limits *limits,
		  const struct vl_service_info *info)
{
	struct vl_server *s = calloc(1, sizeof(*s));
	struct epoll_event e = { .events = EPOLLIN };
	struct itimerspec its = { 0 };
	long tick_ms;

	if (!s)
		return -ENOMEM;
	s->listen_fd = -1;
	s->timer_fd = -1;
	s->listener_tag = VL_LISTENER;
	s->timer_tag = VL_TIMER;
	s->info = *info;
	s->limits = (struct vl_limits){
		.max_message = VL_DEFAULT_MAX_MESSAGE,
		.max_clients = VL_DEFAULT_MAX_CLIENTS,
		.idle_timeout_ms = VL_DEFAULT_IDLE_TIMEOUT_MS,
		.max_depth = VL_DEFAULT_MAX_DEPTH,
	};
	if (limits) {
		if (limits->max_message)
			s->limits.max_message = limits->max_message;
		if (limits->max_clients)
			s->limits.max_clients = limits->max_clients;
		s->limits.max_clients_per_uid = limits->max_clients_per_uid;
		if (limits->root_reserve < s->limits.max_clients)
			s->limits.root_reserve = limits->root_reserve;
		if (limits->idle_timeout_ms)
			s->limits.idle_timeout_ms = limits->idle_timeout_ms;
		if (limits->max_depth)
			s->limits.max_depth = limits->max_depth;
	}
	s->tok = json_tokener_new_ex(s->limits.max_depth);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!s->tok || s->epfd < 0 || s->timer_fd < 0)
		goto fail;
	json_tokener_set_flags(s->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* Check for idle clients a few times per timeout period. */
	tick_ms = s->limits.idle_timeout_ms / 4;
	if (tick_ms < 50)
		tick_ms = 50;
	if (tick_ms > 1000)
		tick_ms = 1000;
	its.it_value.tv_sec = its.it_interval.tv_sec = tick_ms / 1000;
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (tick_ms % 1000) * 1000000;
	e.data.ptr = &s->timer_tag;
	if (timerfd_settime(s->timer_fd, 0, &its, NULL) < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->timer_fd, &e) < 0)
		goto fail;
	vl_server_add_interface(s, &service_interface, s);
	*out = s;
	return 0;
fail:
	vl_server_free(s);
	return -ENOMEM;
}

void vl_server_free(struct vl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s, s->clients);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->tok)
		json_tokener_free(s->tok);
	free(s);
}

int vl_server_add_interface(struct vl_server *s, const struct vl_interface *iface,
			    void *userdata)
{
	if (s->n_ifaces == VL_MAX_INTERFACES)
		return -ENOSPC;
	s->ifaces[s->n_ifaces].iface = iface;
	s->ifaces[s->n_ifaces].userdata = userdata;
	s->n_ifaces++;
	return 0;
}

int vl_server_listen(struct vl_server *s, const char *path, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event e = { .events = EPOLLIN };
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(ENAMETOOLONG, "socket path %s is too long (max %zu bytes)", path,
			      sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_error_errno(errno, "socket: %m");
	/* Replace a stale socket left by a previous run, nothing else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return log_error_errno(EEXIST, "%s exists and is not a socket; refusing to replace it",
				      path);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return log_error_errno(errno, "cannot bind %s: %m", path);
	if (chmod(path, mode) < 0)
		return log_error_errno(errno, "cannot chmod %s: %m", path);
	if (listen(fd, 128) < 0)
		return log_error_errno(errno, "cannot listen on %s: %m", path);
	e.data.ptr = &s->listener_tag;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &e) < 0)
		return -errno;
	s->listen_fd = TAKE_FD(fd);
	return 0;
}

int vl_server_fd(const struct vl_server *s)
{
	return s->epfd;
}

/* ---- client ----------------------------------------------------------- */

int vl_client_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	_cleanup_close_ int fd = -1;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return TAKE_FD(fd);
}

int vl_client_call(int fd, const char *method, json_object *params,
		   json_object **out, char **error)
{
	_cleanup_free_ char *buf = NULL;
	json_object *req = json_object_new_object(), *reply, *v;
	size_t len = 0, cap = 0, n;
	const char *text;
	int r = 0;

	*out = NULL;
	*error = NULL;
	if (!req)
		return -ENOMEM;
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params)
		json_object_object_add(req, "parameters", json_object_get(params));
	text = serialise(req, &n);
	if (send(fd, text, n + 1, MSG_NOSIGNAL) != (ssize_t)(n + 1))
		r = errno ? -errno : -EIO;
	json_object_put(req);
	if (r < 0)
		return r;
	for (;;) {
		ssize_t got;

		if (len == cap) {
			if (cap >= 4 * VL_DEFAULT_MAX_MESSAGE)
				return -EMSGSIZE;
			if (GREEDY_REALLOC(buf, cap, len + 4096) < 0)
				return -ENOMEM;
		}
		got = recv(fd, buf + len, cap - len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (got == 0)
			return -ECONNRESET;
		len += (size_t)got;
		if (memchr(buf, '\0', len))
			break;
	}
	reply = json_tokener_parse(buf);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		return -EBADMSG;
	}
	if (json_object_object_get_ex(reply, "parameters", &v) && json_object_is_type(v, json_type_object))
		*out = json_object_get(v);
	else
		*out = json_object_new_object();
	if (json_object_object_get_ex(reply, "error", &v)) {
		*error = strdup(json_object_get_string(v));
		r = -EBADMSG;
	}
	json_object_put(reply);
	return r;
}
