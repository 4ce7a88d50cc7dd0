// SPDX-License-Identifier: GPL-2.0-or-later
/* klp.conf parser and the choice of the active patch among candidates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "klp.h"
#include "patch.h"

static struct klp_conf conf;
static char err[256];

static int parse(const char *text)
{
	err[0] = '\0';
	return klp_conf_parse(text, strlen(text), &conf, err, sizeof(err));
}

static void pins_are_read(void **state)
{
	(void)state;
	assert_int_equal(parse("# pins\n\npin.6.1.0-56-amd64 = klp_demo_v1\n"
			       "  pin.6.1.0-57-amd64=livepatch_57  \r\n"),
			 0);
	assert_int_equal(conf.npins, 2);
	assert_string_equal(klp_conf_pin(&conf, "6.1.0-56-amd64"), "klp_demo_v1");
	assert_string_equal(klp_conf_pin(&conf, "6.1.0-57-amd64"), "livepatch_57");
	assert_null(klp_conf_pin(&conf, "6.1.0-58-amd64"));
	klp_conf_free(&conf);
}

static void kexec_is_read(void **state)
{
	(void)state;
	assert_int_equal(parse("pin.6.1 = a\n"), 0);
	assert_false(conf.kexec_reload);
	klp_conf_free(&conf);
	assert_int_equal(parse("kexec = reload\npin.6.1 = a\n"), 0);
	assert_true(conf.kexec_reload);
	assert_string_equal(klp_conf_pin(&conf, "6.1"), "a");
	klp_conf_free(&conf);
	assert_int_equal(parse("kexec = reload\nkexec=warn\n"), 0);
	assert_false(conf.kexec_reload);
	klp_conf_free(&conf);
}

static void empty_conf_is_fine(void **state)
{
	(void)state;
	assert_int_equal(parse(""), 0);
	assert_int_equal(conf.npins, 0);
	assert_int_equal(parse("# nothing\n\n"), 0);
	klp_conf_free(&conf);
}

static void bad_lines_are_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "pin.6.1 = a\nbogus\n", "line 2: expected key = value" },
		{ "patch = klp_demo_v1\n", "line 1: unknown key 'patch'" },
		{ "pin. = x\n", "expected pin.<kernel release> = <module name>" },
		{ "pin.6.1 =\n", "expected pin.<kernel release>" },
		{ "pin.6.1 = a b\n", "expected pin.<kernel release>" },
		{ "pin.6.1 = ../x\n", "expected pin.<kernel release>" },
		{ "pin.6.1 = a\npin.6.1 = b\n", "line 2: kernel 6.1 pinned twice" },
		{ "kexec = yes\n", "line 1: expected kexec = warn or kexec = reload, not 'yes'" },
		{ "kexec =\n", "line 1: expected kexec = warn or kexec = reload" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text), -EINVAL);
		if (!strstr(err, cases[i].want))
			fail_msg("'%s': error '%s' lacks '%s'", cases[i].text, err, cases[i].want);
		assert_int_equal(conf.npins, 0);
	}
}

static void nul_byte_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(klp_conf_parse("pin.a = b\0x", 11, &conf, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void missing_file_is_empty(void **state)
{
	(void)state;
	assert_int_equal(klp_conf_load("/nonexistent/klp.conf", &conf, err, sizeof(err)), 0);
	assert_int_equal(conf.npins, 0);
}

static struct klp_candidate cand(const char *path, const char *name, bool lp, const char *vermagic,
				 unsigned uid, unsigned mode)
{
	struct klp_candidate c = { 0 };

	c.path = strdup(path);
	c.name = strdup(name);
	c.livepatch = lp;
	c.vermagic = vermagic ? strdup(vermagic) : NULL;
	c.uid = uid;
	c.mode = mode;
	c.stat_ok = true;
	klp_candidate_judge(&c, "6.1.0-56-amd64");
	return c;
}

static void judge_reasons(void **state)
{
	static const char *vm = "6.1.0-56-amd64 SMP preempt mod_unload modversions ";
	struct klp_candidate c[] = {
		cand("a.ko", "a", true, vm, 0, S_IFREG | 0644),
		cand("b.ko", "b", false, vm, 0, S_IFREG | 0644),
		cand("c.ko", "c", true, "6.1.0-57-amd64 SMP", 0, S_IFREG | 0644),
		cand("d.ko", "d", true, "6.1.0-56-amd64x SMP", 0, S_IFREG | 0644),
		cand("e.ko", "e", true, vm, 1000, S_IFREG | 0644),
		cand("f.ko", "f", true, vm, 0, S_IFREG | 0664),
		cand("g.ko", "g", true, vm, 0, S_IFREG | 0646),
		cand("h.ko", "h", true, vm, 0, S_IFLNK | 0777),
		cand("i.ko", "i", true, NULL, 0, S_IFREG | 0644),
	};
	static const char *want[] = {
		NULL, "not a livepatch module", "built for another kernel", "built for another kernel",
		"not owned by root (uid 1000)", "group- or world-writable", "group- or world-writable",
		"not a regular file", "vermagic 'none'",
	};
	struct klp_candidates all = { c, sizeof(c) / sizeof(c[0]) };
	size_t i;

	(void)state;
	for (i = 0; i < all.n; i++) {
		if (!want[i])
			assert_null(c[i].problem);
		else if (!c[i].problem || !strstr(c[i].problem, want[i]))
			fail_msg("%s: problem '%s' lacks '%s'", c[i].path, c[i].problem ? c[i].problem : "(none)",
				 want[i]);
	}
	for (i = 0; i < all.n; i++) {
		free(c[i].path), free(c[i].name), free(c[i].vermagic), free(c[i].problem);
	}
}

static void select_highest_version_or_pin(void **state)
{
	static const char *vm = "6.1.0-56-amd64 SMP";
	struct klp_candidate c[] = {
		/* sorted by version as klp_candidates_scan leaves them */
		cand("/lp/livepatch_2.ko", "livepatch_2", true, vm, 0, S_IFREG | 0644),
		cand("/lp/livepatch_9.ko", "livepatch_9", true, vm, 0, S_IFREG | 0644),
		cand("/lp/livepatch_10.ko", "livepatch_10", true, vm, 0, S_IFREG | 0644),
		cand("/lp/livepatch_11.ko", "livepatch_11", true, vm, 0, S_IFREG | 0666),
	};
	struct klp_candidates all = { c, 4 };
	size_t i;

	(void)state;
	/* 11 is unusable (world-writable): 10 wins over 9 by version, not by bytes */
	assert_int_equal(klp_candidates_select(&all, NULL), 2);
	assert_int_equal(klp_candidates_select(&all, "livepatch_2"), 0);
	assert_int_equal(klp_candidates_select(&all, "livepatch_11"), -ESRCH);
	assert_int_equal(klp_candidates_select(&all, "livepatch_7"), -ESRCH);
	all.n = 0;
	assert_int_equal(klp_candidates_select(&all, NULL), -ENOENT);
	for (i = 0; i < 4; i++)
		free(c[i].path), free(c[i].name), free(c[i].vermagic), free(c[i].problem);
}

