// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control flow of klp-early's work, through the fake-sys link seam: every
 * outcome of the loader with scripted kernel answers, and the bound every
 * mode runs it under (early-loader/main.c is linked in, its main renamed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "elf-vectors.h"
#include "fake-sys.h"
#include "klp-early.h"

#define MANIFEST "/usr/lib/klp-early/manifest"
#define PATCH "/usr/lib/klp-early/klp_demo_v1.ko"
#define STATUS "/run/klp/early.status"
#define BOOT_ID "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d\n"
#define TAG "0a1b2c3d"

static uint8_t module[4096];

static void make_module(void)
{
	Elf64_Ehdr *h = (Elf64_Ehdr *)module;
	size_t i;

	for (i = 0; i < sizeof(module); i++)
		module[i] = (uint8_t)(i * 7);
	memset(h, 0, sizeof(*h));
	memcpy(h->e_ident, ELFMAG, SELFMAG);
	h->e_ident[EI_CLASS] = ELFCLASS64;
	h->e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ELFDATA2MSB : ELFDATA2LSB;
	h->e_ident[EI_VERSION] = EV_CURRENT;
	h->e_type = ET_REL;
#if defined(__x86_64__)
	h->e_machine = EM_X86_64;
#elif defined(__s390x__)
	h->e_machine = EM_S390;
#elif defined(__powerpc64__)
	h->e_machine = EM_PPC64;
#elif defined(__aarch64__)
	h->e_machine = EM_AARCH64;
#endif
}

static void digest_of(const void *data, size_t len, char hex[65])
{
	struct sha256 s;
	uint8_t d[32];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	sha256_hex(d, hex);
}

/* A manifest for `module`, with one field optionally replaced. */
static void put_manifest(const char *kernel, size_t size, const char *sha)
{
	char buf[1024], hex[65];
	int n;

	digest_of(module, sizeof(module), hex);
	n = snprintf(buf, sizeof(buf),
		     "# test manifest\nformat=1\nkernel=%s\nmodule=klp_demo_v1\nfile=klp_demo_v1.ko\n"
		     "size=%zu\nsha256=%s\nsrcversion=ABCDEF0123456789ABCDEF0\n",
		     kernel ? kernel : "6.1.0-test-amd64", size ? size : sizeof(module), sha ? sha : hex);
	fake_add_file(MANIFEST, buf, (size_t)n);
}

static struct klp_opts opts(void)
{
	struct klp_opts o = {
		.manifest = MANIFEST,
		.status = STATUS,
		.mode = "shim",
		.quiet_stderr = true,
		.start_boot_ns = 4000000000ull,
		.start_mono_ns = 4000000000ull,
	};
	return o;
}

static int setup(void **state)
{
	(void)state;
	fake_reset();
	fake.patch = "klp_demo_v1";
	make_module();
	put_manifest(NULL, 0, NULL);
	fake_add_file(PATCH, module, sizeof(module));
	fake_add_file("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda quiet\n", 40);
	fake_add_file(KLP_GUARD_FLAG, "on\n", 3);
	fake_add_file("/proc/sys/kernel/random/boot_id", BOOT_ID, strlen(BOOT_ID));
	return 0;
}

static enum klp_result run(void)
{
	struct klp_opts o = opts();

	return klp_early_work(&o);
}

static void assert_one_line(const char *needle)
{
	assert_int_equal(fake.nkmsg, 1);
	if (!strstr(fake.kmsg[0], needle))
		fail_msg("kmsg line '%s' lacks '%s'", fake.kmsg[0], needle);
	assert_int_equal(strncmp(fake.kmsg[0], "klp-early: ", 11), 0);
}

static void assert_status(const char *key, const char *want)
{
	const char *v = fake_status_get(key);

	if (!v || strcmp(v, want))
		fail_msg("status %s=%s, want %s\n%s", key, v ? v : "(none)", want, fake.status);
}

static void applied_when_transition_done(void **state)
{
	(void)state;
	fake.transition_polls = 3;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.finit_calls, 1);
	assert_int_equal(fake.open_fds, 0);
	assert_one_line("klp_demo_v1: applied, transition complete in");
	assert_int_equal(fake.kmsg_level[0], LOG_NOTICE);
	assert_string_equal(fake.status_path, STATUS);
	assert_status("result", "applied");
	assert_status("patch", "klp_demo_v1");
	assert_status("mode", "shim");
	assert_status("kernel", "6.1.0-test-amd64");
	assert_status("error", "");
	assert_status("start_boottime", "4.000000");
	assert_status("pid", "4242");
	/* it waited for the transition: polled until the 4th read said 0 */
	assert_int_equal(fake.polls, 4);
	assert_true(fake.slept_ms > 0);
}

static void applied_without_sleeping_when_instant(void **state)
{
	(void)state;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.slept_ms, 0);
	assert_status("end_monotonic", "5.000000");
}

