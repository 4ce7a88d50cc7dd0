// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The klp archive appended to an initrd (tools/klp/archive.c). An image
 * ending in anything: the footer found or not, and when found it names a
 * base and an archive that fit the image exactly. The writer: an archive
 * appended to the input (taken as a base image) is found again at the
 * right place, and the image is read with it (klp_initrd_embedded_mem).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "klp.h"
#include "initrd.h"
#include "regen.h"

static void found_fits(const uint8_t *data, size_t size)
{
	struct klp_archive_loc loc;

	if (klp_archive_find_mem(data, size, &loc) < 0)
		return;
	FUZZ_ASSERT(loc.offset + loc.size == size);
	FUZZ_ASSERT(loc.base <= loc.offset && loc.offset - loc.base < 4 && loc.offset % 4 == 0);
	FUZZ_ASSERT(loc.size >= KLP_ARCHIVE_TAIL);
}

/* The input as a base image, the archive appended, found where it was put. */
static void written_found(const uint8_t *data, size_t size)
{
	static const char manifest[] = "format=1\n";
	struct klp_archive_src src = { .ko_name = "klp_fuzz.ko", .manifest = manifest,
				       .manifest_len = sizeof(manifest) - 1 };
	struct klp_archive_loc loc;
	struct klp_embedded e;
	int img = memfd_create("fuzz-img", MFD_CLOEXEC), ko = memfd_create("fuzz-ko", MFD_CLOEXEC);
	uint8_t *all;
	size_t len;

	FUZZ_ASSERT(img >= 0 && ko >= 0);
	src.ko_fd = ko;
	src.ko_size = size < 64 ? size : 64;
	FUZZ_ASSERT(write(ko, data, (size_t)src.ko_size) == (ssize_t)src.ko_size);
	FUZZ_ASSERT(write(img, data, size) == (ssize_t)size);
	FUZZ_ASSERT(klp_archive_write(img, size, &src) == 0);
	len = (size_t)lseek(img, 0, SEEK_END);
	FUZZ_ASSERT(len == ((size + 3) & ~(size_t)3) + klp_archive_size("klp_fuzz.ko", src.ko_size, src.manifest_len));
	FUZZ_ASSERT(klp_archive_find(img, &loc) == 0 && loc.base == size && loc.offset + loc.size == len);
	all = malloc(len);
	FUZZ_ASSERT(all && pread(img, all, len, 0) == (ssize_t)len);
	FUZZ_ASSERT(klp_archive_find_mem(all, len, &loc) == 0 && loc.base == size);
	/* read whatever the base is: never a crash, and the appended archive is seen when the base reads */
	if (klp_initrd_embedded_mem(all, len, &e) == 0)
		FUZZ_ASSERT(e.appended && e.found);
	free(all);
	close(img);
	close(ko);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	found_fits(data, size);
	if (size <= 4096)
		written_found(data, size);
	return 0;
}
