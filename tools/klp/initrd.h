/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading an initrd as the kernel does (initrd.c) and the klp archive appended to one (archive.c). */
#ifndef KLP_INITRD_H
#define KLP_INITRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klp-core.h"

/* ---- initrd.c: what an initrd file embeds, read from the file itself ---- */
#define KLP_LOADER_SOURCE_MAX 1024
struct klp_embedded {
	bool found;  /* the image has usr/lib/klp-early/manifest (valid or not) */
	bool valid;  /* the manifest parses, and the file it names passes the loader's verdict (lib/verify.c) */
	bool loader; /* usr/lib/klp-early/klp-early is in the image */
	bool shim;   /* usr/lib/klp-early/init is: klp-early runs as the initrd's /init */
	bool appended; /* the image ends with a klp archive (archive.c), read after the generator's */
	struct klp_manifest manifest; /* as parsed (lib/manifest.c) when found; its sha256 is what it says */
	char sha256[65];              /* computed from the embedded file's bytes; "" if absent */
	unsigned long long size;  /* of the embedded file */
	char compression[16];     /* of the main archive: gzip, zstd, xz, lz4, ..., or none */
	char loader_sha256[65];   /* of usr/lib/klp-early/klp-early; "" if absent */
	char loader_source[KLP_LOADER_SOURCE_MAX]; /* the file 55klp copied it from (klp-early.source); "" */
	char source_suffix[8];    /* the manifest's source= file after ".ko": "", ".xz", ".zst", ".gz" */
	char problem[256];        /* why found && !valid, or why the image is unreadable; "" if none */
};
/*
 * Reads the whole image at path (uncompressed early archive + compressed main
 * archive, decompressed by a child: gzip -dc, zstd -dcq, xz -dc, ...).
 * 0: read, out says what is embedded (found false: nothing); -ENOENT: no such
 * file; -EBADMSG: truncated or corrupt (out->problem says where); -ENOEXEC:
 * the decompressor cannot run; other -errno: I/O. On failure only
 * out->problem and out->compression are set.
 */
int klp_initrd_embedded(const char *path, struct klp_embedded *out);
int klp_initrd_embedded_mem(const void *buf, size_t len, struct klp_embedded *out);
struct klp_archive_loc;
/*
 * Only the klp archive at the end of the image at path (archive.c), read
 * as klp_initrd_embedded reads a whole image; loc gets where it is. 0, or
 * -ENOENT when the image ends with none, other -errno / -EBADMSG as above.
 */
int klp_initrd_archive_read(const char *path, struct klp_embedded *out, struct klp_archive_loc *loc);
/* How long a decompressor child may run over one image or module (default 300 s); -ETIMEDOUT after. */
void klp_initrd_set_timeout(unsigned ms);

#define KLP_CPIO_HEADER_SIZE 110
#define KLP_CPIO_NAME_MAX 4096
struct klp_cpio_header {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
		namesize, check;
};
/* One newc header (070701/070702); -EBADMSG if malformed or namesize is 0 or > 4097. */
int klp_cpio_header_parse(const void *hdr, size_t len, struct klp_cpio_header *h);
/* "gzip", "zstd", "xz", "lzma", "lz4", "bzip2", "lzo" from magic bytes, or NULL. */
const char *klp_initrd_compression(const void *magic, size_t len);

void klp_initrd_sha256_hex(const void *buf, size_t len, char out[65]);
/* sha256 and size of a module file, decompressed (.ko.xz/.ko.zst/.ko.gz) as 55klp embeds it. */
int klp_initrd_module_sha256(const char *path, char out[65], unsigned long long *size, char *err,
			     size_t errlen);
/* ---- archive.c: the klp archive appended to an initrd (patch, manifest, footer) ---- */
#define KLP_ARCHIVE_TAIL 336 /* the footer entry and the trailer: the last bytes of such an image */
struct klp_archive_src {
	const char *ko_name; /* file name in usr/lib/klp-early, e.g. klp_demo_v2.ko */
	int ko_fd;           /* its bytes, read with pread from offset 0 */
	uint64_t ko_size;
	const char *manifest; /* the manifest's text (lib/manifest.c wrote it) */
	size_t manifest_len;
};
struct klp_archive_loc {
	uint64_t base;   /* length of the generator's image before the klp archive */
	uint64_t offset; /* where the klp archive starts (base rounded up to 4) */
	uint64_t size;   /* its length, to the end of the file */
};
/* Bytes klp_archive_write() writes after the padding. */
uint64_t klp_archive_size(const char *ko_name, uint64_t ko_size, size_t manifest_len);
/*
 * Appends, at fd's position (the end of a base image of length base): zeros
 * to a multiple of 4, then the archive. 0 or -errno (-EINVAL: a bad name).
 */
int klp_archive_write(int fd, uint64_t base, const struct klp_archive_src *src);
/* Does the image end with a klp archive? 0 and where, or -ENOENT (or -errno on I/O). */
int klp_archive_find(int fd, struct klp_archive_loc *loc);
int klp_archive_find_mem(const void *img, uint64_t len, struct klp_archive_loc *loc);

#endif
