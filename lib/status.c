// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /run/klp/early.status: what klp-early did and when, read after boot by
 * `klp status -v`. Format 1, key=value lines:
 *   format=1 mode= pid= kernel= patch= result= error= message=
 *   start_boottime= end_boottime= start_monotonic= end_monotonic=
 *   guard= (the crash-loop guard's word on this boot, when it had one)
 * Times are seconds with 6 decimals since boot (CLOCK_BOOTTIME) and on
 * CLOCK_MONOTONIC. Values never contain a newline.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "klp-core.h"

static const char *const result_names[] = {
	[KLP_APPLIED] = "applied",	   [KLP_ALREADY_LOADED] = "already-loaded",
	[KLP_DISABLED] = "disabled",	   [KLP_NO_MANIFEST] = "no-manifest",
	[KLP_REFUSED] = "refused",	   [KLP_FAILED] = "failed",
	[KLP_TIMEOUT] = "timeout",	   [KLP_UNSUPPORTED] = "unsupported",
	[KLP_SKIPPED] = "skipped",
};

const char *klp_result_name(enum klp_result r)
{
	if ((unsigned)r < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[r];
	return "unknown";
}

int klp_result_exit_code(enum klp_result r)
{
	switch (r) {
	case KLP_APPLIED:
	case KLP_ALREADY_LOADED:
		return 0;
	case KLP_DISABLED:
	case KLP_NO_MANIFEST:
		return 3;
	case KLP_TIMEOUT:
		return 4;
	case KLP_UNSUPPORTED:
		return 5;
	case KLP_SKIPPED:
		return 6;
	case KLP_REFUSED:
	case KLP_FAILED:
	default:
		return 1;
	}
}

void klp_fmt_seconds(uint64_t ns, char out[24])
{
	snprintf(out, 24, "%llu.%06llu", (unsigned long long)(ns / 1000000000u),
		 (unsigned long long)(ns % 1000000000u / 1000u));
}

struct out {
	char *p;
	size_t len, used;
	int err;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->err = -ENOSPC;
	else
		o->used += (size_t)n;
}

/* A value on one line: newlines and other control bytes become spaces. */
static void put_value(struct out *o, const char *key, const char *v)
{
	put(o, "%s=", key);
	for (; v && *v && !o->err; v++)
		put(o, "%c", ((unsigned char)*v < ' ' || *v == 0x7f) ? ' ' : *v);
	put(o, "\n");
}

int klp_status_format(const struct klp_status *st, char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };
	char t[4][24];

	if (len == 0)
		return -ENOSPC;
	klp_fmt_seconds(st->start_boot_ns, t[0]);
	klp_fmt_seconds(st->end_boot_ns, t[1]);
	klp_fmt_seconds(st->start_mono_ns, t[2]);
	klp_fmt_seconds(st->end_mono_ns, t[3]);
	put(&o, "format=1\n");
	put_value(&o, "mode", st->mode);
	put(&o, "pid=%ld\n", st->pid);
	put_value(&o, "kernel", st->kernel);
	put_value(&o, "patch", st->patch);
	put(&o, "result=%s\n", klp_result_name(st->result));
	put(&o, "error=%s\n", st->error ? klp_errno_name(st->error) : "");
	put_value(&o, "message", st->message);
	put(&o, "start_boottime=%s\nend_boottime=%s\n", t[0], t[1]);
	put(&o, "start_monotonic=%s\nend_monotonic=%s\n", t[2], t[3]);
	if (st->guard)
		put_value(&o, "guard", st->guard);
	return o.err ? o.err : (int)o.used;
}
