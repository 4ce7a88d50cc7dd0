// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initrd reader (tools/klp/initrd.c): cpio newc headers, crafted archives
 * (valid, truncated at every byte, garbage, huge sizes, concatenated,
 * compressed with the real gzip), the manifest, sha256. The embedded patch is
 * judged by the loader's own verdict (lib/verify.c), so the pretend module
 * starts with this machine's ELF header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "initrd.h"
#include "regen.h"
#include "../unit/elf-vectors.h"

#define CAP (1 << 20)

struct arc {
	unsigned char *b;
	size_t n;
	unsigned ino;
};

static void arc_init(struct arc *a)
{
	a->b = calloc(1, CAP);
	assert_non_null(a->b);
	a->n = 0;
	a->ino = 1;
}

static void pad(struct arc *a)
{
	while (a->n & 3)
		a->b[a->n++] = 0;
}

/* One newc entry with explicit header fields (for crafted faults and hard links). */
static void put_entry(struct arc *a, const char *name, unsigned ino, unsigned mode, unsigned nlink, const void *data,
		      size_t len, unsigned filesize, unsigned namesize)
{
	char hdr[KLP_CPIO_HEADER_SIZE + 1];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0, 0,
		 nlink, 0, filesize, 0, 0, 0, 0, namesize, 0);
	assert_true(a->n + KLP_CPIO_HEADER_SIZE + strlen(name) + len + 8 < CAP);
	memcpy(a->b + a->n, hdr, KLP_CPIO_HEADER_SIZE);
	a->n += KLP_CPIO_HEADER_SIZE;
	memcpy(a->b + a->n, name, strlen(name) + 1);
	a->n += strlen(name) + 1;
	pad(a);
	memcpy(a->b + a->n, data, len);
	a->n += len;
	pad(a);
}

static void put_raw(struct arc *a, const char *name, unsigned mode, const void *data, size_t len,
		    unsigned filesize, unsigned namesize)
{
	put_entry(a, name, a->ino++, mode, 1, data, len, filesize, namesize);
}

/* An entry of a hard-link set: inode ino, nlink links, body data (empty but for the one that carries it). */
static void put_link(struct arc *a, const char *name, unsigned ino, unsigned nlink, const void *data, size_t len)
{
	put_entry(a, name, ino, 0100644u, nlink, data, len, (unsigned)len, (unsigned)strlen(name) + 1);
}

static void put(struct arc *a, const char *name, unsigned mode, const void *data, size_t len)
{
	put_raw(a, name, mode, data, len, (unsigned)len, (unsigned)strlen(name) + 1);
}

static void put_file(struct arc *a, const char *name, const char *text)
{
	put(a, name, 0100644, text, strlen(text));
}

static void trailer(struct arc *a)
{
	put(a, "TRAILER!!!", 0, "", 0);
}

/* this machine's ELF header of a relocatable object, then some bytes (setup()) */
static unsigned char ko[64 + 32];
static char ko_sha[65];
static char manifest[512];

static void make_manifest(const char *kernel, const char *module, const char *file, size_t size, const char *sha)
{
	snprintf(manifest, sizeof(manifest),
		 "# klp-initrd manifest\nformat=1\nkernel=%s\nmodule=%s\nfile=%s\nsize=%zu\nsha256=%s\n"
		 "srcversion=ABCDEF0123\nsource=/lib/modules/x/livepatch/%s\n",
		 kernel, module, file, size, sha, file);
}

/* A dracut-like main archive embedding klp_demo_v1. */
static void good_archive(struct arc *a, const char *prefix)
{
	char n[256];

	klp_initrd_sha256_hex(ko, sizeof(ko), ko_sha);
	make_manifest("6.1.0-56-amd64", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko), ko_sha);
	put(a, prefix[0] ? "." : "usr", 040755, "", 0);
	snprintf(n, sizeof(n), "%sinit", prefix);
	put_file(a, n, "#!/bin/sh\n");
	snprintf(n, sizeof(n), "%susr/lib/klp-early", prefix);
	put(a, n, 040755, "", 0);
	snprintf(n, sizeof(n), "%susr/lib/klp-early/init", prefix);
	put_file(a, n, "#!/bin/sh\n# dracut's init.sh\n");
	snprintf(n, sizeof(n), "%susr/lib/klp-early/klp-early", prefix);
	put(a, n, 0100755, "\177ELF loader", 11);
	snprintf(n, sizeof(n), "%susr/lib/klp-early/klp_demo_v1.ko", prefix);
	put(a, n, 0100644, ko, sizeof(ko));
	snprintf(n, sizeof(n), "%susr/lib/klp-early/manifest", prefix);
	put_file(a, n, manifest);
	put_file(a, "usr/lib/modules/other.ko", "not ours");
	trailer(a);
}

