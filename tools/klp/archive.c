// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The klp archive: a small uncompressed newc cpio holding only the patch,
 * its manifest and a footer, appended to an initrd made by any generator.
 * The kernel unpacks concatenated archives in order and a later file
 * replaces an earlier one of the same name, so the appended manifest wins
 * over the one the generator embedded. A patch update then rewrites only
 * this archive instead of rerunning the generator.
 *
 *   [base image][zeros to a multiple of 4][klp archive]
 *
 * An archive must start at a 4-byte-aligned offset of the whole image
 * (the kernel reads it there only). Its last entry before the trailer is
 * usr/lib/klp-early/.klp-archive, of fixed length, naming the base's length
 * and its own: the final KLP_ARCHIVE_TAIL bytes of an image say whether it
 * carries a klp archive and where the base ends, so that replacing it never
 * cuts into the generator's own archives.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "initrd.h"

#define FOOTER_NAME KLP_DIR_IN_IMAGE "/.klp-archive"
#define FOOTER_FMT "klp-archive 1 base=%020" PRIu64 " size=%020" PRIu64 "\n"
#define FOOTER_LEN 66 /* FOOTER_FMT with its fixed widths */

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* The bytes one entry takes: header, name, padding, data, padding. */
static uint64_t entry_len(const char *name, uint64_t size)
{
	size_t h = KLP_CPIO_HEADER_SIZE + strlen(name) + 1;

	return h + pad4(h) + size + pad4((size_t)(size & 3));
}

struct out {
	int fd;
	unsigned ino;
	uint64_t written;
};

static int put(struct out *o, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(o->fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
		o->written += (uint64_t)w;
	}
	return 0;
}

static int put_zeros(struct out *o, size_t n)
{
	static const char z[4];

	return n ? put(o, z, n) : 0;
}

static int put_header(struct out *o, const char *name, unsigned mode, uint64_t size)
{
	char h[KLP_CPIO_HEADER_SIZE + 1];
	size_t n = strlen(name) + 1;
	int r;

	if (size > UINT32_MAX)
		return -EFBIG;
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", o->ino++, mode, 0u, 0u,
		 (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)n, 0u);
	r = put(o, h, KLP_CPIO_HEADER_SIZE);
	if (r == 0)
		r = put(o, name, n);
	return r ? r : put_zeros(o, pad4(KLP_CPIO_HEADER_SIZE + n));
}

static int put_entry(struct out *o, const char *name, unsigned mode, const void *data, size_t size)
{
	int r = put_header(o, name, mode, size);

	if (r == 0 && size)
		r = put(o, data, size);
	return r ? r : put_zeros(o, pad4(size));
}

