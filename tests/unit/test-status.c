// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/status.c: the /run/klp/early.status file, result
 * names, hook-mode exit codes and the seconds format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klp-early.h"

static const char golden[] = "format=1\n"
			     "mode=shim\n"
			     "pid=1\n"
			     "kernel=6.1.0-56-amd64\n"
			     "patch=klp_demo_v1\n"
			     "result=applied\n"
			     "error=\n"
			     "message=klp_demo_v1 applied, transition done in 0.081234 s\n"
			     "start_boottime=1.234567\n"
			     "end_boottime=2.500000\n"
			     "start_monotonic=0.081234\n"
			     "end_monotonic=1.999999\n";

static struct klp_status full_status(void)
{
	struct klp_status st = {
		.mode = "shim",
		.pid = 1,
		.kernel = "6.1.0-56-amd64",
		.patch = "klp_demo_v1",
		.result = KLP_APPLIED,
		.error = 0,
		.message = "klp_demo_v1 applied, transition done in 0.081234 s",
		.start_boot_ns = 1234567890,
		.end_boot_ns = 2500000000u,
		.start_mono_ns = 81234567,
		.end_mono_ns = 1999999999,
	};
	return st;
}

static char out[4096];

static int format(const struct klp_status *st)
{
	memset(out, '#', sizeof(out));
	return klp_status_format(st, out, sizeof(out));
}

static void test_golden(void **state)
{
	struct klp_status st = full_status();
	int n = format(&st);

	(void)state;
	assert_string_equal(out, golden);
	assert_int_equal(n, (int)strlen(golden));
}

static void test_refused_with_error(void **state)
{
	struct klp_status st = full_status();
	int n;

	(void)state;
	st.mode = "hook";
	st.pid = 4242;
	st.result = KLP_REFUSED;
	st.error = EKEYREJECTED;
	st.message = "not loaded: signature rejected";
	st.start_boot_ns = st.end_boot_ns = st.start_mono_ns = st.end_mono_ns = 0;
	n = format(&st);
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out, "format=1\n"
				 "mode=hook\n"
				 "pid=4242\n"
				 "kernel=6.1.0-56-amd64\n"
				 "patch=klp_demo_v1\n"
				 "result=refused\n"
				 "error=EKEYREJECTED\n"
				 "message=not loaded: signature rejected\n"
				 "start_boottime=0.000000\n"
				 "end_boottime=0.000000\n"
				 "start_monotonic=0.000000\n"
				 "end_monotonic=0.000000\n");
}

