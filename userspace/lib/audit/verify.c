// SPDX-License-Identifier: MIT
#include "audit/verify.h"
#include "base/util.h"

#include <openssl/evp.h>
#include <pthread.h>

/* Fetched once: an implicit fetch per digest init costs more than MD5 itself. */
static EVP_MD *md5_md;
static pthread_once_t md5_once = PTHREAD_ONCE_INIT;

static void md5_fetch(void)
{
	md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
}

static const struct {
	const char *prefix;
	const char *method;
} crypt_methods[] = {
	{ "$y$", "yescrypt" },
	{ "$gy$", "gost-yescrypt" },
	{ "$7$", "scrypt" },
	{ "$2b$", "bcrypt" },
	{ "$2a$", "bcrypt" },
	{ "$2y$", "bcrypt" },
	{ "$2x$", "bcrypt" },
	{ "$6$", "sha512crypt" },
	{ "$5$", "sha256crypt" },
	{ "$1$", "md5crypt" },
	{ "$sha1$", "sha1crypt" },
	{ "$md5", "sunmd5" },
	{ "$3$", "nt" },
	{ "_", "bsdicrypt" },
};

static bool is_crypt64(char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') ||
	       (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool all_crypt64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_crypt64(s[i]))
			return false;
	return true;
}

static bool crypt_supported(const char *hash)
{
	int r = crypt_checksalt(hash);

	return r == CRYPT_SALT_OK || r == CRYPT_SALT_METHOD_LEGACY || r == CRYPT_SALT_TOO_CHEAP;
}

void hash_classify(const char *hash, struct hash_info *out)
{
	size_t len = strlen(hash);

	*out = (struct hash_info){ .kind = HASH_INVALID, .method = "none" };
	if (len == 0) {
		out->kind = HASH_EMPTY;
		return;
	}
	if (hash[0] == '!' || hash[0] == '*') {
		out->kind = HASH_LOCKED;
		return;
	}
	if (service_hash_classify(hash, out))
		return;
	if (!strncmp(hash, "$apr1$", 6)) {
		*out = (struct hash_info){ HASH_APR1, "apr1" };
		return;
	}
	if (!strncmp(hash, "{SHA}", 5)) {
		*out = (struct hash_info){ HASH_SHA1, "sha1" };
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(crypt_methods); i++)
		if (!strncmp(hash, crypt_methods[i].prefix, strlen(crypt_methods[i].prefix))) {
			out->method = crypt_methods[i].method;
			out->kind = crypt_supported(hash) ? HASH_CRYPT : HASH_UNKNOWN;
			return;
		}
	/* bigcrypt: a DES hash followed by one 11-character block per 8 more
	 * password characters; libxcrypt verifies it. */
	if (len >= 13 && (len - 13) % 11 == 0 && all_crypt64(hash, len)) {
		out->method = len == 13 ? "descrypt" : "bigcrypt";
		out->kind = crypt_supported(hash) ? HASH_CRYPT : HASH_UNKNOWN;
		return;
	}
	/* $argon2id$, {SSHA}, ...: a method we do not know; never call it locked. */
	if (hash[0] == '$' || hash[0] == '{') {
		out->kind = HASH_UNKNOWN;
		out->method = "unrecognised";
	}
}

bool hash_is_complete(const char *hash)
{
	struct hash_info info;
	size_t dollars = 0, len = strlen(hash);

	hash_classify(hash, &info);
	if (info.kind == HASH_SHA1)
		return len == 5 + 28;
	if (info.kind != HASH_CRYPT && info.kind != HASH_APR1)
		return false;
	if (hash[0] != '$')
		return false;	/* a 13-character DES hash cannot be told from a password */
	for (const char *p = hash; *p; p++)
		dollars += *p == '$';
	/* $id$salt$hash, $id$rounds=N$salt$hash, $2b$NN$salt+hash, $y$params$salt$hash */
	return dollars >= 3 && strlen(strrchr(hash, '$') + 1) >= 20;
}

