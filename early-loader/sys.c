// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sys.c: the only file of klp-early that talks to the kernel (syscalls,
 * sysfs, procfs, mounts, kmsg). Everything else goes through sys.h, so the
 * unit tests can link a fake in its place.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "klp-early.h"
#include "sys.h"

int sys_uname_release(char *buf, size_t len)
{
	struct utsname u;
	size_t n;

	if (uname(&u) < 0)
		return -errno;
	n = strlen(u.release);
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, u.release, n + 1);
	return 0;
}

ssize_t sys_read_small(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (used + 1 < len) {
		ssize_t n = read(fd, buf + used, len - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	return (ssize_t)used;
}

int sys_exists(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int sys_open_ro(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

	// cppcheck-suppress resourceLeak ; the descriptor is what this returns
	return fd < 0 ? -errno : fd;
}

ssize_t sys_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int sys_fsize(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

int sys_rewind(int fd)
{
	return lseek(fd, 0, SEEK_SET) < 0 ? -errno : 0;
}

int sys_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

int sys_finit_module(int fd)
{
	return syscall(SYS_finit_module, fd, "", 0) < 0 ? -errno : 0;
}

static int mkdir_parents(const char *path)
{
	char dir[256];
	char *p;
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, path, n + 1);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sys_write_atomic(const char *path, const char *data, size_t len)
{
	char tmp[272];
	size_t off = 0;
	int fd, r = mkdir_parents(path);

	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* shim mode: /dev is mounted when the first kmsg line is written (sys_early_mounts) */
static bool dev_deferred;

/* what we mounted (shim mode), for sys_early_umounts */
static bool mounted_proc, mounted_sys, mounted_dev;

static bool mount_if_absent(const char *probe, const char *type, const char *dir, const char *opts,
			    unsigned long flags);

void sys_dev_mount(void)
{
	if (mount_if_absent("/dev/kmsg", "devtmpfs", "/dev", "mode=0755", MS_NOSUID))
		mounted_dev = true;
}

void sys_kmsg(int level, const char *line)
{
	char buf[600];
	int n, fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && errno == ENOENT && dev_deferred) {
		sys_dev_mount();
		fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "<%d>%s\n", level, line);
	if (n > 0)
		(void)!write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	close(fd);
}

void sys_stderr(const char *line)
{
	(void)!write(STDERR_FILENO, line, strlen(line));
	(void)!write(STDERR_FILENO, "\n", 1);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t sys_boottime_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t sys_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

void sys_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long sys_getpid(void)
{
	return (long)getpid();
}

/* A mount point has another device than its parent. */
static int is_mountpoint(const char *path)
{
	char parent[64];
	struct stat a, b;

	snprintf(parent, sizeof(parent), "%s/..", path);
	if (stat(path, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev;
}

/* true when it mounted type on dir */
static bool mount_if_absent(const char *probe, const char *type, const char *dir, const char *opts,
			    unsigned long flags)
{
	if (probe && access(probe, F_OK) == 0)
		return false;
	if (!probe && is_mountpoint(dir))
		return false;
	(void)mkdir(dir, 0755);
	return mount(type, dir, type, flags, opts) == 0;
}

void sys_early_mounts(void)
{
	mounted_proc = mount_if_absent("/proc/self", "proc", "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	mounted_sys = mount_if_absent("/sys/kernel", "sysfs", "/sys", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	dev_deferred = true; /* the patch's load does not need /dev: sys_kmsg mounts it for its first line */
}

void sys_early_umounts(void)
{
	/* detached: a worker stopped at the bound may still hold a file of them */
	if (mounted_dev)
		(void)umount2("/dev", MNT_DETACH);
	if (mounted_sys)
		(void)umount2("/sys", MNT_DETACH);
	if (mounted_proc)
		(void)umount2("/proc", MNT_DETACH);
	mounted_dev = mounted_sys = mounted_proc = false; /* a later kmsg line mounts /dev again */
}

void sys_run_mount(void)
{
	/* systemd would mount an empty /run over ours: give it a tmpfs it keeps */
	(void)mount_if_absent(NULL, "tmpfs", "/run", "mode=0755", MS_NOSUID | MS_NODEV);
}

static int wait_child(pid_t pid, unsigned timeout_ms)
{
	struct timespec left = { (time_t)(timeout_ms / 1000), (long)(timeout_ms % 1000) * 1000000L };
	struct timespec deadline, now;
	sigset_t chld;
	int status;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += left.tv_sec;
	deadline.tv_nsec += left.tv_nsec;
	if (deadline.tv_nsec >= 1000000000L)
		deadline.tv_sec++, deadline.tv_nsec -= 1000000000L;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -(1000 + WTERMSIG(status));
		if (w < 0 && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline.tv_sec ||
		    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
			break;
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0)
			left.tv_sec--, left.tv_nsec += 1000000000L;
		(void)sigtimedwait(&chld, NULL, &left);
	}
	kill(pid, SIGKILL);
	/* a task stuck in the kernel may not die at once: never block on it */
	(void)waitpid(pid, &status, WNOHANG);
	return -ETIMEDOUT;
}

static void on_sigchld(int sig)
{
	(void)sig;
}

/* the worker's stack: its own, with an inaccessible page below it */
#define WORKER_STACK (256u * 1024u)
#define GUARD_PAGE 4096u

struct worker_start {
	int (*fn)(void *);
	void *arg;
	sigset_t mask;           /* the caller's, restored in the worker */
	struct sigaction chld;   /* the caller's SIGCHLD action, restored in the worker */
};

static int worker_entry(void *p)
{
	const struct worker_start *w = p;

	sigprocmask(SIG_SETMASK, &w->mask, NULL);
	sigaction(SIGCHLD, &w->chld, NULL);
	_exit(w->fn(w->arg) & 0xff);
}

/*
 * The worker shares our memory (CLONE_VM), as vfork's child does, but we do
 * not stop while it runs: no page tables to copy and no copy-on-write faults,
 * which under emulation (TCG) made the fork the largest cost before the
 * patch's insert. It has a stack of its own and its own signal actions. Its
 * errno is ours (one thread pointer): while it runs we only wait, and our
 * calls set errno only at the bound, when it is killed.
 */
static pid_t worker_clone(struct worker_start *w, void **stack)
{
	pid_t pid;
	/* an anonymous mapping takes fd -1 (cppcheck says otherwise) */
	char *st = mmap(NULL, WORKER_STACK + GUARD_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0); // cppcheck-suppress invalidFunctionArg

	if (st == MAP_FAILED)
		return -errno;
	(void)mprotect(st, GUARD_PAGE, PROT_NONE);
	pid = clone(worker_entry, st + WORKER_STACK + GUARD_PAGE, CLONE_VM | SIGCHLD, w);
	if (pid < 0) {
		int r = -errno;
		munmap(st, WORKER_STACK + GUARD_PAGE);
		return r;
	}
	*stack = st;
	return pid;
}

int sys_run_worker(int (*fn)(void *), void *arg, unsigned timeout_ms)
{
	/*
	 * As PID 1 a signal with the default action is dropped by the kernel;
	 * a handler (restored before exec) makes sure SIGCHLD is delivered.
	 */
	struct sigaction sa = { .sa_handler = on_sigchld };
	struct worker_start w = { .fn = fn, .arg = arg };
	sigset_t chld;
	void *stack = NULL;
	pid_t pid;
	int r;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaction(SIGCHLD, &sa, &w.chld);
	sigprocmask(SIG_BLOCK, &chld, &w.mask);
	pid = worker_clone(&w, &stack);
	r = pid < 0 ? pid : wait_child(pid, timeout_ms);
	/* only a worker that is gone leaves its stack: a killed one may not have died yet */
	if (pid > 0 && (r >= 0 || r <= -1000))
		munmap(stack, WORKER_STACK + GUARD_PAGE);
	sigprocmask(SIG_SETMASK, &w.mask, NULL);
	sigaction(SIGCHLD, &w.chld, NULL);
	return r;
}

int sys_exec(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	return -errno;
}

void sys_hang(void)
{
	for (;;)
		pause();
}

/* ---- the crash-loop guard's store: EFI variables through efivarfs ---- */

#define EFI_DIR "/sys/firmware/efi"
#define EFIVARS EFI_DIR "/efivars"
#define EFIVARFS_MAGIC_NR 0xde5e81e4u
/* <linux/fs.h>, which musl's headers do not carry (the argument is an int all the same) */
#define FS_IOC_GETFLAGS_NR _IOR('f', 1, long)
#define FS_IOC_SETFLAGS_NR _IOW('f', 2, long)
#define FS_IMMUTABLE_FL_BIT 0x00000010

static int efivars_mounted(void)
{
	struct statfs s;

	return statfs(EFIVARS, &s) == 0 && (uint32_t)s.f_type == EFIVARFS_MAGIC_NR;
}

static int insert_efivarfs(void)
{
	int fd = open(KLP_EFIVARFS_KO, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = sys_finit_module(fd);
	close(fd);
	return r == -EEXIST ? 0 : r;
}

int sys_efivars_setup(void)
{
	int r;

	if (access(EFI_DIR, F_OK) != 0)
		return 0;
	if (efivars_mounted())
		return 1;
	if (mount("efivarfs", EFIVARS, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return 1;
	if (errno != ENODEV)
		return -errno;
	/* a modular efivarfs: insert the copy the initrd carries, then retry */
	r = insert_efivarfs();
	if (r < 0)
		return r;
	return mount("efivarfs", EFIVARS, "efivarfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 ? 1
												     : -errno;
}

static void efivar_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, EFIVARS "/%s", name);
}

ssize_t sys_efivar_read(const char *name, char *buf, size_t len, uint32_t *attrs)
{
	char path[160], raw[4 + 512 + 1]; /* one byte more than accepted: to see an oversized one */
	ssize_t n;
	int fd;

	efivar_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* efivarfs hands out attributes and data in one read */
	do
		n = read(fd, raw, sizeof(raw));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	if (n < 4)
		return -ENODATA;
	if ((size_t)n - 4 > len || (size_t)n - 4 > 512)
		return -E2BIG;
	memcpy(attrs, raw, 4);
	memcpy(buf, raw + 4, (size_t)n - 4);
	return n - 4;
}

/* efivarfs marks variables it does not know as immutable; lift that to change one. */
static int efivar_make_mutable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), flags, r = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, FS_IOC_GETFLAGS_NR, &flags) < 0)
		r = -errno;
	else if (flags & FS_IMMUTABLE_FL_BIT) {
		flags &= ~FS_IMMUTABLE_FL_BIT;
		if (ioctl(fd, FS_IOC_SETFLAGS_NR, &flags) < 0)
			r = -errno;
	}
	close(fd);
	return r;
}

int sys_efivar_write(const char *name, const char *data, size_t len)
{
	char path[160], raw[4 + 512];
	uint32_t attrs = KLP_EFI_ATTRS;
	ssize_t n;
	int fd, r;

	if (len > sizeof(raw) - 4)
		return -E2BIG;
	efivar_path(name, path, sizeof(path));
	r = efivar_make_mutable(path);
	if (r < 0 && r != -ENOENT)
		return r;
	memcpy(raw, &attrs, 4);
	memcpy(raw + 4, data, len);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* one write: attributes and the whole value (SetVariable replaces it) */
	do
		n = write(fd, raw, len + 4);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : (size_t)n != len + 4 ? -EIO : 0;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int sys_efivar_delete(const char *name)
{
	char path[160];
	int r;

	efivar_path(name, path, sizeof(path));
	r = efivar_make_mutable(path);
	if (r < 0)
		return r;
	return unlink(path) < 0 ? -errno : 0;
}
