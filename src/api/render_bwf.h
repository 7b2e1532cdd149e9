/* mixdown — Broadcast WAV metadata of a render: the bext contents of the mix
 * and its stems, and the loudness fields measured while rendering.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The loudness (EBU Tech 3285 v2 fields) is that of the mix as rendered, in
 * float at the session rate, before resampling and integer conversion: the
 * same signal the render report's integrated loudness describes. It comes
 * from the project's fast meter (analysis/fastloud.h, fed by render_meter.h):
 * integrated loudness per ITU-R BS.1770-5; loudness range per EBU Tech 3342
 * from short-term values every 100 ms (since its 2016 revision, windows
 * overlap by at least 2.9 s; libebur128 1.2 still steps 1 s, so on short or
 * uneven mixes the range can differ from the libebur128 one the field held
 * before); momentary and short-term maxima over values evaluated every 10 ms
 * (EBU Tech 3341; the old 100 ms reading could miss a peak by up to 90 ms,
 * so the maxima are equal or higher); true peak by 4x interpolation per
 * BS.1770-5 Annex 2 (never below the sample peak). The same numbers as
 * `mixdown analyze --loudness` of the float mix.
 * Units: LUFS, LU, dBTP in the loudness fields (NAN: no value).
 * Control thread only (the renderer).
 */
#ifndef MIXDOWN_API_RENDER_BWF_H
#define MIXDOWN_API_RENDER_BWF_H

#include "analysis/fastloud.h"
#include "io/writer.h"
#include "session/model.h"

/* Fill `b`: description = `description`, else the session file's name
 * without folder and extension (plus ": <strip>" for a stem); the time
 * reference = timeline_origin + start_s (the render start on the timeline). */
void mxr_bwf_fill(mxd_bwf *b, const mxd_session *s, const char *description, const char *strip, double start_s);

/* The loudness fields from a meter that has seen the whole mix (the true
 * peak only if it was initialised with true_peak, else NAN); NAN for a
 * value the signal does not have (silence, no memory). */
void mxr_bwf_loudness(const mxd_fl *m, mxd_bwf_loudness *out);

#endif