/* A file's bytes from fd (read from its start), size of them exactly. */
static int put_fd(struct out *o, const char *name, int fd, uint64_t size)
{
	char buf[65536];
	uint64_t left = size;
	int r = put_header(o, name, S_IFREG | 0644, size);

	while (r == 0 && left > 0) {
		ssize_t n = pread(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf), (off_t)(size - left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO; /* shorter than it said */
		r = put(o, buf, (size_t)n);
		left -= (uint64_t)n;
	}
	return r ? r : put_zeros(o, pad4((size_t)(size & 3)));
}

uint64_t klp_archive_size(const char *ko_name, uint64_t ko_size, size_t manifest_len)
{
	char path[KLP_FILE_MAX + sizeof(KLP_DIR_IN_IMAGE) + 1];

	snprintf(path, sizeof(path), "%s/%s", KLP_DIR_IN_IMAGE, ko_name);
	return entry_len("usr", 0) + entry_len("usr/lib", 0) + entry_len(KLP_DIR_IN_IMAGE, 0) +
	       entry_len(path, ko_size) + entry_len(KLP_DIR_IN_IMAGE "/manifest", manifest_len) +
	       entry_len(FOOTER_NAME, FOOTER_LEN) + entry_len("TRAILER!!!", 0);
}

int klp_archive_write(int fd, uint64_t base, const struct klp_archive_src *src)
{
	char path[KLP_FILE_MAX + sizeof(KLP_DIR_IN_IMAGE) + 1], footer[FOOTER_LEN + 1];
	uint64_t size = klp_archive_size(src->ko_name, src->ko_size, src->manifest_len);
	struct out o = { .fd = fd, .ino = 1 };
	int r;

	if (strlen(src->ko_name) >= KLP_FILE_MAX || !klp_line_safe(src->ko_name) || strchr(src->ko_name, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", KLP_DIR_IN_IMAGE, src->ko_name);
	snprintf(footer, sizeof(footer), FOOTER_FMT, base, size);
	r = put_zeros(&o, pad4((size_t)(base & 3)));
	o.written = 0;
	if (r == 0)
		r = put_entry(&o, "usr", S_IFDIR | 0755, NULL, 0);
	if (r == 0)
		r = put_entry(&o, "usr/lib", S_IFDIR | 0755, NULL, 0);
	if (r == 0)
		r = put_entry(&o, KLP_DIR_IN_IMAGE, S_IFDIR | 0755, NULL, 0);
	if (r == 0)
		r = put_fd(&o, path, src->ko_fd, src->ko_size);
	if (r == 0)
		r = put_entry(&o, KLP_DIR_IN_IMAGE "/manifest", S_IFREG | 0644, src->manifest, src->manifest_len);
	if (r == 0)
		r = put_entry(&o, FOOTER_NAME, S_IFREG | 0644, footer, FOOTER_LEN);
	if (r == 0)
		r = put_entry(&o, "TRAILER!!!", 0, NULL, 0);
	if (r == 0 && o.written != size)
		r = -EIO; /* the size the footer names is what was written, by construction */
	return r;
}

/* Twenty decimal digits, as FOOTER_FMT writes a number. */
static int digits20(const char *p, uint64_t *out)
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 20; i++) {
		if (p[i] < '0' || p[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	*out = x;
	return 0;
}

/* The footer entry and the trailer: the image's last KLP_ARCHIVE_TAIL bytes. */
static int tail_parse(const unsigned char *t, uint64_t *base, uint64_t *size)
{
	size_t flen = entry_len(FOOTER_NAME, FOOTER_LEN), hn = KLP_CPIO_HEADER_SIZE + sizeof(FOOTER_NAME);
	struct klp_cpio_header h;
	char text[FOOTER_LEN + 1], check[FOOTER_LEN + 1];

	if (klp_cpio_header_parse(t, KLP_CPIO_HEADER_SIZE, &h) < 0 || h.filesize != FOOTER_LEN ||
	    h.namesize != sizeof(FOOTER_NAME) || memcmp(t + KLP_CPIO_HEADER_SIZE, FOOTER_NAME, sizeof(FOOTER_NAME)))
		return -ENOENT;
	memcpy(text, t + hn + pad4(hn), FOOTER_LEN);
	text[FOOTER_LEN] = '\0';
	if (digits20(text + 19, base) < 0 || digits20(text + 19 + 20 + 6, size) < 0)
		return -ENOENT;
	/* one spelling: the fixed widths, nothing after */
	snprintf(check, sizeof(check), FOOTER_FMT, *base, *size);
	if (strcmp(check, text))
		return -ENOENT;
	if (klp_cpio_header_parse(t + flen, KLP_CPIO_HEADER_SIZE, &h) < 0 || h.namesize != 11 ||
	    memcmp(t + flen + KLP_CPIO_HEADER_SIZE, "TRAILER!!!", 11))
		return -ENOENT;
	return 0;
}

int klp_archive_find_mem(const void *img, uint64_t len, struct klp_archive_loc *loc)
{
	uint64_t base, size;

	memset(loc, 0, sizeof(*loc));
	if (len < KLP_ARCHIVE_TAIL || tail_parse((const unsigned char *)img + len - KLP_ARCHIVE_TAIL, &base, &size) < 0)
		return -ENOENT;
	if (size > len || base > len - size || ((base + 3) & ~(uint64_t)3) != len - size)
		return -ENOENT;
	loc->base = base;
	loc->offset = len - size;
	loc->size = size;
	return 0;
}

int klp_archive_find(int fd, struct klp_archive_loc *loc)
{
	unsigned char tail[KLP_ARCHIVE_TAIL];
	struct stat st;
	uint64_t len;
	int r;

	memset(loc, 0, sizeof(*loc));
	if (fstat(fd, &st) < 0)
		return -errno;
	len = (uint64_t)st.st_size;
	if (len < sizeof(tail))
		return -ENOENT;
	if (pread(fd, tail, sizeof(tail), (off_t)(len - sizeof(tail))) != (ssize_t)sizeof(tail))
		return -EIO;
	/* judged on the tail alone, at its place in a file of this length */
	r = tail_parse(tail, &loc->base, &loc->size);
	if (r < 0 || loc->size > len || loc->base > len - loc->size ||
	    ((loc->base + 3) & ~(uint64_t)3) != len - loc->size) {
		memset(loc, 0, sizeof(*loc));
		return -ENOENT;
	}
	loc->offset = len - loc->size;
	return 0;
}
