#!/bin/sh
# SPDX-License-Identifier: MIT
# agent_test.sh (inside the VM, as root; CREDGATE_BACKEND=lsm|bpf): credgated
# end to end on a real gate.  root has a blank password and admin:admin:
# BusyBox telnetd and httpd are refused and the log names them and the
# accounts; `credgate migrate --policy random` opens the gate within 1 s
# and the daemons start; a default password written again (mkpasswd + sed
# to a temporary file + mv, as chpasswd does) closes it within 1 s and a
# new listener is refused while the running ones keep serving; kill -9 of
# the agent leaves the gate as it was and a restarted agent re-attaches
# without loading twice; a missing store or a broken config keeps the gate
# closed with a clear message; first_boot = random migrates and opens
# without a person.  /etc/passwd and /etc/shadow are restored at the end.
# Prints TAP.
work=$(mktemp -d /tmp/agent_test.XXXXXX)
backend=${CREDGATE_BACKEND:-auto}
pids=''
. "$(dirname "$0")/agent_lib.inc"

cp -p /etc/shadow "$work/shadow.orig"
cp -p /etc/passwd "$work/passwd.orig"
cleanup() {
	[ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	cp -p "$work/shadow.orig" /etc/shadow
	cp -p "$work/passwd.orig" /etc/passwd
	credgate gate close >/dev/null 2>&1
	rm -rf /etc/credgate/gate-opened.d /tmp/credgate-hook.out /tmp/credgate-systemctl.out /run/systemd
	rm -rf "$work"
}
trap cleanup EXIT

need_credgated

hash_of() { mkpasswd -m sha512 "$1"; }
# credgate: the agent's service user (etc/sysusers.d/credgate.conf).
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000:admin:/home/admin:/bin/sh\ncredgate:x:999:999:credgate agent:/var/lib/credgate:/bin/false\n' >/etc/passwd
admin_hash=$(hash_of admin)
cat >/etc/shadow <<EOT
root::19000:0:99999:7:::
admin:$admin_hash:19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p "$work/www" "$work/state"
echo hello >"$work/www/index.html"

# Services come back ([agent] restart_refused, on by default): a hook in
# the default gate_opened_dir and a stand-in for systemctl (the VM has no
# systemd; it records what it is asked) say what the agent restarts.
hooks=/etc/credgate/gate-opened.d
mkdir -p "$hooks"
printf '#!/bin/sh\necho "programs: $*" >>/tmp/credgate-hook.out\necho "units: $CREDGATE_REFUSED_UNITS" >>/tmp/credgate-hook.out\n' >"$hooks/10-record"
chmod 0755 "$hooks/10-record"
rm -f /tmp/credgate-hook.out /tmp/credgate-systemctl.out
printf '#!/bin/sh\necho "$*" >>/tmp/credgate-systemctl.out\n' >"$work/systemctl"
chmod 0755 "$work/systemctl"
write_config "$work/credgate.conf" "[agent]
systemctl = $work/systemctl"

# expect_refused NAME CMD...
expect_refused() {
	name=$1; shift
	"$@" >"$work/$name.out" 2>&1 </dev/null &
	p=$!
	sleep 1
	if kill -0 "$p" 2>/dev/null; then
		kill "$p"; not_ok "gate closed: $name started"; return
	fi
	ok "gate closed: $name refused ($(head -n 1 "$work/$name.out"))"
}
# expect_running NAME CMD...
expect_running() {
	name=$1; shift
	"$@" >"$work/$name.out" 2>&1 </dev/null &
	p=$!
	sleep 1
	if kill -0 "$p" 2>/dev/null; then
		pids="$pids $p"; ok "gate open: $name running"; return 0
	fi
	not_ok "gate open: $name exited: $(head -n 1 "$work/$name.out")"
}

credgate gate open >/dev/null 2>&1	# the agent must close it itself
# 1. Start: the gate is closed, the daemons are refused, the log says why.
t0=$(now_ms)
if start_agent "$work/credgate.conf" "$work/state" "$work/agent.log" &&
	[ "$(gate_state)" = closed ]; then
	ok "agent started on $backend: gate closed ($(( $(now_ms) - t0 )) ms to socket)"
else
	not_ok "agent start: gate $(gate_state)"; show "$work/agent.log"
fi
# 1b. After set-up the agent runs as its service user (uid 999 here,
#     scripts/vm/mkinitramfs), with only the capability its backend needs;
#     every gate change below is made from that state.
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$agent_pid/status" 2>/dev/null)
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$agent_pid/status" 2>/dev/null)
case $backend in lsm) want_cap=0000000200000004 ;; *) want_cap=0000008000000004 ;; esac
if [ "$uids" = "999 999 999 999" ] && [ "$capeff" = "$want_cap" ] &&
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$agent_pid/status"; then
	ok "agent runs as uid 999 (credgate) with CapEff $capeff and seccomp; $(grep -o 'Landlock[^:]*: writes only below .*' "$work/agent.log" || echo 'no Landlock in this kernel')"