static void sha256_vectors(void **state)
{
	char out[65];

	(void)state;
	klp_initrd_sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	klp_initrd_sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	klp_initrd_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void header_parse(void **state)
{
	struct klp_cpio_header h;
	struct arc a;
	char bad[KLP_CPIO_HEADER_SIZE];

	(void)state;
	arc_init(&a);
	put_file(&a, "etc/x", "hello");
	assert_int_equal(klp_cpio_header_parse(a.b, a.n, &h), 0);
	assert_int_equal(h.mode, 0100644);
	assert_int_equal(h.filesize, 5);
	assert_int_equal(h.namesize, 6);
	/* too short, bad magic, a non-hex digit, namesize 0 and beyond PATH_MAX */
	assert_int_equal(klp_cpio_header_parse(a.b, KLP_CPIO_HEADER_SIZE - 1, &h), -EBADMSG);
	memcpy(bad, a.b, sizeof(bad));
	bad[5] = '7';
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), -EBADMSG);
	memcpy(bad, a.b, sizeof(bad));
	bad[6 + 8 * 6 + 3] = 'g';
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), -EBADMSG);
	memcpy(bad, a.b, sizeof(bad));
	memcpy(bad + 6 + 8 * 11, "00000000", 8);
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), -EBADMSG);
	memcpy(bad + 6 + 8 * 11, "00001002", 8);
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), -EBADMSG);
	memcpy(bad + 6 + 8 * 11, "00001001", 8);
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), 0);
	/* 070702 (with checksums) is newc too; upper-case hex */
	memcpy(bad, "070702", 6);
	memcpy(bad + 6 + 8 * 6, "FFFFFFFF", 8);
	assert_int_equal(klp_cpio_header_parse(bad, sizeof(bad), &h), 0);
	assert_int_equal(h.filesize, 0xFFFFFFFFu);
	free(a.b);
}

static void compression_magic(void **state)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} cases[] = {
		{ "\x1f\x8b\x08", 3, "gzip" },	       { "\x28\xb5\x2f\xfd", 4, "zstd" },
		{ "\xfd" "7zXZ\0", 6, "xz" },	       { "\x5d\0\0\x80", 4, "lzma" },
		{ "\x02\x21\x4c\x18", 4, "lz4" },      { "\x04\x22\x4d\x18", 4, "lz4" },
		{ "BZh9", 4, "bzip2" },		       { "\x89LZO", 4, "lzo" },
		{ "070701", 6, NULL },		       { "\x1f", 1, NULL },
		{ "\xfd" "7zXZ", 5, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = klp_initrd_compression(cases[i].magic, cases[i].len);
		if (cases[i].name)
			assert_string_equal(got, cases[i].name);
		else
			assert_null(got);
	}
}

static void embedded_good(void **state)
{
	struct klp_embedded e;
	struct arc a;

	(void)state;
	arc_init(&a);
	good_archive(&a, "");
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.found);
	assert_true(e.valid);
	assert_true(e.loader);
	assert_true(e.shim);
	assert_string_equal(e.manifest.module, "klp_demo_v1");
	assert_string_equal(e.manifest.kernel, "6.1.0-56-amd64");
	assert_string_equal(e.manifest.srcversion, "ABCDEF0123");
	assert_string_equal(e.sha256, ko_sha);
	assert_string_equal(e.manifest.sha256, ko_sha);
	assert_int_equal(e.size, sizeof(ko));
	assert_string_equal(e.compression, "none");
	assert_string_equal(e.problem, "");
	/* "./usr/..." names (cpio of "find .") are the same files; zero padding after is fine */
	a.n = 0;
	good_archive(&a, "./");
	a.n += 512;
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.valid);
	free(a.b);
}

