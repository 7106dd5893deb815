# SPDX-License-Identifier: MIT
#
# credgate top-level build.
#   make            userland, BPF object and skeleton (no kernel tree needed)
#   make check      install dependencies, build, run every test (host + VMs)
#   make demo       boot a VM "device" and show the gate at work
#                   (DEVICE=debian: the Debian 12 image with systemd and ssh)
#   make bench      measurements (ratios side by side), never part of check
#   make SAN=1      ASan+UBSan build into build-san/
#   make BPF=0      without the bpf backend: no clang, bpftool, libbpf,
#                   libelf or zlib needed (the lsm backend only)
#
# Sources are picked up by directory (userspace/lib/AREA, userspace/cli,
# userspace/agent, bpf, selftests/host), so adding a file needs no edit here.
# Header dependencies come from the compiler (-MMD -MP, $(BUILD)/**/*.d).

CROSS_COMPILE ?=
CC ?= cc
ifneq ($(CROSS_COMPILE),)
CC := $(CROSS_COMPILE)gcc
endif
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
# Cross builds: with CROSS_COMPILE alone the target's libraries come from
# Debian multiarch (-dev:arm64 ...); SYSROOT=DIR builds against an unpacked
# target root instead (scripts/cross-deps.sh, Yocto/Buildroot staging).
SYSROOT ?=
SYSROOT_FLAGS := $(if $(SYSROOT),--sysroot=$(SYSROOT))
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

# BPF=1 (default): the bpf backend (BPF object, skeleton, libbpf).  BPF=0:
# none of it; userspace/lib/gate/gate_bpf_none.c stands in for the bpf
# backend's two files and says it is not built in.
BPF ?= 1
ifeq ($(filter 0 1,$(BPF)),)
$(error BPF must be 0 or 1, not '$(BPF)')
endif
ifeq ($(BPF),0)
BUILD ?= build-nobpf
endif

SAN ?=
ifeq ($(SAN),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif

# Target architecture for the BPF object (bpf_tracing.h register layout).
TARGET_ARCH := $(shell $(CC) -dumpmachine | cut -d- -f1)
BPF_ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(patsubst arm%,arm,$(TARGET_ARCH))))
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	  -Iinclude -Iuserspace/lib -I$(BUILD)/gen $(SAN_FLAGS) $(SYSROOT_FLAGS)
LDFLAGS += $(SAN_FLAGS) $(SYSROOT_FLAGS)
LDLIBS += $(if $(filter 1,$(BPF)),-lbpf -lelf -lz) -lcrypt -ljson-c -linih -lcap -lseccomp -lcrypto -lpthread

