// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The manifest names the one patch an initrd carries. Format 1, text:
 *
 *   # comment
 *   format=1
 *   kernel=6.1.0-56-amd64
 *   module=klp_demo_v1
 *   file=klp_demo_v1.ko
 *   size=123456
 *   sha256=<64 hex digits>
 *   srcversion=<modinfo srcversion>     (optional: absent when the module has none)
 *   source=/lib/modules/.../x.ko.xz     (informational, ignored by the parser)
 *
 * One key=value per line, no spaces around '='. "format" comes first. Unknown
 * keys are ignored so a later writer can add information; everything else is
 * strict, since the file decides what goes into the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "klp-core.h"

#define SIZE_MAX_ACCEPTED (1ull << 30)

enum { HAVE_FORMAT = 1, HAVE_KERNEL = 2, HAVE_MODULE = 4, HAVE_FILE = 8, HAVE_SIZE = 16,
       HAVE_SHA = 32, HAVE_SRCVERSION = 64 };
#define HAVE_REQUIRED (HAVE_FORMAT | HAVE_KERNEL | HAVE_MODULE | HAVE_FILE | HAVE_SIZE | HAVE_SHA)

struct line {
	const char *key, *val;
	size_t klen, vlen;
	unsigned no;
};

static int fail(char *err, size_t errlen, unsigned no, const char *what, const char *key)
{
	if (no)
		snprintf(err, errlen, "line %u: %s%s%s", no, what, key ? " " : "", key ? key : "");
	else
		snprintf(err, errlen, "%s%s%s", what, key ? " " : "", key ? key : "");
	return -EINVAL;
}

bool klp_module_name_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0 && n < KLP_NAME_MAX;
}

static bool graph_only(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return false;
	return n > 0;
}

static bool file_name_valid(const char *v)
{
	return strchr(v, '/') == NULL && strcmp(v, ".") != 0 && strcmp(v, "..") != 0;
}

static int parse_u64(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && v[0] == '0'))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

static bool copy_value(char *dst, size_t dstlen, const struct line *l)
{
	if (l->vlen >= dstlen || !graph_only(l->val, l->vlen))
		return false;
	memcpy(dst, l->val, l->vlen);
	dst[l->vlen] = '\0';
	return true;
}

static bool sha_valid(char *s)
{
	size_t i;

	for (i = 0; i < 64; i++) {
		if (s[i] >= 'A' && s[i] <= 'F')
			s[i] = (char)(s[i] - 'A' + 'a');
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[64] == '\0';
}

static bool key_is(const struct line *l, const char *k)
{
	return l->klen == strlen(k) && memcmp(l->key, k, l->klen) == 0;
}

static bool key_valid(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->klen; i++)
		if (!((l->key[i] >= 'a' && l->key[i] <= 'z') || (l->key[i] >= '0' && l->key[i] <= '9') ||
		      l->key[i] == '_' || l->key[i] == '-'))
			return false;
	return l->klen > 0;
}

/* Applies one key=value line; returns the HAVE_ bit it set, or -EINVAL. */
static int apply(struct klp_manifest *m, const struct line *l, char *err, size_t errlen)
{
	if (key_is(l, "format")) {
		uint64_t f;
		if (parse_u64(l->val, l->vlen, &f) < 0)
			return fail(err, errlen, l->no, "bad value for", "format");
		if (f != 1)
			return fail(err, errlen, l->no, "unsupported manifest format (this loader reads format 1)", NULL);
		m->format = 1;
		return HAVE_FORMAT;
	}
	if (key_is(l, "kernel"))
		return copy_value(m->kernel, sizeof(m->kernel), l) ? HAVE_KERNEL
		       : fail(err, errlen, l->no, "bad value for", "kernel");
	if (key_is(l, "module")) {
		if (!copy_value(m->module, sizeof(m->module), l) || !klp_module_name_valid(m->module))
			return fail(err, errlen, l->no, "bad module name", NULL);
		return HAVE_MODULE;
	}
	if (key_is(l, "file")) {
		if (!copy_value(m->file, sizeof(m->file), l) || !file_name_valid(m->file))
			return fail(err, errlen, l->no, "bad file name (a plain name in the manifest's folder)", NULL);
		return HAVE_FILE;
	}
	if (key_is(l, "size")) {
		if (parse_u64(l->val, l->vlen, &m->size) < 0 || m->size == 0 || m->size > SIZE_MAX_ACCEPTED)
			return fail(err, errlen, l->no, "bad value for", "size");
		return HAVE_SIZE;
	}
	if (key_is(l, "sha256")) {
		if (l->vlen != 64 || !copy_value(m->sha256, sizeof(m->sha256), l) || !sha_valid(m->sha256))
			return fail(err, errlen, l->no, "bad value for sha256 (64 hex digits)", NULL);
		return HAVE_SHA;
	}
	if (key_is(l, "srcversion"))
		return copy_value(m->srcversion, sizeof(m->srcversion), l) ? HAVE_SRCVERSION
		       : fail(err, errlen, l->no, "bad value for", "srcversion");
	return 0; /* unknown key: ignored */
}

