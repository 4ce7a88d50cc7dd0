// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp's initrd reader (tools/klp/initrd.c) on any image: the cpio newc
 * walker over uncompressed archives and zero padding, the compression
 * detection, and the walk of the decompressed stream. The decompressors it
 * runs (gzip, zstd, xz, ...) are replaced by stand-ins (tests/fuzz/
 * stub-decompress.c, in bin/ next to this binary, first in PATH) that just
 * drop the magic bytes, so the fuzzer controls the "decompressed" archives
 * directly. Also the single-header parser and the magic table.
 */
#include <errno.h>
#include <libgen.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "klp.h"
#include "initrd.h"
#include "regen.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *self = strdup((*argv)[0]), *path;
	const char *dir;

	(void)argc;
	if (!self)
		abort();
	dir = dirname(self);
	path = malloc(strlen(dir) + sizeof("/bin"));
	if (!path)
		abort();
	sprintf(path, "%s/bin", dir);
	setenv("PATH", path, 1);
	free(path);
	free(self);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct klp_embedded e;
	struct klp_cpio_header h;
	int r;

	r = klp_cpio_header_parse(data, size, &h);
	FUZZ_ASSERT(r == 0 || r == -EBADMSG);
	if (r == 0)
		FUZZ_ASSERT(h.namesize > 0 && h.namesize <= KLP_CPIO_NAME_MAX + 1);
	(void)klp_initrd_compression(data, size);

	r = klp_initrd_embedded_mem(data, size, &e);
	FUZZ_ASSERT(fuzz_terminated(e.problem, sizeof(e.problem)) && fuzz_terminated(e.compression, sizeof(e.compression)));
	if (r < 0) {
		FUZZ_ASSERT(r == -EBADMSG || r == -ENOEXEC || r == -ENOMEM || r == -EIO || r == -EMFILE);
		FUZZ_ASSERT(e.problem[0] && !e.found && !e.valid && !e.loader && !e.shim);
		return 0;
	}
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(!e.valid || (e.found && !e.problem[0] && strlen(e.sha256) == 64 &&
				 !strcmp(e.sha256, e.manifest.sha256) && e.manifest.module[0] && e.manifest.file[0]));
	FUZZ_ASSERT(!e.found || e.valid || e.problem[0]);
	FUZZ_ASSERT(e.found || !e.problem[0]);
	return 0;
}
