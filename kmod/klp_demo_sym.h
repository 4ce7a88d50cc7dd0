/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp_demo_sym.h - resolve a symbol the kernel does not export.
 *
 * A real live patch reaches non-exported symbols through livepatch
 * relocations (.klp.rela.* sections written by kpatch-build or klp-convert),
 * which the kernel resolves when the patch, or the module it patches, loads.
 * Plain kbuild cannot write such sections, so these demo patches resolve the
 * few symbols they need at run time: kallsyms_lookup_name() is not exported
 * since 5.7, but registering a kprobe by name makes the kernel look its
 * address up for us.  The probe is registered disabled and removed at once,
 * so no kernel text is ever modified.
 *
 * Included by each module (one .c file per module), hence static.
 */
#ifndef KLP_DEMO_SYM_H
#define KLP_DEMO_SYM_H

#include <linux/errno.h>
#include <linux/kprobes.h>

#if !IS_ENABLED(CONFIG_KPROBES) || !IS_ENABLED(CONFIG_KALLSYMS_ALL)
#error "the klp_demo modules need CONFIG_KPROBES and CONFIG_KALLSYMS_ALL"
#endif

typedef unsigned long (*klp_demo_lookup_fn)(const char *name);

static klp_demo_lookup_fn klp_demo_kallsyms_lookup_name;

#ifdef CONFIG_PPC64_ELF_ABI_V2
#include <asm/code-patching.h>

/*
 * ppc64le (ELFv2): a kprobe sits at the function's local entry point, or at
 * its ftrace call within the first 16 bytes; code entered there expects r2 to
 * hold the kernel's TOC already. A call through a pointer from a module must
 * enter at the global entry point, whose first two instructions set r2 from
 * r12: "addis r2,r12,X" (or "lis r2,X"), then "addi r2,r2,Y", the sequence
 * ppc_function_entry() steps over. Entered at the probe's address, the lookup
 * ran with the module's TOC and faulted.
 */
static unsigned long klp_demo_global_entry(unsigned long addr)
{
	int i;

	for (i = 0; i <= 4; i++) {
		const u32 *insn = (const u32 *)(addr - 4 * i);

		if (((insn[0] & OP_RT_RA_MASK) == ADDIS_R2_R12 || (insn[0] & OP_RT_RA_MASK) == LIS_R2) &&
		    (insn[1] & OP_RT_RA_MASK) == ADDI_R2_R2)
			return (unsigned long)insn;
	}
	return addr; /* no global entry sequence: one entry point */
}
#else
static unsigned long klp_demo_global_entry(unsigned long addr)
{
	return addr;
}
#endif

/* Call once from module init, before klp_enable_patch(). */
static int klp_demo_sym_init(void)
{
	struct kprobe kp = {
		.symbol_name = "kallsyms_lookup_name",
		.flags = KPROBE_FLAG_DISABLED,
	};
	int r;

	r = register_kprobe(&kp);
	if (r < 0)
		return r;
	klp_demo_kallsyms_lookup_name = (klp_demo_lookup_fn)klp_demo_global_entry((unsigned long)kp.addr);
	unregister_kprobe(&kp);
	return klp_demo_kallsyms_lookup_name ? 0 : -ENOENT;
}

/*
 * Address of @name ("symbol" for vmlinux, "module:symbol" for a module that
 * is at least in its COMING state), or 0.
 */
static unsigned long klp_demo_lookup(const char *name)
{
	return klp_demo_kallsyms_lookup_name ? klp_demo_kallsyms_lookup_name(name) : 0;
}

#endif /* KLP_DEMO_SYM_H */
