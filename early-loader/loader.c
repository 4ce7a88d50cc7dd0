// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The work of klp-early, in every mode: read the kernel command line and the
 * manifest, check the patch file against it, insert it, wait (bounded) for
 * the livepatch transition, and report exactly one outcome line to kmsg plus
 * the status file. Every failure is reported and returned; none is fatal.
 * The work runs in a worker process under one bound (klp_early_run), so that
 * an insert that never returns cannot hold up the boot in any mode.
 * Talks to the kernel only through sys.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "klp-early.h"
#include "sys.h"

#define READ_CHUNK 65536

struct ctx {
	const struct klp_opts *o;
	struct klp_cmdline cmd;
	ssize_t cmdline_n; /* what reading it gave */
	struct klp_manifest m;
	char release[KLP_RELEASE_MAX];
	char msg[384];
	char guard[128]; /* the crash-loop guard's word for the status file */
};

__attribute__((format(printf, 2, 3))) static void debug(struct ctx *c, const char *fmt, ...)
{
	char line[448];
	int n;
	va_list ap;

	if (!c->cmd.debug)
		return;
	n = snprintf(line, sizeof(line), "klp-early: debug: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	sys_kmsg(LOG_INFO, line);
}

static void write_status(struct ctx *c, enum klp_result r, int err)
{
	struct klp_status st = {
		.mode = c->o->mode,
		.pid = c->o->pid ? c->o->pid : sys_getpid(),
		.kernel = c->release,
		.patch = c->m.module,
		.result = r,
		.error = err < 0 ? -err : err,
		.message = c->msg,
		.guard = c->guard[0] ? c->guard : NULL,
		.start_boot_ns = c->o->start_boot_ns,
		.start_mono_ns = c->o->start_mono_ns,
		.end_boot_ns = sys_boottime_ns(),
		.end_mono_ns = sys_monotonic_ns(),
	};
	char buf[1024];
	int n, w;

	if (!c->o->status)
		return;
	n = klp_status_format(&st, buf, sizeof(buf));
	if (n < 0)
		return;
	if (c->o->mount_run)
		sys_run_mount();
	w = sys_write_atomic(c->o->status, buf, (size_t)n);
	if (w < 0) {
		char line[256];
		snprintf(line, sizeof(line), "klp-early: cannot write %s: %s", c->o->status,
			 klp_errno_words(w));
		sys_kmsg(LOG_WARNING, line);
	}
}

/* The one outcome line: kmsg, stderr in hook mode, and the status file. */
__attribute__((format(printf, 4, 5))) static enum klp_result
report(struct ctx *c, enum klp_result r, int err, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	if (c->m.module[0])
		snprintf(line, sizeof(line), "klp-early: %s: %s", c->m.module, c->msg);
	else
		snprintf(line, sizeof(line), "klp-early: %s", c->msg);
	sys_kmsg(r == KLP_APPLIED || r == KLP_ALREADY_LOADED || r == KLP_DISABLED || r == KLP_NO_MANIFEST
			 ? LOG_NOTICE
		 : r == KLP_SKIPPED ? LOG_ERR /* a machine left unpatched on purpose: say it loudly */
				    : LOG_WARNING,
		 line);
	if (!c->o->quiet_stderr)
		sys_stderr(line);
	write_status(c, r, err);
	return r;
}

ssize_t klp_early_cmdline(struct klp_cmdline *c)
{
	/* .bss: it takes no room in the file, and memory only where a long line is read into */
	static char buf[KLP_CMDLINE_MAX + 1];
	ssize_t n = sys_read_small("/proc/cmdline", buf, sizeof(buf));

	klp_cmdline_parse(buf, n > 0 ? (size_t)n : 0, c);
	return n;
}

static void read_cmdline(struct ctx *c)
{
	ssize_t n;

	if (c->o->cmdline) {
		c->cmd = *c->o->cmdline;
		n = c->o->cmdline_n;
	} else {
		n = klp_early_cmdline(&c->cmd);
	}
	c->cmdline_n = n;

	if (n < 0)
		debug(c, "cannot read /proc/cmdline: %s; using defaults", klp_errno_words((int)n));
	else if (n == KLP_CMDLINE_MAX)
		debug(c, "/proc/cmdline may be longer than %d bytes: only those were read", KLP_CMDLINE_MAX);
	if (c->o->has_timeout)
		c->cmd.timeout_ms = c->o->timeout_ms;
}

/* Reads and parses the manifest into c->m: what the read gave in *nread, the parser's verdict (why says). */
static int manifest_get(struct ctx *c, ssize_t *nread, char *why, size_t len)
{
	char buf[KLP_MANIFEST_MAX + 2]; /* room to see one byte too many */

	*nread = sys_read_small(c->o->manifest, buf, sizeof(buf));
	if (*nread < 0)
		return (int)*nread;
	return klp_manifest_parse(buf, (size_t)*nread, &c->m, why, len);
}

static int read_manifest(struct ctx *c, enum klp_result *res)
{
	char err[160];
	ssize_t n;
	int r = manifest_get(c, &n, err, sizeof(err));

	if (n == -ENOENT) {
		*res = report(c, KLP_NO_MANIFEST, 0, "no manifest at %s: nothing to load", c->o->manifest);
		return -ENOENT;
	}
	if (n < 0) {
		*res = report(c, KLP_REFUSED, (int)n, "cannot read manifest %s: %s (%s)", c->o->manifest,
			      klp_errno_words((int)n), klp_errno_name((int)n));
		return (int)n;
	}
	if (r == -E2BIG) {
		*res = report(c, KLP_REFUSED, E2BIG, "manifest %s is %s: refused", c->o->manifest, err);
		return r;
	}
	if (r < 0) {
		*res = report(c, KLP_REFUSED, EINVAL, "manifest %s is invalid: %s: nothing loaded",
			      c->o->manifest, err);
		return r;
	}
	return 0;
}

static void patch_path(const struct ctx *c, char *out, size_t len)
{
	const char *slash = strrchr(c->o->manifest, '/');
	int dirlen = slash ? (int)(slash - c->o->manifest) : 1;

	snprintf(out, len, "%.*s/%s", dirlen, slash ? c->o->manifest : ".", c->m.file);
}

/* Checks size, ELF header and sha256 of the open patch file (lib/verify.c). */
static int verify_file(struct ctx *c, int fd, const char *path, enum klp_result *res)
{
	static uint8_t chunk[READ_CHUNK];
	struct klp_verify v;
	char why[160];
	uint64_t size;
	int r = sys_fsize(fd, &size);

	if (r < 0) {
		*res = report(c, KLP_FAILED, r, "cannot stat %s: %s", path, klp_errno_words(r));
		return r;
	}
	/* a file of the wrong size is refused before it is read */
	r = klp_verify_size(size, &c->m, why, sizeof(why));
	klp_verify_init(&v);
	while (r == 0) {
		ssize_t n = sys_read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			*res = report(c, KLP_FAILED, (int)n, "cannot read %s: %s", path, klp_errno_words((int)n));
			return (int)n;
		}
		if (n == 0)
			break;
		klp_verify_update(&v, chunk, (size_t)n);
	}
	if (r == 0)
		r = klp_verify_finish(&v, &c->m, NULL, why, sizeof(why));
	if (r < 0) {
		*res = report(c, KLP_REFUSED, r == -ENOEXEC ? ENOEXEC : 0, "refused: %s: %s", path, why);
		return r;
	}
	debug(c, "%s: size and sha256 match the manifest", path);
	return 0;
}

