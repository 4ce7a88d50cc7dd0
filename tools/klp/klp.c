// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp: livepatch status and initrd upkeep. Commands are a table of
 * {name, function, help}, as in kmod's tools.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "klp.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* Exit codes, see klp(8). */
enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_NO_PATCH = 3, EXIT_PIN = 4 };

static int running_kver(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	snprintf(buf, len, "%s", u.release);
	return 0;
}

static void print_field(const struct klp_candidate *c, const char *kver, const char *field)
{
	const char *v = NULL;

	if (!strcmp(field, "name"))
		v = c->name;
	else if (!strcmp(field, "file"))
		v = c->path;
	else if (!strcmp(field, "srcversion"))
		v = c->srcversion;
	else if (!strcmp(field, "vermagic"))
		v = c->vermagic;
	else if (!strcmp(field, "kernel"))
		v = kver;
	printf("%s\n", v ? v : "");
}

static bool field_valid(const char *f)
{
	return !strcmp(f, "name") || !strcmp(f, "file") || !strcmp(f, "srcversion") ||
	       !strcmp(f, "vermagic") || !strcmp(f, "kernel");
}

static int do_installed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kver", required_argument, NULL, 'k' },  { "root", required_argument, NULL, 'r' },
		{ "field", required_argument, NULL, 'F' }, { "conf", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "", *field = NULL, *conf = NULL, *pin;
	char kver[256] = "", err[256] = "", confpath[4096];
	struct klp_candidates cands;
	struct klp_conf cf;
	bool quiet = false;
	int o, r, sel;
	size_t i;

	while ((o = getopt_long(argc, argv, "k:r:F:c:qh", opts, NULL)) != -1) {
		switch (o) {
		case 'k': snprintf(kver, sizeof(kver), "%s", optarg); break;
		case 'r': root = optarg; break;
		case 'F': field = optarg; break;
		case 'c': conf = optarg; break;
		case 'q': quiet = true; break;
		case 'h':
			printf("Usage: klp installed [--kver K] [--root DIR] [--conf FILE] [--field F] [--quiet]\n"
			       "Print the active cumulative livepatch installed for kernel K (default: running).\n"
			       "F is one of name, file, srcversion, vermagic, kernel.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "klp: installed: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (field && !field_valid(field)) {
		fprintf(stderr, "klp: installed: unknown field '%s' (name, file, srcversion, vermagic, kernel)\n", field);
		return EXIT_USAGE;
	}
	if (!kver[0] && (r = running_kver(kver, sizeof(kver))) < 0) {
		fprintf(stderr, "klp: uname: %s\n", strerror(-r));
		return EXIT_ERROR;
	}
	if (!conf) {
		snprintf(confpath, sizeof(confpath), "%s%s", root, KLP_CONF);
		conf = confpath;
	}
	r = klp_conf_load(conf, &cf, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "klp: %s: %s\n", conf, err[0] ? err : strerror(-r));
		return EXIT_ERROR;
	}
	r = klp_candidates_scan(root, kver, &cands);
	if (r < 0) {
		fprintf(stderr, "klp: livepatch folder of %s: %s\n", kver, strerror(-r));
		klp_conf_free(&cf);
		return EXIT_ERROR;
	}
	pin = klp_conf_pin(&cf, kver);
	sel = klp_candidates_select(&cands, pin);
	for (i = 0; i < cands.n; i++)
		if (cands.v[i].problem && !quiet)
			fprintf(stderr, "klp: %s: skipped: %s\n", cands.v[i].path, cands.v[i].problem);
	if (sel == -ESRCH) {
		fprintf(stderr, "klp: %s pins %s for %s, but no usable module of that name is installed\n", conf,
			pin, kver);
		r = EXIT_PIN;
	} else if (sel < 0) {
		if (!quiet)
			fprintf(stderr, "klp: no usable livepatch installed for %s\n", kver);
		r = EXIT_NO_PATCH;
	} else if (field) {
		print_field(&cands.v[sel], kver, field);
		r = EXIT_OK;
	} else {
		const struct klp_candidate *c = &cands.v[sel];
		printf("kernel: %s\npatch: %s\nfile: %s\nsrcversion: %s\n", kver, c->name, c->path,
		       c->srcversion ? c->srcversion : "");
		r = EXIT_OK;
	}
	klp_candidates_free(&cands);
	klp_conf_free(&cf);
	return r;
}

static int do_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "installed", do_installed, "the active cumulative livepatch installed for a kernel" },
	{ "help", do_help, "this text" },
};

static int do_help(int argc, char **argv)
{
	size_t i;

	(void)argc, (void)argv;
	printf("Usage: klp COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-12s %s\n", cmds[i].name, cmds[i].help);
	printf("\nklp COMMAND --help shows a command's options. See klp(8).\n");
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "klp: missing command (see klp help)\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return do_help(argc, argv);
	if (!strcmp(argv[1], "--version")) {
		printf("klp %s\n", KLP_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "klp: unknown command '%s' (see klp help)\n", argv[1]);
	return EXIT_USAGE;
}
