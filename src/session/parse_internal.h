/* mixdown — shared state and value readers of the session parser.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every reader returns MIXDOWN_SUCCESS or the status of the first error, which
 * it has already written to the context's mixdown_error (the first error wins:
 * callers return as soon as a reader fails). Errors name the current key path
 * (pushed and popped around each value) and the line:column of the node.
 */
#ifndef MIXDOWN_SESSION_PARSE_INTERNAL_H
#define MIXDOWN_SESSION_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <sndfile.h>

#include "session/model.h"
#include "session/yaml_tree.h"

typedef struct {
	const char *name;     /* file name for messages */
	mixdown_error *err;
	mxd_session *s;
	char path[256];       /* current key path, e.g. "tracks[2].clips[0]" */
	size_t plen;
} mxd_pctx;

#define PX_TRY(expr)                                                                   \
	do {                                                                           \
		mixdown_status px_st_ = (expr);                                        \
		if (px_st_ != MIXDOWN_SUCCESS)                                         \
			return px_st_;                                                 \
	} while (0)

/* Key path: push ".key" / "[i]", returning the previous length for px_pop(). */
size_t px_key(mxd_pctx *c, const char *key);
size_t px_index(mxd_pctx *c, size_t i);
void px_pop(mxd_pctx *c, size_t old);

/* Fail at `loc` with the current key path. */
mixdown_status px_fail(mxd_pctx *c, mixdown_status st, mxd_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
mixdown_status px_nomem(mxd_pctx *c);

/* What a node is, for "got ..." in messages: "\"loud\"" (escaped, shortened),
 * "an empty value", "a list", "a mapping". Returns buf. */
const char *px_describe(const mxy_node *n, char *buf, size_t size);
/* A number the way messages print it: integers in full, else %g. */
const char *px_num(double v, char *buf, size_t size);

/* The node must be a mapping whose keys are all in allowed[0..n-1], each once.
 * `what` names the mapping in "expected a mapping (what), got ..." (may be NULL). */
mixdown_status px_check_map(mxd_pctx *c, const mxy_node *map, const char *what,
			    const char *const *allowed, size_t n);
/* The node must be a list (a YAML null counts as an empty one). */
mixdown_status px_check_list(mxd_pctx *c, const mxy_node *n, const char *what);
/* A required key is present, else "missing required key". */
mixdown_status px_require(mxd_pctx *c, const mxy_node *map, const char *key, const mxy_node **out);

/* Readers of single values (the key path must already name the value). */
mixdown_status px_number(mxd_pctx *c, const mxy_node *n, const char *unit, double min,
			 double max, bool integer, double *out);
/* A level in dB in [-144, 24]; "-inf" (also -.inf) reads as -144. */
mixdown_status px_db(mxd_pctx *c, const mxy_node *n, double *out);
mixdown_status px_bool(mxd_pctx *c, const mxy_node *n, bool *out);
/* A non-null scalar, copied. */
mixdown_status px_string(mxd_pctx *c, const mxy_node *n, char **out);
/* One of names[] (NULL-terminated); stores the index. */
mixdown_status px_enum(mxd_pctx *c, const mxy_node *n, const char *const *names, int *out);
/* A timeline position: seconds >= 0 or "bar:beat[:tick]" through the session's tempo map. */
mixdown_status px_time(mxd_pctx *c, const mxy_node *n, double *out);

/* The same for an optional key of `map` (nothing happens when absent). */
mixdown_status px_opt_number(mxd_pctx *c, const mxy_node *map, const char *key, const char *unit,
			     double min, double max, bool integer, double *out);
mixdown_status px_opt_db(mxd_pctx *c, const mxy_node *map, const char *key, double *out);
mixdown_status px_opt_bool(mxd_pctx *c, const mxy_node *map, const char *key, bool *out);
mixdown_status px_opt_string(mxd_pctx *c, const mxy_node *map, const char *key, char **out);
mixdown_status px_opt_time(mxd_pctx *c, const mxy_node *map, const char *key, double *out);

/* A time in ms, or a tempo note ("1/4", "1/8.", "1/8t") converted to ms at
 * the session's starting tempo; range-checked in ms. */
mixdown_status px_ms_or_note(mxd_pctx *c, const mxy_node *n, double min, double max, double *out);

/* A rate in Hz, or a note value: one cycle per note at the starting tempo. */
mixdown_status px_hz_or_note(mxd_pctx *c, const mxy_node *n, double min, double max, double *out);

/* `automation:` of a strip (parse_automation.c); the strip's inserts and
 * sends must already be read. `m` is the mapping; its key path is current. */
mixdown_status px_automation(mxd_pctx *c, const mxy_node *m, mxd_strip *st);

/* An audio file path (scalar `n`, key path current): resolved against the
 * session folder into *resolved, checked to open as audio (info filled).
 * Both strings are owned by the caller, also on failure. */
mixdown_status px_audio_file(mxd_pctx *c, const mxy_node *n, char **written, char **resolved, SF_INFO *info);

/* BWF time references (parse_bwf.c): the top-level `timeline_origin`, and a
 * clip's `at: bwf` (`at` is that value node; the clip's file and offset are read). */
mixdown_status px_timeline_origin(mxd_pctx *c, const mxy_node *root);
mixdown_status px_clip_at_bwf(mxd_pctx *c, const mxy_node *at, mxd_clip *clip);

/* Inserts (parse_fx.c): `list` is the value of an `inserts:` key (path pushed). */
mixdown_status px_inserts(mxd_pctx *c, const mxy_node *list, mxd_insert **out, size_t *n_out);

/* A track's `takes:`/`comp:`/`crossfade:` as clips (parse_takes.c); `m` is the track mapping. */
mixdown_status px_takes(mxd_pctx *c, const mxy_node *m, mxd_strip *st);
/* A track's `preset:` chain, put before its inserts (parse_preset.c); before automation is read. */
mixdown_status px_preset(mxd_pctx *c, const mxy_node *m, mxd_strip *st);

#endif
