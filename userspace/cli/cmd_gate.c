// SPDX-License-Identifier: MIT
/* credgate gate: show or change the kernel gate (docs/man/credgate-gate.1). */
#include "base/util.h"
#include "commands.h"
#include "gate/gate.h"

#include <signal.h>

#include <json-c/json.h>

struct gate_args {
	enum cg_backend backend;
	bool json, force, reset, follow;
	const char *verb;
	char **pos;		/* positional arguments after the verb */
	int npos;
};

static void usage(FILE *f)
{
	fputs("usage: credgate gate [--backend auto|lsm|bpf] COMMAND\n"
	      "\n"
	      "commands:\n"
	      "  status [--json]            backend, state, mode, lock, allow list, counters\n"
	      "  open | close               open or close the gate (needs CAP_MAC_ADMIN)\n"
	      "  mode enforce|permissive|off\n"
	      "  allow                      print the allow list (PROTO:PORT entries)\n"
	      "  allow PROTO:PORT...        add entries: udp:68 (bind only), tcp:8443, sctp:PORT\n"
	      "  allow --reset [PROTO:PORT...]  replace the allow list with exactly these\n"
	      "  lock                       freeze mode and allow list until reboot\n"
	      "  load [--force]             bpf: load, attach and pin the BPF LSM programs\n"
	      "  events [--json] [--follow] print refusal events\n"
	      "\n"
	      "--backend auto (default) picks lsm when 'credgate' is in\n"
	      "/sys/kernel/security/lsm, else bpf when 'bpf' is.\n"
	      "exit status: 0 ok, 2 error.  See credgate-gate(1).\n", f);
}

static int parse_args(int argc, char **argv, struct gate_args *a)
{
	a->pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->pos)
		return -ENOMEM;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char *val = NULL;

		if (!strcmp(s, "--")) {
			while (++i < argc)
				a->pos[a->npos++] = argv[i];
			break;
		}
		if (!strcmp(s, "--backend") || !strncmp(s, "--backend=", 10)) {
			int b;

			if (s[9] == '=')
				val = s + 10;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return log_error_errno(EINVAL, "--backend needs a value: auto, lsm or bpf");
			b = gate_backend_from_name(val);
			if (b < 0)
				return log_error_errno(EINVAL, "bad --backend \"%s\": expected auto, lsm or bpf", val);
			a->backend = (enum cg_backend)b;
		} else if (!strcmp(s, "--json")) {
			a->json = true;
		} else if (!strcmp(s, "--force")) {
			a->force = true;
		} else if (!strcmp(s, "--reset")) {
			a->reset = true;
		} else if (!strcmp(s, "--follow")) {
			a->follow = true;
		} else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			a->verb = "help";
			return 0;
		} else if (s[0] == '-' && s[1]) {
			return log_error_errno(EINVAL, "unknown option '%s' (try: credgate gate --help)", s);
		} else if (!a->verb) {
			a->verb = s;
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (!a->verb)
		a->verb = "status";
	return 0;
}

/* One message per failure class, naming what to do; returns the exit code. */
static int fail(int r, const char *what)
{
	switch (-r) {
	case ENOSYS:
		log_error_errno(r, "%s: this kernel offers neither the credgate LSM nor BPF LSM: "
		       "%s is missing or lists neither \"credgate\" nor \"bpf\". Boot a kernel with credgate built in "
		       "(CONFIG_SECURITY_CREDGATE, see docs/design.md) or one with CONFIG_BPF_LSM=y "
		       "and \"bpf\" in its lsm= boot parameter, with securityfs mounted",
		       what, GATE_LSM_LIST);
		break;
	case ENOENT:
		log_error_errno(r, "%s: the BPF gate is not loaded (nothing pinned under %s): run 'credgate gate load'",
		       what, GATE_BPF_PIN_DIR);
		break;
	case EPERM:
	case EACCES:
		log_error_errno(r, "%s: permission denied: needs CAP_MAC_ADMIN (run as root)", what);
		break;
	case EROFS:
		log_error_errno(r, "%s: mode is locked until reboot", what);
		break;
	case E2BIG:
		log_error_errno(r, "%s: the allow list is too long for the kernel interface (one page)", what);
		break;
	default:
		log_error_errno(r, "%s: %m", what);
	}
	return EXIT_CG_ERROR;
}

