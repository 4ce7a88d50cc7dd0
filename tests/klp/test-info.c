// SPDX-License-Identifier: GPL-2.0-or-later
/* The livepatch info file (kmod/README.md) and the info file's path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "patch.h"

static struct klp_info info;
static char err[160];

static int parse(const char *text)
{
	err[0] = '\0';
	return klp_info_parse(text, strlen(text), &info, err, sizeof(err));
}

static void reads_the_demo_file(void **state)
{
	(void)state;
	assert_int_equal(parse("# SPDX-License-Identifier: GPL-2.0-or-later\n"
			       "# klp_demo_v2: cumulative, so it lists v1's fixes too (fictitious identifiers).\n"
			       "CVE: CVE-2099-0001 CVE-2099-0002\n"
			       "bug fixes and enhancements: demo#1 demo#2\n"),
			 0);
	assert_int_equal(info.ncve, 2);
	assert_string_equal(info.cve[0], "CVE-2099-0001");
	assert_string_equal(info.cve[1], "CVE-2099-0002");
	assert_int_equal(info.nbugs, 2);
	assert_string_equal(info.bugs[0], "demo#1");
	assert_string_equal(info.bugs[1], "demo#2");
	klp_info_free(&info);
}

static void empty_lists_of_the_initial_patch(void **state)
{
	(void)state;
	assert_int_equal(parse("CVE:\nbug fixes and enhancements:\n"), 0);
	assert_int_equal(info.ncve, 0);
	assert_int_equal(info.nbugs, 0);
	klp_info_free(&info);
	assert_int_equal(parse(""), 0);
	klp_info_free(&info);
}

static void repeated_keys_concatenate_and_words_split_on_blanks(void **state)
{
	(void)state;
	assert_int_equal(parse("CVE:\tCVE-1  CVE-2\t\n\n   # indented comment\nCVE:CVE-3\r\n"
			       "bug fixes and enhancements: bsc#1\nbug fixes and enhancements: bsc#2"),
			 0);
	assert_int_equal(info.ncve, 3);
	assert_string_equal(info.cve[0], "CVE-1");
	assert_string_equal(info.cve[1], "CVE-2");
	assert_string_equal(info.cve[2], "CVE-3");
	assert_int_equal(info.nbugs, 2);
	assert_string_equal(info.bugs[1], "bsc#2");
	klp_info_free(&info);
}

static void unknown_keys_and_odd_lines_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse("severity: high\nno colon here\ncve: lower-case key\n CVE: leading blank\n"
			       "CVE : spaced key\nCVE: CVE-9\n"),
			 0);
	assert_int_equal(info.ncve, 1);
	assert_string_equal(info.cve[0], "CVE-9");
	klp_info_free(&info);
}

static void long_lines_and_nul_bytes_are_rejected(void **state)
{
	char *text = malloc(4200);

	(void)state;
	assert_non_null(text);
	memcpy(text, "CVE: ", 5);
	memset(text + 5, 'x', 4100);
	strcpy(text + 4105, "\n");
	assert_int_equal(parse(text), -EINVAL);
	assert_non_null(strstr(err, "line 1 is longer than 4096 bytes"));
	assert_int_equal(info.ncve, 0);
	/* exactly 4096 bytes is fine */
	memset(text + 5, 'x', 4091);
	strcpy(text + 4096, "\n");
	assert_int_equal(parse(text), 0);
	assert_int_equal(info.ncve, 1);
	klp_info_free(&info);
	free(text);
	assert_int_equal(klp_info_parse("CVE: a\0b", 8, &info, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void info_path(void **state)
{
	char p[128];

	(void)state;
	assert_int_equal(klp_info_path("klp_demo_v2", "D63BF5689746FD0295B2CEB", p, sizeof(p)), 0);
	assert_string_equal(p, "/usr/share/livepatch/info/klp_demo_v2-D63BF5689746FD0295B2CEB");
	assert_int_equal(klp_info_path("klp_demo_v2", NULL, p, sizeof(p)), -EINVAL);
	assert_int_equal(klp_info_path("klp_demo_v2", "", p, sizeof(p)), -EINVAL);
	assert_int_equal(klp_info_path("../x", "A", p, sizeof(p)), -EINVAL);
	assert_int_equal(klp_info_path("x", "../../etc/passwd", p, sizeof(p)), -EINVAL);
	assert_int_equal(klp_info_path("klp_demo_v2", "D63BF5689746FD0295B2CEB", p, 20), -ENAMETOOLONG);
}

static void missing_file_is_enoent(void **state)
{
	(void)state;
	assert_int_equal(klp_info_load("/nonexistent/klp-info", &info, err, sizeof(err)), -ENOENT);
	assert_int_equal(info.ncve, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_demo_file),
		cmocka_unit_test(empty_lists_of_the_initial_patch),
		cmocka_unit_test(repeated_keys_concatenate_and_words_split_on_blanks),
		cmocka_unit_test(unknown_keys_and_odd_lines_are_skipped),
		cmocka_unit_test(long_lines_and_nul_bytes_are_rejected),
		cmocka_unit_test(info_path),
		cmocka_unit_test(missing_file_is_enoent),
	};

	return cmocka_run_group_tests_name("livepatch info file", tests, NULL, NULL);
}
