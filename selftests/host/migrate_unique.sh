#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 1,000 simulated devices (1,000 --root trees unpacked from one image) get
# 1,000 distinct random passwords, none derived from that device's
# identifiers (serial, MAC, hostname).
set -u
. "$(dirname "$0")/migrate_lib.inc"

N=${CREDGATE_UNIQUE_DEVICES:-1000}
BASE=/tmp
[ -w /dev/shm ] && BASE=/dev/shm	# tmpfs: no fsync cost for 1,000 trees
TMP=$(mktemp -d "$BASE/cg-unique.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# One image: an OEM default on admin, blank guest (alice locked: the
# identifier-derived candidates are then checked against two hashes only).
mk_tree "$TMP/image"
sed -i 's/^alice:/alice:!/' "$TMP/image/etc/shadow"
all=$TMP/all
# One device: copy the image, migrate it with its own identifiers.
device() {
	local i=$1 d=$TMP/dev$1
	cp -a "$TMP/image" "$d"
	echo "cam-$i" >"$d/etc/hostname"
	# 1,000 migrations: a cheap hash and FAST (migrate_lib.inc) keep them
	# to minutes; uniqueness does not depend on either.
	"$CG" migrate --root "$d" --per-device --policy random --credentials-out "$TMP/$i.creds" \
		--hash-method '$6$rounds=1000$' "${FAST[@]}" \
		--device-id "serial=SN7${i}Q" --device-id "mac=02:00:5e:00:${i:0:2}:${i:2:2}" \
		2>/dev/null || echo "$i" >>"$TMP/failed"
}
export -f device
export TMP CG
export FAST_OPTS="${FAST[*]}"
# Two devices at a time: the machines this runs on have two cores.
seq -w 1 "$N" | xargs -P 2 -I{} bash -c 'FAST=($FAST_OPTS); device {}'
failed=$(cat "$TMP/failed" 2>/dev/null | wc -l)
# device, serial, MAC, hostname, password: one line per account
awk -F'\t' '{
	dev = FILENAME; sub(/.*\//, "", dev); sub(/\.creds$/, "", dev)
	print dev, "SN7" dev "Q", "02:00:5e:00:" substr(dev, 1, 2) ":" substr(dev, 3, 2), "cam-" dev, $3
}' "$TMP"/*.creds >"$all"

check "$N devices migrated (exit 0 each)" [ "$failed" -eq 0 ]
check "2 accounts x $N devices = $((2 * N)) passwords" [ "$(wc -l <"$all")" -eq $((2 * N)) ]
check "all $((2 * N)) passwords distinct" \
	[ "$(awk '{ print $5 }' "$all" | sort -u | wc -l)" -eq $((2 * N)) ]
# Not derived from identifiers: no password contains the serial, the MAC
# (any case, with or without separators, or its last 4-6 hex digits) or
# the hostname, nor the device number.
derived=$(awk '{
	pw = tolower($5); mac = tolower($3); gsub(/[:-]/, "", mac)
	n = split(tolower($2) " " mac " " substr(mac, 7) " " substr(mac, 9) " " tolower($4) " " $1, ids, " ")
	for (k = 1; k <= n; k++)
		if (length(ids[k]) >= 4 && index(pw, ids[k])) { print; break }
}' "$all" | wc -l)
check "no password contains its device's serial, MAC, hostname or number" [ "$derived" -eq 0 ]
audit_ok=true
for i in $(seq -w 1 "$N" | head -20); do
	"$CG" audit --root "$TMP/dev$i" "${FAST[@]}" --device-id "serial=SN7${i}Q" \
		--device-id "mac=02:00:5e:00:${i:0:2}:${i:2:2}" >/dev/null || audit_ok=false
done
check "the audit (with each device's identifiers) passes on a sample of 20" $audit_ok

tap_end
