// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /boot check (tools/klp/bootfs.c): fstab and mountinfo parsing, and the
 * refusal when fstab names a separate /boot that is not mounted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "klp.h"
#include "boot.h"

static void fstab(void **state)
{
	static const char text[] =
		"# /etc/fstab: static file system information.\n"
		"UUID=1111-aaaa /               ext4    errors=remount-ro 0       1\n"
		"  # UUID=dead /boot ext4 defaults 0 2\n"
		"\n"
		"UUID=2222-bbbb\t/boot/\text4\tdefaults\t0\t2\n"
		"PARTUUID=3333 /boot/efi vfat umask=0077 0 1\n"
		"/dev/sdb1 /mnt/with\\040space xfs defaults 0 0\n"
		"LABEL=swap none swap sw 0 0\r\n";
	char spec[256], type[64];

	(void)state;
	assert_int_equal(klp_fstab_find(text, "/boot", spec, sizeof(spec), type, sizeof(type)), 1);
	assert_string_equal(spec, "UUID=2222-bbbb");
	assert_string_equal(type, "ext4");
	assert_int_equal(klp_fstab_find(text, "/boot/efi", spec, sizeof(spec), type, sizeof(type)), 1);
	assert_string_equal(spec, "PARTUUID=3333");
	assert_int_equal(klp_fstab_find(text, "/mnt/with space", spec, sizeof(spec), type, sizeof(type)), 1);
	assert_string_equal(spec, "/dev/sdb1");
	assert_int_equal(klp_fstab_find(text, "/", spec, sizeof(spec), type, sizeof(type)), 1);
	assert_string_equal(spec, "UUID=1111-aaaa");
	assert_int_equal(klp_fstab_find(text, "/srv", spec, sizeof(spec), type, sizeof(type)), 0);
	assert_int_equal(klp_fstab_find("", "/boot", spec, sizeof(spec), type, sizeof(type)), 0);
	/* the last entry for a mount point is the one on top */
	assert_int_equal(klp_fstab_find("LABEL=a /boot ext4 defaults\nLABEL=b /boot xfs\n", "/boot", spec,
					sizeof(spec), type, sizeof(type)), 1);
	assert_string_equal(spec, "LABEL=b");
	assert_string_equal(type, "xfs");
}

static void mountinfo(void **state)
{
	static const char text[] =
		"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
		"27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
		"40 27 254:1 / /boot rw,relatime shared:5 master:2 - ext4 /dev/vda1 rw\n"
		"41 27 0:45 / /mnt/with\\040space rw - tmpfs tmpfs rw,size=1024k\n"
		"42 40 0:46 / /boot rw,relatime - tmpfs none rw,size=4096k\n"
		"43 27 0:47 /@/boot /srv/b rw - btrfs /dev/mapper/root rw\n";
	struct klp_mount m;

	(void)state;
	assert_int_equal(klp_mountinfo_find(text, "/", &m), 1);
	assert_int_equal(m.major, 254);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.source, "/dev/vda");
	assert_string_equal(m.fstype, "ext4");
	/* two mounts on /boot: the later one covers the first */
	assert_int_equal(klp_mountinfo_find(text, "/boot", &m), 1);
	assert_int_equal(m.major, 0);
	assert_int_equal(m.minor, 46);
	assert_string_equal(m.fstype, "tmpfs");
	assert_string_equal(m.source, "none");
	assert_int_equal(klp_mountinfo_find(text, "/mnt/with space", &m), 1);
	assert_int_equal(m.minor, 45);
	assert_int_equal(klp_mountinfo_find(text, "/srv/b", &m), 1);
	assert_string_equal(m.source, "/dev/mapper/root");
	assert_int_equal(klp_mountinfo_find(text, "/srv", &m), 0);
	assert_int_equal(klp_mountinfo_find("garbage\n1 2 x:y / /boot - a b\n", "/boot", &m), 0);
	/* MAJOR:MINOR strictly (sscanf's %u took these, cert-err34-c in make lint) */
	assert_int_equal(klp_mountinfo_find("1 2 -1:5 / /boot - ext4 /dev/x rw\n", "/boot", &m), 0);
	assert_int_equal(klp_mountinfo_find("1 2 8:1x / /boot - ext4 /dev/x rw\n", "/boot", &m), 0);
	assert_int_equal(klp_mountinfo_find("1 2 99999999999:1 / /boot - ext4 /dev/x rw\n", "/boot", &m), 0);
	assert_int_equal(klp_mountinfo_find("1 2 4294967295:0 / /boot - ext4 /dev/x rw\n", "/boot", &m), 1);
	assert_true(m.major == 4294967295u && m.minor == 0);
}

static char tmp[] = "/tmp/klp-test-bootfs.XXXXXX";

static void write_fstab(const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/etc/fstab", tmp);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A scratch root whose fstab names a separate /boot; BOOT a plain folder, mounted nowhere. */
static void check_refuses_unmounted(void **state)
{
	char boot[256], etc[256], err[1024] = "";

	(void)state;
	snprintf(etc, sizeof(etc), "%s/etc", tmp);
	snprintf(boot, sizeof(boot), "%s/boot", tmp);
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(mkdir(boot, 0755), 0);
	/* no fstab, no /boot entry, a bind mount: nothing to check */
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), 0);
	write_fstab("UUID=1 / ext4 defaults 0 1\n");
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), 0);
	write_fstab("/srv/boot /boot none bind 0 0\n");
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), 0);
	/* a separate /boot by UUID, LABEL or device, and BOOT is not a mount point */
	write_fstab("UUID=0a1b2c3d-0000-4000-8000-000000000000 /boot ext4 defaults 0 2\n");
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), -ENOTCONN);
	assert_non_null(strstr(err, "nothing is mounted on"));
	assert_non_null(strstr(err, "UUID=0a1b2c3d"));
	write_fstab("LABEL=boot /boot ext4 defaults 0 2\n");
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), -ENOTCONN);
	write_fstab("/dev/vdz9 /boot ext4 defaults 0 2\n");
	assert_int_equal(klp_bootfs_check(tmp, boot, err, sizeof(err)), -ENOTCONN);
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
		cmocka_unit_test(fstab),
		cmocka_unit_test(mountinfo),
		cmocka_unit_test(check_refuses_unmounted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
