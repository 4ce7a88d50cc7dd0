// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/manifest.c: the manifest decides what goes into
 * the kernel, so every field is checked, every error path must give -EINVAL
 * (-ENODATA when there is nothing but comments) with a message that says
 * what is wrong, and no input, truncated or random, may crash the parser.
 * Inputs are copied into heap buffers of their exact length (not
 * NUL-terminated) so that ASan catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp-core.h"

#define SHA_LOWER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_MIXED "0123456789ABCDEF0123456789abcdef0123456789AbCdEf0123456789aBcDeF"
#define SRCVERSION "1A2B3C4D5E6F708192A3B4C"

#define VALID_REQUIRED                                                                               \
	"format=1\n"                                                                                 \
	"kernel=6.1.0-56-amd64\n"                                                                    \
	"module=klp_demo_v1\n"                                                                       \
	"file=klp_demo_v1.ko\n"                                                                      \
	"size=123456\n"                                                                              \
	"sha256=" SHA_LOWER "\n"
#define VALID VALID_REQUIRED "srcversion=" SRCVERSION "\n"

static struct klp_manifest m;
static char err[256];

/* Parses exactly len bytes from a heap copy that is not NUL-terminated. */
static int parse_n(const char *text, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, text, len);
	memset(err, 0, sizeof(err));
	r = klp_manifest_parse(buf, len, &m, err, sizeof(err));
	free(buf);
	return r;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* Asserts that text fails with rc and a message containing every needle. */
static void expect_fail_rc(const char *text, int rc, const char *needle1, const char *needle2)
{
	int r = parse(text);

	if (r != rc)
		fail_msg("expected %d, got %d (err '%s') for:\n%s", rc, r, err, text);
	if (needle1 && !strstr(err, needle1))
		fail_msg("message '%s' lacks '%s' for:\n%s", err, needle1, text);
	if (needle2 && !strstr(err, needle2))
		fail_msg("message '%s' lacks '%s' for:\n%s", err, needle2, text);
}

static void expect_fail(const char *text, const char *needle1, const char *needle2)
{
	expect_fail_rc(text, -EINVAL, needle1, needle2);
}

static void expect_ok(const char *text)
{
	int r = parse(text);

	if (r != 0)
		fail_msg("expected success, got %d (err '%s') for:\n%s", r, err, text);
}

static void assert_valid_fields(void)
{
	assert_int_equal(m.format, 1);
	assert_string_equal(m.kernel, "6.1.0-56-amd64");
	assert_string_equal(m.module, "klp_demo_v1");
	assert_string_equal(m.file, "klp_demo_v1.ko");
	assert_true(m.size == 123456);
	assert_string_equal(m.sha256, SHA_LOWER);
}

/* ---- valid manifests ---- */

static void test_valid_all_fields(void **state)
{
	(void)state;
	expect_ok(VALID);
	assert_valid_fields();
	assert_string_equal(m.srcversion, SRCVERSION);
}

static void test_valid_without_srcversion(void **state)
{
	(void)state;
	memset(&m, 0x55, sizeof(m)); /* the parser must clear what it does not set */
	expect_ok(VALID_REQUIRED);
	assert_valid_fields();
	assert_string_equal(m.srcversion, "");
}

static void test_valid_no_final_newline(void **state)
{
	static const char text[] = VALID;

	(void)state;
	assert_int_equal(parse_n(text, strlen(text) - 1), 0);
	assert_valid_fields();
	assert_string_equal(m.srcversion, SRCVERSION);
}

static void test_valid_crlf(void **state)
{
	(void)state;
	expect_ok("format=1\r\n"
		  "kernel=6.1.0-56-amd64\r\n"
		  "module=klp_demo_v1\r\n"
		  "file=klp_demo_v1.ko\r\n"
		  "size=123456\r\n"
		  "sha256=" SHA_LOWER "\r\n"
		  "srcversion=" SRCVERSION "\r\n");
	assert_valid_fields();
	assert_string_equal(m.srcversion, SRCVERSION); /* no '\r' kept */
}

