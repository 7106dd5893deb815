#!/bin/sh
# SPDX-License-Identifier: MIT
# decision_test.sh (inside the VM, as root; CREDGATE_BACKEND=lsm|bpf): when
# the gate opens and closes, under the shipped configuration, for the two
# hash methods devices use (issue 10's VM tests):
#
#  A. sha512crypt at its default cost, hashes made in the VM by BusyBox
#     mkpasswd, nothing seeded: root with a sequential password keeps the
#     gate closed over the whole full audit (polled every 50 ms); `credgate
#     passwd` refuses a default, a counter, the hostname and a MAC-derived
#     password with the reason and accepts a random one, and the gate opens
#     within 1 s; a default written by a foreign tool closes it within 1 s.
#  B. yescrypt at its default cost: the hashes and their device-independent
#     verdicts come from the host (scripts/vm/decision-data, `make
#     vm-data`), as an image build seeds them; the VM hashes only its
#     derived candidates (unseeded, one yescrypt hash costs about 1 s under
#     TCG and a full audit about 25 minutes).  root with a common password
#     keeps the gate closed over the whole audit; `credgate
#     passwd` writes a yescrypt hash and the gate opens within 1 s; a
#     foreign default closes it within 1 s; a foreign good password (seeded)
#     opens it once its derived candidates are judged.
#
# A foreign good sha512crypt password (every candidate hashed, about 40 s
# here) is left to sh-agent_none on the host, the common sha512crypt case
# to agent_test.sh, and a seeded sequential yescrypt hash (the same path
# as the seeded common one: the seed's verdict plus the derived layer, one
# more minute here) to sh-audit_seed on the host (sha512crypt).  /etc/passwd and /etc/shadow are restored at the end.
# Two vCPUs (scripts/vm/check-suite reads the line below): the audit runs
# one thread per online CPU, so its parallel verification runs here, and
# the yescrypt part takes half as long.
# vm-smp: 2
# Prints TAP.
work=$(mktemp -d /tmp/decision_test.XXXXXX)
backend=${CREDGATE_BACKEND:-auto}
here=$(dirname "$0")
data=$here/data/decision
. "$here/agent_lib.inc"

