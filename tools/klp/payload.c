// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The initrd payload: the chosen patch, decompressed, and its manifest,
 * written into a folder that an initrd generator copies in (dracut's 55klp,
 * the stale-initrd fallback, tests). klp is its one producer.
 *
 * The installed file is opened once, without following links, and what is
 * judged is that open file: fstat for owner and mode, modinfo through
 * /proc/self/fd, the bytes copied from it. Every folder above it up to the
 * top of the module tree must be root-owned and not group- or
 * world-writable, else someone else could have swapped the file. The copy
 * is judged by the loader's own verdict (lib/verify.c) and the manifest is
 * written by the core's one writer, which reads it back before it is used.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "patch.h"
#include "payload.h"

/* Every folder from path's own up to top (inclusive) is root-owned and not group/world-writable. */
static int check_parents(const char *path, const char *top, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct stat st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/')) && slash != dir) {
		*slash = '\0';
		if (stat(dir, &st) < 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -errno;
		}
		if (st.st_uid != 0 || (st.st_mode & 022)) {
			snprintf(err, errlen,
				 "folder %s is %s: whoever can write there could swap the patch; not used", dir,
				 st.st_uid != 0 ? "not owned by root" : "group- or world-writable");
			return -EPERM;
		}
		if (!strcmp(dir, top))
			return 0;
	}
	return 0;
}

static int open_checked(const char *path, const char *top, const char *kver, struct klp_candidate *c, char *err,
			size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r;

	memset(c, 0, sizeof(*c));
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path,
			 r == -ELOOP ? "a symbolic link (not followed)" : strerror(-r));
		return r;
	}
	r = check_parents(path, top, err, errlen);
	if (r == 0)
		r = klp_candidate_from_fd(fd, path, kver, c);
	if (r == 0 && c->problem) {
		snprintf(err, errlen, "%s: %s", path, c->problem);
		r = -EPERM;
	}
	if (r == 0 && (!c->name || !klp_module_name_valid(c->name))) {
		snprintf(err, errlen, "%s: module name '%s' is not a valid kernel module name", path, c->name ? c->name : "");
		r = -EINVAL;
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* A temporary file beside dir/name (klp_atomic_open), said when it cannot be made. */
static int temp_open(struct klp_atomic *a, const char *dir, const char *name, char *err, size_t errlen)
{
	char dst[PATH_MAX];
	int fd;

	if (snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst))
		fd = -ENAMETOOLONG;
	else
		fd = klp_atomic_open(a, AT_FDCWD, dst, 0644);
	if (fd < 0)
		snprintf(err, errlen, "cannot write into %s: %s", dir, strerror(-fd));
	return fd;
}

/* Renamed into place when r is 0, else removed (klp_atomic_commit); said when it fails. */
static int temp_commit(struct klp_atomic *a, int r, char *err, size_t errlen)
{
	r = klp_atomic_commit(a, r);
	if (r < 0)
		snprintf(err, errlen, "cannot write %s: %s", a->name, strerror(-r));
	return r;
}

/* Writes all of in (from its start) to dir/name through a temporary file, fed to v. */
static int copy_into(int in, const char *dir, const char *name, struct klp_verify *v, char *err, size_t errlen)
{
	struct klp_atomic a;
	char buf[65536];
	ssize_t n = 0;
	int out, r = 0;

	if (lseek(in, 0, SEEK_SET) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read what goes into %s: %s", name, strerror(-r));
		return r;
	}
	if ((out = temp_open(&a, dir, name, err, errlen)) < 0)
		return out;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0) {
		klp_verify_update(v, buf, (size_t)n);
		if (write(out, buf, (size_t)n) != n)
			r = -EIO;
	}
	if (n < 0)
		r = -errno;
	return temp_commit(&a, r, err, errlen);
}

int klp_payload_add_text(const char *dir, const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct klp_atomic a;
	int fd = temp_open(&a, dir, name, err, errlen);

	if (fd < 0)
		return fd;
	return temp_commit(&a, write(fd, text, len) == (ssize_t)len ? 0 : -EIO, err, errlen);
}

