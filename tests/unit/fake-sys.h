/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fake-sys: a scriptable stand-in for early-loader/sys.c, linked into the
 * unit tests in its place (the link seam). Files live in a small table,
 * clocks advance only when the loader sleeps, and the livepatch sysfs
 * attributes follow a script.
 */
#ifndef FAKE_SYS_H
#define FAKE_SYS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_MAX_FILES 16
#define FAKE_MAX_KMSG 32

struct fake_file {
	char path[256];
	char *data;
	size_t len;
	int err; /* open/read fails with -err when set */
};

struct fake_state {
	const char *release;
	struct fake_file files[FAKE_MAX_FILES];
	int nfiles;
	bool livepatch_sysfs;  /* /sys/kernel/livepatch exists */
	int finit_ret;         /* what finit_module returns */
	int finit_calls;
	/*
	 * How long finit_module takes (a module init that sleeps): meanwhile
	 * /sys/module/<patch>/initstate reads "coming". A worker that passes its
	 * bound, in finit_module or asleep, is killed there (sys_run_worker
	 * returns -ETIMEDOUT); its open files close with it.
	 */
	uint64_t finit_ns;
	int worker_ret;        /* when set: what sys_run_worker returns, the worker never run */
	int worker_calls;
	unsigned worker_bound_ms;
	long pid;              /* what sys_getpid returns (0: 4242) */
	jmp_buf *leave;        /* when set: sys_exec (a success) and sys_hang jump there */
	char exec_path[256];   /* the last path sys_exec was given */
	bool patch_in_sysfs;   /* /sys/kernel/livepatch/<patch> exists */
	const char *patch;     /* name of the patch in sysfs */
	int enabled;           /* value of enabled */
	int transition_polls;  /* polls during which transition reads 1; -1 forever */
	int polls;
	uint64_t mono_ns, boot_ns;
	char kmsg[FAKE_MAX_KMSG][600];
	int kmsg_level[FAKE_MAX_KMSG];
	int nkmsg;
	char status_path[256];
	char status[2048];
	int status_writes;
	int write_ret;         /* sys_write_atomic result to return */
	unsigned slept_ms;
	int open_fds;          /* opened and not yet closed */
	/* the crash-loop guard's EFI variable */
	bool efi;              /* booted via UEFI */
	int efi_setup_ret;     /* when set: what sys_efivars_setup returns */
	bool efivar_present;
	char efivar[512];
	size_t efivar_len;
	int efivar_read_ret;   /* when set: what sys_efivar_read returns */
	int efivar_write_ret;  /* when set: what sys_efivar_write returns */
	int efivar_writes, efivar_deletes;
	uint32_t efivar_attrs;  /* attributes read back (0: KLP_EFI_ATTRS) */
	bool guard_var_before_finit; /* the variable existed when finit_module ran */
	int run_mounts;        /* sys_run_mount calls */
	int run_mounts_before_finit; /* of them, before finit_module */
};

extern struct fake_state fake;

void fake_reset(void);
void fake_add_file(const char *path, const void *data, size_t len);
void fake_add_error(const char *path, int err);
/* Sets the guard's EFI variable (booted via UEFI). */
void fake_set_efivar(const char *text);
/* Index of the first kmsg line containing needle, or -1. */
int fake_kmsg_find(const char *needle);
/* Value of key in the last status written, or NULL. Static buffer. */
const char *fake_status_get(const char *key);

#endif
