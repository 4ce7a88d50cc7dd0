// SPDX-License-Identifier: GPL-2.0-or-later
/* klp installed: the active cumulative livepatch installed for a kernel. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "kernel.h"
#include "patch.h"
#include "boot.h"

static void print_field(const struct klp_candidate *c, const char *kver, const char *field)
{
	const char *v = NULL;

	if (!strcmp(field, "name"))
		v = c->name;
	else if (!strcmp(field, "file"))
		v = c->path;
	else if (!strcmp(field, "srcversion"))
		v = c->srcversion;
	else if (!strcmp(field, "vermagic"))
		v = c->vermagic;
	else if (!strcmp(field, "kernel"))
		v = kver;
	printf("%s\n", v ? v : "");
}

static bool field_valid(const char *f)
{
	return !strcmp(f, "name") || !strcmp(f, "file") || !strcmp(f, "srcversion") ||
	       !strcmp(f, "vermagic") || !strcmp(f, "kernel");
}

/* The skipped files, then the chosen one (or its field); 0, 3 none usable, 4 the pin is not usable. */
static int installed_print(const struct klp_candidates *cands, int sel, const char *kver, const char *field,
			   bool quiet)
{
	const struct klp_candidate *c;
	size_t i;

	for (i = 0; i < cands->n; i++)
		if (cands->v[i].problem && !quiet)
			klp_err("%s: skipped: %s", cands->v[i].path, cands->v[i].problem);
	if (sel == -ESRCH)
		return 4;
	if (sel < 0) {
		if (!quiet)
			klp_err("no usable livepatch installed for %s", kver);
		return 3;
	}
	c = &cands->v[sel];
	if (field)
		print_field(c, kver, field);
	else
		printf("kernel: %s\npatch: %s\nfile: %s\nsrcversion: %s\n", kver, c->name, c->path,
		       c->srcversion ? c->srcversion : "");
	return KLP_EXIT_OK;
}

static int cmd_installed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kver", required_argument, NULL, 'k' },  { "root", required_argument, NULL, 'r' },
		{ "field", required_argument, NULL, 'F' }, { "conf", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ "moddir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root, *field = NULL, *conf = NULL, *moddir = NULL, *pin;
	char kver[256] = "", err[256] = "", confpath[4096], dir[4096];
	struct klp_candidates cands;
	struct klp_sel sel; /* --kver, --root */
	struct klp_conf cf;
	bool quiet = false;
	int o, r;

	klp_sel_init(&sel);
	while ((o = getopt_long(argc, argv, "k:r:F:c:d:qh", opts, NULL)) != -1) {
		if (klp_sel_opt(&sel, o, optarg))
			continue;
		switch (o) {
		case 'd': moddir = optarg; break;
		case 'F': field = optarg; break;
		case 'c': conf = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			printf("Usage: klp installed [--kver K] [--root DIR] [--moddir DIR] [--conf FILE] [--field F] [--quiet]\n"
			       "Print the active cumulative livepatch installed for kernel K (default: running).\n"
			       "Patches are looked for in ROOT/lib/modules/K/livepatch, or MODDIR/livepatch.\n"
			       "F is one of name, file, srcversion, vermagic, kernel.\n");
			return KLP_EXIT_OK;
		default:
			return KLP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		klp_err("installed: unexpected argument '%s'", argv[optind]);
		return KLP_EXIT_USAGE;
	}
	if (klp_sel_check(&sel, "installed") < 0)
		return KLP_EXIT_USAGE;
	root = sel.sys.root;
	if (sel.kver)
		snprintf(kver, sizeof(kver), "%s", sel.kver);
	if (field && !field_valid(field)) {
		klp_err("installed: unknown field '%s' (name, file, srcversion, vermagic, kernel)", field);
		return KLP_EXIT_USAGE;
	}
	if (!kver[0] && (r = klp_kernel_release(kver, sizeof(kver))) < 0) {
		klp_err("uname: %s", strerror(-r));
		return KLP_EXIT_ERROR;
	}
	if (!conf) {
		snprintf(confpath, sizeof(confpath), "%s%s", root, KLP_CONF);
		conf = confpath;
	}
	r = klp_conf_load(conf, &cf, err, sizeof(err));
	if (r < 0) {
		klp_err("%s: %s", conf, err[0] ? err : strerror(-r));
		return KLP_EXIT_ERROR;
	}
	r = klp_livepatch_dir(root, moddir, kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, kver, &cands);
	if (r < 0) {
		klp_err("livepatch folder of %s: %s", kver, strerror(-r));
		klp_conf_free(&cf);
		return KLP_EXIT_ERROR;
	}
	pin = klp_conf_pin(&cf, kver);
	r = installed_print(&cands, klp_candidates_select(&cands, pin), kver, field, quiet);
	if (r == 4)
		klp_err("%s pins %s for %s, but no usable module of that name is installed", conf,
			pin, kver);
	klp_candidates_free(&cands);
	klp_conf_free(&cf);
	return r;
}

const struct klp_cmd klp_cmd_installed = { "installed", cmd_installed, "the active cumulative livepatch installed for a kernel" };
