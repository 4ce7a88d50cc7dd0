// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /run/klp/early.status (format 1, written by klp-early, see
 * lib/status.c): key=value lines; format, mode, pid, kernel,
 * patch, result, error, message, start_boottime, end_boottime,
 * start_monotonic, end_monotonic, and guard (the crash-loop guard's word,
 * when the patch got that far). Unknown keys are ignored so that later
 * loaders may add some. A stale-initrd fallback run moves the initrd's own
 * record to early.status.initrd and writes its own with mode=fallback.
 * Pure: parsing and the words klp status prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "util.h"
#include "status.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* "12.345678" -> nanoseconds; up to 9 decimals */
static int parse_seconds(const char *v, size_t n, uint64_t *ns)
{
	uint64_t s = 0, frac = 0, scale = 1000000000u;
	size_t i = 0;

	if (n == 0)
		return -EINVAL;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (s > 1000000000u)
			return -ERANGE;
		s = s * 10 + (uint64_t)(v[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	if (i < n) {
		size_t d = 0;

		if (v[i++] != '.' || i == n)
			return -EINVAL;
		for (; i < n; i++, d++) {
			if (v[i] < '0' || v[i] > '9' || d >= 9)
				return -EINVAL;
			scale /= 10;
			frac += (uint64_t)(v[i] - '0') * scale;
		}
	}
	*ns = s * 1000000000u + frac;
	return 0;
}

static int parse_long(const char *v, size_t n, long *out)
{
	long x = 0;
	size_t i = 0;
	bool neg = n > 0 && v[0] == '-';

	if (neg)
		i++;
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || x > 100000000000L)
			return -EINVAL;
		x = x * 10 + (v[i] - '0');
	}
	*out = neg ? -x : x;
	return 0;
}

static int set_string(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -E2BIG;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

#define FIELD(f) { #f, offsetof(struct klp_early_record, f), sizeof(((struct klp_early_record *)0)->f) }
static const struct {
	const char *key;
	size_t off, size;
} strings[] = { FIELD(mode),  FIELD(kernel),  FIELD(patch), FIELD(result),
		FIELD(error), FIELD(message), FIELD(guard) };
#undef FIELD

static int set_key(struct klp_early_record *e, const char *k, size_t kn, const char *v, size_t vn)
{
	size_t i;

#define IS(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strlen(strings[i].key) == kn && !memcmp(k, strings[i].key, kn))
			return set_string((char *)e + strings[i].off, strings[i].size, v, vn);
	if (IS("format")) {
		long f;
		if (parse_long(v, vn, &f) < 0 || f < 0)
			return -EINVAL;
		e->format = (unsigned)f;
		return 0;
	}
	if (IS("pid"))
		return parse_long(v, vn, &e->pid);
	if (IS("start_boottime"))
		return parse_seconds(v, vn, &e->start_boot_ns);
	if (IS("end_boottime"))
		return parse_seconds(v, vn, &e->end_boot_ns);
	if (IS("start_monotonic"))
		return parse_seconds(v, vn, &e->start_mono_ns);
	if (IS("end_monotonic"))
		return parse_seconds(v, vn, &e->end_mono_ns);
#undef IS
	return 0; /* unknown keys are for later writers */
}

int klp_early_parse(const char *buf, size_t len, struct klp_early_record *e, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	bool seen_format = false;

	memset(e, 0, sizeof(*e));
	if (len == 0)
		return fail(err, errlen, "empty");
	if (memchr(buf, '\0', len))
		return fail(err, errlen, "contains a NUL byte");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *eq;
		size_t kn;
		int r;

		line++;
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eol == p) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (!eq || eq == p)
			return fail(err, errlen, "line %u: expected key=value", line);
		kn = (size_t)(eq - p);
		if (kn == 6 && !memcmp(p, "format", 6))
			seen_format = true;
		r = set_key(e, p, kn, eq + 1, (size_t)(eol - eq - 1));
		if (r < 0)
			return fail(err, errlen, "line %u: bad value of '%.*s'%s", line, (int)kn, p,
				    r == -E2BIG ? " (too long)" : "");
		p = nl ? nl + 1 : end;
	}
	if (!seen_format)
		return fail(err, errlen, "no format line");
	if (e->format != 1)
		return fail(err, errlen, "format %u is not understood (this klp reads format 1)", e->format);
	return 0;
}

