// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The small readers of boot configuration in klp (tools/klp/bootdir.c,
 * bootentry.c): the ramdisk= lines of /etc/zipl.conf (which initrds the s390x
 * boot record uses), ID/ID_LIKE of /etc/os-release (how new initrds are
 * named) and a Boot Loader Specification entry (which initrd boots a kernel).
 */
#include <errno.h>

#include "fuzz.h"
#include "klp.h"
#include "boot.h"

static void bls(const char *text)
{
	char out[64];
	int r = klp_bls_initrd(text, "6.1.0-1-amd64", out, sizeof(out));

	FUZZ_ASSERT(r == 0 || r == 1 || r == -EMEDIUMTYPE || r == -ENOMEDIUM || r == -ENAMETOOLONG);
	/* a path: one word, no GRUB variable */
	if (r == 1)
		FUZZ_ASSERT(out[0] && out[0] != '$' && !strpbrk(out, " \t\n"));
}

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
	FUZZ_ASSERT(naming == KLP_NAMING_DEBIAN || naming == KLP_NAMING_SUSE || naming == KLP_NAMING_FEDORA);
	bls(text);
	free(text);
	return 0;
}
