#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/tap-count (the strict TAP reader of make check) fed crafted
# streams: every way a suite can lose or hide a result must come out as a
# failure, and well-formed streams (kselftest harness, shell tests, the VM
# suites' one stream per VM) must count exactly.  Also scripts/check-manifest
# on crafted runs.  Prints TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
TC=$top/scripts/tap-count
CM=$top/scripts/check-manifest
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }

if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP /usr/bin/python3 not installed (scripts/deps.sh)"
	exit 0
fi
printf 'known|a known bug|handed to its owner, issue 99\n' >"$T/known"

# feed DESC "PASS FAIL SKIP" EXIT-STATUS [GREP-PATTERN]: run tap-count on
# $T/in (a suite that prints it and exits with EXIT-STATUS) and compare
# the counts it appends, and optionally grep its echoed output.
feed() {
	local desc=$1 want=$2 rc=$3 pat=${4:-} logs=$T/logs got
	rm -rf "$logs"; mkdir -p "$logs"; : >"$logs/counts"
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	CHECK_LOGS=$logs CHECK_KNOWN_BUGS=$T/known "$TC" known \
		sh -c 'cat "$1"; exit "$2"' sh "$T/in" "$rc" >"$T/out" 2>&1
	got=$(cat "$logs/counts")
	if [ "$got" != "$want" ]; then
		nok "$desc: counts '$got', want '$want'"
		sed 's/^/# /' "$T/out"
	elif [ -n "$pat" ] && ! grep -q -- "$pat" "$T/out"; then
		nok "$desc: output lacks '$pat'"
		sed 's/^/# /' "$T/out"
	else
		ok "$desc ($want)"
	fi
}
input() { printf '%s\n' "$@" >"$T/in"; }

input "1..2" "ok 1 - a" "ok 2 - b"
feed "leading plan, all ok" "2 0 0" 0 '^\[known\] ok 2 - b$'
input "ok 1 - a" "ok 2 - b # SKIP no widget" "1..2"
feed "trailing plan, one skip" "1 0 1" 0
input "1..2 # a note after the plan" "ok 1 - a" "not ok 2 - b"
feed "plan with trailing text: the later failure is kept" "1 1 0" 0 'not ok 2 - b'
input "ok 1 - a" "not ok 2 - b" "1..2 # trailing plan with a note"
feed "trailing plan with a note" "1 1 0" 0
input "1..0 # SKIP no frobnicator here"
feed "plan 1..0 with a SKIP reason: one skip" "0 0 1" 0
if grep -q 'no frobnicator here' "$T/logs/suites"; then
	ok "the 1..0 SKIP reason is recorded in \$CHECK_LOGS/suites"
else
	nok "the 1..0 SKIP reason is recorded in \$CHECK_LOGS/suites"; sed 's/^/# /' "$T/logs/suites"
