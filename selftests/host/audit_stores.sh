#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The service stores (docs/audit.md "Service stores"): htdigest, plain,
# smbpasswd, mosquitto, snmpd, hostapd.  Every corpus is written by the
# real tool (htdigest, mosquitto_passwd, smbpasswd on a private smb.conf and
# private directories, wpa_passphrase) or as the service's documentation
# shows (snmpd.conf, hostapd.conf, lighttpd's plain file), never by credgate.
# Every verdict is asserted through `credgate audit --store TYPE:PATH
# --json`, no non-public secret appears in any output, each parser reports
# malformed lines as FILE:LINE and exits 2, and `credgate migrate` refuses
# a malformed store of every type and changes no byte (migration itself:
# migrate_stores.sh).  Shipped lists, default depths.  TAP.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
CG=${CREDGATE_BUILD:-$root/build}/credgate
. "$(dirname "$0")/service_corpus.inc"
T=$(mktemp -d /tmp/cg-stores.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
check() { # NAME CMD...
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
command -v jq >/dev/null || { echo "1..0 # SKIP jq not installed (scripts/deps.sh)"; exit 0; }

# Secrets no output may show: unique per run.
: >"$T/secrets"
uniq_pw() { # TAG -> a fresh secret, remembered for the leak check
	local s
	s="Cg$1-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
	echo "$s" >>"$T/secrets"
	echo "$s"
}

# audit NAME ARGS...: JSON into $T/NAME.json, text into $T/NAME.txt, exit
# status of the JSON run into $T/NAME.rc.
audit() {
	local name=$1; shift
	"$CG" audit --no-cache --json "$@" >"$T/out-$name.json" 2>"$T/out-$name.err"
	echo $? >"$T/$name.rc"
	"$CG" audit --no-cache "$@" >"$T/out-$name.txt" 2>>"$T/out-$name.err"
}
rc() { [ "$(cat "$T/$1.rc")" = "$2" ]; }
# verdict NAME USER LINE -> the verdict of that account
verdict() {
	jq -r --arg u "$2" --argjson l "$3" \
		'[.accounts[] | select(.user == $u and .line == $l) | .verdict] | join(",")' "$T/out-$1.json"
}
is() { # NAME USER LINE VERDICT
	local got
	got=$(verdict "$1" "$2" "$3")
	[ "$got" = "$4" ] || { echo "# $1 $2:$3: verdict '$got', expected '$4'"; return 1; }
}
detail_has() { # NAME USER LINE TEXT
	jq -r --arg u "$2" --argjson l "$3" '.accounts[] | select(.user == $u and .line == $l) | .detail' \
		"$T/out-$1.json" | grep -qF -- "$4"
}
err_has() { grep -qF -- "$2" "$T/out-$1.err" || { sed 's/^/# /' "$T/out-$1.err"; return 1; }; }
count() { [ "$(jq '.accounts | length' "$T/out-$1.json")" = "$2" ]; }
# migrate_refused NAME TYPE:PATH: PATH does not parse: exit 2, the audit's
# errors named, not a byte changed, no credentials.
migrate_refused() {
	local path=${2#*:} out=$T/mig-$1
	cp -p "$path" "$out.before"
	"$CG" migrate --no-cache --policy random --credentials-out "$out.creds" --store "$2" \
		>"$out.txt" 2>"$out.err"
	local r=$?
	cat "$out.txt" "$out.err" >>"$T/out-mig-$1.err"
	[ "$r" = 2 ] && grep -qF "the audit reported" "$out.err" &&
		cmp -s "$path" "$out.before" && ! grep -qv '^#' "$out.creds" 2>/dev/null
}

# --- htdigest (apache2-utils) -------------------------------------------
if command -v htdigest >/dev/null; then
	D=$T/htdigest
	u1=$(uniq_pw digest)
	u2=$(uniq_pw digest)
	printf 'admin\nadmin\n' | htdigest -c "$D" realm1 alice >/dev/null 2>&1
	printf '%s\n%s\n' "$u1" "$u1" | htdigest "$D" realm1 bob >/dev/null 2>&1
	printf '%s\n%s\n' "$u2" "$u2" | htdigest "$D" realm2 alice >/dev/null 2>&1
	printf 'iloveyou\niloveyou\n' | htdigest "$D" realm1 carol >/dev/null 2>&1
	printf '\n\n' | htdigest "$D" realm1 dave >/dev/null 2>&1
	audit digest --store "htdigest:$D"
	check "htdigest: 'admin' written by htdigest is default" is digest alice 1 default
	check "htdigest: unique password is ok" is digest bob 2 ok
	check "htdigest: same user in another realm is its own account, no duplicate" \
		eval 'is digest alice 3 ok && ! grep -q duplicate "$T/out-digest.err"'
	check "htdigest: empty password is blank" is digest dave 5 blank
	check "htdigest: fast depth leaves a common password unjudged" is digest carol 4 ok
	audit digest-full --depth full --store "htdigest:$D"
	check "htdigest: common password at full depth" is digest-full carol 4 common
	check "htdigest: exit 1 on violations" rc digest 1
	cp "$D" "$T/htdigest.bad"
	printf 'eve:realm1:nothexnothexnothexnothexnothexno\nfrank\nbob:realm1:%s\n' \
		"$(sed -n 2p "$D" | cut -d: -f3)" >>"$T/htdigest.bad"
	audit digest-bad --store "htdigest:$T/htdigest.bad"
	check "htdigest: bad digest named FILE:LINE" err_has digest-bad "htdigest.bad:6: field 3 is not an MD5 digest"
	check "htdigest: missing fields named FILE:LINE" err_has digest-bad "htdigest.bad:7: missing fields"
	check "htdigest: duplicate user and realm named" err_has digest-bad "htdigest.bad:8: duplicate entry for 'bob'"
	check "htdigest: malformed store exits 2" rc digest-bad 2
	check "htdigest: migrate refuses a malformed file, unchanged" migrate_refused digest "htdigest:$T/htdigest.bad"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "htdigest case $i" "htdigest not installed (apache2-utils)"; done
fi

# --- plain (lighttpd auth.backend "plain", as its documentation shows) -----
P=$T/plain
u1=$(uniq_pw plain)
printf '# lighttpd plain\nadmin:admin\nweb:%s:with:colons\nguest:\nserial:HX-42-7781\n' "$u1" >"$P"
audit plain --device-id serial=HX-42-7781 --store "plain:$P"
check "plain: default password" is plain admin 2 default
check "plain: default reported as stored in plain text" detail_has plain admin 2 "stored in plain text"
check "plain: unique password ok, reported as stored in plain text" \
	eval 'is plain web 3 ok && detail_has plain web 3 "stored in plain text"'
check "plain: empty password is blank" is plain guest 4 blank
check "plain: password equal to the serial is derived" is plain serial 5 derived
printf 'admin:admin\nnocolon\n:nouser\n' >"$T/plain.bad"
audit plain-bad --store "plain:$T/plain.bad"
check "plain: missing ':' named FILE:LINE" err_has plain-bad "plain.bad:2: missing ':'"
check "plain: empty user named FILE:LINE" err_has plain-bad "plain.bad:3: empty user name"
check "plain: malformed store exits 2" rc plain-bad 2
check "plain: migrate refuses a malformed file, unchanged" migrate_refused plain "plain:$T/plain.bad"

# --- mosquitto (mosquitto_passwd) ----------------------------------------
if command -v mosquitto_passwd >/dev/null; then
	M=$T/mosquitto
	u1=$(uniq_pw mqtt)
	u2=$(uniq_pw mqtt)
	mosquitto_passwd -c -b "$M" alice public
	mosquitto_passwd -b "$M" bob "$u1"
	mosquitto_passwd -H sha512 -b "$M" carol admin
	mosquitto_passwd -H sha512 -b "$M" dave "$u2"
	mosquitto_passwd -b "$M" erin sunshine
	echo 'frank:' >>"$M"
	audit mqtt --store "mosquitto:$M"
	check "mosquitto: \$7\$ (PBKDF2) of 'public' is default" is mqtt alice 1 default
	check "mosquitto: \$7\$ unique is ok" is mqtt bob 2 ok
	check "mosquitto: \$6\$ (SHA-512) of 'admin' is default" is mqtt carol 3 default
	check "mosquitto: \$6\$ unique is ok" is mqtt dave 4 ok
	check "mosquitto: user without a password is blank" is mqtt frank 6 blank
	audit mqtt-full --depth full --store "mosquitto:$M"
	check "mosquitto: common password at full depth" is mqtt-full erin 5 common
	printf 'alice:plaintext\nnocolon\nbob:$7$101$c2FsdA$aGFzaA==\n' >"$T/mosquitto.bad"
	audit mqtt-bad --store "mosquitto:$T/mosquitto.bad"
	check "mosquitto: plain-text password named FILE:LINE" err_has mqtt-bad "mosquitto.bad:1: password field is not a mosquitto hash"
	check "mosquitto: missing ':' named FILE:LINE" err_has mqtt-bad "mosquitto.bad:2: missing ':'"
	check "mosquitto: bad base64 named FILE:LINE" err_has mqtt-bad "mosquitto.bad:3: password field is not a mosquitto hash"
	check "mosquitto: malformed store exits 2" rc mqtt-bad 2
	check "mosquitto: migrate refuses a malformed file, unchanged" migrate_refused mqtt "mosquitto:$T/mosquitto.bad"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11; do skip "mosquitto case $i" "mosquitto_passwd not installed (mosquitto)"; done
fi

# --- smbpasswd (samba-common-bin, private smb.conf and directories) -------
# smbpasswd -a needs a Unix user: the system accounts every Debian has.
if command -v smbpasswd >/dev/null && getent passwd daemon bin sys nobody >/dev/null; then
	S=$T/samba
	smbconf "$S"
	u1=$(uniq_pw smb)
	smbp() { smbpasswd -c "$S/smb.conf" "$@" >>"$S/out" 2>&1; }
	printf 'password\npassword\n' | smbp -s -a daemon
	printf '%s\n%s\n' "$u1" "$u1" | smbp -s -a bin
	smbp -a -n sys			# NO PASSWORD, disabled
	printf 'x\nx\n' | smbp -s -a nobody
	smbp -d nobody			# disabled
	audit smb --store "smbpasswd:$S/smbpasswd"
	check "smbpasswd: NT hash of 'password' is default" is smb daemon 1 default
	check "smbpasswd: unique NT hash is ok" is smb bin 2 ok
	check "smbpasswd: NO PASSWORD disabled account is locked" is smb sys 3 locked
	check "smbpasswd: disabled account is locked" is smb nobody 4 locked
	printf '\n\n' | smbp -s -e sys	# enabled without a password
	audit smb2 --store "smbpasswd:$S/smbpasswd"
	check "smbpasswd: enabled account without a password is blank" is smb2 sys 3 blank
	cp "$S/smbpasswd" "$T/smb.bad"
	printf 'eve:x:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[U          ]:LCT-00000000:\n' >>"$T/smb.bad"
	printf 'old:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:0123456789ABCDEF0123456789ABCDEF:gecos:/home:/bin/sh\n' >>"$T/smb.bad"
	printf 'short:1001:XXXX:0123:[U          ]:LCT-00000000:\n' >>"$T/smb.bad"
	audit smb-bad --store "smbpasswd:$T/smb.bad"
	check "smbpasswd: bad uid named FILE:LINE" err_has smb-bad "smb.bad:5: field 2 (uid) is not a number"
	check "smbpasswd: old format named FILE:LINE" err_has smb-bad "smb.bad:6: field 5 is not the account flags"
	check "smbpasswd: short hash named FILE:LINE" err_has smb-bad "smb.bad:7: field 3 (LM hash)"
	check "smbpasswd: malformed store exits 2" rc smb-bad 2
	check "smbpasswd: migrate refuses a malformed file, unchanged" migrate_refused smb "smbpasswd:$T/smb.bad"
else
	for i in 1 2 3 4 5 6 7 8 9 10; do skip "smbpasswd case $i" "smbpasswd not installed (samba-common-bin)"; done
fi

# --- snmpd.conf (as snmpd.conf(5) shows) ----------------------------------
N=$T/snmpd.conf
u1=$(uniq_pw snmp)
u2=$(uniq_pw snmp)
u3=$(uniq_pw snmp)
u4=$(uniq_pw snmp)
cat >"$N" <<EOF
# snmpd.conf
sysLocation    Lab
rocommunity  public default -V systemonly
rocommunity6 public default -V systemonly
rwcommunity $u1 10.0.0.0/8
com2sec -Cn ctx local localhost private
com2sec mynet 10.0.0.0/24 "$u2 quoted"
createUser bob SHA "$u3" AES $u4
createUser carol SHA password
createUser nopass
usmUser 1 3 0x80001f8880 0x6d6f6c6c7900 0x6d6f6c6c7900 NULL .1.3.6.1.6.3.10.1.1.3 0x0102 .1.3.6.1.6.3.10.1.2.1 "" ""
EOF
audit snmp --store "snmpd:$N"
check "snmpd: rocommunity public is default" is snmp rocommunity 3 default
check "snmpd: rocommunity6 public is default" is snmp rocommunity6 4 default
check "snmpd: unique rwcommunity is ok, stored in plain text" \
	eval 'is snmp rwcommunity 5 ok && detail_has snmp rwcommunity 5 "stored in plain text"'
check "snmpd: com2sec with options, private is default" is snmp com2sec 6 default
check "snmpd: quoted community is ok" is snmp com2sec 7 ok
check "snmpd: createUser auth and priv passphrases both ok" is snmp bob 8 ok,ok
check "snmpd: createUser with 'password' is default" is snmp carol 9 default
check "snmpd: createUser without a passphrase is blank" is snmp nopass 10 blank
check "snmpd: usmUser localized key is unknown" is snmp 0x6d6f6c6c7900 11 unknown
check "snmpd: 10 secrets found on 9 lines" count snmp 10
printf 'rocommunity\ncom2sec a b\nrwcommunity "open\nrocommunity "a\\"b"\n' >"$T/snmpd.bad"
audit snmp-bad --store "snmpd:$T/snmpd.bad"
check "snmpd: missing community named FILE:LINE" err_has snmp-bad "snmpd.bad:1: missing community string"
check "snmpd: com2sec without community named FILE:LINE" err_has snmp-bad "snmpd.bad:2: missing community string"
check "snmpd: unterminated quote named FILE:LINE" err_has snmp-bad "snmpd.bad:3: unterminated double quote"
check "snmpd: escape in quotes named FILE:LINE" err_has snmp-bad "snmpd.bad:4: backslash escape"
check "snmpd: malformed store exits 2" rc snmp-bad 2
check "snmpd: migrate refuses a malformed file, unchanged" migrate_refused snmp "snmpd:$T/snmpd.bad"

# --- hostapd.conf (as hostapd.conf documents it; PSKs by wpa_passphrase) ---
if command -v wpa_passphrase >/dev/null; then
	H=$T/hostapd.conf
	u1=$(uniq_pw wifi)
	u2=$(uniq_pw wifi)
	hostapd_head >"$H"
	cat >>"$H" <<EOF
wpa_psk=$(psk Office "$u1")
sae_password=$u2|id=staff
bss=wlan0_3
wpa_psk=$(psk Cafe password123)
ssid=Cafe
bss=wlan0_4
ssid2="Home Net"
wpa_psk=$(psk 'Home Net' password123)
EOF
	audit wifi --store "hostapd:$H"
	check "hostapd: example wpa_passphrase is default" is wifi wpa_passphrase 4 default
	check "hostapd: wpa_psk of the example passphrase, salted with its BSS's ssid, is default" is wifi wpa_psk 7 default
	check "hostapd: unique wpa_psk is ok" is wifi wpa_psk 10 ok
	check "hostapd: unique sae_password (|id= stripped) is ok" is wifi sae_password 11 ok
	check "hostapd: ssid after the psk in its BSS" is wifi wpa_psk 13 default
	check "hostapd: ssid2 quoted" is wifi wpa_psk 17 default
	mkdir -p "$T/tree/etc/hostapd"
	printf 'ssid=Fjord-7731\nwpa_psk=%s\n' "$(psk Fjord-7731 Fjord-7731)" >"$T/tree/etc/hostapd/hostapd.conf"
	printf 'root:x:0:0::/root:/bin/sh\n' >"$T/tree/etc/passwd"
	audit wifi-tree --root "$T/tree" --store hostapd:/etc/hostapd/hostapd.conf
	check "hostapd: passphrase equal to the ssid is derived (--root)" is wifi-tree wpa_psk 2 derived
	printf 'wpa_passphrase=short\nwpa_psk=xyz\nnoequals\n' >"$T/hostapd.bad"
	audit wifi-bad --store "hostapd:$T/hostapd.bad"
	check "hostapd: short passphrase named FILE:LINE" err_has wifi-bad "hostapd.bad:1: wpa_passphrase must be 8..63"
	check "hostapd: bad psk named FILE:LINE" err_has wifi-bad "hostapd.bad:2: wpa_psk is not 64 hex digits"
	check "hostapd: line without '=' named FILE:LINE" err_has wifi-bad "hostapd.bad:3: no '='"
	check "hostapd: malformed store exits 2" rc wifi-bad 2
	check "hostapd: migrate refuses a malformed file, unchanged" migrate_refused wifi "hostapd:$T/hostapd.bad"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "hostapd case $i" "wpa_passphrase not installed (wpasupplicant)"; done
fi

# --- beside the login stores ---------------------------------------------
mkdir -p "$T/login/etc"
printf 'root:x:0:0::/root:/bin/sh\nop:x:1000:1000::/home/op:/bin/sh\n' >"$T/login/etc/passwd"
printf 'root:%s:19000:0:99999:7:::\nop::19000:0:99999:7:::\n' "$(openssl passwd -6 admin)" >"$T/login/etc/shadow"
audit login --root "$T/login" --store shadow:/etc/shadow --store passwd:/etc/passwd
cp "$N" "$T/login/etc/snmpd.conf"
audit mixed --root "$T/login" --store shadow:/etc/shadow --store passwd:/etc/passwd --store snmpd:/etc/snmpd.conf
check "a service store beside shadow leaves the login verdicts unchanged" \
	eval 'diff <(jq -c "[.accounts[] | select(.store != \"/etc/snmpd.conf\")]" "$T/out-mixed.json") \
		<(jq -c ".accounts" "$T/out-login.json") >/dev/null'

# --- nothing secret in any output ----------------------------------------
leaks=0
while read -r s; do
	if grep -rqF -- "$s" "$T"/out-* "$T"/mig-*.txt "$T"/mig-*.err 2>/dev/null; then
		echo "# leaked: a ${s%%-*} secret"
		leaks=$((leaks + 1))
	fi
done <"$T/secrets"
check "no non-public secret in any output ($(wc -l <"$T/secrets") secrets, $(ls "$T"/out-* | wc -l) outputs)" [ "$leaks" = 0 ]
echo "1..$n"
