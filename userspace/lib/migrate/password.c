// SPDX-License-Identifier: MIT
/* Password generation (getrandom) and hashing (libxcrypt). */
#include "migrate/password.h"
#include "base/util.h"

#include <sys/random.h>

void password_from_bytes(const uint8_t bytes[PASSWORD_LEN],
			 char out[PASSWORD_LEN + 1])
{
	static const char alphabet[] = PASSWORD_ALPHABET;

	_Static_assert(sizeof(alphabet) - 1 == 32, "alphabet must have 2^5 characters");
	for (size_t i = 0; i < PASSWORD_LEN; i++)
		out[i] = alphabet[bytes[i] & 31];
	out[PASSWORD_LEN] = '\0';
}

int password_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int password_generate(char out[PASSWORD_LEN + 1])
{
	uint8_t bytes[PASSWORD_LEN];
	int r = password_random_bytes(bytes, sizeof(bytes));

	if (r < 0)
		return r;
	password_from_bytes(bytes, out);
	explicit_bzero(bytes, sizeof(bytes));
	return 0;
}

/* Split "$5$rounds=N$" into "$5$" and N; other prefixes pass through. */
static int split_method(const char *method, char prefix[16], unsigned long *count)
{
	const char *end;
	size_t idlen;

	*count = 0;
	if (method[0] != '$')
		return -EINVAL;
	end = strchr(method + 1, '$');
	if (!end)
		return -EINVAL;
	idlen = (size_t)(end - method) + 1;
	if (idlen >= 16 || idlen < 3)
		return -EINVAL;
	memcpy(prefix, method, idlen);
	prefix[idlen] = '\0';
	if (!end[1])
		return 0;
	if ((strcmp(prefix, "$5$") && strcmp(prefix, "$6$")) ||
	    strncmp(end + 1, "rounds=", 7))
		return -EINVAL;
	{
		char digits[16];
		const char *d = end + 8, *dend = strchr(d, '$');

		if (!dend || dend[1] || (size_t)(dend - d) >= sizeof(digits))
			return -EINVAL;
		memcpy(digits, d, (size_t)(dend - d));
		digits[dend - d] = '\0';
		return parse_uint(digits, 999999999UL, count);
	}
}

static int make_setting(const char *method, char setting[CRYPT_GENSALT_OUTPUT_SIZE])
{
	char prefix[16];
	unsigned long count;
	uint8_t rnd[32];
	int r;

	r = split_method(method, prefix, &count);
	if (r < 0)
		return -EINVAL;
	r = password_random_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	if (!crypt_gensalt_rn(prefix, count, (const char *)rnd, sizeof(rnd),
			      setting, CRYPT_GENSALT_OUTPUT_SIZE))
		return -EINVAL;
	return 0;
}

int password_method_valid(const char *method)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	return make_setting(method, setting) < 0 ? -EINVAL : 0;
}

const char *password_method_of(const char *hash)
{
	/*
	 * Methods worth keeping.  DES and md5crypt are not: a system that
	 * verifies them verifies sha512crypt too (glibc >= 2.7, musl,
	 * BusyBox with CONFIG_USE_BB_CRYPT_SHA), so the default is used.
	 */
	static const char *const keep[] = {
		"$y$", "$gy$", "$7$", "$2b$", "$2y$", "$6$", "$5$",
	};

	if (!hash)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (!strncmp(hash, keep[i], strlen(keep[i])) &&
		    password_method_valid(keep[i]) == 0)
			return keep[i];
	return NULL;
}

int password_hash(const char *password, const char *method,
		  char out[CRYPT_OUTPUT_SIZE])
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *data;
	int r;

	r = make_setting(method, setting);
	if (r < 0)
		return r;
	data = calloc(1, sizeof(*data));
	if (!data)
		return -ENOMEM;
	if (!crypt_rn(password, setting, data, sizeof(*data)) ||
	    data->output[0] == '*') {
		r = -EINVAL;
	} else {
		memcpy(out, data->output, CRYPT_OUTPUT_SIZE);
		r = 0;
	}
	explicit_bzero(data, sizeof(*data));
	free(data);
	return r;
}
