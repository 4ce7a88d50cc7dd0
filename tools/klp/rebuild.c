// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rebuild.c: the crash-safe rebuild of one kernel's initrd. It never
 * touches the initrd until a complete, verified new one is on disk beside
 * it: dracut writes into BOOT/.NAME.klp-XXXXXX, the image is read back
 * (klp_initrd_embedded) and must embed exactly the installed patch (or
 * nothing, when none is installed), then it is fsynced and renamed over
 * BOOT/NAME and the folder is fsynced. Whatever fails before the rename
 * leaves the old initrd as it was; the temporary file is removed, by us, by
 * our signal handler (child.c), or after SIGKILL by the next run (lock.c).
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
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klp.h"
#include "kernel.h"
#include "util.h"
#include "initrd.h"
#include "verdict.h"
#include "regen.h"

bool klp_regen_space_ok(unsigned long long need, unsigned long long avail)
{
	return need <= avail;
}

double klp_mib(unsigned long long b)
{
	return (double)b / (1024.0 * 1024.0);
}

static unsigned long long space_avail(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir, &v) < 0)
		return ~0ull;
	return (unsigned long long)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * v.f_frsize;
}

/* How big the new initrd will be, about: the current one (+10%), else the largest other one. */
static unsigned long long space_need(const char *boot, const char *initrd)
{
	unsigned long long max = 0;
	struct dirent *d;
	struct stat st;
	DIR *dh;

	if (stat(initrd, &st) == 0)
		return (unsigned long long)st.st_size + (unsigned long long)st.st_size / 10;
	if (!(dh = opendir(boot)))
		return 0;
	while ((d = readdir(dh)))
		if (!strncmp(d->d_name, "initrd", 6) && fstatat(dirfd(dh), d->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    (unsigned long long)st.st_size > max)
			max = (unsigned long long)st.st_size;
	closedir(dh);
	return max + max / 10;
}

static const char *patch_word(const struct klp_kstate *ks, bool embedded, char *buf, size_t len)
{
	if (embedded) {
		if (!ks->initrd_exists)
			return "none";
		if (ks->read_r < 0)
			return "unreadable";
		if (!ks->emb.found)
			return "none";
		if (ks->inst.present && !strcmp(ks->emb.manifest.module, ks->inst.module) && strcmp(ks->emb.manifest.srcversion, ks->inst.srcversion)) {
			snprintf(buf, len, "%s %s", ks->emb.manifest.module, ks->emb.manifest.srcversion);
			return buf;
		}
		return ks->emb.manifest.module[0] ? ks->emb.manifest.module : "broken";
	}
	if (!ks->inst.present)
		return "none";
	if (ks->emb.found && !strcmp(ks->emb.manifest.module, ks->inst.module) && strcmp(ks->emb.manifest.srcversion, ks->inst.srcversion)) {
		snprintf(buf, len, "%s %s", ks->inst.module, ks->inst.srcversion);
		return buf;
	}
	return ks->inst.module;
}

static void say_failed(const struct klp_regen_opts *o)
{
	if (!o->quiet)
		printf("failed\n");
	fflush(stdout);
}

/* The generator's name in messages and log names: dracut or mkinitramfs. */
static const char *gen_name(const struct klp_regen_opts *o)
{
	return o->initramfs_tools ? "mkinitramfs" : "dracut";
}

/* Why dracut failed, from its status and its log; what klp exits with. */
static int dracut_failed(const struct klp_regen_opts *o, const struct klp_kstate *ks, int st, int log_fd,
			 const char *log, unsigned long long avail)
{
	char line[512];

	say_failed(o);
	if (klp_log_find(log_fd, "No space left on device", line, sizeof(line))) {
		klp_err("regenerate %s: not enough space in %s: need more than %.1f MiB, have %.1f MiB"
				" (%s); the old initrd is untouched",
			ks->kver, o->sys.boot, klp_mib(avail), klp_mib(avail), line);
		return KLP_REGEN_NOSPACE;
	}
	if (st == -ETIMEDOUT)
		klp_err("regenerate %s: %s did not finish within %u s; the old initrd is untouched",
			ks->kver, o->dracut, o->dracut_timeout);
	else if (st < 0)
		klp_err("regenerate %s: cannot run %s: %s", ks->kver, o->dracut, strerror(-st));
	else
		klp_err("regenerate %s: %s failed (%s %d); the old initrd is untouched; its log (%s) ends:",
			ks->kver, o->dracut, WIFEXITED(st) ? "exit" : "signal",
			WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), log);
	if (st > 0)
		klp_log_tail(log_fd, 8);
	return KLP_REGEN_FAILED;
}

