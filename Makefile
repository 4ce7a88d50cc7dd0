# SPDX-License-Identifier: GPL-2.0-or-later
# klp-initrd: hand-written Makefile. `make V=1` shows the full commands.

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=
DRACUTMODDIR ?= $(or $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null),/usr/lib/dracut/modules.d)

CC ?= cc
MUSL_CC ?= musl-gcc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
B := build

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wno-format-nonliteral
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP
# The loader is tiny and static: size first, no libc features it does not need.
LOADER_CFLAGS = -std=gnu11 $(WARN) -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
	-fno-stack-protector $(filter-out -O% -g%,$(CFLAGS)) -MMD -MP
LOADER_LDFLAGS = -static -s -Wl,--gc-sections

ifeq ($(V),1)
Q :=
q = @:
else
Q := @
q = @printf '  %-7s %s\n'
endif

LOADER_PURE := sha256 manifest cmdline errmap elfcheck status loader
LOADER_SRCS := $(LOADER_PURE:%=early-loader/%.c) early-loader/main.c early-loader/sys.c
LOADER := $(B)/early-loader/klp-early
LOADER_OBJS := $(LOADER_SRCS:early-loader/%.c=$(B)/early-loader/%.o)

KLP_SRCS := $(wildcard tools/klp/*.c)
KLP := $(B)/tools/klp
KLP_OBJS := $(KLP_SRCS:tools/klp/%.c=$(B)/tools/obj/%.o)
KMOD_CFLAGS = $(shell $(PKG_CONFIG) --cflags libkmod blkid)
KMOD_LIBS = $(shell $(PKG_CONFIG) --libs libkmod blkid)

.PHONY: all loader tool kmod bench check unit unit-asan klp-golden shellcheck regen-tests hook-tests boot-tests integration-tests deps demo install clean distclean help
all: loader tool

help:
	@echo "make [all]      build klp-early ($(LOADER))"
	@echo "make kmod       build the test livepatch modules (kmod/) into $(B)/kmod"
	@echo "make check      install deps, run unit tests (plain + ASan/UBSan), shellcheck, QEMU boots"
	@echo "make demo       boot the demo VM: a patch applied before userspace, with its timeline"
	@echo "make bench      unpatched window per loading mode, sizes, overhead (build/bench.json)"
	@echo "make install    DESTDIR= PREFIX=$(PREFIX)"

loader: $(LOADER)

$(B)/early-loader/%.o: early-loader/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) -c -o $@ $<

$(LOADER): $(LOADER_OBJS)
	$(q) LD $@
	$(Q)$(MUSL_CC) $(LOADER_CFLAGS) $(LDFLAGS) $(LOADER_LDFLAGS) -o $@ $^

tool: $(KLP)

$(B)/tools/obj/%.o: tools/klp/%.c
	@mkdir -p $(@D)
	$(q) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) $(KMOD_CFLAGS) -c -o $@ $<

$(KLP): $(KLP_OBJS)
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
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -Iearly-loader -c -o $$@ $$<
$(B)/$(1)/obj/%.o: tests/unit/%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(CMOCKA_CFLAGS) -Iearly-loader -c -o $$@ $$<
$(B)/$(1)/test-%: $(B)/$(1)/obj/test-%.o $(B)/$(1)/obj/fake-sys.o $(LOADER_PURE:%=$(B)/$(1)/obj/%.o)
	$$(q) LD $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(LDFLAGS) -o $$@ $$^ $$(CMOCKA_LIBS)
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
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(KMOD_CFLAGS) -c -o $$@ $$<
$(B)/$(1)/klpobj/test-%.o: tests/klp/test-%.c
	@mkdir -p $$(@D)
	$$(q) CC $$@
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) $$(KMOD_CFLAGS) $$(CMOCKA_CFLAGS) -Itools/klp -c -o $$@ $$<
$(B)/$(1)/klp-test-%: $(B)/$(1)/klpobj/test-%.o $(KLP_LIB_SRCS:tools/klp/%.c=$(B)/$(1)/klpobj/%.o)
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

# ---- test livepatch modules ----
kmod:
	$(Q)$(MAKE) -C kmod OUT=$(abspath $(B)/kmod) V=$(V)

SHELL_FILES = tools/deps tests/run-unit tests/run-suites .ci/run $(filter-out %.md,$(wildcard qemu/*[!~] \
	dracut-module/*.sh tools/hooks/klp-hook tools/hooks/*/* tests/hooks/* tests/klp/run-golden \
	tests/klp/test-regenerate tests/klp/bin/*))

shellcheck:
	$(Q)shellcheck -x $(filter-out %.spec %/triggers,$(SHELL_FILES)) && echo "shellcheck: $(words $(SHELL_FILES)) files clean"

deps:
	$(Q)tools/deps

BOOT_SUITES := qemu/test-boot $(wildcard qemu/test-dracut) qemu/test-fallback

# klp initrd / klp regenerate with the real dracut: builds, no-ops, kills, ENOSPC, zipl, locks (root).
regen-tests: loader tool kmod
	$(Q)tests/klp/test-regenerate

# the package-manager hooks (tools/hooks) with the real dpkg, rpm and dracut in scratch roots (root).
hook-tests: loader tool kmod
	$(Q)rc=0; tests/hooks/test-dpkg || rc=1; tests/hooks/test-rpm || rc=1; exit $$rc

boot-tests: loader tool kmod
	$(Q)tests/run-suites $(BOOT_SUITES)

check: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)$(MAKE) --no-print-directory unit unit-asan klp-golden shellcheck
	$(Q)$(MAKE) --no-print-directory integration-tests

# Every shell/QEMU suite, one grand total at the end.
INTEGRATION_SUITES := tests/klp/test-regenerate tests/hooks/test-dpkg tests/hooks/test-rpm $(BOOT_SUITES)
integration-tests: loader tool kmod
	$(Q)tests/run-suites $(INTEGRATION_SUITES)

bench: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)qemu/bench

demo: deps
	$(Q)$(MAKE) --no-print-directory all kmod
	$(Q)qemu/demo

install: all
	install -d $(DESTDIR)$(LIBDIR)/klp-early
	install -m 0755 $(LOADER) $(DESTDIR)$(LIBDIR)/klp-early/klp-early
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 $(KLP) $(DESTDIR)$(SBINDIR)/klp
	install -d $(DESTDIR)$(DRACUTMODDIR)/55klp
	install -m 0755 dracut-module/module-setup.sh dracut-module/klp-hook.sh dracut-module/klp-fallback.sh \
		$(DESTDIR)$(DRACUTMODDIR)/55klp/
	install -m 0644 dracut-module/klp-early.service $(DESTDIR)$(DRACUTMODDIR)/55klp/
	install -m 0755 tools/hooks/klp-hook $(DESTDIR)$(SBINDIR)/klp-hook
	install -d $(DESTDIR)/etc/kernel/postinst.d $(DESTDIR)$(LIBDIR)/kernel/install.d
	install -m 0755 tools/hooks/kernel/zz-klp $(DESTDIR)/etc/kernel/postinst.d/zz-klp
	install -m 0755 tools/hooks/kernel-install/55-klp.install $(DESTDIR)$(LIBDIR)/kernel/install.d/55-klp.install
	install -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(MANDIR)/man8
	install -m 0644 tools/completion/klp.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/klp
	install -m 0644 man/klp.8 man/klp-early.8 $(DESTDIR)$(MANDIR)/man8/

clean:
	rm -rf $(B)/early-loader $(B)/tools $(B)/unit $(B)/asan $(B)/kmod $(B)/qemu
	-$(MAKE) -C kmod clean >/dev/null 2>&1

distclean:
	rm -rf $(B)

-include $(wildcard $(B)/early-loader/*.d $(B)/tools/obj/*.d $(B)/*/obj/*.d $(B)/*/klpobj/*.d)
