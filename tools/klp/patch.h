/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which patch: klp.conf, the candidates and the active one, the refused ones, their owners and info. */
#ifndef KLP_PATCH_H
#define KLP_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "json.h"

/* ---- conf.c: /etc/klp/klp.conf ---- */
/*
 * Format: "key = value" lines, '#' comments. Keys:
 *   pin.<kver> = <module name>   use this patch for that kernel
 */
struct klp_conf {
	char **pin_kver;
	char **pin_module;
	size_t npins;
	bool kexec_reload; /* kexec = reload: the loaded kexec kernel is the running one, loaded again with its new initrd */
};
int klp_conf_parse(const char *buf, size_t len, struct klp_conf *c, char *err, size_t errlen);
int klp_conf_load(const char *path, struct klp_conf *c, char *err, size_t errlen);
const char *klp_conf_pin(const struct klp_conf *c, const char *kver);
void klp_conf_free(struct klp_conf *c);
/* ---- patch.c: which livepatch is the active one for a kernel ---- */
struct klp_candidate {
	char *path;       /* full path under root */
	char *name;       /* module name */
	char *srcversion;
	char *vermagic;
	bool livepatch;   /* modinfo livepatch=Y */
	bool vermagic_ok; /* first word of vermagic == kver */
	unsigned uid;     /* owner of the file */
	unsigned mode;    /* st_mode of the file */
	bool stat_ok;
	char *problem;    /* why it cannot be used, or NULL */
};
struct klp_candidates {
	struct klp_candidate *v;
	size_t n;
};
/*
 * The folder of kver's livepatches: <moddir>/livepatch when moddir is given
 * (dracut's -k), else <root>/lib/modules/<kver>/livepatch ("" root is /).
 */
int klp_livepatch_dir(const char *root, const char *moddir, const char *kver, char *out, size_t len);
/* Reads every module file in dir, judged for kver (modinfo via libkmod). */
int klp_candidates_scan(const char *dir, const char *kver, struct klp_candidates *out);
void klp_candidates_free(struct klp_candidates *c);
/* True for .ko, .ko.xz, .ko.zst, .ko.gz */
bool klp_is_module_file(const char *name);
/*
 * Picks the active cumulative patch: the pinned module if klp.conf pins
 * one for kver, else the usable candidate whose file name sorts highest
 * by version (strverscmp). Returns the index, -ENOENT if none is usable,
 * -ESRCH if the pinned one is missing or unusable.
 */
int klp_candidates_select(const struct klp_candidates *c, const char *pin);
/* Judges cand for kver: usable leaves cand->problem NULL, else it holds the reason. */
void klp_candidate_judge(struct klp_candidate *cand, const char *kver);
/* One module file read and judged as the scan does (klp payload --file). */
int klp_candidate_load(const char *path, const char *kver, struct klp_candidate *c);
/*
 * The open file fd, named path in messages, read and judged again: owner and
 * mode from fstat, modinfo through /proc/self/fd (libkmod decompresses by
 * magic). What klp payload copies is what was judged.
 */
int klp_candidate_from_fd(int fd, const char *path, const char *kver, struct klp_candidate *c);
void klp_candidate_clear(struct klp_candidate *c);
/* ---- owner.c: the package that owns a file (rpm -qf, then dpkg -S) ---- */
struct klp_owner {
	char *package;       /* "a, b" if several */
	const char *manager; /* "rpm", "dpkg" */
};
int klp_owner_query(const char *path, struct klp_owner *o); /* -ENOENT: no owner known */
void klp_owner_clear(struct klp_owner *o);
int klp_owner_parse_rpm(const char *out, char **pkg);
int klp_owner_parse_dpkg(const char *out, const char *path, char **pkg);
/* ---- info.c: /usr/share/livepatch/info/<modname>-<srcversion> ---- */
#define KLP_INFO_DIR "/usr/share/livepatch/info"
struct klp_info {
	char **cve;
	size_t ncve;
	char **bugs; /* "bug fixes and enhancements" */
	size_t nbugs;
};
int klp_info_parse(const char *buf, size_t len, struct klp_info *out, char *err, size_t errlen);
int klp_info_load(const char *path, struct klp_info *out, char *err, size_t errlen); /* -ENOENT: none */
int klp_info_path(const char *name, const char *srcversion, char *out, size_t len);
void klp_info_free(struct klp_info *info);
/* ---- refused.c: a kernel's installed patches as judged above, and the refused ones ---- */
struct klp_judged {
	struct klp_candidates c; /* every module file, judged */
	int sel;                 /* klp_candidates_select's answer: the active patch, or < 0 */
	char note[320];          /* klp.conf pins a module that is missing or unusable; "" if not */
	char conf_err[480];      /* klp.conf cannot be read (the choice is made without pins); "" if fine */
};
/*
 * kver's installed patches under root ("" is /), chosen as klp installed
 * chooses. < 0 with err set only when the folder cannot be read (a missing
 * folder holds no patch). Free with klp_judged_free() after 0.
 */
int klp_judged_load(const char *root, const char *kver, struct klp_judged *j, char *err, size_t errlen);
void klp_judged_free(struct klp_judged *j);
/* One line per refused file, "<prefix>installed patch F is not used: WHY", then "<prefix><note>". */
void klp_refused_print(FILE *f, const char *prefix, const struct klp_judged *j);
/* The refused files as a JSON array of {"file", "reason"}; null when j is NULL (not known). */
void klp_refused_json(struct klp_json *w, const struct klp_judged *j);

#endif