/* The loader and its manifest, and the patch entry given by the caller. */
static void patch_around(struct arc *a)
{
	klp_initrd_sha256_hex(ko, sizeof(ko), ko_sha);
	make_manifest("6.1.0-56-amd64", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko), ko_sha);
	put(a, "usr/lib/klp-early/klp-early", 0100755, "\177ELF loader", 11);
	put_file(a, "usr/lib/klp-early/manifest", manifest);
}

/* dracut hard-links identical files: newc stores the body with the last link, as the kernel reads it */
static void embedded_hardlinks(void **state)
{
	struct klp_embedded e;
	struct arc a;

	(void)state;
	arc_init(&a);
	patch_around(&a);
	/* our name first (empty), the body with a link outside our folder */
	put_link(&a, "usr/lib/klp-early/klp_demo_v1.ko", 77, 2, "", 0);
	put_link(&a, "usr/lib/modules/k/livepatch/klp_demo_v1.ko", 77, 2, ko, sizeof(ko));
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	if (!e.valid)
		fail_msg("body with the last link: %s", e.problem);
	assert_string_equal(e.sha256, ko_sha);
	/* the body with our name, last */
	a.n = 0;
	patch_around(&a);
	put_link(&a, "init", 78, 2, "", 0);
	put_link(&a, "usr/lib/klp-early/klp_demo_v1.ko", 78, 2, ko, sizeof(ko));
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.valid);
	/* a set does not reach into the next archive: there the same inode number is another file */
	a.n = 0;
	patch_around(&a);
	put_link(&a, "usr/lib/klp-early/klp_demo_v1.ko", 79, 2, ko, sizeof(ko));
	trailer(&a);
	put_link(&a, "etc/other", 79, 2, "other bytes", 11);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.valid);
	/* a set whose every link is empty is an empty file: refused, never read as the patch */
	a.n = 0;
	patch_around(&a);
	put_link(&a, "usr/lib/klp-early/klp_demo_v1.ko", 80, 2, "", 0);
	put_link(&a, "etc/x", 80, 2, "", 0);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "size mismatch"));
	free(a.b);
}

/* A later entry of another type replaces the file, as the kernel unpacks it. */
static void embedded_replaced_by_other_type(void **state)
{
	struct klp_embedded e;
	struct arc a;

	(void)state;
	arc_init(&a);
	good_archive(&a, "");
	put(&a, "usr/lib/klp-early/klp_demo_v1.ko", 0120777, "/elsewhere", 10);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "not in the image"));
	a.n = 0;
	good_archive(&a, "");
	put(&a, "usr/lib/klp-early/manifest", 040755, "", 0);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.found);
	free(a.b);
}

static void embedded_nothing(void **state)
{
	struct klp_embedded e;
	struct arc a;

	(void)state;
	arc_init(&a);
	put(&a, "usr", 040755, "", 0);
	put_file(&a, "etc/hostname", "x\n");
	/* a manifest elsewhere, or deeper, is not ours */
	put_file(&a, "usr/lib/klp-early/sub/manifest", "format=1\n");
	put_file(&a, "lib/klp-early/manifest", "format=1\n");
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.found);
	assert_false(e.valid);
	assert_false(e.loader);
	assert_false(e.shim);
	free(a.b);
}

