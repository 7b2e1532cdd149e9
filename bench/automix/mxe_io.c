/* mixdown bench — mixeval: reading an audio file whole into float (libsndfile).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Interleaved float at full scale 1.0 (integer formats scaled by libsndfile; float files read as
 * stored, overs kept). The whole file is held in memory: this is a bench tool for songs of minutes.
 * Ownership: a->x is malloc'd; release with mxe_audio_free. Threads: any.
 */
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "mixeval.h"

int mxe_read_audio(const char *path, mxe_audio *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, sf_strerror(NULL));
		return -1;
	}
	/* Float files keep values beyond full scale (the LMMS reference peaks at +5.4 dBFS). */
	sf_command(f, SFC_SET_CLIPPING, NULL, SF_FALSE);
	a->frames = info.frames;
	a->channels = info.channels;
	a->rate = info.samplerate;
	a->x = malloc((size_t)(info.frames > 0 ? info.frames : 1) * (size_t)info.channels * sizeof *a->x);
	if (!a->x) {
		sf_close(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	sf_count_t got = sf_readf_float(f, a->x, info.frames);
	sf_close(f);
	if (got != info.frames) {
		mxe_audio_free(a);
		snprintf(err, errlen, "%s: short read", path);
		return -1;
	}
	return 0;
}

void mxe_audio_free(mxe_audio *a)
{
	free(a->x);
	memset(a, 0, sizeof *a);
}
