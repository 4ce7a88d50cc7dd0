// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp blocking: while a livepatch transition runs, the tasks that have not
 * reached its target state yet (/proc/<pid>/task/<tid>/patch_state: -1 no
 * transition, 0 unpatched, 1 patched; the target is "patched" for a patch
 * being enabled, "unpatched" for one being disabled), with their stacks:
 * a task switches only when no patched function is on its stack. Prints
 * nothing when no transition runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klp.h"
#include "json.h"
#include "kernel.h"
#include "status.h"

static const char usage[] =
	"Usage: klp [--json] blocking\n"
	"While a livepatch transition runs, list the tasks that block it: pid, command and\n"
	"kernel stack (/proc/<pid>/stack, readable by root only). Prints nothing when no\n"
	"transition runs.\n"
	"  --json  as one JSON object (keys: README.md, \"klp --json\")\n"
	"Exit status: 0, 1 error (also: some tasks' state was unreadable, not root), 2 usage.\n";

static bool blocks(const struct klp_task *t, int target)
{
	return t->patch_state >= 0 && t->patch_state != target;
}

static void print_task(const struct klp_task *t, bool json, struct klp_json *j)
{
	char *comm = NULL, *stack = NULL;
	int sr;

	if (klp_kernel_task_read(t, "comm", &comm) < 0)
		comm = NULL;
	sr = klp_kernel_task_read(t, "stack", &stack);
	if (json) {
		klp_json_object_begin(j);
		klp_json_kv_int(j, "pid", t->pid);
		klp_json_kv_int(j, "tgid", t->tgid);
		klp_json_kv_string(j, "comm", comm);
		klp_json_kv_int(j, "patch_state", t->patch_state);
		klp_json_key(j, "stack");
		if (sr < 0) {
			klp_json_null(j);
		} else {
			char *line, *save = NULL;

			klp_json_array_begin(j);
			for (line = strtok_r(stack, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				klp_json_string(j, line);
			klp_json_array_end(j);
		}
		klp_json_object_end(j);
	} else {
		printf("%ld %s", t->pid, comm ? comm : "?");
		if (t->pid != t->tgid)
			printf(" (thread of %ld)", t->tgid);
		printf("\n");
		if (sr < 0) {
			printf("    (stack unreadable: %s)\n", sr == -EACCES || sr == -EPERM ? "root only" : strerror(-sr));
		} else {
			char *line, *save = NULL;

			for (line = strtok_r(stack, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				printf("    %s\n", line);
		}
	}
	free(comm);
	free(stack);
}

static int cmd_blocking(int argc, char **argv)
{
	struct klp_report_opts o;
	struct klp_live_list lives;
	struct klp_tasks tasks = { 0 };
	const struct klp_live *moving = NULL;
	struct klp_json j;
	int r, target = 1;
	size_t i;

	r = klp_report_begin(argc, argv, usage, &o, &lives);
	if (r >= 0)
		return r;
	for (i = 0; i < lives.n && !moving; i++)
		if (lives.v[i].transition == 1)
			moving = &lives.v[i];
	if (moving) {
		/* an enabled patch in transition is being applied; a disabled one removed */
		target = moving->enabled == 0 ? 0 : 1;
		r = klp_kernel_tasks(&tasks);
		if (r < 0) {
			klp_err("blocking: /proc: %s", strerror(-r));
			klp_lives_free(&lives);
			return KLP_EXIT_ERROR;
		}
	}
	if (o.json) {
		klp_json_init(&j, stdout);
		klp_json_object_begin(&j);
		klp_json_kv_int(&j, "format", 1);
		klp_json_kv_string(&j, "patch", moving ? moving->name : NULL);
		klp_json_kv_string(&j, "target", moving ? (target ? "patched" : "unpatched") : NULL);
		klp_json_key(&j, "tasks");
		klp_json_array_begin(&j);
	}
	for (i = 0; i < tasks.n; i++)
		if (blocks(&tasks.v[i], target))
			print_task(&tasks.v[i], o.json, &j);
	if (o.json) {
		klp_json_array_end(&j);
		klp_json_kv_int(&j, "unreadable", (long long)tasks.unreadable);
		klp_json_object_end(&j);
	}
	r = KLP_EXIT_OK;
	if (tasks.unreadable) {
		klp_err("blocking: cannot read the patch state of %zu tasks: run as root",
			tasks.unreadable);
		r = KLP_EXIT_ERROR;
	}
	klp_tasks_free(&tasks);
	klp_lives_free(&lives);
	return r;
}

const struct klp_cmd klp_cmd_blocking = { "blocking", cmd_blocking, "tasks blocking a running transition" };
