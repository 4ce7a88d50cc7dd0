// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's readers of `rpm -qf` and `dpkg -S` answers (tools/klp/owner.c). The
 * first line of the input is the path asked about, the rest the answer.
 */
#include <errno.h>

#include "fuzz.h"
#include "klp.h"
#include "patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	char *path = fuzz_field(&in, '\n');
	char *out = fuzz_text(in.p, in.n);
	char *pkg = (char *)1;
	int r;

	r = klp_owner_parse_rpm(out, &pkg);
	FUZZ_ASSERT((r == 0 && pkg && pkg[0] && !strchr(pkg, '\n')) || (r == -ENOENT && !pkg));
	free(pkg);
	pkg = (char *)1;
	r = klp_owner_parse_dpkg(out, path, &pkg);
	FUZZ_ASSERT((r == 0 && pkg && !strchr(pkg, '\n')) || (r == -ENOENT && !pkg));
	FUZZ_ASSERT(r != 0 || strstr(out, path));
	free(pkg);
	free(path);
	free(out);
	return 0;
}
