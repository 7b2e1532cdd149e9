/* mixdown — the streaming analyzer and mixdown_analyze_file().
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Splits the incoming frames on the 10 ms grid of loudness.c and hands every
 * piece to the modules (loudness, dynamics, stereo, problems, spectrum); at each grid
 * point the loudness module evaluates M/S (EBU Tech 3341) and at each series
 * point the stereo module closes its correlation interval. Files are read
 * with libsndfile at their own rate in 4096-frame blocks, so memory does not
 * depend on the file's length (apart from the small per-100 ms lists).
 * Non-finite samples (NaN, Inf in float files) are analyzed as 0.
 *
 * Ownership: mixdown_analysis and every array in it belong to the caller
 * (mixdown_analysis_free). Threads: no shared state; one analysis per thread.
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "session/model.h"
#include "spatial/chanweight.h"

struct mxd_analyzer {
	double rate;
	uint32_t channels;
	uint32_t fill; /* frames of the current 10 ms block */
	uint64_t frames;
	const char *target;
	mxd_loud loud;
	mxd_dyn dyn;
	mxd_stereo stereo;
	mxd_prob prob;
	mxd_spec spec;
};

/* Errors without a place in a session file (api/error.c). */
#define fail(err, st, file, ...) mxd_fail(err, st, file, (mxd_loc){ 0, 0 }, NULL, __VA_ARGS__)

mixdown_analysis_options mixdown_analysis_options_init(void)
{
	return (mixdown_analysis_options){
		.target = NULL,
		.series_interval = 1.0,
		.silence_dbfs = -60.0,
		.true_peak = true,
	};
}

void mxd_analyzer_free(mxd_analyzer *z)
{
	if (!z)
		return;
	mxd_loud_free(&z->loud);
	mxd_dyn_free(&z->dyn);
	mxd_stereo_free(&z->stereo);
	mxd_prob_free(&z->prob);
	mxd_spec_free(&z->spec);
	free(z);
}

