// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_demo_ext4 - a demo live patch whose target is a module, ext4.
 *
 * Patches ext4_seq_options_show(), which prints /proc/fs/ext4/<dev>/options
 * (one option per line), so that the file ends with one more line,
 * "klp_demo_ext4".  The patch may be loaded before ext4: the kernel then
 * patches ext4 while ext4 loads.
 *
 * The replacement needs _ext4_show_options(), a static function of ext4.
 * Its address can only be known once ext4 is loaded, so it is resolved in
 * the object's pre_patch callback, which the kernel runs when it is about to
 * patch ext4 (at klp_enable_patch() if ext4 is already loaded, else while
 * ext4 loads).  If it cannot be found, the callback fails and the kernel
 * refuses to patch ext4, the same outcome as a missing old_name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "klp_demo_sym.h"

/* fs/ext4/super.c: static int _ext4_show_options(seq, sb, nodefs) */
typedef int (*ext4_show_options_fn)(struct seq_file *seq,
				    struct super_block *sb, int nodefs);

static ext4_show_options_fn klp_ext4_show_options;

/* fs/ext4/super.c: ext4_seq_options_show(), plus a marker line. */
static int livepatch_ext4_seq_options_show(struct seq_file *seq, void *offset)
{
	struct super_block *sb = seq->private;
	int rc;

	seq_puts(seq, sb_rdonly(sb) ? "ro" : "rw");
	rc = klp_ext4_show_options(seq, sb, 1);
	seq_puts(seq, "\nklp_demo_ext4\n");
	return rc;
}

static int klp_demo_ext4_pre_patch(struct klp_object *obj)
{
	unsigned long addr;

	addr = klp_demo_lookup("ext4:_ext4_show_options");
	if (!addr || !within_module(addr, obj->mod)) {
		pr_err("ext4:_ext4_show_options not found, not patching ext4\n");
		return -ENOENT;
	}
	klp_ext4_show_options = (ext4_show_options_fn)addr;
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "ext4_seq_options_show",
		.new_func = livepatch_ext4_seq_options_show,
	},
	{ }
};

static struct klp_object objs[] = {
	{
		.name = "ext4",
		.funcs = funcs,
		.callbacks = {
			.pre_patch = klp_demo_ext4_pre_patch,
		},
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klp_demo_ext4_init(void)
{
	int r;

	r = klp_demo_sym_init();
	if (r < 0) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", r);
		return r;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_demo_ext4_exit(void)
{
}

module_init(klp_demo_ext4_init);
module_exit(klp_demo_ext4_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klp-initrd demo live patch of the ext4 module: marks /proc/fs/ext4/*/options");
MODULE_VERSION("1");
MODULE_INFO(livepatch, "Y");