cp -p /etc/shadow "$work/shadow.orig"
cp -p /etc/passwd "$work/passwd.orig"
cleanup() {
	[ -n "$agent_pid" ] && kill -9 "$agent_pid" 2>/dev/null
	cp -p "$work/shadow.orig" /etc/shadow
	cp -p "$work/passwd.orig" /etc/passwd
	ip link del cgtest0 2>/dev/null
	credgate gate close >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

need_credgated
if [ ! -s "$data/hashes" ] || [ ! -s "$data/audit.cache" ]; then
	echo "1..0 # SKIP no host-made yescrypt data in $data (make vm-data)"
	exit 0
fi
hash_from_host() { sed -n "s/^$1 //p" "$data/hashes"; }

# passwd_as USER PASSWORD STATE: credgate passwd on the live system,
# recording its verdict in the agent's cache (STATE/audit.cache).
passwd_as() {
	printf '%s\n' "$2" | credgate passwd --config "$work/credgate.conf" \
		--cache "$3/audit.cache" "$1" >"$work/passwd.out" 2>"$work/passwd.err"
}
random_pw() { head -c 15 /dev/urandom | base64 | tr '/+' 'xy'; }

# passwd_then_foreign_default METHOD PREFIX STATE DEFAULT-HASH (agent
# running on STATE, every other account clean): `credgate passwd` with a
# random password opens the gate within LIMIT_MS and keeps the store's
# method; then DEFAULT-HASH written by a foreign tool closes it within it.
passwd_then_foreign_default() {
	t0=$(now_ms)
	if passwd_as root "$(random_pw)" "$3" && ms=$(wait_state open "$LIMIT_MS"); then
		ok "$1, passwd with a random password: gate open after $ms ms (from the passwd call: $(( $(now_ms) - t0 )) ms)"
	else
		not_ok "$1, passwd with a random password: gate $(gate_state) after $(( $(now_ms) - t0 )) ms (limit $LIMIT_MS)"
		show "$work/passwd.err" "$3.log"
		wait_state open 120000 >/dev/null
	fi
	if [ "$(sed -n 's/^root:\([$][^$]*[$]\).*/\1/p' /etc/shadow)" = "$2" ]; then
		ok "$1, passwd kept the store's hash method ($2)"
	else
		not_ok "$1, passwd changed the hash method: $(sed -n 's/^root:\(....\).*/\1/p' /etc/shadow)"
	fi
	set_hash root "$4"
	if ms=$(wait_state closed "$LIMIT_MS"); then
		ok "$1, a default written by a foreign tool: gate closed after $ms ms"
	else
		not_ok "$1, foreign default: gate still $(gate_state) after $ms ms"; show "$3.log"
	fi
}

printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000:admin:/home/admin:/bin/sh\ncredgate:x:999:999:credgate agent:/var/lib/credgate:/bin/false\n' >/etc/passwd
write_config "$work/credgate.conf"
host=$(hostname)

# A MAC the derived tier knows: a dummy interface with a fixed address.
[ -f /lib/modules/dummy.ko ] && insmod /lib/modules/dummy.ko 2>/dev/null
if ip link add cgtest0 type dummy 2>/dev/null &&
	ip link set cgtest0 address 02:00:00:c0:ff:ee 2>/dev/null; then
	mac_pw=adminc0ffee	# prefix "admin" + the trailing 6 hex digits
else
	mac_pw=''
fi

renice -n 19 -p $$ >/dev/null 2>&1 || true	# see poll_never_open

# --- A. sha512crypt, nothing seeded -----------------------------------------
cat >/etc/shadow <<EOT
root:$(mkpasswd -m sha512 support3):19000:0:99999:7:::
admin:!:19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p "$work/a"
start_agent "$work/credgate.conf" "$work/a" "$work/a.log"
expect_never_open "sha512crypt, root sequential" "$work/a.log" 'full audit: 1 account(s) hold it closed: root (sequential'

cp -p /etc/shadow "$work/a.shadow"
for bad in admin admin2 "$host" "$mac_pw"; do
	if [ -z "$bad" ]; then
		ok "passwd refuses a MAC-derived password # SKIP no dummy interface in this VM"
		continue
	fi
	passwd_as root "$bad" "$work/a"; rc=$?
	if [ "$rc" -eq 1 ] && grep -q 'passwd: refused: it is ' "$work/passwd.err" &&
		cmp -s /etc/shadow "$work/a.shadow" && ! grep -q "$bad" "$work/passwd.out"; then
		ok "passwd refuses '$bad': $(sed -n 's/.*refused: \(it is [^;]*\);.*/\1/p' "$work/passwd.err")"
	else
		not_ok "passwd '$bad': exit $rc, shadow $(cmp -s /etc/shadow "$work/a.shadow" && echo unchanged || echo CHANGED)"
		show "$work/passwd.err"
	fi
done
passwd_then_foreign_default sha512crypt '$6$' "$work/a" "$(mkpasswd -m sha512 admin)"
stop_agent
ip link del cgtest0 2>/dev/null	# B hashes yescrypt: no more derived candidates than needed

# --- B. yescrypt, seeded from the host --------------------------------------
common=$(hash_from_host common)
default=$(hash_from_host default) good=$(hash_from_host good)
cat >/etc/shadow <<EOT
root:$common:19000:0:99999:7:::
admin:!:19000:0:99999:7:::
EOT
chmod 0640 /etc/shadow
mkdir -p "$work/b"
cp "$data/audit.cache" "$work/b/audit.cache" && chmod 0600 "$work/b/audit.cache"
start_agent "$work/credgate.conf" "$work/b" "$work/b.log"
expect_never_open "yescrypt, root common (seeded)" "$work/b.log" 'full audit: 1 account(s) hold it closed: root (common'

passwd_then_foreign_default yescrypt '$y$' "$work/b" "$default"
set_hash root "$good"
if ms=$(wait_state open 240000); then
	ok "yescrypt, a good password written by a foreign tool (seeded): gate open once judged, after $ms ms"
else
	not_ok "yescrypt, foreign good password: gate still $(gate_state) after $ms ms"; show "$work/b.log"
fi
stop_agent

echo "1..$n"
[ "$fails" -eq 0 ]