static void timeout_leaves_transition_to_kernel(void **state)
{
	(void)state;
	fake.transition_polls = -1;
	assert_int_equal(run(), KLP_TIMEOUT);
	assert_one_line("transition still running after 10.000 s");
	assert_status("result", "timeout");
	assert_status("error", "ETIMEDOUT");
	/* 10 s default, polled in steps of at most 20 ms */
	assert_true(fake.slept_ms >= 10000 && fake.slept_ms <= 10020);
	/* the only file it wrote is its status: never "force" */
	assert_int_equal(fake.status_writes, 1);
	assert_string_equal(fake.status_path, STATUS);
}

static void cmdline_timeout_is_used(void **state)
{
	(void)state;
	fake_add_file("/proc/cmdline", "quiet rd.klp.timeout=2 root=/dev/vda", 36);
	fake.transition_polls = -1;
	assert_int_equal(run(), KLP_TIMEOUT);
	assert_true(fake.slept_ms >= 2000 && fake.slept_ms <= 2020);
}

static void option_timeout_overrides_cmdline(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake_add_file("/proc/cmdline", "rd.klp.timeout=30", 17);
	fake.transition_polls = -1;
	o.has_timeout = true;
	o.timeout_ms = 500;
	assert_int_equal(klp_early_work(&o), KLP_TIMEOUT);
	assert_true(fake.slept_ms >= 500 && fake.slept_ms <= 520);
}

static void bad_cmdline_timeout_warns_and_uses_default(void **state)
{
	(void)state;
	fake_add_file("/proc/cmdline", "rd.klp.timeout=soon", 19);
	fake.transition_polls = -1;
	assert_int_equal(run(), KLP_TIMEOUT);
	assert_true(fake_kmsg_find("rd.klp.timeout= is not a number") >= 0);
	assert_true(fake.slept_ms >= 10000);
}

static void disabled_by_cmdline_loads_nothing(void **state)
{
	(void)state;
	fake_add_file("/proc/cmdline", "root=/dev/vda rd.klp=0", 22);
	assert_int_equal(run(), KLP_DISABLED);
	assert_int_equal(fake.finit_calls, 0);
	assert_one_line("disabled by rd.klp=0");
	assert_status("result", "disabled");
	assert_status("kernel", "6.1.0-test-amd64");
}

/* The shim reads the command line once, before its fork: the worker takes that one. */
static void cmdline_given_is_not_read_again(void **state)
{
	struct klp_opts o = opts();
	struct klp_cmdline c;
	const char *line = "root=/dev/vda rd.klp=0";

	(void)state;
	klp_cmdline_parse(line, strlen(line), &c);
	o.cmdline = &c;
	o.cmdline_n = (ssize_t)strlen(line);
	/* /proc/cmdline says otherwise: it must not be read */
	assert_int_equal(klp_early_work(&o), KLP_DISABLED);
	assert_int_equal(fake.finit_calls, 0);
	assert_one_line("disabled by rd.klp=0");
}

/* The shim's /run is mounted after the patch, right before the status is written there. */
static void run_mounted_after_the_patch_before_the_status(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	o.mount_run = true;
	assert_int_equal(klp_early_work(&o), KLP_APPLIED);
	assert_int_equal(fake.run_mounts_before_finit, 0);
	assert_int_equal(fake.run_mounts, 1);
	assert_int_equal(fake.status_writes, 1);
}

/* Hook mode mounts nothing. */
static void hook_mode_mounts_no_run(void **state)
{
	(void)state;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.run_mounts, 0);
}

/*
 * A command line of len bytes (the kernel's newline included) that ends in
 * tail: filler words first, as a long IBM Z command line (up to 1 MiB) has.
 */
static void put_long_cmdline(size_t len, const char *tail)
{
	static char buf[(1 << 20) + 4096];
	size_t t = strlen(tail), i;

	assert_true(len <= sizeof(buf) && len > t + 16);
	memcpy(buf, "root=/dev/vda ", 14);
	for (i = 14; i < len - t; i++)
		buf[i] = (i % 64 == 63) ? ' ' : 'x';
	buf[len - t - 1] = ' ';
	memcpy(buf + len - t, tail, t);
	fake_add_file("/proc/cmdline", buf, len);
}

static void disabled_after_8_kib_of_cmdline(void **state)
{
	(void)state;
	put_long_cmdline(8192, "rd.klp=0\n");
	assert_int_equal(run(), KLP_DISABLED);
	assert_int_equal(fake.finit_calls, 0);
	assert_one_line("disabled by rd.klp=0");
}

static void disabled_at_the_end_of_a_1_mib_cmdline(void **state)
{
	(void)state;
	/* CONFIG_COMMAND_LINE_SIZE is at most 1 MiB (IBM Z): the longest line /proc/cmdline can hold */
	put_long_cmdline(1 << 20, "rd.klp=0\n");
	assert_int_equal(run(), KLP_DISABLED);
	assert_int_equal(fake.finit_calls, 0);
}

