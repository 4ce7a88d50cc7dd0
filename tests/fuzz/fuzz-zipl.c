// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two small readers of klp regenerate (tools/klp/regen.c): the ramdisk=
 * lines of /etc/zipl.conf (which initrds the s390x boot record uses) and
 * ID/ID_LIKE of /etc/os-release (how new initrds are named).
 */
#include "fuzz.h"
#include "klp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	char **v = NULL;
	size_t n = 0, i;
	enum klp_initrd_naming naming;

	FUZZ_ASSERT(klp_zipl_ramdisks(text, &v, &n) == 0);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(v[i][0] && !strpbrk(v[i], ",\"' \t\r\n"));
	klp_strv_free(v, n);
	naming = klp_initrd_naming_guess(NULL, 0, text);
	FUZZ_ASSERT(naming == KLP_NAMING_DEBIAN || naming == KLP_NAMING_SUSE);
	free(text);
	return 0;
}