static int need_args(const struct gate_args *a, int min, int max, const char *usage_line)
{
	if (a->npos < min || a->npos > max) {
		log_error_errno(EINVAL, "usage: credgate gate %s", usage_line);
		return -EINVAL;
	}
	return 0;
}

static int print_ports(FILE *f, const uint32_t *allow)
{
	_cleanup_free_ char *s = gate_format_allow(allow);

	if (!s)
		return -ENOMEM;
	fprintf(f, "%s\n", s);
	return 0;
}

static int show_status(struct gate *g, bool json)
{
	static uint32_t allow[CREDGATE_ALLOW_WORDS];
	struct gate_status st;
	int r;

	r = gate_get_status(g, &st);
	if (r >= 0)
		r = gate_get_allow(g, allow);
	if (r < 0)
		return fail(r, "cannot read the gate status");

	if (json) {
		json_object *o = json_object_new_object(), *ports = json_object_new_array();
		json_object *ctr = json_object_new_object();

		json_object_object_add(o, "backend", json_object_new_string(cg_backend_name(st.backend)));
		json_object_object_add(o, "state", json_object_new_string(credgate_state_name(st.state)));
		json_object_object_add(o, "mode", json_object_new_string(credgate_mode_name(st.mode)));
		json_object_object_add(o, "locked", json_object_new_boolean(st.locked));
		for (int proto = CREDGATE_PROTO_UDP; proto < CREDGATE_PROTO_MAX; proto++)
			for (uint32_t port = 1; port <= 65535; port++)
				if (credgate_allow_test(allow, proto, (__u16)port)) {
					char e[16];

					snprintf(e, sizeof(e), "%s:%u", credgate_proto_name(proto), port);
					json_object_array_add(ports, json_object_new_string(e));
				}
		json_object_object_add(o, "allow_ports", ports);
		for (int i = 0; i < CREDGATE_NR_COUNTERS; i++)
			json_object_object_add(ctr, credgate_counter_name(i),
					       json_object_new_uint64(st.counters[i]));
		json_object_object_add(o, "counters", ctr);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return EXIT_CG_OK;
	}
	printf("backend: %s\nstate: %s\nmode: %s\nlocked: %s\nallow_ports: ",
	       cg_backend_name(st.backend), credgate_state_name(st.state),
	       credgate_mode_name(st.mode), st.locked ? "yes" : "no");
	if (print_ports(stdout, allow) < 0)
		return fail(-ENOMEM, "cannot print the allow list");
	for (int i = 0; i < CREDGATE_NR_COUNTERS; i++)
		printf("%s: %llu\n", credgate_counter_name(i), (unsigned long long)st.counters[i]);
	return EXIT_CG_OK;
}

static int do_allow(struct gate *g, const struct gate_args *a)
{
	static uint32_t allow[CREDGATE_ALLOW_WORDS];
	int r;

	if (!a->npos && !a->reset) {
		r = gate_get_allow(g, allow);
		if (r < 0)
			return fail(r, "cannot read the allow list");
		if (print_ports(stdout, allow) < 0)
			return fail(-ENOMEM, "cannot print the allow list");
		return EXIT_CG_OK;
	}
	if (a->reset) {
		memset(allow, 0, sizeof(allow));
	} else {
		r = gate_get_allow(g, allow);
		if (r < 0)
			return fail(r, "cannot read the allow list");
	}
	for (int i = 0; i < a->npos; i++) {
		uint16_t port;
		int proto;

		if (gate_parse_allow_entry(a->pos[i], &proto, &port) < 0)
			return EXIT_CG_ERROR;	/* checked in run() */
		credgate_allow_set(allow, proto, port, 1);
	}
	r = gate_set_allow(g, allow);
	if (r < 0)
		return fail(r, "cannot change the allow list");
	return EXIT_CG_OK;
}

