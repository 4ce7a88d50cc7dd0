// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's manifest reader (tools/klp/initrd.c, klp_initrd_manifest_parse),
 * differentially against the loader's (early-loader/manifest.c): klp judges
 * an initrd by it, so every manifest the loader would accept at boot must be
 * accepted by klp with the same values. (klp is more lenient on purpose in a
 * few places, e.g. field lengths and an empty srcversion; only the direction
 * loader-accepts => klp-accepts is a rule.)
 */
#include <errno.h>

#include "fuzz.h"
#include "klp-early.h"
#include "klp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_initrd_manifest k;
	struct klp_manifest l;
	char kerr[128], lerr[128];
	int kr = klp_initrd_manifest_parse((const char *)data, size, &k, kerr, sizeof(kerr));
	int lr = klp_manifest_parse((const char *)data, size, &l, lerr, sizeof(lerr));

	FUZZ_ASSERT(kr == 0 || (kr == -EINVAL && kerr[0] && fuzz_terminated(kerr, sizeof(kerr))));
	if (lr < 0)
		return 0;
	if (kr < 0)
		fprintf(stderr, "the loader accepts, klp refuses: %s\n", kerr);
	FUZZ_ASSERT(kr == 0);
	FUZZ_ASSERT(!strcmp(k.kernel, l.kernel) && !strcmp(k.module, l.module) && !strcmp(k.file, l.file));
	FUZZ_ASSERT(!strcmp(k.sha256, l.sha256) && !strcmp(k.srcversion, l.srcversion) && k.size == l.size);
	return 0;
}