else
	not_ok "agent privileges: Uid '$uids', CapEff '$capeff' (want $want_cap)"
	grep -E '^(Uid|CapEff|Seccomp)' "/proc/$agent_pid/status" | sed 's/^/# /'
fi
expect_refused telnetd telnetd -F -p 23 -l /bin/sh
expect_refused httpd httpd -f -p 80 -h "$work/www"
# A refused daemon in a systemd unit's cgroup (cgroup v2, as systemd makes
# it): the agent finds the unit from the refused pid.
unit_cg=''
if [ -d /sys/fs/cgroup ] && { [ -f /sys/fs/cgroup/cgroup.procs ] ||
	mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null; }; then
	unit_cg=/sys/fs/cgroup/system.slice/fake-web.service
	mkdir -p "$unit_cg" /run/systemd/system	# systemd's "booted" mark
	expect_refused fake-web sh -c "echo \$\$ >$unit_cg/cgroup.procs && exec nc -l -p 8082"
fi
sleep 0.5
for d in telnetd httpd; do
	line=$(grep "refused .* of $d " "$work/agent.log" | head -n 1)
	if echo "$line" | grep -q 'root (blank' && echo "$line" | grep -q 'admin (default' &&
		echo "$line" | grep -q 'credgate migrate'; then
		ok "log names $d, the accounts and the fix"
	else
		not_ok "no log line for $d naming root/admin"; show "$work/agent.log"
	fi
done
# Refusal lines are rate-limited per program and port (60 s): telnetd
# refused twice more on port 23 adds no line, on port 2323 it gets one.
for port in 23 23 2323; do
	telnetd -F -p "$port" -l /bin/sh </dev/null >/dev/null 2>&1 &
	p=$!
	sleep 0.5
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
done
sleep 0.5
n23=$(grep -c "refused .* of telnetd .* port 23: " "$work/agent.log")
n2323=$(grep -c "refused .* of telnetd .* port 2323: " "$work/agent.log")
if [ "$n23" -eq 1 ] && [ "$n2323" -eq 1 ]; then
	ok "refusal events: three of telnetd on port 23 within 60 s make one line, port 2323 one of its own"
else
	not_ok "refusal lines: $n23 for telnetd port 23 (want 1), $n2323 for port 2323 (want 1)"
	show "$work/agent.log"
fi
credgate status --socket "$work/sock" >"$work/status.txt" 2>&1
if grep -q 'admin *default' "$work/status.txt" && grep -q 'refusals: *bind [1-9]' "$work/status.txt"; then
	ok "credgate status: violations by account and refusal counts"
else
	not_ok "credgate status"; show "$work/status.txt"
fi

# 2. Migration (full depth, the shipped lists) opens the gate within 1 s:
#    the new passwords' verdicts are recorded in the agent's cache (its
#    state directory here), so the agent hashes nothing.
migrate_random() { # CREDS-FILE
	rm -f "$1"
	credgate migrate --config "$work/credgate.conf" --cache "$work/state/audit.cache" \
		--policy random --credentials-out "$1" >"$work/migrate.out" 2>&1
}
migrate_random "$work/creds"
if ms=$(wait_state open "$LIMIT_MS"); then
	ok "credgate migrate --policy random: gate open after ${ms} ms"
