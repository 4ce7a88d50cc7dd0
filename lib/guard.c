// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The crash-loop guard's record and policy (pure; sys.c stores the record).
 *
 * Before inserting a patch the loader counts the attempt in a record that
 * survives a reset (an EFI variable); at the initrd's last step, once the
 * patch's transition completed (`klp-early --pre-pivot`), or after a boot
 * that got far enough (`klp-early --boot-ok`), the count goes. A record
 * still there at the next boot means the boots it counts died before. When it counts `limit`
 * attempts for the patch about to be inserted (same module and sha256), the
 * loader skips the patch and keeps the record, so the patch stays skipped
 * until an admin resets the guard; a different patch gets its own count.
 * Each line also names the boot that counted it last (the first 8 hex digits
 * of the kernel's random boot_id), so that boot-ok forgets exactly what its
 * own boot counted, whatever became of the insert. One line per patch (a
 * boot may count two: the initrd's and, when the initrd is stale, the
 * fallback's), at most KLP_GUARD_RECS lines:
 *   "1 <module> <first 16 hex digits of the sha256> <attempts> <boot tag>\n"
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "klp-core.h"

static int parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0')) /* one spelling per number */
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static bool is_hex(const char *s, size_t n, size_t want)
{
	size_t i;

	if (n != want)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

#define WORDS 5

/* Parses one line (without its newline): exactly WORDS space-separated words. */
static int parse_line(const char *l, size_t len, struct klp_guard_rec *r)
{
	const char *w[WORDS];
	size_t wl[WORDS], i = 0, k;

	for (k = 0; k < WORDS; k++) {
		w[k] = l + i;
		while (i < len && l[i] != ' ' && l[i] != '\0')
			i++;
		wl[k] = (size_t)(l + i - w[k]);
		if (wl[k] == 0 || (k < WORDS - 1 && (i >= len || l[i] != ' ')))
			return -EINVAL;
		if (k < WORDS - 1)
			i++;
	}
	if (i != len || wl[0] != 1 || w[0][0] != '1' || wl[1] >= sizeof(r->module))
		return -EINVAL;
	memcpy(r->module, w[1], wl[1]);
	r->module[wl[1]] = '\0';
	if (!klp_module_name_valid(r->module) || !is_hex(w[2], wl[2], KLP_GUARD_DIGEST_LEN) ||
	    !is_hex(w[4], wl[4], KLP_GUARD_BOOT_LEN))
		return -EINVAL;
	memcpy(r->digest, w[2], wl[2]);
	r->digest[wl[2]] = '\0';
	memcpy(r->boot, w[4], wl[4]);
	r->boot[wl[4]] = '\0';
	return parse_uint(w[3], wl[3], KLP_GUARD_ATTEMPTS_MAX, &r->attempts);
}

int klp_guard_parse(const char *buf, size_t len, struct klp_guard *g)
{
	size_t i = 0;

	g->n = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		int r;

		if (!nl || g->n == KLP_GUARD_RECS)
			return -EINVAL;
		r = parse_line(buf + i, (size_t)(nl - buf - i), &g->rec[g->n]);
		if (r < 0)
			return r;
		g->n++;
		i = (size_t)(nl - buf) + 1;
	}
	return 0;
}

int klp_guard_format(const struct klp_guard *g, char *buf, size_t len)
{
	size_t used = 0;
	unsigned k;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	for (k = 0; k < g->n; k++) {
		const struct klp_guard_rec *r = &g->rec[k];
		int n = snprintf(buf + used, len - used, "1 %s %s %u %s\n", r->module, r->digest, r->attempts,
				 r->boot);

		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return (int)used;
}

bool klp_guard_decide(struct klp_guard *g, const char *module, const char *sha256, const char *boot,
		      unsigned limit, unsigned *attempts)
{
	struct klp_guard_rec *r = NULL;
	unsigned k;

	for (k = 0; k < g->n && !r; k++)
		if (!strcmp(g->rec[k].module, module) &&
		    !strncmp(g->rec[k].digest, sha256, KLP_GUARD_DIGEST_LEN))
			r = &g->rec[k];
	if (r && r->attempts >= limit) {
		*attempts = r->attempts;
		return true;
	}
	if (!r) {
		if (g->n == KLP_GUARD_RECS) { /* forget the oldest */
			memmove(&g->rec[0], &g->rec[1], sizeof(g->rec[0]) * (KLP_GUARD_RECS - 1));
			g->n--;
		}
		r = &g->rec[g->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->module, sizeof(r->module), "%s", module);
		snprintf(r->digest, sizeof(r->digest), "%.*s", KLP_GUARD_DIGEST_LEN, sha256);
	}
	if (r->attempts < KLP_GUARD_ATTEMPTS_MAX)
		r->attempts++;
	snprintf(r->boot, sizeof(r->boot), "%s", boot);
	*attempts = r->attempts;
	return false;
}

unsigned klp_guard_forget_boot(struct klp_guard *g, const char *boot,
			       bool (*passed)(const struct klp_guard_rec *r, void *arg), void *arg)
{
	unsigned k = 0, gone = 0;

	while (k < g->n) {
		if (strcmp(g->rec[k].boot, boot) || (passed && !passed(&g->rec[k], arg))) {
			k++;
			continue;
		}
		memmove(&g->rec[k], &g->rec[k + 1], sizeof(g->rec[0]) * (g->n - k - 1));
		g->n--;
		gone++;
	}
	return gone;
}

int klp_guard_boot_tag(const char *boot_id, size_t len, char tag[KLP_GUARD_BOOT_LEN + 1])
{
	size_t i;

	/* /proc/sys/kernel/random/boot_id: "xxxxxxxx-xxxx-...\n", lower-case hex */
	if (len < KLP_GUARD_BOOT_LEN || !is_hex(boot_id, KLP_GUARD_BOOT_LEN, KLP_GUARD_BOOT_LEN))
		return -EINVAL;
	for (i = 0; i < KLP_GUARD_BOOT_LEN; i++)
		tag[i] = boot_id[i];
	tag[KLP_GUARD_BOOT_LEN] = '\0';
	return 0;
}
