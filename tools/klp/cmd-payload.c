// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp payload: write the initrd payload of a kernel (its active cumulative
 * patch, decompressed, and the manifest klp-early reads) into a folder. The
 * dracut module, the stale-initrd fallback and the tests call it: no shell
 * writes a manifest.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "kernel.h"
#include "patch.h"
#include "payload.h"
#include "status.h"
#include "boot.h"

enum { PAYLOAD_NONE = 3, PAYLOAD_PIN = 4, PAYLOAD_SAME = 5 };

struct payload_opts {
	struct klp_sel sel; /* --kver, --root */
	const char *root, *moddir, *conf, *file, *same, *outdir, *guard;
	char kver[256];
	bool quiet;
};

static int usage(void)
{
	printf("Usage: klp payload [--kver K] [--root DIR] [--moddir DIR] [--conf FILE] [--file PATCH]\n"
	       "                   [--skip-if-same MANIFEST] [--guard auto|yes|no] [--quiet] OUTDIR\n"
	       "Write kernel K's initrd payload into OUTDIR: its active cumulative livepatch, decompressed,\n"
	       "as OUTDIR/<module>.ko, and OUTDIR/manifest, the file klp-early reads at boot.\n"
	       "The patch is chosen as `klp installed` chooses it (or is PATCH, judged by the same rules);\n"
	       "every installed file that is not used is named on stderr with the reason.\n"
	       "  --skip-if-same MANIFEST  write nothing when MANIFEST already names this very patch\n"
	       "  --guard MODE    the crash-loop guard (klp-early(8)): with the patch, the flag OUTDIR/guard\n"
	       "                  and the kernel's efivarfs.ko when MODE is yes, or auto and ROOT enables\n"
	       "                  klp-boot-ok.service; says \"guard: on|off (why)\"\n"
	       "Exit status: 0 written, 1 error, 2 usage, 3 no usable patch, 4 the pinned patch is not\n"
	       "usable, 5 same as MANIFEST.\n");
	return KLP_EXIT_OK;
}

