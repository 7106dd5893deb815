#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Promises of docs/agent.md that no other host suite tested (docs/testing.md,
# "Promises and their tests"), with credgated on the host:
# - on the lsm backend against a fake securityfs (CREDGATE_SYSFS_ROOT, as
#   sh-prometheus; the host kernel has no credgate LSM and is never
#   touched): [gate] mode, allow_ports and lock written at start, the gate
#   closed at start although it booted open, the background full tier
#   keeping it closed for a common password, a killed audit child keeping
#   it closed, SIGHUP reload (audits again; keeps the old configuration on
#   a refused one), [audit] max_accounts and time_limit,
#   `credgate support` after the end date;
# - [migration] first_boot = user and lock, and the retry after a failed
#   first boot;
# - --syslog (a private /dev/log in a mount namespace);
# - a locked gate (read-only bind mounts) and the refusal log lines from
#   kernel records on a FIFO over /dev/kmsg: one line per program and port
#   per 60 s, the permissive line;
# - the systemd unit and the init script, statically: systemd-analyze
#   verify on a `make install` tree, sh -n and shellcheck, paths as
#   installed.
# The shipped configuration apart from the stores; a test that changes a
# setting says why.  Prints TAP.
# shellcheck disable=SC2016 # check ... eval '...': expanded when it runs
set -u
# shellcheck source=selftests/host/agent_lib.inc
. "$(dirname "$0")/agent_lib.inc"
agent_suite promises

# The agent (start_agent) on the fake securityfs.
fake=$work/fake
sec=$fake/sys/kernel/security/credgate
fake_lsm() { # a credgate LSM that booted open, permissive off, no allow list
	rm -rf "$fake"
	mkdir -p "$sec"
	echo capability,credgate >"$fake/sys/kernel/security/lsm"
	printf 'open\n' >"$sec/state"
	printf 'off\n' >"$sec/mode"
	: >"$sec/allow_ports"
	printf '0\n' >"$sec/lock"
	printf 'bind_refused 0\nbind_audited 0\nlisten_refused 0\nlisten_audited 0\n' >"$sec/stats"
}
# A regular file is not securityfs: the agent's pwrite at offset 0 leaves
# the tail of a longer old value ("closed" over "open\n", "opened" after
# "open" over "closed").  The values differ in their first letters.
gate_state() {
	case $(cat "$sec/state") in open*) echo open ;; closed*) echo closed ;; *) echo "?" ;; esac
}
gate_closed() { [ "$(gate_state)" = closed ]; }
gate_open() { [ "$(gate_state)" = open ]; }
start_lsm() { CREDGATE_SYSFS_ROOT=$fake start_agent "$@"; } # CONFIG [STATE-DIR]
logged() { grep -q -- "$1" "$work/agent.log"; }
show_log() { sed 's/^/# /' "$work/agent.log"; }

good=$(hash 'Vq3#tLm8-zr')
mkdir -p "$work/etc" "$work/state"
printf 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n' >"$work/etc/passwd"
conf() { # FILE [LINES...]: [gate] backend = lsm, the test's stores, then LINES
	local f=$1
	shift
	{
		# restart_refused = no: the fake refusal records name pids of
		# this host, whose systemd units must never be restarted.
		printf '[gate]\nbackend = lsm\n[agent]\nrestart_refused = no\n[audit]\nstores = shadow:%s passwd:%s\n' \
			"$work/etc/shadow" "$work/etc/passwd"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$f"
}
conf "$work/credgate.conf"

# --- 1. [gate] applied at start; the full tier keeps a common password out --
# root locked, admin 'iloveyou': no fast-tier verdict, common at full depth.
fake_lsm
write_shadow '!' "$(hash iloveyou)"
if start_lsm "$work/credgate.conf"; then
	check "start: the gate that booted open is closed" gate_closed
	check "start: [gate] mode = enforce (shipped) written over 'off'" \
		[ "$(cut -c1-7 "$sec/mode")" = enforce ]
	check "start: [gate] allow_ports (shipped udp:68, udp:546) written" \
		[ "$(tr -d '\n' <"$sec/allow_ports")" = "udp:68 udp:546" ]
	check "start: [gate] lock = no (shipped) leaves the gate unlocked" [ "$(cut -c1 "$sec/lock")" = 0 ]
	opened=false t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt 300 ]; do
		gate_open && opened=true
		status_json | grep -q '"verdict":"common"' && break
		sleep 0.05
	done
	if ! $opened && gate_closed && status_json | grep -q '"user":"admin","store":"[^"]*shadow","verdict":"common"'; then
		ok "a common password: the gate file never open, closed by the full tier ($(($(date +%s) - t0)) s)"
	else
		not_ok "a common password: opened=$opened, gate $(gate_state)"
		show_log
	fi
