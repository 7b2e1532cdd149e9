/* mixdown — detectors behind `mixdown clean`'s repair proposals: clicks,
 * clipping, hum and the noise floor. The repairs themselves are the insert
 * processors `declick`, `declip`, `dehum` and `denoise` (src/fx/fx_de*.c);
 * these functions only find what those processors should be set to.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: planar float channels ch[0..channels) of `frames` samples at `rate`
 * Hz, owned by the caller and only read. Control thread (offline analysis);
 * they may allocate. Deterministic: the same input gives the same result.
 */
#ifndef MIXDOWN_EDIT_REPAIR_H
#define MIXDOWN_EDIT_REPAIR_H

#include <stddef.h>
#include <stdint.h>

/* A detected click: start time (s), length (ms) and how far it stands out
 * of the prediction residual (dB). */
typedef struct {
	double time, length_ms, strength_db;
} mxd_click;

/* Finds impulsive clicks. sensitivity 0..1 (0.5 = the default of the
 * `declick` processor); events up to the processor's default max_length
 * (1 ms) count, as `declick` with that sensitivity would repair them;
 * channels clicking together count once. Writes at most `max` clicks in
 * time order to out and returns how many were found in total (may exceed max). */
size_t mxd_click_scan(const float *const *ch, uint32_t channels, int64_t frames, double rate, double sensitivity,
		      mxd_click *out, size_t max);

/* Clipping: runs of >= 3 consecutive samples at the same extreme level.
 * Returns the number of clipped runs; *clip_level (linear, 0..1) the level
 * they sit at (0 when none). */
size_t mxd_clip_scan(const float *const *ch, uint32_t channels, int64_t frames, double *clip_level);

/* Hum: a mains series (50 or 60 Hz fundamental and harmonics) standing out
 * of the spectrum. Returns the fundamental in Hz (tracked to within 0.5 Hz of
 * 50/60) or 0 when there is none; *level_db = its level relative to the
 * signal's RMS. */
double mxd_hum_detect(const float *const *ch, uint32_t channels, int64_t frames, double rate, double *level_db);

/* The noise profile of the `denoise` processor: MXD_NOISE_BANDS band levels
 * in dBFS (power per band of the noise, bands as documented in fx_denoise.c).
 * From the region [from, to) in frames, or when from < 0 from the quietest
 * parts of the signal (found automatically). Returns 0, or -1 when the
 * region is shorter than one analysis frame. */
#define MXD_NOISE_BANDS 32
int mxd_noise_profile_learn(const float *const *ch, uint32_t channels, int64_t frames, double rate, int64_t from,
			    int64_t to, double profile_db[MXD_NOISE_BANDS]);

#endif
