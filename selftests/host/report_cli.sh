#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgate report: JSON (checked with jq), TS 103 701 IXIT text and the
# static HTML page (rendered by headless Chromium to a PNG that must show
# the page), per authentication mechanism on a --root tree (the
# migrate_lib.inc tree plus a web UI's htpasswd); no password, salt or
# hash in any format.  Prints TAP.
set -u
. "$(dirname "$0")/migrate_lib.inc"

if [ ! -x "$CG" ]; then
	echo "1..0 # SKIP $CG not built"
	exit 0
fi
work=$(mktemp -d /tmp/report_cli.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM
for tool in jq htpasswd perl; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool not installed (scripts/deps.sh)"
		exit 0
	fi
done

t=$work/tree
mk_tree "$t"
mkdir -p "$t/etc/lighttpd"
webpw='Web#ui-Unusual-4471'
htpasswd -nbB operator "$webpw" >"$t/etc/lighttpd/htpasswd"
# A hostile name: must come out escaped in HTML and as-is in JSON.
echo '<img src=x onerror=alert(1)>:'"$(htpasswd -nbB x 'Other#Unusual-77' | cut -d: -f2)" >>"$t/etc/lighttpd/htpasswd"
printf 'NAME="Example OS"\nVERSION_ID=1.2\nSUPPORT_END=2031-12-31\n' >"$t/etc/os-release"
conf() { # extra [migration] lines
	cat >"$t/etc/credgate/credgate.conf" <<-EOF
	[audit]
	stores = shadow:/etc/shadow htpasswd:/etc/lighttpd/htpasswd
	[migration]
	$1
	[product]
	manufacturer = Example <Devices> & Co
	model = ESP-100
	contact = mailto:security@example.com
	policy = https://example.com/security/policy
	EOF
}
conf 'first_boot = none'
report() { "$CG" report --root "$t" "${FAST[@]}" "$@"; }
# Secrets that must never show: the non-public passwords, salts, hashes.
secrets=(oemdefault1 'Vq7#unusual-Strong-93' "$webpw" 'Other#Unusual-77' factorysalt alicesalt
	'$6$' '$2y$' '$apr1$')
no_secret() { # FILE
	local s
	for s in "${secrets[@]}"; do
		if grep -qF -- "$s" "$1"; then
			echo "# $1 holds '$s'"
			return 1
		fi
	done
	while IFS=: read -r _ h _; do
		[ ${#h} -gt 2 ] && grep -qF -- "$h" "$1" && { echo "# $1 holds a hash"; return 1; }
	done < <(cat "$t/etc/shadow" "$t/etc/lighttpd/htpasswd")
	return 0
}

# 1. Usage.
check "--help: exit 0 and usage" sh -c '"$0" report --help | grep -q "usage: credgate report"' "$CG"
report --format pdf >/dev/null 2>"$work/err"
rc=$?
check "--format pdf: exit 2, named" [ "$rc" -eq 2 ]
check "--format pdf: the message names the choices" grep -q 'expected json, html or ixit' "$work/err"
check "credgate --help lists report" sh -c '"$0" --help | grep -q "^  report "' "$CG"

# 2. JSON.
report --format json >"$work/r.json" 2>"$work/err"
rc=$?
check "json: exit 1 (violations)" [ "$rc" -eq 1 ]
check "json: valid (jq)" jq -e . "$work/r.json" >/dev/null
j() { jq -r "$1" "$work/r.json"; }
check "json: one mechanism per store (shadow, htpasswd)" \
	[ "$(j '[.mechanisms[].type] | join(",")')" = shadow,htpasswd ]
check "json: admin's OEM default is 'default'" \
	[ "$(j '.mechanisms[0].accounts[] | select(.user == "admin") | .verdict')" = default ]
check "json: guest is blank, alice ok, svc locked" \
	[ "$(j '[.mechanisms[0].accounts[] | select(.user == "guest" or .user == "alice" or .user == "svc") | .verdict] | join(",")')" = blank,ok,locked ]
check "json: the hostile htpasswd name is kept as a string" \
	[ "$(j '.mechanisms[1].accounts[1].user')" = '<img src=x onerror=alert(1)>' ]
check "json: verdict counts" [ "$(j '.mechanisms[0].verdicts.default')" = 1 ]
check "json: AUM-5-1 not met with first_boot = none" [ "$(j '.mechanisms[0].aum_5_1_result')" = "not met" ]
check "json: AUM-5-1 node 2 (no password) answered yes" \
	sh -c 'jq -r ".mechanisms[0].aum_5_1[1].answer" "$0" | grep -q "^yes: 1 blank"' "$work/r.json"
check "json: every AUM-5-1 node has question, answer and basis" \
	jq -e '[.mechanisms[].aum_5_1[] | (.question != "" and .answer != "" and .basis != "")] | all' "$work/r.json" >/dev/null
check "json: AUM-5-2 says brute force is not assessed" \
	jq -e '[.mechanisms[0].aum_5_2[] | select(.question | test("Brute")) | .answer] == ["not assessed"]' "$work/r.json" >/dev/null
for f in ID Description 'Authentication Factor' 'Password Generation Mechanism' 'Brute Force Prevention'; do
	check "json: IXIT field '$f' in every mechanism" \
		jq -e --arg f "$f" '[.mechanisms[].ixit[$f] | type == "string" and length > 0] | all' "$work/r.json" >/dev/null
done
check "json: support end from the tree's os-release" [ "$(j .support.support_end)" = 2031-12-31 ]
check "json: disclosure policy" [ "$(j .disclosure.policy)" = https://example.com/security/policy ]
check "json: first_boot named" [ "$(j .provisioning.first_boot)" = none ]
check "json: no password, salt or hash" no_secret "$work/r.json"

# 3. Uniqueness from the configuration: HKDF provisioning, first-boot random.
conf 'first_boot = random
provisioned = alice
provision_product = ESP-100'
report --format json >"$work/p.json" 2>/dev/null
check "provisioned: alice's uniqueness is hkdf-provisioning" \
	[ "$(jq -r '.mechanisms[0].accounts[] | select(.user == "alice") | .uniqueness' "$work/p.json")" = hkdf-provisioning ]
check "provisioned: the IXIT generation mechanism names HKDF, the product ID and the serial" \
	jq -e '.mechanisms[0].ixit["Password Generation Mechanism"] | test("HKDF-SHA256.*ESP-100.*serial")' "$work/p.json" >/dev/null
check "first_boot = random: admin's uniqueness is first-boot-random" \
	[ "$(jq -r '.mechanisms[0].accounts[] | select(.user == "admin") | .uniqueness' "$work/p.json")" = first-boot-random ]
check "first_boot = random: AUM-5-1 met by first-boot migration" \
	[ "$(jq -r '.mechanisms[0].aum_5_1_result' "$work/p.json")" = "met by first-boot migration" ]
check "provisioned is a shadow declaration: not claimed for htpasswd" \
	not jq -e '.mechanisms[1].accounts[] | select(.uniqueness == "hkdf-provisioning")' "$work/p.json"
conf 'first_boot = user'
report --format json >"$work/u.json" 2>/dev/null
check "first_boot = user: admin's uniqueness is user-defined" \
	[ "$(jq -r '.mechanisms[0].accounts[] | select(.user == "admin") | .uniqueness' "$work/u.json")" = user-defined ]
conf 'provisioned = bad:name'
report --format json >/dev/null 2>"$work/err"
rc=$?
check "provisioned = bad:name: exit 2 with file:line" \
	sh -c '[ "$0" -eq 2 ] && grep -q "credgate.conf:4: provisioned: .bad:name. is not an account name" "$1"' "$rc" "$work/err"
conf 'first_boot = none'

# 4. IXIT text.
report --format ixit >"$work/r.txt" 2>/dev/null
check "ixit: exit 1" [ $? -eq 1 ]
check "ixit: one 1-AuthMech block per store" [ "$(grep -c '^IXIT 1-AuthMech: AuthMech-' "$work/r.txt")" -eq 2 ]
for f in Description 'Authentication Factor' 'Password Generation Mechanism' 'Security Guarantees' \
	'Cryptographic Details' 'Brute Force Prevention'; do
	check "ixit: '$f' twice" [ "$(grep -c "^  $f: ." "$work/r.txt")" -eq 2 ]
done
check "ixit: AUM-5-1 and AUM-5-2 paths" \
	sh -c 'grep -q "AUM-5-1 decision path (result: not met)" "$0" && grep -q "AUM-5-2 decision path" "$0"' "$work/r.txt"
check "ixit: accounts with verdicts" grep -q '^    admin: default; uniqueness: ' "$work/r.txt"
check "ixit: support period and disclosure policy" \
	sh -c 'grep -q "^Support period: 2031-12-31" "$0" && grep -q "^Disclosure policy: https://example.com/security/policy" "$0"' "$work/r.txt"
check "ixit: no password, salt or hash" no_secret "$work/r.txt"

# 5. HTML: static, self-contained, escaped.
report --format html >"$work/r.html" 2>/dev/null
check "html: exit 1" [ $? -eq 1 ]
check "html: a complete document" sh -c 'head -1 "$0" | grep -q "^<!DOCTYPE html>" && tail -1 "$0" | grep -q "</html>"' "$work/r.html"
check "html: no external resource (no src=, href=, url(), @import, <script>)" \
	not grep -qiE '<[a-z][^>]*[[:space:]](src|href)=|url\(|@import|<script|<link' "$work/r.html"
check "html: the hostile name escaped" \
	sh -c 'grep -qF "&lt;img src=x onerror=alert(1)&gt;" "$0" && ! grep -qF "<img" "$0"' "$work/r.html"
check "html: the manufacturer escaped" grep -qF 'Example &lt;Devices&gt; &amp; Co' "$work/r.html"
check "html: no password, salt or hash" no_secret "$work/r.html"

# 6. The page rendered by headless Chromium: a PNG that shows it.
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	skip "html: rendered by headless Chromium" "chromium not installed (Debian package chromium, scripts/deps.sh)"
	skip "html: the screenshot shows the page" "chromium not installed"
else
	# --no-sandbox: the suite may run as root, where Chromium's sandbox refuses.
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$work/chrome" --window-size=1200,1800 \
		--screenshot="$work/shot.png" "file://$work/r.html" >"$work/chrome.log" 2>&1
	size=$(stat -c %s "$work/shot.png" 2>/dev/null || echo 0)
	check "html: rendered by headless Chromium ($size bytes of PNG)" [ "$size" -gt 20000 ]
	# Decode the PNG (zlib + scanline filters, python3 stdlib only): not
	# blank, text drawn, and the red "not compliant" banner of the CSS.
	python3 - "$work/shot.png" >"$work/png.txt" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, dark, banner = bytearray(stride), set(), 0, 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    if y % 2:
        continue
    for x in range(0, w, 2):
        px = tuple(line[x * bpp:x * bpp + 3])
        colours.add(px)
        dark += sum(px) < 200
        banner += abs(px[0] - 248) < 4 and abs(px[1] - 208) < 4 and abs(px[2] - 208) < 4
print(w, h, len(colours), dark, banner)
PY
	read -r pw ph ncol ndark nbanner <"$work/png.txt" || { pw=0 ph=0 ncol=0 ndark=0 nbanner=0; }
	check "html: the screenshot shows the page (${pw}x${ph}, $ncol colours, $ndark dark and $nbanner banner samples)" \
		sh -c '[ "$0" -ge 16 ] && [ "$1" -ge 1000 ] && [ "$2" -ge 1000 ]' "$ncol" "$ndark" "$nbanner"
	[ -n "${REPORT_SCREENSHOT:-}" ] && cp "$work/shot.png" "$REPORT_SCREENSHOT"
fi

# 7. A compliant tree: exit 0, AUM-5-1 met.
sed -i -e "s|^admin:[^:]*:|admin:$(crypt6 'Kp9!rare-Phrase-51' adminsalt):|" -e 's|^guest::|guest:!:|' "$t/etc/shadow"
report --format json >"$work/ok.json" 2>/dev/null
rc=$?
check "compliant tree: exit 0" [ "$rc" -eq 0 ]
check "compliant tree: compliant, AUM-5-1 met" \
	jq -e '.compliant and .mechanisms[0].aum_5_1_result == "met"' "$work/ok.json" >/dev/null

tap_end
