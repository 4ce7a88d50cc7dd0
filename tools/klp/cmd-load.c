// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp load [FILE]: apply the running kernel's active cumulative patch now
 * (what a package install does), or FILE. The file passes the same checks
 * as at initrd build time (livepatch=Y, vermagic of the running kernel, a
 * regular file owned by root and not group- or world-writable), checked
 * again on the opened descriptor; a compressed one is decompressed first
 * (kernels without CONFIG_MODULE_DECOMPRESS take only plain ELF). Then
 * finit_module(2), "already loaded" counting as success, and a bounded wait
 * for enabled=1 transition=0. It never writes "force".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "klp.h"
#include "kernel.h"
#include "patch.h"
#include "payload.h"
#include "status.h"

enum { EXIT_NO_PATCH = 3, EXIT_TIMEOUT = 4, EXIT_UNSUPPORTED = 5 };
#define TIMEOUT_DEFAULT_S 60.0
#define TIMEOUT_MAX_S 3600.0

static const char usage[] =
	"Usage: klp load [FILE] [--timeout SEC] [-q] [-v]\n"
	"Apply the active cumulative livepatch of the running kernel now (the rule of\n"
	"klp installed), or FILE. The file must be a livepatch for the running kernel,\n"
	"a regular file owned by root and not group- or world-writable; .ko.xz, .ko.zst\n"
	"and .ko.gz are decompressed with xz, zstd or gzip first. Waits for the\n"
	"transition to complete; never forces it.\n"
	"  --timeout SEC  how long to wait for the transition (default 60, max 3600)\n"
	"  -q, --quiet    print nothing on success\n"
	"  -v, --verbose  name the files skipped and why\n"
	"Exit status:\n"
	"  0  loaded (or already loaded), transition complete\n"
	"  1  error: file refused, unreadable, or refused by the kernel\n"
	"  2  usage\n"
	"  3  no usable livepatch installed for the running kernel\n"
	"  4  loaded, but the transition did not complete in time (see klp blocking)\n"
	"  5  this kernel has no livepatch support\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_skipped(const struct klp_candidates *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].problem)
			klp_err("load: %s: skipped: %s", c->v[i].path, c->v[i].problem);
}

/* The running kernel's active patch; its index or a negative exit code. */
static int pick_active(const char *kver, struct klp_candidates *c, bool verbose)
{
	char dir[4096], err[256];
	const char *pin;
	struct klp_conf cf;
	int r, sel;

	r = klp_conf_load(KLP_CONF, &cf, err, sizeof(err));
	if (r < 0) {
		klp_err("load: %s: %s", KLP_CONF, err[0] ? err : strerror(-r));
		return -KLP_EXIT_ERROR;
	}
	r = klp_livepatch_dir("", NULL, kver, dir, sizeof(dir));
	if (r >= 0)
		r = klp_candidates_scan(dir, kver, c);
	if (r < 0) {
		klp_err("load: %s: %s", dir, strerror(-r));
		klp_conf_free(&cf);
		return -KLP_EXIT_ERROR;
	}
	pin = klp_conf_pin(&cf, kver);
	sel = klp_candidates_select(c, pin);
	if (sel < 0 || verbose)
		print_skipped(c);
	if (sel == -ESRCH)
		klp_err("load: %s pins %s for %s, but no usable module of that name is installed",
			KLP_CONF, pin, kver);
	else if (sel < 0)
		klp_err("load: no usable livepatch installed for %s (in %s)", kver, dir);
	klp_conf_free(&cf);
	return sel < 0 ? -EXIT_NO_PATCH : sel;
}

/* FILE given: judged like an installed one, by scanning its folder. */
static int pick_file(const char *file, const char *kver, struct klp_candidates *c)
{
	_cleanup_free_ char *d = strdup(file), *b = strdup(file);
	const char *dir, *base;
	char path[4096];
	struct stat st;
	size_t i;
	int r;

	if (!d || !b)
		return -KLP_EXIT_ERROR; // NOLINT(clang-analyzer-unix.Malloc): _cleanup_free_ frees them
	dir = dirname(d); /* both may modify their argument: one call each */
	base = basename(b);
	if (lstat(file, &st) < 0) {
		klp_err("load: %s: %s", file, strerror(errno));
		return -KLP_EXIT_ERROR;
	}
	if (!klp_is_module_file(base)) {
		klp_err("load: %s: not a module file name (.ko, .ko.xz, .ko.zst or .ko.gz)", file);
		return -KLP_EXIT_ERROR;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, base);
	r = klp_candidates_scan(dir, kver, c);
	if (r < 0) {
		klp_err("load: %s: %s", file, strerror(-r));
		return -KLP_EXIT_ERROR;
	}
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return (int)i;
	klp_err("load: %s: not found", file);
	return -KLP_EXIT_ERROR;
}

