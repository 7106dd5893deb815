/* SPDX-License-Identifier: MIT */
/*
 * Credential stores: one parser per format (store_TYPE.c), one shared
 * line splitter (store.c).  A parsed store keeps the file's exact bytes and,
 * for every account, the byte spans of its line, user and password field,
 * so a rewriter can replace exactly one field of one line and keep every
 * other byte.
 */
#ifndef CREDGATE_STORE_H
#define CREDGATE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/names.h"
#include "base/rooted.h"

enum store_type {
	STORE_SHADOW,
	STORE_PASSWD,
	STORE_GSHADOW,
	STORE_HTPASSWD,
	/* Service stores (docs/audit.md "Service stores"). */
	STORE_HTDIGEST,
	STORE_PLAIN,
	STORE_SMBPASSWD,
	STORE_MOSQUITTO,
	STORE_SNMPD,
	STORE_HOSTAPD,
	/*
	 * Service configurations (docs/audit.md "Services that need no
	 * password"): a record is a setting that lets a client in without
	 * any password (verdict noauth); never migrated.
	 */
	STORE_MOSQUITTO_CONF,
	STORE_SSHD_CONFIG,
	STORE_PAM,
	STORE_INIT,
	_STORE_TYPE_MAX,
};

/*
 * How the audit reads a record's secret field.  The login stores (shadow,
 * passwd, gshadow, htpasswd) only give STORE_SCHEME_CRYPT.
 */
enum store_scheme {
	STORE_SCHEME_CRYPT,	/* crypt(3)/htpasswd hash: empty blank, '!'/'*' locked */
	STORE_SCHEME_PLAIN,	/* the password itself, stored in plain text */
	STORE_SCHEME_HTDIGEST,	/* hex MD5(user:realm:password), realm in salt */
	STORE_SCHEME_NT,	/* hex MD4(UTF-16LE(password)) */
	STORE_SCHEME_LM,	/* an LM hash without an NT hash */
	STORE_SCHEME_MOSQUITTO,	/* $6$ or $7$ as mosquitto_passwd writes them */
	STORE_SCHEME_WPA_PSK,	/* hex PBKDF2-HMAC-SHA1(passphrase, ssid, 4096, 32), ssid in salt */
	STORE_SCHEME_NOPASSWORD,	/* the store says no password is needed */
	STORE_SCHEME_DISABLED,	/* the store says the account is disabled */
	STORE_SCHEME_OPAQUE,	/* a derived key this build cannot verify */
	/* Service configurations: */
	STORE_SCHEME_SETTING,	/* a setting a finish() hook weighs; never left in a record */
	STORE_SCHEME_NOAUTH,	/* no password needed: verdict noauth, note says why */
	STORE_SCHEME_NOAUTH_IF_BLANK,	/* noauth while a login account is blank */
	STORE_SCHEME_INCLUDE,	/* PAM include: the user field names the file */
	_STORE_SCHEME_MAX,
};

/* Longest line any store may hold; longer lines are reported, not parsed. */
#define STORE_LINE_MAX 65536
/* Largest store file read. */
#define STORE_FILE_MAX (64u << 20)

struct store_span {
	size_t off, len;	/* byte range in store_file.data */
};

struct store_record {
	unsigned line;			/* 1-based line number */
	struct store_span line_span;	/* the line without its terminator */
	struct store_span user_span;
	struct store_span hash_span;	/* the one field a migration rewrites */
	char *user;			/* NUL-terminated copies of the spans */
	char *hash;
	/* Service stores only (login stores: CRYPT, NULL, NULL). */
	enum store_scheme scheme;
	char *salt;			/* htdigest realm, hostapd ssid; NULL none */
	const char *what;		/* static: "community string", ...; NULL password */
	char *note;			/* service configurations: why no password is needed */
};

