// SPDX-License-Identifier: MIT
#include "agent_client.h"
#include "base/util.h"
#include "varlink/varlink.h"

#include <time.h>

json_object *agent_get_status(const char *path, char **why)
{
	json_object *out = NULL;
	char *err = NULL;
	int fd, r;

	fd = vl_client_connect(path, 2000);
	if (fd < 0) {
		*why = strdup(strerror(-fd));
		return NULL;
	}
	r = vl_client_call(fd, "io.credgate.Device.GetStatus", NULL, &out, &err);
	close(fd);
	if (r < 0) {
		if (asprintf(why, "%s", err ? err : strerror(-r)) < 0)
			*why = NULL;
		json_object_put(out);
		free(err);
		return NULL;
	}
	return out;
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

bool agent_wait_decision(const char *socket, int ms)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000000L };
	long long t0 = now_ms();
	bool compliant = false, asked = false;

	for (;;) {
		_cleanup_free_ char *why = NULL;
		json_object *st = agent_get_status(socket, &why);

		if (!st)
			break;	/* no agent here: nothing to wait for */
		asked = true;
		compliant = get_bool(st, "compliant");
		json_object_put(st);
		if (compliant || now_ms() - t0 >= ms)
			break;
		nanosleep(&tick, NULL);
	}
	if (!asked)
		return false;
	if (compliant)
		fprintf(stderr, "credgate: the agent judged every account clean %lld ms later: the gate is open\n",
			now_ms() - t0);
	else
		fprintf(stderr, "credgate: after %d s the agent does not report every account clean yet: the gate stays closed (see credgate status)\n",
			ms / 1000);
	return compliant;
}
