// SPDX-License-Identifier: MIT
/*
 * The new secret field of a service store's record, as each format stores
 * it (docs/migration.md "Service stores"):
 *   htdigest   hex MD5(user:realm:password), lower case as htdigest writes it
 *   smbpasswd  hex MD4(UTF-16LE(password)), upper case as smbpasswd writes it
 *   mosquitto  $7$101$SALT$HASH, PBKDF2-HMAC-SHA512 with a 12-byte salt and
 *              101 iterations, base64: what mosquitto_passwd 2.0 writes
 *   hostapd    wpa_psk: hex PBKDF2-HMAC-SHA1(password, ssid, 4096, 32), as
 *              wpa_passphrase prints it; wpa_passphrase, sae_password: plain
 *   plain, snmpd  the password itself
 * Each hashed field is checked with the audit's verifier (verify_digest.c)
 * before it is used, so what is written is what the audit will read.
 */
#include "migrate/service.h"
#include "audit/service.h"
#include "audit/verify.h"
#include "migrate/password.h"
#include "base/util.h"

#include <openssl/evp.h>

/* mosquitto_passwd 2.0: PW_DEFAULT_ITERATIONS, its salt length, SHA-512's size. */
#define MOSQ_ITERATIONS 101
#define MOSQ_SALT_LEN 12
#define MOSQ_HASH_LEN 64

/*
 * The one generator serves every type: 16 characters of [2-9a-z] fit a WPA
 * passphrase (8..63 printable ASCII), an SNMPv3 passphrase (at least 8), a
 * community (no blank, no '#', no quote) and every file's separators.
 */
_Static_assert(PASSWORD_LEN >= 8 && PASSWORD_LEN <= 63, "WPA and SNMPv3 passphrase lengths");

static void hex(const unsigned char *b, size_t n, bool upper, char *out)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int htdigest_field(const struct store_record *rec, const char *pw, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const char *realm = rec->salt ? rec->salt : "";
	int ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
	     EVP_DigestUpdate(c, rec->user, strlen(rec->user)) == 1 &&
	     EVP_DigestUpdate(c, ":", 1) == 1 && EVP_DigestUpdate(c, realm, strlen(realm)) == 1 &&
	     EVP_DigestUpdate(c, ":", 1) == 1 && EVP_DigestUpdate(c, pw, strlen(pw)) == 1 &&
	     EVP_DigestFinal_ex(c, md, &len) == 1;
	EVP_MD_CTX_free(c);
	if (!ok || len != 16)
		return -EIO;
	hex(md, 16, false, out);
	return 0;
}

/* The generator's passwords are ASCII: UTF-16LE is each byte and a zero. */
static int nt_field(const char *pw, char *out)
{
	unsigned char u[2 * 64], md[16];
	size_t n = strlen(pw);

	if (n > 64)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)pw[i] >= 0x80)
			return -EINVAL;
		u[2 * i] = (unsigned char)pw[i];
		u[2 * i + 1] = 0;
	}
	md4_digest(u, 2 * n, md);
	explicit_bzero(u, sizeof(u));
	hex(md, 16, true, out);
	return 0;
}

static int mosquitto_field(const char *pw, char *out, size_t size)
{
	unsigned char salt[MOSQ_SALT_LEN], hash[MOSQ_HASH_LEN];
	char salt64[4 * ((MOSQ_SALT_LEN + 2) / 3) + 1], hash64[4 * ((MOSQ_HASH_LEN + 2) / 3) + 1];
	int r = password_random_bytes(salt, sizeof(salt));

	if (r < 0)
		return r;
	if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, sizeof(salt), MOSQ_ITERATIONS,
			      EVP_sha512(), sizeof(hash), hash) != 1)
		return -EIO;
	EVP_EncodeBlock((unsigned char *)salt64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)hash64, hash, sizeof(hash));
	explicit_bzero(hash, sizeof(hash));
	r = snprintf(out, size, "$7$%d$%s$%s", MOSQ_ITERATIONS, salt64, hash64);
	return r < 0 || (size_t)r >= size ? -EINVAL : 0;
}

