// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD library for klp's golden tests, after kmod's testsuite: klp
 * runs against a fake root instead of the kernel.
 *
 * KLP_TEST_ROOT=DIR    absolute paths under /sys, /proc (but /proc/self),
 *                      /run, /usr/share/livepatch, /lib/modules, /etc/klp and
 *                      /boot are looked up under DIR instead (open, fopen, stat,
 *                      opendir, scandir, access, readlink, ...). Files in DIR
 *                      look owned by root (uid 0, gid 0) unless DIR/test/owners
 *                      says otherwise: lines "<path> <uid> [<octal mode>|-]".
 * KLP_TEST_UNAME=REL   uname() reports this release.
 * finit_module(2), called through syscall() as glibc has no wrapper, is faked:
 *   DIR/finit_module.result   an errno name (EKEYREJECTED, ...) to fail with;
 *                             absent, empty or "0": success
 *   DIR/finit_module.sysfs    "<enabled> <transition>" the new patch shows
 *                             (default "1 0"; "1 1" for a transition that hangs)
 *   On success the module's .modinfo (name=, srcversion=, livepatch=) is read
 *   from the file it was given (which must be ELF: the kernel here has no
 *   decompression, so a compressed file fails with ENOEXEC), and
 *   sys/module/<name>/ and, for a livepatch, sys/kernel/livepatch/<name>/ are
 *   created in DIR. A second load of the same name fails with EEXIST. Every
 *   call is logged to DIR/finit_module.log.
 * kexec_file_load(2), through syscall() too, is faked: logged to
 *   DIR/kexec_file_load.log (the files behind both fds and the command line);
 *   DIR/kexec_file_load.result an errno name to fail with, else success.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>

#define REAL(name) ((__typeof__(&(name)))real_sym(#name))

static void *real_sym(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "klp-preload: no %s in libc\n", name);
		abort();
	}
	return f;
}

