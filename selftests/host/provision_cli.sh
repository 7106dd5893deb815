#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgate provision: the printed password is the documented openssl kdf
# derivation (docs/provisioning.md), its hash lands in the tree, and bad
# input exits 2 with the tree untouched.
set -u
. "$(dirname "$0")/migrate_lib.inc"

TMP=$(mktemp -d /tmp/cg-provision.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
SECRET=$TMP/factory/secret.bin
mkdir -p "$TMP/factory"
head -c 48 /dev/urandom >"$SECRET"

# The cross-check script of docs/provisioning.md, verbatim in substance.
openssl_password() { # SECRET PRODUCT SERIAL
	local hex b pw= alphabet=23456789abcdefghijkmnpqrstuvwxyz
	hex=$(openssl kdf -keylen 16 -kdfopt digest:SHA256 \
		-kdfopt hexkey:"$(od -An -tx1 -v "$1" | tr -d ' \n')" \
		-kdfopt salt:credgate-provision-v1 \
		-kdfopt "info:credgate/v1:$2:$3" HKDF | tr -d ':\n')
	for b in $(echo "$hex" | sed 's/../& /g'); do
		pw=$pw${alphabet:$((0x$b & 31)):1}
	done
	echo "$pw"
}

# The documented test vector.
printf 'A%.0s' $(seq 32) >"$TMP/factory/vector.bin"
check "openssl script reproduces the documented vector" \
	[ "$(openssl_password "$TMP/factory/vector.bin" prod SER1)" = r7bix8hbi7pzyp7e ]

T=$TMP/rootfs
mk_tree "$T"
all_match=true all_verify=true
# --hash-method with 1000 rounds: the test checks the printed password
# against openssl's KDF and that the hash verifies, five times; the cost
# does not matter to either.
for serial in SN0001 SN0002 'A7-22:9 x' 000000000000 "$(printf 'Z%.0s' $(seq 128))"; do
	cp "$T/etc/shadow" "$TMP/before"
	pw=$("$CG" provision --secret-file "$SECRET" --serial "$serial" --product cam-x1 \
		--user admin --root "$T" --hash-method '$6$rounds=1000$' 2>/dev/null)
	[ "$pw" = "$(openssl_password "$SECRET" cam-x1 "$serial")" ] || all_match=false
	verifies "$pw" "$(shadow_field "$T/etc/shadow" admin 2)" || all_verify=false
done
check "printed password = openssl kdf derivation, for 5 serials" $all_match
check "the hash in the tree verifies the printed password (perl crypt)" $all_verify
check "other lines byte-identical" \
	cmp -s <(grep -v ^admin: "$TMP/before") <(grep -v ^admin: "$T/etc/shadow")
check "owner, group, mode kept" [ "$(stat -c %u:%g:%a "$T/etc/shadow")" = 0:42:640 ]
p1=$("$CG" provision --secret-file "$SECRET" --serial SN0001 --root "$T" 2>/dev/null)
p2=$("$CG" provision --secret-file "$SECRET" --serial SN0001 --root "$T" 2>/dev/null)
check "same secret and serial, same password" [ -n "$p1" -a "$p1" = "$p2" ]
check "empty product is the documented default" \
	[ "$p1" = "$(openssl_password "$SECRET" "" SN0001)" ]
check "default user is root" verifies "$p1" "$(shadow_field "$T/etc/shadow" root 2)"
check "16 characters of the unambiguous alphabet" \
	grep -qxE '[23456789abcdefghijkmnpqrstuvwxyz]{16}' <<<"$p1"
p3=$("$CG" provision --secret-file "$SECRET" --serial SN0002 --root "$T" 2>/dev/null)
check "another serial, another password" [ -n "$p3" -a "$p1" != "$p3" ]

# expect_fail NAME PATTERN ARGS...: exit 2, nothing on stdout, message, tree untouched.
expect_fail() {
	local name=$1 pattern=$2 before out rc
	shift 2
	before=$(sha256sum "$T/etc/shadow" 2>/dev/null)
	out=$("$CG" provision "$@" 2>"$TMP/err")
	rc=$?
	check "$name: exit 2" [ $rc -eq 2 ]
	check "$name: nothing printed" [ -z "$out" ]
	check "$name: message names the cause" grep -qiE "$pattern" "$TMP/err"
	check "$name: tree untouched" [ "$before" = "$(sha256sum "$T/etc/shadow" 2>/dev/null)" ]
}
head -c 31 /dev/urandom >"$TMP/factory/short.bin"
expect_fail "secret of 31 bytes" "31 bytes.*at least 32" \
	--secret-file "$TMP/factory/short.bin" --serial SN1 --root "$T"
head -c 4097 /dev/urandom >"$TMP/factory/long.bin"
expect_fail "secret of 4097 bytes" "larger than 4096" \
	--secret-file "$TMP/factory/long.bin" --serial SN1 --root "$T"
head -c 4096 /dev/urandom >"$TMP/factory/max.bin"
p4=$("$CG" provision --secret-file "$TMP/factory/max.bin" --serial SN0004 --root "$T" 2>"$TMP/err")
check "a secret of 4096 bytes (the documented maximum) is accepted" [ -n "$p4" ]
cp "$SECRET" "$T/etc/secret.bin"
expect_fail "secret inside --root" "inside the target root" \
	--secret-file "$T/etc/secret.bin" --serial SN1 --root "$T"
ln -s "$T/etc/secret.bin" "$TMP/factory/link.bin"
expect_fail "secret reached through a symlink into --root" "inside the target root" \
	--secret-file "$TMP/factory/link.bin" --serial SN1 --root "$T"
rm "$T/etc/secret.bin"
expect_fail "no --root (the running system)" "inside the target root" \
	--secret-file "$SECRET" --serial SN1
expect_fail "unknown user" "no account 'nobody'" \
	--secret-file "$SECRET" --serial SN1 --root "$T" --user nobody
expect_fail "product with ':'" "without ':'" \
	--secret-file "$SECRET" --serial SN1 --product a:b --root "$T"
expect_fail "empty serial" "serial" --secret-file "$SECRET" --serial '' --root "$T"
mv "$T/etc/shadow" "$TMP/shadow.save"
expect_fail "missing shadow file" "shadow" --secret-file "$SECRET" --serial SN1 --root "$T"
mv "$TMP/shadow.save" "$T/etc/shadow"

tap_end
