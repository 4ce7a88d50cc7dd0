// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_stall - a live patch whose insert does not return in time, for
 * the loader's bound only: its module init sleeps, uninterruptibly, for
 * stall_s seconds (default 60) before klp_enable_patch(), so finit_module
 * blocks that long and SIGKILL does not end the inserting task before it
 * returns. Meanwhile /sys/module/klp_demo_stall/initstate reads "coming"
 * and there is no /sys/kernel/livepatch/klp_demo_stall. After the sleep it
 * becomes an empty cumulative patch (like klp_demo_initial): it replaces
 * whatever patch is active and changes nothing itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static unsigned int stall_s = 60;
module_param(stall_s, uint, 0444);
MODULE_PARM_DESC(stall_s, "seconds module init sleeps before enabling the patch (default 60)");

static struct klp_object objs[] = {
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klp_demo_stall_init(void)
{
	pr_info("stalling module init for %u s\n", stall_s);
	ssleep(stall_s);
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_stall_exit(void)
{
}

module_init(klp_demo_stall_init);
module_exit(klp_demo_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd test patch whose module init sleeps: the loader's bound test only");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
