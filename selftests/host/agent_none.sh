#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgated with --backend none on the host (no kernel gate is touched):
# config errors, the audit's decision (never open before the full tier),
# inotify reaction time (a bad write is noticed within 1 s, a migrate's
# new passwords within 1 s, a foreign good password once judged),
# unreadable stores, status over Varlink, and the seccomp allow list.
# The shipped configuration: built-in lists, every tier, sha512crypt at
# its default cost.  Prints TAP.
set -u
# shellcheck source=selftests/host/agent_lib.inc
. "$(dirname "$0")/agent_lib.inc"
agent_suite agent_none

good1=$(hash 'Vq3#tLm8-zr')
good2=$(hash 'Pk7!wXe2-qh')
bad=$(hash admin)
mkdir -p "$work/etc" "$work/state"
printf 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n' >"$work/etc/passwd"
write_shadow "$good1" "$bad"
# discover = no: the device is $work; the service stores discovery would
# find are the host's own (scripts/deps.sh installs snmpd, whose
# snmpd.conf has the public community).
cat >"$work/credgate.conf" <<CONF
[gate]
backend = none
[audit]
stores = shadow:$work/etc/shadow passwd:$work/etc/passwd
discover = no
CONF

# 1. A broken config: file:line, exit 2, nothing started.
printf '[gate]\nbackend = none\nmode = sometimes\n' >"$work/bad.conf"
"$agent" --config "$work/bad.conf" --state-dir "$work/state" --socket "$sock" --foreground \
	>"$work/bad.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "bad.conf:3" "$work/bad.log" && [ ! -e "$sock" ]; then
	ok "broken config: exit 2 with file:line, not started"
else
	not_ok "broken config: exit $rc, expected 2 and a file:line message"
	sed 's/^/# /' "$work/bad.log"
fi

# 2. A common password (full tier only): the gate never opens while the
#    fast tier is clean and the full tier has not judged it.
write_shadow "$good1" "$(hash iloveyou)"
opened=false
child_fds=''
if start_agent "$work/credgate.conf"; then
	t0=$(date +%s)
	# every 50 ms until the full tier decides (bounded: 5 minutes)
	while [ $(($(date +%s) - t0)) -lt 300 ]; do
		# the audit child's open fds (once, a second or more after
		# its fork, when it has long finished setting itself up)
		if [ -z "$child_fds" ]; then
			for c in $(pgrep -P "$pid"); do
				[ "$(ps -o etimes= -p "$c" 2>/dev/null | tr -d ' ')" -ge 1 ] 2>/dev/null || continue
				child_fds=$(ls /proc/"$c"/fd 2>/dev/null | sort -n | tr '\n' ' ')
			done
		fi
		st=$(status_json)
		case "$st" in *'"compliant":true'*) opened=true ;; esac
		case "$st" in *'"verdict":"common"'*) break ;; esac
		sleep 0.05
	done
fi
if ! $opened && status_json | grep -q '"user":"admin","store":"[^"]*shadow","verdict":"common"' &&
	! grep -q 'would open' "$work/agent.log"; then
	ok "a common password: never compliant or opened before the full tier closed it"
else
	not_ok "a common password: opened=$opened before the full tier decided"
	sed 's/^/# /' "$work/agent.log"
fi
# The child that parses the stores holds stdio and its pipe only: not
# the Varlink socket, inotify, the signalfd or (with a gate) its fds.
if [ "$child_fds" = "0 1 2 3 " ]; then
	ok "the audit child holds only stdio and its result pipe (fds: $child_fds)"
else
	not_ok "the audit child's fds: '$child_fds', expected '0 1 2 3 '"
fi
stop_agent
write_shadow "$good1" "$bad"

# 2. Start: the default password keeps the (virtual) gate closed.
if start_agent "$work/credgate.conf" && ms=$(wait_for not_compliant 5000); then
	ok "start: admin's default password holds the gate closed"
else
	not_ok "start: expected a violation"
	sed 's/^/# /' "$work/agent.log"
fi
if grep -q 'BACKEND NONE: NOTHING IS ENFORCED' "$work/agent.log" &&
	status_json | grep -q '"backend":"none"'; then
	ok "backend none is said loudly in the log and in status"
else
	not_ok "backend none not reported"
