// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash-loop guard's record (lib/guard.c), read back from an
 * EFI variable anyone with root (or a firmware bug) may have written: a
 * record that parses formats back to the same bytes, and counting an attempt
 * keeps it within its bounds.
 */
#include "fuzz.h"
#include "klp-core.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_guard g;
	char out[1024];
	unsigned n, before;
	int len;

	if (klp_guard_parse((const char *)data, size, &g) < 0)
		return 0;
	FUZZ_ASSERT(g.n <= KLP_GUARD_RECS);
	len = klp_guard_format(&g, out, sizeof(out));
	FUZZ_ASSERT(len >= 0 && (size_t)len == size && memcmp(out, data, size) == 0);

	before = g.n;
	if (klp_guard_decide(&g, "klp_demo_v1", SHA, "0a1b2c3d", 3, &n)) {
		FUZZ_ASSERT(n >= 3 && g.n == before);
	} else {
		FUZZ_ASSERT(n >= 1 && n <= KLP_GUARD_ATTEMPTS_MAX && g.n >= 1 && g.n <= KLP_GUARD_RECS);
		len = klp_guard_format(&g, out, sizeof(out));
		FUZZ_ASSERT(len > 0);
		FUZZ_ASSERT(klp_guard_parse(out, (size_t)len, &g) == 0);
	}
	(void)klp_guard_forget_boot(&g, "0a1b2c3d", NULL, NULL);
	for (n = 0; n < g.n; n++)
		FUZZ_ASSERT(strcmp(g.rec[n].boot, "0a1b2c3d") != 0);
	return 0;
}
