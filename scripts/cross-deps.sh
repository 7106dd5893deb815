#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install what cross builds of credgate need on Debian 12: the cross
# compiler, the target's -dev packages through Debian multiarch
# (pkg:arm64, pkg:armhf) and qemu-user to run the target's unit tests.
# Idempotent: nothing is fetched when everything is present.
#
#   scripts/cross-deps.sh [arm64] [armhf]      (default: both)
#
# Multiarch -dev packages must carry the same version as the host's copy
# of the same library.  When the archive cannot satisfy that (a mirror
# whose security index for the target lags the host's, say), the target
# libraries are unpacked instead into a sysroot, $CROSS_SYSROOTS/ARCH
# (default build-sysroot/ARCH), which `make SYSROOT=DIR` and
# `qemu-ARCH -L DIR` use; the host's packages are left alone.
#
# Exit 0 when each architecture has either, 2 otherwise (not root, or apt
# failed); the message names the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

arches=("$@")
[ "${#arches[@]}" -gt 0 ] || arches=(arm64 armhf)
sysroots=${CROSS_SYSROOTS:-$PWD/build-sysroot}

# Target libraries credgate links (as in scripts/deps.sh), and for the
# sysroot fallback the runtime libraries behind them.
TARGET_DEV=(
	libc6-dev libcrypt-dev libbpf-dev libelf-dev zlib1g-dev libzstd-dev
	libcap-dev libseccomp-dev libjson-c-dev libinih-dev libssl-dev libpam0g-dev
)
TARGET_RUNTIME=(
	libc6 linux-libc-dev libcrypt1 libbpf1 libelf1 zlib1g libzstd1 libcap2
	libseccomp2 libjson-c5 libinih1 libssl3 libgcc-s1 libpam0g libaudit1 libcap-ng0
)
HOST_PKGS=(qemu-user file pkg-config)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

toolchain() {
	case "$1" in
	arm64) echo gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu ;;
	armhf) echo gcc-arm-linux-gnueabihf binutils-arm-linux-gnueabihf ;;
	*) return 1 ;;
	esac
}

missing_of() {
	local p
	for p in "$@"; do
		installed "$p" || echo "$p"
	done
}

export DEBIAN_FRONTEND=noninteractive
lock=(-o DPkg::Lock::Timeout=600)

# apt for the host plus one foreign architecture: a broken index of some
# other foreign architecture then cannot hold this one back.
apt_for() {
	local a=$1; shift
	apt-get -q "${lock[@]}" -o APT::Architectures::=amd64 \
		-o "APT::Architectures::=$a" "$@"
}

update_for() {
	# A mirror caught mid-sync fails one index now and then: retry once,
	# then go on with what was fetched (the install says if it is short).
	apt_for "$1" update >/dev/null 2>&1 ||
		{ sleep 5; apt_for "$1" update >/dev/null 2>&1; } ||
		echo "cross-deps: $1: apt-get update incomplete, trying anyway" >&2
}

# Unpack the target's libraries into a sysroot (no dpkg database involved).
make_sysroot() {
	local a=$1 dir=$sysroots/$1 tmp p
	tmp=$(mktemp -d)
	chown _apt "$tmp" 2>/dev/null || true	# apt downloads as _apt
	local pkgs=()
	for p in "${TARGET_DEV[@]}" "${TARGET_RUNTIME[@]}"; do
		pkgs+=("$p:$a")
	done
	if ! (cd "$tmp" && apt_for "$a" download "${pkgs[@]}" >/dev/null); then
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$dir.new" && mkdir -p "$dir.new"
	for p in "$tmp"/*.deb; do
		dpkg-deb -x "$p" "$dir.new"
	done
	(cd "$tmp" && ls -- *.deb) >"$dir.new/.credgate-sysroot"
	rm -rf "$tmp" "$dir" && mv "$dir.new" "$dir"
}

rc=0
if [ -n "$(missing_of "${HOST_PKGS[@]}")" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get install -y -q "${lock[@]}" --no-install-recommends "${HOST_PKGS[@]}" >/dev/null ||
		{ echo "cross-deps: could not install ${HOST_PKGS[*]}" >&2; rc=2; }
fi
for a in "${arches[@]}"; do
	tc=$(toolchain "$a") ||
		{ echo "cross-deps: unknown architecture '$a' (use arm64 or armhf)" >&2; exit 2; }
	read -r -a tc <<<"$tc"
	mapfile -t tc_missing < <(missing_of "${tc[@]}")
	mapfile -t dev_missing < <(for p in "${TARGET_DEV[@]}"; do missing_of "$p:$a"; done)
	if [ "${#tc_missing[@]}" -eq 0 ] && { [ "${#dev_missing[@]}" -eq 0 ] || [ -f "$sysroots/$a/.credgate-sysroot" ]; }; then
		if [ "${#dev_missing[@]}" -eq 0 ]; then
			echo "cross-deps: $a: toolchain and multiarch -dev packages present"
		else
			echo "cross-deps: $a: toolchain present, sysroot $sysroots/$a"
		fi
		continue
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "cross-deps: $a: missing packages: ${tc_missing[*]} ${dev_missing[*]}" >&2
		echo "cross-deps: run as root (or: sudo $0 $a) to install them" >&2
		rc=2
		continue
	fi
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
	update_for "$a"
	errf=$(mktemp)
	if apt_for "$a" install -y --no-install-recommends "${tc[@]}" "${dev_missing[@]}" >"$errf" 2>&1; then
		echo "cross-deps: $a: installed ${tc_missing[*]} ${dev_missing[*]}"
		rm -f "$errf"
		continue
	fi
	echo "cross-deps: $a: multiarch -dev packages not installable:" >&2
	grep -E '^ |^E:' "$errf" | head -n 8 | sed 's/^/cross-deps:   /' >&2
	rm -f "$errf"
	if [ "${#tc_missing[@]}" -gt 0 ] && ! apt_for "$a" install -y --no-install-recommends "${tc[@]}" >/dev/null; then
		echo "cross-deps: $a: cannot install the toolchain (${tc[*]})" >&2
		rc=2
		continue
	fi
	if make_sysroot "$a"; then
		echo "cross-deps: $a: toolchain installed, target libraries unpacked into $sysroots/$a"
	else
		echo "cross-deps: $a: cannot download the target libraries for a sysroot" >&2
		rc=2
	fi
done
exit "$rc"
