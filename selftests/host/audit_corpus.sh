#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgate audit on a rootfs tree whose hashes are made by real tools that
# are not credgate (mkpasswd, openssl passwd, htpasswd, BusyBox cryptpw):
# every verdict, every store type, the JSON and human output, exit codes,
# --root confinement and the cache.  Prints TAP.
set -u
BUILD=${CREDGATE_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
CG=${CREDGATE_BIN:-$BUILD/credgate}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else nok "$what"; fi; }

for tool in mkpasswd openssl htpasswd jq; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 0; }
done

R=$T/root
mkdir -p "$R/etc/credgate/defaults.d" "$R/etc/lighttpd" "$R/srv"
mk() { mkpasswd -m "$1" ${3:+-R "$3"} -- "$2"; }
random_pw() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
IMAGE_HASH=$(mk sha512crypt "$(random_pw)" 1000)
{
	echo "# Acme factory defaults"
	echo "Fact0ry-Acme-77"
	echo "service:AcmeSvc#2024"
	echo "$IMAGE_HASH"
} >"$R/etc/credgate/defaults.d/acme.list"
echo gw-kitchen >"$R/etc/hostname"

# user  hash  expected-verdict  (store /etc/shadow)
SHADOW=(
	"root|!|locked"
	"mirai-yescrypt|$(mk yescrypt xc3511 1)|default"
	"mirai-bcrypt|$(mk bcrypt admin 5)|default"
	"mirai-sha512|$(mk sha512crypt support)|default"
	"mirai-sha256|$(mk sha256crypt guest 1000)|default"
	"mirai-des|$(mk descrypt vizxv)|default"
	"mirai-md5|$(mk md5crypt ubnt)|default"
	"ossl-md5|$(openssl passwd -1 7ujMko0admin)|default"
	"ossl-sha256|$(openssl passwd -5 juantech)|default"
	"ossl-sha512|$(openssl passwd -6 meinsm)|default"
	"blank||blank"
	"locked-bang|!|locked"
	"locked-star|*|locked"
	"locked-hash|!$(mk md5crypt admin)|locked"
	"not-a-hash|x|unknown"
	"oem-plain|$(mk md5crypt Fact0ry-Acme-77)|default"
	"oem-user|$(mk md5crypt 'AcmeSvc#2024')|default"
	"image-hash|$IMAGE_HASH|default"
	"mac-tail|$(mk md5crypt c4d5e9)|derived"
	"mac-full|$(mk md5crypt 00:11:22:C4:D5:E9)|derived"
	"mac-prefixed|$(mk md5crypt adminC4D5E9)|derived"
	"serial-tail|$(mk md5crypt 77f3c1)|derived"
	"serial-full|$(mk md5crypt ACME-0042-77F3C1)|derived"
	"hostname|$(mk md5crypt gw-kitchen)|derived"
	"seq-admin|$(mk md5crypt admin7)|sequential"
	"seq-password|$(mk md5crypt password03)|sequential"
	"seq-user|$(mk md5crypt user123)|sequential"
	"common-1|$(mk md5crypt sunshine)|common"
	"common-2|$(mk sha256crypt dragon 1000)|common"
	"random-md5|$(mk md5crypt "$(random_pw)")|ok"
	"random-sha256|$(mk sha256crypt "$(random_pw)" 1000)|ok"
	"argon2|\$argon2id\$v=19\$m=65536,t=3,p=4\$c29tZXNhbHQ\$RdescudvJCsgt3ub+b+dWRWJTmaaJObG|unknown"
	"made-up|\$9\$abc\$def|unknown"
)
EXPECT=$T/expect
: >"$EXPECT"
: >"$R/etc/shadow"
for e in "${SHADOW[@]}"; do
	IFS='|' read -r u h v <<<"$e"
	echo "$u:$h:19000:0:99999:7:::" >>"$R/etc/shadow"
	echo "/etc/shadow $u $v" >>"$EXPECT"
done
cat >"$R/etc/passwd" <<EOP
root:x:0:0:root:/root:/bin/sh
bb-default:$(mk md5crypt 1234):1000:1000::/home/bb:/bin/sh
bb-blank::1001:1001::/home/bb2:/bin/sh
ghost:x:1002:1002::/:/bin/false
EOP
printf '%s\n' "/etc/passwd bb-default default" "/etc/passwd bb-blank blank" \
	"/etc/passwd ghost locked" >>"$EXPECT"