fi
input "1..0"
feed "1..0 without a SKIP reason is a failure" "0 1 0" 0 'without "# SKIP reason"'
input "1..0 # SKIP nothing" "ok 1 - a"
feed "1..0 followed by results is a failure" "1 1 1" 0
input "1..2" "ok 1 - a" "not ok 2 - b # TODO not listed"
feed "not ok with TODO, not in known-bugs, is a failure" "1 1 0" 0 'TODO is a failure'
input "1..2" "ok 1 - a" "not ok 2 - a known bug # TODO see the known-bugs file"
feed "not ok with TODO listed in known-bugs is a skip, reason shown" "1 0 1" 0 'known bug: handed to its owner'
input "1..1" "not ok 1 - b # SKIP not really"
feed "not ok with a SKIP directive is a failure" "0 1 0" 0
input "1..1" "ok 1 - a # TODO bonus"
feed "ok with TODO counts as a pass" "1 0 0" 0
input "1..2" "ok 1 - a" "ok 2 - b" "ok 3 - c"
feed "more results than planned is a failure" "3 1 0" 0 'more than planned'
input "1..3" "ok 1 - a" "ok 2 - b"
feed "fewer results than planned is a failure" "2 1 0" 0 'fewer than planned'
input "ok 1 - a" "ok 2 - b"
feed "results without a plan are a failure" "2 1 0" 0 'without a plan'
input "1..2" "ok 1 - a" "ok 2 - b"
feed "exit status 1 with every result ok is a failure" "2 1 0" 1 'exited with status 1'
input "1..1" "not ok 1 - a"
feed "exit status 1 with a failing result: one failure" "0 1 0" 1
input "starting" "some output, no TAP at all"
feed "no results at all is a failure" "0 1 0" 0 'no results'
: >"$T/in"
feed "empty output is a failure" "0 1 0" 0 'no results'
input "1..3" "ok 1 - a" "Bail out! database gone"
feed "Bail out! is a failure (and the short plan too)" "1 2 0" 0 'Bail out! database gone'
input "1..3" "ok 1 - a" "ok 3 - c" "ok 2 - b"
feed "results out of sequence are a failure" "3 2 0" 0 'numbered 3, expected 2'
input "1..x" "ok 1 - a"
feed "malformed plan is a failure" "1 2 0" 0 'malformed plan'
input "1..2" "ok 1 - a" "  not ok 2 - b"
feed "a result line indented by 2 is a failure, never dropped" "1 2 0" 0 'unexpected indentation'
input "1..2" "ok 1 - a" "	not ok 2 - b"
feed "a result line indented by a tab is a failure" "1 2 0" 0 'unexpected indentation'
input "1..2" "ok 1 - a \# SKIP escaped" "ok 2 - b # skipped: lower-case directive"
feed "an escaped hash is no directive, a lower-case skip is" "1 0 1" 0
printf '1..2\r\nok 1 - a\r\nnot ok 2 - b\r\n' >"$T/in"
feed "CRLF line ends" "1 1 0" 0
input "1..2" "ok 1 - a" "  ---" "  message: 'not ok 5 - inside YAML'" "  ..." "ok 2 - b"
feed "YAML block after a result is not results" "2 0 0" 0
input "TAP version 14" "1..2" "    # Subtest: group" "    1..2" "    ok 1 - x" "    ok 2 - y" \
	"ok 1 - group" "ok 2 - b"
feed "TAP 14 subtest, all ok: only the parent counts" "2 0 0" 0
input "TAP version 14" "1..1" "    1..2" "    ok 1 - x" "    not ok 2 - y" "ok 1 - group"
feed "failed subtest under an ok parent is a failure" "1 1 0" 0 'failed but its parent says ok'
input "TAP version 14" "1..1" "    1..2" "    ok 1 - x" "ok 1 - group"
feed "short subtest under an ok parent is a failure" "1 1 0" 0 'fewer than planned'
input "1..1" "ok 1 - a" "    1..1" "    not ok 1 - x"
feed "subtest not closed by a parent result is a failure" "1 2 0" 0 'not closed by a parent'
input "TAP version 12" "1..1" "ok 1 - a"
feed "unknown TAP version is a failure" "1 1 0" 0
input "known: stderr chatter" "1..1" "ok 1 - a" "okay, not a result" "not okay either"
feed "lines that only look like results are ignored" "1 0 0" 0

# The kselftest harness as it prints (selftests/host/*.c).
input "TAP version 13" "1..2" "# Starting 2 tests from 1 test cases." \
	"#  RUN           global.a ..." "#            OK  global.a" "ok 1 global.a" \
	"#  RUN           global.b ..." "#      SKIP      no device" "ok 2 global.b # SKIP no device" \
	"# PASSED: 2 / 2 tests passed." "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0"
feed "kselftest harness stream" "1 0 1" 0
input "TAP version 13" "1..2" "ok 1 global.a" "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0"
feed "kselftest Totals disagreeing with the results is a failure" "1 3 0" 0 'Totals'
input "TAP version 13" "1..2" "ok 1 global.a" "ok 2 global.b" \
	"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0"
feed "kselftest Totals with a failure the stream shows as ok" "2 1 0" 0 'Totals'

# Several streams in one suite, as the VM suites print one per VM.
input "# credgate in-VM suite" "ok 1 - lsm backend: credgate active" "1..1" \
	"ok 1 - bpf_pin_test # SKIP bpf only" "1..1" \
	"# setup: lsm backend" "TAP version 13" "1..2" "ok 1 g.a" "ok 2 g.b" \
	"# setup: lsm backend" "ok 1 - sh a" "ok 2 - sh b" "ok 3 - sh c" "1..3"
feed "one stream per VM, each with its plan" "6 0 1" 0
input "ok 1 - setup" "1..1" "TAP version 13" "1..3" "ok 1 g.a" "ok 2 g.b" \
	"not ok 1 - gate_test crashed (signal 11)" "ok 1 - sh a" "1..1"
