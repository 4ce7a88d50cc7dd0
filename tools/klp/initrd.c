// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initrd.c: what an initrd FILE embeds, read from the file itself.
 *
 * An initrd is a sequence of cpio "newc" archives, each possibly compressed,
 * with zero padding between them; the kernel unpacks them in order and a
 * later file replaces an earlier one of the same name. dracut writes an
 * optional uncompressed early archive (microcode) followed by one compressed
 * main archive. This file walks the uncompressed archives itself and feeds
 * the first compressed part to the matching decompressor (compress.c), run
 * as a child with a pipe (filter.c; read through stream.c), so that no
 * compression library is linked. The klp archive that klp regenerate's
 * patch-only update appends (archive.c) is found from the end of the file
 * first: the decompressor gets only what comes before it, and the klp
 * archive is walked last, on its own. Any other data after a compressed
 * part makes the decompressor fail: the image is reported as unreadable.
 *
 * Of the archives' content only usr/lib/klp-early/ matters: the manifest,
 * the loader (klp-early), init (present in shim mode) and the patch the
 * manifest names, whose sha256 is computed from the embedded bytes. The
 * whole image is always read to its end, so a truncated or corrupt image
 * is an error, never a partial answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "payload.h"
#include "util.h"
#include "initrd.h"
#include "regen.h"
#include "initrd-read.h"

/* SHA-256: the core library's (lib/sha256.c), the loader's own */
static void sha256_final_hex(struct sha256 *s, char out[65])
{
	uint8_t d[32];

	sha256_final(s, d);
	sha256_hex(d, out);
}

void klp_initrd_sha256_hex(const void *buf, size_t len, char out[65])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, buf, len);
	sha256_final_hex(&s, out);
}

/* ---- cpio newc headers ---- */
static int hex8(const char *p, uint32_t *out)
{
	uint32_t x = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = p[i];
		unsigned v;
		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = (unsigned)(c - 'A' + 10);
		else
			return -EBADMSG;
		x = x << 4 | v;
	}
	*out = x;
	return 0;
}

int klp_cpio_header_parse(const void *hdr, size_t len, struct klp_cpio_header *h)
{
	const char *p = hdr;
	uint32_t *const f[13] = { &h->ino,	&h->mode,      &h->uid,	      &h->gid,	     &h->nlink,
				  &h->mtime,	&h->filesize,  &h->devmajor,  &h->devminor,  &h->rdevmajor,
				  &h->rdevminor, &h->namesize, &h->check };
	int i;

	memset(h, 0, sizeof(*h));
	if (len < KLP_CPIO_HEADER_SIZE)
		return -EBADMSG;
	if (memcmp(p, "070701", 6) && memcmp(p, "070702", 6))
		return -EBADMSG;
	for (i = 0; i < 13; i++)
		if (hex8(p + 6 + 8 * i, f[i]) < 0)
			return -EBADMSG;
	if (h->namesize == 0 || h->namesize > KLP_CPIO_NAME_MAX + 1)
		return -EBADMSG;
	return 0;
}

/* ---- the walk over the archives ---- */
/*
 * Files are followed as the kernel unpacks them (init/initramfs.c): a later
 * entry of the same name replaces the earlier one, whatever its type; the
 * entries of a hard-link set (regular files with nlink >= 2 and the same
 * device and inode numbers, within one archive) share one file, whose
 * content is the last non-empty body of the set (newc stores it with the
 * last link, and dracut hard-links identical files).
 */
struct kofile {
	char name[KLP_FILE_MAX];
	bool present;
	long link;           /* index of its hard-link set in this archive, -1 if none */
	struct klp_verify v; /* its bytes, fed to the loader's verdict (lib/verify.c) */
};

struct link {
	uint32_t major, minor, ino;
	struct klp_verify v; /* the set's content so far */
};

