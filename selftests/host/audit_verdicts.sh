#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Where a verdict comes from (docs/audit.md): a verification that fails is
# an error, never "no match", and never cached (fault injection with an
# LD_PRELOAD wrapper around crypt_rn, and the real case: a costly yescrypt
# under ulimit -v); bigcrypt verified; the live hostname, DMI, device-tree
# and MAC identifiers and --device-id ssid/model derived; passwd 'x'
# without a shadow store is an error; migrate at the default (full) depth
# fixes every verdict that closes the gate.  Shipped lists, default costs.
# Prints TAP.
set -u
# shellcheck source=selftests/host/audit_lib.inc
. "$(dirname "$0")/audit_lib.inc"
audit_suite verdicts mkpasswd perl gcc jq
sha() { mkpasswd -m sha-512 "$1"; }
jqt() { jq -e "$@" >/dev/null; } # jq as a test: no output
mk_tree() { # DIR SHADOW-LINES...
	local d=$1; shift
	mkdir -p "$d/etc"
	printf 'root:x:0:0::/root:/bin/sh\n' >"$d/etc/passwd"
	printf '%s\n' "$@" >"$d/etc/shadow"
	chmod 0640 "$d/etc/shadow"
}

# --- 1. Fault injection: every crypt_rn fails with ENOMEM ---------------------
cat >"$T/failcrypt.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
char *crypt_rn(const char *pw, const char *setting, void *data, int size)
{
	static char *(*real)(const char *, const char *, void *, int);

	if (getenv("CG_FAIL_CRYPT")) {
		errno = ENOMEM;
		return NULL;
	}
	if (!real)
		real = (char *(*)(const char *, const char *, void *, int))dlsym(RTLD_NEXT, "crypt_rn");
	return real(pw, setting, data, size);
}
EOF
gcc -shared -fPIC -o "$T/failcrypt.so" "$T/failcrypt.c" -ldl
mk_tree "$T/f" "admin:$(sha admin):19000:0:99999:7:::"
CACHE=$T/state/audit.cache
LD_PRELOAD=$T/failcrypt.so CG_FAIL_CRYPT=1 "$CG" audit --root "$T/f" --cache "$CACHE" \
	>"$T/f.out" 2>"$T/f.err"
rc=$?
check "crypt_rn failing: exit 2 (an error, not compliant)" [ "$rc" -eq 2 ]
check "the error names store:line, user, method and errno" \
	grep -q '/etc/shadow:1: user admin: the sha512crypt hash could not be verified: Cannot allocate memory' "$T/f.err"
no_entries() { [ ! -e "$1" ] || [ "$(grep -cv '^credgate-audit-cache' "$1")" -eq 0 ]; }
check "nothing cached from a failed verification" no_entries "$CACHE"
LD_PRELOAD=$T/failcrypt.so "$CG" audit --root "$T/f" --cache "$CACHE" --json >"$T/f2.json" 2>/dev/null
rc=$?
check "the same audit without the fault finds the default (exit 1)" \
	[ "$rc" -eq 1 ] && grep -q '"verdict":"default"' "$T/f2.json"

# --- 2. The real case: a costly yescrypt under a memory limit ------------------
ys=$(mkpasswd -m yescrypt -R 11 admin 2>/dev/null)
if [ -n "$ys" ]; then
	mk_tree "$T/y" "admin:$ys:19000:0:99999:7:::"
	(ulimit -v 100000; exec "$CG" audit --root "$T/y" --cache "$T/ystate/c" >/dev/null 2>"$T/y.err")
	rc=$?
	check "yescrypt (N=2^11 blocks) under ulimit -v 100000: exit 2, named" \
		[ "$rc" -eq 2 ] && grep -q 'user admin: the yescrypt hash could not be verified' "$T/y.err"
	"$CG" audit --root "$T/y" --cache "$T/ystate/c" --json >"$T/y.json" 2>/dev/null
	rc=$?
	check "the same hash without the limit: default (exit 1), the cache did not lie" \
		[ "$rc" -eq 1 ] && grep -q '"verdict":"default"' "$T/y.json"
else
	skip "yescrypt under ulimit -v" "mkpasswd cannot make yescrypt here"
	skip "yescrypt without the limit" "mkpasswd cannot make yescrypt here"
fi

# --- 3. bigcrypt: verified, not 'locked' -------------------------------------
big=$(perl -e 'print crypt($ARGV[0], "ab" . ("A" x 22))' 'Fact0ry-Acme-77')
mk_tree "$T/b" "admin:$big:19000:0:99999:7:::"
mkdir -p "$T/b/etc/credgate/defaults.d"
echo 'Fact0ry-Acme-77' >"$T/b/etc/credgate/defaults.d/oem.list"
check "the test's bigcrypt hash is 13+11 characters" [ "${#big}" -eq 24 ]
"$CG" audit --root "$T/b" --json >"$T/b.json" 2>"$T/b.err"
check "bigcrypt hash of an OEM default: default" grep -q '"verdict":"default"' "$T/b.json"

