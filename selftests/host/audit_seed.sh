#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The layered verdict cache seeded at image-build time (docs/audit.md,
# "Where a verdict comes from"): `credgate audit --root DIR --seed-cache`
# writes the device-independent verdicts (defaults, sequential, common)
# into DIR/var/lib/credgate/audit.cache; the device's first audit then
# hashes only its derived candidates (crypt_rn calls counted with an
# LD_PRELOAD wrapper) and decides the same verdicts as an unseeded one.  A
# seed that is foreign-owned, writable by others, corrupt or of an older
# format is ignored; the seed is written only inside DIR.  Shipped lists
# and configuration; the fixtures' hashes are sha512crypt at 1000 rounds
# (a property of the test data, not of credgate: it counts calls, not
# time).  Prints TAP.
set -u
# shellcheck source=selftests/host/audit_lib.inc
. "$(dirname "$0")/audit_lib.inc"
audit_suite seed mkpasswd gcc jq
# --root needs openat2 (Linux 5.6+): under qemu-user or an old kernel, skip.
mkdir -p "$T/probe/etc" && printf 'root:*:19000::::::\n' >"$T/probe/etc/shadow" &&
	printf 'root:x:0:0::/root:/bin/sh\n' >"$T/probe/etc/passwd"
"$CG" audit --root "$T/probe" --no-cache >/dev/null 2>"$T/probe.err"
if grep -q 'needs openat2' "$T/probe.err"; then
	echo "1..0 # SKIP --root needs openat2(2), which this kernel (or qemu-user) lacks"
	exit 0
fi

# Count every crypt_rn call of a process (all threads) into $CG_COUNT.
cat >"$T/count.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
static unsigned long calls;
char *crypt_rn(const char *pw, const char *setting, void *data, int size)
{
	static char *(*real)(const char *, const char *, void *, int);

	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (!real)
		real = (char *(*)(const char *, const char *, void *, int))dlsym(RTLD_NEXT, "crypt_rn");
	return real(pw, setting, data, size);
}
__attribute__((destructor)) static void report(void)
{
	const char *f = getenv("CG_COUNT");
	FILE *o = f ? fopen(f, "w") : NULL;

	if (o) {
		fprintf(o, "%lu\n", calls);
		fclose(o);
	}
}
EOF
gcc -shared -fPIC -o "$T/count.so" "$T/count.c" -ldl

sha() { mkpasswd -m sha-512 -R 1000 "$1"; }
R=$T/image
mkdir -p "$R/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$R/etc/passwd"
echo gw-seed >"$R/etc/hostname"
# A clean one, a default, a sequential, a common, a MAC-derived one (the
# device's MAC is known only at boot: --device-id below stands for it).
printf '%s\n' \
	"root:$(sha 'tY7#qLw2!vRm9x'):19000:0:99999:7:::" \
	"admin:$(sha admin):19000:0:99999:7:::" \
	"svc:$(sha support7):19000:0:99999:7:::" \
	"bob:$(sha sunshine):19000:0:99999:7:::" \
	"cam:$(sha admin4455):19000:0:99999:7:::" >"$R/etc/shadow"
DEV=(--device-id mac=00:11:22:33:44:55)
SEED=$R/var/lib/credgate/audit.cache

