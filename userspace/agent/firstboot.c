// SPDX-License-Identifier: MIT
/*
 * First-boot migration ([migration] first_boot): once per device, before
 * the first audit and before privileges are dropped, migrate every account
 * the audit flags, without a person.  With 'random' the new passwords go to
 * a root-only file in the state directory and to the console, never to the
 * log.  A marker file in the state directory records that it ran; a failed
 * migration leaves no marker (the next start tries again) and the gate
 * closed.
 */
#include "agent.h"
#include "migrate/migrate.h"
#include "base/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>

static void copy_to_console(const struct agent *a, const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int fd;

	if (read_file(path, 1 << 20, &data, &len) < 0)
		return;
	fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		agent_log(a, LOG_WARNING, "no console to show the new credentials on (%m); they are in %s",
			  path);
		return;
	}
	dprintf(fd, "\ncredgate: first boot: new unique credentials (store, user, password); also in %s:\n",
		path);
	(void)!write(fd, data, len);
	close(fd);
}

int agent_first_boot(struct agent *a)
{
	enum cg_policy fb = a->config.migration.first_boot;
	_cleanup_free_ struct audit_store_spec *stores = NULL;
	_cleanup_free_ char *cache = NULL, *marker = NULL, *creds = NULL;
	struct audit_opts audit;
	struct migrate_opts mo = { .creds_fd = -1, .audit = &audit };
	int r, fd;

	if (fb == CG_POLICY_NONE)
		return 0;
	if (asprintf(&marker, "%s/first-boot.done", a->state_dir) < 0 ||
	    asprintf(&creds, "%s/first-boot-credentials", a->state_dir) < 0)
		return -ENOMEM;
	if (access(marker, F_OK) == 0)
		return 0;
	if (mkdir(a->state_dir, 0700) < 0 && errno != EEXIST)
		return log_error_errno(errno, "cannot create the state directory %s: %m", a->state_dir);
	r = agent_audit_opts(a, true, &audit, &stores, &cache);
	if (r < 0)
		return r;
	mo.policy = fb;
	if (mo.policy == CG_POLICY_RANDOM) {
		mo.creds_fd = credentials_create(creds);
		if (mo.creds_fd < 0)
			return log_error_errno(mo.creds_fd, "cannot create %s: %m (remove it once its credentials are safe)",
				      creds);
	}
	agent_log(a, LOG_NOTICE, "first boot: migrating flagged accounts with policy %s",
		  cg_policy_name(fb));
	r = migrate_run(&mo);
	if (mo.creds_fd >= 0)
		close(mo.creds_fd);
	if (r < 0) {
		agent_log(a, LOG_ERR, "first-boot migration failed (%s): the gate stays closed until the accounts are fixed; 'credgate migrate' does it by hand",
			  strerror(-r));
		return r;
	}
	agent_log(a, LOG_NOTICE, "first boot: %d account(s) migrated (policy %s)", r, cg_policy_name(fb));
	if (mo.policy == CG_POLICY_RANDOM && r > 0)
		copy_to_console(a, creds);
	fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return 0;
}
