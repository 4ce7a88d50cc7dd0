// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/cmdline.c: rd.klp=, rd.klp.timeout= and
 * rd.klp.debug on the kernel command line. Each command line is parsed from
 * a heap copy of exactly its length, without a terminating NUL, so that
 * ASan reports any read past len.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp-early.h"

static struct klp_cmdline c;

static void parse_n(const char *s, size_t len)
{
	char *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	memcpy(buf, s, len);
	memset(&c, 0x5a, sizeof(c)); /* the parser must set every field */
	c.disabled = true, c.debug = true, c.timeout_invalid = true, c.guard_invalid = true, c.kdump = true;
	klp_cmdline_parse(buf, len, &c);
	free(buf);
}

static void parse(const char *s)
{
	parse_n(s, strlen(s));
}

static void assert_defaults(const char *s)
{
	parse(s);
	if (c.disabled || c.debug || c.timeout_ms != KLP_TIMEOUT_DEFAULT_MS || c.timeout_invalid ||
	    c.guard != KLP_GUARD_DEFAULT || c.guard_invalid)
		fail_msg("'%s': disabled=%d debug=%d timeout_ms=%u invalid=%d guard=%u invalid=%d, want defaults",
			 s, c.disabled, c.debug, c.timeout_ms, c.timeout_invalid, c.guard, c.guard_invalid);
}

static void assert_disabled(const char *s, bool want)
{
	parse(s);
	if (c.disabled != want)
		fail_msg("'%s': disabled=%d, want %d", s, c.disabled, want);
}

static void assert_timeout(const char *s, unsigned ms, bool invalid)
{
	parse(s);
	if (c.timeout_ms != ms || c.timeout_invalid != invalid)
		fail_msg("'%s': timeout_ms=%u invalid=%d, want %u invalid=%d", s, c.timeout_ms,
			 c.timeout_invalid, ms, invalid);
}

static void assert_guard(const char *s, unsigned want, bool invalid)
{
	parse(s);
	if (c.guard != want || c.guard_invalid != invalid)
		fail_msg("'%s': guard=%u invalid=%d, want %u invalid=%d", s, c.guard, c.guard_invalid, want,
			 invalid);
}

static void test_guard(void **state)
{
	(void)state;
	assert_guard("quiet", KLP_GUARD_DEFAULT, false);
	assert_guard("rd.klp.guard=0", 0, false);
	assert_guard("rd.klp.guard=1", 1, false);
	assert_guard("rd.klp.guard=99", 99, false);
	assert_guard("rd.klp.guard=\"2\"", 2, false);
	assert_guard("rd.klp.guard=100", KLP_GUARD_DEFAULT, true);
	assert_guard("rd.klp.guard=", KLP_GUARD_DEFAULT, true);
	assert_guard("rd.klp.guard", KLP_GUARD_DEFAULT, true);
	assert_guard("rd.klp.guard=-1", KLP_GUARD_DEFAULT, true);
	assert_guard("rd.klp.guard=off", KLP_GUARD_DEFAULT, true);
	/* the last occurrence wins, a good one clears an earlier bad one */
	assert_guard("rd.klp.guard=x rd.klp.guard=4", 4, false);
	assert_guard("rd.klp.guard=4 rd.klp.guard=x", KLP_GUARD_DEFAULT, true);
	assert_guard("rd.klp.guardian=1 xrd.klp.guard=1", KLP_GUARD_DEFAULT, false);
}