static void test_valid_comments_blank_lines(void **state)
{
	(void)state;
	expect_ok("# written by klp\n"
		  "\n"
		  "#format=2\n"
		  "\r\n"
		  "format=1\n"
		  "# the running kernel\n"
		  "kernel=6.1.0-56-amd64\n"
		  "\n\n"
		  "module=klp_demo_v1\n"
		  "file=klp_demo_v1.ko\n"
		  "#size=1\n"
		  "size=123456\n"
		  "sha256=" SHA_LOWER "\n"
		  "#");
	assert_valid_fields();
}

static void test_valid_unknown_keys_ignored(void **state)
{
	(void)state;
	expect_ok("format=1\n"
		  "built_by=klp 0.1 (with spaces and = signs)\n"
		  "kernel=6.1.0-56-amd64\n"
		  "x-future-key=1\n"
		  "x-future-key=2\n" /* unknown keys may repeat */
		  "module=klp_demo_v1\n"
		  "file=klp_demo_v1.ko\n"
		  "empty=\n"
		  "size=123456\n"
		  "sha256=" SHA_LOWER "\n");
	assert_valid_fields();
}

static void test_valid_any_key_order_after_format(void **state)
{
	(void)state;
	expect_ok("format=1\n"
		  "srcversion=" SRCVERSION "\n"
		  "sha256=" SHA_LOWER "\n"
		  "size=123456\n"
		  "file=klp_demo_v1.ko\n"
		  "module=klp_demo_v1\n"
		  "kernel=6.1.0-56-amd64\n");
	assert_valid_fields();
	assert_string_equal(m.srcversion, SRCVERSION);
}

static void test_sha_uppercase_normalised(void **state)
{
	(void)state;
	expect_ok("format=1\nkernel=k\nmodule=klp\nfile=klp.ko\nsize=1\nsha256=" SHA_MIXED "\n");
	assert_string_equal(m.sha256, SHA_LOWER);
}

static void test_valid_limits(void **state)
{
	char text[1024];
	char kernel[65], module[56], file[128], src[25];

	(void)state;
	memset(kernel, 'k', 64), kernel[64] = '\0';
	memset(module, 'm', 55), module[55] = '\0';
	memset(file, 'f', 127), file[127] = '\0';
	memset(src, 'S', 24), src[24] = '\0';
	snprintf(text, sizeof(text),
		 "format=1\nkernel=%s\nmodule=%s\nfile=%s\nsize=1073741824\nsha256=%s\nsrcversion=%s\n",
		 kernel, module, file, SHA_LOWER, src);
	expect_ok(text);
	assert_string_equal(m.kernel, kernel);
	assert_string_equal(m.module, module);
	assert_string_equal(m.file, file);
	assert_true(m.size == 1ull << 30); /* exactly 1 GiB is still accepted */
	assert_string_equal(m.srcversion, src);

	expect_ok("format=1\nkernel=k\nmodule=x\nfile=..ko\nsize=1\nsha256=" SHA_LOWER "\n");
	assert_string_equal(m.file, "..ko");
	assert_true(m.size == 1);
	/* value may hold '=' */
	expect_ok("format=1\nkernel=a=b\nmodule=x\nfile=x.ko\nsize=9\nsha256=" SHA_LOWER "\n");
	assert_string_equal(m.kernel, "a=b");
}

/* Only len bytes are looked at: what follows in memory is not read. */
static void test_len_bounds_input(void **state)
{
	static const char text[] = VALID_REQUIRED "module=klp-bad\n";

	(void)state;
	assert_int_equal(parse_n(text, strlen(VALID_REQUIRED)), 0);
	assert_valid_fields();
	assert_int_equal(parse_n(text, strlen(text)), -EINVAL);
}

