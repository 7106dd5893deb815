#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgate migrate on temporary device trees: the three policies, what
# stays byte-identical (owner, mode, xattrs, SELinux label, ACL), and every
# failure path (exit 2, store untouched; a symlinked credentials file).
set -u
. "$(dirname "$0")/migrate_lib.inc"

TMP=$(mktemp -d /tmp/cg-migrate-cli.XXXXXX)
MOUNTS=()
cleanup() {
	for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
ALPHA='[23456789abcdefghijkmnpqrstuvwxyz]'

# --- policy random -----------------------------------------------------------
T=$TMP/random
mk_tree "$T"
cp -a "$T/etc/shadow" "$TMP/shadow.orig"
xattr_ok=false
getfattr -n user.cg "$T/etc/shadow" >/dev/null 2>&1 && xattr_ok=true
# An SELinux label (stored as a plain security.* xattr where SELinux is off,
# as on the host) and a POSIX ACL (setfacl, package acl) on the store.
label=system_u:object_r:shadow_t:s0
label_ok=false acl_ok=false
setfattr -n security.selinux -v "$label" "$T/etc/shadow" 2>/dev/null && label_ok=true
setfacl -m u:credgate:r "$T/etc/shadow" 2>/dev/null && acl_ok=true

# --hash-method with 1000 rounds and --depth fast: this part is about what
# random writes and keeps (migrate_lib.inc, FAST); the store's own method
# is kept in the "default method" checks below.
"$CG" migrate --root "$T" --per-device --policy random --credentials-out "$TMP/creds" \
	--hash-method '$6$rounds=1000$' --depth fast 2>"$TMP/err"
check "random: exit 0" [ $? -eq 0 ]
check "random: credentials file is mode 0600" [ "$(stat -c %a "$TMP/creds")" = 600 ]
check "random: one line per flagged account (admin, guest), documented format" \
	[ "$(grep -cE "^/etc/shadow	(admin|guest)	$ALPHA{16}\$" "$TMP/creds")" = 2 -a \
	  "$(wc -l <"$TMP/creds")" = 2 ]
all_verify=true
while IFS=$'\t' read -r store user pw; do
	verifies "$pw" "$(shadow_field "$T/etc/shadow" "$user" 2)" || all_verify=false
done <"$TMP/creds"
check "random: every new password verifies with perl crypt()" $all_verify
check "random: the passwords differ" \
	[ "$(cut -f3 "$TMP/creds" | sort -u | wc -l)" = 2 ]
check "random: plaintext never on stderr" \
	not grep -qF "$(cut -f3 "$TMP/creds" | head -1)" "$TMP/err"
check "random: credgate audit now exits 0" "$CG" audit --root "$T" >/dev/null
check "random: unflagged lines byte-identical" \
	cmp -s <(grep -vE '^(admin|guest):' "$TMP/shadow.orig") \
	       <(grep -vE '^(admin|guest):' "$T/etc/shadow")
check "random: migrated lines keep fields 4-9, last change is today" \
	[ "$(cut -d: -f4- "$TMP/shadow.orig" | sed -n 2,3p)" = \
	  "$(cut -d: -f4- "$T/etc/shadow" | sed -n 2,3p)" -a \
	  "$(shadow_field "$T/etc/shadow" admin 3)" = $(($(date +%s) / 86400)) ]
check "random: owner, group and mode preserved" \
	[ "$(stat -c %u:%g:%a "$T/etc/shadow")" = 0:42:640 ]
if $xattr_ok; then
	check "random: user.* xattr preserved" \
		[ "$(getfattr --only-values -n user.cg "$T/etc/shadow" 2>/dev/null)" = keep ]
else
	skip "random: user.* xattr preserved" "user xattrs not supported on $(df --output=fstype /tmp | tail -1)"
fi
if $label_ok; then
	check "random: SELinux label (security.selinux) kept" \
		[ "$(getfattr --only-values -n security.selinux "$T/etc/shadow" 2>/dev/null | tr -d '\0')" = "$label" ]
else
	skip "random: SELinux label kept" "security.* xattrs not supported on $(df --output=fstype /tmp | tail -1)"
fi
if $acl_ok; then
	acl_kept() { getfacl -cp "$T/etc/shadow" 2>/dev/null | grep -qx "user:credgate:r--"; }
	check "random: POSIX ACL kept (user:credgate:r--)" acl_kept
else
	skip "random: POSIX ACL kept" "setfacl (acl) missing or ACLs not supported on $(df --output=fstype /tmp | tail -1)"
fi
check "random: previous version kept as shadow-" cmp -s "$TMP/shadow.orig" "$T/etc/shadow-"
check "random: no temporary file left" [ -z "$(ls -A "$T/etc" | grep -F .credgate-)" ]
check "random: nothing left to migrate (exit 0, no file)" \
	"$CG" migrate --root "$T" --per-device --policy random --credentials-out "$TMP/creds2" "${FAST[@]}" 2>/dev/null
check "random: an empty credentials file is not left behind" [ ! -e "$TMP/creds2" ]

# The default method is the one the store uses: yescrypt stays yescrypt.
T=$TMP/method
mk_tree "$T"
sed -i -e "s|^admin:[^:]*:|admin:$(mkpasswd -m yescrypt oemdefault1):|" \
	-e 's|^alice:|alice:!|' "$T/etc/shadow"
"$CG" migrate --root "$T" --per-device --policy random --credentials-out "$TMP/creds-m" "${FAST[@]}" 2>/dev/null
check "random: default method: admin's yescrypt gives yescrypt" \
	[ "$(shadow_field "$T/etc/shadow" admin 2 | cut -c1-3)" = '$y$' ]
check "random: blank guest gets the store's prevailing method (yescrypt)" \
	[ "$(shadow_field "$T/etc/shadow" guest 2 | cut -c1-3)" = '$y$' ]

# BusyBox style: hashes in /etc/passwd, no shadow; plus an htpasswd file.
T=$TMP/busybox
mkdir -p "$T/etc/credgate/defaults.d" "$T/etc/lighttpd"
printf 'root:%s:0:0:root:/root:/bin/sh\nadmin::1000:1000::/:/bin/sh\n' \
	"$(crypt6 oemdefault1 bbsalt)" >"$T/etc/passwd"
echo oemdefault1 >"$T/etc/credgate/defaults.d/oem.list"
printf 'webadmin:%s\n' "$(crypt6 oemdefault1 websalt)" >"$T/etc/lighttpd/htpasswd"
"$CG" migrate --root "$T" --per-device --policy random --credentials-out "$TMP/creds-bb" "${FAST[@]}" \
	--store passwd:/etc/passwd --store htpasswd:/etc/lighttpd/htpasswd 2>"$TMP/err"
check "busybox: exit 0" [ $? -eq 0 ]
pw=$(awk -F'\t' '$2 == "root" { print $3 }' "$TMP/creds-bb")
check "busybox: passwd-field hash verifies" verifies "$pw" "$(shadow_field "$T/etc/passwd" root 2)"
pw=$(awk -F'\t' '$1 == "/etc/lighttpd/htpasswd" { print $3 }' "$TMP/creds-bb")
check "busybox: htpasswd hash verifies" \
	verifies "$pw" "$(cut -d: -f2 "$T/etc/lighttpd/htpasswd")"
check "busybox: audit exits 0" "$CG" audit --root "$T" "${FAST[@]}" \
	--store passwd:/etc/passwd --store htpasswd:/etc/lighttpd/htpasswd >/dev/null

# --- policy lock and user ----------------------------------------------------
T=$TMP/lock
mk_tree "$T"
cp "$T/etc/shadow" "$TMP/lock.orig"
"$CG" migrate --root "$T" --policy lock "${FAST[@]}" 2>/dev/null
check "lock: exit 0" [ $? -eq 0 ]
locked_ok() {
	[ "$(shadow_field "$T/etc/shadow" admin 2)" = "!$(shadow_field "$TMP/lock.orig" admin 2)" ] &&
		[ "$(shadow_field "$T/etc/shadow" guest 2)" = '!' ]
}
check "lock: '!' before the kept hash" locked_ok
check "lock: only those two fields changed" \
	cmp -s <(sed 's/^\(admin\|guest\):!/\1:/' "$T/etc/shadow") "$TMP/lock.orig"
check "lock: audit exits 0" "$CG" audit --root "$T" "${FAST[@]}" >/dev/null

T=$TMP/user
mk_tree "$T"
cp "$T/etc/shadow" "$TMP/user.orig"
"$CG" migrate --root "$T" --policy user --user admin "${FAST[@]}" 2>"$TMP/err"
check "user: exit 0" [ $? -eq 0 ]
check "user: last change set to 0, hash kept" \
	[ "$(shadow_field "$T/etc/shadow" admin 3)" = 0 -a \
	  "$(shadow_field "$T/etc/shadow" admin 2)" = "$(shadow_field "$TMP/user.orig" admin 2)" ]
check "user: --user narrows: guest untouched" \
	[ "$(grep ^guest: "$T/etc/shadow")" = "$(grep ^guest: "$TMP/user.orig")" ]
"$CG" audit --root "$T" "${FAST[@]}" >/dev/null
check "user: the audit still flags it (gate stays closed)" [ $? -eq 1 ]
check "user: says how the user sets the password" grep -q "console" "$TMP/err"

# --- failures: exit 2, store untouched --------------------------------------
# expect_fail NAME TREE PATTERN ARGS...: exit 2, message matches, no change.
expect_fail() {
	local name=$1 tree=$2 pattern=$3
	shift 3
	local before
	before=$(cat "$tree/etc/shadow" "$tree/etc/passwd" 2>/dev/null | sha256sum)
	"$CG" migrate --root "$tree" "$@" >/dev/null 2>"$TMP/err"
	local rc=$?
	check "$name: exit 2" [ $rc -eq 2 ]
	check "$name: message names the cause" grep -qiE "$pattern" "$TMP/err"
	check "$name: store untouched" \
		[ "$before" = "$(cat "$tree/etc/shadow" "$tree/etc/passwd" 2>/dev/null | sha256sum)" ]
}

T=$TMP/fail
mk_tree "$T"
expect_fail "unknown --user" "$T" "nobody.*no such account" --policy lock --user nobody "${FAST[@]}"
: >"$TMP/exists"
expect_fail "existing credentials file" "$T" "exists.*never overwritten" \
	--per-device --policy random --credentials-out "$TMP/exists" "${FAST[@]}"
expect_fail "credentials file inside --root" "$T" "inside --root" \
	--per-device --policy random --credentials-out "$T/etc/creds" "${FAST[@]}"
check "credentials file inside --root: not created" [ ! -e "$T/etc/creds" ]
ln -s "$TMP/creds-leak" "$TMP/creds-link"	# O_EXCL|O_NOFOLLOW: never followed
expect_fail "credentials file is a (dangling) symlink" "$T" "exists.*never overwritten" \
	--per-device --policy random --credentials-out "$TMP/creds-link" "${FAST[@]}"
check "credentials symlink: its target not created" [ ! -e "$TMP/creds-leak" ]
expect_fail "random without an output" "$T" "credentials-out" --per-device --policy random "${FAST[@]}"
expect_fail "bad --hash-method" "$T" "hash-method" --per-device --policy random \
	--credentials-out "$TMP/c-bad" --hash-method '$nope$' "${FAST[@]}"
# An image (no --per-device): one random password would ship on every unit.
expect_fail "random into an image without --per-device" "$T" "same password.*first_boot = random.*provision.*--per-device" \
	--policy random --credentials-out "$TMP/c-img" "${FAST[@]}"
check "random into an image: no credentials file left" [ ! -e "$TMP/c-img" ]
T=$TMP/busybox2
mkdir -p "$T/etc"
printf 'root:*:0:0:root:/root:/bin/sh\nadmin::1000:1000::/:/bin/sh\n' >"$T/etc/passwd"
: >"$T/etc/shadow"
expect_fail "policy user on a passwd-field hash" "$T" "policy 'user'" \
	--policy user "${FAST[@]}" --store passwd:/etc/passwd
T=$TMP/noshadow
mk_tree "$T"
rm "$T/etc/shadow"
expect_fail "missing /etc/shadow" "$T" "/etc/shadow.*not exist" --policy lock "${FAST[@]}" \
	--store shadow:/etc/shadow --store passwd:/etc/passwd
check "missing /etc/shadow: not created" [ ! -e "$T/etc/shadow" ]

# Read-only file system: a read-only bind mount of a tree.
T=$TMP/ro-src
mk_tree "$T"
mkdir -p "$TMP/ro"
if mount --bind "$T" "$TMP/ro" 2>/dev/null && MOUNTS+=("$TMP/ro") &&
   mount -o remount,bind,ro "$TMP/ro" 2>/dev/null; then
	expect_fail "read-only file system" "$TMP/ro" "read-only" --policy lock "${FAST[@]}"
else
	skip "read-only file system" "cannot bind-mount here (needs root and mount rights)"
fi

# Full disk: the tree on a small tmpfs, filled up.
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=256k tmpfs "$TMP/full" 2>/dev/null; then
	MOUNTS+=("$TMP/full")
	mk_tree "$TMP/full"
	: >"$TMP/full/etc/.pwd.lock"
	dd if=/dev/zero of="$TMP/full/filler" bs=4k 2>/dev/null
	expect_fail "full disk" "$TMP/full" "no space" --per-device --policy random \
		--credentials-out "$TMP/c-full" "${FAST[@]}"
	check "full disk: the error names the failed step" grep -q "step '" "$TMP/err"
	check "full disk: no temporary file left" [ -z "$(ls -A "$TMP/full/etc" | grep -F .credgate-)" ]
	check "full disk: credentials marked not applied" grep -q "^# not applied: /etc/shadow" "$TMP/c-full"
else
	skip "full disk" "cannot mount a tmpfs here (needs root)"
fi

tap_end
