// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /usr/share/livepatch/info/<modname>-<srcversion>: the CVEs and bug
 * references a livepatch fixes (format in kmod/README.md). Lines of
 * "<key>:<value>", the value a list of words separated by spaces or tabs;
 * blank lines and '#' comments skipped, unknown keys and lines without ':'
 * ignored, a repeated key's lists concatenated, lines over 4096 bytes
 * rejected. Pure, but for klp_info_load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "util.h"
#include "patch.h"

#define LINE_MAX_BYTES 4096

static int push(char ***v, size_t *n, const char *w, size_t len)
{
	char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strndup(w, len);
	if (!p[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int push_words(char ***v, size_t *n, const char *p, const char *end)
{
	while (p < end) {
		const char *w;
		int r;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		w = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (p > w && (r = push(v, n, w, (size_t)(p - w))) < 0)
			return r;
	}
	return 0;
}

static bool key_is(const char *k, size_t kn, const char *want)
{
	return strlen(want) == kn && !memcmp(k, want, kn);
}

int klp_info_parse(const char *buf, size_t len, struct klp_info *out, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "contains a NUL byte");
		return -EINVAL;
	}
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *ls = p, *s = p, *colon;

		line++;
		p = nl ? nl + 1 : end;
		if (eol - ls > LINE_MAX_BYTES) {
			snprintf(err, errlen, "line %u is longer than %d bytes", line, LINE_MAX_BYTES);
			r = -EINVAL;
			break;
		}
		while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++;
		if (s == eol || *s == '#')
			continue;
		colon = memchr(ls, ':', (size_t)(eol - ls));
		if (!colon)
			continue; /* not a key line: skipped */
		/* the key is everything before the first ':', matched exactly */
		if (key_is(ls, (size_t)(colon - ls), "CVE"))
			r = push_words(&out->cve, &out->ncve, colon + 1, eol);
		else if (key_is(ls, (size_t)(colon - ls), "bug fixes and enhancements"))
			r = push_words(&out->bugs, &out->nbugs, colon + 1, eol);
		if (r < 0)
			snprintf(err, errlen, "%s", strerror(-r));
	}
	if (r < 0)
		klp_info_free(out);
	return r;
}

int klp_info_load(const char *path, struct klp_info *out, char *err, size_t errlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	r = klp_read_text(path, 1 << 20, &buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	return klp_info_parse(buf, len, out, err, errlen);
}

int klp_info_path(const char *name, const char *srcversion, char *out, size_t len)
{
	int n;

	if (!name || !srcversion || !name[0] || !srcversion[0] || strchr(name, '/') || strchr(srcversion, '/') ||
	    name[0] == '.')
		return -EINVAL;
	n = snprintf(out, len, KLP_INFO_DIR "/%s-%s", name, srcversion);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void klp_info_free(struct klp_info *info)
{
	size_t i;

	if (!info)
		return;
	for (i = 0; i < info->ncve; i++)
		free(info->cve[i]);
	for (i = 0; i < info->nbugs; i++)
		free(info->bugs[i]);
	free(info->cve);
	free(info->bugs);
	memset(info, 0, sizeof(*info));
}
