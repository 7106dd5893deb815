#!/bin/sh
# SPDX-License-Identifier: MIT
# decision_yescrypt_test.sh (inside the VM, as root; CREDGATE_BACKEND=lsm|bpf):
# when the gate opens and closes under the shipped configuration with
# yescrypt at its default cost (issue 10's VM tests).  The hashes and their
# device-independent verdicts come from the host (scripts/vm/decision-data,
# `make vm-data`), as an image build seeds them, and the VM hashes only its
# derived candidates: BusyBox cannot make yescrypt hashes, and unseeded one
# hash costs about 1 s under TCG, a full audit about 25 minutes.  root with
# a common password keeps the gate closed over the whole audit; `credgate
# passwd` writes a yescrypt hash and the gate opens within 1 s; a foreign
# default closes it within 1 s; a foreign good password opens it once its
# derived candidates are judged; a foreign sequential one closes it within
# 1 s and keeps it closed over its whole audit.
# Two vCPUs (scripts/vm/check-suite reads the line below): the audit runs
# one thread per online CPU; this takes half as long.
# vm-smp: 2
# vm-timeout: 600
# Prints TAP.
. "$(dirname "$0")/decision_lib.inc"
need_host_data
ip link del cgtest0 2>/dev/null	# no more derived candidates than needed

# --- B. yescrypt, seeded from the host --------------------------------------
common=$(hash_from_host common) sequential=$(hash_from_host sequential)
default=$(hash_from_host default) good=$(hash_from_host good)
cat >/etc/shadow <<EOT
root:$common:19000:0:99999:7:::
admin:!:19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p "$work/b"
cp "$data/audit.cache" "$work/b/audit.cache" && chmod 0600 "$work/b/audit.cache"
start_agent "$work/credgate.conf" "$work/b" "$work/b.log"
expect_never_open "yescrypt, root common (seeded)" "$work/b.log" 'full audit: 1 account(s) hold it closed: root (common'

passwd_then_foreign_default yescrypt '$y$' "$work/b" "$default"
set_hash root "$good"
if ms=$(wait_state open 240000); then
	ok "yescrypt, a good password written by a foreign tool (seeded): gate open once judged, after $ms ms"
else
	not_ok "yescrypt, foreign good password: gate still $(gate_state) after $ms ms"; show "$work/b.log"
fi
set_hash root "$sequential"
if ms=$(wait_state closed "$LIMIT_MS"); then
	ok "yescrypt, a sequential password written by a foreign tool (seeded): gate closed after $ms ms"
else
	not_ok "yescrypt, foreign sequential password: gate still $(gate_state) after $ms ms"; show "$work/b.log"
fi
expect_never_open "yescrypt, root sequential (seeded)" "$work/b.log" 'full audit: 1 account(s) hold it closed: root (sequential'
stop_agent

echo "1..$n"
[ "$fails" -eq 0 ]
