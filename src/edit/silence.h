/* mixdown — strip silence: the regions of a recording worth keeping.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: planar float channels ch[0..channels) of `frames` samples at `rate`
 * Hz, owned by the caller and only read. Output: the kept regions in seconds
 * from the first sample, in time order, not overlapping. Control thread
 * (offline analysis); allocates. Deterministic.
 *
 * Detection runs on a short-term RMS envelope (10 ms window centred on each
 * 1 ms hop, the power averaged over the channels) with hysteresis: a sound
 * starts where the envelope rises to `open_db` and ends where it falls below
 * `close_db` (close <= open, so noise hovering at one threshold does not
 * chatter). Silences shorter than `min_silence` are kept (breaths between
 * words), sounds shorter than `min_keep` dropped (ticks), then every sound
 * is widened by `pre_roll` and `post_roll` and overlapping regions merged.
 */
#ifndef MIXDOWN_EDIT_SILENCE_H
#define MIXDOWN_EDIT_SILENCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	double open_db;     /* dBFS RMS where a sound starts, default -40 */
	double close_db;    /* dBFS RMS below which it ends, default -48 (<= open_db) */
	double min_silence; /* s: shorter gaps are kept, default 0.25 */
	double min_keep;    /* s: shorter sounds are dropped, default 0.05 */
	double pre_roll;    /* s kept before a sound, default 0.02 */
	double post_roll;   /* s kept after a sound, default 0.05 */
	double fade;        /* s of fade at each cut (applied by the caller), default 0.01 */
} mxd_silence_params;

typedef struct {
	double start, end; /* s from the first sample; start < end */
} mxd_region;

mxd_silence_params mxd_silence_defaults(void);

/* The kept regions. On success returns 0 with *out (free() it; NULL when
 * none) holding *n regions; -1 when out of memory or the parameters are out
 * of range (open < close, negative times). */
int mxd_silence_find(const float *const *ch, uint32_t channels, int64_t frames, double rate,
		     const mxd_silence_params *p, mxd_region **out, size_t *n);

/* Seconds of the total `length` s that the regions leave out. */
double mxd_silence_removed(const mxd_region *r, size_t n, double length);

#endif
