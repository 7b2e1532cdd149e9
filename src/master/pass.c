/* mixdown — one mastering pass, and measuring a written master.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pass renders the chain session block by block, runs the tonal match
 * (optional), applies the gain and the true-peak limiter (the `limiter`
 * processor: lookahead, 4x oversampled detector, 0.5 dB detector margin) and
 * hands the result to the writer. The delay of the match and the limiter is
 * compensated: their first `latency` output frames are dropped and the tail
 * is flushed with silence, so the master has exactly the input's length and
 * timing.
 *
 * Limiting statistics: the limiter's input is delayed by the limiter's own
 * latency and compared with its output sample by sample; where the input is
 * within 40 dB of the ceiling, |in| / |out| is the gain reduction. Per
 * 1024-frame block we keep the largest; `limiting_max` is the largest over
 * the file and `limiting_mean` the mean over the blocks where the limiter
 * had something to do with (blocks with input within 40 dB of the ceiling).
 *
 * Memory: a few blocks; independent of the file's length.
 * Control thread (file I/O, allocation); deterministic.
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "master/master.h"
#include "master/match.h"
#include "spatial/chanweight.h"

enum { BLOCK = 1024 };

static ebur128_state *meter_new(uint32_t channels, double rate, const mxd_layout *layout)
{
	ebur128_state *m = ebur128_init(channels, (unsigned long)lrint(rate), EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK |
										 EBUR128_MODE_SAMPLE_PEAK);
	/* ITU-R BS.1770-4 Table 3 weights of `layout` (the file's channel mask),
	 * else of the layout the channel count implies (spatial/chanweight.h):
	 * the LFE is not measured. */
	const mxd_layout *l = channels <= 2 ? NULL
			      : layout && layout->channels == channels ? layout
								       : mxd_layout_for_channels(channels);
	if (m && l)
		mxd_bs1770_set_ebur128(m, l);
	return m;
}

static void meter_read(ebur128_state *m, uint32_t channels, double *loudness, double *tp, double *sp)
{
	double v = -INFINITY;
	*loudness = ebur128_loudness_global(m, &v) == EBUR128_SUCCESS && isfinite(v) ? v : -INFINITY;
	double t = 0, s = 0;
	for (uint32_t c = 0; c < channels; c++) {
		double x = 0;
		if (ebur128_true_peak(m, c, &x) == EBUR128_SUCCESS && x > t)
			t = x;
		if (ebur128_sample_peak(m, c, &x) == EBUR128_SUCCESS && x > s)
			s = x;
	}
	*tp = t > 0 ? 20.0 * log10(t) : -INFINITY;
	*sp = s > 0 ? 20.0 * log10(s) : -INFINITY;
}

mixdown_status mxd_master_measure(const char *path, double *loudness, double *true_peak, double *sample_peak,
				  mixdown_error *err)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return mxd_master_fail(err, MIXDOWN_ERR_AUDIO, path, "cannot open audio file: %s", sf_strerror(NULL));
	ebur128_state *m = meter_new((uint32_t)info.channels, info.samplerate,
				     mxd_layout_from_sndfile(f, (uint32_t)info.channels));
	float *buf = malloc(sizeof(float) * 4096 * (size_t)info.channels);
	mixdown_status st = MIXDOWN_SUCCESS;
	if (!m || !buf) {
		st = mxd_master_fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	} else {
		sf_count_t got;
		while ((got = sf_readf_float(f, buf, 4096)) > 0)
			ebur128_add_frames_float(m, buf, (size_t)got);
		if (sf_error(f) != SF_ERR_NO_ERROR)
			st = mxd_master_fail(err, MIXDOWN_ERR_AUDIO, path, "read error: %s", sf_strerror(f));
		meter_read(m, (uint32_t)info.channels, loudness, true_peak, sample_peak);
	}
	if (m)
		ebur128_destroy(&m);
	free(buf);
	sf_close(f);
	return st;
}

