#!/bin/sh
# SPDX-License-Identifier: MIT
# gate_lock_test.sh (inside the VM, as root): 'credgate gate lock' on
# whichever backend runs.  Lock lasts until reboot, so this is a shell test:
# run-suite.sh runs shell tests after every test binary.  Checks: lock is
# idempotent, mode and allow list changes fail with exit 2 and "mode is
# locked until reboot" and change nothing, open/close keep working and
# keep being enforced.  bpf: 'load --force' refuses a locked gate; then the
# pins are removed and the gate loaded afresh (what root can always do, see
# docs/design.md), leaving an unlocked gate behind.  Prints TAP.
n=0
fails=0
work=$(mktemp -d /tmp/gate_lock.XXXXXX)
trap 'rm -rf "$work"' EXIT

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# expect RC PATTERN DESCRIPTION CMD...
expect() {
	want=$1 pat=$2 d=$3
	shift 3
	"$@" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -q -- "$pat" "$work/out"; }; then
		ok "$d"
	else
		not_ok "$d (exit $rc, want $want)"
		sed 's/^/# /' "$work/out"
	fi
}
json() { credgate gate status --json 2>/dev/null; }
# serves PORT: does 'nc -l' on the wildcard address stay up?
serves() {
	nc -l -p "$1" </dev/null >"$work/nc" 2>&1 &
	pid=$!
	sleep 1
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"; wait "$pid" 2>/dev/null
		return 0
	fi
	wait "$pid" 2>/dev/null
	return 1
}

credgate gate load >/dev/null 2>&1	# bpf: make sure it is there; lsm: no-op
backend=$(json | sed -n 's/.*"backend":"\([a-z]*\)".*/\1/p')
echo "# backend: $backend"
case "$backend" in lsm|bpf) ok "backend detected ($backend)" ;; *) not_ok "no backend"; echo "1..$n"; exit 1 ;; esac

credgate gate close
json | grep -q '"locked":true' || credgate gate mode enforce
before=$(json | sed 's/"state":"[a-z]*",//; s/"locked":[a-z]*,//; s/"counters":.*//')

expect 0 'locked' "lock" credgate gate lock
expect 0 '' "lock again (idempotent)" credgate gate lock
expect 0 '"locked":true' "status shows locked" credgate gate status --json
expect 2 'mode is locked until reboot' "mode change refused, clear message" credgate gate mode off
expect 2 'mode is locked until reboot' "allow list change refused" credgate gate allow tcp:18121
expect 2 'mode is locked until reboot' "allow --reset refused" credgate gate allow --reset
after=$(json | sed 's/"state":"[a-z]*",//; s/"locked":[a-z]*,//; s/"counters":.*//')
if [ "$before" = "$after" ]; then ok "mode and allow list unchanged"; else not_ok "changed: $before -> $after"; fi

expect 0 '' "open works when locked" credgate gate open
if serves 18120; then ok "open gate serves on the wildcard"; else not_ok "open gate refused nc"; sed 's/^/# /' "$work/nc"; fi
expect 0 '' "close works when locked" credgate gate close
if serves 18120; then not_ok "closed gate let nc listen"; else
	if grep -q 'Permission denied' "$work/nc"; then ok "closed gate refuses nc (EACCES)"; else
		not_ok "nc failed for another reason"; sed 's/^/# /' "$work/nc"; fi
fi

if [ "$backend" = bpf ]; then
	expect 2 'locked until reboot' "load --force refuses a locked gate" credgate gate load --force
	# Root can remove the pins (docs/design.md, trust model): start afresh.
	rm -f /sys/fs/bpf/credgate/*
	expect 0 '^loaded' "reload after removing the pins" credgate gate load
	expect 0 '"locked":false' "fresh gate is unlocked" credgate gate status --json
fi

echo "1..$n"
[ "$fails" -eq 0 ]
