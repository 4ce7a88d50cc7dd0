// SPDX-License-Identifier: GPL-2.0-or-later
/* /run/klp/early.status as klp status reads it, and the words it prints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "klp.h"
#include "status.h"

/* What lib/status.c writes (its own test's golden text). */
static const char shim[] = "format=1\n"
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

static struct klp_early_record e;
static char err[160];

static int parse(const char *text)
{
	err[0] = '\0';
	return klp_early_parse(text, strlen(text), &e, err, sizeof(err));
}

static void parses_the_loaders_output(void **state)
{
	(void)state;
	assert_int_equal(parse(shim), 0);
	assert_int_equal(e.format, 1);
	assert_string_equal(e.mode, "shim");
	assert_int_equal(e.pid, 1);
	assert_string_equal(e.kernel, "6.1.0-56-amd64");
	assert_string_equal(e.patch, "klp_demo_v1");
	assert_string_equal(e.result, "applied");
	assert_string_equal(e.error, "");
	assert_string_equal(e.message, "klp_demo_v1 applied, transition done in 0.081234 s");
	assert_true(e.start_boot_ns == 1234567000u);
	assert_true(e.end_boot_ns == 2500000000u);
	assert_true(e.start_mono_ns == 81234000u);
	assert_true(e.end_mono_ns == 1999999000u);
	assert_true(klp_early_loaded(&e));
	assert_true(klp_early_in_initrd(&e));
}

static void tolerates_unknown_keys_and_blank_lines(void **state)
{
	(void)state;
	assert_int_equal(parse("format=1\n\nmode=hook\nsha256=abc\nfuture=x=y\nresult=refused\nerror=EKEYREJECTED"), 0);
	assert_string_equal(e.mode, "hook");
	assert_string_equal(e.error, "EKEYREJECTED");
	assert_false(klp_early_loaded(&e));
}

static void rejects_what_it_cannot_trust(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "empty" },
		{ "mode=shim\n", "no format line" },
		{ "format=2\nmode=shim\n", "format 2 is not understood" },
		{ "format=1\nmode shim\n", "line 2: expected key=value" },
		{ "format=1\n=x\n", "line 2: expected key=value" },
		{ "format=1\nend_boottime=abc\n", "line 2: bad value of 'end_boottime'" },
		{ "format=1\nend_boottime=1.\n", "bad value of 'end_boottime'" },
		{ "format=1\nend_boottime=1.0000000001\n", "bad value of 'end_boottime'" },
		{ "format=1\npid=12a\n", "bad value of 'pid'" },
		{ "format=1\npatch=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "too long" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text), -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].text, err, cases[i].want);
	}
	assert_int_equal(klp_early_parse("format=1\0", 9, &e, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static struct klp_early_record rec(const char *mode, const char *patch, const char *result, uint64_t start, uint64_t end)
{
	struct klp_early_record r;

	memset(&r, 0, sizeof(r));
	r.format = 1;
	snprintf(r.mode, sizeof(r.mode), "%s", mode);
	snprintf(r.patch, sizeof(r.patch), "%s", patch);
	snprintf(r.result, sizeof(r.result), "%s", result);
	snprintf(r.message, sizeof(r.message), "why");
	r.start_boot_ns = start;
	r.end_boot_ns = end;
	return r;
}

static void describes_where_and_when(void **state)
{
	static const struct {
		const char *mode, *result, *want;
	} cases[] = {
		{ "shim", "applied", "applied in initrd (shim) at 0.08 s after boot, before udev" },
		{ "hook", "applied", "applied in initrd (hook) at 0.08 s after boot, before udev" },
		{ "systemd", "applied", "applied in initrd (systemd unit) at 0.08 s after boot, before udev" },
		{ "fallback", "applied", "applied before switch_root by the stale-initrd fallback at 0.08 s after boot" },
		{ "shim", "already-loaded", "already loaded when klp-early ran in initrd (shim) at 0.08 s after boot" },
		{ "shim", "timeout", "loaded in initrd (shim) at 0.02 s after boot, before udev; its transition was "
				     "still running when klp-early stopped waiting" },
		{ "later", "applied", "applied by klp-early (later) at 0.08 s after boot" },
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct klp_early_record r = rec(cases[i].mode, "p", cases[i].result, 17012000, 81234000);

		klp_early_describe(&r, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void summary_names_failures(void **state)
{
	struct klp_early_record r = rec("hook", "klp_demo_v2", "refused", 0, 2334000000u);
	char buf[256];

	(void)state;
	klp_early_summary(&r, buf, sizeof(buf));
	assert_string_equal(buf, "hook: klp_demo_v2: refused at 2.33 s after boot: why");
	r = rec("shim", "klp_demo_v2", "applied", 0, 81234000);
	klp_early_summary(&r, buf, sizeof(buf));
	assert_string_equal(buf, "shim: klp_demo_v2: applied at 0.08 s after boot");
}

static void finds_the_latest_record_that_loaded_a_patch(void **state)
{
	struct klp_early_record recs[] = {
		rec("shim", "klp_demo_v1", "applied", 0, 1),
		rec("fallback", "klp_demo_v2", "applied", 0, 2),
	};

	(void)state;
	assert_ptr_equal(klp_early_find(recs, 2, "klp_demo_v1"), &recs[0]);
	assert_ptr_equal(klp_early_find(recs, 2, "klp_demo_v2"), &recs[1]);
	assert_null(klp_early_find(recs, 2, "klp_demo_v3"));
	recs[1] = rec("fallback", "klp_demo_v1", "refused", 0, 2);
	assert_ptr_equal(klp_early_find(recs, 2, "klp_demo_v1"), &recs[0]);
	assert_null(klp_early_find(recs, 0, "klp_demo_v1"));
}

static void seconds_round_to_centiseconds(void **state)
{
	char buf[32];

	(void)state;
	klp_fmt_centis(81234000, buf, sizeof(buf));
	assert_string_equal(buf, "0.08");
	klp_fmt_centis(9594321000u, buf, sizeof(buf));
	assert_string_equal(buf, "9.59");
	klp_fmt_centis(995000000, buf, sizeof(buf));
	assert_string_equal(buf, "1.00");
	klp_fmt_centis(0, buf, sizeof(buf));
	assert_string_equal(buf, "0.00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_the_loaders_output),
		cmocka_unit_test(tolerates_unknown_keys_and_blank_lines),
		cmocka_unit_test(rejects_what_it_cannot_trust),
		cmocka_unit_test(describes_where_and_when),
		cmocka_unit_test(summary_names_failures),
		cmocka_unit_test(finds_the_latest_record_that_loaded_a_patch),
		cmocka_unit_test(seconds_round_to_centiseconds),
	};

	return cmocka_run_group_tests_name("early.status reader", tests, NULL, NULL);
}
