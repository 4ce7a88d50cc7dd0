// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one manifest parser and writer (lib/manifest.c), both directions.
 * Parse: whatever it accepts is a well-formed manifest (every required field
 * set, names and digests within their rules) that the writer writes back to
 * the same manifest. Write: fields taken from the input are either refused
 * by the writer or written as text the parser reads back identically.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"
#include "klp-core.h"

static int all_graph(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/* Next NUL- or newline-free piece of the input, as a field value (truncated to fit). */
static void field(const uint8_t **p, const uint8_t *end, char *out, size_t len)
{
	size_t n = 0;

	while (*p < end && **p != 0xff) {
		if (n + 1 < len)
			out[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	out[n] = '\0';
}

/* The writer: fields from the input (0xff separates them); refused, or read back identically. */
static void write_direction(const uint8_t *data, size_t size)
{
	static char text[KLP_MANIFEST_MAX];
	const uint8_t *p = data, *end = data + size;
	struct klp_manifest m, back;
	char num[24], source[512], err[160];
	int r;

	memset(&m, 0, sizeof(m));
	m.format = 1;
	field(&p, end, m.kernel, sizeof(m.kernel));
	field(&p, end, m.module, sizeof(m.module));
	field(&p, end, m.file, sizeof(m.file));
	field(&p, end, num, sizeof(num));
	m.size = strtoull(num, NULL, 10);
	field(&p, end, m.sha256, sizeof(m.sha256));
	field(&p, end, m.srcversion, sizeof(m.srcversion));
	field(&p, end, source, sizeof(source));
	r = klp_manifest_format(&m, source[0] ? source : NULL, text, sizeof(text), err, sizeof(err));
	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -ENOSPC);
		return;
	}
	FUZZ_ASSERT(klp_manifest_parse(text, (size_t)r, &back, err, sizeof(err)) == 0);
	FUZZ_ASSERT(klp_manifest_equal(&m, &back));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[KLP_MANIFEST_MAX];
	struct klp_manifest m, back;
	char err[128];
	size_t i;
	int r;

	write_direction(data, size);
	r = klp_manifest_parse((const char *)data, size, &m, err, sizeof(err));
	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -ENODATA || (r == -E2BIG && size > KLP_MANIFEST_MAX));
		FUZZ_ASSERT(fuzz_terminated(err, sizeof(err)) && err[0]);
		/* the same refusal with a one-byte error buffer: truncated, not overrun */
		memset(err, 'x', sizeof(err));
		FUZZ_ASSERT(klp_manifest_parse((const char *)data, size, &m, err, 1) == r);
		FUZZ_ASSERT(err[0] == '\0' && err[1] == 'x');
		return 0;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(m.format == 1);
	FUZZ_ASSERT(fuzz_terminated(m.kernel, sizeof(m.kernel)) && m.kernel[0] && all_graph(m.kernel));
	FUZZ_ASSERT(fuzz_terminated(m.module, sizeof(m.module)) && klp_module_name_valid(m.module));
	FUZZ_ASSERT(fuzz_terminated(m.file, sizeof(m.file)) && m.file[0] && all_graph(m.file));
	FUZZ_ASSERT(!strchr(m.file, '/') && strcmp(m.file, ".") && strcmp(m.file, ".."));
	FUZZ_ASSERT(m.size > 0 && m.size <= (1ull << 30));
	FUZZ_ASSERT(strlen(m.sha256) == 64);
	for (i = 0; i < 64; i++)
		FUZZ_ASSERT((m.sha256[i] >= '0' && m.sha256[i] <= '9') || (m.sha256[i] >= 'a' && m.sha256[i] <= 'f'));
	FUZZ_ASSERT(fuzz_terminated(m.srcversion, sizeof(m.srcversion)) && all_graph(m.srcversion));
	/* what the parser accepts, the writer writes back to the same manifest */
	r = klp_manifest_format(&m, NULL, text, sizeof(text), err, sizeof(err));
	FUZZ_ASSERT(r > 0);
	FUZZ_ASSERT(klp_manifest_parse(text, (size_t)r, &back, err, sizeof(err)) == 0);
	FUZZ_ASSERT(klp_manifest_equal(&m, &back));
	return 0;
}
