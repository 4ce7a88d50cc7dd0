// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash-loop guard's part of an initrd payload, for every generator
 * (dracut's 55klp, the initramfs-tools hook): whether the guard is on
 * (klp_guard=auto|yes|no; auto: the root runs klp-boot-ok.service at every
 * boot, since without a boot-ok mark a patch still in transition at the
 * switch to the root would count at every reboot) and, when it is, the flag
 * file and the kernel's efivarfs.ko (decompressed: the loader inserts it
 * with finit_module) beside the patch.
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
#include "payload.h"

#define UNIT "klp-boot-ok.service"

/* Is klp-boot-ok.service enabled for multi-user.target (and not masked) on root? */
bool klp_boot_ok_enabled(const char *root)
{
	static const char *const masks[] = { "/etc/systemd/system", "/run/systemd/system" };
	static const char *const wants[] = { "/etc/systemd/system", "/usr/local/lib/systemd/system",
					     "/usr/lib/systemd/system", "/lib/systemd/system" };
	char p[PATH_MAX], target[16];
	struct stat st;
	size_t i;
	ssize_t n;

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		snprintf(p, sizeof(p), "%s%s/" UNIT, root, masks[i]);
		n = readlink(p, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = '\0', !strcmp(target, "/dev/null")))
			return false;
	}
	/*
	 * make install ships it enabled by a vendor link, which systemctl
	 * is-enabled does not report; systemctl enable makes an absolute link,
	 * which points outside root when root is not /: the link is the mark
	 */
	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		snprintf(p, sizeof(p), "%s%s/multi-user.target.wants/" UNIT, root, wants[i]);
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

/* The kernel's efivarfs.ko under moddir (kernel/fs/efivarfs/, any compression), or -ENOENT. */
static int find_efivarfs(const char *moddir, char *out, size_t len)
{
	static const char *const exts[] = { "", ".xz", ".zst", ".gz" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(out, len, "%s/kernel/fs/efivarfs/efivarfs.ko%s", moddir, exts[i]);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* Is efivarfs built into the kernel (modules.builtin)? */
static bool efivarfs_builtin(const char *moddir)
{
	char p[PATH_MAX], *text = NULL;
	size_t len = 0;
	bool yes;

	snprintf(p, sizeof(p), "%s/modules.builtin", moddir);
	if (klp_read_text(p, 4u << 20, &text, &len) < 0)
		return false;
	yes = memmem(text, len, "/efivarfs.ko\n", 13) != NULL;
	free(text);
	return yes;
}

/* efivarfs.ko of the kernel, decompressed, as outdir/efivarfs.ko; a warning in note when it cannot be. */
static void embed_efivarfs(const struct klp_guard_req *q, char *note, size_t len)
{
	char ko[PATH_MAX], err[256];
	int fd, data, r;

	if (efivarfs_builtin(q->moddir))
		return;
	if (find_efivarfs(q->moddir, ko, sizeof(ko)) < 0) {
		snprintf(note, len, "%s has no efivarfs: the crash-loop guard will not be available", q->kver);
		return;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(note, len, "cannot read %s: %s: the crash-loop guard will not be available", ko,
			 strerror(errno));
		return;
	}
	data = fd;
	r = klp_decompressor(ko) ? klp_decompress(fd, ko, &data, err, sizeof(err)) : 0;
	if (r == 0)
		r = klp_payload_add_file(q->outdir, "efivarfs.ko", data, err, sizeof(err));
	if (r < 0)
		snprintf(note, len, "%s: %s: the crash-loop guard will not be available", ko, err);
	if (data != fd)
		close(data);
	close(fd);
}

int klp_guard_embed(const struct klp_guard_req *q, char *why, size_t whylen, char *note, size_t notelen)
{
	char err[256];
	const char *mode = q->mode ? q->mode : "auto";

	note[0] = '\0';
	if (!strcmp(mode, "no")) {
		snprintf(why, whylen, "klp_guard=no");
		return 0;
	}
	if (strcmp(mode, "yes") && strcmp(mode, "auto")) {
		snprintf(why, whylen, "klp_guard='%s' is not auto, yes or no", mode);
		return 0;
	}
	if (!strcmp(mode, "auto") && !klp_boot_ok_enabled(q->root)) {
		snprintf(why, whylen, UNIT " is not enabled (klp_guard=auto)");
		return 0;
	}
	if (klp_payload_add_text(q->outdir, "guard", "on\n", 3, err, sizeof(err)) < 0) {
		snprintf(why, whylen, "%s", err);
		return -EIO;
	}
	snprintf(why, whylen, "klp_guard=%s", mode);
	embed_efivarfs(q, note, notelen);
	return 1;
}
