// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp initrd: for each kernel, the active patch installed vs the one its
 * initrd embeds (read from the initrd file itself), and a verdict: in-sync,
 * stale, missing, no-patch. Text, --json, or a node-exporter textfile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "json.h"
#include "patch.h"
#include "status.h"
#include "initrd.h"
#include "boot.h"
#include "verdict.h"
#include "regen.h"

enum { EXIT_NOT_IN_SYNC = 3 };

static const char usage[] =
	"Usage: klp initrd [--kver K | --all] [--root DIR] [--boot DIR] [--initrd FILE] [-v] [--json]\n"
	"                  [--prometheus FILE]\n"
	"Is each kernel's initrd in step with the kernel's installed livepatch?\n"
	"\n"
	"  --kver K           only kernel K (default: --all)\n"
	"  --all              every installed kernel: ROOT/lib/modules/K with BOOT/vmlinuz-K\n"
	"  --root DIR         the tree holding lib/modules/K/livepatch and etc/ (default /)\n"
	"  --boot DIR         where the initrds are (default /boot)\n"
	"  --initrd FILE      with --kver K: judge FILE as K's initrd (e.g. kernel-install's staging\n"
	"                     area), not the one the boot entries or the distribution's names give\n"
	"  -v, --verbose      files, srcversions and sha256 of both sides, and each installed\n"
	"                     patch of the kernel that klp refuses, with the reason\n"
	"  --json             one JSON document (keys: see README.md, \"klp initrd --json\")\n"
	"  --prometheus FILE  write a node-exporter textfile (atomically) instead of the text\n"
	"\n"
	"Verdicts: in-sync (the initrd embeds the installed patch), stale (it embeds another or a\n"
	"broken one, or one while none is installed, or it cannot be read), missing (no initrd, or\n"
	"it embeds nothing while a patch is installed), no-patch (none installed, none embedded).\n"
	"\n"
	"Exit status: 0 all in-sync or no-patch, 1 error, 2 usage, 3 some stale or missing.\n";

static bool is_ok(enum klp_verdict v)
{
	return v == KLP_IN_SYNC || v == KLP_NO_PATCH;
}

/* The installed patches of one kernel that klp refuses (-v, --json). */
struct refusals {
	struct klp_judged j;
	bool ok; /* j was read */
};

static void refusals_load(const struct klp_sys *sys, const char *kver, struct refusals *rf)
{
	char err[512];

	rf->ok = klp_judged_load(sys->root, kver, &rf->j, err, sizeof(err)) == 0;
	if (!rf->ok)
		klp_err("initrd %s: installed patches: %s", kver, err);
}

static void refusals_free(struct refusals *rf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rf[i].ok)
			klp_judged_free(&rf[i].j);
	free(rf);
}

static void print_text(const struct klp_kstate *ks, const struct refusals *rf, bool verbose)
{
	const struct klp_embedded *e = &ks->emb;
	const struct klp_installed_patch *p = &ks->inst;
	size_t i;

	printf("%s: %s: %s\n", ks->kver, klp_verdict_name(ks->verdict), ks->why);
	if (!verbose)
		return;
	printf("  initrd:    %s%s%s%s%s\n", ks->initrd, ks->initrd_exists ? "" : " (none)",
	       ks->read_r == 0 ? ", " : "", ks->read_r == 0 ? e->compression : "",
	       ks->read_r == 0 && e->appended ? ", then a patch archive (klp regenerate's patch-only update; "
						"lsinitrd lists only what comes before it)" : "");
	if (p->present)
		printf("  installed: %s srcversion %s sha256 %s\n             %s\n", p->module,
		       p->srcversion[0] ? p->srcversion : "-", p->sha256, p->file);
	else
		printf("  installed: none%s%s\n", p->note[0] ? ": " : "", p->note);
	for (i = 0; rf->ok && i < rf->j.c.n; i++)
		if (rf->j.c.v[i].problem)
			printf("  refused:   %s: %s\n", rf->j.c.v[i].path, rf->j.c.v[i].problem);
	if (!ks->initrd_exists)
		printf("  embedded:  -\n");
	else if (ks->read_r < 0)
		printf("  embedded:  unknown (%s)\n", e->problem);
	else if (!e->found)
		printf("  embedded:  none%s\n", e->loader ? " (the loader is there)" : "");
	else
		printf("  embedded:  %s srcversion %s sha256 %s\n             kernel %s, loader %s, %s mode%s%s\n",
		       e->manifest.module[0] ? e->manifest.module : "?", e->manifest.srcversion[0] ? e->manifest.srcversion : "-",
		       e->sha256[0] ? e->sha256 : "-", e->manifest.kernel[0] ? e->manifest.kernel : "?", e->loader ? "present" : "MISSING",
		       e->shim ? "shim" : "hook", e->problem[0] ? "; " : "", e->problem);
}

