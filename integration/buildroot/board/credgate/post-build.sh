#!/bin/sh
# SPDX-License-Identifier: MIT
# BR2_ROOTFS_POST_BUILD_SCRIPT: fail the build when the target rootfs holds
# an account with a blank, default, guessable or identifier-derived
# password.  Buildroot passes TARGET_DIR as $1.
#
# The audit runs on the build machine, so it needs a credgate built for
# it: $CREDGATE (path), else $HOST_DIR/bin/credgate, else credgate in PATH
# (e.g. `make -C /path/to/credgate` and put its build/ in PATH).
# Extra arguments: BR2_ROOTFS_POST_SCRIPT_ARGS are passed on after $1
# (paths in them, e.g. --config, are inside the target, as on the device).
# The target's own /etc/credgate/credgate.conf is read, and every tier runs
# (--depth full): a common password such as admin12345 fails the build.
# Exit codes of credgate audit: 0 compliant, 1 violations, 2 error.
# The same audit seeds the target's verdict cache (--seed-cache:
# /var/lib/credgate/audit.cache, 0600; Buildroot's fakeroot makes it root's
# in the image) with the device-independent verdicts, so a device's first
# boot hashes only its derived candidates.  CREDGATE_SEED=0: no seed.
set -u
target=${1:?usage: post-build.sh TARGET_DIR [credgate audit args]}
shift
tool=${CREDGATE:-}
if [ -z "$tool" ] && [ -n "${HOST_DIR:-}" ] && [ -x "$HOST_DIR/bin/credgate" ]; then
	tool=$HOST_DIR/bin/credgate
fi
if [ -z "$tool" ]; then
	tool=$(command -v credgate) || {
		echo "credgate post-build: no credgate for the build machine: set CREDGATE=/path/to/credgate" >&2
		echo "credgate post-build: (build one with 'make' in the credgate tree)" >&2
		exit 2
	}
fi
seed=--seed-cache
[ "${CREDGATE_SEED:-1}" = 0 ] && seed=
# --redact: build logs are kept; they name account, store and verdict only.
# shellcheck disable=SC2086 # $seed is one word or none
"$tool" audit --root "$target" --depth full --redact $seed "$@"
rc=$?
case $rc in
0) echo "credgate post-build: $target: no blank/default/guessable passwords" ;;
1) echo "credgate post-build: $target holds accounts with blank/default/guessable passwords (above)." >&2
   echo "credgate post-build: set BR2_TARGET_GENERIC_ROOT_PASSWD, lock the account, or add a users table entry with a unique password." >&2 ;;
*) echo "credgate post-build: credgate audit --root $target failed (exit $rc)" >&2 ;;
esac
exit $rc