else
	for i in 1 2 3 4 5; do not_ok "credgated on the fake lsm did not start ($i)"; done
	show_log
fi
stop_agent
# [gate] lock = yes: the test is about that setting.
fake_lsm
sed 's/^backend = lsm$/&\nlock = yes/' "$work/credgate.conf" >"$work/lock.conf"
if start_lsm "$work/lock.conf"; then
	check "[gate] lock = yes: the gate is locked at start, after mode and allow list" \
		eval '[ "$(cut -c1 "$sec/lock")" = 1 ] && [ "$(cut -c1-7 "$sec/mode")" = enforce ]'
else
	not_ok "[gate] lock = yes: credgated did not start"
	show_log
fi
stop_agent

# --- 2. A killed audit child keeps the gate closed; SIGHUP audits again ------
# admin holds a good password: the full tier hashes the whole dictionary for
# it (seconds), long enough to kill the child.
fake_lsm
rm -rf "$work/state" && mkdir -p "$work/state"
write_shadow '!' "$good"
child=''
if start_lsm "$work/credgate.conf"; then
	for _ in $(seq 200); do
		child=$(pgrep -P "$pid" | head -n 1)
		[ -n "$child" ] && break
		sleep 0.05
	done
fi
died() { logged 'the audit process died (signal 9)'; }
if [ -n "$child" ] && kill -9 "$child" && wait_for died 5000 >/dev/null; then
	sleep 0.5
	check "audit child killed (SIGKILL): logged, gate closed, not compliant" \
		eval 'gate_closed && ! compliant && kill -0 "$pid"'
else
	not_ok "audit child killed: child '${child}', no 'audit process died' line"
	show_log
fi
# SIGHUP with a changed file: [product] support_end in the past (the
# setting is the test: `credgate support` after the end date).
conf "$work/credgate.conf" '[product]' 'support_end = 2020-02-29'
if [ -n "$pid" ] && kill -HUP "$pid" && ms=$(wait_for gate_open 120000); then
	ok "SIGHUP: the file reloaded and audited again: gate open after $ms ms"
else
	not_ok "SIGHUP: gate $(gate_state) 120 s after the reload"
	show_log
fi
check "SIGHUP: the reload is logged" logged "reloaded $work/credgate.conf"
"$cli" support --socket "$sock" >"$work/support.out" 2>&1
check "credgate support after the end date: ENDED on 2020-02-29" grep -q 'ENDED on 2020-02-29' "$work/support.out"
check "the agent warns that support ended" logged 'support period ended on 2020-02-29'
printf 'mode = sometimes\n' >>"$work/credgate.conf"	# refused: an unknown key of [product]
bad_line=$(wc -l <"$work/credgate.conf")
[ -n "$pid" ] && kill -HUP "$pid"
wait_for_bad() { logged "credgate.conf:$bad_line: unknown key 'mode' in \\[product\\]"; }
if wait_for wait_for_bad 5000 >/dev/null; then
	"$cli" support --socket "$sock" >"$work/support2.out" 2>&1
	check "SIGHUP with a refused file: FILE:LINE logged, agent serving, old configuration kept, gate as it was" \
		eval 'logged "not loaded" && kill -0 "$pid" && grep -q "ENDED on 2020-02-29" "$work/support2.out" && gate_open'