static mxd_fx *limiter_new(double rate, uint32_t channels, double ceiling_db, bool fast)
{
	const mxd_fx_class *cls = mxd_fx_class_find("limiter");
	if (!cls)
		return NULL;
	double *v = calloc(cls->n_slots, sizeof *v);
	if (!v)
		return NULL;
	mxd_fx_defaults(cls, v);
	/* Mastering settings: 5 ms lookahead and programme-dependent release
	 * (fast after short peaks, slow under sustained limiting: less pumping).
	 * The fast variant follows the waveform more closely: louder, at the
	 * price of more distortion; master.c uses it only when the slow one
	 * cannot reach the target, and says so. */
	struct {
		const char *name;
		double value;
	} set[] = { { "ceiling", ceiling_db }, { "true_peak", 1 }, { "lookahead", 5 }, { "release", fast ? 10 : 150 },
		    { "auto_release", fast ? 0 : 1 } };
	for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
		long slot = mxd_fx_param_path(cls, set[i].name, NULL);
		if (slot >= 0)
			v[slot] = set[i].value;
	}
	mxd_fx *fx = mxd_fx_instantiate(cls, v, rate, BLOCK, channels);
	free(v);
	return fx;
}

typedef struct {
	float *buf[MXD_MAX_CHANNELS];    /* work block */
	float *tmp[MXD_MAX_CHANNELS];    /* match output */
	float *ring[MXD_MAX_CHANNELS];   /* limiter input, delayed by its latency */
	size_t ring_len, ring_pos;
	float *inter;
	double gr_sum, gr_max;
	uint64_t gr_blocks;
} pass_bufs;

static void bufs_free(pass_bufs *b)
{
	for (int c = 0; c < MXD_MAX_CHANNELS; c++) {
		free(b->buf[c]);
		free(b->tmp[c]);
		free(b->ring[c]);
	}
	free(b->inter);
}

static int bufs_alloc(pass_bufs *b, uint32_t nc, size_t ring_len)
{
	b->ring_len = ring_len;
	bool ok = (b->inter = malloc(sizeof(float) * BLOCK * nc)) != NULL;
	for (uint32_t c = 0; c < nc && ok; c++)
		ok = (b->buf[c] = calloc(BLOCK, sizeof(float))) && (b->tmp[c] = calloc(BLOCK, sizeof(float))) &&
		     (b->ring[c] = calloc(ring_len ? ring_len : 1, sizeof(float)));
	return ok ? 0 : -1;
}

/* Push the limiter's input, run it, and compare its output with the input
 * `latency` frames earlier. */
static void limit_block(mxd_fx *lim, pass_bufs *b, uint32_t nc, uint32_t n, double ceiling_lin)
{
	for (uint32_t c = 0; c < nc; c++)
		memcpy(b->tmp[c], b->buf[c], n * sizeof(float));
	lim->cls->run(lim, b->buf, NULL, n);
	const double floor_lin = ceiling_lin * 0.01; /* -40 dB re. the ceiling */
	double blk = 0;
	bool active = false;
	for (uint32_t i = 0; i < n; i++) {
		size_t pos = b->ring_pos;
		for (uint32_t c = 0; c < nc; c++) {
			double in = b->ring_len ? b->ring[c][pos] : b->tmp[c][i];
			if (b->ring_len)
				b->ring[c][pos] = b->tmp[c][i];
			double out = fabs((double)b->buf[c][i]);
			if (fabs(in) > floor_lin) {
				active = true;
				double gr = out > 0 ? 20.0 * log10(fabs(in) / out) : 0.0;
				if (gr > blk)
					blk = gr;
			}
		}
		if (b->ring_len)
			b->ring_pos = (pos + 1) % b->ring_len;
	}
	if (active) {
		b->gr_sum += blk;
		b->gr_blocks++;
		if (blk > b->gr_max)
			b->gr_max = blk;
	}
}