static void timeout_at_the_end_of_a_1_mib_cmdline(void **state)
{
	(void)state;
	put_long_cmdline(1 << 20, "rd.klp.timeout=2\n");
	fake.transition_polls = -1;
	assert_int_equal(run(), KLP_TIMEOUT);
	assert_true(fake.slept_ms >= 2000 && fake.slept_ms <= 2020);
}

/* what the shim (PID 1) reads to bound its worker's time: the same whole line */
static void shim_reads_the_whole_cmdline(void **state)
{
	struct klp_cmdline c;

	(void)state;
	put_long_cmdline(KLP_CMDLINE_MAX, "rd.klp.timeout=7\n");
	assert_int_equal(klp_early_cmdline(&c), KLP_CMDLINE_MAX);
	assert_int_equal(c.timeout_ms, 7000);
	/* bounded: no kernel has a longer line; the read stops there */
	put_long_cmdline(KLP_CMDLINE_MAX + 100, "rd.klp=0\n");
	assert_int_equal(klp_early_cmdline(&c), KLP_CMDLINE_MAX);
	assert_false(c.disabled);
}

static void unreadable_cmdline_uses_defaults(void **state)
{
	(void)state;
	fake_add_error("/proc/cmdline", EACCES);
	assert_int_equal(run(), KLP_APPLIED);
}

static void missing_manifest(void **state)
{
	(void)state;
	fake_add_error(MANIFEST, ENOENT);
	assert_int_equal(run(), KLP_NO_MANIFEST);
	assert_one_line("no manifest at " MANIFEST);
	assert_status("result", "no-manifest");
	assert_int_equal(fake.finit_calls, 0);
}

static void unreadable_manifest(void **state)
{
	(void)state;
	fake_add_error(MANIFEST, EIO);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("cannot read manifest");
	assert_status("error", "EIO");
}

static void garbage_manifest(void **state)
{
	(void)state;
	fake_add_file(MANIFEST, "\x7f\x45\x4c\x46garbage\n", 12);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("is invalid: line 1");
	assert_int_equal(fake.finit_calls, 0);
}

static void empty_manifest(void **state)
{
	(void)state;
	fake_add_file(MANIFEST, "", 0);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("empty manifest");
}

static void truncated_manifest(void **state)
{
	(void)state;
	fake_add_file(MANIFEST, "format=1\nkernel=6.1.0-test-amd64\nmodule=klp_demo_v1\nfi", 53);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("is invalid");
	assert_int_equal(fake.finit_calls, 0);
}

static void oversized_manifest(void **state)
{
	static char big[KLP_MANIFEST_MAX + 100];

	(void)state;
	memset(big, '#', sizeof(big));
	fake_add_file(MANIFEST, big, sizeof(big));
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("larger than 4096 bytes");
}

static void other_kernel_release_refused(void **state)
{
	(void)state;
	put_manifest("6.1.0-99-amd64", 0, NULL);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("manifest is for kernel 6.1.0-99-amd64, not 6.1.0-test-amd64");
	assert_int_equal(fake.finit_calls, 0);
	assert_status("result", "refused");
}

static void no_livepatch_support(void **state)
{
	(void)state;
	fake.livepatch_sysfs = false;
	assert_int_equal(run(), KLP_UNSUPPORTED);
	assert_one_line("kernel has no livepatch support");
	assert_int_equal(fake.finit_calls, 0);
}

static void patch_file_missing(void **state)
{
	(void)state;
	fake_add_error(PATCH, ENOENT);
	assert_int_equal(run(), KLP_FAILED);
	assert_one_line("cannot open " PATCH);
	assert_status("error", "ENOENT");
}

static void size_mismatch_refused(void **state)
{
	(void)state;
	put_manifest(NULL, sizeof(module) + 1, NULL);
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("size mismatch");
	assert_int_equal(fake.finit_calls, 0);
	assert_int_equal(fake.open_fds, 0);
}

static void corrupted_byte_refused(void **state)
{
	(void)state;
	module[2000] ^= 1;
	fake_add_file(PATCH, module, sizeof(module));
	module[2000] ^= 1;
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("sha256 mismatch");
	assert_int_equal(fake.finit_calls, 0);
	assert_int_equal(fake.open_fds, 0);
}

static void compressed_patch_refused(void **state)
{
	uint8_t xz[sizeof(module)];

	(void)state;
	memset(xz, 0, sizeof(xz));
	memcpy(xz, "\xfd" "7zXZ", 6);
	fake_add_file(PATCH, xz, sizeof(xz));
	assert_int_equal(run(), KLP_REFUSED);
	assert_one_line("not an ELF file");
	assert_int_equal(fake.finit_calls, 0);
}

/*
 * A module built for another platform never reaches the kernel: the real
 * headers of elf-vectors.h, one after the other, as the patch file (its
 * manifest matching, so only the ELF check can refuse it).
 */
