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
: >"$all"
failed=0
for i in $(seq -w 1 "$N"); do
	d=$TMP/dev$i
	cp -a "$TMP/image" "$d"
	serial=SN7${i}Q mac=02:00:5e:00:$((10#$i / 100)):$((10#$i % 100))
	echo "cam-$i" >"$d/etc/hostname"
	if ! "$CG" migrate --root "$d" --policy random --credentials-out "$d.creds" \
		--hash-method '$6$rounds=1000$' "${FAST[@]}" \
		--device-id "serial=$serial" --device-id "mac=$mac" 2>/dev/null; then
		failed=$((failed + 1))
		continue
	fi
	# device, identifiers, password (one line per account)
	awk -F'\t' -v dev="$i" -v s="$serial" -v m="$mac" -v h="cam-$i" \
		'{ print dev, s, m, h, $3 }' "$d.creds" >>"$all"
	[ "$i" -gt 20 ] && rm -rf "$d" "$d.creds"	# keep a sample for the audit below
done

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
	serial=SN7${i}Q mac=02:00:5e:00:$((10#$i / 100)):$((10#$i % 100))
	"$CG" audit --root "$TMP/dev$i" "${FAST[@]}" --device-id "serial=$serial" \
		--device-id "mac=$mac" >/dev/null || audit_ok=false
done
check "the audit (with each device's identifiers) passes on a sample of 20" $audit_ok

tap_end