int klp_livepatch_flag(const char *module, const char *attr)
{
	char path[128], buf[16];
	ssize_t n;

	snprintf(path, sizeof(path), KLP_SYSFS "/%s/%s", module, attr);
	n = sys_read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 ? (int)n : -ENODATA;
	return buf[0] == '1' ? 1 : 0;
}

static int read_flag(const struct ctx *c, const char *attr)
{
	return klp_livepatch_flag(c->m.module, attr);
}

/* Polls enabled/transition until done or the deadline; never writes "force". */
static enum klp_result wait_transition(struct ctx *c, uint64_t t0, enum klp_result ok)
{
	uint64_t deadline = t0 + (uint64_t)c->cmd.timeout_ms * 1000000u;
	unsigned step = 1;

	for (;;) {
		int en = read_flag(c, "enabled"), tr = read_flag(c, "transition");
		uint64_t now = sys_monotonic_ns();
		char secs[24];

		klp_fmt_seconds(now - t0, secs);
		secs[strlen(secs) - 3] = '\0'; /* milliseconds are enough here */
		if (en == 1 && tr == 0)
			return report(c, ok, 0, "%s, transition complete in %s s",
				      ok == KLP_APPLIED ? "applied" : "already loaded", secs);
		if (en == 0 && tr == 0)
			return report(c, KLP_FAILED, 0, "loaded but not enabled (disabled by an admin or replaced?)");
		if (en < 0 && now >= t0 + 1000000000u)
			return report(c, KLP_FAILED, en, "module loaded but %s/%s does not appear: not a livepatch?",
				      KLP_SYSFS, c->m.module);
		if (now >= deadline) {
			klp_fmt_seconds((uint64_t)c->cmd.timeout_ms * 1000000u, secs);
			secs[strlen(secs) - 3] = '\0';
			return report(c, KLP_TIMEOUT, ETIMEDOUT,
				      "loaded, transition still running after %s s; left to the kernel to finish "
				      "(see klp blocking)",
				      secs);
		}
		if ((uint64_t)step * 1000000u > deadline - now)
			step = (unsigned)((deadline - now + 999999u) / 1000000u);
		sys_sleep_ms(step);
		if (step < 20)
			step *= 2;
	}
}