struct store_file {
	enum store_type type;
	char *path;		/* as seen on the device, e.g. /etc/shadow */
	char *data;		/* the file's exact bytes (NUL-terminated copy) */
	size_t size;
	struct store_record *records;
	size_t n_records;
	unsigned n_errors;	/* lines reported through the diagnostic callback */
};

#define STORE_FIELDS_MAX 2

/* What a migration does to one record of a service store (store_ops.edit). */
enum store_edit_kind {
	STORE_EDIT_SECRET,	/* policy random: put a new secret in */
	STORE_EDIT_DISABLE,	/* policy lock: the format's disabled state */
	STORE_EDIT_EXPIRE,	/* policy user: the format's must-change state */
};

#define STORE_EDITS_MAX 4
#define STORE_EDIT_TEXT_MAX 192

/* Replace the bytes @span of store_file.data with @text. */
struct store_edit {
	struct store_span span;
	char text[STORE_EDIT_TEXT_MAX];
};

/* One secret of a service store's line (parse_fields). */
struct store_field {
	struct store_span user, hash;	/* relative to the line start */
	struct store_span salt;		/* htdigest's realm; len 0: none */
	enum store_scheme scheme;
	const char *what;		/* static description, NULL: "password" */
};

/*
 * What each store format provides.  parse_line gets one line without its
 * terminator (never containing NUL or LF) and returns 0 with user/hash spans
 * relative to the line start, 1 for a line to skip (comment, empty), or
 * -EINVAL with *why set to a static description of what is wrong.
 */
struct store_ops {
	const char *name;		/* "shadow", used in --store TYPE:PATH */
	const char *default_path;	/* audited by default, or NULL */
	bool crlf_ok;			/* a CR before LF is stripped silently */
	int (*parse_line)(const char *line, size_t len, struct store_span *user,
			  struct store_span *hash, const char **why);
	/*
	 * Service stores instead of parse_line: up to STORE_FIELDS_MAX secrets
	 * of one line into @f (spans relative to the line); returns how many
	 * (0: nothing to audit on this line) or -EINVAL with *why set.
	 */
	int (*parse_fields)(const char *line, size_t len, struct store_field *f,
			    const char **why);
	/* After every line was parsed: what spans lines (hostapd's ssid). */
	int (*finish)(struct store_file *sf);
	bool dup_ok;			/* one name may hold several secrets */
	/*
	 * Migration of a service store's record (see store_record_edit):
	 * NULL when the secret is the hash span alone and the format has no
	 * disabled and no must-change state.
	 */
	int (*edit)(const struct store_file *sf, const struct store_record *rec,
		    enum store_edit_kind kind, const char *value, time_t now,
		    struct store_edit *e, const char **why);
};

extern const struct store_ops store_shadow_ops;
extern const struct store_ops store_passwd_ops;
extern const struct store_ops store_gshadow_ops;
extern const struct store_ops store_htpasswd_ops;
extern const struct store_ops store_htdigest_ops;
extern const struct store_ops store_plain_ops;
extern const struct store_ops store_smbpasswd_ops;
extern const struct store_ops store_mosquitto_ops;
extern const struct store_ops store_snmpd_ops;
extern const struct store_ops store_hostapd_ops;
extern const struct store_ops store_mosquitto_conf_ops;
extern const struct store_ops store_sshd_config_ops;
extern const struct store_ops store_pam_ops;
extern const struct store_ops store_init_ops;

const struct store_ops *store_ops_get(enum store_type type);
int store_type_from_name(const char *name, enum store_type *out);
/* Every type's ops->name, for messages (base/names.h). */
extern const struct cg_names store_type_names;

/* Diagnostic sink: @path is the file a human must fix, @line 0 for the file. */
typedef void (*store_diag_fn)(void *userdata, const char *path, unsigned line,
			      const char *msg);

/* Log "PATH:LINE: MSG" as an error (base/log.h). */
void store_diag_log(void *userdata, const char *path, unsigned line, const char *msg);

