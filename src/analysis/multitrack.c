/* mixdown — analysis of the tracks of one mix: a session (rendered in
 * memory, every track and bus tapped) or a set of files read side by side.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each track, bus and the mix get a full single-file analysis (analyze.c);
 * the tracks (not the buses, which contain them) also go to xtrack.c for
 * alignment/polarity and masking. Session taps are post-fader, post-pan and
 * delay-compensated (graph/engine.h), so offsets measured between them are
 * the ones the listener hears. Files are read in 4096-frame blocks; a file
 * that ends early is continued with silence. Memory: blocks plus the
 * analyzers' running state, independent of length.
 *
 * Ownership: the result and everything in it belong to the caller
 * (mixdown_multitrack_analysis_free). Threads: one analysis per thread.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "session/model.h"
#include "fx/processor.h"
#include "graph/engine.h"

enum { MT_BLOCK = 4096 };

/* Errors without a place in a session file (api/error.c). */
#define fail(err, st, file, ...) mxd_fail(err, st, file, (mxd_loc){ 0, 0 }, NULL, __VA_ARGS__)

void mixdown_multitrack_analysis_free(mixdown_multitrack_analysis *m)
{
	if (!m)
		return;
	mixdown_analysis_free(m->mix);
	for (size_t i = 0; m->tracks && i < m->n_tracks; i++)
		mixdown_analysis_free(m->tracks[i]);
	free(m->tracks);
	free(m->names);
	free(m->is_bus);
	free(m->alignment);
	free(m->masking);
	free(m->feedback);
	free(m);
}

/* The working state shared by both entry points. */
typedef struct {
	size_t n;              /* analyzed strips (tracks, then buses) */
	size_t n_x;            /* the first n_x go to the cross-track analysis */
	uint32_t *channels;
	mxd_analyzer **z;
	mxd_analyzer *mix;
	mxd_xtrack *x;
	float **inter;         /* per strip, interleaved block */
} mt_state;

static void mt_free(mt_state *s)
{
	for (size_t i = 0; s->z && i < s->n; i++)
		mxd_analyzer_free(s->z[i]);
	for (size_t i = 0; s->inter && i < s->n; i++)
		free(s->inter[i]);
	mxd_analyzer_free(s->mix);
	mxd_xtrack_free(s->x);
	free(s->z);
	free(s->inter);
	free(s->channels);
}

static mixdown_multitrack_analysis *mt_result_new(size_t n)
{
	mixdown_multitrack_analysis *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->n_tracks = n;
	m->names = calloc(n ? n : 1, sizeof *m->names);
	m->is_bus = calloc(n ? n : 1, sizeof *m->is_bus);
	m->tracks = calloc(n ? n : 1, sizeof *m->tracks);
	if (!m->names || !m->is_bus || !m->tracks) {
		mixdown_multitrack_analysis_free(m);
		return NULL;
	}
	return m;
}

/* Allocate analyzers for n strips (channels filled by the caller first). */
static mixdown_status mt_setup(mt_state *s, double rate, const mixdown_analysis_options *opt, mixdown_error *err)
{
	s->z = calloc(s->n, sizeof *s->z);
	s->inter = calloc(s->n, sizeof *s->inter);
	if (!s->z || !s->inter)
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		mixdown_status st = mxd_analyzer_new(rate, s->channels[i], opt, &s->z[i], err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		s->inter[i] = malloc((size_t)MT_BLOCK * s->channels[i] * sizeof(float));
		if (!s->inter[i])
			return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	}
	if (s->n_x >= 2 && s->n_x <= MXD_XT_MAX_TRACKS && !(s->x = mxd_xtrack_new(rate, s->n_x, s->channels)))
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	return MIXDOWN_SUCCESS;
}

