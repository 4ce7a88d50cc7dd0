// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's readers of /etc/fstab and /proc/self/mountinfo (tools/klp/bootfs.c),
 * used before regenerating initrds into /boot. The first line of the input
 * is the mount point asked about, the rest the text; both readers get it.
 * Output buffers of several sizes, as callers may pass.
 */
#include "fuzz.h"
#include "klp.h"
#include "boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	unsigned sizes = fuzz_u8(&in);
	char *mp = fuzz_field(&in, '\n');
	char *text = fuzz_text(in.p, in.n);
	size_t speclen = 1 + (sizes & 15) * 32, typelen = 1 + (sizes >> 4) * 4;
	char *spec = malloc(speclen), *fstype = malloc(typelen);
	struct klp_mount m;
	int r;

	if (!spec || !fstype)
		abort();
	r = klp_fstab_find(text, mp, spec, speclen, fstype, typelen);
	FUZZ_ASSERT(r == 0 || r == 1);
	if (r == 1)
		FUZZ_ASSERT(fuzz_terminated(spec, speclen) && fuzz_terminated(fstype, typelen));
	r = klp_mountinfo_find(text, mp, &m);
	FUZZ_ASSERT(r == 0 || r == 1);
	if (r == 1)
		FUZZ_ASSERT(fuzz_terminated(m.source, sizeof(m.source)) && fuzz_terminated(m.fstype, sizeof(m.fstype)));
	free(spec);
	free(fstype);
	free(mp);
	free(text);
	return 0;
}
