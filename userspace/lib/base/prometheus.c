// SPDX-License-Identifier: MIT
/* Prometheus text exposition format of the device's state (prometheus.h). */
#include "base/prometheus.h"
#include "base/atomic_file.h"
#include "base/util.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int cg_metrics_format(const struct cg_metrics *m, char **out, size_t *len)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int r;

	if (!f)
		return -ENOMEM;
	if (m->gate_open >= 0) {
		family(f, "credgate_gate_open", "gauge",
		       "Whether the credential gate lets network services listen (1 open, 0 closed).");
		fprintf(f, "credgate_gate_open %d\n", m->gate_open ? 1 : 0);
	}
	if (m->compliant >= 0) {
		family(f, "credgate_compliant", "gauge",
		       "Whether the last credential audit found every account compliant (1) or not (0).");
		fprintf(f, "credgate_compliant %d\n", m->compliant ? 1 : 0);
	}
	if (m->have_violations) {
		family(f, "credgate_violations", "gauge",
		       "Accounts whose password keeps the gate closed, by verdict of the last audit.");
		for (unsigned int v = 0; v < _CG_VERDICT_MAX; v++)
			if (m->violation_verdicts & (1u << v))
				fprintf(f, "credgate_violations{verdict=\"%s\"} %lu\n",
					cg_verdict_name(v), m->violations[v]);
	}
	if (m->have_counters) {
		static const int actions[] = { CREDGATE_REFUSE, CREDGATE_AUDIT };

		family(f, "credgate_refusals_total", "counter",
		       "bind() and listen() calls the closed gate refused (action refused) or would have refused (audited, permissive mode) since boot.");
		for (int h = 0; h < CREDGATE_HOOK_MAX; h++)
			for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
				fprintf(f, "credgate_refusals_total{hook=\"%s\",action=\"%s\"} %" PRIu64 "\n",
					credgate_hook_name(h), credgate_action_name(actions[i]),
					m->counters[credgate_counter_index(h, actions[i])]);
	}
	if (m->have_support) {
		family(f, "credgate_support_days_left", "gauge",
		       "Days until the published end of security updates (negative once ended).");
		fprintf(f, "credgate_support_days_left %ld\n", m->support_days_left);
		/* The base unit promtool asks for; days_left is what dashboards show. */
		family(f, "credgate_support_end_timestamp_seconds", "gauge",
		       "Unix time of the published end of security updates (00:00 UTC of that day).");
		fprintf(f, "credgate_support_end_timestamp_seconds %lld\n",
			(long long)m->support_end_day * 86400);
	}
	if (m->last_audit > 0) {
		family(f, "credgate_last_audit_timestamp_seconds", "gauge",
		       "Unix time at which the last credential audit finished.");
		fprintf(f, "credgate_last_audit_timestamp_seconds %lld\n", (long long)m->last_audit);
	}
	r = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0 || r < 0)
		return -ENOMEM;
	if (len)
		*len = size;
	*out = TAKE_PTR(buf);
	return 0;
}

int cg_metrics_write_textfile(const struct cg_metrics *m, const char *path)
{
	_cleanup_free_ char *text = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *slash = strrchr(path, '/');
	size_t len = 0;
	int r;

	if (!slash || !slash[1])
		return -EINVAL;
	r = cg_metrics_format(m, &text, &len);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* mkostemp makes it 0600: the collector may run as another user. */
	if (fchmod(fd, 0644) < 0 || (r = write_full(fd, text, len)) < 0 || fsync(fd) < 0 ||
	    rename(tmp, path) < 0) {
		r = r < 0 ? r : -errno;
		(void)unlink(tmp);
		return r;
	}
	return 0;
}
