/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reporting commands' shared parts (report.c) and klp-early's records (earlystatus.c). */
#ifndef KLP_STATUS_H
#define KLP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "klp-core.h"

/* ---- report.c: shared by the reporting commands ---- */
struct klp_report_opts {
	bool verbose, json;
};
/* -v, --json, -h after the command name; 0 go on, 1 help shown, -1 usage error. */
int klp_report_opts(int argc, char **argv, const char *usage, struct klp_report_opts *o);
struct klp_live_list;
/* klp_report_opts, then the kernel's live patches into lives (a failure said as
 * "CMD: /sys/kernel/livepatch: ..."): -1 to go on, else what klp exits with. */
int klp_report_begin(int argc, char **argv, const char *usage, struct klp_report_opts *o,
		     struct klp_live_list *lives);
/* "klp: CMD: unknown option ..." after getopt_long (optstring ":...") returned ret ('?' or ':') */
void klp_bad_option(char **argv, int ret, int opt);
void klp_print_words(FILE *f, char *const *v, size_t n, const char *empty);
void klp_json_kv_words(struct klp_json *j, const char *key, char *const *v, size_t n);
/* Seconds with 2 decimals, rounded: "0.08" */
void klp_fmt_centis(uint64_t ns, char *buf, size_t len);
/* ---- earlystatus.c: /run/klp/early.status written by klp-early ---- */
/* klp-early's record moved aside by the stale-initrd fallback (dracut-module/klp-fallback.sh) */
#define KLP_STATUS_INITRD KLP_STATUS ".initrd"
struct klp_early_record {
	unsigned format;
	long pid;
	char mode[32], kernel[128], patch[64], result[32], error[32], message[512], guard[160];
	uint64_t start_boot_ns, end_boot_ns, start_mono_ns, end_mono_ns;
};
int klp_early_parse(const char *buf, size_t len, struct klp_early_record *e, char *err, size_t errlen);
int klp_early_load(const char *path, struct klp_early_record *e, char *err, size_t errlen);
/*
 * This boot's records, in time order (early.status.initrd, after a fallback,
 * then early.status): how many were read; unreadable ones named on errs
 * (NULL: quiet).
 */
size_t klp_early_load_boot(struct klp_early_record rec[2], const char *path[2], FILE *errs);
/* How many of them say a patch was skipped by the crash-loop guard. */
unsigned klp_early_skipped(const struct klp_early_record *rec, size_t n);
/* result applied, already-loaded or timeout: the patch went into the kernel */
bool klp_early_loaded(const struct klp_early_record *e);
bool klp_early_in_initrd(const struct klp_early_record *e); /* shim, hook, systemd */
/* The latest record (recs in time order) that loaded patch, or NULL. */
const struct klp_early_record *klp_early_find(const struct klp_early_record *recs, size_t n, const char *patch);
/* "applied in initrd (shim) at 0.08 s after boot, before udev" */
void klp_early_describe(const struct klp_early_record *e, char *buf, size_t len);
/* "shim: klp_demo_v2: applied at 0.08 s after boot" (+ ": message" when it failed) */
void klp_early_summary(const struct klp_early_record *e, char *buf, size_t len);

#endif
