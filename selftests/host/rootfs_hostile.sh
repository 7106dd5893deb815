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

# 6b. A character device (here /dev/null's numbers: harmless if opened,
#     but never opened) and a Unix socket in the store's place.
r=$(fresh chardev)
rm "$r/etc/shadow"; mknod "$r/etc/shadow" c 1 3
run "$CG" audit --root "$r" "${FAST[@]}"
check "character device store: audit fails (exit 2), 'not a regular file'" \
	sh -c '[ "$1" -eq 2 ] && printf "%s" "$2" | grep -q "not a regular file"' _ "$rc" "$err"
migrate "$r"
check "character device store: migrate fails (exit 2), still a device" [ "$rc" -eq 2 ] && [ -c "$r/etc/shadow" ]
r=$(fresh socket)
rm "$r/etc/shadow"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$r/etc/shadow"
run "$CG" audit --root "$r" "${FAST[@]}"
check "socket store: audit fails (exit 2), 'not a regular file'" \
	sh -c '[ "$1" -eq 2 ] && printf "%s" "$2" | grep -q "not a regular file"' _ "$rc" "$err"
run "$CG" passwd --root "$r" --no-cache admin <<<"Vq7#another-Strong-94"
check "socket store: passwd fails (exit 2)" [ "$rc" -eq 2 ]

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

# 10. A user name that is not UTF-8: text output escapes the bytes, JSON
#     stays valid UTF-8 (python's strict decoder), exit 1 for the blank one.
r=$(fresh utf8)
printf 'r\377o\303t:x:1006:1006::/:/bin/sh\n' >>"$r/etc/passwd"
printf 'r\377o\303t::19000:0:99999:7:::\n' >>"$r/etc/shadow"
run "$CG" audit --root "$r" "${FAST[@]}"
out=$("$CG" audit --root "$r" "${FAST[@]}" 2>&1)
check "invalid UTF-8 in a user name: exit 1 (blank found), printed as r\\xffo\\xc3t" \
	sh -c '[ "$1" -eq 1 ] && printf "%s" "$2" | grep -qF "r\\xffo\\xc3t"' _ "$rc" "$out"
"$CG" audit --root "$r" "${FAST[@]}" --json >"$TMP/utf8.json" 2>/dev/null
check "invalid UTF-8 in a user name: --json is valid UTF-8 JSON naming r\\xffo\\xc3t" \
	python3 -c 'import json, sys; d = json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict")); sys.exit(0 if any(a["user"] == "r\\xffo\\xc3t" for a in d["accounts"]) else 1)' "$TMP/utf8.json"

# 11. A 100 MB store (over the 64 MiB read limit) and a 1 MiB line: clear
#     messages, exit 2, no crash; migrate changes nothing.
r=$(fresh huge)
yes 'u:!:19000:0:99999:7:::' | head -c 100M >"$r/etc/shadow"
sum=$(sha256sum <"$r/etc/shadow")
run "$CG" audit --root "$r" "${FAST[@]}"
check "100 MB store: audit exit 2, the message names the file and the size limit" \
	sh -c '[ "$1" -eq 2 ] && printf "%s" "$2" | grep -q "etc/shadow.*too large"' _ "$rc" "$err"
migrate "$r"
check "100 MB store: migrate exit 2, store unchanged" \
	sh -c '[ "$1" -eq 2 ] && [ "$(sha256sum <"$2")" = "$3" ]' _ "$rc" "$r/etc/shadow" "$sum"
r=$(fresh longline)
{ printf 'admin:'; head -c 1048576 /dev/zero | tr '\0' 'a'; printf ':19000:0:99999:7:::\n'; } >>"$r/etc/shadow"
sum=$(sha256sum <"$r/etc/shadow")
run "$CG" audit --root "$r" "${FAST[@]}"
check "1 MiB line: audit exit 2, the message names file:line and the limit" \
	sh -c '[ "$1" -eq 2 ] && printf "%s" "$2" | grep -q "etc/shadow:[0-9]*: line is [0-9]* bytes long (limit 65536)"' _ "$rc" "$err"
migrate "$r"
check "1 MiB line: migrate exit 2, store unchanged" \
	sh -c '[ "$1" -eq 2 ] && [ "$(sha256sum <"$2")" = "$3" ]' _ "$rc" "$r/etc/shadow" "$sum"

check "the sentinel outside every tree is untouched" untouched
tap_end
