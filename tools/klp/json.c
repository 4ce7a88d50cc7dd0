// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small streaming JSON writer for --json output: objects, arrays, strings,
 * numbers, booleans, null; commas and escaping handled here, so commands
 * only say what they emit. Output is one line per document.
 */
#include <stdio.h>
#include <string.h>

#include "klp.h"
#include "json.h"

static void sep(struct klp_json *j)
{
	if (j->depth > 0 && j->pending_key) {
		j->pending_key = false;
		return;
	}
	if (j->depth > 0 && j->count[j->depth - 1]++ > 0)
		fputc(',', j->out);
}

void klp_json_init(struct klp_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void open_(struct klp_json *j, char c)
{
	sep(j);
	fputc(c, j->out);
	if (j->depth < KLP_JSON_MAX_DEPTH)
		j->count[j->depth] = 0;
	j->depth++;
}

static void close_(struct klp_json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void klp_json_object_begin(struct klp_json *j)
{
	open_(j, '{');
}

void klp_json_object_end(struct klp_json *j)
{
	close_(j, '}');
}

void klp_json_array_begin(struct klp_json *j)
{
	open_(j, '[');
}

void klp_json_array_end(struct klp_json *j)
{
	close_(j, ']');
}

void klp_json_key(struct klp_json *j, const char *key)
{
	sep(j);
	put_string(j->out, key);
	fputc(':', j->out);
	j->pending_key = true;
}

void klp_json_string(struct klp_json *j, const char *v)
{
	sep(j);
	if (v)
		put_string(j->out, v);
	else
		fputs("null", j->out);
}

void klp_json_int(struct klp_json *j, long long v)
{
	sep(j);
	fprintf(j->out, "%lld", v);
}

void klp_json_double(struct klp_json *j, double v, int decimals)
{
	sep(j);
	fprintf(j->out, "%.*f", decimals, v);
}

void klp_json_bool(struct klp_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->out);
}

void klp_json_null(struct klp_json *j)
{
	sep(j);
	fputs("null", j->out);
}

void klp_json_kv_string(struct klp_json *j, const char *key, const char *v)
{
	klp_json_key(j, key);
	klp_json_string(j, v);
}

void klp_json_kv_int(struct klp_json *j, const char *key, long long v)
{
	klp_json_key(j, key);
	klp_json_int(j, v);
}

void klp_json_kv_bool(struct klp_json *j, const char *key, bool v)
{
	klp_json_key(j, key);
	klp_json_bool(j, v);
}
