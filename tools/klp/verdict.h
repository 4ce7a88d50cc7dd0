/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Installed against embedded: the verdict on a kernel's initrd (verdict.c, stamp.c). */
#ifndef KLP_VERDICT_H
#define KLP_VERDICT_H

#include <stdbool.h>
#include <sys/stat.h>

#include "boot.h"
#include "initrd.h"

/* ---- regen.c: installed vs embedded, and the regeneration engine ---- */
struct klp_installed_patch {
	bool present;
	char module[64], srcversion[128], file[4096], sha256[65];
	unsigned long long size;
	char note[320]; /* e.g. the pin in klp.conf names no usable module; "" if none */
};
enum klp_verdict { KLP_IN_SYNC, KLP_STALE, KLP_MISSING, KLP_NO_PATCH };
const char *klp_verdict_name(enum klp_verdict v); /* "in-sync", "stale", "missing", "no-patch" */
/*
 * The verdict for kver: initrd_exists false -> missing; read_r < 0 (unreadable
 * image) -> stale; then installed vs embedded as documented in README.md.
 * why gets one line of explanation.
 */
enum klp_verdict klp_verdict_judge(const struct klp_installed_patch *inst, bool initrd_exists, int read_r,
				   const struct klp_embedded *emb, const char *kver, char *why, size_t whylen);
/* The active patch of kver under root ("" is /), with the sha256 of its decompressed bytes. */
int klp_installed_patch_get(const char *root, const char *kver, struct klp_installed_patch *out, char *err,
			    size_t errlen);
struct klp_kstate {
	char kver[256];
	char initrd[4096];
	bool initrd_exists;
	int read_r; /* klp_initrd_embedded's result */
	struct klp_embedded emb;
	struct klp_installed_patch inst;
	enum klp_verdict verdict;
	char why[512];
	struct stat st; /* the initrd file's identity when it was judged (initrd_exists) */
};
/* Everything klp initrd reports for one kernel; < 0 only when the installed patch cannot be read. */
int klp_kstate_load(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, char *err,
		    size_t errlen);

#endif