/* The generator's command line: dracut --force --kver K [--kmoddir D] OUT, or mkinitramfs -o OUT K. */
static void gen_argv(const struct klp_regen_opts *o, const struct klp_kstate *ks, char **argv, char *kdir,
		     size_t kdirlen)
{
	size_t i, k = 0;

	argv[k++] = (char *)o->dracut;
	for (i = 0; i < o->ndracut_args; i++)
		argv[k++] = o->dracut_args[i];
	if (o->initramfs_tools) {
		argv[k++] = (char *)"-o";
		argv[k++] = klp_tmp_path;
		argv[k++] = (char *)ks->kver;
		return;
	}
	argv[k++] = (char *)"--force";
	argv[k++] = (char *)"--kver";
	argv[k++] = (char *)ks->kver;
	if (o->sys.root[0]) {
		snprintf(kdir, kdirlen, "%s/lib/modules/%s", o->sys.root, ks->kver);
		argv[k++] = (char *)"--kmoddir";
		argv[k++] = kdir;
	}
	argv[k++] = klp_tmp_path;
}

/* The generator into klp_tmp_path, its output in the run folder's dracut-K.log or mkinitramfs-K.log (log names it); 0 or what klp exits with. */
static int run_dracut(const struct klp_regen_opts *o, const struct klp_kstate *ks, int lock_fd, int run_fd,
		      const char *log, unsigned long long avail)
{
	char logname[NAME_MAX + 1], kdir[PATH_MAX], **argv;
	int fd, st;

	if (o->initramfs_tools && o->sys.root[0]) {
		say_failed(o);
		klp_err("regenerate %s: mkinitramfs builds only for this system's / (--root %s); "
				"the old initrd is untouched", ks->kver, o->sys.root);
		return KLP_REGEN_FAILED;
	}
	argv = calloc(o->ndracut_args + 8, sizeof(*argv));
	snprintf(logname, sizeof(logname), "%s-%.200s.log", gen_name(o), ks->kver);
	fd = klp_run_file_create(run_fd, logname);
	if (fd < 0 || !argv) {
		say_failed(o);
		klp_err("regenerate %s: %s: %s", ks->kver, log, strerror(fd < 0 ? -fd : ENOMEM));
		if (fd >= 0)
			close(fd);
		free(argv);
		return KLP_REGEN_FAILED;
	}
	gen_argv(o, ks, argv, kdir, sizeof(kdir));
	st = klp_run_child(argv, fd, lock_fd, o->dracut_timeout);
	free(argv);
	if (st == -EINTR)
		klp_die_of_signal(ks->kver);
	if (st != 0)
		st = dracut_failed(o, ks, st, fd, log, avail);
	close(fd);
	return st;
}

bool klp_regen_may_freeze(unsigned long long boot, unsigned long long root, unsigned long long run)
{
	return boot && root && run && boot != root && boot != run;
}

/*
 * fsync leaves the rename in the journal; a boot loader that does not
 * replay it (GRUB's ext2 driver) would read the old directory entry after a
 * crash. Freezing BOOT's filesystem writes everything in place; it is done
 * only when that filesystem holds neither / nor the run folder (dracut
 * freezes only an output folder that is not on / either). Otherwise ext4's
 * journal checkpoint writes it in place without a freeze.
 */
