/* mixdown — the real-time player's master loudness meter: momentary (400 ms),
 * short-term (3 s) and integrated loudness of what the player outputs, per
 * ITU-R BS.1770 / EBU R 128, in LUFS, and its true peak in dBTP.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The audio thread copies every period of the master output (silence while
 * stopped included: it makes M and S fall, and BS.1770's -70 LUFS absolute
 * gate keeps it out of the integrated value) into a lock-free ring
 * (rt_ring.h); a meter thread of this module drains the ring every 20 ms
 * into libebur128 (which may allocate, hence not on the audio thread) and
 * publishes M/S/I as atomics. Integrated loudness uses libebur128's histogram
 * mode (memory does not grow with the playing time; its bins are 0.1 LU).
 * If the meter thread falls behind by more than the ring (about 1.4 s) the
 * audio thread drops frames and counts them.
 *
 * Threads: new/free on the control thread (free after the audio thread no
 * longer pushes); push on the audio thread only; get on any thread.
 */
#ifndef MIXDOWN_REALTIME_RT_LOUDNESS_H
#define MIXDOWN_REALTIME_RT_LOUDNESS_H

#include <stdint.h>

typedef struct mxd_rt_loudness mxd_rt_loudness;

struct mxd_layout_s;
/* Starts the meter thread; NULL when out of memory or the thread cannot start.
 * layout: the session's speaker layout, whose BS.1770 weights are used when it
 * has `channels` channels (a 5.1.2 is not a 7.1); NULL = by channel count. */
mxd_rt_loudness *mxd_rt_loudness_new(uint32_t channels, double rate, const struct mxd_layout_s *layout);
/* Stops and joins the meter thread. NULL is fine. */
void mxd_rt_loudness_free(mxd_rt_loudness *l);

/* Audio thread: n frames of the planar master output (channels as at new). */
void mxd_rt_loudness_push(mxd_rt_loudness *l, const float *const *out, uint32_t n);

/* Any thread: LUFS, -inf until measured (or for silence); frames dropped. */
void mxd_rt_loudness_get(const mxd_rt_loudness *l, double *momentary, double *short_term, double *integrated,
			 uint64_t *dropped);

/* Any thread: the master's true peak in dBTP (BS.1770-4 Annex 2, the highest
 * channel, maximum since the start); -inf until measured. */
double mxd_rt_loudness_true_peak(const mxd_rt_loudness *l);

#endif
