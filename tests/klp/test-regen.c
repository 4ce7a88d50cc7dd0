// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The decisions of klp initrd / klp regenerate (tools/klp/regen.c): the
 * verdict, which initrd name a kernel gets, installed kernels, zipl.conf's
 * ramdisks, temporary file names, the space rule.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "kernel.h"
#include "initrd.h"
#include "boot.h"
#include "verdict.h"
#include "regen.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define K "6.1.0-56-amd64"

static void inst_set(struct klp_installed_patch *p, const char *module, const char *sha)
{
	memset(p, 0, sizeof(*p));
	if (!module)
		return;
	p->present = true;
	snprintf(p->module, sizeof(p->module), "%s", module);
	snprintf(p->sha256, sizeof(p->sha256), "%s", sha);
}

static void emb_set(struct klp_embedded *e, const char *module, const char *sha, const char *kernel)
{
	memset(e, 0, sizeof(*e));
	if (!module)
		return;
	e->found = e->valid = e->loader = true;
	snprintf(e->manifest.module, sizeof(e->manifest.module), "%s", module);
	snprintf(e->sha256, sizeof(e->sha256), "%s", sha);
	snprintf(e->manifest.sha256, sizeof(e->manifest.sha256), "%s", sha);
	snprintf(e->manifest.kernel, sizeof(e->manifest.kernel), "%s", kernel);
}

static enum klp_verdict judge(const struct klp_installed_patch *p, bool exists, int r, const struct klp_embedded *e,
			      const char *want_why)
{
	char why[512] = "";
	enum klp_verdict v = klp_verdict_judge(p, exists, r, e, K, why, sizeof(why));

	if (want_why && !strstr(why, want_why))
		fail_msg("why '%s' lacks '%s'", why, want_why);
	return v;
}

static void verdicts(void **state)
{
	struct klp_installed_patch p;
	struct klp_embedded e;

	(void)state;
	inst_set(&p, "klp_demo_v1", SHA_A);
	emb_set(&e, "klp_demo_v1", SHA_A, K);
	assert_int_equal(judge(&p, true, 0, &e, "embeds the installed klp_demo_v1"), KLP_IN_SYNC);
	/* the initrd file is not there, or cannot be read */
	assert_int_equal(judge(&p, false, -ENOENT, &e, "no initrd"), KLP_MISSING);
	snprintf(e.problem, sizeof(e.problem), "gzip failed");
	assert_int_equal(judge(&p, true, -EBADMSG, &e, "cannot be read: gzip failed"), KLP_STALE);
	/* another patch, the same name with other bytes, another kernel, no loader, broken */
	emb_set(&e, "klp_demo_v2", SHA_B, K);
	assert_int_equal(judge(&p, true, 0, &e, "embeds klp_demo_v2, klp_demo_v1 is installed"), KLP_STALE);
	emb_set(&e, "klp_demo_v1", SHA_B, K);
	assert_int_equal(judge(&p, true, 0, &e, "differs"), KLP_STALE);
	emb_set(&e, "klp_demo_v1", SHA_A, "6.1.0-57-amd64");
	assert_int_equal(judge(&p, true, 0, &e, "for kernel 6.1.0-57-amd64"), KLP_STALE);
	emb_set(&e, "klp_demo_v1", SHA_A, K);
	e.loader = false;
	assert_int_equal(judge(&p, true, 0, &e, "no loader"), KLP_STALE);
	emb_set(&e, "klp_demo_v1", SHA_A, K);
	e.valid = false;
	snprintf(e.problem, sizeof(e.problem), "sha256 mismatch");
	assert_int_equal(judge(&p, true, 0, &e, "broken: sha256 mismatch"), KLP_STALE);
	/* installed but nothing embedded */
	emb_set(&e, NULL, NULL, NULL);
	assert_int_equal(judge(&p, true, 0, &e, "embeds no patch"), KLP_MISSING);
	/* nothing installed */
	inst_set(&p, NULL, NULL);
	assert_int_equal(judge(&p, true, 0, &e, "no patch installed"), KLP_NO_PATCH);
	emb_set(&e, "klp_demo_v1", SHA_A, K);
	assert_int_equal(judge(&p, true, 0, &e, "but no usable patch is installed"), KLP_STALE);
	assert_int_equal(judge(&p, false, -ENOENT, &e, "no initrd"), KLP_MISSING);
	assert_string_equal(klp_verdict_name(KLP_IN_SYNC), "in-sync");
	assert_string_equal(klp_verdict_name(KLP_STALE), "stale");
	assert_string_equal(klp_verdict_name(KLP_MISSING), "missing");
	assert_string_equal(klp_verdict_name(KLP_NO_PATCH), "no-patch");
}

