// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_initial - the "initial patch": what a kernel update ships before
 * it has any fix.  It patches nothing.
 *
 * Representation: a cumulative patch (.replace = true) with no object at
 * all, objs = { { } }.  Kernel 6.1 accepts it: klp_enable_patch() only
 * rejects objs == NULL and objects whose funcs == NULL, and an objs array
 * that starts with its terminator has no object to check.  The patch shows
 * up as /sys/kernel/livepatch/klp_demo_initial with enabled 1 and transition
 * 0.  Loaded over another cumulative patch it replaces it (the kernel adds
 * nop functions for everything the old patch changed), so the system is
 * back to no fixes.
 *
 * MODULE_INFO(klp_initial, "Y") lets tools tell it from a patch with fixes
 * without loading it (modinfo -F klp_initial).
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static struct klp_object objs[] = {
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klp_demo_initial_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_initial_exit(void)
{
}

module_init(klp_demo_initial_init);
module_exit(klp_demo_initial_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo initial live patch: no fixes");
MODULE_VERSION("0");
MODULE_INFO(livepatch, "Y");
MODULE_INFO(klp_initial, "Y");
