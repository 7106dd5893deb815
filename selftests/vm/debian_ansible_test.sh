#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# debian_ansible_test.sh: the Ansible collection credgate.device
# (integration/ansible/) from the host's ansible-core, over SSH, against
# TWO Debian 12 device VMs (scripts/vm/debian-image, backend bpf, Debian's
# stock kernel) booted in parallel with QEMU forwards 127.0.0.1:P1 and
# 127.0.0.1:P2 to port 22.  Host side (scripts/check.d/vm-ansible); each VM
# runs selftests/vm/debian_fleet_guest.sh, which puts its gate into
# permissive mode (the fleet rollout order), installs the controller's key
# for root and starts sshd.  Then, from the controller:
#   fleet-audit.yml: both devices not compliant, verdict default
#   migrate.yml: credentials files on the controller (0600)
#   fleet-audit.yml again: both compliant
#   enforce ([gate] mode and `credgate gate mode`, one ad-hoc run): the
#     gate is open
#   ssh admin@127.0.0.1 with the password from the credentials file logs
#     in, the factory password admin does not
#   no new password in Ansible's output (-v) or ANSIBLE_LOG_PATH log
# Prints TAP; the guests' TAP follows as comments (their failures fail the
# test).  SKIP when the image cannot be made (debian-image exit 2) or a
# tool is missing.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
BUILD=${BUILD:-build}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
check() { # DESCRIPTION COMMAND...: ok when COMMAND succeeds
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

for tool in qemu-system-x86_64 ansible-playbook ansible ssh ssh-keygen sshpass python3; do
	command -v "$tool" >/dev/null || skip_all "$tool not installed (scripts/deps.sh)"
done
mkdir -p "$BUILD/vm"
start=$(date +%s)
img=$(scripts/vm/debian-image "$BUILD" 2>"$BUILD/vm/debian-image-ansible.log")
rc=$?
case $rc in
0) ;;
2) skip_all "$(grep '^debian-image: ' "$BUILD/vm/debian-image-ansible.log" | tail -n 1 | sed 's/^debian-image: //')" ;;
*) echo "not ok 1 - scripts/vm/debian-image failed (status $rc; log $BUILD/vm/debian-image-ansible.log)"
   echo "1..1"; exit 1 ;;
esac
ok "image $img ($(($(date +%s) - start)) s)"

work=$(mktemp -d /tmp/ansible-vm.XXXXXX)
vm_pids=()
cleanup() {
	local p
	for p in "${vm_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap "exit 130" INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ssh-keygen -q -t ed25519 -N '' -C credgate-fleet-controller -f "$work/key" || exit 2
hosts=(vm1 vm2)
declare -A port
t_boot=$(date +%s)
for h in "${hosts[@]}"; do
	port[$h]=$(free_port)
	CREDGATE_VM_VERBOSE=1 scripts/vm/run --image debian --backend bpf \
		--script selftests/vm/debian_fleet_guest.sh --forward "127.0.0.1:${port[$h]}-:22" \
		--env "CREDGATE_VM_AUTHKEY=$(cat "$work/key.pub")" \
		--timeout "${CREDGATE_VM_TIMEOUT:-900}" >"$work/$h.tap" 2>"$work/$h.run.log" &
	vm_pids+=($!)
	# Different ports: the second free_port runs before QEMU binds the first.
	[ "$h" = vm1 ] && sleep 0.1
done
SSH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
	-o ConnectTimeout=10)
root_ssh() { # HOST COMMAND: run COMMAND as root on HOST with the key
	ssh "${SSH_OPTS[@]}" -o BatchMode=yes -i "$work/key" -p "${port[$1]}" root@127.0.0.1 "$2"
}
pw_ssh() { # HOST USER PASSWORD: log in with a password, run true
	sshpass -p "$3" ssh "${SSH_OPTS[@]}" -o PubkeyAuthentication=no \
		-o PreferredAuthentications=password,keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-p "${port[$1]}" "$2@127.0.0.1" true 2>/dev/null
}
# Wait for each VM's sshd (the key logs in once the guest has put it in), while
# its VM still runs.
for i in 0 1; do
	h=${hosts[$i]}
	until root_ssh "$h" true 2>/dev/null; do
		kill -0 "${vm_pids[$i]}" 2>/dev/null || break
		sleep 1
	done
	check "$h: root logs in with the controller's key over 127.0.0.1:${port[$h]} (gate permissive)" root_ssh "$h" true
done
echo "# both VMs reachable after $(($(date +%s) - t_boot)) s"

mkdir -p "$work/collections/ansible_collections/credgate"
ln -s "$root/integration/ansible" "$work/collections/ansible_collections/credgate/device"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
export ANSIBLE_LOG_PATH=$work/ansible.log
export ANSIBLE_LOCAL_TEMP=$work/ansible-tmp
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_CONFIG=$work/ansible.cfg
printf "[defaults]\n" >"$work/ansible.cfg"
{
	echo "all:"
	echo "  vars:"
	echo "    ansible_host: 127.0.0.1"
	echo "    ansible_user: root"
	echo "    ansible_ssh_private_key_file: $work/key"
	echo "    ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
	echo "    ansible_python_interpreter: /usr/bin/python3"
	echo "  hosts:"
	for h in "${hosts[@]}"; do
		echo "    $h:"
		echo "      ansible_port: ${port[$h]}"
	done
} >"$work/inventory.yml"
PB=$root/integration/ansible/playbooks
play() { # NAME PLAYBOOK ARGS...: output in $work/NAME.out, time in the TAP
	local name=$1 t r=0
	t=$(date +%s)
	shift
	(cd "$work" && ansible-playbook -v -i "$work/inventory.yml" "$@") >"$work/$name.out" 2>&1 || r=$?
	echo "# $name: $(($(date +%s) - t)) s"
	return $r
}
csv_field() { # CSV DEVICE COLUMN
	python3 - "$@" <<-'PY'
	import csv, sys
	for r in csv.DictReader(open(sys.argv[1])):
	    if r["device"] == sys.argv[2]:
	        print(r.get(sys.argv[3], ""))
	PY
}
csv=$work/fleet-report/fleet-report.csv

