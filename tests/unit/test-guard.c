// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash-loop guard's record (lib/guard.c): parsing, formatting
 * and the skip-or-count decision.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "klp-early.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define BOOT "0a1b2c3d"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static int parse(const char *s, struct klp_guard *g)
{
	return klp_guard_parse(s, strlen(s), g);
}

static void test_parse_good(void **state)
{
	struct klp_guard g;

	(void)state;
	assert_int_equal(parse("", &g), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(parse("1 klp_demo_v1 0123456789abcdef 2 b00710a1\n", &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rec[0].module, "klp_demo_v1");
	assert_string_equal(g.rec[0].digest, "0123456789abcdef");
	assert_int_equal(g.rec[0].attempts, 2);
	assert_int_equal(parse("1 a 0123456789abcdef 0 b00710a1\n1 b fedcba9876543210 99 b00710a1\n", &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.rec[1].module, "b");
	assert_int_equal(g.rec[1].attempts, 99);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"1 klp_demo_v1 0123456789abcdef 2 b00710a1",        /* no newline */
		"2 klp_demo_v1 0123456789abcdef 2 b00710a1\n",      /* unknown version */
		"1 klp_demo_v1 0123456789ABCDEF 2 b00710a1\n",      /* upper-case hex */
		"1 klp_demo_v1 0123456789abcde 2 b00710a1\n",       /* 15 digits */
		"1 klp_demo_v1 0123456789abcdef0 2 b00710a1\n",     /* 17 digits */
		"1 klp_demo_v1 0123456789abcdef 2\n",               /* 4 words (no boot tag) */
		"1 klp_demo_v1 0123456789abcdef 2 b00710a1 x\n",    /* 6 words */
		"1 klp_demo_v1 0123456789abcdef 2 b00710a1 \n",     /* trailing space */
		"1  klp_demo_v1 0123456789abcdef 2 b00710a1\n",     /* empty word */
		"1 klp-demo/v1 0123456789abcdef 2 b00710a1\n",      /* not a module name */
		"1 klp_demo_v1 0123456789abcdef -1 b00710a1\n",     /* negative */
		"1 klp_demo_v1 0123456789abcdef 100 b00710a1\n",    /* over the maximum */
		"1 klp_demo_v1 0123456789abcdef 2x b00710a1\n",     /* not a number */
		"1 klp_demo_v1 0123456789abcdef 02 b00710a1\n",     /* leading zero (found by fuzz-guard) */
		"1 klp_demo_v1 0123456789abcdef 2 b00710a\n",       /* 7-digit boot tag */
		"1 klp_demo_v1 0123456789abcdef 2 B00710A1\n",      /* upper-case boot tag */
		"\n",                                               /* empty line */
		/* more than KLP_GUARD_RECS lines */
		/* NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one record of five lines */
		"1 a 0123456789abcdef 1 b00710a1\n1 b 0123456789abcdef 1 b00710a1\n1 c 0123456789abcdef 1 b00710a1\n"
		"1 d 0123456789abcdef 1 b00710a1\n1 e 0123456789abcdef 1 b00710a1\n",
	};

	struct klp_guard g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &g) >= 0)
			fail_msg("accepted bad record #%zu: '%s'", i, bad[i]);
	/* a NUL inside is not a separator */
	assert_int_equal(klp_guard_parse("1 a 0123456789abcdef 1 b00710a1\n", 32, &g), 0);
	assert_true(klp_guard_parse("1 a\0 0123456789abcdef 1 b00710a1\n", 33, &g) < 0);
}

static void test_format_roundtrip(void **state)
{
	const char *in = "1 klp_demo_v1 0123456789abcdef 2 b00710a1\n1 klp_demo_v2 fedcba9876543210 1 b00710a1\n";
	struct klp_guard g;
	char out[256];
	int n;

	(void)state;
	assert_int_equal(parse(in, &g), 0);
	n = klp_guard_format(&g, out, sizeof(out));
	assert_int_equal(n, (int)strlen(in));
	assert_string_equal(out, in);
	/* every buffer too small is refused, never truncated silently */
	for (size_t len = 0; len <= strlen(in); len++)
		assert_int_equal(klp_guard_format(&g, out, len), -ENOSPC);
	g.n = 0;
	assert_int_equal(klp_guard_format(&g, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_decide_counts_then_skips(void **state)
{
	struct klp_guard g = { .n = 0 };
	unsigned n, i;

	(void)state;
	for (i = 1; i <= 3; i++) {
		assert_false(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 3, &n));
		assert_int_equal(n, i);
		assert_int_equal(g.n, 1);
	}
	assert_string_equal(g.rec[0].digest, "0123456789abcdef");
	/* the last 3 boots that inserted it died: skipped, record kept as it is */
	assert_true(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 3, &n));
	assert_int_equal(n, 3);
	assert_int_equal(g.rec[0].attempts, 3);
	assert_true(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 3, &n));
	/* a lower limit skips at once, a higher one counts on */
	assert_true(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 1, &n));
	assert_false(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 5, &n));
	assert_int_equal(n, 4);
}

