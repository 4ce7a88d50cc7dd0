// SPDX-License-Identifier: GPL-2.0-or-later
/* klp regenerate: rebuild the initrds that are not in step, crash-safely (regen.c). */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "boot.h"
#include "regen.h"

static const char usage[] =
	"Usage: klp regenerate [--kver K | --all] [--if-needed] [--full] [--generator NAME]\n"
	"                      [--dracut PATH] [--dracut-arg ARG]... [--root DIR] [--boot DIR]\n"
	"                      [--initrd FILE] [--no-boot-check] [--lock-timeout SEC]\n"
	"                      [--dracut-timeout SEC] [-q]\n"
	"Bring initrds in step so that each embeds its kernel's installed livepatch.\n"
	"\n"
	"  --kver K             only kernel K (default: --all)\n"
	"  --all                every installed kernel: ROOT/lib/modules/K with BOOT/vmlinuz-K\n"
	"  --if-needed          only the initrds that are not in-sync or no-patch (see klp initrd),\n"
	"                       and none for a kernel with neither a patch nor an initrd\n"
	"  --full               run the generator even when only the patch changed\n"
	"  --generator NAME     dracut or initramfs-tools (default: initramfs-tools when\n"
	"                       ROOT/usr/sbin/update-initramfs exists and no --dracut or\n"
	"                       $KLP_DRACUT is given, as on Debian and Ubuntu without dracut;\n"
	"                       else dracut)\n"
	"  --dracut PATH        the generator's program (default $KLP_DRACUT, else dracut;\n"
	"                       initramfs-tools: $KLP_MKINITRAMFS, else mkinitramfs)\n"
	"  --dracut-arg ARG     pass ARG to it, before --force --kver K [--kmoddir] OUTPUT\n"
	"                       (mkinitramfs: before -o OUTPUT K; it builds from / only)\n"
	"  --root DIR           the tree holding lib/modules/K and etc/ (default /; when set,\n"
	"                       dracut gets --kmoddir DIR/lib/modules/K)\n"
	"  --boot DIR           where the initrds are (default /boot)\n"
	"  --initrd FILE        with --kver K: FILE is K's initrd, not the one the boot entries\n"
	"                       or the distribution's names give (kernel-install's staging area:\n"
	"                       its 55-klp.install plugin); BOOT is FILE's folder, not checked\n"
	"  --no-boot-check      do not check that BOOT is the /boot filesystem of ROOT/etc/fstab\n"
	"  --lock-timeout SEC   wait at most SEC for another klp regenerate (default 600)\n"
	"  --dracut-timeout SEC stop dracut after SEC (default 1800)\n"
	"  -q, --quiet          no progress lines\n"
	"\n"
	"When only the patch changed, the new initrd is the old one's image followed by a\n"
	"small archive of the new patch and its manifest (the kernel lets the later files win);\n"
	"the generator runs when there is no initrd or it cannot be read, it has no klp-early or the file\n"
	"its klp-early came from changed, no patch is to be embedded, the patch's compression\n"
	"changed, or with --full. The progress line says which ran. Either way the new image is\n"
	"written into a temporary file beside the initrd (.NAME.klp-XXXXXX), must embed exactly\n"
	"the installed patch (or nothing when none is installed), then it is fsynced and renamed\n"
	"over the old one. On any failure the old initrd is untouched.\n"
	"With ROOT/etc/zipl.conf, or on s390x, zipl runs after replacing an initrd that a\n"
	"ramdisk= line names. The lock is flock(2) on BOOT itself. Logs and stamps go to\n"
	"$KLP_RUN_DIR (default /run/klp), which must be owned by klp's user and, with every\n"
	"folder above it, writable by nobody else. BOOT's filesystem is frozen and thawed (the\n"
	"journal written in place) only when it holds neither / nor the run folder.\n"
	"\n"
	"Exit status: 0 every selected initrd is in step, 1 a rebuild, its verification or zipl\n"
	"failed (the old initrd stays), 2 usage, 3 BOOT is not the filesystem the boot loader\n"
	"reads (nothing done), 4 not enough space in BOOT, 5 timed out waiting for the lock,\n"
	"6 the run folder can be changed by someone else (nothing done).\n"
	"Killed by a signal, klp removes its temporary file and dies of that signal.\n";

static int seconds(const char *opt, const char *v, unsigned *out)
{
	char *end;
	unsigned long x = strtoul(v, &end, 10);

	if (!*v || *end || x > 7 * 86400) {
		klp_err("regenerate: %s: not a number of seconds: '%s'", opt, v);
		return -1;
	}
	*out = (unsigned)x;
	return 0;
}

/* --generator NAME into *gen (0 dracut, 1 initramfs-tools); -1 on a bad name. */
static int generator_arg(const char *v, int *gen)
{
	if (!strcmp(v, "dracut"))
		*gen = 0;
	else if (!strcmp(v, "initramfs-tools"))
		*gen = 1;
	else {
		klp_err("regenerate: --generator: '%s' is not dracut or initramfs-tools", v);
		return -1;
	}
	return 0;
}

