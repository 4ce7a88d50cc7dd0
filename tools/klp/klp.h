/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klp: what every file of the command-line tool shares. Each room has its
 * own header (README, "Layout"): json.h, kernel.h, patch.h, payload.h,
 * status.h, util.h, initrd.h, boot.h, verdict.h, regen.h.
 */
#ifndef KLP_H
#define KLP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* shared with the loader: the core library (lib/) */
#include "klp-core.h"
#include <stdlib.h>

#define KLP_VERSION "0.1"
#define KLP_CONF "/etc/klp/klp.conf"

/* One line on stderr, "klp: " before it, a newline after (log.c): every message of klp to its user. */
void klp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit codes shared by all commands; each command documents its own above 2. */
enum { KLP_EXIT_OK = 0, KLP_EXIT_ERROR = 1, KLP_EXIT_USAGE = 2 };

/* Global options (klp.c); commands also accept -v and --json after their name. */
struct klp_global {
	bool verbose;
	bool json;
};
extern struct klp_global klp_global;

/*
 * Commands, one file each (cmd-NAME.c), as kmod's tools: each defines its
 * record, const struct klp_cmd klp_cmd_NAME (name, entry, one line of help);
 * the entry gets argv[0] the command name. klp.c lists them in help's order.
 */
struct klp_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};
extern const struct klp_cmd klp_cmd_status, klp_cmd_patches, klp_cmd_blocking, klp_cmd_load, klp_cmd_initrd,
	klp_cmd_regenerate, klp_cmd_installed, klp_cmd_payload;

#define _cleanup_(f) __attribute__((cleanup(f)))
static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

#endif
