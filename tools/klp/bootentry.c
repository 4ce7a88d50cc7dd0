// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bootentry.c: which initrd file boots a kernel, found where the boot loader
 * finds it. In this order:
 *   1. a Boot Loader Specification entry (BOOT/loader/entries/NAME.conf, also on
 *      an ESP at ROOT/efi or ROOT/boot/efi) whose version or linux line is the
 *      kernel's: its last initrd line (earlier ones are microcode);
 *   2. an existing initrd of the distributions' names: Debian initrd.img-K,
 *      SUSE initrd-K, Fedora/RHEL initramfs-K.img;
 *   3. a unified kernel image (EFI/Linux/...K....efi): refused, klp does not
 *      rewrite a signed PE, and says what to run instead;
 *   4. the kernel-install layout BOOT/<entry-token>/K/ (its initrd file);
 *   5. none yet: the name the other kernels' initrds use, else os-release's.
 * An entry that boots the kernel without an initrd is refused too: a file
 * written beside it would be one nothing uses.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "boot.h"
#include "regen.h"

/* The value of one "key value" line of a BLS entry, trimmed; NULL when the line has another key. */
static const char *bls_value(const char *line, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key);
	const char *end = line + len;

	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	// cppcheck-suppress knownConditionTrueFalse ; a short line makes it true (cppcheck 2.10 false positive)
	if ((size_t)(end - line) <= k || strncmp(line, key, k) || (line[k] != ' ' && line[k] != '\t'))
		return NULL;
	line += k;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*vlen = (size_t)(end - line);
	return line;
}

/* Is this linux path the kernel kver's: .../vmlinuz-K (or image-K, ...) or .../K/linux? */
static bool linux_is(const char *v, size_t n, const char *kver)
{
	size_t k = strlen(kver), blen, dlen;
	const char *base = v + n;

	while (base > v && base[-1] != '/')
		base--;
	blen = (size_t)(v + n - base);
	dlen = (size_t)(base - v);
	static const char *const images[] = { "vmlinuz-", "vmlinux-", "image-", "Image-", "bzImage-", "kernel-" };
	size_t i, pl;

	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		pl = strlen(images[i]);
		if (blen == pl + k && !strncmp(base, images[i], pl) && !strncmp(base + pl, kver, k))
			return true;
	}
	/* kernel-install's layout: /<token>/K/linux */
	// cppcheck-suppress knownConditionTrueFalse ; a path with folders makes it true (cppcheck 2.10 false positive)
	return blen == 5 && !strncmp(base, "linux", 5) && dlen >= k + 2 && base[-(ptrdiff_t)k - 2] == '/' &&
	       !strncmp(base - k - 1, kver, k);
}

/*
 * The last path of an initrd line into out (several lines or several paths
 * on one: the last is the generator's, earlier ones are microcode), GRUB's
 * variables ($tuned_initrd on Fedora) left out.
 */
static int last_initrd(const char *v, size_t n, char *out, size_t len)
{
	const char *end = v + n;

	while (v < end) {
		size_t k = strcspn(v, " \t");
		if (k > (size_t)(end - v))
			k = (size_t)(end - v);
		if (k && v[0] != '$' && out && snprintf(out, len, "%.*s", (int)k, v) >= (int)len)
			return -ENAMETOOLONG;
		v += k;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
	}
	return 0;
}

