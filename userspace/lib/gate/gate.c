// SPDX-License-Identifier: MIT
/*
 * The kernel gate from userland (see gate.h): backend detection, the
 * allow-list helpers, and the API, which checks its arguments and hands
 * each call to the backend's struct gate_ops (gate_internal.h).
 */
#include "gate/gate_internal.h"
#include "config/config.h"
#include "base/util.h"

/* The backends a gate can be opened with, by enum cg_backend. */
static const struct gate_ops *const backends[_CG_BACKEND_MAX] = {
	[CG_BACKEND_LSM] = &gate_lsm_ops,
	[CG_BACKEND_BPF] = &gate_bpf_ops,
};

int gate_backend_from_name(const char *name)
{
	int b = cg_from_name(&cg_backend_names, name);

	return b == CG_BACKEND_NONE ? -EINVAL : b;
}

char *gate_sys_path(const char *path)
{
	const char *root = getenv("CREDGATE_SYSFS_ROOT");
	char *p;

	if (asprintf(&p, "%s%s", root ? root : "", path) < 0)
		return NULL;
	return p;
}

/* Is @name one of the comma-separated entries of @list? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",\n");

		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

int gate_detect_backend(enum cg_backend *out)
{
	_cleanup_free_ char *path = gate_sys_path(GATE_LSM_LIST), *list = NULL;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, 4096, &list, NULL);
	if (r == -ENOENT)
		return -ENOSYS;	/* no securityfs or no LSM support at all */
	if (r < 0)
		return r;
	if (list_has(list, "credgate"))
		*out = CG_BACKEND_LSM;
	else if (list_has(list, "bpf"))
		*out = CG_BACKEND_BPF;
	else
		return -ENOSYS;
	return 0;
}

/* ---- allow lists ---- */

void gate_default_allow(uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	static const __u16 ports[] = CREDGATE_DEFAULT_ALLOW_UDP;

	memset(allow, 0, CREDGATE_ALLOW_WORDS * sizeof(uint32_t));
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		credgate_allow_set(allow, CREDGATE_PROTO_UDP, ports[i], 1);
}

void gate_allow_from_entries(uint32_t allow[CREDGATE_ALLOW_WORDS],
			     const uint32_t *entries, size_t n)
{
	memset(allow, 0, CREDGATE_ALLOW_WORDS * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		credgate_allow_set(allow, CG_ALLOW_PROTO(entries[i]), CG_ALLOW_PORT(entries[i]), 1);
}

int gate_parse_allow_entry(const char *tok, int *proto, uint16_t *port)
{
	const char *colon = strchr(tok, ':');
	unsigned long v;

	if (!colon)
		return parse_uint(tok, 65535, &v) == 0 && v > 0 ? -ENOPROTOOPT : -EINVAL;
	*proto = credgate_proto_parse(tok, (int)(colon - tok));
	if (*proto < 0 || parse_uint(colon + 1, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

char *gate_format_allow(const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	/* At most 3 x 65535 entries of up to "sctp:65535" plus a separator. */
	char *buf = malloc((size_t)CREDGATE_PROTO_MAX * 65535 * 11 + 2);
	size_t len = 0;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (int proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++)
		for (uint32_t port = 1; port <= 65535; port++)
			if (credgate_allow_test(allow, proto, (__u16)port))
				len += (size_t)sprintf(buf + len, "%s%s:%u", len ? " " : "",
						       credgate_proto_name(proto), port);
	return buf;
}

/* ---- the API over struct gate_ops ---- */

int gate_open_backend(enum cg_backend want, struct gate **out)
{
	struct gate *g;
	int r;

	if (want == CG_BACKEND_AUTO) {
		r = gate_detect_backend(&want);
		if (r < 0)
			return r;
	}
	if ((unsigned int)want >= ARRAY_SIZE(backends) || !backends[want])
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->ops = backends[want];
	r = g->ops->open(g);
	if (r < 0) {
		gate_close(g);
		return r;
	}
	*out = g;
	return 0;
}

void gate_close(struct gate *g)
{
	if (!g)
		return;
	g->ops->close(g);
	free(g);
}

enum cg_backend gate_backend(const struct gate *g)
{
	return g->ops->backend;
}

int gate_read_counters(struct gate *g, uint64_t c[CREDGATE_NR_COUNTERS])
{
	return g->ops->read_counters(g, c);
}

int gate_get_status(struct gate *g, struct gate_status *st)
{
	int r;

	memset(st, 0, sizeof(*st));
	st->backend = g->ops->backend;
	r = g->ops->get_status(g, st);
	if (r < 0)
		return r;
	return g->ops->read_counters(g, st->counters);
}

int gate_set_state(struct gate *g, uint32_t state)
{
	if (state != CREDGATE_OPEN && state != CREDGATE_CLOSED)
		return -EINVAL;
	return g->ops->set_state(g, state);
}

int gate_set_mode(struct gate *g, uint32_t mode)
{
	if (mode > CREDGATE_MODE_OFF)
		return -EINVAL;
	return g->ops->set_mode(g, mode);
}

int gate_get_allow(struct gate *g, uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	return g->ops->get_allow(g, allow);
}

int gate_set_allow(struct gate *g, const uint32_t allow[CREDGATE_ALLOW_WORDS])
{
	for (int proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++)
		if (credgate_allow_test(allow, proto, 0))
			return -EINVAL;	/* port 0 is never an allow-list entry */
	for (int w = 0; w < CREDGATE_PORT_WORDS; w++)
		if (allow[CREDGATE_PROTO_NONE * CREDGATE_PORT_WORDS + w])
			return -EINVAL;	/* the unused slot stays empty */
	return g->ops->set_allow(g, allow);
}

int gate_lock(struct gate *g)
{
	return g->ops->lock(g);
}

int gate_bpf_load(bool force)
{
	return backends[CG_BACKEND_BPF]->load(force);
}
