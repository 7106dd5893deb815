// SPDX-License-Identifier: MIT
#include "audit/service.h"
#include "audit/verify.h"
#include "base/util.h"

#include "service_defaults.h"

static const char *what_of(const struct store_record *rec)
{
	return rec->what ? rec->what : "password";
}

static const char *const kind_sentence[_CAND_KIND_MAX] = {
	[CAND_DEFAULT] = "factory default",
	[CAND_DERIVED] = "derived from the device's",
	[CAND_SEQUENTIAL] = "guessable",
	[CAND_COMMON] = "common",
};

static const enum cg_verdict kind_verdicts[_CAND_KIND_MAX] = {
	[CAND_DEFAULT] = CG_VERDICT_DEFAULT,
	[CAND_DERIVED] = CG_VERDICT_DERIVED,
	[CAND_SEQUENTIAL] = CG_VERDICT_SEQUENTIAL,
	[CAND_COMMON] = CG_VERDICT_COMMON,
};

/* The detail of a plain-text match, in the words the dictionary phase uses. */
static void describe(struct service_verdict *out, const struct store_record *rec,
		     const struct candidate *c, const char *stored)
{
	out->verdict = kind_verdicts[c->kind];
	if (c->kind == CAND_DEFAULT && c->printable)
		snprintf(out->detail, sizeof(out->detail), "%s %s '%s' (%s)%s", kind_sentence[c->kind],
			 what_of(rec), c->password, c->origin, stored);
	else if (c->kind == CAND_DEFAULT)
		snprintf(out->detail, sizeof(out->detail), "%s %s listed in %s%s",
			 kind_sentence[c->kind], what_of(rec), c->origin, stored);
	else if (c->kind == CAND_COMMON)
		snprintf(out->detail, sizeof(out->detail), "%s is on the %s%s", what_of(rec),
			 c->origin, stored);
	else if (c->kind == CAND_SEQUENTIAL)
		snprintf(out->detail, sizeof(out->detail), "%s is a guessable %s%s", what_of(rec),
			 c->origin, stored);
	else
		snprintf(out->detail, sizeof(out->detail), "%s %s %s%s", what_of(rec),
			 kind_sentence[c->kind], c->origin, stored);
}

static const struct service_default *type_default_find(enum store_type type, const char *pw)
{
	for (size_t i = 0; i < ARRAY_SIZE(service_defaults); i++)
		if (service_defaults[i].type == type && !strcmp(service_defaults[i].password, pw))
			return &service_defaults[i];
	return NULL;
}

static void type_default_detail(struct service_verdict *out, const struct store_record *rec,
				const struct service_default *def, const char *stored)
{
	out->verdict = CG_VERDICT_DEFAULT;
	snprintf(out->detail, sizeof(out->detail), "factory default %s '%s' (%s)%s", what_of(rec),
		 def->password, def->origin, stored);
}

