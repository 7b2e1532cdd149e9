/* mixdown — Broadcast WAV metadata of a render: the bext contents of the mix
 * and its stems, and the loudness fields measured while rendering.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loudness (EBU Tech 3285 v2 fields, measured per EBU Tech 3341/3342
 * with libebur128) is that of the mix as rendered, in float at the session
 * rate, before resampling and integer conversion: the same signal the
 * render report's integrated loudness describes. Max momentary and short-term
 * loudness are read every 100 ms of audio. The true
 * peak is measured here rather than by libebur128 (whose interpolator costs
 * about twice the render itself): 4x oversampling (ITU-R BS.1770-4 Annex 2)
 * with the polyphase half-band FIR cascade of dsp/oversample.h, 80 dB
 * stopband, passband to 0.45 fs; the oversampled stream contains the input
 * samples, so the true peak is never below the sample peak.
 * Control thread only (the renderer).
 */
#ifndef MIXDOWN_API_RENDER_BWF_H
#define MIXDOWN_API_RENDER_BWF_H

#include <ebur128.h>

#include "dsp/oversample.h"
#include "io/writer.h"
#include "session/model.h"

/* libebur128 modes the BWF loudness fields need. */
#define MXR_BWF_EBUR128_MODE (EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_S)

/* Fill `b`: description = `description`, else the session file's name
 * without folder and extension (plus ": <strip>" for a stem); the time
 * reference = timeline_origin + start_s (the render start on the timeline). */
void mxr_bwf_fill(mxd_bwf *b, const mxd_session *s, const char *description, const char *strip, double start_s);

/* Running maxima of momentary and short-term loudness (LUFS; start at
 * -inf), read every 100 ms of audio as EBU Tech 3341 updates them (each
 * reading sums the meter's 0.4 s / 3 s window, so not after every block):
 * call after adding `frames` frames; *since (start at 0) counts frames. */
void mxr_bwf_track(ebur128_state *m, uint32_t frames, uint32_t *since, double *max_momentary,
		   double *max_short_term);

/* The true-peak meter. */
typedef struct {
	mxd_os os;
	float *hi;        /* MXD_OS_BLOCK x 4 oversampled frames */
	double peak;      /* linear, running maximum */
	uint32_t channels;
} mxr_true_peak;
int mxr_tp_init(mxr_true_peak *t, uint32_t channels); /* 0, or -1 (allocation) */
void mxr_tp_add(mxr_true_peak *t, float *const *planar, uint32_t n);
void mxr_tp_free(mxr_true_peak *t); /* zeroed struct: no-op */

/* The loudness fields from a meter in MXR_BWF_EBUR128_MODE, the maxima and
 * the true peak (linear). */
void mxr_bwf_loudness(ebur128_state *m, double max_momentary, double max_short_term, double true_peak,
		      mxd_bwf_loudness *out);

#endif