static void test_kdump(void **state)
{
	(void)state;
	parse("root=/dev/vda ro");
	assert_false(c.kdump);
	parse("irqpoll nr_cpus=1 elfcorehdr=0x7f000000 reset_devices");
	assert_true(c.kdump);
	parse("elfcorehdr=2048M@1G");
	assert_true(c.kdump);
	parse("xelfcorehdr=1 elfcorehdrs=1");
	assert_false(c.kdump);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(KLP_TIMEOUT_DEFAULT_MS, 10000);
	assert_defaults("");
	assert_defaults(" \t\n");
	assert_defaults("BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro quiet\n");
	assert_defaults("rd.break rd.shell=0 rd.luks=0 rd.debug klp=0 rd.kl=0");
	parse_n("rd.klp=0", 0); /* len 0: nothing looked at */
	assert_false(c.disabled);
	assert_int_equal(c.timeout_ms, 10000);
}

static void test_disable_values(void **state)
{
	(void)state;
	assert_disabled("rd.klp=0", true);
	assert_disabled("rd.klp=no", true);
	assert_disabled("rd.klp=off", true);
	assert_disabled("rd.klp=false", true);
	assert_disabled("quiet rd.klp=0 splash\n", true);
	/* disabling leaves the other options alone */
	parse("rd.klp=0");
	assert_false(c.debug);
	assert_int_equal(c.timeout_ms, 10000);
	assert_false(c.timeout_invalid);
}

static void test_enable_values(void **state)
{
	(void)state;
	assert_disabled("rd.klp=1", false);
	assert_disabled("rd.klp", false);
	assert_disabled("rd.klp=yes", false);
	assert_disabled("rd.klp=on", false);
	assert_disabled("rd.klp=", false);
	assert_disabled("rd.klp=00", false);
	assert_disabled("rd.klp=0x", false);
	assert_disabled("rd.klp=falsey", false);
}

static void test_last_occurrence_wins(void **state)
{
	(void)state;
	assert_disabled("rd.klp=0 rd.klp=1", false);
	assert_disabled("rd.klp=1 rd.klp=0", true);
	assert_disabled("rd.klp=0 rd.klp", false);
	assert_disabled("rd.klp rd.klp=off", true);
	assert_timeout("rd.klp.timeout=5 rd.klp.timeout=7", 7000, false);
	/* a later good value clears an earlier bad one */
	assert_timeout("rd.klp.timeout=abc rd.klp.timeout=5", 5000, false);
	/* a later bad value wins too: the default, as the loader's warning says */
	assert_timeout("rd.klp.timeout=5 rd.klp.timeout=abc", KLP_TIMEOUT_DEFAULT_MS, true);
	parse("rd.klp.debug rd.klp.debug=0");
	assert_false(c.debug);
	parse("rd.klp.debug=0 rd.klp.debug");
	assert_true(c.debug);
}

static void test_timeout_values(void **state)
{
	(void)state;
	assert_timeout("rd.klp.timeout=5", 5000, false);
	assert_timeout("rd.klp.timeout=0.5", 500, false);
	assert_timeout("rd.klp.timeout=2.250", 2250, false);
	assert_timeout("rd.klp.timeout=2.25", 2250, false);
	assert_timeout("rd.klp.timeout=0.001", 1, false);
	assert_timeout("rd.klp.timeout=600", 600000, false);
	assert_timeout("rd.klp.timeout=600.0", 600000, false);
	assert_timeout("rd.klp.timeout=599.999", 599999, false);
	assert_timeout("rd.klp.timeout=05", 5000, false);
	assert_timeout("rd.klp.timeout=0", 0, false);
	assert_timeout("quiet rd.klp.timeout=30 splash", 30000, false);
}

