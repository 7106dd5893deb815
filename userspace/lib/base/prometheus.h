/* SPDX-License-Identifier: MIT */
/*
 * The device's state as Prometheus metrics, in the text exposition format
 * node_exporter's textfile collector reads (docs/agent.md "Prometheus"):
 *
 *   credgate_gate_open                      1 open, 0 closed (omitted: no gate)
 *   credgate_compliant                      1 when the last audit found nothing
 *   credgate_violations{verdict=...}        accounts holding the gate closed
 *   credgate_refusals_total{hook,action}    the gate's counters
 *   credgate_support_days_left              days of security updates left
 *   credgate_support_end_timestamp_seconds  the same as a time (base unit)
 *   credgate_last_audit_timestamp_seconds   end of the last audit (Unix time)
 *
 * Label values are the names of base/names.h (verdicts) and
 * <credgate/policy.h> (hooks, actions): no second list.  Never a user
 * name, a password or a hash.  Shared by `credgate status --prometheus`
 * and credgated's [agent] prometheus_textfile.
 */
#ifndef CREDGATE_PROMETHEUS_H
#define CREDGATE_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <credgate/policy.h>

#include "base/names.h"

struct cg_metrics {
	int gate_open;			/* 1 open, 0 closed, -1 unknown: not printed */
	int compliant;			/* 1, 0, -1 unknown: not printed */
	bool have_violations;		/* an audit result is known */
	uint32_t violation_verdicts;	/* bits (1 << verdict) that count as violations */
	unsigned long violations[_CG_VERDICT_MAX];
	bool have_counters;		/* the gate's counters were read */
	uint64_t counters[CREDGATE_NR_COUNTERS];	/* credgate_counter_index() */
	bool have_support;		/* a support end is published */
	long support_days_left;		/* negative once support has ended */
	long support_end_day;		/* days since 1970-01-01 */
	time_t last_audit;		/* 0: no audit yet, not printed */
};

/* The text format of @m into *out (NUL-terminated, caller frees). */
int cg_metrics_format(const struct cg_metrics *m, char **out, size_t *len);

/*
 * Replace the file @path with the metrics, as node_exporter's textfile
 * collector wants it: written to a temporary file in the same directory
 * (".NAME.XXXXXX", which the collector ignores), mode 0644, fsync, then
 * renamed over @path, so a scrape never sees half a file.  0 or -errno;
 * on failure the old file stays and the temporary file is removed.
 */
int cg_metrics_write_textfile(const struct cg_metrics *m, const char *path);

#endif