mixdown_status mxd_analyzer_new(double rate, uint32_t channels, const mixdown_analysis_options *opt,
				mxd_analyzer **out, mixdown_error *err)
{
	*out = NULL;
	mixdown_analysis_options o = opt ? *opt : mixdown_analysis_options_init();
	if (!(rate >= 100.0 && rate <= 1e6) || channels == 0 || channels > 64)
		return fail(err, MIXDOWN_ERR_AUDIO, NULL, "unsupported format: %g Hz, %u channels", rate, channels);
	if (o.target && mxd_delivery_find(o.target) < 0)
		return fail(err, MIXDOWN_ERR_USAGE, NULL, "unknown delivery target '%s'", o.target);
	if (!(o.series_interval > 0))
		o.series_interval = 1.0;
	if (!isfinite(o.silence_dbfs) || o.silence_dbfs == 0)
		o.silence_dbfs = -60.0;
	mxd_analyzer *z = calloc(1, sizeof *z);
	if (!z)
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	z->rate = rate;
	z->channels = channels;
	z->target = o.target;
	mxd_stereo_init(&z->stereo, channels);
	if (mxd_loud_init(&z->loud, rate, channels, o.true_peak, o.series_interval) ||
	    mxd_dyn_init(&z->dyn, rate, channels) || mxd_prob_init(&z->prob, rate, channels, o.silence_dbfs) ||
	    mxd_spec_init(&z->spec, rate, channels)) {
		mxd_analyzer_free(z);
		return fail(err, MIXDOWN_ERR_NOMEM, NULL, "cannot set up the loudness meter (%g Hz, %u channels)",
			    rate, channels);
	}
	*out = z;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_analyzer_feed(mxd_analyzer *z, const float *x, size_t frames, mixdown_error *err)
{
	const uint32_t step = z->loud.step;
	while (frames > 0) {
		size_t k = step - z->fill;
		if (k > frames)
			k = frames;
		if (mxd_loud_add(&z->loud, x, k) || mxd_dyn_add(&z->dyn, x, k) || mxd_prob_add(&z->prob, x, k) ||
		    mxd_spec_add(&z->spec, x, k))
			return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory while analyzing");
		mxd_stereo_add(&z->stereo, x, k);
		x += k * z->channels;
		frames -= k;
		z->frames += k;
		z->fill += (uint32_t)k;
		if (z->fill == step) {
			z->fill = 0;
			if (mxd_loud_block_end(&z->loud))
				return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory while analyzing");
			if (z->loud.blocks % z->loud.series_blocks == 0 && mxd_stereo_interval_end(&z->stereo))
				return fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory while analyzing");
		}
	}
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_analyzer_finish(mxd_analyzer *z, const char *path, mixdown_analysis **out, mixdown_error *err)
{
	*out = NULL;
	mixdown_analysis *a = calloc(1, sizeof *a);
	if (!a) {
		mxd_analyzer_free(z);
		return fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	}
	snprintf(a->path, sizeof a->path, "%s", path ? path : "");
	a->sample_rate = z->rate;
	a->channels = z->channels;
	a->frames = z->frames;
	a->duration = (double)z->frames / z->rate;
	/* Order matters: loudness first; stereo uses it; problems use both. */
	mxd_loud_finish(&z->loud, a);
	int rc = mxd_dyn_finish(&z->dyn, &z->loud, a);
	mxd_stereo_finish(&z->stereo, &z->loud, a);
	rc |= mxd_prob_finish(&z->prob, a);
	rc |= mxd_spec_finish(&z->spec, a); /* appends to the problem messages */
	rc |= mxd_delivery_check(a, z->target);
	mxd_analyzer_free(z);
	if (rc) {
		mixdown_analysis_free(a);
		return fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	}
	*out = a;
	return MIXDOWN_SUCCESS;
}

void mixdown_analysis_free(mixdown_analysis *a)
{
	if (!a)
		return;
	free(a->dynamics.ride);
	free(a->problems.clips);
	free(a->problems.overs_at);
	free(a->problems.dc_offset);
	free(a->problems.messages);
	free(a->series.momentary);
	free(a->series.short_term);
	free(a->series.correlation);
	free(a->delivery);
	free(a->spectrum.resonances);
	free(a->spectrum.sibilance);
	free(a->vectorscope);
	free(a->compare);
	free(a->feedback);
	free(a);
}

mixdown_status mixdown_analyze_file(const char *path, const mixdown_analysis_options *opts, mixdown_analysis **out,
				    mixdown_error *err)
{
	if (!out)
		return fail(err, MIXDOWN_ERR_USAGE, path, "no place for the result");
	*out = NULL;
	if (!path)
		return fail(err, MIXDOWN_ERR_USAGE, NULL, "no file given");
	if (opts && opts->loudness_only) /* the fast meter alone, reader and meter on two threads */
		return mxd_fl_analyze_file(path, opts, 2, false, out, err);
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return fail(err, MIXDOWN_ERR_AUDIO, path, "cannot open audio file: %s", sf_strerror(NULL));
	enum { BLOCK = 4096 };
	mxd_analyzer *z = NULL;
	mixdown_status st = mxd_analyzer_new((double)info.samplerate, (uint32_t)info.channels, opts, &z, err);
	/* The speakers the file's channel map names weigh as BS.1770-4 Table 3 says. */
	const mxd_layout *lay = st == MIXDOWN_SUCCESS ? mxd_layout_from_sndfile(f, (uint32_t)info.channels) : NULL;
	if (lay) {
		double lw[64];
		mxd_bs1770_weights(lay, lw);
		mxd_loud_set_weights(&z->loud, lw);
	}
	float *buf = st == MIXDOWN_SUCCESS ? malloc((size_t)BLOCK * (size_t)info.channels * sizeof *buf) : NULL;
	if (st != MIXDOWN_SUCCESS || !buf) {
		sf_close(f);
		mxd_analyzer_free(z);
		if (st == MIXDOWN_SUCCESS)
			return fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
		if (err)
			snprintf(err->file, sizeof err->file, "%s", path);
		return st;
	}
	for (;;) {
		sf_count_t got = sf_readf_float(f, buf, BLOCK);
		if (got <= 0)
			break;
		size_t n = (size_t)got * (size_t)info.channels;
		for (size_t i = 0; i < n; i++)
			if (!isfinite(buf[i]))
				buf[i] = 0.0f;
		st = mxd_analyzer_feed(z, buf, (size_t)got, err);
		if (st != MIXDOWN_SUCCESS)
			break;
	}
	if (st == MIXDOWN_SUCCESS && sf_error(f) != SF_ERR_NO_ERROR)
		st = fail(err, MIXDOWN_ERR_AUDIO, path, "read error: %s", sf_strerror(f));
	sf_close(f);
	free(buf);
	if (st != MIXDOWN_SUCCESS) {
		mxd_analyzer_free(z);
		if (err && !err->file[0])
			snprintf(err->file, sizeof err->file, "%s", path);
		return st;
	}
	return mxd_analyzer_finish(z, path, out, err);
}
