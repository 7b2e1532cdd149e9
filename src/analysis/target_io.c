/* mixdown — spectral targets as JSON files, schema "mixdown-target/1".
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One object with exactly these keys (docs/targets.md):
 *   schema "mixdown-target/1", name (string, < 128 bytes), source (string,
 *   < 512 bytes), n_files (integer >= 0), bands_hz (31 numbers: the band
 *   centres of mixdown_band_centre, each within 2 % so nominal values such as
 *   31.5 or 1250 are accepted), median / p10 / p90 (31 numbers or null; null =
 *   no data), loudness / range / plr (number or null).
 * Levels are dB relative to integrated loudness, loudness LUFS, range LU,
 * plr dB; the writer prints up to 7 significant digits and null for
 * non-finite numbers.
 *
 * The reader is deliberately strict, so that a hand-edited target fails
 * loudly instead of comparing against something unintended: standard JSON
 * (RFC 8259) only, every key required exactly once, unknown keys rejected,
 * a band is either null in all three level arrays or a number in all three
 * with p10 <= median <= p90. Errors are MIXDOWN_ERR_SESSION with the file,
 * line:column (1-based, bytes) and the key (e.g. "median[3]"). Files are
 * read whole, at most 1 MiB. Any thread; the caller owns `out`.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "session/model.h"

#define SCHEMA "mixdown-target/1"
#define MAX_FILE (1 << 20)

static void num_array(FILE *f, const char *key, const double *v, bool last)
{
	fprintf(f, "  \"%s\": [", key);
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		if (k)
			fputs(k % 8 ? ", " : ",\n    ", f);
		mxd_json_num(f, v[k]);
	}
	fputs(last ? "]\n" : "],\n", f);
}

int mixdown_target_write(const mixdown_target *t, FILE *f)
{
	if (!t || !f)
		return -1;
	double hz[MIXDOWN_BANDS];
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		hz[k] = mixdown_band_centre(k);
	fputs("{\n  \"schema\": \"" SCHEMA "\",\n  \"name\": ", f);
	mxd_json_str(f, t->name);
	fputs(",\n  \"source\": ", f);
	mxd_json_str(f, t->source);
	fprintf(f, ",\n  \"n_files\": %zu,\n", t->n_files);
	num_array(f, "bands_hz", hz, false);
	num_array(f, "median", t->median, false);
	num_array(f, "p10", t->p10, false);
	num_array(f, "p90", t->p90, false);
	fputs("  ", f);
	mxd_json_key_num(f, "loudness", t->loudness, ",\n  ");
	mxd_json_key_num(f, "range", t->range, ",\n  ");
	mxd_json_key_num(f, "plr", t->plr, "\n}\n");
	return ferror(f) || fflush(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ reader */

enum { K_SCHEMA, K_NAME, K_SOURCE, K_NFILES, K_BANDS, K_MEDIAN, K_P10, K_P90, K_LOUD, K_RANGE, K_PLR, N_KEYS };

typedef struct {
	const char *path, *s;
	size_t pos, len;
	uint32_t line, col;       /* of s[pos] */
	const char *key;          /* the key being read ("" outside) */
	int ki;                   /* its index in key_names, -1 outside */
	mxd_loc at[N_KEYS][MIXDOWN_BANDS]; /* where each array element starts, per key */
	mxd_loc val;              /* where the current value starts */
	mixdown_error *err;
	bool failed;
} reader;

__attribute__((format(printf, 3, 4))) static bool failf(reader *r, const char *key, const char *fmt, ...)
{
	if (r->failed)
		return false;
	r->failed = true;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mxd_fail(r->err, MIXDOWN_ERR_SESSION, r->path, (mxd_loc){ r->line, r->col }, key ? key : r->key, "%s", msg);
	return false;
}

/* The same, placed at `at` (the start of the token or value at fault). */
__attribute__((format(printf, 4, 5))) static bool fail_pos(reader *r, mxd_loc at, const char *key, const char *fmt,
							  ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->line = at.line;
	r->col = at.column;
	return failf(r, key, "%s", msg);
}

static mxd_loc here(const reader *r)
{
	return (mxd_loc){ r->line, r->col };
}