int klp_bls_initrd(const char *text, const char *kver, char *out, size_t len)
{
	bool by_version = false, has_linux = false, by_linux = false, uki = false;
	const char *l, *v;
	size_t n, vlen;
	int r;

	if (out && len)
		out[0] = '\0';
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		n = strcspn(l, "\n");
		if ((v = bls_value(l, n, "version", &vlen)) && vlen == strlen(kver) && !strncmp(v, kver, vlen))
			by_version = true;
		if ((v = bls_value(l, n, "linux", &vlen))) {
			has_linux = true;
			by_linux |= linux_is(v, vlen, kver);
		}
		if (bls_value(l, n, "uki", &vlen) || bls_value(l, n, "efi", &vlen))
			uki = true;
		if ((v = bls_value(l, n, "initrd", &vlen)) && vlen && (r = last_initrd(v, vlen, out, len)) < 0)
			return r;
	}
	/*
	 * The linux line decides when there is one: dracut's rescue entry has
	 * the kernel's version but boots its own kernel and initrd (0-rescue)
	 */
	if (has_linux ? !by_linux : !by_version)
		return 0;
	if (uki)
		return -EMEDIUMTYPE;
	return out && out[0] ? 1 : -ENOMEDIUM;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir ending in suffix, sorted; *n 0 when dir cannot be read. */
static char **names_ending(const char *dir, const char *suffix, size_t *n)
{
	size_t k = strlen(suffix), l;
	char **v = NULL;
	struct dirent *d;
	DIR *dh;

	*n = 0;
	if (!(dh = opendir(dir)))
		return NULL;
	while ((d = readdir(dh))) {
		l = strlen(d->d_name);
		if (d->d_name[0] != '.' && l > k && !strcmp(d->d_name + l - k, suffix) &&
		    klp_strv_add(&v, n, d->d_name, l) < 0)
			break;
	}
	closedir(dh);
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	return v;
}

/*
 * The partition roots a boot loader may read entries from: BOOT, and an ESP
 * mounted at ROOT/efi or ROOT/boot/efi.
 */
static int bls_bases(const struct klp_sys *sys, char bases[3][PATH_MAX])
{
	snprintf(bases[0], PATH_MAX, "%s", sys->boot);
	snprintf(bases[1], PATH_MAX, "%s/efi", sys->root);
	snprintf(bases[2], PATH_MAX, "%s/boot/efi", sys->root);
	return 3;
}

/* An entry's initrd path on this machine: under the entry's partition, or under ROOT for /boot/... paths. */
static int entry_path(const struct klp_sys *sys, const char *base, const char *rel, char *out, size_t len)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s/%s", base, rel[0] == '/' ? rel + 1 : rel) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	if (access(p, F_OK) != 0 && !strncmp(rel, "/boot/", 6)) {
		char q[PATH_MAX];
		snprintf(q, sizeof(q), "%s%s", sys->root, rel);
		if (access(q, F_OK) == 0 || access(base, F_OK) != 0 || !strcmp(base, sys->boot))
			snprintf(p, sizeof(p), "%s", q);
	}
	return snprintf(out, len, "%s", p) >= (int)len ? -ENAMETOOLONG : 0;
}

/* The one line that refuses a unified kernel image (where: the entry or the image that says so). */
static void uki_refusal(char *why, size_t whylen, const char *kver, const char *where)
{
	snprintf(why, whylen,
		 "%s boots %s as a unified kernel image: its initrd is inside the signed image, which klp does "
		 "not rewrite; rebuild the image (kernel-install add %s /boot/vmlinuz-%s)",
		 where, kver, kver, kver);
}

/* 1: a BLS entry names kver's initrd (in out); 0: no entry for kver; < 0 refused, why says it. */
static int from_entries(const struct klp_sys *sys, const char *kver, char *out, size_t len, char *why,
			size_t whylen)
{
	char bases[3][PATH_MAX], dir[PATH_MAX + 32], p[PATH_MAX * 2], rel[PATH_MAX];
	int nb = bls_bases(sys, bases), b, r = 0;
	size_t i, n;

	for (b = 0; b < nb && r == 0; b++) {
		if (snprintf(dir, sizeof(dir), "%s/loader/entries", bases[b]) >= (int)sizeof(dir))
			continue;
		char **names = names_ending(dir, ".conf", &n);
		for (i = 0; i < n && r == 0; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			char *text = klp_file_read(p, 65536);
			if (!text)
				continue;
			r = klp_bls_initrd(text, kver, rel, sizeof(rel));
			free(text);
			if (r == 1)
				r = entry_path(sys, bases[b], rel, out, len) < 0 ? -ENAMETOOLONG : 1;
			else if (r == -EMEDIUMTYPE)
				uki_refusal(why, whylen, kver, p);
			else if (r == -ENOMEDIUM)
				snprintf(why, whylen,
					 "the boot entry %s boots %s without an initrd: a livepatch needs one to be "
					 "applied at boot (add an initrd line, e.g. by kernel-install add)", p, kver);
			else if (r < 0)
				snprintf(why, whylen, "the boot entry %s: %s", p, strerror(-r));
		}
		klp_strv_free(names, n);
	}
	return r;
}

