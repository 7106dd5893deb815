// SPDX-License-Identifier: MIT
/*
 * credgate migrate: move the accounts the audit flags to a unique random
 * password, a user-defined one (expire), or lock them (docs/migration.md).
 */
#include <getopt.h>
#include <sys/stat.h>

#include "agent_client.h"
#include "audit/audit.h"
#include "config/config.h"
#include "audit_args.h"
#include "commands.h"
#include "migrate/migrate.h"
#include "migrate/password.h"
#include "base/util.h"

struct migrate_args {
	struct migrate_opts m;
	struct audit_args audit;
	const char **users;
	const char *creds_path;
	const char *socket;
	bool have_policy;
	bool per_device;	/* --per-device: --root is one device, not an image */
};

static void migrate_usage(FILE *f)
{
	fputs("usage: credgate migrate [--root DIR] --policy random|user|lock [--user NAME]...\n"
	      "                        [--credentials-out FILE] [--hash-method PREFIX]\n"
	      "                        [--depth fast|full] [--store TYPE:PATH]... [--defaults FILE]...\n"
	      "                        [--no-builtin] [--device-id KEY=VALUE]... [--allow-unknown]\n"
	      "                        [--threads N] [--no-cache | --cache FILE] [--quiet]\n"
	      "                        [--socket PATH] [--per-device]\n"
	      "Changes every account whose audit verdict is a violation (see credgate-migrate(1)).\n"
	      "random: new passwords go to --credentials-out (mode 0600, STORE<TAB>USER<TAB>PASSWORD)\n"
	      "        or to stdout when it is a terminal.  With --root only together with\n"
	      "        --per-device (DIR is one device's file system, never an image).\n"
	      "exit status: 0 done (or nothing to do), 2 error (the stores are unchanged)\n", f);
}

static int push(const void *item, size_t size, void *arrayp, size_t *n)
{
	void **array = arrayp;
	char *a = reallocarray(*array, *n + 1, size);

	if (!a)
		return -ENOMEM;
	memcpy(a + *n * size, item, size);
	*array = a;
	(*n)++;
	return 0;
}

enum { OPT_POLICY = 256, OPT_USER, OPT_CREDS, OPT_METHOD, OPT_SOCKET, OPT_PER_DEVICE };

static int migrate_option(void *userdata, int opt, const char *arg)
{
	struct migrate_args *a = userdata;
	int r;

	switch (opt) {
	case OPT_POLICY:
		r = cg_from_name(&cg_policy_names, arg);
		if (r < 0 || r == CG_POLICY_NONE)
			return log_error_errno(EINVAL, "--policy %s: expected random, user or lock", arg);
		a->m.policy = (enum cg_policy)r;
		a->have_policy = true;
		break;
	case OPT_USER:
		if (push(&arg, sizeof(arg), &a->users, &a->m.n_users) < 0)
			return -ENOMEM;
		break;
	case OPT_CREDS:
		a->creds_path = arg;
		break;
	case OPT_SOCKET:
		a->socket = arg;
		break;
	case OPT_PER_DEVICE:
		a->per_device = true;
		break;
	case OPT_METHOD:
		if (password_method_valid(arg) < 0)
			return log_error_errno(EINVAL, "--hash-method '%s': not a crypt prefix this libxcrypt can generate (e.g. '$6$', '$y$', '$2b$', '$6$rounds=5000$')",
					       arg);
		a->m.method = arg;
		break;
	}
	return 0;
}