/*
 * Parse @size bytes of @data as a store of @type.  Every bad line is
 * reported (with @diag_path) and counted in n_errors; good lines become
 * records.  Returns 0, or -ENOMEM.
 */
int store_parse(enum store_type type, const char *path, const char *diag_path,
		const char *data, size_t size, store_diag_fn diag, void *userdata,
		struct store_file **out);


/*
 * Read and parse one store.  -ENOENT when the file is absent (the caller
 * decides whether that matters); other read failures are reported via
 * @diag and returned.
 */
int store_load(enum store_type type, const char *root, const char *path,
	       store_diag_fn diag, void *userdata, struct store_file **out);


/*
 * rooted_read plus the diagnostic every caller gives: "ROOTPATH: cannot read
 * WHAT: reason" for any failure but -ENOENT (the caller decides whether a
 * missing file matters).  *diag_path (caller frees) is root + path.
 */
int store_read_reported(const char *root, const char *path, size_t max, const char *what,
			store_diag_fn diag, void *userdata, char **diag_path, char **data,
			size_t *size);

void store_file_free(struct store_file *sf);

/* A service store (parse_fields): judged by audit/service.c, migrated by migrate/service.c. */
bool store_type_is_service(enum store_type type);

/*
 * The edits (at most STORE_EDITS_MAX, sorted, not overlapping) that
 * migrate @rec of @sf: STORE_EDIT_SECRET puts @value (the new secret field
 * exactly as the format stores it: plain text, hex digest, mosquitto
 * hash) in; DISABLE and EXPIRE set the format's state (@value unused).
 * @now: the time a format records for the change (smbpasswd's LCT).
 * Returns the number of edits, or -EOPNOTSUPP with *why set (static text:
 * what the format lacks, what to do) when the record cannot be migrated
 * that way.  Every byte outside the edits stays.
 */
int store_record_edit(const struct store_file *sf, const struct store_record *rec,
		      enum store_edit_kind kind, const char *value, time_t now,
		      struct store_edit *e, const char **why);

/*
 * Helpers for the parsers: split @line at every @sep into at most @max
 * spans (relative to @line); returns the number of fields found, which may
 * exceed @max.
 */
size_t store_split(const char *line, size_t len, char sep, struct store_span *fields,
		   size_t max);
bool store_field_is_uint(const char *s, size_t len);
/*
 * The checks every colon-separated system file shares: skip blank and
 * comment lines (returns 1), demand exactly @n fields and a non-empty first
 * one, refuse NIS '+'/'-' entries (-EINVAL, *why set).  @layout names the
 * fields for the message, e.g. "name:password:uid:gid:gecos:home:shell".
 */
int store_colon_entry(const char *line, size_t len, struct store_span *f, size_t n,
		      const char *layout, const char **why);
/* Is @s[0..len) a run of hex digits? */
bool store_field_is_hex(const char *s, size_t len);
/*
 * Split a line of a "keyword arg arg ..." file (snmpd.conf) into blank-
 * separated tokens; a token in double quotes is one token (span without the
 * quotes).  Returns the number of tokens (at most @max stored), or -EINVAL
 * with *why set for an unterminated quote or an escape inside one.
 */
int store_tokens(const char *line, size_t len, struct store_span *tok, size_t max,
		 const char **why);
/*
 * For finish() hooks of the service configurations: keep only the records
 * @keep[i] marks (the others freed), set a record's scheme and note
 * (printf-style; -ENOMEM).
 */
void store_keep_records(struct store_file *sf, const bool *keep);
int store_set_note(struct store_record *rec, enum store_scheme scheme, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Is @s[0..len) equal to the NUL-terminated @word, ignoring ASCII case? */
bool store_span_is(const char *s, size_t len, const char *word);

/* A line to skip in colon files: empty, blanks only, or a '#' comment. */
bool store_line_is_blank_or_comment(const char *line, size_t len);

#endif