static void sync_in_place(const struct klp_regen_opts *o, int run_fd, const char *kver)
{
	unsigned long long boot = 0, root = 0, run = 0;
	int b = open(o->sys.boot, O_PATH | O_DIRECTORY | O_CLOEXEC), s = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), r;

	if (b < 0 || s < 0 || klp_kernel_fs_id(b, &boot) < 0 || klp_kernel_fs_id(s, &root) < 0 ||
	    klp_kernel_fs_id(run_fd, &run) < 0)
		boot = 0;
	if (b >= 0)
		close(b);
	if (s >= 0)
		close(s);
	if (!klp_regen_may_freeze(boot, root, run)) {
		/* no freeze of / (or of our own files): ext4's journal checkpoint does it without one */
		if ((r = klp_kernel_fs_checkpoint(o->sys.boot)) < 0)
			klp_err("regenerate %s: journal checkpoint of %s: %s (a boot loader that ignores "
				"the journal may see the old initrd until it is written back)", kver, o->sys.boot,
				strerror(-r));
		return;
	}
	if ((r = klp_kernel_fs_sync_in_place(o->sys.boot)) < 0)
		klp_err("regenerate %s: freeze/thaw %s: %s (a boot loader that ignores the journal "
			"may see the old initrd until the next journal commit)", kver, o->sys.boot, strerror(-r));
}

/* BOOT/.NAME.klp-swap: the old initrd's second name while the new one takes its place. */
static void swap_keep_name(const struct klp_regen_opts *o, const struct klp_kstate *ks, char *buf, size_t len)
{
	const char *base = strrchr(ks->initrd, '/') ? strrchr(ks->initrd, '/') + 1 : ks->initrd;

	snprintf(buf, len, "%.3800s/.%.255s" SWAP_SUFFIX, o->sys.boot, base);
}

/*
 * A boot loader that ignores the journal reads the metadata as it is in
 * place, and the journal's checkpoint writes it there block by block, in no
 * set order. Measured with dm-log-writes (qemu/test-powercut): a power cut
 * between the inode table block (the old inode freed) and the directory
 * block (still naming it) left no initrd for such a boot loader. So the new
 * file is written in place before any directory entry names it, and the old
 * one keeps a second name until the rename is in place too: whatever part
 * of that checkpoint reached the disk, the name leads to a whole initrd.
 * Returns whether the second name was made (swap is its path).
 */
static bool swap_keep_make(const struct klp_regen_opts *o, const struct klp_kstate *ks, int run_fd, char *swap,
			   size_t len)
{
	swap_keep_name(o, ks, swap, len);
	sync_in_place(o, run_fd, ks->kver);
	if (unlink(swap) < 0 && errno != ENOENT)
		return false;
	if (link(ks->initrd, swap) == 0)
		return true;
	klp_err("regenerate %s: cannot link the old initrd as %s: %s (a boot loader that ignores the "
			"journal may find no initrd after a power cut in the next moments)", ks->kver, swap,
		strerror(errno));
	return false;
}

/* The verified klp_tmp_path becomes the initrd: the old one's owner and mode, fsync, rename; 0 or what klp exits with. */
static int put_in_place(const struct klp_regen_opts *o, const struct klp_kstate *ks, const struct stat *old,
			int run_fd, bool *kept)
{
	const char *base = strrchr(ks->initrd, '/') ? strrchr(ks->initrd, '/') + 1 : ks->initrd;
	char keep[PATH_MAX], swap[PATH_MAX];
	int r;

	/* the same owner and mode as the old one, then durable before it is visible */
	if (old && (chown(klp_tmp_path, old->st_uid, old->st_gid) < 0 || chmod(klp_tmp_path, old->st_mode & 07777) < 0))
		klp_err("regenerate %s: cannot give the new initrd the old one's owner and mode: %s",
			ks->kver, strerror(errno));
	if ((r = klp_fsync_path(klp_tmp_path, O_RDONLY)) < 0) {
		say_failed(o);
		klp_err("regenerate %s: fsync %s: %s; the old initrd is untouched", ks->kver, klp_tmp_path,
			strerror(-r));
		return r == -ENOSPC ? KLP_REGEN_NOSPACE : KLP_REGEN_FAILED;
	}
	*kept = old && swap_keep_make(o, ks, run_fd, swap, sizeof(swap));
	/* the boot record of IBM Z points at the old file's blocks until zipl ran: keep them */
	snprintf(keep, sizeof(keep), "%.3800s/.%.255s" KEEP_SUFFIX, o->sys.boot, base);
	if (old && klp_zipl_names(o, ks->initrd) && access(keep, F_OK) != 0) {
		if (link(ks->initrd, keep) < 0)
			klp_err("regenerate %s: cannot keep the old initrd as %s: %s", ks->kver, keep,
				strerror(errno));
	}
	if (klp_got_signal)
		klp_die_of_signal(ks->kver);
	if (rename(klp_tmp_path, ks->initrd) < 0) {
		r = -errno;
		if (*kept)
			(void)unlink(swap);
		say_failed(o);
		klp_err("regenerate %s: rename %s to %s: %s; the old initrd is untouched", ks->kver,
			klp_tmp_path, ks->initrd, strerror(-r));
		return KLP_REGEN_FAILED;
	}
	return 0;
}