/* larger than the loader reads: refused with -E2BIG, whatever it holds */
static void test_too_big(void **state)
{
	static char text[KLP_MANIFEST_MAX + 2];

	(void)state;
	memset(text, '#', sizeof(text) - 1);
	memcpy(text, VALID, strlen(VALID));
	text[strlen(VALID)] = '#';
	assert_int_equal(parse_n(text, KLP_MANIFEST_MAX + 1), -E2BIG);
	assert_non_null(strstr(err, "larger than"));
	text[KLP_MANIFEST_MAX - 1] = '\n';
	assert_int_equal(parse_n(text, KLP_MANIFEST_MAX), 0);
}

/* ---- the writer ---- */

static struct klp_manifest sample(const char *srcversion)
{
	struct klp_manifest w = { .format = 1, .size = 123456 };

	snprintf(w.kernel, sizeof(w.kernel), "6.1.0-57-amd64");
	snprintf(w.module, sizeof(w.module), "livepatch_sample");
	snprintf(w.file, sizeof(w.file), "livepatch_sample.ko");
	snprintf(w.sha256, sizeof(w.sha256), SHA_LOWER);
	snprintf(w.srcversion, sizeof(w.srcversion), "%s", srcversion);
	return w;
}

static void test_format_round_trip(void **state)
{
	struct klp_manifest w = sample(SRCVERSION);
	char text[1024];
	int n;

	(void)state;
	n = klp_manifest_format(&w, "/lib/modules/6.1.0-57-amd64/livepatch/livepatch-sample.ko.xz", text,
				sizeof(text), err, sizeof(err));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(text));
	assert_non_null(strstr(text, "\nsrcversion=" SRCVERSION "\n"));
	assert_non_null(strstr(text, "\nsource=/lib/modules/6.1.0-57-amd64/livepatch/livepatch-sample.ko.xz\n"));
	assert_int_equal(parse_n(text, (size_t)n), 0);
	assert_true(klp_manifest_equal(&w, &m));
}

/* a module without MODULE_VERSION has no srcversion: the key is left out, never written empty */
static void test_format_without_srcversion(void **state)
{
	struct klp_manifest w = sample("");
	char text[1024];
	int n;

	(void)state;
	n = klp_manifest_format(&w, NULL, text, sizeof(text), err, sizeof(err));
	assert_true(n > 0);
	assert_null(strstr(text, "srcversion"));
	assert_null(strstr(text, "source"));
	assert_int_equal(parse_n(text, (size_t)n), 0);
	assert_string_equal(m.srcversion, "");
	assert_true(klp_manifest_equal(&w, &m));
	/* the empty value the old shell writer wrote is what the loader refused */
	expect_fail(VALID_REQUIRED "srcversion=\n", "bad value for", "srcversion");
}

