#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# credgate migrate on the service stores (docs/migration.md "Service
# stores"): htdigest, plain, smbpasswd, mosquitto, snmpd, hostapd.  Each
# corpus is written by the real tool (htdigest, mosquitto_passwd, smbpasswd
# on a private smb.conf, wpa_passphrase) or as the service documents it
# (snmpd.conf, hostapd.conf, lighttpd's plain file), never by credgate.
# After --policy random: only the secret's span of each flagged line
# changed, a second audit is clean, the new verdicts were recorded (no
# hashing), and the service's own software accepts the new secret and
# refuses the old one: snmpget against snmpd, mosquitto_pub/sub against
# mosquitto, curl --digest (htdigest) and basic (plain) against lighttpd,
# pdbedit and smbpasswd's own NT hash, wpa_passphrase's PSK.  lock and user
# where the format has the state (smbpasswd), FILE:LINE and exit 2 where it
# has not.  Daemons listen on 127.0.0.1 only, on high ports, and are killed
# on exit.  No new secret in any output but the credentials file.  Shipped
# lists, default depths.
set -u
. "$(dirname "$0")/migrate_lib.inc"
. "$(dirname "$0")/service_corpus.inc"

T=$(mktemp -d /tmp/cg-migrate-stores.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "${CG_KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
command -v jq >/dev/null || { echo "1..0 # SKIP jq not installed (scripts/deps.sh)"; exit 0; }
ALPHA='[23456789abcdefghijkmnpqrstuvwxyz]'

# A free high port on 127.0.0.1 (nothing listens on it over TCP or UDP).
port() {
	local p
	for _ in $(seq 20); do
		p=$((20000 + (RANDOM * 7 + $1) % 30000))
		ss -Hlntu "sport = :$p" 2>/dev/null | grep -q . || break
	done
	echo "$p"
}

# migrate NAME POLICY TYPE:PATH: credentials in $T/NAME.creds, output in
# $T/out-NAME.{txt,err}, exit status in $T/NAME.rc; the store's old
# contents in $T/NAME.old.
migrate() {
	local name=$1 policy=$2 store=$3 extra=()
	cp -p "${store#*:}" "$T/$name.old"
	[ -f "$T/$name.creds" ] && mv "$T/$name.creds" "$T/$name-$RANDOM.creds"
	[ "$policy" = random ] && extra=(--credentials-out "$T/$name.creds")
	"$CG" migrate --no-cache --policy "$policy" "${extra[@]}" --store "$store" \
		>"$T/out-$name.txt" 2>"$T/out-$name.err"
	echo $? >"$T/$name.rc"
}
rc() { [ "$(cat "$T/$1.rc")" = "$2" ] || { sed 's/^/# /' "$T/out-$1.err"; return 1; }; }
# pw NAME USER [LINE]: the new password of USER (on LINE) from NAME's credentials.
pw() {
	awk -F'\t' -v u="$2" -v l="${3:-}" '$2 == u && (l == "" || $3 == l) { print $NF; exit }' "$T/$1.creds"
}
creds_ok() { # NAME COUNT: COUNT lines STORE USER LINE WHAT PASSWORD, mode 0600
	[ "$(stat -c %a "$T/$1.creds")" = 600 ] &&
		[ "$(grep -cE "^/[^	]+	[^	]+	[0-9]+	[a-zA-Z ]+	$ALPHA{16}\$" "$T/$1.creds")" = "$2" ] &&
		[ "$(wc -l <"$T/$1.creds")" = "$2" ]
}
# span_only NAME FILE LINES REGEX [NEW_REGEX]: the lines LINES (comma-
# separated) changed and are equal once REGEX (in the old line) and
# NEW_REGEX (in the new one, default REGEX) are replaced by '@'; every other
# byte of FILE is as in NAME.old.
span_only() {
	python3 - "$T/$1.old" "$2" "$3" "$4" "${5:-$4}" <<'EOF'
import re, sys
old = open(sys.argv[1], 'rb').read().split(b'\n')
new = open(sys.argv[2], 'rb').read().split(b'\n')
lines = {int(x) for x in sys.argv[3].split(',')}
ro, rn = re.compile(sys.argv[4].encode()), re.compile(sys.argv[5].encode())
ok = len(old) == len(new)
for i, (a, b) in enumerate(zip(old, new), 1):
    if i in lines:
        good = a != b and ro.sub(b'@', a) == rn.sub(b'@', b)
    else:
        good = a == b
    if not good:
        print('# line %d differs outside the secret' % i)
        ok = False
sys.exit(0 if ok else 1)
EOF
}
# clean TYPE:PATH: a second audit (full depth, no cache) exits 0.
clean() { "$CG" audit --no-cache --depth full --store "$1" >>"$T/out-audit.txt" 2>&1; }
# recorded NAME TYPE:PATH: migrate with a verdict cache, then an audit with
# it verifies nothing: the new hashes' verdicts were recorded.
recorded() {
	cp -p "$T/$1.old" "${2#*:}"
	rm -f "$T/$1.cache" "$T/$1.creds2"
	"$CG" migrate --cache "$T/$1.cache" --policy random --credentials-out "$T/$1.creds2" \
		--store "$2" >>"$T/out-rec.txt" 2>>"$T/out-rec.err" &&
	CREDGATE_AUDIT_STATS=1 "$CG" audit --cache "$T/$1.cache" --depth full --store "$2" \
		>>"$T/out-rec.txt" 2>"$T/$1.stats" &&
	grep -q 'hashes_to_check=0 .*verifications=0' "$T/$1.stats"
}
# refused NAME POLICY TYPE:PATH TEXT: exit 2, FILE:LINE and TEXT named, no byte changed.
refused() {
	migrate "$1" "$2" "$3"
	rc "$1" 2 && grep -qE "${3#*:}:[0-9]+: .*policy '$2' cannot migrate" "$T/out-$1.err" &&
		grep -qF -- "$4" "$T/out-$1.err" && cmp -s "${3#*:}" "$T/$1.old"
}
# wait_port PROTO PORT: until something listens on 127.0.0.1:PORT (5 s).
wait_port() {
	for _ in $(seq 50); do
		ss -Hln"${1:0:1}" "src 127.0.0.1:$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# lighttpd_auth BACKEND METHOD USERFILE PORT: lighttpd on 127.0.0.1:PORT
# serving $T/www behind mod_auth (realm "lab") with that userfile.
lighttpd_auth() {
	mkdir -p "$T/www"
	echo hello >"$T/www/index.html"
	cat >"$T/lighttpd-$1.conf" <<EOF
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $4
server.errorlog = "$T/lighttpd-$1.log"
server.modules = ( "mod_auth", "mod_authn_file" )
auth.backend = "$1"
auth.backend.$1.userfile = "$3"
auth.require = ( "/" => ( "method" => "$2", "realm" => "lab", "require" => "valid-user" ) )
EOF
	lighttpd -D -f "$T/lighttpd-$1.conf" >>"$T/lighttpd-$1.log" 2>&1 &
	PIDS+=($!)
	wait_port t "$4"
}

# --- htdigest (apache2-utils), checked by lighttpd's digest auth ----------
if command -v htdigest >/dev/null; then
	D=$T/htdigest
	printf 'admin\nadmin\n' | htdigest -c "$D" lab alice >/dev/null 2>&1
	printf 'q7Vn-unique-%s\nq7Vn-unique-%s\n' $$ $$ | htdigest "$D" lab bob >/dev/null 2>&1
	printf '\n\n' | htdigest "$D" other alice >/dev/null 2>&1
	migrate digest random "htdigest:$D"
	check "htdigest: random exits 0" rc digest 0
	check "htdigest: one credentials line per flagged entry, documented format" creds_ok digest 2
	check "htdigest: only the digests of lines 1 and 3 changed" span_only digest "$D" 1,3 '[0-9a-f]{32}$'
	check "htdigest: the new digest is MD5(user:realm:password) (python hashlib)" \
		[ "$(python3 -c 'import hashlib,sys; print(hashlib.md5(sys.argv[1].encode()).hexdigest())' \
			"alice:lab:$(pw digest alice 1)")" = "$(sed -n 1p "$D" | cut -d: -f3)" ]
	check "htdigest: second audit is clean" clean "htdigest:$D"
	check "htdigest: new verdicts recorded, the audit hashes nothing" recorded digest "htdigest:$D"
	cp -p "$T/digest.old" "$D"
	migrate digest random "htdigest:$D"
	if command -v lighttpd >/dev/null; then
		P=$(port 1)
		lighttpd_auth htdigest digest "$D" "$P"
		code() { curl -s -o /dev/null -w '%{http_code}' --digest -u "alice:$1" "http://127.0.0.1:$P/index.html"; }
		check "htdigest: lighttpd accepts the new password (curl --digest, 200)" [ "$(code "$(pw digest alice 1)")" = 200 ]
		check "htdigest: lighttpd refuses the old one (401)" [ "$(code admin)" = 401 ]
	else
		skip "htdigest: lighttpd accepts the new password" "lighttpd not installed (scripts/deps.sh)"
		skip "htdigest: lighttpd refuses the old one" "lighttpd not installed (scripts/deps.sh)"
	fi
	check "htdigest: lock refused (no disabled state), FILE:LINE, unchanged" \
		refused digest-lock lock "htdigest:$T/digest.old" "no disabled state"
	check "htdigest: user refused (no must-change state)" \
		refused digest-user user "htdigest:$T/digest.old" "no must-change state"
else
	for i in $(seq 10); do skip "htdigest case $i" "htdigest not installed (apache2-utils)"; done
fi

# --- plain (lighttpd auth.backend "plain", as its documentation shows) -----
L=$T/plain
printf '# lighttpd plain\nadmin:admin\nweb:Q7vn-%s:with:colons\nguest:\n' $$ >"$L"
migrate plain random "plain:$L"
check "plain: random exits 0" rc plain 0
check "plain: credentials for admin and guest" creds_ok plain 2
check "plain: only the passwords of lines 2 and 4 changed" span_only plain "$L" 2,4 ':.*$'
check "plain: the file holds the credentials' password" grep -qxF "admin:$(pw plain admin)" "$L"
check "plain: second audit is clean" clean "plain:$L"
if command -v lighttpd >/dev/null; then
	P=$(port 4)
	lighttpd_auth plain basic "$L" "$P"
	basic() { curl -s -o /dev/null -w '%{http_code}' -u "$1:$2" "http://127.0.0.1:$P/index.html"; }
	check "plain: lighttpd (auth.backend plain) accepts the new password (200)" [ "$(basic admin "$(pw plain admin)")" = 200 ]
	check "plain: lighttpd refuses the old one (401)" [ "$(basic admin admin)" = 401 ]
else
	skip "plain: lighttpd accepts the new password" "lighttpd not installed (scripts/deps.sh)"
	skip "plain: lighttpd refuses the old one" "lighttpd not installed (scripts/deps.sh)"
fi
check "plain: lock refused (no disabled state)" refused plain-lock lock "plain:$T/plain.old" "no disabled state"

# --- mosquitto (mosquitto_passwd), checked by the broker ------------------
if command -v mosquitto_passwd >/dev/null; then
	M=$T/mosquitto
	mosquitto_passwd -c -b "$M" alice public
	mosquitto_passwd -b "$M" bob "Q7vn-unique-$$"
	mosquitto_passwd -H sha512 -b "$M" carol admin
	echo 'dave:' >>"$M"
	migrate mqtt random "mosquitto:$M"
	check "mosquitto: random exits 0" rc mqtt 0
	check "mosquitto: credentials for alice, carol, dave" creds_ok mqtt 3
	check "mosquitto: only the hashes of lines 1, 3, 4 changed, now \$7\$101\$ as mosquitto_passwd writes" \
		span_only mqtt "$M" 1,3,4 ':.*$' ':\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$'
	check "mosquitto: second audit is clean" clean "mosquitto:$M"
	check "mosquitto: new verdicts recorded, the audit hashes nothing" recorded mqtt "mosquitto:$M"
	cp -p "$T/mqtt.old" "$M"
	migrate mqtt random "mosquitto:$M"
	if command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null; then
		P=$(port 2)
		cat >"$T/mosquitto.conf" <<EOF
user root
persistence false
log_dest file $T/mosquitto.log
listener $P 127.0.0.1
allow_anonymous false
password_file $M
EOF
		mosquitto -c "$T/mosquitto.conf" >>"$T/mosquitto.log" 2>&1 &
		PIDS+=($!)
		wait_port t "$P"
		new=$(pw mqtt alice)
		mosquitto_sub -h 127.0.0.1 -p "$P" -u alice -P "$new" -t cg/test -C 1 -W 10 >"$T/sub.out" 2>>"$T/mosq-client.err" &
		sub=$!
		sleep 0.5
		mosquitto_pub -h 127.0.0.1 -p "$P" -u carol -P "$(pw mqtt carol)" -t cg/test -m hello 2>>"$T/mosq-client.err"
		check "mosquitto: mosquitto_pub authenticates with the new password" [ $? = 0 ]
		wait "$sub"
		check "mosquitto: mosquitto_sub with the new password receives it" grep -qx hello "$T/sub.out"
		check "mosquitto: the old password is refused" \
			not mosquitto_pub -h 127.0.0.1 -p "$P" -u alice -P public -t cg/test -m x 2>>"$T/mosq-client.err"
	else
		for i in 1 2 3; do skip "mosquitto broker case $i" "mosquitto or mosquitto-clients not installed (scripts/deps.sh)"; done
	fi
	check "mosquitto: lock refused (no disabled state)" \
		refused mqtt-lock lock "mosquitto:$T/mqtt.old" "no disabled state"
else
	for i in $(seq 9); do skip "mosquitto case $i" "mosquitto_passwd not installed (mosquitto)"; done
fi

# --- smbpasswd (samba-common-bin, private smb.conf), checked by Samba -----
if command -v smbpasswd >/dev/null && command -v pdbedit >/dev/null &&
	getent passwd daemon bin sys >/dev/null; then
	S=$T/samba
	smbconf "$S"
	smbp() { smbpasswd -c "$S/smb.conf" "$@" >>"$S/out" 2>&1; }
	printf 'password\npassword\n' | smbp -s -a daemon
	printf 'Q7vn-unique-%s\nQ7vn-unique-%s\n' $$ $$ | smbp -s -a bin
	smbp -a -n sys
	printf '\n\n' | smbp -s -e sys	# enabled, no password
	SP=$S/smbpasswd
	migrate smb random "smbpasswd:$SP"
	check "smbpasswd: random exits 0" rc smb 0
	check "smbpasswd: credentials for daemon and sys" creds_ok smb 2
	check "smbpasswd: lines 1 and 3: only LM (now 32 X), NT and LCT changed" \
		span_only smb "$SP" 1,3 ':[0-9A-FX]{32}:[0-9A-F]{32}:(\[[^]]*\]):LCT-[0-9A-F]{8}:' \
		':X{32}:[0-9A-F]{32}:(\[[^]]*\]):LCT-[0-9A-F]{8}:'
	nt_by_samba() { # USER PASSWORD: the NT hash smbpasswd itself writes for it
		rm -rf "$T/samba2"
		smbconf "$T/samba2"
		printf '%s\n%s\n' "$2" "$2" | smbpasswd -c "$T/samba2/smb.conf" -s -a "$1" >/dev/null 2>&1
		cut -d: -f4 "$T/samba2/smbpasswd"
	}
	check "smbpasswd: the new NT hash is the one smbpasswd computes for the new password" \
		[ "$(nt_by_samba daemon "$(pw smb daemon)")" = "$(grep '^daemon:' "$SP" | cut -d: -f4)" ]
	check "smbpasswd: pdbedit -L -w reads the migrated file, same hashes" \
		[ "$(pdbedit -s "$S/smb.conf" -L -w 2>/dev/null | grep '^daemon:' | cut -d: -f3,4)" = \
		  "$(grep '^daemon:' "$SP" | cut -d: -f3,4)" ]
	check "smbpasswd: second audit is clean" clean "smbpasswd:$SP"
	check "smbpasswd: new verdicts recorded, the audit hashes nothing" recorded smb "smbpasswd:$SP"
	cp -p "$T/smb.old" "$SP"
	migrate smb-lock lock "smbpasswd:$SP"
	check "smbpasswd: lock exits 0" rc smb-lock 0
	check "smbpasswd: lock sets the D flag, pdbedit shows it" \
		eval 'pdbedit -s "$S/smb.conf" -L -v daemon 2>/dev/null | grep -q "Account Flags:.*D"'
	check "smbpasswd: lock changes only the flags of lines 1 and 3" \
		span_only smb-lock "$SP" 1,3 '\[[^]]*\]'
	check "smbpasswd: after lock the audit is clean (locked)" clean "smbpasswd:$SP"
	cp -p "$T/smb.old" "$SP"
	migrate smb-user user "smbpasswd:$SP"
	check "smbpasswd: user exits 0" rc smb-user 0
	check "smbpasswd: user sets LCT 0: pdbedit says the password must change now" \
		eval 'pdbedit -s "$S/smb.conf" -L -v daemon 2>/dev/null | grep -q "Password must change: *0$"'
	check "smbpasswd: user changes only the LCT field" span_only smb-user "$SP" 1,3 'LCT-[0-9A-F]{8}'
else
	for i in $(seq 12); do skip "smbpasswd case $i" "smbpasswd or pdbedit not installed (samba-common-bin, samba)"; done
fi

# --- snmpd.conf (as snmpd.conf(5) shows), checked by snmpget -------------
N=$T/snmpd.conf
cat >"$N" <<EOF
# snmpd.conf
sysLocation    Lab
rocommunity  public 127.0.0.1
rwcommunity "private" 127.0.0.1
rocommunity Q7vn-unique-$$ 10.0.0.0/8
createUser carol SHA password AES password
createUser nopass
rouser carol
EOF
migrate snmp random "snmpd:$N"
check "snmpd: random exits 0" rc snmp 0
check "snmpd: credentials for both communities, carol's two passphrases, nopass" creds_ok snmp 5
check "snmpd: communities and passphrases replaced in place (quotes kept), 'SHA NEW AES' after a name without one" \
	span_only snmp "$N" 3,4,6,7 '(public|private|password|(?<=nopass)$)' "($ALPHA{16}| SHA $ALPHA{16} AES\$)"
check "snmpd: second audit is clean" clean "snmpd:$N"
check "snmpd: lock refused (no disabled state)" refused snmp-lock lock "snmpd:$T/snmp.old" "no disabled state"
printf 'createUser k SHA -m 0x0102030405060708090a0b0c0d0e0f10\n' >"$T/snmpd-key.conf"
check "snmpd: a -m key cannot be migrated: FILE:LINE, exit 2, unchanged" \
	eval 'migrate snmp-key random "snmpd:$T/snmpd-key.conf"; rc snmp-key 2 &&
		grep -qF "snmpd-key.conf:1: " "$T/out-snmp-key.err" && cmp -s "$T/snmpd-key.conf" "$T/snmp-key.old"'
if command -v snmpd >/dev/null && command -v snmpget >/dev/null; then
	P=$(port 3)
	mkdir -p "$T/snmp-persist"
	SNMP_PERSISTENT_DIR=$T/snmp-persist snmpd -f -Lf "$T/snmpd.log" -C -c "$N" \
		-p "$T/snmpd.pid" "udp:127.0.0.1:$P" >>"$T/snmpd.log" 2>&1 &
	PIDS+=($!)
	wait_port u "$P"
	get() { snmpget -m '' -t 1 -r 0 "$@" "127.0.0.1:$P" .1.3.6.1.2.1.1.1.0 >>"$T/snmpget.out" 2>&1; }
	check "snmpd: snmpget -v2c with the new community answers" get -v2c -c "$(pw snmp rocommunity 3)"
	check "snmpd: snmpget -v2c with 'public' gets nothing" not get -v2c -c public
	check "snmpd: snmpget -v3 authPriv with carol's new passphrases answers" \
		get -v3 -u carol -l authPriv -a SHA -A "$(awk -F'\t' '$2 == "carol" && $4 == "auth passphrase" {print $NF}' "$T/snmp.creds")" \
		-x AES -X "$(awk -F'\t' '$2 == "carol" && $4 == "priv passphrase" {print $NF}' "$T/snmp.creds")"
	check "snmpd: snmpget -v3 with carol's old passphrase gets nothing" \
		not get -v3 -u carol -l authPriv -a SHA -A password -x AES -X password
else
	for i in 1 2 3 4; do skip "snmpd daemon case $i" "snmpd or snmp not installed (scripts/deps.sh)"; done
fi

# --- hostapd.conf (as hostapd.conf documents it; PSKs by wpa_passphrase) ---
if command -v wpa_passphrase >/dev/null; then
	H=$T/hostapd.conf
	hostapd_head >"$H"
	cat >>"$H" <<EOF
sae_password=password123|id=staff
bss=wlan0_3
wpa_psk=$(psk Cafe password123)
EOF
	migrate wifi random "hostapd:$H"
	check "hostapd: a PSK without an ssid in its BSS is refused: FILE:LINE, exit 2, unchanged" \
		eval 'rc wifi 2 && grep -qF "hostapd.conf:12: " "$T/out-wifi.err" && cmp -s "$H" "$T/wifi.old"'
	echo 'ssid=Cafe' >>"$H"
	migrate wifi random "hostapd:$H"
	check "hostapd: random exits 0" rc wifi 0
	check "hostapd: credentials for 2 passphrases, 1 SAE password, 2 PSKs' passphrases" creds_ok wifi 4
	check "hostapd: only the values changed (sae_password's |id= kept)" \
		span_only wifi "$H" 4,7,10,12 '=[^|]*' '=[^|]*'
	check "hostapd: wpa_passphrase is the credentials' passphrase" \
		grep -qxF "wpa_passphrase=$(pw wifi wpa_passphrase 4)" "$H"
	check "hostapd: wpa_psk is wpa_passphrase's PSK of the new passphrase for the BSS's ssid" \
		[ "$(psk Guest "$(pw wifi wpa_psk 7)")" = "$(sed -n 7p "$H" | cut -d= -f2)" -a \
		  "$(psk Cafe "$(pw wifi wpa_psk 12)")" = "$(sed -n 12p "$H" | cut -d= -f2)" ]
	check "hostapd: second audit is clean" clean "hostapd:$H"
	check "hostapd: new verdicts recorded, the audit hashes nothing" recorded wifi "hostapd:$H"
	check "hostapd: lock refused (no disabled state)" refused wifi-lock lock "hostapd:$T/wifi.old" "no disabled state"
else
	for i in $(seq 9); do skip "hostapd case $i" "wpa_passphrase not installed (wpasupplicant)"; done
fi

# --- a refusal changes nothing anywhere -----------------------------------
mixed_ok() { # RC
	[ "$1" = 2 ] && grep -qF "$L:2:" "$T/out-mixed.err" && grep -qF "$N:3:" "$T/out-mixed.err" &&
		cmp -s "$L" "$T/plain.old" && cmp -s "$N" "$T/snmp.old"
}
cp -p "$T/plain.old" "$L"
cp "$T/snmp.old" "$N"
"$CG" migrate --no-cache --policy lock --store "plain:$L" \
	--store "snmpd:$N" >"$T/out-mixed.txt" 2>"$T/out-mixed.err"
check "lock on two stores without a disabled state: exit 2, both named, nothing written" mixed_ok $?

# --- no new secret outside the credentials files ---------------------------
leaks=0 secrets=0
for c in "$T"/*.creds "$T"/*.creds2; do
	[ -f "$c" ] || continue
	while IFS= read -r s; do
		secrets=$((secrets + 1))
		if grep -rqF -- "$s" "$T"/out-* "$T"/*.log "$T"/*.stats "$T/snmpget.out" 2>/dev/null; then
			echo "# leaked: a secret of $(basename "$c")"
			leaks=$((leaks + 1))
		fi
	done < <(awk -F'\t' '{ print $NF }' "$c")
done
check "no new secret in any output or log ($secrets secrets)" [ "$leaks" = 0 -a "$secrets" -gt 0 ]
tap_end