static void naming(void **state)
{
	char *deb[] = { "initrd.img-6.1.0-55-amd64", "vmlinuz-6.1.0-55-amd64", "config-6.1.0-55-amd64" };
	char *suse[] = { "initrd-6.4.0-150600.23.25-default", "initrd", "image-6.4.0-150600.23.25-default" };
	char *both[] = { "initrd-6.4.0-1-default", "initrd.img-6.1.0-1-amd64" };
	char *fed[] = { "initramfs-6.5.6-300.fc39.x86_64.img", "initramfs-0-rescue-0123456789abcdef.img" };

	(void)state;
	/* other kernels decide */
	assert_int_equal(klp_initrd_naming_guess(deb, 3, "ID=opensuse-leap\n"), KLP_NAMING_DEBIAN);
	assert_int_equal(klp_initrd_naming_guess(suse, 3, "ID=debian\n"), KLP_NAMING_SUSE);
	/* else os-release: ID and ID_LIKE, quoted or not */
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "NAME=x\nID=ubuntu\n"), KLP_NAMING_DEBIAN);
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n"),
			 KLP_NAMING_DEBIAN);
	assert_int_equal(klp_initrd_naming_guess(both, 2, "ID=\"sles\"\nID_LIKE=\"suse\"\n"), KLP_NAMING_SUSE);
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID=\"opensuse-tumbleweed\"\nID_LIKE=\"opensuse suse\"\n"),
			 KLP_NAMING_SUSE);
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID='debian'\n"), KLP_NAMING_DEBIAN);
	/* nothing to go by: SUSE's name */
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, NULL), KLP_NAMING_SUSE);
	/* Fedora and its kin: initramfs-K.img */
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID=fedora\n"), KLP_NAMING_FEDORA);
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n"),
			 KLP_NAMING_FEDORA);
	assert_int_equal(klp_initrd_naming_guess(fed, 2, "ID=debian\n"), KLP_NAMING_FEDORA);
	/* "debian" must be a word, not a part of one */
	assert_int_equal(klp_initrd_naming_guess(NULL, 0, "ID=notdebianish\n"), KLP_NAMING_SUSE);
}

static void zipl_conf(void **state)
{
	static const char conf[] =
		"[defaultboot]\ndefaultmenu = menu\n\n"
		"[SLES]\n    target = /boot/zipl\n    image = /boot/image\n    ramdisk = /boot/initrd,0x2000000\n"
		"[Debian]\nimage=/boot/vmlinuz-6.1.0-56-s390x\nramdisk=/boot/initrd.img-6.1.0-56-s390x\n"
		"# ramdisk=/boot/commented\n"
		"[quoted]\n\tramdisk = \"/boot/initrd-q\"\n"
		"ramdisks=/boot/not-a-key\n";
	char **rd = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(klp_zipl_ramdisks(conf, &rd, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rd[0], "/boot/initrd");
	assert_string_equal(rd[1], "/boot/initrd.img-6.1.0-56-s390x");
	assert_string_equal(rd[2], "/boot/initrd-q");
	klp_strv_free(rd, n);
	assert_int_equal(klp_zipl_ramdisks("", &rd, &n), 0);
	assert_int_equal(n, 0);
}

static void temp_names(void **state)
{
	(void)state;
	assert_true(klp_regen_is_temp(".initrd.img-6.1.0-56-amd64.klp-a1B2c3"));
	assert_true(klp_regen_is_temp(".initrd-6.4.0-default.klp-XXXXXX"));
	assert_false(klp_regen_is_temp("initrd.img-6.1.0-56-amd64.klp-a1B2c3"));
	assert_false(klp_regen_is_temp(".initrd.img-6.1.0-56-amd64.klp-a1B2c"));
	assert_false(klp_regen_is_temp(".initrd.img-6.1.0-56-amd64.klp-a1B2c3d"));
	assert_false(klp_regen_is_temp(".initrd.img-6.1.0-56-amd64.klp-zipl-old"));
	assert_false(klp_regen_is_temp(".initrd.img-6.1.0-56-amd64.klp-a1B-c3"));
	assert_false(klp_regen_is_temp(".klp-a1B2c3"));
	assert_false(klp_regen_is_temp("initrd.img-6.1.0-56-amd64"));
}

static void space_rule(void **state)
{
	(void)state;
	assert_true(klp_regen_space_ok(0, 0));
	assert_true(klp_regen_space_ok(1000, 1000));
	assert_false(klp_regen_space_ok(1001, 1000));
}

static void root_norm(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(klp_root_norm("/", buf, sizeof(buf)), "");
	assert_string_equal(klp_root_norm("", buf, sizeof(buf)), "");
	assert_string_equal(klp_root_norm("/srv/root//", buf, sizeof(buf)), "/srv/root");
	assert_string_equal(klp_root_norm(NULL, buf, sizeof(buf)), "");
}

static char tmp[] = "/tmp/klp-test-regen.XXXXXX";

static void touch(const char *fmt, const char *a)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), fmt, tmp, a);
	f = fopen(p, "w");
	assert_non_null(f);
	fclose(f);
}

