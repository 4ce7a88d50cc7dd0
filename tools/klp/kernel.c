// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel.c: the only file of klp that talks to the kernel (syscalls,
 * /sys/kernel/livepatch, /sys/module, /proc). Tests run klp with an
 * LD_PRELOAD library that redirects these paths into a fake tree.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/utsname.h>

#include "klp.h"

int klp_kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	if ((size_t)snprintf(buf, len, "%s", u.release) >= len)
		return -ENAMETOOLONG;
	return 0;
}
