/* mixdown — mixdown_translate(): the mix through every playback-system model,
 * measured, and (optionally) written as listening files.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pass 1 streams the file (src/io/reader.c, blocks of BLOCK frames, any
 * length) through every model (systems.c) and measures: integrated loudness
 * of the mix, of each system's output and, for a stereo mix, of the mono fold
 * (L+R)/2 alone (libebur128, ITU-R BS.1770); the sample peak of each output;
 * and the input's short-time spectra for everything spectral
 * (translate_frames.c, translate_bass.c, translate_mask.c).
 * Pass 2 (only with an output directory) runs the same filters again and
 * writes each output loudness-matched to the mix: gain = mix loudness -
 * system loudness, limited to +20 dB and lowered so the sample peak stays at
 * or below -1 dBFS (so nothing clips and A/B listening is not fooled by
 * level). Files are 24-bit WAV at the mix's rate, through src/io/writer.c
 * (TPDF dither, temporary files renamed into place only after every file
 * was written completely; a failure before that discards them all).
 *
 * Mono fold-down: (L+R)/2, the "-6 dB" sum: a centred source keeps its level,
 * uncorrelated left/right content loses 3 dB, side-only content (L = -R)
 * cancels. Its loudness is taken as if played on both speakers
 * (EBUR128_DUAL_MONO), the convention of `mixdown analyze`'s mono_drop, so a
 * centred mix loses 0 LU by the fold alone and only what cancels counts.
 *
 * Memory: blocks, filter states and the analysis arrays, whatever the
 * file's length. Control thread only (file I/O).
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/reader.h"
#include "io/writer.h"
#include "session/model.h"
#include "translate/translate.h"

#define BLOCK 4096u
#define PEAK_CEIL_DB -1.0
#define MAX_BOOST_DB 20.0

typedef struct {
	mxd_tr_filter filt;
	mxd_bq_state st[2][MXD_TR_MAX_BIQUADS];
	uint32_t out_ch;
	ebur128_state *loud;
	double peak;              /* linear */
	mxd_writer *w;
} sys_run;

typedef struct {
	const char *path;
	double rate;
	uint32_t ch;
	size_t n_sys;
	sys_run *sys;
	float *in[2], *fold, *buf[MXD_TR_MAX_SYS][2], *inter;
	ebur128_state *mix, *mono;
	mxd_tr_ana ana;
} run;

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static double lufs(ebur128_state *st)
{
	double v;
	if (!st || ebur128_loudness_global(st, &v) != EBUR128_SUCCESS || !isfinite(v) || v < -200.0)
		return -INFINITY;
	return v;
}

static int feed(ebur128_state *st, float *inter, float *const *planar, uint32_t ch, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t c = 0; c < ch; c++)
			inter[i * ch + c] = planar[c][i];
	return ebur128_add_frames_float(st, inter, n) == EBUR128_SUCCESS ? 0 : -1;
}

/* Filter one block through system s into r->buf[s]. */
static void process_sys(run *r, size_t s, uint32_t n)
{
	sys_run *y = &r->sys[s];
	for (uint32_t c = 0; c < y->out_ch; c++) {
		const float *src = y->out_ch == 1 && r->ch == 2 ? r->fold : r->in[c];
		memcpy(r->buf[s][c], src, n * sizeof(float));
		mxd_tr_filter_process(&y->filt, y->st[c], r->buf[s][c], n);
	}
}

static void fold(run *r, uint32_t n)
{
	if (r->ch == 2)
		for (uint32_t i = 0; i < n; i++)
			r->fold[i] = 0.5f * (r->in[0][i] + r->in[1][i]);
}