/* what the parser would refuse is never written */
static void test_format_refuses(void **state)
{
	struct klp_manifest w = sample("");
	char text[1024];

	(void)state;
	assert_int_equal(klp_manifest_format(&w, "/x\nkernel=other", text, sizeof(text), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "control characters"));
	snprintf(w.module, sizeof(w.module), "livepatch-sample");
	assert_int_equal(klp_manifest_format(&w, NULL, text, sizeof(text), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad module name"));
	w = sample("");
	snprintf(w.kernel, sizeof(w.kernel), "6.1\nmodule=evil");
	assert_int_equal(klp_manifest_format(&w, NULL, text, sizeof(text), err, sizeof(err)), -EINVAL);
	w = sample("");
	snprintf(w.sha256, sizeof(w.sha256), "%s", SHA_MIXED); /* would read back lowercased */
	assert_int_equal(klp_manifest_format(&w, NULL, text, sizeof(text), err, sizeof(err)), -EINVAL);
	w = sample("");
	w.size = 0;
	assert_int_equal(klp_manifest_format(&w, NULL, text, sizeof(text), err, sizeof(err)), -EINVAL);
	w = sample("");
	assert_int_equal(klp_manifest_format(&w, NULL, text, 40, err, sizeof(err)), -ENOSPC);
}

static void test_check_kernel(void **state)
{
	struct klp_manifest w = sample("");
	char why[128];

	(void)state;
	assert_int_equal(klp_manifest_check_kernel(&w, "6.1.0-57-amd64", why, sizeof(why)), 0);
	assert_int_equal(klp_manifest_check_kernel(&w, "6.1.0-57-amd64 ", why, sizeof(why)), -EINVAL);
	assert_int_equal(klp_manifest_check_kernel(&w, "6.1.0-58-amd64", why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "manifest is for kernel 6.1.0-57-amd64, not 6.1.0-58-amd64");
}

/* ---- error paths ---- */

static void test_empty(void **state)
{
	(void)state;
	expect_fail_rc("", -ENODATA, "empty", NULL);
	expect_fail_rc("\n\n\r\n", -ENODATA, "empty", NULL);
	expect_fail_rc("# only a comment\n#another\n\n", -ENODATA, "empty", NULL);
	expect_fail_rc("#", -ENODATA, "empty", NULL);
}

static void test_line_number_in_message(void **state)
{
	(void)state;
	expect_fail("format=1\nkernel=6.1.0\nmodule=klp-demo\n", "line 3", "bad module name");
	assert_string_equal(err, "line 3: bad module name");
	/* comments, blank lines and CRLF count as lines */
	expect_fail("# c\r\n\r\nformat=1\r\nbogus\r\n", "line 4", "not a key=value line");
	assert_string_equal(err, "line 4: not a key=value line");
}

static void test_missing_keys(void **state)
{
	(void)state;
	expect_fail("format=1\n", "missing key kernel", NULL);
	assert_string_equal(err, "missing key kernel");
	expect_fail("format=1\nkernel=k\nfile=f.ko\nsize=1\nsha256=" SHA_LOWER "\n", "missing key module",
		    NULL);
	expect_fail("format=1\nkernel=k\nmodule=m\nsize=1\nsha256=" SHA_LOWER "\n", "missing key file",
		    NULL);
	expect_fail("format=1\nkernel=k\nmodule=m\nfile=f.ko\nsha256=" SHA_LOWER "\n",
		    "missing key size", NULL);
	assert_string_equal(err, "missing key size");
	expect_fail("format=1\nkernel=k\nmodule=m\nfile=f.ko\nsize=1\nsrcversion=X\n",
		    "missing key sha256", NULL);
	assert_null(strstr(err, "line")); /* not about one line */
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_fail(VALID "kernel=6.1.0-57-amd64\n", "duplicate key", "line 8");
	expect_fail(VALID "format=1\n", "duplicate key", "line 8");
	expect_fail(VALID "srcversion=X\n", "duplicate key", "line 8");
	expect_fail("format=1\nsize=1\nsize=1\n", "duplicate key", "line 3");
}

static void test_format(void **state)
{
	(void)state;
	expect_fail("format=2\nkernel=k\n", "unsupported manifest format", "line 1");
	expect_fail("format=0\n", "unsupported manifest format", NULL);
	expect_fail("format=9999999999999999999\n", "unsupported manifest format", NULL);
	expect_fail("format=01\n", "bad value for format", "line 1");
	expect_fail("format=1.0\n", "bad value for format", NULL);
	expect_fail("format=\n", "bad value for format", NULL);
	expect_fail("format= 1\n", "bad value for format", NULL);
	expect_fail("format=one\n", "bad value for format", NULL);
	expect_fail("format=123456789012345678901\n", "bad value for format", NULL);
}

static void test_first_key_must_be_format(void **state)
{
	(void)state;
	expect_fail("kernel=6.1.0\nformat=1\n", "first key must be format", "line 1");
	expect_fail("# c\nunknown=1\nformat=1\n", "first key must be format", "line 2");
}

static void test_bad_lines_and_keys(void **state)
{
	(void)state;
	expect_fail("format=1\nkernel 6.1.0\n", "not a key=value line", "line 2");
	expect_fail("format\n", "not a key=value line", "line 1");
	expect_fail("format=1\n=value\n", "bad key", "line 2");
	expect_fail("format=1\nKernel=6.1\n", "bad key", "line 2");
	expect_fail("format=1\nkernel =6.1\n", "bad key", "line 2");
	expect_fail(" format=1\n", "bad key", "line 1");
	expect_fail("format=1\n # indented=comment\n", "bad key", "line 2");
	expect_fail("format=1\n # indented comment\n", "not a key=value line", "line 2");
	expect_fail("format=1\nk\xc3\xa9y=1\n", "bad key", "line 2");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "format=1\nkernel=6.1\0\nmodule=m\n";

	(void)state;
	assert_int_equal(parse_n(text, sizeof(text) - 1), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	/* even after an otherwise complete manifest */
	{
		static const char t2[] = VALID "\0";

		assert_int_equal(parse_n(t2, sizeof(t2) - 1), -EINVAL);
		assert_non_null(strstr(err, "NUL"));
	}
}

static void test_bad_file_name(void **state)
{
	static const char *const bad[] = {
		"../x.ko", "a/b.ko", "/x.ko", "x.ko/", ".", "..", "", "x .ko", "x\t.ko", "x.ko ",
	};
	char long_name[129];
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "format=1\nkernel=k\nfile=%s\n", bad[i]);
		expect_fail(text, "bad file name", "line 3");
	}
	memset(long_name, 'f', 128), long_name[128] = '\0';
	snprintf(text, sizeof(text), "format=1\nfile=%s\n", long_name);
	expect_fail(text, "bad file name", "line 2");
}

static void test_bad_module_name(void **state)
{
	static const char *const bad[] = {
		"klp-demo", "klp.demo", "klp demo", "", "klp/demo", "klp\xc3\xa9", " klp",
	};
	char long_name[57];
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "format=1\nkernel=k\nmodule=%s\n", bad[i]);
		expect_fail(text, "bad module name", "line 3");
	}
	/* 56 characters: one more than the kernel allows */
	memset(long_name, 'm', 56), long_name[56] = '\0';
	snprintf(text, sizeof(text), "format=1\nmodule=%s\n", long_name);
	expect_fail(text, "bad module name", "line 2");
}