check "fleet-audit.yml over SSH" play audit1 "$PB/fleet-audit.yml" || tail -n 30 "$work/audit1.out" | sed 's/^/# /'
cp "$csv" "$work/audit1.csv" 2>/dev/null
for h in "${hosts[@]}"; do
	v="$(csv_field "$work/audit1.csv" "$h" compliant)/$(csv_field "$work/audit1.csv" "$h" default)/$(csv_field "$work/audit1.csv" "$h" gate)"
	check "audit 1: $h not compliant, 3 defaults (root and admin in /etc/shadow, the web UI's admin), gate closed ($v)" [ "$v" = false/3/closed ]
done

check "migrate.yml over SSH" play migrate "$PB/migrate.yml" || tail -n 30 "$work/migrate.out" | sed 's/^/# /'
for h in "${hosts[@]}"; do
	f=$work/credentials/$h.yml
	check "migrate: $f on the controller, mode 0600" [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ]
done

check "fleet-audit.yml again" play audit2 "$PB/fleet-audit.yml" || tail -n 30 "$work/audit2.out" | sed 's/^/# /'
cp "$csv" "$work/audit2.csv" 2>/dev/null
for h in "${hosts[@]}"; do
	v="$(csv_field "$work/audit2.csv" "$h" compliant)/$(csv_field "$work/audit2.csv" "$h" default)"
	check "audit 2: $h compliant, no default ($v)" [ "$v" = true/0 ]
done

# Enforce: the last step of the rollout, one ad-hoc run over both.
t=$(date +%s)
(cd "$work" && ansible all -v -i "$work/inventory.yml" -m ansible.builtin.shell -a \
	"sed -i 's/^mode = .*/mode = enforce/' /etc/credgate/credgate.conf && credgate gate mode enforce && credgate gate status --json") \
	>"$work/enforce.out" 2>&1
check "enforce over SSH (ansible -m shell)" [ $? -eq 0 ] || tail -n 20 "$work/enforce.out" | sed 's/^/# /'
echo "# enforce: $(($(date +%s) - t)) s"
for h in "${hosts[@]}"; do
	st=$(root_ssh "$h" 'credgate gate status --json' 2>/dev/null | sed -n 's/.*"state":"\([a-z]*\)","mode":"\([a-z]*\)".*/\1\/\2/p')
	check "$h: gate open in enforce mode ($st)" [ "$st" = open/enforce ]
done

# The credentials file lets ssh log in; the factory password does not.
pwlist=$work/passwords
python3 - "$work/credentials" "${hosts[@]}" >"$pwlist" <<-'PY'
import sys, yaml
for h in sys.argv[2:]:
    try:
        d = yaml.safe_load(open(f"{sys.argv[1]}/{h}.yml"))
    except OSError:
        continue
    for c in d.get("credgate_credentials", []):
        print(h, c.get("store", ""), c.get("user", ""), c.get("password", ""), sep="\t")
PY
for h in "${hosts[@]}"; do
	pw=$(awk -F '\t' -v h="$h" '$1 == h && $2 == "/etc/shadow" && $3 == "admin" { print $4 }' "$pwlist")
	if [ -z "$pw" ]; then
		not_ok "$h: ssh with the new password: no admin entry in credentials/$h.yml"
	else
		check "$h: ssh admin@127.0.0.1 -p ${port[$h]} logs in with the password from credentials/$h.yml" pw_ssh "$h" admin "$pw"
	fi
	if pw_ssh "$h" admin admin; then not_ok "$h: the factory password admin still logs in"
	else ok "$h: the factory password admin no longer logs in"; fi
done
npw=$(awk -F '\t' '$4 != ""' "$pwlist" | wc -l)
hits=0
while IFS=$'\t' read -r _ _ _ pw; do
	[ -n "$pw" ] || continue
	c=$(cat "$work"/audit1.out "$work"/migrate.out "$work"/audit2.out "$work"/enforce.out "$work"/ansible.log 2>/dev/null | grep -cF -- "$pw")
	hits=$((hits + c))
done <"$pwlist"
check "the $npw new passwords (both VMs) appear 0 times in Ansible's output and log ($hits hits)" \
	test "$npw" -ge 4 -a "$hits" -eq 0

# Done: the guests check their end state and power off.
for h in "${hosts[@]}"; do root_ssh "$h" 'touch /run/credgate-fleet-done' 2>/dev/null; done
for i in 0 1; do
	h=${hosts[$i]}
	r=0
	wait "${vm_pids[$i]}" || r=$?
	sed 's/^/# '"$h"': /' "$work/$h.tap"
	sed -n 's/^vm\/run: bpf: /# '"$h"': /p' "$work/$h.run.log"
	check "$h: the guest's checks pass (vm/run status $r)" [ "$r" -eq 0 ] ||
		tail -n 15 "$work/$h.run.log" | sed 's/^/# /'
done
vm_pids=()
echo "# total wall time $(($(date +%s) - start)) s"
echo "1..$n"
exit "$fail"
