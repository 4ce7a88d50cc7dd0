// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel.c: the only file of klp that talks to the kernel (syscalls,
 * /sys/kernel/livepatch, /sys/module, /proc). Tests run klp with an
 * LD_PRELOAD library that redirects these paths into a fake tree and
 * fakes uname() and finit_module (called through syscall(), as kmod does).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "kernel.h"

#define SYSFS_LIVEPATCH "/sys/kernel/livepatch"
#define SYSFS_MODULE "/sys/module"

int klp_kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	if ((size_t)snprintf(buf, len, "%s", u.release) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* A small attribute file, trailing newline removed. */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (int)n;
}

static char *read_attr_dup(const char *path)
{
	char buf[256];

	return read_attr(path, buf, sizeof(buf)) < 0 ? NULL : strdup(buf);
}

/* 1, 0, or -errno (-ENOENT when the kernel has no such attribute) */
static int read_flag(const char *name, const char *attr)
{
	char path[512], buf[32];
	int r;

	snprintf(path, sizeof(path), SYSFS_LIVEPATCH "/%s/%s", name, attr);
	r = read_attr(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	return buf[0] == '1' ? 1 : 0;
}

bool klp_kernel_has_livepatch(void)
{
	struct stat st;

	return stat(SYSFS_LIVEPATCH, &st) == 0 && S_ISDIR(st.st_mode);
}

bool klp_kernel_kexec_loaded(void)
{
	char buf[8];

	return read_attr("/sys/kernel/kexec_loaded", buf, sizeof(buf)) >= 0 && buf[0] == '1';
}

void klp_live_clear(struct klp_live *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->srcversion);
	free(p->taint);
	memset(p, 0, sizeof(*p));
}

int klp_kernel_patch_read(const char *name, struct klp_live *p)
{
	char path[512];
	int r;

	memset(p, 0, sizeof(*p));
	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return -EINVAL;
	r = read_flag(name, "enabled");
	if (r == -ENOENT)
		return -ENOENT;
	p->enabled = r < 0 ? -1 : r;
	r = read_flag(name, "transition");
	p->transition = r < 0 ? -1 : r;
	r = read_flag(name, "replace");
	p->replace = r < 0 ? -1 : r; /* kernel 6.1 has no such attribute */
	p->name = strdup(name);
	snprintf(path, sizeof(path), SYSFS_MODULE "/%s/srcversion", name);
	p->srcversion = read_attr_dup(path);
	snprintf(path, sizeof(path), SYSFS_MODULE "/%s/taint", name);
	p->taint = read_attr_dup(path);
	if (!p->name) {
		klp_live_clear(p);
		return -ENOMEM;
	}
	return 0;
}

