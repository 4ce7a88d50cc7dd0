// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * filter.c: a decompressor run as a child (klp_proc_start): its stdin an
 * open file, its stdout a pipe klp reads, its stderr kept in a memfd, so
 * that a failure is reported in its own words.
 * How long it may take is the reader's deadline (stream.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "initrd-read.h"
#include "util.h"

int klp_filter_start(const char *const argv[], int in, struct klp_filter *f)
{
	struct klp_proc p = { .in = in, .keep_fd = -1 };
	int pipefd[2], r;

	f->pid = -1;
	f->out = -1;
	f->name = argv[0];
	f->errfd = memfd_create("klp-filter-stderr", MFD_CLOEXEC);
	if (f->errfd < 0)
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		close(f->errfd);
		return r;
	}
	p.out = pipefd[1];
	p.err = f->errfd;
	r = klp_proc_start(argv, &p, &f->pid);
	close(pipefd[1]);
	if (r < 0) {
		close(pipefd[0]);
		close(f->errfd);
		f->pid = -1;
		return r;
	}
	f->out = pipefd[0];
	return 0;
}

/* First non-empty line of what the child wrote on stderr. */
static void filter_stderr(const struct klp_filter *f, char *buf, size_t len)
{
	ssize_t n = pread(f->errfd, buf, len - 1, 0);
	size_t skip, k;

	buf[n > 0 ? n : 0] = '\0';
	skip = strspn(buf, " \t\r\n");
	k = strcspn(buf + skip, "\r\n");
	while (k > 0 && (buf[skip + k - 1] == ' ' || buf[skip + k - 1] == '\t'))
		k--;
	memmove(buf, buf + skip, k);
	buf[k] = '\0';
}

int klp_filter_end(struct klp_filter *f, bool abandon, char *err, size_t errlen)
{
	char msg[200];
	int st = 0, r = 0;

	if (f->out >= 0)
		close(f->out);
	f->out = -1;
	if (f->pid > 0) {
		if (abandon)
			kill(f->pid, SIGKILL);
		while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!abandon && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			filter_stderr(f, msg, sizeof(msg));
			if (WIFEXITED(st))
				snprintf(err, errlen, "%s failed (exit %d)%s%s", f->name, WEXITSTATUS(st),
					 msg[0] ? ": " : "", msg);
			else
				snprintf(err, errlen, "%s killed by signal %d", f->name, WTERMSIG(st));
			r = -EIO;
		}
	}
	f->pid = -1;
	if (f->errfd >= 0)
		close(f->errfd);
	f->errfd = -1;
	return r;
}