struct scan {
	struct klp_embedded *out;
	char *manifest; /* KLP_MANIFEST_MAX bytes */
	size_t manifest_len;
	bool manifest_seen, manifest_big;
	char loader_source[KLP_LOADER_SOURCE_MAX]; /* klp-early.source as read, NUL-terminated */
	size_t loader_source_len;
	struct kofile *files;
	size_t nfiles;
	struct link *links; /* hard-link sets of the current archive */
	size_t nlinks;
	char *err;
	size_t errlen;
};

static void put_manifest(void *ctx, const void *p, size_t n)
{
	struct scan *s = ctx;

	memcpy(s->manifest + s->manifest_len, p, n);
	s->manifest_len += n;
}

static void put_loader_source(void *ctx, const void *p, size_t n)
{
	struct scan *s = ctx;

	memcpy(s->loader_source + s->loader_source_len, p, n);
	s->loader_source_len += n;
}

static void put_verify(void *ctx, const void *p, size_t n)
{
	klp_verify_update(ctx, p, n);
}

/* "./usr/lib/..." and "/usr/lib/..." are "usr/lib/..." to the kernel. */
static const char *name_norm(const char *n)
{
	for (;;) {
		if (n[0] == '/')
			n++;
		else if (n[0] == '.' && n[1] == '/')
			n += 2;
		else
			return n;
	}
}

static struct kofile *file_slot(struct scan *s, const char *name)
{
	struct kofile *f;
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].name, name))
			return &s->files[i];
	f = realloc(s->files, (s->nfiles + 1) * sizeof(*f));
	if (!f)
		return NULL;
	s->files = f;
	f = &s->files[s->nfiles++];
	memset(f, 0, sizeof(*f));
	f->link = -1;
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static bool is_hardlink(const struct klp_cpio_header *h)
{
	return (h->mode & S_IFMT) == S_IFREG && h->nlink >= 2;
}

/* The hard-link set of h in this archive (created empty), or -1 when out of memory. */
static long link_set(struct scan *s, const struct klp_cpio_header *h)
{
	struct link *l;
	size_t i;

	for (i = 0; i < s->nlinks; i++)
		if (s->links[i].ino == h->ino && s->links[i].major == h->devmajor && s->links[i].minor == h->devminor)
			return (long)i;
	l = realloc(s->links, (s->nlinks + 1) * sizeof(*l));
	if (!l)
		return -1;
	s->links = l;
	l = &s->links[s->nlinks];
	l->major = h->devmajor;
	l->minor = h->devminor;
	l->ino = h->ino;
	klp_verify_init(&l->v);
	return (long)s->nlinks++;
}

/* A new body for a hard-link set: every name of ours in the set now has it. */
static int link_body(struct klp_stream *r, struct scan *s, long set, uint32_t size)
{
	struct link *l = &s->links[set];
	size_t i;
	int ret;

	klp_verify_init(&l->v);
	ret = klp_stream_consume(r, size, put_verify, &l->v);
	for (i = 0; ret == 0 && i < s->nfiles; i++)
		if (s->files[i].link == set)
			s->files[i].v = l->v;
	return ret;
}

/* End of an archive: the kernel forgets its hard-link sets. */
static void links_forget(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		s->files[i].link = -1;
	s->nlinks = 0;
}

/* One of our names became something else than a regular file: what it was is gone. */
static void ours_replaced(struct scan *s, const char *base)
{
	size_t i;

	if (!strcmp(base, "manifest"))
		s->manifest_seen = false;
	if (!strcmp(base, "klp-early"))
		s->out->loader = false;
	if (!strcmp(base, "klp-early.source"))
		s->loader_source_len = 0;
	for (i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].name, base))
			s->files[i].present = false;
}

/* The body of an entry that is not one of our files (it may still be in a set with one of ours). */
static int other_data(struct klp_stream *r, struct scan *s, const struct klp_cpio_header *h)
{
	long set;

	if (!is_hardlink(h) || h->filesize == 0)
		return klp_stream_consume(r, h->filesize, NULL, NULL);
	if ((set = link_set(s, h)) < 0)
		return -ENOMEM;
	return link_body(r, s, set, h->filesize);
}

