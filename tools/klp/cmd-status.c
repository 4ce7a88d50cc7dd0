// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp status: "ready" or "in_progress" like SUSE's klp; -v adds the kernel's
 * taint, what klp-early recorded at boot (/run/klp/early.status and, after a
 * stale-initrd fallback, early.status.initrd) and per loaded patch where and
 * when it was applied. The installed patches klp refuses are warnings: after
 * everything else with -v (as the guard's skip is a line after the first),
 * on stderr without it (the first and only line on stdout stays SUSE's).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "klp.h"
#include "json.h"
#include "kernel.h"
#include "patch.h"
#include "status.h"
#include "initrd.h"
#include "boot.h"
#include "regen.h"

static const char usage[] =
	"Usage: klp [-v] [--json] status\n"
	"Print ready (no livepatch transition running) or in_progress (SUSE-compatible).\n"
	"Each installed patch of the running kernel that klp refuses (built for another\n"
	"kernel, not owned by root, group- or world-writable, not a livepatch, unreadable),\n"
	"and a pin in " KLP_CONF " that names no usable module, is named with the\n"
	"reason: \"klp: warning: ...\" lines on stderr, so stdout stays that one word; so is a\n"
	"patch klp-early's crash-loop guard skipped at this boot.\n"
	"  -v, --verbose  also the kernel's taint flags, what klp-early did at boot, and per\n"
	"                 loaded patch: enabled, where and when it was applied, its module\n"
	"                 taint, whether the running kernel's initrd embeds it; then the\n"
	"                 refused patches as \"warning: ...\" lines on stdout\n"
	"  --json         all of that as one JSON object (keys: README.md, \"klp --json\")\n"
	"Exit status: 0 (also when no patch is loaded), 1 error, 2 usage.\n";

struct boot {
	struct klp_early_record rec[2]; /* time order: the initrd's own record first */
	const char *path[2];
	size_t n;
};

static void boot_load(struct boot *b)
{
	b->n = klp_early_load_boot(b->rec, b->path, stderr);
}

/*
 * Does the running kernel's initrd embed this patch? 1 yes, 0 no, -1 unknown;
 * what gets the words ("yes", "no: embeds X (srcversion S)", "no: embeds no
 * patch", "unknown: ..."). The image is read once per run, from the file.
 */
static int initrd_embeds(const char *kver, const struct klp_live *p, char *what, size_t len)
{
	static struct klp_embedded emb;
	static char path[4096], why[512];
	static int state; /* 0 not read, 1 read, -ENOENT no initrd, other < 0 unreadable */
	const struct klp_sys sys = { .root = "", .boot = "/boot" };

	if (state == 0) {
		state = klp_initrd_locate(&sys, kver, path, sizeof(path), why, sizeof(why));
		if (state == 0)
			state = klp_initrd_embedded(path, &emb);
		if (state == 0)
			state = 1;
	}
	if (state == -ENOENT) {
		snprintf(what, len, "no: no initrd for %s in /boot", kver);
		return 0;
	}
	if (state < 0 && why[0]) {
		snprintf(what, len, "unknown: %.400s", why);
		return -1;
	}
	if (state < 0) {
		snprintf(what, len, "unknown: cannot read %.200s: %.200s", path,
			 emb.problem[0] ? emb.problem : strerror(-state));
		return -1;
	}
	if (!emb.found) {
		snprintf(what, len, "no: embeds no patch");
		return 0;
	}
	if (emb.valid && !strcmp(emb.manifest.module, p->name) &&
	    (!p->srcversion || !emb.manifest.srcversion[0] || !strcmp(emb.manifest.srcversion, p->srcversion))) {
		snprintf(what, len, "yes");
		return 1;
	}
	if (!emb.valid)
		snprintf(what, len, "no: its embedded patch is broken: %s", emb.problem);
	else
		snprintf(what, len, "no: embeds %s (srcversion %s)", emb.manifest.module, emb.manifest.srcversion[0] ? emb.manifest.srcversion : "unknown");
	return 0;
}

static bool is_loaded(const struct klp_live_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return true;
	return false;
}

static const char *yes_no(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : "unknown";
}

static const char *applied_by(const struct klp_early_record *e)
{
	if (!e)
		return "after-boot";
	if (klp_early_in_initrd(e))
		return "initrd";
	return !strcmp(e->mode, "fallback") ? "fallback" : "klp-early";
}

static void json_seconds(struct klp_json *j, const char *key, uint64_t ns)
{
	klp_json_key(j, key);
	klp_json_double(j, (double)ns / 1e9, 6);
}

static void json_early(struct klp_json *j, const struct boot *b)
{
	size_t i;

	klp_json_key(j, "early_boot");
	klp_json_array_begin(j);
	for (i = 0; i < b->n; i++) {
		const struct klp_early_record *e = &b->rec[i];

		klp_json_object_begin(j);
		klp_json_kv_string(j, "file", b->path[i]);
		klp_json_kv_string(j, "mode", e->mode);
		klp_json_kv_int(j, "pid", e->pid);
		klp_json_kv_string(j, "kernel", e->kernel);
		klp_json_kv_string(j, "patch", e->patch);
		klp_json_kv_string(j, "result", e->result);
		klp_json_kv_string(j, "error", e->error);
		klp_json_kv_string(j, "message", e->message);
		klp_json_kv_string(j, "guard", e->guard[0] ? e->guard : NULL);
		json_seconds(j, "start_boottime", e->start_boot_ns);
		json_seconds(j, "end_boottime", e->end_boot_ns);
		json_seconds(j, "start_monotonic", e->start_mono_ns);
		json_seconds(j, "end_monotonic", e->end_mono_ns);
		klp_json_object_end(j);
	}
	klp_json_array_end(j);
}

static void print_json(const char *state, const char *kver, bool supported, int taint_r, unsigned long taint,
		       const struct boot *b, const struct klp_live_list *l, const struct klp_judged *jd)
{
	struct klp_json j;
	char letters[80], what[160];
	size_t i;

	klp_json_init(&j, stdout);
	klp_json_object_begin(&j);
	klp_json_kv_int(&j, "format", 1);
	klp_json_kv_string(&j, "state", state);
	klp_json_kv_string(&j, "kernel", kver);
	klp_json_kv_bool(&j, "livepatch_supported", supported);
	klp_json_key(&j, "tainted");
	if (taint_r < 0) {
		klp_json_null(&j);
		klp_json_kv_string(&j, "taint_flags", NULL);
	} else {
		klp_json_int(&j, (long long)taint);
		klp_taint_letters(taint, letters, sizeof(letters));
		klp_json_kv_string(&j, "taint_flags", letters);
	}
	json_early(&j, b);
	klp_json_key(&j, "patches");
	klp_json_array_begin(&j);
	for (i = 0; i < l->n; i++) {
		const struct klp_live *p = &l->v[i];
		const struct klp_early_record *e = klp_early_find(b->rec, b->n, p->name);
		int emb = initrd_embeds(kver, p, what, sizeof(what));

		klp_json_object_begin(&j);
		klp_json_kv_string(&j, "name", p->name);
		klp_json_key(&j, "enabled");
		p->enabled < 0 ? klp_json_null(&j) : klp_json_bool(&j, p->enabled == 1);
		klp_json_key(&j, "transition");
		p->transition < 0 ? klp_json_null(&j) : klp_json_bool(&j, p->transition == 1);
		klp_json_kv_string(&j, "applied_by", applied_by(e));
		klp_json_kv_string(&j, "mode", e ? e->mode : NULL);
		klp_json_kv_string(&j, "early_result", e ? e->result : NULL);
		klp_json_key(&j, "applied_at");
		if (e)
			klp_json_double(&j, (double)(!strcmp(e->result, "timeout") ? e->start_boot_ns : e->end_boot_ns) / 1e9,
					6);
		else
			klp_json_null(&j);
		klp_json_kv_string(&j, "taint", p->taint);
		klp_json_key(&j, "initrd_embeds");
		emb < 0 ? klp_json_null(&j) : klp_json_bool(&j, emb == 1);
		klp_json_object_end(&j);
	}
	klp_json_array_end(&j);
	klp_json_key(&j, "refused");
	klp_refused_json(&j, jd);
	klp_json_kv_string(&j, "installed_note", jd && jd->note[0] ? jd->note : NULL);
	klp_json_object_end(&j);
}

static void print_text(const char *state, const char *kver, bool supported, int taint_r, unsigned long taint,
		       const struct boot *b, const struct klp_live_list *l)
{
	char buf[768];
	size_t i;

	printf("%s\n", state);
	printf("kernel: %s\n", kver);
	if (!supported)
		printf("livepatch: not supported by this kernel (no /sys/kernel/livepatch)\n");
	if (taint_r < 0) {
		printf("tainted: unknown (%s)\n", strerror(-taint_r));
	} else if (taint == 0) {
		printf("tainted: no\n");
	} else {
		char letters[80];

		klp_taint_letters(taint, letters, sizeof(letters));
		klp_taint_explain(taint, buf, sizeof(buf));
		printf("tainted: %s (%s)\n", letters, buf);
	}
	if (b->n == 0)
		printf("early boot: no record (%s absent)\n", KLP_STATUS);
	for (i = 0; i < b->n; i++) {
		const struct klp_early_record *e = &b->rec[i];

		klp_early_summary(e, buf, sizeof(buf));
		printf("early boot: %s%s\n", buf, klp_early_loaded(e) && !is_loaded(l, e->patch) ? "; not active now" : "");
	}
	for (i = 0; i < l->n; i++) {
		const struct klp_live *p = &l->v[i];
		const struct klp_early_record *e = klp_early_find(b->rec, b->n, p->name);

		printf("%s\n", p->name);
		printf("    enabled: %s%s\n", yes_no(p->enabled),
		       p->enabled == 0 && p->transition == 1 ? " (being disabled)" : "");
		printf("    transition: %s\n", yes_no(p->transition));
		if (e)
			klp_early_describe(e, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "loaded after boot");
		printf("    origin: %s\n", buf);
		printf("    taint: %s\n", p->taint ? (p->taint[0] ? p->taint : "none") : "unknown");
		initrd_embeds(kver, p, buf, sizeof(buf));
		printf("    initrd: %s\n", buf);
	}
}

/*
 * The running kernel's installed patches, judged. Problems reading them are
 * errors on stderr; the patches klp refuses are warnings the caller prints.
 */
static bool judged_get(const char *kver, struct klp_judged *jd)
{
	char err[512];

	if (!kver[0])
		return false;
	if (klp_judged_load("", kver, jd, err, sizeof(err)) < 0) {
		klp_err("status: installed patches: %s", err);
		return false;
	}
	if (jd->conf_err[0])
		klp_err("%s", jd->conf_err);
	return true;
}

/* A patch klp-early's crash-loop guard skipped at this boot: loud, on stderr (stdout stays SUSE's one word). */
static void skips_print(const struct boot *b)
{
	char buf[1024];
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (strcmp(b->rec[i].result, "skipped"))
			continue;
		klp_early_summary(&b->rec[i], buf, sizeof(buf));
		klp_err("warning: early boot: %s", buf);
	}
}

static int cmd_status(int argc, char **argv)
{
	struct klp_report_opts o;
	struct klp_live_list lives;
	struct klp_judged jd;
	struct boot boot;
	const char *state = "ready";
	char kver[256] = "";
	unsigned long taint = 0;
	bool supported, judged;
	int r, taint_r;
	size_t i;

	r = klp_report_begin(argc, argv, usage, &o, &lives);
	if (r >= 0)
		return r;
	supported = klp_kernel_has_livepatch();
	for (i = 0; i < lives.n; i++)
		if (lives.v[i].transition == 1)
			state = "in_progress";
	r = klp_kernel_release(kver, sizeof(kver));
	if (r < 0)
		klp_err("status: uname: %s", strerror(-r));
	judged = judged_get(kver, &jd);
	if (!o.verbose && !o.json) {
		/* the one SUSE-compatible line stays alone on stdout, for scripts */
		printf("%s\n", state);
		fflush(stdout);
		if (judged)
			klp_refused_print(stderr, "klp: warning: ", &jd);
		boot_load(&boot);
		skips_print(&boot);
	} else {
		taint_r = klp_kernel_tainted(&taint);
		boot_load(&boot);
		if (o.json) {
			print_json(state, kver, supported, taint_r, taint, &boot, &lives, judged ? &jd : NULL);
		} else {
			print_text(state, kver, supported, taint_r, taint, &boot, &lives);
			if (judged)
				klp_refused_print(stdout, "warning: ", &jd);
		}
	}
	if (judged)
		klp_judged_free(&jd);
	klp_lives_free(&lives);
	return KLP_EXIT_OK;
}

const struct klp_cmd klp_cmd_status = { "status", cmd_status, "ready or in_progress; -v: where and when each patch was applied" };
