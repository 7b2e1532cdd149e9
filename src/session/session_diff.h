/* mixdown — comparing two parsed sessions in mixing terms (`mixdown diff`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * session_diff.c compares the session settings, strips, sends, clips and
 * master target; session_diff_fx.c the inserts and automation lanes of a
 * matched pair of strips; both append lines through mxd_diff_add(). The
 * public mixdown_session_diff() / mixdown_diff_write_json() live in
 * session_diff.c. Units in the lines: dB, s, Hz, % (width, mix), pan as
 * L<percent> / C / R<percent>. Control thread only; pure (no I/O).
 */
#ifndef MIXDOWN_SESSION_DIFF_H
#define MIXDOWN_SESSION_DIFF_H

#include <stdbool.h>

#include "session/model.h"

/* The list being built. `nomem` is set on an allocation failure (further
 * additions are dropped; the caller reports MIXDOWN_ERR_NOMEM). */
typedef struct {
	mixdown_diff *d;
	size_t cap;
	bool nomem;
	const mxd_session *a, *b;
	/* Buses renamed from a to b: b's name -> a's name (for outputs, sends, sidechains). */
	const char **renamed_from, **renamed_to;
	size_t n_renamed;
} mxd_diff_ctx;

/* Append one change. The text is "<strip><sep><what> <from> -> <to><unit>"
 * for CHANGED with both values, else "<strip><sep><what> <tail>" where tail
 * is "added"/"removed" or `tail_text` when given. from/to are stored with
 * the unit appended. */
void mxd_diff_add(mxd_diff_ctx *c, mixdown_diff_kind kind, const char *strip, const char *sep, const char *what,
		  const char *from, const char *to, const char *unit, const char *tail_text);

/* b's name of a bus in a's terms (undoing a rename); NULL stays NULL. */
const char *mxd_diff_a_name(const mxd_diff_ctx *c, const char *b_name);

/* Number formats: "%.1f" for levels, "%.3f" for times, "%.6g" otherwise. */
const char *mxd_diff_num(double v, const char *fmt, char *buf, size_t size);

/* session_diff_fx.c: inserts (by id, else type in order) and automation
 * lanes (by target path) of one strip present in both sessions. */
void mxd_diff_inserts(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b);
void mxd_diff_lanes(mxd_diff_ctx *c, const char *strip, const mxd_strip *a, const mxd_strip *b);

#endif
