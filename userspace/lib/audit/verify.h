/* SPDX-License-Identifier: MIT */
/*
 * Password hash formats: what a stored hash field is (empty, locked, a
 * method this build verifies, or not) and checking a candidate password
 * against it.  crypt(3) formats go through libxcrypt's crypt_rn; the
 * htpasswd-only formats ($apr1$, {SHA}) are computed here with libcrypto.
 */
#ifndef CREDGATE_VERIFY_H
#define CREDGATE_VERIFY_H

#include <crypt.h>
#include <stdbool.h>
#include <stddef.h>

enum hash_kind {
	HASH_EMPTY,	/* no password at all */
	HASH_LOCKED,	/* '!' or '*' prefix: password login disabled */
	HASH_INVALID,	/* no hash this build can verify and no locked form */
	HASH_CRYPT,	/* crypt(3) method libxcrypt supports here */
	HASH_APR1,	/* Apache $apr1$ (MD5-based) */
	HASH_SHA1,	/* htpasswd {SHA}: base64(SHA-1(password)) */
	HASH_UNKNOWN,	/* looks like a hash of a method this build cannot verify */
	/*
	 * The service stores' hashes, in the tagged form the audit builds from
	 * a store record (verify_digest.c); no login store field has one.
	 */
	HASH_HTDIGEST,	/* "htdigest:HEX:USER:REALM", HEX = MD5(USER:REALM:password) */
	HASH_NT,	/* "nt:HEX", HEX = MD4(UTF-16LE(password)) */
	HASH_MOSQ_SHA512,	/* "mosquitto:$6$SALT$HASH", SHA-512(password || salt) */
	HASH_MOSQ_PBKDF2,	/* "mosquitto:$7$N$SALT$HASH", PBKDF2-HMAC-SHA512 */
	HASH_WPA_PSK,	/* "wpa-psk:HEX:SSID", PBKDF2-HMAC-SHA1(pass, ssid, 4096, 32) */
};

struct hash_info {
	enum hash_kind kind;
	const char *method;	/* "sha512crypt", "apr1", ... or the unknown prefix kind */
};

/* Classify a stored password field. */
void hash_classify(const char *hash, struct hash_info *out);

/*
 * True when @hash looks like a complete hash ($id$...$hash, {SHA}...) so a
 * list line holding it is an exact-hash entry and not a password.
 */
bool hash_is_complete(const char *hash);

/* Per-thread scratch space for verification. */
struct verify_ctx {
	struct crypt_data cd;
};

/*
 * Does @password hash to @hash?  @info from hash_classify(@hash).  Three
 * outcomes: 1 match, 0 no match, negative errno when the hash could not be
 * computed (crypt_rn failed, e.g. -ENOMEM for a high-cost yescrypt under a
 * memory limit).  An error is never a "no match".
 */
int verify_password(struct verify_ctx *ctx, const struct hash_info *info,
		    const char *hash, const char *password);

/*
 * The service stores' tagged forms (verify_digest.c): classify one (false
 * when @hash has no such tag) and verify a candidate against it (1, 0 or a
 * negative errno, like verify_password).
 */
bool service_hash_classify(const char *hash, struct hash_info *out);
int service_hash_verify(const struct hash_info *info, const char *hash, const char *password);
/* MD4 (RFC 1320) of @len bytes; OpenSSL 3 has it only in the legacy provider. */
void md4_digest(const void *data, size_t len, unsigned char out[16]);

/* Compute an $apr1$ hash of @password with the salt of @setting into @out. */
int apr1_crypt(const char *password, const char *setting, char *out, size_t size);

#endif