static void other_platform_module_refused(void **state)
{
	size_t i;

	for (i = 0; i < ELF_NVECTORS; i++) {
		const char *want = elf_vector_verdict(i);

		setup(state);
		memcpy(module, elf_vectors[i].h, sizeof(elf_vectors[i].h));
		put_manifest(NULL, 0, NULL);
		fake_add_file(PATCH, module, sizeof(module));
		if (!want) {
			assert_int_equal(run(), KLP_APPLIED);
			assert_int_equal(fake.finit_calls, 1);
			continue;
		}
		assert_int_equal(run(), KLP_REFUSED);
		assert_int_equal(fake.finit_calls, 0);
		assert_int_equal(fake.open_fds, 0);
		assert_one_line(want);
		assert_status("result", "refused");
		assert_status("error", "ENOEXEC");
	}
}

struct kernel_error {
	int err;
	const char *words;
	const char *name;
};

static void kernel_error_reported(void **state)
{
	static const struct kernel_error cases[] = {
		{ -EKEYREJECTED, "signature rejected", "EKEYREJECTED" },
		{ -EPERM, "lockdown", "EPERM" },
		{ -ENOEXEC, "invalid module format", "ENOEXEC" },
		{ -EBUSY, "transition is in progress", "EBUSY" },
		{ -EINVAL, "see dmesg", "EINVAL" },
		{ -ENOMEM, "out of memory", "ENOMEM" },
		{ -ENOKEY, "not trusted", "ENOKEY" },
		{ -1234, "unexpected error", "E1234" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(state);
		fake.finit_ret = cases[i].err;
		assert_int_equal(run(), KLP_FAILED);
		assert_one_line(cases[i].words);
		assert_true(fake_kmsg_find(cases[i].name) == 0);
		assert_true(fake_kmsg_find("boot continues") == 0);
		assert_status("result", "failed");
		assert_status("error", cases[i].name);
		assert_int_equal(fake.kmsg_level[0], LOG_WARNING);
	}
}

static void already_loaded_is_success(void **state)
{
	(void)state;
	fake.finit_ret = -EEXIST;
	assert_int_equal(run(), KLP_ALREADY_LOADED);
	assert_one_line("already loaded, transition complete");
	assert_status("result", "already-loaded");
}

static void loaded_but_disabled(void **state)
{
	(void)state;
	fake.enabled = 0;
	assert_int_equal(run(), KLP_FAILED);
	assert_one_line("loaded but not enabled");
}

static void loaded_but_not_a_livepatch(void **state)
{
	(void)state;
	fake.patch = "something_else"; /* sysfs shows another name */
	assert_int_equal(run(), KLP_FAILED);
	assert_one_line("does not appear");
	/* gave up after about a second, not the full timeout */
	assert_true(fake.slept_ms >= 1000 && fake.slept_ms < 1100);
}

static void status_write_failure_is_reported(void **state)
{
	(void)state;
	fake.write_ret = -EROFS;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.nkmsg, 2);
	assert_true(fake_kmsg_find("applied") == 0);
	assert_true(fake_kmsg_find("cannot write " STATUS ": read-only") == 1);
}

static void no_status_file_when_not_asked(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	o.status = NULL;
	assert_int_equal(klp_early_work(&o), KLP_APPLIED);
	assert_int_equal(fake.status_writes, 0);
}

static void debug_adds_step_lines(void **state)
{
	(void)state;
	fake_add_file("/proc/cmdline", "rd.klp.debug", 12);
	assert_int_equal(run(), KLP_APPLIED);
	assert_true(fake.nkmsg >= 3);
	assert_true(fake_kmsg_find("debug: " PATCH ": size and sha256 match") >= 0);
	assert_true(fake_kmsg_find("debug: finit_module done") >= 0);
}

static void patch_path_relative_manifest(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake_add_file("manifest", fake.files[0].data, fake.files[0].len);
	fake_add_file("./klp_demo_v1.ko", module, sizeof(module));
	o.manifest = "manifest";
	assert_int_equal(klp_early_work(&o), KLP_APPLIED);
}


/* ---- the crash-loop guard ---- */

static const char *module_digest16(void)
{
	static char hex[65];

	digest_of(module, sizeof(module), hex);
	hex[16] = '\0';
	return hex;
}

static void guard_unavailable_without_uefi(void **state)
{
	(void)state;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 0);
	assert_status("guard", "unavailable: not booted via UEFI");
	assert_one_line("applied");
}

static void guard_off_without_boot_ok_mark(void **state)
{
	(void)state;
	fake_add_error(KLP_GUARD_FLAG, ENOENT);
	fake_set_efivar("1 klp_demo_v1 0000000000000000 3 11111111\n");
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 0);
	assert_status("guard", "off (no boot-ok mark on this system: " KLP_GUARD_FLAG " absent)");
}

static void guard_counts_before_insert(void **state)
{
	char want[128];

	(void)state;
	fake.efi = true;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 1);
	/* the attempt is on record before the kernel sees the patch */
	assert_true(fake.guard_var_before_finit);
	snprintf(want, sizeof(want), "1 klp_demo_v1 %s 1 " TAG "\n", module_digest16());
	assert_int_equal(fake.efivar_len, strlen(want));
	assert_memory_equal(fake.efivar, want, fake.efivar_len);
	assert_status("guard", "attempt 1 of 3");
	assert_status("result", "applied");
	assert_one_line("applied");
}

