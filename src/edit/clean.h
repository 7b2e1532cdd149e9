/* mixdown — `mixdown clean` inside the library: what was found on each track
 * and what is proposed (clean.c), the report (clean_report.c) and the
 * write-back into the session file (clean_apply.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Times are seconds: clip-relative for silence regions, timeline otherwise.
 * Everything is owned by the mxd_clean it sits in. Control thread only.
 */
#ifndef MIXDOWN_EDIT_CLEAN_H
#define MIXDOWN_EDIT_CLEAN_H

#include <stdbool.h>
#include <stdio.h>

#include "edit/align.h"
#include "edit/repair.h"
#include "edit/silence.h"
#include "session/model.h"

#define MXD_CLEAN_MAX_CLICKS 64 /* click times kept for the report (the count is complete) */
#define MXD_CLEAN_DC_MIN 0.001  /* |DC| worth removing: -60 dBFS */
#define MXD_CLEAN_DC_HP_HZ 10.0 /* the highpass that removes it */

typedef struct {
	const mxd_strip *strip;
	/* strip silence: per clip, the kept regions (clip-relative s), or NULL = unchanged */
	mxd_region **keep;
	size_t *n_keep;
	size_t gaps;          /* silent regions that would be removed */
	double gap_seconds;
	bool split;           /* some clip changes */
	/* DC: the largest mean over clips and channels (linear, signed) */
	bool dc_run;
	double dc;
	bool dc_fix;
	/* repair detectors */
	bool clicks_run, clip_run, hum_run, noise_run;
	size_t n_clicks;
	double click_time[MXD_CLEAN_MAX_CLICKS];
	size_t clip_runs;
	double clip_level;
	double hum_hz, hum_db;
	double noise_db;      /* noise floor, dBFS (power mean of the learned profile's bands) */
	double noise_band[MXD_NOISE_BANDS]; /* the profile for `denoise`, dBFS per band */
	double denoise_db;    /* proposed amount; 0 = none */
	/* the track already has that insert (type or clean-* id): nothing new proposed */
	bool have_declick, have_declip, have_dehum, have_denoise;
	/* alignment against the reference */
	bool aligned;         /* measured */
	bool align_ok;        /* reliable enough to apply */
	mxd_align_result al;
	int64_t shift;        /* samples at the session rate to move the clips earlier (negative: later) */
	double fine;          /* `finedelay` samples [0, 1) completing the move (shift - fine = offset); 0: none */
	double have_fine;     /* `samples` of the track's `finedelay` with id clean-align, or -1 */
	bool fine_fix;        /* add or update that insert to `fine` */
	bool flip;            /* toggle `invert` */
	char align_note[128];
} mxd_clean_track;

typedef struct {
	mxd_session *s;
	const char *path;
	mxd_clean_track *t;
	size_t n;
	const char *ref;      /* alignment reference, or NULL */
	mixdown_clean_options opt;
} mxd_clean;

/* Sub-sample alignment: a fraction below this (samples) is left to the whole-sample move;
 * see docs/clean.md "Alignment" for the error it leaves. */
#define MXD_CLEAN_FRAC_MIN 0.05
/* Proposed inserts of a track as one-line YAML items (at most 8); returns the count. */
#define MXD_CLEAN_ITEM 1024
size_t mxd_clean_inserts(const mxd_clean_track *t, char items[][MXD_CLEAN_ITEM]);
/* The track's clips after the proposals as one-line YAML items (free each and the array). */
char **mxd_clean_clip_items(const mxd_clean *c, const mxd_clean_track *t, size_t *n);
bool mxd_clean_has_changes(const mxd_clean_track *t);

void mxd_clean_report(const mxd_clean *c, FILE *f, bool applied);
mixdown_status mxd_clean_apply(const mxd_clean *c, mixdown_error *err);

#endif
