// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_v2 - the second cumulative demo live patch, a superset of v1.
 *
 * Carries v1's fix (cmdline_proc_show(), now marked " klp_demo=v2") and one
 * more: version_proc_show() prints the real /proc/version line and then a
 * second line "klp_demo=v2".  Loading it over v1 replaces v1 in one
 * transition (.replace = true).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

#include "klp_demo_sym.h"

/* Resolved at load: neither symbol is exported. */
static char **klp_saved_command_line;
static const char *klp_linux_proc_banner;

/* fs/proc/cmdline.c: cmdline_proc_show(), plus the marker. */
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, *klp_saved_command_line);
	seq_puts(m, " klp_demo=v2\n");
	return 0;
}

/* fs/proc/version.c: version_proc_show(), plus a marker line. */
static int livepatch_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, klp_linux_proc_banner,
		   utsname()->sysname,
		   utsname()->release,
		   utsname()->version);
	seq_puts(m, "klp_demo=v2\n");
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_cmdline_proc_show,
	},
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
	.replace = true,
};

static int __init klp_demo_v2_init(void)
{
	int r;

	r = klp_demo_sym_init();
	if (r < 0) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", r);
		return r;
	}
	klp_saved_command_line = (char **)klp_demo_lookup("saved_command_line");
	klp_linux_proc_banner = (const char *)klp_demo_lookup("linux_proc_banner");
	if (!klp_saved_command_line || !klp_linux_proc_banner) {
		pr_err("symbol saved_command_line or linux_proc_banner not found\n");
		return -ENOENT;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_v2_exit(void)
{
}

module_init(klp_demo_v2_init);
module_exit(klp_demo_v2_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo cumulative live patch v2: marks /proc/cmdline and /proc/version");
MODULE_VERSION("2");
MODULE_INFO(livepatch, "Y");
