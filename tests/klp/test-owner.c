// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading rpm -qf and dpkg -S answers, the taint letters, the choice of
 * decompressor, and the helper runner (no shell, hard timeout).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "kernel.h"
#include "patch.h"
#include "payload.h"
#include "util.h"

static void rpm_answers(void **state)
{
	char *pkg = NULL;

	(void)state;
	assert_int_equal(klp_owner_parse_rpm("kernel-livepatch-5_3_18-24_29-default-2-2.1.x86_64\n", &pkg), 0);
	assert_string_equal(pkg, "kernel-livepatch-5_3_18-24_29-default-2-2.1.x86_64");
	free(pkg);
	assert_int_equal(klp_owner_parse_rpm("a-1-1.noarch\nb-2-1.noarch\n", &pkg), 0);
	assert_string_equal(pkg, "a-1-1.noarch, b-2-1.noarch");
	free(pkg);
	assert_int_equal(klp_owner_parse_rpm("file /x is not owned by any package\n", &pkg), -ENOENT);
	assert_null(pkg);
	assert_int_equal(klp_owner_parse_rpm("", &pkg), -ENOENT);
	assert_null(pkg);
}

static void dpkg_answers(void **state)
{
	const char *path = "/lib/modules/6.1.0-56-amd64/livepatch/klp_demo_v2.ko";
	char *pkg = NULL;

	(void)state;
	assert_int_equal(klp_owner_parse_dpkg("klp-demo: /lib/modules/6.1.0-56-amd64/livepatch/klp_demo_v2.ko\n",
					      path, &pkg),
			 0);
	assert_string_equal(pkg, "klp-demo");
	free(pkg);
	assert_int_equal(klp_owner_parse_dpkg("diversion by local from: /lib/modules/6.1.0-56-amd64/livepatch/"
					      "klp_demo_v2.ko\n"
					      "diversion by local to: /x\n"
					      "klp-demo:amd64, other: /lib/modules/6.1.0-56-amd64/livepatch/klp_demo_v2.ko",
					      path, &pkg),
			 0);
	assert_string_equal(pkg, "klp-demo:amd64, other");
	free(pkg);
	/* a match of another path (dpkg -S takes patterns) is not an owner */
	assert_int_equal(klp_owner_parse_dpkg("x: /lib/modules/6.1.0-56-amd64/livepatch/klp_demo_v2.ko.old\n", path,
					      &pkg),
			 -ENOENT);
	assert_null(pkg);
}

static void taint_letters(void **state)
{
	char buf[128];

	(void)state;
	klp_taint_letters(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	klp_taint_letters(45056, buf, sizeof(buf)); /* O E K */
	assert_string_equal(buf, "OEK");
	klp_taint_letters(1 | 512 | (1UL << 18), buf, sizeof(buf));
	assert_string_equal(buf, "PWN");
	klp_taint_letters(1UL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "?");
	klp_taint_explain(32768, buf, sizeof(buf));
	assert_string_equal(buf, "K: live patched");
	klp_taint_explain(4096 | (1UL << 20), buf, sizeof(buf));
	assert_string_equal(buf, "O: out-of-tree module, bit 20: unknown");
	assert_string_equal(klp_taint_words('E'), "unsigned module");
	assert_null(klp_taint_words('Z'));
}

static void decompressor_by_suffix(void **state)
{
	(void)state;
	assert_string_equal(klp_decompressor("/a/b.ko.xz")[0], "xz");
	assert_string_equal(klp_decompressor("b.ko.zst")[0], "zstd");
	assert_string_equal(klp_decompressor("b.ko.gz")[0], "gzip");
	assert_null(klp_decompressor("b.ko"));
	assert_null(klp_decompressor("xz"));
}

static void spawn_runs_without_a_shell_and_is_bounded(void **state)
{
	const char *echo[] = { "echo", "a b;", "$HOME", NULL };
	const char *sleeper[] = { "sleep", "10", NULL };
	const char *missing[] = { "klp-no-such-program", NULL };
	const char *failing[] = { "false", NULL };
	char *out = NULL;

	(void)state;
	assert_int_equal(klp_spawn(echo, -1, -1, &out, 5000, false), 0);
	assert_string_equal(out, "a b; $HOME\n");
	free(out);
	assert_int_equal(klp_spawn(sleeper, -1, -1, &out, 200, false), -ETIMEDOUT);
	assert_null(out);
	assert_int_equal(klp_spawn(missing, -1, -1, &out, 1000, false), -ENOENT);
	assert_int_equal(klp_spawn(failing, -1, -1, NULL, 1000, false), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rpm_answers),
		cmocka_unit_test(dpkg_answers),
		cmocka_unit_test(taint_letters),
		cmocka_unit_test(decompressor_by_suffix),
		cmocka_unit_test(spawn_runs_without_a_shell_and_is_bounded),
	};

	return cmocka_run_group_tests_name("owner, taint, decompressor, spawn", tests, NULL, NULL);
}
