#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Prometheus metrics: `credgate status --prometheus` and credgated's
# [agent] prometheus_textfile, with credgated on --backend none (set-up of
# agent_lib.inc, as sh-agent_none) and the lsm backend against a fake
# securityfs tree (CREDGATE_SYSFS_ROOT, as sh-gate_cli: the host kernel's
# gate is never touched).  The format is checked with `promtool check
# metrics` (Debian package prometheus).  The shipped configuration apart
# from the stores and the textfile.  Prints TAP.
set -u
# shellcheck source=selftests/host/agent_lib.inc
. "$(dirname "$0")/agent_lib.inc"
agent_suite prometheus
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# No sysfs of the host: an empty tree (no gate) or a fake credgate LSM.
nogate=$work/nogate
mkdir -p "$nogate/sys/kernel/security"
echo "capability,landlock" >"$nogate/sys/kernel/security/lsm"
export CREDGATE_SYSFS_ROOT=$nogate
fake=$work/lsm
sec=$fake/sys/kernel/security
mkdir -p "$sec/credgate"
echo "capability,credgate" >"$sec/lsm"
printf 'closed\n' >"$sec/credgate/state"
printf 'permissive\n' >"$sec/credgate/mode"
printf 'udp:68\n' >"$sec/credgate/allow_ports"
printf '0\n' >"$sec/credgate/lock"
printf 'bind_refused 3\nbind_audited 11\nlisten_refused 7\nlisten_audited 1\n' >"$sec/credgate/stats"

