// SPDX-License-Identifier: MIT
/*
 * hostapd.conf: the access point's Wi-Fi secrets.  KEY=VALUE lines, '#' in
 * the first column a comment, nothing trimmed (as hostapd reads them):
 *   wpa_passphrase=PASSPHRASE   8..63 characters, in plain text
 *   wpa_psk=HEX                 PBKDF2-HMAC-SHA1(passphrase, ssid, 4096, 32)
 *   sae_password=PASSWORD[|mac=..][|vlanid=..][|pk=..][|id=..]
 *   ssid=NAME / ssid2="NAME" or ssid2=HEX  the salt of wpa_psk
 *   bss=IFNAME                  starts the next BSS (its own ssid and keys)
 * The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static bool key_is(const char *line, size_t klen, const char *key)
{
	return klen == strlen(key) && !memcmp(line, key, klen);
}

/* End of an sae_password's password: the first of its parameters. */
static size_t sae_password_end(const char *v, size_t len)
{
	static const char *const params[] = { "|mac=", "|vlanid=", "|pk=", "|id=" };
	size_t end = len;

	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		size_t pl = strlen(params[i]);

		for (size_t j = 0; j + pl <= end; j++)
			if (!memcmp(v + j, params[i], pl)) {
				end = j;
				break;
			}
	}
	return end;
}

static int hostapd_parse_fields(const char *line, size_t len, struct store_field *f,
				const char **why)
{
	const char *eq;
	size_t klen, voff, vlen;

	if (len == 0 || line[0] == '#')
		return 0;
	eq = memchr(line, '=', len);
	if (!eq) {
		*why = "no '=' in the line (hostapd refuses it: expected KEY=VALUE)";
		return -EINVAL;
	}
	klen = (size_t)(eq - line);
	voff = klen + 1;
	vlen = len - voff;
	f[0] = (struct store_field){ .user = { 0, klen }, .hash = { voff, vlen } };
	if (key_is(line, klen, "wpa_passphrase")) {
		if (vlen < 8 || vlen > 63) {
			*why = "wpa_passphrase must be 8..63 characters long (hostapd refuses it)";
			return -EINVAL;
		}
		f[0].scheme = STORE_SCHEME_PLAIN;
		f[0].what = "WPA passphrase";
		return 1;
	}
	if (key_is(line, klen, "wpa_psk")) {
		if (vlen != 64 || !store_field_is_hex(line + voff, vlen)) {
			*why = "wpa_psk is not 64 hex digits (hostapd refuses it)";
			return -EINVAL;
		}
		f[0].scheme = STORE_SCHEME_WPA_PSK;
		f[0].what = "WPA PSK";
		return 1;
	}
	if (key_is(line, klen, "sae_password")) {
		f[0].hash.len = sae_password_end(line + voff, vlen);
		f[0].scheme = STORE_SCHEME_PLAIN;
		f[0].what = "SAE password";
		return 1;
	}
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The ssid a "ssid=" or "ssid2=" line gives, or NULL (with *bad on ENOMEM). */
static char *ssid_of(const char *line, size_t len, bool *nomem)
{
	char *s = NULL;

	if (len >= 5 && !memcmp(line, "ssid=", 5))
		s = strndup(line + 5, len - 5);
	else if (len >= 8 && !memcmp(line, "ssid2=\"", 7) && line[len - 1] == '"')
		s = strndup(line + 7, len - 8);
	else if (len > 6 && !memcmp(line, "ssid2=", 6) && (len - 6) % 2 == 0 &&
		 store_field_is_hex(line + 6, len - 6)) {
		size_t n = (len - 6) / 2;

		s = malloc(n + 1);
		if (s) {
			for (size_t i = 0; i < n; i++)
				s[i] = (char)(hexval(line[6 + 2 * i]) * 16 + hexval(line[7 + 2 * i]));
			s[n] = '\0';
			if (strlen(s) != n) {	/* a NUL in the ssid: cannot be a salt string */
				free(s);
				return NULL;
			}
		}
	} else
		return NULL;
	if (!s)
		*nomem = true;
	return s;
}

/* Give every secret the ssid of its BSS (the lines from one bss= to the next). */
static int hostapd_finish(struct store_file *sf)
{
	size_t pos = 0, rec = 0;
	unsigned lineno = 0;
	char *ssid = NULL;
	bool nomem = false;

	for (;;) {
		const char *line = sf->data + pos;
		const char *nl = pos < sf->size ? memchr(line, '\n', sf->size - pos) : NULL;
		size_t len = pos >= sf->size ? 0 : nl ? (size_t)(nl - line) : sf->size - pos;
		bool end = pos >= sf->size, bss;
		char *s;

		lineno++;
		bss = !end && len >= 4 && !memcmp(line, "bss=", 4);
		if (end || bss) {
			/* Close the section: records before this line get its ssid. */
			for (; rec < sf->n_records && (end || sf->records[rec].line < lineno); rec++)
				if (ssid && !(sf->records[rec].salt = strdup(ssid)))
					nomem = true;
			free(ssid);
			ssid = NULL;
			if (end)
				break;
		} else if (!end && len < STORE_LINE_MAX && (s = ssid_of(line, len, &nomem))) {
			free(ssid);
			ssid = s;
		}
		pos += nl ? len + 1 : sf->size - pos;
	}
	return nomem ? -ENOMEM : 0;
}

const struct store_ops store_hostapd_ops = {
	.name = "hostapd",
	.dup_ok = true,
	.parse_fields = hostapd_parse_fields,
	.finish = hostapd_finish,
};
