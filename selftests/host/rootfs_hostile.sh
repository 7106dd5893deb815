#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A hostile --root tree cannot make credgate read or write outside it
# (docs/audit.md, "--root containment"): symlinks at the store, at etc/, at
# the lock file and at the backup name, ".." in configured store paths,
# FIFOs, directories and devices in a store's place.  A sentinel directory
# outside the tree holds copies of what a follower would touch; it must be
# byte-for-byte the same afterwards, and every case ends with a message and
# a documented exit code.
set -u
. "$(dirname "$0")/migrate_lib.inc"

TMP=$(mktemp -d /tmp/cg-hostile.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
S=$TMP/sentinel
mkdir -p "$S/etc"
mk_tree "$TMP/src"
cp "$TMP/src/etc/shadow" "$S/shadow"
cp "$TMP/src/etc/shadow" "$S/etc/shadow"
cp "$TMP/src/etc/passwd" "$S/etc/passwd"
echo backup >"$S/backup"
sentinel_sum() {
	(cd "$S" && find . -printf '%p %y %s %m\n' | sort && find . -type f -exec sha256sum {} + | sort) |
		sha256sum
}
before=$(sentinel_sum)
untouched() { [ "$(sentinel_sum)" = "$before" ]; }

# fresh NAME: a copy of the small tree at $TMP/NAME.
fresh() { rm -rf "${TMP:?}/$1"; cp -a "$TMP/src" "$TMP/$1"; echo "$TMP/$1"; }
# run CMD...: its exit status in $rc, its stderr in $err.
run() { err=$("$@" 2>&1 >/dev/null); rc=$?; }
migrate() { run "$CG" migrate --root "$1" --policy lock "${FAST[@]}"; }

# 1. The lock file is a symlink out of the tree.
r=$(fresh lock)
ln -s "$S/nologin" "$r/etc/.pwd.lock"
migrate "$r"
check "lock symlink: migrate refuses (exit 2)" [ "$rc" -eq 2 ]
check "lock symlink: the message names .pwd.lock" grep -q 'pwd.lock' <<<"$err"
check "lock symlink: nothing created outside the tree" [ ! -e "$S/nologin" ]
run "$CG" provision --root "$r" --secret-file /dev/stdin --serial SN1 --user admin <<<"0123456789abcdef0123456789abcdef"
check "lock symlink: provision refuses (exit 2), nothing outside" [ "$rc" -eq 2 ] && [ ! -e "$S/nologin" ]
run "$CG" passwd --root "$r" --no-cache admin <<<"Vq7#another-Strong-94"
check "lock symlink: passwd refuses (exit 2), nothing outside" [ "$rc" -eq 2 ] && [ ! -e "$S/nologin" ]

# 2. etc/ is an absolute symlink to a directory outside the tree.
r=$TMP/etcabs
rm -rf "$r"; mkdir -p "$r"; ln -s "$S/etc" "$r/etc"
migrate "$r"
check "etc -> outside (absolute): migrate fails (exit 2)" [ "$rc" -eq 2 ]
run "$CG" audit --root "$r" "${FAST[@]}"
check "etc -> outside (absolute): audit fails (exit 2), reads nothing outside" \
	[ "$rc" -eq 2 ] && not grep -q admin <<<"$err"

# 3. The store is a relative symlink climbing out, or the host's own file.
r=$(fresh rel)
rm "$r/etc/shadow"; ln -s ../../../../../../../../"$S/shadow" "$r/etc/shadow"
migrate "$r"
check "shadow -> ../../.. (relative): migrate fails (exit 2)" [ "$rc" -eq 2 ]
r=$(fresh host)
rm "$r/etc/shadow"; ln -s /etc/shadow "$r/etc/shadow"
run "$CG" audit --root "$r" "${FAST[@]}" --json
check "shadow -> /etc/shadow: audit fails (exit 2), not the host's file" [ "$rc" -eq 2 ]

# 4. A configured store path with "..".
r=$(fresh dotdot)
printf '[audit]\nstores = shadow:/../%s/shadow\n' "${S#/}" >"$r/etc/credgate/credgate.conf"
run "$CG" audit --root "$r" "${FAST[@]}"
check "stores = shadow:/../...: audit fails (exit 2)" [ "$rc" -eq 2 ]
check "stores = shadow:/../...: the message says why" grep -q "'\.\.' component" <<<"$err"
run "$CG" migrate --root "$r" --policy lock "${FAST[@]}"
check "stores = shadow:/../...: migrate fails (exit 2)" [ "$rc" -eq 2 ]

# 5. A FIFO in the store's place is never opened (a writer waits for a reader).
r=$(fresh fifo)
rm "$r/etc/shadow"; mkfifo "$r/etc/shadow"
timeout 5 sh -c "echo x >'$r/etc/shadow'" &
writer=$!
run timeout 20 "$CG" audit --root "$r" "${FAST[@]}"
check "FIFO store: audit fails at once (exit 2), no hang" [ "$rc" -eq 2 ]
check "FIFO store: 'not a regular file'" grep -q 'not a regular file' <<<"$err"
wait "$writer"
check "FIFO store: never opened (the waiting writer timed out)" [ $? -eq 124 ]

# 6. A directory in the store's place.
r=$(fresh dir)
rm "$r/etc/shadow"; mkdir "$r/etc/shadow"
run "$CG" audit --root "$r" "${FAST[@]}"
check "directory store: audit fails (exit 2)" [ "$rc" -eq 2 ]

# 7. The backup name is a symlink out of the tree: replaced, not followed.
r=$(fresh backup)
ln -s "$S/backup" "$r/etc/shadow-"
migrate "$r"
check "shadow- -> outside: migrate succeeds (exit 0)" [ "$rc" -eq 0 ]
check "shadow- -> outside: now a regular file in the tree" [ -f "$r/etc/shadow-" ] && [ ! -L "$r/etc/shadow-" ]

# 8. The store itself is a symlink inside the tree: read, never written through.
r=$(fresh inner)
mkdir -p "$r/data"; mv "$r/etc/shadow" "$r/data/shadow"; ln -s ../data/shadow "$r/etc/shadow"
cp "$r/data/shadow" "$TMP/inner.orig"
migrate "$r"
check "shadow -> ../data/shadow: migrate refuses (exit 2), store unchanged" \
	[ "$rc" -eq 2 ] && cmp -s "$r/data/shadow" "$TMP/inner.orig"

# 9. A user name with a terminal escape sequence is never printed raw.
r=$(fresh escape)
printf 'ev\033[2Jil:x:1005:1005::/:/bin/sh\n' >>"$r/etc/passwd"
printf 'ev\033[2Jil::19000:0:99999:7:::\n' >>"$r/etc/shadow"
out=$("$CG" audit --root "$r" "${FAST[@]}" 2>&1)
check "escape sequence in a user name: printed as \\x1b, no ESC byte" \
	sh -c 'printf "%s" "$1" | grep -qF "ev\\x1b[2Jil" && ! printf "%s" "$1" | grep -q "$(printf "\033")"' _ "$out"

check "the sentinel outside every tree is untouched" untouched
tap_end
