// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp-early: apply the initrd's livepatch before any other userspace runs.
 *
 * In every mode the work runs in a child process under one bound
 * (klp_early_run). As PID 1 (shim mode) it then execs the real init with its
 * own argv and envp; it never exits, since PID 1 exiting panics the kernel.
 * Otherwise (hook mode: dracut's cmdline hook, the systemd unit, the
 * stale-initrd fallback) it says how it went in its exit status.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "klp-early.h"
#include "sys.h"

/* KLP_REAL_INIT is two literals pasted together, not a missing comma */
static const char *const fallback_inits[] = { KLP_REAL_INIT, // NOLINT(bugprone-suspicious-missing-comma)
					      "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };

static void help(void)
{
	printf("Usage: klp-early [OPTIONS]\n"
	       "Apply the livepatch named by an initrd manifest and wait for its transition.\n\n"
	       "The work runs in a child process that is stopped after the transition\n"
	       "timeout plus %u s (a module init that never returns cannot hold up the boot).\n"
	       "As PID 1 (the initrd's /init) it then execs %s\n"
	       "(fallbacks /sbin/init, /etc/init, /bin/init, /bin/sh).\n\n"
	       "  -m, --manifest FILE  manifest to read (default %s)\n"
	       "  -s, --status FILE    status file to write, '-' for none (default %s)\n"
	       "  -M, --mode NAME      mode recorded in the status file (default hook)\n"
	       "  -t, --timeout SEC    transition timeout, overrides rd.klp.timeout= (default 10)\n"
	       "  -q, --quiet          do not repeat the outcome line on stderr\n"
	       "      --digest FILE    print FILE's size and sha256 as the loader computes them\n"
	       "      --enabled        exit 0 when the kernel command line lets klp-early run,\n"
	       "                       3 when rd.klp=0 turns it off (for the initrd's scripts)\n"
	       "      --boot-ok        this boot got far enough: the crash-loop guard forgets\n"
	       "                       what this boot counted\n"
	       "      --pre-pivot      the initrd's last step: the same for the patches whose\n"
	       "                       transition completed (later deaths are not counted)\n"
	       "      --guard-status   print the crash-loop guard's record\n"
	       "      --guard-reset    clear the record, so a skipped patch is loaded again\n"
	       "  -h, --help           this text\n"
	       "  -V, --version        version\n\n"
	       "Kernel command line: rd.klp=0 (do nothing), rd.klp.timeout=SEC, rd.klp.debug,\n"
	       "rd.klp.guard=N (skip a patch after N boots with it died before --pre-pivot or\n"
	       "--boot-ok cleared its count;\n"
	       "default %u, 0 = off; needs UEFI: the record is an EFI variable).\n"
	       "Exit status: 0 applied or already loaded, 1 refused or failed, 2 usage,\n"
	       "3 disabled or no manifest, 4 loaded, transition still running at the timeout,\n"
	       "5 no livepatch support, 6 skipped by the crash-loop guard.\n",
	       KLP_WORKER_GRACE_MS / 1000, KLP_REAL_INIT, KLP_MANIFEST, KLP_STATUS, KLP_GUARD_DEFAULT);
}

static int parse_timeout_arg(const char *v, unsigned *ms)
{
	struct klp_cmdline c;
	char word[64];

	/* one parser for seconds: the command line's */
	if (snprintf(word, sizeof(word), "rd.klp.timeout=%s", v) >= (int)sizeof(word))
		return -EINVAL;
	klp_cmdline_parse(word, strlen(word), &c);
	if (c.timeout_invalid)
		return -EINVAL;
	*ms = c.timeout_ms;
	return 0;
}

/* --digest FILE: "<size> <sha256>", computed by the loader's own code (a check on every platform). */
static int print_digest(const char *path)
{
	static uint8_t chunk[65536];
	struct sha256 h;
	uint8_t d[32];
	char hex[65];
	uint64_t total = 0;
	int fd = sys_open_ro(path);

	if (fd < 0) {
		fprintf(stderr, "klp-early: %s: %s\n", path, klp_errno_words(fd));
		return 1;
	}
	sha256_init(&h);
	for (;;) {
		ssize_t n = sys_read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			fprintf(stderr, "klp-early: %s: %s\n", path, klp_errno_words((int)n));
			sys_close(fd);
			return 1;
		}
		if (n == 0)
			break;
		sha256_update(&h, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	sys_close(fd);
	sha256_final(&h, d);
	sha256_hex(d, hex);
	printf("%llu %s\n", (unsigned long long)total, hex);
	return 0;
}

/* --enabled: the loader's own reading of rd.klp= (the same parser as at boot). */
static int cmdline_enabled(void)
{
	struct klp_cmdline c;

	(void)klp_early_cmdline(&c);
	return c.disabled ? klp_result_exit_code(KLP_DISABLED) : 0;
}

enum guard_action { GUARD_NONE, GUARD_BOOT_OK, GUARD_PRE_PIVOT, GUARD_STATUS, GUARD_RESET };

static int guard_open(void)
{
	int r = sys_efivars_setup();

	if (r == 0)
		printf("klp-early: not booted via UEFI: the crash-loop guard keeps no record\n");
	else if (r < 0)
		fprintf(stderr, "klp-early: cannot mount efivarfs: %s\n", klp_errno_words(r));
	return r;
}

static int guard_clear(const char *why)
{
	int r = sys_efivar_delete(KLP_GUARD_VAR);

	if (r == -ENOENT) {
		printf("klp-early: the crash-loop guard has no record\n");
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "klp-early: cannot delete %s: %s\n", KLP_GUARD_VAR, klp_errno_words(r));
		return 1;
	}
	printf("klp-early: crash-loop guard record cleared (%s)\n", why);
	return 0;
}

/* --guard-status: one line per patch counted since the last boot-ok. */
static int guard_status(void)
{
	char why[96];
	struct klp_guard g;
	int r = klp_guard_load(&g, why, sizeof(why));
	unsigned k;

	if (r == -ENOENT) {
		printf("klp-early: the crash-loop guard has no record\n");
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "klp-early: %s: %s\n", KLP_GUARD_VAR, why);
		return 1;
	}
	for (k = 0; k < g.n; k++)
		printf("%s sha256 %s... attempts %u (last counted by boot %s)\n", g.rec[k].module, g.rec[k].digest,
		       g.rec[k].attempts, g.rec[k].boot);
	return 0;
}

