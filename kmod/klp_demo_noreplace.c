// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_noreplace - a live patch that is not cumulative (.replace = false),
 * the shape of most patches written by hand and of the kernel's own samples:
 * loaded over another patch it stacks on top instead of replacing it.
 *
 * Patches version_proc_show() so that /proc/version keeps its real first
 * line and gains a second line "klp_demo_noreplace".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

#include "klp_demo_sym.h"

/* linux_proc_banner, resolved at load (the symbol is not exported). */
static const char *klp_linux_proc_banner;

/* fs/proc/version.c: version_proc_show(), plus a marker line. */
static int livepatch_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, klp_linux_proc_banner,
		   utsname()->sysname,
		   utsname()->release,
		   utsname()->version);
	seq_puts(m, "klp_demo_noreplace\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "version_proc_show",
		.new_func = livepatch_version_proc_show,
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
	.replace = false,
};

static int __init klp_demo_noreplace_init(void)
{
	int r;

	r = klp_demo_sym_init();
	if (r < 0) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", r);
		return r;
	}
	klp_linux_proc_banner = (const char *)klp_demo_lookup("linux_proc_banner");
	if (!klp_linux_proc_banner) {
		pr_err("symbol linux_proc_banner not found\n");
		return -ENOENT;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_noreplace_exit(void)
{
}

module_init(klp_demo_noreplace_init);
module_exit(klp_demo_noreplace_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo live patch, not cumulative: marks /proc/version");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