static const char *root(void)
{
	const char *r = getenv("KLP_TEST_ROOT");

	return r && r[0] == '/' ? r : NULL;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static bool redirected(const char *path)
{
	static const char *const prefixes[] = {
		"/sys", "/proc", "/run", "/usr/share/livepatch", "/lib/modules", "/etc/klp", "/boot",
	};
	const char *r = root();
	size_t i;

	if (!r || !path || path[0] != '/' || under(path, r))
		return false;
	if (under(path, "/proc/self") || under(path, "/proc/thread-self"))
		return false;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (under(path, prefixes[i]))
			return true;
	return false;
}

static const char *redirect(const char *path, char *buf, size_t len)
{
	if (!redirected(path))
		return path;
	if ((size_t)snprintf(buf, len, "%s%s", root(), path) >= len)
		return "/nonexistent/klp-preload/path-too-long";
	return buf;
}

/* ---- ownership: files of the fake root look root-owned ---- */

static void fake_owner(const char *real, struct stat *st)
{
	const char *r = root();
	char path[PATH_MAX + 64], line[PATH_MAX + 64];
	FILE *f;

	if (!r || !under(real, r))
		return;
	st->st_uid = 0;
	st->st_gid = 0;
	snprintf(path, sizeof(path), "%s/test/owners", r);
	f = REAL(fopen)(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char p[PATH_MAX], mode[16] = "-";
		unsigned uid;

		if (line[0] == '#' || sscanf(line, "%4095s %u %15s", p, &uid, mode) < 2)
			continue;
		if (strcmp(real + strlen(r), p))
			continue;
		st->st_uid = uid;
		if (strcmp(mode, "-"))
			st->st_mode = (st->st_mode & ~07777u) | (strtoul(mode, NULL, 8) & 07777u);
	}
	fclose(f);
}

static void fake_owner_fd(int fd, struct stat *st)
{
	char link[64], real[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = REAL(readlink)(link, real, sizeof(real) - 1);
	if (n <= 0)
		return;
	real[n] = '\0';
	fake_owner(real, st);
}

/* ---- path functions ---- */

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	return REAL(open)(redirect(path, buf, sizeof(buf)), flags, m);
}

int open64(const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	return REAL(open64)(redirect(path, buf, sizeof(buf)), flags, m);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	return REAL(openat)(dirfd, redirect(path, buf, sizeof(buf)), flags, m);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	char buf[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	return REAL(openat64)(dirfd, redirect(path, buf, sizeof(buf)), flags, m);
}

FILE *fopen(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return REAL(fopen)(redirect(path, buf, sizeof(buf)), mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	char buf[PATH_MAX];

	return REAL(fopen64)(redirect(path, buf, sizeof(buf)), mode);
}

DIR *opendir(const char *path)
{
	char buf[PATH_MAX];

	// cppcheck-suppress CastIntegerToAddressAtReturn ; REAL() has opendir's type, cppcheck skips __typeof__
	return REAL(opendir)(redirect(path, buf, sizeof(buf)));
}

int scandir(const char *path, struct dirent ***list, int (*filter)(const struct dirent *),
	    int (*compar)(const struct dirent **, const struct dirent **))
{
	char buf[PATH_MAX];

	return REAL(scandir)(redirect(path, buf, sizeof(buf)), list, filter, compar);
}

int scandir64(const char *path, struct dirent64 ***list, int (*filter)(const struct dirent64 *),
	      int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	char buf[PATH_MAX];

	return REAL(scandir64)(redirect(path, buf, sizeof(buf)), list, filter, compar);
}

int access(const char *path, int mode)
{
	char buf[PATH_MAX];

	return REAL(access)(redirect(path, buf, sizeof(buf)), mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[PATH_MAX];

	return REAL(faccessat)(dirfd, redirect(path, buf, sizeof(buf)), mode, flags);
}

ssize_t readlink(const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	return REAL(readlink)(redirect(path, buf, sizeof(buf)), out, len);
}

ssize_t readlinkat(int dirfd, const char *path, char *out, size_t len)
{
	char buf[PATH_MAX];

	return REAL(readlinkat)(dirfd, redirect(path, buf, sizeof(buf)), out, len);
}

int mkdir(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	return REAL(mkdir)(redirect(path, buf, sizeof(buf)), mode);
}

int unlink(const char *path)
{
	char buf[PATH_MAX];

	return REAL(unlink)(redirect(path, buf, sizeof(buf)));
}

#define STAT_WRAPPER(name, type)                                        \
	int name(const char *path, struct type *st)                     \
	{                                                               \
		char buf[PATH_MAX];                                     \
		const char *p = redirect(path, buf, sizeof(buf));       \
		int r = REAL(name)(p, st);                              \
		if (r == 0)                                             \
			fake_owner(p, (struct stat *)st);               \
		return r;                                               \
	}
STAT_WRAPPER(stat, stat)
STAT_WRAPPER(stat64, stat64)
STAT_WRAPPER(lstat, stat)
STAT_WRAPPER(lstat64, stat64)

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[PATH_MAX];
	const char *p = redirect(path, buf, sizeof(buf));
	int r = REAL(fstatat)(dirfd, p, st, flags);

	if (r == 0)
		fake_owner(p, st);
	return r;
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	char buf[PATH_MAX];
	const char *p = redirect(path, buf, sizeof(buf));
	int r = REAL(fstatat64)(dirfd, p, st, flags);

	if (r == 0)
		fake_owner(p, (struct stat *)st);
	return r;
}

int fstat(int fd, struct stat *st)
{
	int r = REAL(fstat)(fd, st);

	if (r == 0)
		fake_owner_fd(fd, st);
	return r;
}

int fstat64(int fd, struct stat64 *st)
{
	int r = REAL(fstat64)(fd, st);

	if (r == 0)
		fake_owner_fd(fd, (struct stat *)st);
	return r;
}

/* ---- uname ---- */

int uname(struct utsname *u)
{
	const char *rel = getenv("KLP_TEST_UNAME");
	int r = REAL(uname)(u);

	if (r == 0 && rel)
		snprintf(u->release, sizeof(u->release), "%s", rel);
	return r;
}

/* ---- finit_module ---- */

static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "EKEYREJECTED", EKEYREJECTED }, { "EKEYEXPIRED", EKEYEXPIRED }, { "ENOKEY", ENOKEY },
	{ "EPERM", EPERM },		  { "EACCES", EACCES },		  { "ENOEXEC", ENOEXEC },
	{ "EEXIST", EEXIST },		  { "EBUSY", EBUSY },		  { "EINVAL", EINVAL },
	{ "ENOMEM", ENOMEM },		  { "ENODEV", ENODEV },		  { "ENOENT", ENOENT },
	{ "ENOSYS", ENOSYS },		  { "EBADMSG", EBADMSG },	  { "EFAULT", EFAULT },
};

static void root_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s/", root());

	va_start(ap, fmt);
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
}

