/* mixdown — a measured HRTF set (SOFA, AES69-2022) loaded with libmysofa and
 * resampled into a direction grid of HRIR pairs for the audio thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * mxd_hrtf_load() opens the SOFA file at the session rate (libmysofa's
 * mysofa_open resamples the IRs and normalises their loudness), then samples
 * the set with mysofa_getfilter_float (which interpolates between the
 * measured neighbours) on a regular grid: elevation -90..+90 and azimuth
 * 0..355 in MXD_HRTF_GRID_STEP-degree steps. Each grid point holds the left
 * and right HRIR (`length` samples, as the set gives them: the ITD of sets
 * such as MIT KEMAR lies inside the IRs) and the set's own per-ear delays in
 * samples (SOFA Data.Delay; zero for KEMAR). After loading, libmysofa is no
 * longer used: mxd_hrtf_lookup() is pure arithmetic (bilinear interpolation
 * between the four surrounding grid points), so the audio thread may call it.
 *
 * Directions use mixdown's convention (spatial/layout.h): azimuth in degrees,
 * POSITIVE TO THE RIGHT, elevation up. SOFA counts azimuth counter-clockwise,
 * so the loader negates azimuth when it asks libmysofa.
 *
 * Ownership: load allocates (about 12 MB at 48 kHz for a 512-tap set);
 * mxd_hrtf_free releases. Threads: load/free on a control thread; lookup and
 * the accessors on any thread (the grid is read-only after loading).
 */
#ifndef MIXDOWN_SPATIAL_HRTF_H
#define MIXDOWN_SPATIAL_HRTF_H

#include <stdint.h>

#include <mixdown/mixdown.h>

#define MXD_HRTF_GRID_STEP 5 /* degrees between grid points */

typedef struct mxd_hrtf mxd_hrtf;

/* The SOFA set libmysofa installs (MIT KEMAR, normal pinna). */
#define MXD_HRTF_DEFAULT_FILE "/usr/share/libmysofa/default.sofa"

/* path NULL = MXD_HRTF_DEFAULT_FILE; rate: Hz, > 0. Errors (MIXDOWN_ERR_AUDIO,
 * message "HRTF file PATH: reason"): missing or unreadable file, not a SOFA
 * file, an unsupported convention, resampling to `rate` failed; also when
 * mixdown was built without libmysofa. */
mixdown_status mxd_hrtf_load(const char *path, double rate, mxd_hrtf **out, mixdown_error *err);
void mxd_hrtf_free(mxd_hrtf *h); /* NULL-safe */

uint32_t mxd_hrtf_length(const mxd_hrtf *h);      /* HRIR taps at the session rate */
double mxd_hrtf_rate(const mxd_hrtf *h);
double mxd_hrtf_max_delay(const mxd_hrtf *h);     /* largest Data.Delay of the grid, samples */

/* The HRIR pair for a direction (degrees, mixdown convention; any azimuth,
 * elevation clamped to [-90, 90]): ir_l/ir_r get mxd_hrtf_length() samples,
 * delay_l/delay_r the set's delays in samples (may be NULL). */
void mxd_hrtf_lookup(const mxd_hrtf *h, double azimuth_deg, double elevation_deg, float *ir_l, float *ir_r,
		     double *delay_l, double *delay_r);

#endif