else
	not_ok "gate not open ${ms} ms after migrate (limit $LIMIT_MS)"; show "$work/migrate.out" "$work/agent.log"
	wait_state open 20000 >/dev/null
fi
expect_running telnetd telnetd -F -p 23 -l /bin/sh
telnetd_pid=$p
expect_running httpd httpd -f -p 80 -h "$work/www"
# The gate opened: the helper ran the hook with the refused programs, and
# systemctl for the refused unit.
i=0
while [ $i -lt 50 ] && ! grep -q '^units:' /tmp/credgate-hook.out 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if grep -q '^programs: .*telnetd' /tmp/credgate-hook.out 2>/dev/null &&
	grep -q '^programs: .*httpd' /tmp/credgate-hook.out; then
	ok "gate opened: $hooks/10-record ran with the refused programs ($(grep '^programs:' /tmp/credgate-hook.out | head -n 1))"
else
	not_ok "gate opened: the gate-opened hook did not run with telnetd and httpd"
	show /tmp/credgate-hook.out "$work/agent.log" 2>/dev/null
fi
if [ -z "$unit_cg" ]; then
	ok "refused systemd unit restarted # SKIP no cgroup v2 in this kernel"
elif grep -qx 'reset-failed -- fake-web.service' /tmp/credgate-systemctl.out 2>/dev/null &&
	grep -qx 'restart --no-block -- fake-web.service' /tmp/credgate-systemctl.out &&
	grep -q '^units: fake-web.service$' /tmp/credgate-hook.out; then
	ok "gate opened: systemctl reset-failed and restart --no-block of fake-web.service, the unit named to the hook"
else
	not_ok "gate opened: the refused unit fake-web.service was not restarted"
	show /tmp/credgate-systemctl.out /tmp/credgate-hook.out 2>/dev/null
fi

# 3. A default password written again closes it within 1 s.
set_hash admin "$admin_hash"
if ms=$(wait_state closed "$LIMIT_MS"); then
	ok "default password written again: gate closed after ${ms} ms"
else
	not_ok "gate not closed ${ms} ms after the write"; show "$work/agent.log"
	wait_state closed 20000 >/dev/null
fi
expect_refused nc nc -l -p 8081
if kill -0 "$telnetd_pid" 2>/dev/null; then
	ok "running listeners keep running while the gate is closed"
else
	not_ok "telnetd died when the gate closed"
fi

if credgate audit --config "$work/credgate.conf" --cache "$work/state/audit.cache" \
	--depth full >"$work/audit-full.out" 2>&1; then
	not_ok "credgate audit --depth full passes with admin's default back"
else
	ok "credgate audit --depth full fails with admin's default back"
fi

# 4. kill -9 leaves the gate as it was; a restart re-attaches.
migrate_random "$work/creds2"
if ms=$(wait_state open "$LIMIT_MS"); then
	ok "migrate again: gate open after ${ms} ms"
else
	not_ok "gate not open ${ms} ms after the second migrate"; show "$work/migrate.out" "$work/agent.log"
	wait_state open 20000 >/dev/null
fi
if credgate audit --config "$work/credgate.conf" --cache "$work/state/audit.cache" \
	--depth full >"$work/audit-full.out" 2>&1; then
	ok "after migrate, credgate audit --depth full exits 0"
else
	not_ok "audit --depth full after migrate"; show "$work/audit-full.out"
fi
kill -9 "$agent_pid"; wait "$agent_pid" 2>/dev/null; agent_pid=''
rm -f "$work/sock"
sleep 0.3
if [ "$(gate_state)" = open ]; then
	ok "kill -9 of the agent leaves the gate open as it was"
else
	not_ok "gate is $(gate_state) after kill -9"
