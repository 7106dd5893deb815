# SPDX-License-Identifier: MIT
# Fail the image build when its rootfs holds an account with a blank,
# default, guessable or identifier-derived password.
#
#   IMAGE_CLASSES += "credgate-audit"      (local.conf / distro), or
#   inherit credgate-audit                 (image recipe)
#
# Runs `credgate audit --root ${IMAGE_ROOTFS} --depth full` (credgate-native) in
# do_image, after every ROOTFS_POSTPROCESS_COMMAND (so after
# zap_empty_root_password and friends) and before any image file is made.
# credgate exit codes: 0 compliant, 1 violations, 2 error.
#
# The rootfs's own /etc/credgate/credgate.conf is read (inside the rootfs):
# the stores the image configures (a web UI's htpasswd ...) are audited.
# Every tier runs (--depth full): a common or sequential password such as
# admin12345 fails the build, as the device's agent would refuse it.
#
# CREDGATE_AUDIT_ARGS  extra arguments, e.g. "--config /etc/credgate/other.conf"
#                      (paths inside the rootfs, as on the device)
# CREDGATE_AUDIT_FATAL "1" (default): violations fail the build; "0": warn only
#                      (development images with debug-tweaks/empty-root-password).
# CREDGATE_AUDIT_SEED  "1" (default): the same audit seeds the image's verdict
#                      cache (--seed-cache: /var/lib/credgate/audit.cache, 0600,
#                      root under pseudo) with the device-independent verdicts,
#                      so a device's first boot hashes only its derived
#                      candidates; "0": no seed.

CREDGATE_AUDIT_ARGS ??= ""
CREDGATE_AUDIT_FATAL ??= "1"
CREDGATE_AUDIT_SEED ??= "1"

DEPENDS += "credgate-native"
IMAGE_PREPROCESS_COMMAND += "credgate_audit_rootfs; "

credgate_audit_rootfs () {
	report=${T}/credgate-audit.txt
	rc=0
	seed=
	[ "${CREDGATE_AUDIT_SEED}" = "1" ] && seed=--seed-cache
	# --redact: build logs are kept; they name account, store and verdict only.
	credgate audit --root ${IMAGE_ROOTFS} --depth full --redact $seed ${CREDGATE_AUDIT_ARGS} >$report 2>&1 || rc=$?
	case $rc in
	0)
		bbnote "credgate: rootfs audit clean"
		;;
	1)
		bbwarn "$(cat $report)"
		if [ "${CREDGATE_AUDIT_FATAL}" = "1" ]; then
			bbfatal "credgate: the rootfs holds accounts with blank/default/guessable passwords (report: $report). Set a unique password, lock the account, or let credgated migrate it at first boot; CREDGATE_AUDIT_FATAL = \"0\" only for development images."
		fi
		;;
	*)
		bbfatal "credgate audit --root ${IMAGE_ROOTFS} failed with exit $rc: $(cat $report)"
		;;
	esac
}
