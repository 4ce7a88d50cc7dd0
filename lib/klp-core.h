/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp-core: what klp-early and klp share, one copy of each rule: paths and
 * limits, SHA-256, the manifest (format and parse), the verdict on a patch
 * file against its manifest, errno words, the status record, the kernel
 * command line, the ELF check and the crash-loop guard's record.
 *
 * Built twice: static with musl into the loader, for the host into klp and
 * the tests. Pure code: nothing here talks to the kernel or allocates.
 */
#ifndef KLP_CORE_H
#define KLP_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KLP_EARLY_VERSION "0.1"
/* the loader's folder, and the same as an initrd's archives name it (no leading slash) */
#define KLP_DIR_IN_IMAGE "usr/lib/klp-early"
#define KLP_DIR "/" KLP_DIR_IN_IMAGE
#define KLP_MANIFEST KLP_DIR "/manifest"
#define KLP_REAL_INIT KLP_DIR "/init"
#define KLP_STATUS_DIR "/run/klp"
#define KLP_STATUS KLP_STATUS_DIR "/early.status"
/*
 * An initrd whose init mounts /proc, /sys, /dev and a fresh /run over
 * anything there (initramfs-tools) carries this flag: as /init the loader
 * then writes its status inside the image, at KLP_STATUS_HANDOFF, mounts no
 * /run and takes its own mounts away before the exec; the generator's own
 * early script (initramfs-tools/scripts/init-top/klp) moves the status to
 * KLP_STATUS once that /run is there.
 */
#define KLP_HANDOFF_FLAG KLP_DIR "/status-handoff"
#define KLP_STATUS_HANDOFF KLP_DIR "/early.status"
#define KLP_SYSFS "/sys/kernel/livepatch"

#define KLP_MANIFEST_MAX 4096
#define KLP_NAME_MAX 56 /* MODULE_NAME_LEN - 8 + 1 on 64-bit */
#define KLP_RELEASE_MAX 65
#define KLP_FILE_MAX 128
#define KLP_SRCVERSION_MAX 25
#define KLP_TIMEOUT_DEFAULT_MS 10000u
#define KLP_TIMEOUT_MAX_MS 600000u
#define KLP_GUARD_DEFAULT 3u        /* attempts before the crash-loop guard skips a patch */
#define KLP_GUARD_ATTEMPTS_MAX 99u
#define KLP_GUARD_DIGEST_LEN 16
/* efivarfs name of the guard's record: <name>-<vendor GUID of klp-initrd> */
#define KLP_GUARD_VAR "KlpEarlyGuard-6f1c4e2a-93b5-4d7e-a0c8-5e2b7d94f31c"
/* EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS: the only record accepted */
#define KLP_EFI_ATTRS 0x7u
/* present when the system marks good boots (klp-early --boot-ok): the guard is on */
#define KLP_GUARD_FLAG KLP_DIR "/guard"
/* efivarfs.ko, embedded by the dracut module when the kernel has it as a module */
#define KLP_EFIVARFS_KO KLP_DIR "/efivarfs.ko"

/* ---- sha256.c ---- */
struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t fill;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
void sha256_hex(const uint8_t digest[32], char out[65]);

/* ---- manifest.c ---- */
/*
 * The manifest names the one patch an initrd carries (format 1, see
 * manifest.c). srcversion is optional: the kernel records one only for
 * modules with MODULE_VERSION (or CONFIG_MODULE_SRCVERSION_ALL).
 */
struct klp_manifest {
	unsigned format;
	char kernel[KLP_RELEASE_MAX];
	char module[KLP_NAME_MAX];
	char file[KLP_FILE_MAX];
	uint64_t size;
	char sha256[65];
	char srcversion[KLP_SRCVERSION_MAX]; /* "" when the module has none */
};
/*
 * Parses a manifest held in buf (need not be NUL-terminated). On failure
 * returns -EINVAL (or -ENODATA for an empty one, -E2BIG for one larger than
 * KLP_MANIFEST_MAX) and describes the problem in err (e.g. "line 3: unknown
 * key 'foo'"); *m is then unspecified.
 */
int klp_manifest_parse(const char *buf, size_t len, struct klp_manifest *m, char *err,
		       size_t errlen);
/*
 * The one writer: m as format-1 text, srcversion only when set, source (the
 * installed file the patch came from, informational; NULL for none) as
 * "source=". The text is parsed back before it is returned: the length, or
 * -ENOSPC (buf too small) or -EINVAL with err set when it would not read
 * back as m, so no manifest the loader refuses is ever written.
 */
int klp_manifest_format(const struct klp_manifest *m, const char *source, char *buf, size_t len, char *err,
			size_t errlen);
/* Both manifests say the same (every field the parser reads). */
bool klp_manifest_equal(const struct klp_manifest *a, const struct klp_manifest *b);
bool klp_module_name_valid(const char *name);
/* No control characters (newline, escape, DEL, ...): fits on one line of a manifest or a log. */
bool klp_line_safe(const char *s);
/* The loader's rule: the manifest is for the running kernel release; -EINVAL with why. */
int klp_manifest_check_kernel(const struct klp_manifest *m, const char *release, char *why, size_t len);

