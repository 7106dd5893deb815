################################################################################
#
# credgate LSM: a Linux kernel extension (BR2_LINUX_KERNEL_EXT_CREDGATE)
#
################################################################################

# SPDX-License-Identifier: MIT
# Buildroot (>= 2022.08) includes linux/linux-ext-*.mk of every BR2_EXTERNAL
# tree.  With the extension enabled, the kernel's patch step waits for the
# credgate package's sources (CREDGATE_DIR, package/credgate/credgate.mk)
# and runs CREDGATE_PREPARE_KERNEL before the kernel patches: the LSM comes
# from the same sources as the userland, nothing is copied into this tree.
LINUX_EXTENSIONS += credgate

define CREDGATE_PREPARE_KERNEL
	$(CREDGATE_DIR)/scripts/kernel/add-to-tree $(LINUX_DIR)
endef

# The config fragment is listed by the user (BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES,
# so its CONFIG_LSM can be replaced by the product's own list): stop when the
# configured kernel would not run the LSM.
define CREDGATE_CHECK_KERNEL_CONFIG
	@grep -q '^CONFIG_SECURITY_CREDGATE=y$$' $(LINUX_DIR)/.config && \
	grep -Eq '^CONFIG_LSM="([^"]*,)?credgate(,[^"]*)?"$$' $(LINUX_DIR)/.config || { \
		echo "credgate: $(LINUX_DIR)/.config lacks CONFIG_SECURITY_CREDGATE=y or credgate in CONFIG_LSM:" >&2; \
		echo "credgate: add \$$(BR2_EXTERNAL_CREDGATE_PATH)/../../scripts/kernel/credgate.config" \
			"to BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES (or credgate to your CONFIG_LSM)" >&2; \
		exit 1; }
endef

ifeq ($(BR2_LINUX_KERNEL_EXT_CREDGATE),y)
# check-package TypoInPackageVariable
LINUX_POST_CONFIGURE_HOOKS += CREDGATE_CHECK_KERNEL_CONFIG
endif
