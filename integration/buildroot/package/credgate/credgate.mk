################################################################################
#
# credgate
#
################################################################################

# SPDX-License-Identifier: MIT
# Built from the credgate tree this BR2_EXTERNAL lives in
# (integration/buildroot -> ../..); override CREDGATE_OVERRIDE_SRCDIR in
# local.mk to build another checkout.
CREDGATE_VERSION = 0.1
CREDGATE_SITE = $(BR2_EXTERNAL_CREDGATE_PATH)/../..
CREDGATE_SITE_METHOD = local
CREDGATE_LICENSE = MIT
CREDGATE_LICENSE_FILES = userspace/data/LICENSE.defaultcreds userspace/data/LICENSE.seclists
CREDGATE_DEPENDENCIES = libxcrypt libbpf elfutils zlib libcap libseccomp json-c \
	libinih openssl host-python3

# CC, AR, CFLAGS, LDFLAGS go in the environment, not on the make command
# line: the Makefile appends its own flags to them.  SYSROOT gives the BPF
# compile the target's <asm/types.h>.
CREDGATE_MAKE_OPTS = \
	BUILD=build SYSROOT=$(STAGING_DIR) \
	CLANG=$(call qstrip,$(BR2_PACKAGE_CREDGATE_CLANG)) \
	BPFTOOL=$(call qstrip,$(BR2_PACKAGE_CREDGATE_BPFTOOL)) \
	PREFIX=/usr SYSCONFDIR=/etc \
	SYSTEMDUNITDIR=/usr/lib/systemd/system INITDIR=/usr/share/credgate/init.d

define CREDGATE_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) $(CREDGATE_MAKE_OPTS) all
endef

define CREDGATE_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) $(CREDGATE_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) install
endef

# BusyBox init / sysvinit run /etc/init.d/S??*: start before networking.
define CREDGATE_INSTALL_INIT_SYSV
	for f in $(TARGET_DIR)/usr/share/credgate/init.d/*; do \
		[ -f "$$f" ] || continue; \
		$(INSTALL) -D -m 0755 $$f $(TARGET_DIR)/etc/init.d/S05$$(basename $$f); \
	done
endef

# credgated switches to this system user after set-up ([agent] user in
# credgate.conf): Buildroot's users table (docs/integration.md).  No
# password ('*'): the audit sees it locked.
define CREDGATE_USERS
	credgate -1 credgate -1 * /var/lib/credgate /bin/false - credgate agent
endef

# The unit is installed by `make install`; nothing more for systemd.
define CREDGATE_INSTALL_INIT_SYSTEMD
endef

$(eval $(generic-package))