/* The temporary file beside the initrd, in klp_tmp_path; its fd or what klp exits with (negated). */
static int temp_create(const struct klp_regen_opts *o, const struct klp_kstate *ks)
{
	const char *base = strrchr(ks->initrd, '/') ? strrchr(ks->initrd, '/') + 1 : ks->initrd;
	char name[PATH_MAX];
	struct klp_atomic a;
	int fd, r;

	/* klp's one temporary name (.NAME.klp-XXXXXX), which lock.c knows as a leftover */
	snprintf(name, sizeof(name), "%.3800s/%.255s", o->sys.boot, base);
	fd = klp_atomic_open(&a, AT_FDCWD, name, 0600);
	if (fd >= 0) {
		memcpy(klp_tmp_path, a.tmp, sizeof(klp_tmp_path));
		return fd;
	}
	r = fd;
	klp_tmp_path[0] = '\0';
	say_failed(o);
	klp_err("regenerate %s: cannot create a temporary file in %s: %s", ks->kver, o->sys.boot,
		strerror(-r));
	return r == -ENOSPC ? -KLP_REGEN_NOSPACE : -KLP_REGEN_FAILED;
}

/* The patch-only update into the temporary file fd (closed here); 0 or what klp exits with. */
static int run_update(const struct klp_regen_opts *o, const struct klp_kstate *ks, int fd, uint64_t *base)
{
	char err[512] = "";
	int r = klp_update_write(o, ks, fd, base, err, sizeof(err));

	close(fd);
	if (klp_got_signal)
		klp_die_of_signal(ks->kver);
	if (r == 0)
		return 0;
	say_failed(o);
	if (r == -ENOSPC)
		klp_err("regenerate %s: %s; the old initrd is untouched", ks->kver, err);
	else
		klp_err("regenerate %s: %s; the old initrd is untouched (klp regenerate --full runs %s "
				"instead)", ks->kver, err, gen_name(o));
	return r == -ENOSPC ? KLP_REGEN_NOSPACE : KLP_REGEN_FAILED;
}

/* The new image must hold exactly what is installed, and keep the old loader when only the patch changed. */
static int verify_new(const struct klp_regen_opts *o, const struct klp_kstate *ks, bool update, uint64_t base,
		      const char *log, struct klp_embedded *emb)
{
	enum klp_verdict want = ks->inst.present ? KLP_IN_SYNC : KLP_NO_PATCH;
	char why[512];
	int r = update ? klp_update_read(klp_tmp_path, ks, base, emb) : klp_initrd_embedded(klp_tmp_path, emb);
	bool right;

	if (klp_got_signal)
		klp_die_of_signal(ks->kver);
	right = klp_verdict_judge(&ks->inst, true, r, emb, ks->kver, why, sizeof(why)) == want;

	if (right && update && strcmp(emb->loader_sha256, ks->emb.loader_sha256)) {
		snprintf(why, sizeof(why), "its klp-early is not the old initrd's");
		right = false;
	}
	if (right)
		return 0;
	say_failed(o);
	if (update)
		klp_err("regenerate %s: the new initrd is not right: %s; the old initrd is untouched",
			ks->kver, why);
	else
		klp_err("regenerate %s: the new initrd is not right: %s%s; the old initrd is untouched "
				"(%s log: %s)", ks->kver, why,
			!(ks->inst.present && r == 0 && !emb->found) ? "" :
			o->initramfs_tools ? " (is klp's initramfs-tools hook installed?)" :
			" (is the 55klp dracut module installed?)", gen_name(o), log);
	return KLP_REGEN_FAILED;
}

