// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A compressed module (.ko.xz, .ko.zst, .ko.gz) is decompressed before it
 * goes to finit_module(2): kernels without CONFIG_MODULE_DECOMPRESS (Debian's
 * 6.1) take only plain ELF. The tools xz, zstd and gzip do the work (no
 * shell, hard timeout), reading the already opened and checked file
 * descriptor, writing into a memfd (or an unlinked temporary file where
 * memfd_create is missing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "klp.h"
#include "payload.h"
#include "util.h"

#define DECOMPRESS_TIMEOUT_MS 60000u

static int scratch_fd(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd = memfd_create("klp-load", MFD_CLOEXEC);

	if (fd >= 0 || errno != ENOSYS)
		return fd >= 0 ? fd : -errno;
	snprintf(path, sizeof(path), "%s/klp-load.XXXXXX", dir && dir[0] == '/' ? dir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

int klp_decompress(int in_fd, const char *path, int *out_fd, char *err, size_t errlen)
{
	const char *const *tool = klp_decompressor(path);
	int fd, r;

	*out_fd = -1;
	if (!tool) {
		snprintf(err, errlen, "not a compressed file name");
		return -EINVAL;
	}
	fd = scratch_fd();
	if (fd < 0) {
		snprintf(err, errlen, "no scratch file to decompress into: %s", strerror(-fd));
		return fd;
	}
	if (lseek(in_fd, 0, SEEK_SET) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot rewind: %s", strerror(-r));
		close(fd);
		return r;
	}
	r = klp_spawn((const char *const *)tool, in_fd, fd, NULL, DECOMPRESS_TIMEOUT_MS, true);
	if (r != 0) {
		if (r == -ENOENT)
			snprintf(err, errlen, "%s is not installed", tool[0]);
		else if (r == -ETIMEDOUT)
			snprintf(err, errlen, "%s took longer than %u s", tool[0], DECOMPRESS_TIMEOUT_MS / 1000);
		else if (r < 0)
			snprintf(err, errlen, "cannot run %s: %s", tool[0], strerror(-r));
		else
			snprintf(err, errlen, "%s %s failed (exit %d)", tool[0], tool[1], r);
		close(fd);
		return r < 0 ? r : -EIO;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*out_fd = fd;
	return 0;
}
