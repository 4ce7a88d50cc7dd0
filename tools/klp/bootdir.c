// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bootdir.c: the boot folder's kernels, the initrd names of the
 * distributions (Debian initrd.img-K, SUSE initrd-K, Fedora initramfs-K.img)
 * and the ramdisks zipl.conf names. Which initrd boots a kernel: bootentry.c.
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
#include "boot.h"
#include "regen.h"

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	while (*list) {
		size_t k = strcspn(list, " \t");
		if (k == n && !strncmp(list, w, n))
			return true;
		list += k;
		list += strspn(list, " \t");
	}
	return false;
}

enum klp_initrd_naming klp_initrd_naming_guess(char *const *names, size_t n, const char *os_release)
{
	static const char *const debian[] = { "debian", "ubuntu" };
	static const char *const suse[] = { "suse", "opensuse", "sles", "sled", "sle-micro" };
	static const char *const fedora[] = { "fedora", "rhel", "centos", "rocky", "almalinux", "ol", "amzn" };
	size_t i, nd = 0, ns = 0, nf = 0;
	char id[128], like[256], all[400];

	for (i = 0; i < n; i++) {
		if (!strncmp(names[i], "initrd.img-", 11))
			nd++;
		else if (!strncmp(names[i], "initrd-", 7))
			ns++;
		else if (!strncmp(names[i], "initramfs-", 10) && strlen(names[i]) > 14 &&
			 !strcmp(names[i] + strlen(names[i]) - 4, ".img"))
			nf++;
	}
	if (nd && !ns && !nf)
		return KLP_NAMING_DEBIAN;
	if (ns && !nd && !nf)
		return KLP_NAMING_SUSE;
	if (nf && !nd && !ns)
		return KLP_NAMING_FEDORA;
	if (os_release) {
		klp_text_value(os_release, "ID", id, sizeof(id));
		klp_text_value(os_release, "ID_LIKE", like, sizeof(like));
		snprintf(all, sizeof(all), "%s %s", id, like);
		for (i = 0; i < sizeof(suse) / sizeof(suse[0]); i++)
			if (word_in(all, suse[i]))
				return KLP_NAMING_SUSE;
		for (i = 0; i < sizeof(debian) / sizeof(debian[0]); i++)
			if (word_in(all, debian[i]))
				return KLP_NAMING_DEBIAN;
		for (i = 0; i < sizeof(fedora) / sizeof(fedora[0]); i++)
			if (word_in(all, fedora[i]))
				return KLP_NAMING_FEDORA;
	}
	return KLP_NAMING_SUSE;
}

void klp_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int klp_strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!(nv[*n] = strndup(s, len)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

int klp_zipl_ramdisks(const char *text, char ***out, size_t *n)
{
	const char *l;

	*out = NULL;
	*n = 0;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n"), k;
		const char *p = l, *end = l + len;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		// cppcheck-suppress knownConditionTrueFalse ; a short line makes it true (cppcheck 2.10 false positive)
		if (end - p < 7 || strncmp(p, "ramdisk", 7))
			continue;
		p += 7;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p != '=')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && (*p == '"' || *p == '\''))
			p++;
		k = strcspn(p, ",\"' \t\r\n");
		if (k && klp_strv_add(out, n, p, k) < 0) {
			klp_strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
	}
	return 0;
}

static int by_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int klp_kernel_image(const char *boot, const char *kver, char *out, size_t len)
{
	static const char *const prefixes[] = { "vmlinuz-", "image-", "Image-", "vmlinux-" };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if ((size_t)snprintf(out, len, "%s/%s%s", boot, prefixes[i], kver) >= len)
			return -ENAMETOOLONG;
		if (access(out, F_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

static bool kernel_image_exists(const char *boot, const char *kver)
{
	char p[PATH_MAX];

	return klp_kernel_image(boot, kver, p, sizeof(p)) == 0;
}

int klp_kernels_installed(const struct klp_sys *sys, char ***out, size_t *n)
{
	char dir[PATH_MAX], p[PATH_MAX + 256];
	struct dirent *d;
	struct stat st;
	DIR *dh;

	*out = NULL;
	*n = 0;
	snprintf(dir, sizeof(dir), "%s/lib/modules", sys->root);
	if (!(dh = opendir(dir)))
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dh))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode) || !kernel_image_exists(sys->boot, d->d_name))
			continue;
		if (klp_strv_add(out, n, d->d_name, strlen(d->d_name)) < 0) {
			closedir(dh);
			klp_strv_free(*out, *n);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
	}
	closedir(dh);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_version);
	return 0;
}


int klp_kernels_select(const struct klp_sys *sys, const char *kver, char ***out, size_t *n)
{
	if (!kver)
		return klp_kernels_installed(sys, out, n);
	*out = NULL;
	*n = 0;
	return klp_strv_add(out, n, kver, strlen(kver));
}

const char *klp_root_norm(const char *root, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", root ? root : "");
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return buf;
}