static int split(const char *s, size_t n, unsigned no, struct line *l, char *err, size_t errlen)
{
	const char *eq = memchr(s, '=', n);

	if (!eq)
		return fail(err, errlen, no, "not a key=value line", NULL);
	l->key = s;
	l->klen = (size_t)(eq - s);
	l->val = eq + 1;
	l->vlen = n - l->klen - 1;
	l->no = no;
	if (!key_valid(l))
		return fail(err, errlen, no, "bad key", NULL);
	return 0;
}

static const char *missing_key(int have)
{
	static const struct { int bit; const char *name; } keys[] = {
		{ HAVE_KERNEL, "kernel" }, { HAVE_MODULE, "module" }, { HAVE_FILE, "file" },
		{ HAVE_SIZE, "size" },     { HAVE_SHA, "sha256" },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!(have & keys[i].bit))
			return keys[i].name;
	return "?";
}

int klp_manifest_parse(const char *buf, size_t len, struct klp_manifest *m, char *err,
		       size_t errlen)
{
	size_t pos = 0;
	unsigned no = 0;
	int have = 0;

	memset(m, 0, sizeof(*m));
	if (len > KLP_MANIFEST_MAX) {
		snprintf(err, errlen, "larger than %d bytes", KLP_MANIFEST_MAX);
		return -E2BIG;
	}
	if (memchr(buf, '\0', len))
		return fail(err, errlen, 0, "binary data (NUL byte) in manifest", NULL);
	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		struct line l = { 0 }; /* split() fills it; zeroed for clang-analyzer, which loses track */
		int r;

		pos += n + (nl ? 1 : 0);
		no++;
		// cppcheck-suppress knownConditionTrueFalse ; n is 0 on an empty line (cppcheck 2.10 misreads the ?:)
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0 || s[0] == '#')
			continue;
		r = split(s, n, no, &l, err, errlen);
		if (r < 0)
			return r;
		if (!(have & HAVE_FORMAT) && !key_is(&l, "format"))
			return fail(err, errlen, no, "the first key must be format", NULL);
		r = apply(m, &l, err, errlen);
		if (r < 0)
			return r;
		if (have & r)
			return fail(err, errlen, no, "duplicate key", NULL);
		have |= r;
	}
	if (!have)
		return fail(err, errlen, 0, "empty manifest", NULL), -ENODATA;
	if ((have & HAVE_REQUIRED) != HAVE_REQUIRED)
		return fail(err, errlen, 0, "missing key", missing_key(have));
	return 0;
}

bool klp_line_safe(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < ' ' || *v == 0x7f)
			return false;
	return true;
}

int klp_manifest_format(const struct klp_manifest *m, const char *source, char *buf, size_t len, char *err,
			size_t errlen)
{
	struct klp_manifest back;
	int n;

	if (source && !klp_line_safe(source))
		return fail(err, errlen, 0, "control characters in the source file name", NULL);
	n = snprintf(buf, len,
		     "# klp-initrd manifest, written by klp payload\n"
		     "format=1\nkernel=%s\nmodule=%s\nfile=%s\nsize=%" PRIu64 "\nsha256=%s\n%s%s%s%s%s%s",
		     m->kernel, m->module, m->file, m->size, m->sha256, m->srcversion[0] ? "srcversion=" : "",
		     m->srcversion, m->srcversion[0] ? "\n" : "", source ? "source=" : "", source ? source : "",
		     source ? "\n" : "");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	if (klp_manifest_parse(buf, (size_t)n, &back, err, errlen) < 0)
		return -EINVAL;
	if (!klp_manifest_equal(m, &back))
		return fail(err, errlen, 0, "a value does not read back as written", NULL);
	return n;
}

bool klp_manifest_equal(const struct klp_manifest *a, const struct klp_manifest *b)
{
	return a->format == b->format && a->size == b->size && !strcmp(a->kernel, b->kernel) &&
	       !strcmp(a->module, b->module) && !strcmp(a->file, b->file) && !strcmp(a->sha256, b->sha256) &&
	       !strcmp(a->srcversion, b->srcversion);
}

int klp_manifest_check_kernel(const struct klp_manifest *m, const char *release, char *why, size_t len)
{
	if (strcmp(m->kernel, release) == 0)
		return 0;
	snprintf(why, len, "manifest is for kernel %s, not %s", m->kernel, release);
	return -EINVAL;
}