# Audit as the device's first boot would: the image's cache, the device's MAC.
boot() { # CACHE-FILE OUT-PREFIX: json, stats and crypt_rn count
	CG_COUNT=$T/$2.count LD_PRELOAD=$T/count.so CREDGATE_AUDIT_STATS=1 \
		"$CG" audit --root "$R" --depth full "${DEV[@]}" --cache "$1" --json \
		>"$T/$2.json" 2>"$T/$2.err"
	echo $? >"$T/$2.rc"
	jq -r '.accounts[] | "\(.user) \(.verdict)"' "$T/$2.json" >"$T/$2.verdicts" 2>/dev/null
}
count() { cat "$T/$1.count"; }
stat_of() { sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$T/$1.err"; }

# --- the seed ---------------------------------------------------------------
CREDGATE_AUDIT_STATS=1 "$CG" audit --root "$R" --seed-cache >"$T/seed.out" 2>"$T/seed.err"
rc=$?
check "seed: the audit itself decides (exit 1, violations found)" [ "$rc" -eq 1 ]
check "seed: written into DIR/var/lib/credgate/audit.cache, format 3" \
	[ "$(head -n 1 "$SEED" 2>/dev/null)" = "credgate-audit-cache 3" ]
check "seed: mode 0600, owner root, directory 0700" \
	[ "$(stat -c '%a %u' "$SEED")" = "600 0" -a "$(stat -c %a "$(dirname "$SEED")")" = 700 ]
check "seed: one device-independent verdict per hash (5)" \
	[ "$(grep -vc '^credgate-audit-cache' "$SEED")" -eq 5 ]
check "seed: says what it wrote" grep -q "seeded 5 hash verdict(s) into $R/var/lib/credgate/audit.cache" "$T/seed.err"
cp -p "$SEED" "$T/pristine"

# --- unseeded first boot (reference) --------------------------------------
boot "$T/none.cache" cold
cold=$(count cold)
derived=$(stat_of cold derived)
cands=$(stat_of cold candidates)
echo "# unseeded first boot: $cold crypt_rn calls ($cands candidates, $derived derived)"
check "unseeded first boot: exit 1 and the expected verdicts" sh -c "
	[ \$(cat '$T/cold.rc') -eq 1 ] &&
	printf 'root ok\nadmin default\nsvc sequential\nbob common\ncam derived\n' | cmp -s - '$T/cold.verdicts'"

# --- seeded first boot -------------------------------------------------------
cp -p "$T/pristine" "$T/s1.cache"
boot "$T/s1.cache" seeded
seeded=$(count seeded)
echo "# seeded first boot: $seeded crypt_rn calls ($((seeded * 1000 / (cold ? cold : 1)))/1000 of unseeded)"
check "seeded first boot: same verdicts, same exit as unseeded" sh -c "
	[ \$(cat '$T/seeded.rc') -eq 1 ] && cmp -s '$T/cold.verdicts' '$T/seeded.verdicts'"
# Only derived candidates are hashed: the default is decided by the seed
# (it comes before the device tier); the other four hashes try the device
# tier, cam only until its match.
check "seeded first boot: hashes only derived candidates (0 < $seeded <= 4 x $derived)" \
	[ "$seeded" -gt 0 -a "$seeded" -le $((4 * derived)) ]
check "seeded first boot: at most 5% of the unseeded hashing ($seeded vs $cold)" \
	[ $((seeded * 20)) -le "$cold" ]
boot "$T/s1.cache" warm
check "second boot: no hashing at all (device tier now cached too)" [ "$(count warm)" -eq 0 ]
check "second boot: same verdicts" cmp -s "$T/cold.verdicts" "$T/warm.verdicts"

# --- a seed that must not be trusted -----------------------------------------
untrusted() { # NAME PREP-CMD: the seed copied, altered by PREP, then booted
	local name=$1; shift
	cp -p "$T/pristine" "$T/u.cache"
	"$@" "$T/u.cache"
	boot "$T/u.cache" u
	# Threads that already hashed past a match add a few calls: about, not exactly.
	check "$name: ignored (full hashing: $(count u) calls, unseeded $cold), same verdicts" \
		sh -c "[ $(($(count u) * 10)) -ge $((cold * 9)) ] && cmp -s '$T/cold.verdicts' '$T/u.verdicts'"
}
foreign() { chown 1000:1000 "$1"; }
groupw() { chmod 0620 "$1"; }
corrupt() { sed -i '2s/^./z/' "$1"; }
oldfmt() { sed -i '1s/ 3$/ 2/' "$1"; }
untrusted "foreign-owned seed (uid 1000)" foreign
untrusted "group-writable seed (0620)" groupw
untrusted "tampered seed (a key byte not hex)" corrupt
untrusted "seed of the older format 2" oldfmt

# --- the seed stays inside DIR -----------------------------------------------
S=$T/sentinel
mkdir -p "$S" && echo keep >"$S/audit.cache"
rm -rf "${R:?}/var" && mkdir -p "$R/var/lib/credgate"
ln -s "$S/audit.cache" "$R/var/lib/credgate/audit.cache"
"$CG" audit --root "$R" --seed-cache >/dev/null 2>&1
check "a symlink at the seed's name is replaced, never followed (sentinel intact)" sh -c "
	[ \"\$(cat '$S/audit.cache')\" = keep ] && [ ! -L '$SEED' ] && [ -f '$SEED' ]"
rm -rf "${R:?}/var" && ln -s "$S" "$R/var"
"$CG" audit --root "$R" --seed-cache >/dev/null 2>"$T/link.err"
check "var -> a host directory: resolved inside DIR, nothing written outside" sh -c "
	[ \"\$(ls '$S')\" = audit.cache ] && [ \"\$(cat '$S/audit.cache')\" = keep ]"
rm -f "$R/var"

# --- provision records the verdict of the password it derives ---------------
P=$T/prov
mkdir -p "$P/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$P/etc/passwd"
printf 'root:*:19000:0:99999:7:::\n' >"$P/etc/shadow"
head -c 32 /dev/urandom >"$T/secret"
# --hash-method with 1000 rounds: the fixtures' cost (header); the test
# counts crypt_rn calls, which the cost does not change.
# shellcheck disable=SC2016 # a crypt prefix, literally
"$CG" provision --secret-file "$T/secret" --serial SN-0001 --root "$P" \
	--hash-method '$6$rounds=1000$' >/dev/null 2>"$T/prov.err"
check "provision --root: exit 0, the image's cache holds the new hash's verdict (1 entry, 0600)" sh -c "
	[ $? -eq 0 ] && [ \$(grep -vc '^credgate-audit-cache 3' '$P/var/lib/credgate/audit.cache') -eq 1 ] &&
	[ \$(stat -c %a '$P/var/lib/credgate/audit.cache') = 600 ]"
CG_COUNT=$T/prov.count LD_PRELOAD=$T/count.so CREDGATE_AUDIT_STATS=1 \
	"$CG" audit --root "$P" --depth full "${DEV[@]}" --cache "$P/var/lib/credgate/audit.cache" \
	>/dev/null 2>"$T/prov.err"
rc=$?
pd=$(sed -n 's/.* derived=\([0-9]*\).*/\1/p' "$T/prov.err")
check "provisioned image, first boot: compliant, hashes only the $pd derived candidates ($(cat "$T/prov.count"))" \
	[ "$rc" -eq 0 -a "$(cat "$T/prov.count")" -eq "$pd" ]

# --- refusals -----------------------------------------------------------------
"$CG" audit --seed-cache --no-cache >/dev/null 2>"$T/r1.err"
check "--seed-cache without --root: exit 2, says why" sh -c "[ $? -eq 2 ] && grep -q 'give --root' '$T/r1.err'"
"$CG" audit --root "$R" --seed-cache --depth fast >/dev/null 2>"$T/r2.err"
check "--seed-cache --depth fast: exit 2, needs full depth" sh -c "[ $? -eq 2 ] && grep -q 'depth full' '$T/r2.err'"

echo "1..$n"