fi
if status_json | grep -q '"user":"admin","store":"[^"]*shadow","verdict":"default"'; then
	ok "status names the account, store and verdict"
else
	not_ok "status lacks admin/default: $(status_json)"
fi
"$cli" status --socket "$sock" >"$work/status.txt" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'admin *default' "$work/status.txt"; then
	ok "credgate status (text) lists the violation, exit 1"
else
	not_ok "credgate status exit $rc"
	sed 's/^/# /' "$work/status.txt"
fi

# 3. A good password written by a foreign tool opens once judged (the full
#    dictionary is hashed: no trusted record); a default written closes
#    within 1 s.
write_shadow "$good1" "$good2"
if ms=$(wait_for compliant 60000); then
	ok "a foreign good password: compliant once judged (${ms} ms)"
else
	not_ok "a foreign good password was not judged within 60 s"
	sed 's/^/# /' "$work/agent.log"
fi
write_shadow "$good1" "$bad"
if ms=$(wait_for not_compliant 1000); then
	ok "a default password written is noticed within 1 s (${ms} ms)"
else
	not_ok "a default password written was not noticed within 1 s"
fi
write_shadow "$good1" "$good2"
wait_for compliant 2000 >/dev/null
# blank password, appended in place (no rename)
printf 'guest::19000:0:99999:7:::\n' >>"$work/etc/shadow"
if ms=$(wait_for not_compliant 1000); then
	ok "a blank password appended in place is noticed within 1 s (${ms} ms)"
else
	not_ok "an in-place append was not noticed"
fi

# 3b. credgate migrate records its new passwords' verdicts: the agent
#     hashes nothing and is compliant within 1 s.
write_shadow "$good1" "$bad"
wait_for not_compliant 2000 >/dev/null
rm -f "$work/creds"
"$cli" migrate --config "$work/credgate.conf" --cache "$work/state/audit.cache" \
	--socket "$sock" --policy random --credentials-out "$work/creds" >"$work/migrate.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && ms=$(wait_for compliant 1000); then
	ok "migrate --policy random: compliant within 1 s (${ms} ms)"
else
	not_ok "migrate --policy random: exit $rc, not compliant within 1 s"
	sed 's/^/# /' "$work/migrate.out" "$work/agent.log"
fi
if grep -q 'the agent judged every account clean [0-9]* ms later: the gate is open' "$work/migrate.out"; then
	ok "migrate waits for the agent's decision and prints it"
else
	not_ok "migrate did not report the agent's decision"
	sed 's/^/# /' "$work/migrate.out"
fi
if "$cli" audit --config "$work/credgate.conf" --cache "$work/state/audit.cache" --depth full \
	>/dev/null 2>&1 && CREDGATE_AUDIT_STATS=1 "$cli" audit --config "$work/credgate.conf" \
	--cache "$work/state/audit.cache" --depth full 2>&1 | grep -q 'verifications=0 '; then
	ok "the migrated hash has a trusted verdict: a full audit hashes nothing"
else
	not_ok "the migrated hash was hashed again"
fi

# 4. An unreadable (here: missing) store keeps it closed with a message.
write_shadow "$good1" "$good2"
wait_for compliant 2000 >/dev/null
rm -f "$work/etc/shadow"
if wait_for not_compliant 1000 >/dev/null && grep -q 'shadow.*does not exist\|audit.*problem' "$work/agent.log"; then
	ok "a missing store keeps the gate closed with a clear message"
else
	not_ok "a missing store was not reported"
	sed 's/^/# /' "$work/agent.log"
fi
stop_agent

# 5. [audit] max_store_size is applied: an oversized store keeps it closed.
write_shadow "$good1" "$good2"
for i in $(seq 12); do printf 'user%s:!:19000:0:99999:7:::\n' "$i"; done >>"$work/etc/shadow"
for i in $(seq 12); do printf 'padpadpadpadpadpadpadpadpadpadpadpadpadpadpad%s:!:19000:0:99999:7:::\n' "$i"; done >>"$work/etc/shadow"
# The setting under test is the only one changed.
sed 's/^stores = .*/&\nmax_store_size = 1024/' "$work/credgate.conf" >"$work/small.conf"
if start_agent "$work/small.conf" && wait_for not_compliant 3000 >/dev/null &&
	grep -q 'over \[audit\] max_store_size = 1024' "$work/agent.log"; then
	ok "max_store_size: an oversized store keeps the gate closed, named in the log"
