// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/elfcheck.c: the ELF header sanity check that
 * turns a bare ENOEXEC into a reason. Headers are passed in heap buffers of
 * exactly the given length so that ASan reports any read past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf-vectors.h"
#include "klp-early.h"

#if defined(__x86_64__)
#define NATIVE_EM EM_X86_64
#elif defined(__s390x__)
#define NATIVE_EM EM_S390
#elif defined(__powerpc64__)
#define NATIVE_EM EM_PPC64
#elif defined(__aarch64__)
#define NATIVE_EM EM_AARCH64
#else
#define NATIVE_EM EM_NONE
#endif
#define BIG_ENDIAN_HOST (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

static const char *why;

static void put16(uint8_t *p, uint16_t v, bool big)
{
	p[big ? 0 : 1] = (uint8_t)(v >> 8);
	p[big ? 1 : 0] = (uint8_t)v;
}

/* A minimal relocatable ELF64 header for this machine. */
static void native_header(uint8_t h[64])
{
	memset(h, 0, 64);
	memcpy(h, ELFMAG, SELFMAG);
	h[EI_CLASS] = ELFCLASS64;
	h[EI_DATA] = BIG_ENDIAN_HOST ? ELFDATA2MSB : ELFDATA2LSB;
	h[EI_VERSION] = EV_CURRENT;
	put16(h + 16, ET_REL, BIG_ENDIAN_HOST);
	put16(h + 18, NATIVE_EM, BIG_ENDIAN_HOST);
	h[20] = EV_CURRENT;
	put16(h + 52, 64, BIG_ENDIAN_HOST); /* e_ehsize */
}

static int check_n(const uint8_t *h, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, h, len);
	why = NULL;
	r = klp_elf_check(buf, len, &why);
	free(buf);
	return r;
}

static void expect_reject(const uint8_t *h, size_t len, const char *needle)
{
	assert_int_equal(check_n(h, len), -ENOEXEC);
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("why '%s' lacks '%s'", why, needle);
}

static void test_valid_native(void **state)
{
	uint8_t h[64];

	(void)state;
	native_header(h);
	assert_int_equal(check_n(h, sizeof(h)), 0);
	assert_int_equal(check_n(h, 20), 0); /* 20 bytes hold all that is checked */
}

/*
 * Real module headers of every platform (elf-vectors.h): this build accepts
 * its own machine's only, and says why it refuses each of the others: the
 * big-endian s390x one on a little-endian machine for its byte order, the
 * x86-64 one on ppc64le (both little-endian) for its machine, and so on.
 */
static void test_platform_vectors(void **state)
{
	size_t i;
	int accepted = 0;

	(void)state;
	for (i = 0; i < ELF_NVECTORS; i++) {
		const char *want = elf_vector_verdict(i);
		int r = check_n(elf_vectors[i].h, sizeof(elf_vectors[i].h));

		if (!want) {
			if (r != 0)
				fail_msg("%s header refused: %s", elf_vectors[i].name, why);
			accepted++;
			continue;
		}
		if (r != -ENOEXEC || !why || !strstr(why, want))
			fail_msg("%s header: got %d '%s', want a refusal for '%s'", elf_vectors[i].name, r,
				 why ? why : "", want);
	}
	if (elf_vector_native() >= 0)
		assert_int_equal(accepted, 1);
	print_message("ELF vectors: this build is %s, accepted %d of %zu\n",
		      elf_vector_native() >= 0 ? elf_vectors[elf_vector_native()].name : "another machine",
		      accepted, ELF_NVECTORS);
}

/* The vectors are what they say: the fields read back in their own byte order. */
static void test_vectors_consistent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ELF_NVECTORS; i++) {
		const uint8_t *h = elf_vectors[i].h;
		bool big = elf_vectors[i].big_endian;
		uint16_t type = big ? (uint16_t)(h[16] << 8 | h[17]) : (uint16_t)(h[17] << 8 | h[16]);
		uint16_t machine = big ? (uint16_t)(h[18] << 8 | h[19]) : (uint16_t)(h[19] << 8 | h[18]);

		assert_int_equal(h[EI_DATA], big ? ELFDATA2MSB : ELFDATA2LSB);
		assert_int_equal(h[EI_CLASS], ELFCLASS64);
		assert_int_equal(type, ET_REL);
		assert_int_equal(machine, elf_vectors[i].machine);
	}
}

