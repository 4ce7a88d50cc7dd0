// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * compress.c: the compressions klp reads, in one table: the magic bytes that
 * start a compressed part of an initrd, and the tool that decompresses it
 * (run as a child: no compression library is linked); a module file's
 * compression from its name (.ko.xz, .ko.zst, .ko.gz).
 */
#include <string.h>

#include "klp.h"
#include "payload.h"
#include "initrd.h"
#include "initrd-read.h"

static const struct {
	const char *name;
	unsigned char magic[6];
	size_t len;
	const char *argv[4];
} compressors[] = {
	{ "gzip", { 0x1f, 0x8b }, 2, { "gzip", "-dc", NULL } },
	{ "gzip", { 0x1f, 0x9e }, 2, { "gzip", "-dc", NULL } },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, { "zstd", "-dcq", NULL } },
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, { "xz", "-dc", NULL } },
	{ "lzma", { 0x5d, 0x00, 0x00 }, 3, { "xz", "-dc", "--format=lzma", NULL } },
	{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4, { "lz4", "-dc", NULL } },
	{ "lz4", { 0x04, 0x22, 0x4d, 0x18 }, 4, { "lz4", "-dc", NULL } },
	{ "bzip2", { 'B', 'Z', 'h' }, 3, { "bzip2", "-dc", NULL } },
	{ "lzo", { 0x89, 'L', 'Z', 'O' }, 4, { "lzop", "-dc", NULL } },
};

int klp_compression_find(const void *magic, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (len >= compressors[i].len && !memcmp(magic, compressors[i].magic, compressors[i].len))
			return (int)i;
	return -1;
}

const char *klp_initrd_compression(const void *magic, size_t len)
{
	int i = klp_compression_find(magic, len);

	return i < 0 ? NULL : compressors[i].name;
}

const char *klp_compression_name(int i)
{
	return compressors[i].name;
}

const char *const *klp_compression_argv(int i)
{
	return compressors[i].argv;
}

/* The first entry of that name: its decompressor. */
static const char *const *argv_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(compressors) / sizeof(compressors[0]); i++)
		if (!strcmp(compressors[i].name, name))
			return compressors[i].argv;
	return NULL;
}

const char *const *klp_decompressor(const char *path)
{
	static const struct {
		const char *ext, *name;
	} exts[] = { { ".xz", "xz" }, { ".zst", "zstd" }, { ".gz", "gzip" } };
	size_t n = strlen(path), i, k;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		k = strlen(exts[i].ext);
		if (n > k && !strcmp(path + n - k, exts[i].ext))
			return argv_of(exts[i].name);
	}
	return NULL;
}
