// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kexec.c: a kexec kernel waiting in memory when klp regenerate has replaced
 * initrds. It holds the initrd it was loaded with, and the kernel does not
 * say which file that was: a kexec reboot may boot the old patch. With
 * "kexec = reload" in klp.conf the administrator says the loaded kernel is
 * always the running one (kexec reboot tools load it so): klp loads the
 * running kernel again with its new initrd and this boot's command line.
 * Otherwise, or where that cannot be done, one line says what to do.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "klp.h"
#include "kernel.h"
#include "patch.h"
#include "boot.h"
#include "regen.h"

/* Did this run replace the running kernel's initrd: its index, or -1. */
static ssize_t running_index(const struct klp_replaced *r, size_t n, char *kver, size_t len)
{
	size_t i;

	if (klp_kernel_release(kver, len) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!strcmp(r[i].kver, kver))
			return (ssize_t)i;
	return -1;
}

/* The reload, said in one line either way. */
static void reload(const struct klp_sys *sys, const char *kver, const char *initrd)
{
	char image[PATH_MAX], cmdline[4096];
	int r = klp_kernel_image(sys->boot, kver, image, sizeof(image));

	if (!r)
		r = klp_kernel_cmdline(cmdline, sizeof(cmdline));
	if (!r)
		r = klp_kernel_kexec_file_load(image, initrd, cmdline);
	if (!r) {
		klp_err("regenerate: the loaded kexec kernel loaded again (kexec = reload): %s with %s and this "
				"boot's command line", image, initrd);
		return;
	}
	klp_err("regenerate: could not load the kexec kernel %s again with %s (%s): it still holds the "
			"old initrd and a kexec reboot boots the old patch; unload it (kexec -u)",
		kver, initrd, strerror(-r));
}

void klp_kexec_after(const struct klp_sys *sys, const struct klp_replaced *r, size_t n)
{
	char kver[256], conf[PATH_MAX], err[256] = "";
	struct klp_conf cf;
	ssize_t run;
	int c;

	if (!n || !klp_kernel_kexec_loaded())
		return;
	snprintf(conf, sizeof(conf), "%s%s", sys->root, KLP_CONF);
	c = klp_conf_load(conf, &cf, err, sizeof(err));
	if (c < 0)
		klp_err("%s: %s (kexec = reload not read)", conf, err[0] ? err : strerror(-c));
	run = running_index(r, n, kver, sizeof(kver));
	/* on this system (no --root, no chroot), the boot initrd (no --initrd: a staged file was never loaded) */
	if (c == 0 && cf.kexec_reload && !sys->root[0] && !sys->initrd && !klp_in_chroot() && run >= 0) {
		reload(sys, kver, r[run].initrd);
	} else {
		klp_err("regenerate: a kexec kernel is loaded (/sys/kernel/kexec_loaded is 1); if it was "
				"loaded with %s%s, it still holds the old initrd and a kexec reboot boots the old patch: "
				"load it again (kexec -l KERNEL --initrd=%s --reuse-cmdline), unload it (kexec -u), or, "
				"when it is always the running kernel, set kexec = reload in %s",
			r[n - 1].initrd, n > 1 ? " or another initrd replaced just now" : "", r[n - 1].initrd, KLP_CONF);
	}
	if (c == 0)
		klp_conf_free(&cf);
}