static void guard_counts_up_then_skips(void **state)
{
	char rec[128];

	(void)state;
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 2 11111111\n", module_digest16());
	fake_set_efivar(rec);
	assert_int_equal(run(), KLP_APPLIED);
	assert_status("guard", "attempt 3 of 3");
	/* counted up, and tagged with this boot */
	assert_true(strstr(fake.efivar, " 3 " TAG "\n") != NULL);

	/* the boot died again before boot-ok: the next one skips the patch */
	setup(state);
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 3 11111111\n", module_digest16());
	fake_set_efivar(rec);
	assert_int_equal(run(), KLP_SKIPPED);
	assert_int_equal(fake.kmsg_level[0], LOG_ERR);
	assert_int_equal(fake.finit_calls, 0);
	assert_int_equal(fake.open_fds, 0);
	assert_int_equal(fake.efivar_writes, 0);
	assert_memory_equal(fake.efivar, rec, strlen(rec));
	assert_one_line("klp_demo_v1: skipped by the crash-loop guard: the last 3 boots that were to insert this patch");
	assert_status("result", "skipped");
	assert_status("guard", "skipped after 3 attempts");
	assert_int_equal(klp_result_exit_code(KLP_SKIPPED), 6);
}

static void guard_limit_from_cmdline(void **state)
{
	char rec[128];

	(void)state;
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 1 " TAG "\n", module_digest16());
	fake_set_efivar(rec);
	fake_add_file("/proc/cmdline", "rd.klp.guard=1", 14);
	assert_int_equal(run(), KLP_SKIPPED);

	setup(state);
	fake_set_efivar(rec);
	fake_add_file("/proc/cmdline", "rd.klp.guard=5", 14);
	assert_int_equal(run(), KLP_APPLIED);
	assert_status("guard", "attempt 2 of 5");
}

static void guard_off_writes_nothing(void **state)
{
	char rec[128];

	(void)state;
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 9 11111111\n", module_digest16());
	fake_set_efivar(rec);
	fake_add_file("/proc/cmdline", "rd.klp.guard=0", 14);
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 0);
	assert_status("guard", "off (rd.klp.guard=0)");
}

static void guard_other_patch_counts_anew(void **state)
{
	(void)state;
	fake_set_efivar("1 klp_demo_v1 0000000000000000 3 11111111\n");
	assert_int_equal(run(), KLP_APPLIED);
	assert_status("guard", "attempt 1 of 3");
	/* the other build's count is kept: it is still skipped if it comes back */
	assert_true(strncmp(fake.efivar, "1 klp_demo_v1 0000000000000000 3 11111111\n1 klp_demo_v1 ", 56) == 0);
}

static void guard_unreadable_record_counts_anew(void **state)
{
	(void)state;
	fake_set_efivar("garbage");
	assert_int_equal(run(), KLP_APPLIED);
	assert_true(fake_kmsg_find("crash-loop guard: record " KLP_GUARD_VAR ": unreadable; counting anew") >= 0);
	assert_status("guard", "attempt 1 of 3");

	setup(state);
	fake.efi = true;
	fake.efivar_read_ret = -EIO;
	assert_int_equal(run(), KLP_APPLIED);
	assert_true(fake_kmsg_find("input/output error; counting anew") >= 0);
}

static void guard_write_failure_still_loads(void **state)
{
	(void)state;
	fake.efi = true;
	fake.efivar_write_ret = -ENOSPC;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.finit_calls, 1);
	assert_true(fake_kmsg_find("crash-loop guard: cannot count attempt 1 of 3: no space left (ENOSPC); "
				   "loading it anyway") >= 0);
	assert_true(fake_kmsg_find("klp_demo_v1: applied") >= 0);
}

static void guard_mount_failure_still_loads(void **state)
{
	(void)state;
	fake.efi = true;
	fake.efi_setup_ret = -EPERM;
	assert_int_equal(run(), KLP_APPLIED);
	assert_true(fake_kmsg_find("crash-loop guard: unavailable: cannot mount efivarfs") >= 0);
	assert_int_equal(fake.efivar_writes, 0);
}

static void guard_bad_cmdline_warns_and_uses_default(void **state)
{
	char rec[128];

	(void)state;
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 3 11111111\n", module_digest16());
	fake_set_efivar(rec);
	fake_add_file("/proc/cmdline", "rd.klp.guard=many", 17);
	assert_int_equal(run(), KLP_SKIPPED);
	assert_true(fake_kmsg_find("rd.klp.guard= is not a number of attempts") >= 0);
}

static void guard_not_reached_for_a_refused_patch(void **state)
{
	(void)state;
	fake.efi = true;
	module[100] ^= 1;
	fake_add_file(PATCH, module, sizeof(module));
	assert_int_equal(run(), KLP_REFUSED);
	assert_int_equal(fake.efivar_writes, 0);
}

