// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stamp.c: --if-needed must be quick when everything is in step, so a
 * successful read of an initrd is remembered in RUN_DIR/initrd-K.stamp
 * together with the file's identity (device, inode, size, mtime and ctime
 * in ns): any write or replacement of the file changes ctime, which
 * userspace cannot set back, and the stamp no longer applies. `klp initrd`
 * never uses stamps. The run folder is used only when nobody else can
 * change it (rundir.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include "initrd.h"
#include "boot.h"
#include "verdict.h"
#include "regen.h"

struct stamp_key {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
};

static void stamp_key_of(const struct stat *st, struct stamp_key *k)
{
	k->dev = (unsigned long long)st->st_dev;
	k->ino = (unsigned long long)st->st_ino;
	k->size = (unsigned long long)st->st_size;
	k->mtime_s = (long long)st->st_mtim.tv_sec;
	k->mtime_ns = (long long)st->st_mtim.tv_nsec;
	k->ctime_s = (long long)st->st_ctim.tv_sec;
	k->ctime_ns = (long long)st->st_ctim.tv_nsec;
}

static void stamp_name(const char *kver, char *out, size_t len)
{
	snprintf(out, len, "initrd-%.200s.stamp", kver);
}

/*
 * The stamp keeps a verdict on an initrd file: it holds only as long as the
 * rules that made it. Raise this whenever what makes an embedded patch valid
 * changes (2: the loader's own verdict, lib/verify.c; an empty srcversion=
 * refused; 3: the loader's digest and the patch's source format, which
 * decide the fast path), so that an upgrade re-reads every initrd instead of trusting
 * what an older klp concluded.
 */
#define STAMP_RULES 3
#define STAMP_RULES_TEXT "3"

void klp_stamp_save(int dir_fd, const char *kver, const char *initrd, const struct klp_embedded *e)
{
	char p[NAME_MAX + 1];
	struct klp_atomic a;
	struct stamp_key k;
	struct stat st;
	FILE *f;
	int fd, r = 0;

	if (dir_fd < 0 || stat(initrd, &st) < 0)
		return;
	stamp_key_of(&st, &k);
	stamp_name(kver, p, sizeof(p));
	if ((fd = klp_atomic_open(&a, dir_fd, p, 0644)) < 0)
		return;
	if (!(f = fdopen(fd, "w"))) {
		klp_atomic_commit(&a, -errno);
		return;
	}
	fprintf(f, "rules=%d\npath=%s\nkey=%llu %llu %llu %lld.%09lld %lld.%09lld\n", STAMP_RULES, initrd, k.dev, k.ino, k.size, k.mtime_s,
		k.mtime_ns, k.ctime_s, k.ctime_ns);
	fprintf(f, "flags=%d %d %d %d\nmodule=%s\nsrcversion=%s\nkernel=%s\nfile=%s\nsha256=%s\nmsha256=%s\n",
		e->found, e->valid, e->loader, e->shim, e->manifest.module, e->manifest.srcversion, e->manifest.kernel, e->manifest.file, e->sha256,
		e->manifest.sha256);
	fprintf(f, "size=%llu\ncompression=%s\nproblem=%s\n", e->size, e->compression, e->problem);
	fprintf(f, "loader=%s\nlsource=%s\nsuffix=%s\nappended=%d\n", e->loader_sha256, e->loader_source,
		e->source_suffix, e->appended);
	if (fclose(f) != 0)
		r = -errno;
	a.fd = -1; /* closed with the stream */
	klp_atomic_commit(&a, r);
}

/* "1 0 1 1" as stamp_save writes them: four flags, each 0 or 1 */
static int parse_flags(const char *v, int f[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0 && *v++ != ' ')
			return -EINVAL;
		if (*v != '0' && *v != '1')
			return -EINVAL;
		f[i] = *v++ - '0';
	}
	return *v ? -EINVAL : 0;
}

/* 0 when the stamp applies to the file as it is now. */
static int stamp_load(int dir_fd, const char *kver, const char *initrd, const struct stat *st,
		      struct klp_embedded *e)
{
	char p[NAME_MAX + 1], v[PATH_MAX + 16], want[160], *text;
	int f[4], fd;
	struct stamp_key k;