/*
 * Is this EFI/Linux file name a unified kernel image of kver: K or
 * <anything>-K, then ".efi" or kernel-install's boot counting "+N[-M].efi"?
 * (6.5.6-300.fc39.x86_64+debug is another kernel.)
 */
static bool uki_name_is(const char *name, const char *kver)
{
	size_t k = strlen(kver);
	const char *p;

	for (p = strstr(name, kver); p; p = strstr(p + 1, kver)) {
		const char *e = p + k;
		if (p != name && p[-1] != '-')
			continue;
		if (!strcmp(e, ".efi"))
			return true;
		if (*e == '+' && e[1] >= '0' && e[1] <= '9') {
			e += strspn(e + 1, "0123456789") + 1;
			if (*e == '-')
				e += strspn(e + 1, "0123456789") + 1;
			if (!strcmp(e, ".efi"))
				return true;
		}
	}
	return false;
}

/* A unified kernel image of kver in EFI/Linux of BOOT or an ESP: its path in out. */
static bool uki_of(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	char bases[3][PATH_MAX], dir[PATH_MAX + 32];
	int nb = bls_bases(sys, bases), b;
	bool found = false;
	size_t i, n;

	for (b = 0; b < nb && !found; b++) {
		if (snprintf(dir, sizeof(dir), "%s/EFI/Linux", bases[b]) >= (int)sizeof(dir))
			continue;
		char **names = names_ending(dir, ".efi", &n);
		for (i = 0; i < n && !found; i++) {
			if (uki_name_is(names[i], kver))
				found = snprintf(out, len, "%s/%s", dir, names[i]) < (int)len;
		}
		klp_strv_free(names, n);
	}
	return found;
}

/* kernel-install's layout BOOT/<entry-token>/K/: the token from /etc/kernel/entry-token or the machine id. */
static bool token_dir(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	static const char *const files[] = { "/etc/kernel/entry-token", "/etc/machine-id" };
	char p[PATH_MAX], tok[256];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", sys->root, files[i]);
		char *text = klp_file_read(p, 4096);
		if (!text)
			continue;
		snprintf(tok, sizeof(tok), "%.*s", (int)strcspn(text, " \t\r\n"), text);
		free(text);
		if (!tok[0] || strchr(tok, '/') || !strcmp(tok, ".") || !strcmp(tok, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s/%s", sys->boot, tok, kver);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return snprintf(out, len, "%s/initrd", p) < (int)len;
	}
	return false;
}

/* The existing initrd of one of the distributions' names, in out. */
static bool named_initrd(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	static const char *const fmt[] = { "%s/initrd.img-%s", "%s/initrd-%s", "%s/initramfs-%s.img" };
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		if (snprintf(out, len, fmt[i], sys->boot, kver) < (int)len && access(out, F_OK) == 0)
			return true;
	}
	return false;
}

