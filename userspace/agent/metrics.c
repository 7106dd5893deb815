// SPDX-License-Identifier: MIT
/*
 * [agent] prometheus_textfile: after every gate decision and every batch
 * of refusal events, the agent rewrites the node_exporter textfile with
 * what `credgate status --prometheus` prints (base/prometheus.h).
 */
#include "agent.h"
#include "audit/audit.h"
#include "base/prometheus.h"
#include "base/util.h"
#include "gate/gate.h"

#include <syslog.h>

void agent_metrics_update(struct agent *a)
{
	static int last_err;	/* log a failure once, not after every decision */
	const char *path = a->config.agent.prometheus_textfile;
	struct cg_metrics m = { .gate_open = -1, .compliant = -1 };
	bool supported;
	int r;

	if (!path)
		return;
	if (a->active != CG_BACKEND_NONE && a->decided)
		m.gate_open = a->gate_open;
	m.have_violations = a->status.last_audit != 0;
	if (m.have_violations)
		m.compliant = a->status.compliant;
	for (unsigned int v = 0; v < _CG_VERDICT_MAX; v++)
		if (audit_verdict_is_violation(v))
			m.violation_verdicts |= 1u << v;
	/* The listed violations (at most AGENT_STATUS_MAX_VIOLATIONS). */
	for (size_t i = 0; i < a->status.n_violations; i++) {
		int v = cg_from_name(&cg_verdict_names, a->status.violations[i].verdict);

		if (v >= 0) {
			m.violations[v]++;
			m.violation_verdicts |= 1u << v;
		}
	}
	if (a->gate)
		m.have_counters = gate_read_counters(a->gate, m.counters) == 0;
	if (a->metadata.support_end) {
		m.have_support = true;
		m.support_end_day = a->metadata.support_end_day;
		cg_metadata_support_state(&a->metadata, time(NULL), &supported, &m.support_days_left);
	}
	m.last_audit = a->status.last_audit;
	r = cg_metrics_write_textfile(&m, path);
	if (r < 0 && r != last_err)
		agent_log(a, LOG_WARNING, "[agent] prometheus_textfile = %s: cannot write it: %s (the directory must be writable by credgated)",
			  path, strerror(-r));
	else if (r == 0 && last_err)
		agent_log(a, LOG_INFO, "[agent] prometheus_textfile = %s: written again", path);
	last_err = r;
}
