// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/verify.c: the verdict on a patch file's bytes against
 * its manifest, shared by klp-early (before finit_module) and klp (on the
 * file an initrd embeds). Fed in pieces of every size, the verdict is the
 * same; the size, the ELF header and the sha256 each refuse on their own.
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
#include "elf-vectors.h"

#define FILE_LEN 1000

static uint8_t file[FILE_LEN];
static struct klp_manifest m;

static int setup(void **state)
{
	struct sha256 h;
	uint8_t d[32];
	int native = elf_vector_native();
	size_t i;

	(void)state;
	if (native < 0)
		return -1;
	for (i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 7);
	memcpy(file, elf_vectors[native].h, 64);
	sha256_init(&h);
	sha256_update(&h, file, sizeof(file));
	sha256_final(&h, d);
	memset(&m, 0, sizeof(m));
	m.format = 1;
	m.size = sizeof(file);
	sha256_hex(d, m.sha256);
	return 0;
}

/* Feeds file[0..len) in pieces of step bytes and returns the verdict. */
static int verdict(const uint8_t *data, size_t len, size_t step, char hex[65], char *why, size_t whylen)
{
	struct klp_verify v;
	size_t off;

	klp_verify_init(&v);
	for (off = 0; off < len; off += step)
		klp_verify_update(&v, data + off, len - off < step ? len - off : step);
	return klp_verify_finish(&v, &m, hex, why, whylen);
}

static void accepted_in_any_pieces(void **state)
{
	static const size_t steps[] = { 1, 3, 19, 20, 63, 64, 65, 999, 1000, 4096 };
	char hex[65], why[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		why[0] = '\0';
		assert_int_equal(verdict(file, sizeof(file), steps[i], hex, why, sizeof(why)), 0);
		assert_string_equal(hex, m.sha256);
		assert_string_equal(why, "");
	}
}

static void size_refused(void **state)
{
	char why[160];

	(void)state;
	assert_int_equal(verdict(file, sizeof(file) - 1, 64, NULL, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "size mismatch: 999 bytes, manifest says 1000");
	assert_int_equal(klp_verify_size(1001, &m, why, sizeof(why)), -EINVAL);
	assert_int_equal(klp_verify_size(1000, &m, why, sizeof(why)), 0);
}

static void sha_refused(void **state)
{
	static uint8_t copy[FILE_LEN];
	char hex[65], why[160];

	(void)state;
	memcpy(copy, file, sizeof(copy));
	copy[FILE_LEN - 1] ^= 1;
	assert_int_equal(verdict(copy, sizeof(copy), 100, hex, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "sha256 mismatch"));
	assert_string_not_equal(hex, m.sha256);
}

/* The ELF check sees the first bytes however they were fed; a file too short for a header is refused. */
static void not_a_module_refused(void **state)
{
	static uint8_t copy[FILE_LEN];
	char why[160];
	size_t i;

	(void)state;
	memcpy(copy, file, sizeof(copy));
	copy[16] = 2; /* ET_EXEC, not a relocatable object */
	assert_int_equal(verdict(copy, sizeof(copy), 1, NULL, why, sizeof(why)), -ENOEXEC);
	assert_non_null(strstr(why, "relocatable"));
	for (i = 0; i < ELF_NVECTORS; i++) {
		const char *want = elf_vector_verdict(i);
		memcpy(copy, file, sizeof(copy));
		memcpy(copy, elf_vectors[i].h, 64);
		if (want)
			assert_int_equal(verdict(copy, sizeof(copy), 7, NULL, why, sizeof(why)), -ENOEXEC);
	}
	m.size = 10;
	assert_int_equal(verdict(file, 10, 10, NULL, why, sizeof(why)), -ENOEXEC);
	m.size = sizeof(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted_in_any_pieces),
		cmocka_unit_test(size_refused),
		cmocka_unit_test(sha_refused),
		cmocka_unit_test(not_a_module_refused),
	};

	return cmocka_run_group_tests_name("verify: a patch file against its manifest", tests, setup, NULL);
}
