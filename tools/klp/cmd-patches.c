// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp patches: the loaded livepatches, one name a line. -v in SUSE's shape
 * (name, then indented active:, RPM:, CVE:, bug fixes and enhancements:)
 * plus srcversion:, file:, replace:, transition:. The info file is found by
 * the loaded module's srcversion; the file by the installed patches of the
 * running kernel, the one klp-early loaded when /run/klp/early.status says
 * so; its package is asked of rpm, then dpkg. After the list, the installed
 * patches klp refuses, with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "json.h"
#include "kernel.h"
#include "patch.h"
#include "status.h"

static const char usage[] =
	"Usage: klp [-v] [--json] patches\n"
	"Print the loaded livepatches, one name a line.\n"
	"  -v, --verbose  per patch: active (enabled), RPM (the package owning the module\n"
	"                 file, asked of rpm or dpkg), CVE and bug fixes and enhancements\n"
	"                 (from " KLP_INFO_DIR "/<name>-<srcversion>), srcversion,\n"
	"                 file, replace (cumulative), transition; after the list, a\n"
	"                 \"warning: ...\" line for each installed patch of the running\n"
	"                 kernel that klp refuses, with the reason, and for a pin in\n"
	"                 " KLP_CONF " that names no usable module\n"
	"  --json         all of that as one JSON object (keys: README.md, \"klp --json\")\n"
	"Exit status: 0 (also when none is loaded), 1 error, 2 usage.\n";

/* What klp knows about one loaded patch beyond sysfs. */
struct detail {
	const struct klp_candidate *file; /* installed file, or NULL */
	bool file_matches;                /* same srcversion as the loaded module */
	const struct klp_early_record *early;    /* the boot record that loaded it */
	struct klp_owner owner;
	bool owned;
	char info_path[512];
	int info_r; /* 0, -ENOENT none, other: unreadable */
	char info_err[160];
	struct klp_info info;
};

/* The running kernel's installed patches, judged, and the active one. */
struct installed {
	struct klp_judged j;
	bool ok; /* j was read */
	char kver[256];
};

static void installed_scan(struct installed *in)
{
	char err[512];

	memset(in, 0, sizeof(*in));
	in->j.sel = -ENOENT;
	if (klp_kernel_release(in->kver, sizeof(in->kver)) < 0)
		return;
	if (klp_judged_load("", in->kver, &in->j, err, sizeof(err)) < 0) {
		klp_err("patches: %s", err);
		return;
	}
	if (in->j.conf_err[0])
		klp_err("%s", in->j.conf_err);
	in->ok = true;
}

static bool same_build(const struct klp_candidate *c, const struct klp_live *p)
{
	return c->srcversion && p->srcversion && !strcmp(c->srcversion, p->srcversion);
}

/*
 * The installed file a loaded patch came from: the active one when klp-early
 * loaded it (the initrd embeds a copy of it), else a file of the same module
 * name, preferring the same build.
 */
static const struct klp_candidate *find_file(const struct installed *in, const struct klp_live *p,
					     const struct klp_early_record *e)
{
	const struct klp_candidates *cs = &in->j.c;
	const struct klp_candidate *any = NULL;
	int sel = in->j.sel;
	size_t i;

	if (e && sel >= 0 && cs->v[sel].name && !strcmp(cs->v[sel].name, p->name) &&
	    (!p->srcversion || same_build(&cs->v[sel], p)))
		return &cs->v[sel];
	for (i = cs->n; i-- > 0;) {
		const struct klp_candidate *c = &cs->v[i];

		if (!c->name || strcmp(c->name, p->name))
			continue;
		if (same_build(c, p))
			return c;
		if (!any)
			any = c;
	}
	return any;
}

static void detail_get(struct detail *d, const struct installed *in, const struct klp_live *p,
		       const struct klp_early_record *recs, size_t nrecs)
{
	memset(d, 0, sizeof(*d));
	d->early = klp_early_find(recs, nrecs, p->name);
	d->file = find_file(in, p, d->early);
	d->file_matches = d->file && (!p->srcversion || same_build(d->file, p));
	if (d->file)
		d->owned = klp_owner_query(d->file->path, &d->owner) == 0;
	d->info_r = -ENOENT;
	if (klp_info_path(p->name, p->srcversion, d->info_path, sizeof(d->info_path)) == 0)
		d->info_r = klp_info_load(d->info_path, &d->info, d->info_err, sizeof(d->info_err));
	else
		d->info_path[0] = '\0';
}

static void detail_free(struct detail *d)
{
	klp_owner_clear(&d->owner);
	klp_info_free(&d->info);
}

static const char *yes_no(int v)
{
	return v == 1 ? "yes" : v == 0 ? "no" : "unknown";
}

static void print_list(const char *label, const struct detail *d, char *const *v, size_t n)
{
	printf("    %s: ", label);
	if (d->info_r == -ENOENT)
		printf("(no info file)");
	else if (d->info_r < 0)
		printf("(unreadable info file %s: %s)", d->info_path, d->info_err);
	else
		klp_print_words(stdout, v, n, "(none)");
	printf("\n");
}

