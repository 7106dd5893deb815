#!/bin/sh
# SPDX-License-Identifier: MIT
# decision_sha512_test.sh (inside the VM, as root; CREDGATE_BACKEND=lsm|bpf):
# when the gate opens and closes under the shipped configuration with
# sha512crypt at its default cost, hashes made in the VM by BusyBox mkpasswd,
# nothing seeded (issue 10's VM tests): root with a sequential password
# keeps the gate closed over the whole full audit (polled every 50 ms);
# `credgate passwd` refuses a default, a counter, the hostname and a
# MAC-derived password with the reason and accepts a random one, and the
# gate opens within 1 s; a default written by a foreign tool closes it
# within 1 s; a good password written by a foreign tool opens it once every
# candidate is hashed.  The common sha512crypt case is in agent_test.sh.
# Two vCPUs (scripts/vm/check-suite reads the line below): the audit runs
# one thread per online CPU, so its parallel verification runs here.
# vm-smp: 2
# vm-timeout: 600
# Prints TAP.
. "$(dirname "$0")/decision_lib.inc"

# --- A. sha512crypt, nothing seeded -----------------------------------------
cat >/etc/shadow <<EOT
root:$(mkpasswd -m sha512 support3):19000:0:99999:7:::
admin:!:19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p "$work/a"
start_agent "$work/credgate.conf" "$work/a" "$work/a.log"
expect_never_open "sha512crypt, root sequential" "$work/a.log" 'full audit: 1 account(s) hold it closed: root (sequential'

cp -p /etc/shadow "$work/a.shadow"
for bad in admin admin2 "$host" "$mac_pw"; do
	if [ -z "$bad" ]; then
		ok "passwd refuses a MAC-derived password # SKIP no dummy interface in this VM"
		continue
	fi
	passwd_as root "$bad" "$work/a"; rc=$?
	if [ "$rc" -eq 1 ] && grep -q 'passwd: refused: it is ' "$work/passwd.err" &&
		cmp -s /etc/shadow "$work/a.shadow" && ! grep -q "$bad" "$work/passwd.out"; then
		ok "passwd refuses '$bad': $(sed -n 's/.*refused: \(it is [^;]*\);.*/\1/p' "$work/passwd.err")"
	else
		not_ok "passwd '$bad': exit $rc, shadow $(cmp -s /etc/shadow "$work/a.shadow" && echo unchanged || echo CHANGED)"
		show "$work/passwd.err"
	fi
done
passwd_then_foreign_default sha512crypt '$6$' "$work/a" "$(mkpasswd -m sha512 admin)"
set_hash root "$(mkpasswd -m sha512 "$(random_pw)")"
if ms=$(wait_state open 240000); then
	ok "sha512crypt, a good password written by a foreign tool: gate open once judged, after $ms ms"
else
	not_ok "sha512crypt, foreign good password: gate still $(gate_state) after $ms ms"; show "$work/a.log"
fi
stop_agent

echo "1..$n"
[ "$fails" -eq 0 ]
