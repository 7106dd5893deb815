// SPDX-License-Identifier: MIT
/*
 * mosquitto password files (password_file in mosquitto.conf), as
 * mosquitto_passwd 2.x writes them: user:HASH per line, HASH either
 *   $6$SALT$DIGEST          DIGEST = SHA-512(password || salt)
 *   $7$ITERATIONS$SALT$DIGEST  DIGEST = PBKDF2-HMAC-SHA512(password, salt)
 * with SALT and DIGEST in base64.  As the broker reads them: '#' in the
 * first column starts a comment, blanks around both fields are ignored, the
 * password field ends at the next ':'; an empty one is a user without a
 * password.  The only code that knows this format.
 */
#include "store/store.h"
#include "base/util.h"

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

/* Count of base64 characters from @s, up to '$' or @end. */
static size_t b64_run(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && is_b64(*p))
		p++;
	return (size_t)(p - s);
}

static bool mosquitto_hash_ok(const char *h, size_t len)
{
	const char *end = h + len, *p;
	size_t n;

	if (len < 3 || h[0] != '$' || (h[1] != '6' && h[1] != '7') || h[2] != '$')
		return false;
	p = h + 3;
	if (h[1] == '7') {
		n = 0;
		while (p + n < end && p[n] >= '0' && p[n] <= '9')
			n++;
		if (!store_field_is_uint(p, n) || p + n == end || p[n] != '$' || p[0] == '0')
			return false;
		p += n + 1;
	}
	n = b64_run(p, end);
	if (n == 0 || n % 4 || p + n == end || p[n] != '$')
		return false;
	p += n + 1;
	n = b64_run(p, end);
	return n > 0 && n % 4 == 0 && p + n == end;
}

static int mosquitto_parse_fields(const char *line, size_t len, struct store_field *f,
				  const char **why)
{
	size_t us = 0, ue, hs, he;

	if (len == 0 || line[0] == '#')
		return 0;
	if (store_line_is_blank_or_comment(line, len))
		return 0;
	for (ue = 0; ue < len && line[ue] != ':'; ue++)
		;
	if (ue == len) {
		*why = "missing ':' between user name and password hash (the broker ignores this line; expected user:hash as mosquitto_passwd writes it)";
		return -EINVAL;
	}
	for (he = ue + 1; he < len && line[he] != ':'; he++)
		;
	hs = ue + 1;
	while (us < ue && (line[us] == ' ' || line[us] == '\t'))
		us++;
	while (ue > us && (line[ue - 1] == ' ' || line[ue - 1] == '\t'))
		ue--;
	while (hs < he && (line[hs] == ' ' || line[hs] == '\t'))
		hs++;
	while (he > hs && (line[he - 1] == ' ' || line[he - 1] == '\t'))
		he--;
	if (us == ue) {
		*why = "empty user name";
		return -EINVAL;
	}
	if (hs < he && !mosquitto_hash_ok(line + hs, he - hs)) {
		*why = "password field is not a mosquitto hash ($6$salt$hash or $7$iterations$salt$hash in base64): a plain-text password file? convert it with mosquitto_passwd -U";
		return -EINVAL;
	}
	f[0] = (struct store_field){
		.user = { us, ue - us },
		.hash = { hs, he - hs },
		.scheme = STORE_SCHEME_MOSQUITTO,
	};
	return 1;
}

const struct store_ops store_mosquitto_ops = {
	.name = "mosquitto",
	.crlf_ok = true,
	.parse_fields = mosquitto_parse_fields,
};
