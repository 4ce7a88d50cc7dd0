# SPDX-License-Identifier: GPL-2.0-or-later
# klp-initrd: hand-written Makefile. `make V=1` shows the full commands.

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
DRACUTMODDIR ?= $(or $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null),/usr/lib/dracut/modules.d)

CC ?= cc
MUSL_CC ?= musl-gcc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
B := build

# Cross builds: `make CROSS_COMPILE=s390x-linux-gnu-` (or powerpc64le-linux-gnu-) builds into
# build/<arch>/. The target's libraries come from `tools/deps --cross`: Debian's packages of that
# architecture unpacked into CROSS_SYSROOT. The loader is linked statically against that
# architecture's musl (musl-dev's own specs for the cross gcc); MUSL_CC=<triplet>-gcc gives glibc.
ifneq ($(CROSS_COMPILE),)
CROSS_TRIPLET := $(patsubst %-,%,$(CROSS_COMPILE))
CROSS_ARCH := $(firstword $(subst -, ,$(CROSS_TRIPLET)))
CROSS_SYSROOT ?= $(abspath $(or $(KLP_CACHE),build/cache))/cross/$(CROSS_ARCH)
B := build/$(CROSS_ARCH)
ifneq ($(origin CC),command line)
CC := $(CROSS_COMPILE)gcc
endif
MUSL_CC := $(CROSS_COMPILE)gcc -specs=$(CROSS_SYSROOT)/usr/lib/$(CROSS_ARCH)-linux-musl/musl-gcc.specs
PKG_CONFIG := PKG_CONFIG_SYSROOT_DIR=$(CROSS_SYSROOT) \
	PKG_CONFIG_LIBDIR=$(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET)/pkgconfig pkg-config
# musl applies no RELRO to a static binary: without the segment, ppc64le's 64 KiB page
# alignment no longer pads the loader by 7 KiB
CROSS_LOADER_LDFLAGS := -Wl,-z,norelro
# libkmod's own libraries (zstd, lzma, crypto) are found there too when linking
override LDFLAGS += -Wl,-rpath-link,$(CROSS_SYSROOT)/lib/$(CROSS_TRIPLET):$(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET)
ifeq ($(wildcard $(CROSS_SYSROOT)/.complete)$(filter clean distclean help,$(MAKECMDGOALS)),)
$(error $(CROSS_SYSROOT) is missing: run tools/deps --cross first (as root: it installs the cross compilers and qemu-user))
endif
endif

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wno-format-nonliteral
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP
# The loader is tiny and static: size first, no libc features it does not need. Its own flags come
# after the caller's CFLAGS, so a package build (dpkg-buildflags' -fstack-protector-strong) makes the
# very loader the boot tests boot.
LOADER_CFLAGS = -std=gnu11 $(WARN) $(filter-out -O% -g%,$(CFLAGS)) -Os -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-stack-protector -MMD -MP
LOADER_LDFLAGS = -static -s -Wl,--gc-sections $(CROSS_LOADER_LDFLAGS)

ifeq ($(V),1)
Q :=
q = @:
else
Q := @
q = @printf '  %-7s %s\n'
endif

