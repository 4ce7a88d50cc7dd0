// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c: klp's messages to its user, one line each on stderr, "klp: " first. */
#include <stdarg.h>
#include <stdio.h>

#include "klp.h"

void klp_err(const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	/* formatted first, written with one call: stderr is unbuffered, and a dracut child may write beside us */
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(line)) {
		fprintf(stderr, "klp: %s\n", line);
		return;
	}
	va_start(ap, fmt);
	fputs("klp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