static void test_bad_size(void **state)
{
	static const char *const bad[] = {
		"0", "00", "0123", "1073741825", "4294967296", "9999999999999999999",
		"18446744073709551616", "123456789012345678901234", "-1", "+1", "1e6", "12 ", " 12",
		"0x10", "", "abc",
	};
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "format=1\nsize=%s\n", bad[i]);
		expect_fail(text, "bad value for size", "line 2");
	}
}

static void test_bad_sha(void **state)
{
	static const char *const bad[] = {
		/* 63 and 65 digits */
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		/* non-hex */
		"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeG",
		"0123456789abcdef0123456789abcdef 123456789abcdef0123456789abcdef",
		"0x23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"",
		/* 128 digits */
		(SHA_LOWER SHA_LOWER),
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "format=1\nkernel=k\nsha256=%s\n", bad[i]);
		expect_fail(text, "bad value for sha256", "line 3");
	}
}

static void test_bad_kernel_and_srcversion(void **state)
{
	char long_val[80];
	char text[256];

	(void)state;
	expect_fail("format=1\nkernel=\n", "bad value for kernel", "line 2");
	expect_fail("format=1\nkernel=6.1 \n", "bad value for kernel", NULL);
	expect_fail("format=1\nkernel=6.1\x7f\n", "bad value for kernel", NULL);
	expect_fail("format=1\nkernel=6.1\xc3\xa9\n", "bad value for kernel", NULL);
	memset(long_val, 'k', 65), long_val[65] = '\0';
	snprintf(text, sizeof(text), "format=1\nkernel=%s\n", long_val);
	expect_fail(text, "bad value for kernel", NULL);

	expect_fail("format=1\nsrcversion=\n", "bad value for srcversion", "line 2");
	memset(long_val, 'S', 25), long_val[25] = '\0';
	snprintf(text, sizeof(text), "format=1\nsrcversion=%s\n", long_val);
	expect_fail(text, "bad value for srcversion", NULL);
}