static void module_file_names(void **state)
{
	(void)state;
	assert_true(klp_is_module_file("a.ko"));
	assert_true(klp_is_module_file("a.ko.xz"));
	assert_true(klp_is_module_file("a.ko.zst"));
	assert_true(klp_is_module_file("a.ko.gz"));
	assert_false(klp_is_module_file(".ko"));
	assert_false(klp_is_module_file("a.ko.bz2"));
	assert_false(klp_is_module_file("a.o"));
	assert_false(klp_is_module_file("a.ko~"));
}

static void livepatch_dir(void **state)
{
	char d[64];

	(void)state;
	assert_int_equal(klp_livepatch_dir("", NULL, "6.1", d, sizeof(d)), 0);
	assert_string_equal(d, "/lib/modules/6.1/livepatch");
	assert_int_equal(klp_livepatch_dir("/r", NULL, "6.1", d, sizeof(d)), 0);
	assert_string_equal(d, "/r/lib/modules/6.1/livepatch");
	assert_int_equal(klp_livepatch_dir("/r", "/k/6.1", "6.1", d, sizeof(d)), 0);
	assert_string_equal(d, "/k/6.1/livepatch");
	assert_int_equal(klp_livepatch_dir("", NULL, "../x", d, sizeof(d)), -EINVAL);
	assert_int_equal(klp_livepatch_dir("", NULL, "", d, sizeof(d)), -EINVAL);
	assert_int_equal(klp_livepatch_dir("/a/very/long/root/folder/name", NULL, "6.1.0-56-amd64", d, 20),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pins_are_read),
		cmocka_unit_test(kexec_is_read),
		cmocka_unit_test(empty_conf_is_fine),
		cmocka_unit_test(bad_lines_are_errors),
		cmocka_unit_test(nul_byte_is_an_error),
		cmocka_unit_test(missing_file_is_empty),
		cmocka_unit_test(judge_reasons),
		cmocka_unit_test(select_highest_version_or_pin),
		cmocka_unit_test(module_file_names),
		cmocka_unit_test(livepatch_dir),
	};

	return cmocka_run_group_tests_name("klp.conf and patch choice", tests, NULL, NULL);
}