static void test_error_names(void **state)
{
	struct klp_status st = full_status();

	(void)state;
	st.result = KLP_FAILED;
	st.error = EPERM;
	format(&st);
	assert_non_null(strstr(out, "\nerror=EPERM\n"));
	st.error = 4095; /* unknown */
	format(&st);
	assert_non_null(strstr(out, "\nerror=E4095\n"));
	assert_non_null(strstr(out, "\nresult=failed\n"));
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/* Newlines and other control bytes in values become spaces: one line each. */
static void test_control_chars(void **state)
{
	struct klp_status st = full_status();

	(void)state;
	st.message = "first line\nsecond\r\tthird\x7f\x01\x1b[31m end\n";
	st.kernel = "6.1\n0";
	st.patch = "klp\nresult=applied";
	st.mode = "shim\n";
	st.result = KLP_FAILED;
	format(&st);
	assert_non_null(strstr(out, "\nmessage=first line second  third   [31m end \n"));
	assert_non_null(strstr(out, "\nkernel=6.1 0\n"));
	assert_non_null(strstr(out, "\npatch=klp result=applied\n"));
	assert_non_null(strstr(out, "\nmode=shim \n"));
	/* no line was forged: still 12 lines, one result */
	assert_int_equal(count(out, "\n"), 12);
	assert_int_equal(count(out, "\nresult="), 1);
	assert_non_null(strstr(out, "\nresult=failed\n"));
}

/* Bytes from 0x80 are not control bytes: UTF-8 stays as it is, on every architecture. */
static void test_non_ascii_kept(void **state)
{
	struct klp_status st = full_status();

	(void)state;
	st.message = "caf\xc3\xa9 \xe2\x9c\x93";
	format(&st);
	assert_non_null(strstr(out, "\nmessage=caf\xc3\xa9 \xe2\x9c\x93\n"));
}

static void test_null_and_empty_values(void **state)
{
	struct klp_status st = full_status();

	(void)state;
	st.mode = NULL;
	st.kernel = NULL;
	st.patch = "";
	st.message = NULL;
	st.result = KLP_NO_MANIFEST;
	st.pid = -1;
	format(&st);
	assert_string_equal(out, "format=1\n"
				 "mode=\n"
				 "pid=-1\n"
				 "kernel=\n"
				 "patch=\n"
				 "result=no-manifest\n"
				 "error=\n"
				 "message=\n"
				 "start_boottime=1.234567\n"
				 "end_boottime=2.500000\n"
				 "start_monotonic=0.081234\n"
				 "end_monotonic=1.999999\n");
}

static void assert_seconds(uint64_t ns, const char *want)
{
	char buf[32];
	size_t i;

	memset(buf, '#', sizeof(buf));
	klp_fmt_seconds(ns, buf);
	assert_string_equal(buf, want);
	for (i = 24; i < sizeof(buf); i++)
		assert_int_equal(buf[i], '#');
}

static void test_fmt_seconds(void **state)
{
	(void)state;
	assert_seconds(0, "0.000000");
	assert_seconds(999, "0.000000");
	assert_seconds(1000, "0.000001");
	assert_seconds(1999, "0.000001");
	assert_seconds(81234567, "0.081234");
	assert_seconds(999999999, "0.999999");
	assert_seconds(1000000000, "1.000000");
	assert_seconds(1000001000, "1.000001");
	assert_seconds(3600000000000ull, "3600.000000");
	assert_seconds(86400ull * 365 * 1000000000ull + 5000, "31536000.000005");
	assert_seconds(UINT64_MAX, "18446744073.709551");
}

/* Every buffer shorter than needed gives -ENOSPC and no byte past len is written. */
static void check_sizes(const struct klp_status *st)
{
	char big[4096];
	int need = klp_status_format(st, big, sizeof(big));
	size_t len;

	assert_true(need > 0);
	assert_int_equal((size_t)need, strlen(big));
	for (len = 0; len <= (size_t)need + 2; len++) {
		/* heap buffer of exactly len bytes (ASan), then a canary check */
		char *exact = malloc(len ? len : 1);
		char canary[4200];
		int r;
		size_t i;

		assert_non_null(exact);
		r = klp_status_format(st, exact, len);
		if (len <= (size_t)need) {
			if (r != -ENOSPC)
				fail_msg("buffer of %zu bytes (need %d + 1): returned %d", len, need, r);
		} else {
			assert_int_equal(r, need);
			assert_string_equal(exact, big);
		}
		free(exact);

		memset(canary, '#', sizeof(canary));
		r = klp_status_format(st, canary, len);
		for (i = len; i < sizeof(canary); i++)
			if (canary[i] != '#')
				fail_msg("buffer of %zu bytes: byte %zu written", len, i);
		assert_int_equal(r, len <= (size_t)need ? -ENOSPC : need);
	}
}

static void test_buffer_too_small(void **state)
{
	struct klp_status st = full_status();

	(void)state;
	check_sizes(&st);
	st.message = "a\nmessage\twith\rcontrol bytes";
	st.error = EKEYREJECTED;
	st.result = KLP_REFUSED;
	check_sizes(&st);
	st.mode = st.kernel = st.patch = st.message = NULL;
	st.start_boot_ns = st.end_mono_ns = UINT64_MAX;
	check_sizes(&st);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(klp_result_name(KLP_APPLIED), "applied");
	assert_string_equal(klp_result_name(KLP_ALREADY_LOADED), "already-loaded");
	assert_string_equal(klp_result_name(KLP_DISABLED), "disabled");
	assert_string_equal(klp_result_name(KLP_NO_MANIFEST), "no-manifest");
	assert_string_equal(klp_result_name(KLP_REFUSED), "refused");
	assert_string_equal(klp_result_name(KLP_FAILED), "failed");
	assert_string_equal(klp_result_name(KLP_TIMEOUT), "timeout");
	assert_string_equal(klp_result_name(KLP_UNSUPPORTED), "unsupported");
	assert_string_equal(klp_result_name(KLP_SKIPPED), "skipped");
	assert_string_equal(klp_result_name((enum klp_result)(KLP_SKIPPED + 1)), "unknown");
	assert_string_equal(klp_result_name((enum klp_result)-1), "unknown");
}

/* As in klp-early --help: 0 applied or already loaded, 1 refused or failed,
 * 3 disabled or no manifest, 4 transition timeout, 5 no livepatch support. */
static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(klp_result_exit_code(KLP_APPLIED), 0);
	assert_int_equal(klp_result_exit_code(KLP_ALREADY_LOADED), 0);
	assert_int_equal(klp_result_exit_code(KLP_REFUSED), 1);
	assert_int_equal(klp_result_exit_code(KLP_FAILED), 1);
	assert_int_equal(klp_result_exit_code(KLP_DISABLED), 3);
	assert_int_equal(klp_result_exit_code(KLP_NO_MANIFEST), 3);
	assert_int_equal(klp_result_exit_code(KLP_TIMEOUT), 4);
	assert_int_equal(klp_result_exit_code(KLP_UNSUPPORTED), 5);
	/* 2 is usage, never a result */
	assert_int_equal(klp_result_exit_code(KLP_SKIPPED), 6);
	assert_int_equal(klp_result_exit_code((enum klp_result)(KLP_SKIPPED + 1)), 1);
}

static void test_guard_line(void **state)
{
	struct klp_status st = { .mode = "shim", .result = KLP_SKIPPED, .guard = "skipped after 3\nattempts" };
	char buf[1024];
	int n;

	(void)state;
	n = klp_status_format(&st, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "\nresult=skipped\n"));
	/* the last line, its newline turned into a space */
	assert_non_null(strstr(buf, "\nguard=skipped after 3 attempts\n"));
	assert_int_equal(buf[n - 1], '\n');
	st.guard = NULL;
	assert_true(klp_status_format(&st, buf, sizeof(buf)) > 0);
	assert_null(strstr(buf, "guard="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_refused_with_error),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_non_ascii_kept),
		cmocka_unit_test(test_null_and_empty_values),
		cmocka_unit_test(test_fmt_seconds),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_guard_line),
	};

	return cmocka_run_group_tests_name("status file and results", tests, NULL, NULL);
}
