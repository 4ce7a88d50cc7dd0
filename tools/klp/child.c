// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * child.c: the helper programs of a regenerate run (dracut, zipl) under a
 * deadline, and the run's own signals: SIGINT/SIGTERM/SIGHUP stop the
 * helpers' process group, remove our temporary file and end the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "regen.h"

volatile sig_atomic_t klp_got_signal;
static volatile sig_atomic_t got_alarm;
static volatile pid_t child_pgid;
char klp_tmp_path[PATH_MAX]; /* the temporary file to remove if we are stopped */

static void on_signal(int sig)
{
	if (sig == SIGALRM) {
		got_alarm = 1;
		return;
	}
	klp_got_signal = sig;
	/* dracut and its children stop now: nothing may write the temporary file after we removed it */
	if (child_pgid > 0)
		kill(-child_pgid, sig == SIGINT ? SIGINT : SIGTERM);
}

void klp_signals_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Called when stopped by a signal: the temporary file goes, then we die of that signal. */
void klp_die_of_signal(const char *kver)
{
	int sig = klp_got_signal;

	if (klp_tmp_path[0]) {
		unlink(klp_tmp_path);
		klp_tmp_path[0] = '\0';
	}
	klp_err("regenerate%s%s: stopped by signal %d (%s): %s", kver ? " " : "", kver ? kver : "", sig,
		strsignal(sig),
		kver ? "the old initrd is untouched" : "every initrd is either rebuilt completely or untouched");
	signal(sig, SIG_DFL);
	raise(sig);
	// cppcheck-suppress unreachableCode ; raise() returns if the signal is blocked (cppcheck calls it noreturn)
	_exit(128 + sig);
}

double klp_now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Runs argv in its own process group, output into log_fd, the lock fd
 * inherited; waits up to timeout s (then SIGTERM, 10 s later SIGKILL).
 * Returns the wait status, -ETIMEDOUT, -EINTR (a signal stopped us), -errno.
 */
int klp_run_child(char *const argv[], int log_fd, int lock_fd, unsigned timeout)
{
	/* the children hold the lock as long as any of them lives, even if we are killed */
	struct klp_proc p = { .in = KLP_FD_NULL, .out = log_fd, .err = log_fd, .group = true, .keep_fd = lock_fd };
	pid_t pid;
	int r, st = 0;
	bool termed = false, killed = false;

	got_alarm = 0;
	r = klp_proc_start((const char *const *)argv, &p, &pid);
	if (r < 0)
		return r;
	child_pgid = pid;
	if (klp_got_signal) /* arrived before child_pgid was set */
		kill(-pid, SIGTERM);
	alarm(timeout);
	for (;;) {
		if (waitpid(pid, &st, 0) == pid)
			break;
		if (errno != EINTR) {
			r = -errno;
			break;
		}
		if (got_alarm && termed && !killed) {
			kill(-pid, SIGKILL);
			killed = true;
		} else if ((got_alarm || klp_got_signal) && !termed) {
			kill(-pid, SIGTERM);
			termed = true;
			got_alarm = 0;
			alarm(10);
		}
	}
	alarm(0);
	/* whatever it left running in its group goes too */
	kill(-pid, SIGKILL);
	child_pgid = 0;
	if (r < 0)
		return r;
	if (klp_got_signal)
		return -EINTR;
	if (termed)
		return -ETIMEDOUT;
	return st;
}

/* The first line of the log's last MiB that holds needle (dracut's ENOSPC). */
bool klp_log_find(int log_fd, const char *needle, char *line, size_t len)
{
	char *text = klp_fd_read(log_fd, 1 << 20, true), *hit, *start;
	bool found = false;

	if (text && (hit = strstr(text, needle))) {
		for (start = hit; start > text && start[-1] != '\n'; start--)
			;
		snprintf(line, len, "%.*s", (int)(strcspn(start, "\n") < 300 ? strcspn(start, "\n") : 300), start);
		found = true;
	}
	free(text);
	return found;
}

void klp_log_tail(int log_fd, unsigned lines)
{
	char *text = klp_fd_read(log_fd, 1 << 20, true), *p;
	unsigned n = 0;

	if (!text)
		return;
	p = text + strlen(text);
	while (p > text && n <= lines)
		if (*--p == '\n' && p[1])
			n++;
	fprintf(stderr, "%s%s", p == text ? "" : "...\n", p == text ? p : p + 1);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stderr);
	free(text);
}