/* One of our regular files, a patch or other: followed through hard links. */
static int our_file(struct klp_stream *r, struct scan *s, const struct klp_cpio_header *h, const char *base)
{
	struct kofile *f;
	long set = -1;

	if (strlen(base) >= sizeof(f->name))
		return klp_stream_consume(r, h->filesize, NULL, NULL);
	if (is_hardlink(h) && (set = link_set(s, h)) < 0)
		return -ENOMEM;
	if (!(f = file_slot(s, base)))
		return -ENOMEM;
	f->present = true;
	f->link = set;
	if (set >= 0) {
		/* a link: the set's content so far, and this body (if any) for the whole set */
		f->v = s->links[set].v;
		return h->filesize ? link_body(r, s, set, h->filesize) : 0;
	}
	klp_verify_init(&f->v);
	return klp_stream_consume(r, h->filesize, put_verify, &f->v);
}

static int entry_data(struct klp_stream *r, struct scan *s, const struct klp_cpio_header *h, const char *name)
{
	const char *base;

	if (strncmp(name, KLP_DIR_IN_IMAGE "/", sizeof(KLP_DIR_IN_IMAGE)) != 0)
		return other_data(r, s, h);
	base = name + sizeof(KLP_DIR_IN_IMAGE);
	if (strchr(base, '/') || !base[0])
		return other_data(r, s, h);
	if (!strcmp(base, "init"))
		s->out->shim = true;
	if ((h->mode & S_IFMT) != S_IFREG) {
		ours_replaced(s, base);
		return klp_stream_consume(r, h->filesize, NULL, NULL);
	}
	if (!strcmp(base, "klp-early"))
		s->out->loader = true;
	if (!strcmp(base, "klp-early.source")) {
		bool fits = h->filesize < sizeof(s->loader_source);
		s->loader_source_len = 0;
		s->loader_source[0] = '\0';
		return klp_stream_consume(r, h->filesize, fits ? put_loader_source : NULL, s);
	}
	if (!strcmp(base, "manifest")) {
		/* its own body: a manifest is never identical to another file, so never hard-linked */
		s->manifest_seen = true;
		s->manifest_len = 0;
		s->manifest_big = h->filesize > KLP_MANIFEST_MAX;
		return klp_stream_consume(r, h->filesize, s->manifest_big ? NULL : put_manifest, s);
	}
	return our_file(r, s, h, base);
}

static int pad4(struct klp_stream *r)
{
	return klp_stream_consume(r, (4 - (r->pos & 3)) & 3, NULL, NULL);
}

