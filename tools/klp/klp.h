/* SPDX-License-Identifier: GPL-2.0-or-later */
/* klp: internal header of the command-line tool. */
#ifndef KLP_H
#define KLP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* shared with the loader: the core library (lib/) */
#include "klp-core.h"
#include <stdlib.h>

#define KLP_VERSION "0.1"
#define KLP_CONF "/etc/klp/klp.conf"

/* One line on stderr, "klp: " before it, a newline after (log.c): every message of klp to its user. */
void klp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes shared by all commands; each command documents its own above 2. */
enum { KLP_EXIT_OK = 0, KLP_EXIT_ERROR = 1, KLP_EXIT_USAGE = 2 };

/* Global options (klp.c); commands also accept -v and --json after their name. */
struct klp_global {
	bool verbose;
	bool json;
};
extern struct klp_global klp_global;

/*
 * Commands, one file each (cmd-NAME.c), as kmod's tools: each defines its
 * record, const struct klp_cmd klp_cmd_NAME (name, entry, one line of help);
 * the entry gets argv[0] the command name. klp.c lists them in help's order.
 */
struct klp_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};
extern const struct klp_cmd klp_cmd_status, klp_cmd_patches, klp_cmd_blocking, klp_cmd_load, klp_cmd_initrd,
	klp_cmd_regenerate, klp_cmd_installed, klp_cmd_payload;

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

/*
 * ==== status, patches, blocking, load (cmd-status.c, cmd-patches.c,
 * cmd-blocking.c, cmd-load.c and the files below) ====
 */

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

/* ---- report.c: shared by the reporting commands ---- */
struct klp_report_opts {
	bool verbose, json;
};
/* -v, --json, -h after the command name; 0 go on, 1 help shown, -1 usage error. */
int klp_report_opts(int argc, char **argv, const char *usage, struct klp_report_opts *o);
/* "klp: CMD: unknown option ..." after getopt_long (optstring ":...") returned ret ('?' or ':') */
void klp_bad_option(char **argv, int ret, int opt);
/* Whole file, NUL-terminated, at most max bytes (-EFBIG beyond). */
int klp_read_text(const char *path, size_t max, char **out, size_t *len);
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

/* ---- taint.c: the kernel's taint bits as letters ---- */
void klp_taint_letters(unsigned long mask, char *buf, size_t len); /* "OEK" */
void klp_taint_explain(unsigned long mask, char *buf, size_t len); /* "O: out-of-tree module, ..." */
const char *klp_taint_words(char letter);                          /* NULL if unknown */

/* ---- spawn.c: helper programs, no shell, hard timeout ---- */
/* environ with LC_ALL=C (a calloc'd array of environ's strings), so that the output we parse is not translated */
char **klp_env_c(void);
/*
 * Runs argv[0] (PATH lookup) with LC_ALL=C; stdin from in_fd (-1: /dev/null);
 * stdout into out_fd, or (out_fd -1) captured into *out (64 KiB at most).
 * Returns the exit status, -ETIMEDOUT (killed), -ENOENT (no such program).
 */
int klp_spawn(const char *const argv[], int in_fd, int out_fd, char **out, unsigned timeout_ms,
	      bool show_stderr);

/* ---- owner.c: the package that owns a file (rpm -qf, then dpkg -S) ---- */
struct klp_owner {
	char *package;       /* "a, b" if several */
	const char *manager; /* "rpm", "dpkg" */
};
int klp_owner_query(const char *path, struct klp_owner *o); /* -ENOENT: no owner known */
void klp_owner_clear(struct klp_owner *o);
int klp_owner_parse_rpm(const char *out, char **pkg);
int klp_owner_parse_dpkg(const char *out, const char *path, char **pkg);

/* ---- decompress.c: .ko.xz/.ko.zst/.ko.gz into a memfd ---- */
const char *const *klp_decompressor(const char *path); /* argv, or NULL when not compressed */
int klp_decompress(int in_fd, const char *path, int *out_fd, char *err, size_t errlen);



/*
 * ==== initrd, regenerate (cmd-initrd.c, cmd-regenerate.c, initrd.c, regen.c,
 * bootfs.c) ====
 */