LIB_SRCS   := $(sort $(wildcard userspace/lib/*/*.c))
CLI_SRCS   := $(sort $(wildcard userspace/cli/*.c))
AGENT_SRCS := $(sort $(wildcard userspace/agent/*.c))
BPF_SRCS   := $(sort $(wildcard bpf/*.bpf.c))
HOSTTEST_SRCS := $(sort $(wildcard selftests/host/*.c))
VMTEST_SRCS   := $(sort $(wildcard selftests/vm/*.c))
BENCH_SRCS    := $(sort $(wildcard userspace/bench/*.c))
PAM_SRCS      := $(sort $(wildcard userspace/pam/*.c))

# The bpf backend's sources (only the loader includes the skeleton) and
# what stands in for them with BPF=0.
GATE_BPF_SRCS  := userspace/lib/gate/gate_bpf.c userspace/lib/gate/gate_bpf_load.c
GATE_NOBPF_SRCS := userspace/lib/gate/gate_bpf_none.c
GATE_LOADER_OBJ := $(BUILD)/userspace/lib/gate/gate_bpf_load.o
ifeq ($(BPF),1)
LIB_SRCS   := $(filter-out $(GATE_NOBPF_SRCS),$(LIB_SRCS))
else
LIB_SRCS   := $(filter-out $(GATE_BPF_SRCS),$(LIB_SRCS))
BPF_SRCS   :=
# VM tests that use libbpf themselves (bpf_obj_get() on the pins).
VMTEST_SRCS := $(filter-out $(shell grep -l 'include <bpf/' $(VMTEST_SRCS) /dev/null),$(VMTEST_SRCS))
endif

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/%.o)
AGENT_OBJS := $(AGENT_SRCS:%.c=$(BUILD)/%.o)
BPF_OBJS   := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_SKELS  := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/gen/%.skel.h)
HOSTTESTS  := $(HOSTTEST_SRCS:selftests/host/%.c=$(BUILD)/selftests/host/%)
VMTESTS    := $(VMTEST_SRCS:selftests/vm/%.c=$(BUILD)/selftests/vm/%)
BENCH_BINS := $(BENCH_SRCS:userspace/bench/%.c=$(BUILD)/bench/%)

LIBCREDGATE := $(BUILD)/libcredgate.a
# PAM=1 (default): pam_credgate.so, the PAM password module (libpam0g-dev).
PAM ?= 1
ifeq ($(filter 0 1,$(PAM)),)
$(error PAM must be 0 or 1, not '$(PAM)')
endif
PAM_MODULE := $(if $(filter 1,$(PAM)),$(BUILD)/pam_credgate.so)
# The module links the library and the CLI's audit options into a shared
# object, so every userland object is built position-independent (-fPIC;
# the programs stay PIE).
PAM_OBJS := $(PAM_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/userspace/cli/audit_args.o
PAMDIR ?= $(if $(MULTIARCH),/usr/lib/$(MULTIARCH)/security,/lib/security)
PAMCONFIGDIR ?= $(PREFIX)/share/pam-configs
BINS := $(BUILD)/credgate $(if $(AGENT_SRCS),$(BUILD)/credgated) $(PAM_MODULE)

# kselftest harness headers, taken from the linux-source tree at build time.
KSFT_DIR := $(BUILD)/ksft

.PHONY: all check demo bench fuzz fuzz-build clean install dist deps tests vm-data
all: $(BINS)

deps:
	scripts/deps.sh

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c include/credgate/policy.h $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Iinclude -Ibpf $(SYSROOT_FLAGS) \
		$(if $(MULTIARCH),-idirafter $(SYSROOT)/usr/include/$(MULTIARCH)) \
		-Wall -Werror -c $< -o $@

# Keep the BPF objects and skeletons (make would delete them as intermediates).
ifneq ($(BPF_SRCS),)
.SECONDARY: $(BPF_OBJS) $(BPF_SKELS)
endif

$(BUILD)/gen/%.skel.h: $(BUILD)/bpf/%.bpf.o
	@mkdir -p $(@D)
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/userspace/%.o: userspace/%.c $(BUILD)/gen/cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -MMD -MP -c $< -o $@

# The compiler and flags objects were built with, rewritten only when they
# change: a new flag (-fPIC, a sanitizer) rebuilds every object instead of
# linking stale ones.
$(BUILD)/gen/cflags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(CFLAGS) -fPIC' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# Generated headers must exist before the first compile that includes them
# (later builds know it from the .d files).  Only the loader includes the
# skeleton.
$(GATE_LOADER_OBJ): $(BPF_SKELS)

# Shipped audit dictionaries: curated lists in userspace/data/ -> C table.
$(BUILD)/gen/dict_data.h: scripts/gen-dict $(wildcard userspace/data/*)
	@mkdir -p $(@D)
	scripts/gen-dict userspace/data $(BUILD)/gen

$(BUILD)/userspace/lib/audit/dict.o: $(BUILD)/gen/dict_data.h

# The service store types' own defaults (userspace/data/service-defaults.tsv).
$(BUILD)/gen/service_defaults.h: scripts/gen-service-defaults userspace/data/service-defaults.tsv
	@mkdir -p $(@D)
	scripts/gen-service-defaults userspace/data/service-defaults.tsv $@

$(BUILD)/userspace/lib/audit/service.o: $(BUILD)/gen/service_defaults.h

# Varlink interface descriptions: userspace/lib/varlink/*.varlink -> C string.
IDL_SRCS := $(wildcard userspace/lib/varlink/*.varlink)
IDL_HDRS := $(IDL_SRCS:userspace/lib/varlink/%=$(BUILD)/gen/%.h)
$(BUILD)/gen/%.varlink.h: userspace/lib/varlink/%.varlink scripts/gen-idl
	@mkdir -p $(@D)
	scripts/gen-idl $< $@

$(BUILD)/userspace/lib/varlink/varlink.o: $(BUILD)/gen/org.varlink.service.varlink.h
$(BUILD)/userspace/agent/device.o: $(BUILD)/gen/io.credgate.Device.varlink.h

# The one version define (VERSION below), rewritten only when it changes:
# a new version rebuilds what includes version.h, nothing else.
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define CREDGATE_VERSION "$(VERSION)"' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/userspace/cli/credgate.o $(BUILD)/userspace/agent/main.o: $(BUILD)/gen/version.h
.PHONY: FORCE
FORCE:

$(LIBCREDGATE): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/credgate: $(CLI_OBJS) $(LIBCREDGATE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Test builds: the library with its test hooks (CREDGATE_TEST_HOOKS, e.g.
# the crash points of base/atomic_file.h) for the host tests, and a
# credgate linked against it; what ships never has them.
TEST_HOOK_SRCS := $(shell grep -l test_crash_point $(LIB_SRCS))
TEST_LIB_OBJS := $(filter-out $(TEST_HOOK_SRCS:%.c=$(BUILD)/%.o),$(LIB_OBJS)) \
	$(TEST_HOOK_SRCS:%.c=$(BUILD)/test/%.o)
LIBCREDGATE_TEST := $(BUILD)/libcredgate-test.a

$(BUILD)/test/userspace/%.o: userspace/%.c $(BUILD)/gen/cflags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCREDGATE_TEST_HOOKS -MMD -MP -c $< -o $@

$(LIBCREDGATE_TEST): $(TEST_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/test/credgate: $(CLI_OBJS) $(LIBCREDGATE_TEST)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/credgated: $(AGENT_OBJS) $(LIBCREDGATE)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Only pam_sm_* leave the module (userspace/pam/pam_credgate.map): the
# library's symbols never meet the host program's.
$(BUILD)/pam_credgate.so: $(PAM_OBJS) $(LIBCREDGATE) userspace/pam/pam_credgate.map
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=userspace/pam/pam_credgate.map -Wl,-z,defs -Wl,--as-needed \
		-o $@ $(PAM_OBJS) $(LIBCREDGATE) -lpam $(LDLIBS)

# The PAM test harness (selftests/pam): a password change through
# pam_start_confdir() with a private stack, never the host's /etc/pam.d.
$(BUILD)/selftests/pam/%: selftests/pam/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(LDFLAGS) -lpam
PAM_TESTS := $(if $(filter 1,$(PAM)),$(patsubst %.c,$(BUILD)/%,$(wildcard selftests/pam/*.c)))

$(KSFT_DIR)/kselftest_harness.h:
	scripts/ksft-headers.sh $(KSFT_DIR)

$(BUILD)/selftests/host/%: selftests/host/%.c $(LIBCREDGATE_TEST) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DCREDGATE_TEST_HOOKS -isystem $(KSFT_DIR) -Wno-unused-parameter -MMD -MP -MF $@.d -o $@ $< $(LIBCREDGATE_TEST) $(LDFLAGS) $(LDLIBS)

$(BUILD)/selftests/vm/%: selftests/vm/%.c $(LIBCREDGATE) $(KSFT_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(KSFT_DIR) -Wno-unused-parameter -MMD -MP -MF $@.d -o $@ $< $(LIBCREDGATE) $(LDFLAGS) $(LDLIBS)

# make bench's load generators (userspace/bench): standalone programs.
$(BUILD)/bench/%: userspace/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pthread -MMD -MP -MF $@.d -o $@ $< $(LDFLAGS) -lpthread

tests: $(BINS) $(BUILD)/test/credgate $(HOSTTESTS) $(VMTESTS) $(BENCH_BINS) $(PAM_TESTS)

-include $(LIB_OBJS:.o=.d) $(TEST_LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(AGENT_OBJS:.o=.d) \
	$(HOSTTESTS:=.d) $(VMTESTS:=.d) $(BENCH_BINS:=.d) $(PAM_OBJS:.o=.d) $(PAM_TESTS:=.d) $(wildcard $(FUZZ_DIR)/obj/*/*.d)

# Host-made data of the VM tests (scripts/vm/decision-data: yescrypt hashes
# and their seed; about 45 s of hashing, redone only when credgate changes).
VM_DATA := $(BUILD)/selftests/vm/data/decision/audit.cache
$(VM_DATA): $(BUILD)/credgate scripts/vm/decision-data
	scripts/vm/decision-data $(BUILD) >/dev/null

vm-data: $(VM_DATA)

check:
	scripts/deps.sh
	$(MAKE) tests vm-data
	scripts/check

demo:
	scripts/deps.sh
	$(MAKE) all
	DEMO_DEVICE=$(DEVICE) scripts/demo

bench:
	scripts/deps.sh
	$(MAKE) tests
	scripts/bench

# libFuzzer targets (selftests/fuzz): fuzz_store.c once per store type,
# every other fuzz_NAME.c as is.  `make fuzz` runs each for FUZZ_SECONDS;
# scripts/check.d/fuzz runs them for a few seconds in `make check`.
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_FLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuserspace/lib -I$(BUILD)/gen \
	      -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_STORES := shadow passwd gshadow htpasswd htdigest plain smbpasswd mosquitto snmpd hostapd \
	       mosquitto_conf sshd_config pam init
FUZZ_OTHERS := $(filter-out store,$(patsubst selftests/fuzz/fuzz_%.c,%,$(wildcard selftests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_STORES:%=$(FUZZ_DIR)/fuzz_%) $(FUZZ_OTHERS:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_LIB := $(FUZZ_DIR)/libcredgate-fuzz.a
$(FUZZ_DIR)/obj/audit/service.o: $(BUILD)/gen/service_defaults.h
FUZZ_SECONDS ?= 60

$(FUZZ_DIR)/obj/%.o: userspace/lib/%.c $(BUILD)/gen/dict_data.h $(IDL_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/gate/gate_bpf_load.o: $(BPF_SKELS)

$(FUZZ_LIB): $(LIB_SRCS:userspace/lib/%.c=$(FUZZ_DIR)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_STORES:%=$(FUZZ_DIR)/fuzz_%): $(FUZZ_DIR)/fuzz_%: selftests/fuzz/fuzz_store.c $(FUZZ_LIB)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer -DFUZZ_STORE_TYPE=STORE_$(shell echo $* | tr a-z A-Z) \
		-o $@ $< $(FUZZ_LIB) $(LDLIBS)

$(FUZZ_OTHERS:%=$(FUZZ_DIR)/fuzz_%): $(FUZZ_DIR)/fuzz_%: selftests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/check.d/fuzz

clean:
	rm -rf build build-san build-nobpf

# Installation: binaries, data, config, units, init scripts, man pages.
#   make install DESTDIR=/tmp/root PREFIX=/usr SYSCONFDIR=/etc
# Config files already present under DESTDIR are kept (never overwritten).
PREFIX ?= /usr
SYSCONFDIR ?= /etc
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share/credgate
DOCDIR ?= $(PREFIX)/share/doc/credgate
MANDIR ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
INITDIR ?= $(SYSCONFDIR)/init.d
# A release tarball carries VERSION (make dist); a git checkout describes itself.
VERSION := $(shell cat VERSION 2>/dev/null || git describe --always --dirty 2>/dev/null || echo 0.1)

# Generated dictionaries (scripts/gen-dict), installed as text with provenance.
DATA_FILES := $(BUILD)/gen/defaults.list $(BUILD)/gen/common.list $(BUILD)/gen/PROVENANCE

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 $(BUILD)/credgate $(DESTDIR)$(BINDIR)/credgate
	$(if $(AGENT_SRCS),install -m 0755 $(BUILD)/credgated $(DESTDIR)$(SBINDIR)/credgated)
	$(if $(PAM_MODULE),install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(PAMCONFIGDIR))
	$(if $(PAM_MODULE),install -m 0644 $(PAM_MODULE) $(DESTDIR)$(PAMDIR)/pam_credgate.so)
	$(if $(PAM_MODULE),for f in etc/pam-configs/*; do install -m 0644 $$f $(DESTDIR)$(PAMCONFIGDIR)/; done)
	for f in $(wildcard $(DATA_FILES)); do install -m 0644 $$f $(DESTDIR)$(DATADIR)/; done
	install -d $(DESTDIR)$(DATADIR)/varlink
	for f in $(IDL_SRCS); do install -m 0644 $$f $(DESTDIR)$(DATADIR)/varlink/; done
	install -d $(DESTDIR)$(DOCDIR)
	for f in $(wildcard userspace/data/LICENSE.* userspace/data/PROVENANCE.md); do \
		install -m 0644 $$f $(DESTDIR)$(DOCDIR)/; done
	install -d $(DESTDIR)$(SYSCONFDIR)/credgate/defaults.d $(DESTDIR)$(SYSCONFDIR)/credgate/gate-opened.d
	for f in $(wildcard etc/*.conf); do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/credgate/$$(basename $$f) ] || \
		install -m 0644 $$f $(DESTDIR)$(SYSCONFDIR)/credgate/; done
	for f in $(wildcard etc/systemd/*.service etc/systemd/*.socket etc/systemd/*.path); do \
		install -d $(DESTDIR)$(SYSTEMDUNITDIR); \
		install -m 0644 $$f $(DESTDIR)$(SYSTEMDUNITDIR)/; done
	for f in $(wildcard etc/init.d/*); do \
		install -d $(DESTDIR)$(INITDIR); \
		install -m 0755 $$f $(DESTDIR)$(INITDIR)/; done
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 etc/sysusers.d/credgate.conf $(DESTDIR)$(SYSUSERSDIR)/credgate.conf
	$(if $(DESTDIR),,scripts/add-service-user credgate)
	for f in $(wildcard docs/man/*.[1-8]); do \
		s=$${f##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$f $(DESTDIR)$(MANDIR)/man$$s/; done

# The LSM as a patch against linux-source-6.1 plus its config fragment, for
# kernel builds that do not run scripts/kernel/add-to-tree themselves
# (docs/kernel-integration.md); kernel-patch-6.12: the same against
# linux-source-6.12.  Generated, never committed.
KERNEL_PATCH := $(BUILD)/kernel-patch/0001-security-add-credgate-LSM.patch
KERNEL_PATCH_6_12 := $(BUILD)/kernel-patch-6.12/0001-security-add-credgate-LSM.patch
KERNEL_PATCH_SRCS := $(wildcard kernel/* scripts/kernel/*) include/credgate/policy.h
.PHONY: kernel-patch kernel-patch-6.12
kernel-patch: $(KERNEL_PATCH)
$(KERNEL_PATCH): $(KERNEL_PATCH_SRCS)
	scripts/kernel/make-patch $(@D)
kernel-patch-6.12: $(KERNEL_PATCH_6_12)
$(KERNEL_PATCH_6_12): $(KERNEL_PATCH_SRCS)
	scripts/kernel/make-patch --kernel-version 6.12 $(@D)

# Release tarball of HEAD plus a VERSION file, so it builds without git, and
# kernel-patch/ with the patch (6.1) and fragment made from HEAD's sources,
# kernel-patch/6.12/ with the 6.12 patch.
dist:
	@mkdir -p $(BUILD)
	echo $(VERSION) > $(BUILD)/VERSION
	scripts/kernel/make-patch --rev HEAD $(BUILD)/dist-kernel-patch
	scripts/kernel/make-patch --kernel-version 6.12 --rev HEAD $(BUILD)/dist-kernel-patch-6.12
	git archive --format=tar.gz --prefix=credgate-$(VERSION)/ --add-file=$(BUILD)/VERSION \
		--prefix=credgate-$(VERSION)/kernel-patch/ \
		--add-file=$(BUILD)/dist-kernel-patch/0001-security-add-credgate-LSM.patch \
		--add-file=$(BUILD)/dist-kernel-patch/credgate.config \
		--prefix=credgate-$(VERSION)/kernel-patch/6.12/ \
		--add-file=$(BUILD)/dist-kernel-patch-6.12/0001-security-add-credgate-LSM.patch \
		--prefix=credgate-$(VERSION)/ -o $(BUILD)/credgate-$(VERSION).tar.gz HEAD
	@echo $(BUILD)/credgate-$(VERSION).tar.gz

# Long crash-safety loop of 'credgate migrate' (CRASH_RUNS=N, default 20000).
.PHONY: crashloop
crashloop:
	$(MAKE) tests
	scripts/crashloop
