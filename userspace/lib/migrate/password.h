/* SPDX-License-Identifier: MIT */
/*
 * Password generation and hashing for migration and provisioning.
 *
 * Passwords are PASSWORD_LEN characters from a 32-character alphabet with
 * no look-alikes (no 0/O, 1/l); 32 = 2^5, so a byte maps to a character as
 * ALPHABET[byte & 31] without modulo bias.  16 characters carry 80 bits
 * and meet NIST SP 800-63B rev. 4's 15-character minimum for a password
 * used as a single factor.
 */
#ifndef CREDGATE_PASSWORD_H
#define CREDGATE_PASSWORD_H

#include <crypt.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_ALPHABET "23456789abcdefghijkmnpqrstuvwxyz"
#define PASSWORD_LEN 16

/* Hash method used when the store gives no usable hint. */
#define PASSWORD_DEFAULT_METHOD "$6$"

/* @out[i] = PASSWORD_ALPHABET[bytes[i] & 31]; @out gets PASSWORD_LEN + NUL. */
void password_from_bytes(const uint8_t bytes[PASSWORD_LEN],
			 char out[PASSWORD_LEN + 1]);

/* @len bytes from getrandom(2) (salts).  0 or negative errno. */
int password_random_bytes(void *buf, size_t len);

/* A fresh password from getrandom(2).  0 or negative errno. */
int password_generate(char out[PASSWORD_LEN + 1]);

/*
 * Check a --hash-method PREFIX: "$id$" (e.g. "$6$", "$y$", "$2b$") or
 * "$5$rounds=N$" / "$6$rounds=N$".  0 if libxcrypt can generate it here,
 * -EINVAL otherwise.
 */
int password_method_valid(const char *method);

/*
 * The method prefix of an existing crypt hash ("$6$", "$y$", "$2b$" ...),
 * usable to hash a replacement that the same system can verify; NULL for
 * blank, locked-only, DES or unknown hashes, and for formats libxcrypt
 * cannot generate (e.g. Apache "$apr1$").  Points into a static table.
 */
const char *password_method_of(const char *hash);

/*
 * Hash @password with @method (see password_method_valid) and a salt from
 * getrandom.  @out gets CRYPT_OUTPUT_SIZE bytes.  0 or negative errno.
 */
int password_hash(const char *password, const char *method,
		  char out[CRYPT_OUTPUT_SIZE]);

#endif