/* One archive, from its first header to its trailer. */
static int walk_archive(struct klp_stream *r, struct scan *s)
{
	char name[KLP_CPIO_NAME_MAX + 1];
	struct klp_cpio_header h;

	for (;;) {
		uint64_t at = r->pos;
		ssize_t a = klp_stream_fill(r, KLP_CPIO_HEADER_SIZE);
		int ret;
		if (a < 0)
			return (int)a;
		if ((size_t)a < KLP_CPIO_HEADER_SIZE) {
			snprintf(s->err, s->errlen, "truncated cpio header at offset %llu", (unsigned long long)at);
			return -EBADMSG;
		}
		if (klp_cpio_header_parse(r->p + r->off, (size_t)a, &h) < 0) {
			snprintf(s->err, s->errlen, "bad cpio header at offset %llu", (unsigned long long)at);
			return -EBADMSG;
		}
		klp_stream_advance(r, KLP_CPIO_HEADER_SIZE);
		a = klp_stream_fill(r, h.namesize);
		if (a < 0)
			return (int)a;
		if ((size_t)a < h.namesize) {
			snprintf(s->err, s->errlen, "truncated cpio entry name at offset %llu", (unsigned long long)at);
			return -EBADMSG;
		}
		memcpy(name, r->p + r->off, h.namesize);
		if (name[h.namesize - 1] != '\0' || strlen(name) != h.namesize - 1) {
			snprintf(s->err, s->errlen, "bad cpio entry name at offset %llu", (unsigned long long)at);
			return -EBADMSG;
		}
		klp_stream_advance(r, h.namesize);
		ret = pad4(r);
		if (!strcmp(name, "TRAILER!!!") && (ret == 0 || ret == -EBADMSG)) {
			/* the end of this archive; padding after it may be cut by the end of the stream */
			ret = klp_stream_consume(r, h.filesize, NULL, NULL);
			if (ret == 0 && (ret = pad4(r)) == -EBADMSG)
				ret = 0;
			links_forget(s);
			if (ret == 0)
				return 0;
		} else if (ret == 0) {
			ret = entry_data(r, s, &h, name_norm(name));
			if (ret == 0)
				ret = pad4(r);
		}
		if (ret == -EBADMSG) {
			snprintf(s->err, s->errlen, "truncated: cpio entry %s (offset %llu, %u bytes) ends early",
				 name, (unsigned long long)at, h.filesize);
			return ret;
		}
		if (ret < 0)
			return ret;
	}
}

static void skip_zeros(struct klp_stream *r)
{
	while (klp_stream_fill(r, 1) > 0) {
		size_t i = r->off;
		while (i < r->len && r->p[i] == 0)
			i++;
		if (i == r->off)
			return;
		klp_stream_advance(r, i - r->off);
	}
}

/*
 * Archives and zero padding until the end of the stream. At the top level a
 * compressed part ends the walk: returns 1 with its compressor in *comp.
 */
static int walk_stream(struct klp_stream *r, struct scan *s, bool top, int *comp, unsigned *narchives)
{
	for (;;) {
		ssize_t a;
		int ret;

		skip_zeros(r);
		a = klp_stream_fill(r, 6);
		if (a < 0)
			return (int)a;
		if (a == 0)
			return 0;
		if (a >= 6 && (!memcmp(r->p + r->off, "070701", 6) || !memcmp(r->p + r->off, "070702", 6))) {
			if (r->pos & 3) {
				snprintf(s->err, s->errlen, "cpio archive at unaligned offset %llu",
					 (unsigned long long)r->pos);
				return -EBADMSG;
			}
			if ((ret = walk_archive(r, s)) < 0)
				return ret;
			(*narchives)++;
			continue;
		}
		if (top && (*comp = klp_compression_find(r->p + r->off, (size_t)a)) >= 0)
			return 1;
		snprintf(s->err, s->errlen, "%s at offset %llu: neither a cpio archive nor %s",
			 top ? "unknown data" : "garbage after the decompressed archives", (unsigned long long)r->pos,
			 top ? "compressed data of a known kind" : "padding");
		return -EBADMSG;
	}
}

/* The loader's digest, and the format of the file the patch was copied from. */
static void finish_extra(struct scan *s)
{
	char source[KLP_FILE_MAX], *ko;
	uint8_t d[32];
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		if (s->files[i].present && !strcmp(s->files[i].name, "klp-early") && s->out->loader) {
			struct sha256 c = s->files[i].v.sha;
			sha256_final(&c, d);
			sha256_hex(d, s->out->loader_sha256);
		}
	}
	s->loader_source[s->loader_source_len] = '\0';
	if (s->out->loader_sha256[0] && s->loader_source_len > 1 &&
	    s->loader_source[s->loader_source_len - 1] == '\n' &&
	    strcspn(s->loader_source, "\n") == s->loader_source_len - 1)
		snprintf(s->out->loader_source, sizeof(s->out->loader_source), "%.*s",
			 (int)s->loader_source_len - 1, s->loader_source);
	if (!s->manifest_seen || s->manifest_big)
		return;
	s->manifest[s->manifest_len] = '\0';
	klp_text_value(s->manifest, "source", source, sizeof(source));
	ko = strstr(source, ".ko");
	while (ko && strstr(ko + 1, ".ko"))
		ko = strstr(ko + 1, ".ko");
	if (ko && strlen(ko + 3) < sizeof(s->out->source_suffix))
		snprintf(s->out->source_suffix, sizeof(s->out->source_suffix), "%s", ko + 3);
}

