// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * limit-init: the least any early-boot livepatch loader must do, as the
 * yardstick of qemu/bench (the "limit" variant), never installed.
 *
 * As the initrd's /init it mounts sysfs (the only file system it needs: the
 * livepatch's transition file), inserts the embedded patch with
 * finit_module, polls /sys/kernel/livepatch/<name>/transition until it reads
 * 0, and execs the real init. Nothing else: no checks, no fork, no timeout,
 * no status record, no log line. Whatever fails, it goes on to the real init.
 *
 * Built with -DLIMIT_MODULE="name" (the patch is KLP_DIR/<name>.ko, the same
 * file klp-early loads from the same initrd).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "klp-core.h"

#ifndef LIMIT_MODULE
#error "build with -DLIMIT_MODULE=\"<module name>\""
#endif

#define PATCH_FILE KLP_DIR "/" LIMIT_MODULE ".ko"
#define TRANSITION "/sys/kernel/livepatch/" LIMIT_MODULE "/transition"
/* the poll ends on its own after this many reads: never hang the boot */
#define POLL_MAX 100000

static int insert_patch(void)
{
	int fd = open(PATCH_FILE, O_RDONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return r < 0 ? -1 : 0;
}

/* 1 while the transition runs, 0 once done, -1 when it cannot be read */
static int in_transition(void)
{
	char c = 0;
	int fd = open(TRANSITION, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -1;
}

static void wait_transition(void)
{
	const struct timespec step = { 0, 1000000L }; /* 1 ms */
	int i;

	for (i = 0; i < POLL_MAX && in_transition() == 1; i++)
		(void)nanosleep(&step, NULL);
}

int main(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (insert_patch() == 0)
		wait_transition();
	execve(KLP_REAL_INIT, argv, envp);
	for (;;) /* PID 1 must never exit */
		pause();
}
