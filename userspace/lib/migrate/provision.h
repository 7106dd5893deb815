/* SPDX-License-Identifier: MIT */
/*
 * Factory provisioning: the per-device label password, derived from a
 * manufacturer secret and the device's product ID and serial number.
 * The derivation (docs/provisioning.md) is:
 *
 *   bytes = HKDF-SHA256(IKM  = secret,
 *                       salt = "credgate-provision-v1",
 *                       info = "credgate/v1:" PRODUCT ":" SERIAL,
 *                       L    = PASSWORD_LEN)
 *   password[i] = PASSWORD_ALPHABET[bytes[i] & 31]
 *
 * so `openssl kdf ... HKDF` reproduces it.  PRODUCT holds no ':' so the
 * info string splits one way only.
 */
#ifndef CREDGATE_PROVISION_H
#define CREDGATE_PROVISION_H

#include <stddef.h>
#include <stdint.h>

#include "migrate/password.h"

#define PROVISION_SALT "credgate-provision-v1"
#define PROVISION_INFO_PREFIX "credgate/v1:"
#define PROVISION_SECRET_MIN 32
#define PROVISION_SECRET_MAX 4096
#define PROVISION_ID_MAX 128

/*
 * 0 when @s is a usable product ID (@is_product) or serial: 1..128
 * printable ASCII characters, and no ':' in a product ID.  -EINVAL if not.
 */
int provision_id_valid(const char *s, int is_product);

/*
 * Derive the label password.  -EINVAL for a short secret or a bad ID,
 * -EIO if libcrypto fails.
 */
int provision_derive(const uint8_t *secret, size_t secret_len,
		     const char *product, const char *serial,
		     char out[PASSWORD_LEN + 1]);

#endif