else
	not_ok "max_store_size not applied"
	sed 's/^/# /' "$work/agent.log"
fi
stop_agent

# 5b. A report over 4 MiB (many long user names, each blank; the store is
#     under max_store_size) never freezes the agent: it stays closed with a
#     message, answers status and stops on SIGTERM.
awk 'BEGIN { for (i = 0; i < 32000; i++) printf "u%0120d::19000:0:99999:7:::\n", i }' >"$work/etc/big.shadow"
sed "s|^stores = .*|stores = shadow:$work/etc/big.shadow|" "$work/credgate.conf" >"$work/big.conf"
if start_agent "$work/big.conf" && wait_for not_compliant 30000 >/dev/null &&
	grep -q 'report could not be read.*over 4 MiB' "$work/agent.log"; then
	kill "$pid"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		not_ok "a 4 MiB report: the agent ignores SIGTERM"
	else
		ok "a 4 MiB report: gate closed with a message, status answered, SIGTERM obeyed"
		pid=''
	fi
else
	not_ok "a 4 MiB report froze or opened the agent"
	tail -n 5 "$work/agent.log" | sed 's/^/# /'
fi
stop_agent

# 5c. A symlinked store (/etc/shadow -> /data/shadow on read-only roots):
#     a tool writing next to the target (BusyBox passwd: temp file, rename)
#     is noticed, and so is the link pointed at another file.
mkdir -p "$work/data" "$work/link"
write_target() { # FILE ROOT_HASH ADMIN_HASH: replace FILE by rename
	printf 'root:%s:19000:0:99999:7:::\nadmin:%s:19000:0:99999:7:::\n' "$2" "$3" >"$1.tmp"
	mv "$1.tmp" "$1"
}
write_target "$work/data/shadow" "$good1" "$good2"
write_target "$work/data/other" "$good1" "$bad"
ln -s ../data/shadow "$work/link/shadow"
sed "s|^stores = .*|stores = shadow:$work/link/shadow passwd:$work/etc/passwd|" "$work/credgate.conf" >"$work/link.conf"
if start_agent "$work/link.conf" && wait_for compliant 60000 >/dev/null; then
	write_target "$work/data/shadow" "$good1" ""
	if ms=$(wait_for not_compliant 1000); then
		ok "symlinked store: a blank password written next to the target is noticed within 1 s (${ms} ms)"
	else
		not_ok "symlinked store: a change to the target was missed"
		sed 's/^/# /' "$work/agent.log"
	fi
	write_target "$work/data/shadow" "$good1" "$good2"
	wait_for compliant 2000 >/dev/null
	ln -sfn ../data/other "$work/link/shadow"
	if ms=$(wait_for not_compliant 1000); then
		ok "symlinked store: the link pointed at another file is noticed within 1 s (${ms} ms)"
	else
		not_ok "symlinked store: retargeting the link was missed"
	fi
	ln -sfn ../data/shadow "$work/link/shadow"
	wait_for compliant 2000 >/dev/null
	# after the re-resolution the new target's changes are seen too
	write_target "$work/data/shadow" "" "$good2"
	if ms=$(wait_for not_compliant 1000); then
		ok "symlinked store: watched again after the link changed (${ms} ms)"
	else
		not_ok "symlinked store: not watched after the link changed"
	fi
else
	not_ok "symlinked store: the agent did not start compliant"
	not_ok "symlinked store: (not run)"
	not_ok "symlinked store: (not run)"
	sed 's/^/# /' "$work/agent.log"
fi
stop_agent

# 5d. Continuous writes (every 20 ms) cannot postpone the audit: a blank
#     password written among them closes within 1 s.
write_shadow "$good1" "$good2"
if start_agent "$work/credgate.conf" && wait_for compliant 60000 >/dev/null; then
	( for _ in $(seq 150); do touch "$work/etc/shadow"; sleep 0.02; done ) &
	writer=$!
	sleep 0.3
	printf 'guest::19000:0:99999:7:::\n' >>"$work/etc/shadow"
	if ms=$(wait_for not_compliant 1000); then
		ok "writes every 20 ms: a blank password among them is noticed within 1 s (${ms} ms)"
	else
		not_ok "writes every 20 ms postponed the audit"
	fi
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
else
	not_ok "writes every 20 ms: the agent did not start compliant"