/* The error message respects errlen, however small. */
static void test_small_error_buffer(void **state)
{
	static const char text[] = "format=1\nkernel=6.1.0\nmodule=klp-demo\n";
	char small[16];
	size_t errlen, i;

	(void)state;
	for (errlen = 0; errlen <= 8; errlen++) {
		memset(small, '#', sizeof(small));
		assert_int_equal(klp_manifest_parse(text, sizeof(text) - 1, &m, small, errlen), -EINVAL);
		if (errlen > 0) {
			assert_int_equal(strlen(small), errlen - 1);
			assert_memory_equal(small, "line 3: bad", errlen - 1);
		}
		for (i = errlen; i < sizeof(small); i++)
			assert_int_equal(small[i], '#');
	}
	assert_int_equal(klp_manifest_parse(text, sizeof(text) - 1, &m, NULL, 0), -EINVAL);
}

/* ---- truncated and garbage input ---- */

static void check_prefixes(const char *text, size_t required_end)
{
	size_t len = strlen(text), p;

	for (p = 0; p <= len; p++) {
		int r = parse_n(text, p);

		if (r == 0) {
			if (p < required_end)
				fail_msg("prefix of %zu bytes (< %zu) parsed", p, required_end);
			assert_valid_fields();
		} else {
			if (p == len)
				fail_msg("full manifest failed: %s", err);
			if (r != (p == 0 ? -ENODATA : -EINVAL))
				fail_msg("prefix of %zu bytes: rc %d", p, r);
			if (err[0] == '\0' || !memchr(err, '\0', sizeof(err)))
				fail_msg("prefix of %zu bytes: no message", p);
		}
		/* cut right after the sha256 value or its newline: all there, parses */
		if ((p == required_end || p == required_end + 1) && r != 0)
			fail_msg("prefix of %zu bytes with all required keys failed: %s", p, err);
	}
}

static void test_truncated(void **state)
{
	const char *sha_line = strstr(VALID, "sha256=");
	size_t required_end = (size_t)(sha_line - VALID) + strlen("sha256=") + 64;
	size_t len = strlen(VALID), p;

	(void)state;
	check_prefixes(VALID, required_end);
	check_prefixes(VALID_REQUIRED, required_end);

	/* In the srcversion line: only a non-empty value parses, cut short. */
	for (p = required_end + 1; p <= len; p++) {
		int r = parse_n(VALID, p);
		size_t in_line = p - (required_end + 1);

		if (in_line == 0 || in_line > strlen("srcversion=")) {
			assert_int_equal(r, 0);
		} else {
			assert_int_equal(r, -EINVAL);
			continue;
		}
		if (in_line > strlen("srcversion="))
			assert_memory_equal(m.srcversion, SRCVERSION, strlen(m.srcversion));
	}
}

/* xorshift64*: fixed seed, same on every machine */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static void check_result(int r, const char *what, unsigned iter)
{
	if (r == 0) {
		/* whatever parsed must satisfy every rule */
		if (m.format != 1 || !klp_module_name_valid(m.module) || strchr(m.file, '/') ||
		    !m.file[0] || !m.kernel[0] || m.size == 0 || m.size > (1ull << 30) ||
		    !is_lower_hex(m.sha256, 64))
			fail_msg("%s %u: accepted an invalid manifest", what, iter);
	} else if (r != -EINVAL && r != -ENODATA) {
		fail_msg("%s %u: rc %d", what, iter, r);
	} else if (err[0] == '\0' || !memchr(err, '\0', sizeof(err))) {
		fail_msg("%s %u: no message", what, iter);
	}
}

static void test_random_bytes(void **state)
{
	char buf[512];
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = rng() % sizeof(buf), i;

		for (i = 0; i < len; i++) {
			uint64_t x = rng();

			/* some inputs printable with newlines, some fully random */
			buf[i] = (char)(iter & 1 ? x : (x % 8 == 0 ? '\n' : ' ' + x % 95));
		}
		check_result(parse_n(buf, len), "random bytes", iter);
	}
}

