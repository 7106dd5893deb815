/* SPDX-License-Identifier: MIT */
/*
 * Migration of accounts whose audit verdict is a violation
 * (docs/migration.md): policies, line edits, credentials output.
 */
#ifndef CREDGATE_MIGRATE_H
#define CREDGATE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit.h"
#include "store/store.h"


/*
 * One change to one line of a store.  Offsets are byte offsets into the
 * store's exact contents, as the store parser reports them (store.h).
 */
struct line_edit {
	size_t hash_off, hash_len;	/* the hash field */
	const char *new_hash;		/* replacement, NULL keeps the field */
	bool set_lastchg;		/* shadow: rewrite the next field too */
	unsigned long lastchg;		/* days since 1970-01-01 */
};

/*
 * Build the new contents of a store: @data with every edit applied and
 * every other byte unchanged.  @edits sorted by hash_off, not overlapping.
 * The field after the hash (shadow's last-change field) must end at ':' or
 * end of line.  *out is NUL-terminated, caller frees.  0 or -EINVAL/-ENOMEM.
 */
int migrate_apply_edits(const char *data, size_t size, const struct line_edit *edits,
			size_t n_edits, char **out, size_t *out_len);

/*
 * Does @path (which need not exist yet; its directory must) lie inside
 * @root once symbolic links are resolved?  1 yes, 0 no, negative errno.
 * Secrets and credentials files must never end up inside an image.
 */
int path_inside_root(const char *path, const char *root);

/* "!" + @hash for the lock policy (caller frees), NULL on ENOMEM. */
char *migrate_locked_hash(const char *hash);

/* Today in days since 1970-01-01 (shadow's last-change unit). */
unsigned long migrate_today(void);

/*
 * Credentials output: created with O_EXCL and mode 0600 (never an existing
 * file or a symlink).  One line per account:
 *   STORE <TAB> USER <TAB> PASSWORD <LF>
 * and, if the store could not be written afterwards,
 *   # not applied: STORE (STEP: ERROR) <LF>
 */
int credentials_create(const char *path);
int credentials_add(int fd, const char *store, const char *user, const char *password);
int credentials_note_failure(int fd, const char *store, const char *step, int err);

/*
 * Write @sf with @edits applied, crash-safely (atomic_file_replace).  The
 * caller holds pwdb_lock() and loaded @sf under it.  Refuses (-EAGAIN) when
 * the file no longer holds sf->data (a writer that ignores the lock changed
 * it) and (-EINVAL) when the new contents would not parse to the same
 * accounts.  *step names the step that failed.
 */
int migrate_write_store(const char *root, const struct store_file *sf,
			const struct line_edit *edits, size_t n_edits, const char **step);

/* What `credgate migrate` does (docs/migration.md). */
struct migrate_opts {
	const char *root;		/* NULL or "/": this system */
	enum cg_policy policy;
	const char *const *users;	/* --user filter; n_users 0: all flagged */
	size_t n_users;
	const char *method;		/* --hash-method; NULL: per store */
	int creds_fd;			/* credentials file, or -1: hand to on_password */
	/*
	 * With creds_fd -1 and CG_POLICY_RANDOM: receives each new password once
	 * the store holding it is written (the CLI prints it on stdout).
	 * Required then: migrate_run() refuses (-EINVAL) to make passwords
	 * nobody would see.
	 */
	void (*on_password)(void *userdata, const char *store, const char *user,
			    const char *password);
	void *userdata;
	const struct audit_opts *audit;	/* stores, lists, identifiers */
};

/*
 * Audit under the shadow lock, then rewrite every store holding flagged
 * accounts.  Diagnostics name the store, account and failed step.  Returns
 * the number of accounts migrated, or a negative errno (-ENOENT: a --user
 * names no audited account, nothing written).
 */
int migrate_run(const struct migrate_opts *o);

/*
 * credgate passwd: set @user's password to @password, a person's choice.
 * Judged first against every tier of the audit's dictionary (no hashing):
 * -EPERM with the reason printed when the audit would flag it.  Hashed
 * with the account's own method (o->method overrides), its verdict
 * recorded in o->audit->cache_path, then written like migrate (lock,
 * temporary file, fsync, rename).  0 or a negative errno (message printed).
 */
int migrate_set_password(const struct migrate_opts *o, const char *user, const char *password);

#endif
