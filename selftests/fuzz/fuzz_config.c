// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for credgate.conf (cg_config_load_string): no crash, no
 * leak, and what a file that parses holds obeys the table's rules.
 */
#include "config/config.h"
#include "store/store.h"
#include "base/util.h"

#include <stdint.h>

static void quiet(int prio, const char *msg, void *userdata)
{
	(void)prio;
	(void)msg;
	(void)userdata;
}

static void check(const struct cg_config *c)
{
	for (size_t i = 1; i < c->gate.n_allow_ports; i++)
		if (c->gate.allow_ports[i - 1] >= c->gate.allow_ports[i])
			abort();	/* sorted, unique */
	if (!(c->audit.close_on & (1u << CG_VERDICT_BLANK)) ||
	    !(c->audit.close_on & (1u << CG_VERDICT_DEFAULT)))
		abort();
	for (size_t i = 0; i < c->audit.n_stores; i++)
		if (cg_from_name(&store_type_names, c->audit.stores[i].type) < 0 ||
		    c->audit.stores[i].path[0] != '/')
			abort();
	if (c->product.model && strlen(c->product.model) > 128)
		abort();
	if (c->varlink.socket[0] != '/' || strlen(c->varlink.socket) >= 108)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_config c;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	cg_log_set_sink(quiet, NULL);
	memcpy(text, data, size);
	text[size] = '\0';	/* cg_config_load() refuses a NUL byte before parsing */
	if (cg_config_load_string(&c, "fuzz.conf", text) == 0)
		check(&c);
	cg_config_free(&c);
	free(text);
	return 0;
}