static void guard_off_in_kdump_kernel(void **state)
{
	(void)state;
	fake.efi = true;
	fake_add_file("/proc/cmdline", "irqpoll maxcpus=1 elfcorehdr=0x7f000000", 39);
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 0);
	assert_status("guard", "off (kdump capture kernel)");
}

static void guard_ignores_foreign_attributes(void **state)
{
	char rec[128];

	(void)state;
	/* an authenticated variable (the OS could never rewrite it) must not keep a patch skipped */
	snprintf(rec, sizeof(rec), "1 klp_demo_v1 %s 3 11111111\n", module_digest16());
	fake_set_efivar(rec);
	fake.efivar_attrs = 0x27;
	assert_int_equal(run(), KLP_APPLIED);
	assert_true(fake_kmsg_find("has attributes 0x27, not 0x7: ignored; counting anew") >= 0);
	assert_status("guard", "attempt 1 of 3");
}

static void guard_without_boot_id_counts_nothing(void **state)
{
	(void)state;
	fake.efi = true;
	fake_add_error("/proc/sys/kernel/random/boot_id", ENOENT);
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.efivar_writes, 0);
	assert_true(fake_kmsg_find("crash-loop guard: unavailable: cannot read the boot id") >= 0);
}

static void guard_without_runtime_services_is_quiet(void **state)
{
	(void)state;
	fake.efi = true;
	fake.efi_setup_ret = -EOPNOTSUPP;
	assert_int_equal(run(), KLP_APPLIED);
	assert_int_equal(fake.nkmsg, 1);
	assert_one_line("applied");
	assert_true(strncmp(fake_status_get("guard"), "unavailable: cannot mount efivarfs", 34) == 0);
}

/* ---- the one bound of every mode: klp_early_run, and main's modes on top of it ---- */

int klp_early_main(int argc, char **argv, char **envp); /* early-loader/main.c's main, renamed for the tests */

#define STUCK_NS (60ull * 1000000000u) /* a module init that sleeps a minute */

static void assert_stuck_insert_stopped(const char *mode, unsigned bound_ms, const char *end)
{
	char secs[24];

	assert_int_equal(fake.worker_calls, 1);
	assert_int_equal(fake.worker_bound_ms, bound_ms);
	assert_int_equal(fake.finit_calls, 1);
	assert_int_equal(fake.open_fds, 0);
	/* the parent's line is the only one: the worker never got to say anything */
	snprintf(secs, sizeof(secs), "within %u.000 s", bound_ms / 1000);
	assert_one_line("klp_demo_v1: did not finish");
	assert_true(strstr(fake.kmsg[0], secs) != NULL);
	assert_true(strstr(fake.kmsg[0], "worker stopped; finit_module has not returned: the module's init is "
					 "still running, the kernel may still apply it later; boot continues") != NULL);
	assert_int_equal(fake.kmsg_level[0], LOG_WARNING);
	assert_status("result", "failed");
	assert_status("error", "ETIMEDOUT");
	assert_status("mode", mode);
	assert_status("patch", "klp_demo_v1");
	assert_status("kernel", "6.1.0-test-amd64");
	/* the worker started at 5 s (the fake's clock): stopped at the bound, not a minute later */
	assert_status("end_monotonic", end);
}

static void run_applies_in_a_worker(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	assert_int_equal(klp_early_run(&o), 0);
	assert_int_equal(fake.worker_calls, 1);
	assert_int_equal(fake.worker_bound_ms, 10000 + KLP_WORKER_GRACE_MS);
	assert_one_line("klp_demo_v1: applied");
	assert_status("result", "applied");
}

static void run_bound_follows_the_timeout(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake_add_file("/proc/cmdline", "rd.klp.timeout=2", 16);
	assert_int_equal(klp_early_run(&o), 0);
	assert_int_equal(fake.worker_bound_ms, 7000);
	o.has_timeout = true;
	o.timeout_ms = 500;
	assert_int_equal(klp_early_run(&o), 0);
	assert_int_equal(fake.worker_bound_ms, 5500);
}

static void run_stuck_insert_stopped_at_the_bound(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	o.mode = "hook";
	fake_add_file("/proc/cmdline", "rd.klp.timeout=1", 16);
	fake.finit_ns = STUCK_NS;
	assert_int_equal(klp_early_run(&o), 1);
	assert_stuck_insert_stopped("hook", 6000, "11.000000");
	assert_status("pid", "4242");
}

static void run_stopped_in_transition_is_a_timeout(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -ETIMEDOUT;
	fake.patch_in_sysfs = true;
	fake.transition_polls = -1;
	assert_int_equal(klp_early_run(&o), 4);
	assert_one_line("klp_demo_v1: did not finish within 15.000 s, worker stopped; loaded, transition still "
			"running: left to the kernel to finish (see klp blocking); boot continues");
	assert_status("result", "timeout");
	assert_status("error", "ETIMEDOUT");
}

static void run_stopped_after_the_transition_is_applied(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -ETIMEDOUT;
	fake.patch_in_sysfs = true;
	assert_int_equal(klp_early_run(&o), 0);
	assert_one_line("worker stopped; applied, transition complete; boot continues");
	assert_status("result", "applied");
}

