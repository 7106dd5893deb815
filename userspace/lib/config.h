/* SPDX-License-Identifier: MIT */
/*
 * credgate.conf: the one configuration file of the agent and the CLI.
 *
 * INI syntax (parsed with inih).  Sections: [gate], [audit], [migration],
 * [product], [varlink].  Parsing is strict: an unknown section or key, a bad
 * value or a key set twice is reported as "FILE:LINE: what is wrong" and the
 * whole file is refused.  docs/configuration.md and credgate.conf(5)
 * describe every setting.
 */
#ifndef CREDGATE_CONFIG_H
#define CREDGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_CONFIG_PATH "/etc/credgate/credgate.conf"
#define CG_VARLINK_SOCKET "/run/credgate/io.credgate.Device"
#define CG_STATE_DIR "/var/lib/credgate"

enum cg_backend {
	CG_BACKEND_AUTO = 0,
	CG_BACKEND_LSM,
	CG_BACKEND_BPF,
	CG_BACKEND_NONE,
};

/* Same order as enum credgate_mode in include/credgate/policy.h. */
enum cg_gate_mode {
	CG_GATE_ENFORCE = 0,
	CG_GATE_PERMISSIVE,
	CG_GATE_OFF,
};

enum cg_audit_depth {
	CG_DEPTH_FAST = 0,	/* blank, locked and exact-hash table only */
	CG_DEPTH_FULL,		/* plus the crypt dictionary */
};

/* Verdicts an audit can give an account (bit numbers of close_on). */
enum cg_verdict {
	CG_VERDICT_OK = 0,
	CG_VERDICT_LOCKED,
	CG_VERDICT_BLANK,
	CG_VERDICT_DEFAULT,
	CG_VERDICT_DERIVED,
	CG_VERDICT_SEQUENTIAL,
	CG_VERDICT_COMMON,
	CG_VERDICT_UNKNOWN,
	CG_VERDICT_MAX,
};

enum cg_first_boot {
	CG_FIRST_BOOT_NONE = 0,
	CG_FIRST_BOOT_RANDOM,
	CG_FIRST_BOOT_USER,
	CG_FIRST_BOOT_LOCK,
};

/* A credential store named in [audit] stores: "TYPE:PATH". */
struct cg_store_spec {
	char *type;		/* shadow, passwd, gshadow, htpasswd */
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
	char *path;			/* the file read, NULL for defaults */
	struct {
		enum cg_backend backend;
		enum cg_gate_mode mode;
		bool lock;
		/* "PROTO:PORT" entries as CG_ALLOW_ENTRY(); sorted, unique */
		uint32_t *allow_ports;
		size_t n_allow_ports;
	} gate;
	struct {
		struct cg_store_spec *stores;
		size_t n_stores;
		bool stores_explicit;	/* "stores =" given; else the defaults */
		enum cg_audit_depth depth;
		bool depth_explicit;	/* "depth =" given */
		uint32_t close_on;	/* bit (1 << enum cg_verdict) */
		unsigned long max_store_size;	/* bytes */
		unsigned long max_accounts;
		unsigned long max_words;	/* crypt dictionary words per hash */
		unsigned long time_limit;	/* seconds for the full tier, 0 none */
		unsigned long sequential_max;	/* counters tried per base */
	} audit;
	struct {
		enum cg_first_boot first_boot;
	} migration;
	struct cg_product product;
	struct {
		char *socket;
		unsigned long max_clients;
		unsigned long idle_timeout;	/* seconds */
	} varlink;
};

/* Fill @c with the built-in defaults (what an empty file means). */
int cg_config_init(struct cg_config *c);

/*
 * Parse @path into @c (initialised with defaults first).  Every problem is
 * printed as "PATH:LINE: message"; returns -EINVAL if there was any,
 * -errno if the file cannot be read.  @c is always safe to cg_config_free().
 */
int cg_config_load(struct cg_config *c, const char *path);

/* The same, from a string (tests, fuzzing); @name is used in messages. */
int cg_config_load_string(struct cg_config *c, const char *name, const char *text);

void cg_config_free(struct cg_config *c);

/* Names of enum values, as written in the file. */
const char *cg_backend_name(enum cg_backend b);
const char *cg_gate_mode_name(enum cg_gate_mode m);
const char *cg_verdict_name(enum cg_verdict v);
const char *cg_first_boot_name(enum cg_first_boot f);
int cg_backend_from_name(const char *s, enum cg_backend *out);

#endif