/*
 * A patch counted this boot that no transition of it is running: applied
 * (transition 0), or no longer in the kernel's livepatch list at all
 * (replaced by a later cumulative patch, as after a stale-initrd fallback,
 * or its insert failed). One still in transition, or unreadable, is not.
 */
static bool transition_done(const struct klp_guard_rec *r, void *arg)
{
	int t = klp_livepatch_flag(r->module, "transition");

	(void)arg;
	return t == 0 || t == -ENOENT;
}

static unsigned counted_by(const struct klp_guard *g, const char *tag)
{
	unsigned k, n = 0;

	for (k = 0; k < g->n; k++)
		n += !strcmp(g->rec[k].boot, tag);
	return n;
}

static void say(bool kmsg, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One line on stdout (stderr from LOG_WARNING up), and to kmsg where that is where users look. */
static void say(bool kmsg, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(level <= LOG_WARNING ? stderr : stdout, "%s\n", line);
	if (kmsg)
		sys_kmsg(level, line);
}

/*
 * --boot-ok: this boot got far enough, so what its loaders counted (the
 * initrd's patch, and the stale-initrd fallback's) did not kill it: those
 * lines go, whatever became of the insert. Patches the guard skipped this
 * boot were not counted, so they stay skipped; a boot that loaded nothing
 * proves nothing about the others.
 * --pre-pivot (the initrd's last step, before the switch to the root): the
 * same for the patches whose transition completed. The guard is for the
 * deaths a patch can cause while it goes in; a death after this point (a
 * reset, a crash of the running system) no longer counts against a patch
 * that was in and whole. One still in transition waits for --boot-ok. Said
 * in the kernel log too: the initrd has no journal of its own.
 */
static int forget_this_boot(bool pre_pivot)
{
	const char *who = pre_pivot ? "pre-pivot" : "boot-ok";
	char why[96], tag[KLP_GUARD_BOOT_LEN + 1];
	struct klp_guard g;
	unsigned gone, counted;
	int r;

	if (klp_guard_this_boot(tag) < 0) {
		say(pre_pivot, LOG_WARNING, "klp-early: %s: cannot read /proc/sys/kernel/random/boot_id", who);
		return 1;
	}
	r = klp_guard_load(&g, why, sizeof(why));
	if (r == -ENOENT) {
		printf("klp-early: %s: the crash-loop guard has no record\n", who);
		return 0;
	}
	if (r < 0)
		return guard_clear("its record was unreadable");
	counted = counted_by(&g, tag);
	gone = klp_guard_forget_boot(&g, tag, pre_pivot ? transition_done : NULL, NULL);
	if (!counted) {
		printf("klp-early: %s: nothing was counted this boot: record kept\n", who);
		return 0;
	}
	if (pre_pivot && gone < counted)
		say(true, LOG_NOTICE, "klp-early: pre-pivot: %u patch%s counted this boot still in transition: "
		    "counted until boot-ok", counted - gone, counted - gone == 1 ? "" : "es");
	if (!gone)
		return 0;
	say(pre_pivot, LOG_INFO, "klp-early: %s: cleared the count of %u patch%s counted this boot%s", who, gone,
	    gone == 1 ? "" : "es", pre_pivot ? " (transition complete before the switch to the root)" : "");
	if (g.n == 0)
		return guard_clear(who);
	r = klp_guard_store(&g);
	if (r < 0) {
		say(pre_pivot, LOG_WARNING, "klp-early: cannot write %s: %s", KLP_GUARD_VAR, klp_errno_words(r));
		return 1;
	}
	return 0;
}

static int guard_action(enum guard_action a)
{
	int r = guard_open();

	if (r <= 0)
		return r == 0 ? 0 : 1;
	if (a == GUARD_STATUS)
		return guard_status();
	if (a == GUARD_RESET)
		return guard_clear("reset by hand");
	return forget_this_boot(a == GUARD_PRE_PIVOT);
}

static const char *optval(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "klp-early: %s needs a value (see --help)\n", argv[*i]);
		exit(2);
	}
	return argv[++*i];
}