fi
stop_agent

# 6a. Least privilege (issue 12): the running agent's uid, capabilities,
#     no_new_privs and seccomp; --check-privileges tries connect(2), socket(2)
#     and a write outside the state directory from the dropped state.
#     Then status as an ordinary user (uid 65534): no accounts, but support
#     data; a member of [varlink] status_group sees them; one user cannot
#     take every connection slot.  The config changes status_group (the
#     setting under test); everything else is as in credgate.conf above.
cat >"$work/group.conf" <<CONF
[gate]
backend = none
[audit]
stores = shadow:$work/etc/shadow passwd:$work/etc/passwd
discover = no
[varlink]
status_group = credgate
CONF
write_shadow "$good1" "$bad"
chmod 0711 "$work"	# mktemp's 0700 would keep uid 65534 from the socket
svc_uid=$(id -u credgate 2>/dev/null || echo missing)
svc_gid=$(id -g credgate 2>/dev/null || echo missing)
nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
if start_agent "$work/group.conf" && wait_for not_compliant 5000 >/dev/null; then
	st=/proc/$pid/status
	uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "$st")
	capeff=$(awk '/^CapEff:/ {print $2}' "$st")
	if [ "$uids" = "$svc_uid $svc_uid $svc_uid $svc_uid" ] && [ "$svc_uid" != 0 ] &&
		grep -q '^NoNewPrivs:[[:space:]]*1' "$st" && grep -q '^Seccomp:[[:space:]]*2' "$st" &&
		[ "$capeff" = 0000000000000004 ] && [ "$(stat -c %u "$work/state")" = "$svc_uid" ]; then
		ok "privileges: the running agent has uid $svc_uid (credgate), CapEff $capeff (dac_read_search), no_new_privs, seccomp; state dir owned by it"
	else
		not_ok "privileges: Uid '$uids' (want $svc_uid x4), CapEff $capeff"
		grep -E '^(Uid|Gid|CapEff|NoNewPrivs|Seccomp)' "$st" | sed 's/^/# /'
	fi
	if nobody "$cli" status --json --socket "$sock" >"$work/nobody.json" 2>&1 ||
		[ $? -eq 1 ]; then :; fi
	if jq -e '.agent.violations == [] and .agent.violations_visible == false and .agent.compliant == false' \
		"$work/nobody.json" >/dev/null && ! grep -q admin "$work/nobody.json" &&
		status_json | jq -e '.agent.violations_visible and (.agent.violations | length) == 1' >/dev/null; then
		ok "GetStatus as uid 65534: not compliant, no accounts named; root sees the account"
	else
		not_ok "GetStatus as uid 65534 shows accounts or root does not"
		sed 's/^/# /' "$work/nobody.json"
	fi
	nobody "$cli" status --socket "$sock" >"$work/nobody.txt" 2>&1
	if grep -q 'shown to root' "$work/nobody.txt" && ! grep -q admin "$work/nobody.txt"; then
		ok "credgate status as uid 65534 says the accounts are private"
	else
		not_ok "credgate status (text) as uid 65534"
		sed 's/^/# /' "$work/nobody.txt"
	fi
	if nobody "$cli" support --json --socket "$sock" >"$work/nobody-support.json" 2>&1 &&
		jq -e 'has("support")' "$work/nobody-support.json" >/dev/null; then
		ok "GetSupport as uid 65534 answers"
	else
		not_ok "GetSupport as uid 65534"
		sed 's/^/# /' "$work/nobody-support.json"
	fi
	if setpriv --reuid 65534 --regid 65534 --groups "$svc_gid" "$cli" status --json --socket "$sock" \
		>"$work/member.json" 2>&1 || [ $? -eq 1 ]; then :; fi
	if jq -e '.agent.violations_visible and (.agent.violations | length) == 1' "$work/member.json" >/dev/null; then
		ok "GetStatus for a member of [varlink] status_group names the account"
	else
		not_ok "GetStatus for a status_group member"
		sed 's/^/# /' "$work/member.json"
	fi
	# max_clients_per_user (default 8): the 9th connection of one user is
	# refused with TooManyConnections; root still gets in.
	# /usr/bin/python3: a per-user python (pyenv) may not be readable by 65534.
	nobody /usr/bin/python3 - "$sock" >"$work/limit.txt" 2>&1 <<'PY'