/* No initrd yet: the name the other kernels' initrds use, else os-release's. */
static int guessed(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	char osr[PATH_MAX], **names = NULL, *text;
	size_t n = 0;
	struct dirent *d;
	DIR *dh;
	int w;

	if ((dh = opendir(sys->boot))) {
		while ((d = readdir(dh)))
			if (!strncmp(d->d_name, "initr", 5) && klp_strv_add(&names, &n, d->d_name, strlen(d->d_name)) < 0)
				break;
		closedir(dh);
	}
	snprintf(osr, sizeof(osr), "%s/etc/os-release", sys->root);
	text = klp_file_read(osr, 16384);
	if (!text) {
		snprintf(osr, sizeof(osr), "%s/usr/lib/os-release", sys->root);
		text = klp_file_read(osr, 16384);
	}
	switch (klp_initrd_naming_guess(names, n, text)) {
	case KLP_NAMING_DEBIAN:
		w = snprintf(out, len, "%s/initrd.img-%s", sys->boot, kver);
		break;
	case KLP_NAMING_FEDORA:
		w = snprintf(out, len, "%s/initramfs-%s.img", sys->boot, kver);
		break;
	default:
		w = snprintf(out, len, "%s/initrd-%s", sys->boot, kver);
		break;
	}
	free(text);
	klp_strv_free(names, n);
	return w >= (int)len ? -ENAMETOOLONG : 0;
}

void klp_sel_init(struct klp_sel *s)
{
	memset(s, 0, sizeof(*s));
	s->sys.root = "";
	s->sys.boot = "/boot";
}

bool klp_sel_opt(struct klp_sel *s, int c, const char *arg)
{
	switch (c) {
	case 'k': s->kver = arg; return true;
	case 'a': s->all = true; return true;
	case 'r': s->sys.root = klp_root_norm(arg, s->root, sizeof(s->root)); return true;
	case 'b': s->sys.boot = arg; return true;
	case 'I': s->initrd = arg; return true;
	default: return false;
	}
}

/* --initrd FILE: sys.initrd, and sys.boot its folder; 0 or -EINVAL, said. */
static int initrd_arg(struct klp_sel *s, const char *cmd)
{
	const char *file = s->initrd, *slash = strrchr(file, '/');

	if (!s->kver) {
		klp_err("%s: --initrd names one kernel's initrd: give its --kver", cmd);
		return -EINVAL;
	}
	if (!file[0] || (slash && !slash[1])) {
		klp_err("%s: --initrd '%s' is not a file name", cmd, file);
		return -EINVAL;
	}
	if (!slash)
		snprintf(s->dir, sizeof(s->dir), ".");
	else if (slash == file)
		snprintf(s->dir, sizeof(s->dir), "/");
	else
		snprintf(s->dir, sizeof(s->dir), "%.*s", (int)(slash - file), file);
	s->sys.initrd = file;
	s->sys.boot = s->dir;
	return 0;
}

int klp_sel_check(struct klp_sel *s, const char *cmd)
{
	if (s->kver && s->all) {
		klp_err("%s: --kver and --all exclude each other", cmd);
		return -EINVAL;
	}
	if (s->kver && (!s->kver[0] || strchr(s->kver, '/'))) {
		klp_err("%s: bad kernel release '%s'", cmd, s->kver);
		return -EINVAL;
	}
	return s->initrd ? initrd_arg(s, cmd) : 0;
}

int klp_initrd_locate(const struct klp_sys *sys, const char *kver, char *out, size_t len, char *why,
		      size_t whylen)
{
	char uki[PATH_MAX];
	int r;

	why[0] = '\0';
	if (!kver[0] || strchr(kver, '/'))
		return -EINVAL;
	if (sys->initrd)
		return snprintf(out, len, "%s", sys->initrd) >= (int)len ? -ENAMETOOLONG : 0;
	r = from_entries(sys, kver, out, len, why, whylen);
	if (r != 0)
		return r < 0 ? r : 0;
	if (named_initrd(sys, kver, out, len))
		return 0;
	if (uki_of(sys, kver, uki, sizeof(uki))) {
		uki_refusal(why, whylen, kver, uki);
		return -EMEDIUMTYPE;
	}
	if (token_dir(sys, kver, out, len))
		return 0;
	return guessed(sys, kver, out, len);
}

int klp_initrd_path(const struct klp_sys *sys, const char *kver, char *out, size_t len)
{
	char why[512];

	return klp_initrd_locate(sys, kver, out, len, why, sizeof(why));
}