static const char crypt64_chars[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static char *to64(char *p, unsigned long v, int n)
{
	while (n-- > 0) {
		*p++ = crypt64_chars[v & 0x3f];
		v >>= 6;
	}
	return p;
}

static int md5_update(EVP_MD_CTX *c, const void *p, size_t n)
{
	return EVP_DigestUpdate(c, p, n) == 1 ? 0 : -EIO;
}

/*
 * Apache's $apr1$: the FreeBSD MD5-crypt construction (1000 rounds of MD5
 * over password, salt and the previous digest) with magic "$apr1$".
 */
int apr1_crypt(const char *pw, const char *setting, char *out, size_t size)
{
	static const char magic[] = "$apr1$";
	unsigned char fin[EVP_MAX_MD_SIZE];
	size_t pwlen = strlen(pw), saltlen = 0;
	const char *salt;
	EVP_MD_CTX *c;
	char *p;
	int r = -EIO;

	if (strncmp(setting, magic, 6))
		return -EINVAL;
	salt = setting + 6;
	while (saltlen < 8 && salt[saltlen] && salt[saltlen] != '$')
		saltlen++;
	if (size < 6 + saltlen + 1 + 22 + 1)
		return -ENOBUFS;
	pthread_once(&md5_once, md5_fetch);
	if (!md5_md)
		return -ENOTSUP;
	c = EVP_MD_CTX_new();
	if (!c)
		return -ENOMEM;
	/* Alternate sum: MD5(pw salt pw). */
	if (EVP_DigestInit_ex(c, md5_md, NULL) != 1 || md5_update(c, pw, pwlen) ||
	    md5_update(c, salt, saltlen) || md5_update(c, pw, pwlen) ||
	    EVP_DigestFinal_ex(c, fin, NULL) != 1)
		goto out;
	if (EVP_DigestInit_ex(c, md5_md, NULL) != 1 || md5_update(c, pw, pwlen) ||
	    md5_update(c, magic, 6) || md5_update(c, salt, saltlen))
		goto out;
	for (size_t n = pwlen; n > 0; n -= n > 16 ? 16 : n)
		if (md5_update(c, fin, n > 16 ? 16 : n))
			goto out;
	for (size_t i = pwlen; i; i >>= 1)
		if (md5_update(c, (i & 1) ? "" : pw, 1))
			goto out;
	if (EVP_DigestFinal_ex(c, fin, NULL) != 1)
		goto out;
	for (int i = 0; i < 1000; i++) {
		if (EVP_DigestInit_ex(c, md5_md, NULL) != 1)
			goto out;
		if ((i & 1) ? md5_update(c, pw, pwlen) : md5_update(c, fin, 16))
			goto out;
		if ((i % 3) && md5_update(c, salt, saltlen))
			goto out;
		if ((i % 7) && md5_update(c, pw, pwlen))
			goto out;
		if ((i & 1) ? md5_update(c, fin, 16) : md5_update(c, pw, pwlen))
			goto out;
		if (EVP_DigestFinal_ex(c, fin, NULL) != 1)
			goto out;
	}
	p = out + sprintf(out, "%s%.*s$", magic, (int)saltlen, salt);
	p = to64(p, ((unsigned long)fin[0] << 16) | (fin[6] << 8) | fin[12], 4);
	p = to64(p, ((unsigned long)fin[1] << 16) | (fin[7] << 8) | fin[13], 4);
	p = to64(p, ((unsigned long)fin[2] << 16) | (fin[8] << 8) | fin[14], 4);
	p = to64(p, ((unsigned long)fin[3] << 16) | (fin[9] << 8) | fin[15], 4);
	p = to64(p, ((unsigned long)fin[4] << 16) | (fin[10] << 8) | fin[5], 4);
	p = to64(p, fin[11], 2);
	*p = '\0';
	r = 0;
out:
	EVP_MD_CTX_free(c);
	return r;
}

static int sha1_matches(const char *hash, const char *pw)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int mdlen = 0;

	if (EVP_Digest(pw, strlen(pw), md, &mdlen, EVP_sha1(), NULL) != 1)
		return -EIO;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	return !strcmp(hash + 5, (const char *)b64);
}

int verify_password(struct verify_ctx *ctx, const struct hash_info *info,
		    const char *hash, const char *pw)
{
	char buf[128];
	const char *h;
	int r;

	switch (info->kind) {
	case HASH_CRYPT:
		errno = 0;
		h = crypt_rn(pw, hash, &ctx->cd, sizeof(ctx->cd));
		/* NULL or a failure token ('*...'): nothing was computed. */
		if (!h || h[0] == '*')
			return errno > 0 ? -errno : -EIO;
		return !strcmp(h, hash);
	case HASH_APR1:
		r = apr1_crypt(pw, hash, buf, sizeof(buf));
		return r < 0 ? r : !strcmp(buf, hash);
	case HASH_SHA1:
		return sha1_matches(hash, pw);
	case HASH_HTDIGEST:
	case HASH_NT:
	case HASH_MOSQ_SHA512:
	case HASH_MOSQ_PBKDF2:
	case HASH_WPA_PSK:
		return service_hash_verify(info, hash, pw);
	default:
		return -EINVAL;
	}
}
