// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdict.c: the patch a kernel should boot with (its installed livepatch,
 * chosen as klp.conf says) against the one its initrd embeds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "patch.h"
#include "initrd.h"
#include "verdict.h"
#include "regen.h"

const char *klp_verdict_name(enum klp_verdict v)
{
	switch (v) {
	case KLP_IN_SYNC: return "in-sync";
	case KLP_STALE: return "stale";
	case KLP_MISSING: return "missing";
	case KLP_NO_PATCH: return "no-patch";
	}
	return "?";
}

enum klp_verdict klp_verdict_judge(const struct klp_installed_patch *inst, bool initrd_exists, int read_r,
				   const struct klp_embedded *emb, const char *kver, char *why, size_t whylen)
{
	char kwhy[300];

	if (!initrd_exists) {
		snprintf(why, whylen, "there is no initrd file");
		return KLP_MISSING;
	}
	if (read_r < 0) {
		snprintf(why, whylen, "the initrd cannot be read: %s", emb->problem[0] ? emb->problem : strerror(-read_r));
		return KLP_STALE;
	}
	if (!inst->present) {
		if (emb->found) {
			snprintf(why, whylen, "the initrd embeds %s, but no usable patch is installed",
				 emb->manifest.module[0] ? emb->manifest.module : "a broken patch");
			return KLP_STALE;
		}
		snprintf(why, whylen, "no patch installed, none embedded");
		return KLP_NO_PATCH;
	}
	if (!emb->found) {
		snprintf(why, whylen, "%s is installed, the initrd embeds no patch", inst->module);
		return KLP_MISSING;
	}
	if (!emb->valid) {
		snprintf(why, whylen, "the embedded patch is broken: %s", emb->problem);
		return KLP_STALE;
	}
	if (!emb->loader) {
		snprintf(why, whylen, "the initrd has a manifest but no loader (" KLP_DIR_IN_IMAGE "/klp-early)");
		return KLP_STALE;
	}
	if (klp_manifest_check_kernel(&emb->manifest, kver, kwhy, sizeof(kwhy)) < 0) {
		/* the loader's own rule: it would refuse the patch on kver */
		snprintf(why, whylen, "the embedded %.200s", kwhy);
		return KLP_STALE;
	}
	if (strcmp(emb->manifest.module, inst->module)) {
		snprintf(why, whylen, "the initrd embeds %s, %s is installed", emb->manifest.module, inst->module);
		return KLP_STALE;
	}
	if (strcmp(emb->sha256, inst->sha256)) {
		snprintf(why, whylen, "the embedded %s (sha256 %.12s) differs from the installed one (sha256 %.12s)",
			 emb->manifest.module, emb->sha256, inst->sha256);
		return KLP_STALE;
	}
	snprintf(why, whylen, "the initrd embeds the installed %s", inst->module);
	return KLP_IN_SYNC;
}

int klp_installed_patch_get(const char *root, const char *kver, struct klp_installed_patch *out, char *err,
			    size_t errlen)
{
	char conf[PATH_MAX], dir[PATH_MAX], cerr[200] = "";
	struct klp_candidates c;
	struct klp_conf cf;
	const char *pin;
	int r, sel;

	memset(out, 0, sizeof(*out));
	snprintf(conf, sizeof(conf), "%s%s", root, KLP_CONF);
	r = klp_conf_load(conf, &cf, cerr, sizeof(cerr));
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", conf, cerr[0] ? cerr : strerror(-r));
		return r;
	}
	r = klp_livepatch_dir(root, NULL, kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, kver, &c);
	if (r < 0) {
		snprintf(err, errlen, "livepatch folder of %s: %s", kver, strerror(-r));
		klp_conf_free(&cf);
		return r;
	}
	pin = klp_conf_pin(&cf, kver);
	sel = klp_candidates_select(&c, pin);
	if (sel == -ESRCH)
		snprintf(out->note, sizeof(out->note), "%.150s pins %.64s for %.40s, but no usable module of that name is installed",
			 conf, pin, kver);
	if (sel >= 0) {
		const struct klp_candidate *p = &c.v[sel];
		out->present = true;
		snprintf(out->module, sizeof(out->module), "%s", p->name ? p->name : "");
		snprintf(out->srcversion, sizeof(out->srcversion), "%s", p->srcversion ? p->srcversion : "");
		snprintf(out->file, sizeof(out->file), "%s", p->path);
		r = klp_initrd_module_sha256(p->path, out->sha256, &out->size, err, errlen);
	}
	klp_candidates_free(&c);
	klp_conf_free(&cf);
	return r < 0 ? r : 0;
}

