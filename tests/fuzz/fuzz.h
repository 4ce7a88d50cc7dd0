/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the libFuzzer targets (tests/fuzz/fuzz-*.c): a
 * NUL-terminated copy of the input, a little byte consumer, and an assertion
 * that turns a broken invariant into a crash libFuzzer records.
 */
#ifndef KLP_FUZZ_H
#define KLP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(c)                                                                     \
	do {                                                                               \
		if (!(c)) {                                                                \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* A malloc'd copy of the input with a NUL after it (the input may hold NULs too). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* True when s[0..n) is NUL-terminated within n bytes. */
static inline int fuzz_terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* Takes bytes from the front of the input; 0 when it is used up. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* The bytes up to the next separator byte (or the end), as a malloc'd string. */
static inline char *fuzz_field(struct fuzz_in *in, uint8_t sep)
{
	const uint8_t *e = in->n ? memchr(in->p, sep, in->n) : NULL;
	size_t k = e ? (size_t)(e - in->p) : in->n;
	char *s = malloc(k + 1);

	if (!s)
		abort();
	if (k)
		memcpy(s, in->p, k);
	s[k] = '\0';
	in->p += k + (e ? 1 : 0);
	in->n -= k + (e ? 1 : 0);
	return s;
}

#endif