static void embedded_broken(void **state)
{
	struct klp_embedded e;
	struct arc a;
	char other[65];

	(void)state;
	arc_init(&a);
	/* the manifest names a file that is not there */
	klp_initrd_sha256_hex(ko, sizeof(ko), ko_sha);
	make_manifest("k", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko), ko_sha);
	put(&a, "usr/lib/klp-early/klp-early", 0100755, "x", 1);
	put_file(&a, "usr/lib/klp-early/manifest", manifest);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.found);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "not in the image"));
	/* the bytes do not hash to the manifest's sha256 */
	a.n = 0;
	klp_initrd_sha256_hex("other", 5, other);
	make_manifest("k", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko), other);
	put(&a, "usr/lib/klp-early/klp_demo_v1.ko", 0100644, ko, sizeof(ko));
	put_file(&a, "usr/lib/klp-early/manifest", manifest);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.found);
	assert_false(e.valid);
	assert_string_equal(e.sha256, ko_sha);
	assert_string_equal(e.manifest.sha256, other);
	assert_non_null(strstr(e.problem, "sha256 mismatch"));
	/* wrong size */
	a.n = 0;
	make_manifest("k", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko) + 1, ko_sha);
	put(&a, "usr/lib/klp-early/klp_demo_v1.ko", 0100644, ko, sizeof(ko));
	put_file(&a, "usr/lib/klp-early/manifest", manifest);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "size mismatch"));
	/* size and sha256 match, but the loader would refuse what is not a module for this machine */
	a.n = 0;
	klp_initrd_sha256_hex("not an ELF file", 15, other);
	make_manifest("k", "klp_demo_v1", "klp_demo_v1.ko", 15, other);
	put(&a, "usr/lib/klp-early/klp_demo_v1.ko", 0100644, "not an ELF file", 15);
	put_file(&a, "usr/lib/klp-early/manifest", manifest);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "not an ELF file"));
	/* an unparsable manifest */
	a.n = 0;
	put_file(&a, "usr/lib/klp-early/manifest", "format=9\n");
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.found);
	assert_false(e.valid);
	assert_non_null(strstr(e.problem, "manifest: line 1"));
	/* a symbolic link named klp-early is not the loader */
	a.n = 0;
	put(&a, "usr/lib/klp-early/klp-early", 0120777, "/bin/sh", 7);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_false(e.loader);
	free(a.b);
}

/* Every prefix of a valid image short of its trailer is truncated, never a partial answer. */
static void truncated_everywhere(void **state)
{
	struct klp_embedded e;
	struct arc a;
	size_t cut, end;

	(void)state;
	arc_init(&a);
	good_archive(&a, "");
	end = a.n; /* trailer entry included */
	for (cut = 0; cut < end - 3; cut++) {
		int r = klp_initrd_embedded_mem(a.b, cut, &e);
		if (r != -EBADMSG)
			fail_msg("prefix of %zu bytes (of %zu): got %d, want -EBADMSG", cut, end, r);
		assert_false(e.found);
		assert_true(e.problem[0] != '\0');
	}
	free(a.b);
}

static void garbage_and_huge(void **state)
{
	struct klp_embedded e;
	struct arc a;
	size_t n;

	(void)state;
	arc_init(&a);
	good_archive(&a, "");
	n = a.n;
	/* data after the trailer that is neither padding, cpio nor a known compression */
	memcpy(a.b + a.n, "GARBAGE!", 8);
	a.n += 8;
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	assert_non_null(strstr(e.problem, "unknown data"));
	/* random bytes */
	assert_int_equal(klp_initrd_embedded_mem("\x7f" "ELF\2\1\1", 7, &e), -EBADMSG);
	/* an empty image */
	assert_int_equal(klp_initrd_embedded_mem("", 0, &e), -EBADMSG);
	assert_string_equal(e.problem, "empty file");
	assert_int_equal(klp_initrd_embedded_mem("\0\0\0\0\0\0\0\0", 8, &e), -EBADMSG);
	/* a 4 GiB file size in a small image: truncated, nothing allocated for it */
	a.n = 0;
	put_raw(&a, "usr/lib/klp-early/klp_demo_v1.ko", 0100644, "abc", 3, 0xFFFFFFFFu, 33);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	assert_non_null(strstr(e.problem, "truncated"));
	/* a huge manifest is refused, not read into memory */
	a.n = 0;
	put_raw(&a, "usr/lib/klp-early/manifest", 0100644, "format=1\n", 9, 0x7FFFFFFFu, 27);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	/* namesize that does not match the name, or beyond the limit */
	a.n = 0;
	put_raw(&a, "usr/x", 0100644, "", 0, 0, 3);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	a.n = 0;
	put_raw(&a, "usr/x", 0100644, "", 0, 0, 0x10000);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	/* a second archive must start at a multiple of 4 */
	a.n = 0;
	good_archive(&a, "");
	assert_int_equal(a.n, n);
	a.b[a.n++] = 0;
	memcpy(a.b + a.n, a.b, KLP_CPIO_HEADER_SIZE);
	a.n += KLP_CPIO_HEADER_SIZE;
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), -EBADMSG);
	free(a.b);
}