static void advance(reader *r)
{
	if (r->pos >= r->len)
		return;
	if (r->s[r->pos] == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	r->pos++;
}

static int peek(reader *r)
{
	while (r->pos < r->len &&
	       (r->s[r->pos] == ' ' || r->s[r->pos] == '\t' || r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		advance(r);
	return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

static const char *describe(int c)
{
	static _Thread_local char buf[32];
	if (c < 0)
		return "the end of the file";
	if (c >= 32 && c < 127)
		snprintf(buf, sizeof buf, "'%c'", c);
	else
		snprintf(buf, sizeof buf, "byte 0x%02x", c);
	return buf;
}

static bool expect(reader *r, char c, const char *what)
{
	int got = peek(r);
	if (got != c)
		return failf(r, NULL, "expected %s, found %s", what, describe(got));
	advance(r);
	return true;
}

static void put_utf8(char *out, size_t cap, size_t *n, unsigned long cp, bool *overflow)
{
	char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	if (*n + k >= cap) {
		*overflow = true;
		return;
	}
	memcpy(out + *n, b, k);
	*n += k;
}

static bool hex4(reader *r, unsigned long *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return failf(r, NULL, "bad \\u escape: expected a hex digit, found %s", describe(c));
		*v = *v * 16 + (unsigned long)d;
		advance(r);
	}
	return true;
}

/* A JSON string into out (NUL-terminated, at most cap - 1 bytes). */
static bool read_string(reader *r, char *out, size_t cap, const char *what)
{
	int c = peek(r);
	if (c != '"')
		return failf(r, NULL, "expected %s (a string), found %s", what, describe(c));
	const uint32_t line0 = r->line, col0 = r->col;
	advance(r);
	size_t n = 0;
	bool overflow = false;
	for (;;) {
		if (r->pos >= r->len)
			return failf(r, NULL, "unterminated string (started at %u:%u)", line0, col0);
		c = (unsigned char)r->s[r->pos];
		if (c == '"') {
			advance(r);
			break;
		}
		if (c < 32)
			return failf(r, NULL, "control character %s inside a string", describe(c));
		const mxd_loc esc = here(r);
		advance(r);
		unsigned long cp = (unsigned long)c;
		if (c == '\\') {
			int e = r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
			advance(r);
			switch (e) {
			case '"': case '\\': case '/': cp = (unsigned long)e; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (!hex4(r, &cp))
					return false;
				if (cp >= 0xD800 && cp < 0xDC00) { /* a surrogate pair */
					unsigned long lo;
					if (r->pos + 1 >= r->len || r->s[r->pos] != '\\' || r->s[r->pos + 1] != 'u')
						return fail_pos(r, esc, NULL, "lone UTF-16 surrogate in a \\u escape");
					advance(r);
					advance(r);
					if (!hex4(r, &lo))
						return false;
					if (lo < 0xDC00 || lo > 0xDFFF)
						return fail_pos(r, esc, NULL,
								"invalid UTF-16 surrogate pair in a \\u escape");
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp < 0xE000) {
					return fail_pos(r, esc, NULL, "lone UTF-16 surrogate in a \\u escape");
				} else if (cp == 0) {
					return fail_pos(r, esc, NULL, "\\u0000 is not allowed in a string");
				}
				break;
			default:
				return fail_pos(r, esc, NULL, "invalid escape \\%c", e >= 32 && e < 127 ? e : '?');
			}
			put_utf8(out, cap, &n, cp, &overflow);
		} else {
			if (n + 1 >= cap)
				overflow = true;
			else
				out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	if (overflow)
		return fail_pos(r, (mxd_loc){ line0, col0 }, NULL, "%s is longer than %zu bytes", what, cap - 1);
	return true;
}

/* A JSON number (RFC 8259 grammar), or null when allow_null (-> *is_null). */
static bool read_number(reader *r, double *v, bool allow_null, bool *is_null, const char *key)
{
	int c = peek(r);
	if (is_null)
		*is_null = false;
	if (c == 'n' && r->len - r->pos >= 4 && !memcmp(r->s + r->pos, "null", 4)) {
		if (!allow_null)
			return failf(r, key, "expected a number, found null");
		for (int i = 0; i < 4; i++)
			advance(r);
		*is_null = true;
		return true;
	}
	const size_t start = r->pos;
	size_t p = start;
	const char *s = r->s;
	if (p < r->len && s[p] == '-')
		p++;
	if (p < r->len && s[p] == '0') {
		p++;
	} else if (p < r->len && s[p] >= '1' && s[p] <= '9') {
		while (p < r->len && s[p] >= '0' && s[p] <= '9')
			p++;
	} else {
		return failf(r, key, "expected a number%s, found %s", allow_null ? " or null" : "", describe(c));
	}
	if (p < r->len && s[p] == '.') {
		p++;
		if (!(p < r->len && s[p] >= '0' && s[p] <= '9'))
			return failf(r, key, "malformed number: a digit must follow '.'");
		while (p < r->len && s[p] >= '0' && s[p] <= '9')
			p++;
	}
	if (p < r->len && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < r->len && (s[p] == '+' || s[p] == '-'))
			p++;
		if (!(p < r->len && s[p] >= '0' && s[p] <= '9'))
			return failf(r, key, "malformed number: a digit must follow the exponent");
		while (p < r->len && s[p] >= '0' && s[p] <= '9')
			p++;
	}
	char buf[64];
	if (p - start >= sizeof buf)
		return failf(r, key, "number too long");
	memcpy(buf, s + start, p - start);
	buf[p - start] = '\0';
	*v = strtod(buf, NULL);
	if (!isfinite(*v))
		return failf(r, key, "number out of range");
	while (r->pos < p)
		advance(r);
	return true;
}

/* An array of exactly MIXDOWN_BANDS numbers (or nulls -> -INFINITY). */
static bool read_bands(reader *r, double v[MIXDOWN_BANDS], bool allow_null)
{
	if (!expect(r, '[', "'[' (an array of 31 values, one per band)"))
		return false;
	size_t n = 0;
	if (peek(r) == ']')
		return fail_pos(r, r->val, NULL, "expected %d values (one per band), found none", MIXDOWN_BANDS);
	for (;;) {
		char key[300];
		snprintf(key, sizeof key, "%s[%zu]", r->key, n);
		double x = 0;
		bool is_null = false;
		peek(r);
		if (n < MIXDOWN_BANDS && r->ki >= 0)
			r->at[r->ki][n] = (mxd_loc){ r->line, r->col };
		if (!read_number(r, &x, allow_null, &is_null, key))
			return false;
		if (n < MIXDOWN_BANDS)
			v[n] = is_null ? -INFINITY : x;
		n++;
		int c = peek(r);
		if (c == ',') {
			advance(r);
			continue;
		}
		if (c == ']') {
			advance(r);
			break;
		}
		return failf(r, key, "expected ',' or ']', found %s", describe(c));
	}
	if (n != MIXDOWN_BANDS)
		return fail_pos(r, r->val, NULL, "expected %d values (one per band, %.0f Hz .. %.0f Hz), found %zu",
				MIXDOWN_BANDS, mixdown_band_centre(0), mixdown_band_centre(MIXDOWN_BANDS - 1), n);
	return true;
}

static const char *const key_names[N_KEYS] = { "schema", "name",  "source",   "n_files", "bands_hz", "median",
						"p10",    "p90",   "loudness", "range",   "plr" };

static bool read_value(reader *r, int k, mixdown_target *t)
{
	double x;
	bool is_null;
	switch (k) {
	case K_SCHEMA: {
		char s[64];
		if (!read_string(r, s, sizeof s, "the schema name"))
			return false;
		if (strcmp(s, SCHEMA))
			return fail_pos(r, r->val, NULL, "unsupported schema \"%s\" (expected \"" SCHEMA "\")", s);
		return true;
	}
	case K_NAME:
		if (!read_string(r, t->name, sizeof t->name, "name"))
			return false;
		return t->name[0] ? true : fail_pos(r, r->val, NULL, "the name is empty");
	case K_SOURCE:
		return read_string(r, t->source, sizeof t->source, "source");
	case K_NFILES:
		if (!read_number(r, &x, false, NULL, NULL))
			return false;
		if (x < 0 || x > 1e9 || x != floor(x))
			return fail_pos(r, r->val, NULL, "expected a whole number of files (0 or more), found %g", x);
		t->n_files = (size_t)x;
		return true;
	case K_BANDS: {
		double hz[MIXDOWN_BANDS];
		if (!read_bands(r, hz, false))
			return false;
		for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
			const double want = mixdown_band_centre(b);
			if (!(fabs(hz[b] / want - 1.0) <= 0.02)) {
				char key[32];
				snprintf(key, sizeof key, "bands_hz[%zu]", b);
				return fail_pos(r, r->at[K_BANDS][b], key,
						"%g Hz is not band %zu of the one-third-octave grid (%.4g Hz)", hz[b],
						b, want);
			}
		}
		return true;
	}
	case K_MEDIAN: return read_bands(r, t->median, true);
	case K_P10: return read_bands(r, t->p10, true);
	case K_P90: return read_bands(r, t->p90, true);
	default: {
		if (!read_number(r, &x, true, &is_null, NULL))
			return false;
		double *dst = k == K_LOUD ? &t->loudness : k == K_RANGE ? &t->range : &t->plr;
		*dst = is_null ? NAN : x;
		return true;
	}
	}
}

static bool check_bands(reader *r, const mixdown_target *t)
{
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		char key[32];
		const int finite = isfinite(t->median[k]) + isfinite(t->p10[k]) + isfinite(t->p90[k]);
		snprintf(key, sizeof key, "median[%zu]", k);
		if (finite != 0 && finite != 3)
			return fail_pos(
				r, r->at[K_MEDIAN][k], key,
				"band %zu (%.4g Hz) must be null in median, p10 and p90 or a number in all three", k,
				mixdown_band_centre(k));
		if (finite == 3 && !(t->p10[k] <= t->median[k] && t->median[k] <= t->p90[k]))
			return fail_pos(r, r->at[K_MEDIAN][k], key,
					"band %zu (%.4g Hz): expected p10 <= median <= p90, found %g, %g, %g", k,
					mixdown_band_centre(k), t->p10[k], t->median[k], t->p90[k]);
	}
	return true;
}

static bool parse(reader *r, mixdown_target *t)
{
	bool seen[N_KEYS] = { false };
	r->key = "";
	r->ki = -1;
	if (!expect(r, '{', "'{' (a mixdown-target/1 JSON object)"))
		return false;
	if (peek(r) != '}')
		for (;;) {
			char key[128];
			r->key = "";
			r->ki = -1;
			peek(r);
			const mxd_loc key_at = here(r);
			if (!read_string(r, key, sizeof key, "a key"))
				return false;
			int k = 0;
			while (k < N_KEYS && strcmp(key, key_names[k]))
				k++;
			if (k == N_KEYS)
				return fail_pos(r, key_at, key,
						"unknown key (a mixdown-target/1 object has schema, name, source, "
						"n_files, bands_hz, median, p10, p90, loudness, range, plr)");
			r->key = key_names[k];
			r->ki = k;
			if (seen[k])
				return fail_pos(r, key_at, NULL, "duplicate key");
			seen[k] = true;
			if (!expect(r, ':', "':'"))
				return false;
			peek(r);
			r->val = here(r);
			if (!read_value(r, k, t))
				return false;
			int c = peek(r);
			if (c == ',') {
				advance(r);
				continue;
			}
			if (c == '}')
				break;
			return failf(r, NULL, "expected ',' or '}' after the value, found %s", describe(c));
		}
	r->key = "";
	r->ki = -1;
	peek(r);
	const mxd_loc brace = here(r);
	advance(r); /* '}' */
	if (peek(r) >= 0)
		return failf(r, NULL, "unexpected %s after the target object", describe(peek(r)));
	for (int k = 0; k < N_KEYS; k++)
		if (!seen[k])
			return fail_pos(r, brace, key_names[k], "missing key");
	return check_bands(r, t);
}

mixdown_status mixdown_target_load(const char *path, mixdown_target *out, mixdown_error *err)
{
	const mxd_loc none = { 0, 0 };
	if (!path || !out)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, none, NULL, "no target file given");
	FILE *f = fopen(path, "rb");
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, none, NULL, "cannot open target file: %s",
				strerror(errno));
	char *text = malloc(MAX_FILE + 1);
	if (!text) {
		fclose(f);
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, path, none, NULL, "out of memory");
	}
	size_t len = fread(text, 1, MAX_FILE + 1, f);
	const bool rd_err = ferror(f);
	fclose(f);
	if (rd_err || len > MAX_FILE) {
		free(text);
		return mxd_fail(err, MIXDOWN_ERR_SESSION, path, none, NULL,
				rd_err ? "read error" : "larger than 1 MiB: not a target file");
	}
	mixdown_target t;
	memset(&t, 0, sizeof t);
	reader *r = calloc(1, sizeof *r);
	if (!r) {
		free(text);
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, path, none, NULL, "out of memory");
	}
	*r = (reader){ .path = path, .s = text, .len = len, .line = 1, .col = 1, .key = "", .ki = -1, .err = err };
	const bool ok = parse(r, &t);
	free(r);
	free(text);
	if (!ok)
		return MIXDOWN_ERR_SESSION;
	*out = t;
	return MIXDOWN_SUCCESS;
}