else
	not_ok "SIGHUP with a refused file: no credgate.conf:$bad_line line"
	show_log
fi
stop_agent
conf "$work/credgate.conf"

# --- 3. [audit] max_accounts and time_limit ----------------------------------
# max_accounts = 1 (the test is about the setting; the shipped 100000 would
# need that many accounts): two accounts are an audit error.
fake_lsm
printf 'root:%s:19000:0:99999:7:::\nadmin:%s:19000:0:99999:7:::\n' '!' '!' >"$work/etc/shadow"
conf "$work/max.conf" 'max_accounts = 1'
wait_for_max() { logged 'over \[audit\] max_accounts = 1'; }
if start_lsm "$work/max.conf" && wait_for wait_for_max 10000 >/dev/null; then
	check "max_accounts = 1 with 2 accounts: logged, gate closed, not compliant" eval 'gate_closed && ! compliant'
else
	not_ok "max_accounts = 1 with 2 accounts: no message"
	show_log
fi
stop_agent
# time_limit = 1 (the test is about the setting; shipped 0 = no limit): the
# full tier needs seconds for admin's good password (fresh cache).
fake_lsm
rm -rf "$work/state" && mkdir -p "$work/state"
write_shadow '!' "$good"
conf "$work/tl.conf" 'time_limit = 1'
wait_for_tl() { logged 'stopped after \[audit\] time_limit = 1 s'; }
if start_lsm "$work/tl.conf" && ms=$(wait_for wait_for_tl 30000); then
	sleep 0.5
	check "time_limit = 1: the full tier stopped (logged ${ms} ms after start, with what to do), gate closed" \
		eval 'logged "raise time_limit" && gate_closed && ! compliant'
else
	not_ok "time_limit = 1: no 'stopped after' line in 30 s"
	show_log
fi
stop_agent

# --- 4. [migration] first_boot = user | lock; retry after a failure ----------
# first_boot is the setting under test (shipped: none).
fb() { # POLICY STATE-DIR
	fake_lsm
	conf "$work/fb.conf" '[migration]' "first_boot = $1"
	# The socket comes after the first boot, whose migrate audits at full
	# depth: the whole dictionary for root's good hash (seconds).
	start_s=120 start_lsm "$work/fb.conf" "$2"
}
admin_field() { awk -F: -v n="$1" '$1 == "admin" { print $n }' "$work/etc/shadow"; }
def=$(hash admin)
write_shadow "$good" "$def"
if fb user "$work/fb-user"; then
	check "first_boot = user: admin expired (last change 0), hash kept, marker written, gate closed" \
		eval '[ "$(admin_field 3)" = 0 ] && [ "$(admin_field 2)" = "$def" ] && [ -e "$work/fb-user/first-boot.done" ] && gate_closed'
else
	not_ok "first_boot = user: credgated did not start"
	show_log
fi
stop_agent
write_shadow "$good" "$def"
if fb lock "$work/fb-lock"; then
	check "first_boot = lock: admin locked ('!' + the old hash), marker written" \
		eval '[ "$(admin_field 2)" = "!$def" ] && [ -e "$work/fb-lock/first-boot.done" ]'
else
	not_ok "first_boot = lock: credgated did not start"
	show_log
fi
stop_agent
# A store migrate refuses (a symlink: docs/migration.md) fails the first boot.
write_shadow "$good" "$def"
mv "$work/etc/shadow" "$work/etc/shadow.real"
ln -s shadow.real "$work/etc/shadow"
fb lock "$work/fb-retry"
sleep 0.5
check "first boot failed (symlinked store): logged, no marker, the store unchanged, gate closed" \
	eval 'logged "first-boot migration failed" && [ ! -e "$work/fb-retry/first-boot.done" ] &&
		[ "$(awk -F: "\$1 == \"admin\" { print \$2 }" "$work/etc/shadow.real")" = "$def" ] && gate_closed'
