#!/bin/sh
# SPDX-License-Identifier: MIT
# daemons_test.sh (inside the VM, as root): real BusyBox daemons against
# the gate.  Closed gate: telnetd, httpd and nc -l on the wildcard or a
# non-loopback address fail to start (exit status and message checked),
# loopback listeners still work.  Open gate: they start and accept a
# connection.  Closed again: running listeners keep serving, new ones are
# refused.  Prints TAP.
n=0
fails=0
work=$(mktemp -d /tmp/daemons.XXXXXX)
pids=''

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # DESCRIPTION CMD...: one TAP line for CMD's success
	d=$1; shift
	if "$@" >"$work/check.out" 2>&1; then ok "$d"; else not_ok "$d"; fi
	sed 's/^/# /' "$work/check.out"
}
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

# alive PID: is the process still there after a settle time (TCG is slow)?
alive() {
	i=0
	while [ $i -lt 10 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# start NAME CMD...: start a daemon in the background; $last_pid, log in
# $work/NAME.log.
start() {
	name=$1; shift
	"$@" >"$work/$name.log" 2>&1 </dev/null &
	last_pid=$!
}

# expect_refused NAME CMD...: the daemon must exit with an error that says
# its bind/listen was refused.
expect_refused() {
	name=$1; shift
	start "$name" "$@"
	if alive "$last_pid"; then
		kill "$last_pid" 2>/dev/null; wait "$last_pid" 2>/dev/null
		not_ok "gate closed: '$*' started (expected refusal)"
		return
	fi
	wait "$last_pid"; rc=$?
	if [ "$rc" -ne 0 ] && grep -qi 'permission denied' "$work/$name.log"; then
		ok "gate closed: '$*' refused (exit $rc: $(head -n 1 "$work/$name.log"))"
	else
		not_ok "gate closed: '$*' exit $rc, message '$(head -n 1 "$work/$name.log")' (expected permission denied)"
	fi
}

# expect_running NAME CMD...: the daemon must still be running after the
# settle time; its pid is kept for later checks and cleanup.
expect_running() {
	name=$1; shift
	start "$name" "$@"
	if alive "$last_pid"; then
		pids="$pids $last_pid"
		ok "$gate_desc: '$*' running"
		return 0
	fi
	wait "$last_pid"; rc=$?
	not_ok "$gate_desc: '$*' exited ($rc): $(head -n 1 "$work/$name.log")"
	return 1
}

http_get() { # URL: fetch and compare with the served file
	rm -f "$work/got"
	timeout 10 wget -q -O "$work/got" "$1" 2>/dev/null && cmp -s "$work/got" "$work/www/index.html"
}
telnet_connect() { # HOST PORT: telnetd answers with option negotiation (IAC = 0xff)
	timeout 3 nc "$1" "$2" </dev/null >"$work/telnet.out" 2>/dev/null
	[ -s "$work/telnet.out" ] && od -An -tx1 "$work/telnet.out" | grep -q ff
}
nc_roundtrip() { # PORT OUTFILE: send a line to an nc -l listener
	echo "hello-$1" | timeout 3 nc 127.0.0.1 "$1" >/dev/null 2>&1
	i=0
	while [ $i -lt 20 ] && ! grep -q "hello-$1" "$2" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q "hello-$1" "$2"
}

if ! command -v credgate >/dev/null; then
	echo "ok 1 - daemons # SKIP credgate not built"; echo "1..1"
	exit 0
fi
if ! credgate gate status >"$work/status" 2>&1; then
	if grep -q 'not implemented' "$work/status"; then
		echo "ok 1 - daemons # SKIP credgate gate not implemented in this build"; echo "1..1"
		exit 0
	fi
	echo "not ok 1 - credgate gate status failed: $(head -n 1 "$work/status")"
	echo "1..1"
	exit 1
fi
sed 's/^/# /' "$work/status"

# A non-loopback address of our own (documentation range, RFC 5737).
addr=''
if ! ip link add dummy0 type dummy 2>/dev/null; then
	for m in /lib/modules/dummy.ko*; do
		[ -f "$m" ] && insmod "$m" 2>/dev/null
	done
	ip link add dummy0 type dummy 2>/dev/null
fi
if ip link show dummy0 >/dev/null 2>&1 && ip addr add 192.0.2.1/24 dev dummy0 &&
	ip link set dummy0 up; then
	addr=192.0.2.1
	ok "dummy0 up with $addr"
else
	skip "dummy0 with 192.0.2.1" "kernel has no dummy interface (CONFIG_DUMMY)"
fi

mkdir -p "$work/www"
echo "credgate daemons test" >"$work/www/index.html"
cd "$work" || exit 1	# daemons serve "www" relative to here: stable test names

# --- gate closed: nothing network-facing may start ---
check "credgate gate close" credgate gate close
gate_desc="gate closed"
expect_refused telnetd1 telnetd -F -p 2323 -l /bin/sh
expect_refused httpd1 httpd -f -p 8080 -h www
expect_refused nc1 nc -l -p 9000
if [ -n "$addr" ]; then
	expect_refused telnetd2 telnetd -F -b "$addr:2324" -l /bin/sh
	expect_refused httpd2 httpd -f -p "$addr:8081" -h www
fi
# Loopback stays usable while the gate is closed.
if expect_running httpd-lo httpd -f -p 127.0.0.1:8079 -h www; then
	check "gate closed: loopback httpd serves a page" http_get http://127.0.0.1:8079/
fi

# --- gate open: the same daemons start and accept connections ---
check "credgate gate open" credgate gate open
gate_desc="gate open"
if expect_running telnetd telnetd -F -p 2323 -l /bin/sh; then
	check "gate open: telnetd accepts a connection over loopback" telnet_connect 127.0.0.1 2323
fi
if expect_running httpd httpd -f -p 8080 -h www; then
	httpd_pid=$last_pid
	check "gate open: httpd serves a page over loopback" http_get http://127.0.0.1:8080/
fi
if expect_running nc nc -l -p 9000; then
	nc_pid=$last_pid
	check "gate open: nc -l receives a line over loopback" nc_roundtrip 9000 "$work/nc.log"
	: "$nc_pid"
fi
if [ -n "$addr" ] && expect_running httpd-addr httpd -f -p "$addr:8081" -h www; then
	httpd_addr_pid=$last_pid
	check "gate open: httpd on $addr serves a page" http_get "http://$addr:8081/"
fi

# --- gate closed again: running listeners keep serving, new ones refused ---
check "credgate gate close (again)" credgate gate close
if [ -n "${httpd_pid:-}" ]; then
	check "gate closed again: running httpd still alive" kill -0 "$httpd_pid"
	check "gate closed again: running httpd still serves" http_get http://127.0.0.1:8080/
fi
if [ -n "${httpd_addr_pid:-}" ]; then
	check "gate closed again: httpd on $addr still serves" http_get "http://$addr:8081/"
fi
expect_refused httpd3 httpd -f -p 8082 -h www
expect_refused telnetd3 telnetd -F -p 2325 -l /bin/sh
expect_refused nc3 nc -l -p 9001

echo "1..$n"
[ "$fails" -eq 0 ]
