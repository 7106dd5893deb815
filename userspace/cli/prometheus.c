// SPDX-License-Identifier: MIT
/*
 * credgate status --prometheus: the agent's answer (GetStatus, GetSupport)
 * and the gate's counters in the text format of base/prometheus.h.
 */
#include "prometheus.h"
#include "audit/audit.h"
#include "base/prometheus.h"
#include "base/util.h"
#include "config/metadata.h"
#include "varlink/varlink.h"

#include <time.h>

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : "";
}

/* "YYYY-MM-DDTHH:MM:SSZ" as GetStatus writes it; 0 when empty or bad. */
static time_t parse_utc(const char *s)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end && !*end ? timegm(&tm) : 0;
}

/* GetSupport's support end and days_left, when the agent publishes an end. */
static bool support_days_left(const char *socket, long *end_day, long *days)
{
	_cleanup_close_ int fd = vl_client_connect(socket, 2000);
	_cleanup_free_ char *err = NULL;
	json_object *sup = NULL, *v;
	bool ok;

	if (fd < 0 || vl_client_call(fd, "io.credgate.Device.GetSupport", NULL, &sup, &err) < 0) {
		json_object_put(sup);
		return false;
	}
	ok = cg_date_parse(str_of(sup, "support_end"), end_day) == 0 &&
	     json_object_object_get_ex(sup, "days_left", &v) && json_object_is_type(v, json_type_int);
	if (ok)
		*days = (long)json_object_get_int64(v);
	json_object_put(sup);
	return ok;
}

int status_print_prometheus(json_object *agent, const char *socket, const struct gate_status *st)
{
	struct cg_metrics m = { .gate_open = -1, .compliant = -1 };
	_cleanup_free_ char *text = NULL;
	json_object *v;
	int r;

	for (unsigned int i = 0; i < _CG_VERDICT_MAX; i++)
		if (audit_verdict_is_violation(i))
			m.violation_verdicts |= 1u << i;
	if (st) {
		m.gate_open = st->state == CREDGATE_OPEN;
		m.have_counters = true;
		memcpy(m.counters, st->counters, sizeof(m.counters));
	}
	if (agent) {
		const char *gate = str_of(agent, "gate");

		if (!st && (!strcmp(gate, "open") || !strcmp(gate, "closed")))
			m.gate_open = !strcmp(gate, "open");
		m.last_audit = parse_utc(str_of(agent, "last_audit"));
		m.have_violations = m.last_audit != 0;
		if (m.have_violations && json_object_object_get_ex(agent, "compliant", &v))
			m.compliant = json_object_get_boolean(v);
		if (m.have_violations && json_object_object_get_ex(agent, "violations", &v) &&
		    json_object_is_type(v, json_type_array))
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				int k = cg_from_name(&cg_verdict_names,
						     str_of(json_object_array_get_idx(v, i), "verdict"));

				if (k >= 0) {
					m.violations[k]++;
					m.violation_verdicts |= 1u << k;
				}
			}
		m.have_support = support_days_left(socket, &m.support_end_day, &m.support_days_left);
	}
	r = cg_metrics_format(&m, &text, NULL);
	if (r < 0)
		return log_error_errno(r, "cannot format the metrics: %m");
	fputs(text, stdout);
	return 0;
}
