// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which livepatch module is the active cumulative patch of a kernel.
 *
 * Candidates are the module files (.ko, .ko.xz, .ko.zst, .ko.gz) in
 * <root>/lib/modules/<kver>/livepatch/. modinfo is read with libkmod. A
 * candidate is usable when modinfo says livepatch=Y and its vermagic names
 * kver. Among usable candidates the one pinned in klp.conf wins, else the
 * file name that sorts highest by version (strverscmp), so that
 * livepatch-..._3.ko beats livepatch-..._2.ko. Cumulative patches replace
 * each other: exactly one is ever chosen.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "klp.h"
#include "patch.h"

static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

bool klp_is_module_file(const char *name)
{
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t s = strlen(suffixes[i]);
		if (n > s && !strcmp(name + n - s, suffixes[i]))
			return true;
	}
	return false;
}

int klp_livepatch_dir(const char *root, const char *moddir, const char *kver, char *out, size_t len)
{
	int n;

	if (!kver[0] || strchr(kver, '/'))
		return -EINVAL;
	if (moddir && moddir[0])
		n = snprintf(out, len, "%s/livepatch", moddir);
	else
		n = snprintf(out, len, "%s/lib/modules/%s/livepatch", root ? root : "", kver);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int info_read(struct kmod_module *mod, struct klp_candidate *c)
{
	struct kmod_list *list = NULL, *l;
	int r = kmod_module_get_info(mod, &list);

	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		const char *k = kmod_module_info_get_key(l), *v = kmod_module_info_get_value(l);
		if (!v)
			continue;
		if (!strcmp(k, "livepatch"))
			c->livepatch = !strcmp(v, "Y");
		else if (!strcmp(k, "srcversion") && !c->srcversion)
			c->srcversion = strdup(v);
		else if (!strcmp(k, "vermagic") && !c->vermagic)
			c->vermagic = strdup(v);
		else if (!strcmp(k, "name") && v[0]) {
			/* the module's own name (KBUILD_MODNAME): what sysfs shows, whatever the file is called */
			free(c->name);
			c->name = strdup(v);
		}
	}
	kmod_module_info_free_list(list);
	return 0;
}

static char *problem_of(const struct klp_candidate *c, const char *kver)
{
	char *p = NULL;

	if (!c->stat_ok)
		return strdup("cannot stat the file");
	if (!S_ISREG(c->mode))
		return strdup("not a regular file (symbolic links are not followed)");
	if (c->uid != 0)
		return asprintf(&p, "not owned by root (uid %u): it would be loaded into the kernel at every boot",
				c->uid) < 0 ? NULL : p;
	if (c->mode & 022)
		return strdup("group- or world-writable: it would be loaded into the kernel at every boot");
	if (!c->livepatch)
		return strdup("not a livepatch module (modinfo has no livepatch=Y)");
	if (!c->vermagic_ok)
		return asprintf(&p, "built for another kernel (vermagic '%s', want %s)",
				c->vermagic ? c->vermagic : "none", kver) < 0 ? NULL : p;
	return NULL;
}

void klp_candidate_judge(struct klp_candidate *c, const char *kver)
{
	size_t n = strlen(kver);

	c->vermagic_ok = c->vermagic && !strncmp(c->vermagic, kver, n) &&
			 (c->vermagic[n] == ' ' || c->vermagic[n] == '\0');
	free(c->problem);
	c->problem = problem_of(c, kver);
}

/* modinfo of the module at path (libkmod), into c; a problem is recorded in c, never returned */
static int read_info(struct kmod_ctx *ctx, const char *path, struct klp_candidate *c)
{
	struct kmod_module *mod = NULL;
	int r = kmod_module_new_from_path(ctx, path, &mod);

	if (r < 0) {
		if (asprintf(&c->problem, "unreadable: %s", strerror(-r)) < 0)
			c->problem = NULL;
		return -1;
	}
	c->name = strdup(kmod_module_get_name(mod));
	r = info_read(mod, c);
	kmod_module_unref(mod);
	if (r < 0) {
		if (asprintf(&c->problem, "cannot read modinfo: %s", strerror(-r)) < 0)
			c->problem = NULL;
		return -1;
	}
	return 0;
}