/* Opens the chosen file and checks the descriptor as the path was checked. */
static int open_checked(const struct klp_candidate *c)
{
	struct stat st;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		klp_err("load: %s: %s", c->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		klp_err("load: %s: refused: it changed after it was checked (owner or mode)", c->path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Loaded, but not in /sys/kernel/livepatch: 6.1 drops a replaced patch from sysfs. */
static bool replaced_but_loaded(const char *name)
{
	struct klp_live p;

	if (klp_kernel_patch_read(name, &p) == 0) {
		klp_live_clear(&p);
		return false;
	}
	return klp_kernel_module_loaded(name);
}

/* After EEXIST: is the loaded module this patch, enabled? 0 yes, else an exit code. */
static int check_existing(const struct klp_candidate *c)
{
	struct klp_live p;
	int r = klp_kernel_patch_read(c->name, &p);

	if (r < 0) {
		/* 6.1 removes a replaced or disabled patch from sysfs; its module stays loaded */
		klp_err("load: %s: the module is loaded but is no active livepatch (replaced by another "
			"cumulative patch, or disabled): rmmod %s, then load it again", c->name, c->name);
		return KLP_EXIT_ERROR;
	}
	r = 0;
	if (p.srcversion && c->srcversion && strcmp(p.srcversion, c->srcversion)) {
		klp_err("load: %s: another build is loaded (srcversion %s; %s has %s)", c->name,
			p.srcversion, c->path, c->srcversion);
		r = KLP_EXIT_ERROR;
	} else if (p.enabled == 0) {
		klp_err("load: %s: the patch is being disabled: wait for that, rmmod %s, then load it again",
			c->name, c->name);
		r = KLP_EXIT_ERROR;
	}
	klp_live_clear(&p);
	return r;
}

/* Polls enabled/transition until complete or the deadline. */
static int wait_transition(const char *name, double t0, double timeout, double *took)
{
	useconds_t step = 1000;

	for (;;) {
		struct klp_live p;
		int r = klp_kernel_patch_read(name, &p);
		int en = r == 0 ? p.enabled : -1, tr = r == 0 ? p.transition : -1;
		double now = now_s();

		klp_live_clear(&p);
		*took = now - t0;
		if (en == 1 && tr == 0)
			return KLP_EXIT_OK;
		if (en == 0 && tr == 0) {
			klp_err("load: %s: loaded but not enabled (disabled or replaced meanwhile?)", name);
			return KLP_EXIT_ERROR;
		}
		if (r == -ENOENT && *took >= 1.0) {
			klp_err("load: %s: loaded, but /sys/kernel/livepatch/%s does not appear: not a livepatch?",
				name, name);
			return KLP_EXIT_ERROR;
		}
		if (*took >= timeout) {
			klp_err("load: %s: loaded, but the transition did not complete within %g s; "
				"the kernel keeps trying (see klp blocking)", name, timeout);
			return EXIT_TIMEOUT;
		}
		if (step / 1e6 > timeout - *took)
			step = (useconds_t)((timeout - *took) * 1e6) + 1;
		usleep(step);
		if (step < 50000)
			step *= 2;
	}
}

static int parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > TIMEOUT_MAX_S)
		return -EINVAL;
	*out = v;
	return 0;
}

struct load_opts {
	double timeout;
	bool quiet, verbose;
};

/* Options into lo; -1 to go on, else what klp exits with. */
static int load_args(int argc, char **argv, struct load_opts *lo)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":t:qvh", opts, NULL)) != -1) {
		switch (o) {
		case 't':
			if (parse_timeout(optarg, &lo->timeout) < 0) {
				klp_err("load: --timeout: '%s' is not a number of seconds in (0, %g]",
					optarg, TIMEOUT_MAX_S);
				return KLP_EXIT_USAGE;
			}
			break;
		case 'q': lo->quiet = true; break;
		case 'v': lo->verbose = true; break;
		case 'h': fputs(usage, stdout); return KLP_EXIT_OK;
		default: klp_bad_option(argv, o, optopt); return KLP_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		klp_err("load: unexpected argument '%s'", argv[optind + 1]);
		return KLP_EXIT_USAGE;
	}
	return -1;
}

