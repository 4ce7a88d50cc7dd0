// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_oops - a live patch whose module init oopses, for the loader's
 * "worker that crashes" test only: BUG() before klp_enable_patch(). The
 * kernel (panic_on_oops 0, Debian's default) kills the task that called
 * finit_module with SIGSEGV and goes on; the module stays in
 * /sys/module/klp_demo_oops with initstate "coming", and there is no
 * /sys/kernel/livepatch/klp_demo_oops. The kernel is tainted D (died).
 * Never install it on a machine you care about.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bug.h>
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

static int __init klp_demo_oops_init(void)
{
	pr_info("oopsing in module init on purpose (the loader's crash test)\n");
	BUG();
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_oops_exit(void)
{
}

module_init(klp_demo_oops_init);
module_exit(klp_demo_oops_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd test patch whose module init oopses: the loader's crash test only");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
