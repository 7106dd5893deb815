#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host tests of 'credgate gate': argument checking, the "neither backend"
# message and the lsm backend against a fake securityfs tree.  Nothing here
# touches the host kernel's gate: CREDGATE_SYSFS_ROOT points every backend
# lookup at a temporary directory, and 'load' is only run where detection
# fails first.  Prints TAP.
set -u
CREDGATE=${CREDGATE_BUILD:-build}/credgate
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

# expect RC PATTERN DESCRIPTION -- COMMAND...: exit status and output (both streams)
expect() {
	local want=$1 pat=$2 what=$3 out rc
	shift 4
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && { [ -z "$pat" ] || grep -qE -- "$pat" <<<"$out"; }; then
		ok "$what"
	else
		not_ok "$what (exit $rc, want $want; output: $out)"
	fi
}

none=$tmp/none
mkdir -p "$none/sys/kernel/security"
echo "capability,landlock,yama" >"$none/sys/kernel/security/lsm"
missing=$tmp/missing
mkdir -p "$missing"

fake=$tmp/lsm
sec=$fake/sys/kernel/security
mkdir -p "$sec/credgate"
echo "capability,credgate,bpf" >"$sec/lsm"
printf 'closed\n' >"$sec/credgate/state"
printf 'enforce\n' >"$sec/credgate/mode"
printf 'udp:68 udp:546\n' >"$sec/credgate/allow_ports"
printf '0\n' >"$sec/credgate/lock"
printf 'bind_refused 3\nbind_audited 0\nlisten_refused 7\nlisten_audited 1\n' >"$sec/credgate/stats"

cg() { "$CREDGATE" gate "$@"; }
with() { local root=$1; shift; CREDGATE_SYSFS_ROOT=$root "$CREDGATE" gate "$@"; }

expect 0 'usage: credgate gate' "--help prints usage" -- cg --help
expect 0 '^  mode enforce\|permissive\|off ' "--help: the mode line names the modes" -- cg --help
expect 0 'usage: credgate gate' "help prints usage" -- cg help
expect 2 'bad --backend "kvm"' "bad --backend value is named" -- cg --backend kvm status
expect 2 '--backend needs a value' "--backend without value" -- cg --backend
expect 2 "unknown gate command 'frobnicate'" "unknown command" -- with "$fake" frobnicate
expect 2 "unknown option '--bogus'" "unknown option" -- cg status --bogus
expect 2 'bad entry "tcp:x"' 'bad entry "tcp:x" is named' -- with "$fake" allow tcp:80 tcp:x
expect 2 'bad entry "tcp:0"' "port 0 refused" -- with "$fake" allow tcp:0
expect 2 'bad entry "udp:65536"' "port 65536 refused" -- with "$fake" allow udp:65536
expect 2 'bad entry "-1"' "negative port refused" -- with "$fake" allow -- -1
expect 2 'bad entry "raw:80"' "unknown protocol refused" -- with "$fake" allow raw:80
expect 2 'bad entry "80": allow-list entries name a protocol now: write udp:80 .*tcp:80 or sctp:80' \
	"bare port (old syntax): clear error showing the new one" -- with "$fake" allow 80
expect 2 'bad mode "bogus"' "bad mode is named" -- with "$fake" mode bogus
expect 2 'usage: credgate gate mode' "mode without value" -- with "$fake" mode
expect 2 'usage: credgate gate open' "open takes no arguments" -- with "$fake" open now
expect 2 'usage: credgate gate status \[--json\]' "status takes no arguments" -- with "$fake" status now
expect 2 "unknown option '-x'" "unknown short option" -- cg -x status
expect 2 'neither the credgate LSM nor BPF LSM' "no backend: clear message, exit 2" -- with "$none" status
expect 2 'neither the credgate LSM nor BPF LSM' "no securityfs: same message" -- with "$missing" status
expect 2 'neither the credgate LSM nor BPF LSM' "load with no backend fails before loading" -- with "$none" load
expect 2 'credgate LSM is not active' "--backend lsm without the LSM" -- with "$none" --backend lsm status
expect 2 'nothing to load' "load --backend lsm" -- with "$fake" --backend lsm load

expect 0 '' "lsm status (fake securityfs)" -- with "$fake" status
want='{"backend":"lsm","state":"closed","mode":"enforce","locked":false,"allow_ports":["udp:68","udp:546"],"counters":{"bind_refused":3,"bind_audited":0,"listen_refused":7,"listen_audited":1}}'
expect 0 "^$(sed 's/[][{}.]/\\&/g' <<<"$want")\$" "status --json matches the contract" -- with "$fake" status --json
expect 0 '^udp:68 udp:546$' "allow prints the list" -- with "$fake" allow

: >"$sec/credgate/state"
with "$fake" open >/dev/null 2>&1
[ "$(cat "$sec/credgate/state")" = open ] && ok "open writes 'open'" || not_ok "open writes 'open'"
: >"$sec/credgate/mode"
with "$fake" mode permissive >/dev/null 2>&1
[ "$(cat "$sec/credgate/mode")" = permissive ] && ok "mode writes the name" || not_ok "mode writes the name"
printf 'udp:68 udp:546\n' >"$sec/credgate/allow_ports"
with "$fake" allow tcp:8443 tcp:80 sctp:9 >/dev/null 2>&1
grep -q '^udp:68 udp:546 tcp:80 tcp:8443 sctp:9$' "$sec/credgate/allow_ports" && ok "allow adds entries (sorted, replaces list)" ||
	not_ok "allow adds ports: $(cat "$sec/credgate/allow_ports")"
: >"$sec/credgate/allow_ports"
with "$fake" allow --reset >/dev/null 2>&1
[ "$(cat "$sec/credgate/allow_ports")" = "" ] && ok "allow --reset clears" || not_ok "allow --reset clears"

printf '1\n' >"$sec/credgate/lock"
printf 'enforce\n' >"$sec/credgate/mode"
expect 2 'mode is locked until reboot' "locked: mode change refused with a clear message" -- with "$fake" mode off
expect 2 'mode is locked until reboot' "locked: allow change refused" -- with "$fake" allow tcp:80
grep -qx enforce "$sec/credgate/mode" && ok "locked: mode file untouched" || not_ok "locked: mode file untouched"
expect 0 '"locked":true' "status shows the lock" -- with "$fake" status --json

chmod 0755 "$tmp"
chmod 0644 "$sec/credgate/state"
if [ "$(id -u)" -ne 0 ]; then
	expect 2 'needs CAP_MAC_ADMIN' "EACCES explained" -- with "$fake" close
elif command -v setpriv >/dev/null; then
	expect 2 'needs CAP_MAC_ADMIN' "EACCES explained" -- \
		env CREDGATE_SYSFS_ROOT="$fake" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$(realpath "$CREDGATE")" gate close
else
	ok "EACCES explained # SKIP root ignores file modes and no setpriv"
fi

echo "1..$n"
exit "$failed"