feed "a stream cut short by a crash is a failure beyond the crash line" "4 3 0" 0 'fewer than planned'
input "1..2" "ok 1 - a" "ok 2 - b" "1..2" "ok 1 - c"
feed "second stream short" "3 1 0" 0 'fewer than planned'

# The known-bugs file itself must give reasons.
printf 'known|a known bug\n' >"$T/known"
input "1..1" "not ok 1 - a known bug # TODO"
feed "known-bugs entry without a reason is a failure" "0 2 0" 0 'reason required'
printf 'known|a known bug|handed to its owner, issue 99\n' >"$T/known"

# A command that cannot be run at all.
rm -rf "$T/logs"; mkdir -p "$T/logs"; : >"$T/logs/counts"
CHECK_LOGS=$T/logs "$TC" gone "$T/no-such-binary" >"$T/out" 2>&1
if [ "$(cat "$T/logs/counts")" = "0 1 0" ] && grep -q '^\[gone\] not ok' "$T/out"; then
	ok "missing suite binary is a failure"
else
	nok "missing suite binary is a failure: $(cat "$T/logs/counts")"; sed 's/^/# /' "$T/out"
fi
if grep -q '^gone	0	1	0	[0-9]*	' "$T/logs/suites" && grep -q '^gone [0-9.]*$' "$T/logs/times"; then
	ok "suites and times files written"
else
	nok "suites and times files written"; sed 's/^/# /' "$T/logs/suites" "$T/logs/times"
fi

# scripts/check-manifest on crafted runs.
# man DESC WANT-EXIT PATTERN: run check-manifest on $T/manifest, $T/suites.
man() {
	local desc=$1 want=$2 pat=$3 rc
	CHECK_LOGS=$T "$CM" "$T/manifest" "$T/suites" >"$T/mout" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -q -- "$pat" "$T/mout"; then
		ok "check-manifest: $desc"
	else
		nok "check-manifest: $desc (exit $rc, want $want, pattern '$pat')"; sed 's/^/# /' "$T/mout"
	fi
	if [ "$want" -ne 0 ] && ! grep -q '^not ok' "$T/mout"; then
		nok "check-manifest: $desc: failing run without a 'not ok' line"
	fi
}
tab=$(printf '\t')
printf 'a 3\nb 2\nc 1 skip-ok: no such hardware here\n' >"$T/manifest"
printf 'a%s3%s0%s0%s1%s\nb%s2%s0%s1%s1%s\nc%s0%s0%s1%s1%sno hw\n' \
	"$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" \
	"$tab" "$tab" "$tab" "$tab" "$tab" >"$T/suites"
man "every suite at its minimum, listed skip with its reason" 0 '# SKIP.*no such hardware here'
sed -i '/^b/d' "$T/suites"
man "a suite missing from the run fails it" 1 'not ok.*b: not run'
printf 'a%s2%s0%s1%s1%s\nb%s2%s0%s0%s1%s\nc%s1%s0%s0%s1%s\n' \
	"$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" \
	"$tab" "$tab" "$tab" "$tab" "$tab" >"$T/suites"
man "a suite short of its minimum fails the run" 1 'not ok.*a: 2 passed, minimum 3'
printf 'a 3\nb 2\n' >"$T/manifest"
printf 'a%s0%s0%s1%s1%sDebian kernel not available\nb%s2%s0%s0%s1%s\n' \
	"$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" >"$T/suites"
man "a suite skipped as a whole without skip-ok fails the run, reason shown" 1 \
	'not ok.*a: skipped as a whole.*Debian kernel not available'
printf 'a%s3%s0%s0%s1%s\nb%s2%s0%s0%s1%s\nz%s5%s0%s0%s1%s\n' \
	"$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" "$tab" \
	"$tab" "$tab" "$tab" "$tab" "$tab" >"$T/suites"
man "a suite not in the manifest fails the run" 1 'not ok.*z: ran but is not in'
printf 'a 0\n' >"$T/manifest"
man "a minimum below 1 is a malformed manifest" 1 'not ok.*minimum'
printf 'a 3 skip-ok:\n' >"$T/manifest"
man "skip-ok without a reason is a malformed manifest" 1 'not ok.*reason'
echo "1..$n"
