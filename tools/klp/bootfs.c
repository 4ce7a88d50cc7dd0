// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bootfs.c: is the boot folder we are about to write into the filesystem the
 * boot loader reads?
 *
 * When ROOT/etc/fstab mounts a separate filesystem on /boot (by UUID=,
 * LABEL=, PARTUUID=, PARTLABEL= or a /dev path), an initrd written into an
 * unmounted /boot lands on the root filesystem and the next boot never sees
 * it. The fstab device is resolved with libblkid and compared with the
 * device mounted on BOOT according to /proc/self/mountinfo (major:minor
 * against the block device's st_rdev; for filesystems with anonymous device
 * numbers such as btrfs, the mount source against the device path). The
 * fstab of ROOT speaks about ROOT's /boot; the check applies it to the BOOT
 * folder given, so that tests can point BOOT at a scratch mount.
 */
#define _GNU_SOURCE
#include <blkid.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "klp.h"
#include "util.h"
#include "kernel.h"
#include "boot.h"

/* fstab and mountinfo escape blanks and backslashes as \040, \011, \012, \134. */
static void unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[k++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
}

/* The i-th blank-separated field of a line (n chars), or NULL. */
static const char *field(const char *l, size_t n, unsigned i, size_t *flen)
{
	const char *end = l + n;

	for (;;) {
		while (l < end && (*l == ' ' || *l == '\t'))
			l++;
		if (l == end)
			return NULL;
		*flen = 0;
		while (l + *flen < end && l[*flen] != ' ' && l[*flen] != '\t')
			(*flen)++;
		if (i-- == 0)
			return l;
		l += *flen;
	}
}

/* "MAJOR:MINOR" of mountinfo: decimal, each within an unsigned; sscanf's %u would take "-1" */
static int parse_devno(const char *s, unsigned *maj, unsigned *min)
{
	unsigned long a, b;
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	a = strtoul(s, &e, 10);
	if (*e != ':' || e[1] < '0' || e[1] > '9')
		return -EINVAL;
	b = strtoul(e + 1, &e, 10);
	if (*e || errno || a > UINT_MAX || b > UINT_MAX)
		return -EINVAL;
	*maj = (unsigned)a;
	*min = (unsigned)b;
	return 0;
}

static void strip_slashes(char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
}

int klp_fstab_find(const char *text, const char *mountpoint, char *spec, size_t speclen, char *fstype,
		   size_t typelen)
{
	char want[PATH_MAX], mp[PATH_MAX];
	const char *l, *f;
	int found = 0;

	snprintf(want, sizeof(want), "%s", mountpoint);
	strip_slashes(want);
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n"), fl, sl;
		const char *s;
		if (n && l[n - 1] == '\r')
			n--;
		if (!(s = field(l, n, 0, &sl)) || s[0] == '#' || !(f = field(l, n, 1, &fl)))
			continue;
		unescape(f, fl, mp, sizeof(mp));
		strip_slashes(mp);
		if (strcmp(mp, want))
			continue;
		/* the last entry wins: mounted last, it is the one on top */
		unescape(s, sl, spec, speclen);
		if ((f = field(l, n, 2, &fl)))
			snprintf(fstype, typelen, "%.*s", (int)fl, f);
		else
			snprintf(fstype, typelen, "auto");
		found = 1;
	}
	return found;
}