static int parse(int argc, char **argv, struct payload_opts *o)
{
	static const struct option opts[] = {
		{ "kver", required_argument, NULL, 'k' },   { "root", required_argument, NULL, 'r' },
		{ "moddir", required_argument, NULL, 'd' }, { "conf", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },   { "skip-if-same", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ "guard", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	klp_sel_init(&o->sel);
	while ((c = getopt_long(argc, argv, ":k:r:d:c:f:s:g:qh", opts, NULL)) != -1) {
		if (klp_sel_opt(&o->sel, c, optarg))
			continue;
		switch (c) {
		case 'd': o->moddir = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'f': o->file = optarg; break;
		case 's': o->same = optarg; break;
		case 'g': o->guard = optarg; break;
		case 'q': o->quiet = true; break;
		case 'h': return usage() + 1;
		default: klp_bad_option(argv, c, optopt); return -1;
		}
	}
	if (optind + 1 != argc) {
		klp_err("payload: %s", optind < argc ? "more than one OUTDIR" : "OUTDIR missing");
		return -1;
	}
	o->outdir = argv[optind];
	if (klp_sel_check(&o->sel, "payload") < 0)
		return -1;
	o->root = o->sel.sys.root;
	if (o->sel.kver)
		snprintf(o->kver, sizeof(o->kver), "%s", o->sel.kver);
	return 0;
}

/* The file to embed: --file, or the one chosen among the installed ones (refused ones named). */
static int choose(const struct payload_opts *o, char **path, char *top, size_t toplen)
{
	char conf[PATH_MAX], dir[PATH_MAX], err[256] = "";
	struct klp_candidates cands;
	struct klp_conf cf;
	int r, sel;
	size_t i;

	if (o->file) {
		/* only the file's own folder is checked: it can be anywhere */
		char *slash;
		snprintf(top, toplen, "%s", o->file);
		slash = strrchr(top, '/');
		if (slash && slash != top)
			*slash = '\0';
		return (*path = strdup(o->file)) ? 0 : -ENOMEM;
	}
	snprintf(conf, sizeof(conf), "%s%s", o->root, KLP_CONF);
	r = klp_conf_load(o->conf ? o->conf : conf, &cf, err, sizeof(err));
	if (r < 0) {
		klp_err("%s: %s", o->conf ? o->conf : conf, err[0] ? err : strerror(-r));
		return -EIO;
	}
	r = klp_livepatch_dir(o->root, o->moddir, o->kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, o->kver, &cands);
	if (r < 0) {
		klp_err("livepatch folder of %s: %s", o->kver, strerror(-r));
		klp_conf_free(&cf);
		return -EIO;
	}
	sel = klp_candidates_select(&cands, klp_conf_pin(&cf, o->kver));
	for (i = 0; i < cands.n; i++)
		if (cands.v[i].problem)
			klp_err("%s: skipped: %s", cands.v[i].path, cands.v[i].problem);
	if (sel == -ESRCH)
		klp_err("%s pins %s for %s, but no usable module of that name is installed",
			o->conf ? o->conf : conf, klp_conf_pin(&cf, o->kver), o->kver);
	else if (sel < 0 && !o->quiet)
		klp_err("no usable livepatch installed for %s", o->kver);
	r = sel == -ESRCH ? -ESRCH : sel < 0 ? -ENOENT : 0;
	if (r == 0 && !(*path = strdup(cands.v[sel].path)))
		r = -ENOMEM;
	if (o->moddir)
		snprintf(top, toplen, "%s", o->moddir);
	else
		snprintf(top, toplen, "%s/lib/modules", o->root);
	klp_candidates_free(&cands);
	klp_conf_free(&cf);
	return r;
}

/* MANIFEST (--skip-if-same) names this very patch: module, kernel and sha256, read by the core's parser. */
static bool same_as(const char *path, const struct klp_manifest *m)
{
	struct klp_manifest old;
	char *text = NULL, err[160];
	size_t len = 0;
	bool same;

	if (klp_read_text(path, KLP_MANIFEST_MAX, &text, &len) < 0)
		return false;
	same = klp_manifest_parse(text, len, &old, err, sizeof(err)) == 0 && !strcmp(old.module, m->module) &&
	       !strcmp(old.kernel, m->kernel) && !strcmp(old.sha256, m->sha256);
	free(text);
	return same;
}

/* What MANIFEST names, for the message of a stale initrd. */
static const char *old_module(const char *path)
{
	static struct klp_manifest old;
	char *text = NULL, err[160];
	size_t len = 0;
	int r = klp_read_text(path, KLP_MANIFEST_MAX, &text, &len);

	if (r == 0)
		r = klp_manifest_parse(text, len, &old, err, sizeof(err));
	free(text);
	return r == 0 ? old.module : "an unreadable manifest";
}

/* --guard: the guard's flag and efivarfs.ko beside the patch, and one line that says whether it is on. */
static int guard(const struct payload_opts *o, const struct klp_manifest *m)
{
	char moddir[PATH_MAX], why[256], note[PATH_MAX + 128];
	struct klp_guard_req g = { .mode = o->guard, .root = o->root, .kver = o->kver, .outdir = o->outdir };
	int r;

	if (o->moddir)
		snprintf(moddir, sizeof(moddir), "%s", o->moddir);
	else
		snprintf(moddir, sizeof(moddir), "%s/lib/modules/%s", o->root, o->kver);
	g.moddir = moddir;
	r = klp_guard_embed(&g, why, sizeof(why), note, sizeof(note));
	if (r < 0) {
		klp_err("payload: crash-loop guard: %s", why);
		klp_payload_drop(o->outdir, m);
		return KLP_EXIT_ERROR;
	}
	if (note[0])
		klp_err("%s", note);
	printf("guard: %s (%s)\n", r ? "on" : "off", why);
	return KLP_EXIT_OK;
}

static int cmd_payload(int argc, char **argv)
{
	struct payload_opts o = { .root = "" };
	struct klp_payload_req q;
	struct klp_manifest m;
	char top[PATH_MAX], err[512] = "", *path = NULL;
	int r;

	r = parse(argc, argv, &o);
	if (r != 0)
		return r > 0 ? KLP_EXIT_OK : KLP_EXIT_USAGE;
	if (!o.kver[0] && (r = klp_kernel_release(o.kver, sizeof(o.kver))) < 0) {
		klp_err("uname: %s", strerror(-r));
		return KLP_EXIT_ERROR;
	}
	r = choose(&o, &path, top, sizeof(top));
	if (r < 0)
		return r == -ESRCH ? PAYLOAD_PIN : r == -ENOENT ? PAYLOAD_NONE : KLP_EXIT_ERROR;
	q = (struct klp_payload_req){ .path = path, .top = top, .root = o.root, .kver = o.kver, .outdir = o.outdir };
	r = klp_payload_write(&q, &m, err, sizeof(err));
	if (r < 0) {
		klp_err("payload: %s", err);
		r = KLP_EXIT_ERROR;
	} else if (o.same && same_as(o.same, &m)) {
		klp_payload_drop(o.outdir, &m);
		r = PAYLOAD_SAME;
	} else {
		printf("kernel: %s\npatch: %s\nfile: %s\nsrcversion: %s\nsha256: %s\nsize: %llu\n", m.kernel,
		       m.module, path, m.srcversion, m.sha256, (unsigned long long)m.size);
		if (o.same)
			printf("replaces: %s\n", old_module(o.same));
		r = o.guard ? guard(&o, &m) : KLP_EXIT_OK;
	}
	free(path);
	return r;
}

const struct klp_cmd klp_cmd_payload = { "payload", cmd_payload, "write a kernel's patch and manifest for its initrd" };