static int print_event(const struct credgate_event *e, void *userdata)
{
	bool json = *(bool *)userdata;
	const char *action = credgate_action_name(e->action);
	char addr[64], comm[CREDGATE_COMM_LEN + 1];

	gate_format_addr(e->family, e->addr, addr, sizeof(addr));
	memcpy(comm, e->comm, CREDGATE_COMM_LEN);
	comm[CREDGATE_COMM_LEN] = '\0';
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "ts_ns", json_object_new_uint64(e->ts_ns));
		json_object_object_add(o, "action", json_object_new_string(action));
		json_object_object_add(o, "hook", json_object_new_string(credgate_hook_name(e->hook)));
		json_object_object_add(o, "comm", json_object_new_string(comm));
		json_object_object_add(o, "pid", json_object_new_int64(e->pid));
		json_object_object_add(o, "uid", json_object_new_int64(e->uid));
		if (e->family == CREDGATE_AF_INET6 || e->family == CREDGATE_AF_INET)
			json_object_object_add(o, "family", json_object_new_string(
				e->family == CREDGATE_AF_INET6 ? "inet6" : "inet"));
		else	/* refused by family: the number of <linux/socket.h> */
			json_object_object_add(o, "family", json_object_new_int(e->family));
		json_object_object_add(o, "addr", json_object_new_string(addr));
		json_object_object_add(o, "port", json_object_new_int(e->port));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		/* The kernel log line of the lsm backend, without "credgate: ". */
		printf("%s %s comm=%s pid=%u uid=%u addr=%s port=%u\n", action,
		       credgate_hook_name(e->hook), comm, e->pid, e->uid, addr, e->port);
	}
	fflush(stdout);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int do_events(struct gate *g, const struct gate_args *a)
{
	struct gate_events *ev = NULL;
	bool json = a->json;
	int r;

	r = gate_events_open(g, print_event, &json, &ev);
	if (r < 0)
		return fail(r, "cannot read events");
	if (a->follow) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
	}
	do {
		r = gate_events_poll(ev, a->follow ? 500 : 0);
	} while (r >= 0 && a->follow && !stop);
	gate_events_free(ev);
	if (r < 0)
		return fail(r, "cannot read events");
	return EXIT_CG_OK;
}

static int do_load(const struct gate_args *a)
{
	enum cg_backend b = a->backend;
	int r;

	if (b == CG_BACKEND_AUTO) {
		r = gate_detect_backend(&b);
		if (r < 0)
			return fail(r, "load");
	}
	if (b == CG_BACKEND_LSM) {
		if (a->backend == CG_BACKEND_LSM) {
			log_error_errno(EINVAL, "load: the lsm backend is built into the kernel; nothing to load");
			return EXIT_CG_ERROR;
		}
		puts("the credgate LSM is built into this kernel; nothing to load");
		return EXIT_CG_OK;
	}
	r = gate_bpf_load(a->force);
	if (r == -EROFS) {
		log_error_errno(r, "load --force: the pinned config is locked until reboot; refusing to replace it");
		return EXIT_CG_ERROR;
	}
	if (r < 0)
		return fail(r, "load");
	if (r == 1)
		printf("already loaded: re-using what is pinned under %s (nothing attached again)\n",
		       GATE_BPF_PIN_DIR);
	else
		printf("loaded: BPF LSM gate attached and pinned under %s\n", GATE_BPF_PIN_DIR);
	return EXIT_CG_OK;
}

