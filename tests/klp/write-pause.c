// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * write-pause.c: an LD_PRELOAD library for tests/klp/test-regenerate (built
 * by it) that stretches the write phase of klp regenerate, so that SIGKILLs
 * at random points land in it as often as before it or after it:
 *
 *   KLP_TEST_WRITE_PAUSE_MS=MS   sleep that long before each copy_file_range,
 *                                fsync, fdatasync, syncfs, rename and renameat
 *                                (default 0: nothing changes)
 *
 * The calls themselves run unchanged: only the time between them grows.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(void)
{
	const char *v = getenv("KLP_TEST_WRITE_PAUSE_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* The next definition of a libc function: the real one. */
static void *real(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len, unsigned int flags)
{
	pause_ms();
	return ((__typeof__(&copy_file_range))real("copy_file_range"))(in, in_off, out, out_off, len, flags);
}

int fsync(int fd)
{
	pause_ms();
	return ((__typeof__(&fsync))real("fsync"))(fd);
}

int fdatasync(int fd)
{
	pause_ms();
	return ((__typeof__(&fdatasync))real("fdatasync"))(fd);
}

int syncfs(int fd)
{
	pause_ms();
	return ((__typeof__(&syncfs))real("syncfs"))(fd);
}

int rename(const char *from, const char *to)
{
	pause_ms();
	return ((__typeof__(&rename))real("rename"))(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	pause_ms();
	return ((__typeof__(&renameat))real("renameat"))(fromfd, from, tofd, to);
}
