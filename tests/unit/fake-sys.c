// SPDX-License-Identifier: GPL-2.0-or-later
/* fake-sys: see fake-sys.h. Implements every function of sys.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-sys.h"
#include "klp-early.h"
#include "sys.h"

struct fake_state fake;

#define FD_BASE 100

struct open_file {
	int idx;
	size_t pos;
	bool used;
};
static struct open_file fds[8];

/* the worker running now (sys_run_worker), and where it is killed */
static bool in_worker;
static uint64_t worker_deadline;
static jmp_buf worker_stop;

void fake_reset(void)
{
	int i;

	for (i = 0; i < fake.nfiles; i++)
		free(fake.files[i].data);
	memset(&fake, 0, sizeof(fake));
	memset(fds, 0, sizeof(fds));
	in_worker = false;
	fake.release = "6.1.0-test-amd64";
	fake.livepatch_sysfs = true;
	fake.enabled = 1;
	fake.mono_ns = 5000000000ull;
	fake.boot_ns = 5000000000ull;
}

static struct fake_file *slot(const char *path)
{
	struct fake_file *f;
	int i;

	for (i = 0; i < fake.nfiles; i++)
		if (!strcmp(fake.files[i].path, path))
			return &fake.files[i];
	if (fake.nfiles == FAKE_MAX_FILES)
		abort();
	f = &fake.files[fake.nfiles++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	return f;
}

void fake_add_file(const char *path, const void *data, size_t len)
{
	struct fake_file *f = slot(path);

	free(f->data);
	f->data = malloc(len ? len : 1);
	memcpy(f->data, data, len);
	f->len = len;
	f->err = 0;
}

void fake_add_error(const char *path, int err)
{
	struct fake_file *f = slot(path);

	f->err = err;
}

static struct fake_file *find(const char *path)
{
	int i;

