// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loader's ELF header check (lib/elfcheck.c), run on the first
 * bytes of the patch file before finit_module(2).
 */
#include <elf.h>
#include <errno.h>

#include "fuzz.h"
#include "klp-core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	int r = klp_elf_check(data, size, &why);

	if (r == 0) {
		/* accepted: an ELF relocatable object of this machine's class and byte order */
		FUZZ_ASSERT(size >= 20 && !memcmp(data, ELFMAG, SELFMAG));
		FUZZ_ASSERT(data[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32));
	} else {
		FUZZ_ASSERT(r == -ENOEXEC && why && why[0]);
	}
	return 0;
}
