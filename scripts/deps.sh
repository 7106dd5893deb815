#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install every build and test dependency of credgate on Debian 12.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

PKGS=(
	build-essential make gcc clang llvm lld pkg-config git ca-certificates
	libcrypt-dev libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev
	libcap-dev libseccomp-dev libjson-c-dev libinih-dev libssl-dev libpam0g-dev
	linux-source-6.1 linux-source-6.12 flex bison bc cpio kmod dwarves libssl-dev
	qemu-system-x86 busybox-static
	whois apache2-utils openssl john python3 perl attr passwd
	# migrate_cli.sh: setfacl/getfacl (ACLs kept by migrate).
	acl
	libclang-rt-14-dev
	# Tools the test suites call (make check fails, not skips, without them:
	# selftests/manifest): audit_corpus.sh (jq), integration (shellcheck),
	# cross (file, qemu-user), checkpatch and the kernel build (xz-utils
	# for linux-source-6.1.tar.xz and 6.12's: bookworm-security), tap-count and check-manifest (python3).
	jq shellcheck file qemu-user xz-utils util-linux coreutils
	# sh-prometheus (promtool), sh-report_cli (headless chromium).
	prometheus chromium
	# audit_stores.sh writes its service-store corpora with the real tools:
	# mosquitto_passwd, smbpasswd, wpa_passphrase (htdigest: apache2-utils).
	mosquitto samba-common-bin wpasupplicant
	# migrate_stores.sh checks migrated files with the services themselves:
	# snmpd and snmpget, the mosquitto broker and its clients, lighttpd's
	# digest auth (curl), Samba's pdbedit (package samba).
	snmpd snmp mosquitto-clients lighttpd curl samba
	# sh-ansible: ansible-core (ansible-playbook, ansible-vault, ansible-doc,
	# ansible-test), python3-yaml; ansible-test sanity's offline subset
	# (yamllint, pycodestyle, voluptuous for validate-modules).
	ansible-core python3-yaml yamllint python3-pycodestyle python3-voluptuous
	# vm-debian: the Debian 12 device image (scripts/vm/debian-image:
	# mmdebstrap, mke2fs -d) and ssh from the host into it (sshpass).
	mmdebstrap e2fsprogs debian-archive-keyring openssh-client sshpass
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

# The agent's service user: the host tests start credgated, which switches
# to it after set-up.
if [ "$(id -u)" -eq 0 ]; then
	"$(dirname "$0")/add-service-user" credgate
fi

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root (or: sudo $0) to install them" >&2
	exit 2
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 --no-install-recommends)
apt-get -q -o DPkg::Lock::Timeout=600 update
apt-get install "${apt_opts[@]}" "${missing[@]}"
echo "deps: installed ${#missing[@]} packages"