/* Pseudo-random corruption of a valid image must never crash or read out of bounds. */
static void corruption_fuzz(void **state)
{
	struct klp_embedded e;
	struct arc a;
	unsigned seed = 12345, i;
	unsigned char *copy;

	(void)state;
	arc_init(&a);
	good_archive(&a, "");
	copy = malloc(a.n);
	assert_non_null(copy);
	for (i = 0; i < 3000; i++) {
		unsigned k, flips = 1 + i % 4;
		memcpy(copy, a.b, a.n);
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % a.n] = (unsigned char)(seed >> 3);
		}
		(void)klp_initrd_embedded_mem(copy, a.n, &e);
		if (e.valid)
			assert_string_equal(e.sha256, e.manifest.sha256);
	}
	free(copy);
	free(a.b);
}

static void concatenated_archives(void **state)
{
	struct klp_embedded e;
	struct arc a;
	char other[65];

	(void)state;
	arc_init(&a);
	/* an early archive (microcode) then the main one */
	put(&a, "kernel/x86/microcode", 040755, "", 0);
	put_file(&a, "kernel/x86/microcode/GenuineIntel.bin", "ucode");
	trailer(&a);
	while (a.n % 512)
		a.b[a.n++] = 0;
	good_archive(&a, "");
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.valid);
	/* a later archive replaces the manifest: the kernel unpacks in order */
	klp_initrd_sha256_hex("x", 1, other);
	make_manifest("6.1.0-56-amd64", "klp_demo_v1", "klp_demo_v1.ko", sizeof(ko), other);
	put_file(&a, "usr/lib/klp-early/manifest", manifest);
	trailer(&a);
	assert_int_equal(klp_initrd_embedded_mem(a.b, a.n, &e), 0);
	assert_true(e.found);
	assert_false(e.valid);
	free(a.b);
}

static char tmpdir[] = "/tmp/klp-test-initrd.XXXXXX";

static void write_file(const char *path, const void *buf, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	unsigned char *buf = malloc(CAP);

	assert_non_null(f);
	assert_non_null(buf);
	*n = fread(buf, 1, CAP, f);
	fclose(f);
	return buf;
}

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* The real gzip, as dracut uses it: early archive + compressed main archive, from a file and memory. */
static void compressed_main(void **state)
{
	char main_cpio[256], main_gz[256], image[256], cmd[700];
	struct klp_embedded e;
	struct arc a, early;
	unsigned char *gz, *img;
	size_t ngz;

	(void)state;
	if (!have("gzip"))
		skip();
	snprintf(main_cpio, sizeof(main_cpio), "%s/main.cpio", tmpdir);
	snprintf(main_gz, sizeof(main_gz), "%s/main.cpio.gz", tmpdir);
	snprintf(image, sizeof(image), "%s/initrd", tmpdir);
	arc_init(&a);
	good_archive(&a, "./");
	write_file(main_cpio, a.b, a.n);
	snprintf(cmd, sizeof(cmd), "gzip -n -9 -c %s > %s", main_cpio, main_gz);
	assert_int_equal(system(cmd), 0);
	gz = read_file(main_gz, &ngz);
	arc_init(&early);
	put_file(&early, "early_cpio", "1\n");
	trailer(&early);
	img = malloc(early.n + ngz);
	assert_non_null(img);
	memcpy(img, early.b, early.n);
	memcpy(img + early.n, gz, ngz);
	write_file(image, img, early.n + ngz);

	assert_int_equal(klp_initrd_embedded(image, &e), 0);
	assert_true(e.valid);
	assert_true(e.loader);
	assert_string_equal(e.compression, "gzip");
	assert_string_equal(e.sha256, ko_sha);
	assert_int_equal(klp_initrd_embedded_mem(img, early.n + ngz, &e), 0);
	assert_true(e.valid);
	/* truncated compressed data: the decompressor's failure is the answer */
	write_file(image, img, early.n + ngz / 2);
	assert_int_equal(klp_initrd_embedded(image, &e), -EBADMSG);
	assert_false(e.found);
	assert_non_null(strstr(e.problem, "gzip"));
	assert_int_equal(klp_initrd_embedded_mem(img, early.n + ngz - 3, &e), -EBADMSG);
	/* a missing file */
	snprintf(image, sizeof(image), "%s/none", tmpdir);
	assert_int_equal(klp_initrd_embedded(image, &e), -ENOENT);
	free(img);
	free(gz);
	free(a.b);
	free(early.b);
}

