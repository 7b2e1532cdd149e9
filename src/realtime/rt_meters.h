/* mixdown — the real-time player's strip meter bank: per strip (tracks,
 * buses, master: the engine's node order) the post-fader sample peak, a
 * smoothed RMS, a 2 s peak hold with clip indicator and the gain reduction,
 * measured on the audio thread and readable by any number of readers.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One bank per engine generation (its strip count is the engine's node
 * count). Levels are linear inside and dBFS at the reader; times in seconds.
 *
 * Peaks: the audio thread keeps the maximum of fixed 50 ms windows of output
 * time (counted in frames, whole periods) in a ring of atomics; a reader
 * takes the current and the two previous windows as "the peak now" (100 to
 * 150 ms of history) and the last 2 s of windows as the peak hold. Nothing
 * is reset by reading, so several readers (terminal, OSC /meters, a web
 * console) never steal each other's peaks, and one that reads at least 10
 * times a second sees every peak. Clip: a window's peak reached 1.0
 * (0 dBFS) within the hold time.
 * RMS: the mean square of every period (sum of squares over all channels
 * and frames) is smoothed by a one-pole filter with a 300 ms time constant
 * (the integration time of the VU meter, IEC 60268-17), on the audio thread.
 *
 * Threads: new/free on the control thread (free only after the audio thread
 * stopped using the bank); update on the audio thread only (no allocation,
 * lock or wait); read on any thread.
 */
#ifndef MIXDOWN_REALTIME_RT_METERS_H
#define MIXDOWN_REALTIME_RT_METERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_rt_meters mxd_rt_meters;

/* A bank for n_strips strips at `rate` Hz; NULL when out of memory. */
mxd_rt_meters *mxd_rt_meters_new(size_t n_strips, double rate);
void mxd_rt_meters_free(mxd_rt_meters *m); /* NULL is fine */

/* Audio thread, once per process cycle after the engine ran (or did not:
 * ran = false while stopped counts the period as silence so holds decay).
 * Takes every node's meter (mxd_engine_node_meter_take) and gain reduction.
 * `e` must have n_strips nodes and metering on (mxd_engine_set_metering). */
void mxd_rt_meters_update(mxd_rt_meters *m, mixdown_engine *e, uint32_t nframes, bool ran);

/* Any thread: fills up to max strips in node order; returns the strip count. */
size_t mxd_rt_meters_read(const mxd_rt_meters *m, mixdown_strip_meter *out, size_t max);

#endif
