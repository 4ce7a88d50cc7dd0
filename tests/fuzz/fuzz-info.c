// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's reader of livepatch info files (tools/klp/info.c): the CVE and bug
 * lists it returns are non-empty words without blanks, and freeing them is
 * complete (LeakSanitizer runs after every input).
 */
#include <errno.h>

#include "fuzz.h"
#include "klp.h"
#include "patch.h"

static void check_words(char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		FUZZ_ASSERT(v[i] && v[i][0] && !strpbrk(v[i], " \t\r\n"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_info info;
	char err[128];
	int r = klp_info_parse((const char *)data, size, &info, err, sizeof(err));

	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL && err[0] && fuzz_terminated(err, sizeof(err)));
		FUZZ_ASSERT(!info.cve && !info.ncve && !info.bugs && !info.nbugs);
		return 0;
	}
	FUZZ_ASSERT(r == 0);
	check_words(info.cve, info.ncve);
	check_words(info.bugs, info.nbugs);
	klp_info_free(&info);
	return 0;
}