static int read_candidate(struct kmod_ctx *ctx, const char *path, const char *kver, struct klp_candidate *c)
{
	struct stat st;

	memset(c, 0, sizeof(*c));
	if (!(c->path = strdup(path)))
		return -ENOMEM;
	if (!klp_line_safe(path)) {
		/* a newline in the name would end a manifest line, and no log shows it faithfully */
		c->problem = strdup("control characters in the file name: rename it");
		return 0;
	}
	/* lstat: a symlink is judged as such, never followed to somewhere else */
	if (lstat(c->path, &st) == 0) {
		c->stat_ok = true;
		c->uid = (unsigned)st.st_uid;
		c->mode = (unsigned)st.st_mode;
	}
	if (read_info(ctx, c->path, c) == 0)
		klp_candidate_judge(c, kver);
	return 0;
}

int klp_candidate_load(const char *path, const char *kver, struct klp_candidate *c)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = read_candidate(ctx, path, kver, c);
	kmod_unref(ctx);
	return r;
}

int klp_candidate_from_fd(int fd, const char *path, const char *kver, struct klp_candidate *c)
{
	char proc[64];
	struct kmod_ctx *ctx;
	struct stat st;

	memset(c, 0, sizeof(*c));
	if (!(c->path = strdup(path)))
		return -ENOMEM;
	if (fstat(fd, &st) == 0) {
		c->stat_ok = true;
		c->uid = (unsigned)st.st_uid;
		c->mode = (unsigned)st.st_mode;
	}
	if (!(ctx = kmod_new(NULL, NULL)))
		return -ENOMEM;
	/* libkmod reads by name: the open file itself, whatever its path points to now */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (read_info(ctx, proc, c) == 0)
		klp_candidate_judge(c, kver);
	kmod_unref(ctx);
	return 0;
}

static int by_version(const void *a, const void *b)
{
	const struct klp_candidate *x = a, *y = b;

	return strverscmp(x->path, y->path);
}

int klp_candidates_scan(const char *dir, const char *kver, struct klp_candidates *out)
{
	struct kmod_ctx *ctx;
	struct dirent **ents = NULL;
	int n, i, r = 0;

	memset(out, 0, sizeof(*out));
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	ctx = kmod_new(NULL, NULL);
	out->v = calloc((size_t)n + 1, sizeof(*out->v));
	if (!ctx || !out->v)
		r = -ENOMEM;
	for (i = 0; i < n; i++) {
		char *path = NULL;
		if (r == 0 && klp_is_module_file(ents[i]->d_name)) {
			if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) < 0)
				r = -ENOMEM;
			else
				r = read_candidate(ctx, path, kver, &out->v[out->n++]);
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
	kmod_unref(ctx);
	if (r < 0) {
		klp_candidates_free(out);
		return r;
	}
	qsort(out->v, out->n, sizeof(*out->v), by_version);
	return 0;
}

void klp_candidate_clear(struct klp_candidate *c)
{
	free(c->path);
	free(c->name);
	free(c->srcversion);
	free(c->vermagic);
	free(c->problem);
	memset(c, 0, sizeof(*c));
}

void klp_candidates_free(struct klp_candidates *c)
{
	size_t i;

	for (i = 0; c && c->v && i < c->n; i++)
		klp_candidate_clear(&c->v[i]);
	if (c) {
		free(c->v);
		c->v = NULL;
		c->n = 0;
	}
}

int klp_candidates_select(const struct klp_candidates *c, const char *pin)
{
	size_t i;

	if (pin) {
		for (i = 0; i < c->n; i++)
			if (c->v[i].name && !strcmp(c->v[i].name, pin))
				return c->v[i].problem ? -ESRCH : (int)i;
		return -ESRCH;
	}
	for (i = c->n; i-- > 0;)
		if (!c->v[i].problem)
			return (int)i;
	return -ENOENT;
}
