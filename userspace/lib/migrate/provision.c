// SPDX-License-Identifier: MIT
/* Label-password derivation with HKDF-SHA256 from OpenSSL libcrypto. */
#include "migrate/provision.h"
#include "base/util.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

int provision_id_valid(const char *s, int is_product)
{
	size_t len = strlen(s);

	if (len < 1 || len > PROVISION_ID_MAX)
		return -EINVAL;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || (is_product && *s == ':'))
			return -EINVAL;
	return 0;
}

static void kdf_ctx_freep(EVP_KDF_CTX **ctx)
{
	EVP_KDF_CTX_free(*ctx);
}

int provision_derive(const uint8_t *secret, size_t secret_len,
		     const char *product, const char *serial,
		     char out[PASSWORD_LEN + 1])
{
	_cleanup_(kdf_ctx_freep) EVP_KDF_CTX *ctx = NULL;
	char info[sizeof(PROVISION_INFO_PREFIX) + 2 * PROVISION_ID_MAX + 2];
	uint8_t bytes[PASSWORD_LEN];
	OSSL_PARAM params[5], *p = params;
	EVP_KDF *kdf;
	int ok;

	if (secret_len < PROVISION_SECRET_MIN ||
	    provision_id_valid(serial, 0) < 0 ||
	    (*product && provision_id_valid(product, 1) < 0))
		return -EINVAL;
	snprintf(info, sizeof(info), PROVISION_INFO_PREFIX "%s:%s", product, serial);

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		return -EIO;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!ctx)
		return -EIO;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)PROVISION_SALT,
						 strlen(PROVISION_SALT));
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(ctx, bytes, sizeof(bytes), params);
	if (ok <= 0)
		return -EIO;
	password_from_bytes(bytes, out);
	explicit_bzero(bytes, sizeof(bytes));
	return 0;
}