/* ---- fileio.c ---- */
/* At most max bytes of a file, NUL-terminated (malloc'd); NULL if it cannot be read. */
char *klp_file_read(const char *path, size_t max);
/* At most max bytes of an open file, NUL-terminated: its start, or with tail its end. */
char *klp_fd_read(int fd, size_t max, bool tail);
/* The value of KEY=value or KEY="value" (the last such line) of a text; "" if none. */
void klp_text_value(const char *text, const char *key, char *out, size_t len);
/* open(path, flags) and fsync: 0 or -errno. */
int klp_fsync_path(const char *path, int flags);

/* ---- initrd.c: what an initrd file embeds, read from the file itself ---- */
#define KLP_LOADER_SOURCE_MAX 1024
struct klp_embedded {
	bool found;  /* the image has usr/lib/klp-early/manifest (valid or not) */
	bool valid;  /* the manifest parses, and the file it names passes the loader's verdict (lib/verify.c) */
	bool loader; /* usr/lib/klp-early/klp-early is in the image */
	bool shim;   /* usr/lib/klp-early/init is: klp-early runs as the initrd's /init */
	bool appended; /* the image ends with a klp archive (archive.c), read after the generator's */
	struct klp_manifest manifest; /* as parsed (lib/manifest.c) when found; its sha256 is what it says */
	char sha256[65];              /* computed from the embedded file's bytes; "" if absent */
	unsigned long long size;  /* of the embedded file */
	char compression[16];     /* of the main archive: gzip, zstd, xz, lz4, ..., or none */
	char loader_sha256[65];   /* of usr/lib/klp-early/klp-early; "" if absent */
	char loader_source[KLP_LOADER_SOURCE_MAX]; /* the file 55klp copied it from (klp-early.source); "" */
	char source_suffix[8];    /* the manifest's source= file after ".ko": "", ".xz", ".zst", ".gz" */
	char problem[256];        /* why found && !valid, or why the image is unreadable; "" if none */
};
/*
 * Reads the whole image at path (uncompressed early archive + compressed main
 * archive, decompressed by a child: gzip -dc, zstd -dcq, xz -dc, ...).
 * 0: read, out says what is embedded (found false: nothing); -ENOENT: no such
 * file; -EBADMSG: truncated or corrupt (out->problem says where); -ENOEXEC:
 * the decompressor cannot run; other -errno: I/O. On failure only
 * out->problem and out->compression are set.
 */
int klp_initrd_embedded(const char *path, struct klp_embedded *out);
int klp_initrd_embedded_mem(const void *buf, size_t len, struct klp_embedded *out);
struct klp_archive_loc;
/*
 * Only the klp archive at the end of the image at path (archive.c), read
 * as klp_initrd_embedded reads a whole image; loc gets where it is. 0, or
 * -ENOENT when the image ends with none, other -errno / -EBADMSG as above.
 */
int klp_initrd_archive_read(const char *path, struct klp_embedded *out, struct klp_archive_loc *loc);
/* How long a decompressor child may run over one image or module (default 300 s); -ETIMEDOUT after. */
void klp_initrd_set_timeout(unsigned ms);

#define KLP_CPIO_HEADER_SIZE 110
#define KLP_CPIO_NAME_MAX 4096
struct klp_cpio_header {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
		namesize, check;
};
/* One newc header (070701/070702); -EBADMSG if malformed or namesize is 0 or > 4097. */
int klp_cpio_header_parse(const void *hdr, size_t len, struct klp_cpio_header *h);
/* "gzip", "zstd", "xz", "lzma", "lz4", "bzip2", "lzo" from magic bytes, or NULL. */
const char *klp_initrd_compression(const void *magic, size_t len);

void klp_initrd_sha256_hex(const void *buf, size_t len, char out[65]);
/* sha256 and size of a module file, decompressed (.ko.xz/.ko.zst/.ko.gz) as 55klp embeds it. */
int klp_initrd_module_sha256(const char *path, char out[65], unsigned long long *size, char *err,
			     size_t errlen);