static int wpa_psk_field(const struct store_record *rec, const char *pw, char *out)
{
	unsigned char psk[32];

	if (PKCS5_PBKDF2_HMAC_SHA1(pw, (int)strlen(pw), (const unsigned char *)rec->salt,
				   (int)strlen(rec->salt), 4096, sizeof(psk), psk) != 1)
		return -EIO;
	hex(psk, sizeof(psk), false, out);
	explicit_bzero(psk, sizeof(psk));
	return 0;
}

/* The new field of @rec for @pw into @out, and the scheme it has then. */
static int secret_field(const struct store_file *sf, const struct store_record *rec,
			const char *pw, char *out, size_t size, enum store_scheme *scheme,
			const char **why)
{
	switch (sf->type) {
	case STORE_HTDIGEST:
		*scheme = STORE_SCHEME_HTDIGEST;
		return htdigest_field(rec, pw, out);
	case STORE_SMBPASSWD:
		*scheme = STORE_SCHEME_NT;
		return nt_field(pw, out);
	case STORE_MOSQUITTO:
		*scheme = STORE_SCHEME_MOSQUITTO;
		return mosquitto_field(pw, out, size);
	case STORE_HOSTAPD:
		if (rec->scheme == STORE_SCHEME_WPA_PSK) {
			if (!rec->salt) {
				*why = "wpa_psk without an ssid in its BSS: the PSK of a new passphrase cannot be computed; add the BSS's ssid= line";
				return -EOPNOTSUPP;
			}
			*scheme = STORE_SCHEME_WPA_PSK;
			return wpa_psk_field(rec, pw, out);
		}
		break;
	case STORE_PLAIN:
	case STORE_SNMPD:
		break;
	default:
		return -EINVAL;
	}
	*scheme = STORE_SCHEME_PLAIN;
	if (strlen(pw) >= size)
		return -EINVAL;
	strcpy(out, pw);
	return 0;
}

/* What the person receives, for the credentials file. */
static const char *what_new(const struct store_record *rec, enum store_scheme scheme)
{
	if (scheme == STORE_SCHEME_WPA_PSK)
		return "WPA passphrase";
	if (rec->scheme == STORE_SCHEME_NOPASSWORD && rec->what)
		return "auth and priv passphrase";
	if (scheme == STORE_SCHEME_PLAIN && rec->what)
		return rec->what;
	return "password";
}

/* Does the audit's verifier read @vkey as a hash of @pw?  0 yes. */
static int check_verifies(const char *vkey, const char *pw)
{
	struct hash_info info = { 0 };

	if (!service_hash_classify(vkey, &info) || service_hash_verify(&info, vkey, pw) != 1)
		return log_error_errno(EIO, "migrate: internal error: the new %s hash does not verify its password; nothing was changed",
				       info.method ? info.method : "service");
	return 0;
}

int service_plan(const struct store_file *sf, const struct store_record *rec,
		 enum cg_policy policy, const char *password, time_t now,
		 struct service_plan *out, const char **why)
{
	char field[STORE_EDIT_TEXT_MAX];
	struct store_record fresh;
	enum store_scheme scheme;
	int r;

	*out = (struct service_plan){ 0 };
	*why = NULL;
	switch (policy) {
	case CG_POLICY_LOCK:
		r = store_record_edit(sf, rec, STORE_EDIT_DISABLE, NULL, now, out->e, why);
		break;
	case CG_POLICY_USER:
		r = store_record_edit(sf, rec, STORE_EDIT_EXPIRE, NULL, now, out->e, why);
		break;
	case CG_POLICY_RANDOM:
		r = secret_field(sf, rec, password, field, sizeof(field), &scheme, why);
		if (r < 0)
			return r;
		out->what = what_new(rec, scheme);
		if (scheme != STORE_SCHEME_PLAIN) {
			fresh = *rec;
			fresh.hash = field;
			fresh.scheme = scheme;
			r = service_tagged_hash(&fresh, &out->vkey);
			if (r >= 0)
				r = check_verifies(out->vkey, password);
			if (r < 0)
				goto fail;
		}
		r = store_record_edit(sf, rec, STORE_EDIT_SECRET, field, now, out->e, why);
		explicit_bzero(field, sizeof(field));
		break;
	default:
		return -EINVAL;
	}
	if (r < 0)
		goto fail;
	out->n = (size_t)r;
	return 0;
fail:
	free(out->vkey);
	out->vkey = NULL;
	return r;
}
