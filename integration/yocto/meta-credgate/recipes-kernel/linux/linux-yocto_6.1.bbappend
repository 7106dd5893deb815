# SPDX-License-Identifier: MIT
# The credgate LSM for linux-yocto 6.1: the patch from
# scripts/kernel/make-patch and its config fragment (CONFIG_SECURITY_CREDGATE,
# CONFIG_LSM with credgate).  Enabled only when the distro asks for it:
#   DISTRO_FEATURES:append = " credgate-lsm"
FILESEXTRAPATHS:prepend := "${THISDIR}/linux-yocto:"
SRC_URI:append = "${@bb.utils.contains('DISTRO_FEATURES', 'credgate-lsm', \
    ' file://0001-security-add-credgate-LSM.patch file://credgate.cfg', '', d)}"
