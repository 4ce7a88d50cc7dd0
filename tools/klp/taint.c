// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's taint flags (/proc/sys/kernel/tainted is a bit mask), as
 * the letters the kernel prints in oopses and in /sys/module/<m>/taint.
 * Table of kernel/panic.c (6.1) and Documentation/admin-guide/tainted-kernels.rst.
 */
#include <stdio.h>
#include <string.h>

#include "klp.h"
#include "kernel.h"

static const struct {
	char letter;
	const char *words;
} flags[] = {
	{ 'P', "proprietary module" },	  /* 0 */
	{ 'F', "module force-loaded" },	  /* 1 */
	{ 'S', "out-of-spec system" },	  /* 2 */
	{ 'R', "module force-unloaded" }, /* 3 */
	{ 'M', "machine check" },	  /* 4 */
	{ 'B', "bad page" },		  /* 5 */
	{ 'U', "user request" },	  /* 6 */
	{ 'D', "kernel died (oops or BUG)" }, /* 7 */
	{ 'A', "ACPI table overridden" }, /* 8 */
	{ 'W', "kernel warning" },	  /* 9 */
	{ 'C', "staging driver" },	  /* 10 */
	{ 'I', "firmware workaround" },	  /* 11 */
	{ 'O', "out-of-tree module" },	  /* 12 */
	{ 'E', "unsigned module" },	  /* 13 */
	{ 'L', "soft lockup" },		  /* 14 */
	{ 'K', "live patched" },	  /* 15 */
	{ 'X', "distribution-defined" },  /* 16 */
	{ 'T', "struct randomization" },  /* 17 */
	{ 'N', "in-kernel test" },	  /* 18 */
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

void klp_taint_letters(unsigned long mask, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len == 0)
		return;
	for (i = 0; i < sizeof(mask) * 8 && n + 1 < len; i++)
		if (mask & (1UL << i))
			buf[n++] = (char)(i < NFLAGS ? flags[i].letter : '?');
	buf[n] = '\0';
}

void klp_taint_explain(unsigned long mask, char *buf, size_t len)
{
	size_t i, used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof(mask) * 8; i++) {
		int n;

		if (!(mask & (1UL << i)))
			continue;
		if (i < NFLAGS)
			n = snprintf(buf + used, len - used, "%s%c: %s", used ? ", " : "", flags[i].letter,
				     flags[i].words);
		else
			n = snprintf(buf + used, len - used, "%sbit %zu: unknown", used ? ", " : "", i);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

const char *klp_taint_words(char letter)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (flags[i].letter == letter)
			return flags[i].words;
	return NULL;
}