static void guard_note(struct ctx *c, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Says what the guard did in the status file, and to kmsg at a warning (or in debug mode). */
static void guard_note(struct ctx *c, int level, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->guard, sizeof(c->guard), fmt, ap);
	va_end(ap);
	if (level <= LOG_WARNING) {
		snprintf(line, sizeof(line), "klp-early: crash-loop guard: %s", c->guard);
		sys_kmsg(level, line);
	} else {
		debug(c, "crash-loop guard: %s", c->guard);
	}
}

/*
 * Only a plain non-volatile variable is taken: one with other attributes
 * (an authenticated one, that the OS could never rewrite or delete) must not
 * keep a patch skipped for good.
 */
int klp_guard_load(struct klp_guard *g, char *why, size_t len)
{
	char buf[512];
	uint32_t attrs = 0;
	ssize_t n = sys_efivar_read(KLP_GUARD_VAR, buf, sizeof(buf), &attrs);

	g->n = 0;
	if (n == -ENOENT)
		return -ENOENT;
	if (n >= 0 && attrs != KLP_EFI_ATTRS)
		snprintf(why, len, "has attributes 0x%x, not 0x%x: ignored", (unsigned)attrs, KLP_EFI_ATTRS);
	else if (n < 0 || klp_guard_parse(buf, (size_t)n, g) < 0)
		snprintf(why, len, "%s", n < 0 ? klp_errno_words((int)n) : "unreadable");
	else
		return 0;
	g->n = 0;
	return n < 0 ? (int)n : -EINVAL;
}

int klp_guard_store(const struct klp_guard *g)
{
	char buf[512];
	int r = klp_guard_format(g, buf, sizeof(buf));

	return r < 0 ? r : sys_efivar_write(KLP_GUARD_VAR, buf, (size_t)r);
}

int klp_guard_this_boot(char tag[KLP_GUARD_BOOT_LEN + 1])
{
	char id[64];
	ssize_t n = sys_read_small("/proc/sys/kernel/random/boot_id", id, sizeof(id));

	if (n < 0)
		return (int)n;
	return klp_guard_boot_tag(id, (size_t)n, tag);
}

/* Reads the guard's record; a missing or unreadable one starts a new count. */
static void guard_read(struct klp_guard *g)
{
	char why[96], line[200];
	int r = klp_guard_load(g, why, sizeof(why));

	if (r == 0 || r == -ENOENT)
		return;
	snprintf(line, sizeof(line), "klp-early: crash-loop guard: record %s: %s; counting anew", KLP_GUARD_VAR, why);
	sys_kmsg(LOG_WARNING, line);
}

/*
 * The crash-loop guard, just before the insert: counts this attempt where it
 * survives a reset, or skips the patch when the last boots that inserted it
 * all died before `klp-early --boot-ok`. Returns true (reported) on a skip.
 * When the count cannot be kept the patch is loaded all the same: an
 * unpatched fleet is the greater risk.
 */