size_t klp_early_load_boot(struct klp_early_record rec[2], const char *path[2], FILE *errs)
{
	static const char *const files[] = { KLP_STATUS_INITRD, KLP_STATUS };
	size_t i, n = 0;

	for (i = 0; i < 2; i++) {
		char err[160];
		int r = klp_early_load(files[i], &rec[n], err, sizeof(err));

		if (r == -ENOENT)
			continue;
		if (r < 0) {
			if (errs)
				fprintf(errs, "klp: %s: %s\n", files[i], err);
			continue;
		}
		path[n++] = files[i];
	}
	return n;
}

unsigned klp_early_skipped(const struct klp_early_record *rec, size_t n)
{
	unsigned k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += !strcmp(rec[i].result, "skipped");
	return k;
}

int klp_early_load(const char *path, struct klp_early_record *e, char *err, size_t errlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = klp_read_text(path, 1 << 16, &buf, &len);

	if (r < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", strerror(-r));
		return r;
	}
	return klp_early_parse(buf, len, e, err, errlen);
}

bool klp_early_loaded(const struct klp_early_record *e)
{
	return !strcmp(e->result, "applied") || !strcmp(e->result, "already-loaded") ||
	       !strcmp(e->result, "timeout");
}

const struct klp_early_record *klp_early_find(const struct klp_early_record *recs, size_t n, const char *patch)
{
	while (n-- > 0)
		if (!strcmp(recs[n].patch, patch) && klp_early_loaded(&recs[n]))
			return &recs[n];
	return NULL;
}

bool klp_early_in_initrd(const struct klp_early_record *e)
{
	return !strcmp(e->mode, "shim") || !strcmp(e->mode, "hook") || !strcmp(e->mode, "systemd");
}

/* Where the loader ran, as a phrase: "in initrd (shim)". */
static void where(const struct klp_early_record *e, char *buf, size_t len)
{
	if (!strcmp(e->mode, "systemd"))
		snprintf(buf, len, "in initrd (systemd unit)");
	else if (klp_early_in_initrd(e))
		snprintf(buf, len, "in initrd (%s)", e->mode);
	else if (!strcmp(e->mode, "fallback"))
		snprintf(buf, len, "before switch_root by the stale-initrd fallback");
	else
		snprintf(buf, len, "by klp-early (%s)", e->mode[0] ? e->mode : "unknown mode");
}

void klp_early_describe(const struct klp_early_record *e, char *buf, size_t len)
{
	char w[96], t[32];
	const char *udev = klp_early_in_initrd(e) ? ", before udev" : "";

	where(e, w, sizeof(w));
	if (!strcmp(e->result, "timeout")) {
		klp_fmt_centis(e->start_boot_ns, t, sizeof(t));
		snprintf(buf, len, "loaded %s at %s s after boot%s; its transition was still running when klp-early "
			 "stopped waiting", w, t, udev);
	} else if (!strcmp(e->result, "already-loaded")) {
		klp_fmt_centis(e->end_boot_ns, t, sizeof(t));
		snprintf(buf, len, "already loaded when klp-early ran %s at %s s after boot", w, t);
	} else {
		klp_fmt_centis(e->end_boot_ns, t, sizeof(t));
		snprintf(buf, len, "%s %s at %s s after boot%s",
			 klp_early_loaded(e) ? "applied" : e->result, w, t, udev);
	}
}

void klp_early_summary(const struct klp_early_record *e, char *buf, size_t len)
{
	char t[32];

	klp_fmt_centis(e->end_boot_ns, t, sizeof(t));
	if (!strcmp(e->result, "applied") || !strcmp(e->result, "already-loaded"))
		snprintf(buf, len, "%s: %s: %s at %s s after boot", e->mode[0] ? e->mode : "?",
			 e->patch[0] ? e->patch : "-", e->result, t);
	else
		snprintf(buf, len, "%s: %s: %s at %s s after boot: %s", e->mode[0] ? e->mode : "?",
			 e->patch[0] ? e->patch : "-", e->result, t, e->message);
}
