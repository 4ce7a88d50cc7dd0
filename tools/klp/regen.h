/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regen.h: klp regenerate: its options and run (for cmd-regenerate.c), the
 * run folder, and the rooms of its work, for each other: bootdir.c,
 * stamp.c, lock.c, child.c, zipl.c, update.c, rebuild.c, kexec.c, regen.c.
 */
#ifndef KLP_REGEN_H
#define KLP_REGEN_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "boot.h"

struct klp_kstate;
struct klp_embedded;

/* klp regenerate's exit codes */
enum { KLP_REGEN_FAILED = 1, KLP_REGEN_BOOTFS = 3, KLP_REGEN_NOSPACE = 4, KLP_REGEN_LOCK = 5, KLP_REGEN_RUNDIR = 6 };
struct klp_regen_opts {
	struct klp_sys sys;
	const char *run_dir;      /* logs and stamps: $KLP_RUN_DIR or /run/klp */
	const char *dracut;       /* the generator's program, PATH lookup: dracut or mkinitramfs */
	bool initramfs_tools;     /* the generator is initramfs-tools' mkinitramfs, not dracut */
	char *const *dracut_args; /* extra arguments, before ours */
	size_t ndracut_args;
	bool if_needed, quiet, boot_check;
	bool full; /* dracut even when only the patch changed (update.c) */
	unsigned lock_timeout, dracut_timeout; /* seconds */
};
int klp_regen_run(const struct klp_regen_opts *o, char *const *kvers, size_t n);
/* The name of a temporary file of ours: ".NAME.klp-XXXXXX". */
bool klp_regen_is_temp(const char *name);
/*
 * Space check: need = the current initrd's size + 10%; true when it fits.
 * 0 need (no current initrd) always fits.
 */
bool klp_regen_space_ok(unsigned long long need, unsigned long long avail);
/*
 * Freezing BOOT's filesystem (it writes the journal in place) is done only
 * when that filesystem holds neither / nor the run folder: a freeze left
 * behind (klp and its freezing child killed together) then never stops the
 * system or klp. Arguments: klp_kernel_fs_id of each, 0 when not known.
 */
bool klp_regen_may_freeze(unsigned long long boot, unsigned long long root, unsigned long long run);

/* ---- rundir.c: the run folder, trusted only when nobody else can change it ---- */
/*
 * Creates run_dir if needed and opens it (O_PATH) after walking its
 * canonical path from / without following links: -EPERM (why says it) when
 * it or a folder above it can be changed by someone else, another -errno
 * when it cannot be created or opened.
 */
int klp_run_dir_open(const char *run_dir, char *why, size_t len);
/* A new file in the run folder: a file or link of that name is removed first; O_EXCL, O_NOFOLLOW. */
int klp_run_file_create(int dir_fd, const char *name);
/* A regular file of the run folder, for reading; links are not followed. fd or -errno. */
int klp_run_file_open(int dir_fd, const char *name);

/* ---- bootdir.c ---- */
int klp_strv_add(char ***v, size_t *n, const char *s, size_t len);

/* ---- kexec.c ---- */
struct klp_replaced {
	const char *kver;
	const char *initrd;
};
/* After initrds were replaced (n of them): a loaded kexec kernel loaded again (kexec = reload) or said in one line. */
void klp_kexec_after(const struct klp_sys *sys, const struct klp_replaced *r, size_t n);

/* ---- stamp.c ---- */
/* Into the run folder (dir_fd; -1: none): the verdict on an initrd file as it is now. */
void klp_stamp_save(int dir_fd, const char *kver, const char *initrd, const struct klp_embedded *e);
/* klp_kstate_load, with the stamps of the run folder stamp_fd used and made (-1: none). */
int klp_kstate_load_stamped(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, int stamp_fd,
			    char *err, size_t errlen);

/* ---- lock.c ---- */
#define KEEP_SUFFIX ".klp-zipl-old"
#define SWAP_SUFFIX ".klp-swap" /* the old initrd's second name during the swap (rebuild.c) */
/* The exclusive lock on the boot folder, waited for up to o->lock_timeout s: its fd, or -errno. */
int klp_lock_take(const struct klp_regen_opts *o);
/* Our temporary files (and second names, .NAME.klp-swap) in boot older than taken (we hold the lock). */
void klp_temps_remove(const char *boot, time_t taken);
/* The same without a rebuild to do: only if nobody holds the lock. */
void klp_temps_sweep(const struct klp_regen_opts *o);
/* Old initrds kept for zipl: are there any, remove them. */
bool klp_keeps_exist(const char *boot);
void klp_keeps_remove(const char *boot);

/* ---- child.c ---- */
extern volatile sig_atomic_t klp_got_signal; /* SIGINT, SIGTERM or SIGHUP arrived */
extern char klp_tmp_path[PATH_MAX];          /* the temporary file to remove if we are stopped */
void klp_signals_install(void);
/* The temporary file goes, then we die of the signal that stopped us. */
_Noreturn void klp_die_of_signal(const char *kver);
double klp_now_s(void);
/*
 * Runs argv in its own process group, output into log_fd, the lock fd
 * inherited; waits up to timeout s (then SIGTERM, 10 s later SIGKILL).
 * Returns the wait status, -ETIMEDOUT, -EINTR (a signal stopped us), -errno.
 */
int klp_run_child(char *const argv[], int log_fd, int lock_fd, unsigned timeout);
/* The first line of the log's last MiB that holds needle; its last lines to stderr. */
bool klp_log_find(int log_fd, const char *needle, char *line, size_t len);
void klp_log_tail(int log_fd, unsigned lines);

/* ---- zipl.c ---- */
/* Does the boot record point at this initrd (a ramdisk= of zipl.conf names it)? */
bool klp_zipl_names(const struct klp_regen_opts *o, const char *initrd);
/* Is this a machine where zipl may be due (IBM Z, or a zipl.conf)? */
bool klp_zipl_wanted(const struct klp_regen_opts *o);
/* Runs zipl, its output in the run folder's zipl.log; 0 or what klp exits with. */
int klp_run_zipl(const struct klp_regen_opts *o, int lock_fd, int run_fd, const char *why);

/* ---- update.c ---- */
/* Why only the patch cannot be replaced in ks's initrd (dracut must run): NULL when it can. */
const char *klp_update_refusal(const struct klp_regen_opts *o, const struct klp_kstate *ks, char *buf, size_t len);
/* The old initrd's base, then a klp archive of the installed patch, into out; 0 or -errno (err says why). */
int klp_update_write(const struct klp_regen_opts *o, const struct klp_kstate *ks, int out, uint64_t *base, char *err,
		     size_t errlen);
/*
 * The image at path as klp_update_write left it, as the kernel will see it:
 * the base as judged in ks (read whole then; klp_update_write checked it is
 * the same file), then its klp archive, read back with the loader's code.
 */
int klp_update_read(const char *path, const struct klp_kstate *ks, uint64_t base, struct klp_embedded *emb);
/* The payload folders (RUN_DIR/payload.PID.XXXXXX) that killed runs left: those whose flock nobody holds. */
void klp_update_sweep(int run_fd);

/* ---- rebuild.c ---- */
double klp_mib(unsigned long long b);
/* Builds, verifies and installs the initrd of one kernel; 0 or what klp exits with. */
int klp_rebuild(const struct klp_regen_opts *o, const struct klp_kstate *ks, int lock_fd, int run_fd,
		bool *replaced);

#endif
