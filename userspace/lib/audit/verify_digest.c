// SPDX-License-Identifier: MIT
/*
 * Verifiers for the service stores' hashes (store types htdigest,
 * smbpasswd, mosquitto, hostapd): the audit tags a record's hash with its
 * scheme and what else the scheme hashes (user and realm, ssid), and these
 * functions check one candidate password against such a tagged hash.
 * MD5, SHA-512 and PBKDF2 come from libcrypto; MD4 is computed here from
 * RFC 1320 because OpenSSL 3 keeps it in the legacy provider, which
 * embedded images often do not ship (docs/audit.md).
 */
#include "audit/verify.h"
#include "base/util.h"

#include <openssl/evp.h>

#define B64_MAX 680	/* base64 characters of a salt or digest (510 bytes) */

static const struct {
	const char *tag;
	enum hash_kind kind;
	const char *method;
} service_tags[] = {
	{ "htdigest:", HASH_HTDIGEST, "htdigest-md5" },
	{ "nt:", HASH_NT, "nt" },
	{ "mosquitto:$6$", HASH_MOSQ_SHA512, "mosquitto-sha512" },
	{ "mosquitto:$7$", HASH_MOSQ_PBKDF2, "mosquitto-pbkdf2-sha512" },
	{ "wpa-psk:", HASH_WPA_PSK, "wpa-psk" },
};

bool service_hash_classify(const char *hash, struct hash_info *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(service_tags); i++)
		if (!strncmp(hash, service_tags[i].tag, strlen(service_tags[i].tag))) {
			*out = (struct hash_info){ service_tags[i].kind, service_tags[i].method };
			return true;
		}
	return false;
}

/* RFC 1320 MD4. */
struct md4 {
	uint32_t h[4];
	unsigned char buf[64];
	uint64_t n;
};

static uint32_t rol(uint32_t x, int s)
{
	return (x << s) | (x >> (32 - s));
}

