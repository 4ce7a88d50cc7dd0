// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by the reporting commands (status, patches, blocking, load):
 * their common options, reading a small text file, joining word lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klp.h"
#include "json.h"
#include "kernel.h"
#include "status.h"

/*
 * klp.c defines klp_global; the unit tests link every object but klp.c's.
 * This weak definition lets them link and loses to klp.c's in the binary.
 */
__attribute__((weak)) struct klp_global klp_global;

int klp_report_opts(int argc, char **argv, const char *usage, struct klp_report_opts *o)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->verbose = klp_global.verbose;
	o->json = klp_global.json;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v': o->verbose = true; break;
		case 'j': o->json = true; break;
		case 'h': fputs(usage, stdout); return 1;
		default: klp_bad_option(argv, c, optopt); return -1;
		}
	}
	if (optind < argc) {
		klp_err("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return -1;
	}
	return 0;
}

int klp_report_begin(int argc, char **argv, const char *usage, struct klp_report_opts *o,
		     struct klp_live_list *lives)
{
	int r = klp_report_opts(argc, argv, usage, o);

	if (r)
		return r > 0 ? KLP_EXIT_OK : KLP_EXIT_USAGE;
	r = klp_kernel_patches(lives);
	if (r < 0) {
		klp_err("%s: /sys/kernel/livepatch: %s", argv[0], strerror(-r));
		return KLP_EXIT_ERROR;
	}
	return -1;
}

void klp_bad_option(char **argv, int ret, int opt)
{
	const char *arg = argv[optind - 1];

	if (ret == ':')
		klp_err("%s: option '%s' needs a value (see klp %s --help)", argv[0], arg, argv[0]);
	else if (opt)
		klp_err("%s: unknown option '-%c' (see klp %s --help)", argv[0], opt, argv[0]);
	else
		klp_err("%s: unknown option '%s' (see klp %s --help)", argv[0], arg, argv[0]);
}

void klp_print_words(FILE *f, char *const *v, size_t n, const char *empty)
{
	size_t i;

	if (n == 0)
		fputs(empty, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", v[i]);
}

void klp_json_kv_words(struct klp_json *j, const char *key, char *const *v, size_t n)
{
	size_t i;

	klp_json_key(j, key);
	klp_json_array_begin(j);
	for (i = 0; i < n; i++)
		klp_json_string(j, v[i]);
	klp_json_array_end(j);
}

void klp_fmt_centis(uint64_t ns, char *buf, size_t len)
{
	uint64_t cs = (ns + 5000000u) / 10000000u;

	snprintf(buf, len, "%llu.%02llu", (unsigned long long)(cs / 100), (unsigned long long)(cs % 100));
}
