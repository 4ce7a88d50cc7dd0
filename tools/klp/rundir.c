// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rundir.c: the run folder of klp regenerate ($KLP_RUN_DIR, default
 * /run/klp), which holds dracut's and zipl's logs and the stamps that let
 * --if-needed skip an initrd. klp runs as root: whoever can change that
 * folder could point a log at any file (root would overwrite it) or forge a
 * stamp (a stale initrd would be left alone). So it is trusted only when
 * nobody else can change it: its path is made canonical, then walked from /
 * without following links; every folder on the way must be owned by root or
 * by us and writable by nobody else unless sticky (/tmp), and the run
 * folder itself must be ours and writable by nobody else. It is then used
 * through the descriptor returned (openat and friends), never by its name:
 * a folder renamed afterwards changes nothing. Files in it are opened
 * without following links, new ones with O_EXCL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klp.h"
#include "regen.h"

static int mkdir_p(const char *path)
{
	char p[PATH_MAX], *s;

	if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* May the folder walked so far (fd, named name) hold our run folder, or be it (last)? */
static int judge(int fd, const char *name, const char *run_dir, bool last, char *why, size_t len)
{
	uid_t me = geteuid();
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(why, len, "the run folder %s: %s: %s", run_dir, name, strerror(errno));
		return -errno;
	}
	if (last && st.st_uid != me) {
		snprintf(why, len, "the run folder %s is owned by uid %u, not by uid %u (klp's)", run_dir,
			 (unsigned)st.st_uid, (unsigned)me);
		return -EPERM;
	}
	if (last && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(why, len, "the run folder %s is writable by others (mode %04o)", run_dir,
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (!last && st.st_uid != 0 && st.st_uid != me) {
		snprintf(why, len, "the run folder %s: %s is owned by uid %u", run_dir, name, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (!last && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, len, "the run folder %s: %s is writable by others (mode %04o)", run_dir, name,
			 (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int klp_run_dir_open(const char *run_dir, char *why, size_t len)
{
	char real[PATH_MAX], walked[PATH_MAX] = "";
	const char *p = real;
	int fd, r;

	if ((r = mkdir_p(run_dir)) < 0 || !realpath(run_dir, real)) {
		r = r < 0 ? r : -errno;
		snprintf(why, len, "cannot create the run folder %s: %s", run_dir, strerror(-r));
		return r;
	}
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		snprintf(why, len, "the run folder %s: /: %s", run_dir, strerror(-r));
		return r;
	}
	if ((r = judge(fd, "/", run_dir, !real[1], why, len)) < 0) {
		close(fd);
		return r;
	}
	while (*(p += strspn(p, "/"))) {
		size_t n = strcspn(p, "/"), w = strlen(walked);
		int next;
		snprintf(walked + w, sizeof(walked) - w, "/%.*s", (int)n, p);
		/* the first one by its absolute name (qemu-user's -L maps "/" itself to its prefix) */
		next = openat(w ? fd : AT_FDCWD, w ? walked + w + 1 : walked, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0) {
			r = -errno;
			snprintf(why, len, "the run folder %s: %s: %s", run_dir, walked, strerror(-r));
			return r;
		}
		fd = next;
		p += n;
		if ((r = judge(fd, walked, run_dir, !p[strspn(p, "/")], why, len)) < 0) {
			close(fd);
			return r;
		}
	}
	return fd;
}

int klp_run_file_create(int dir_fd, const char *name)
{
	int fd;

	if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	return fd;
}

int klp_run_file_open(int dir_fd, const char *name)
{
	struct stat st = { 0 };
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		close(fd);
		return r;
	}
	return fd;
}