static void test_timeout_bad_values(void **state)
{
	static const char *const bad[] = {
		"601", "600.001", "600.5", "1000", "-1", "abc", "", "1.2345", "5s", "5.", ".5", "1..2",
		"1.2.3", "+5", " 5", "5 ", "0x10", "1e3", "99999999999999999999999", "4294967.296",
		"4294967301", /* 2^32 + 5 */
		"18446744073709551616", "18446744073709551621", /* 2^64 and 2^64 + 5 */
		"\"\"",
	};
	char s[64];
	size_t i;

	(void)state;
	assert_int_equal(KLP_TIMEOUT_MAX_MS, 600000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* quoted, so that values with spaces stay one word */
		snprintf(s, sizeof(s), "rd.klp.timeout=\"%s\"", bad[i]);
		assert_timeout(s, KLP_TIMEOUT_DEFAULT_MS, true);
		if (!strchr(bad[i], ' ')) {
			snprintf(s, sizeof(s), "rd.klp.timeout=%s", bad[i]);
			assert_timeout(s, KLP_TIMEOUT_DEFAULT_MS, true);
		}
	}
	/* bare, without a value */
	assert_timeout("rd.klp.timeout", KLP_TIMEOUT_DEFAULT_MS, true);
	/* a bad timeout does not disable or enable anything else */
	parse("rd.klp.timeout=abc");
	assert_false(c.disabled);
	assert_false(c.debug);
}

static void test_debug(void **state)
{
	(void)state;
	parse("rd.klp.debug");
	assert_true(c.debug);
	assert_false(c.disabled);
	parse("rd.klp.debug=1");
	assert_true(c.debug);
	parse("rd.klp.debug=0");
	assert_false(c.debug);
	parse("rd.klp.debug=off");
	assert_false(c.debug);
	parse("rd.klp.debug=yes");
	assert_true(c.debug);
	parse("quiet");
	assert_false(c.debug);
}

static void test_prefixes_do_not_match(void **state)
{
	(void)state;
	assert_defaults("rd.klpx=0");
	assert_defaults("xrd.klp=0");
	assert_defaults("rd.klp.=0");
	assert_defaults("rd.klp0");
	assert_defaults("rd.kl=0");
	assert_defaults("RD.KLP=0");
	assert_defaults("rd.klp.timeoutx=5");
	assert_defaults("rd.klp.timeou=5");
	assert_defaults("xrd.klp.timeout=5");
	assert_defaults("rd.klp.debugx");
	assert_defaults("rd.klp.debug.x");
	assert_defaults("xrd.klp.debug");
	assert_defaults("rd.klp.disable=0");
	assert_defaults("=rd.klp=0");
}

static void test_quoted_values(void **state)
{
	(void)state;
	assert_timeout("rd.klp.timeout=\"3\"", 3000, false);
	assert_timeout("rd.klp.timeout=\"0.5\" quiet", 500, false);
	assert_disabled("rd.klp=\"0\"", true);
	assert_disabled("rd.klp=\"off\"", true);
	parse("rd.klp.debug=\"0\"");
	assert_false(c.debug);
	/* the kernel accepts a whole quoted word too */
	assert_disabled("quiet \"rd.klp=0\"", true);
	assert_timeout("\"rd.klp.timeout=4\"", 4000, false);
	/* an unterminated quote is not stripped */
	assert_timeout("rd.klp.timeout=\"3", KLP_TIMEOUT_DEFAULT_MS, true);
	assert_timeout("rd.klp.timeout=3\"", KLP_TIMEOUT_DEFAULT_MS, true);
	assert_timeout("rd.klp.timeout=\"", KLP_TIMEOUT_DEFAULT_MS, true);
}

/* Words inside a quoted value are part of that value, not options. */
static void test_words_inside_quotes(void **state)
{
	(void)state;
	assert_defaults("foo=\"a rd.klp=0 b\"");
	assert_defaults("dyndbg=\"file x.c +p rd.klp.debug rd.klp.timeout=3\"");
	assert_defaults("foo=\"a\trd.klp=0\nb\"");
	/* the quote closes: what follows is an option again */
	assert_disabled("foo=\"a rd.klp=1 b\" rd.klp=0", true);
	assert_disabled("foo=\"a b\"rd.klp=0", false); /* same word as foo */
	parse("foo=\"a rd.klp=0 b\" rd.klp.debug");
	assert_true(c.debug);
	assert_false(c.disabled);
	/* an unterminated quote swallows the rest of the line */
	assert_disabled("foo=\"a rd.klp=0", false);
	assert_disabled("foo=\"a b rd.klp=0 \"", false);
}

