/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.c, the one file of klp that talks to the kernel, and taint.c (its taint bits as words). */
#ifndef KLP_KERNEL_H
#define KLP_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

/* ---- kernel.c: the one file that talks to the kernel ---- */
int klp_kernel_release(char *buf, size_t len);
/* ---- kernel.c: livepatch sysfs, /proc tasks, taint, finit_module ---- */
struct klp_live {
	char *name;       /* /sys/kernel/livepatch/<name> */
	int enabled;      /* 1, 0, -1 unreadable */
	int transition;   /* 1, 0, -1 unreadable */
	int replace;      /* 1, 0, -1 no such attribute (kernel 6.1 has none) */
	char *srcversion; /* /sys/module/<name>/srcversion, NULL if none */
	char *taint;      /* /sys/module/<name>/taint ("OEK"), NULL if unreadable */
};
struct klp_live_list {
	struct klp_live *v;
	size_t n;
};
bool klp_kernel_has_livepatch(void);
/* /sys/kernel/kexec_loaded is 1: a kexec kernel (and the initrd it was loaded with) waits in memory. */
bool klp_kernel_kexec_loaded(void);
/* kexec_file_load(2): kernel with initrd and cmdline, replacing the loaded kexec kernel; 0 or -errno (the old one stays). */
int klp_kernel_kexec_file_load(const char *kernel, const char *initrd, const char *cmdline);
/* This boot's command line (/proc/cmdline) without the boot loader's BOOT_IMAGE=; 0 or -errno. */
int klp_kernel_cmdline(char *buf, size_t len);
/* / is not PID 1's root (or that cannot be told). */
bool klp_in_chroot(void);
/* Every loaded livepatch, sorted by name; none (not an error) without livepatch support. */
int klp_kernel_patches(struct klp_live_list *out);
/* One patch; -ENOENT when /sys/kernel/livepatch/<name> does not exist. */
int klp_kernel_patch_read(const char *name, struct klp_live *p);
void klp_live_clear(struct klp_live *p);
void klp_lives_free(struct klp_live_list *l);
bool klp_kernel_module_loaded(const char *name);
int klp_kernel_tainted(unsigned long *out); /* /proc/sys/kernel/tainted */
struct klp_task {
	long tgid, pid;  /* process and task (thread) id */
	int patch_state; /* -1 no transition, 0 unpatched, 1 patched */
	char *dir;       /* its /proc directory */
};
struct klp_tasks {
	struct klp_task *v;
	size_t n;
	size_t unreadable; /* patch_state is root-only */
};
/* Every task's patch_state, sorted by tgid then pid. */
int klp_kernel_tasks(struct klp_tasks *out);
/* "comm" or "stack" of a task, trailing newlines removed. */
int klp_kernel_task_read(const struct klp_task *t, const char *what, char **out);
void klp_tasks_free(struct klp_tasks *t);
/* finit_module(2) through syscall(); 0 or -errno. */
int klp_kernel_finit_module(int fd, const char *params, int flags);
/*
 * FIFREEZE + FITHAW of dir's file system, from a child, thawed again if it
 * dies: a rename reaches its final place (GRUB ignores the journal)
 */
int klp_kernel_fs_sync_in_place(const char *dir);
/*
 * Without a freeze: syncfs and, on ext4, a journal checkpoint (the journal's
 * blocks written to their places), so GRUB reads the rename after a crash;
 * 0 also on a file system that has no such call or no journal.
 */
int klp_kernel_fs_checkpoint(const char *dir);
/* The device number of the superblock holding fd's file (mountinfo); 0 or -errno */
int klp_kernel_fs_id(int fd, unsigned long long *id);
/* The pid that took the flock(2) lock on fd's file (/proc/locks), or -errno */
long klp_kernel_flock_holder(int fd);
/* /proc/self/mountinfo, whole (malloc), NULL with errno set */
char *klp_kernel_mountinfo(void);
/* delete_module(2), non-blocking: a replaced livepatch module that is still loaded */
int klp_kernel_delete_module(const char *name);
/* ---- taint.c: the kernel's taint bits as letters ---- */
void klp_taint_letters(unsigned long mask, char *buf, size_t len); /* "OEK" */
void klp_taint_explain(unsigned long mask, char *buf, size_t len); /* "O: out-of-tree module, ..." */
const char *klp_taint_words(char letter);                          /* NULL if unknown */
bool klp_machine_is_s390(void);

#endif
