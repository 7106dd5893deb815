#!/bin/sh
# SPDX-License-Identifier: MIT
# demo-debian.sh: `make demo DEVICE=debian`.  Runs inside the Debian 12
# device image (scripts/vm/debian-image: systemd, OpenSSH, lighttpd, the
# factory accounts root/root and admin/admin, lighttpd's admin/admin) once
# multi-user.target is reached (credgate-vm-run.service), and shows, as a
# transcript: ssh and the web server refused at boot with credgated's
# journal line, ssh from the host refused, the migration, both services
# back by themselves, ssh and curl from the host with the new passwords,
# and passwd refusing admin with the reason.  The host's side (ssh, curl)
# runs through QEMU forwards on 127.0.0.1 (scripts/vm/ssh-probe).  Exits
# non-zero as soon as a step does not behave as shown.
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
fail() { printf '\nDEMO FAILED: %s\n' "$*"; exit 1; }
pass() { printf '    [ok] %s\n' "$*"; }
gate_state() { credgate gate status --json 2>/dev/null | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }
gate_open() { [ "$(gate_state)" = open ]; }
listening() { ss -Htln "sport = :$1" | grep -q .; }
probe() { echo "$*" | busybox nc "${CREDGATE_VM_SSH_PROBE%:*}" "${CREDGATE_VM_SSH_PROBE#*:}" 2>&1 | head -n 1; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v t0="$1" '{ printf "%.1f", $1 - t0 }' /proc/uptime; }
wait_for() { # SECONDS COMMAND...: COMMAND succeeds within SECONDS
	lim=$1 t=$(uptime_s)
	shift
	until "$@"; do
		awk -v e="$(since "$t")" -v l="$lim" 'BEGIN { exit !(e >= l) }' && return 1
		sleep 0.2
	done
}
[ -n "${CREDGATE_VM_SSH_PROBE:-}" ] || fail "no host probe (scripts/demo runs this with --ssh-probe)"

say "A Debian 12 device as it leaves the factory: root/root, admin/admin, web UI admin/admin"
run systemctl is-active credgated.service ssh.service lighttpd.service
# lighttpd's first start may still be under way: its refusal line below.
wait_for 120 sh -c 'journalctl -b -o cat -u credgated.service | grep -q "refused .* of lighttpd "' ||
	fail "no refusal of lighttpd in credgated's journal"
[ "$(gate_state)" = closed ] || fail "the gate is $(gate_state), expected closed"
pass "systemd started credgated before the network services; the gate is closed"
listening 22 && fail "sshd listens while the gate is closed"
listening 80 && fail "lighttpd listens while the gate is closed"
pass "nothing listens on ports 22 and 80"

say "Why: credgated's line in the journal"
journalctl -b -o cat -u credgated.service | grep 'refused .* of sshd ' | head -n 1 | fold -s -w 100 | sed 's/^/    /'
journalctl -b -o cat -u credgated.service | grep -q 'refused .* of sshd .*admin (default in /etc/shadow)' ||
	fail "no journal line names sshd and admin"

say "From the host: ssh admin@127.0.0.1 through the port forward"
a=$(probe closed)
echo "    $a"
[ "${a%% *}" = refused ] || fail "ssh from the host was not refused ($a)"
pass "no ssh server answers"

say "credgate status"
run credgate status

say "The fix: give every offending account and the web UI a unique password"
rm -f /root/credentials
run credgate migrate --policy random --credentials-out /root/credentials || fail "migrate failed"
t0=$(uptime_s)
awk -F '\t' '{ printf "    %s  %s  %s\n", $1, $2, "(new password, " length($NF) " characters)" }' /root/credentials
pw=$(awk -F '\t' '$1 == "/etc/shadow" && $2 == "admin" { print $NF }' /root/credentials)
wpw=$(awk -F '\t' '$1 == "/etc/lighttpd/lighttpd.user" && $2 == "admin" { print $NF }' /root/credentials)
if [ -z "$pw" ] || [ -z "$wpw" ]; then
	fail "the credentials file lacks admin's login or web password"
fi

say "sshd and lighttpd come back by themselves (nobody types systemctl restart)"
wait_for 10 gate_open || fail "the gate did not open"
pass "the gate is open $(since "$t0") s after migrate"
wait_for 60 listening 22 || fail "sshd did not come back"
wait_for 60 listening 80 || fail "lighttpd did not come back"
pass "ssh and lighttpd listen $(since "$t0") s after migrate"
journalctl -b -o cat -u credgated.service | grep 'gate open: restarting' | tail -n 1 | sed 's/^/    /'
journalctl -b -o cat -u ssh.service | sed -n '/Failed to start/,$p' | grep -m 1 '^Started' | sed 's/^/    ssh.service: /'

say "From the host: ssh with the new password, then with the old one"
a=$(probe login admin "$pw")
echo "    new password: $a"
[ "$a" = ok ] || fail "ssh with the new password failed ($a)"
a=$(probe login admin admin)
echo "    admin/admin:  ${a%% *}"
[ "${a%% *}" = denied ] || fail "the factory password was not denied ($a)"
pass "admin logs in with the new password only"

say "From the host: curl the web UI with the new password, then with admin/admin"
a=$(probe http admin "$wpw")
echo "    new password: $a"
[ "$a" = "ok 200" ] || fail "curl with the new web password failed ($a)"
a=$(probe http admin admin)
echo "    admin/admin:  $a"
[ "${a%% *}" = denied ] || fail "the factory web password was not denied ($a)"
pass "the web UI accepts the new password only"

say "Somebody tries to set admin again: passwd refuses it, with the reason"
printf '$ passwd admin\n'
out=$( (for _ in 1 2 3 4 5 6; do sleep 2; echo admin; done) | script -qec 'passwd admin' /dev/null 2>&1)
echo "$out" | tr -d '\r' | grep -v '^admin$' | sed 's/^/    /'
echo "$out" | grep -q 'refused (default): it is a factory default password' || fail "passwd did not refuse admin"
[ "$(gate_state)" = open ] || fail "the gate closed"
pass "admin's password is unchanged and the gate stays open"

say "Security support and disclosure, published on the device"
run credgate support

printf '\nDEMO OK\n'
