#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shadow-utils' chpasswd and credgate migrate hammer the same tree in
# parallel: both take the lckpwdf lock (DIR/etc/.pwd.lock), so no round
# may lose an update, corrupt the file or leave a lock behind.
set -u
. "$(dirname "$0")/migrate_lib.inc"

ROUNDS=${CREDGATE_CONCURRENCY_ROUNDS:-200}
TMP=$(mktemp -d /tmp/cg-concurrency.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
T=$TMP/tree

if ! command -v chpasswd >/dev/null; then
	skip "chpasswd races credgate migrate" "chpasswd (package passwd) not installed"
	tap_end
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	skip "chpasswd races credgate migrate" "chpasswd -R needs root"
	tap_end
	exit
fi

mk_tree "$T"
sed -i 's/^alice:/alice:!/' "$T/etc/shadow"	# locked: cheap to audit
lost=0 unmigrated=0 corrupt=0 failed=0 first_bad=
for r in $(seq 1 "$ROUNDS"); do
	# Flag admin again (blank), sequentially.
	echo 'admin:' | chpasswd -e -R "$T" || failed=$((failed + 1))
	# Race: chpasswd sets alice to a value unique to this round while
	# credgate migrates admin.
	echo "alice:!round-$r" | chpasswd -e -R "$T" &
	cp_pid=$!
	# 200 rounds race on the lock, not on the hash: a cheap hash and
	# FAST (migrate_lib.inc) make the rounds short, so they overlap often.
	"$CG" migrate --root "$T" --per-device --policy random --user admin --credentials-out "$TMP/c$r" \
		--hash-method '$6$rounds=1000$' "${FAST[@]}" 2>>"$TMP/err" &
	cg_pid=$!
	wait $cp_pid || failed=$((failed + 1))
	wait $cg_pid || failed=$((failed + 1))
	s=$T/etc/shadow
	[ "$(shadow_field "$s" alice 2)" = "!round-$r" ] || lost=$((lost + 1))
	pw=$(cut -f3 "$TMP/c$r" 2>/dev/null)
	verifies "$pw" "$(shadow_field "$s" admin 2)" || unmigrated=$((unmigrated + 1))
	# Every line 9 fields, the same five accounts in the same order.
	if [ "$(awk -F: 'NF != 9 { bad = 1 } { printf "%s ", $1 } END { if (bad) print "BAD" }' "$s")" \
	     != "root admin guest alice svc " ]; then
		corrupt=$((corrupt + 1))
		[ -n "$first_bad" ] || first_bad=$r
	fi
	rm -f "$TMP/c$r"
done

check "$ROUNDS rounds: every chpasswd and credgate run succeeded" [ "$failed" -eq 0 ]
check "no lost update: chpasswd's change survived every round" [ "$lost" -eq 0 ]
check "no lost update: credgate's change survived every round" [ "$unmigrated" -eq 0 ]
check "no corrupted file (9 fields, same accounts) ${first_bad:+(first at round $first_bad)}" \
	[ "$corrupt" -eq 0 ]
# A parse check, not a verdict: FAST's options (migrate_lib.inc).
check "the store parses: credgate audit exits 0 or 1" \
	bash -c '"$1" audit --root "$2" --no-builtin --depth fast >/dev/null; [ $? -le 1 ]' _ "$CG" "$T"
check "no stale shadow-utils lock file (etc/*.lock)" \
	[ -z "$(ls "$T/etc" | grep -E '\.lock$|\+$')" ]
check "no stale credgate temporary file" [ -z "$(ls -A "$T/etc" | grep -F .credgate-)" ]
check "the lckpwdf lock is free" python3 -c '
import fcntl, sys
with open(sys.argv[1], "w") as f:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)' "$T/etc/.pwd.lock"

tap_end
