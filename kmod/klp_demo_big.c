// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_big - a large cumulative live patch (over 4 MiB), the size of a
 * vendor's patch that carries many fixed functions and their data.
 *
 * The bulk is a 4 MiB const table in .rodata (pseudo-random, so it does not
 * compress away in the initrd), generated at build time into
 * klp_demo_big_table.h by kmod/mkbigtable (never committed). Module init sums
 * it and refuses to load unless the sum is the one the generator computed;
 * the replacement of cmdline_proc_show() prints that sum, so /proc/cmdline
 * reads as the real command line followed by " klp_demo=big:<sum, 8 hex>".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include "klp_demo_sym.h"
#include "klp_demo_big_table.h"

static const u32 klp_demo_big_table[KLP_DEMO_BIG_WORDS] = { KLP_DEMO_BIG_DATA };

/* &saved_command_line, resolved at load (the symbol is not exported). */
static char **klp_saved_command_line;
static u32 klp_demo_big_sum;

/* fs/proc/cmdline.c: cmdline_proc_show(), plus the marker. */
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, *klp_saved_command_line);
	seq_printf(m, " klp_demo=big:%08x\n", klp_demo_big_sum);
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

static int __init klp_demo_big_init(void)
{
	size_t i;
	u32 sum = 0;
	int r;

	for (i = 0; i < ARRAY_SIZE(klp_demo_big_table); i++)
		sum += klp_demo_big_table[i];
	if (sum != KLP_DEMO_BIG_SUM) {
		pr_err("table sum %08x, want %08x\n", sum, KLP_DEMO_BIG_SUM);
		return -EINVAL;
	}
	klp_demo_big_sum = sum;

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

static void __exit klp_demo_big_exit(void)
{
}

module_init(klp_demo_big_init);
module_exit(klp_demo_big_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo cumulative live patch of over 4 MiB: marks /proc/cmdline");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