static void read_word(const char *path, char *buf, size_t len)
{
	FILE *f = REAL(fopen)(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, " \t\r\n")] = '\0';
}

static void write_file(const char *path, const char *text)
{
	FILE *f = REAL(fopen)(path, "we");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			REAL(mkdir)(path, 0755);
			*p = '/';
		}
	REAL(mkdir)(path, 0755);
}

/* value of key= in the module's .modinfo strings (NUL-separated) */
static bool modinfo(const char *data, size_t len, const char *key, char *out, size_t outlen)
{
	size_t k = strlen(key), i;

	for (i = 0; i + k + 1 < len; i++) {
		if ((i == 0 || data[i - 1] == '\0') && !memcmp(data + i, key, k) && data[i + k] == '=') {
			const char *v = data + i + k + 1;
			size_t n = strnlen(v, len - i - k - 1);

			if (n >= outlen)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

/* What a loaded module shows in the fake sysfs; a livepatch as finit_module.sysfs scripts it. */
static void fake_sysfs(const char *name, const char *src, const char *lp)
{
	char path[PATH_MAX], line[256], en[8] = "1", tr[8] = "0";

	root_path(path, sizeof(path), "sys/module/%s", name);
	mkdirs(path);
	root_path(path, sizeof(path), "sys/module/%s/srcversion", name);
	snprintf(line, sizeof(line), "%s\n", src);
	if (src[0])
		write_file(path, line);
	root_path(path, sizeof(path), "sys/module/%s/taint", name);
	write_file(path, "OEK\n");
	if (!strcmp(lp, "Y")) {
		root_path(path, sizeof(path), "finit_module.sysfs");
		FILE *f = REAL(fopen)(path, "re");
		if (f) {
			if (fscanf(f, "%7s %7s", en, tr) != 2)
				strcpy(en, "1"), strcpy(tr, "0");
			fclose(f);
		}
		root_path(path, sizeof(path), "sys/kernel/livepatch/%s", name);
		mkdirs(path);
		root_path(path, sizeof(path), "sys/kernel/livepatch/%s/enabled", name);
		snprintf(line, sizeof(line), "%s\n", en);
		write_file(path, line);
		root_path(path, sizeof(path), "sys/kernel/livepatch/%s/transition", name);
		snprintf(line, sizeof(line), "%s\n", tr);
		write_file(path, line);
	}
}

static long fake_finit(int fd, const char *params, int flags)
{
	char path[PATH_MAX], word[64], name[64], src[64] = "", lp[8] = "";
	struct stat st;
	size_t len = 0, i;
	char *data;
	FILE *log;

	root_path(path, sizeof(path), "finit_module.log");
	log = REAL(fopen)(path, "ae");
	if (log)
		fprintf(log, "finit_module(params='%s', flags=%d)", params ? params : "(null)", flags);
	root_path(path, sizeof(path), "finit_module.result");
	read_word(path, word, sizeof(word));
	if (word[0] && strcmp(word, "0")) {
		for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
			if (!strcmp(word, errnames[i].name))
				break;
		if (log)
			fprintf(log, " = %s (scripted)\n", word), fclose(log);
		errno = i < sizeof(errnames) / sizeof(errnames[0]) ? errnames[i].err : EINVAL;
		return -1;
	}
	if (REAL(fstat)(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (1 << 24) ||
	    !(data = malloc((size_t)st.st_size))) {
		if (log)
			fprintf(log, " = EBADF\n"), fclose(log);
		errno = EBADF;
		return -1;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, data + len, (size_t)st.st_size - len, (off_t)len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len < 4 || memcmp(data, "\177ELF", 4) || !modinfo(data, len, "name", name, sizeof(name))) {
		if (log)
			fprintf(log, " = ENOEXEC (not an ELF module)\n"), fclose(log);
		free(data);
		errno = ENOEXEC;
		return -1;
	}
	modinfo(data, len, "srcversion", src, sizeof(src));
	modinfo(data, len, "livepatch", lp, sizeof(lp));
	free(data);
	root_path(path, sizeof(path), "sys/module/%s", name);
	if (REAL(stat)(path, &st) == 0) {
		if (log)
			fprintf(log, " = EEXIST (%s)\n", name), fclose(log);
		errno = EEXIST;
		return -1;
	}
	fake_sysfs(name, src, lp);
	if (log)
		fprintf(log, " = 0 (%s srcversion=%s livepatch=%s)\n", name, src, lp), fclose(log);
	return 0;
}

/* delete_module: refused (EBUSY) while the module is an active livepatch in sysfs */
static long fake_delete(const char *name)
{
	char path[PATH_MAX], file[PATH_MAX + 256];
	struct dirent *e;
	struct stat st;
	FILE *log;
	DIR *d;

	root_path(path, sizeof(path), "finit_module.log");
	log = REAL(fopen)(path, "ae");
	if (log)
		fprintf(log, "delete_module(%s)", name);
	root_path(path, sizeof(path), "sys/kernel/livepatch/%s", name);
	if (REAL(stat)(path, &st) == 0) {
		if (log)
			fprintf(log, " = EBUSY\n"), fclose(log);
		errno = EBUSY;
		return -1;
	}
	root_path(path, sizeof(path), "sys/module/%s", name);
	d = REAL(opendir)(path);
	if (!d) {
		if (log)
			fprintf(log, " = ENOENT\n"), fclose(log);
		errno = ENOENT;
		return -1;
	}
	while ((e = REAL(readdir)(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
	if (log)
		fprintf(log, " = 0\n"), fclose(log);
	return 0;
}

#ifdef SYS_kexec_file_load
static long fake_kexec(int kfd, int ifd, unsigned long len, const char *cmdline)
{
	char path[PATH_MAX], word[64], k[PATH_MAX] = "", i[PATH_MAX] = "";
	ssize_t n;
	size_t e;
	FILE *log;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", kfd);
	if ((n = REAL(readlink)(path, k, sizeof(k) - 1)) > 0)
		k[n] = '\0';
	snprintf(path, sizeof(path), "/proc/self/fd/%d", ifd);
	if ((n = REAL(readlink)(path, i, sizeof(i) - 1)) > 0)
		i[n] = '\0';
	root_path(path, sizeof(path), "kexec_file_load.result");
	read_word(path, word, sizeof(word));
	root_path(path, sizeof(path), "kexec_file_load.log");
	log = REAL(fopen)(path, "ae");
	if (log)
		fprintf(log, "kexec_file_load(kernel=%s, initrd=%s, cmdline='%s', len=%lu) = %s\n", k, i, cmdline, len,
			word[0] && strcmp(word, "0") ? word : "0"),
			fclose(log);
	if (!word[0] || !strcmp(word, "0"))
		return 0;
	for (e = 0; e < sizeof(errnames) / sizeof(errnames[0]); e++)
		if (!strcmp(word, errnames[e].name))
			break;
	errno = e < sizeof(errnames) / sizeof(errnames[0]) ? errnames[e].err : EINVAL;
	return -1;
}
#endif

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_finit_module && root())
		return fake_finit((int)a[0], (const char *)a[1], (int)a[2]);
	if (nr == SYS_delete_module && root())
		return fake_delete((const char *)a[0]);
#ifdef SYS_kexec_file_load
	if (nr == SYS_kexec_file_load && root())
		return fake_kexec((int)a[0], (int)a[1], (unsigned long)a[2], (const char *)a[3]);
#endif
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