fi
links_before=$(ls /sys/fs/bpf/credgate 2>/dev/null | wc -l)
if start_agent "$work/credgate.conf" "$work/state" "$work/agent2.log" &&
	wait_state open 20000 >/dev/null; then
	if [ "$backend" = bpf ]; then
		if grep -q 're-using the programs pinned' "$work/agent2.log" &&
			[ "$(ls /sys/fs/bpf/credgate | wc -l)" -eq "$links_before" ]; then
			ok "restarted agent re-uses the pinned programs and reopens"
		else
			not_ok "restart did not re-use the pins"; show "$work/agent2.log"
		fi
	else
		ok "restarted agent re-attaches to the LSM and reopens"
	fi
else
	not_ok "restarted agent"; show "$work/agent2.log"
fi
stop_agent

# 5. A missing store keeps the gate closed, with the store named.
write_config "$work/missing.conf"
sed -i "s|^stores = .*|& htpasswd:/etc/lighttpd/htpasswd|" "$work/missing.conf"
start_agent "$work/missing.conf" "$work/state" "$work/agent3.log"
sleep 0.5
if [ "$(gate_state)" = closed ] && grep -q '/etc/lighttpd/htpasswd.*does not exist' "$work/agent3.log"; then
	ok "a missing store keeps the gate closed and is named in the log"
else
	not_ok "missing store: gate $(gate_state)"; show "$work/agent3.log"
fi
stop_agent

# 6. A broken config: exit 2, file:line, the gate closed.
credgate gate open >/dev/null 2>&1
printf '[gate]\nbackend = %s\nmode = sometimes\n' "$backend" >"$work/bad.conf"
credgated --config "$work/bad.conf" --state-dir "$work/state" --socket "$work/sock" \
	--foreground >"$work/bad.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'bad.conf:3' "$work/bad.log" && [ "$(gate_state)" = closed ]; then
	ok "broken config: exit 2, file:line, gate kept closed"
else
	not_ok "broken config: exit $rc, gate $(gate_state)"; show "$work/bad.log"
fi

# 7. First boot with policy random: no person needed.
cat >/etc/shadow <<EOT
root::19000:0:99999:7:::
admin:$admin_hash:19000:0:99999:7:::
EOT
write_config "$work/fb.conf" '[migration]
first_boot = random'
mkdir -p "$work/fbstate"
if start_agent "$work/fb.conf" "$work/fbstate" "$work/agent4.log" &&
	wait_state open 30000 >/dev/null && [ -f "$work/fbstate/first-boot.done" ] &&
	[ "$(stat -c %a "$work/fbstate/first-boot-credentials")" = 600 ] &&
	grep -q 'admin' "$work/fbstate/first-boot-credentials"; then
	ok "first_boot = random: migrated, credentials in a 0600 file, gate open"
else
	not_ok "first boot: gate $(gate_state)"; show "$work/agent4.log"
fi
stop_agent

# 8. A common password (only the full tier finds it) under the shipped
#    configuration: the gate never reports open while the fast tier is
#    clean and the full tier has not judged it (polled every 50 ms over
#    the whole audit), and the full tier closes for good with the reason.
#    sha512crypt at its default cost: about 2,100 verifications, 26 s in
#    the TCG VM (measured).
cat >/etc/shadow <<EOT
root:$(hash_of sunshine):19000:0:99999:7:::
admin:!:19000:0:99999:7:::
EOT
rm -rf "$work/cstate"; mkdir -p "$work/cstate"
renice -n 19 -p $$ >/dev/null 2>&1 || true	# see poll_never_open
start_agent "$work/credgate.conf" "$work/cstate" "$work/agent5.log"
expect_never_open "a common password" "$work/agent5.log" 'full audit: 1 account(s) hold it closed: root (common'
stop_agent

renice -n 0 -p $$ >/dev/null 2>&1 || true

