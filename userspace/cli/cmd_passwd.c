// SPDX-License-Identifier: MIT
/*
 * credgate passwd: a person at the console sets an account's password.
 * A password the audit would flag (blank, default, derived, sequential,
 * common) is refused with the reason before anything is written; a good
 * one is hashed with the account's own method, its verdict recorded for
 * the agent, and written like migrate does (docs/migration.md).
 */
#include <getopt.h>
#include <termios.h>

#include "agent_client.h"
#include "audit/audit.h"
#include "config/config.h"
#include "audit_args.h"
#include "commands.h"
#include "migrate/migrate.h"
#include "migrate/password.h"
#include "base/util.h"

#define PASSWD_MAX 512

static void passwd_usage(FILE *f)
{
	fputs("usage: credgate passwd [--root DIR] [--config FILE] [--hash-method PREFIX]\n"
	      "                       [--store TYPE:PATH]... [--cache FILE | --no-cache] USER\n"
	      "Reads the new password twice from the terminal (without echo), or once\n"
	      "from standard input when it is not a terminal.\n"
	      "exit status: 0 set, 1 refused (the audit would flag it), 2 error\n", f);
}

/* One line from @f into @buf, without its newline; -EMSGSIZE when too long. */
static int read_line(FILE *f, char *buf, size_t size)
{
	size_t len;

	if (!fgets(buf, (int)size, f))
		return ferror(f) ? -EIO : -ENODATA;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (!feof(f))
		return -EMSGSIZE;
	return 0;
}

static int prompt(FILE *tty, const char *text, char *buf, size_t size)
{
	struct termios old, quiet;
	int r;

	fputs(text, tty);
	fflush(tty);
	if (tcgetattr(fileno(tty), &old) < 0)
		return -errno;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(fileno(tty), TCSAFLUSH, &quiet) < 0)
		return -errno;
	r = read_line(tty, buf, size);
	(void)tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	return r;
}

static int read_password(char *pw, size_t size)
{
	char again[PASSWD_MAX + 2];
	FILE *tty;
	int r;

	if (!isatty(STDIN_FILENO))
		return read_line(stdin, pw, size);
	tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return -errno;
	r = prompt(tty, "New password: ", pw, size);
	if (r == 0)
		r = prompt(tty, "Retype new password: ", again, sizeof(again));
	if (r == 0 && strcmp(pw, again))
		r = log_error_errno(EINVAL, "passwd: the passwords differ; nothing was changed");
	explicit_bzero(again, sizeof(again));
	fclose(tty);
	return r;
}

enum { OPT_METHOD = 256 };

static int passwd_option(void *userdata, int opt, const char *arg)
{
	struct migrate_opts *mo = userdata;

	(void)opt;
	if (password_method_valid(arg) < 0)
		return log_error_errno(EINVAL, "--hash-method '%s': not a crypt prefix this libxcrypt can generate (e.g. '$6$', '$y$')",
				       arg);
	mo->method = arg;
	return 0;
}

int cmd_passwd(int argc, char **argv, void *userdata)
{
	static const struct option options[] = {
		{ "hash-method", required_argument, NULL, OPT_METHOD },
		{}
	};
	static const struct audit_args_cmd cmd = {
		.name = "passwd", .options = options, .option = passwd_option, .usage = passwd_usage,
		.positional = true,
	};
	struct audit_args aa = { .opts.depth = CG_DEPTH_FULL };
	struct migrate_opts mo = { .creds_fd = -1 };
	char pw[PASSWD_MAX + 2];
	int r, ret = EXIT_CG_ERROR;

	(void)userdata;
	r = audit_args_parse(&aa, &cmd, &mo, argc, argv);
	if (r == 1)
		ret = EXIT_CG_OK;
	if (r)
		goto out;
	if (optind != argc - 1) {
		log_error_errno(EINVAL, "passwd: name exactly one USER (see credgate passwd --help)");
		goto out;
	}
	if (audit_args_finish(&aa) < 0)
		goto out;
	mo.root = aa.opts.root;
	mo.audit = &aa.opts;
	r = read_password(pw, sizeof(pw));
	if (r == -EMSGSIZE)
		log_error_errno(r, "passwd: longer than %d characters; nothing was changed", PASSWD_MAX);
	else if (r == -ENODATA)
		log_error_errno(r, "passwd: no password given; nothing was changed");
	else if (r < 0 && r != -EINVAL)
		log_error_errno(r, "passwd: cannot read the password: %m");
	if (r < 0)
		goto out;
	r = migrate_set_password(&mo, argv[optind], pw);
	if (r == 0) {
		fprintf(stderr, "credgate: passwd: password of %s set\n", argv[optind]);
		ret = EXIT_CG_OK;
		if (root_is_host(mo.root))
			agent_wait_decision(CG_VARLINK_SOCKET, 10000);
	} else if (r == -EPERM) {
		ret = EXIT_CG_VIOLATION;
	}
out:
	explicit_bzero(pw, sizeof(pw));
	audit_args_free(&aa);
	return ret;
}
