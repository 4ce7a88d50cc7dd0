// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_v1 - the first cumulative demo live patch.
 *
 * Patches cmdline_proc_show() so that /proc/cmdline reads as the real
 * command line followed by " klp_demo=v1".  The real content must stay:
 * dracut and systemd parse root= and rd.* from /proc/cmdline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "klp_demo_sym.h"

/* &saved_command_line, resolved at load (the symbol is not exported). */
static char **klp_saved_command_line;

/* fs/proc/cmdline.c: cmdline_proc_show(), plus the marker. */
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, *klp_saved_command_line);
	seq_puts(m, " klp_demo=v1\n");
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

static int __init klp_demo_v1_init(void)
{
	int r;

	r = klp_demo_sym_init();
	if (r < 0) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", r);
		return r;
	}
	klp_saved_command_line = (char **)klp_demo_lookup("saved_command_line");
	if (!klp_saved_command_line) {
		pr_err("symbol saved_command_line not found\n");
		return -ENOENT;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_v1_exit(void)
{
}

module_init(klp_demo_v1_init);
module_exit(klp_demo_v1_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo cumulative live patch v1: marks /proc/cmdline");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