static void mkd(const char *fmt, const char *a)
{
	char p[512];

	snprintf(p, sizeof(p), fmt, tmp, a);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void bls_entries(void **state)
{
	static const char fedora[] = "title Fedora Linux (6.5.6-300.fc39.x86_64) 39 (Workstation Edition)\n"
				     "version 6.5.6-300.fc39.x86_64\n"
				     "linux /vmlinuz-6.5.6-300.fc39.x86_64\n"
				     "initrd /initramfs-6.5.6-300.fc39.x86_64.img $tuned_initrd\n"
				     "options root=UUID=1 ro $tuned_params\n"
				     "grub_users $grub_users\n";
	static const char microcode[] = "title x\nlinux /boot/vmlinuz-" K "\ninitrd /boot/intel-ucode.img\n"
					"initrd\t/boot/initrd.img-" K "  \r\n";
	static const char token[] = "title y\nlinux /0123abcd/" K "/linux\ninitrd /0123abcd/" K "/initrd\n";
	char out[256];

	(void)state;
	assert_int_equal(klp_bls_initrd(fedora, "6.5.6-300.fc39.x86_64", out, sizeof(out)), 1);
	assert_string_equal(out, "/initramfs-6.5.6-300.fc39.x86_64.img");
	/* another kernel's entry; a kernel whose release ends like this one's is another kernel */
	assert_int_equal(klp_bls_initrd(fedora, K, out, sizeof(out)), 0);
	assert_int_equal(klp_bls_initrd(fedora, "300.fc39.x86_64", out, sizeof(out)), 0);
	/* by the linux line; the last initrd is the generator's, microcode comes first */
	assert_int_equal(klp_bls_initrd(microcode, K, out, sizeof(out)), 1);
	assert_string_equal(out, "/boot/initrd.img-" K);
	/* kernel-install's layout */
	assert_int_equal(klp_bls_initrd(token, K, out, sizeof(out)), 1);
	assert_string_equal(out, "/0123abcd/" K "/initrd");
	/* refused: a unified kernel image; no initrd at all */
	assert_int_equal(klp_bls_initrd("version " K "\nuki /EFI/Linux/x.efi\n", K, out, sizeof(out)), -EMEDIUMTYPE);
	assert_int_equal(klp_bls_initrd("title z\nlinux /vmlinuz-" K "\noptions quiet\n", K, out, sizeof(out)),
			 -ENOMEDIUM);
	/* keys are whole words: "linuxefi" or "initrdx" are other keys */
	assert_int_equal(klp_bls_initrd("linuxefi /vmlinuz-" K "\n", K, out, sizeof(out)), 0);
	assert_int_equal(klp_bls_initrd("version " K "\ninitrdx /a\n", K, out, sizeof(out)), -ENOMEDIUM);
	assert_int_equal(klp_bls_initrd(microcode, K, out, 8), -ENAMETOOLONG);
	/* dracut's rescue entry: the kernel's version, its own kernel and initrd */
	assert_int_equal(klp_bls_initrd("title r\nversion " K "\nlinux /0123abcd/0-rescue/linux\n"
					"initrd /0123abcd/0-rescue/initrd\n", K, out, sizeof(out)), 0);
	/* no linux line: the version decides */
	assert_int_equal(klp_bls_initrd("version " K "\ninitrd /i\n", K, out, sizeof(out)), 1);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void locate(void **state)
{
	char root[256], boot[256], out[512], want[512], why[512], p[512];
	struct klp_sys sys = { .root = root, .boot = boot };

	(void)state;
	snprintf(root, sizeof(root), "%s/loc", tmp);
	snprintf(boot, sizeof(boot), "%s/loc/boot", tmp);
	mkd("%s/%s", "loc");
	mkd("%s/%s", "loc/etc");
	mkd("%s/%s", "loc/boot");
	/* Fedora: os-release; then an existing initramfs-K.img */
	snprintf(p, sizeof(p), "%s/etc/os-release", root);
	write_file(p, "ID=fedora\n");
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/initramfs-" K ".img", boot);
	assert_string_equal(out, want);
	assert_string_equal(why, "");
	/* a unified kernel image on the ESP and no initrd: refused, one line saying what to run */
	mkd("%s/%s", "loc/boot/efi");
	mkd("%s/%s", "loc/boot/efi/EFI");
	mkd("%s/%s", "loc/boot/efi/EFI/Linux");
	/* another kernel's image first: K+debug is not K */
	touch("%s/loc/boot/efi/EFI/Linux/0123abcd-%s+debug.efi", K);
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/efi/EFI/Linux/0123abcd-%s+debug.efi", boot, K);
	assert_int_equal(unlink(want), 0);
	/* kernel-install's boot counting: +3-0 */
	touch("%s/loc/boot/efi/EFI/Linux/0123abcd-%s+3-0.efi", K);
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), -EMEDIUMTYPE);
	snprintf(want, sizeof(want), "%s/efi/EFI/Linux/0123abcd-%s+3-0.efi", boot, K);
	assert_int_equal(unlink(want), 0);
	touch("%s/loc/boot/efi/EFI/Linux/0123abcd-%s.efi", K);
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), -EMEDIUMTYPE);
	assert_non_null(strstr(why, "unified kernel image"));
	assert_non_null(strstr(why, "kernel-install add " K));
	/* kernel-install's folder BOOT/<entry-token>/K/ */
	snprintf(p, sizeof(p), "%s/etc/kernel", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/kernel/entry-token", root);
	write_file(p, "fedora\n");
	snprintf(p, sizeof(p), "%s/EFI/Linux/0123abcd-%s.efi", boot, K);
	/* the ESP here is boot/efi: the UKI is found there first; move it away */
	snprintf(want, sizeof(want), "%s/efi/EFI/Linux/0123abcd-%s.efi", boot, K);
	assert_int_equal(unlink(want), 0);
	mkd("%s/%s", "loc/boot/fedora");
	mkd("%s/loc/boot/fedora/%s", K);
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/fedora/" K "/initrd", boot);
	assert_string_equal(out, want);
	/* a BLS entry wins over every name, its path read under BOOT */
	mkd("%s/%s", "loc/boot/loader");
	mkd("%s/%s", "loc/boot/loader/entries");
	snprintf(p, sizeof(p), "%s/loader/entries/a-other.conf", boot);
	write_file(p, "version 5.14.0-1\nlinux /vmlinuz-5.14.0-1\ninitrd /initramfs-5.14.0-1.img\n");
	snprintf(p, sizeof(p), "%s/loader/entries/b-this.conf", boot);
	write_file(p, "title t\nversion " K "\nlinux /vmlinuz-" K "\ninitrd /custom/initrd-for-" K "\n");
	touch("%s/loc/boot/initramfs-%s.img", K);
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/custom/initrd-for-" K, boot);
	assert_string_equal(out, want);
	/* /boot on the root file system: the entry says /boot/...: read under ROOT */
	write_file(p, "version " K "\nlinux /boot/vmlinuz-" K "\ninitrd /boot/initramfs-" K ".img\n");
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/boot/initramfs-" K ".img", root);
	assert_string_equal(out, want);
	/* an entry that boots K with no initrd: refused */
	write_file(p, "version " K "\nlinux /vmlinuz-" K "\n");
	assert_int_equal(klp_initrd_locate(&sys, K, out, sizeof(out), why, sizeof(why)), -ENOMEDIUM);
	assert_non_null(strstr(why, "b-this.conf boots " K " without an initrd"));
	/* without why: the same result */
	assert_int_equal(klp_initrd_path(&sys, K, out, sizeof(out)), -ENOMEDIUM);
}

