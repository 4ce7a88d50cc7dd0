// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/errmap.c: errno values as names and as words an
 * admin reading the boot log understands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "klp-early.h"

static void assert_contains(const char *s, const char *needle)
{
	assert_non_null(s);
	if (!strstr(s, needle))
		fail_msg("'%s' lacks '%s'", s, needle);
}

static void test_key_errors(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(EKEYREJECTED), "EKEYREJECTED");
	assert_contains(klp_errno_words(EKEYREJECTED), "signature rejected");
	assert_contains(klp_errno_words(EKEYREJECTED), "sig_enforce");
	assert_string_equal(klp_errno_name(EKEYEXPIRED), "EKEYEXPIRED");
	assert_contains(klp_errno_words(EKEYEXPIRED), "expired");
	assert_string_equal(klp_errno_name(ENOKEY), "ENOKEY");
	assert_contains(klp_errno_words(ENOKEY), "not trusted");
}

static void test_eperm(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(EPERM), "EPERM");
	assert_contains(klp_errno_words(EPERM), "not permitted");
	assert_contains(klp_errno_words(EPERM), "lockdown");
}

static void test_enoexec(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(ENOEXEC), "ENOEXEC");
	assert_contains(klp_errno_words(ENOEXEC), "invalid module format");
}

static void test_eexist(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(EEXIST), "EEXIST");
	assert_string_equal(klp_errno_words(EEXIST), "already loaded");
}

static void test_ebusy(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(EBUSY), "EBUSY");
	assert_contains(klp_errno_words(EBUSY), "transition");
}

/* Every known name matches its macro: a wrong constant in the table shows. */
#define E(x) { x, #x }
static const struct {
	int err;
	const char *name;
} known[] = {
	E(EKEYREJECTED), E(EKEYEXPIRED), E(EKEYREVOKED), E(ENOKEY),  E(EPERM),   E(EACCES),
	E(ENOEXEC),      E(EEXIST),      E(EBUSY),       E(EINVAL),  E(ENOENT),  E(ENOMEM),
	E(ENOSPC),       E(ENODEV),      E(ENOSYS),      E(ETIMEDOUT), E(EIO),   E(EFBIG),
	E(EBADMSG),      E(EROFS),       E(ENOTDIR),     E(EISDIR),  E(ELOOP),   E(ENODATA),
	E(E2BIG),
};
#undef E

static void test_table_names_match_macros(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *w = klp_errno_words(known[i].err);

		assert_string_equal(klp_errno_name(known[i].err), known[i].name);
		assert_non_null(w);
		if (!w[0] || strcmp(w, "unexpected error") == 0 || strpbrk(w, "\n\r\t"))
			fail_msg("%s: words '%s'", known[i].name, w);
	}
}

static void test_negative_same_as_positive(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int e = known[i].err;

		assert_string_equal(klp_errno_name(-e), klp_errno_name(e));
		assert_ptr_equal(klp_errno_words(-e), klp_errno_words(e));
	}
	assert_string_equal(klp_errno_name(-EKEYREJECTED), "EKEYREJECTED");
	assert_string_equal(klp_errno_name(-4095), "E4095");
}

static void test_unknown(void **state)
{
	(void)state;
	assert_string_equal(klp_errno_name(4095), "E4095");
	assert_string_equal(klp_errno_words(4095), "unexpected error");
	assert_string_equal(klp_errno_name(-4095), "E4095");
	assert_string_equal(klp_errno_words(-4095), "unexpected error");
	assert_string_equal(klp_errno_name(0), "E0");
	assert_string_equal(klp_errno_words(0), "unexpected error");
	assert_string_equal(klp_errno_name(EXDEV), "E18");
	assert_string_equal(klp_errno_words(-EXDEV), "unexpected error");
	assert_string_equal(klp_errno_name(2147483647), "E2147483647");
	assert_string_equal(klp_errno_name(-2147483647), "E2147483647");
	/* found by tests/fuzz/fuzz-status: -INT_MIN overflowed (UBSan) */
	assert_string_equal(klp_errno_name(-2147483647 - 1), "E2147483648");
	assert_string_equal(klp_errno_words(-2147483647 - 1), "unexpected error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_eperm),
		cmocka_unit_test(test_enoexec),
		cmocka_unit_test(test_eexist),
		cmocka_unit_test(test_ebusy),
		cmocka_unit_test(test_table_names_match_macros),
		cmocka_unit_test(test_negative_same_as_positive),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests_name("errno names and words", tests, NULL, NULL);
}