	stamp_name(kver, p, sizeof(p));
	if ((fd = klp_run_file_open(dir_fd, p)) < 0)
		return fd;
	text = klp_fd_read(fd, 8192, false);
	close(fd);
	if (!text)
		return -ENOMEM;
	stamp_key_of(st, &k);
	snprintf(want, sizeof(want), "%llu %llu %llu %lld.%09lld %lld.%09lld", k.dev, k.ino, k.size, k.mtime_s,
		 k.mtime_ns, k.ctime_s, k.ctime_ns);
	memset(e, 0, sizeof(*e));
	klp_text_value(text, "rules", v, sizeof(v));
	if (strcmp(v, STAMP_RULES_TEXT) != 0)
		goto stale;
	klp_text_value(text, "path", v, sizeof(v));
	if (strcmp(v, initrd))
		goto stale;
	klp_text_value(text, "key", v, sizeof(v));
	if (strcmp(v, want))
		goto stale;
	klp_text_value(text, "flags", v, sizeof(v));
	if (parse_flags(v, f) < 0)
		goto stale;
	e->found = f[0], e->valid = f[1], e->loader = f[2], e->shim = f[3];
	klp_text_value(text, "module", e->manifest.module, sizeof(e->manifest.module));
	klp_text_value(text, "srcversion", e->manifest.srcversion, sizeof(e->manifest.srcversion));
	klp_text_value(text, "kernel", e->manifest.kernel, sizeof(e->manifest.kernel));
	klp_text_value(text, "file", e->manifest.file, sizeof(e->manifest.file));
	klp_text_value(text, "sha256", e->sha256, sizeof(e->sha256));
	klp_text_value(text, "msha256", e->manifest.sha256, sizeof(e->manifest.sha256));
	klp_text_value(text, "size", v, sizeof(v));
	e->size = strtoull(v, NULL, 10);
	klp_text_value(text, "compression", e->compression, sizeof(e->compression));
	klp_text_value(text, "problem", e->problem, sizeof(e->problem));
	klp_text_value(text, "loader", e->loader_sha256, sizeof(e->loader_sha256));
	klp_text_value(text, "lsource", e->loader_source, sizeof(e->loader_source));
	klp_text_value(text, "suffix", e->source_suffix, sizeof(e->source_suffix));
	klp_text_value(text, "appended", v, sizeof(v));
	e->appended = !strcmp(v, "1");
	free(text);
	return 0;
stale:
	free(text);
	memset(e, 0, sizeof(*e));
	return -ESTALE;
}

int klp_kstate_load_stamped(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, int stamp_fd,
		       char *err, size_t errlen)
{
	struct stat st;
	int r;

	memset(ks, 0, sizeof(*ks));
	snprintf(ks->kver, sizeof(ks->kver), "%s", kver);
	r = klp_initrd_locate(sys, kver, ks->initrd, sizeof(ks->initrd), err, errlen);
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "initrd of %s: %s", kver, strerror(-r));
		return r;
	}
	r = klp_installed_patch_get(sys->root, kver, &ks->inst, err, errlen);
	if (r < 0)
		return r;
	ks->initrd_exists = stat(ks->initrd, &st) == 0;
	ks->st = st;
	if (!ks->initrd_exists) {
		ks->read_r = -ENOENT;
	} else if (stamp_fd >= 0 && stamp_load(stamp_fd, kver, ks->initrd, &st, &ks->emb) == 0) {
		ks->read_r = 0;
	} else {
		ks->read_r = klp_initrd_embedded(ks->initrd, &ks->emb);
		if (ks->read_r == 0)
			klp_stamp_save(stamp_fd, kver, ks->initrd, &ks->emb);
	}
	ks->verdict = klp_verdict_judge(&ks->inst, ks->initrd_exists, ks->read_r, &ks->emb, kver, ks->why,
					sizeof(ks->why));
	return 0;
}

int klp_kstate_load(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, char *err, size_t errlen)
{
	return klp_kstate_load_stamped(sys, kver, ks, -1, err, errlen);
}

