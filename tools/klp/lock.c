// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lock.c: one regenerate run at a time per boot folder, and what runs that
 * died left in it. The lock is flock(2) on BOOT itself: every run that
 * writes into a boot folder, or sweeps temporary files out of it, holds that
 * folder's lock, whatever its run folder. Helpers (dracut, zipl) inherit it,
 * so after a SIGKILL the next run takes it only when all of them are gone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "kernel.h"
#include "regen.h"

bool klp_regen_is_temp(const char *name)
{
	const char *k = strrchr(name, '.');
	size_t i;

	if (name[0] != '.' || !k || k == name || strncmp(k, ".klp-", 5) || strlen(k + 5) != 6)
		return false;
	for (i = 5; k[i]; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9')))
			return false;
	return k - name > 1;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return name[0] == '.' && n > k + 1 && !strcmp(name + n - k, suffix);
}

static bool is_keep(const char *name)
{
	return has_suffix(name, KEEP_SUFFIX);
}

/* what a run that died leaves: a temporary file, or an old initrd's second name */
static bool is_leftover(const char *name)
{
	return klp_regen_is_temp(name) || has_suffix(name, SWAP_SUFFIX);
}

/* The exclusive lock: flock(2) on the boot folder, waited for up to timeout seconds; returns its fd. */
int klp_lock_take(const struct klp_regen_opts *o)
{
	char holder[32] = "?";
	double deadline = klp_now_s() + o->lock_timeout;
	bool said = false;
	int fd, r;

	fd = open(o->sys.boot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		klp_err("regenerate: cannot open %s: %s", o->sys.boot, strerror(-r));
		return r;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = -errno;
			klp_err("regenerate: cannot lock %s: %s", o->sys.boot, strerror(-r));
			close(fd);
			return r;
		}
		if (klp_got_signal) {
			close(fd);
			klp_die_of_signal(NULL);
		}
		if (!said) {
			long pid = klp_kernel_flock_holder(fd);
			if (pid > 0)
				snprintf(holder, sizeof(holder), "%ld", pid);
			klp_err("regenerate: waiting for the lock on %s (taken by pid %s, another klp regenerate)"
					" for up to %u s", o->sys.boot, holder, o->lock_timeout);
			said = true;
		}
		if (klp_now_s() >= deadline) {
			klp_err("regenerate: timed out after %u s waiting for the lock on %s (taken by pid %s)",
				o->lock_timeout, o->sys.boot, holder);
			close(fd);
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

/* Temporary files of runs that died (SIGKILL, power loss): we hold the lock, so nobody writes them. */
void klp_temps_remove(const char *boot, time_t taken)
{
	struct dirent *d;
	struct stat st;
	DIR *dh = opendir(boot);

	if (!dh)
		return;
	while ((d = readdir(dh))) {
		if (!is_leftover(d->d_name) || fstatat(dirfd(dh), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > taken)
			continue;
		if (unlinkat(dirfd(dh), d->d_name, 0) == 0)
			klp_err("regenerate: removed %s/%s, left by an interrupted run", boot, d->d_name);
	}
	closedir(dh);
}

static bool dir_has(const char *dir, bool (*pred)(const char *))
{
	struct dirent *d;
	bool found = false;
	DIR *dh = opendir(dir);

	if (!dh)
		return false;
	while (!found && (d = readdir(dh)))
		found = pred(d->d_name);
	closedir(dh);
	return found;
}

bool klp_keeps_exist(const char *boot)
{
	return dir_has(boot, is_keep);
}

/* Nothing to rebuild, but an interrupted run left a temporary file: remove it if nobody holds the lock. */
void klp_temps_sweep(const struct klp_regen_opts *o)
{
	int fd;

	if (!dir_has(o->sys.boot, is_leftover))
		return;
	fd = open(o->sys.boot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		klp_temps_remove(o->sys.boot, time(NULL));
	close(fd);
}

void klp_keeps_remove(const char *boot)
{
	struct dirent *d;
	DIR *dh = opendir(boot);

	if (!dh)
		return;
	while ((d = readdir(dh)))
		if (is_keep(d->d_name))
			(void)unlinkat(dirfd(dh), d->d_name, 0);
	closedir(dh);
}

