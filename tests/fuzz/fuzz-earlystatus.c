// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's reader of /run/klp/early.status (tools/klp/earlystatus.c) on any
 * bytes, and the sentences klp status makes of what it accepted.
 */
#include <errno.h>

#include "fuzz.h"
#include "klp.h"
#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_early_record e[2];
	char err[128], line[256];
	int r = klp_early_parse((const char *)data, size, &e[0], err, sizeof(err));

	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL && fuzz_terminated(err, sizeof(err)) && err[0]);
		/* no error buffer at all is allowed */
		FUZZ_ASSERT(klp_early_parse((const char *)data, size, &e[1], NULL, 0) == r);
		return 0;
	}
	FUZZ_ASSERT(r == 0 && e[0].format == 1);
	FUZZ_ASSERT(fuzz_terminated(e[0].mode, sizeof(e[0].mode)) && fuzz_terminated(e[0].kernel, sizeof(e[0].kernel)) &&
		    fuzz_terminated(e[0].patch, sizeof(e[0].patch)) && fuzz_terminated(e[0].result, sizeof(e[0].result)) &&
		    fuzz_terminated(e[0].error, sizeof(e[0].error)) &&
		    fuzz_terminated(e[0].message, sizeof(e[0].message)));
	klp_early_describe(&e[0], line, sizeof(line));
	FUZZ_ASSERT(fuzz_terminated(line, sizeof(line)));
	klp_early_summary(&e[0], line, sizeof(line));
	FUZZ_ASSERT(fuzz_terminated(line, sizeof(line)));
	klp_early_summary(&e[0], line, 1);
	FUZZ_ASSERT(line[0] == '\0');
	e[1] = e[0];
	FUZZ_ASSERT(klp_early_find(e, 2, e[0].patch) == (klp_early_loaded(&e[0]) ? &e[1] : NULL));
	(void)klp_early_in_initrd(&e[0]);
	return 0;
}
