// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the Varlink request parser and dispatcher.  The input
 * is a byte stream as a client would send it; it is split at NUL bytes
 * into messages and each is answered.  Every answer must be one JSON
 * object with "parameters" or "error".
 *
 *   scripts/gen-idl userspace/lib/varlink/org.varlink.service.varlink \
 *     build/gen/org.varlink.service.varlink.h
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude \
 *     -Iuserspace/lib -Ibuild/gen selftests/fuzz/varlink_fuzz.c userspace/lib/varlink/varlink.c \
 *     userspace/lib/base/util.c userspace/lib/base/log.c -ljson-c -o varlink_fuzz
 * (scripts/check.d/varlink-fuzz builds and runs it.)
 */
#include <stdint.h>

#include "base/util.h"
#include "varlink/varlink.h"

static int fuzz_method(struct vl_call *call, json_object *params, void *userdata)
{
	static const struct vl_param spec[] = {
		{ "s", json_type_string, false },
		{ "i", json_type_int, false },
		{ "a", json_type_array, false },
	};

	(void)userdata;
	if (vl_params_check(call, params, spec, ARRAY_SIZE(spec)) < 0)
		return 0;
	return vl_reply(call, json_object_get(params));
}

static const struct vl_method fuzz_methods[] = { { "Echo", fuzz_method } };
static const struct vl_interface fuzz_iface = {
	.name = "io.credgate.Device",
	.description = "interface io.credgate.Device\nmethod Echo(s: ?string, i: ?int, a: ?[]string) -> ()\n",
	.methods = fuzz_methods,
	.n_methods = ARRAY_SIZE(fuzz_methods),
};

static struct vl_server *server(void)
{
	static const struct vl_service_info info = { "credgate", "fuzz", "0", "" };
	static struct vl_server *s;

	if (!s) {
		if (vl_server_new(&s, NULL, &info) < 0 ||
		    vl_server_add_interface(s, &fuzz_iface, NULL) < 0)
			abort();
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_server *s = server();
	const char *p = (const char *)data, *end = p + size;

	while (p <= end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
		char *reply = NULL;
		size_t reply_len;

		if (vl_server_dispatch(s, p, len, &reply, &reply_len) < 0)
			abort();
		if (reply) {
			json_object *o = json_tokener_parse(reply);

			/* The answer is one JSON object, reply or error. */
			if (!o || !json_object_is_type(o, json_type_object) ||
			    (!json_object_object_get_ex(o, "parameters", NULL)))
				abort();
			json_object_put(o);
			free(reply);
		}
		if (!nul)
			break;
		p = nul + 1;
	}
	return 0;
}
