// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zipl.c: on IBM Z the boot record names the initrd's blocks, so zipl runs
 * after an initrd it names was replaced; until it succeeded, the old file's
 * blocks are kept as BOOT/.NAME.klp-zipl-old.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klp.h"
#include "kernel.h"
#include "util.h"
#include "boot.h"
#include "regen.h"

/* Does the boot record point at this initrd: a ramdisk= of ROOT/etc/zipl.conf names it (/boot is BOOT). */
bool klp_zipl_names(const struct klp_regen_opts *o, const char *initrd)
{
	char conf[PATH_MAX], p[PATH_MAX * 2], a[PATH_MAX], b[PATH_MAX], **rd = NULL, *text;
	bool hit = false;
	size_t n = 0, i;

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	if (!(text = klp_file_read(conf, 1 << 20)))
		return klp_machine_is_s390(); /* no zipl.conf to tell: run zipl anyway */
	klp_zipl_ramdisks(text, &rd, &n);
	free(text);
	if (!realpath(initrd, b))
		snprintf(b, sizeof(b), "%s", initrd);
	for (i = 0; i < n && !hit; i++) {
		if (!strncmp(rd[i], "/boot/", 6))
			snprintf(p, sizeof(p), "%s/%s", o->sys.boot, rd[i] + 6);
		else
			snprintf(p, sizeof(p), "%s%s", o->sys.root, rd[i]);
		hit = realpath(p, a) ? !strcmp(a, b) : !strcmp(p, initrd);
	}
	klp_strv_free(rd, n);
	return hit;
}

bool klp_zipl_wanted(const struct klp_regen_opts *o)
{
	char conf[PATH_MAX];

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	return klp_machine_is_s390() || access(conf, F_OK) == 0;
}

int klp_run_zipl(const struct klp_regen_opts *o, int lock_fd, int run_fd, const char *why)
{
	char conf[PATH_MAX], log[PATH_MAX], line[512] = "";
	char *argv[4] = { (char *)"zipl", NULL, NULL, NULL };
	double t0 = klp_now_s();
	int fd, st;

	snprintf(conf, sizeof(conf), "%s/etc/zipl.conf", o->sys.root);
	if (o->sys.root[0] && access(conf, F_OK) == 0) {
		argv[1] = (char *)"-c";
		argv[2] = conf;
	}
	snprintf(log, sizeof(log), "%s/zipl.log", o->run_dir);
	fd = klp_run_file_create(run_fd, "zipl.log");
	if (fd < 0) {
		klp_err("regenerate: cannot write %s: %s", log, strerror(-fd));
		return KLP_REGEN_FAILED;
	}
	if (!o->quiet) {
		printf("running zipl (%s)... ", why);
		fflush(stdout);
	}
	st = klp_run_child(argv, fd, lock_fd, 600);
	if (st == 0) {
		close(fd);
		klp_keeps_remove(o->sys.boot);
		if (!o->quiet)
			printf("done in %.1f s\n", klp_now_s() - t0);
		return 0;
	}
	if (!o->quiet)
		printf("failed\n");
	fflush(stdout);
	if (st == -EINTR)
		klp_die_of_signal(NULL);
	{
		char *text = klp_fd_read(fd, 65536, true), *last = NULL, *s;
		for (s = text ? strtok(text, "\n") : NULL; s; s = strtok(NULL, "\n"))
			last = s;
		snprintf(line, sizeof(line), "%s", last ? last : "");
		free(text);
	}
	close(fd);
	if (st < 0)
		klp_err("regenerate: zipl: %s", strerror(-st));
	else
		klp_err("regenerate: zipl failed (%s %d)%s%s; the boot record may still point at the"
			" previous initrd, kept in %s as .NAME" KEEP_SUFFIX " until zipl succeeds: fix it and run"
			" klp regenerate again",
			WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			line[0] ? ": " : "", line, o->sys.boot);
	return KLP_REGEN_FAILED;
}

