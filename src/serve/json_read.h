/* mixdown — a small, strict reader for the console's client messages: one
 * flat JSON object (RFC 8259) whose values are strings, numbers, true, false
 * or null; nested objects and arrays are refused. Sizes are bounded (at most
 * JSON_FLAT_MAX_FIELDS keys of up to 31 bytes, strings up to 255 bytes after
 * unescaping) so a hostile message cannot make it allocate. No allocation;
 * any thread (the server's event loop uses it).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SERVE_JSON_READ_H
#define MIXDOWN_SERVE_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_FLAT_MAX_FIELDS 16

typedef enum { JSON_STRING, JSON_NUMBER, JSON_BOOL, JSON_NULL } json_kind;

typedef struct {
	char key[32];
	json_kind kind;
	char str[256]; /* JSON_STRING: UTF-8, NUL-terminated (strings with NUL are refused) */
	double num;    /* JSON_NUMBER; JSON_BOOL: 1 or 0 */
} json_field;

typedef struct {
	json_field f[JSON_FLAT_MAX_FIELDS];
	int n;
} json_flat;

/* Parse text[0..len) into out; false with the reason in why (e.g. "expected
 * ':' at byte 12") on any deviation from the grammar, a duplicate key, or a
 * bound exceeded. */
bool json_flat_parse(const char *text, size_t len, json_flat *out, char *why, size_t cap);
/* The field named key, or NULL. */
const json_field *json_flat_get(const json_flat *o, const char *key);

#endif
