/* SPDX-License-Identifier: MIT */
/*
 * The credential audit: every account of every store gets one verdict.
 * Shared by `credgate audit`, the agent and `credgate migrate`.
 */
#ifndef CREDGATE_AUDIT_H
#define CREDGATE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "derive.h"
#include "store.h"

enum audit_verdict {
	AUDIT_OK,
	AUDIT_LOCKED,		/* no password login possible */
	AUDIT_BLANK,
	AUDIT_DEFAULT,
	AUDIT_DERIVED,
	AUDIT_SEQUENTIAL,
	AUDIT_COMMON,
	AUDIT_UNKNOWN,		/* a hash this build cannot verify */
	_AUDIT_VERDICT_MAX,
};

enum audit_depth {
	AUDIT_DEPTH_FAST,	/* blank, locked, exact hash, defaults, derived */
	AUDIT_DEPTH_FULL,	/* adds sequential and common */
};

#define AUDIT_CACHE_PATH "/var/lib/credgate/audit.cache"
#define AUDIT_DEFAULTS_DIR "/etc/credgate/defaults.d"
#define AUDIT_CONFIG_PATH "/etc/credgate/credgate.conf"
#define AUDIT_SEQUENTIAL_MAX_DEFAULT 12

struct audit_store_spec {
	enum store_type type;
	const char *path;	/* as on the device; under opts.root when set */
};

struct audit_opts {
	const char *root;		/* audit an unpacked rootfs; NULL: this system */
	enum audit_depth depth;
	const struct audit_store_spec *stores;	/* NULL: shadow, passwd, gshadow + config */
	size_t n_stores;
	const char *const *defaults_files;	/* extra lists (--defaults), inside root */
	size_t n_defaults_files;
	bool no_builtin;		/* only the lists given (and defaults.d) */
	const struct device_ids *device_ids;	/* added to what is probed */
	const char *cache_path;		/* host path of the cache; NULL: no cache */
	bool unknown_ok;		/* do not count 'unknown' as a violation */
	unsigned threads;		/* 0: all online CPUs */
	unsigned sequential_max;	/* 0: AUDIT_SEQUENTIAL_MAX_DEFAULT */
	store_diag_fn diag;		/* NULL: store_diag_stderr */
	void *diag_userdata;
};

struct audit_account {
	enum store_type store_type;
	char *store;		/* path as seen on the device */
	unsigned line;
	char *user;
	char *hash;		/* raw password field, for migrate: never print it */
	enum audit_verdict verdict;
	char *detail;		/* what is wrong (or why ok); no secrets */
};

struct audit_stats {
	size_t candidates;		/* dictionary size at this depth */
	size_t hashes_to_check;		/* distinct hashes needing the dictionary */
	size_t cache_hits;
	unsigned long long verifications;	/* crypt/apr1/sha1 computations */
	unsigned threads;
};

struct audit_report {
	struct audit_account *accounts;
	size_t n_accounts;
	size_t n_violations;
	unsigned n_errors;	/* store/list problems reported via diag */
	bool compliant;		/* no violation and no error */
	struct audit_stats stats;
};

/* 0 and a report (free with audit_report_free), or a negative errno. */
int audit_run(const struct audit_opts *opts, struct audit_report **out);
void audit_report_free(struct audit_report *r);

const char *audit_verdict_name(enum audit_verdict v);
bool audit_verdict_is_violation(enum audit_verdict v);

/* Settings from the [audit] section of credgate.conf (inside @root). */
struct audit_config {
	char **htpasswd;	/* htpasswd = PATH, repeatable */
	size_t n_htpasswd;
	int unknown_ok;		/* unknown = ok|violation; -1 when unset */
	long sequential_max;	/* sequential-max = N; -1 when unset */
};
int audit_config_load(const char *root, const char *path, struct audit_config *cfg,
		      store_diag_fn diag, void *userdata);
void audit_config_clear(struct audit_config *cfg);

/* The verdict cache (audit_cache.c). */
struct audit_cache_entry {
	unsigned char key[32];	/* SHA-256(dictionary digest || hash string) */
	long cand;		/* index of the first matching candidate, -1 none */
	bool used;
};

struct audit_cache {
	struct audit_cache_entry *e;
	size_t n, cap, n_loaded;
	bool sorted, dirty;
};

/* Load @path; a missing, corrupt or unsafe file gives an empty cache. */
int audit_cache_load(struct audit_cache *c, const char *path);
/* Parse a cache file's bytes (modified in place); -EBADMSG when corrupt. */
int audit_cache_parse(struct audit_cache *c, char *data, size_t size);
struct audit_cache_entry *audit_cache_find(struct audit_cache *c, const unsigned char key[32]);
int audit_cache_put(struct audit_cache *c, const unsigned char key[32], long cand);
/* Write atomically, mode 0600. */
int audit_cache_save(struct audit_cache *c, const char *path);
void audit_cache_clear(struct audit_cache *c);

#endif