static mixdown_status pass_measure(run *r, mixdown_error *err)
{
	mxd_reader *rd = NULL;
	mixdown_status st = mxd_reader_open(r->path, r->rate, 0, BLOCK, &rd, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	for (;;) {
		uint32_t got = 0;
		if ((st = mxd_reader_read(rd, r->in, BLOCK, &got, err)) != MIXDOWN_SUCCESS || got == 0)
			break;
		fold(r, got);
		int bad = feed(r->mix, r->inter, r->in, r->ch, got);
		if (r->mono)
			bad |= ebur128_add_frames_float(r->mono, r->fold, got) != EBUR128_SUCCESS;
		mxd_tr_ana_add(&r->ana, (const float *const *)r->in, got);
		for (size_t s = 0; s < r->n_sys; s++) {
			sys_run *y = &r->sys[s];
			process_sys(r, s, got);
			for (uint32_t c = 0; c < y->out_ch; c++)
				for (uint32_t i = 0; i < got; i++)
					if (fabsf(r->buf[s][c][i]) > y->peak)
						y->peak = fabsf(r->buf[s][c][i]);
			bad |= feed(y->loud, r->inter, r->buf[s], y->out_ch, got);
		}
		if (bad) {
			st = mxd_fail(err, MIXDOWN_ERR_NOMEM, r->path, (mxd_loc){ 0, 0 }, NULL, "%s",
				      "loudness measurement failed (out of memory)");
			break;
		}
		if (got < BLOCK)
			break;
	}
	mxd_reader_close(rd);
	return st;
}

static void list_name(char *dst, size_t cap, const char *dir, const char *mix, const char *sys)
{
	const char *base = strrchr(mix, '/');
	base = base ? base + 1 : mix;
	size_t len = strlen(base);
	const char *dot = strrchr(base, '.');
	if (dot && dot != base)
		len = (size_t)(dot - base);
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	snprintf(dst, cap, "%.*s/%.*s.%s.wav", (int)dl, dir, (int)len, base, sys);
}

static mixdown_status pass_write(run *r, const char *out_dir, mixdown_translate_result *res, mixdown_error *err)
{
	mixdown_status st = MIXDOWN_SUCCESS;
	float gain[MXD_TR_MAX_SYS];
	for (size_t s = 0; s < r->n_sys && st == MIXDOWN_SUCCESS; s++) {
		mixdown_translate_system *o = &res->systems[s];
		list_name(o->file, sizeof o->file, out_dir, r->path, o->name);
		if (same_file(o->file, r->path)) {
			st = mxd_fail(err, MIXDOWN_ERR_USAGE, o->file, (mxd_loc){ 0, 0 }, NULL, "%s",
				      "the listening file would overwrite the mix");
			break;
		}
		double g = isfinite(res->loudness) && isfinite(o->loudness) ? res->loudness - o->loudness : 0.0;
		if (g > MAX_BOOST_DB)
			g = MAX_BOOST_DB;
		double peak_db = r->sys[s].peak > 0 ? 20.0 * log10(r->sys[s].peak) : -INFINITY;
		if (peak_db + g > PEAK_CEIL_DB)
			g = PEAK_CEIL_DB - peak_db;
		o->file_gain = g;
		gain[s] = (float)pow(10.0, g / 20.0);
		mxd_writer_config wc = {
			.format = MIXDOWN_FORMAT_WAV, .sample = MIXDOWN_SAMPLE_INT24, .dither = MIXDOWN_DITHER_AUTO,
			.in_rate = r->rate, .out_rate = r->rate, .channels = r->sys[s].out_ch, .max_block = BLOCK,
			.seed = 0x7472616eu + (uint32_t)s,
		};
		st = mxd_writer_open(o->file, &wc, &r->sys[s].w, err);
		memset(r->sys[s].st, 0, sizeof r->sys[s].st);
	}
	mxd_reader *rd = NULL;
	if (st == MIXDOWN_SUCCESS)
		st = mxd_reader_open(r->path, r->rate, 0, BLOCK, &rd, err);
	while (st == MIXDOWN_SUCCESS) {
		uint32_t got = 0;
		if ((st = mxd_reader_read(rd, r->in, BLOCK, &got, err)) != MIXDOWN_SUCCESS || got == 0)
			break;
		fold(r, got);
		for (size_t s = 0; s < r->n_sys && st == MIXDOWN_SUCCESS; s++) {
			process_sys(r, s, got);
			for (uint32_t c = 0; c < r->sys[s].out_ch; c++)
				for (uint32_t i = 0; i < got; i++)
					r->buf[s][c][i] *= gain[s];
			st = mxd_writer_write(r->sys[s].w, (const float *const *)r->buf[s], got, err);
		}
		if (got < BLOCK)
			break;
	}
	mxd_reader_close(rd);
	for (size_t s = 0; s < r->n_sys; s++) {
		if (st == MIXDOWN_SUCCESS && r->sys[s].w)
			st = mxd_writer_commit(r->sys[s].w, err);
		else
			mxd_writer_abort(r->sys[s].w);
		r->sys[s].w = NULL;
	}
	if (st != MIXDOWN_SUCCESS)
		for (size_t s = 0; s < r->n_sys; s++)
			res->systems[s].file[0] = '\0';
	return st;
}

static void run_free(run *r)
{
	for (size_t s = 0; s < r->n_sys; s++) {
		if (r->sys && r->sys[s].loud)
			ebur128_destroy(&r->sys[s].loud);
		if (r->sys)
			mxd_writer_abort(r->sys[s].w);
		free(r->buf[s][0]);
		free(r->buf[s][1]);
	}
	free(r->sys);
	free(r->in[0]);
	free(r->in[1]);
	free(r->fold);
	free(r->inter);
	if (r->mix)
		ebur128_destroy(&r->mix);
	if (r->mono)
		ebur128_destroy(&r->mono);
	mxd_tr_ana_free(&r->ana);
}

static mixdown_status setup(run *r, mixdown_translate_result *res, mixdown_error *err)
{
	const mxd_tr_model *models[MXD_TR_MAX_SYS];
	mxd_tr_filter filt[MXD_TR_MAX_SYS];
	bool ok = (r->sys = calloc(r->n_sys, sizeof *r->sys)) &&
		  (res->systems = calloc(r->n_sys, sizeof *res->systems));
	ok = ok && (r->in[0] = calloc(BLOCK, sizeof(float))) && (r->in[1] = calloc(BLOCK, sizeof(float))) &&
	     (r->fold = calloc(BLOCK, sizeof(float))) && (r->inter = calloc(2 * BLOCK, sizeof(float)));
	ok = ok && (r->mix = ebur128_init(r->ch, (unsigned long)r->rate, EBUR128_MODE_I));
	if (ok && r->ch == 2)
		ok = (r->mono = ebur128_init(1, (unsigned long)r->rate, EBUR128_MODE_I)) &&
		     ebur128_set_channel(r->mono, 0, EBUR128_DUAL_MONO) == EBUR128_SUCCESS;
	if (ok && r->ch == 1)
		ok = ebur128_set_channel(r->mix, 0, EBUR128_CENTER) == EBUR128_SUCCESS;
	for (size_t s = 0; ok && s < r->n_sys; s++) {
		sys_run *y = &r->sys[s];
		const mxd_tr_model *m = models[s] = mxd_tr_model_get(s);
		mixdown_translate_system *o = &res->systems[s];
		snprintf(o->name, sizeof o->name, "%s", m->name);
		snprintf(o->label, sizeof o->label, "%s", m->label);
		snprintf(o->source, sizeof o->source, "%s", m->source);
		o->mono = m->mono;
		o->approximation = m->approximation;
		for (size_t i = 0; i < m->n_curve && i < MIXDOWN_TRANSLATE_MAX_CURVE; i++) {
			o->curve_hz[i] = m->curve[i].hz;
			o->curve_db[i] = m->curve[i].db;
			o->n_curve = i + 1;
		}
		if (mxd_tr_filter_design(&y->filt, m, r->rate))
			return mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){ 0, 0 }, NULL,
					"model %s needs too many filter sections", m->name);
		filt[s] = y->filt;
		for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
			double f = mixdown_band_centre(b);
			o->response[b] = f < 0.5 * r->rate ? mxd_tr_filter_response(&y->filt, f) : -INFINITY;
			if (fabs(o->response[b]) < 1e-6) /* rounding residue of the cascade, not a response */
				o->response[b] = 0.0;
		}
		y->out_ch = m->mono ? 1 : r->ch;
		ok = (r->buf[s][0] = calloc(BLOCK, sizeof(float))) && (r->buf[s][1] = calloc(BLOCK, sizeof(float)));
		ok = ok && (y->loud = ebur128_init(y->out_ch, (unsigned long)r->rate, EBUR128_MODE_I));
		if (ok && y->out_ch == 1)
			ok = ebur128_set_channel(y->loud, 0, r->ch == 2 ? EBUR128_DUAL_MONO : EBUR128_CENTER) ==
			     EBUR128_SUCCESS;
	}
	if (ok)
		ok = mxd_tr_ana_init(&r->ana, r->rate, r->ch, r->n_sys, models, filt) == 0;
	return ok ? MIXDOWN_SUCCESS
		  : mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, NULL, "%s", "out of memory");
}

