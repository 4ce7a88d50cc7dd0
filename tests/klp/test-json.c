// SPDX-License-Identifier: GPL-2.0-or-later
/* The --json writer: separators, nesting, escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "json.h"

static char *buf;
static size_t len;
static FILE *out;
static struct klp_json j;

static int setup(void **state)
{
	(void)state;
	out = open_memstream(&buf, &len);
	klp_json_init(&j, out);
	return out ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fclose(out);
	free(buf);
	return 0;
}

static void expect(const char *want)
{
	fflush(out);
	assert_string_equal(buf, want);
}

static void nested_document(void **state)
{
	(void)state;
	klp_json_object_begin(&j);
	klp_json_kv_string(&j, "state", "ready");
	klp_json_key(&j, "patches");
	klp_json_array_begin(&j);
	klp_json_object_begin(&j);
	klp_json_kv_string(&j, "name", "klp_demo_v1");
	klp_json_kv_bool(&j, "enabled", true);
	klp_json_kv_int(&j, "transition", 0);
	klp_json_key(&j, "applied_at_s");
	klp_json_double(&j, 0.0812345, 3);
	klp_json_key(&j, "rpm");
	klp_json_null(&j);
	klp_json_object_end(&j);
	klp_json_object_begin(&j);
	klp_json_object_end(&j);
	klp_json_array_end(&j);
	klp_json_key(&j, "empty");
	klp_json_array_begin(&j);
	klp_json_array_end(&j);
	klp_json_object_end(&j);
	expect("{\"state\":\"ready\",\"patches\":[{\"name\":\"klp_demo_v1\",\"enabled\":true,"
	       "\"transition\":0,\"applied_at_s\":0.081,\"rpm\":null},{}],\"empty\":[]}\n");
}

static void strings_are_escaped(void **state)
{
	(void)state;
	klp_json_array_begin(&j);
	klp_json_string(&j, "a\"b\\c\nd\te\x01\x7f");
	klp_json_string(&j, NULL);
	klp_json_string(&j, "h\xc3\xa9");
	klp_json_array_end(&j);
	expect("[\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\",null,\"h\xc3\xa9\"]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nested_document, setup, teardown),
		cmocka_unit_test_setup_teardown(strings_are_escaped, setup, teardown),
	};

	return cmocka_run_group_tests_name("klp json writer", tests, NULL, NULL);
}
