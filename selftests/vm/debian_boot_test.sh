#!/bin/sh
# SPDX-License-Identifier: MIT
# debian_boot_test.sh: the Debian 12 device image (scripts/vm/debian-image)
# as it boots, with systemd, OpenSSH and lighttpd, the project installed by
# `make install` and the factory accounts root/root and admin/admin.
# Runs as root once multi-user.target is reached (credgate-vm-run.service;
# scripts/check.d/vm-debian), prints TAP.  Not part of the initramfs
# suites (scripts/vm/check-suite leaves debian_* out).
#
#   closed at boot: credgated active, gate closed, sshd and lighttpd
#     refused (not listening), the journal names sshd and the accounts
#   credgate migrate --policy random: the gate opens and the agent's
#     restart of refused units (userspace/agent/restart.c) runs within
#     5 s and brings ssh (failed for good) and lighttpd up again, the test
#     restarting nothing itself
#   from the host (CREDGATE_VM_SSH_PROBE=IP:PORT, scripts/vm/run
#     --ssh-probe): ssh through QEMU's 127.0.0.1 forward is refused while
#     closed and logs in with the new password afterwards
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...: ok when COMMAND succeeds
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
gate_state() { credgate gate status --json 2>/dev/null | sed -n 's/.*"state":"\([a-z]*\)".*/\1/p'; }
listening() { # PORT: something listens on TCP PORT (any address)
	ss -Htln "sport = :$1" | grep -q .
}
journal_has() { # ERE: credgated's journal of this boot has a line matching it
	journalctl -b -o cat -u credgated.service --no-pager | grep -Eq "$1"
}
# The host's ssh client (scripts/vm/ssh-probe over QEMU's guestfwd):
# one request line in, one answer line out: ok, denied (wrong password) or
# refused (no ssh server answered).
probe() {
	echo "$*" | busybox nc "${CREDGATE_VM_SSH_PROBE%:*}" "${CREDGATE_VM_SSH_PROBE#*:}" 2>&1 | head -n 1
}

echo "# kernel $(uname -r), systemd $(systemctl --version | head -n 1), up $(cut -d' ' -f1 /proc/uptime) s"
echo "# system state: $(systemctl is-system-running 2>&1)"
# Where the boot time goes (systemd-analyze waits for the end of the boot,
# which this unit is part of): monotonic journal stamps of the milestones.
journalctl -b -o short-monotonic --no-pager 2>/dev/null |
	grep -E 'Run /init|EXT4-fs \(vda\): mounted|running in system mode|Starting credgated|Started credgated|first gate decision|Reached target (sysinit|basic|network|multi-user)\.target|Started ssh|Failed to start ssh' |
	sed 's/ credgate-debian / /; s/^/#   /'

# 1. Closed at boot.  lighttpd's first start may still be under way: wait
# (up to 120 s) for its refusal, so that the agent has noted it.
i=0
while [ $i -lt 120 ] && ! journal_has 'refused (bind|listen) of lighttpd '; do
	sleep 1
	i=$((i + 1))
done
[ $i -eq 0 ] || echo "# waited $i s for lighttpd's first bind"
check "systemd reached multi-user.target" systemctl -q is-active multi-user.target
check "credgated.service is active" systemctl -q is-active credgated.service
st=$(gate_state)
check "the gate is closed at boot (state '$st')" [ "$st" = closed ]
if listening 22; then
	not_ok "sshd refused: port 22 listens while the gate is closed"
	ss -Htlnp | sed 's/^/# /'
else
	ok "sshd refused: nothing listens on port 22 (ssh.service $(systemctl is-active ssh.service))"
fi
check "lighttpd refused: nothing listens on port 80 (lighttpd.service $(systemctl is-active lighttpd.service))" \
	sh -c '! ss -Htln "sport = :80" | grep -q .'
check "the journal names sshd, root and admin in credgated's refusal line" \
	journal_has 'refused (bind|listen) of sshd .*root \(default in /etc/shadow\).*admin \(default in /etc/shadow\)'
check "the journal names lighttpd in a refusal line" journal_has 'refused (bind|listen) of lighttpd '
echo "# $(credgate status 2>&1 | grep '^refusals:')"
journalctl -b -o short-monotonic --no-pager -u lighttpd.service | tail -n 8 | sed 's/^/# lighttpd: /'