cat >"$R/etc/gshadow" <<EOG
wheel:!::root
staff:::
video:$(mk md5crypt admin)::
EOG
printf '%s\n' "/etc/gshadow wheel locked" "/etc/gshadow staff locked" \
	"/etc/gshadow video default" >>"$EXPECT"
H=$R/etc/lighttpd/htpasswd
htpasswd -c -b -m "$H" web-apr1 admin 2>/dev/null
htpasswd -b -s "$H" web-sha password 2>/dev/null
htpasswd -b -B -C 5 "$H" web-bcrypt 1234 2>/dev/null
htpasswd -b -d "$H" web-crypt root 2>/dev/null
echo "web-ossl-apr1:$(openssl passwd -apr1 "$(random_pw)")" >>"$H"
echo "web-ssha:{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=" >>"$H"
printf '%s\n' "/etc/lighttpd/htpasswd web-apr1 default" "/etc/lighttpd/htpasswd web-sha default" \
	"/etc/lighttpd/htpasswd web-bcrypt default" "/etc/lighttpd/htpasswd web-crypt default" \
	"/etc/lighttpd/htpasswd web-ossl-apr1 ok" "/etc/lighttpd/htpasswd web-ssha unknown" >>"$EXPECT"
printf '[audit]\nstores = shadow:/etc/shadow passwd:/etc/passwd gshadow:/etc/gshadow htpasswd:/etc/lighttpd/htpasswd\n' >"$R/etc/credgate/credgate.conf"

IDS=(--device-id mac=00:11:22:c4:d5:e9 --device-id serial=ACME-0042-77F3C1)
"$CG" audit --root "$R" --depth full --json "${IDS[@]}" >"$T/out.json" 2>"$T/err"
rc=$?
check "full audit of the corpus exits 1 (violations)" test "$rc" -eq 1
check "nothing on stderr" test ! -s "$T/err"
check "JSON says not compliant" test "$(jq -r .compliant "$T/out.json")" = false
jq -r '.accounts[] | "\(.store) \(.user) \(.verdict)"' "$T/out.json" >"$T/got"
while read -r store user verdict; do
	got=$(awk -v s="$store" -v u="$user" '$1 == s && $2 == u {print $3}' "$T/got")
	check "$store $user: $verdict" test "$got" = "$verdict"
done <"$EXPECT"
check "every account listed exactly once" \
	test "$(wc -l <"$T/got")" -eq "$(($(wc -l <"$EXPECT") + 0))"
check "passwd 'x' with a shadow entry is not listed twice" \
	test "$(grep -c '^/etc/passwd root ' "$T/got")" -eq 0
check "line numbers are the store's" \
	test "$(jq -r '.accounts[] | select(.user == "blank") | .line' "$T/out.json")" -eq 11

# --depth fast is `credgate audit`'s default, given because the count
# below leaves out the full tier's verdicts.
"$CG" audit --root "$R" --depth fast "${IDS[@]}" >"$T/human" 2>&1
check "human output: one line per violation plus a summary" \
	test "$(wc -l <"$T/human")" -eq "$(($(grep -vc ' ok$\| locked$\| sequential$\| common$' "$EXPECT") + 1))"
check "human output names the public default" grep -q "mirai-yescrypt: default: factory default password 'xc3511'" "$T/human"
check "human output says what to do" grep -q "run 'credgate migrate'" "$T/human"
# No OEM, derived, sequential or common password in any output form:
# human and JSON, fast and full depth, stdout and stderr, quoted or not.
"$CG" audit --root "$R" --depth full "${IDS[@]}" >"$T/human-full" 2>"$T/human-full.err"
"$CG" audit --root "$R" --json "${IDS[@]}" >"$T/json-fast" 2>"$T/json-fast.err"
for form in out.json:"JSON, full depth" err:"stderr of JSON, full depth" \
	human:"human, fast depth (stdout+stderr)" human-full:"human, full depth" \
	human-full.err:"stderr of human, full depth" json-fast:"JSON, fast depth" \
	json-fast.err:"stderr of JSON, fast depth"; do
	f=$T/${form%%:*}
	leaked=
	for secret in Fact0ry-Acme-77 'AcmeSvc#2024' c4d5e9 C4D5E9 77f3c1 gw-kitchen admin7 password03 sunshine dragon; do
		grep -qF -- "$secret" "$f" && leaked="$leaked $secret"
	done
	check "no OEM, derived, sequential or common password printed: ${form#*:}${leaked:+ (leaked:$leaked)}" \
		test -z "$leaked"