/*
 * The system's generator, unless --generator said: initramfs-tools where its
 * update-initramfs is installed (Debian's dracut package, which conflicts
 * with it, has none) and no dracut was named; else dracut.
 */
static void generator_pick(struct klp_regen_opts *o, int gen, const char *dracut_env)
{
	char p[PATH_MAX];
	const char *mk = getenv("KLP_MKINITRAMFS");

	if (gen < 0) {
		snprintf(p, sizeof(p), "%s/usr/sbin/update-initramfs", o->sys.root);
		gen = !o->dracut && !(dracut_env && *dracut_env) && access(p, X_OK) == 0;
	}
	o->initramfs_tools = gen == 1;
	if (!o->dracut && o->initramfs_tools)
		o->dracut = mk && *mk ? mk : "mkinitramfs";
	else if (!o->dracut)
		o->dracut = dracut_env && *dracut_env ? dracut_env : "dracut";
}

/* Options into o (dracut arguments into o->dracut_args, the kernels in sel); -1 to go on, else the exit code. */
static int regen_args(int argc, char **argv, struct klp_regen_opts *o, char **args, struct klp_sel *sel, int *gen)
{
	static const struct option opts[] = {
		KLP_SEL_OPTIONS,
		{ "if-needed", no_argument, NULL, 'n' },
		{ "full", no_argument, NULL, 'F' },
		{ "generator", required_argument, NULL, 'G' },
		{ "dracut", required_argument, NULL, 'D' },
		{ "dracut-arg", required_argument, NULL, 'A' },
		{ "no-boot-check", no_argument, NULL, 'B' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ "dracut-timeout", required_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, KLP_SEL_SHORT "nFG:D:A:BL:T:qh", opts, NULL)) != -1) {
		if (klp_sel_opt(sel, c, optarg))
			continue;
		switch (c) {
		case 'n': o->if_needed = true; break;
		case 'F': o->full = true; break;
		case 'G':
			if (generator_arg(optarg, gen) < 0)
				return KLP_EXIT_USAGE;
			break;
		case 'D': o->dracut = optarg; break;
		case 'A': args[o->ndracut_args++] = optarg; break;
		case 'B': o->boot_check = false; break;
		case 'L':
			if (seconds("--lock-timeout", optarg, &o->lock_timeout) < 0)
				return KLP_EXIT_USAGE;
			break;
		case 'T':
			if (seconds("--dracut-timeout", optarg, &o->dracut_timeout) < 0 || !o->dracut_timeout)
				return KLP_EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'h': fputs(usage, stdout); return KLP_EXIT_OK;
		default: return KLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		klp_err("regenerate: unexpected argument '%s'", argv[optind]);
		return KLP_EXIT_USAGE;
	}
	if (klp_sel_check(sel, "regenerate") < 0)
		return KLP_EXIT_USAGE;
	o->sys = sel->sys;
	if (sel->initrd)
		o->boot_check = false; /* a file named on purpose: not where the boot loader looks */
	return -1;
}

/* The kernels to look at: kver (which must be installed) or all; 0 or what klp exits with. */
static int regen_kernels(const struct klp_regen_opts *o, const char *kver, char ***kvers, size_t *n)
{
	char d[PATH_MAX];
	struct stat st;
	int r = klp_kernels_select(&o->sys, kver, kvers, n);

	if (r < 0) {
		klp_err("regenerate: cannot list the kernels in %s/lib/modules: %s", o->sys.root,
			strerror(-r));
		return KLP_EXIT_ERROR;
	}
	if (!kver)
		return 0;
	snprintf(d, sizeof(d), "%s/lib/modules/%s", o->sys.root, kver);
	if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode)) {
		klp_err("regenerate %s: kernel not installed (no folder %s)", kver, d);
		klp_strv_free(*kvers, *n);
		return KLP_EXIT_ERROR;
	}
	return 0;
}

static int cmd_regenerate(int argc, char **argv)
{
	struct klp_regen_opts o = {
		.sys = { .root = "", .boot = "/boot" },
		.boot_check = true,
		.lock_timeout = 600,
		.dracut_timeout = 1800,
	};
	const char *run = getenv("KLP_RUN_DIR"), *dr = getenv("KLP_DRACUT");
	char **kvers = NULL, **args;
	struct klp_sel sel;
	size_t n = 0;
	int r, gen = -1;

	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args)
		return KLP_EXIT_ERROR;
	o.dracut_args = args;
	o.run_dir = run && *run ? run : "/run/klp";
	klp_sel_init(&sel);
	r = regen_args(argc, argv, &o, args, &sel, &gen);
	if (r >= 0) { /* --help, or a usage error */
		free(args);
		return r;
	}
	generator_pick(&o, gen, dr);
	r = regen_kernels(&o, sel.kver, &kvers, &n);
	if (r == 0) {
		r = klp_regen_run(&o, kvers, n);
		klp_strv_free(kvers, n);
	}
	free(args);
	return r;
}

const struct klp_cmd klp_cmd_regenerate = { "regenerate", cmd_regenerate, "rebuild the initrds that are not in step, crash-safely" };