	for (i = 0; i < fake.nfiles; i++)
		if (!strcmp(fake.files[i].path, path))
			return &fake.files[i];
	return NULL;
}

int fake_kmsg_find(const char *needle)
{
	int i;

	for (i = 0; i < fake.nkmsg; i++)
		if (strstr(fake.kmsg[i], needle))
			return i;
	return -1;
}

const char *fake_status_get(const char *key)
{
	static char val[512];
	size_t klen = strlen(key);
	const char *p = fake.status;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(val, sizeof(val), "%.*s", (int)(n - klen - 1), p + klen + 1);
			return val;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int sys_uname_release(char *buf, size_t len)
{
	if (strlen(fake.release) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, fake.release);
	return 0;
}

/* /sys/kernel/livepatch/<patch>/{enabled,transition} follow the script. */
static ssize_t sysfs_attr(const char *path, char *buf, size_t len)
{
	char dir[128];
	const char *attr;

	snprintf(dir, sizeof(dir), KLP_SYSFS "/%s/", fake.patch ? fake.patch : "");
	if (!fake.patch_in_sysfs || strncmp(path, dir, strlen(dir)))
		return -ENOENT;
	attr = path + strlen(dir);
	if (!strcmp(attr, "enabled"))
		return snprintf(buf, len, "%d\n", fake.enabled);
	if (!strcmp(attr, "transition")) {
		int busy = fake.transition_polls < 0 || fake.polls < fake.transition_polls;
		fake.polls++;
		return snprintf(buf, len, "%d\n", busy);
	}
	return -ENOENT;
}

ssize_t sys_read_small(const char *path, char *buf, size_t len)
{
	struct fake_file *f;
	size_t n;

	if (!strncmp(path, KLP_SYSFS "/", strlen(KLP_SYSFS "/")))
		return sysfs_attr(path, buf, len);
	f = find(path);
	if (!f)
		return -ENOENT;
	if (f->err)
		return -f->err;
	n = f->len < len - 1 ? f->len : len - 1;
	memcpy(buf, f->data, n);
	buf[n] = '\0';
	return (ssize_t)n;
}

int sys_exists(const char *path)
{
	struct fake_file *f;

	if (!strcmp(path, KLP_SYSFS))
		return fake.livepatch_sysfs ? 1 : 0;
	f = find(path);
	return f && f->err != ENOENT ? 1 : 0;
}

int sys_open_ro(const char *path)
{
	struct fake_file *f = find(path);
	int i;

	if (!f)
		return -ENOENT;
	if (f->err)
		return -f->err;
	for (i = 0; i < 8; i++) {
		if (!fds[i].used) {
			fds[i] = (struct open_file){ (int)(f - fake.files), 0, true };
			fake.open_fds++;
			return FD_BASE + i;
		}
	}
	return -EMFILE;
}

static struct open_file *fd_get(int fd)
{
	if (fd < FD_BASE || fd >= FD_BASE + 8 || !fds[fd - FD_BASE].used)
		return NULL;
	return &fds[fd - FD_BASE];
}

ssize_t sys_read(int fd, void *buf, size_t len)
{
	struct open_file *o = fd_get(fd);
	struct fake_file *f;
	size_t n;

	if (!o)
		return -EBADF;
	f = &fake.files[o->idx];
	n = f->len - o->pos < len ? f->len - o->pos : len;
	memcpy(buf, f->data + o->pos, n);
	o->pos += n;
	return (ssize_t)n;
}

int sys_fsize(int fd, uint64_t *size)
{
	struct open_file *o = fd_get(fd);

	if (!o)
		return -EBADF;
	*size = fake.files[o->idx].len;
	return 0;
}

int sys_rewind(int fd)
{
	struct open_file *o = fd_get(fd);

	if (!o)
		return -EBADF;
	o->pos = 0;
	return 0;
}

int sys_close(int fd)
{
	struct open_file *o = fd_get(fd);

	if (!o)
		return -EBADF;
	o->used = false;
	fake.open_fds--;
	return 0;
}

/* Time passes; a worker that reaches its bound is killed right there. */
static void advance(uint64_t ns)
{
	if (in_worker && fake.mono_ns + ns >= worker_deadline) {
		fake.boot_ns += worker_deadline - fake.mono_ns;
		fake.mono_ns = worker_deadline;
		longjmp(worker_stop, 1);
	}
	fake.mono_ns += ns;
	fake.boot_ns += ns;
}

static void set_initstate(const char *state)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", fake.patch ? fake.patch : "");
	fake_add_file(path, state, strlen(state));
}

int sys_finit_module(int fd)
{
	if (!fd_get(fd))
		return -EBADF;
	fake.finit_calls++;
	fake.guard_var_before_finit = fake.efivar_present;
	fake.run_mounts_before_finit = fake.run_mounts;
	if (fake.finit_ns) {
		set_initstate("coming\n");
		advance(fake.finit_ns);
	}
	if (fake.finit_ret == 0 || fake.finit_ret == -EEXIST) {
		set_initstate("live\n");
		fake.patch_in_sysfs = true;
	}
	return fake.finit_ret;
}

int sys_write_atomic(const char *path, const char *data, size_t len)
{
	if (fake.write_ret)
		return fake.write_ret;
	snprintf(fake.status_path, sizeof(fake.status_path), "%s", path);
	snprintf(fake.status, sizeof(fake.status), "%.*s", (int)len, data);
	fake.status_writes++;
	return 0;
}

void sys_kmsg(int level, const char *line)
{
	if (fake.nkmsg == FAKE_MAX_KMSG)
		return;
	fake.kmsg_level[fake.nkmsg] = level;
	snprintf(fake.kmsg[fake.nkmsg++], sizeof(fake.kmsg[0]), "%s", line);
}

void sys_stderr(const char *line)
{
	(void)line;
}

uint64_t sys_boottime_ns(void)
{
	return fake.boot_ns;
}

uint64_t sys_monotonic_ns(void)
{
	return fake.mono_ns;
}

void sys_sleep_ms(unsigned ms)
{
	fake.slept_ms += ms;
	advance((uint64_t)ms * 1000000u);
}

long sys_getpid(void)
{
	return fake.pid ? fake.pid : 4242;
}

void sys_early_mounts(void)
{
}

void sys_dev_mount(void)
{
}

void sys_early_umounts(void)
{
}

void sys_run_mount(void)
{
	fake.run_mounts++;
}

/* The worker was killed: its open files close with it. */
static int worker_killed(void)
{
	in_worker = false;
	memset(fds, 0, sizeof(fds));
	fake.open_fds = 0;
	return -ETIMEDOUT;
}

/* The worker runs in this process, killed (a longjmp) when time passes its bound. */
int sys_run_worker(int (*fn)(void *), void *arg, unsigned timeout_ms)
{
	int r;

	fake.worker_calls++;
	fake.worker_bound_ms = timeout_ms;
	if (fake.worker_ret)
		return fake.worker_ret;
	worker_deadline = fake.mono_ns + (uint64_t)timeout_ms * 1000000u;
	if (setjmp(worker_stop))
		return worker_killed();
	in_worker = true;
	r = fn(arg);
	in_worker = false;
	return r;
}

int sys_exec(const char *path, char *const argv[], char *const envp[])
{
	(void)argv, (void)envp;
	snprintf(fake.exec_path, sizeof(fake.exec_path), "%s", path);
	if (fake.leave)
		longjmp(*fake.leave, 1);
	return -ENOENT;
}

void sys_hang(void)
{
	if (fake.leave)
		longjmp(*fake.leave, 2);
	abort();
}

void fake_set_efivar(const char *text)
{
	fake.efi = true;
	fake.efivar_present = true;
	fake.efivar_len = strlen(text);
	memcpy(fake.efivar, text, fake.efivar_len);
}

int sys_efivars_setup(void)
{
	if (fake.efi_setup_ret)
		return fake.efi_setup_ret;
	return fake.efi ? 1 : 0;
}

ssize_t sys_efivar_read(const char *name, char *buf, size_t len, uint32_t *attrs)
{
	if (strcmp(name, KLP_GUARD_VAR))
		return -ENOENT;
	if (fake.efivar_read_ret)
		return fake.efivar_read_ret;
	if (!fake.efivar_present)
		return -ENOENT;
	if (fake.efivar_len > len)
		return -E2BIG;
	memcpy(buf, fake.efivar, fake.efivar_len);
	*attrs = fake.efivar_attrs ? fake.efivar_attrs : KLP_EFI_ATTRS;
	return (ssize_t)fake.efivar_len;
}

int sys_efivar_write(const char *name, const char *data, size_t len)
{
	if (strcmp(name, KLP_GUARD_VAR) || len > sizeof(fake.efivar))
		return -EINVAL;
	if (fake.efivar_write_ret)
		return fake.efivar_write_ret;
	memcpy(fake.efivar, data, len);
	fake.efivar_len = len;
	fake.efivar_present = true;
	fake.efivar_writes++;
	return 0;
}

int sys_efivar_delete(const char *name)
{
	if (strcmp(name, KLP_GUARD_VAR) || !fake.efivar_present)
		return -ENOENT;
	fake.efivar_present = false;
	fake.efivar_deletes++;
	return 0;
}