int klp_mountinfo_find(const char *text, const char *mountpoint, struct klp_mount *m)
{
	char mp[PATH_MAX];
	const char *l;
	int found = 0;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n"), fl, dl;
		const char *f = field(l, n, 4, &fl), *dev = field(l, n, 2, &dl), *sep;
		unsigned maj, min;
		char d[32];
		if (!f || !dev || dl >= sizeof(d))
			continue;
		unescape(f, fl, mp, sizeof(mp));
		if (strcmp(mp, mountpoint))
			continue;
		snprintf(d, sizeof(d), "%.*s", (int)dl, dev);
		if (parse_devno(d, &maj, &min) < 0)
			continue;
		/* after the optional fields: " - fstype source superoptions" */
		sep = strstr(l, " - ");
		if (!sep || sep > l + n)
			continue;
		memset(m, 0, sizeof(*m));
		m->major = maj;
		m->minor = min;
		{
			size_t rest = n - (size_t)(sep + 3 - l), tl, sl;
			const char *t = field(sep + 3, rest, 0, &tl), *s = field(sep + 3, rest, 1, &sl);
			if (t)
				snprintf(m->fstype, sizeof(m->fstype), "%.*s", (int)tl, t);
			if (s)
				unescape(s, sl, m->source, sizeof(m->source));
		}
		found = 1; /* keep going: the last one is on top */
	}
	return found;
}

static bool spec_is_device(const char *spec)
{
	static const char *const tags[] = { "UUID=", "LABEL=", "PARTUUID=", "PARTLABEL=" };
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strncmp(spec, tags[i], strlen(tags[i])))
			return true;
	return !strncmp(spec, "/dev/", 5);
}

int klp_bootfs_check(const char *root, const char *boot, char *err, size_t errlen)
{
	char fstab[PATH_MAX], spec[512], fstype[64], mp[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	char *text, *dev = NULL;
	struct klp_mount m;
	blkid_cache cache = NULL;
	struct stat st;
	int r = 0, found;

	snprintf(fstab, sizeof(fstab), "%s/etc/fstab", root);
	r = klp_read_text(fstab, 1u << 24, &text, NULL);
	if (r == -EFBIG) {
		snprintf(err, errlen, "%s: %s", fstab, strerror(-r));
		return r;
	}
	if (r < 0) /* no fstab (a chroot, a bare root): nothing to judge */
		return 0;
	found = klp_fstab_find(text, "/boot", spec, sizeof(spec), fstype, sizeof(fstype));
	free(text);
	if (!found || !spec_is_device(spec))
		return 0; /* /boot is part of /, or a bind/network mount we cannot judge */
	if (!realpath(boot, mp)) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", boot, strerror(-r));
		return r;
	}
	if (!(text = klp_kernel_mountinfo())) {
		r = -errno;
		snprintf(err, errlen, "/proc/self/mountinfo: %s", strerror(-r));
		return r;
	}
	found = klp_mountinfo_find(text, mp, &m);
	free(text);
	if (!found) {
		snprintf(err, errlen,
			 "%s mounts %s on /boot, but nothing is mounted on %s: the boot loader would not see an initrd"
			 " written there (mount /boot first, or use --no-boot-check)",
			 fstab, spec, mp);
		return -ENOTCONN;
	}
	if (blkid_get_cache(&cache, NULL) < 0)
		cache = NULL;
	dev = blkid_evaluate_spec(spec, &cache);
	if (cache)
		blkid_put_cache(cache);
	if (!dev) {
		snprintf(err, errlen, "%s mounts %s on /boot, but libblkid finds no such device; %s is mounted from %s"
				      " (%u:%u): refusing to write initrds the boot loader may not read",
			 fstab, spec, mp, m.source, m.major, m.minor);
		return -ENODEV;
	}
	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "%s mounts %s on /boot, which resolves to %s, not a block device", fstab, spec, dev);
		r = -ENOTBLK;
	} else if ((major(st.st_rdev) == m.major && minor(st.st_rdev) == m.minor) ||
		   /* anonymous device numbers (btrfs): the source names the same device */
		   (m.major == 0 && realpath(m.source, a) && realpath(dev, b) && !strcmp(a, b))) {
		r = 0;
	} else {
		snprintf(err, errlen,
			 "%s is mounted from %s (%u:%u), but %s mounts %s (%s, %u:%u) on /boot: the boot loader reads the"
			 " latter; refusing to write initrds it would not see (mount the right /boot, or use --no-boot-check)",
			 mp, m.source, m.major, m.minor, fstab, spec, dev, major(st.st_rdev), minor(st.st_rdev));
		r = -EXDEV;
	}
	free(dev);
	return r;
}
