// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stand-in decompressor for fuzz-initrd: installed as gzip, zstd, xz, lz4,
 * bzip2 and lzop in the fuzz build's bin/. Copies stdin to stdout without the
 * magic bytes that made klp choose it (their count depends on the name it is
 * called by), so the fuzzer's bytes after the magic are the "decompressed"
 * stream. Fails like a real one on input shorter than the magic.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static size_t magic_len(const char *name, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--format=lzma"))
			return 3;
	if (!strcmp(name, "gzip"))
		return 2;
	if (!strcmp(name, "xz"))
		return 6;
	if (!strcmp(name, "bzip2"))
		return 3;
	return 4; /* zstd, lz4, lzop */
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	size_t skip = magic_len(name, argc, argv);
	char buf[65536];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0) {
		size_t off = skip < (size_t)n ? skip : (size_t)n;

		skip -= off;
		if (off < (size_t)n && write(1, buf + off, (size_t)n - off) != n - (ssize_t)off)
			return 1;
	}
	if (n < 0 || skip > 0) {
		fprintf(stderr, "%s: (stdin): unexpected end of input\n", name);
		return 1;
	}
	return 0;
}