/* Appends a klp archive carrying module mod (bytes: ko with its last byte set to tag) to the image file. */
static void append_patch(const char *image, const char *mod, unsigned char tag, char sha[65])
{
	char kopath[300], text[KLP_MANIFEST_MAX], err[160], koname[64];
	struct klp_manifest m = { .format = 1, .size = sizeof(ko) };
	struct klp_archive_src src;
	struct stat st;
	int fd, kofd, n;

	ko[sizeof(ko) - 1] = tag;
	klp_initrd_sha256_hex(ko, sizeof(ko), sha);
	snprintf(kopath, sizeof(kopath), "%s/%s.ko", tmpdir, mod);
	write_file(kopath, ko, sizeof(ko));
	snprintf(m.kernel, sizeof(m.kernel), "6.1.0-56-amd64");
	snprintf(m.module, sizeof(m.module), "%s", mod);
	snprintf(m.file, sizeof(m.file), "%s.ko", mod);
	snprintf(m.sha256, sizeof(m.sha256), "%s", sha);
	n = klp_manifest_format(&m, NULL, text, sizeof(text), err, sizeof(err));
	assert_true(n > 0);
	snprintf(koname, sizeof(koname), "%s.ko", mod);
	kofd = open(kopath, O_RDONLY | O_CLOEXEC);
	fd = open(image, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(kofd >= 0 && fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	src = (struct klp_archive_src){ .ko_name = koname, .ko_fd = kofd, .ko_size = sizeof(ko),
					.manifest = text, .manifest_len = (size_t)n };
	assert_int_equal(klp_archive_write(fd, (uint64_t)st.st_size, &src), 0);
	close(fd);
	close(kofd);
	ko[sizeof(ko) - 1] = '.';
}

/* The klp archive appended after a compressed image: read after it, later files win, replaceable. */
static void appended_archive(void **state)
{
	char main_gz[256], image[256], cmd[1400], sha2[65], sha3[65];
	struct klp_archive_loc loc;
	struct klp_embedded e;
	unsigned char *img;
	size_t n;
	struct arc a;
	int fd;

	(void)state;
	if (!have("gzip"))
		skip();
	snprintf(main_gz, sizeof(main_gz), "%s/app.cpio", tmpdir);
	snprintf(image, sizeof(image), "%s/app.img", tmpdir);
	arc_init(&a);
	good_archive(&a, "");
	write_file(main_gz, a.b, a.n);
	/* a length that is no multiple of 4 (a second gzip member, of one zero byte, when needed): the
	 * archive must be padded */
	snprintf(cmd, sizeof(cmd),
		 "gzip -n -9 -c %s > %s && if [ $(($(stat -c %%s %s) %% 4)) = 0 ]; then printf '\\0' | gzip -n -c >> %s; fi",
		 main_gz, image, image, image);
	assert_int_equal(system(cmd), 0);
	img = read_file(image, &n);
	free(img);
	assert_int_not_equal(n % 4, 0);
	append_patch(image, "klp_demo_v2", 'B', sha2);
	assert_int_equal(klp_initrd_embedded(image, &e), 0);
	if (!e.valid)
		fail_msg("appended archive: %s", e.problem);
	assert_true(e.appended);
	assert_true(e.loader); /* from the base */
	assert_string_equal(e.manifest.module, "klp_demo_v2");
	assert_string_equal(e.sha256, sha2);
	img = read_file(image, &n);
	assert_int_equal(klp_archive_find_mem(img, n, &loc), 0);
	assert_int_equal(loc.offset % 4, 0);
	assert_true(loc.offset - loc.base < 4);
	assert_int_equal(klp_initrd_embedded_mem(img, n, &e), 0);
	assert_true(e.valid && e.appended);
	assert_string_equal(e.sha256, sha2);
	free(img);
	/* replaced: cut at the base, append another; the generator's part is untouched */
	fd = open(image, O_RDONLY | O_CLOEXEC);
	assert_int_equal(klp_archive_find(fd, &loc), 0);
	close(fd);
	assert_int_equal(truncate(image, (off_t)loc.base), 0);
	append_patch(image, "klp_demo_v3", 'C', sha3);
	assert_int_equal(klp_initrd_embedded(image, &e), 0);
	assert_true(e.valid);
	assert_string_equal(e.manifest.module, "klp_demo_v3");
	assert_string_equal(e.sha256, sha3);
	/* a damaged footer: no klp archive is recognised, and gzip refuses what follows its data */
	img = read_file(image, &n);
	img[n - KLP_ARCHIVE_TAIL + KLP_CPIO_HEADER_SIZE + 40] ^= 1;
	write_file(image, img, n);
	fd = open(image, O_RDONLY | O_CLOEXEC);
	assert_int_equal(klp_archive_find(fd, &loc), -ENOENT);
	close(fd);
	assert_true(klp_initrd_embedded(image, &e) < 0);
	assert_false(e.found);
	free(img);
	free(a.b);
}

/* A decompressor that hangs is killed at the deadline: the image is unreadable, klp goes on. */
static void decompressor_hangs(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00 };
	char bin[300], path[4500], old[4096], err[256] = "", sha[65];
	struct klp_embedded e;
	FILE *f;

	(void)state;
	snprintf(bin, sizeof(bin), "%s/hang-bin", tmpdir);
	assert_int_equal(mkdir(bin, 0755), 0);
	snprintf(path, sizeof(path), "%s/gzip", bin);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("#!/bin/sh\nexec sleep 30\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(old, sizeof(old), "%s", getenv("PATH"));
	snprintf(path, sizeof(path), "%s:%s", bin, old);
	setenv("PATH", path, 1);
	klp_initrd_set_timeout(300);
	assert_int_equal(klp_initrd_embedded_mem(gz, sizeof(gz), &e), -ETIMEDOUT);
	assert_non_null(strstr(e.problem, "gzip gave no output for 0 s: killed"));
	snprintf(path, sizeof(path), "%s/m.ko.gz", tmpdir);
	write_file(path, gz, sizeof(gz));
	assert_int_equal(klp_initrd_module_sha256(path, sha, NULL, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "gave no output"));
	klp_initrd_set_timeout(300000);
	setenv("PATH", old, 1);
}

static void module_sha256(void **state)
{
	char path[256], gz[256], cmd[600], sha[65], err[256];
	unsigned long long size = 0;

	(void)state;
	klp_initrd_sha256_hex(ko, sizeof(ko), ko_sha);
	snprintf(path, sizeof(path), "%s/m.ko", tmpdir);
	write_file(path, ko, sizeof(ko));
	assert_int_equal(klp_initrd_module_sha256(path, sha, &size, err, sizeof(err)), 0);
	assert_string_equal(sha, ko_sha);
	assert_int_equal(size, sizeof(ko));
	if (have("gzip")) {
		snprintf(gz, sizeof(gz), "%s/m.ko.gz", tmpdir);
		snprintf(cmd, sizeof(cmd), "gzip -c %s > %s", path, gz);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(klp_initrd_module_sha256(gz, sha, &size, err, sizeof(err)), 0);
		assert_string_equal(sha, ko_sha);
		/* not really gzip data */
		snprintf(gz, sizeof(gz), "%s/bad.ko.gz", tmpdir);
		write_file(gz, "nope", 4);
		assert_int_equal(klp_initrd_module_sha256(gz, sha, &size, err, sizeof(err)), -EIO);
		assert_non_null(strstr(err, "gzip"));
	}
	snprintf(path, sizeof(path), "%s/absent.ko", tmpdir);
	assert_int_equal(klp_initrd_module_sha256(path, sha, &size, err, sizeof(err)), -ENOENT);
}

static int setup(void **state)
{
	int native = elf_vector_native();

	(void)state;
	if (native < 0)
		return -1;
	memcpy(ko, elf_vectors[native].h, 64);
	memcpy(ko + 64, "pretend livepatch module bytes..", 32);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),     cmocka_unit_test(header_parse),
		cmocka_unit_test(compression_magic),
		cmocka_unit_test(embedded_good), cmocka_unit_test(embedded_hardlinks), cmocka_unit_test(decompressor_hangs),
		cmocka_unit_test(appended_archive),
		cmocka_unit_test(embedded_replaced_by_other_type),      cmocka_unit_test(embedded_nothing),
		cmocka_unit_test(embedded_broken),    cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(garbage_and_huge),   cmocka_unit_test(corruption_fuzz),
		cmocka_unit_test(concatenated_archives), cmocka_unit_test(compressed_main),
		cmocka_unit_test(module_sha256),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