int klp_payload_add_file(const char *dir, const char *name, int in_fd, char *err, size_t errlen)
{
	struct klp_verify v; /* unused: the same copy as the patch's */

	klp_verify_init(&v);
	return copy_into(in_fd, dir, name, &v, err, errlen);
}

/* The decompressed bytes of the open file: a memfd for .ko.xz/.zst/.gz, else fd itself. */
static int content_fd(int fd, const char *path, char *err, size_t errlen)
{
	char why[200];
	int out, r;

	if (!klp_decompressor(path))
		return fd;
	r = klp_decompress(fd, path, &out, why, sizeof(why));
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot decompress: %s", path, why);
		return r;
	}
	return out;
}

/* The loader's verdict on what was written: a file it would refuse is not embedded. */
static int judge_copy(const struct klp_payload_req *q, struct klp_verify *v, struct klp_manifest *m, char *err,
		      size_t errlen)
{
	struct klp_verify peek = *v;
	char why[200], ko[PATH_MAX];
	uint8_t d[32];
	int r;

	sha256_final(&peek.sha, d);
	sha256_hex(d, m->sha256);
	m->size = v->size;
	r = klp_verify_finish(v, m, NULL, why, sizeof(why));
	if (r < 0) {
		snprintf(err, errlen, "%s: klp-early would refuse it: %s", q->path, why);
		snprintf(ko, sizeof(ko), "%s/%s", q->outdir, m->file);
		unlink(ko);
	}
	return r;
}

/* The patch file into dir as <module>.ko; m gets everything but what only the bytes tell. */
static int write_module(const struct klp_payload_req *q, struct klp_manifest *m, char *err, size_t errlen)
{
	struct klp_candidate c = { 0 };
	struct klp_verify v;
	int fd, data, r;

	fd = open_checked(q->path, q->top, q->kver, &c, err, errlen);
	if (fd < 0) {
		klp_candidate_clear(&c);
		return fd;
	}
	memset(m, 0, sizeof(*m));
	m->format = 1;
	snprintf(m->kernel, sizeof(m->kernel), "%s", q->kver);
	snprintf(m->module, sizeof(m->module), "%s", c.name);
	snprintf(m->file, sizeof(m->file), "%s.ko", c.name);
	snprintf(m->srcversion, sizeof(m->srcversion), "%s", c.srcversion ? c.srcversion : "");
	klp_candidate_clear(&c);
	data = content_fd(fd, q->path, err, errlen);
	if (data < 0) {
		close(fd);
		return data;
	}
	klp_verify_init(&v);
	r = copy_into(data, q->outdir, m->file, &v, err, errlen);
	if (data != fd)
		close(data);
	close(fd);
	if (r < 0)
		return r;
	return judge_copy(q, &v, m, err, errlen);
}

int klp_payload_write(const struct klp_payload_req *q, struct klp_manifest *m, char *err, size_t errlen)
{
	char text[KLP_MANIFEST_MAX], why[200], ko[PATH_MAX];
	size_t rootlen = strlen(q->root);
	int n, r;

	r = write_module(q, m, err, errlen);
	if (r < 0)
		return r;
	snprintf(ko, sizeof(ko), "%s/%s", q->outdir, m->file);
	/* source= names the file as the booted system sees it, not under --root */
	n = klp_manifest_format(m, strncmp(q->path, q->root, rootlen) ? q->path : q->path + rootlen, text,
				sizeof(text), why, sizeof(why));
	if (n < 0) {
		snprintf(err, errlen, "%s: no manifest can be written for it: %s", q->path,
			 n == -ENOSPC ? "too long" : why);
		unlink(ko);
		return n == -ENOSPC ? -ENAMETOOLONG : n;
	}
	r = klp_payload_add_text(q->outdir, "manifest", text, (size_t)n, err, errlen);
	if (r < 0)
		unlink(ko);
	return r;
}

void klp_payload_drop(const char *dir, const struct klp_manifest *m)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%.3000s/%s", dir, m->file);
	unlink(p);
	snprintf(p, sizeof(p), "%.3000s/manifest", dir);
	unlink(p);
}