bool klp_kernel_module_loaded(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), SYSFS_MODULE "/%s", name);
	return stat(path, &st) == 0;
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int klp_kernel_patches(struct klp_live_list *out)
{
	struct dirent **ents = NULL;
	int n, i, r = 0;

	memset(out, 0, sizeof(*out));
	n = scandir(SYSFS_LIVEPATCH, &ents, not_dot, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	out->v = calloc((size_t)n + 1, sizeof(*out->v));
	if (!out->v)
		r = -ENOMEM;
	for (i = 0; i < n; i++) {
		if (r == 0) {
			int e = klp_kernel_patch_read(ents[i]->d_name, &out->v[out->n]);
			if (e == 0)
				out->n++;
			else if (e != -ENOENT && e != -EINVAL) /* gone meanwhile, or not a patch */
				r = e;
		}
		free(ents[i]);
	}
	free(ents);
	if (r < 0)
		klp_lives_free(out);
	return r;
}

void klp_lives_free(struct klp_live_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		klp_live_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int klp_kernel_tainted(unsigned long *out)
{
	char buf[64], *end;
	int r = read_attr("/proc/sys/kernel/tainted", buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*out = strtoul(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

/* ---- tasks ---- */

static long numeric(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtol(s, &end, 10);
	return *end ? -1 : v;
}

static int tasks_add(struct klp_tasks *t, long tgid, long tid, const char *dir)
{
	char path[512], buf[32];
	struct klp_task *k;
	int r;

	snprintf(path, sizeof(path), "%s/patch_state", dir);
	r = read_attr(path, buf, sizeof(buf));
	if (r == -ENOENT || r == -ESRCH)
		return 0; /* exited meanwhile */
	if (r < 0) {
		t->unreadable++;
		return 0;
	}
	if (t->n % 64 == 0) {
		k = realloc(t->v, (t->n + 64) * sizeof(*t->v));
		if (!k)
			return -ENOMEM;
		t->v = k;
	}
	k = &t->v[t->n];
	memset(k, 0, sizeof(*k));
	k->tgid = tgid;
	k->pid = tid;
	k->patch_state = (int)strtol(buf, NULL, 10);
	k->dir = strdup(dir);
	if (!k->dir)
		return -ENOMEM;
	t->n++;
	return 0;
}

static int by_ids(const void *a, const void *b)
{
	const struct klp_task *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The threads of one process: /proc/<pid>/task/<tid>, or /proc/<pid> itself. */
static int tasks_of(struct klp_tasks *t, long tgid)
{
	char dir[128], sub[192];
	struct dirent *d;
	DIR *td;
	int r = 0;

	snprintf(dir, sizeof(dir), "/proc/%ld/task", tgid);
	td = opendir(dir);
	if (!td) {
		snprintf(dir, sizeof(dir), "/proc/%ld", tgid);
		return tasks_add(t, tgid, tgid, dir);
	}
	while (r == 0 && (d = readdir(td))) {
		long tid = numeric(d->d_name);
		if (tid < 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%ld", dir, tid);
		r = tasks_add(t, tgid, tid, sub);
	}
	closedir(td);
	return r;
}

int klp_kernel_tasks(struct klp_tasks *out)
{
	struct dirent *d;
	DIR *proc;
	int r = 0;

	memset(out, 0, sizeof(*out));
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (r == 0 && (d = readdir(proc))) {
		long pid = numeric(d->d_name);
		if (pid > 0)
			r = tasks_of(out, pid);
	}
	closedir(proc);
	if (r < 0) {
		klp_tasks_free(out);
		return r;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_ids);
	return 0;
}

/* A /proc text file of at most max bytes, without its trailing newlines. */
static int read_whole(const char *path, size_t max, char **out)
{
	size_t len;
	int r = klp_read_text(path, max, out, &len);

	if (r < 0)
		return r;
	while (len > 0 && (*out)[len - 1] == '\n')
		(*out)[--len] = '\0';
	return 0;
}

int klp_kernel_task_read(const struct klp_task *t, const char *what, char **out)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t->dir, what);
	return read_whole(path, 1 << 16, out);
}

void klp_tasks_free(struct klp_tasks *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i].dir);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- loading ---- */

int klp_kernel_finit_module(int fd, const char *params, int flags)
{
	/* glibc has no wrapper; kmod calls it the same way */
	if (syscall(SYS_finit_module, fd, params, flags) < 0)
		return -errno;
	return 0;
}

int klp_kernel_delete_module(const char *name)
{
	/* O_NONBLOCK: fail with EBUSY/EWOULDBLOCK instead of waiting for users to go */
	if (syscall(SYS_delete_module, name, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* ---- kexec ---- */

int klp_kernel_kexec_file_load(const char *kernel, const char *initrd, const char *cmdline)
{
#ifdef SYS_kexec_file_load
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC), ifd, r = 0;

	if (kfd < 0)
		return -errno;
	ifd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		r = -errno;
		close(kfd);
		return r;
	}
	/* glibc has no wrapper; the length counts the terminating NUL. On failure the kernel keeps the loaded image. */
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline, 0UL) < 0)
		r = -errno;
	close(ifd);
	close(kfd);
	return r;
#else
	(void)kernel, (void)initrd, (void)cmdline;
	return -ENOSYS;
#endif
}

int klp_kernel_cmdline(char *buf, size_t len)
{
	char raw[4096], *w = buf, *tok, *save = NULL;
	int r = read_attr("/proc/cmdline", raw, sizeof(raw));

	if (r < 0)
		return r;
	*w = '\0';
	/* BOOT_IMAGE= is the boot loader's note of the file it loaded, not a parameter (kexec-tools drops it too) */
	for (tok = strtok_r(raw, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		size_t used = (size_t)(w - buf), n = strlen(tok);
		if (!strncmp(tok, "BOOT_IMAGE=", 11))
			continue;
		if (used + n + 2 > len)
			return -ENAMETOOLONG;
		if (used)
			*w++ = ' ';
		memcpy(w, tok, n);
		w += n;
		*w = '\0';
	}
	return 0;
}

bool klp_in_chroot(void)
{
	struct stat a, b;

	if (stat("/", &a) < 0 || stat("/proc/1/root/.", &b) < 0)
		return true; /* cannot tell: act as in a chroot */
	return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

bool klp_machine_is_s390(void)
{
	struct utsname u;

	return uname(&u) == 0 && !strncmp(u.machine, "s390", 4);
}

/* /proc/self/mountinfo, whole, NUL-terminated; NULL with errno set. */
char *klp_kernel_mountinfo(void)
{
	char *text = NULL;
	int r = read_whole("/proc/self/mountinfo", 1u << 26, &text);

	if (r < 0) {
		errno = -r;
		return NULL;
	}
	return text;
}

/* The superblock's device number of mount mnt, from mountinfo: "MOUNT-ID PARENT-ID MAJOR:MINOR ..." */
static int mount_dev(unsigned long long mnt, unsigned long long *id)
{
	char *text = klp_kernel_mountinfo(), *l;
	int r = -ENOENT;

	if (!text)
		return -errno;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *e;
		unsigned long maj, min;
		if (strtoull(l, &e, 10) != mnt || e == l || *e != ' ')
			continue;
		(void)strtoull(e + 1, &e, 10);
		maj = *e == ' ' ? strtoul(e + 1, &e, 10) : 0;
		min = *e == ':' ? strtoul(e + 1, &e, 10) : 0;
		if (*e == ' ') {
			*id = (unsigned long long)makedev(maj, min);
			r = 0;
		}
		break;
	}
	free(text);
	return r;
}

/*
 * Which filesystem holds fd's file: the superblock's device number (what
 * /proc/self/mountinfo shows for fd's mount, found by statx's mount id). The
 * st_dev of a file is not it on btrfs: every subvolume has its own.
 */
int klp_kernel_fs_id(int fd, unsigned long long *id)
{
	struct statx sx;
	struct statfs sf;
	struct stat st;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID) &&
	    mount_dev(sx.stx_mnt_id, id) == 0)
		return 0;
	/* before Linux 5.8 (or a mount id mountinfo does not list): st_dev, but not on btrfs */
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (sf.f_type == BTRFS_SUPER_MAGIC)
		return -EOPNOTSUPP;
	*id = (unsigned long long)st.st_dev;
	return 0;
}

/* One line of /proc/locks, "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF": its pid when it locks st's file. */
static long flock_line_pid(const char *l, size_t n, const struct stat *st)
{
	const char *p = memchr(l, ':', n);
	unsigned long maj, min;
	unsigned long long ino;
	char *e;
	long pid;

	if (!p)
		return 0;
	p += 1 + strspn(p + 1, " ");
	/* a waiter's line reads "1: -> FLOCK ..." */
	if (strncmp(p, "FLOCK ", 6) || !(p = strstr(p, " WRITE ")) || p > l + n)
		return 0;
	pid = strtol(p + 7, &e, 10);
	maj = *e == ' ' ? strtoul(e + 1, &e, 16) : 0;
	min = *e == ':' ? strtoul(e + 1, &e, 16) : 0;
	ino = *e == ':' ? strtoull(e + 1, &e, 10) : 0;
	if (*e != ' ' || ino != (unsigned long long)st->st_ino || makedev(maj, min) != st->st_dev)
		return 0;
	return pid;
}

/* The pid that took the flock(2) lock on fd's file, from /proc/locks; -ENOENT when none is listed. */
long klp_kernel_flock_holder(int fd)
{
	struct stat st;
	char *text = NULL, *l;
	long pid = -ENOENT;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((r = read_whole("/proc/locks", 1u << 26, &text)) < 0)
		return r;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		long p = flock_line_pid(l, strcspn(l, "\n"), &st);
		if (p > 0)
			pid = p;
	}
	free(text);
	return pid;
}

/* ext4's journal checkpoint (fs/ext4/ext4.h, Linux >= 5.13; not in the uapi headers) */
#define KLP_EXT4_IOC_CHECKPOINT _IOW('f', 43, uint32_t)

int klp_kernel_fs_checkpoint(const char *dir)
{
	uint32_t flags = 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (syncfs(fd) < 0)
		r = -errno;
	else if (ioctl(fd, KLP_EXT4_IOC_CHECKPOINT, &flags) < 0)
		/* not ext4, or ext4 without a journal (ENODEV): nothing is left to write in place */
		r = errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL || errno == ENODEV ? 0 : -errno;
	close(fd);
	return r;
}

/* The child of klp_kernel_fs_sync_in_place: freezes and thaws; exits with the errno. */
static int freeze_thaw(int fd)
{
	if (ioctl(fd, FIFREEZE, 0) < 0)
		return errno == EOPNOTSUPP || errno == EBUSY || errno == ENOTTY || errno == EINVAL ? 0 : errno;
	return ioctl(fd, FITHAW, 0) < 0 ? errno : 0;
}

/*
 * FIFREEZE + FITHAW on the file system holding dir, as dracut does: the
 * journal is written to its final place. A child freezes and thaws, with
 * every signal blocked; if it dies in between all the same (SIGKILL, the
 * OOM killer), klp thaws; if klp dies, the child still thaws. Only both
 * killed at once can leave the file system frozen: callers freeze only a
 * file system that holds neither / nor klp's own files. 0 also when it
 * cannot be frozen (tmpfs, vfat: EOPNOTSUPP) or is frozen by someone else
 * (EBUSY).
 */
int klp_kernel_fs_sync_in_place(const char *dir)
{
	sigset_t all, old;
	int fd, st = 0, r = 0;
	pid_t pid;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0)
		_exit(freeze_thaw(fd));
	if (pid < 0) {
		r = -errno;
	} else if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st)) {
		/* it died, perhaps frozen: thaw (EINVAL when it never froze or thawed already) */
		(void)ioctl(fd, FITHAW, 0);
		r = -EINTR;
	} else {
		r = -WEXITSTATUS(st);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fd);
	return r;
}
