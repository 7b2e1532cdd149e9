/* mixdown — the strict flat-object JSON reader of the console protocol
 * (json_read.h). Grammar: RFC 8259 sections 2-7, restricted to one object of
 * scalar values. No allocation; reentrant.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "json_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *s;
	size_t i, n;
	char *why;
	size_t cap;
} reader;

static bool fail(reader *r, const char *what)
{
	snprintf(r->why, r->cap, "%s at byte %zu", what, r->i);
	return false;
}

static void ws(reader *r)
{
	while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' || r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
}

static int hex4(reader *r)
{
	if (r->n - r->i < 4)
		return -1;
	int v = 0;
	for (int k = 0; k < 4; k++) {
		char c = r->s[r->i++];
		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			     c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1000000);
	}
	return v < 0 ? -1 : v;
}

/* Append code point cp as UTF-8; false when out of room. */
static bool put_utf8(char *out, size_t cap, size_t *o, unsigned cp)
{
	unsigned char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (*o + k >= cap)
		return false;
	memcpy(out + *o, b, k);
	*o += k;
	return true;
}

static bool string(reader *r, char *out, size_t cap)
{
	if (r->i >= r->n || r->s[r->i] != '"')
		return fail(r, "expected a string");
	r->i++;
	size_t o = 0;
	for (;;) {
		if (r->i >= r->n)
			return fail(r, "unterminated string");
		unsigned char c = (unsigned char)r->s[r->i++];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(r, "control character in a string");
		if (c != '\\') {
			if (o + 1 >= cap)
				return fail(r, "string too long");
			out[o++] = (char)c;
			continue;
		}
		if (r->i >= r->n)
			return fail(r, "unterminated string");
		char e = r->s[r->i++];
		const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
		const char *p = e ? strchr(from, e) : NULL;
		if (p) {
			if (o + 1 >= cap)
				return fail(r, "string too long");
			out[o++] = to[p - from];
			continue;
		}
		if (e != 'u')
			return fail(r, "bad escape");
		int cp = hex4(r);
		if (cp < 0)
			return fail(r, "bad \\u escape");
		if (cp >= 0xD800 && cp < 0xDC00) { /* a UTF-16 surrogate pair (RFC 8259 section 7) */
			if (r->n - r->i < 6 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
				return fail(r, "lone surrogate");
			r->i += 2;
			int lo = hex4(r);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return fail(r, "lone surrogate");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			return fail(r, "lone surrogate");
		}
		if (cp == 0)
			return fail(r, "NUL in a string");
		if (!put_utf8(out, cap, &o, (unsigned)cp))
			return fail(r, "string too long");
	}
	out[o] = '\0';
	return true;
}

static bool number(reader *r, double *v)
{
	size_t a = r->i;
	const char *s = r->s;
	if (r->i < r->n && s[r->i] == '-')
		r->i++;
	if (r->i < r->n && s[r->i] == '0')
		r->i++;
	else if (r->i < r->n && s[r->i] >= '1' && s[r->i] <= '9')
		while (r->i < r->n && s[r->i] >= '0' && s[r->i] <= '9')
			r->i++;
	else
		return fail(r, "bad number");
	if (r->i < r->n && s[r->i] == '.') {
		size_t d = ++r->i;
		while (r->i < r->n && s[r->i] >= '0' && s[r->i] <= '9')
			r->i++;
		if (r->i == d)
			return fail(r, "bad number");
	}
	if (r->i < r->n && (s[r->i] == 'e' || s[r->i] == 'E')) {
		r->i++;
		if (r->i < r->n && (s[r->i] == '+' || s[r->i] == '-'))
			r->i++;
		size_t d = r->i;
		while (r->i < r->n && s[r->i] >= '0' && s[r->i] <= '9')
			r->i++;
		if (r->i == d)
			return fail(r, "bad number");
	}
	char tmp[64];
	if (r->i - a >= sizeof tmp)
		return fail(r, "number too long");
	memcpy(tmp, s + a, r->i - a);
	tmp[r->i - a] = '\0';
	*v = strtod(tmp, NULL);
	return true;
}

static bool literal(reader *r, const char *word)
{
	size_t k = strlen(word);
	if (r->n - r->i < k || memcmp(r->s + r->i, word, k))
		return false;
	r->i += k;
	return true;
}

bool json_flat_parse(const char *text, size_t len, json_flat *out, char *why, size_t cap)
{
	reader r = { text, 0, len, why, cap };
	out->n = 0;
	ws(&r);
	if (r.i >= r.n || text[r.i] != '{')
		return fail(&r, "expected '{'");
	r.i++;
	ws(&r);
	if (r.i < r.n && text[r.i] == '}') {
		r.i++;
	} else {
		for (;;) {
			if (out->n >= JSON_FLAT_MAX_FIELDS)
				return fail(&r, "too many keys");
			json_field *f = &out->f[out->n];
			ws(&r);
			if (!string(&r, f->key, sizeof f->key))
				return false;
			if (json_flat_get(out, f->key))
				return fail(&r, "duplicate key");
			ws(&r);
			if (r.i >= r.n || text[r.i] != ':')
				return fail(&r, "expected ':'");
			r.i++;
			ws(&r);
			char c = r.i < r.n ? text[r.i] : '\0';
			f->str[0] = '\0';
			f->num = 0.0;
			if (c == '"') {
				f->kind = JSON_STRING;
				if (!string(&r, f->str, sizeof f->str))
					return false;
			} else if (c == '-' || (c >= '0' && c <= '9')) {
				f->kind = JSON_NUMBER;
				if (!number(&r, &f->num))
					return false;
			} else if (literal(&r, "true") || literal(&r, "false")) {
				f->kind = JSON_BOOL;
				f->num = text[r.i - 1] == 'e' && text[r.i - 2] == 'u' ? 1.0 : 0.0;
			} else if (literal(&r, "null")) {
				f->kind = JSON_NULL;
			} else {
				return fail(&r, c == '{' || c == '[' ? "nested values are not accepted" : "expected a value");
			}
			out->n++;
			ws(&r);
			if (r.i < r.n && text[r.i] == ',') {
				r.i++;
				continue;
			}
			if (r.i < r.n && text[r.i] == '}') {
				r.i++;
				break;
			}
			return fail(&r, "expected ',' or '}'");
		}
	}
	ws(&r);
	if (r.i != r.n)
		return fail(&r, "text after the object");
	return true;
}

const json_field *json_flat_get(const json_flat *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->f[i].key, key))
			return &o->f[i];
	return NULL;
}
