// SPDX-License-Identifier: MIT
/* credgate gate: show or change the kernel gate (docs/man/credgate-gate.1). */
#include "base/util.h"
#include "commands.h"
#include "gate/gate.h"
#include "verbs.h"

#include <getopt.h>
#include <signal.h>

#include <json-c/json.h>

struct gate_args {
	enum cg_backend backend;
	bool json, force, reset, follow;
	struct gate *gate;	/* opened by the first gate_of() */
};

/* The backends --backend takes ("auto, lsm or bpf"). */
static const char *backend_names(const char *sep, const char *last, char *buf, size_t size)
{
	return names_list(&cg_backend_names, gate_backend_from_name, sep, last, buf, size);
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
	case EOPNOTSUPP:
		break;	/* a build without the backend said so, naming the way out */
	default:
		log_error_errno(r, "%s: %m", what);
	}
	return EXIT_CG_ERROR;
}

static int print_ports(FILE *f, const uint32_t *allow)
{
	_cleanup_free_ char *s = gate_format_allow(allow);

	if (!s)
		return -ENOMEM;
	fprintf(f, "%s\n", s);
	return 0;
}

/*
 * The gate of --backend, opened on first use (after a verb has checked
 * its arguments); NULL after the message saying why not.
 */
static struct gate *gate_of(struct gate_args *a)
{
	int r;

