/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c: the streaming JSON writer of --json. */
#ifndef KLP_JSON_H
#define KLP_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* ---- json.c: streaming JSON writer for --json ---- */
#define KLP_JSON_MAX_DEPTH 16
struct klp_json {
	FILE *out;
	int depth;
	unsigned count[KLP_JSON_MAX_DEPTH];
	bool pending_key;
};
void klp_json_init(struct klp_json *j, FILE *out);
void klp_json_object_begin(struct klp_json *j);
void klp_json_object_end(struct klp_json *j);
void klp_json_array_begin(struct klp_json *j);
void klp_json_array_end(struct klp_json *j);
void klp_json_key(struct klp_json *j, const char *key);
void klp_json_string(struct klp_json *j, const char *v); /* NULL -> null */
void klp_json_int(struct klp_json *j, long long v);
void klp_json_double(struct klp_json *j, double v, int decimals);
void klp_json_bool(struct klp_json *j, bool v);
void klp_json_null(struct klp_json *j);
void klp_json_kv_string(struct klp_json *j, const char *key, const char *v);
void klp_json_kv_int(struct klp_json *j, const char *key, long long v);
void klp_json_kv_bool(struct klp_json *j, const char *key, bool v);

#endif
