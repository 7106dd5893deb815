#!/bin/sh
# SPDX-License-Identifier: MIT
# debian_fleet_guest.sh: the device side of selftests/vm/ansible_fleet_test.sh
# (suite vm-ansible).  Runs as root in the Debian 12 device image once
# multi-user.target is reached (credgate-vm-run.service), prints TAP.
#
# The fleet rollout order of docs/integration.md ("An existing fleet"):
# the gate goes to permissive first, so that sshd can listen while the
# factory accounts root/root and admin/admin are still there; the
# controller then audits, migrates and switches to enforce over SSH.
# Permissive is this VM's own setting ([gate] mode in its snapshot's
# credgate.conf and `credgate gate mode`): the image's default (enforce,
# gate closed at boot: vm-debian) does not change.
#
# The controller's public key comes in CREDGATE_VM_AUTHKEY (root logs in
# with it: Debian's sshd refuses root's password).  The VM stays up until
# the controller creates /run/credgate-fleet-done (or 840 s pass).
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...: ok when COMMAND succeeds
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
gate_field() { credgate gate status --json 2>/dev/null | sed -n "s/.*\"$1\":\"\([a-z]*\)\".*/\1/p"; }
listening() { ss -Htln "sport = :$1" | grep -q .; }

echo "# kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s, gate $(gate_field state)/$(gate_field mode)"
install -d -m 0700 /root/.ssh
printf '%s\n' "${CREDGATE_VM_AUTHKEY:-}" >/root/.ssh/authorized_keys
chmod 0600 /root/.ssh/authorized_keys
check "controller's key installed for root" [ -n "${CREDGATE_VM_AUTHKEY:-}" ]

sed -i 's/^mode = .*/mode = permissive/' /etc/credgate/credgate.conf
check "credgate gate mode permissive" credgate gate mode permissive
check "gate permissive, still closed (the defaults are there)" \
	[ "$(gate_field mode)/$(gate_field state)" = permissive/closed ]
# sshd failed at boot (bind refused); start it again.
systemctl reset-failed ssh.service
systemctl restart ssh.service
i=0
while [ $i -lt 300 ] && ! listening 22; do sleep 0.1; i=$((i + 1)); done
check "sshd listens on port 22 in permissive mode" listening 22
echo "# ready for the controller at $(cut -d' ' -f1 /proc/uptime) s"

i=0
while [ ! -e /run/credgate-fleet-done ] && [ $i -lt 8400 ]; do sleep 0.1; i=$((i + 1)); done
check "the controller said done (/run/credgate-fleet-done)" [ -e /run/credgate-fleet-done ]
check "at the end: gate open, mode enforce ($(gate_field state)/$(gate_field mode))" \
	[ "$(gate_field state)/$(gate_field mode)" = open/enforce ]
check "at the end: credgate.conf says mode = enforce" grep -q '^mode = enforce' /etc/credgate/credgate.conf
echo "1..$n"
exit "$fail"