mixdown_status mxd_master_pass(const mxd_pass_config *cfg, mxd_pass_result *res, mixdown_error *err)
{
	memset(res, 0, sizeof *res);
	mixdown_engine *eng = NULL;
	mxd_fx *lim = NULL;
	mxd_writer *w = NULL;
	ebur128_state *meter = NULL;
	pass_bufs b;
	memset(&b, 0, sizeof b);
	mixdown_status st = mixdown_engine_create(cfg->session, BLOCK, &eng, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const uint32_t nc = mixdown_engine_channels(eng);
	const double rate = mixdown_session_sample_rate(cfg->session);
	const uint64_t total = mixdown_engine_length(eng);
	uint32_t lat_match = cfg->match ? mxd_match_latency(cfg->match) : 0, lat_lim = 0;
	if (cfg->match)
		mxd_match_reset(cfg->match);
	if (cfg->limit) {
		if (!(lim = limiter_new(rate, nc, cfg->ceiling_db, cfg->fast_release))) {
			st = mxd_master_fail(err, MIXDOWN_ERR_NOMEM, NULL, "cannot set up the limiter");
			goto done;
		}
		lat_lim = lim->cls->latency ? lim->cls->latency(lim) : 0;
	}
	meter = meter_new(nc, rate, cfg->writer.layout);
	if (!meter || bufs_alloc(&b, nc, lat_lim)) {
		st = mxd_master_fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (cfg->path) {
		mxd_writer_config wc = cfg->writer;
		wc.channels = nc;
		wc.in_rate = rate;
		wc.max_block = BLOCK;
		if ((st = mxd_writer_open(cfg->path, &wc, &w, err)) != MIXDOWN_SUCCESS)
			goto done;
	}
	const uint64_t latency = (uint64_t)lat_match + lat_lim;
	const float g = (float)pow(10.0, cfg->gain_db / 20.0);
	const double ceiling_lin = pow(10.0, cfg->ceiling_db / 20.0);
	uint64_t in_pos = 0, out_pos = 0;
	while (out_pos < total) {
		const uint32_t n = BLOCK;
		uint32_t from_engine = in_pos < total ? (uint32_t)(total - in_pos < n ? total - in_pos : n) : 0;
		if (from_engine && (st = mixdown_engine_process(eng, b.buf, from_engine, err)) != MIXDOWN_SUCCESS)
			goto done;
		for (uint32_t c = 0; c < nc; c++)
			memset(b.buf[c] + from_engine, 0, (n - from_engine) * sizeof(float));
		in_pos += n;
		if (cfg->match) {
			mxd_match_process(cfg->match, (const float *const *)b.buf, b.tmp, n);
			for (uint32_t c = 0; c < nc; c++)
				memcpy(b.buf[c], b.tmp[c], n * sizeof(float));
		}
		for (uint32_t c = 0; c < nc; c++)
			for (uint32_t i = 0; i < n; i++) {
				float v = b.buf[c][i] * g;
				b.buf[c][i] = isfinite(v) ? v : 0.0f; /* NaN/Inf never reach the file */
			}
		if (lim)
			limit_block(lim, &b, nc, n, ceiling_lin);
		/* Drop the first `latency` frames; stop at the input's length. */
		const uint64_t blk_start = in_pos - n;
		uint32_t skip = blk_start < latency ? (uint32_t)(latency - blk_start < n ? latency - blk_start : n) : 0;
		uint32_t keep = n - skip;
		if (keep > total - out_pos)
			keep = (uint32_t)(total - out_pos);
		if (!keep)
			continue;
		const float *outp[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nc; c++) {
			outp[c] = b.buf[c] + skip;
			for (uint32_t i = 0; i < keep; i++)
				b.inter[i * nc + c] = outp[c][i];
		}
		ebur128_add_frames_float(meter, b.inter, keep);
		if (w && (st = mxd_writer_write(w, outp, keep, err)) != MIXDOWN_SUCCESS)
			goto done;
		out_pos += keep;
	}
	meter_read(meter, nc, &res->loudness, &res->true_peak, &res->sample_peak);
	res->limiting_max = b.gr_max;
	res->limiting_mean = b.gr_blocks ? b.gr_sum / (double)b.gr_blocks : 0.0;
	res->frames = total;
	res->channels = nc;
	res->rate = rate;
	if (cfg->keep_meter) {
		res->meter = meter;
		meter = NULL;
	}
	if (w) {
		st = mxd_writer_commit(w, err);
		w = NULL;
	}
done:
	mxd_writer_abort(w);
	if (lim)
		lim->cls->destroy(lim);
	if (meter)
		ebur128_destroy(&meter);
	bufs_free(&b);
	mixdown_engine_free(eng);
	return st;
}