/* Random lines built from valid and almost valid pieces reach deeper paths. */
static void test_random_lines(void **state)
{
	static const char *const good[] = {
		"kernel=6.1.0-56-amd64", "module=klp_demo_v1", "file=klp_demo_v1.ko", "size=123456",
		("sha256=" SHA_MIXED),
	};
	static const char *const pieces[] = {
		"format=1", "format=2", "kernel=6.1.0", "kernel=", "module=klp_demo", "module=klp-demo",
		"file=x.ko", "file=../x.ko", "size=1", "size=0", "size=01", ("sha256=" SHA_LOWER),
		"sha256=abc", "srcversion=ABC", "#", "# c", "", "\r", "=", "foo=bar", "x",
		"\xff\xfe", "\t", "size=1073741825", "srcversion=",
	};
	const size_t ngood = sizeof(good) / sizeof(good[0]);
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	char buf[1024];
	unsigned iter;
	int ok = 0, failed = 0;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		const char *lines[16];
		size_t n = 0, len = 0, extra = rng() % 4, i;
		int r;

		for (i = 0; i < ngood; i++)
			if (rng() % 8)
				lines[n++] = good[i];
		for (i = 0; i < extra; i++)
			lines[n++] = pieces[rng() % npieces];
		for (i = n; i > 1; i--) { /* shuffle */
			size_t j = rng() % i;
			const char *t = lines[i - 1];

			lines[i - 1] = lines[j], lines[j] = t;
		}
		if (rng() % 8)
			len += (size_t)snprintf(buf, sizeof(buf), "format=1\n");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", lines[i],
						rng() % 4 ? "\n" : "\r\n");
		if (len && rng() % 4 == 0)
			len -= rng() % len; /* cut anywhere */
		r = parse_n(buf, len);
		check_result(r, "random lines", iter);
		ok += r == 0;
		failed += r != 0;
	}
	/* the generator must reach both outcomes, or it tests little */
	assert_true(ok > 1000);
	assert_true(failed > 1000);
}

static void test_module_name_valid(void **state)
{
	char name[64];

	(void)state;
	assert_true(klp_module_name_valid("klp_demo_v1"));
	assert_true(klp_module_name_valid("K"));
	assert_true(klp_module_name_valid("_0"));
	assert_false(klp_module_name_valid(""));
	assert_false(klp_module_name_valid("klp-demo"));
	assert_false(klp_module_name_valid("klp.demo"));
	assert_false(klp_module_name_valid("klp demo"));
	assert_false(klp_module_name_valid("klp\n"));
	memset(name, 'a', 55), name[55] = '\0';
	assert_true(klp_module_name_valid(name));
	name[55] = 'a', name[56] = '\0';
	assert_false(klp_module_name_valid(name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_all_fields),
		cmocka_unit_test(test_valid_without_srcversion),
		cmocka_unit_test(test_valid_no_final_newline),
		cmocka_unit_test(test_valid_crlf),
		cmocka_unit_test(test_valid_comments_blank_lines),
		cmocka_unit_test(test_valid_unknown_keys_ignored),
		cmocka_unit_test(test_valid_any_key_order_after_format),
		cmocka_unit_test(test_sha_uppercase_normalised),
		cmocka_unit_test(test_valid_limits),
		cmocka_unit_test(test_len_bounds_input),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_without_srcversion),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_check_kernel),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_line_number_in_message),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_first_key_must_be_format),
		cmocka_unit_test(test_bad_lines_and_keys),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_bad_file_name),
		cmocka_unit_test(test_bad_module_name),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_bad_sha),
		cmocka_unit_test(test_bad_kernel_and_srcversion),
		cmocka_unit_test(test_small_error_buffer),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_random_lines),
		cmocka_unit_test(test_module_name_valid),
	};

	return cmocka_run_group_tests_name("manifest parser", tests, NULL, NULL);
}