/* ---- verify.c: a patch file's bytes against its manifest, as klp-early judges them ---- */
#define KLP_VERIFY_HEAD 64 /* bytes kept for the ELF header check */
struct klp_verify {
	struct sha256 sha;
	uint64_t size;
	uint8_t head[KLP_VERIFY_HEAD];
	size_t headlen;
};
void klp_verify_init(struct klp_verify *v);
void klp_verify_update(struct klp_verify *v, const void *data, size_t len);
/*
 * The verdict on the bytes fed: 0 when klp-early would insert them for m,
 * -EINVAL (size or sha256 differ) or -ENOEXEC (not a kernel module for this
 * machine) with why set ("sha256 mismatch: ..."). hex gets the computed
 * sha256 when not NULL.
 */
int klp_verify_finish(struct klp_verify *v, const struct klp_manifest *m, char hex[65], char *why, size_t len);
/* The size test alone, before reading a file: 0 or -EINVAL with why. */
int klp_verify_size(uint64_t size, const struct klp_manifest *m, char *why, size_t len);

/* ---- cmdline.c ---- */
struct klp_cmdline {
	bool disabled;        /* rd.klp=0|no|off|false */
	bool debug;           /* rd.klp.debug[=1] */
	unsigned timeout_ms;  /* rd.klp.timeout=SECONDS, default 10 s */
	bool timeout_invalid; /* rd.klp.timeout= had a bad value (default kept) */
	unsigned guard;       /* rd.klp.guard=N attempts, 0 = off (default 3) */
	bool guard_invalid;   /* rd.klp.guard= had a bad value (default kept) */
	bool kdump;           /* elfcorehdr= is there: a kdump capture kernel */
};
void klp_cmdline_parse(const char *buf, size_t len, struct klp_cmdline *c);

/* ---- guard.c ---- */
#define KLP_GUARD_RECS 4
#define KLP_GUARD_BOOT_LEN 8
struct klp_guard_rec {
	char module[KLP_NAME_MAX];
	char digest[KLP_GUARD_DIGEST_LEN + 1]; /* first 16 hex digits of the sha256 */
	unsigned attempts;                      /* boots that inserted it without a boot-ok since */
	char boot[KLP_GUARD_BOOT_LEN + 1];      /* the boot that counted it last (boot_id prefix) */
};
struct klp_guard {
	struct klp_guard_rec rec[KLP_GUARD_RECS];
	unsigned n;
};
/* Lines of "1 <module> <digest> <attempts> <boot>\n"; -EINVAL/-ERANGE on anything else. */
int klp_guard_parse(const char *buf, size_t len, struct klp_guard *g);
int klp_guard_format(const struct klp_guard *g, char *buf, size_t len); /* length or -ENOSPC */
/*
 * Returns true when the patch must be skipped: g counts `limit` or more
 * attempts for it (g unchanged). Otherwise counts this attempt in g, tagged
 * with boot (a new line for a new patch, forgetting the oldest when full).
 * *attempts: the patch's count.
 */
bool klp_guard_decide(struct klp_guard *g, const char *module, const char *sha256, const char *boot,
		      unsigned limit, unsigned *attempts);
/*
 * boot-ok: drops the lines counted by boot (with passed, only those it says
 * true of: the pre-pivot mark's patches whose transition completed); returns
 * how many.
 */
unsigned klp_guard_forget_boot(struct klp_guard *g, const char *boot,
			       bool (*passed)(const struct klp_guard_rec *r, void *arg), void *arg);
/* The boot tag (first 8 hex digits) of /proc/sys/kernel/random/boot_id's content. */
int klp_guard_boot_tag(const char *boot_id, size_t len, char tag[KLP_GUARD_BOOT_LEN + 1]);

/* ---- errmap.c ---- */
const char *klp_errno_name(int err);   /* "EKEYREJECTED"; "E<n>" if unknown */
const char *klp_errno_words(int err);  /* "signature rejected"; never NULL */

/* ---- elfcheck.c ---- */
/* Quick sanity check of an ELF header before handing the file to the kernel. */
int klp_elf_check(const uint8_t *hdr, size_t len, const char **why);

/* ---- status.c ---- */
enum klp_result {
	KLP_APPLIED,
	KLP_ALREADY_LOADED,
	KLP_DISABLED,
	KLP_NO_MANIFEST,
	KLP_REFUSED,
	KLP_FAILED,
	KLP_TIMEOUT,
	KLP_UNSUPPORTED,
	KLP_SKIPPED, /* by the crash-loop guard */
};
struct klp_status {
	const char *mode; /* shim, hook, ... */
	long pid;
	const char *kernel;
	const char *patch;
	enum klp_result result;
	int error; /* positive errno or 0 */
	const char *message;
	const char *guard; /* the crash-loop guard's word on this boot; NULL = not written */
	uint64_t start_boot_ns, end_boot_ns, start_mono_ns, end_mono_ns;
};
const char *klp_result_name(enum klp_result r);
/* Exit code of hook mode: 0 applied/already-loaded, 3 disabled/no manifest, ...: see --help. */
int klp_result_exit_code(enum klp_result r);
/* Formats the status file; returns length or -ENOSPC if buf is too small. */
int klp_status_format(const struct klp_status *st, char *buf, size_t len);
/* Seconds with 6 decimals, "0.081234". */
void klp_fmt_seconds(uint64_t ns, char out[24]);

#endif
