#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Ansible collection credgate.device (integration/ansible/) driven by
# ansible-core (Debian package) over the local connection against three
# "devices" on the host: each a --root tree (migrate_lib.inc's mk_tree:
# an OEM default and a blank password) with its own credgated on
# --backend none (no kernel gate is touched) answering on its own socket.
# fleet-audit.yml shows the defaults in the CSV and HTML report, migrate.yml
# fixes them and writes the credentials on the controller (0600; one run
# into Ansible Vault), a second fleet audit is clean; every new password
# verifies against the tree's shadow (perl crypt) and appears nowhere in
# Ansible's output or log (ANSIBLE_LOG_PATH, -v).  The module's no_log
# guard, check mode and a device without credgate.  The shipped audit
# settings at fast depth (--depth fast, as the migrate suites).  Prints TAP.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${CREDGATE_BUILD:-${BUILD:-$root/build}}
case $build in /*) ;; *) build=$root/$build ;; esac
export CREDGATE_BUILD=$build
# shellcheck source=selftests/host/migrate_lib.inc
. "$root/selftests/host/migrate_lib.inc"
agent=$build/credgated
work=$(mktemp -d /tmp/ansible-test.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ ! -x "$CG" ] || [ ! -x "$agent" ]; then
	echo "1..0 # SKIP $CG or $agent not built"
	exit 0
fi
for tool in ansible-playbook ansible-vault perl jq; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool not installed (scripts/deps.sh: ansible-core)"
		exit 0
	fi
done

# The collection from the tree, as ansible-galaxy would install it.
mkdir -p "$work/collections/ansible_collections/credgate"
ln -s "$root/integration/ansible" "$work/collections/ansible_collections/credgate/device"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
export ANSIBLE_LOG_PATH=$work/ansible.log
export ANSIBLE_LOCAL_TEMP=$work/ansible-tmp ANSIBLE_REMOTE_TEMP=$work/ansible-remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
printf "[defaults]\n" >"$work/ansible.cfg"
export ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CONFIG=$work/ansible.cfg
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
PB=$root/integration/ansible/playbooks

# 0. The collection's documentation and syntax (what of ansible-test
# sanity runs offline is in docs/testing.md).
for m in audit status support migrate; do
	check "ansible-doc credgate.device.$m parses" ansible-doc "credgate.device.$m" >/dev/null
done
printf -- '- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: credgate.device.agent\n      vars:\n        credgate_tarball: /nonexistent.tar.gz\n' >"$work/role.yml"
check "role credgate.device.agent: syntax" ansible-playbook --syntax-check "$work/role.yml" >/dev/null 2>&1
check "fleet-audit.yml and migrate.yml: syntax" ansible-playbook --syntax-check "$PB/fleet-audit.yml" "$PB/migrate.yml" >/dev/null 2>&1

devices=(dev1 dev2 dev3)
{
	echo "all:"
	echo "  vars:"
	echo "    ansible_connection: local"
	echo "    credgate_path: $CG"
	echo "    credgate_per_device: true"
	# Fast depth (migrate_lib.inc's FAST without --no-builtin): the full
	# tier after migrate takes a minute per run on two shared cores.
	echo "    credgate_depth: fast"
	echo "  hosts:"
} >"$work/inventory.yml"
for d in "${devices[@]}"; do
	dir=$work/$d
	mkdir -p "$dir/state"
	mk_tree "$dir/root"
	cat >"$dir/credgate.conf" <<-CONF
	[gate]
	backend = none
	[audit]
	stores = shadow:$dir/root/etc/shadow passwd:$dir/root/etc/passwd
	[product]
	manufacturer = Example Devices Ltd
	model = ESP-100
	support_end = 2031-12-31
	contact = mailto:security@example.com
	CONF
	"$agent" --config "$dir/credgate.conf" --state-dir "$dir/state" --socket "$dir/sock" \
		--foreground --os-release /dev/null >"$dir/agent.log" 2>&1 &
	pids+=($!)
	cat >>"$work/inventory.yml" <<-INV
	    $d:
	      credgate_root: $dir/root
	      credgate_socket: $dir/sock
	      credgate_config: $dir/credgate.conf
	INV
done
for d in "${devices[@]}"; do
	for _ in $(seq 100); do [ -S "$work/$d/sock" ] && break; sleep 0.1; done
done
# A fourth host without credgate: listed in the report, not a crash.
cat >>"$work/inventory.yml" <<-INV
    nocred:
      credgate_path: $work/no-such-credgate
INV

cd "$work" || exit 2
# play NAME PLAYBOOK ARGS...: run it, output in $work/NAME.out
play() {
	local name=$1
	shift
	ansible-playbook -v -i "$work/inventory.yml" "$@" >"$work/$name.out" 2>&1
}
csv_field() { # CSV DEVICE COLUMN
	python3 - "$@" <<-'PY'
	import csv, sys
	rows = list(csv.DictReader(open(sys.argv[1])))
	print(next((r[sys.argv[3]] for r in rows if r['device'] == sys.argv[2]), 'MISSING'))
	PY
}

# 1. The first fleet audit: every device shows its defaults.
play audit1 "$PB/fleet-audit.yml"
rc=$?
check "fleet-audit runs (exit $rc)" [ "$rc" -eq 0 ]
csv=$work/fleet-report/fleet-report.csv
html=$work/fleet-report/fleet-report.html
if [ -s "$csv" ] && [ -s "$html" ]; then ok "fleet report: CSV and HTML written"; else not_ok "fleet report: CSV and HTML written"; fi
cp "$csv" "$work/audit1.csv" 2>/dev/null
for d in "${devices[@]}"; do
	check "audit 1: $d not compliant, 1 default, 1 blank" [ "$(csv_field "$work/audit1.csv" "$d" compliant)/$(csv_field "$work/audit1.csv" "$d" default)/$(csv_field "$work/audit1.csv" "$d" blank)" = false/1/1 ]
done
if [ "$(csv_field "$work/audit1.csv" dev1 backend)/$(csv_field "$work/audit1.csv" dev1 support_end)" = none/2031-12-31 ] && [ "$(csv_field "$work/audit1.csv" dev1 days_left)" -gt 0 ]; then ok "audit 1: backend none, support end and days left from the agent"; else not_ok "audit 1: backend none, support end and days left from the agent"; fi
check "audit 1: the device without credgate is listed with its error" grep -q '^"nocred",,.*not found\|^"nocred",,.*no-such-credgate' "$work/audit1.csv"
if [ "$(grep -c '<tr class=' "$html")" -eq 4 ] && grep -q '0 of 4 devices compliant' "$html"; then ok "HTML: one row per device, 0 of 4 compliant"; else not_ok "HTML: one row per device, 0 of 4 compliant"; fi
check "no hash in the reports or the output" not grep -q '\$6\$' "$csv" "$html" "$work/audit1.out" "$ANSIBLE_LOG_PATH"
check "no default password in the reports, output or log (--redact)" not grep -q oemdefault1 "$csv" "$html" "$work/audit1.out" "$ANSIBLE_LOG_PATH"

# 2. The migrate module refuses without no_log.
cat >"$work/nolog.yml" <<-'YML'
- hosts: dev1
  gather_facts: false
  tasks:
    - credgate.device.migrate:
        credgate: "{{ credgate_path }}"
        root: "{{ credgate_root }}"
        per_device: true
YML
cp "$work/dev1/root/etc/shadow" "$work/shadow.before"
play nolog "$work/nolog.yml"
if grep -q 'returns the new passwords: set' "$work/nolog.out" && cmp -s "$work/shadow.before" "$work/dev1/root/etc/shadow"; then ok "migrate without no_log: refused, the shadow unchanged"; else not_ok "migrate without no_log: refused, the shadow unchanged"; fi

# 3. Check mode: names the accounts, changes nothing.
play check "$PB/migrate.yml" --check -l dev1
if grep -q 'dev1 .*changed=[1-9]' "$work/check.out" && cmp -s "$work/shadow.before" "$work/dev1/root/etc/shadow" && [ ! -e "$work/credentials/dev1.yml" ]; then ok "migrate --check: changed, the shadow unchanged, no credentials file"; else not_ok "migrate --check: changed, the shadow unchanged, no credentials file"; fi

# 4. Migrate dev1 and dev2 into plain files, dev3 into Ansible Vault.
play migrate "$PB/migrate.yml" -l dev1,dev2
rc=$?
check "migrate.yml dev1,dev2 runs (exit $rc)" [ "$rc" -eq 0 ]
printf 'test-vault-pass-%s\n' "$RANDOM$RANDOM" >"$work/vault-pass"
play migrate_vault "$PB/migrate.yml" -l dev3 -e "credgate_vault_password_file=$work/vault-pass"
rc=$?
check "migrate.yml dev3 into Vault runs (exit $rc)" [ "$rc" -eq 0 ]
check "credentials directory 0700" [ "$(stat -c %a "$work/credentials")" = 700 ]
for d in "${devices[@]}"; do
	check "$d: credentials file mode 0600" [ "$(stat -c %a "$work/credentials/$d.yml" 2>/dev/null)" = 600 ]
done
is_vault() { head -n 1 "$1" 2>/dev/null | grep -q '^\$ANSIBLE_VAULT;1\.2;AES256;credgate$'; }
check "dev3: the credentials file is Ansible Vault (vault id credgate)" is_vault "$work/credentials/dev3.yml"
check "dev1: the plain credentials file is YAML, not Vault" not is_vault "$work/credentials/dev1.yml"
ansible-vault view --vault-password-file "$work/vault-pass" "$work/credentials/dev3.yml" >"$work/dev3.plain" 2>"$work/vault.err"
check "dev3: ansible-vault view decrypts it" [ -s "$work/dev3.plain" ]
cp "$work/credentials/dev1.yml" "$work/dev1.plain"
cp "$work/credentials/dev2.yml" "$work/dev2.plain"
# creds DEVICE: USER<TAB>PASSWORD lines of the file
creds() {
	python3 - "$work/$1.plain" <<-'PY'
	import sys, yaml
	for c in (yaml.safe_load(open(sys.argv[1])) or {}).get('credgate_credentials', []):
	    print('%s\t%s' % (c['user'], c['password']))
	PY
}
passwords=()
for d in "${devices[@]}"; do
	creds "$d" >"$work/$d.creds"
	check "$d: credentials for admin and guest" [ "$(cut -f1 "$work/$d.creds" | sort | tr '\n' ' ')" = "admin guest " ]
	good=0
	while IFS=$'\t' read -r u p; do
		passwords+=("$p")
		verifies "$p" "$(shadow_field "$work/$d/root/etc/shadow" "$u" 2)" && good=$((good + 1))
	done <"$work/$d.creds"
	check "$d: each new password verifies against the tree's shadow (perl crypt)" [ "$good" -eq 2 ]
	if [ "$(shadow_field "$work/$d/root/etc/shadow" root 2)$(shadow_field "$work/$d/root/etc/shadow" svc 2)" = '*!' ] && verifies 'Vq7#unusual-Strong-93' "$(shadow_field "$work/$d/root/etc/shadow" alice 2)"; then ok "$d: alice, root and svc untouched"; else not_ok "$d: alice, root and svc untouched"; fi
done
check "6 passwords, all distinct" [ "$(printf '%s\n' "${passwords[@]}" | sort -u | wc -l)" -eq 6 ]
leftover=$(find /run /tmp "$work/ansible-remote" -maxdepth 1 -name 'credgate-migrate.*' 2>/dev/null | wc -l)
check "no credentials directory left on the device ($leftover)" [ "$leftover" -eq 0 ]

# 5. A second fleet audit is clean; the agents agree.
sleep 1
play audit2 "$PB/fleet-audit.yml"
cp "$csv" "$work/audit2.csv" 2>/dev/null
for d in "${devices[@]}"; do
	check "audit 2: $d compliant, no violation" [ "$(csv_field "$work/audit2.csv" "$d" compliant)/$(csv_field "$work/audit2.csv" "$d" default)/$(csv_field "$work/audit2.csv" "$d" blank)" = true/0/0 ]
done
check "HTML: 3 of 4 devices compliant" grep -q '3 of 4 devices compliant' "$html"
agents_ok=0
for d in "${devices[@]}"; do
	for _ in $(seq 300); do
		"$CG" status --json --socket "$work/$d/sock" 2>/dev/null | grep -q '"compliant":true' && { agents_ok=$((agents_ok + 1)); break; }
		sleep 0.1
	done
done
check "the three agents report compliant after migrate ($agents_ok)" [ "$agents_ok" -eq 3 ]

# 6. A migrate run on clean devices changes nothing and keeps the files.
cp "$work/credentials/dev1.yml" "$work/dev1.again"
play migrate2 "$PB/migrate.yml" -l dev1,dev2
if grep -q 'dev1.*changed=0' "$work/migrate2.out" && cmp -s "$work/dev1.again" "$work/credentials/dev1.yml"; then ok "migrate again: nothing changed, dev1's credentials file kept"; else not_ok "migrate again: nothing changed, dev1's credentials file kept"; fi

# 7. No new password in anything Ansible printed or logged.
hits=0
for p in "${passwords[@]}"; do
	n=$(cat "$work"/*.out "$ANSIBLE_LOG_PATH" "$work"/fleet-report/* 2>/dev/null | grep -c -F -- "$p")
	hits=$((hits + n))
done
if [ "${#passwords[@]}" -eq 6 ] && [ "$hits" -eq 0 ]; then ok "no new password (of ${#passwords[@]}) in Ansible's output, log or the reports ($hits hits)"; else not_ok "new passwords in Ansible's output, log or the reports ($hits hits of ${#passwords[@]})"; fi
check "the log holds the runs (no_log tasks censored)" grep -q "the output has been hidden" "$ANSIBLE_LOG_PATH"
logged_pw=0
for d in "${devices[@]}"; do
	n=$(grep -c -F -f <(cut -f2 "$work/$d.creds") "$work/$d/agent.log")
	logged_pw=$((logged_pw + n))
done
check "no new password in the agents' logs ($logged_pw)" [ "$logged_pw" -eq 0 ]

tap_end
