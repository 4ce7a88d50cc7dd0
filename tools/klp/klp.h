/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klp: internal header of the command-line tool. */
#ifndef KLP_H
#define KLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define KLP_VERSION "0.1"
#define KLP_CONF "/etc/klp/klp.conf"

/* Exit codes shared by all commands; each command documents its own above 2. */
enum { KLP_EXIT_OK = 0, KLP_EXIT_ERROR = 1, KLP_EXIT_USAGE = 2 };

/* Global options (klp.c); commands also accept -v and --json after their name. */
struct klp_global {
	bool verbose;
	bool json;
};
extern struct klp_global klp_global;

/*
 * Commands, one file each (cmd-NAME.c): int klp_cmd_NAME(int argc, char **argv),
 * argv[0] is the command name.
 */
int klp_cmd_installed(int argc, char **argv);
#define KLP_COMMANDS \
	{ "installed", klp_cmd_installed, "the active cumulative livepatch installed for a kernel" },

/* ---- json.c: streaming JSON writer for --json ---- */
#define KLP_JSON_MAX_DEPTH 16
struct klp_json {
	FILE *out;
	int depth;
	unsigned count[KLP_JSON_MAX_DEPTH];
	bool pending_key;
};
void klp_json_init(struct klp_json *j, FILE *out);
void klp_json_object_begin(struct klp_json *j);
void klp_json_object_end(struct klp_json *j);
void klp_json_array_begin(struct klp_json *j);
void klp_json_array_end(struct klp_json *j);
void klp_json_key(struct klp_json *j, const char *key);
void klp_json_string(struct klp_json *j, const char *v); /* NULL -> null */
void klp_json_int(struct klp_json *j, long long v);
void klp_json_double(struct klp_json *j, double v, int decimals);
void klp_json_bool(struct klp_json *j, bool v);
void klp_json_null(struct klp_json *j);
void klp_json_kv_string(struct klp_json *j, const char *key, const char *v);
void klp_json_kv_int(struct klp_json *j, const char *key, long long v);
void klp_json_kv_bool(struct klp_json *j, const char *key, bool v);

/* ---- kernel.c: the one file that talks to the kernel ---- */
int klp_kernel_release(char *buf, size_t len);

#define _cleanup_(f) __attribute__((cleanup(f)))
static inline void freep(void *p)
{
	extern void free(void *);
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* ---- conf.c: /etc/klp/klp.conf ---- */
/*
 * Format: "key = value" lines, '#' comments. Keys:
 *   pin.<kver> = <module name>   use this patch for that kernel
 */
struct klp_conf {
	char **pin_kver;
	char **pin_module;
	size_t npins;
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
/* 0 if usable, else a reason is stored in cand->problem. */
void klp_candidate_judge(struct klp_candidate *cand, const char *kver);

#endif
