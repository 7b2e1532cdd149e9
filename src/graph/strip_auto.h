/* mixdown — a strip's automation at run time: its lanes' values per block and
 * how they reach the fader, mute, pan/width matrix, sends and inserts.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per block the engine fills every lane (mxd_strip_auto_fill), then:
 *   - fader, trim and mute are applied per sample (exact at breakpoints);
 *     a mute switch is a 10 ms ramp, never a step;
 *   - pan and width, the object (azimuth, elevation, distance, spread), the
 *     surround bed (x, y, z) and the lfe send rebuild the channel matrix every
 *     MXD_AUTO_SUB frames and interpolate the coefficients in between;
 *   - insert parameters are handed to the processor every MXD_AUTO_SUB frames
 *     (the processor smooths them further); a bypass lane crossfades the
 *     insert's dry/wet over 20 ms;
 *   - send levels are applied per sample.
 * Ownership: owns the lane states and value buffers; borrows the strip.
 * Threads: init/free on the control thread, the rest on the audio thread.
 */
#ifndef MIXDOWN_GRAPH_STRIP_AUTO_H
#define MIXDOWN_GRAPH_STRIP_AUTO_H

#include <stdbool.h>
#include <stdint.h>

#include "dsp/smooth.h"
#include "graph/lane_eval.h"
#include "graph/panner.h"
#include "session/model.h"

#define MXD_AUTO_SUB 32 /* frames between matrix/parameter updates */

typedef struct {
	const mxd_strip *strip;
	size_t n;
	mxd_lane_eval *ev;     /* one per lane */
	double **vals;         /* per lane: max_block values of the current block */
	const float *const **src; /* per lane: the followed strip's buffers (or NULL) */
	uint32_t *src_ch;
	double *sent;          /* per lane: the value last handed to an insert (NAN = none) */
	int gain, trim, mute, pan, width; /* lane index per target, -1 if none */
	int obj[4], sur[3], lfe; /* object az/el/distance/spread, surround x/y/z, lfe send */
	const struct mxd_vbap *vbap; /* the layout's panner (set by the engine), or NULL */
	bool fader_moves, matrix_moves, inserts_move;
	/* The next mxd_strip_auto_matrix() starts from the lanes' values at its
	 * first frame instead of ramping from the static matrix (set at init and
	 * by mxd_engine_locate: an LFO or points may be far from the static value). */
	bool matrix_fresh;
	mxd_smooth mute_ramp;  /* 1 = playing, 0 = muted */
	double *gain_buf;      /* max_block linear fader gains (x mute x solo) */
	double *gain_buf_r;    /* the right channel's, when an LFO has a stereo offset (else NULL) */
	double *pre_buf;       /* max_block mute x solo gains for pre-fader sends */
	uint32_t in_ch, out_ch;
	double pan_law;
} mxd_strip_auto;

/* Zeroed `sa` = no automation. Returns 0, or -1 on allocation failure. */
int mxd_strip_auto_init(mxd_strip_auto *sa, const mxd_strip *st, double rate, uint32_t max_block, uint32_t in_ch,
			uint32_t out_ch);
void mxd_strip_auto_free(mxd_strip_auto *sa);

/* The followed strip of lane k: its post-insert buffers (engine wiring). */
void mxd_strip_auto_follow(mxd_strip_auto *sa, size_t lane, const float *const *src, uint32_t src_ch);

/* Lane k's index for a target (send or insert `index`, insert `slot`), or -1. */
int mxd_strip_auto_find(const mxd_strip_auto *sa, mxd_auto_target target, size_t index);

/* Evaluate every lane for timeline frames t0 .. t0+n-1. */
void mxd_strip_auto_fill(mxd_strip_auto *sa, int64_t t0, uint32_t n);

/* Fader gains for the block: gain_buf (fader x trim x mute x on) and pre_buf
 * (mute x on). `on` is 0 when silenced by another strip's solo, else 1. */
void mxd_strip_auto_fader(mxd_strip_auto *sa, int64_t t0, uint32_t n, double on);

/* The matrix parameters of the strip with every lane's value at frame i of
 * the block (i < 0: the static settings). */
void mxd_strip_auto_params(const mxd_strip_auto *sa, int64_t i, mxd_pan_params *p);

/* Apply the channel matrix with automated pan/width to in -> out (and the
 * same to `pre` when non-NULL, before any gain); `cur` holds the matrix at the
 * end of the previous block and is updated. */
void mxd_strip_auto_matrix(mxd_strip_auto *sa, mxd_pan_matrix *cur, const float *const *in, float *const *out,
			   uint32_t n);

#endif