/* finit_module of the checked file (decompressed), once more after unloading a replaced older copy. */
static int insert(const struct klp_candidate *c, double *t0)
{
	char err[256];
	int fd = open_checked(c), kfd, r;

	if (fd < 0)
		return -EBADF;
	kfd = fd;
	if (klp_decompressor(c->path) && klp_decompress(fd, c->path, &kfd, err, sizeof(err)) < 0) {
		klp_err("load: %s: cannot decompress: %s", c->path, err);
		close(fd);
		return -EBADF;
	}
	*t0 = now_s();
	r = klp_kernel_finit_module(kfd, "", 0);
	if (r == -EEXIST && replaced_but_loaded(c->name)) {
		/* a downgrade: this patch ran before, was replaced, and its module stayed */
		int d = klp_kernel_delete_module(c->name);
		if (d < 0)
			klp_err("load: %s: replaced earlier and still loaded; cannot unload it: %s (%s)",
				c->name, klp_errno_words(d), klp_errno_name(d));
		else
			r = klp_kernel_finit_module(kfd, "", 0);
	}
	if (kfd != fd)
		close(kfd);
	close(fd);
	return r;
}

/* What the insert's result means: 0 to wait for the transition, else what klp exits with. */
static int inserted(const struct klp_candidate *c, int r, bool *already)
{
	if (r == -EBADF) /* said already */
		return KLP_EXIT_ERROR;
	if (r == -EEXIST) {
		*already = true;
		return check_existing(c);
	}
	if (r == -EPERM && geteuid() != 0) {
		klp_err("load: %s: not loaded: %s: run klp load as root (EPERM)", c->name,
			klp_errno_words(r));
		return KLP_EXIT_ERROR;
	}
	if (r < 0) {
		klp_err("load: %s: not loaded: %s (%s)", c->name, klp_errno_words(r), klp_errno_name(r));
		return KLP_EXIT_ERROR;
	}
	return 0;
}

/* The file to load: the one named, or the running kernel's active patch; < 0 what klp exits with. */
static int choose(int argc, char **argv, const char *kver, struct klp_candidates *cands, bool verbose)
{
	int sel = optind < argc ? pick_file(argv[optind], kver, cands) : pick_active(kver, cands, verbose);

	if (sel >= 0 && cands->v[sel].problem) {
		klp_err("load: %s: refused: %s", cands->v[sel].path, cands->v[sel].problem);
		return -KLP_EXIT_ERROR;
	}
	return sel;
}

static int cmd_load(int argc, char **argv)
{
	struct load_opts lo = { .timeout = TIMEOUT_DEFAULT_S, .verbose = klp_global.verbose };
	struct klp_candidates cands = { 0 };
	const struct klp_candidate *c;
	bool already = false;
	double t0 = 0, took = 0;
	char kver[256];
	int sel, r;

	if ((r = load_args(argc, argv, &lo)) >= 0)
		return r;
	r = klp_kernel_release(kver, sizeof(kver));
	if (r < 0) {
		klp_err("load: uname: %s", strerror(-r));
		return KLP_EXIT_ERROR;
	}
	if (!klp_kernel_has_livepatch()) {
		klp_err("load: this kernel (%s) has no livepatch support (no /sys/kernel/livepatch)",
			kver);
		return EXIT_UNSUPPORTED;
	}
	sel = choose(argc, argv, kver, &cands, lo.verbose);
	if (sel < 0) {
		klp_candidates_free(&cands);
		return -sel;
	}
	c = &cands.v[sel];
	r = inserted(c, insert(c, &t0), &already);
	if (r == 0)
		r = wait_transition(c->name, t0, lo.timeout, &took);
	if (r == 0 && !lo.quiet) {
		if (already)
			printf("klp: %s already loaded, transition complete\n", c->name);
		else
			printf("klp: %s loaded, transition complete in %.1f s\n", c->name, took);
	}
	klp_candidates_free(&cands);
	return r;
}

const struct klp_cmd klp_cmd_load = { "load", cmd_load, "apply the active patch of the running kernel now" };