/* Judges the manifest and the file it names with the loader's own code, and fills out. */
static void finish(struct scan *s)
{
	struct klp_embedded *e = s->out;
	struct klp_manifest m;
	char why[200];
	size_t i;

	finish_extra(s);
	if (!s->manifest_seen)
		return;
	e->found = true;
	if (s->manifest_big) {
		snprintf(e->problem, sizeof(e->problem), "manifest larger than %d bytes", KLP_MANIFEST_MAX);
		return;
	}
	if (klp_manifest_parse(s->manifest, s->manifest_len, &m, why, sizeof(why)) < 0) {
		snprintf(e->problem, sizeof(e->problem), "manifest: %s", why);
		return;
	}
	e->manifest = m;
	for (i = 0; i < s->nfiles; i++)
		if (s->files[i].present && !strcmp(s->files[i].name, m.file))
			break;
	if (i == s->nfiles) {
		snprintf(e->problem, sizeof(e->problem), "the manifest names %.128s, which is not in the image", m.file);
		return;
	}
	e->size = s->files[i].v.size;
	if (klp_verify_finish(&s->files[i].v, &m, e->sha256, why, sizeof(why)) < 0)
		snprintf(e->problem, sizeof(e->problem), "%.100s: %.150s", m.file, why);
	else
		e->valid = true;
}

/* A memfd holding bytes [from, to) of fd, for a child that reads to the end of its input. */
static int range_fd(int fd, uint64_t from, uint64_t to)
{
	char buf[65536];
	int m = memfd_create("klp-initrd-base", MFD_CLOEXEC);

	if (m < 0)
		return -errno;
	while (from < to) {
		ssize_t n = pread(fd, buf, to - from < sizeof(buf) ? (size_t)(to - from) : sizeof(buf), (off_t)from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write(m, buf, (size_t)n) != n) {
			close(m);
			return n < 0 ? -errno : -EIO;
		}
		from += (uint64_t)n;
	}
	if (lseek(m, 0, SEEK_SET) < 0) {
		close(m);
		return -errno;
	}
	return m;
}

/* Feeds the rest of the stream, from its current position, to a decompressor. */
static int walk_compressed(struct klp_stream *r, int comp, struct scan *s, unsigned *narchives)
{
	char ferr[256] = "";
	struct klp_filter f;
	struct klp_stream dr;
	bool eof = false;
	int in, ret, ret2;

	if (r->fd >= 0 && r->end) {
		/* only up to the klp archive: a decompressor fails on what follows its data */
		in = range_fd(r->fd, r->pos, r->end);
		if (in < 0)
			return in;
	} else if (r->fd >= 0) {
		/* the child reads the file from here on; we no longer do */
		if (lseek(r->fd, (off_t)r->pos, SEEK_SET) < 0)
			return -errno;
		in = r->fd;
	} else {
		size_t left = r->len - r->off;
		in = memfd_create("klp-initrd", MFD_CLOEXEC);
		if (in < 0)
			return -errno;
		if (write(in, r->p + r->off, left) != (ssize_t)left || lseek(in, 0, SEEK_SET) < 0) {
			close(in);
			return -EIO;
		}
	}
	ret = klp_filter_start(klp_compression_argv(comp), in, &f);
	if (in != r->fd)
		close(in);
	if (ret < 0) {
		snprintf(s->err, s->errlen, "cannot run %s to decompress the image: %s", klp_compression_argv(comp)[0],
			 strerror(-ret));
		return -ENOEXEC;
	}
	if ((ret = klp_stream_fd(&dr, f.out, 0)) == 0) {
		klp_stream_set_deadline(&dr);
		ret = walk_stream(&dr, s, false, &comp, narchives);
		eof = dr.eof;
		klp_stream_free(&dr);
	}
	if (ret == -ETIMEDOUT)
		snprintf(s->err, s->errlen, "%s gave no output for %u s: killed", f.name, klp_initrd_timeout_ms() / 1000);
	/* when its output ended, the decompressor's own words explain a truncation best */
	ret2 = klp_filter_end(&f, ret < 0 && !eof, ferr, sizeof(ferr));
	if (ret2 < 0 && (ret == 0 || ret == -EBADMSG)) {
		snprintf(s->err, s->errlen, "%s", ferr);
		return -EBADMSG;
	}
	return ret;
}

