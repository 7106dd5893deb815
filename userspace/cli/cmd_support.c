// SPDX-License-Identifier: MIT
/*
 * credgate support: the support period and vulnerability-disclosure
 * contact, asked from credgated over Varlink, or (--offline) built from the
 * configuration directly.  See credgate-support(1).
 */
#include "commands.h"
#include "config/config.h"
#include "config/metadata.h"
#include "base/util.h"
#include "varlink/varlink.h"

#include <getopt.h>

struct support_opts {
	const char *socket;
	const char *config;
	const char *os_release;
	const char *state_dir;
	bool offline, json, security_txt;
};

static void usage(FILE *f)
{
	fputs("usage: credgate support [--json | --security-txt] [--socket PATH]\n"
	      "       credgate support --offline [--json | --security-txt] [--config FILE]\n"
	      "                        [--os-release FILE] [--state-dir DIR]\n"
	      "Show the security support period and how to report a vulnerability.\n"
	      "exit status: 0 ok, 2 error (agent unreachable, bad configuration)\n", f);
}

static const char *str_field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static long int_field(json_object *o, const char *key, long def)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return def;
	return (long)json_object_get_int64(v);
}

static void print_list(const char *label, json_object *o, const char *key, const char *sep)
{
	json_object *a;

	if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array) ||
	    !json_object_array_length(a))
		return;
	printf("%-26s", label);
	for (size_t i = 0; i < json_object_array_length(a); i++)
		printf("%s%s", i ? sep : "",
		       json_object_get_string(json_object_array_get_idx(a, i)));
	putchar('\n');
}

static void print_human(json_object *sup, json_object *dis)
{
	const char *end = str_field(sup, "support_end");
	long days = int_field(sup, "days_left", 0);
	json_object *v;

	printf("%-26s%s %s %s\n", "Product:", str_field(sup, "vendor"),
	       str_field(sup, "product"), str_field(sup, "model"));
	if (*str_field(sup, "hardware_version"))
		printf("%-26s%s\n", "Hardware version:", str_field(sup, "hardware_version"));
	printf("%-26s%s\n", "Firmware version:", str_field(sup, "firmware_version"));
	if (!*end)
		printf("%-26s%s\n", "Security updates:", "no support period published");
	else if (days >= 0)
		printf("%-26suntil %s (%ld days left)\n", "Security updates:", end, days);
	else
		printf("%-26sENDED on %s (%ld days ago): no more security updates\n",
		       "Security updates:", end, -days);
	if (*str_field(sup, "support_url"))
		printf("%-26s%s\n", "Support:", str_field(sup, "support_url"));
	print_list("Report vulnerabilities:", dis, "contacts", "\n                          ");
	if (*str_field(dis, "policy"))
		printf("%-26s%s\n", "Disclosure policy:", str_field(dis, "policy"));
	if (json_object_object_get_ex(dis, "acknowledgement_days", &v))
		printf("%-26swithin %ld days\n", "Acknowledgement:", int_field(dis, "acknowledgement_days", 0));
	if (json_object_object_get_ex(dis, "status_update_days", &v))
		printf("%-26severy %ld days\n", "Status updates:", int_field(dis, "status_update_days", 0));
	print_list("Languages:", dis, "preferred_languages", ", ");
	if (*str_field(sup, "compliance_url"))
		printf("%-26s%s\n", "Statement of compliance:", str_field(sup, "compliance_url"));
	if (*str_field(sup, "sbom_url"))
		printf("%-26s%s\n", "SBOM:", str_field(sup, "sbom_url"));
}

static int fetch_offline(const struct support_opts *o, json_object **sup, json_object **dis)
{
	struct cg_config config;
	struct cg_metadata md;
	time_t now = time(NULL);
	int r;

	r = cg_config_load(&config, NULL, o->config, 0);
	if (r < 0) {
		cg_config_free(&config);
		return log_error_errno(r, "%s: not loaded; fix the lines above", o->config);
	}
	/* Read-only: the agent alone records a new support end. */
	r = cg_metadata_load(&md, &config, o->os_release, o->state_dir, false);
	cg_config_free(&config);
	if (r < 0)
		return r;
	*sup = cg_metadata_support_json(&md, now);
	*dis = cg_metadata_disclosure_json(&md, now);
	cg_metadata_free(&md);
	return *sup && *dis ? 0 : -ENOMEM;
}

static int call(int fd, const char *socket, const char *method, json_object **out)
{
	_cleanup_free_ char *error = NULL;
	int r = vl_client_call(fd, method, NULL, out, &error);

	if (r == -EBADMSG && error)
		return log_error_errno(r, "%s: %s answered %s", socket, method, error);
	if (r < 0)
		return log_error_errno(r, "%s: %s failed: %m", socket, method);
	return 0;
}

static int fetch_online(const struct support_opts *o, json_object **sup, json_object **dis)
{
	_cleanup_close_ int fd = vl_client_connect(o->socket, 5000);
	int r;

	if (fd < 0)
		return log_error_errno(fd, "cannot connect to %s: %m (is credgated running? --offline reads the configuration instead)",
			      o->socket);
	r = call(fd, o->socket, "io.credgate.Device.GetSupport", sup);
	if (r == 0)
		r = call(fd, o->socket, "io.credgate.Device.GetDisclosure", dis);
	return r;
}

int cmd_support(int argc, char **argv, void *userdata)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "security-txt", no_argument, NULL, 't' },
		{ "socket", required_argument, NULL, 's' },
		{ "offline", no_argument, NULL, 'O' },
		{ "config", required_argument, NULL, 'c' },
		{ "os-release", required_argument, NULL, 'o' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct support_opts o = {
		.socket = CG_VARLINK_SOCKET,
		.config = CG_CONFIG_PATH,
		.state_dir = CG_STATE_DIR,
	};
	json_object *sup = NULL, *dis = NULL;
	int c, r;

	(void)userdata;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': o.json = true; break;
		case 't': o.security_txt = true; break;
		case 's': o.socket = optarg; break;
		case 'O': o.offline = true; break;
		case 'c': o.config = optarg; break;
		case 'o': o.os_release = optarg; break;
		case 'd': o.state_dir = optarg; break;
		case 'h': usage(stdout); return EXIT_CG_OK;
		default: usage(stderr); return EXIT_CG_ERROR;
		}
	}
	if (optind < argc || (o.json && o.security_txt)) {
		usage(stderr);
		return EXIT_CG_ERROR;
	}
	r = o.offline ? fetch_offline(&o, &sup, &dis) : fetch_online(&o, &sup, &dis);
	if (r < 0)
		goto out;
	if (o.security_txt) {
		const char *txt = str_field(dis, "security_txt");

		if (!*txt)
			r = log_error_errno(ENODATA, "no disclosure contact is configured: set [product] contact in %s",
				   o.config);
		else
			fputs(txt, stdout);
	} else if (o.json) {
		json_object *all = json_object_new_object();

		json_object_object_add(all, "support", json_object_get(sup));
		json_object_object_add(all, "disclosure", json_object_get(dis));
		puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(all);
	} else {
		print_human(sup, dis);
	}
out:
	json_object_put(sup);
	json_object_put(dis);
	return r < 0 ? EXIT_CG_ERROR : EXIT_CG_OK;
}