static void run_stopped_before_the_insert(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -ETIMEDOUT;
	assert_int_equal(klp_early_run(&o), 1);
	assert_one_line("worker stopped; not loaded (not in /sys/module); boot continues");
	assert_status("result", "failed");
}

static void run_worker_crash_is_reported(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -(1000 + 11);
	assert_int_equal(klp_early_run(&o), 1);
	assert_one_line("klp_demo_v1: the worker died of signal 11; not loaded (not in /sys/module); boot continues");
	assert_status("result", "failed");
	assert_status("error", "");
}

/* died with the module still coming: died in its init (an oops), which never returns */
static void run_worker_killed_in_module_init_is_told(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake_add_file("/sys/module/klp_demo_v1/initstate", "coming\n", 7);
	fake.worker_ret = -(1000 + 11);
	assert_int_equal(klp_early_run(&o), 1);
	assert_one_line("klp_demo_v1: the worker died of signal 11; the kernel killed it in the module's init (an oops: "
			"see the kernel log above), which never returns: not applied; boot continues");
	assert_status("result", "failed");
}

static void run_without_a_worker_loads_nothing(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -ENOMEM;
	assert_int_equal(klp_early_run(&o), 1);
	assert_int_equal(fake.finit_calls, 0);
	assert_one_line("cannot start the worker: out of memory (ENOMEM); nothing loaded; boot continues");
	assert_status("error", "ENOMEM");
}

static void run_unreadable_manifest_names_no_patch(void **state)
{
	struct klp_opts o = opts();

	(void)state;
	fake.worker_ret = -ETIMEDOUT;
	fake_add_file(MANIFEST, "garbage", 7);
	assert_int_equal(klp_early_run(&o), 1);
	assert_one_line("klp-early: did not finish within 15.000 s, worker stopped; no patch was named");
}

static int main_with(const char *const *args)
{
	char *argv[12];
	char *envp[] = { NULL };
	int argc = 0;

	while (argc < 11 && args[argc]) {
		argv[argc] = (char *)(uintptr_t)args[argc]; /* main's argv is not const */
		argc++;
	}
	argv[argc] = NULL;
	return klp_early_main(argc, argv, envp);
}

/* dracut's cmdline hook (dracut-module/klp-hook.sh) */
static void hook_mode_stuck_insert_is_bounded(void **state)
{
	static const char *const args[] = { "klp-early", "--mode", "hook", "--quiet", NULL };

	(void)state;
	fake_add_file("/proc/cmdline", "root=/dev/vda rd.klp.timeout=1", 30);
	fake.finit_ns = STUCK_NS;
	assert_int_equal(main_with(args), 1);
	assert_stuck_insert_stopped("hook", 6000, "11.000000");
}

/* the stale-initrd fallback (dracut-module/klp-fallback.sh): its own manifest, the default bound */
static void fallback_mode_stuck_insert_is_bounded(void **state)
{
	static const char *const args[] = { "klp-early", "--manifest", MANIFEST, "--mode", "fallback", "--quiet", NULL };
	static const char *const with_timeout[] = { "klp-early", "--mode", "fallback", "--timeout", "3", NULL };

	fake.finit_ns = STUCK_NS;
	assert_int_equal(main_with(args), 1);
	assert_stuck_insert_stopped("fallback", 15000, "20.000000");

	setup(state);
	fake.finit_ns = STUCK_NS;
	assert_int_equal(main_with(with_timeout), 1);
	assert_stuck_insert_stopped("fallback", 8000, "13.000000");
}

static void hook_mode_applies_through_the_worker(void **state)
{
	static const char *const args[] = { "klp-early", "--quiet", NULL };

	(void)state;
	assert_int_equal(main_with(args), 0);
	assert_int_equal(fake.worker_calls, 1);
	assert_status("result", "applied");
	assert_status("mode", "hook");
}