/* The klp archive appended after the generator's image: one uncompressed archive, read last. */
static int walk_appended(struct klp_stream *k, struct scan *s, unsigned *narchives)
{
	unsigned n = 0;
	int comp = -1, ret = walk_stream(k, s, true, &comp, &n);

	if (ret == 1) {
		snprintf(s->err, s->errlen, "the klp archive at the end of the image is compressed");
		return -EBADMSG;
	}
	if (ret == 0 && n != 1) {
		snprintf(s->err, s->errlen, "the klp archive at the end of the image holds %u archives", n);
		return -EBADMSG;
	}
	*narchives += n;
	return ret;
}

/* r: the generator's image (up to the klp archive); k: the klp archive, or NULL. */
static int scan_rd(struct klp_stream *r, struct klp_stream *k, struct klp_embedded *out)
{
	struct scan s = { .out = out, .err = out->problem, .errlen = sizeof(out->problem) };
	unsigned narchives = 0;
	int comp = -1, ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->compression, sizeof(out->compression), "none");
	s.manifest = malloc(KLP_MANIFEST_MAX + 1);
	if (!s.manifest)
		return -ENOMEM;
	ret = walk_stream(r, &s, true, &comp, &narchives);
	if (ret == 1) {
		snprintf(out->compression, sizeof(out->compression), "%s", klp_compression_name(comp));
		ret = walk_compressed(r, comp, &s, &narchives);
	}
	if (ret == 0 && k) {
		out->appended = true;
		ret = walk_appended(k, &s, &narchives);
	}
	if (ret == 0 && narchives == 0) {
		snprintf(out->problem, sizeof(out->problem), "%s", r->pos ? "no cpio archive in the image" : "empty file");
		ret = -EBADMSG;
	}
	if (ret == 0)
		finish(&s);
	else if (!out->problem[0])
		snprintf(out->problem, sizeof(out->problem), "%s", strerror(-ret));
	free(s.manifest);
	free(s.files);
	free(s.links);
	if (ret < 0) {
		/* nothing of a broken image is reported as embedded */
		char problem[sizeof(out->problem)];
		char compression[sizeof(out->compression)];
		memcpy(problem, out->problem, sizeof(problem));
		memcpy(compression, out->compression, sizeof(compression));
		memset(out, 0, sizeof(*out));
		memcpy(out->problem, problem, sizeof(problem));
		memcpy(out->compression, compression, sizeof(compression));
	}
	return ret;
}

int klp_initrd_embedded_mem(const void *buf, size_t len, struct klp_embedded *out)
{
	struct klp_archive_loc loc;
	struct klp_stream r, k;

	if (klp_archive_find_mem(buf, len, &loc) < 0) {
		klp_stream_mem(&r, buf, len);
		return scan_rd(&r, NULL, out);
	}
	klp_stream_mem(&r, buf, (size_t)loc.base);
	klp_stream_mem(&k, (const char *)buf + loc.offset, (size_t)loc.size);
	k.pos = loc.offset;
	return scan_rd(&r, &k, out);
}