static bool guard_skips(struct ctx *c, enum klp_result *res)
{
	struct klp_guard g;
	char tag[KLP_GUARD_BOOT_LEN + 1];
	unsigned n;
	int r;

	if (c->cmd.guard == 0) {
		guard_note(c, LOG_INFO, "off (rd.klp.guard=0)");
		return false;
	}
	if (c->cmd.kdump) { /* it reboots without a boot-ok: counting would punish the patch */
		guard_note(c, LOG_INFO, "off (kdump capture kernel)");
		return false;
	}
	if (sys_exists(KLP_GUARD_FLAG) != 1) {
		guard_note(c, LOG_INFO, "off (no boot-ok mark on this system: %s absent)", KLP_GUARD_FLAG);
		return false;
	}
	r = sys_efivars_setup();
	if (r == 0) {
		guard_note(c, LOG_INFO, "unavailable: not booted via UEFI");
		return false;
	}
	if (r < 0) {
		/* efi=noruntime, PREEMPT_RT, ...: no runtime services, nothing wrong */
		guard_note(c, r == -EOPNOTSUPP || r == -ENOENT || r == -ENODEV ? LOG_INFO : LOG_WARNING,
			   "unavailable: cannot mount efivarfs: %s (%s)", klp_errno_words(r), klp_errno_name(r));
		return false;
	}
	r = klp_guard_this_boot(tag);
	if (r < 0) {
		guard_note(c, LOG_WARNING, "unavailable: cannot read the boot id: %s", klp_errno_words(r));
		return false;
	}
	guard_read(&g);
	if (klp_guard_decide(&g, c->m.module, c->m.sha256, tag, c->cmd.guard, &n)) {
		snprintf(c->guard, sizeof(c->guard), "skipped after %u attempts", n);
		*res = report(c, KLP_SKIPPED, 0,
			      "skipped by the crash-loop guard: the last %u boots that were to insert this patch "
			      "(sha256 %.16s...) died before it was in and whole at the switch to the root; boot continues unpatched "
			      "(klp-early --guard-reset allows it again)",
			      n, c->m.sha256);
		return true;
	}
	r = klp_guard_store(&g);
	if (r < 0)
		guard_note(c, LOG_WARNING, "cannot count attempt %u of %u: %s (%s); loading it anyway", n,
			   c->cmd.guard, klp_errno_words(r), klp_errno_name(r));
	else
		guard_note(c, LOG_INFO, "attempt %u of %u", n, c->cmd.guard);
	return false;
}

static enum klp_result load(struct ctx *c)
{
	char path[KLP_FILE_MAX + 256];
	enum klp_result res = KLP_FAILED;
	uint64_t t0;
	int fd, r;

	patch_path(c, path, sizeof(path));
	fd = sys_open_ro(path);
	if (fd < 0)
		return report(c, KLP_FAILED, fd, "cannot open %s: %s (%s); boot continues", path,
			      klp_errno_words(fd), klp_errno_name(fd));
	if (verify_file(c, fd, path, &res) < 0 || guard_skips(c, &res)) {
		sys_close(fd);
		return res;
	}
	t0 = sys_monotonic_ns();
	r = sys_finit_module(fd);
	sys_close(fd);
	if (r < 0 && r != -EEXIST)
		return report(c, KLP_FAILED, r, "not loaded: %s (%s); boot continues", klp_errno_words(r),
			      klp_errno_name(r));
	debug(c, "finit_module %s", r == -EEXIST ? "says already loaded" : "done");
	return wait_transition(c, t0, r == -EEXIST ? KLP_ALREADY_LOADED : KLP_APPLIED);
}

static void ctx_init(struct ctx *c, const struct klp_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	read_cmdline(c);
}

enum klp_result klp_early_work(const struct klp_opts *o)
{
	struct ctx c;
	enum klp_result res = KLP_FAILED;
	char why[160];
	int r;

	ctx_init(&c, o);
	r = sys_uname_release(c.release, sizeof(c.release));
	if (c.cmd.disabled)
		return report(&c, KLP_DISABLED, 0, "disabled by rd.klp=0: nothing loaded");
	if (c.cmd.timeout_invalid)
		sys_kmsg(LOG_WARNING, "klp-early: rd.klp.timeout= is not a number of seconds: using the default");
	if (c.cmd.guard_invalid)
		sys_kmsg(LOG_WARNING, "klp-early: rd.klp.guard= is not a number of attempts (0-99): using the default");
	if (r < 0)
		return report(&c, KLP_FAILED, r, "uname failed: %s", klp_errno_words(r));
	if (read_manifest(&c, &res) < 0)
		return res;
	if (klp_manifest_check_kernel(&c.m, c.release, why, sizeof(why)) < 0)
		return report(&c, KLP_REFUSED, 0, "refused: %s; boot continues", why);
	if (sys_exists(KLP_SYSFS) != 1)
		return report(&c, KLP_UNSUPPORTED, ENOSYS,
			      "kernel has no livepatch support (no %s): nothing loaded; boot continues", KLP_SYSFS);
	return load(&c);
}