static void parse_args(int argc, char **argv, struct klp_opts *o, enum guard_action *ga)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help();
			exit(0);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("klp-early %s\n", KLP_EARLY_VERSION);
			exit(0);
		} else if (!strcmp(a, "-m") || !strcmp(a, "--manifest")) {
			o->manifest = optval(argc, argv, &i);
		} else if (!strcmp(a, "-s") || !strcmp(a, "--status")) {
			o->status = optval(argc, argv, &i);
			if (!strcmp(o->status, "-"))
				o->status = NULL;
		} else if (!strcmp(a, "-M") || !strcmp(a, "--mode")) {
			o->mode = optval(argc, argv, &i);
		} else if (!strcmp(a, "-t") || !strcmp(a, "--timeout")) {
			const char *v = optval(argc, argv, &i);
			if (parse_timeout_arg(v, &o->timeout_ms) < 0) {
				fprintf(stderr, "klp-early: --timeout: '%s' is not a number of seconds (0-600)\n", v);
				exit(2);
			}
			o->has_timeout = true;
		} else if (!strcmp(a, "--enabled")) {
			exit(cmdline_enabled());
		} else if (!strcmp(a, "--digest")) {
			exit(print_digest(optval(argc, argv, &i)));
		} else if (!strcmp(a, "--boot-ok")) {
			*ga = GUARD_BOOT_OK;
		} else if (!strcmp(a, "--pre-pivot")) {
			*ga = GUARD_PRE_PIVOT;
		} else if (!strcmp(a, "--guard-status")) {
			*ga = GUARD_STATUS;
		} else if (!strcmp(a, "--guard-reset")) {
			*ga = GUARD_RESET;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o->quiet_stderr = true;
		} else {
			fprintf(stderr, "klp-early: unknown argument '%s' (see --help)\n", a);
			exit(2);
		}
	}
}

static void exec_real_init(char **argv, char **envp)
{
	size_t i;

	for (i = 0; i < sizeof(fallback_inits) / sizeof(fallback_inits[0]); i++) {
		char line[256];
		int r = sys_exec(fallback_inits[i], argv, envp);
		if (r == -ENOENT && i > 0)
			continue;
		snprintf(line, sizeof(line), "klp-early: cannot exec %s: %s (%s)", fallback_inits[i],
			 klp_errno_words(r), klp_errno_name(r));
		sys_kmsg(LOG_ERR, line);
	}
	sys_kmsg(LOG_CRIT, "klp-early: no init could be started; halting here instead of panicking");
	sys_hang();
}

/*
 * Before the patch only what its load needs: /proc (the command line) and
 * /sys. /dev is mounted for the first kmsg line (after the insert, unless
 * something went wrong), /run by the worker once the patch is in, just
 * before it writes its status there; both by us when it is done or dead (a
 * no-op when the worker did), for the real init. An init that mounts
 * /proc, /sys, /dev and /run itself, over anything there (initramfs-tools:
 * KLP_HANDOFF_FLAG), gets no /run and none of ours. The
 * command line is read once, here, and the worker gets it in the memory it
 * shares with us.
 */
static void shim(struct klp_opts *o, char **argv, char **envp)
{
	sys_early_mounts();
	o->mode = "shim";
	o->pid = 1; /* the worker is a child, but the kernel started us */
	o->quiet_stderr = true;
	o->mount_run = sys_exists(KLP_HANDOFF_FLAG) != 1;
	if (!o->mount_run) /* the real init mounts its own /run: the status waits in the image */
		o->status = KLP_STATUS_HANDOFF;
	(void)klp_early_run(o);
	if (o->mount_run) {
		sys_dev_mount(); /* no-ops when the worker did them */
		sys_run_mount();
	} else {
		sys_early_umounts(); /* it mounts them itself, whatever is there */
	}
	exec_real_init(argv, envp);
}

int main(int argc, char **argv, char **envp)
{
	struct klp_opts o = {
		.manifest = KLP_MANIFEST,
		.status = KLP_STATUS,
		.mode = "hook",
		.start_boot_ns = sys_boottime_ns(),
		.start_mono_ns = sys_monotonic_ns(),
	};

	enum guard_action ga = GUARD_NONE;

	if (sys_getpid() == 1)
		shim(&o, argv, envp); /* never returns */
	parse_args(argc, argv, &o, &ga);
	if (ga != GUARD_NONE)
		return guard_action(ga);
	return klp_early_run(&o);
}
