/* SPDX-License-Identifier: MIT */
/*
 * Audit dictionaries: the ordered candidate passwords an account's hash is
 * tried against (defaults, device-derived, sequential, common, in that
 * order, each password once), and the exact-hash table of default hashes
 * baked into images.
 */
#ifndef CREDGATE_DICT_H
#define CREDGATE_DICT_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

enum cand_kind {
	CAND_DEFAULT,
	CAND_DERIVED,
	CAND_SEQUENTIAL,
	CAND_COMMON,
	_CAND_KIND_MAX,
};

struct candidate {
	const char *password;
	const char *origin;	/* where it comes from, for the verdict detail */
	enum cand_kind kind;
	bool printable;		/* a public default: may be shown to the user */
};

struct exact_hash {
	const char *hash;
	const char *origin;
};

/* Strings the dictionary owns: bump-allocated, freed together. */
struct dict_arena_block;

struct dict {
	struct candidate *cands;
	size_t n_cands, cap_cands;
	struct exact_hash *exact;
	size_t n_exact, cap_exact;
	bool exact_sorted;
	size_t *set;		/* open-addressing index set over cands, for dedup */
	size_t set_cap;
	struct dict_arena_block *arena;
	const char *last_origin;	/* consecutive candidates share their origin */
	unsigned n_errors;	/* bad list lines reported */
};

void dict_init(struct dict *d);
void dict_clear(struct dict *d);

/*
 * Add a candidate (password and origin copied).  Candidates must be added in enum cand_kind
 * order; a password already present keeps its first kind.  Returns 1 when
 * added, 0 when already present, -ENOMEM.
 */
int dict_add(struct dict *d, enum cand_kind kind, const char *password,
	     const char *origin, bool printable);
int dict_add_exact(struct dict *d, const char *hash, const char *origin);

/*
 * The candidate equal to @password the audit tries first, in its one
 * order (audit.c): @d's first @n_a (the defaults), @dev (derived from the
 * device's identifiers; may be NULL), the rest of @d.  NULL: in no list.
 */
const struct candidate *audit_dict_lookup(const struct dict *d, size_t n_a, const struct dict *dev,
					  const char *password);

/* The lists compiled in from userspace/data/ (scripts/gen-dict). */
int dict_add_builtin_defaults(struct dict *d);
int dict_add_builtin_common(struct dict *d);

/*
 * An OEM defaults list: one password per line, user:password, or a complete
 * hash ($id$salt$hash or {SHA}...) optionally as user:hash.  '#' starts a
 * comment line.  Bad lines are reported through @diag.  -ENOENT if absent.
 */
int dict_load_list(struct dict *d, const char *root, const char *path,
		   store_diag_fn diag, void *userdata);
/* The same on @size bytes in memory (modified in place); @diag_path names them. */
int dict_parse_list(struct dict *d, char *data, size_t size, const char *diag_path,
		    store_diag_fn diag, void *userdata);
/* Every *.list in @dir (inside @root), in name order; absent dir is fine. */
int dict_load_dir(struct dict *d, const char *root, const char *dir,
		  store_diag_fn diag, void *userdata);

/* Counters on common bases: admin1..adminN, password01, user123 ... */
int dict_add_sequential(struct dict *d, unsigned max_counter);

/* Index of @password among the candidates, or -1: a lookup, no hashing. */
long dict_find(const struct dict *d, const char *password);

const struct exact_hash *dict_find_exact(struct dict *d, const char *hash);

/* SHA-256 over the first @n candidates: the cache key's dictionary part. */
int dict_digest(const struct dict *d, size_t n, unsigned char out[32]);

#endif
