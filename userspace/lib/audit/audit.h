/* SPDX-License-Identifier: MIT */
/*
 * The credential audit: every account of every store gets one verdict.
 * Shared by `credgate audit`, the agent and `credgate migrate`.
 */
#ifndef CREDGATE_AUDIT_H
#define CREDGATE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "audit/derive.h"
#include "base/names.h"
#include "config/config.h"
#include "store/store.h"

#define AUDIT_CACHE_PATH CG_STATE_DIR "/audit.cache"
#define AUDIT_DEFAULTS_DIR "/etc/credgate/defaults.d"

struct audit_progress {
	size_t hashes;			/* distinct hashes being judged */
	double fraction;		/* of the work done, 0..1 */
	unsigned long long verifications;	/* so far */
	double seconds;			/* since hashing began */
	double eta;			/* seconds left (estimate), <0 unknown */
	bool done;			/* last call: hashing is over */
};

struct audit_store_spec {
	enum store_type type;
	const char *path;	/* as on the device; under opts.root when set */
};

struct audit_opts {
	const char *root;		/* audit an unpacked rootfs; NULL: this system */
	enum cg_depth depth;
	const struct audit_store_spec *stores;	/* NULL: shadow, passwd, gshadow if present */
	size_t n_stores;
	/* Audited too when they exist (audit_discover(); a missing one is no error). */
	const struct audit_store_spec *extra_stores;
	size_t n_extra_stores;
	const char *const *defaults_files;	/* extra lists (--defaults), inside root */
	size_t n_defaults_files;
	bool no_builtin;		/* only the lists given (and defaults.d) */
	const struct device_ids *device_ids;	/* added to what is probed */
	const char *cache_path;		/* host path of the cache; NULL: no cache */
	/*
	 * With @root: write the device-independent verdicts (defaults,
	 * sequential, common) of every hash judged into the image's own
	 * cache (root/AUDIT_CACHE_PATH), so the device's first audit hashes
	 * only its derived candidates.  Needs CG_DEPTH_FULL to seed every tier.
	 */
	bool seed_cache;
	bool unknown_ok;		/* do not count 'unknown' as a violation */
	bool redact;			/* details never name a password, even a public one */
	unsigned threads;		/* 0: all online CPUs */
	unsigned sequential_max;	/* 0: CG_SEQUENTIAL_MAX_DEFAULT */
	size_t max_candidates;		/* crypt candidates per hash, 0: all */
	store_diag_fn diag;		/* NULL: store_diag_log */
	void *diag_userdata;
	/*
	 * Called once, before any hashing, with the number of distinct hashes
	 * that have no verdict yet (neither cached nor trusted): the agent
	 * closes the gate at once while they are judged.  NULL: not called.
	 */
	void (*on_pending)(void *userdata, size_t n_hashes);
	/* Called about every 250 ms while hashing (progress on a terminal). */
	void (*on_progress)(void *userdata, const struct audit_progress *p);
	void *userdata;			/* for on_pending and on_progress */
};

struct audit_account {
	enum store_type store_type;
	char *store;		/* path as seen on the device */
	unsigned line;
	char *user;
	char *hash;		/* raw password field, for migrate: never print it
				 * (service stores: the tagged hash, verify.h) */
	enum cg_verdict verdict;
	char *detail;		/* what is wrong (or why ok); no secrets */
};