static void test_decide_other_patch_own_count(void **state)
{
	struct klp_guard g;
	unsigned n;

	(void)state;
	assert_int_equal(parse("1 klp_demo_v1 0123456789abcdef 3 b00710a1\n", &g), 0);
	/* same name, other build: its own line */
	assert_false(klp_guard_decide(&g, "klp_demo_v1", SHA_B, BOOT, 3, &n));
	assert_int_equal(n, 1);
	assert_int_equal(g.n, 2);
	/* other name, same digest prefix: its own line too */
	assert_false(klp_guard_decide(&g, "klp_demo_v2", SHA_A, BOOT, 3, &n));
	assert_int_equal(g.n, 3);
	/* and the first one is still skipped */
	assert_true(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 3, &n));
}

static void test_decide_forgets_oldest_when_full(void **state)
{
	struct klp_guard g = { .n = 0 };
	char name[8];
	unsigned n, i;

	(void)state;
	for (i = 0; i < KLP_GUARD_RECS + 1; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		assert_false(klp_guard_decide(&g, name, SHA_A, BOOT, 3, &n));
	}
	assert_int_equal(g.n, KLP_GUARD_RECS);
	assert_string_equal(g.rec[0].module, "p1");
	assert_string_equal(g.rec[KLP_GUARD_RECS - 1].module, "p4");
}

static void test_decide_saturates(void **state)
{
	struct klp_guard g;
	unsigned n;

	(void)state;
	assert_int_equal(parse("1 a 0123456789abcdef 99 b00710a1\n", &g), 0);
	assert_false(klp_guard_decide(&g, "a", SHA_A, BOOT, 99 + 1, &n));
	assert_int_equal(n, 99);
}

static void test_forget_boot(void **state)
{
	struct klp_guard g;
	char out[256];

	(void)state;
	assert_int_equal(parse("1 a 0123456789abcdef 1 0a1b2c3d\n1 b 0123456789abcdef 3 11111111\n"
			       "1 a fedcba9876543210 2 0a1b2c3d\n", &g), 0);
	assert_int_equal(klp_guard_forget_boot(&g, "22222222", NULL, NULL), 0);
	assert_int_equal(g.n, 3);
	/* every line this boot counted, and nothing else */
	assert_int_equal(klp_guard_forget_boot(&g, BOOT, NULL, NULL), 2);
	assert_int_equal(klp_guard_format(&g, out, sizeof(out)), 32);
	assert_string_equal(out, "1 b 0123456789abcdef 3 11111111\n");
	assert_int_equal(klp_guard_forget_boot(&g, "11111111", NULL, NULL), 1);
	assert_int_equal(g.n, 0);
}

static bool module_is(const struct klp_guard_rec *r, void *arg)
{
	return !strcmp(r->module, (const char *)arg);
}

static void test_forget_boot_passed(void **state)
{
	struct klp_guard g;
	char out[256];

	(void)state;
	assert_int_equal(parse("1 a 0123456789abcdef 1 0a1b2c3d\n1 b 0123456789abcdef 3 0a1b2c3d\n"
			       "1 a fedcba9876543210 2 11111111\n", &g), 0);
	/* only this boot's lines that passed: b of this boot, not a of another */
	assert_int_equal(klp_guard_forget_boot(&g, BOOT, module_is, "b"), 1);
	assert_int_equal(klp_guard_format(&g, out, sizeof(out)), 64);
	assert_string_equal(out, "1 a 0123456789abcdef 1 0a1b2c3d\n1 a fedcba9876543210 2 11111111\n");
	assert_int_equal(klp_guard_forget_boot(&g, BOOT, module_is, "c"), 0);
	assert_int_equal(klp_guard_forget_boot(&g, BOOT, module_is, "a"), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rec[0].boot, "11111111");
}

static void test_decide_tags_the_boot(void **state)
{
	struct klp_guard g;
	unsigned n;

	(void)state;
	assert_int_equal(parse("1 klp_demo_v1 0123456789abcdef 1 11111111\n1 x 0123456789abcdef 3 11111111\n", &g), 0);
	assert_false(klp_guard_decide(&g, "klp_demo_v1", SHA_A, BOOT, 3, &n));
	assert_string_equal(g.rec[0].boot, BOOT);
	/* a skip counts nothing, so the tag stays the old boot's */
	assert_true(klp_guard_decide(&g, "x", SHA_A, BOOT, 3, &n));
	assert_string_equal(g.rec[1].boot, "11111111");
}

static void test_boot_tag(void **state)
{
	const char *id = "0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d\n";
	char tag[KLP_GUARD_BOOT_LEN + 1];

	(void)state;
	assert_int_equal(klp_guard_boot_tag(id, strlen(id), tag), 0);
	assert_string_equal(tag, "0a1b2c3d");
	assert_true(klp_guard_boot_tag(id, 7, tag) < 0);
	assert_true(klp_guard_boot_tag("0A1B2C3D-", 9, tag) < 0);
	assert_true(klp_guard_boot_tag("0a1b2c3-d", 9, tag) < 0);
	assert_true(klp_guard_boot_tag("", 0, tag) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_decide_counts_then_skips),
		cmocka_unit_test(test_decide_other_patch_own_count),
		cmocka_unit_test(test_decide_forgets_oldest_when_full),
		cmocka_unit_test(test_decide_saturates),
		cmocka_unit_test(test_forget_boot),
		cmocka_unit_test(test_forget_boot_passed),
		cmocka_unit_test(test_decide_tags_the_boot),
		cmocka_unit_test(test_boot_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