done

"$CG" audit --root "$R" --json "${IDS[@]}" >"$T/fast.json" 2>/dev/null
check "fast depth (the default): sequential and common not tried" \
	test "$(jq -r '.accounts[] | select(.user == "seq-admin" or .user == "common-1") | .verdict' "$T/fast.json" | sort -u)" = ok
check "fast depth still finds derived" \
	test "$(jq -r '.accounts[] | select(.user == "mac-tail") | .verdict' "$T/fast.json")" = derived

# --store: only the named stores, paths inside --root; --no-builtin.
echo "dev:$(openssl passwd -apr1 admin)" >"$R/srv/other.htpasswd"
"$CG" audit --root "$R" --store htpasswd:/srv/other.htpasswd --json >"$T/store.json" 2>/dev/null
check "--store htpasswd:PATH inside the root, store field is the device path" \
	test "$(jq -r '.accounts[] | "\(.store) \(.verdict)"' "$T/store.json")" = "/srv/other.htpasswd default"
echo "nothing-here" >"$T/list"
"$CG" audit --root "$R" --store htpasswd:/srv/other.htpasswd --no-builtin --defaults "$T/list" --json >"$T/nb.json" 2>/dev/null
check "--no-builtin: the public default is not in the given list" \
	test "$(jq -r '.accounts[0].verdict' "$T/nb.json")" = ok
echo admin >"$T/list"
"$CG" audit --root "$R" --store htpasswd:/srv/other.htpasswd --no-builtin --defaults "$T/list" --json >"$T/nb.json" 2>/dev/null
check "--defaults FILE adds a list" test "$(jq -r '.accounts[0].verdict' "$T/nb.json")" = default

# Compliant tree, exit 0; broken tree, exit 2 with file:line.
C=$T/clean
mkdir -p "$C/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$C/etc/passwd"
printf 'root:%s:19000::::::\ndaemon:*:19000::::::\n' "$(mk md5crypt "$(random_pw)")" >"$C/etc/shadow"
"$CG" audit --root "$C" >"$T/clean.out" 2>&1
check "compliant tree exits 0" test $? -eq 0
printf 'root:$1$x:19000::::\n' >>"$C/etc/shadow"
"$CG" audit --root "$C" >"$T/bad.out" 2>&1
rc=$?
check "malformed shadow line exits 2" test $rc -eq 2
check "diagnostic names file and line" grep -q "$C/etc/shadow:3: missing fields" "$T/bad.out"

# --root confinement: an absolute symlink resolves inside the tree.
S=$T/sym
mkdir -p "$S/etc" "$S/data"
printf 'root:x:0:0::/root:/bin/sh\n' >"$S/etc/passwd"
printf 'root:%s:19000::::::\n' "$(mk md5crypt admin)" >"$S/data/shadow"
ln -s /data/shadow "$S/etc/shadow"
"$CG" audit --root "$S" --json >"$T/sym.json" 2>/dev/null
check "absolute symlink inside --root resolves in the tree" \
	test "$(jq -r '.accounts[] | select(.store == "/etc/shadow") | .verdict' "$T/sym.json")" = default
rm "$S/etc/shadow"
ln -s ../../../../../../../../etc/shadow "$S/etc/shadow"
"$CG" audit --root "$S" --json >"$T/sym2.json" 2>"$T/sym2.err"
check "a symlink climbing out of --root stays in the tree" \
	test "$(jq -r '[.accounts[] | select(.store == "/etc/shadow")] | length' "$T/sym2.json")" -eq 0