struct audit_stats {
	size_t candidates;		/* dictionary size at this depth */
	size_t hashes_to_check;		/* distinct hashes needing the dictionary */
	size_t cache_hits;
	size_t device_candidates;	/* of them, derived from the device (its own layer) */
	size_t seeded;			/* hashes whose verdicts went into the seed */
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

const char *cg_verdict_name(enum cg_verdict v);
bool audit_verdict_is_violation(enum cg_verdict v);

/*
 * The service configurations (mosquitto-conf, sshd-config, pam, init) at
 * their usual paths, audited when present while no store list is
 * configured (discover.c; docs/audit.md).  Paths allocated: free with
 * audit_store_specs_free().
 */
int audit_service_configs(const char *root, struct audit_store_spec **out, size_t *n);
void audit_store_specs_free(struct audit_store_spec *v, size_t n);

/*
 * Discovery (credgate audit --discover, [audit] discover): the service
 * stores at their usual paths and those the services' own configurations
 * name (lighttpd's auth.backend.*.userfile, mosquitto's password_file,
 * the hostapd configurations of its -B command lines and
 * /etc/default/hostapd).  @why: "usual path" or "FILE:LINE" of the
 * reference; @exists: the store is there (a missing one is not audited).
 */
struct audit_found {
	struct audit_store_spec spec;	/* path allocated */
	char *why;
	char *from;			/* the referencing file, NULL: usual path */
	bool exists;
};

int audit_discover(const char *root, struct audit_found **out, size_t *n);
void audit_found_free(struct audit_found *v, size_t n);

/*
 * credgate.conf and the audit (from_config.c): the one mapping from the
 * [audit] section to struct audit_opts, shared by credgated, credgate
 * audit and credgate migrate.  cg_config_load() reads the file.
 */
struct cg_config;

/*
 * Set depth (only when the file sets it), stores (only when the file names them; *stores is allocated
 * and freed by the caller), the unknown-verdict policy, the dictionary
 * bound and the sequential bound of @o from @c.
 */
int audit_opts_from_config(const struct cg_config *c, struct audit_opts *o,
			   struct audit_store_spec **stores);

/*
 * Judging a plaintext credgate itself is about to set (migrate, first
 * boot, provision, credgate passwd): the verdict the audit would give its
 * hash, by lookup in the same dictionary, no hashing.  A hash of a
 * plaintext judged clean is then recorded as a trusted verdict in the
 * audit cache (opts->cache_path), so the agent never hashes it.
 */
struct audit_judge;

/* Build the dictionary the audit builds for @opts (every tier). */
int audit_judge_new(const struct audit_opts *opts, struct audit_judge **out);
void audit_judge_free(struct audit_judge *j);
/*
 * The verdict for @password: CG_VERDICT_OK, or CG_VERDICT_BLANK/DEFAULT/DERIVED/
 * SEQUENTIAL/COMMON with *why set to a sentence that names no secret.
 */
enum cg_verdict audit_judge_password(const struct audit_judge *j, const char *password,
					const char **why);
/* Record @hash (of a password judged CG_VERDICT_OK) as clean at every tier. */
int audit_judge_trust(struct audit_judge *j, const char *hash);
/*
 * Write the recorded verdicts into opts->cache_path (none, or @j NULL:
 * nothing to do); with opts->seed_cache and a root, the device-independent
 * layer's into the image's own cache (root/AUDIT_CACHE_PATH).
 */
int audit_judge_commit(struct audit_judge *j);

/* The verdict cache (cache.c). */
struct audit_cache_entry {
	unsigned char key[32];	/* SHA-256(layer's dictionary digest || hash string) */
	long cand;		/* index of the first matching candidate, -1 none */
	size_t checked;		/* candidates 0..checked-1 judged (cand < 0) */
	bool used;
};

struct audit_cache {
	struct audit_cache_entry *e;
	size_t n, cap, n_loaded;
	bool sorted, dirty;
};

/*
 * A cache file is trusted when it is a regular file, not writable by group
 * or others, and owned by root, by the caller's euid, or by @uid: the
 * agent's service user ([agent] user), whose saves root's commands share.
 */
void audit_cache_trust_owner(uid_t uid);
/* Load @path; a missing, corrupt or unsafe file gives an empty cache. */
int audit_cache_load(struct audit_cache *c, const char *path);
/* Parse a cache file's bytes (modified in place); -EBADMSG when corrupt. */
int audit_cache_parse(struct audit_cache *c, char *data, size_t size);
struct audit_cache_entry *audit_cache_find(struct audit_cache *c, const unsigned char key[32]);
int audit_cache_put(struct audit_cache *c, const unsigned char key[32], long cand,
		    size_t checked);
/*
 * Write atomically, mode 0600, under an exclusive lock on the directory;
 * entries another writer saved meanwhile are kept (merged).
 */
int audit_cache_save(struct audit_cache *c, const char *path);
/* The same for @path inside @root (NULL: this system), only through *at() calls there. */
int audit_cache_save_rooted(struct audit_cache *c, const char *root, const char *path);
void audit_cache_clear(struct audit_cache *c);

#endif
