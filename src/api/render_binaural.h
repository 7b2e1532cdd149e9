/* mixdown — `render --binaural`: the master's speaker feeds -> 2 headphone
 * channels through virtual speakers (spatial/binaural.h), inside the render
 * loop. SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Ownership: open allocates the HRTF grid and renderer, free releases.
 * Threads: the render thread (offline). */
#ifndef MIXDOWN_API_RENDER_BINAURAL_H
#define MIXDOWN_API_RENDER_BINAURAL_H

#include <mixdown/mixdown.h>

#include "session/model.h"

typedef struct mxr_binaural mxr_binaural;

/* nc: the engine's output channels; their layout is the session's `layout:`
 * or the one implied by nc. Errors: no layout for nc channels, --binaural with
 * fold-downs (MIXDOWN_ERR_USAGE), the HRTF file (MIXDOWN_ERR_AUDIO). */
mixdown_status mxr_binaural_open(const mxd_session *s, const mixdown_render_options *opt, uint32_t nc,
				 mxr_binaural **out, mixdown_error *err);
/* bufs[0..nc-1][0..n-1] in; the left and right ears replace bufs[0], bufs[1]. */
void mxr_binaural_run(mxr_binaural *b, float **bufs, uint32_t n);
void mxr_binaural_free(mxr_binaural *b); /* NULL-safe */

#endif