/* ---- archive.c: the klp archive appended to an initrd (patch, manifest, footer) ---- */
#define KLP_ARCHIVE_TAIL 336 /* the footer entry and the trailer: the last bytes of such an image */
struct klp_archive_src {
	const char *ko_name; /* file name in usr/lib/klp-early, e.g. klp_demo_v2.ko */
	int ko_fd;           /* its bytes, read with pread from offset 0 */
	uint64_t ko_size;
	const char *manifest; /* the manifest's text (lib/manifest.c wrote it) */
	size_t manifest_len;
};
struct klp_archive_loc {
	uint64_t base;   /* length of the generator's image before the klp archive */
	uint64_t offset; /* where the klp archive starts (base rounded up to 4) */
	uint64_t size;   /* its length, to the end of the file */
};
/* Bytes klp_archive_write() writes after the padding. */
uint64_t klp_archive_size(const char *ko_name, uint64_t ko_size, size_t manifest_len);
/*
 * Appends, at fd's position (the end of a base image of length base): zeros
 * to a multiple of 4, then the archive. 0 or -errno (-EINVAL: a bad name).
 */
int klp_archive_write(int fd, uint64_t base, const struct klp_archive_src *src);
/* Does the image end with a klp archive? 0 and where, or -ENOENT (or -errno on I/O). */
int klp_archive_find(int fd, struct klp_archive_loc *loc);
int klp_archive_find_mem(const void *img, uint64_t len, struct klp_archive_loc *loc);

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

enum klp_initrd_naming { KLP_NAMING_DEBIAN, KLP_NAMING_SUSE, KLP_NAMING_FEDORA };
/*
 * Which name the initrds of this system use when a kernel has none yet
 * (initrd.img-K, initrd-K, initramfs-K.img): names: the entries of the boot
 * folder; os_release: /etc/os-release text (may be NULL). Other kernels'
 * initrds decide when they agree, then ID/ID_LIKE, else SUSE.
 */
enum klp_initrd_naming klp_initrd_naming_guess(char *const *names, size_t n, const char *os_release);
/* The ramdisk= paths of a zipl.conf ("ramdisk = /boot/initrd,0x2000000" -> "/boot/initrd"). */
int klp_zipl_ramdisks(const char *text, char ***out, size_t *n);
void klp_strv_free(char **v, size_t n);

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
struct klp_sys {
	const char *root;   /* "" is / */
	const char *boot;   /* "/boot" */
	const char *initrd; /* --initrd: this file is the kernel's initrd (BOOT is its folder); NULL: located */
};
/*
 * The kernels a command works on, one parser for klp initrd and klp
 * regenerate: --kver K, --all, --root DIR, --boot DIR, --initrd FILE (the
 * kernel's initrd is that file, BOOT its folder). KLP_SEL_OPTIONS go into
 * the command's getopt_long table, KLP_SEL_SHORT into its short options.
 */
struct klp_sel {
	struct klp_sys sys;
	const char *kver;   /* NULL: every installed kernel */
	const char *initrd; /* --initrd as given */
	bool all;
	char root[PATH_MAX], dir[PATH_MAX];
};
#define KLP_SEL_OPTIONS \
	{ "kver", required_argument, NULL, 'k' }, { "all", no_argument, NULL, 'a' }, \
	{ "root", required_argument, NULL, 'r' }, { "boot", required_argument, NULL, 'b' }, \
	{ "initrd", required_argument, NULL, 'I' }
#define KLP_SEL_SHORT "k:ar:b:I:"
void klp_sel_init(struct klp_sel *s);
/* getopt_long's option c with its argument: true when it was one of KLP_SEL_OPTIONS (taken into s). */
bool klp_sel_opt(struct klp_sel *s, int c, const char *arg);
/* After the options: --kver and --all exclude each other, a sane release, --initrd's file; 0 or -EINVAL, said as "cmd: ...". */
int klp_sel_check(struct klp_sel *s, const char *cmd);
/* The kernel image of kver in boot: BOOT/vmlinuz-K (or image-K, Image-K, vmlinux-K); 0, -ENOENT. */
int klp_kernel_image(const char *boot, const char *kver, char *out, size_t len);
/* Kernels with ROOT/lib/modules/K and BOOT/vmlinuz-K (or image-K, Image-K), by version. */
int klp_kernels_installed(const struct klp_sys *sys, char ***out, size_t *n);
/* kver if given, else every installed kernel. */
int klp_kernels_select(const struct klp_sys *sys, const char *kver, char ***out, size_t *n);
/* --root as klp uses it: "/" and "" are "", trailing slashes go. */
const char *klp_root_norm(const char *root, char *buf, size_t len);
/*
 * The initrd file that boots kver (bootentry.c: boot entries, the
 * distributions' names, kernel-install's layout), existing or to be made.
 * < 0 when klp must not write one, why (whylen > 0) saying so in one line:
 * -EMEDIUMTYPE a unified kernel image, -ENOMEDIUM a boot entry without an
 * initrd, -EINVAL a bad kver.
 */
