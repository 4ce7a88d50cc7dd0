/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The payload an initrd embeds: the patch, its manifest, the guard's flag, decompressed modules. */
#ifndef KLP_PAYLOAD_H
#define KLP_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "klp-core.h"

/* ---- payload.c: the patch and its manifest, as an initrd embeds them ---- */
struct klp_payload_req {
	const char *path;   /* the chosen module file */
	const char *top;    /* the top of its module tree: folders from the file's up to here are checked */
	const char *root;   /* "" is /: stripped from path in the manifest's source= */
	const char *kver;
	const char *outdir; /* gets <module>.ko (decompressed) and manifest */
};
/*
 * Opens path once (no symlinks), judges the open file as the scan does,
 * copies it decompressed, judges the copy with the loader's verdict and
 * writes the manifest (lib/manifest.c) last. m: what was written.
 * On failure err says why and nothing is left in outdir.
 */
int klp_payload_write(const struct klp_payload_req *q, struct klp_manifest *m, char *err, size_t errlen);
/* What klp_payload_write wrote into dir (the patch m names, the manifest) removed again. */
void klp_payload_drop(const char *dir, const struct klp_manifest *m);
/* outdir/name (mode 0644) from all of in_fd, or from text: through a temporary file and a rename. */
int klp_payload_add_file(const char *outdir, const char *name, int in_fd, char *err, size_t errlen);
int klp_payload_add_text(const char *outdir, const char *name, const char *text, size_t len, char *err,
			 size_t errlen);
/* ---- guard-embed.c: the crash-loop guard's flag and efivarfs.ko beside the patch ---- */
struct klp_guard_req {
	const char *mode;   /* klp_guard=: "auto" (NULL), "yes", "no" */
	const char *root;   /* "" is /: where klp-boot-ok.service is looked for */
	const char *moddir; /* the kernel's module folder (efivarfs.ko, modules.builtin) */
	const char *kver;
	const char *outdir;
};
bool klp_boot_ok_enabled(const char *root);
/*
 * 1: the guard is on (outdir/guard written, efivarfs.ko beside it unless
 * built in; note, when not empty, says why the guard will not work); 0: off,
 * why says why; -EIO: the flag could not be written (why).
 */
int klp_guard_embed(const struct klp_guard_req *q, char *why, size_t whylen, char *note, size_t notelen);
/* ---- decompress.c: .ko.xz/.ko.zst/.ko.gz into a memfd ---- */
const char *const *klp_decompressor(const char *path); /* argv, or NULL when not compressed */
int klp_decompress(int in_fd, const char *path, int *out_fd, char *err, size_t errlen);

#endif
