#!/bin/sh
# SPDX-License-Identifier: MIT
# demo-device.sh: runs inside the demo VM as its boot sequence (see
# scripts/demo).  A BusyBox device ships with a blank root password and
# admin:admin; credgated starts first, like on a real device, then init
# starts telnetd and httpd.  The transcript shows each step and this script
# exits non-zero as soon as one does not behave as shown.
step=0
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*"; exit 1; }
pass() { printf '    [ok] %s\n' "$*"; }

now_ms() {
	read -r up _ </proc/uptime
	cs=${up#*.}; cs=${cs#0}
	echo $(( ${up%.*} * 1000 + cs * 10 ))
}
gate_state() { credgate gate status --json 2>/dev/null | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }
wait_state() { # STATE MS
	t0=$(now_ms)
	while [ "$(gate_state)" != "$1" ]; do
		[ $(( $(now_ms) - t0 )) -ge "$2" ] && return 1
		sleep 0.05
	done
	echo $(( $(now_ms) - t0 ))
}
# login_over_telnet USER PASSWORD: prints what the session printed.
login_over_telnet() {
	{ sleep 2; printf '%s\r' "$1"; sleep 2; printf '%s\r' "$2"; sleep 4
	  printf 'echo "logged in as $(id -un)"\r'; sleep 2; printf 'exit\r'; sleep 1; } |
		telnet 127.0.0.1 23 2>&1 | tr -d '\r' | grep -v '^$'
}

# ---------------------------------------------------------------- device --
say "The device as it leaves the factory: blank root password, admin:admin"
# credgate: the agent's service user (etc/sysusers.d/credgate.conf).
printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000:admin:/home/admin:/bin/sh\ncredgate:x:999:999:credgate agent:/var/lib/credgate:/bin/false\n' >/etc/passwd
printf 'root:x:0:\nadmin:x:1000:\ncredgate:x:999:\n' >/etc/group
# No /etc/gshadow: BusyBox systems have none (not an error unless configured).
cat >/etc/shadow <<EOT
root::19000:0:99999:7:::
admin:$(mkpasswd -m sha512 admin):19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p /home/admin /root /www /etc/credgate /var/lib/credgate /run/credgate /var/log
chown 1000:1000 /home/admin
chmod 0755 / /home /root 2>/dev/null
echo '<h1>Example Smart Plug</h1>' >/www/index.html
cat >/etc/os-release <<'EOT'
NAME="ExampleOS"
VERSION_ID=3.2
IMAGE_VERSION=3.2.1
VENDOR_NAME="Example Devices Ltd"
SUPPORT_END=2031-12-31
EOT
cat >/etc/credgate/credgate.conf <<'EOT'
[gate]
backend = auto
[product]
manufacturer = Example Devices Ltd
model = ESP-100
support_end = 2031-12-31
support_url = https://example.com/support/esp-100
contact = mailto:security@example.com
contact = https://example.com/security/report
policy = https://example.com/security/policy
acknowledgement_days = 5
status_update_days = 30
preferred_languages = en
EOT
run cat /etc/shadow | sed 's/\$6\$[^:]*/$6$...(admin)/'

# ------------------------------------------------------------------ boot --
say "Boot: init starts credgated before any network service"
credgated --foreground >/var/log/credgated.log 2>&1 &
agent=$!
i=0
while [ ! -S /run/credgate/io.credgate.Device ] && [ $i -lt 600 ]; do
	kill -0 $agent 2>/dev/null || { cat /var/log/credgated.log; fail "credgated exited"; }
	sleep 0.1; i=$((i + 1))
done
sleep 1
[ "$(gate_state)" = closed ] || fail "gate is $(gate_state), expected closed"
pass "credgated running, gate closed ($(credgate gate status --json | sed -n 's/.*"backend":"\([a-z]*\)".*/\1/p') backend)"

say "Boot: init starts telnetd and httpd: the kernel refuses them"
run telnetd -F -p 23 -l /bin/login >/tmp/telnetd.out 2>&1 & t=$!
run httpd -f -p 80 -h /www >/tmp/httpd.out 2>&1 & h=$!
sleep 2
for p in $t $h; do kill -0 $p 2>/dev/null && fail "a service started while the gate is closed"; done
# What the transcript claims below, checked: each exited with an error
# and said its bind was refused with EACCES.
wait $t; t_rc=$?
wait $h; h_rc=$?
for d in telnetd httpd; do sed 's/^/    /' /tmp/$d.out; done
[ "$t_rc" -ne 0 ] || fail "telnetd exited with status 0 while the gate is closed"
[ "$h_rc" -ne 0 ] || fail "httpd exited with status 0 while the gate is closed"
grep -q 'bind: Permission denied' /tmp/telnetd.out || fail "telnetd did not fail with 'bind: Permission denied'"
grep -q 'bind: Permission denied' /tmp/httpd.out || fail "httpd did not fail with 'bind: Permission denied'"
pass "telnetd and httpd could not listen (bind: Permission denied; exit $t_rc and $h_rc)"
sleep 1

say "Why: credgated's log line for each refused service"
grep 'refused' /var/log/credgated.log | head -n 2 | sed 's/^/    /'
grep -q "refused .*telnetd" /var/log/credgated.log || fail "no log line names telnetd"

say "credgate status"
run credgate status
credgate status | grep -q 'admin' || fail "status does not name admin"

# --------------------------------------------------------------- migrate --
say "The fix: give every offending account a unique password"
run credgate migrate --policy random --credentials-out /root/credentials || fail "migrate failed"
run cat /root/credentials
new_root=$(awk -F'\t' '$2 == "root" {print $3}' /root/credentials)
new_admin=$(awk -F'\t' '$2 == "admin" {print $3}' /root/credentials)
[ -n "$new_admin" ] && [ -n "$new_root" ] || fail "credentials file lacks root or admin"

say "The gate opens by itself (migrate recorded the new passwords' verdicts: nothing to hash)"
ms=$(wait_state open 20000) || { tail -n 20 /var/log/credgated.log; fail "gate did not open"; }
pass "gate open ${ms} ms after the migration"
grep -E 'gate (open|opened)' /var/log/credgated.log | tail -n 1 | sed 's/^/    /'

say "init starts telnetd and httpd again: now they listen"
run telnetd -F -p 23 -l /bin/login & t=$!
run httpd -f -p 80 -h /www & h=$!
sleep 2
kill -0 $t 2>/dev/null || fail "telnetd did not start"
kill -0 $h 2>/dev/null || fail "httpd did not start"
run wget -q -O - http://127.0.0.1/ || fail "httpd does not serve"

say "Log in over (loopback) telnet with the new unique password"
out=$(login_over_telnet admin "$new_admin")
echo "$out" | grep -v -F "$new_admin" | sed 's/^/    /'
echo "$out" | grep -q 'logged in as admin' || fail "login with the new password failed"
pass "admin logged in with the new password"

say "The old factory default no longer works"
kill -0 $t 2>/dev/null || fail "telnetd is no longer running: cannot try the old default"
out=$(login_over_telnet admin admin)
echo "$out" | sed 's/^/    /'
echo "$out" | grep -q 'logged in as admin' && fail "the old default still logs in"
# Not logging in is not enough (a dead telnetd or a lost connection does
# not log in either): login itself must have refused the password.
echo "$out" | grep -q 'Connected to 127.0.0.1' || fail "telnet did not connect: the old default was not tried"
echo "$out" | grep -q 'Login incorrect' || fail "login did not say 'Login incorrect' for admin/admin"
pass "admin/admin refused (Login incorrect)"

# --------------------------------------------------------------- support --
say "What the device publishes: support period and disclosure contact"
run credgate support || fail "credgate support failed"
run credgate support --security-txt || fail "security.txt failed"

kill $t $h $agent 2>/dev/null
say "Demo complete: refused while default, migrated, opened"
exit 0
