/* SPDX-License-Identifier: MIT */
/*
 * Device metadata the law asks a product to publish: the security support
 * period (ETSI EN 303 645 5.3-13, PSTI Schedule 1 para 3, CRA Art. 13(8)
 * and (19)) and how to report vulnerabilities (ETSI 5.2-1, PSTI para 2,
 * CRA Annex II).  Sources: os-release(5) and the [product] section of
 * credgate.conf, which wins.  docs/metadata.md maps every field to its
 * clause.
 */
#ifndef CREDGATE_METADATA_H
#define CREDGATE_METADATA_H

#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

#include "config/config.h"

/* File in the state directory holding the last support end published. */
#define CG_SUPPORT_END_FILE "support-end"
/* security.txt Expires: this far ahead of "now" (RFC 9116 2.5.5: < 1 year). */
#define CG_SECURITY_TXT_LIFETIME_DAYS 30

struct cg_os_release {
	char *name;
	char *version_id;
	char *image_version;
	char *vendor_name;
	char *vendor_url;
	char *support_url;
	char *bug_report_url;
	char *support_end;
	unsigned int support_end_line;
	char *path;
};

struct cg_metadata {
	char *vendor;
	char *product;
	char *model;
	char *hardware_version;
	char *firmware_version;
	char *support_url;
	char *support_end;		/* YYYY-MM-DD or NULL when unknown */
	long support_end_day;		/* days since 1970-01-01 */
	char *support_end_origin;	/* "FILE:LINE" it came from */
	char **contacts;
	size_t n_contacts;
	char *policy_url;
	char *encryption_url;
	int acknowledgement_days;	/* -1: not published */
	int status_update_days;		/* -1: not published */
	char **preferred_languages;
	size_t n_preferred_languages;
	char *compliance_url;
	char *sbom_url;
};

/* Validators: return true when valid, else set *why to a short reason. */
bool cg_contact_uri_valid(const char *s, const char **why);
bool cg_https_url_valid(const char *s, const char **why);
bool cg_language_tag_valid(const char *s, const char **why);

/* Strict ISO 8601 calendar date YYYY-MM-DD; *day = days since 1970-01-01. */
int cg_date_parse(const char *s, long *day);
/* Today (UTC) as days since 1970-01-01. */
long cg_day_of(time_t t);

/*
 * Parse os-release(5).  @path NULL: /etc/os-release, then
 * /usr/lib/os-release.  A missing file leaves @os empty and returns 0.
 */
int cg_os_release_load(struct cg_os_release *os, const char *path);
/* The same inside the tree @root (base/rooted.h; NULL or "/": this system). */
int cg_os_release_load_rooted(struct cg_os_release *os, const char *root);
void cg_os_release_free(struct cg_os_release *os);

/* Merge os-release and [product] (config wins) into @md.  Warns about
 * os-release values that fail validation and ignores them. */
int cg_metadata_build(struct cg_metadata *md, const struct cg_config *c,
		      const struct cg_os_release *os);
void cg_metadata_free(struct cg_metadata *md);

/*
 * Never publish a support end earlier than the last one published: read
 * STATE_DIR/support-end; if the configured end is earlier (or missing),
 * keep the stored one (with a message saying why) in @md.  With @persist,
 * store a later end.  Returns 0, 1 when a shorter end was refused, or
 * -errno (state dir not writable ...; @md stays valid).
 */
int cg_metadata_apply_floor(struct cg_metadata *md, const char *state_dir, bool persist);

/*
 * All of it: read os-release (@os_release NULL: the system's), merge with
 * @c, apply the floor in @state_dir (recording a later end if @persist).
 * Returns 0 or -errno; a floor that cannot be checked is only warned
 * about (the metadata is still served).
 */
int cg_metadata_load(struct cg_metadata *md, const struct cg_config *c,
		     const char *os_release, const char *state_dir, bool persist);

/* supported: today <= support end.  days_left: end - today (negative when
 * past).  Unknown end: not supported, 0 days. */
void cg_metadata_support_state(const struct cg_metadata *md, time_t now,
			       bool *supported, long *days_left);

/* RFC 9116 security.txt text (caller frees); NULL (and -ENODATA) when no
 * contact is known, because Contact is mandatory. */
int cg_metadata_security_txt(const struct cg_metadata *md, time_t now, char **out);

/* The parameters of io.credgate.Device.GetSupport / GetDisclosure. */
json_object *cg_metadata_support_json(const struct cg_metadata *md, time_t now);
json_object *cg_metadata_disclosure_json(const struct cg_metadata *md, time_t now);

#endif
