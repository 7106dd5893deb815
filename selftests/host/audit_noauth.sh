#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The noauth verdict (docs/audit.md "Services that need no password"):
# mosquitto.conf allow_anonymous on a listener not bound to loopback,
# sshd_config PermitEmptyPasswords yes and PAM nullok while a login account
# is blank, telnetd -l SHELL and getty autologin on a pseudo-terminal in
# inittab, inetd.conf and init scripts.  Every case positive and negative,
# through the default configuration (usual paths inside --root) and
# --store TYPE:PATH; malformed lines named FILE:LINE with exit 2; the
# audit writes nothing; the agent (--backend none) kept non-compliant by an
# snmpd community and by an anonymous mosquitto listener, named in its log.
# Also --discover on a --root tree and credgated with [audit] discover = yes
# in a private mount namespace.  Files written as each service's
# documentation shows.  Shipped lists and
# configuration.  TAP.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${CREDGATE_BUILD:-${BUILD:-$root/build}}
case $build in /*) ;; *) build=$root/$build ;; esac
CG=$build/credgate
agent=$build/credgated
cli=$CG
T=$(mktemp -d /tmp/cg-noauth.XXXXXX)
work=$T/a
pid=''
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM
n=0
check() { # NAME CMD...
	local name=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $name"; else echo "not ok $n - $name"; fi
}
command -v jq >/dev/null || { echo "1..0 # SKIP jq not installed (scripts/deps.sh)"; exit 0; }

# tree NAME: a fresh rootfs $T/NAME with root locked and guest blank
# (BLANK=no: guest locked too, no hashing needed).
tree() {
	local d=$T/$1
	rm -rf "$d"
	mkdir -p "$d/etc/mosquitto" "$d/etc/ssh" "$d/etc/pam.d" "$d/etc/init.d"
	printf 'root:x:0:0:root:/root:/bin/sh\nguest:x:1000:1000::/home/guest:/bin/sh\n' >"$d/etc/passwd"
	if [ "${BLANK:-yes}" = yes ]; then
		printf 'root:!:19000::::::\nguest::19000::::::\n' >"$d/etc/shadow"
	else
		printf 'root:!:19000::::::\nguest:!:19000::::::\n' >"$d/etc/shadow"
	fi
	echo "$d"
}
# audit NAME DIR [ARGS]: JSON into $T/NAME.json, exit status in $T/NAME.rc, stderr $T/NAME.err
audit() {
	local name=$1 dir=$2; shift 2
	"$CG" audit --no-cache --json --root "$dir" "$@" >"$T/$name.json" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
rc() { [ "$(cat "$T/$1.rc")" = "$2" ] || { echo "# $1: exit $(cat "$T/$1.rc"), expected $2"; sed 's/^/# /' "$T/$1.err"; return 1; }; }
# noauth NAME STORE LINE: that line of that store has verdict noauth
noauth() {
	[ "$(jq -r --arg s "$2" --argjson l "$3" \
		'[.accounts[] | select(.store == $s and .line == $l and .verdict == "noauth")] | length' \
		"$T/$1.json")" = 1 ] || { echo "# $1: no noauth at $2:$3"; jq -c '.accounts[]' "$T/$1.json" | sed 's/^/# /'; return 1; }
}
no_noauth() { [ "$(jq '[.accounts[] | select(.verdict == "noauth")] | length' "$T/$1.json")" = 0 ] ||
	{ jq -c '.accounts[] | select(.verdict == "noauth")' "$T/$1.json" | sed 's/^/# /'; return 1; }; }
n_noauth() { jq '[.accounts[] | select(.verdict == "noauth")] | length' "$T/$1.json"; }
detail_has() { jq -r '.accounts[] | select(.verdict == "noauth") | .detail' "$T/$1.json" | grep -qF -- "$2"; }
err_has() { grep -qF -- "$2" "$T/$1.err" || { sed 's/^/# /' "$T/$1.err"; return 1; }; }

# --- mosquitto.conf ------------------------------------------------------
mq() { # NAME CONTENT: a tree whose mosquitto.conf holds CONTENT (BLANK=no)
	local d
	d=$(BLANK=no tree "$1")
	printf '%b' "$2" >"$d/etc/mosquitto/mosquitto.conf"
	audit "$1" "$d"
}
M=/etc/mosquitto/mosquitto.conf
mq mq-any 'listener 1883 0.0.0.0\nallow_anonymous true\n'
check "mosquitto: allow_anonymous true, listener on 0.0.0.0: noauth, exit 1" eval 'rc mq-any 1 && noauth mq-any $M 2'
check "mosquitto: the detail names the listener's port and address" detail_has mq-any "port 1883 (line 1) on 0.0.0.0"
# migrate has no password to replace for a noauth finding: exit 2, the
# finding named with what is wrong, not a byte changed.
cp "$T/mq-any/etc/mosquitto/mosquitto.conf" "$T/mq-any.before"
"$CG" migrate --root "$T/mq-any" --per-device --policy random --credentials-out "$T/mq-any.creds" \
	>"$T/mq-mig.out" 2>"$T/mq-mig.err"
echo $? >"$T/mq-mig.rc"
check "migrate refuses a noauth finding: exit 2, named, the file unchanged, no credentials" \
	eval 'rc mq-mig 2 && err_has mq-mig "$M:2: '"'"'allow_anonymous'"'"' (noauth): no password to migrate" &&
	cmp -s "$T/mq-any.before" "$T/mq-any/etc/mosquitto/mosquitto.conf" && [ ! -e "$T/mq-any.creds" ]'

mq mq-noaddr '# a listener with no address listens on every address\nlistener 8883\nallow_anonymous true\n'
check "mosquitto: listener without an address: noauth" noauth mq-noaddr $M 3
mq mq-port 'port 1883\nallow_anonymous true\n'
check "mosquitto: the default listener (port): noauth" noauth mq-port $M 2
mq mq-loop 'listener 1883 127.0.0.1\nallow_anonymous true\n'
check "mosquitto: listener on 127.0.0.1 only: not noauth, exit 0" eval 'rc mq-loop 0 && no_noauth mq-loop'
mq mq-lo 'listener 1883\nbind_interface lo\nallow_anonymous true\n'
check "mosquitto: listener bound to interface lo: not noauth" no_noauth mq-lo
mq mq-sock 'listener 0 /run/mosquitto/mqtt.sock\nallow_anonymous true\n'
check "mosquitto: unix socket listener: not noauth" no_noauth mq-sock
mq mq-nolistener 'allow_anonymous true\npassword_file /etc/mosquitto/passwd\n'
check "mosquitto 2.x: no listener at all (loopback only): not noauth" no_noauth mq-nolistener
mq mq-false 'listener 1883\nallow_anonymous false\n'
check "mosquitto: allow_anonymous false: not noauth" no_noauth mq-false
mq mq-unset 'listener 1883\n'
check "mosquitto 2.x: allow_anonymous unset (false): not noauth" no_noauth mq-unset
mq mq-last 'listener 1883\nallow_anonymous true\nallow_anonymous false\n'
check "mosquitto: the last allow_anonymous wins (false): not noauth" no_noauth mq-last
mq mq-per 'per_listener_settings true\nlistener 1883 127.0.0.1\nallow_anonymous true\nlistener 8883\nallow_anonymous false\n'
check "mosquitto: per_listener_settings, anonymous on the loopback listener only: not noauth" no_noauth mq-per
mq mq-per2 'per_listener_settings true\nlistener 1883 127.0.0.1\nallow_anonymous false\nlistener 8883 192.0.2.1\nallow_anonymous true\n'
check "mosquitto: per_listener_settings, anonymous on 192.0.2.1:8883: noauth on its line" noauth mq-per2 $M 5
mq mq-bad 'listener 1883\nallow_anonymous yes\n'
check "mosquitto: allow_anonymous yes: FILE:LINE, exit 2" eval 'rc mq-bad 2 && err_has mq-bad "$T/mq-bad$M:2:"'
mq mq-badport 'listener http\n'
check "mosquitto: listener with no port number: FILE:LINE, exit 2" eval 'rc mq-badport 2 && err_has mq-badport "$T/mq-badport$M:1:"'
d=$(BLANK=no tree mq-store)
printf 'listener 1883 ::\nallow_anonymous true\n' >"$T/mosq.conf"
"$CG" audit --no-cache --json --store "mosquitto-conf:$T/mosq.conf" --store "shadow:$d/etc/shadow" \
	>"$T/mq-store.json" 2>"$T/mq-store.err"
echo $? >"$T/mq-store.rc"
check "mosquitto: --store mosquitto-conf:PATH: noauth, exit 1" eval 'rc mq-store 1 && noauth mq-store "$T/mosq.conf" 2'

# --- sshd_config ---------------------------------------------------------
S=/etc/ssh/sshd_config
sshd() { # NAME BLANK CONTENT
	local d
	d=$(BLANK=$2 tree "$1")
	printf '%b' "$3" >"$d$S"
	audit "$1" "$d"
}
sshd ssh-yes yes 'Port 22\nPermitEmptyPasswords yes\n'
check "sshd: PermitEmptyPasswords yes with a blank account: noauth" eval 'rc ssh-yes 1 && noauth ssh-yes $S 2'
check "sshd: the detail names the blank account" detail_has ssh-yes "account guest has an empty password"
sshd ssh-noblank no 'PermitEmptyPasswords yes\n'
check "sshd: PermitEmptyPasswords yes, no blank account: not noauth, exit 0" eval 'rc ssh-noblank 0 && no_noauth ssh-noblank'
sshd ssh-no yes 'PermitEmptyPasswords no\n'
check "sshd: PermitEmptyPasswords no: not noauth (blank is still blank)" eval 'no_noauth ssh-no && rc ssh-no 1'
sshd ssh-first yes 'PermitEmptyPasswords no\nPermitEmptyPasswords yes\n'
check "sshd: the first value wins (no): not noauth" no_noauth ssh-first
sshd ssh-eq yes 'permitemptypasswords=yes\n'
check "sshd: keyword=value, any case: noauth" noauth ssh-eq $S 1
sshd ssh-match yes 'PermitEmptyPasswords no\nMatch User guest\n\tPermitEmptyPasswords yes\n'
check "sshd: yes inside a Match block counts: noauth" eval 'noauth ssh-match $S 3 && detail_has ssh-match "Match block of line 2"'
sshd ssh-bad yes 'PermitEmptyPasswords maybe\n'
check "sshd: PermitEmptyPasswords maybe: FILE:LINE, exit 2" eval 'rc ssh-bad 2 && err_has ssh-bad "$T/ssh-bad$S:1:"'

# --- PAM -----------------------------------------------------------------
pam() { # NAME BLANK FILE CONTENT [FILE CONTENT]...
	local d name=$1
	d=$(BLANK=$2 tree "$1")
	shift 2
	while [ $# -ge 2 ]; do printf '%b' "$2" >"$d/etc/pam.d/$1"; shift 2; done
	audit "$name" "$d"
}
CA='auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\tpam_deny.so\nauth\trequired\tpam_permit.so\n'
pam pam-inc yes remote '@include common-auth\naccount include common-account\n' common-auth "$CA"
check "pam: remote includes common-auth with pam_unix nullok, blank account: noauth" eval 'rc pam-inc 1 && noauth pam-inc /etc/pam.d/common-auth 1'
pam pam-noblank no remote '@include common-auth\n' common-auth "$CA"
check "pam: nullok, no blank account: not noauth, exit 0" eval 'rc pam-noblank 0 && no_noauth pam-noblank'
pam pam-direct yes vsftpd 'auth required pam_unix.so nullok\n'
check "pam: nullok on vsftpd's own auth line: noauth" noauth pam-direct /etc/pam.d/vsftpd 1
pam pam-substack yes telnet 'auth substack system-auth\n' system-auth '-auth sufficient pam_unix.so try_first_pass nullok\n'
check "pam: telnet's substack with -auth ... nullok: noauth" noauth pam-substack /etc/pam.d/system-auth 1
pam pam-secure yes remote 'auth required pam_unix.so nullok_secure\n'
check "pam: nullok_secure (secure ttys only): not noauth" no_noauth pam-secure
pam pam-password yes remote 'auth required pam_unix.so\npassword required pam_unix.so nullok\n'
check "pam: nullok on a password line (not auth): not noauth" no_noauth pam-password
pam pam-login yes login '@include common-auth\n' common-auth "$CA"
check "pam: login (the console's service) is not read by default: not noauth" no_noauth pam-login
pam pam-bad yes remote 'auth required\n'
check "pam: a line without a module: FILE:LINE, exit 2" eval 'rc pam-bad 2 && err_has pam-bad "$T/pam-bad/etc/pam.d/remote:1:"'

# --- inittab, inetd.conf, init scripts -----------------------------------
init() { # NAME FILE CONTENT (BLANK=no)
	local d
	d=$(BLANK=no tree "$1")
	printf '%b' "$3" >"$d$2"
	audit "$1" "$d"
}
init it-sh /etc/inittab '::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n'
check "inittab: BusyBox telnetd -F -l /bin/sh: noauth" eval 'rc it-sh 1 && noauth it-sh /etc/inittab 2'
check "inittab: the detail names the shell" detail_has it-sh "telnetd -l /bin/sh"
init it-login /etc/inittab '::respawn:/usr/sbin/telnetd -F -l /bin/login\n::respawn:/usr/sbin/telnetd -F -p 2323\n'
check "inittab: telnetd -l /bin/login and telnetd without -l: not noauth" eval 'rc it-login 0 && no_noauth it-login'
init it-script /etc/init.d/S50telnetd '#!/bin/sh\n# telnetd -l /bin/sh (a comment)\nstart-stop-daemon -S -x /usr/sbin/telnetd -- -p 23 -l/bin/ash\n'
check "init script: telnetd -l/bin/ash through start-stop-daemon: noauth on line 3 only" \
	eval 'noauth it-script /etc/init.d/S50telnetd 3 && [ "$(n_noauth it-script)" = 1 ]'
init it-inetd /etc/inetd.conf 'telnet\tstream\ttcp\tnowait\troot\t/usr/sbin/telnetd\ttelnetd -l /bin/bash\n'
check "inetd.conf: telnetd -l /bin/bash: noauth" noauth it-inetd /etc/inetd.conf 1
init it-getty /etc/inittab 'ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\ntty1::respawn:/sbin/agetty --autologin root tty1 linux\n'
check "inittab: getty autologin on the serial and virtual console (local): not noauth" no_noauth it-getty
init it-pts /etc/inittab 'pts0::respawn:/sbin/agetty --autologin root pts/0 linux\n'
check "inittab: agetty --autologin on pts/0: noauth" noauth it-pts /etc/inittab 1
init it-bad /etc/inittab '::respawn:/usr/sbin/telnetd -F -l\n'
check "inittab: telnetd -l without a program: FILE:LINE, exit 2" eval 'rc it-bad 2 && err_has it-bad "$T/it-bad/etc/inittab:1:"'

# --- everything at once, read-only ---------------------------------------
d=$(tree all)
printf 'listener 1883\nallow_anonymous true\n' >"$d$M"
printf 'PermitEmptyPasswords yes\n' >"$d$S"
printf '::respawn:/usr/sbin/telnetd -l /bin/sh\n' >"$d/etc/inittab"
chmod -R a-w "$d"
sleep 1
audit all "$d"
"$CG" audit --no-cache --root "$d" >"$T/all.txt" 2>&1
check "all: blank + three noauth, exit 1" eval 'rc all 1 && [ "$(n_noauth all)" = 3 ]'
check "all: the text output gives each noauth with its advice" \
	eval 'grep -q "^/etc/mosquitto/mosquitto.conf:2: allow_anonymous: noauth: .*set allow_anonymous false" "$T/all.txt" &&
	      grep -q "^/etc/ssh/sshd_config:1: PermitEmptyPasswords: noauth: .*set PermitEmptyPasswords no" "$T/all.txt" &&
	      grep -q "^/etc/inittab:1: telnetd: noauth: " "$T/all.txt"'
check "all: nothing was written in the tree" eval '[ -z "$(find "$d" -newer "$d/etc/inittab" -print)" ]'
chmod -R u+w "$d"
"$CG" migrate --no-cache --root "$d" --policy lock >"$T/mig.out" 2>&1
check "migrate: a noauth setting cannot be migrated, the file unchanged" \
	eval 'grep -q "(noauth): no password to migrate" "$T/mig.out" && grep -q "^allow_anonymous true" "$d$M"'

# --- --discover (docs/audit.md "Discovery") ------------------------------
d=$(BLANK=no tree disc)
mkdir -p "$d/etc/snmp" "$d/var/lib/snmp" "$d/etc/lighttpd/conf-enabled" "$d/etc/mosquitto/conf.d" \
	"$d/etc/default" "$d/etc/samba" "$d/srv/web" "$d/etc/hostapd"
# Each written as its service's documentation shows.
printf 'agentAddress udp:161\nrocommunity public default\n' >"$d/etc/snmp/snmpd.conf"
printf 'createUser admin MD5 admin123 DES\n' >"$d/var/lib/snmp/snmpd.conf"
printf 'server.modules += ( "mod_auth" )\nauth.backend = "htdigest"\nauth.backend.htdigest.userfile = "/srv/web/htdigest"\n' \
	>"$d/etc/lighttpd/conf-enabled/05-auth.conf"
printf 'server.document-root = "/srv/www"\nauth.backend.plain.userfile = "/srv/web/plain" # the web UI\nauth.backend.htpasswd.userfile = var.confdir + "/htpasswd"\n' \
	>"$d/etc/lighttpd/lighttpd.conf"
printf 'admin:admin\n' >"$d/srv/web/plain"
printf 'admin:realm:%s\n' "$(printf 'admin:realm:admin' | md5sum | cut -d' ' -f1)" >"$d/srv/web/htdigest"
printf 'listener 1883 127.0.0.1\npassword_file /etc/mosquitto/users\n' >"$d/etc/mosquitto/conf.d/local.conf"
printf '#!/bin/sh\nstart-stop-daemon -S -x /usr/sbin/hostapd -- -B -P /run/hostapd.pid /etc/wlan0.conf\n' >"$d/etc/init.d/S60hostapd"
printf 'interface=wlan0\nssid=Dev\nwpa_passphrase=password\n' >"$d/etc/wlan0.conf"
printf 'DAEMON_CONF="/etc/hostapd/hostapd.conf /etc/wlan1.conf"\n' >"$d/etc/default/hostapd"
printf 'interface=wlan0\nssid=Dev2\nwpa_passphrase=Zq7-unlisted-Kc3w\n' >"$d/etc/hostapd/hostapd.conf"
printf 'admin:0:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[NU         ]:LCT-00000000:\n' >"$d/etc/samba/smbpasswd"
mkdir -p "$d/etc/credgate"
[ ! -e "$d/etc/credgate/credgate.conf" ] || cp "$d/etc/credgate/credgate.conf" "$T/disc.conf.saved"
printf '[audit]\ndiscover = no\n' >"$d/etc/credgate/credgate.conf"
audit disc0 "$d"
check "discover = no: only the login stores, exit 0" eval 'rc disc0 0 && [ "$(jq ".discovered // \"none\"" "$T/disc0.json")" = "\"none\"" ]'
rm -f "$d/etc/credgate/credgate.conf"
[ ! -e "$T/disc.conf.saved" ] || mv "$T/disc.conf.saved" "$d/etc/credgate/credgate.conf"
audit discdef "$d"
check "discover = yes is the default: the service stores found without --discover, exit 1" \
	eval 'rc discdef 1 && [ "$(jq ".discovered | length" "$T/discdef.json")" -gt 5 ]'
touch "$T/stamp"
sleep 1
audit disc "$d" --discover
"$CG" audit --no-cache --root "$d" --discover >"$T/disc.txt" 2>&1
found() { # TYPE PATH WHY AUDITED
	[ "$(jq -r --arg t "$1" --arg p "$2" '.discovered[] | select(.type == $t and .path == $p) | "\(.why) \(.audited)"' \
		"$T/disc.json")" = "$3 $4" ] || { jq -c '.discovered[]' "$T/disc.json" | sed 's/^/# /'; return 1; }
}
v_at() { jq -r --arg s "$2" --argjson l "$3" '[.accounts[] | select(.store == $s and .line == $l) | .verdict] | join(",")' "$T/$1.json"; }
check "discover: exit 1 (the defaults found)" rc disc 1
check "discover: snmpd.conf at its usual path, audited: public is default" \
	eval 'found snmpd /etc/snmp/snmpd.conf "usual path" true && [ "$(v_at disc /etc/snmp/snmpd.conf 2)" = default ]'
check "discover: /var/lib/snmp/snmpd.conf, audited: createUser admin123 is default" \
	eval 'found snmpd /var/lib/snmp/snmpd.conf "usual path" true && [ "$(v_at disc /var/lib/snmp/snmpd.conf 1)" = default ]'
check "discover: lighttpd auth.backend.htdigest.userfile, named by file:line" \
	eval 'found htdigest /srv/web/htdigest /etc/lighttpd/conf-enabled/05-auth.conf:3 true && [ "$(v_at disc /srv/web/htdigest 1)" = default ]'
check "discover: lighttpd auth.backend.plain.userfile (comment after it)" \
	eval 'found plain /srv/web/plain /etc/lighttpd/lighttpd.conf:2 true && [ "$(v_at disc /srv/web/plain 1)" = default ]'
check "discover: an expression (var.confdir + ...) is not followed" \
	eval '! jq -e ".discovered[] | select(.type == \"htpasswd\")" "$T/disc.json" >/dev/null'
check "discover: mosquitto password_file that does not exist: listed, not audited" \
	found mosquitto /etc/mosquitto/users /etc/mosquitto/conf.d/local.conf:2 false
check "discover: hostapd -B CONFIG in an init script" \
	eval 'found hostapd /etc/wlan0.conf /etc/init.d/S60hostapd:2 true && [ "$(v_at disc /etc/wlan0.conf 3)" = default ]'
# The first reason found is kept: hostapd.conf is at its usual path.
check "discover: /etc/default/hostapd DAEMON_CONF, each path (one missing)" \
	eval 'found hostapd /etc/hostapd/hostapd.conf "usual path" true && found hostapd /etc/wlan1.conf /etc/default/hostapd:1 false'
check "discover: smbpasswd at its usual path, NO PASSWORD is blank" \
	eval 'found smbpasswd /etc/samba/smbpasswd "usual path" true && [ "$(v_at disc /etc/samba/smbpasswd 1)" = blank ]'
check "discover: the text output lists each store with why and whether audited" \
	eval 'grep -qx "discovered: htdigest:/srv/web/htdigest (/etc/lighttpd/conf-enabled/05-auth.conf:3): audited" "$T/disc.txt" &&
	      grep -qx "discovered: mosquitto:/etc/mosquitto/users (/etc/mosquitto/conf.d/local.conf:2): not audited: the file does not exist" "$T/disc.txt"'
# Outside the tree only this test's own output files may be new (the
# rest of /tmp is shared with other runs: not checked).
check "discover: nothing written inside --root, nothing else in this test's directory" \
	eval '[ -z "$(find "$d" -newer "$T/stamp" -print)" ] &&
	      [ -z "$(find "$T" -maxdepth 1 -newer "$T/stamp" ! -name "disc.*" ! -name "$(basename "$T")" -print)" ]'
mkdir -p "$d/etc/credgate"
printf '[audit]\ndiscover = yes\n' >"$d/etc/credgate/credgate.conf"
audit disc-conf "$d"
check "[audit] discover = yes in the tree's credgate.conf: the same stores" \
	eval 'rc disc-conf 1 && [ "$(jq ".discovered | length" "$T/disc-conf.json")" = "$(jq ".discovered | length" "$T/disc.json")" ]'
printf '[audit]\ndiscover = maybe\n' >"$d/etc/credgate/credgate.conf"
audit disc-bad "$d"
check "[audit] discover = maybe: credgate.conf:2, exit 2" eval 'rc disc-bad 2 && err_has disc-bad "credgate.conf:2"'

# --- the agent (--backend none: no kernel gate is touched) ---------------
if [ -x "$agent" ]; then
	# Under ASan (san-sh-audit_noauth): LeakSanitizer needs ptrace, which
	# the agent's seccomp filter refuses (docs/agent.md): no leak check here.
	[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS=${ASAN_OPTIONS//detect_leaks=1/detect_leaks=0}
	. "$(dirname "$0")/agent_lib.inc"
	mkdir -p "$work/state"
	printf 'root:x:0:0::/root:/bin/sh\n' >"$work/passwd"
	printf 'root:!:19000:0:99999:7:::\n' >"$work/shadow"
	# net-snmp's example: a read-only community for the whole tree
	printf 'agentAddress udp:161\nrocommunity public default\n' >"$work/snmpd.conf"
	printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' >"$work/mq.conf"
	# The shipped configuration with this test's stores (absolute host paths).
	cat >"$work/credgate.conf" <<CONF
[gate]
backend = none
[audit]
stores = shadow:$work/shadow passwd:$work/passwd snmpd:$work/snmpd.conf mosquitto-conf:$work/mq.conf
CONF
	says() { grep -q "$1" "$work/agent.log"; }
	# agent_check NAME COND MS: COND true within MS, else the log as comments
	agent_check() {
		if wait_for "$2" "$3" >/dev/null; then
			check "$1" true
		else
			check "$1" false
			sed 's/^/# /' "$work/agent.log"
		fi
	}
	snmp_named() { not_compliant && says "would close.*snmpd.conf\|would close.*public\|would close.*rocommunity"; }
	start_agent "$work/credgate.conf"
	agent_check "agent: rocommunity public keeps it non-compliant, the log line names it" snmp_named 30000
	# The community fixed, the broker opened to the network: noauth.
	printf 'agentAddress udp:161\nrocommunity Zq7-unlisted-Kc3w default\n' >"$work/snmpd.conf.new"
	mv "$work/snmpd.conf.new" "$work/snmpd.conf"
	printf 'listener 1883 0.0.0.0\nallow_anonymous true\n' >"$work/mq.conf.new"
	mv "$work/mq.conf.new" "$work/mq.conf"
	mq_named() { not_compliant && says "would close.*noauth"; }
	agent_check "agent: allow_anonymous on 0.0.0.0 keeps it non-compliant (noauth), named in the log" mq_named 30000
	printf 'listener 1883 127.0.0.1\nallow_anonymous true\n' >"$work/mq.conf.new"
	mv "$work/mq.conf.new" "$work/mq.conf"
	agent_check "agent: the listener back on 127.0.0.1: compliant" compliant 60000
	stop_agent

	# [audit] discover = yes: the agent discovers on the live system, so
	# it runs in a private mount namespace with tmpfs over /etc/snmp and
	# /var/lib/snmp (the host's own files are never touched or read).
	if [ "$(id -u)" = 0 ] && [ -d /etc/snmp ] && [ -d /var/lib/snmp ] &&
		unshare -m --propagation private true 2>/dev/null; then
		cat >"$work/disc.conf" <<CONF
[gate]
backend = none
[audit]
stores = shadow:$work/shadow passwd:$work/passwd
discover = yes
CONF
		cat >"$work/ns.sh" <<'NS'
set -e
mount -t tmpfs -o mode=0755 none /etc/snmp
mount -t tmpfs -o mode=0755 none /var/lib/snmp
printf 'rocommunity public default\n' >/etc/snmp/snmpd.conf
chmod 0644 /etc/snmp/snmpd.conf
exec "$@"
NS
		rm -f "$sock"
		unshare -m --propagation private sh "$work/ns.sh" "$agent" --config "$work/disc.conf" \
			--state-dir "$work/state" --socket "$sock" --foreground --os-release /dev/null \
			>"$work/agent.log" 2>&1 &
		pid=$!
		for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
		# The agent's latest decision (its log line) without snmpd.conf.
		gone() { grep 'gate would' "$work/agent.log" | tail -n 1 | grep -qv '/etc/snmp/snmpd.conf'; }
		disc_named() { not_compliant && says "would close.*/etc/snmp/snmpd.conf"; }
		agent_check "agent, discover = yes: /etc/snmp/snmpd.conf found, public keeps it non-compliant, named in the log" disc_named 30000
		# The discovered file is watched: a new community is noticed.
		nsenter -t "$pid" -m sh -c 'printf "rocommunity Zq7-unlisted-Kc3w default\n" >/etc/snmp/snmpd.conf.new &&
			chmod 0644 /etc/snmp/snmpd.conf.new && mv /etc/snmp/snmpd.conf.new /etc/snmp/snmpd.conf'
		agent_check "agent, discover = yes: the discovered file is watched, its fix noticed" gone 30000
		stop_agent
	else
		n=$((n + 1)); echo "ok $n - agent, discover = yes # SKIP needs root, /etc/snmp, /var/lib/snmp and unshare -m"
		n=$((n + 1)); echo "ok $n - agent, discover = yes, watch # SKIP as above"
	fi
else
	n=$((n + 1)); echo "ok $n - agent # SKIP $agent not built"
fi
echo "1..$n"
