// SPDX-License-Identifier: MIT
/*
 * io.credgate.Device: support period, disclosure contact and gate status.
 * Field meanings and the clauses they serve: docs/metadata.md.
 */
#include "agent.h"
#include "base/util.h"

/* userspace/lib/varlink/io.credgate.Device.varlink, compiled in (scripts/gen-idl). */
#include "io.credgate.Device.varlink.h"

static int device_get_support(struct vl_call *call, json_object *params, void *userdata)
{
	struct agent *a = userdata;
	json_object *o;

	if (vl_params_check(call, params, NULL, 0) < 0)
		return 0;
	o = cg_metadata_support_json(&a->metadata, time(NULL));
	return o ? vl_reply(call, o) : -ENOMEM;
}

static int device_get_disclosure(struct vl_call *call, json_object *params, void *userdata)
{
	struct agent *a = userdata;
	json_object *o;

	if (vl_params_check(call, params, NULL, 0) < 0)
		return 0;
	o = cg_metadata_disclosure_json(&a->metadata, time(NULL));
	return o ? vl_reply(call, o) : -ENOMEM;
}

static json_object *status_json(const struct cg_agent_status *st, bool visible)
{
	json_object *o = json_object_new_object();
	json_object *v = json_object_new_array();
	char when[32] = "";

	if (!o || !v) {
		json_object_put(o);
		json_object_put(v);
		return NULL;
	}
	for (size_t i = 0; visible && i < st->n_violations; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "user", vl_json_text(st->violations[i].user));
		json_object_object_add(e, "store", json_object_new_string(st->violations[i].store));
		json_object_object_add(e, "verdict", json_object_new_string(st->violations[i].verdict));
		json_object_array_add(v, e);
	}
	if (st->last_audit) {
		struct tm tm;

		gmtime_r(&st->last_audit, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	json_object_object_add(o, "gate", json_object_new_string(st->gate));
	json_object_object_add(o, "backend", json_object_new_string(st->backend));
	json_object_object_add(o, "mode", json_object_new_string(st->mode));
	json_object_object_add(o, "compliant", json_object_new_boolean(st->compliant));
	json_object_object_add(o, "violations", v);
	json_object_object_add(o, "violations_visible", json_object_new_boolean(visible));
	json_object_object_add(o, "last_audit", json_object_new_string(when));
	return o;
}

/* Root, and members of [varlink] status_group, may see which accounts. */
static bool may_see_accounts(const struct agent *a, const struct vl_call *call)
{
	uid_t uid;
	gid_t gid;

	if (vl_call_peer(call, &uid, &gid) < 0)
		return false;
	return uid == 0 || (a->status_gid != (gid_t)-1 && vl_call_peer_in_group(call, a->status_gid));
}

static int device_get_status(struct vl_call *call, json_object *params, void *userdata)
{
	struct agent *a = userdata;
	json_object *o;

	if (vl_params_check(call, params, NULL, 0) < 0)
		return 0;
	o = status_json(&a->status, may_see_accounts(a, call));
	return o ? vl_reply(call, o) : -ENOMEM;
}

static const struct vl_method device_methods[] = {
	{ "GetSupport", device_get_support },
	{ "GetDisclosure", device_get_disclosure },
	{ "GetStatus", device_get_status },
};

const struct vl_interface device_interface = {
	.name = CG_DEVICE_INTERFACE,
	.description = io_credgate_Device_idl,
	.methods = device_methods,
	.n_methods = ARRAY_SIZE(device_methods),
};

void agent_status_clear(struct cg_agent_status *st)
{
	for (size_t i = 0; i < st->n_violations; i++) {
		free(st->violations[i].user);
		free(st->violations[i].store);
		free(st->violations[i].verdict);
	}
	free(st->violations);
	st->violations = NULL;
	st->n_violations = 0;
}

int agent_status_set_violations(struct cg_agent_status *st,
				const struct cg_violation *v, size_t n)
{
	struct cg_violation *copy = calloc(n ? n : 1, sizeof(*copy));

	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i].user = strdup(v[i].user);
		copy[i].store = strdup(v[i].store);
		copy[i].verdict = strdup(v[i].verdict);
		if (!copy[i].user || !copy[i].store || !copy[i].verdict) {
			struct cg_agent_status tmp = { .violations = copy, .n_violations = i + 1 };

			agent_status_clear(&tmp);
			return -ENOMEM;
		}
	}
	agent_status_clear(st);
	st->violations = copy;
	st->n_violations = n;
	return 0;
}
