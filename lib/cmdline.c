// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel command line options of klp-early, read from /proc/cmdline:
 *   rd.klp=0|no|off|false   do nothing (the escape hatch)
 *   rd.klp.timeout=SECONDS  how long to wait for the transition (default 10)
 *   rd.klp.debug            one kmsg line per step
 *   rd.klp.guard=N          crash-loop guard: skip a patch after N boots that
 *                           inserted it died before the switch to the root
 *                           with it whole (default 3, 0 = off)
 *   elfcorehdr=             (the kernel's) a kdump capture kernel: no guard count
 * The last occurrence wins, as with dracut's getarg. Quoting follows the
 * kernel: a double-quoted word may hold spaces. No option takes a path.
 */
#include <string.h>

#include "klp-core.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool val_is(const char *v, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(v, lit, n) == 0;
}

/* dracut's getargbool: 0, no, off, false are false; anything else is true. */
static bool bool_value(const char *v, size_t n)
{
	return !(val_is(v, n, "0") || val_is(v, n, "no") || val_is(v, n, "off") ||
		 val_is(v, n, "false"));
}

/* Whole seconds, optionally with up to 3 decimals: "5", "0.5", "2.250". */
static int parse_timeout(const char *v, size_t n, unsigned *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned digits = 0;
	size_t i = 0;

	if (n == 0)
		return -1;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		whole = whole * 10 + (uint64_t)(v[i] - '0');
		if (whole > KLP_TIMEOUT_MAX_MS / 1000)
			return -1;
	}
	if (i == 0)
		return -1;
	if (i < n && v[i] == '.') {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9' && digits < 3; i++, digits++)
			frac = frac * 10 + (uint64_t)(v[i] - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (i != n || whole * 1000 + frac > KLP_TIMEOUT_MAX_MS)
		return -1;
	*ms = (unsigned)(whole * 1000 + frac);
	return 0;
}

/* 0-99 */
static int parse_guard(const char *v, size_t n, unsigned *out)
{
	unsigned g = 0;
	size_t i;

	if (n == 0 || n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		g = g * 10 + (unsigned)(v[i] - '0');
	}
	*out = g;
	return 0;
}

static void apply_word(const char *w, size_t n, struct klp_cmdline *c)
{
	const char *eq, *v;
	size_t klen, vlen;

	/* the kernel also accepts a whole quoted word: "rd.klp=0" */
	if (n >= 2 && w[0] == '"' && w[n - 1] == '"')
		w++, n -= 2;
	eq = memchr(w, '=', n);
	klen = eq ? (size_t)(eq - w) : n;
	v = eq ? eq + 1 : NULL;
	vlen = eq ? n - klen - 1 : 0;

	if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
		v++, vlen -= 2;
	if (val_is(w, klen, "rd.klp")) {
		c->disabled = v ? !bool_value(v, vlen) : false;
	} else if (val_is(w, klen, "rd.klp.debug")) {
		c->debug = v ? bool_value(v, vlen) : true;
	} else if (val_is(w, klen, "rd.klp.timeout")) {
		unsigned ms;
		if (v && parse_timeout(v, vlen, &ms) == 0) {
			c->timeout_ms = ms;
			c->timeout_invalid = false;
		} else {
			c->timeout_ms = KLP_TIMEOUT_DEFAULT_MS;
			c->timeout_invalid = true;
		}
	} else if (val_is(w, klen, "elfcorehdr")) {
		c->kdump = true;
	} else if (val_is(w, klen, "rd.klp.guard")) {
		unsigned g;
		if (v && parse_guard(v, vlen, &g) == 0) {
			c->guard = g;
			c->guard_invalid = false;
		} else {
			c->guard = KLP_GUARD_DEFAULT;
			c->guard_invalid = true;
		}
	}
}

void klp_cmdline_parse(const char *buf, size_t len, struct klp_cmdline *c)
{
	size_t i = 0;

	c->disabled = false;
	c->debug = false;
	c->timeout_ms = KLP_TIMEOUT_DEFAULT_MS;
	c->timeout_invalid = false;
	c->guard = KLP_GUARD_DEFAULT;
	c->guard_invalid = false;
	c->kdump = false;
	while (i < len && buf[i]) {
		size_t start;
		bool quoted = false;

		while (i < len && buf[i] && is_space(buf[i]))
			i++;
		start = i;
		while (i < len && buf[i] && (quoted || !is_space(buf[i]))) {
			if (buf[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i > start)
			apply_word(buf + start, i - start, c);
	}
}