/* out cleared, then the image opened: its fd, or -errno said in out->problem */
static int open_image(const char *path, struct klp_embedded *out)
{
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		snprintf(out->problem, sizeof(out->problem), "%s", strerror(-fd));
	}
	return fd;
}

int klp_initrd_embedded(const char *path, struct klp_embedded *out)
{
	struct klp_archive_loc loc;
	struct klp_stream r = { .fd = -1 }, k = { .fd = -1 };
	bool appended;
	int fd, kfd = -1, ret;

	fd = open_image(path, out);
	if (fd < 0)
		return fd;
	appended = klp_archive_find(fd, &loc) == 0;
	/* the klp archive is read through its own descriptor: the base's walk moves fd */
	if (appended && ((kfd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || lseek(kfd, (off_t)loc.offset, SEEK_SET) < 0))
		ret = -errno;
	else
		ret = klp_stream_fd(&r, fd, 0);
	if (ret == 0 && appended) {
		r.end = loc.base;
		ret = klp_stream_fd(&k, kfd, loc.offset);
	}
	if (ret == 0)
		ret = scan_rd(&r, appended ? &k : NULL, out);
	klp_stream_free(&r);
	klp_stream_free(&k);
	if (kfd >= 0)
		close(kfd);
	close(fd);
	return ret;
}

int klp_initrd_archive_read(const char *path, struct klp_embedded *out, struct klp_archive_loc *loc)
{
	struct klp_stream k = { .fd = -1 };
	int fd, ret;

	fd = open_image(path, out);
	if (fd < 0)
		return fd;
	ret = klp_archive_find(fd, loc);
	if (ret < 0)
		snprintf(out->problem, sizeof(out->problem), "no klp archive at the end of the image");
	else if (lseek(fd, (off_t)loc->offset, SEEK_SET) < 0)
		ret = -errno;
	else if ((ret = klp_stream_fd(&k, fd, loc->offset)) == 0)
		ret = scan_rd(&k, NULL, out);
	klp_stream_free(&k);
	close(fd);
	return ret < 0 ? ret : 0;
}

/* ---- the installed module's sha256, decompressed as the dracut module embeds it ---- */
int klp_initrd_module_sha256(const char *path, char out[65], unsigned long long *size, char *err, size_t errlen)
{
	const char *const *dec = klp_decompressor(path);
	struct klp_filter f = { .pid = -1, .out = -1, .errfd = -1 };
	struct sha256 sha;
	struct klp_stream r;
	int fd, ret;

	out[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (dec) {
		ret = klp_filter_start(dec, fd, &f);
		close(fd);
		if (ret < 0) {
			snprintf(err, errlen, "cannot run %s for %s: %s", dec[0], path, strerror(-ret));
			return ret;
		}
		fd = f.out;
	}
	ret = klp_stream_fd(&r, fd, 0);
	if (ret == 0) {
		ssize_t a;
		if (dec)
			klp_stream_set_deadline(&r);
		sha256_init(&sha);
		while ((a = klp_stream_fill(&r, KLP_STREAM_CAP)) > 0) {
			sha256_update(&sha, r.p + r.off, (size_t)a);
			klp_stream_advance(&r, (size_t)a);
		}
		ret = a < 0 ? (int)a : 0;
		if (ret == 0) {
			sha256_final_hex(&sha, out);
			if (size)
				*size = r.pos;
		}
		klp_stream_free(&r);
	}
	if (f.pid > 0) {
		int r2;
		if (ret == -ETIMEDOUT)
			snprintf(err, errlen, "%s gave no output for %u s: killed", f.name, klp_initrd_timeout_ms() / 1000);
		r2 = klp_filter_end(&f, ret < 0, err, errlen);
		if (ret == 0 && r2 < 0) {
			out[0] = '\0';
			return r2;
		}
	} else {
		close(fd);
	}
	if (ret < 0 && ret != -ETIMEDOUT)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}
