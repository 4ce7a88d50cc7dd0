/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernels and where their initrd is: the boot folder, boot entries, zipl.conf, the selection options, the boot filesystem. */
#ifndef KLP_BOOT_H
#define KLP_BOOT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum klp_initrd_naming { KLP_NAMING_DEBIAN, KLP_NAMING_SUSE, KLP_NAMING_FEDORA };
/*
 * Which name the initrds of this system use when a kernel has none yet
 * (initrd.img-K, initrd-K, initramfs-K.img): names: the entries of the boot
 * folder; os_release: /etc/os-release text (may be NULL). Other kernels'
 * initrds decide when they agree, then ID/ID_LIKE, else SUSE.
 */
enum klp_initrd_naming klp_initrd_naming_guess(char *const *names, size_t n, const char *os_release);
/* The ramdisk= paths of a zipl.conf ("ramdisk = /boot/initrd,0x2000000" -> "/boot/initrd"). */
int klp_zipl_ramdisks(const char *text, char ***out, size_t *n);
void klp_strv_free(char **v, size_t n);
struct klp_sys {
	const char *root;   /* "" is / */
	const char *boot;   /* "/boot" */
	const char *initrd; /* --initrd: this file is the kernel's initrd (BOOT is its folder); NULL: located */
};
/*
 * The kernels a command works on, one parser for klp initrd and klp
 * regenerate: --kver K, --all, --root DIR, --boot DIR, --initrd FILE (the
 * kernel's initrd is that file, BOOT its folder). KLP_SEL_OPTIONS go into
 * the command's getopt_long table, KLP_SEL_SHORT into its short options.
 */
struct klp_sel {
	struct klp_sys sys;
	const char *kver;   /* NULL: every installed kernel */
	const char *initrd; /* --initrd as given */
	bool all;
	char root[PATH_MAX], dir[PATH_MAX];
};
#define KLP_SEL_OPTIONS \
	{ "kver", required_argument, NULL, 'k' }, { "all", no_argument, NULL, 'a' }, \
	{ "root", required_argument, NULL, 'r' }, { "boot", required_argument, NULL, 'b' }, \
	{ "initrd", required_argument, NULL, 'I' }
#define KLP_SEL_SHORT "k:ar:b:I:"
void klp_sel_init(struct klp_sel *s);
/* getopt_long's option c with its argument: true when it was one of KLP_SEL_OPTIONS (taken into s). */
bool klp_sel_opt(struct klp_sel *s, int c, const char *arg);
/* After the options: --kver and --all exclude each other, a sane release, --initrd's file; 0 or -EINVAL, said as "cmd: ...". */
int klp_sel_check(struct klp_sel *s, const char *cmd);
/* The kernel image of kver in boot: BOOT/vmlinuz-K (or image-K, Image-K, vmlinux-K); 0, -ENOENT. */
int klp_kernel_image(const char *boot, const char *kver, char *out, size_t len);
/* Kernels with ROOT/lib/modules/K and BOOT/vmlinuz-K (or image-K, Image-K), by version. */
int klp_kernels_installed(const struct klp_sys *sys, char ***out, size_t *n);
/* kver if given, else every installed kernel. */
int klp_kernels_select(const struct klp_sys *sys, const char *kver, char ***out, size_t *n);
/* --root as klp uses it: "/" and "" are "", trailing slashes go. */
const char *klp_root_norm(const char *root, char *buf, size_t len);
/*
 * The initrd file that boots kver (bootentry.c: boot entries, the
 * distributions' names, kernel-install's layout), existing or to be made.
 * < 0 when klp must not write one, why (whylen > 0) saying so in one line:
 * -EMEDIUMTYPE a unified kernel image, -ENOMEDIUM a boot entry without an
 * initrd, -EINVAL a bad kver.
 */
int klp_initrd_locate(const struct klp_sys *sys, const char *kver, char *out, size_t len, char *why,
		      size_t whylen);
int klp_initrd_path(const struct klp_sys *sys, const char *kver, char *out, size_t len);
/*
 * One Boot Loader Specification entry's text: 1 when it boots kver (its
 * version, or its linux path .../vmlinuz-K or .../K/linux) with an initrd
 * (the last one, into out), 0 when it is another kernel's, -EMEDIUMTYPE a
 * unified kernel image (uki/efi line), -ENOMEDIUM no initrd line.
 */
int klp_bls_initrd(const char *text, const char *kver, char *out, size_t len);
/* ---- bootfs.c: is BOOT the filesystem the boot loader reads ---- */
/* The fstab entry mounted on mountpoint: its spec (UUID=..., /dev/...), or 0 if none. */
int klp_fstab_find(const char *text, const char *mountpoint, char *spec, size_t speclen, char *fstype,
		   size_t typelen);
struct klp_mount {
	unsigned major, minor;
	char source[256], fstype[64];
};
/* The top mount on mountpoint in /proc/self/mountinfo text: 1 found, 0 none. */
int klp_mountinfo_find(const char *text, const char *mountpoint, struct klp_mount *m);
/* 0 fine (or nothing to check), -ENOTCONN not mounted, -EXDEV another device, other -errno; err says it. */
int klp_bootfs_check(const char *root, const char *boot, char *err, size_t errlen);

#endif
