// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp: livepatch status and initrd upkeep. Each command's file defines its
 * record {name, function, help} (klp.h), as kmod's tools do; this is their
 * list. Global options may come before the command (SUSE's "klp -v
 * patches") or after it.
 */
#include <stdio.h>
#include <string.h>

#include "klp.h"

struct klp_global klp_global;

static int do_help(int argc, char **argv);

static const struct klp_cmd help_cmd = { "help", do_help, "this text" };

static const struct klp_cmd *const cmds[] = {
	&klp_cmd_status, &klp_cmd_patches, &klp_cmd_blocking, &klp_cmd_load, &klp_cmd_initrd,
	&klp_cmd_regenerate, &klp_cmd_installed, &klp_cmd_payload, &help_cmd,
};

static int do_help(int argc, char **argv)
{
	size_t i;

	(void)argc, (void)argv;
	printf("Usage: klp [-v] [--json] COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-12s %s\n", cmds[i]->name, cmds[i]->help);
	printf("\nGlobal options:\n"
	       "  -v, --verbose   more detail\n"
	       "  --json          machine-readable output (status, patches, initrd)\n"
	       "  -h, --help      this text; klp COMMAND --help for a command's options\n"
	       "  --version       version\n"
	       "\nExit status: 0 success, 1 error, 2 usage; see klp(8) for each command.\n");
	return KLP_EXIT_OK;
}

/* Leading global options; returns the index of the command word. */
static int parse_global(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			klp_global.verbose = true;
		else if (!strcmp(argv[i], "--json"))
			klp_global.json = true;
		else
			break;
	}
	return i;
}

int main(int argc, char **argv)
{
	int first = parse_global(argc, argv);
	size_t i;

	if (first >= argc) {
		klp_err("missing command (see klp help)");
		return KLP_EXIT_USAGE;
	}
	if (!strcmp(argv[first], "--help") || !strcmp(argv[first], "-h"))
		return do_help(argc, argv);
	if (!strcmp(argv[first], "--version")) {
		printf("klp %s\n", KLP_VERSION);
		return KLP_EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[first], cmds[i]->name))
			return cmds[i]->fn(argc - first, argv + first);
	klp_err("unknown command '%s' (see klp help)", argv[first]);
	return KLP_EXIT_USAGE;
}