# lib/: the core both programs share (lib/klp-core.h), compiled twice: with musl for the
# loader, for the host into klp and the tests. No .c is included across programs.
CORE := $(patsubst lib/%.c,%,$(wildcard lib/*.c))
LOADER_PURE := $(CORE) loader
LOADER_SRCS := early-loader/loader.c early-loader/main.c early-loader/sys.c
LOADER := $(B)/early-loader/klp-early
LOADER_OBJS := $(LOADER_SRCS:early-loader/%.c=$(B)/early-loader/%.o) $(CORE:%=$(B)/early-loader/core/%.o)
CORE_HOST_OBJS := $(CORE:%=$(B)/core/%.o)

KLP_SRCS := $(wildcard tools/klp/*.c)
KLP := $(B)/tools/klp
KLP_OBJS := $(KLP_SRCS:tools/klp/%.c=$(B)/tools/obj/%.o)
KMOD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libkmod blkid)
KMOD_LIBS = $(shell $(PKG_CONFIG) --libs libkmod blkid)

.PHONY: all loader tool kmod bench bench-update check unit unit-asan klp-golden shellcheck regen-tests hook-tests boot-tests dracut-ng-tests initramfs-tools-tests powercut-tests integration-tests deps demo install clean distclean help
all: loader tool

help:
	@echo "make [all]      build klp-early ($(LOADER))"
	@echo "make kmod       build the test livepatch modules (kmod/) into $(B)/kmod"
	@echo "make check      install deps, run unit tests (plain + ASan/UBSan), klp under valgrind, shellcheck,"
	@echo "                lint, cross-check, QEMU boots and the lifecycle in a Debian guest (~55 min on 2 cores)"
	@echo "make lifecycle  only the whole story in a debootstrapped Debian guest (about 12 min)"
	@echo "make cross-check  s390x and ppc64le: build loader, klp and unit tests, run them under qemu-user"
	@echo "make CROSS_COMPILE=s390x-linux-gnu-  (or powerpc64le-linux-gnu-) build into build/<arch>"
	@echo "make dracut-ng-tests  the dracut boot cases again with dracut-ng 111 from vendor/ (in check)"
	@echo "make initramfs-tools-tests  initrds of initramfs-tools' mkinitramfs with klp's hook, booted (in check)"
	@echo "make powercut-tests  power cuts during klp regenerate: /boot on dm-log-writes, every state replayed and checked (in check)"
	@echo "make arch-boot-tests  boot the s390x and ppc64le loaders under Debian's kernels in QEMU (in check)"
	@echo "make arch-livepatch  s390x and ppc64le kernels with livepatch support (built once, cached), a patch"
	@echo "                applied for real by klp-early in QEMU (in check: 25-35 s cached, ~7 min first run)"
	@echo "make upstream-kmod  the kernel's own livepatch samples and self-tests, unmodified ($(B)/kmod/upstream)"
	@echo "make corpus-tests  those and the vendor shapes embedded by dracut and booted in QEMU (in check)"
	@echo "make lint       clang-tidy and cppcheck on all C code, warnings are errors (in check)"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS=30 each; fuzz-regress replays the corpora (in check)"
	@echo "make demo       boot the demo VM: a patch applied before userspace, with its timeline"
	@echo "make bench      unpatched window per loading mode, sizes, overhead, then bench-update (build/bench.json)"
	@echo "make bench-update  patch-only update vs dracut rebuild of a default no-hostonly image (no QEMU)"
	@echo "make install    DESTDIR= PREFIX=$(PREFIX)"
	@echo "make deb        the Debian package build/pkg/klp-initrd_$(PKG_VERSION)_ARCH.deb (debian/)"
	@echo "make rpm        the rpm build/pkg/klp-initrd-$(PKG_VERSION)-1.ARCH.rpm (tools/hooks/rpm/klp-initrd.spec)"
	@echo "make package-tests  both built, linted, compared with make install, the .deb installed and"
	@echo "                purged in a scratch root (root, ~40 s; part of make check)"

loader: $(LOADER)

$(B)/early-loader/%.o: early-loader/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) -Ilib -c -o $@ $<

$(B)/early-loader/core/%.o: lib/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) -Ilib -c -o $@ $<

$(B)/core/%.o: lib/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -c -o $@ $<

$(LOADER): $(LOADER_OBJS)
	$(q) LD $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) $(LDFLAGS) $(LOADER_LDFLAGS) -o $@ $^

tool: $(KLP)

$(B)/tools/obj/%.o: tools/klp/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib $(KMOD_CFLAGS) -c -o $@ $<

$(KLP): $(KLP_OBJS) $(CORE_HOST_OBJS)
	$(q) LD $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(KMOD_LIBS)

# ---- unit tests (cmocka), plain and under ASan+UBSan ----
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
UNIT_TESTS := $(patsubst tests/unit/test-%.c,%,$(wildcard tests/unit/test-*.c))
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

define unit_variant
# $(1): variant dir, $(2): extra flags
$(B)/$(1)/obj/%.o: early-loader/%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -Iearly-loader -Ilib -c -o $$@ $$<
$(B)/$(1)/obj/%.o: lib/%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -Ilib -c -o $$@ $$<
$(B)/$(1)/obj/%.o: tests/unit/%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(CMOCKA_CFLAGS) -Iearly-loader -Ilib -c -o $$@ $$<
$(B)/$(1)/test-%: $(B)/$(1)/obj/test-%.o $(B)/$(1)/obj/fake-sys.o $(LOADER_PURE:%=$(B)/$(1)/obj/%.o)
	$$(q) LD $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(LDFLAGS) -o $$@ $$^ $$(CMOCKA_LIBS)
# test-loader runs main.c's modes too: its main as klp_early_main
$(B)/$(1)/obj/main-as-function.o: early-loader/main.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -Wno-missing-prototypes -Dmain=klp_early_main -Iearly-loader -Ilib -c -o $$@ $$<
$(B)/$(1)/test-loader: $(B)/$(1)/obj/main-as-function.o
endef
$(eval $(call unit_variant,unit,))
$(eval $(call unit_variant,asan,$(SAN_FLAGS)))

UNIT_BINS := $(UNIT_TESTS:%=$(B)/unit/test-%)
ASAN_BINS := $(UNIT_TESTS:%=$(B)/asan/test-%)
.SECONDARY:

# klp's unit tests (tests/klp/test-*.c) link every klp object but main's.
KLP_TESTS := $(patsubst tests/klp/test-%.c,%,$(wildcard tests/klp/test-*.c))
KLP_LIB_SRCS := $(filter-out tools/klp/klp.c,$(KLP_SRCS))

define klp_variant
# $(1): variant dir, $(2): extra flags
$(B)/$(1)/klpobj/%.o: tools/klp/%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -Ilib $$(KMOD_CFLAGS) -c -o $$@ $$<
$(B)/$(1)/klpobj/test-%.o: tests/klp/test-%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(KMOD_CFLAGS) $$(CMOCKA_CFLAGS) -Itools/klp -Ilib -c -o $$@ $$<
$(B)/$(1)/klp-test-%: $(B)/$(1)/klpobj/test-%.o $(KLP_LIB_SRCS:tools/klp/%.c=$(B)/$(1)/klpobj/%.o) \
		$(CORE:%=$(B)/$(1)/obj/%.o)
	$$(q) LD $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(LDFLAGS) -o $$@ $$^ $$(CMOCKA_LIBS) $$(KMOD_LIBS)
endef
$(eval $(call klp_variant,unit,))
$(eval $(call klp_variant,asan,$(SAN_FLAGS)))
UNIT_BINS += $(KLP_TESTS:%=$(B)/unit/klp-test-%)
ASAN_BINS += $(KLP_TESTS:%=$(B)/asan/klp-test-%)

unit: $(UNIT_BINS)
	$(Q)tests/run-unit $(UNIT_BINS)
unit-asan: $(ASAN_BINS)
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tests/run-unit $(ASAN_BINS)

# The LD_PRELOAD library that points klp at a fake root (tests/klp/preload.c).
PRELOAD := $(B)/tests/klp-preload.so
$(PRELOAD): $(wildcard tests/klp/preload.c)
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl

# klp against fake roots (tests/klp/roots) under the preload, diffed with tests/klp/golden.
klp-golden: tool $(PRELOAD)
	$(Q)tests/klp/run-golden

# the golden cases once more with klp under valgrind memcheck: any error or leak fails the case
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect
.PHONY: klp-valgrind
klp-valgrind: tool $(PRELOAD)
	$(q) VALGRIND "klp (golden cases)"
	$(Q)KLP_WRAPPER="$(VALGRIND)" GOLDEN_TIMEOUT=120 tests/klp/run-golden

# ---- cross targets: build/<arch>, unit tests under qemu-user (called directly: no binfmt needed) ----
# `make cross-check`: tools/deps --cross, then per target the loader, klp and the unit tests (no
# ASan), run by tests/run-cross under qemu-<arch>-static.
CROSS_TARGETS := s390x-linux-gnu- powerpc64le-linux-gnu-
CROSS_JOBS ?= 2
.PHONY: cross-check cross-unit
cross-check:
	$(Q)tools/deps --cross
	$(Q)rc=0; for t in $(CROSS_TARGETS); do \
		$(MAKE) --no-print-directory $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(CROSS_JOBS)) \
			CROSS_COMPILE=$$t cross-unit || rc=1; done; exit $$rc
ifneq ($(CROSS_COMPILE),)
QEMU_USER = qemu-$(patsubst powerpc64le,ppc64le,$(CROSS_ARCH))-static -L /usr/$(CROSS_TRIPLET) \
	-E LD_LIBRARY_PATH=$(CROSS_SYSROOT)/usr/lib/$(CROSS_TRIPLET):$(CROSS_SYSROOT)/lib/$(CROSS_TRIPLET)
cross-unit: $(LOADER) $(KLP) $(UNIT_BINS)
	$(Q)CROSS_RUNNER="$(QEMU_USER)" CROSS_COMPILE=$(CROSS_COMPILE) tests/run-cross $(LOADER) $(KLP) $(UNIT_BINS)
# `make CROSS_COMPILE=... unit` runs the target's unit tests under qemu-user too
unit: export UNIT_RUNNER = $(QEMU_USER)
endif

# ---- test livepatch modules ----
kmod:
	$(Q)$(MAKE) -C kmod OUT=$(abspath $(B)/kmod) V=$(V)

# The kernel's own livepatch samples and selftest modules (nobody here wrote them), unmodified,
# from Debian's linux-source (tools/deps --linux-source fetches it once) into $(B)/kmod/upstream.
.PHONY: upstream-kmod
upstream-kmod:
	$(Q)src=$$(tools/deps --linux-source) && \
		$(MAKE) -C kmod upstream UPSTREAM_SRC="$$src" OUT=$(abspath $(B)/kmod) V=$(V)

# Patches nobody here wrote (the upstream modules above) and the shapes vendors ship (kmod/:
# .replace = false, over 4 MiB, .ko.xz, .ko.zst, dashes), each embedded by the real dracut and
# booted in QEMU (qemu/test-corpus, 5-8 min on 2 cores; in make check).
.PHONY: corpus-tests
corpus-tests: loader tool kmod upstream-kmod
	$(Q)tests/run-suites qemu/test-corpus

SHELL_FILES = tools/deps kmod/mkbigtable tests/run-unit tests/run-cross tests/run-suites .ci/run $(filter-out %.md %.c %.d,$(wildcard qemu/*[!~] qemu/*.d/*.sh qemu/lifecycle.d/klptest-run \
	dracut-module/*.sh initramfs-tools/hooks/klp initramfs-tools/scripts/init-top/klp initramfs-tools/scripts/init-bottom/klp tools/hooks/klp-hook \
	tools/hooks/*/* tests/hooks/* tests/pkg/* tests/loader/* tests/klp/run-golden \
	tests/lib/*.sh tests/klp/test-regenerate tests/klp/test-regenerate.d/*.sh tests/klp/test-payload tests/klp/bin/* tests/fuzz/run-fuzz tests/fuzz/mkseeds-initrd))

shellcheck:
	$(Q)shellcheck -x $(filter-out %.spec %.rpmlintrc %/triggers,$(SHELL_FILES)) && echo "shellcheck: $(words $(SHELL_FILES)) files clean"

deps:
	$(Q)tools/deps

BOOT_SUITES := qemu/test-boot $(wildcard qemu/test-dracut) qemu/test-fallback qemu/test-guard

# klp initrd / klp regenerate with the real dracut: builds, no-ops, kills, ENOSPC, zipl, locks (root).
regen-tests: loader tool kmod $(PRELOAD)
	$(Q)tests/klp/test-regenerate

# the package-manager hooks (tools/hooks) with the real dpkg, rpm and dracut in scratch roots (root).
hook-tests: loader tool kmod
	$(Q)rc=0; tests/hooks/test-dpkg || rc=1; tests/hooks/test-rpm || rc=1; exit $$rc

boot-tests: loader tool kmod
	$(Q)tests/run-suites $(BOOT_SUITES)

# dracut-ng 111 (vendor/, built once into the cache): the dracut boot cases with it (in make check).
dracut-ng-tests: loader tool kmod
	$(Q)tests/run-suites qemu/test-dracut-ng

initramfs-tools-tests: loader tool kmod
	$(Q)tests/run-suites qemu/test-initramfs-tools

# power cuts during klp regenerate: /boot on dm-log-writes in a guest, the log replayed entry by
# entry on the host by qemu/replay-log, every state checked (in make check).
REPLAY_LOG := $(B)/qemu/replay-log
$(REPLAY_LOG): qemu/replay-log.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

powercut-tests: loader tool kmod $(REPLAY_LOG)
	$(Q)tests/run-suites qemu/test-powercut

check: deps
	$(Q)$(MAKE) --no-print-directory all kmod upstream-kmod
	$(Q)$(MAKE) --no-print-directory unit unit-asan klp-golden klp-valgrind shellcheck lint fuzz-regress
	$(Q)$(MAKE) --no-print-directory cross-check
	$(Q)KLP_SKIPS_FAIL=1 $(MAKE) --no-print-directory integration-tests

# The cross-built loaders as /init under Debian's own s390x and ppc64el kernels (no livepatch
# support there), booted by qemu/test-arch; tools/deps --arch-kernels fetches kernels and busybox.
.PHONY: arch-loaders arch-boot-tests
arch-loaders:
	$(Q)tools/deps --cross
	$(Q)tools/deps --arch-kernels
	$(Q)for t in $(CROSS_TARGETS); do $(MAKE) --no-print-directory CROSS_COMPILE=$$t loader || exit 1; done

arch-boot-tests: arch-loaders
	$(Q)tests/run-suites qemu/test-arch

# A livepatch applied for real on IBM Z and POWER (qemu/test-arch-livepatch; in make check): kernels
# with CONFIG_LIVEPATCH built once from Debian's linux-source (tools/deps --linux-tree, qemu/mkkernel-lp:
# allnoconfig plus kmod/arch/<arch>.config, cached in the cache folder's kernel-lp-<arch>/), the upstream
# livepatch-sample and klp_demo_v2 built for them, the payload written and the initrds read by the
# target's klp under qemu-user.
.PHONY: arch-livepatch arch-livepatch-inputs
arch-livepatch-inputs: arch-loaders
	$(Q)for t in $(CROSS_TARGETS); do $(MAKE) --no-print-directory CROSS_COMPILE=$$t tool || exit 1; done
	$(Q)tools/deps --linux-tree >/dev/null

arch-livepatch: arch-livepatch-inputs
	$(Q)tests/run-suites qemu/test-arch-livepatch

# Every shell/QEMU suite, one grand total at the end, in two lanes side by side (they share no work
# folder). One: the host suites (real dracut, dpkg, rpm), the s390x/ppc64le boots, the dracut-ng and
# initramfs-tools boots (their own generator and work folder), then qemu/lifecycle (its own cache
# and guest; one emulated CPU, the other core is the other lane's). Two: the boots of Debian's
# dracut initrds, qemu/test-corpus last (they share build/qemu/dracut-base, so one lane; the corpus
# boots two at a time and has both cores once the other lane is done).
HOST_LANE := tests/loader/test-cli tests/klp/test-payload tests/klp/test-regenerate tests/hooks/test-dpkg tests/hooks/test-rpm qemu/test-arch \
	qemu/test-dracut-ng qemu/test-initramfs-tools
integration-tests: loader tool kmod upstream-kmod arch-livepatch-inputs $(PRELOAD) $(REPLAY_LOG)
	$(Q)tests/run-suites --pair "$(HOST_LANE) qemu/lifecycle" \
		"$(BOOT_SUITES) qemu/test-powercut qemu/test-arch-livepatch qemu/test-corpus tests/pkg/test-packages \
		tests/pkg/test-itools-triggers"

# make bench: BENCH_BOOTS boots per variant, then bench-update (below). The limit loader (qemu/limit-init.c), the least a
# loader must do, is booted beside klp-early; it is built for the bench's patch only.
BENCH_BOOTS ?= 5
BENCH_PATCH := klp_demo_v1
LIMIT_INIT := $(B)/qemu/limit-init

$(LIMIT_INIT): qemu/limit-init.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) -Ilib -DLIMIT_MODULE='"$(BENCH_PATCH)"' $(LDFLAGS) $(LOADER_LDFLAGS) -o $@ $<

bench: deps
	$(Q)$(MAKE) --no-print-directory all kmod $(LIMIT_INIT)
	$(Q)qemu/bench -n $(BENCH_BOOTS)
	$(Q)qemu/bench-update -f $(BENCH_FULL_RUNS) -u $(BENCH_UPDATES)

# The patch-only update (klp regenerate) against dracut's rebuild of a default no-hostonly image, on the
# host (no QEMU): BENCH_FULL_RUNS x --full (dracut, minutes each), BENCH_UPDATES patch changes. make bench
# runs it after qemu/bench, whose build/bench.json it adds "patch_update" to.
BENCH_FULL_RUNS ?= 3
BENCH_UPDATES ?= 7
bench-update: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)qemu/bench-update -f $(BENCH_FULL_RUNS) -u $(BENCH_UPDATES)

demo: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)qemu/demo

# The whole story in a real Debian guest: dpkg installs, live apply, crashes, a kexec reboot, boots from
# the guest's own initrd (root; the last suite of make check's first lane). The debootstrap root is
# cached in build/cache/.
.PHONY: lifecycle
lifecycle: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)qemu/lifecycle

install: all
	install -d $(DESTDIR)$(LIBDIR)/klp-early
	install -m 0755 $(LOADER) $(DESTDIR)$(LIBDIR)/klp-early/klp-early
	install -m 0755 dracut-module/klp-fallback.sh $(DESTDIR)$(LIBDIR)/klp-early/fallback.sh
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(KLP) $(DESTDIR)$(SBINDIR)/klp
	install -d $(DESTDIR)$(DRACUTMODDIR)/55klp
	install -m 0755 dracut-module/module-setup.sh dracut-module/klp-hook.sh dracut-module/klp-fallback.sh \
		dracut-module/klp-guard.sh $(DESTDIR)$(DRACUTMODDIR)/55klp/
	install -m 0644 dracut-module/klp-early.service $(DESTDIR)$(DRACUTMODDIR)/55klp/
	install -d $(DESTDIR)$(DATADIR)/initramfs-tools/hooks $(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-top \
		$(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-bottom
	install -m 0755 initramfs-tools/hooks/klp $(DESTDIR)$(DATADIR)/initramfs-tools/hooks/klp
	install -m 0755 initramfs-tools/scripts/init-top/klp $(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-top/klp
	install -m 0755 initramfs-tools/scripts/init-bottom/klp $(DESTDIR)$(DATADIR)/initramfs-tools/scripts/init-bottom/klp
	install -m 0755 tools/hooks/klp-hook $(DESTDIR)$(SBINDIR)/klp-hook
	install -d $(DESTDIR)/etc/kernel/postinst.d $(DESTDIR)$(LIBDIR)/kernel/install.d
	install -m 0755 tools/hooks/kernel/zz-klp $(DESTDIR)/etc/kernel/postinst.d/zz-klp
	install -m 0755 tools/hooks/kernel-install/55-klp.install $(DESTDIR)$(LIBDIR)/kernel/install.d/55-klp.install
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(MANDIR)/man8
	install -m 0644 tools/completion/klp.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/klp
	install -m 0644 man/klp.8 man/klp-early.8 man/klp-hook.8 $(DESTDIR)$(MANDIR)/man8/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)/multi-user.target.wants
	sed 's|@LIBDIR@|$(LIBDIR)|g' tools/systemd/klp-boot-ok.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/klp-boot-ok.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/klp-boot-ok.service
	ln -sf ../klp-boot-ok.service $(DESTDIR)$(SYSTEMDUNITDIR)/multi-user.target.wants/klp-boot-ok.service

# ---- packages: make deb, make rpm (into build/pkg/), make package-tests ----
# Both are `make install` (PREFIX=/usr) of a copy of this tree without build/ and .git, built in
# build/pkg/: dpkg-buildpackage writes its outputs beside the tree it builds, rpmbuild into its
# _topdir. The version is debian/changelog's. The environment of this make (MAKEFLAGS: -j, V=,
# PREFIX=...) is not passed on: the packages' own make runs decide.
PKG_DIR := build/pkg
PKG_VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
PKG_ENV := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES
PKG_TREE = rm -rf $(1) && mkdir -p $(1) && tar --exclude=./build --exclude=./.git -cf - . | tar -C $(1) -xf -
# rpmbuild on Debian: the BuildRequires (gcc, musl-gcc, libkmod's and libblkid's pkg-config files)
# are looked up in rpm's own database, which is empty here (dpkg has them): --nodeps skips that
# check, the build itself needs them all. rpm's own brp scripts strip and compress (Debian's
# brp-compress is bash under a #!/bin/sh line: run by bash); no debuginfo package, so no
# /usr/lib/.build-id links either (they point into it).
RPMBUILD_FLAGS = --nodeps --define "_topdir $(abspath $(PKG_DIR)/rpmbuild)" --define "klp_version $(PKG_VERSION)" \
	--define "debug_package %{nil}" --define "_build_id_links none" \
	--define "__brp_compress bash /usr/lib/rpm/brp-compress %{_prefix}"

.PHONY: deb rpm package-tests
deb:
	@mkdir -p $(PKG_DIR)
	$(q) DEB "$(PKG_DIR)/klp-initrd_$(PKG_VERSION)_$$(dpkg --print-architecture).deb (log: $(PKG_DIR)/deb.log)"
	$(Q)$(call PKG_TREE,$(PKG_DIR)/src)
	$(Q)rm -f $(PKG_DIR)/klp-initrd_$(PKG_VERSION)_* $(PKG_DIR)/klp-initrd-dbgsym_$(PKG_VERSION)_*
	$(Q)(cd $(PKG_DIR)/src && $(PKG_ENV) dpkg-buildpackage -b -us -uc -jauto) >$(PKG_DIR)/deb.log 2>&1 || \
		{ tail -n 30 $(PKG_DIR)/deb.log; echo "make deb: dpkg-buildpackage failed: $(PKG_DIR)/deb.log" >&2; exit 1; }

rpm:
	@mkdir -p $(PKG_DIR)/rpmbuild/SOURCES
	$(q) RPM "$(PKG_DIR)/klp-initrd-$(PKG_VERSION)-1.$$(rpm --eval %_arch).rpm (log: $(PKG_DIR)/rpm.log)"
	$(Q)$(call PKG_TREE,$(PKG_DIR)/rpmbuild/klp-initrd-$(PKG_VERSION))
	$(Q)tar -C $(PKG_DIR)/rpmbuild -czf $(PKG_DIR)/rpmbuild/SOURCES/klp-initrd-$(PKG_VERSION).tar.gz klp-initrd-$(PKG_VERSION)
	$(Q)rm -rf $(PKG_DIR)/rpmbuild/klp-initrd-$(PKG_VERSION) $(PKG_DIR)/klp-initrd-$(PKG_VERSION)-*.rpm
	$(Q)$(PKG_ENV) rpmbuild -bb $(RPMBUILD_FLAGS) tools/hooks/rpm/klp-initrd.spec >$(PKG_DIR)/rpm.log 2>&1 || \
		{ tail -n 30 $(PKG_DIR)/rpm.log; echo "make rpm: rpmbuild failed: $(PKG_DIR)/rpm.log" >&2; exit 1; }
	$(Q)cp $(PKG_DIR)/rpmbuild/RPMS/*/klp-initrd-$(PKG_VERSION)-1.*.rpm $(PKG_DIR)/

# both packages built, linted, their contents against make install's, the .deb installed and purged
# in a scratch root (tests/pkg/test-packages; root; about 40 s on 2 cores); the .deb beside
# initramfs-tools' own trigger and kernel hooks in real dpkg transactions on an overlay of this
# system (tests/pkg/test-itools-triggers; about 35 s)
package-tests: kmod
	$(Q)tests/run-suites tests/pkg/test-packages tests/pkg/test-itools-triggers

# ---- fuzzing (libFuzzer, clang): tests/fuzz/fuzz-NAME.c, seeds in tests/fuzz/corpus/NAME ----
# `make fuzz` runs each target FUZZ_SECONDS (30) seconds, FUZZ_JOBS (1) at a time, and prints
# executions and coverage per target; `make fuzz-regress` only replays the seeds, the regression
# inputs (tests/fuzz/regress/NAME) and the generated initrd images, once each (part of `make check`).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_JOBS ?= 1
FUZZ_DIR := $(B)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=gnu11 $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%)
# the core library and klp's library
FUZZ_OBJS := $(CORE:%=$(FUZZ_DIR)/obj/%.o) \
	$(KLP_LIB_SRCS:tools/klp/%.c=$(FUZZ_DIR)/klpobj/%.o)
FUZZ_STUBS := $(patsubst %,$(FUZZ_DIR)/bin/%,gzip zstd xz lz4 bzip2 lzop)

$(FUZZ_DIR)/obj/%.o: lib/%.c
	@mkdir -p $(@D)
	$(q) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib -c -o $@ $<
$(FUZZ_DIR)/klpobj/%.o: tools/klp/%.c
	@mkdir -p $(@D)
	$(q) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Ilib $(KMOD_CFLAGS) -c -o $@ $<
$(FUZZ_DIR)/obj/fuzz-%.o: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	$(q) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(KMOD_CFLAGS) -Ilib -Iearly-loader -Itools/klp -c -o $@ $<
$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/obj/fuzz-%.o $(FUZZ_OBJS)
	$(q) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(KMOD_LIBS)
$(FUZZ_DIR)/stub-decompress: tests/fuzz/stub-decompress.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $<
$(FUZZ_STUBS): $(FUZZ_DIR)/stub-decompress
	@mkdir -p $(@D)
	$(Q)ln -sf ../stub-decompress $@
$(FUZZ_DIR)/seeds/initrd/.done: tests/fuzz/mkseeds-initrd
	$(q) GEN $(@D)
	$(Q)tests/fuzz/mkseeds-initrd $(@D) && touch $@

.PHONY: fuzz fuzz-build fuzz-regress lint
fuzz-build: $(FUZZ_BINS) $(FUZZ_STUBS) $(FUZZ_DIR)/seeds/initrd/.done
fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-fuzz fuzz $(FUZZ_DIR) $(FUZZ_TARGETS)
fuzz-regress: fuzz-build
	$(Q)tests/fuzz/run-fuzz regress $(FUZZ_DIR) $(FUZZ_TARGETS)

# ---- static analysis (`make lint`, part of `make check`); any finding fails ----
# clang-tidy: checks in .clang-tidy (tests/.clang-tidy relaxes a few for test code). cppcheck:
# the options below, suppressions in .cppcheck-suppressions, single false positives inline.
# The loader is built with musl-gcc; it is linted against the host's glibc headers.
CLANG_TIDY ?= clang-tidy
CPPCHECK ?= cppcheck
LINT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
LINT_SRCS = $(wildcard lib/*.c early-loader/*.c tools/klp/*.c tests/unit/*.c tests/klp/*.c tests/fuzz/*.c)
LINT_CFLAGS = -std=gnu11 -Ilib -Iearly-loader -Itools/klp $(KMOD_CFLAGS) $(CMOCKA_CFLAGS)
CPPCHECK_FLAGS := --enable=warning,style,performance,portability --library=posix --std=c11 --inline-suppr \
	--suppressions-list=.cppcheck-suppressions --error-exitcode=1 --quiet -Ilib -Iearly-loader -Itools/klp \
	-D__GNUC__ -D__linux__ -D__ORDER_LITTLE_ENDIAN__=1234 -D__ORDER_BIG_ENDIAN__=4321 \
	-DUINTPTR_MAX=0xffffffffffffffffu
# cppcheck checks one configuration per run: a little-endian and a big-endian target
CPPCHECK_ARCHS := "-D__x86_64__ -D__BYTE_ORDER__=1234" "-D__s390x__ -D__BYTE_ORDER__=4321"

lint:
	@mkdir -p $(B)/lint
	$(q) TIDY "$(words $(LINT_SRCS)) files"
	$(Q)rc=0; printf '%s\n' $(LINT_SRCS) | xargs -P $(LINT_JOBS) -I{} $(CLANG_TIDY) --quiet {} -- $(LINT_CFLAGS) \
		>$(B)/lint/clang-tidy.log 2>&1 || rc=1; \
	grep -v '^[0-9]* warnings\{0,1\} generated\.$$' $(B)/lint/clang-tidy.log; \
	for a in $(CPPCHECK_ARCHS); do \
		printf '  %-7s %s\n' CPPCHECK "$$a"; \
		$(CPPCHECK) $(CPPCHECK_FLAGS) $$a $(LINT_SRCS) || rc=1; \
	done; \
	if [ $$rc = 0 ]; then echo "lint: clang-tidy and cppcheck clean on $(words $(LINT_SRCS)) files"; \
	else echo "lint: findings above (clang-tidy log: $(B)/lint/clang-tidy.log)" >&2; fi; exit $$rc

clean:
	rm -rf $(B)/early-loader $(B)/core $(B)/tools $(B)/unit $(B)/asan $(B)/kmod $(B)/qemu
	-$(MAKE) -C kmod clean >/dev/null 2>&1

distclean:
	rm -rf $(B)

-include $(wildcard $(B)/early-loader/*.d $(B)/early-loader/core/*.d $(B)/core/*.d $(B)/tools/obj/*.d \
	$(B)/*/obj/*.d $(B)/*/klpobj/*.d $(B)/qemu/*.d)
