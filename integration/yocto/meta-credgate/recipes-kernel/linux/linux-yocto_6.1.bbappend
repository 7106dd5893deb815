# SPDX-License-Identifier: MIT
# The credgate LSM for linux-yocto 6.1, only when the distro asks for it:
#   DISTRO_FEATURES:append = " credgate-lsm"
# After do_patch, scripts/kernel/add-to-tree of the credgate sources
# (CREDGATE_TOPDIR, conf/layer.conf) copies kernel/ and
# include/credgate/policy.h into security/credgate/ and adds the LSM to
# security/Kconfig and security/Makefile: no copy of the LSM in this layer.
# credgate.cfg, a link to scripts/kernel/credgate.config, is the config
# fragment kernel-yocto merges (CONFIG_SECURITY_CREDGATE, CONFIG_LSM).
FILESEXTRAPATHS:prepend := "${THISDIR}/linux-yocto:"
SRC_URI:append = "${@bb.utils.contains('DISTRO_FEATURES', 'credgate-lsm', ' file://credgate.cfg', '', d)}"

credgate_add_to_tree () {
	"${CREDGATE_TOPDIR}/scripts/kernel/add-to-tree" "${S}"
}
do_patch[postfuncs] += "${@bb.utils.contains('DISTRO_FEATURES', 'credgate-lsm', 'credgate_add_to_tree', '', d)}"
# do_patch runs again when the LSM's sources change.
do_patch[file-checksums] += "${@bb.utils.contains('DISTRO_FEATURES', 'credgate-lsm', \
    '${CREDGATE_TOPDIR}/kernel:True ${CREDGATE_TOPDIR}/include/credgate/policy.h:True \
    ${CREDGATE_TOPDIR}/scripts/kernel/add-to-tree:True', '', d)}"
