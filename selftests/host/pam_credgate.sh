#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# pam_credgate.so in a private PAM stack (selftests/pam/pam_harness:
# pam_start_confdir, never the host's /etc/pam.d, never its /etc/shadow):
# a new password the audit would flag is refused with the tier and the
# reason (blank, default, sequential, common, derived from a MAC and from
# the live hostname), a good one is accepted; the 'record' line after the
# writer records a trusted verdict for exactly the hash written, so the
# next audit hashes nothing; bad module arguments are a service error
# naming the argument.  Shipped lists and configuration.  Prints TAP.
#   CREDGATE_BUILD   build directory (default: build)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${CREDGATE_BUILD:-$root/build}
CG=$B/credgate
MOD=$B/pam_credgate.so
H=$B/selftests/pam/pam_harness
T=$(mktemp -d /tmp/cg-pam.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
check() { # NAME CMD...
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
not() { ! "$@"; }

for f in "$MOD" "$H" "$CG"; do
	[ -e "$f" ] || { echo "1..0 # SKIP $f not built (make tests; PAM=1 needs libpam0g-dev)"; exit 0; }
done
command -v mkpasswd >/dev/null || { echo "1..0 # SKIP mkpasswd not installed (scripts/deps.sh)"; exit 0; }
for m in pam_permit.so pam_exec.so; do
	ls /usr/lib/*/security/$m /lib/*/security/$m >/dev/null 2>&1 ||
		{ echo "1..0 # SKIP $m not installed (libpam-modules)"; exit 0; }
done
host_sum=$(sha256sum /etc/shadow /etc/passwd 2>/dev/null)

# Options every line shares: a private configuration and cache, the
# device identifiers the tests derive from.
: >"$T/credgate.conf"
opts="config=$T/credgate.conf device_id=mac=00:11:22:AA:BB:CC"
mkdir -p "$T/pam.d"
cat >"$T/pam.d/check" <<EOF2
password requisite $MOD $opts
password required pam_permit.so
EOF2
change() { # SERVICE ANSWER...: a password change for root; output in $T/out
	"$H" "$T/pam.d" "$1" root "${@:2}" >"$T/out" 2>&1
}
refused() { # VERDICT-ERE PASSWORD: refused with the tier and the reason, never echoed
	change check "$2" "$2"
	local rc=$?
	[ "$rc" -eq 20 ] && grep -Eq "^ERROR: credgate: refused \(($1)\): it is " "$T/out" &&
		{ [ -z "$2" ] || not grep -qF -- "$2" "$T/out"; }
}

# --- 1. Refused, with the tier and why -----------------------------------
check "blank refused (blank, 'it is empty')" refused blank ''
for p in admin admin1; do
	check "'$p' refused (default: a factory default password)" refused default "$p"
done
check "'admin7' refused (sequential)" refused sequential admin7
for p in 123456 sunshine; do
	check "'$p' refused (on the shipped default or common lists)" refused 'default|common' "$p"
done
check "'iloveyou' refused (common)" refused common iloveyou
check "a MAC-derived password refused (derived)" refused derived 00:11:22:aa:bb:cc
check "the MAC without colons refused (derived)" refused derived 001122aabbcc
if unshare -u true 2>/dev/null; then
	unshare -u sh -c 'hostname gw-kitchen-4711 && exec "$0" "$1" check root gw-kitchen-4711 gw-kitchen-4711' \
		"$H" "$T/pam.d" >"$T/out" 2>&1
	rc=$?
	check "the live hostname refused (derived; unshare -u)" \
		[ "$rc" -eq 20 ] && grep -q "^ERROR: credgate: refused (derived): it is derived from one of the device's identifiers" "$T/out"
else
	skip "the live hostname refused (derived)" "unshare -u not permitted here"
fi
check "the message says the gate would stay closed" \
	grep -q 'the gate would stay closed. Choose another (nothing was changed)' "$T/out"

# --- 2. Accepted ----------------------------------------------------------
good='Hq7-Vw3m-Zx8'
change check "$good" "$good"
check "a random password accepted (PAM_SUCCESS, prompted twice)" \
	[ "$?" -eq 0 ] && [ "$(grep -c '^PROMPT' "$T/out")" -eq 2 ] && not grep -q '^ERROR' "$T/out"
change check "$good" "${good}x"
check "two different answers refused (AUTHTOK_ERR)" [ "$?" -eq 20 ]
printf 'password requisite %s %s retry=3\npassword required pam_permit.so\n' "$MOD" "$opts" >"$T/pam.d/retry"
change retry admin admin "$good" "$good"
check "retry=3: a refused password, then a good one accepted" \
	[ "$?" -eq 0 ] && grep -q 'refused (default)' "$T/out"
printf 'password requisite %s %s enforce_for_root=no\npassword required pam_permit.so\n' "$MOD" "$opts" >"$T/pam.d/noroot"
change noroot admin admin
check "enforce_for_root=no: root may set a default, with a warning" \
	[ "$?" -eq 0 ] && grep -q '^INFO: credgate: warning: it is a factory default' "$T/out"
printf 'password requisite %s %s use_authtok\npassword required pam_permit.so\n' "$MOD" "$opts" >"$T/pam.d/useauthtok"
change useauthtok "$good" "$good"
check "use_authtok without an earlier module's password: refused, no prompt" \
	[ "$?" -ne 0 ] && not grep -q '^PROMPT' "$T/out"

# --- 3. Bad module arguments: PAM_SERVICE_ERR naming the argument ---------
for bad in bogus retry=0 retry=x store=nosuch:/x 'enforce_for_root=maybe' config= device_id=colour=red; do
	printf 'password requisite %s %s\npassword required pam_permit.so\n' "$MOD" "$bad" >"$T/pam.d/bad"
	change bad "$good" "$good"
	rc=$?
	check "bad argument '$bad': PAM_SERVICE_ERR, named" \
		[ "$rc" -eq 3 ] && grep -qF "bad module argument '$bad'" "$T/out"
done
echo '[audit]' >"$T/broken.conf"; echo 'nosuchkey = 1' >>"$T/broken.conf"
printf 'password requisite %s config=%s\npassword required pam_permit.so\n' "$MOD" "$T/broken.conf" >"$T/pam.d/bad"
change bad "$good" "$good"
check "a broken credgate.conf: PAM_SERVICE_ERR" [ "$?" -eq 3 ] && grep -q 'cannot read its configuration' "$T/out"

# --- 4. The record line: a trusted verdict for exactly the hash written ---
# A writer in pam_unix's place (pam_exec: pam_unix writes /etc/shadow
# only): it sets root's hash in a private shadow to WRITE_PW's.
mkdir -p "$T/r"
printf 'root:%s:19000:0:99999:7:::\n' "$(mkpasswd -m sha-512 admin)" >"$T/r/shadow"
chmod 0640 "$T/r/shadow"
cat >"$T/writer" <<EOF2
#!/bin/sh
h=\$(mkpasswd -m sha-512 "\$(cat "$T/r/write_pw")") || exit 1
printf 'root:%s:19500:0:99999:7:::\n' "\$h" >"$T/r/shadow.new" && mv "$T/r/shadow.new" "$T/r/shadow"
EOF2
chmod +x "$T/writer"
ropts="$opts store=shadow:$T/r/shadow cache=$T/r/audit.cache"
cat >"$T/pam.d/record" <<EOF2
password requisite $MOD $ropts
password required pam_exec.so quiet $T/writer
password optional $MOD record $ropts
EOF2
audit_stats() { # -> $T/a.err; exit status of a full audit of the private shadow
	CREDGATE_AUDIT_STATS=1 "$CG" audit --config "$T/credgate.conf" --device-id mac=00:11:22:AA:BB:CC \
		--store "shadow:$T/r/shadow" --cache "$T/r/audit.cache" --depth full >/dev/null 2>"$T/a.err"
}
printf '%s' "$good" >"$T/r/write_pw"
change record "$good" "$good"
rc=$?
check "stack with the record line: PAM_SUCCESS, the writer set the new hash" \
	[ "$rc" -eq 0 ] && [ "$(perl -e '$h = $ARGV[1]; print crypt($ARGV[0], $h) eq $h ? "y" : "n"' "$good" \
		"$(cut -d: -f2 "$T/r/shadow")")" = y ]
check "the cache is the caller's, mode 0600" [ "$(stat -c %a "$T/r/audit.cache" 2>/dev/null)" = 600 ]
audit_stats
rc=$?
check "its verdict was recorded: a full audit passes hashing nothing" \
	[ "$rc" -eq 0 ] && grep -q 'verifications=0 ' "$T/a.err"
# A writer that stores some other password's hash: nothing recorded.
rm -f "$T/r/audit.cache"
printf '%s' 'Other-9Kp-Lw4' >"$T/r/write_pw"
change record "$good" "$good"
audit_stats
rc=$?
check "a hash not of the judged password is not recorded (the audit hashes it)" \
	[ "$rc" -eq 0 ] && not grep -q 'verifications=0 ' "$T/a.err"
# Without the record line the audit hashes the new password itself.
rm -f "$T/r/audit.cache"
printf '%s' "$good" >"$T/r/write_pw"
sed -i '/ record /d' "$T/pam.d/record"
change record "$good" "$good"
audit_stats
check "control: without the record line the audit hashes" not grep -q 'verifications=0 ' "$T/a.err"

# --- 5. With credgated (--backend none): open within 1 s, no hashing -----
# shellcheck disable=SC2034 # cli and pid are agent_lib.inc's
agent=$B/credgated cli=$CG work=$T/agent pid=''
if [ -x "$agent" ]; then
	. "$(dirname "$0")/agent_lib.inc"
	# Bounded stop: credgated was seen spinning in sched_yield() after
	# SIGTERM (reported to its owner); never hang the suite on it.
	stop_agent() {
		[ -n "$pid" ] || return 0
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=''
	}
	trap 'stop_agent; rm -rf "$T"' EXIT
	mkdir -p "$work/etc" "$work/state"
	printf 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n' >"$work/etc/passwd"
	root_hash='!'	# locked: nothing to hash but admin's
	write_shadow "$root_hash" "$(hash admin)"
	printf '[gate]\nbackend = none\n[audit]\nstores = shadow:%s passwd:%s\n' \
		"$work/etc/shadow" "$work/etc/passwd" >"$work/credgate.conf"
	cat >"$T/awriter" <<EOF2
#!/bin/sh
printf 'root:%s:19000:0:99999:7:::\nadmin:%s:19500:0:99999:7:::\n' '$root_hash' "\$(mkpasswd -m sha-512 '$good')" >"$work/etc/shadow.tmp" &&
	mv "$work/etc/shadow.tmp" "$work/etc/shadow"
EOF2
	chmod +x "$T/awriter"
	aopts="config=$work/credgate.conf cache=$work/state/audit.cache"
	cat >"$T/pam.d/agent" <<EOF2
password requisite $MOD $aopts
password required pam_exec.so quiet $T/awriter
password optional $MOD record $aopts
EOF2
	# Under ASan (san-sh-pam_credgate) the agent runs without leak
	# detection: LeakSanitizer needs ptrace, which its seccomp refuses.
	if ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 start_agent "$work/credgate.conf" &&
		wait_for not_compliant 5000 >/dev/null; then
		"$H" "$T/pam.d" agent admin "$good" "$good" >"$T/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && ms=$(wait_for compliant 1000); then
			check "passwd through the stack: the agent is compliant within 1 s (${ms} ms)" true
		else
			check "passwd through the stack: the agent is compliant within 1 s (rc $rc)" false
			sed 's/^/# /' "$T/out" "$work/agent.log"
		fi
		check "the agent hashed nothing for it (trusted record)" \
			bash -c "CREDGATE_AUDIT_STATS=1 '$CG' audit --config '$work/credgate.conf' --cache '$work/state/audit.cache' --depth full 2>&1 | grep -q 'verifications=0 '"
	else
		check "credgated started and found admin's default" false
		sed 's/^/# /' "$work/agent.log"
	fi
	stop_agent
else
	skip "passwd through the stack with credgated" "$agent not built"
	skip "the agent hashed nothing for it" "$agent not built"
fi

check "the host's /etc/shadow and /etc/passwd are untouched" \
	[ "$(sha256sum /etc/shadow /etc/passwd 2>/dev/null)" = "$host_sum" ]
echo "1..$n"