	if (a->gate)
		return a->gate;
	r = gate_open_backend(a->backend, &a->gate);
	if (r == -ENOSYS && a->backend == CG_BACKEND_LSM)
		log_error_errno(r, "the credgate LSM is not active in this kernel (%s missing); "
				"try --backend bpf or boot a kernel with credgate built in", GATE_LSM_DIR);
	else if (r < 0)
		fail(r, "cannot open the gate");
	return r < 0 ? NULL : a->gate;
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

static int do_status(int argc, char **argv, void *userdata)
{
	struct gate_args *a = userdata;
	struct gate *g = gate_of(a);

	(void)argc;
	(void)argv;
	return g ? show_status(g, a->json) : EXIT_CG_ERROR;
}

static int do_open_close(int argc, char **argv, void *userdata)
{
	struct gate *g = gate_of(userdata);
	int r;

	(void)argc;
	if (!g)
		return EXIT_CG_ERROR;
	r = gate_set_state(g, !strcmp(argv[0], "open") ? CREDGATE_OPEN : CREDGATE_CLOSED);
	return r < 0 ? fail(r, argv[0]) : EXIT_CG_OK;
}

/* argv[1]: a name of cg_mode_names (checked by dispatch_verb). */
static int do_mode(int argc, char **argv, void *userdata)
{
	struct gate *g = gate_of(userdata);
	int r;

	(void)argc;
	if (!g)
		return EXIT_CG_ERROR;
	r = gate_set_mode(g, (uint32_t)cg_from_name(&cg_mode_names, argv[1]));
	return r < 0 ? fail(r, "mode") : EXIT_CG_OK;
}

static int do_lock(int argc, char **argv, void *userdata)
{
	struct gate *g = gate_of(userdata);
	int r;

	(void)argc;
	(void)argv;
	if (!g)
		return EXIT_CG_ERROR;
	r = gate_lock(g);
	if (r < 0)
		return fail(r, "lock");
	puts("locked: mode and allow list are frozen until reboot");
	return EXIT_CG_OK;
}

static int do_allow(int argc, char **argv, void *userdata)
{
	static uint32_t allow[CREDGATE_ALLOW_WORDS];
	struct gate_args *a = userdata;
	struct gate *g;
	int r;

	/* Check the entries before touching the kernel. */
	for (int i = 1; i < argc; i++) {
		uint16_t port;
		int proto;

		r = gate_parse_allow_entry(argv[i], &proto, &port);
		if (r == -ENOPROTOOPT) {
			log_error_errno(EINVAL, "bad entry \"%s\": allow-list entries name a protocol now: "
			       "write udp:%s (bind only, e.g. DHCP), tcp:%s or sctp:%s",
			       argv[i], argv[i], argv[i], argv[i]);
			return EXIT_CG_ERROR;
		}
		if (r < 0) {
			log_error_errno(EINVAL, "bad entry \"%s\": expected PROTO:PORT with PROTO udp, tcp "
			       "or sctp and PORT 1..65535 (e.g. udp:68, tcp:8443)", argv[i]);
			return EXIT_CG_ERROR;
		}
	}
	g = gate_of(a);
	if (!g)
		return EXIT_CG_ERROR;
	if (argc == 1 && !a->reset) {
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
	for (int i = 1; i < argc; i++) {
		uint16_t port;
		int proto;

		if (gate_parse_allow_entry(argv[i], &proto, &port) < 0)
			return EXIT_CG_ERROR;	/* checked above */
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

static int do_events(int argc, char **argv, void *userdata)
{
	struct gate_args *a = userdata;
	struct gate *g = gate_of(a);
	struct gate_events *ev = NULL;
	bool json = a->json;
	int r;

	(void)argc;
	(void)argv;
	if (!g)
		return EXIT_CG_ERROR;
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

static int do_load(int argc, char **argv, void *userdata)
{
	const struct gate_args *a = userdata;
	enum cg_backend b = a->backend;
	int r;

	(void)argc;
	(void)argv;
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

/* Checks of the arguments come before the gate is opened. */
static const struct verb gate_verbs[] = {
	{ "status", 0, 0, VERB_DEFAULT, NULL, "[--json]",
	  "backend, state, mode, lock, allow list, counters (the default)", do_status },
	{ "open", 0, 0, 0, NULL, NULL, "open the gate (needs CAP_MAC_ADMIN)", do_open_close },
	{ "close", 0, 0, 0, NULL, NULL, "close the gate (needs CAP_MAC_ADMIN)", do_open_close },
	{ "mode", 1, 1, 0, &cg_mode_names, NULL, "set the mode", do_mode },
	{ "allow", 0, VERB_ANY, 0, NULL, "[--reset] [PROTO:PORT...]",
	  "no entries: print the allow list (PROTO:PORT entries)\n"
	  "add entries: udp:68 (bind only), tcp:8443, sctp:PORT\n"
	  "--reset: replace the allow list with exactly these", do_allow },
	{ "lock", 0, 0, 0, NULL, NULL, "freeze mode and allow list until reboot", do_lock },
	{ "load", 0, 0, 0, NULL, "[--force]", "bpf: load, attach and pin the BPF LSM programs", do_load },
	{ "events", 0, 0, 0, NULL, "[--json] [--follow]", "print refusal events", do_events },
	{}
};

static void usage(FILE *f)
{
	char names[64];

	fprintf(f, "usage: credgate gate [--backend %s] COMMAND\n\ncommands:\n",
		backend_names("|", "|", names, sizeof(names)));
	verbs_help(f, gate_verbs, 31);
	fputs("\n"
	      "--backend auto (default) picks lsm when 'credgate' is in\n"
	      "/sys/kernel/security/lsm, else bpf when 'bpf' is.\n"
	      "exit status: 0 ok, 2 error.  See credgate-gate(1).\n", f);
}

static void gate_args_done(struct gate_args *a)
{
	gate_close(a->gate);
}

int cmd_gate(int argc, char **argv, void *userdata)
{
	enum { OPT_BACKEND = 0x100, OPT_JSON, OPT_FORCE, OPT_RESET, OPT_FOLLOW };
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(gate_args_done) struct gate_args a = { .backend = CG_BACKEND_AUTO };
	char names[64];
	int c, b;

	(void)userdata;
	optind = 1;
	/* ':' first: no messages from getopt, ':' for a missing value. */
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_BACKEND:
			b = gate_backend_from_name(optarg);
			if (b < 0) {
				log_error_errno(EINVAL, "bad --backend \"%s\": expected %s", optarg,
						backend_names(", ", " or ", names, sizeof(names)));
				return EXIT_CG_ERROR;
			}
			a.backend = (enum cg_backend)b;
			break;
		case OPT_JSON: a.json = true; break;
		case OPT_FORCE: a.force = true; break;
		case OPT_RESET: a.reset = true; break;
		case OPT_FOLLOW: a.follow = true; break;
		case 'h':
			usage(stdout);
			return EXIT_CG_OK;
		case ':':
			log_error_errno(EINVAL, "--backend needs a value: %s",
					backend_names(", ", " or ", names, sizeof(names)));
			return EXIT_CG_ERROR;
		default:
			/* A short option by its letter, a long one as written. */
			if (optopt > 0 && optopt < 0x100)
				log_error_errno(EINVAL, "unknown option '-%c' (try: credgate gate --help)", optopt);
			else
				log_error_errno(EINVAL, "unknown option '%s' (try: credgate gate --help)",
						argv[optind - 1]);
			return EXIT_CG_ERROR;
		}
	}
	return dispatch_verb(argc - optind, argv + optind, gate_verbs, "credgate gate", "gate command",
			     usage, &a);
}