/* Feed one block already interleaved in s->inter (NaN/Inf zeroed). */
static mixdown_status mt_feed(mt_state *s, size_t frames, mixdown_error *err)
{
	for (size_t i = 0; i < s->n; i++) {
		mixdown_status st = mxd_analyzer_feed(s->z[i], s->inter[i], frames, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
	}
	if (s->x)
		mxd_xtrack_feed(s->x, (const float *const *)s->inter, frames);
	return MIXDOWN_SUCCESS;
}

static mixdown_status mt_finish(mt_state *s, mixdown_multitrack_analysis *m, mixdown_error *err)
{
	for (size_t i = 0; i < s->n; i++) {
		mixdown_status st = mxd_analyzer_finish(s->z[i], m->names[i], &m->tracks[i], err);
		s->z[i] = NULL; /* finish() frees the analyzer */
		if (st != MIXDOWN_SUCCESS)
			return st;
	}
	if (s->x && mxd_xtrack_finish(s->x, (const char(*)[128])m->names, m))
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	if (mxd_multitrack_feedback(m))
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	return MIXDOWN_SUCCESS;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

mixdown_status mixdown_analyze_tracks(const char *const *paths, size_t n, const mixdown_analysis_options *opts,
				      mixdown_multitrack_analysis **out, mixdown_error *err)
{
	if (!out)
		return fail(err, MIXDOWN_ERR_USAGE, NULL, "no place for the result");
	*out = NULL;
	if (!paths || n == 0)
		return fail(err, MIXDOWN_ERR_USAGE, NULL, "no files given");
	mixdown_multitrack_analysis *m = mt_result_new(n);
	SNDFILE **f = calloc(n, sizeof *f);
	float *buf = NULL;
	mt_state s = { .n = n, .n_x = n, .channels = calloc(n, sizeof(uint32_t)) };
	mixdown_status st = MIXDOWN_SUCCESS;
	if (!m || !f || !s.channels) {
		st = fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
		goto done;
	}
	double rate = 0;
	for (size_t i = 0; i < n; i++) {
		SF_INFO info;
		memset(&info, 0, sizeof info);
		if (!(f[i] = sf_open(paths[i], SFM_READ, &info))) {
			st = fail(err, MIXDOWN_ERR_AUDIO, paths[i], "cannot open audio file: %s", sf_strerror(NULL));
			goto done;
		}
		if (i > 0 && (double)info.samplerate != rate) {
			st = fail(err, MIXDOWN_ERR_AUDIO, paths[i],
				  "sample rate %d Hz differs from %s (%.0f Hz): tracks of one mix share a rate",
				  info.samplerate, paths[0], rate);
			goto done;
		}
		rate = info.samplerate;
		s.channels[i] = (uint32_t)info.channels;
		snprintf(m->names[i], sizeof m->names[i], "%s", base_name(paths[i]));
	}
	if ((st = mt_setup(&s, rate, opts, err)) != MIXDOWN_SUCCESS)
		goto done;
	for (;;) {
		size_t longest = 0;
		for (size_t i = 0; i < n; i++) {
			sf_count_t got = f[i] ? sf_readf_float(f[i], s.inter[i], MT_BLOCK) : 0;
			if (got < 0)
				got = 0;
			if (f[i] && sf_error(f[i]) != SF_ERR_NO_ERROR) {
				st = fail(err, MIXDOWN_ERR_AUDIO, paths[i], "read error: %s", sf_strerror(f[i]));
				goto done;
			}
			const size_t nc = s.channels[i];
			for (size_t k = 0; k < (size_t)got * nc; k++)
				if (!isfinite(s.inter[i][k]))
					s.inter[i][k] = 0.0f;
			/* A finished file plays silence until the longest one ends. */
			memset(s.inter[i] + (size_t)got * nc, 0, ((size_t)MT_BLOCK - (size_t)got) * nc * sizeof(float));
			if ((size_t)got > longest)
				longest = (size_t)got;
		}
		if (longest == 0)
			break;
		if ((st = mt_feed(&s, longest, err)) != MIXDOWN_SUCCESS)
			goto done;
	}
	/* The files that ended early were fed silence: their own analysis would
	 * count it as trailing silence, which is what the mix hears. */
	st = mt_finish(&s, m, err);
done:
	for (size_t i = 0; f && i < n; i++)
		if (f[i])
			sf_close(f[i]);
	free(f);
	free(buf);
	mt_free(&s);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_multitrack_analysis_free(m);
		return st;
	}
	*out = m;
	return MIXDOWN_SUCCESS;
}

static void interleave(float *dst, const float *const *src, uint32_t nc, size_t frames)
{
	for (size_t i = 0; i < frames; i++)
		for (uint32_t c = 0; c < nc; c++) {
			const float v = src[c][i];
			dst[i * nc + c] = isfinite(v) ? v : 0.0f;
		}
}

mixdown_status mixdown_analyze_session(const char *session_path, const mixdown_analysis_options *opts,
				       mixdown_multitrack_analysis **out, mixdown_error *err)
{
	if (!out)
		return fail(err, MIXDOWN_ERR_USAGE, session_path, "no place for the result");
	*out = NULL;
	mixdown_session *ses = NULL;
	mixdown_status st = mixdown_session_load(session_path, &ses, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mixdown_engine *eng = NULL;
	const size_t nt = mixdown_session_track_count(ses), nb = mixdown_session_bus_count(ses);
	mixdown_multitrack_analysis *m = mt_result_new(nt + nb);
	mt_state s = { .n = nt + nb, .n_x = nt, .channels = calloc(nt + nb ? nt + nb : 1, sizeof(uint32_t)) };
	float *bufs[MXD_MAX_CHANNELS] = { 0 };
	float *mix_inter = NULL;
	if (!m || !s.channels) {
		st = fail(err, MIXDOWN_ERR_NOMEM, session_path, "out of memory");
		goto done;
	}
	snprintf(m->path, sizeof m->path, "%s", session_path);
	if ((st = mixdown_engine_create(ses, MT_BLOCK, &eng, err)) != MIXDOWN_SUCCESS)
		goto done;
	const uint32_t nc = mixdown_engine_channels(eng);
	const double rate = mixdown_session_sample_rate(ses);
	for (size_t i = 0; i < nt + nb; i++) {
		snprintf(m->names[i], sizeof m->names[i], "%s",
			 i < nt ? mixdown_session_track_name(ses, i) : mixdown_session_bus_name(ses, i - nt));
		m->is_bus[i] = i >= nt;
		s.channels[i] = nc;
		if ((st = mxd_engine_enable_tap(eng, i)) != MIXDOWN_SUCCESS)
			goto done;
	}
	if ((st = mt_setup(&s, rate, opts, err)) != MIXDOWN_SUCCESS ||
	    (st = mxd_analyzer_new(rate, nc, opts, &s.mix, err)) != MIXDOWN_SUCCESS)
		goto done;
	mix_inter = malloc((size_t)MT_BLOCK * nc * sizeof *mix_inter);
	bool ok = mix_inter != NULL;
	for (uint32_t c = 0; c < nc; c++)
		ok &= (bufs[c] = malloc(MT_BLOCK * sizeof(float))) != NULL;
	if (!ok) {
		st = fail(err, MIXDOWN_ERR_NOMEM, session_path, "out of memory");
		goto done;
	}
	const uint64_t total = mixdown_engine_length(eng);
	for (uint64_t pos = 0; pos < total;) {
		const uint32_t n = total - pos < MT_BLOCK ? (uint32_t)(total - pos) : MT_BLOCK;
		if ((st = mixdown_engine_process(eng, bufs, n, err)) != MIXDOWN_SUCCESS)
			goto done;
		interleave(mix_inter, (const float *const *)bufs, nc, n);
		if ((st = mxd_analyzer_feed(s.mix, mix_inter, n, err)) != MIXDOWN_SUCCESS)
			goto done;
		for (size_t i = 0; i < s.n; i++)
			interleave(s.inter[i], mxd_engine_tap(eng, i), nc, n);
		if ((st = mt_feed(&s, n, err)) != MIXDOWN_SUCCESS)
			goto done;
		pos += n;
	}
	st = mxd_analyzer_finish(s.mix, session_path, &m->mix, err);
	s.mix = NULL;
	if (st == MIXDOWN_SUCCESS)
		st = mt_finish(&s, m, err);
done:
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(bufs[c]);
	free(mix_inter);
	mt_free(&s);
	mixdown_engine_free(eng);
	mixdown_session_free(ses);
	if (st != MIXDOWN_SUCCESS) {
		if (err && !err->file[0])
			snprintf(err->file, sizeof err->file, "%s", session_path);
		mixdown_multitrack_analysis_free(m);
		return st;
	}
	*out = m;
	return MIXDOWN_SUCCESS;
}