/* The verified temporary file becomes the initrd, durably; 0 or what klp exits with. */
static int commit(const struct klp_regen_opts *o, const struct klp_kstate *ks, int run_fd, const struct stat *old,
		  const struct klp_embedded *emb)
{
	char swap[PATH_MAX];
	bool kept = false;
	int r = put_in_place(o, ks, old, run_fd, &kept);

	if (r != 0)
		return r;
	klp_tmp_path[0] = '\0';
	if ((r = klp_fsync_path(o->sys.boot, O_RDONLY | O_DIRECTORY)) < 0)
		klp_err("regenerate %s: fsync %s: %s", ks->kver, o->sys.boot, strerror(-r));
	sync_in_place(o, run_fd, ks->kver);
	/* the rename is in place: the old initrd's second name may go (its space is freed at the next commit) */
	swap_keep_name(o, ks, swap, sizeof(swap));
	if (kept && unlink(swap) < 0)
		klp_err("regenerate %s: cannot remove %s: %s", ks->kver, swap, strerror(errno));
	klp_stamp_save(run_fd, ks->kver, ks->initrd, emb);
	return 0;
}

/* Builds (patch-only update, else dracut), verifies and installs the initrd of one kernel. */
int klp_rebuild(const struct klp_regen_opts *o, const struct klp_kstate *ks, int lock_fd, int run_fd, bool *replaced)
{
	char log[PATH_MAX], w1[200], w2[200], rbuf[400];
	unsigned long long need = space_need(o->sys.boot, ks->initrd), avail = space_avail(o->sys.boot);
	const char *refusal = klp_update_refusal(o, ks, rbuf, sizeof(rbuf));
	struct klp_embedded emb;
	struct stat old;
	double t0 = klp_now_s();
	uint64_t base = 0;
	int fd, st;
	bool have_old = stat(ks->initrd, &old) == 0;

	*replaced = false;
	if (!klp_regen_space_ok(need, avail)) {
		klp_err("regenerate %s: not enough space in %s: need %.1f MiB, have %.1f MiB", ks->kver,
			o->sys.boot, klp_mib(need), klp_mib(avail));
		return KLP_REGEN_NOSPACE;
	}
	if (!o->quiet) {
		printf("regenerating initrd for %s (patch %s -> %s)... ", ks->kver, patch_word(ks, true, w1, sizeof(w1)),
		       patch_word(ks, false, w2, sizeof(w2)));
		fflush(stdout);
	}
	if ((fd = temp_create(o, ks)) < 0)
		return -fd;
	snprintf(log, sizeof(log), "%s/%s-%s.log", o->run_dir, gen_name(o), ks->kver);
	if (!refusal) {
		st = run_update(o, ks, fd, &base);
	} else {
		close(fd);
		st = run_dracut(o, ks, lock_fd, run_fd, log, avail);
	}
	if (st == 0)
		st = verify_new(o, ks, !refusal, base, log, &emb);
	if (st == 0)
		st = commit(o, ks, run_fd, have_old ? &old : NULL, &emb);
	if (st != 0) {
		if (klp_tmp_path[0])
			unlink(klp_tmp_path);
		klp_tmp_path[0] = '\0';
		return st;
	}
	*replaced = true;
	if (!o->quiet && !refusal)
		printf("done in %.2f s (patch archive replaced, %s not run)\n", klp_now_s() - t0, gen_name(o));
	else if (!o->quiet)
		printf("done in %.1f s (%s: %s)\n", klp_now_s() - t0, gen_name(o), refusal);
	fflush(stdout);
	return 0;
}
