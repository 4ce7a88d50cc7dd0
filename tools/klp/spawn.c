// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running a helper program: klp_proc_start starts every one (rpm, dpkg,
 * the compressors, the decompressors of filter.c, dracut and zipl of
 * child.c): no shell, argv as given, looked up in PATH, LC_ALL=C. klp_spawn
 * runs one to its end under a hard timeout, its output captured (bounded)
 * or written into a file descriptor; its stderr to /dev/null unless asked.
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

/* environ with LC_ALL=C (a calloc'd array of environ's strings) */
static char **env_c(void)
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
 * Whether PATH (or the path given) names an executable file: 0, -ENOENT, or
 * -EACCES when there is such a file but not one we may run. POSIX lets
 * posix_spawnp report a program it cannot execute either as an error or as
 * the child's exit status 127; glibc does the latter where vfork is a real
 * fork (qemu-user), and "rpm is not installed" would read "rpm failed
 * (exit 127)". Looking first gives the reason everywhere.
 */
static int program_find(const char *name)
{
	const char *p = getenv("PATH");
	char buf[4096];
	struct stat st;
	int r = -ENOENT;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? 0 : -errno;
	if (!p)
		p = "/bin:/usr/bin";
	for (;;) {
		const char *end = strchrnul(p, ':');
		int n = (int)(end - p);

		if (snprintf(buf, sizeof(buf), "%.*s/%s", n ? n : 1, n ? p : ".", name) < (int)sizeof(buf) &&
		    stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			r = -EACCES;
		}
		if (!*end)
			return r;
		p = end + 1;
	}
}

/* fd KLP_FD_NULL: /dev/null opened with flags; KLP_FD_KEEP: ours; else dup2'ed */
static void proc_fd(posix_spawn_file_actions_t *fa, int fd, int target, int flags)
{
	if (fd == KLP_FD_NULL)
		posix_spawn_file_actions_addopen(fa, target, "/dev/null", flags, 0);
	else if (fd >= 0)
		posix_spawn_file_actions_adddup2(fa, fd, target);
}

int klp_proc_start(const char *const argv[], const struct klp_proc *p, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	char **env;
	int r, fl = p->keep_fd >= 0 ? fcntl(p->keep_fd, F_GETFD) : -1;

	if ((r = program_find(argv[0])) < 0)
		return r;
	if (!(env = env_c()))
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	proc_fd(&fa, p->in, 0, O_RDONLY);
	proc_fd(&fa, p->out, 1, O_WRONLY);
	proc_fd(&fa, p->err, 2, O_WRONLY);
	posix_spawnattr_init(&at);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	if (p->group)
		posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
					      (p->group ? POSIX_SPAWN_SETPGROUP : 0));
	/* the inherited descriptor: not closed at the child's exec (it holds the lock as long as it lives) */
	if (fl >= 0)
		fcntl(p->keep_fd, F_SETFD, fl & ~FD_CLOEXEC);
	r = -posix_spawnp(pid, argv[0], &fa, &at, (char *const *)argv, env);
	if (fl >= 0)
		fcntl(p->keep_fd, F_SETFD, fl);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	return r;
}

int klp_spawn(const char *const argv[], int in_fd, int out_fd, char **out, unsigned timeout_ms,
	      bool show_stderr)
{
	int pipefd[2] = { -1, -1 }, r;
	long long deadline = now_ms() + timeout_ms;
	struct klp_proc p = { .in = in_fd >= 0 ? in_fd : KLP_FD_NULL, .out = out_fd,
			      .err = show_stderr ? KLP_FD_KEEP : KLP_FD_NULL, .keep_fd = -1 };
	pid_t pid;

	if (out)
		*out = NULL;
	if (out_fd < 0) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -errno;
		p.out = pipefd[1];
	}
	r = klp_proc_start(argv, &p, &pid);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (r < 0) {
		if (pipefd[0] >= 0)
			close(pipefd[0]);
		return r;
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
