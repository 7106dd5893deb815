#!/bin/sh
# SPDX-License-Identifier: MIT
# run-suite.sh: run every in-VM test (inside the VM, as root) and print TAP.
# Runs /usr/libexec/credgate/selftests/*_test (kselftest harness binaries)
# and *_test.sh, passing their TAP through.  A test that crashes, hangs
# (SUITE_TEST_TIMEOUT seconds, default 300) or exits non-zero without
# printing a "not ok" line gets a "not ok" line of its own, so the host
# (scripts/tap-count) never counts a broken test as passed.
# Environment: CREDGATE_BACKEND=lsm|bpf selects the backend set-up.
dir=${SUITE_DIR:-/usr/libexec/credgate/selftests}
backend=${CREDGATE_BACKEND:-}
per_test_timeout=${SUITE_TEST_TIMEOUT:-300}
n=0
failed=0
log=$(mktemp /tmp/run-suite.XXXXXX)

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

echo "# credgate in-VM suite: backend=$backend kernel=$(uname -r)"
echo "# active LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"

case "$backend" in
lsm)
	if grep -qw credgate /sys/kernel/security/lsm 2>/dev/null; then
		ok "lsm backend: credgate in the active LSM list"
	else
		not_ok "lsm backend: credgate not in the active LSM list"
	fi
	;;
bpf)
	if ! command -v credgate >/dev/null; then
		ok "bpf backend load # SKIP credgate not built"
	elif credgate gate load >"$log" 2>&1; then
		ok "bpf backend load (credgate gate load)"
	elif grep -q 'not implemented' "$log"; then
		ok "bpf backend load # SKIP credgate gate not built"
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
rm -f "$log"
exit "$failed"
