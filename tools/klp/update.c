// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * update.c: the patch-only update. When nothing but the patch changed, the
 * new initrd is the old one's generator image (its base: everything before
 * an appended klp archive, or the whole file) followed by a new klp archive
 * (archive.c) holding the installed patch and its manifest, written by
 * klp payload's own writer. The kernel unpacks the archives in order and the
 * later manifest wins. rebuild.c verifies and installs the result exactly
 * as it does dracut's.
 *
 * dracut runs instead when the base cannot serve: no initrd or an
 * unreadable one, no klp-early in it, a klp-early whose source file
 * (klp-early.source, written by 55klp) now holds other bytes, no patch to
 * embed (an archive can add files, not remove them), a patch of another
 * compression than the one the base's stale-initrd fallback can read, or
 * --full.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "payload.h"
#include "util.h"
#include "initrd.h"
#include "verdict.h"
#include "regen.h"

/* The sha256 of a file's bytes; -errno. */
static int file_sha256(const char *path, char out[65])
{
	struct sha256 s;
	uint8_t buf[65536], d[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return -EIO;
	sha256_final(&s, d);
	sha256_hex(d, out);
	return 0;
}

/* What follows ".ko" in a module file name: "", ".xz", ".zst", ".gz". */
static const char *ko_suffix(const char *path)
{
	const char *ko = strstr(path, ".ko"), *k;

	while (ko && (k = strstr(ko + 1, ".ko")))
		ko = k;
	return ko ? ko + 3 : "";
}

static const char *loader_refusal(const struct klp_embedded *e, char *buf, size_t len)
{
	char sha[65];
	int r;

	if (!e->loader)
		return "the initrd has no klp-early";
	if (!e->loader_source[0])
		return "the initrd does not say which klp-early it holds (made before klp-early.source)";
	r = file_sha256(e->loader_source, sha);
	if (r < 0) {
		snprintf(buf, len, "%.200s: %s", e->loader_source, strerror(-r));
		return buf;
	}
	if (strcmp(sha, e->loader_sha256)) {
		snprintf(buf, len, "%.200s changed", e->loader_source);
		return buf;
	}
	return NULL;
}

const char *klp_update_refusal(const struct klp_regen_opts *o, const struct klp_kstate *ks, char *buf, size_t len)
{
	const char *want = ks->inst.present ? ko_suffix(ks->inst.file) : "", *why;

	if (o->full)
		return "--full";
	if (!ks->initrd_exists)
		return "no initrd yet";
	if (ks->read_r < 0)
		return "the initrd cannot be read";
	if (!ks->inst.present)
		return "no patch to embed";
	if ((why = loader_refusal(&ks->emb, buf, len)))
		return why;
	if (ks->emb.found && strcmp(want, ks->emb.source_suffix)) {
		snprintf(buf, len, "the patch comes as .ko%s now, .ko%s before", want, ks->emb.source_suffix);
		return buf;
	}
	return NULL;
}

/* Bytes [0, len) of in to out at 0 (in-kernel copy, a reflink where the filesystem shares extents). */
static int copy_base(int in, int out, uint64_t len)
{
	loff_t from = 0, to = 0;
	char buf[65536];

	while ((uint64_t)from < len) {
		size_t want = len - (uint64_t)from > (1u << 30) ? (1u << 30) : (size_t)(len - (uint64_t)from);
		ssize_t n = copy_file_range(in, &from, out, &to, want, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
			/* no in-kernel copy here: through a buffer */
			n = pread(in, buf, want < sizeof(buf) ? want : sizeof(buf), from);
			if (n > 0 && pwrite(out, buf, (size_t)n, to) != n)
				return errno ? -errno : -EIO;
			if (n > 0)
				from += n, to += n;
		}
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the old initrd got shorter under us */
	}
	return lseek(out, to, SEEK_SET) < 0 ? -errno : 0;
}

/* The payload's two files, from the folder klp_payload_write filled, as an archive after the base. */
static int append_payload(int out, uint64_t base, const char *dir, const struct klp_manifest *m, char *err,
			  size_t errlen)
{
	char ko[PATH_MAX], mf[PATH_MAX], *text = NULL;
	struct klp_archive_src src = { .ko_name = m->file };
	struct stat st = { 0 };
	size_t len = 0;
	int r;

	snprintf(ko, sizeof(ko), "%.3000s/%s", dir, m->file);
	snprintf(mf, sizeof(mf), "%.3000s/manifest", dir);
	src.ko_fd = open(ko, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	r = src.ko_fd < 0 || fstat(src.ko_fd, &st) < 0 ? -errno : klp_read_text(mf, KLP_MANIFEST_MAX, &text, &len);
	if (r < 0) {
		snprintf(err, errlen, "cannot read back the payload: %s", strerror(-r));
		if (src.ko_fd >= 0)
			close(src.ko_fd);
		return r;
	}
	src.ko_size = (uint64_t)st.st_size;
	src.manifest = text;
	src.manifest_len = len;
	r = klp_archive_write(out, base, &src);
	if (r < 0)
		snprintf(err, errlen, "cannot write the patch archive: %s", strerror(-r));
	free(text);
	close(src.ko_fd);
	return r;
}

/* The same file, unchanged: what was judged is what is read. */
static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * The old initrd's base into out; its length in *base. The file must be the
 * one judged before (ks->st), before and after the copy: its base was read
 * whole then, so only the new archive needs reading back.
 */
static int write_base(const struct klp_kstate *ks, int out, uint64_t *base, char *err, size_t errlen)
{
	struct klp_archive_loc loc;
	struct stat st, st2;
	int in = open(ks->initrd, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), r;

	if (in < 0 || fstat(in, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read %s: %s", ks->initrd, strerror(-r));
		if (in >= 0)
			close(in);
		return r;
	}
	r = same_file(&st, &ks->st) ? klp_archive_find(in, &loc) : -ESTALE;
	*base = r == 0 ? loc.base : (uint64_t)st.st_size;
	r = r == 0 || r == -ENOENT ? copy_base(in, out, *base) : r;
	if (r == 0 && (fstat(in, &st2) < 0 || !same_file(&st2, &ks->st)))
		r = -ESTALE;
	if (r == -ESTALE)
		snprintf(err, errlen, "%s changed while klp ran", ks->initrd);
	else if (r < 0)
		snprintf(err, errlen, "cannot copy the base of %s: %s", ks->initrd, strerror(-r));
	close(in);
	return r;
}

int klp_update_read(const char *path, const struct klp_kstate *ks, uint64_t base, struct klp_embedded *emb)
{
	struct klp_embedded a;
	struct klp_archive_loc loc;
	int r = klp_initrd_archive_read(path, &a, &loc);

	*emb = ks->emb; /* the base, as read whole when it was judged: loader, mode, compression */
	memset(emb->problem, 0, sizeof(emb->problem));
	if (r == 0 && loc.base != base) {
		snprintf(a.problem, sizeof(a.problem), "the klp archive does not follow the base image");
		r = -EBADMSG;
	}
	snprintf(emb->problem, sizeof(emb->problem), "%s", a.problem);
	if (r < 0)
		return r;
	emb->found = a.found;
	emb->valid = a.valid;
	emb->manifest = a.manifest;
	memcpy(emb->sha256, a.sha256, sizeof(emb->sha256));
	emb->size = a.size;
	memcpy(emb->source_suffix, a.source_suffix, sizeof(emb->source_suffix));
	emb->appended = true;
	return 0;
}

int klp_update_write(const struct klp_regen_opts *o, const struct klp_kstate *ks, int out, uint64_t *base, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX], top[PATH_MAX];
	struct klp_manifest m = { 0 };
	struct klp_payload_req q;
	int r, dfd;

	snprintf(dir, sizeof(dir), "%.3000s/payload.%ld.XXXXXX", o->run_dir, (long)getpid());
	if (!mkdtemp(dir)) {
		r = -errno;
		snprintf(err, errlen, "cannot make a folder in %s: %s", o->run_dir, strerror(-r));
		return r;
	}
	/* held while we use it: a sweep removes only folders nobody holds (klp_update_sweep) */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)flock(dfd, LOCK_EX);
	snprintf(top, sizeof(top), "%s/lib/modules", o->sys.root);
	q = (struct klp_payload_req){ .path = ks->inst.file, .top = top, .root = o->sys.root, .kver = ks->kver,
				      .outdir = dir };
	r = klp_payload_write(&q, &m, err, errlen);
	if (r == 0 && strcmp(m.sha256, ks->inst.sha256)) {
		snprintf(err, errlen, "%s changed while klp ran", ks->inst.file);
		r = -ESTALE;
	}
	if (r == 0)
		r = write_base(ks, out, base, err, errlen);
	if (r == 0 && !klp_got_signal)
		r = append_payload(out, *base, dir, &m, err, errlen);
	klp_payload_drop(dir, &m);
	rmdir(dir);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* One payload folder of a run that is gone (SIGKILL; nobody holds its lock): its files, then itself. */
static void payload_dir_remove(int run_fd, const char *name)
{
	int fd = openat(run_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *d;
	DIR *dh;

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd); /* its run is still at work */
		return;
	}
	if (fd < 0 || !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dh)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			(void)unlinkat(dirfd(dh), d->d_name, 0);
	closedir(dh);
	(void)unlinkat(run_fd, name, AT_REMOVEDIR);
}

void klp_update_sweep(int run_fd)
{
	struct dirent *d;
	DIR *dh;
	int fd = openat(run_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dh = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dh)))
		if (!strncmp(d->d_name, "payload.", 8))
			payload_dir_remove(run_fd, d->d_name);
	closedir(dh);
}