static void print_verbose(const struct klp_live *p, const struct detail *d, const char *kver)
{
	printf("%s\n", p->name);
	/* SUSE's klp prints the sysfs value: "active: 1" */
	printf("    active: %s\n", p->enabled == 1 ? "1" : p->enabled == 0 ? "0" : "unknown");
	printf("    RPM: %s\n", d->owned ? d->owner.package : "none");
	print_list("CVE", d, d->info.cve, d->info.ncve);
	print_list("bug fixes and enhancements", d, d->info.bugs, d->info.nbugs);
	printf("    srcversion: %s\n", p->srcversion ? p->srcversion : "unknown");
	if (!d->file)
		printf("    file: unknown (no installed file of this module for %s)\n", kver);
	else if (!d->file_matches)
		printf("    file: %s (a different build: srcversion %s)\n", d->file->path,
		       d->file->srcversion ? d->file->srcversion : "unknown");
	else if (d->early && klp_early_in_initrd(d->early))
		printf("    file: %s (loaded from the initrd's copy)\n", d->file->path);
	else if (d->early && !strcmp(d->early->mode, "fallback"))
		printf("    file: %s (loaded by the stale-initrd fallback)\n", d->file->path);
	else
		printf("    file: %s\n", d->file->path);
	printf("    replace: %s\n", p->replace == 1 ? "yes (cumulative)" : p->replace == 0 ? "no" : "unknown");
	printf("    transition: %s\n", yes_no(p->transition));
}

static void json_tristate(struct klp_json *j, const char *key, int v)
{
	klp_json_key(j, key);
	if (v < 0)
		klp_json_null(j);
	else
		klp_json_bool(j, v == 1);
}

static void print_json_one(struct klp_json *j, const struct klp_live *p, const struct detail *d)
{
	bool info = d->info_r == 0;

	klp_json_object_begin(j);
	klp_json_kv_string(j, "name", p->name);
	json_tristate(j, "active", p->enabled);
	klp_json_kv_string(j, "package", d->owned ? d->owner.package : NULL);
	klp_json_kv_string(j, "package_manager", d->owned ? d->owner.manager : NULL);
	klp_json_kv_string(j, "info_file", info ? d->info_path : NULL);
	if (info) {
		klp_json_kv_words(j, "cve", d->info.cve, d->info.ncve);
		klp_json_kv_words(j, "bugs", d->info.bugs, d->info.nbugs);
	} else {
		klp_json_kv_string(j, "cve", NULL);
		klp_json_kv_string(j, "bugs", NULL);
	}
	klp_json_kv_string(j, "srcversion", p->srcversion);
	klp_json_kv_string(j, "file", d->file ? d->file->path : NULL);
	klp_json_key(j, "file_matches");
	if (d->file)
		klp_json_bool(j, d->file_matches);
	else
		klp_json_null(j);
	json_tristate(j, "replace", p->replace);
	json_tristate(j, "transition", p->transition);
	klp_json_kv_string(j, "taint", p->taint);
	klp_json_object_end(j);
}

static int cmd_patches(int argc, char **argv)
{
	static const char *const files[] = { KLP_STATUS_INITRD, KLP_STATUS };
	struct klp_early_record recs[2];
	struct klp_report_opts o;
	struct installed in;
	struct klp_live_list lives;
	struct klp_json j;
	size_t i, nrecs = 0;
	int r;

	r = klp_report_begin(argc, argv, usage, &o, &lives);
	if (r >= 0)
		return r;
	if (!o.verbose && !o.json) {
		for (i = 0; i < lives.n; i++)
			printf("%s\n", lives.v[i].name);
		klp_lives_free(&lives);
		return KLP_EXIT_OK;
	}
	for (i = 0; i < 2; i++)
		if (klp_early_load(files[i], &recs[nrecs], NULL, 0) == 0)
			nrecs++;
	installed_scan(&in);
	if (o.json) {
		klp_json_init(&j, stdout);
		klp_json_object_begin(&j);
		klp_json_kv_int(&j, "format", 1);
		klp_json_key(&j, "patches");
		klp_json_array_begin(&j);
	}
	for (i = 0; i < lives.n; i++) {
		struct detail d;

		detail_get(&d, &in, &lives.v[i], recs, nrecs);
		if (o.json)
			print_json_one(&j, &lives.v[i], &d);
		else
			print_verbose(&lives.v[i], &d, in.kver);
		detail_free(&d);
	}
	if (o.json) {
		klp_json_array_end(&j);
		klp_json_key(&j, "refused");
		klp_refused_json(&j, in.ok ? &in.j : NULL);
		klp_json_kv_string(&j, "installed_note", in.ok && in.j.note[0] ? in.j.note : NULL);
		klp_json_object_end(&j);
	} else if (in.ok) {
		klp_refused_print(stdout, "warning: ", &in.j);
	}
	if (in.ok)
		klp_judged_free(&in.j);
	klp_lives_free(&lives);
	return KLP_EXIT_OK;
}

const struct klp_cmd klp_cmd_patches = { "patches", cmd_patches, "loaded livepatches; -v: RPM/package, CVEs, bug fixes" };
