// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_panic - a broken cumulative live patch, for the crash-loop guard's
 * test only: it patches cmdline_proc_show() with a function that panics the
 * kernel, so the first read of /proc/cmdline after it is applied (the
 * initrd's init reads it at once) takes the machine down, boot after boot.
 * Never install it on a machine you care about.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	panic("klp_demo_panic: crashing on purpose (crash-loop guard test)");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	},
	{ }
};

static struct klp_object objs[] = {
	{
		/* name == NULL: vmlinux */
		.funcs = funcs,
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klp_demo_panic_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_panic_exit(void)
{
}

module_init(klp_demo_panic_init);
module_exit(klp_demo_panic_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd test patch that panics the kernel: crash-loop guard test only");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