static void json_kernel(struct klp_json *j, const struct klp_kstate *ks, const struct refusals *rf)
{
	const struct klp_embedded *e = &ks->emb;
	const struct klp_installed_patch *p = &ks->inst;

	klp_json_object_begin(j);
	klp_json_kv_string(j, "kernel", ks->kver);
	klp_json_kv_string(j, "verdict", klp_verdict_name(ks->verdict));
	klp_json_kv_bool(j, "in_sync", is_ok(ks->verdict));
	klp_json_kv_string(j, "reason", ks->why);
	klp_json_kv_string(j, "initrd", ks->initrd);
	klp_json_kv_bool(j, "initrd_exists", ks->initrd_exists);
	klp_json_kv_bool(j, "initrd_readable", ks->initrd_exists && ks->read_r == 0);
	klp_json_kv_string(j, "compression", ks->initrd_exists && e->compression[0] ? e->compression : NULL);
	klp_json_kv_bool(j, "patch_archive", ks->read_r == 0 && e->appended);
	klp_json_kv_string(j, "error", ks->initrd_exists && ks->read_r < 0 ? e->problem : NULL);
	klp_json_key(j, "installed");
	if (p->present) {
		klp_json_object_begin(j);
		klp_json_kv_string(j, "module", p->module);
		klp_json_kv_string(j, "srcversion", p->srcversion[0] ? p->srcversion : NULL);
		klp_json_kv_string(j, "file", p->file);
		klp_json_kv_string(j, "sha256", p->sha256);
		klp_json_kv_int(j, "size", (long long)p->size);
		klp_json_object_end(j);
	} else {
		klp_json_null(j);
	}
	klp_json_kv_string(j, "installed_note", p->note[0] ? p->note : NULL);
	klp_json_key(j, "refused");
	klp_refused_json(j, rf->ok ? &rf->j : NULL);
	klp_json_key(j, "embedded");
	if (ks->read_r == 0 && e->found) {
		klp_json_object_begin(j);
		klp_json_kv_string(j, "module", e->manifest.module[0] ? e->manifest.module : NULL);
		klp_json_kv_string(j, "srcversion", e->manifest.srcversion[0] ? e->manifest.srcversion : NULL);
		klp_json_kv_string(j, "kernel", e->manifest.kernel[0] ? e->manifest.kernel : NULL);
		klp_json_kv_string(j, "file", e->manifest.file[0] ? e->manifest.file : NULL);
		klp_json_kv_string(j, "sha256", e->sha256[0] ? e->sha256 : NULL);
		klp_json_kv_string(j, "manifest_sha256", e->manifest.sha256[0] ? e->manifest.sha256 : NULL);
		klp_json_kv_int(j, "size", (long long)e->size);
		klp_json_kv_bool(j, "valid", e->valid);
		klp_json_kv_bool(j, "loader", e->loader);
		klp_json_kv_string(j, "mode", e->shim ? "shim" : "hook");
		klp_json_kv_string(j, "problem", e->problem[0] ? e->problem : NULL);
		klp_json_object_end(j);
	} else {
		klp_json_null(j);
	}
	klp_json_object_end(j);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void prom_write(FILE *f, const struct klp_kstate *ks, size_t n)
{
	static const enum klp_verdict all[] = { KLP_IN_SYNC, KLP_STALE, KLP_MISSING, KLP_NO_PATCH };
	struct klp_early_record rec[2];
	const char *path[2];
	size_t i, v, boot_n;

	fputs("# HELP klp_initrd_in_sync 1 when the kernel's initrd embeds its installed livepatch, or neither has one.\n"
	      "# TYPE klp_initrd_in_sync gauge\n", f);
	for (i = 0; i < n; i++) {
		fputs("klp_initrd_in_sync{kernel=\"", f);
		prom_label(f, ks[i].kver);
		fprintf(f, "\"} %d\n", is_ok(ks[i].verdict));
	}
	fputs("# HELP klp_initrd_verdict The verdict of klp initrd for the kernel's initrd (1 for the current one).\n"
	      "# TYPE klp_initrd_verdict gauge\n", f);
	for (i = 0; i < n; i++)
		for (v = 0; v < sizeof(all) / sizeof(all[0]); v++) {
			fputs("klp_initrd_verdict{kernel=\"", f);
			prom_label(f, ks[i].kver);
			fprintf(f, "\",verdict=\"%s\"} %d\n", klp_verdict_name(all[v]), ks[i].verdict == all[v]);
		}
	fputs("# HELP klp_patch_installed The active cumulative livepatch installed for the kernel.\n"
	      "# TYPE klp_patch_installed gauge\n", f);
	for (i = 0; i < n; i++) {
		if (!ks[i].inst.present)
			continue;
		fputs("klp_patch_installed{kernel=\"", f);
		prom_label(f, ks[i].kver);
		fputs("\",patch=\"", f);
		prom_label(f, ks[i].inst.module);
		fputs("\",srcversion=\"", f);
		prom_label(f, ks[i].inst.srcversion);
		fputs("\"} 1\n", f);
	}
	fputs("# HELP klp_patch_embedded The livepatch the kernel's initrd embeds.\n"
	      "# TYPE klp_patch_embedded gauge\n", f);
	for (i = 0; i < n; i++) {
		if (ks[i].read_r < 0 || !ks[i].emb.found || !ks[i].emb.manifest.module[0])
			continue;
		fputs("klp_patch_embedded{kernel=\"", f);
		prom_label(f, ks[i].kver);
		fputs("\",patch=\"", f);
		prom_label(f, ks[i].emb.manifest.module);
		fputs("\",srcversion=\"", f);
		prom_label(f, ks[i].emb.manifest.srcversion);
		fprintf(f, "\"} %d\n", ks[i].emb.valid);
	}
	boot_n = klp_early_load_boot(rec, path, NULL);
	fputs("# HELP klp_early_guard_skipped Patches klp-early's crash-loop guard skipped at this boot"
	      " (klp status -v names them; klp-early --guard-reset allows them again).\n"
	      "# TYPE klp_early_guard_skipped gauge\n", f);
	fprintf(f, "klp_early_guard_skipped %u\n", klp_early_skipped(rec, boot_n));
	fputs("# HELP klp_initrd_check_timestamp_seconds When klp initrd checked the initrds.\n"
	      "# TYPE klp_initrd_check_timestamp_seconds gauge\n", f);
	fprintf(f, "klp_initrd_check_timestamp_seconds %lld\n", (long long)time(NULL));
}

/* Whole or not at all: the collector never reads half a file. */
static int prom_save(const char *path, const struct klp_kstate *ks, size_t n)
{
	struct klp_atomic a;
	FILE *f;
	int fd = klp_atomic_open(&a, AT_FDCWD, path, 0644), r = 0;

	if (fd < 0)
		return fd;
	if (!(f = fdopen(fd, "w")))
		return klp_atomic_commit(&a, -errno);
	prom_write(f, ks, n);
	if (fflush(f) != 0 || fsync(fd) < 0)
		r = -errno;
	if (fclose(f) != 0 && !r)
		r = -errno;
	a.fd = -1; /* closed with the stream */
	return klp_atomic_commit(&a, r);
}

/*
 * Each kernel's state into ks (and with refused, its refused patches into rf);
 * done counts the kernels loaded. Returns the exit status so far.
 */
static int load_kernels(const struct klp_sys *sys, char **kvers, size_t n, bool refused, struct klp_kstate *ks,
			struct refusals *rf, size_t *done)
{
	char err[512];
	int ret = KLP_EXIT_OK;
	size_t i;

	for (i = 0; i < n; i++) {
		if (klp_kstate_load(sys, kvers[i], &ks[*done], err, sizeof(err)) < 0) {
			klp_err("initrd %s: %s", kvers[i], err);
			ret = KLP_EXIT_ERROR;
			continue;
		}
		if (!is_ok(ks[*done].verdict) && ret == KLP_EXIT_OK)
			ret = EXIT_NOT_IN_SYNC;
		if (refused)
			refusals_load(sys, kvers[i], &rf[*done]);
		(*done)++;
	}
	return ret;
}

static void print_json(const struct klp_kstate *ks, const struct refusals *rf, size_t n, bool in_sync)
{
	struct klp_json j;
	size_t i;

	klp_json_init(&j, stdout);
	klp_json_object_begin(&j);
	klp_json_kv_int(&j, "format", 1);
	klp_json_key(&j, "kernels");
	klp_json_array_begin(&j);
	for (i = 0; i < n; i++)
		json_kernel(&j, &ks[i], &rf[i]);
	klp_json_array_end(&j);
	klp_json_kv_bool(&j, "in_sync", in_sync);
	klp_json_object_end(&j);
}

static int cmd_initrd(int argc, char **argv)
{
	static const struct option opts[] = {
		KLP_SEL_OPTIONS,
		{ "json", no_argument, NULL, 'j' },	  { "verbose", no_argument, NULL, 'v' },
		{ "prometheus", required_argument, NULL, 'P' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prom = NULL;
	bool json = klp_global.json, verbose = klp_global.verbose;
	char **kvers = NULL;
	struct klp_sel sel;
	struct klp_kstate *ks = NULL;
	struct refusals *rf = NULL;
	size_t n = 0, i, done = 0;
	int o, r, ret;

	klp_sel_init(&sel);
	optind = 1;
	while ((o = getopt_long(argc, argv, KLP_SEL_SHORT "jvP:h", opts, NULL)) != -1) {
		if (klp_sel_opt(&sel, o, optarg))
			continue;
		switch (o) {
		case 'j': json = true; break;
		case 'v': verbose = true; break;
		case 'P': prom = optarg; break;
		case 'h': fputs(usage, stdout); return KLP_EXIT_OK;
		default: return KLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		klp_err("initrd: unexpected argument '%s'", argv[optind]);
		return KLP_EXIT_USAGE;
	}
	if (klp_sel_check(&sel, "initrd") < 0)
		return KLP_EXIT_USAGE;
	r = klp_kernels_select(&sel.sys, sel.kver, &kvers, &n);
	if (r < 0) {
		klp_err("initrd: cannot list the kernels in %s/lib/modules: %s", sel.sys.root, strerror(-r));
		return KLP_EXIT_ERROR;
	}
	if (n == 0 && !json && !prom)
		klp_err("initrd: no installed kernels (%s/lib/modules/K with %s/vmlinuz-K)", sel.sys.root,
			sel.sys.boot);
	ks = calloc(n ? n : 1, sizeof(*ks));
	rf = calloc(n ? n : 1, sizeof(*rf));
	if (!ks || !rf) {
		free(ks);
		free(rf);
		klp_strv_free(kvers, n);
		return KLP_EXIT_ERROR;
	}
	ret = load_kernels(&sel.sys, kvers, n, json || (verbose && !prom), ks, rf, &done);
	if (json)
		print_json(ks, rf, done, ret == KLP_EXIT_OK);
	else if (!prom)
		for (i = 0; i < done; i++)
			print_text(&ks[i], &rf[i], verbose);
	if (prom && (r = prom_save(prom, ks, done)) < 0) {
		klp_err("initrd: cannot write %s: %s", prom, strerror(-r));
		ret = KLP_EXIT_ERROR;
	}
	if (fflush(stdout) != 0)
		ret = KLP_EXIT_ERROR;
	refusals_free(rf, done);
	free(ks);
	klp_strv_free(kvers, n);
	return ret;
}

const struct klp_cmd klp_cmd_initrd = { "initrd", cmd_initrd, "is each kernel's initrd in step with its installed patch" };
