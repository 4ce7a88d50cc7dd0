// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loader's manifest parser (early-loader/manifest.c), which decides what
 * klp-early hands to the kernel. Whatever it accepts must be a well-formed
 * manifest: every required field set, names and digests within their rules.
 */
#include <errno.h>

#include "fuzz.h"
#include "klp-early.h"

static int all_graph(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_manifest m;
	char err[128];
	size_t i;
	int r;

	/* the loader reads at most KLP_MANIFEST_MAX bytes; the parser takes any length */
	r = klp_manifest_parse((const char *)data, size, &m, err, sizeof(err));
	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -ENODATA);
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
	return 0;
}
