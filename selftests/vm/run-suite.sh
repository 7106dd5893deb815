#!/bin/sh
# SPDX-License-Identifier: MIT
# run-suite.sh: run every in-VM test (inside the VM, as root) and print TAP.
# Runs /usr/libexec/credgate/selftests/*_test (kselftest harness binaries)
# and *_test.sh, passing their TAP through.  A test that crashes, hangs
# (SUITE_TEST_TIMEOUT seconds, default 300) or exits non-zero without
# printing a "not ok" line gets a "not ok" line of its own, so the host
# (scripts/tap-count) never counts a broken test as passed.
# Tests named bpf_* run only on backend bpf, lsm_* only on lsm (SKIP line
# otherwise); debian_* are not run here (they need the Debian image:
# scripts/check.d/vm-debian).
# Environment: CREDGATE_BACKEND=lsm|bpf selects the backend set-up;
# SUITE_ONLY=NAME runs just that test ("none": only the set-up), and
# SUITE_SETUP_TAP=0 reports the set-up only when it fails (scripts/vm/
# check-suite boots one VM per test, so that state a test leaves behind,
# e.g. a lock that holds until reboot, cannot break the next one).
dir=${SUITE_DIR:-/usr/libexec/credgate/selftests}
only=${SUITE_ONLY:-}
setup_tap=${SUITE_SETUP_TAP:-1}
backend=${CREDGATE_BACKEND:-}
per_test_timeout=${SUITE_TEST_TIMEOUT:-300}
n=0
failed=0
log=$(mktemp /tmp/run-suite.XXXXXX)

ok() { n=$((n + 1)); echo "ok $n - $*"; }
setup_ok() {
	if [ "$setup_tap" = 1 ]; then ok "$@"; else echo "# setup: $*"; fi
}
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

echo "# credgate in-VM suite: backend=$backend kernel=$(uname -r)"
echo "# active LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"

# Protocol modules (stock kernel), before the bpf gate is loaded: its
# programs read SCTP and SMC structures through module BTF (mkinitramfs
# lists them in dependency order).  A module that does not load leaves
# its protocol absent, and the tests that need it say SKIP.
if [ -f /lib/modules/net-modules ]; then
	while read -r m; do
		insmod "/lib/modules/$m.ko" 2>"$log" ||
			echo "# insmod $m: $(cat "$log")"
	done </lib/modules/net-modules
fi

case "$backend" in
lsm)
	if grep -qw credgate /sys/kernel/security/lsm 2>/dev/null; then
		setup_ok "lsm backend: credgate in the active LSM list"
	else
		not_ok "lsm backend: credgate not in the active LSM list"
	fi
	;;
bpf)
	if ! command -v credgate >/dev/null; then
		setup_ok "bpf backend load # SKIP credgate not built"
	elif credgate gate load >"$log" 2>&1; then
		setup_ok "bpf backend load (credgate gate load)"
	elif grep -q 'not implemented' "$log"; then
		setup_ok "bpf backend load # SKIP credgate gate not built"
	else
		not_ok "bpf backend load (credgate gate load failed)"
		sed 's/^/# /' "$log"
	fi
	;;
*)
	not_ok "CREDGATE_BACKEND is '$backend', expected lsm or bpf"
	;;
esac

for t in "$dir"/*_test "$dir"/*_test.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t")
	# debian_*: tests of the Debian image (scripts/check.d/vm-debian).
	case "$name" in debian_*) continue ;; esac
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	found=1
	case "$name:$backend" in
	bpf_*:lsm|lsm_*:bpf)
		ok "$name # SKIP tests backend ${name%%_*} only (this VM: $backend)"
		continue ;;
	esac
	case "$t" in
	*.sh) timeout "$per_test_timeout" sh "$t" </dev/null >"$log" 2>&1 ;;
	*) timeout "$per_test_timeout" "$t" </dev/null >"$log" 2>&1 ;;
	esac
	rc=$?
	cat "$log"
	reported=$(grep -c -E '^(not )?ok ' "$log")
	failures=$(grep -c '^not ok ' "$log")
	if [ "$rc" -eq 143 ] || [ "$rc" -eq 124 ]; then
		not_ok "$name timed out after ${per_test_timeout}s"
	elif [ "$rc" -gt 128 ]; then
		not_ok "$name crashed (signal $((rc - 128)))"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$failures" -eq 0 ]; then
		# 4 is KSFT_SKIP: fine when the test said why in its TAP.
		not_ok "$name exited with status $rc without reporting a failure"
	elif [ "$reported" -eq 0 ]; then
		not_ok "$name reported no TAP results (exit status $rc)"
	fi
	[ "$failures" -eq 0 ] || failed=1
done
if [ -n "$only" ] && [ "$only" != none ] && [ -z "${found:-}" ]; then
	case "$only" in
	debian_*) not_ok "SUITE_ONLY=$only: runs only in the Debian image (scripts/check.d/vm-debian)" ;;
	*) not_ok "SUITE_ONLY=$only: no such test in $dir" ;;
	esac
fi
rm -f "$log"
exit "$failed"