if [ -n "${CREDGATE_VM_SSH_PROBE:-}" ]; then
	a=$(probe closed)
	check "host: ssh admin@127.0.0.1 through the port forward fails while closed ($a)" \
		[ "${a%% *}" = refused ]
else
	skip "host: ssh refused while closed" "no --ssh-probe (CREDGATE_VM_SSH_PROBE unset)"
fi

# 2. Migrate: the gate opens, the agent restarts the refused units.
creds=/root/credentials
rm -f "$creds"
if credgate migrate --policy random --credentials-out "$creds" >/tmp/migrate.log 2>&1; then
	ok "credgate migrate --policy random"
else
	not_ok "credgate migrate --policy random (status $?)"
	sed 's/^/# /' /tmp/migrate.log
fi
# Guest time from the end of migrate, by the clock (each probe costs time
# under TCG too).  The agent's part is bounded at 5 s: the gate opens and
# its helper restarts the refused units.  The services' own start comes on
# top and is slow under TCG (sshd: the config test and host keys, 4-6 s;
# lighttpd is restarted by the agent or by its own Restart=on-failure,
# whichever comes first), so their listening is bounded at 30 and 60 s.
elapsed() { awk -v t0="$1" '{ printf "%.1f", $1 - t0 }' /proc/uptime; }
within() { # SECONDS T0 COMMAND...: COMMAND succeeds before SECONDS pass
	lim=$1 t=$2; shift 2
	until "$@"; do
		awk -v e="$(elapsed "$t")" -v l="$lim" 'BEGIN { exit !(e >= l) }' && return 1
		sleep 0.1
	done
}
gate_open() { [ "$(gate_state)" = open ]; }
t0=$(cut -d' ' -f1 /proc/uptime)
within 5 "$t0" gate_open; e_gate=$(elapsed "$t0")
within 5 "$t0" journal_has 'gate open: restarting the [0-9]+ refused service'; rr=$?; er=$(elapsed "$t0")
within 30 "$t0" listening 22; r22=$?; e22=$(elapsed "$t0")
within 60 "$t0" listening 80; r80=$?; e80=$(elapsed "$t0")
echo "# after migrate: gate $(gate_state) at ${e_gate} s, agent's restart line at ${er} s, ssh $(systemctl is-active ssh.service) at ${e22} s, lighttpd $(systemctl is-active lighttpd.service) at ${e80} s"
journalctl -b -o short-monotonic --no-pager -u ssh.service | sed -n '/Failed to start/,$p' | sed 's/ credgate-debian / /; s/^/#   ssh: /'
st=$(gate_state)
check "the gate opens after migrate (state '$st')" [ "$st" = open ]
check "the agent restarts the refused units within 5 s of migrate (${er} s)" [ "$rr" = 0 ]
check "sshd listens on port 22 again within 30 s, restarted by the agent (${e22} s)" [ "$r22" = 0 ]
check "lighttpd listens on port 80 again within 60 s (${e80} s)" [ "$r80" = 0 ]
# ssh.service had failed for good (RestartPreventExitStatus=255: sshd's
# bind error): nothing but the agent's helper starts it again.
check "the journal shows ssh.service started again after its failure" \
	sh -c 'journalctl -b -o cat -u ssh.service --no-pager | sed -n "/Failed to start/,\$p" | grep -q "^Started ssh.service"'
if ! listening 22 || ! listening 80; then
	journalctl -b -o short-monotonic --no-pager -u credgated.service -u ssh.service -u lighttpd.service |
		tail -n 30 | sed 's/^/# /'
fi


if [ -n "${CREDGATE_VM_SSH_PROBE:-}" ]; then
	pw=$(awk -F '\t' '$2 == "admin" { print $3 }' "$creds" 2>/dev/null)
	if [ -z "$pw" ]; then
		not_ok "host: ssh with the new password: no admin line in $creds"
	else
		a=$(probe login admin "$pw")
		check "host: ssh admin@127.0.0.1 logs in with the password from migrate ($a)" [ "$a" = ok ]
		a=$(probe login admin admin)
		check "host: the factory password admin no longer logs in ($a)" [ "${a%% *}" = denied ]
	fi
else
	skip "host: ssh logs in after migrate" "no --ssh-probe (CREDGATE_VM_SSH_PROBE unset)"
	skip "host: factory password refused after migrate" "no --ssh-probe (CREDGATE_VM_SSH_PROBE unset)"
fi
echo "1..$n"
exit "$fail"
