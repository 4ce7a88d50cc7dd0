// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /etc/klp/klp.conf: "key = value" lines, '#' comments, blank lines.
 *   pin.<kver> = <module name>
 *   kexec = warn | reload
 * A pin chooses the active patch for one kernel when several are installed.
 * kexec: what klp regenerate does when it replaced the running kernel's
 * initrd while a kexec kernel is loaded: say so (warn, the default), or load
 * the running kernel again with the new initrd (reload: this machine's
 * loaded kexec kernel is always the running one, as kexec reboot tools do).
 * Unknown keys are errors: a typo must not silently change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klp.h"
#include "util.h"
#include "patch.h"

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int add_pin(struct klp_conf *c, const char *kver, const char *mod)
{
	char **k = realloc(c->pin_kver, (c->npins + 1) * sizeof(char *));
	char **m;

	if (!k)
		return -ENOMEM;
	c->pin_kver = k;
	m = realloc(c->pin_module, (c->npins + 1) * sizeof(char *));
	if (!m)
		return -ENOMEM;
	c->pin_module = m;
	k[c->npins] = strdup(kver);
	m[c->npins] = strdup(mod);
	c->npins++;
	if (!k[c->npins - 1] || !m[c->npins - 1])
		return -ENOMEM;
	return 0;
}

static int parse_line(struct klp_conf *c, char *line, unsigned no, char *err, size_t errlen)
{
	char *eq, *key, *val;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		snprintf(err, errlen, "line %u: expected key = value", no);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!strcmp(key, "kexec")) {
		if (strcmp(val, "warn") && strcmp(val, "reload")) {
			snprintf(err, errlen, "line %u: expected kexec = warn or kexec = reload, not '%s'", no, val);
			return -EINVAL;
		}
		c->kexec_reload = !strcmp(val, "reload");
		return 0;
	}
	if (strncmp(key, "pin.", 4) != 0) {
		snprintf(err, errlen, "line %u: unknown key '%s'", no, key);
		return -EINVAL;
	}
	if (!key[4] || !*val || strpbrk(val, " \t/")) {
		snprintf(err, errlen, "line %u: expected pin.<kernel release> = <module name>", no);
		return -EINVAL;
	}
	if (klp_conf_pin(c, key + 4)) {
		snprintf(err, errlen, "line %u: kernel %s pinned twice", no, key + 4);
		return -EINVAL;
	}
	return add_pin(c, key + 4, val);
}

int klp_conf_parse(const char *buf, size_t len, struct klp_conf *c, char *err, size_t errlen)
{
	/* freed by hand: clang-analyzer and cppcheck do not follow _cleanup_free_ */
	char *copy = strndup(buf, len);
	char *line;
	unsigned no = 0;
	int r = 0;

	memset(c, 0, sizeof(*c));
	if (!copy)
		return -ENOMEM;
	if (strlen(copy) != len) {
		snprintf(err, errlen, "binary data (NUL byte)");
		free(copy);
		return -EINVAL;
	}
	/* strtok_r would skip empty lines and lose line numbers */
	for (line = copy; line && r == 0; no++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		r = parse_line(c, line, no + 1, err, errlen);
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (r < 0)
		klp_conf_free(c);
	return r;
}

int klp_conf_load(const char *path, struct klp_conf *c, char *err, size_t errlen)
{
	char *text;
	size_t n;
	int r = klp_read_text(path, 65535, &text, &n);

	memset(c, 0, sizeof(*c));
	if (r == -ENOENT)
		return 0;
	if (r == -EFBIG)
		snprintf(err, errlen, "file too large");
	if (r < 0)
		return r;
	r = klp_conf_parse(text, n, c, err, errlen);
	free(text);
	return r;
}

const char *klp_conf_pin(const struct klp_conf *c, const char *kver)
{
	size_t i;

	for (i = 0; i < c->npins; i++)
		if (!strcmp(c->pin_kver[i], kver))
			return c->pin_module[i];
	return NULL;
}

void klp_conf_free(struct klp_conf *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->npins; i++) {
		free(c->pin_kver[i]);
		free(c->pin_module[i]);
	}
	free(c->pin_kver);
	free(c->pin_module);
	memset(c, 0, sizeof(*c));
}
