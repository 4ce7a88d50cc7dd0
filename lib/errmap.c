// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What finit_module(2) and friends say, in words an admin reading the boot log
 * understands. Made once here, used for kmsg, the status file and stderr.
 */
#include <errno.h>
#include <stdio.h>

#include "klp-core.h"

struct errword {
	int err;
	const char *name;
	const char *words;
};

static const struct errword table[] = {
	{ EKEYREJECTED, "EKEYREJECTED", "signature rejected (module.sig_enforce or lockdown needs a signed patch)" },
	{ EKEYEXPIRED, "EKEYEXPIRED", "signing key expired" },
	{ EKEYREVOKED, "EKEYREVOKED", "signing key revoked" },
	{ ENOKEY, "ENOKEY", "signing key not trusted by this kernel" },
	{ EPERM, "EPERM", "operation not permitted (kernel lockdown, or module loading disabled)" },
	{ EACCES, "EACCES", "permission denied" },
	{ ENOEXEC, "ENOEXEC", "invalid module format (wrong kernel or corrupt file)" },
	{ EEXIST, "EEXIST", "already loaded" },
	{ EBUSY, "EBUSY", "another livepatch transition is in progress" },
	{ EINVAL, "EINVAL", "invalid argument (the kernel refused the patch; see dmesg)" },
	{ ENOENT, "ENOENT", "no such file" },
	{ ENOMEM, "ENOMEM", "out of memory" },
	{ ENOSPC, "ENOSPC", "no space left" },
	{ ENODEV, "ENODEV", "no such device (a patched object is missing)" },
	{ ENOSYS, "ENOSYS", "kernel has no module loading support" },
	{ ETIMEDOUT, "ETIMEDOUT", "timed out" },
	{ EIO, "EIO", "input/output error" },
	{ EFBIG, "EFBIG", "file too large" },
	{ EBADMSG, "EBADMSG", "bad module signature format" },
	{ EROFS, "EROFS", "read-only file system" },
	{ ENOTDIR, "ENOTDIR", "not a directory" },
	{ EISDIR, "EISDIR", "is a directory" },
	{ ELOOP, "ELOOP", "refusing to follow a symbolic link" },
	{ ENODATA, "ENODATA", "empty" },
	{ E2BIG, "E2BIG", "too large" },
};

/* |err| without overflow: -INT_MIN is not an int */
static unsigned magnitude(int err)
{
	return err < 0 ? 0u - (unsigned)err : (unsigned)err;
}

static const struct errword *lookup(int err)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((unsigned)table[i].err == magnitude(err))
			return &table[i];
	return NULL;
}

const char *klp_errno_name(int err)
{
	static char buf[16];
	const struct errword *e = lookup(err);

	if (e)
		return e->name;
	snprintf(buf, sizeof(buf), "E%u", magnitude(err));
	return buf;
}

const char *klp_errno_words(int err)
{
	const struct errword *e = lookup(err);

	return e ? e->words : "unexpected error";
}
