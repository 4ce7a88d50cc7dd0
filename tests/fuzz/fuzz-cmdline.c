// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loader's kernel command line parser (lib/cmdline.c): whatever
 * a boot prompt holds, the timeout stays within its bounds and an invalid
 * value keeps the default.
 */
#include "fuzz.h"
#include "klp-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_cmdline c;
	char *s;

	/* /proc/cmdline as read: a length, NUL bytes allowed (they end the line) */
	klp_cmdline_parse((const char *)data, size, &c);
	FUZZ_ASSERT(c.timeout_ms <= KLP_TIMEOUT_MAX_MS);
	FUZZ_ASSERT(!c.timeout_invalid || c.timeout_ms == KLP_TIMEOUT_DEFAULT_MS);

	/* the same bytes NUL-terminated give the same answer up to the first NUL */
	s = fuzz_text(data, size);
	{
		struct klp_cmdline d;
		size_t n = strlen(s);

		klp_cmdline_parse(s, n + 1, &d);
		FUZZ_ASSERT(d.disabled == c.disabled && d.debug == c.debug && d.timeout_ms == c.timeout_ms &&
			    d.timeout_invalid == c.timeout_invalid);
	}
	free(s);
	return 0;
}