import json, socket, sys
path = sys.argv[1]
held = []
for _ in range(8):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(b'{"method":"io.credgate.Device.GetSupport"}\0')
    s.recv(65536)
    held.append(s)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.settimeout(5)
data = s.recv(65536).rstrip(b"\0")
print(json.loads(data)["error"], json.loads(data)["parameters"]["limit"])
PY
	if grep -qx 'io.credgate.Device.TooManyConnections 8' "$work/limit.txt" &&
		status_json | grep -q '"agent_running":true'; then
		ok "one user's 9th connection is refused (TooManyConnections, limit 8); root still connects"
	else
		not_ok "per-user connection limit"
		sed 's/^/# /' "$work/limit.txt"
	fi
	# Root's reserve (an eighth of max_clients = 64): seven users holding
	# 8 connections each fill the 56 slots others may take; an eighth user
	# is refused (limit 56), root still gets its status.
	holders=()
	mkdir -m 1777 "$work/held"	# the holders (uids 6000x) say "ready" here
	for u in 60001 60002 60003 60004 60005 60006 60007; do
		setpriv --reuid $u --regid $u --clear-groups /usr/bin/python3 - "$sock" "$work/held/$u" <<'PY' &
import socket, sys, time
held = []
for _ in range(8):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(b'{"method":"io.credgate.Device.GetSupport"}\0')
    s.recv(65536)
    held.append(s)
open(sys.argv[2], "w").close()
time.sleep(60)
PY
		holders+=($!)
	done
	# every holder says when its 8 connections are answered (bounded)
	for _ in $(seq 300); do
		[ "$(ls "$work/held" | wc -l)" -ge 7 ] && break
		sleep 0.1
	done
	setpriv --reuid 60008 --regid 60008 --clear-groups /usr/bin/python3 - "$sock" >"$work/reserve.txt" 2>&1 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.settimeout(5)
d = json.loads(s.recv(65536).rstrip(b"\0"))
print(d.get("error"), d.get("parameters", {}).get("limit"))
PY
	if grep -qx 'io.credgate.Device.TooManyConnections 56' "$work/reserve.txt" &&
		status_json | grep -q '"agent_running":true'; then
		ok "56 connections of 7 users: an 8th user is refused (limit 56), root's status still answers (reserve of 8)"
	else
		not_ok "root's reserve of connection slots"
		sed 's/^/# /' "$work/reserve.txt"
	fi
	kill "${holders[@]}" 2>/dev/null
	wait "${holders[@]}" 2>/dev/null
else
	for t in "privileges" "GetStatus as uid 65534" "status text as uid 65534" "GetSupport as uid 65534" \
		"status_group member" "per-user limit" "root's reserve"; do
		not_ok "$t: the agent did not start"
	done
	sed 's/^/# /' "$work/agent.log"
fi
stop_agent
if out=$("$agent" --config "$work/group.conf" --state-dir "$work/state" --socket "$sock" \
	--os-release /dev/null --check-privileges 2>"$work/check.err") &&
	echo "$out" | grep -q '^ok: connect(2) refused: Operation not permitted' &&
	echo "$out" | grep -q '^ok: socket(AF_INET) refused' && ! echo "$out" | grep -q '^FAIL'; then
	ok "after set-up: connect(2) and socket(2) fail with EPERM, $(echo "$out" | grep -c '^ok') checks ok$(echo "$out" | grep -q Landlock && echo ', writes outside the state directory refused by Landlock')"
else
	not_ok "--check-privileges"
	printf '%s\n' "$out" | sed 's/^/# /'
	sed 's/^/# /' "$work/check.err"
fi
chmod 0700 "$work"

# 6. Status without the agent.
"$cli" status --socket "$sock" >"$work/status.txt" 2>&1
if grep -q 'agent: *not running' "$work/status.txt"; then
	ok "credgate status without the agent says it is not running"
else
	not_ok "status without agent"
	sed 's/^/# /' "$work/status.txt"
fi

# 7. Seccomp: a call outside the allow list is refused.
if out=$("$agent" --check-seccomp 2>&1) && echo "$out" | grep -q 'refused with EPERM'; then
	ok "seccomp: $out"
else
	not_ok "seccomp: $out"
fi

agent_suite_end