static void paths_and_kernels(void **state)
{
	char root[256], boot[256], out[512], want[512], **kv = NULL;
	struct klp_sys sys = { .root = root, .boot = boot };
	size_t n = 0;

	(void)state;
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(boot, sizeof(boot), "%s/boot", tmp);
	mkd("%s/%s", "root");
	mkd("%s/%s", "root/etc");
	mkd("%s/%s", "root/lib");
	mkd("%s/%s", "root/lib/modules");
	mkd("%s/%s", "boot");
	/* no kernels yet */
	assert_int_equal(klp_kernels_installed(&sys, &kv, &n), 0);
	assert_int_equal(n, 0);
	/* kernels: a module folder AND a kernel image in boot */
	mkd("%s/root/lib/modules/%s", "6.1.0-9-amd64");
	mkd("%s/root/lib/modules/%s", "6.1.0-10-amd64");
	mkd("%s/root/lib/modules/%s", "6.1.0-11-amd64"); /* no image: removed kernel's leftovers */
	touch("%s/boot/vmlinuz-%s", "6.1.0-9-amd64");
	touch("%s/boot/image-%s", "6.1.0-10-amd64");
	assert_int_equal(klp_kernels_installed(&sys, &kv, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(kv[0], "6.1.0-9-amd64"); /* by version, not by bytes */
	assert_string_equal(kv[1], "6.1.0-10-amd64");
	klp_strv_free(kv, n);
	assert_int_equal(klp_kernels_select(&sys, "x", &kv, &n), 0);
	assert_int_equal(n, 1);
	klp_strv_free(kv, n);

	/* nothing in boot, no os-release: SUSE's name */
	assert_int_equal(klp_initrd_path(&sys, "6.1.0-9-amd64", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/initrd-6.1.0-9-amd64", boot);
	assert_string_equal(out, want);
	/* os-release says Debian */
	{
		char p[512];
		FILE *f;
		snprintf(p, sizeof(p), "%s/etc/os-release", root);
		f = fopen(p, "w");
		fputs("ID=debian\n", f);
		fclose(f);
	}
	assert_int_equal(klp_initrd_path(&sys, "6.1.0-9-amd64", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/initrd.img-6.1.0-9-amd64", boot);
	assert_string_equal(out, want);
	/* another kernel's SUSE-named initrd outweighs os-release */
	touch("%s/boot/initrd-%s", "6.1.0-10-amd64");
	assert_int_equal(klp_initrd_path(&sys, "6.1.0-9-amd64", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/initrd-6.1.0-9-amd64", boot);
	assert_string_equal(out, want);
	/* an existing file always wins, Debian's name first */
	touch("%s/boot/initrd.img-%s", "6.1.0-10-amd64");
	assert_int_equal(klp_initrd_path(&sys, "6.1.0-10-amd64", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/initrd.img-6.1.0-10-amd64", boot);
	assert_string_equal(out, want);
	assert_int_equal(klp_initrd_path(&sys, "../x", out, sizeof(out)), -EINVAL);
}

/* BOOT's filesystem is frozen only when it holds neither / nor the run folder */
static void freeze_rule(void **state)
{
	(void)state;
	assert_true(klp_regen_may_freeze(10, 1, 2));
	assert_false(klp_regen_may_freeze(1, 1, 2));  /* /boot on / */
	assert_false(klp_regen_may_freeze(2, 1, 2));  /* the run folder on BOOT's filesystem */
	assert_false(klp_regen_may_freeze(0, 1, 2));  /* not known: never */
	assert_false(klp_regen_may_freeze(10, 0, 2));
	assert_false(klp_regen_may_freeze(10, 1, 0));
}

static unsigned long long fs_id_of(const char *path)
{
	unsigned long long id = 0;
	int fd = open(path, O_PATH | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(klp_kernel_fs_id(fd, &id), 0);
	close(fd);
	assert_true(id != 0);
	return id;
}

/* which filesystem holds a file: the superblock, as mountinfo names it */
static void fs_ids(void **state)
{
	(void)state;
	assert_true(fs_id_of("/") == fs_id_of("/."));
	assert_true(fs_id_of("/proc") == fs_id_of("/proc/self"));
	assert_true(fs_id_of("/") != fs_id_of("/proc"));
}

/* klp_run_dir_open on DIR (under tmp): fd closed, the result returned; why into w */
static int run_dir(const char *dir, char *w, size_t len)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmp, dir);
	w[0] = '\0';
	fd = klp_run_dir_open(p, w, len);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? fd : 0;
}

static void run_dir_rules(void **state)
{
	char p[512], q[512], w[512], buf[32] = "";
	int fd, f;

	(void)state;
	/* made when missing; tmp is ours, /tmp is sticky */
	assert_int_equal(run_dir("rd/run", w, sizeof(w)), 0);
	snprintf(p, sizeof(p), "%s/rd/run", tmp);
	assert_int_equal(chmod(p, 0775), 0);
	assert_int_equal(run_dir("rd/run", w, sizeof(w)), -EPERM);
	assert_non_null(strstr(w, "is writable by others (mode 0775)"));
	assert_int_equal(chmod(p, 01777), 0);
	assert_int_equal(run_dir("rd/run", w, sizeof(w)), -EPERM);
	assert_int_equal(chmod(p, 0755), 0);
	/* a folder above that others can write: refused unless sticky */
	snprintf(q, sizeof(q), "%s/rd", tmp);
	assert_int_equal(chmod(q, 0777), 0);
	assert_int_equal(run_dir("rd/run", w, sizeof(w)), -EPERM);
	assert_non_null(strstr(w, "/rd is writable by others (mode 0777)"));
	assert_int_equal(chmod(q, 01777), 0);
	assert_int_equal(run_dir("rd/run", w, sizeof(w)), 0);
	assert_int_equal(chmod(q, 0755), 0);
	/* another user's run folder (needs root to make one) */
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(run_dir("rd/run", w, sizeof(w)), -EPERM);
		assert_non_null(strstr(w, "is owned by uid 65534, not by uid 0"));
		assert_int_equal(chown(p, 0, 0), 0);
	}
	/* files in it: a link is replaced, never followed, and never read */
	snprintf(q, sizeof(q), "%s/victim", tmp);
	touch("%s/%s", "victim");
	snprintf(w, sizeof(w), "%s/rd/run/log", tmp);
	assert_int_equal(symlink(q, w), 0);
	fd = klp_run_dir_open(p, w, sizeof(w));
	assert_true(fd >= 0);
	assert_int_equal(klp_run_file_open(fd, "log"), -ELOOP);
	f = klp_run_file_create(fd, "log");
	assert_true(f >= 0);
	assert_int_equal(write(f, "new\n", 4), 4);
	close(f);
	f = klp_run_file_open(fd, "log");
	assert_true(f >= 0);
	assert_int_equal(read(f, buf, sizeof(buf)), 4);
	close(f);
	f = open(q, O_RDONLY);
	assert_int_equal(read(f, buf, sizeof(buf)), 0);
	close(f);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdicts),   cmocka_unit_test(naming),	    cmocka_unit_test(zipl_conf),
		cmocka_unit_test(temp_names), cmocka_unit_test(space_rule), cmocka_unit_test(root_norm),
		cmocka_unit_test(paths_and_kernels), cmocka_unit_test(freeze_rule), cmocka_unit_test(fs_ids),
		cmocka_unit_test(run_dir_rules), cmocka_unit_test(bls_entries), cmocka_unit_test(locate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
