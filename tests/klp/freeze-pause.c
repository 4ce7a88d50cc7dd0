// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * freeze-pause.c: an LD_PRELOAD library for tests/klp/test-regenerate (built
 * by it) that watches klp's FIFREEZE of the boot folder's filesystem:
 *
 *   KLP_TEST_FREEZE_LOG=FILE      one line per FIFREEZE: "freeze RESULT PID"
 *   KLP_TEST_FREEZE_PAUSE=FILE    after the first successful FIFREEZE (FILE
 *                                 does not exist yet; klp freezes before and
 *                                 after its rename): write "PID PPID" into
 *                                 FILE, then sleep
 *   KLP_TEST_FREEZE_PAUSE_S=SEC   that long (default 5) before returning,
 *                                 so that a test can SIGKILL klp (or the
 *                                 process that froze) while it is frozen
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

static int append(const char *path, const char *line, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, line, strlen(line)) < 0)
		perror(path);
	close(fd);
	return 0;
}

static void frozen(void)
{
	const char *pause = getenv("KLP_TEST_FREEZE_PAUSE"), *s = getenv("KLP_TEST_FREEZE_PAUSE_S");
	struct timespec ts = { s ? strtol(s, NULL, 10) : 5, 0 };
	char line[64];

	if (!pause)
		return;
	snprintf(line, sizeof(line), "%ld %ld\n", (long)getpid(), (long)getppid());
	if (append(pause, line, O_EXCL) < 0)
		return;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int ioctl(int fd, unsigned long request, ...)
{
	ioctl_fn real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	const char *log = getenv("KLP_TEST_FREEZE_LOG");
	char line[64];
	void *arg;
	va_list ap;
	int r, e;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	r = real(fd, request, arg);
	if (request != FIFREEZE)
		return r;
	e = errno;
	if (log) {
		snprintf(line, sizeof(line), "freeze %d %ld\n", r == 0 ? 0 : e, (long)getpid());
		(void)append(log, line, O_APPEND);
	}
	if (r == 0)
		frozen();
	errno = e;
	return r;
}
