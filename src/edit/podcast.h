/* mixdown — `mixdown podcast`: voice measurement and the session builder (edit/podcast*.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Levels in LUFS / dB, times in seconds on the timeline. Control thread only;
 * the functions allocate and read files. Deterministic.
 */
#ifndef MIXDOWN_EDIT_PODCAST_H
#define MIXDOWN_EDIT_PODCAST_H

#include <stddef.h>

#include "session/model.h"

typedef struct {
	double time, db;      /* a trim point: s, dB */
} mxd_ride_point;

typedef struct {
	double lufs;          /* gated integrated loudness of the file (speech-active), LUFS; -inf = silent */
	double peak_db;       /* sample peak, dBFS */
	double duration;      /* s */
	mxd_ride_point *ride; /* the leveling ride (podcast_level.c), owned */
	size_t n_ride;
} mxd_podcast_level;

/* Measure a voice file and compute its ride (see podcast_level.c). */
mixdown_status mxd_podcast_measure(const char *path, mxd_podcast_level *out, mixdown_error *err);
void mxd_podcast_level_free(mxd_podcast_level *v);

/* The session text `mixdown podcast` renders (podcast.c). Paths are written
 * relative to `session_dir` when they lie below it, else absolute. *text is
 * malloc'ed. The report's voice and music fields are filled. */
mixdown_status mxd_podcast_session(const mixdown_podcast_options *opt, const char *session_dir, char **text,
				   mixdown_podcast_report *rep, mixdown_error *err);

#endif