static int parse_args(struct migrate_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "user", required_argument, NULL, OPT_USER },
		{ "credentials-out", required_argument, NULL, OPT_CREDS },
		{ "hash-method", required_argument, NULL, OPT_METHOD },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "per-device", no_argument, NULL, OPT_PER_DEVICE },
		{}
	};
	static const struct audit_args_cmd cmd = {
		.name = "migrate", .options = options, .option = migrate_option, .usage = migrate_usage,
	};
	int r;

	r = audit_args_parse(&a->audit, &cmd, a, argc, argv);
	if (r)
		return r;
	if (!a->have_policy)
		return log_error_errno(EINVAL, "--policy random|user|lock is required (see credgate migrate --help)");
	if (a->m.policy == CG_POLICY_RANDOM && !a->creds_path && !isatty(STDOUT_FILENO))
		return log_error_errno(EINVAL, "--policy random: give --credentials-out FILE (or run on a terminal): new passwords are never logged; nothing was changed");
	if (a->m.policy != CG_POLICY_RANDOM && (a->creds_path || a->m.method))
		return log_error_errno(EINVAL, "--credentials-out and --hash-method apply to --policy random only");
	r = audit_args_finish(&a->audit);
	if (r < 0)
		return r;
	/*
	 * A random password written into an image ships on every unit made
	 * from it: the opposite of "unique per device".  Only a tree that is
	 * one device's own file system (mounted for service) may get one.
	 */
	if (a->m.policy == CG_POLICY_RANDOM && !root_is_host(a->audit.opts.root) && !a->per_device)
		return log_error_errno(EINVAL, "--policy random --root %s: every unit made from an image would get the same password; nothing was changed. "
				       "For images use [migration] first_boot = random (each unit draws its own at first boot) or credgate provision (per unit, at manufacture); "
				       "if %s is one device's own file system (mounted for service), add --per-device",
				       a->audit.opts.root, a->audit.opts.root);
	a->m.root = a->audit.opts.root;
	a->m.users = a->users;
	a->m.audit = &a->audit.opts;
	return 0;
}

/* STORE <TAB> USER <TAB> PASSWORD on stdout, the credentials-file format. */
static void print_password(void *userdata, const char *store, const char *user,
			   const char *password)
{
	(void)userdata;
	printf("%s\t%s\t%s\n", store, user, password);
	fflush(stdout);
}

int cmd_migrate(int argc, char **argv, void *userdata)
{
	/* Unless told otherwise, migrate fixes what the agent decides on. */
	struct migrate_args a = {
		.m.creds_fd = -1,
		.m.on_password = print_password,
		.audit.opts.depth = CG_DEPTH_FULL,
	};
	int r, ret = EXIT_CG_ERROR;

	(void)userdata;
	r = parse_args(&a, argc, argv);
	if (r == 1)
		ret = EXIT_CG_OK;
	if (r)
		goto out;
	if (a.creds_path && !root_is_host(a.m.root)) {
		r = path_inside_root(a.creds_path, a.m.root);
		if (r != 0) {
			log_error_errno(r < 0 ? r : EINVAL, "--credentials-out %s: %s; nothing was changed", a.creds_path,
			       r < 0 ? strerror(-r) : "lies inside --root: the passwords would ship in the image");
			goto out;
		}
	}
	if (a.creds_path) {
		a.m.creds_fd = credentials_create(a.creds_path);
		if (a.m.creds_fd < 0) {
			log_error_errno(a.m.creds_fd, "--credentials-out %s: %s%s; nothing was changed", a.creds_path,
			       strerror(-a.m.creds_fd),
			       a.m.creds_fd == -EEXIST ? " (it is never overwritten: move it away first)" : "");
			goto out;
		}
	}
	r = migrate_run(&a.m);
	audit_args_progress_end();
	if (r >= 0) {
		if (!r)
			fprintf(stderr, "credgate: migrate: no account to migrate\n");
		else if (a.m.policy == CG_POLICY_USER)
			fprintf(stderr, "credgate: migrate: %d account(s) expired; the gate stays closed until each user sets a password that passes the audit (console, or an allow-listed provisioning service)\n",
				r);
		ret = EXIT_CG_OK;
		/* On this system with the agent running: its new decision. */
		if (r > 0 && a.m.policy != CG_POLICY_USER && root_is_host(a.m.root))
			agent_wait_decision(a.socket ? a.socket : CG_VARLINK_SOCKET, 10000);
	}
out:
	if (a.m.creds_fd >= 0) {
		struct stat st;

		/* A credentials file nothing was written to is not left behind. */
		if (fstat(a.m.creds_fd, &st) == 0 && st.st_size == 0)
			unlink(a.creds_path);
		close(a.m.creds_fd);
	}
	audit_args_free(&a.audit);
	free(a.users);
	return ret;
}