static int run(const struct gate_args *a)
{
	_cleanup_(gate_closep) struct gate *g = NULL;
	const char *v = a->verb;
	int r;

	if (!strcmp(v, "load")) {
		if (need_args(a, 0, 0, "load [--force]") < 0)
			return EXIT_CG_ERROR;
		return do_load(a);
	}
	if (strcmp(v, "status") && strcmp(v, "open") && strcmp(v, "close") &&
	    strcmp(v, "mode") && strcmp(v, "allow") && strcmp(v, "lock") &&
	    strcmp(v, "events")) {
		log_error_errno(EINVAL, "unknown gate command '%s' (try: credgate gate --help)", v);
		return EXIT_CG_ERROR;
	}
	/* Check the arguments before touching the kernel. */
	if (!strcmp(v, "mode")) {
		if (need_args(a, 1, 1, "mode enforce|permissive|off") < 0)
			return EXIT_CG_ERROR;
		if (strcmp(a->pos[0], "enforce") && strcmp(a->pos[0], "permissive") &&
		    strcmp(a->pos[0], "off")) {
			log_error_errno(EINVAL, "bad mode \"%s\": expected enforce, permissive or off", a->pos[0]);
			return EXIT_CG_ERROR;
		}
	} else if (!strcmp(v, "allow")) {
		for (int i = 0; i < a->npos; i++) {
			uint16_t port;
			int proto;

			r = gate_parse_allow_entry(a->pos[i], &proto, &port);
			if (r == -ENOPROTOOPT) {
				log_error_errno(EINVAL, "bad entry \"%s\": allow-list entries name a protocol now: "
				       "write udp:%s (bind only, e.g. DHCP), tcp:%s or sctp:%s",
				       a->pos[i], a->pos[i], a->pos[i], a->pos[i]);
				return EXIT_CG_ERROR;
			}
			if (r < 0) {
				log_error_errno(EINVAL, "bad entry \"%s\": expected PROTO:PORT with PROTO udp, tcp "
				       "or sctp and PORT 1..65535 (e.g. udp:68, tcp:8443)", a->pos[i]);
				return EXIT_CG_ERROR;
			}
		}
	} else if (need_args(a, 0, 0, v) < 0) {
		return EXIT_CG_ERROR;
	}

	r = gate_open_backend(a->backend, &g);
	if (r == -ENOSYS && a->backend == CG_BACKEND_LSM) {
		log_error_errno(r, "the credgate LSM is not active in this kernel (%s missing); "
		       "try --backend bpf or boot a kernel with credgate built in", GATE_LSM_DIR);
		return EXIT_CG_ERROR;
	}
	if (r < 0)
		return fail(r, "cannot open the gate");

	if (!strcmp(v, "status"))
		return show_status(g, a->json);
	if (!strcmp(v, "open") || !strcmp(v, "close")) {
		r = gate_set_state(g, v[0] == 'o' ? CREDGATE_OPEN : CREDGATE_CLOSED);
		return r < 0 ? fail(r, v) : EXIT_CG_OK;
	}
	if (!strcmp(v, "mode")) {
		uint32_t m = !strcmp(a->pos[0], "enforce") ? CREDGATE_MODE_ENFORCE :
			     !strcmp(a->pos[0], "permissive") ? CREDGATE_MODE_PERMISSIVE :
			     CREDGATE_MODE_OFF;

		r = gate_set_mode(g, m);
		return r < 0 ? fail(r, "mode") : EXIT_CG_OK;
	}
	if (!strcmp(v, "allow"))
		return do_allow(g, a);
	if (!strcmp(v, "lock")) {
		r = gate_lock(g);
		if (r < 0)
			return fail(r, "lock");
		puts("locked: mode and allow list are frozen until reboot");
		return EXIT_CG_OK;
	}
	return do_events(g, a);
}

int cmd_gate(int argc, char **argv)
{
	struct gate_args a = { .backend = CG_BACKEND_AUTO };
	int r;

	r = parse_args(argc, argv, &a);
	if (r < 0) {
		free(a.pos);
		return EXIT_CG_ERROR;
	}
	if (!strcmp(a.verb, "help")) {
		usage(stdout);
		r = EXIT_CG_OK;
	} else {
		r = run(&a);
	}
	free(a.pos);
	return r;
}