stop_agent
rm "$work/etc/shadow"
mv "$work/etc/shadow.real" "$work/etc/shadow"
if fb lock "$work/fb-retry"; then
	check "the next start tries again: admin locked, marker written" \
		eval '[ "$(admin_field 2)" = "!$def" ] && [ -e "$work/fb-retry/first-boot.done" ]'
else
	not_ok "first boot retry: credgated did not start"
	show_log
fi
stop_agent

# --- 5. --syslog: lines to syslog (facility daemon) --------------------------
# The host has no /dev/log: a private mount namespace gets a tmpfs /dev
# with the device nodes the agent opens linked from the real one and a
# datagram listener at /dev/log (python3).
if unshare -m true 2>/dev/null && command -v python3 >/dev/null; then
	write_shadow "$good" "$def"
	mkdir -p "$work/realdev"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount --bind /dev "$1/realdev"
		mount -t tmpfs none /dev
		for d in null zero full random urandom tty console kmsg; do
			[ -e "$1/realdev/$d" ] && ln -s "$1/realdev/$d" "/dev/$d"
		done
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
s.settimeout(15)
with open(sys.argv[1], \"wb\") as out:
    try:
        while True:
            out.write(s.recv(8192) + b\"\\n\"); out.flush()
    except socket.timeout:
        pass
" "$1/syslog.out" &
		py=$!
		for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
		"$2" --backend none --syslog --config "$1/credgate.conf" --state-dir "$1/state" \
			--socket "$1/sock" --foreground --os-release /dev/null >"$1/sys.log" 2>&1 &
		a=$!
		for _ in $(seq 100); do grep -q "first gate decision" "$1/sys.log" && break; sleep 0.1; done
		sleep 0.3
		kill "$a"
		wait "$a" || true
		kill "$py" 2>/dev/null || true
	' sh "$work" "$agent" 2>"$work/syslog.err"
	# <29> = facility daemon (3) * 8 + notice (5); <28> warning
	check "--syslog: the agent's lines reach syslog as facility daemon" \
		grep -Eq '^<2[4-9]>.*credgated.*BACKEND NONE' "$work/syslog.out"
	check "--syslog: standard error still has the log" grep -q 'BACKEND NONE' "$work/sys.log"
else
	skip "--syslog: lines reach syslog" "unshare -m or python3 not available"
	skip "--syslog: standard error still has the log" "unshare -m or python3 not available"
fi

# --- 5b. A locked gate; refusal log lines from the kernel's records ---------
# A private mount namespace (unshare -m): mode and allow_ports of the fake
# securityfs bind-mounted read-only (writes fail with EROFS, as the
# kernel's do on a locked gate), and a FIFO over /dev/kmsg, the lsm
# backend's event source, fed by the test with records in the kernel's
# format ("PRI,SEQ,USEC,FLAGS;MESSAGE", one write per record).
if unshare -m true 2>/dev/null; then
	fake_lsm
	write_shadow '!' "$def"
	rm -f "$work/kmsg" && mkfifo "$work/kmsg"
	rm -f "$sock"
	# shellcheck disable=SC2016 # expanded by the inner shell
	CREDGATE_SYSFS_ROOT=$fake unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount --bind "$1" /dev/kmsg
		for f in mode allow_ports; do
			mount --bind "$2/$f" "$2/$f"
			mount -o remount,bind,ro "$2/$f"
		done
		shift 2
		exec "$@"' sh "$work/kmsg" "$sec" "$agent" --config "$work/credgate.conf" \
		--state-dir "$work/state-kmsg" --socket "$sock" --foreground --os-release /dev/null \
		>"$work/agent.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	check "a locked gate (mode, allow_ports refuse writes): warned, kept as they are, gate closed" \
		eval 'logged "mode and allow list are locked until reboot" && [ "$(cut -c1-3 "$sec/mode")" = off ] && gate_closed'
	wait_for not_compliant 10000 >/dev/null
	exec 7<>"$work/kmsg"	# read-write: never blocks, and the FIFO has a writer
	# One record per write, 0.3 s apart: the agent reads one record per
	# read(2) (as from /dev/kmsg), so records must not queue up together.
	kmsg() { printf '4,%s,%s000000,-;credgate: %s\n' "$1" "$1" "$2" >&7; sleep 0.3; }
	for i in 1 2 3; do kmsg "10$i" 'refused listen comm=telnetd pid=122 uid=0 addr=0.0.0.0 port=23'; done
	kmsg 110 'refused listen comm=telnetd pid=123 uid=0 addr=0.0.0.0 port=2323'
	kmsg 111 'audited bind comm=httpd pid=130 uid=33 addr=:: port=80'
	sleep 0.5
	stop_agent	# before the FIFO loses its writer
	exec 7>&-
	line23="refused listen of telnetd (pid 122, uid 0) on 0.0.0.0 port 23: the gate is closed because admin (default in $work/etc/shadow); fix: 'credgate migrate --policy random'"
	check "refusal line: program, pid, uid, address, port, the accounts holding the gate and the fix" \
		logged "$line23"
	check "three refusals of telnetd on port 23 within 60 s: one line" \
		[ "$(grep -c 'refused listen of telnetd (pid 122' "$work/agent.log")" = 1 ]
	check "the same program on another port: a line of its own" \
		logged 'refused listen of telnetd (pid 123, uid 0) on 0.0.0.0 port 2323'
	check "an audited (permissive) record: 'would refuse (permissive mode, allowed)'" \
		logged 'would refuse (permissive mode, allowed) bind of httpd (pid 130, uid 33) on \[::\] port 80'
	grep -q 'refused\|would refuse' "$work/agent.log" || show_log
else
	for w in "locked gate warned" "refusal line" "one line per 60 s" "another port" "permissive line"; do
		skip "$w" "unshare -m not permitted here"
	done
fi

# --- 6. The systemd unit and the init script (static) ------------------------
inst=$work/inst
if make -s -C "$root" BUILD="$build" DESTDIR="$inst" install >"$work/install.log" 2>&1; then
	unit=$inst/usr/lib/systemd/system/credgated.service
	init=$inst/etc/init.d/credgated
	check "make install: the unit and the init script installed" [ -f "$unit" ] && [ -x "$init" ]
	if command -v systemd-analyze >/dev/null; then
		# An image has /bin/kill (ExecReload): a stand-in; man pages are
		# not checked (no man-db in the tree).
		mkdir -p "$inst/bin" && printf '#!/bin/sh\n' >"$inst/bin/kill" && chmod 0755 "$inst/bin/kill"
		check "systemd-analyze verify: the installed unit, its ExecStart in the installed tree" \
			systemd-analyze verify --man=no --root="$inst" "$unit"
	else
		skip "systemd-analyze verify" "systemd not installed"
	fi
	exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
	check "unit: ExecStart $exec_start is the installed agent, with --syslog" \
		eval '[ -x "$inst$exec_start" ] && grep -q "^ExecStart=$exec_start --syslog" "$unit"'
	check "unit: Type=forking, ordered before network-pre.target, wanted by sysinit.target" \
		eval 'grep -qx "Type=forking" "$unit" && grep -q "^Before=.*network-pre.target" "$unit" &&
			grep -qx "WantedBy=sysinit.target" "$unit" && grep -qx "DefaultDependencies=no" "$unit"'
	check "init script: sh -n" sh -n "$init"
	if command -v shellcheck >/dev/null; then
		check "init script: shellcheck -s sh" shellcheck -s sh "$init"
	else
		skip "init script: shellcheck" "shellcheck not installed (scripts/deps.sh)"
	fi
	daemon=$(sed -n 's/^DAEMON=//p' "$init")
	check "init script: DAEMON $daemon is the installed agent, started with --syslog" \
		eval '[ -x "$inst$daemon" ] && grep -qx "OPTS=\"--syslog\"" "$init"'
else
	not_ok "make install DESTDIR=$inst failed"
	sed 's/^/# /' "$work/install.log"
fi

agent_suite_end
