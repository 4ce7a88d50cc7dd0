/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers: helper programs (spawn.c) and small file reads and writes (fileio.c). */
#ifndef KLP_UTIL_H
#define KLP_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- spawn.c: helper programs, no shell, hard timeout ---- */
/*
 * How every helper program starts (klp_proc_start): argv[0] looked up in
 * PATH (-ENOENT when it is not there), no shell, LC_ALL=C (the output we
 * parse is never translated), default signal actions and nothing blocked.
 * Its stdin, stdout and stderr: a descriptor, KLP_FD_NULL (/dev/null) or
 * KLP_FD_KEEP (ours). group: a process group of its own (pid = pgid), to be
 * stopped as one; keep_fd: a descriptor it inherits (the lock), -1 none.
 */
#define KLP_FD_NULL (-1)
#define KLP_FD_KEEP (-2)
struct klp_proc {
	int in, out, err;
	bool group;
	int keep_fd;
};
int klp_proc_start(const char *const argv[], const struct klp_proc *p, pid_t *pid);
/*
 * Runs argv (klp_proc_start); stdin from in_fd (-1: /dev/null); stdout into
 * out_fd, or (out_fd -1) captured into *out (64 KiB at most); stderr ours or
 * /dev/null.
 * Returns the exit status, -ETIMEDOUT (killed), -ENOENT (no such program).
 */
int klp_spawn(const char *const argv[], int in_fd, int out_fd, char **out, unsigned timeout_ms,
	      bool show_stderr);
/* ---- fileio.c ---- */
/* A whole file of at most max bytes, NUL-terminated (malloc'd), its length in *len
 * (if len): 0, -EFBIG when it is longer, or -errno. Reads until EOF (seq_files). */
int klp_read_text(const char *path, size_t max, char **out, size_t *len);
/* klp_read_text without the reason: NULL if it cannot be read whole. */
char *klp_file_read(const char *path, size_t max);
/* At most max bytes of an open file, NUL-terminated: its start, or with tail its end. */
char *klp_fd_read(int fd, size_t max, bool tail);
/* The value of KEY=value or KEY="value" (the last such line) of a text; "" if none. */
void klp_text_value(const char *text, const char *key, char *out, size_t len);
/* open(path, flags) and fsync: 0 or -errno. */
int klp_fsync_path(const char *path, int flags);
/*
 * A file written whole or not at all: klp_atomic_open creates a temporary
 * file beside NAME (".BASE.klp-XXXXXX", random, relative to dir_fd or
 * AT_FDCWD: klp's one temporary name, lock.c's leftover), with mode whatever the umask, never through a symbolic link,
 * and returns its fd or -errno. What needs it on disk (fsync) is the
 * caller's. klp_atomic_commit(a, r) with r 0 closes it (unless a->fd was set
 * to -1: the caller closed it, e.g. with its FILE) and renames it over NAME;
 * with r < 0, or when that fails, it removes it. Returns r, or the -errno
 * that stopped it.
 */
struct klp_atomic {
	int dir_fd, fd;
	char tmp[PATH_MAX], name[PATH_MAX];
};
int klp_atomic_open(struct klp_atomic *a, int dir_fd, const char *name, mode_t mode);
int klp_atomic_commit(struct klp_atomic *a, int r);

#endif