/* the same bound as PID 1, then the real init all the same */
static void shim_mode_stuck_insert_is_bounded(void **state)
{
	static const char *const args[] = { "/init", NULL };
	jmp_buf leave;

	(void)state;
	fake_add_file("/proc/cmdline", "rd.klp.timeout=1", 16);
	fake.finit_ns = STUCK_NS;
	fake.pid = 1;
	fake.leave = &leave;
	if (setjmp(leave) == 0) {
		(void)main_with(args);
		fail_msg("shim mode returned");
	}
	assert_string_equal(fake.exec_path, KLP_REAL_INIT);
	assert_stuck_insert_stopped("shim", 6000, "11.000000");
	assert_status("pid", "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(applied_when_transition_done, setup),
		cmocka_unit_test_setup(applied_without_sleeping_when_instant, setup),
		cmocka_unit_test_setup(timeout_leaves_transition_to_kernel, setup),
		cmocka_unit_test_setup(cmdline_timeout_is_used, setup),
		cmocka_unit_test_setup(cmdline_given_is_not_read_again, setup),
		cmocka_unit_test_setup(run_mounted_after_the_patch_before_the_status, setup),
		cmocka_unit_test_setup(hook_mode_mounts_no_run, setup),
		cmocka_unit_test_setup(option_timeout_overrides_cmdline, setup),
		cmocka_unit_test_setup(bad_cmdline_timeout_warns_and_uses_default, setup),
		cmocka_unit_test_setup(disabled_by_cmdline_loads_nothing, setup),
		cmocka_unit_test_setup(disabled_after_8_kib_of_cmdline, setup),
		cmocka_unit_test_setup(disabled_at_the_end_of_a_1_mib_cmdline, setup),
		cmocka_unit_test_setup(timeout_at_the_end_of_a_1_mib_cmdline, setup),
		cmocka_unit_test_setup(shim_reads_the_whole_cmdline, setup),
		cmocka_unit_test_setup(unreadable_cmdline_uses_defaults, setup),
		cmocka_unit_test_setup(missing_manifest, setup),
		cmocka_unit_test_setup(unreadable_manifest, setup),
		cmocka_unit_test_setup(garbage_manifest, setup),
		cmocka_unit_test_setup(empty_manifest, setup),
		cmocka_unit_test_setup(truncated_manifest, setup),
		cmocka_unit_test_setup(oversized_manifest, setup),
		cmocka_unit_test_setup(other_kernel_release_refused, setup),
		cmocka_unit_test_setup(no_livepatch_support, setup),
		cmocka_unit_test_setup(patch_file_missing, setup),
		cmocka_unit_test_setup(size_mismatch_refused, setup),
		cmocka_unit_test_setup(corrupted_byte_refused, setup),
		cmocka_unit_test_setup(compressed_patch_refused, setup),
		cmocka_unit_test_setup(other_platform_module_refused, setup),
		cmocka_unit_test_setup(kernel_error_reported, setup),
		cmocka_unit_test_setup(already_loaded_is_success, setup),
		cmocka_unit_test_setup(loaded_but_disabled, setup),
		cmocka_unit_test_setup(loaded_but_not_a_livepatch, setup),
		cmocka_unit_test_setup(status_write_failure_is_reported, setup),
		cmocka_unit_test_setup(no_status_file_when_not_asked, setup),
		cmocka_unit_test_setup(debug_adds_step_lines, setup),
		cmocka_unit_test_setup(patch_path_relative_manifest, setup),
		cmocka_unit_test_setup(guard_unavailable_without_uefi, setup),
		cmocka_unit_test_setup(guard_off_without_boot_ok_mark, setup),
		cmocka_unit_test_setup(guard_counts_before_insert, setup),
		cmocka_unit_test_setup(guard_counts_up_then_skips, setup),
		cmocka_unit_test_setup(guard_limit_from_cmdline, setup),
		cmocka_unit_test_setup(guard_off_writes_nothing, setup),
		cmocka_unit_test_setup(guard_other_patch_counts_anew, setup),
		cmocka_unit_test_setup(guard_unreadable_record_counts_anew, setup),
		cmocka_unit_test_setup(guard_write_failure_still_loads, setup),
		cmocka_unit_test_setup(guard_mount_failure_still_loads, setup),
		cmocka_unit_test_setup(guard_bad_cmdline_warns_and_uses_default, setup),
		cmocka_unit_test_setup(guard_not_reached_for_a_refused_patch, setup),
		cmocka_unit_test_setup(guard_off_in_kdump_kernel, setup),
		cmocka_unit_test_setup(guard_ignores_foreign_attributes, setup),
		cmocka_unit_test_setup(guard_without_boot_id_counts_nothing, setup),
		cmocka_unit_test_setup(guard_without_runtime_services_is_quiet, setup),
		cmocka_unit_test_setup(run_applies_in_a_worker, setup),
		cmocka_unit_test_setup(run_bound_follows_the_timeout, setup),
		cmocka_unit_test_setup(run_stuck_insert_stopped_at_the_bound, setup),
		cmocka_unit_test_setup(run_stopped_in_transition_is_a_timeout, setup),
		cmocka_unit_test_setup(run_stopped_after_the_transition_is_applied, setup),
		cmocka_unit_test_setup(run_stopped_before_the_insert, setup),
		cmocka_unit_test_setup(run_worker_crash_is_reported, setup),
		cmocka_unit_test_setup(run_worker_killed_in_module_init_is_told, setup),
		cmocka_unit_test_setup(run_without_a_worker_loads_nothing, setup),
		cmocka_unit_test_setup(run_unreadable_manifest_names_no_patch, setup),
		cmocka_unit_test_setup(hook_mode_stuck_insert_is_bounded, setup),
		cmocka_unit_test_setup(fallback_mode_stuck_insert_is_bounded, setup),
		cmocka_unit_test_setup(hook_mode_applies_through_the_worker, setup),
		cmocka_unit_test_setup(shim_mode_stuck_insert_is_bounded, setup),
	};

	return cmocka_run_group_tests_name("klp-early loader", tests, NULL, NULL);
}