int service_tagged_hash(const struct store_record *rec, char **out)
{
	_cleanup_free_ char *hex = strdup(rec->hash);
	int r;

	if (!hex)
		return -ENOMEM;
	/* Hex digits in one case: one cache entry per hash, whatever the file's case. */
	if (rec->scheme != STORE_SCHEME_MOSQUITTO)
		for (char *p = hex; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	switch (rec->scheme) {
	case STORE_SCHEME_HTDIGEST:
		r = asprintf(out, "htdigest:%s:%s:%s", hex, rec->user, rec->salt ? rec->salt : "");
		break;
	case STORE_SCHEME_NT:
		r = asprintf(out, "nt:%s", hex);
		break;
	case STORE_SCHEME_MOSQUITTO:
		r = asprintf(out, "mosquitto:%s", hex);
		break;
	case STORE_SCHEME_WPA_PSK:
		if (!rec->salt)
			return -EINVAL;
		r = asprintf(out, "wpa-psk:%s:%s", hex, rec->salt);
		break;
	default:
		return -EINVAL;
	}
	return r < 0 ? -ENOMEM : 0;
}

static int verify_type_defaults(const struct store_file *sf, const char *vkey,
				const struct service_default **found)
{
	struct hash_info info;

	hash_classify(vkey, &info);
	for (size_t i = 0; i < ARRAY_SIZE(service_defaults); i++) {
		int r;

		if (service_defaults[i].type != sf->type)
			continue;
		r = service_hash_verify(&info, vkey, service_defaults[i].password);
		if (r < 0)
			return r;
		if (r > 0) {
			*found = &service_defaults[i];
			return 1;
		}
	}
	return 0;
}

static void set(struct service_verdict *out, enum cg_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct service_verdict *out, enum cg_verdict v, const char *fmt, ...)
{
	va_list ap;

	out->verdict = v;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

int service_judge(const struct dict *d, size_t n_a, const struct dict *dev, const struct store_file *sf,
		  const struct store_record *rec, bool unknown_ok, store_diag_fn diag,
		  void *ud, unsigned *n_errors, struct service_verdict *out)
{
	static const char stored[] = "; stored in plain text";
	const char *counted = unknown_ok ? " (allowed by configuration)" : "; counted as a violation";
	const struct service_default *def = NULL;
	const struct candidate *c;
	struct hash_info info;
	int r;

	*out = (struct service_verdict){ .verdict = CG_VERDICT_OK };
	switch (rec->scheme) {
	case STORE_SCHEME_NOPASSWORD:
		set(out, CG_VERDICT_BLANK, "the store says no %s is needed: anyone can log in without one",
		    what_of(rec));
		return 0;
	case STORE_SCHEME_DISABLED:
		set(out, CG_VERDICT_LOCKED, "account disabled, or no %s set: no password login",
		    what_of(rec));
		return 0;
	case STORE_SCHEME_OPAQUE:
		set(out, CG_VERDICT_UNKNOWN, "%s that this build cannot verify%s", what_of(rec), counted);
		return 0;
	case STORE_SCHEME_NOAUTH:
		set(out, CG_VERDICT_NOAUTH, "%s", rec->note ? rec->note : "the service needs no password");
		return 0;
	case STORE_SCHEME_LM:
		set(out, CG_VERDICT_UNKNOWN, "LM hash without an NT hash: this build does not verify LM hashes%s",
		    counted);
		return 0;
	default:
		break;
	}
	if (!rec->hash[0]) {
		set(out, CG_VERDICT_BLANK, "empty %s: anyone can log in without a password", what_of(rec));
		return 0;
	}
	if (rec->scheme == STORE_SCHEME_PLAIN) {
		/* Judged directly, like a password credgate sets: every tier by lookup. */
		def = type_default_find(sf->type, rec->hash);
		if (def) {
			type_default_detail(out, rec, def, stored);
			return 0;
		}
		/* Both layers, in the order the audit tries them (audit.c). */
		c = audit_dict_lookup(d, n_a, dev, rec->hash);
		if (c) {
			describe(out, rec, c, stored);
			return 0;
		}
		set(out, CG_VERDICT_OK, "%s in no list of any tier, but stored in plain text: whoever reads %s has it",
		    what_of(rec), sf->path);
		return 0;
	}
	r = service_tagged_hash(rec, &out->vkey);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		set(out, CG_VERDICT_UNKNOWN, "%s without an ssid in its BSS: it cannot be verified%s",
		    what_of(rec), counted);
		return 0;
	}
	/* A hash of the empty password is a blank account (smbpasswd -e on NO PASSWORD). */
	hash_classify(out->vkey, &info);
	r = service_hash_verify(&info, out->vkey, "");
	if (r > 0)
		set(out, CG_VERDICT_BLANK, "the %s is that of the empty password: anyone can log in without one",
		    what_of(rec));
	else if (r == 0)
		r = verify_type_defaults(sf, out->vkey, &def);
	if (r > 0 && def)
		type_default_detail(out, rec, def, "");
	if (r < 0) {
		char msg[384];

		snprintf(msg, sizeof(msg),
			 "user %.64s: the %s could not be verified: %s; nothing cached, the gate stays closed",
			 rec->user, what_of(rec), strerror(-r));
		if (diag)
			diag(ud, sf->path, rec->line, msg);
		(*n_errors)++;
		set(out, CG_VERDICT_UNKNOWN, "%s could not be verified (%s)", what_of(rec), strerror(-r));
	}
	if (r != 0) {
		free(out->vkey);
		out->vkey = NULL;
	}
	return 0;
}
