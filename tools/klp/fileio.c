// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileio.c: the whole-file reader and the atomic writer of klp (files of
 * the system, /proc and /sys texts, klp's own files), KEY=value texts and
 * fsync by path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"

int klp_read_text(const char *path, size_t max, char **out, size_t *outlen)
{
	size_t len = 0, cap = max < 4096 ? max : 4096;
	char *buf = malloc(cap + 1), extra;
	int fd, r = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(buf);
		return r;
	}
	for (;;) {
		ssize_t n;

		if (len == cap && cap < max) {
			char *p;

			cap = cap * 2 > max ? max : cap * 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				r = -ENOMEM;
				break;
			}
			buf = p;
		}
		/* full at max: one more byte says whether the file ends there */
		n = len < cap ? read(fd, buf + len, cap - len) : read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (len == cap) {
			r = -EFBIG;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*out = buf;
	if (outlen)
		*outlen = len;
	return 0;
}

char *klp_file_read(const char *path, size_t max)
{
	char *text = NULL;

	return klp_read_text(path, max, &text, NULL) < 0 ? NULL : text;
}

char *klp_fd_read(int fd, size_t max, bool tail)
{
	struct stat st;
	off_t off = 0;
	size_t n = 0;
	char *buf;

	if (fstat(fd, &st) < 0 || !(buf = malloc(max + 1)))
		return NULL;
	if (tail && (unsigned long long)st.st_size > max)
		off = st.st_size - (off_t)max;
	while (n < max) {
		ssize_t k = pread(fd, buf + n, max - n, off + (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return buf;
}

void klp_text_value(const char *text, const char *key, char *out, size_t len)
{
	size_t k = strlen(key);
	const char *l;

	out[0] = '\0';
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t n = strcspn(l, "\n");
		if (n > k && !strncmp(l, key, k) && l[k] == '=') {
			const char *v = l + k + 1;
			n -= k + 1;
			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
				v++, n -= 2;
			snprintf(out, len, "%.*s", (int)n, v);
		}
	}
}

int klp_fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* six characters of [A-Za-z0-9] from the kernel's random pool (the time and pid if it has none yet) */
static void random_suffix(char out[7])
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b[6];
	size_t i;

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		struct timespec t;
		unsigned long long x;

		clock_gettime(CLOCK_REALTIME, &t);
		x = (unsigned long long)t.tv_nsec * 2654435761u ^ (unsigned long long)getpid() << 20;
		for (i = 0; i < sizeof(b); i++, x >>= 8)
			b[i] = (unsigned char)x;
	}
	for (i = 0; i < sizeof(b); i++)
		out[i] = set[b[i] % (sizeof(set) - 1)];
	out[6] = '\0';
}

int klp_atomic_open(struct klp_atomic *a, int dir_fd, const char *name, mode_t mode)
{
	const char *base = strrchr(name, '/');
	char sfx[7];
	int n, r, tries;

	base = base ? base + 1 : name;
	a->dir_fd = dir_fd;
	a->fd = -1;
	if (strlen(name) >= sizeof(a->name))
		return -ENAMETOOLONG;
	memcpy(a->name, name, strlen(name) + 1);
	for (tries = 0; tries < 100; tries++) {
		random_suffix(sfx);
		n = snprintf(a->tmp, sizeof(a->tmp), "%.*s.%s.klp-%s", (int)(base - name), name, base, sfx);
		if (n < 0 || (size_t)n >= sizeof(a->tmp))
			return -ENAMETOOLONG;
		a->fd = openat(dir_fd, a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (a->fd >= 0 || errno != EEXIST)
			break;
	}
	if (a->fd < 0)
		return -errno;
	if (fchmod(a->fd, mode) < 0) {
		r = -errno;
		close(a->fd);
		a->fd = -1;
		unlinkat(dir_fd, a->tmp, 0);
		return r;
	}
	return a->fd;
}

int klp_atomic_commit(struct klp_atomic *a, int r)
{
	if (a->fd >= 0) {
		if (close(a->fd) < 0 && r == 0)
			r = -errno;
		a->fd = -1;
	}
	if (r == 0 && renameat(a->dir_fd, a->tmp, a->dir_fd, a->name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(a->dir_fd, a->tmp, 0);
	return r;
}