static void test_bad_magic(void **state)
{
	uint8_t h[64];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		native_header(h);
		h[i] ^= 0x20;
		expect_reject(h, sizeof(h), "not an ELF file");
	}
	memset(h, 0, sizeof(h));
	expect_reject(h, sizeof(h), "not an ELF file");
	memcpy(h, "format=1\nkernel=6.1.0-56-amd64\nmodule=klp_demo_v1\n", 50);
	expect_reject(h, sizeof(h), "not an ELF file");
}

static void test_compressed(void **state)
{
	static const struct {
		const char *name;
		uint8_t magic[6];
		size_t n;
	} comp[] = {
		{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
		{ "gzip", { 0x1f, 0x8b, 0x08 }, 3 },
	};
	uint8_t h[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(comp) / sizeof(comp[0]); i++) {
		native_header(h); /* the rest looks fine: only the magic is wrong */
		memcpy(h, comp[i].magic, comp[i].n);
		assert_int_equal(check_n(h, sizeof(h)), -ENOEXEC);
		assert_non_null(why);
		if (!strstr(why, "compressed"))
			fail_msg("%s: why '%s' does not mention compression", comp[i].name, why);
	}
}

static void test_elf_class(void **state)
{
	uint8_t h[64];

	(void)state;
	native_header(h);
	h[EI_CLASS] = ELFCLASS32;
	expect_reject(h, sizeof(h), "class");
	h[EI_CLASS] = ELFCLASSNONE;
	expect_reject(h, sizeof(h), "class");
	h[EI_CLASS] = 3;
	expect_reject(h, sizeof(h), "class");
}

static void test_byte_order(void **state)
{
	uint8_t h[64];

	(void)state;
	native_header(h);
	h[EI_DATA] = BIG_ENDIAN_HOST ? ELFDATA2LSB : ELFDATA2MSB;
	expect_reject(h, sizeof(h), "byte order");
	/* a well-formed header of the other byte order is refused too */
	put16(h + 16, ET_REL, !BIG_ENDIAN_HOST);
	put16(h + 18, NATIVE_EM, !BIG_ENDIAN_HOST);
	expect_reject(h, sizeof(h), "byte order");
	h[EI_DATA] = ELFDATANONE;
	expect_reject(h, sizeof(h), "byte order");
	h[EI_DATA] = 3;
	expect_reject(h, sizeof(h), "byte order");
}

static void test_elf_type(void **state)
{
	static const uint16_t types[] = { ET_NONE, ET_EXEC, ET_DYN, ET_CORE, 0x0100, 0xff00 };
	uint8_t h[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		native_header(h);
		put16(h + 16, types[i], BIG_ENDIAN_HOST);
		expect_reject(h, sizeof(h), "not a kernel module");
		assert_non_null(strstr(why, "relocatable"));
	}
	/* ET_REL in the wrong byte order is not ET_REL */
	native_header(h);
	put16(h + 16, ET_REL, !BIG_ENDIAN_HOST);
	expect_reject(h, sizeof(h), "relocatable");
}

static void test_machine(void **state)
{
	static const uint16_t machines[] = { EM_AARCH64, EM_386, EM_X86_64, EM_S390, EM_PPC64,
					     EM_RISCV, 0 };
	uint8_t h[64];
	size_t i;
	int rejected = 0;

	(void)state;
	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		native_header(h);
		put16(h + 18, machines[i], BIG_ENDIAN_HOST);
		if (NATIVE_EM != EM_NONE && machines[i] == NATIVE_EM) {
			assert_int_equal(check_n(h, sizeof(h)), 0);
			continue;
		}
		if (NATIVE_EM == EM_NONE)
			continue; /* unknown build target: machine not checked */
		expect_reject(h, sizeof(h), "another architecture");
		rejected++;
	}
#if defined(__x86_64__)
	assert_int_equal(rejected, 6);
	/* little-endian EM_AARCH64, the likeliest wrong build */
	native_header(h);
	put16(h + 18, EM_AARCH64, false);
	expect_reject(h, sizeof(h), "another architecture");
#endif
}

/* Every length below 20 is refused, without reading past it. */
static void test_short_buffers(void **state)
{
	uint8_t h[64];
	size_t len;

	(void)state;
	native_header(h);
	for (len = 0; len < 20; len++) {
		if (check_n(h, len) != -ENOEXEC)
			fail_msg("length %zu accepted", len);
		assert_non_null(why);
	}
	assert_int_equal(check_n(h, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_native),
		cmocka_unit_test(test_platform_vectors),
		cmocka_unit_test(test_vectors_consistent),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_elf_class),
		cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_elf_type),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_short_buffers),
	};

	return cmocka_run_group_tests_name("ELF header check", tests, NULL, NULL);
}
