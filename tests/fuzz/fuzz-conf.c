// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's reader of /etc/klp/klp.conf (tools/klp/conf.c): every pin it keeps
 * names a kernel and a module without blanks or slashes, a kernel is pinned
 * once, and lookups find it.
 */
#include <errno.h>

#include "fuzz.h"
#include "klp.h"
#include "patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_conf c;
	char err[128];
	size_t i;
	int r = klp_conf_parse((const char *)data, size, &c, err, sizeof(err));

	if (r < 0) {
		FUZZ_ASSERT((r == -EINVAL && err[0] && fuzz_terminated(err, sizeof(err))) || r == -ENOMEM);
		FUZZ_ASSERT(!c.npins && !c.pin_kver && !c.pin_module);
		return 0;
	}
	FUZZ_ASSERT(r == 0);
	for (i = 0; i < c.npins; i++) {
		FUZZ_ASSERT(c.pin_kver[i][0] && c.pin_module[i][0]);
		FUZZ_ASSERT(!strpbrk(c.pin_module[i], " \t/\n"));
		FUZZ_ASSERT(klp_conf_pin(&c, c.pin_kver[i]) == c.pin_module[i]);
	}
	FUZZ_ASSERT(klp_conf_pin(&c, "") == NULL);
	klp_conf_free(&c);
	FUZZ_ASSERT(!c.npins && !c.pin_kver && !c.pin_module);
	return 0;
}
