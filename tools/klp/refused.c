// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The installed patches of one kernel as klp judges them, and the ones it
 * refuses, for the reporting commands (klp status, klp patches, klp initrd).
 * The judging is patch.c's (klp_candidates_scan, klp_candidates_select):
 * this file only collects its verdicts and says them in words. A usable
 * patch that a newer cumulative one replaces is not refused, and not named.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "klp.h"
#include "json.h"
#include "patch.h"

int klp_judged_load(const char *root, const char *kver, struct klp_judged *j, char *err, size_t errlen)
{
	char conf[4096], dir[4096], cerr[200] = "";
	struct klp_conf cf;
	const char *pin;
	int r;

	memset(j, 0, sizeof(*j));
	j->sel = -ENOENT;
	snprintf(conf, sizeof(conf), "%s%s", root, KLP_CONF);
	r = klp_conf_load(conf, &cf, cerr, sizeof(cerr));
	if (r < 0)
		snprintf(j->conf_err, sizeof(j->conf_err), "%.200s: %.200s (its pins are not applied here)", conf,
			 cerr[0] ? cerr : strerror(-r));
	r = klp_livepatch_dir(root, NULL, kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, kver, &j->c);
	if (r < 0) {
		snprintf(err, errlen, "%.200s: %s", dir, strerror(-r));
		klp_conf_free(&cf);
		return r;
	}
	pin = klp_conf_pin(&cf, kver);
	j->sel = klp_candidates_select(&j->c, pin);
	if (j->sel == -ESRCH)
		snprintf(j->note, sizeof(j->note),
			 "%.150s pins %.64s for %.40s, but no usable module of that name is installed", conf, pin, kver);
	klp_conf_free(&cf);
	return 0;
}

void klp_judged_free(struct klp_judged *j)
{
	klp_candidates_free(&j->c);
}

void klp_refused_print(FILE *f, const char *prefix, const struct klp_judged *j)
{
	size_t i;

	for (i = 0; i < j->c.n; i++)
		if (j->c.v[i].problem)
			fprintf(f, "%sinstalled patch %s is not used: %s\n", prefix, j->c.v[i].path,
				j->c.v[i].problem);
	if (j->note[0])
		fprintf(f, "%s%s\n", prefix, j->note);
}

void klp_refused_json(struct klp_json *w, const struct klp_judged *j)
{
	size_t i;

	if (!j) {
		klp_json_null(w);
		return;
	}
	klp_json_array_begin(w);
	for (i = 0; i < j->c.n; i++) {
		if (!j->c.v[i].problem)
			continue;
		klp_json_object_begin(w);
		klp_json_kv_string(w, "file", j->c.v[i].path);
		klp_json_kv_string(w, "reason", j->c.v[i].problem);
		klp_json_object_end(w);
	}
	klp_json_array_end(w);
}
