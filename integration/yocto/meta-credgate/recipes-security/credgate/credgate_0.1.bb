# SPDX-License-Identifier: MIT
SUMMARY = "credgate: no network services while a default password remains"
DESCRIPTION = "Audits credential stores (shadow, passwd, gshadow, htpasswd) for \
blank, default, guessable and identifier-derived passwords, opens a kernel \
gate (credgate LSM or BPF LSM) only when clean, and publishes support-period \
and disclosure metadata over Varlink."
HOMEPAGE = "https://example.invalid/credgate"
SECTION = "security"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://Makefile;beginline=1;endline=1;md5=b2dccaa94b3629a08bfb4f983cad6f89"

# Source: the release tarball from `make dist` (put it next to this recipe
# in files/, or set CREDGATE_SRC_URI to your git/https location with its
# checksum).  For development, use externalsrc instead (see README.md).
CREDGATE_SRC_URI ??= "file://credgate-${PV}.tar.gz"
SRC_URI = "${CREDGATE_SRC_URI}"
S = "${WORKDIR}/credgate-${PV}"

# clang-native builds bpf/*.bpf.c (-target bpf), bpftool-native turns the
# object into the libbpf skeleton compiled into libcredgate; python3-native
# runs scripts/gen-dict (shipped dictionaries -> C table).
DEPENDS = "libbpf libxcrypt libcap libseccomp json-c libinih openssl elfutils zlib \
           clang-native bpftool-native python3-native"

inherit systemd update-rc.d useradd

# credgated switches to this system user after set-up ([agent] user in
# credgate.conf; docs/agent.md "Privileges").  useradd.bbclass creates it
# in the image at rootfs time; no password (shadow '!'), no login.
USERADD_PACKAGES = "${PN}"
USERADD_PARAM:${PN} = "--system --user-group --home-dir /var/lib/credgate \
                       --no-create-home --shell /sbin/nologin credgate"

# CC, AR, CFLAGS and LDFLAGS come from the environment (never on the make
# command line: the Makefile appends its own flags to them).  SYSROOT gives
# the BPF compile the target's <asm/types.h>.
EXTRA_OEMAKE = "BUILD=build CLANG=clang BPFTOOL=bpftool \
                PREFIX=${prefix} SYSCONFDIR=${sysconfdir} \
                SYSTEMDUNITDIR=${systemd_system_unitdir} INITDIR=${sysconfdir}/init.d \
                SYSUSERSDIR=${nonarch_libdir}/sysusers.d"
EXTRA_OEMAKE:append:class-target = " SYSROOT=${STAGING_DIR_TARGET}"

do_compile() {
	oe_runmake all
}

do_install() {
	oe_runmake install DESTDIR=${D}
}

# The agent unit and BusyBox/sysvinit script (etc/systemd, etc/init.d in
# the source tree); systemd.bbclass drops /etc/init.d when the distro has
# no sysvinit, update-rc.d.bbclass links the script for sysvinit/BusyBox.
SYSTEMD_SERVICE:${PN} = "credgated.service"
INITSCRIPT_NAME = "credgated"
# Start before any network service (S05), stop late.
INITSCRIPT_PARAMS = "start 05 S . stop 95 0 1 6 ."

CONFFILES:${PN} = "${sysconfdir}/credgate/credgate.conf"
FILES:${PN} += "${datadir}/credgate ${sysconfdir}/credgate ${nonarch_libdir}/sysusers.d"

# credgate-native runs `credgate audit --root` on image rootfs trees
# (classes/credgate-audit.bbclass).
BBCLASSEXTEND = "native"
