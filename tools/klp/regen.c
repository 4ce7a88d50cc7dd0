// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regen.c: klp regenerate's run over the selected kernels: first without
 * the lock and with the stamps (stamp.c), as in step is the common case and
 * must be quick; then, under the boot folder's lock (lock.c), the rebuild
 * of each kernel that still needs one (rebuild.c) and zipl when due (zipl.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "klp.h"
#include "boot.h"
#include "verdict.h"
#include "regen.h"

/*
 * Does --if-needed rebuild it: not when in step, nor when neither a patch
 * nor an initrd is there (a kernel whose initrd its own package hooks have
 * not made yet: nothing of ours to put in it).
 */
static bool behind(const struct klp_kstate *ks)
{
	if (ks->verdict == KLP_IN_SYNC || ks->verdict == KLP_NO_PATCH)
		return false;
	return ks->inst.present || ks->initrd_exists;
}

/* Without the lock, with the stamps: which kernels need a rebuild; 0 or KLP_REGEN_FAILED. */
static int look(const struct klp_regen_opts *o, char *const *kvers, size_t n, int run_fd, struct klp_kstate *ks,
		bool *need, bool *any)
{
	char err[512];
	int ret = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (klp_kstate_load_stamped(&o->sys, kvers[i], &ks[i], run_fd, err, sizeof(err)) < 0) {
			klp_err("regenerate %s: %s", kvers[i], err);
			ret = KLP_REGEN_FAILED;
			continue;
		}
		if (ks[i].inst.note[0])
			klp_err("%s", ks[i].inst.note);
		need[i] = !o->if_needed || behind(&ks[i]);
		*any |= need[i];
	}
	return ret;
}

/* Under the lock: rebuild what still needs it, then zipl when due; the first failure's status. */
static int work(const struct klp_regen_opts *o, char *const *kvers, size_t n, int lock_fd, int run_fd,
		struct klp_kstate *ks, const bool *need, bool pending)
{
	char err[512], *zipl_why = NULL;
	struct klp_replaced *done = calloc(n ? n : 1, sizeof(*done));
	bool zipl = false;
	int ret = 0, r;
	size_t i, nreplaced = 0;

	for (i = 0; i < n; i++) {
		bool replaced = false;
		if (!need[i])
			continue;
		if (o->if_needed) {
			/* another run may have done it while we waited for the lock */
			if (klp_kstate_load_stamped(&o->sys, kvers[i], &ks[i], run_fd, err, sizeof(err)) < 0) {
				klp_err("regenerate %s: %s", kvers[i], err);
				if (!ret)
					ret = KLP_REGEN_FAILED;
				continue;
			}
			if (!behind(&ks[i]))
				continue;
		}
		r = klp_rebuild(o, &ks[i], lock_fd, run_fd, &replaced);
		if (r && !ret)
			ret = r;
		if (replaced && done)
			done[nreplaced++] = (struct klp_replaced){ kvers[i], ks[i].initrd };
		if (replaced && klp_zipl_names(o, ks[i].initrd)) {
			zipl = true;
			free(zipl_why);
			if (asprintf(&zipl_why, "the boot record names %s", ks[i].initrd) < 0)
				zipl_why = NULL;
		}
		if (klp_got_signal)
			klp_die_of_signal(NULL);
	}
	if (zipl || (pending && klp_keeps_exist(o->sys.boot))) {
		r = klp_run_zipl(o, lock_fd, run_fd, zipl_why ? zipl_why : "a previous zipl run failed");
		if (r && !ret)
			ret = r;
	}
	free(zipl_why);
	klp_kexec_after(&o->sys, done, nreplaced);
	free(done);
	return ret;
}

int klp_regen_run(const struct klp_regen_opts *o, char *const *kvers, size_t n)
{
	struct klp_kstate *ks = calloc(n ? n : 1, sizeof(*ks));
	char err[512];
	bool *need = calloc(n ? n : 1, sizeof(*need)), any = false, pending;
	int ret = KLP_REGEN_FAILED, lock_fd = -1, run_fd = -1, r;

	if (!ks || !need)
		goto out;
	klp_signals_install();
	run_fd = klp_run_dir_open(o->run_dir, err, sizeof(err));
	if (run_fd < 0) {
		klp_err("regenerate: %s%s", err,
			run_fd == -EPERM ? ": refusing it (KLP_RUN_DIR must name a folder only klp's user can change)" : "");
		ret = run_fd == -EPERM ? KLP_REGEN_RUNDIR : KLP_REGEN_FAILED;
		goto out;
	}
	/* without the lock first: in step is the common case and must be quick */
	ret = look(o, kvers, n, run_fd, ks, need, &any);
	pending = klp_zipl_wanted(o) && klp_keeps_exist(o->sys.boot);
	if (!any && !pending) {
		klp_temps_sweep(o);
		klp_update_sweep(run_fd); /* only folders whose run is gone (unlocked): no lock needed */
		goto out;
	}
	if (o->boot_check && klp_bootfs_check(o->sys.root, o->sys.boot, err, sizeof(err)) < 0) {
		klp_err("regenerate: %s", err);
		ret = KLP_REGEN_BOOTFS;
		goto out;
	}
	lock_fd = klp_lock_take(o);
	if (lock_fd < 0) {
		ret = lock_fd == -ETIMEDOUT ? KLP_REGEN_LOCK : KLP_REGEN_FAILED;
		goto out;
	}
	klp_temps_remove(o->sys.boot, time(NULL));
	klp_update_sweep(run_fd);
	r = work(o, kvers, n, lock_fd, run_fd, ks, need, pending);
	if (r && !ret)
		ret = r;
out:
	if (klp_got_signal)
		klp_die_of_signal(NULL);
	if (lock_fd >= 0)
		close(lock_fd);
	if (run_fd >= 0)
		close(run_fd);
	free(ks);
	free(need);
	return ret;
}