# promtool's only complaint may be the unit of credgate_support_days_left
# (the name the issue and dashboards use; credgate_support_end_timestamp_seconds
# is the base-unit form).  Anything else, a parse error above all, fails.
promtool_ok() { # FILE
	local out rc
	out=$(promtool check metrics <"$1" 2>&1)
	rc=$?
	out=$(printf '%s\n' "$out" | grep -v '^credgate_support_days_left use base unit "seconds" instead of "days"$' | grep -v '^$')
	if [ -n "$out" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; }; then
		printf '# promtool (exit %s): %s\n' "$rc" "$out"
		return 1
	fi
}
# What promtool 2.42 does not check: every sample once, after the HELP
# and TYPE lines of its family, a credgate_ name, a numeric value.
strict_ok() { # FILE
	awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { if (!help[$3] || type[$3]) bad = bad " TYPE:" $3; type[$3] = $4; next }
	/^#/ || /^$/ { bad = bad " line:" NR; next }
	{
		name = $1; sub(/\{.*/, "", name)
		if (name !~ /^credgate_[a-z_]+$/ || !type[name]) bad = bad " family:" name
		if (seen[$1]++) bad = bad " dup:" $1
		if (NF != 2 || $2 !~ /^-?[0-9]+$/) bad = bad " value:" NR
	}
	END { if (bad != "") { print "# strict:" bad; exit 1 } }' "$1"
}
have_promtool=false
command -v promtool >/dev/null && have_promtool=true
format_check() { # DESCRIPTION FILE
	check "$1: strict format check" strict_ok "$2"
	if $have_promtool; then
		check "$1: promtool check metrics" promtool_ok "$2"
	else
		skip "$1: promtool check metrics" "promtool not installed (Debian package prometheus, scripts/deps.sh)"
	fi
}

good1=$(hash 'Vq3#tLm8-zr')
good2=$(hash 'Pk7!wXe2-qh')
bad=$(hash admin)
mkdir -p "$work/etc" "$work/state" "$work/textfile"
# The agent writes the textfile as its service user ([agent] user): the
# directory is that user's, as docs/agent.md tells integrators to set up.
chown credgate:credgate "$work/textfile" 2>/dev/null || true
printf 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n' >"$work/etc/passwd"
write_shadow "$good1" "$bad"
prom=$work/textfile/credgate.prom
cat >"$work/credgate.conf" <<CONF
[gate]
backend = none
[audit]
stores = shadow:$work/etc/shadow passwd:$work/etc/passwd
[product]
support_end = 2031-12-31
[agent]
prometheus_textfile = $prom
CONF
metric() { # FILE SAMPLE: the value of the sample named exactly SAMPLE
	awk -v s="$2" '$1 == s { print $2; found = 1 } END { exit !found }' "$1"
}
has_prom_violations() { [ "$(metric "$prom" 'credgate_violations{verdict="default"}' 2>/dev/null)" = 1 ]; }
prom_compliant() { [ "$(metric "$prom" credgate_compliant 2>/dev/null)" = 1 ]; }

# 1. Without an agent and without a gate: exit 2, said on stderr.
"$cli" status --prometheus --socket "$work/nosock" >"$work/out" 2>"$work/err"
rc=$?
check "no agent, no gate: exit 2" [ "$rc" -eq 2 ]
check "no agent, no gate: nothing on stdout" [ ! -s "$work/out" ]

# 2. --json and --prometheus together: a usage error.
"$cli" status --prometheus --json --socket "$work/nosock" >/dev/null 2>"$work/err"
check "--prometheus with --json: exit 2" [ $? -eq 2 ]

# 3. The fake LSM gate alone (no agent): state and every counter slot.
CREDGATE_SYSFS_ROOT=$fake "$cli" status --prometheus --socket "$work/nosock" --backend lsm >"$work/gate.prom" 2>"$work/err"
check "gate only: exit 0" [ $? -eq 0 ]
check "gate only: credgate_gate_open 0 (closed)" [ "$(metric "$work/gate.prom" credgate_gate_open)" = 0 ]
counters_ok=true
for hook in bind listen; do
	for action in refused audited; do
		want=$(awk -v k="${hook}_$action" '$1 == k { print $2 }' "$sec/credgate/stats")
		got=$(metric "$work/gate.prom" "credgate_refusals_total{hook=\"$hook\",action=\"$action\"}") || got=missing
		[ "$got" = "$want" ] || { counters_ok=false; echo "# $hook/$action: $got, want $want"; }
	done
done
check "gate only: credgate_refusals_total for every hook and action, as securityfs counts" $counters_ok
check "gate only: HELP and TYPE lines (counter)" grep -qx '# TYPE credgate_refusals_total counter' "$work/gate.prom"
check "gate only: no agent metrics without an agent" not grep -q 'credgate_violations\|credgate_last_audit' "$work/gate.prom"
format_check "gate only" "$work/gate.prom"
printf 'open\n' >"$sec/credgate/state"
CREDGATE_SYSFS_ROOT=$fake "$cli" status --prometheus --socket "$work/nosock" --backend lsm >"$work/gate2.prom" 2>/dev/null
check "gate only: credgate_gate_open 1 once open" [ "$(metric "$work/gate2.prom" credgate_gate_open)" = 1 ]

# 4. A bad textfile setting: file:line, exit 2, nothing started.
for bad_value in relative.prom /tmp/no-suffix.txt /tmp/dir/; do
	printf '[gate]\nbackend = none\n[agent]\nprometheus_textfile = %s\n' "$bad_value" >"$work/bad.conf"
	"$agent" --config "$work/bad.conf" --state-dir "$work/state" --socket "$sock" --foreground \
		>"$work/bad.log" 2>&1
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q "bad.conf:4: prometheus_textfile = '$bad_value'" "$work/bad.log"; then
		ok "prometheus_textfile = $bad_value: exit 2 with file:line"
	else
		not_ok "prometheus_textfile = $bad_value: exit $rc"
		sed 's/^/# /' "$work/bad.log"
	fi
done

# 5. The agent with a default password: the textfile appears, 0644, and
#    says so; status --prometheus says the same.
t_start=$(date +%s)
if start_agent "$work/credgate.conf" && wait_for has_prom_violations 60000 >/dev/null; then
	ok "agent: the textfile says admin's default password holds the gate closed"
else
	not_ok "agent: no textfile with the violation"
	sed 's/^/# /' "$work/agent.log"
fi
check "agent: textfile mode 0644" [ "$(stat -c %a "$prom" 2>/dev/null)" = 644 ]
check "agent: no temporary file left beside it" [ "$(ls -A "$work/textfile")" = credgate.prom ]
check "agent: credgate_compliant 0" [ "$(metric "$prom" credgate_compliant)" = 0 ]
check "agent: no credgate_gate_open with backend none" not grep -q '^credgate_gate_open' "$prom"
labels_ok=true
for v in blank default derived sequential common unknown noauth; do
	metric "$prom" "credgate_violations{verdict=\"$v\"}" >/dev/null || { labels_ok=false; echo "# no verdict=$v"; }
done
check "agent: every violation verdict has a sample" $labels_ok
check "agent: no ok or locked sample (never a violation)" not grep -q 'verdict="ok"\|verdict="locked"' "$prom"
ts=$(metric "$prom" credgate_last_audit_timestamp_seconds)
check "agent: credgate_last_audit_timestamp_seconds is this run's ($ts)" \
	between "${ts:-0}" "$t_start" "$(( $(date +%s) + 1 ))"
days=$(metric "$prom" credgate_support_days_left)
want_days=$(( ( $(date -u -d 2031-12-31 +%s) - $(date -u -d "$(date -u +%F)" +%s) ) / 86400 ))
check "agent: credgate_support_days_left $days = days to 2031-12-31 ($want_days)" [ "$days" = "$want_days" ]
check "agent: credgate_support_end_timestamp_seconds" \
	[ "$(metric "$prom" credgate_support_end_timestamp_seconds)" = "$(date -u -d 2031-12-31 +%s)" ]
format_check "agent textfile" "$prom"
"$cli" status --prometheus --socket "$sock" >"$work/status.prom" 2>"$work/err"
check "status --prometheus: exit 1 (violations)" [ $? -eq 1 ]
check "status --prometheus: the same metrics as the textfile" cmp -s "$work/status.prom" "$prom"
format_check "status --prometheus" "$work/status.prom"
leak=false
for f in "$prom" "$work/status.prom"; do
	grep -q 'admin\|root\|\$6\$' "$f" && leak=true
	for h in "$good1" "$bad"; do grep -qF "${h##*$}" "$f" && leak=true; done
done
check "no user name, hash or salt in the metrics" not $leak

# 6. credgate migrate fixes it (trusted verdicts, no hashing): the
#    textfile follows the agent's decision.
"$cli" migrate --config "$work/credgate.conf" --cache "$work/state/audit.cache" \
	--socket "$sock" --policy random --credentials-out "$work/creds" >"$work/migrate.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ms=$(wait_for prom_compliant 2000); then
	ok "migrate: the textfile says compliant ${ms} ms later"
else
	not_ok "migrate: exit $rc, the textfile did not follow the decision"
	sed 's/^/# /' "$work/migrate.out" "$prom"
fi
leak=false npw=0
while IFS=$'\t' read -r _ _ pw; do
	[ -n "$pw" ] || continue
	npw=$((npw + 1))
	grep -qF -- "$pw" "$prom" && leak=true
done <"$work/creds"
no_leak_of_new() { [ "$npw" -ge 1 ] && ! $leak; }
check "migrate: none of its $npw new password(s) in the textfile" no_leak_of_new
check "agent: no violation counted once fixed" \
	[ "$(awk '/^credgate_violations\{/ { s += $2 } END { print s + 0 }' "$prom")" = 0 ]
format_check "agent textfile, compliant" "$prom"
stop_agent

# 7. An unwritable directory: a warning naming the setting, the agent goes on.
mkdir -p "$work/ro"
sed "s|^prometheus_textfile = .*|prometheus_textfile = $work/ro/missing/credgate.prom|" \
	"$work/credgate.conf" >"$work/ro.conf"
write_shadow "$good1" "$bad"
if start_agent "$work/ro.conf" && wait_for not_compliant 60000 >/dev/null &&
	grep -q "prometheus_textfile = $work/ro/missing/credgate.prom: cannot write it" "$work/agent.log" &&
	kill -0 "$pid"; then
	ok "textfile directory missing: warned, the agent still decides"
else
	not_ok "textfile directory missing"
	sed 's/^/# /' "$work/agent.log"
fi
check "textfile directory missing: warned once" \
	[ "$(grep -c 'cannot write it' "$work/agent.log")" -eq 1 ]
stop_agent

# 8. The checks are real: promtool refuses a broken label, the strict
#    check a duplicate sample (which promtool 2.42 lets through).
if $have_promtool; then
	{ cat "$work/gate.prom"; echo 'credgate_x{hook="bind 1'; } >"$work/broken.prom"
	check "promtool refuses a broken label (the check is real)" not promtool_ok "$work/broken.prom"
else
	skip "promtool refuses a broken label" "promtool not installed"
fi
{ cat "$work/gate.prom"; echo 'credgate_gate_open 1'; } >"$work/dup.prom"
check "the strict check refuses a duplicate sample" not strict_ok "$work/dup.prom"
{ echo 'credgate_gate_open 1'; cat "$work/gate.prom"; } >"$work/early.prom"
check "the strict check refuses a sample before its HELP and TYPE" not strict_ok "$work/early.prom"

agent_suite_end
