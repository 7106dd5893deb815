// SPDX-License-Identifier: MIT
/*
 * credgate status: what the agent says (over its Varlink socket) and what
 * the kernel gate says (read directly), side by side.  Works without the
 * agent (says it is not running) and without a gate (says so).
 */
#include "agent_client.h"
#include "commands.h"
#include "prometheus.h"
#include "config/config.h"
#include "gate/gate.h"
#include "base/util.h"
#include "varlink/varlink.h"

#include <getopt.h>

static void usage(FILE *f)
{
	fputs("usage: credgate status [--json | --prometheus] [--socket PATH] [--backend auto|lsm|bpf]\n"
	      "exit status: 0 no violation known, 1 the agent reports violations or a\n"
	      "failed audit, 2 neither the agent nor the gate could be asked\n", f);
}

static json_object *gate_json(const struct gate_status *st)
{
	json_object *o = json_object_new_object(), *c = json_object_new_object();

	json_object_object_add(o, "backend", json_object_new_string(cg_backend_name(st->backend)));
	json_object_object_add(o, "state", json_object_new_string(credgate_state_name(st->state)));
	json_object_object_add(o, "mode", json_object_new_string(credgate_mode_name(st->mode)));
	json_object_object_add(o, "locked", json_object_new_boolean(st->locked));
	for (size_t i = 0; i < CREDGATE_NR_COUNTERS; i++)
		json_object_object_add(c, credgate_counter_name(i), json_object_new_uint64(st->counters[i]));
	json_object_object_add(o, "counters", c);
	return o;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void print_text(json_object *agent, const char *why, const struct gate_status *st,
		       int gate_r)
{
	json_object *v;

	if (agent) {
		printf("agent:      running (backend %s)\n", str_of(agent, "backend"));
		if (!strcmp(str_of(agent, "backend"), "none"))
			puts("            WARNING: backend none, nothing is enforced");
		printf("decision:   %s\n", str_of(agent, "gate"));
		printf("last audit: %s\n", *str_of(agent, "last_audit") ? str_of(agent, "last_audit") : "none yet");
		if (json_object_object_get_ex(agent, "violations", &v) && json_object_array_length(v)) {
			puts("violations:");
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *e = json_object_array_get_idx(v, i);
				char user[4 * 256 + 1];

				printf("  %-16s %-10s %s\n",
				       cg_escape_controls(str_of(e, "user"), user, sizeof(user)),
				       str_of(e, "verdict"), str_of(e, "store"));
			}
			puts("  fix: credgate migrate --policy random (or set unique passwords with passwd)");
		} else if (json_object_object_get_ex(agent, "violations_visible", &v) &&
			   !json_object_get_boolean(v)) {
			printf("violations: %s; which accounts is shown to root and to the agent's\n"
			       "            [varlink] status_group only\n",
			       json_object_object_get_ex(agent, "compliant", &v) && json_object_get_boolean(v) ?
			       "none" : "yes (the device is not compliant)");
		} else {
			puts("violations: none");
		}
	} else {
		printf("agent:      not running (%s)\n", why ? why : "no answer");
	}
	if (gate_r == 0) {
		printf("gate:       %s, backend %s, mode %s%s\n", credgate_state_name(st->state),
		       cg_backend_name(st->backend), credgate_mode_name(st->mode),
		       st->locked ? ", locked" : "");
		printf("refusals:   bind %llu, listen %llu (permissive, allowed: bind %llu, listen %llu)\n",
		       (unsigned long long)st->counters[credgate_counter_index(CREDGATE_HOOK_BIND, CREDGATE_REFUSE)],
		       (unsigned long long)st->counters[credgate_counter_index(CREDGATE_HOOK_LISTEN, CREDGATE_REFUSE)],
		       (unsigned long long)st->counters[credgate_counter_index(CREDGATE_HOOK_BIND, CREDGATE_AUDIT)],
		       (unsigned long long)st->counters[credgate_counter_index(CREDGATE_HOOK_LISTEN, CREDGATE_AUDIT)]);
	} else {
		printf("gate:       not readable (%s)\n",
		       gate_r == -ENOSYS ? "no credgate LSM or BPF LSM in this kernel" :
		       gate_r == -ENOENT ? "bpf programs not loaded" : strerror(-gate_r));
	}
}

int cmd_status(int argc, char **argv, void *userdata)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *socket = CG_VARLINK_SOCKET;
	enum cg_backend want = CG_BACKEND_AUTO;
	struct gate_status st = { 0 };
	struct gate *g = NULL;
	_cleanup_free_ char *why = NULL;
	json_object *agent, *v;
	bool json = false, prom = false, violations = false;
	int c, gate_r;

	(void)userdata;
	while ((c = getopt_long(argc, argv, "js:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p': prom = true; break;
		case 's': socket = optarg; break;
		case 'b':
			c = gate_backend_from_name(optarg);
			if (c < 0) {
				log_error_errno(EINVAL, "--backend %s: expected auto, lsm or bpf", optarg);
				return EXIT_CG_ERROR;
			}
			want = (enum cg_backend)c;
			break;
		case 'h': usage(stdout); return EXIT_CG_OK;
		default: usage(stderr); return EXIT_CG_ERROR;
		}
	}
	if (optind < argc || (json && prom)) {
		log_error_errno(EINVAL, "unexpected argument '%s' (see credgate status --help)",
				optind < argc ? argv[optind] : "--prometheus with --json");
		return EXIT_CG_ERROR;
	}
	agent = agent_get_status(socket, &why);
	gate_r = gate_open_backend(want, &g);
	if (gate_r == 0) {
		gate_r = gate_get_status(g, &st);
		gate_close(g);
	}
	if (agent && json_object_object_get_ex(agent, "violations", &v))
		violations = json_object_array_length(v) > 0 ||
			     (json_object_object_get_ex(agent, "compliant", &v) && !json_object_get_boolean(v));
	if (prom) {
		if (status_print_prometheus(agent, socket, gate_r == 0 ? &st : NULL) < 0) {
			json_object_put(agent);
			return EXIT_CG_ERROR;
		}
	} else if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "agent_running", json_object_new_boolean(agent != NULL));
		json_object_object_add(o, "agent", agent ? json_object_get(agent) : NULL);
		if (!agent)
			json_object_object_add(o, "agent_error", json_object_new_string(why ? why : "no answer"));
		json_object_object_add(o, "gate", gate_r == 0 ? gate_json(&st) : NULL);
		if (gate_r < 0)
			json_object_object_add(o, "gate_error", json_object_new_string(strerror(-gate_r)));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		print_text(agent, why, &st, gate_r);
	}
	json_object_put(agent);
	if (!agent && gate_r < 0)
		return EXIT_CG_ERROR;
	return violations ? EXIT_CG_VIOLATION : EXIT_CG_OK;
}
