// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which package owns a file: asks `rpm -qf`, then `dpkg -S`, whichever
 * knows it (a Debian system may have rpm installed, with an empty
 * database). Each runs without a shell and with a hard timeout; a missing
 * or hanging package manager means "no owner known", never a hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "patch.h"
#include "util.h"

#define OWNER_TIMEOUT_MS 10000u

/* Appends "a, b" style; returns -ENOMEM on failure. */
static int append(char **acc, const char *w, size_t n)
{
	size_t old = *acc ? strlen(*acc) : 0;
	char *p = realloc(*acc, old + (old ? 2 : 0) + n + 1);

	if (!p)
		return -ENOMEM;
	if (old)
		memcpy(p + old, ", ", 2), old += 2;
	memcpy(p + old, w, n);
	p[old + n] = '\0';
	*acc = p;
	return 0;
}

int klp_owner_parse_rpm(const char *out, char **pkg)
{
	const char *p = out;

	*pkg = NULL;
	while (*p) {
		const char *eol = strchrnul(p, '\n'), *q;

		for (q = p; q < eol && *q != ' ' && *q != '\t'; q++)
			;
		/* a package is one word; "file X is not owned by any package" is not */
		if (eol > p && q == eol && append(pkg, p, (size_t)(eol - p)) < 0)
			return -ENOMEM;
		p = *eol ? eol + 1 : eol;
	}
	return *pkg ? 0 : -ENOENT;
}

int klp_owner_parse_dpkg(const char *out, const char *path, char **pkg)
{
	size_t plen = strlen(path);
	const char *p = out;

	*pkg = NULL;
	while (*p) {
		const char *eol = strchrnul(p, '\n');
		size_t n = (size_t)(eol - p);

		/* "pkg[:arch][, pkg2]: /path"; diversions are "diversion by X from: /path" */
		if (n > plen + 2 && !memcmp(eol - plen, path, plen) && !memcmp(eol - plen - 2, ": ", 2) &&
		    strncmp(p, "diversion by ", 13) && append(pkg, p, n - plen - 2) < 0)
			return -ENOMEM;
		p = *eol ? eol + 1 : eol;
	}
	return *pkg ? 0 : -ENOENT;
}

int klp_owner_query(const char *path, struct klp_owner *o)
{
	const char *rpm[] = { "rpm", "-qf", "--", path, NULL };
	const char *dpkg[] = { "dpkg", "-S", "--", path, NULL };
	char *out = NULL;
	int r;

	o->package = NULL;
	o->manager = NULL;
	r = klp_spawn(rpm, -1, -1, &out, OWNER_TIMEOUT_MS, false);
	if (r == 0 && klp_owner_parse_rpm(out, &o->package) == 0) {
		o->manager = "rpm";
		free(out);
		return 0;
	}
	free(out);
	out = NULL;
	r = klp_spawn(dpkg, -1, -1, &out, OWNER_TIMEOUT_MS, false);
	if (r == 0 && klp_owner_parse_dpkg(out, path, &o->package) == 0) {
		o->manager = "dpkg";
		free(out);
		return 0;
	}
	free(out);
	return -ENOENT;
}

void klp_owner_clear(struct klp_owner *o)
{
	if (!o)
		return;
	free(o->package);
	o->package = NULL;
	o->manager = NULL;
}
