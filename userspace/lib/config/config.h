/* SPDX-License-Identifier: MIT */
/*
 * credgate.conf: the one configuration file of the agent and the CLI.
 *
 * INI syntax (parsed with inih).  Sections: [gate], [audit], [migration],
 * [product], [varlink], [agent].  Parsing is strict: an unknown section or key, a bad
 * value or a key set twice is reported as "FILE:LINE: what is wrong" and the
 * whole file is refused.  docs/configuration.md and credgate.conf(5)
 * describe every setting.
 */
#ifndef CREDGATE_CONFIG_H
#define CREDGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <credgate/policy.h>

#include "base/names.h"

#define CG_CONFIG_PATH "/etc/credgate/credgate.conf"
#define CG_VARLINK_SOCKET "/run/credgate/io.credgate.Device"
#define CG_STATE_DIR "/var/lib/credgate"
/* [audit] sequential_max: counters tried per base word. */
#define CG_SEQUENTIAL_MAX_DEFAULT 12

/* A credential store named in [audit] stores: "TYPE:PATH". */
struct cg_store_spec {
	char *type;		/* a store type name (store_type_names) */
	char *path;
};

/* Where a value came from, for messages: "FILE:LINE". */
struct cg_origin {
	const char *file;
	unsigned int line;
};

struct cg_product {
	char *name;
	char *manufacturer;
	char *model;
	char *hardware_version;
	char *firmware_version;
	char *support_end;		/* YYYY-MM-DD, validated */
	struct cg_origin support_end_origin;
	char *support_url;
	char **contacts;		/* RFC 9116 Contact URIs, validated */
	size_t n_contacts;
	char *policy_url;
	char *encryption_url;
	int acknowledgement_days;	/* -1: not set */
	int status_update_days;		/* -1: not set */
	char **preferred_languages;	/* RFC 5646 tags */
	size_t n_preferred_languages;
	char *compliance_url;
	char *sbom_url;
};

/* An allow-list entry of [gate] allow_ports: enum credgate_proto and port. */
#define CG_ALLOW_ENTRY(proto, port)	(((uint32_t)(proto) << 16) | (uint16_t)(port))
#define CG_ALLOW_PROTO(e)		((int)((e) >> 16))
#define CG_ALLOW_PORT(e)		((uint16_t)((e) & 0xffff))

struct cg_config {
	char *path;			/* the file read, NULL: the defaults */
	struct {
		enum cg_backend backend;
		enum credgate_mode mode;
		bool lock;
		/* "PROTO:PORT" entries as CG_ALLOW_ENTRY(); sorted, unique */
		uint32_t *allow_ports;
		size_t n_allow_ports;
	} gate;
	struct {
		struct cg_store_spec *stores;
		size_t n_stores;
		bool stores_explicit;	/* "stores =" given; else the defaults */
		enum cg_depth depth;
		bool depth_explicit;	/* "depth =" given */
		bool discover;		/* audit what audit_discover() finds too */
		uint32_t close_on;	/* bits (1 << enum cg_verdict) */
		unsigned long max_store_size;	/* bytes */
		unsigned long max_accounts;
		unsigned long max_words;	/* crypt dictionary words per hash */
		unsigned long time_limit;	/* seconds for the full tier, 0 none */
		unsigned long sequential_max;	/* counters tried per base */
	} audit;
	struct {
		enum cg_policy first_boot;
		/* accounts `credgate provision` derived at the factory (declared) */
		char **provisioned;
		size_t n_provisioned;
		char *provision_product;	/* the --product ID used, NULL: none */
	} migration;
	struct cg_product product;
	struct {
		char *socket;
		unsigned long max_clients;
		unsigned long max_clients_per_user;	/* per peer uid; root exempt */
		unsigned long idle_timeout;	/* seconds */
		char *status_group;	/* may see GetStatus's violations; NULL: root only */
	} varlink;
	struct {
		char *user;		/* credgated runs as this user after set-up */
		/* node_exporter textfile kept up to date, NULL: none */
		char *prometheus_textfile;
		/* restart what the closed gate refused, once it opens */
		bool restart_refused;
		char *gate_opened_dir;	/* hooks for other init systems */
		char *systemctl;	/* restarts refused systemd units */
	} agent;
};

/* The agent's service user when credgate.conf names none. */
#define CG_AGENT_USER "credgate"
#define CG_GATE_OPENED_DIR "/etc/credgate/gate-opened.d"
#define CG_SYSTEMCTL "/bin/systemctl"

enum {
	CG_CONFIG_MISSING_OK = 1 << 0,	/* no file: the built-in defaults */
};

/*
 * Read credgate.conf at @path into @c: inside @root (symlinks resolve
 * within it) unless @root is NULL or "/".  Every problem is logged as
 * "FILE:LINE: message" (FILE with the root in front); returns -EINVAL if
 * there was any, -errno if the file cannot be read.  A missing file is an
 * error too, unless @flags has CG_CONFIG_MISSING_OK: then @c holds the
 * defaults (what an empty file means) and c->path is NULL.  @c is always
 * safe to cg_config_free().
 */
int cg_config_load(struct cg_config *c, const char *root, const char *path, unsigned int flags);

/* The same, from a string (tests, fuzzing); @name is used in messages. */
int cg_config_load_string(struct cg_config *c, const char *name, const char *text);

void cg_config_free(struct cg_config *c);

#endif
