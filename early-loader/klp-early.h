/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp-early: the loader's own declarations, over the shared core
 * (lib/klp-core.h). Nothing declared here talks to the kernel; see sys.h
 * for that seam.
 */
#ifndef KLP_EARLY_H
#define KLP_EARLY_H

#include <sys/types.h>

#include "klp-core.h"

/* ---- loader.c ---- */
struct klp_opts {
	const char *manifest; /* path */
	const char *status;   /* path, NULL = do not write */
	const char *mode;
	long pid;             /* recorded in the status: 1 for the shim, 0 = own pid */
	bool quiet_stderr;    /* hook mode prints to stderr as well */
	bool has_timeout;     /* --timeout given: overrides rd.klp.timeout */
	bool mount_run;       /* shim: mount /run just before the status is written, after the patch */
	unsigned timeout_ms;
	/* the command line already read (shim: by PID 1, before the worker starts), NULL = read it */
	const struct klp_cmdline *cmdline;
	ssize_t cmdline_n;    /* what klp_early_cmdline() returned for it */
	uint64_t start_boot_ns, start_mono_ns;
};
/* Does all the work: checks, load, wait, report. Returns the result. */
enum klp_result klp_early_work(const struct klp_opts *o);
/* Time the worker gets beyond the transition timeout (hashing, the insert itself). */
#define KLP_WORKER_GRACE_MS 5000u
/*
 * klp_early_work(o) in a worker process, bounded by the transition timeout
 * (rd.klp.timeout=, or o's) plus KLP_WORKER_GRACE_MS: the one bound of every
 * mode (shim, hook, systemd, fallback), so that a finit_module that never
 * returns cannot hold up the boot. A worker that is not done by then is
 * killed (a task stuck in the kernel dies when it returns) and reported
 * here: one kmsg line and the status file, saying what state the patch is
 * left in. Returns the exit status of hook mode (see --help).
 */
int klp_early_run(const struct klp_opts *o);
/*
 * The longest /proc/cmdline there is: CONFIG_COMMAND_LINE_SIZE ranges up to
 * 1 MiB (IBM Z: 896..1048576; x86-64 has 2048), the kernel's newline included.
 */
#define KLP_CMDLINE_MAX (1024 * 1024)
/*
 * Reads /proc/cmdline whole (at most KLP_CMDLINE_MAX bytes, into a static
 * buffer: no malloc, no file size) and parses it into c; returns the bytes
 * read, or -errno (c then holds the defaults).
 */
ssize_t klp_early_cmdline(struct klp_cmdline *c);
/*
 * The crash-loop guard's record, through sys.h: load gives 0, -ENOENT (no
 * record) or another negative errno with the reason in why (g then empty);
 * store writes g; this_boot gives the tag of the running boot.
 */
int klp_guard_load(struct klp_guard *g, char *why, size_t len);
int klp_guard_store(const struct klp_guard *g);
int klp_guard_this_boot(char tag[KLP_GUARD_BOOT_LEN + 1]);
/* A livepatch's sysfs flag (enabled, transition): 1, 0 or -errno. */
int klp_livepatch_flag(const char *module, const char *attr);

#endif
