// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/sha256.c: FIPS 180-4 vectors, incremental
 * updates split at every offset, the padding edges and hex formatting.
 * Expected digests come from the FIPS examples and from an independent
 * implementation (coreutils sha256sum / Python hashlib).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "klp-early.h"

static void digest_hex(const void *data, size_t len, char out[65])
{
	struct sha256 s;
	uint8_t d[32];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	sha256_hex(d, out);
}

static void assert_digest(const void *data, size_t len, const char *want)
{
	char hex[65];

	digest_hex(data, len, hex);
	assert_string_equal(hex, want);
}

static void test_fips_empty(void **state)
{
	(void)state;
	assert_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_fips_abc(void **state)
{
	(void)state;
	assert_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_fips_448_bits(void **state)
{
	static const char msg[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	assert_int_equal(strlen(msg), 56); /* 448 bits: the length needs a second block */
	assert_digest(msg, strlen(msg),
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_fips_896_bits(void **state)
{
	static const char msg[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	(void)state;
	assert_int_equal(strlen(msg), 112);
	assert_digest(msg, strlen(msg),
		      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_fips_million_a(void **state)
{
	static char chunk[1000];
	struct sha256 s;
	uint8_t d[32];
	char hex[65];
	int i;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&s);
	for (i = 0; i < 1000; i++)
		sha256_update(&s, chunk, sizeof(chunk));
	sha256_final(&s, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_million_a_one_shot(void **state)
{
	static char big[1000000];

	(void)state;
	memset(big, 'a', sizeof(big));
	assert_digest(big, sizeof(big),
		      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundaries: 55 fits one block, 56 needs two. */
static void test_padding_edges(void **state)
{
	static const struct {
		size_t len;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	char a[128];
	size_t i;

	(void)state;
	memset(a, 'a', sizeof(a));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char hex[65];

		digest_hex(a, v[i].len, hex);
		if (strcmp(hex, v[i].hex) != 0)
			fail_msg("length %zu: got %s, want %s", v[i].len, hex, v[i].hex);
	}
}

#define MSG200_HEX "2c7e18c942ef065b526a2d4e5546283749cd3ddfb51d8fc71f42717363685f46"

static void msg200(uint8_t m[200])
{
	size_t i;

	for (i = 0; i < 200; i++)
		m[i] = (uint8_t)(i * 7 + 3);
}

static void test_message200_one_shot(void **state)
{
	uint8_t m[200];

	(void)state;
	msg200(m);
	assert_digest(m, sizeof(m), MSG200_HEX);
}

/* Two updates split at every offset 0..130 give the one-shot digest. */
static void test_incremental_every_split(void **state)
{
	uint8_t m[200];
	size_t k;

	(void)state;
	msg200(m);
	for (k = 0; k <= 130; k++) {
		struct sha256 s;
		uint8_t d[32];
		char hex[65];

		sha256_init(&s);
		sha256_update(&s, m, k);
		sha256_update(&s, m + k, sizeof(m) - k);
		sha256_final(&s, d);
		sha256_hex(d, hex);
		if (strcmp(hex, MSG200_HEX) != 0)
			fail_msg("split at %zu: got %s", k, hex);
	}
}

/* Three updates (two split points), including empty middle pieces. */
static void test_incremental_three_pieces(void **state)
{
	uint8_t m[200];
	size_t j, k;

	(void)state;
	msg200(m);
	for (j = 0; j <= 130; j += 3) {
		for (k = j; k <= 200; k += 7) {
			struct sha256 s;
			uint8_t d[32];
			char hex[65];

			sha256_init(&s);
			sha256_update(&s, m, j);
			sha256_update(&s, m + j, k - j);
			sha256_update(&s, m + k, sizeof(m) - k);
			sha256_final(&s, d);
			sha256_hex(d, hex);
			if (strcmp(hex, MSG200_HEX) != 0)
				fail_msg("split at %zu and %zu: got %s", j, k, hex);
		}
	}
}

static void test_incremental_byte_by_byte(void **state)
{
	uint8_t m[200], d[32];
	struct sha256 s;
	char hex[65];
	size_t i;

	(void)state;
	msg200(m);
	sha256_init(&s);
	for (i = 0; i < sizeof(m); i++) {
		sha256_update(&s, m + i, 1);
		sha256_update(&s, m + i, 0); /* empty updates change nothing */
	}
	sha256_final(&s, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, MSG200_HEX);
}

/* sha256_init resets a used context completely. */
static void test_init_resets(void **state)
{
	struct sha256 s;
	uint8_t d[32];
	char hex[65];

	(void)state;
	sha256_init(&s);
	sha256_update(&s, "some earlier data", 17);
	sha256_init(&s);
	sha256_update(&s, "abc", 3);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hex_format(void **state)
{
	uint8_t d[32];
	char out[70];
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		d[i] = (uint8_t)((i / 2) * 0x10 + (i & 1 ? 0x0f : 0));
	d[31] = 0xff;
	memset(out, '#', sizeof(out));
	sha256_hex(d, out);
	assert_string_equal(out, "000f101f202f303f404f505f606f707f808f909fa0afb0bfc0cfd0dfe0eff0ff");
	assert_int_equal(strlen(out), 64);
	/* exactly 65 bytes written, nothing after */
	for (i = 65; i < (int)sizeof(out); i++)
		assert_int_equal(out[i], '#');
}

static void test_hex_lowercase_only(void **state)
{
	uint8_t d[32];
	char out[65];

	(void)state;
	memset(d, 0xab, sizeof(d));
	sha256_hex(d, out);
	assert_string_equal(out, "abababababababababababababababababababababababababababababababab");
	memset(d, 0, sizeof(d));
	sha256_hex(d, out);
	assert_string_equal(out, "0000000000000000000000000000000000000000000000000000000000000000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_empty),
		cmocka_unit_test(test_fips_abc),
		cmocka_unit_test(test_fips_448_bits),
		cmocka_unit_test(test_fips_896_bits),
		cmocka_unit_test(test_fips_million_a),
		cmocka_unit_test(test_million_a_one_shot),
		cmocka_unit_test(test_padding_edges),
		cmocka_unit_test(test_message200_one_shot),
		cmocka_unit_test(test_incremental_every_split),
		cmocka_unit_test(test_incremental_three_pieces),
		cmocka_unit_test(test_incremental_byte_by_byte),
		cmocka_unit_test(test_init_resets),
		cmocka_unit_test(test_hex_format),
		cmocka_unit_test(test_hex_lowercase_only),
	};

	return cmocka_run_group_tests_name("sha256 (FIPS 180-4)", tests, NULL, NULL);
}
