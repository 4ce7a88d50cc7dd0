/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys.h: the only seam between klp-early and the kernel. sys.c implements it
 * with real syscalls; tests link a fake instead (tests/unit/fake-sys.c).
 * All functions return 0 or a negative errno unless said otherwise.
 */
#ifndef KLP_SYS_H
#define KLP_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int sys_uname_release(char *buf, size_t len);
/* Reads at most len-1 bytes of a small file, NUL-terminates; returns bytes read. */
ssize_t sys_read_small(const char *path, char *buf, size_t len);
int sys_exists(const char *path);            /* 1, 0 or -errno */
int sys_open_ro(const char *path);           /* fd or -errno */
ssize_t sys_read(int fd, void *buf, size_t len);
int sys_fsize(int fd, uint64_t *size);
int sys_rewind(int fd);
int sys_close(int fd);
int sys_finit_module(int fd);                /* -errno from the kernel */
/* Writes path atomically (temp file + rename), creating its folder. */
int sys_write_atomic(const char *path, const char *data, size_t len);
void sys_kmsg(int level, const char *line); /* best effort */
void sys_stderr(const char *line);
uint64_t sys_boottime_ns(void);
uint64_t sys_monotonic_ns(void);
void sys_sleep_ms(unsigned ms);

/*
 * The crash-loop guard's store: EFI variables (efivarfs). setup returns 1
 * when booted via UEFI with efivarfs mounted (it mounts it, inserting
 * KLP_EFIVARFS_KO first if the kernel does not know the filesystem), 0 when
 * not booted via UEFI. read returns the data bytes and the attributes word
 * apart, -ENOENT when the variable does not exist, -E2BIG when it holds more
 * than len bytes. write sets NON_VOLATILE | BOOTSERVICE | RUNTIME_ACCESS
 * (KLP_EFI_ATTRS).
 */
int sys_efivars_setup(void);
ssize_t sys_efivar_read(const char *name, char *buf, size_t len, uint32_t *attrs);
int sys_efivar_write(const char *name, const char *data, size_t len);
int sys_efivar_delete(const char *name);

/* Shim mode (PID 1) helpers. */
long sys_getpid(void);
/* proc and sysfs, each unless already there; devtmpfs on /dev for the first kmsg line */
void sys_early_mounts(void);
/* devtmpfs on /dev unless /dev/kmsg is there */
void sys_dev_mount(void);
/* takes away (detached) what sys_early_mounts and sys_dev_mount mounted */
void sys_early_umounts(void);
/* a tmpfs on /run unless /run is a mount point already */
void sys_run_mount(void);
/*
 * Runs fn(arg) in a child process (sharing memory, not stopping the caller)
 * and waits for it at most timeout_ms.
 * Returns the child's exit code (>= 0); -ETIMEDOUT when it did not end in
 * time (it is killed); -(1000 + sig) when it died from signal sig; another
 * negative errno when it could not start it.
 */
int sys_run_worker(int (*fn)(void *), void *arg, unsigned timeout_ms);
/* execv()s path; returns only on failure, with -errno. */
int sys_exec(const char *path, char *const argv[], char *const envp[]);
void sys_hang(void) __attribute__((noreturn));

#endif