mixdown_status mixdown_translate(const char *mix_path, const char *out_dir, mixdown_translate_result **out,
				 mixdown_error *err)
{
	if (out)
		*out = NULL;
	if (!mix_path || !out)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "%s",
				"mixdown_translate: missing mix path or result pointer");
	struct stat sd;
	if (out_dir && (stat(out_dir, &sd) != 0 || !S_ISDIR(sd.st_mode)))
		return mxd_fail(err, MIXDOWN_ERR_IO, out_dir, (mxd_loc){ 0, 0 }, NULL, "%s",
				"output directory does not exist");
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *sf = sf_open(mix_path, SFM_READ, &info);
	if (!sf)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, mix_path, (mxd_loc){ 0, 0 }, NULL, "cannot read audio: %s",
				sf_strerror(NULL));
	sf_close(sf);
	if (info.channels < 1 || info.channels > 2 || info.samplerate < 8000)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, mix_path, (mxd_loc){ 0, 0 }, NULL,
				"translate reads mono or stereo mixes at 8 kHz or more (this file: %d channels, %d Hz)",
				info.channels, info.samplerate);
	mixdown_translate_result *res = calloc(1, sizeof *res);
	if (!res)
		return mxd_fail(err, MIXDOWN_ERR_NOMEM, NULL, (mxd_loc){ 0, 0 }, NULL, "%s", "out of memory");
	run r;
	memset(&r, 0, sizeof r);
	r.path = mix_path;
	r.rate = info.samplerate;
	r.ch = (uint32_t)info.channels;
	r.n_sys = mxd_tr_model_count();
	if (r.n_sys > MXD_TR_MAX_SYS)
		r.n_sys = MXD_TR_MAX_SYS;
	res->n_systems = r.n_sys;
	snprintf(res->path, sizeof res->path, "%s", mix_path);
	res->sample_rate = r.rate;
	res->channels = r.ch;
	mixdown_status st = setup(&r, res, err);
	if (st == MIXDOWN_SUCCESS)
		st = pass_measure(&r, err);
	if (st == MIXDOWN_SUCCESS) {
		res->frames = (uint64_t)info.frames;
		res->duration = (double)info.frames / r.rate;
		res->loudness = lufs(r.mix);
		double mono = lufs(r.mono);
		for (size_t s = 0; s < r.n_sys; s++) {
			mixdown_translate_system *o = &res->systems[s];
			o->loudness = lufs(r.sys[s].loud);
			if (isfinite(o->loudness) && isfinite(res->loudness))
				o->loudness_change = o->loudness - res->loudness;
			else /* the system silences an audible mix, or the mix is silent */
				o->loudness_change = isfinite(res->loudness) ? -INFINITY : 0.0;
			if (o->mono && r.ch == 2 && isfinite(res->loudness))
				o->mono_drop = res->loudness - (isfinite(mono) && mono > -70.0 ? mono : -70.0);
		}
		mxd_tr_report(&r.ana, res);
	}
	if (st == MIXDOWN_SUCCESS && out_dir)
		st = pass_write(&r, out_dir, res, err);
	run_free(&r);
	if (st != MIXDOWN_SUCCESS) {
		mixdown_translate_free(res);
		return st;
	}
	*out = res;
	return MIXDOWN_SUCCESS;
}

void mixdown_translate_free(mixdown_translate_result *r)
{
	if (!r)
		return;
	free(r->systems);
	free(r);
}
