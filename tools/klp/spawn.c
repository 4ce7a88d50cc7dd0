// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running a helper program (rpm, dpkg, xz, zstd, gzip): no shell, argv as
 * given, looked up in PATH, with a hard timeout after which it is killed.
 * Its output is either captured (bounded) or written into a file
 * descriptor; its stderr goes to /dev/null unless asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char **klp_env_c(void)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7))
			env[j++] = environ[i];
	env[j++] = (char *)"LC_ALL=C";
	return env;
}

/* Waits for pid until deadline; kills it then. Exit status, or -ETIMEDOUT. */
static int reap(pid_t pid, long long deadline)
{
	int st, r;

	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		usleep(2000);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Reads the pipe until EOF, max bytes or the deadline. */
static int capture(int fd, long long deadline, size_t max, char **out)
{
	size_t len = 0;
	char *buf = malloc(max + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR)
			break;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf + len, max - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == max)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/*
 * Whether PATH (or the path given) names an executable file. POSIX lets
 * posix_spawnp report a program it cannot execute either as an error or as
 * the child's exit status 127; glibc does the latter where vfork is a real
 * fork (qemu-user), and "rpm is not installed" would read "rpm failed
 * (exit 127)". Looking first makes -ENOENT the answer everywhere.
 */
static bool program_found(const char *name)
{
	const char *p = getenv("PATH");
	char buf[4096];
	struct stat st;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	if (!p)
		p = "/bin:/usr/bin";
	for (;;) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if (snprintf(buf, sizeof(buf), "%.*s/%s", n ? n : 1, n ? p : ".", name) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return true;
		if (!*end)
			return false;
		p = end + 1;
	}
}

int klp_spawn(const char *const argv[], int in_fd, int out_fd, char **out, unsigned timeout_ms,
	      bool show_stderr)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, r;
	long long deadline = now_ms() + timeout_ms;
	char **env = klp_env_c();
	pid_t pid;

	if (out)
		*out = NULL;
	if (!env)
		return -ENOMEM;
	if (!program_found(argv[0])) {
		free(env);
		return -ENOENT;
	}
	if (out_fd < 0 && pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		free(env);
		return r;
	}
	posix_spawn_file_actions_init(&fa);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd : pipefd[1], 1);
	if (!show_stderr)
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (r != 0) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return -r;
	}
	if (pipefd[0] >= 0) {
		char *buf = NULL;

		capture(pipefd[0], deadline, 1 << 16, &buf);
		close(pipefd[0]);
		if (out)
			*out = buf;
		else
			free(buf);
	}
	r = reap(pid, deadline);
	if (r < 0 && out) {
		free(*out);
		*out = NULL;
	}
	return r;
}