# --- 4. The live hostname is a derived candidate ----------------------------
if unshare -u true 2>/dev/null; then
	mkdir -p "$T/h"
	printf 'root:%s:19000:0:99999:7:::\n' "$(sha gw-kitchen-4711)" >"$T/h/shadow"
	unshare -u sh -c 'hostname gw-kitchen-4711 && exec "$0" audit --store "shadow:$1" --no-cache --json' \
		"$CG" "$T/h/shadow" >"$T/h.json" 2>"$T/h.err"
	check "live hostname (procfs, size 0) used: derived" grep -q '"verdict":"derived"' "$T/h.json"
else
	skip "live hostname derived" "unshare -u not permitted here"
fi

# --- 4b. The live identifiers: DMI, device tree, MAC; --device-id model/ssid --
# A private mount namespace (unshare -m) puts fake files where the audit
# reads them on a running device: a tmpfs over /sys/class (dmi/id, net/*),
# a tmpfs over /proc holding device-tree/ (NUL-terminated, as the kernel
# writes it) with self/thread-self linked to a real procfs (rooted.c
# needs /proc/self/fd).  Nothing outside the namespace changes.
if unshare -m true 2>/dev/null; then
	mkdir -p "$T/live/proc"
	{
		printf 'root:*:19000:0:99999:7:::\n'
		for u in dmiser:SN-DMI-55AA17 dmimodel:Widget-X1000 dtmodel:Acme-Board-Q7 \
			dtser:DT-0042-99 mac:adminEF1234 fine:'Vq3#tLm8-zr'; do
			printf '%s:%s:19000:0:99999:7:::\n' "${u%%:*}" "$(sha "${u#*:}")"
		done
	} >"$T/live/shadow"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount -t tmpfs none /sys/class
		mkdir -p /sys/class/dmi/id /sys/class/net/eth7
		echo SN-DMI-55AA17 >/sys/class/dmi/id/product_serial
		echo Widget-X1000 >/sys/class/dmi/id/product_name
		echo de:ad:be:ef:12:34 >/sys/class/net/eth7/address
		mount -t proc proc "$2"
		mount -t tmpfs none /proc
		ln -s "$2/self" /proc/self
		ln -s "$2/thread-self" /proc/thread-self
		mkdir -p /proc/device-tree /proc/sys/kernel
		printf "Acme-Board-Q7\0" >/proc/device-tree/model
		printf "DT-0042-99\0" >/proc/device-tree/serial-number
		echo gw-live >/proc/sys/kernel/hostname
		exec "$0" audit --store "shadow:$1" --no-cache --json' \
		"$CG" "$T/live/shadow" "$T/live/proc" >"$T/live.json" 2>"$T/live.err"
	live() { # USER SOURCE: derived, and the detail names SOURCE
		jqt --arg u "$1" --arg s "$2" '.accounts[] | select(.user == $u) |
			.verdict == "derived" and (.detail | contains($s))' "$T/live.json"
	}
	check "live DMI product_serial: derived, named" live dmiser /sys/class/dmi/id/product_serial
	check "live DMI product_name (model): derived, named" live dmimodel /sys/class/dmi/id/product_name
	check "live device-tree model: derived, named" live dtmodel /proc/device-tree/model
	check "live device-tree serial-number: derived, named" live dtser /proc/device-tree/serial-number
	check "live MAC (/sys/class/net/eth7/address): admin + last 6 hex digits derived" live mac eth7
	check "live identifiers: an unrelated password stays ok" \
		jqt '.accounts[] | select(.user == "fine") | .verdict == "ok"' "$T/live.json"
else
	for w in "DMI product_serial" "DMI product_name" "device-tree model" "device-tree serial-number" MAC "unrelated ok"; do
		skip "live $w derived" "unshare -m not permitted here"
	done
fi
mk_tree "$T/ids" "router:$(sha 'HomeNet-5G-7781'):19000:0:99999:7:::" "plug:$(sha 'ESP-100'):19000:0:99999:7:::"
"$CG" audit --root "$T/ids" --device-id ssid=HomeNet-5G-7781 --device-id model=ESP-100 --no-cache --json \
	>"$T/ids.json" 2>"$T/ids.err"
check "--device-id ssid: a passphrase equal to the SSID is derived" \
	jqt '.accounts[] | select(.user == "router") | .verdict == "derived"' "$T/ids.json"
check "--device-id model: a password equal to the model is derived" \
	jqt '.accounts[] | select(.user == "plug") | .verdict == "derived"' "$T/ids.json"

# --- 5. passwd 'x' with no shadow store audited: an error -------------------
mkdir -p "$T/x/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$T/x/etc/passwd"
"$CG" audit --root "$T/x" >"$T/x.out" 2>"$T/x.err"
rc=$?
check "passwd 'x' without shadow: exit 2, passwd:line named" \
	[ "$rc" -eq 2 ] && grep -q "/etc/passwd:1: user root: password field 'x' defers to /etc/shadow, which was not audited" "$T/x.err"

# --- 6. migrate (default depth: full) fixes every verdict that closes ------
mk_tree "$T/m" \
	"blank::19000:0:99999:7:::" \
	"dflt:$(sha admin):19000:0:99999:7:::" \
	"host:$(sha gw-lab-0042):19000:0:99999:7:::" \
	"seq:$(sha admin7):19000:0:99999:7:::" \
	"comm:$(sha sunshine):19000:0:99999:7:::" \
	"good:$(sha 'Zt8-qWm3-Lp6'):19000:0:99999:7:::"
echo gw-lab-0042 >"$T/m/etc/hostname"
"$CG" audit --root "$T/m" --depth full --json >"$T/m0.json" 2>/dev/null
check "corpus: blank, default, derived, sequential and common found at full depth" \
	[ "$(grep -o '"verdict":"[a-z]*"' "$T/m0.json" | sort | tr '\n' ' ')" = \
	  '"verdict":"blank" "verdict":"common" "verdict":"default" "verdict":"derived" "verdict":"locked" "verdict":"ok" "verdict":"sequential" ' ]
"$CG" migrate --root "$T/m" --per-device --policy random --credentials-out "$T/m.creds" >"$T/m.out" 2>&1
rc=$?
check "migrate: exit 0, five accounts migrated" \
	[ "$rc" -eq 0 ] && [ "$(wc -l <"$T/m.creds")" -eq 5 ]
check "migrate left the good account alone" not grep -q '	good	' "$T/m.creds"
"$CG" audit --root "$T/m" --depth full >"$T/m1.out" 2>&1
rc=$?
check "credgate audit --depth full exits 0 after migrate" [ "$rc" -eq 0 ]

# --- 6b. Progress on a terminal, never in --json output or with --quiet ----
if command -v script >/dev/null; then
	script -qec "'$CG' audit --root '$T/m' --depth full --no-cache --json >'$T/pj.json'" "$T/tty1" >/dev/null
	check "a long audit on a terminal shows progress on stderr" grep -q 'judging 6 hash(es): [0-9]*%, [0-9]* candidates/s' "$T/tty1"
	check "progress never enters --json output" \
		[ "$(head -c 1 "$T/pj.json")" = '{' ] && not grep -q judging "$T/pj.json"
	script -qec "'$CG' audit --root '$T/m' --depth full --no-cache --quiet" "$T/tty2" >/dev/null
	check "--quiet silences progress" not grep -q judging "$T/tty2"
else
	for i in 1 2 3; do skip "progress test $i" "script (bsdutils) not installed"; done
fi

# --- 7. credgate passwd: a flagged password refused with the reason -------
mk_tree "$T/p" "root:$(sha admin):19000:0:99999:7:::"
echo gw-lab-0042 >"$T/p/etc/hostname"
cp "$T/p/etc/shadow" "$T/p.orig"
pw() { # PASSWORD [ARGS...]: credgate passwd root with PASSWORD on stdin
	local p=$1; shift
	printf '%s\n' "$p" | "$CG" passwd --root "$T/p" "$@" root 2>"$T/p.err"
}
for bad in admin admin2 gw-lab-0042 00:11:22:aa:bb:cc sunshine ''; do
	pw "$bad" --device-id mac=00:11:22:AA:BB:CC
	rc=$?
	check "passwd refuses '${bad:-<empty>}' (exit 1, reason, store unchanged)" \
		[ "$rc" -eq 1 ] && grep -q 'passwd: refused: it is ' "$T/p.err" && cmp -s "$T/p.orig" "$T/p/etc/shadow"
done
check "the refusal never echoes the password" not grep -q 'gw-lab-0042' "$T/p.err"
good='Hq7-Vw3m-Zx8'
pw "$good" --cache "$T/pstate/audit.cache"
rc=$?
check "passwd accepts a good password (exit 0), same method (sha512crypt)" \
	[ "$rc" -eq 0 ] && grep -q '^root:\$6\$' "$T/p/etc/shadow"
check "the new hash verifies" \
	[ "$(perl -e '$h = $ARGV[1]; print crypt($ARGV[0], $h) eq $h ? "y" : "n"' "$good" \
		"$(cut -d: -f2 "$T/p/etc/shadow")")" = y ]
check "the shadow mode is kept (0640)" [ "$(stat -c %a "$T/p/etc/shadow")" = 640 ]
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$T/p" --cache "$T/pstate/audit.cache" --depth full \
	>/dev/null 2>"$T/p2.err"
rc=$?
check "its verdict was recorded: a full audit passes hashing nothing" \
	[ "$rc" -eq 0 ] && grep -q 'verifications=0 ' "$T/p2.err"
printf 'x\n' | "$CG" passwd --root "$T/p" nosuchuser >/dev/null 2>"$T/p3.err"
rc=$?
check "passwd for an unknown user: exit 2, named" \
	[ "$rc" -eq 2 ] && grep -q "no account 'nosuchuser'" "$T/p3.err"

echo "1..$n"
