// SPDX-License-Identifier: MIT
/*
 * Where the audit looks for service configurations by itself: the usual
 * paths of the files whose settings let a client in without a password
 * (docs/audit.md "Services that need no password").  Absent files are
 * skipped; the stores of the default configuration stay shadow, passwd,
 * gshadow.
 */
#include "audit/audit.h"
#include "base/util.h"

#include <dirent.h>

static const struct audit_store_spec service_configs[] = {
	{ STORE_MOSQUITTO_CONF, "/etc/mosquitto/mosquitto.conf" },
	{ STORE_SSHD_CONFIG, "/etc/ssh/sshd_config" },
	{ STORE_INIT, "/etc/inittab" },
	{ STORE_INIT, "/etc/inetd.conf" },
	{ STORE_INIT, "/etc/rc.local" },
	/* PAM services reached from the network (sshd: PermitEmptyPasswords decides). */
	{ STORE_PAM, "/etc/pam.d/remote" },
	{ STORE_PAM, "/etc/pam.d/telnet" },
	{ STORE_PAM, "/etc/pam.d/rlogin" },
	{ STORE_PAM, "/etc/pam.d/rsh" },
	{ STORE_PAM, "/etc/pam.d/rexec" },
	{ STORE_PAM, "/etc/pam.d/ftp" },
	{ STORE_PAM, "/etc/pam.d/vsftpd" },
	{ STORE_PAM, "/etc/pam.d/proftpd" },
	{ STORE_PAM, "/etc/pam.d/pure-ftpd" },
	{ STORE_PAM, "/etc/pam.d/dovecot" },
	{ STORE_PAM, "/etc/pam.d/ppp" },
};

#define INIT_DIR "/etc/init.d"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int audit_service_configs(const char *root, struct audit_store_spec **out, size_t *n_out)
{
	_cleanup_free_ char *full = NULL;
	struct audit_store_spec *v;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *dh;
	int r = 0;

	/* Names only: each file is then opened safely inside @root. */
	if (asprintf(&full, "%s%s", root ? root : "", INIT_DIR) < 0)
		return -ENOMEM;
	dh = opendir(full);
	for (struct dirent *de; dh && (de = readdir(dh));) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		if (GREEDY_REALLOC(names, cap, n + 1) < 0 ||
		    asprintf(&names[n], INIT_DIR "/%s", de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	if (dh)
		closedir(dh);
	if (r >= 0)
		qsort(names, n, sizeof(*names), cmp_str);
	v = r < 0 ? NULL : calloc(ARRAY_SIZE(service_configs) + n, sizeof(*v));
	if (!v) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ARRAY_SIZE(service_configs); i++)
		v[i] = (struct audit_store_spec){ service_configs[i].type,
						  strdup(service_configs[i].path) };
	for (size_t i = 0; i < n; i++)
		v[ARRAY_SIZE(service_configs) + i] = (struct audit_store_spec){ STORE_INIT, names[i] };
	free(names);
	*out = v;
	*n_out = ARRAY_SIZE(service_configs) + n;
	for (size_t i = 0; i < *n_out; i++)
		if (!v[i].path) {
			audit_store_specs_free(v, *n_out);
			return -ENOMEM;
		}
	return 0;
}

void audit_store_specs_free(struct audit_store_spec *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free((char *)v[i].path);
	free(v);
}