int klp_initrd_locate(const struct klp_sys *sys, const char *kver, char *out, size_t len, char *why,
		      size_t whylen);
int klp_initrd_path(const struct klp_sys *sys, const char *kver, char *out, size_t len);
/*
 * One Boot Loader Specification entry's text: 1 when it boots kver (its
 * version, or its linux path .../vmlinuz-K or .../K/linux) with an initrd
 * (the last one, into out), 0 when it is another kernel's, -EMEDIUMTYPE a
 * unified kernel image (uki/efi line), -ENOMEDIUM no initrd line.
 */
int klp_bls_initrd(const char *text, const char *kver, char *out, size_t len);
/* Everything klp initrd reports for one kernel; < 0 only when the installed patch cannot be read. */
int klp_kstate_load(const struct klp_sys *sys, const char *kver, struct klp_kstate *ks, char *err,
		    size_t errlen);

/* klp regenerate's exit codes */
enum { KLP_REGEN_FAILED = 1, KLP_REGEN_BOOTFS = 3, KLP_REGEN_NOSPACE = 4, KLP_REGEN_LOCK = 5, KLP_REGEN_RUNDIR = 6 };
struct klp_regen_opts {
	struct klp_sys sys;
	const char *run_dir;      /* logs and stamps: $KLP_RUN_DIR or /run/klp */
	const char *dracut;       /* the generator's program, PATH lookup: dracut or mkinitramfs */
	bool initramfs_tools;     /* the generator is initramfs-tools' mkinitramfs, not dracut */
	char *const *dracut_args; /* extra arguments, before ours */
	size_t ndracut_args;
	bool if_needed, quiet, boot_check;
	bool full; /* dracut even when only the patch changed (update.c) */
	unsigned lock_timeout, dracut_timeout; /* seconds */
};
int klp_regen_run(const struct klp_regen_opts *o, char *const *kvers, size_t n);
/* The name of a temporary file of ours: ".NAME.klp-XXXXXX". */
bool klp_regen_is_temp(const char *name);
/*
 * Space check: need = the current initrd's size + 10%; true when it fits.
 * 0 need (no current initrd) always fits.
 */
bool klp_regen_space_ok(unsigned long long need, unsigned long long avail);
/*
 * Freezing BOOT's filesystem (it writes the journal in place) is done only
 * when that filesystem holds neither / nor the run folder: a freeze left
 * behind (klp and its freezing child killed together) then never stops the
 * system or klp. Arguments: klp_kernel_fs_id of each, 0 when not known.
 */
bool klp_regen_may_freeze(unsigned long long boot, unsigned long long root, unsigned long long run);

/* ---- rundir.c: the run folder, trusted only when nobody else can change it ---- */
/*
 * Creates run_dir if needed and opens it (O_PATH) after walking its
 * canonical path from / without following links: -EPERM (why says it) when
 * it or a folder above it can be changed by someone else, another -errno
 * when it cannot be created or opened.
 */
int klp_run_dir_open(const char *run_dir, char *why, size_t len);
/* A new file in the run folder: a file or link of that name is removed first; O_EXCL, O_NOFOLLOW. */
int klp_run_file_create(int dir_fd, const char *name);
/* A regular file of the run folder, for reading; links are not followed. fd or -errno. */
int klp_run_file_open(int dir_fd, const char *name);

/* ---- bootfs.c: is BOOT the filesystem the boot loader reads ---- */
/* The fstab entry mounted on mountpoint: its spec (UUID=..., /dev/...), or 0 if none. */
int klp_fstab_find(const char *text, const char *mountpoint, char *spec, size_t speclen, char *fstype,
		   size_t typelen);
struct klp_mount {
	unsigned major, minor;
	char source[256], fstype[64];
};
/* The top mount on mountpoint in /proc/self/mountinfo text: 1 found, 0 none. */
int klp_mountinfo_find(const char *text, const char *mountpoint, struct klp_mount *m);
/* 0 fine (or nothing to check), -ENOTCONN not mounted, -EXDEV another device, other -errno; err says it. */
int klp_bootfs_check(const char *root, const char *boot, char *err, size_t errlen);
bool klp_machine_is_s390(void);

#endif