# Unreadable store: as an unprivileged user.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	U=$T/unread
	mkdir -p "$U/etc"
	printf 'root:x:0:0::/root:/bin/sh\n' >"$U/etc/passwd"
	printf 'root:*:19000::::::\n' >"$U/etc/shadow"
	chmod 755 "$T" "$U" "$U/etc"
	chmod 644 "$U/etc/passwd"
	chmod 600 "$U/etc/shadow"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CG" audit --root "$U" >"$T/unread.out" 2>&1
	rc=$?
	check "unreadable store: exit 2" test $rc -eq 2
	check "unreadable store: clear message" grep -q "$U/etc/shadow: cannot read: Permission denied (run as root)" "$T/unread.out"
else
	skip "unreadable store" "needs root and setpriv to drop privileges"
	skip "unreadable store message" "needs root and setpriv"
fi

# Cache: under --root nothing is written into the image; --cache FILE works.
K=$T/cachetree
mkdir -p "$K/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$K/etc/passwd"
for i in 1 2 3; do
	printf 'u%s:%s:19000::::::\n' $i "$(mk md5crypt "$(random_pw)")"
done >"$K/etc/shadow"
printf 'root:%s:19000::::::\n' "$(mk md5crypt xc3511)" >>"$K/etc/shadow"
touch "$T/stamp"
sleep 1
"$CG" audit --root "$K" >/dev/null 2>&1
check "--root without --cache writes nothing into the tree" \
	test -z "$(find "$K" -newer "$T/stamp")"
CACHE=$T/state/audit.cache
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$K" --cache "$CACHE" --json >"$T/c1.json" 2>"$T/c1.err"
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$K" --cache "$CACHE" --json >"$T/c2.json" 2>"$T/c2.err"
check "cache file is root-only (0600)" test "$(stat -c %a "$CACHE")" = 600
check "cached audit computes no hash" grep -q "cache_hits=4 verifications=0 " "$T/c2.err"
check "cached audit gives the same verdicts" cmp -s "$T/c1.json" "$T/c2.json"
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$K" --cache "$CACHE" --depth full --json >"$T/cf.json" 2>"$T/cf.err"
# Full depth resumes where fast stopped: root's fast-tier match stands (a hit),
# the three clean hashes are verified against the full-only candidates alone.
n_fast=$(sed -n 's/.*candidates=\([0-9]*\) .*/\1/p' "$T/c1.err")
n_full=$(sed -n 's/.*candidates=\([0-9]*\) .*/\1/p' "$T/cf.err")
check "full depth keeps the fast tier's match and resumes the rest" \
	grep -q "hashes_to_check=3 cache_hits=1 verifications=$((3 * (n_full - n_fast))) " "$T/cf.err"
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$K" --cache "$CACHE" --depth full --json >"$T/cf2.json" 2>"$T/cf2.err"
check "a second full audit computes no hash" grep -q "cache_hits=4 verifications=0 " "$T/cf2.err"
echo garbage >"$CACHE"
"$CG" audit --root "$K" --cache "$CACHE" --json >"$T/c3.json" 2>/dev/null
check "corrupt cache is ignored" cmp -s "$T/c1.json" "$T/c3.json"
chmod 666 "$CACHE"
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$K" --cache "$CACHE" --json >"$T/c4.json" 2>"$T/c4.err"
check "cache writable by others is not trusted" grep -q "cache_hits=0 " "$T/c4.err"

# BusyBox cryptpw, if this BusyBox has it.
if busybox cryptpw -m sha512 admin >/dev/null 2>&1; then
	B=$T/bb
	mkdir -p "$B/etc"
	printf 'root:%s:0:0::/root:/bin/sh\n' "$(busybox cryptpw -m sha512 xc3511)" >"$B/etc/passwd"
	"$CG" audit --root "$B" --json >"$T/bb.json" 2>/dev/null
	check "BusyBox cryptpw sha512 hash in /etc/passwd: default" \
		test "$(jq -r '.accounts[0].verdict' "$T/bb.json")" = default
else
	skip "BusyBox cryptpw corpus" "this busybox has no cryptpw applet (Debian's busybox-static lacks it)"
fi

"$CG" audit --bogus >/dev/null 2>&1
check "bad option exits 2" test $? -eq 2
"$CG" audit --store nosuch:/x >/dev/null 2>&1
check "unknown store type exits 2" test $? -eq 2
"$CG" audit --root "$R" --store shadow:/missing >/dev/null 2>&1
check "missing --store file exits 2" test $? -eq 2
echo "1..$n"