/*
 * What the patch of a stopped worker is left as, read from sysfs: the kernel
 * carries on alone. Says it in words and returns the result that stands for
 * it: timeout (loaded, transition running) as when the worker stops waiting
 * itself, applied when it got that far, failed when it never became a
 * livepatch (still in its module init, or not loaded at all). A worker that
 * died (a signal) with the module still coming died in the module's init:
 * the kernel killed it there (an oops), and that init never returns.
 */
static enum klp_result lost_state(const struct ctx *c, bool died, char *out, size_t len)
{
	char path[128], st[16];
	int en, tr;
	ssize_t n;

	if (!c->m.module[0]) {
		snprintf(out, len, "no patch was named: nothing loaded");
		return KLP_FAILED;
	}
	en = read_flag(c, "enabled");
	tr = read_flag(c, "transition");
	if (en >= 0 && tr == 1) {
		snprintf(out, len, "loaded, transition still running: left to the kernel to finish (see klp blocking)");
		return KLP_TIMEOUT;
	}
	if (en == 1) {
		snprintf(out, len, "applied, transition complete");
		return KLP_APPLIED;
	}
	if (en == 0) {
		snprintf(out, len, "loaded but not enabled");
		return KLP_FAILED;
	}
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", c->m.module);
	n = sys_read_small(path, st, sizeof(st));
	if (n > 0 && !strncmp(st, "coming", 6) && died)
		snprintf(out, len, "the kernel killed it in the module's init (an oops: see the kernel log above), "
			 "which never returns: not applied");
	else if (n > 0 && !strncmp(st, "coming", 6))
		snprintf(out, len, "finit_module has not returned: the module's init is still running, "
			 "the kernel may still apply it later");
	else if (n > 0)
		snprintf(out, len, "module %.*s but not a livepatch", (int)strcspn(st, "\n"), st);
	else
		snprintf(out, len, "not loaded (not in /sys/module)");
	return KLP_FAILED;
}

/* The worker did not report: nobody else will. Says why, and what it left behind. */
static enum klp_result worker_lost(struct ctx *c, int r, unsigned bound_ms)
{
	char state[160], secs[24], why[160];
	enum klp_result res;
	ssize_t n;

	(void)sys_uname_release(c->release, sizeof(c->release));
	if (manifest_get(c, &n, why, sizeof(why)) < 0)
		memset(&c->m, 0, sizeof(c->m));
	if (r > -1000 && r != -ETIMEDOUT) /* it never ran */
		return report(c, KLP_FAILED, r, "cannot start the worker: %s (%s); nothing loaded; boot continues",
			      klp_errno_words(r), klp_errno_name(r));
	res = lost_state(c, r <= -1000, state, sizeof(state));
	if (r <= -1000)
		return report(c, res, 0, "the worker died of signal %d; %s; boot continues",
			      -r - 1000, state);
	klp_fmt_seconds((uint64_t)bound_ms * 1000000u, secs);
	secs[strlen(secs) - 3] = '\0';
	return report(c, res, ETIMEDOUT, "did not finish within %s s, worker stopped; %s; boot continues", secs,
		      state);
}

static int worker(void *arg)
{
	return klp_result_exit_code(klp_early_work(arg));
}

int klp_early_run(const struct klp_opts *o)
{
	struct klp_opts wo = *o; /* the worker's own copy */
	struct ctx c;
	unsigned bound;
	int r;

	if (!wo.pid) /* the status names the process that was started, not its worker */
		wo.pid = sys_getpid();
	ctx_init(&c, o);
	if (!wo.cmdline) { /* read once: the worker shares our memory */
		wo.cmdline = &c.cmd;
		wo.cmdline_n = c.cmdline_n;
	}
	bound = c.cmd.timeout_ms + KLP_WORKER_GRACE_MS;
	r = sys_run_worker(worker, &wo, bound);
	if (r >= 0)
		return r;
	return klp_result_exit_code(worker_lost(&c, r, bound));
}