static void test_whitespace_separators(void **state)
{
	(void)state;
	assert_disabled("quiet\trd.klp=0", true);
	assert_disabled("quiet\nrd.klp=0\n", true);
	assert_disabled("quiet\r\nrd.klp=0\r\n", true);
	assert_disabled("\t\t rd.klp=0 \t", true);
	parse("rd.klp.debug\nrd.klp.timeout=3\t rd.klp=off\n");
	assert_true(c.debug);
	assert_true(c.disabled);
	assert_int_equal(c.timeout_ms, 3000);
	assert_false(c.timeout_invalid);
	/* a trailing newline is not part of the value */
	assert_timeout("rd.klp.timeout=7\n", 7000, false);
}

/* Only len bytes count, whatever follows in memory. */
static void test_length_bounded(void **state)
{
	static const char s1[] = "rd.klp.timeout=12345";
	static const char s2[] = "rd.klp=0";
	static const char s3[] = "quiet rd.klp=0";

	(void)state;
	parse_n(s1, strlen("rd.klp.timeout=1"));
	assert_int_equal(c.timeout_ms, 1000);
	assert_false(c.timeout_invalid);
	parse_n(s1, strlen("rd.klp.timeout="));
	assert_int_equal(c.timeout_ms, KLP_TIMEOUT_DEFAULT_MS);
	assert_true(c.timeout_invalid);
	parse_n(s2, strlen("rd.klp="));
	assert_false(c.disabled);
	parse_n(s2, strlen("rd.klp"));
	assert_false(c.disabled);
	parse_n(s3, strlen("quiet rd.klp=0"));
	assert_true(c.disabled);
	parse_n(s3, strlen("quiet rd.kl"));
	assert_false(c.disabled);
}

/* A NUL byte ends the command line. */
static void test_stops_at_nul(void **state)
{
	static const char s[] = "rd.klp.debug\0rd.klp=0";

	(void)state;
	parse_n(s, sizeof(s) - 1);
	assert_true(c.debug);
	assert_false(c.disabled);
}

/* xorshift64*, fixed seed */
static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void test_random_input(void **state)
{
	static const char *const words[] = {
		"rd.klp", "rd.klp=0", "rd.klp.timeout=", "rd.klp.timeout=600", "rd.klp.debug", "\"",
		" ", "\t", "\n", "=", "600.999", ".", "9", "quiet", "foo=\"",
	};
	char buf[256];
	unsigned iter;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = 0, n = rng() % 12, i;

		if (iter & 1) {
			len = rng() % sizeof(buf);
			for (i = 0; i < len; i++)
				buf[i] = (char)rng();
		} else {
			for (i = 0; i < n; i++)
				len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
							words[rng() % (sizeof(words) / sizeof(words[0]))]);
		}
		parse_n(buf, len);
		if (c.timeout_ms > KLP_TIMEOUT_MAX_MS)
			fail_msg("iteration %u: timeout %u ms above the maximum", iter, c.timeout_ms);
		if (c.timeout_invalid && c.timeout_ms != KLP_TIMEOUT_DEFAULT_MS)
			fail_msg("iteration %u: invalid timeout but %u ms kept", iter, c.timeout_ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_disable_values),
		cmocka_unit_test(test_enable_values),
		cmocka_unit_test(test_last_occurrence_wins),
		cmocka_unit_test(test_timeout_values),
		cmocka_unit_test(test_timeout_bad_values),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_prefixes_do_not_match),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_words_inside_quotes),
		cmocka_unit_test(test_whitespace_separators),
		cmocka_unit_test(test_length_bounded),
		cmocka_unit_test(test_stops_at_nul),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_kdump),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests_name("kernel command line (rd.klp*)", tests, NULL, NULL);
}