# 9. A symlinked store (/etc/shadow -> /data/shadow, as on read-only root
#    file systems) changed by BusyBox passwd, which writes next to the
#    link's target: the agent notices within 1 s.
mkdir -p /data
cat >/data/shadow <<EOT
root:!:19000:0:99999:7:::
admin:$admin_hash:19000:0:99999:7:::
EOT
chmod 0640 /data/shadow
cp -p /etc/shadow "$work/shadow.before-link"
rm -f /etc/shadow && ln -s /data/shadow /etc/shadow
rm -rf "$work/lstate"; mkdir -p "$work/lstate"
if start_agent "$work/credgate.conf" "$work/lstate" "$work/agent6.log" && wait_state closed 5000 >/dev/null &&
	credgate migrate --store shadow:/data/shadow --store passwd:/etc/passwd --cache "$work/lstate/audit.cache" \
		--policy random --credentials-out "$work/creds-link" --socket "$work/sock" >/dev/null 2>&1 &&
	wait_state open 5000 >/dev/null; then
	t0=$(now_ms)
	printf 'admin\nadmin\n' | busybox passwd admin >"$work/chpasswd.err" 2>&1
	if ms=$(wait_state closed 1000) && [ -L /etc/shadow ]; then
		ok "symlinked shadow changed by BusyBox passwd: gate closed after $ms ms, the link kept"
	else
		not_ok "symlinked shadow: gate $(gate_state) $(( $(now_ms) - t0 )) ms after BusyBox passwd"
		ls -l /etc/shadow /data/ | sed 's/^/# /'; show "$work/chpasswd.err"; show "$work/agent6.log"
	fi
else
	not_ok "symlinked shadow: the agent did not open after migrate (gate $(gate_state))"; show "$work/agent6.log"
fi
stop_agent
rm -f /etc/shadow && cp -p "$work/shadow.before-link" /etc/shadow

# 10. Not only login accounts: an snmpd.conf holding the universal community
#     `public` keeps the gate closed, named in the log line; `credgate
#     migrate --policy random` gives it a new community and the gate opens.
mkdir -p /etc/snmp "$work/sstate"
[ -f /etc/snmp/snmpd.conf ] && cp -p /etc/snmp/snmpd.conf "$work/snmpd.conf.orig"
printf '# as net-snmp documents it\nrocommunity public default\nsysLocation lab\n' >/etc/snmp/snmpd.conf
printf 'root:!:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n' >/etc/shadow
write_config "$work/snmp.conf"
sed -i 's|^stores = .*|& snmpd:/etc/snmp/snmpd.conf|' "$work/snmp.conf"
hold='hold it closed: rocommunity (default, /etc/snmp/snmpd.conf)'
if start_agent "$work/snmp.conf" "$work/sstate" "$work/agent7.log" && poll_never_open "$work/agent7.log" "$hold" 20000 &&
	[ "$opened" -eq 0 ] && grep -q "$hold" "$work/agent7.log" && [ "$(gate_state)" = closed ]; then
	ok "snmpd.conf with rocommunity public: gate closed, the log names it ($elapsed ms)"
else
	not_ok "snmpd.conf with rocommunity public: gate $(gate_state), open in $opened polls"; show "$work/agent7.log"
fi
credgate migrate --config "$work/snmp.conf" --cache "$work/sstate/audit.cache" --policy random \
	--credentials-out "$work/creds-snmp" --socket "$work/sock" >"$work/migrate-snmp.out" 2>&1
if ms=$(wait_state open "$LIMIT_MS") && ! grep -q 'public' /etc/snmp/snmpd.conf &&
	grep -q '^sysLocation lab$' /etc/snmp/snmpd.conf; then
	ok "credgate migrate on snmpd.conf: a new community, the rest kept, gate open after $ms ms"
else
	not_ok "migrate on snmpd.conf: gate $(gate_state) after $ms ms"; show "$work/migrate-snmp.out" /etc/snmp/snmpd.conf
fi
stop_agent
rm -f /etc/snmp/snmpd.conf
[ -f "$work/snmpd.conf.orig" ] && cp -p "$work/snmpd.conf.orig" /etc/snmp/snmpd.conf

echo "1..$n"
[ "$fails" -eq 0 ]