static void md4_block(uint32_t h[4], const unsigned char *p)
{
	static const int r1[4] = { 3, 7, 11, 19 }, r2[4] = { 3, 5, 9, 13 },
			 r3[4] = { 3, 9, 11, 15 };
	static const int o3[16] = { 0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15 };
	uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3], t;

	for (int i = 0; i < 16; i++)
		x[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (int i = 0; i < 16; i++) {
		t = rol(a + ((b & c) | (~b & d)) + x[i], r1[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	for (int i = 0; i < 16; i++) {
		t = rol(a + ((b & c) | (b & d) | (c & d)) + x[(i % 4) * 4 + i / 4] + 0x5a827999u,
			r2[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	for (int i = 0; i < 16; i++) {
		t = rol(a + (b ^ c ^ d) + x[o3[i]] + 0x6ed9eba1u, r3[i % 4]);
		a = d; d = c; c = b; b = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

static void md4_init(struct md4 *m)
{
	*m = (struct md4){ .h = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u } };
}

static void md4_update(struct md4 *m, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		m->buf[m->n++ % 64] = *p++;
		if (m->n % 64 == 0)
			md4_block(m->h, m->buf);
	}
}

static void md4_final(struct md4 *m, unsigned char out[16])
{
	uint64_t bits = m->n * 8;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (8 * i));
	md4_update(m, "\x80", 1);
	while (m->n % 64 != 56)
		md4_update(m, "", 1);
	md4_update(m, len, 8);
	for (int i = 0; i < 16; i++)
		out[i] = (unsigned char)(m->h[i / 4] >> (8 * (i % 4)));
	explicit_bzero(m, sizeof(*m));
}

void md4_digest(const void *data, size_t len, unsigned char out[16])
{
	struct md4 m;

	md4_init(&m);
	md4_update(&m, data, len);
	md4_final(&m, out);
}

/* Next code point of UTF-8 @s (advanced), or -1 for an invalid sequence. */
static long utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	long cp;
	int n;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		n = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		n = 2;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		n = 3;
	} else
		return -1;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*s = p + n + 1;
	return cp;
}

static void md4_utf16(struct md4 *m, unsigned v)
{
	unsigned char u[2] = { (unsigned char)(v & 0xff), (unsigned char)(v >> 8) };

	md4_update(m, u, 2);
}

/* NT hash: MD4 over the password in UTF-16LE.  0: done, -1: not UTF-8. */
static int nt_hash(const char *pw, unsigned char out[16])
{
	const unsigned char *p = (const unsigned char *)pw;
	struct md4 m;

	md4_init(&m);
	while (*p) {
		long cp = utf8_next(&p);

		if (cp < 0) {
			explicit_bzero(&m, sizeof(m));
			return -1;
		}
		if (cp >= 0x10000) {
			md4_utf16(&m, 0xd800 + (((unsigned long)cp - 0x10000) >> 10));
			md4_utf16(&m, 0xdc00 + (((unsigned long)cp - 0x10000) & 0x3ff));
		} else
			md4_utf16(&m, (unsigned)cp);
	}
	md4_final(&m, out);
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* @n bytes from 2n hex digits at @s; false when they are not hex. */
static bool unhex(const char *s, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (lo < 0)
			return false;
		out[i] = (unsigned char)(hi * 16 + lo);
	}
	return true;
}

/* Decode @len base64 characters; returns the byte count or -EINVAL. */
static int unbase64(const char *s, size_t len, unsigned char *out)
{
	int n, pad = 0;

	if (len == 0 || len > B64_MAX || len % 4)
		return -EINVAL;
	n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0)
		return -EINVAL;
	pad = (s[len - 1] == '=') + (len > 1 && s[len - 2] == '=');
	return n - pad;
}

static int htdigest_verify(const char *hash, const char *pw)
{
	const char *hex = hash + 9, *rest = hash + 9 + 32;
	unsigned char want[16], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c;
	int ok;

	if (strlen(hex) < 33 || *rest != ':' || !unhex(hex, want, 16))
		return -EINVAL;
	rest++;	/* "USER:REALM" */
	c = EVP_MD_CTX_new();
	if (!c)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
	     EVP_DigestUpdate(c, rest, strlen(rest)) == 1 && EVP_DigestUpdate(c, ":", 1) == 1 &&
	     EVP_DigestUpdate(c, pw, strlen(pw)) == 1 && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!ok || mdlen != 16)
		return -EIO;
	return !memcmp(md, want, 16);
}

static int nt_verify(const char *hash, const char *pw)
{
	unsigned char want[16], got[16];

	if (strlen(hash + 3) != 32 || !unhex(hash + 3, want, 16))
		return -EINVAL;
	if (nt_hash(pw, got) < 0)
		return 0;	/* not UTF-8: Samba cannot have hashed it */
	return !memcmp(got, want, 16);
}

/* "mosquitto:$6$SALT$HASH" or "mosquitto:$7$N$SALT$HASH". */
static int mosquitto_verify(enum hash_kind kind, const char *hash, const char *pw)
{
	unsigned char salt[B64_MAX], want[B64_MAX], got[EVP_MAX_MD_SIZE];
	const char *p = hash + strlen("mosquitto:$6$"), *d1, *d2;
	unsigned long iter = 0;
	int saltlen, wantlen, r;

	if (kind == HASH_MOSQ_PBKDF2) {
		char *end;

		errno = 0;
		iter = strtoul(p, &end, 10);
		if (errno || *end != '$' || iter == 0 || iter > INT_MAX)
			return -EINVAL;
		p = end + 1;
	}
	d1 = strchr(p, '$');
	if (!d1)
		return -EINVAL;
	d2 = d1 + 1 + strlen(d1 + 1);
	saltlen = unbase64(p, (size_t)(d1 - p), salt);
	wantlen = unbase64(d1 + 1, (size_t)(d2 - d1 - 1), want);
	if (saltlen < 0 || wantlen <= 0 || wantlen > EVP_MAX_MD_SIZE)
		return -EINVAL;
	if (kind == HASH_MOSQ_PBKDF2) {
		if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, saltlen, (int)iter, EVP_sha512(),
				      wantlen, got) != 1)
			return -EIO;
	} else {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		unsigned int n = 0;
		int ok;

		if (!c)
			return -ENOMEM;
		ok = EVP_DigestInit_ex(c, EVP_sha512(), NULL) == 1 &&
		     EVP_DigestUpdate(c, pw, strlen(pw)) == 1 &&
		     EVP_DigestUpdate(c, salt, (size_t)saltlen) == 1 &&
		     EVP_DigestFinal_ex(c, got, &n) == 1;
		EVP_MD_CTX_free(c);
		if (!ok)
			return -EIO;
		if ((int)n != wantlen)
			return 0;
	}
	r = !memcmp(got, want, (size_t)wantlen);
	explicit_bzero(got, sizeof(got));
	return r;
}

/* "wpa-psk:HEX:SSID": a passphrase is 8..63 characters (IEEE 802.11i). */
static int wpa_psk_verify(const char *hash, const char *pw)
{
	const char *hex = hash + 8, *ssid = hash + 8 + 64;
	unsigned char want[32], got[32];
	size_t len = strlen(pw);
	int r;

	if (strlen(hex) < 65 || *ssid != ':' || !unhex(hex, want, 32))
		return -EINVAL;
	ssid++;
	if (len < 8 || len > 63)
		return 0;
	if (PKCS5_PBKDF2_HMAC_SHA1(pw, (int)len, (const unsigned char *)ssid, (int)strlen(ssid),
				   4096, 32, got) != 1)
		return -EIO;
	r = !memcmp(got, want, 32);
	explicit_bzero(got, sizeof(got));
	return r;
}

int service_hash_verify(const struct hash_info *info, const char *hash, const char *pw)
{
	switch (info->kind) {
	case HASH_HTDIGEST:
		return htdigest_verify(hash, pw);
	case HASH_NT:
		return nt_verify(hash, pw);
	case HASH_MOSQ_SHA512:
	case HASH_MOSQ_PBKDF2:
		return mosquitto_verify(info->kind, hash, pw);
	case HASH_WPA_PSK:
		return wpa_psk_verify(hash, pw);
	default:
		return -EINVAL;
	}
}
