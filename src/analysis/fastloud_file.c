/* mixdown — loudness-only analysis of a file (`mixdown analyze --loudness`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Integrated loudness, loudness range, maximum momentary and short-term
 * loudness, true peak and sample peak with the fast meter (fastloud.c), and
 * nothing else. Two threads on the 2-core machine this was tuned on: a
 * reader thread decodes the file into planar float slabs and takes their
 * sample and true peaks; the calling thread K-weights the slabs and keeps
 * the blocks. A ring of MXD_FL_SLABS slabs between them; slab boundaries do
 * not depend on the thread count, so one and two threads give identical
 * numbers. Only the whole-file peaks are reported, so the meter skips the
 * interpolation of stretches that cannot raise the true peak (tp_prune,
 * exact). Measured on 60 minutes of stereo 24-bit (bench/loudness.sh):
 * about 1.1-1.4 s of CPU (perf: K-weighting 42 %, decoding 20 % plus 14 %
 * in the kernel's read, block bookkeeping and peaks the rest); two threads
 * took 1.9 s wall against 2.1 s for one on the loaded shared machine (load
 * average 8.5).
 *
 * Decoding: PCM 16/24/32-bit and 32-bit float in little-endian WAV, WAVEX,
 * W64, RF64 and AIFF containers are read as raw bytes (sf_read_raw) and
 * converted here straight into the planar slabs, with the scaling libsndfile
 * uses (1/2^15, 1/2^23, 1/2^31: exact), so the values are the same as
 * sf_readf_float's; every other file goes through sf_readf_float.
 * Non-finite samples (float files) are metered as 0, as analyze.c does.
 *
 * Ownership: the caller owns the returned mixdown_analysis
 * (mixdown_analysis_free). Threads: any thread; it starts and joins one
 * worker of its own.
 */
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/fastloud.h"
#include "session/model.h"
#include "spatial/chanweight.h"

#define MXD_FL_SLAB 8192 /* frames per slab */
#define MXD_FL_SLABS 6

#define fail(err, st, file, ...) mxd_fail(err, st, file, (mxd_loc){ 0, 0 }, NULL, __VA_ARGS__)

enum { RAW_NONE, RAW_S16, RAW_S24, RAW_S32, RAW_F32 };

typedef struct {
	SNDFILE *f;
	uint32_t ch;
	int raw;                  /* RAW_* */
	size_t bps;               /* bytes per raw sample */
	unsigned char *bytes;     /* raw: MXD_FL_SLAB frames (+ 4 bytes of slack) */
	float *inter;             /* otherwise: MXD_FL_SLAB interleaved frames */
	float *tail;              /* per channel: the last MXD_FL_HIST samples read */
} reader;

typedef struct {
	float *mem;               /* MXD_FL_SLABS x channels x (MXD_FL_HIST + MXD_FL_SLAB) */
	long n[MXD_FL_SLABS];     /* frames in the slab; 0 = end of file, -1 = read error */
	size_t made, used;        /* slabs produced / consumed so far */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	reader *r;
	mxd_fl *m;
} ring;

static float *slab_chan(const ring *q, size_t slab, uint32_t c)
{
	size_t per = MXD_FL_HIST + MXD_FL_SLAB;
	return q->mem + ((slab % MXD_FL_SLABS) * q->r->ch + c) * per + MXD_FL_HIST;
}

static bool host_le(void)
{
	const uint16_t one = 1;
	unsigned char b;
	memcpy(&b, &one, 1);
	return b != 0;
}

static int pick_raw(SNDFILE *f, const SF_INFO *info)
{
	int major = info->format & SF_FORMAT_TYPEMASK, sub = info->format & SF_FORMAT_SUBMASK;
	if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX && major != SF_FORMAT_W64 && major != SF_FORMAT_RF64 &&
	    major != SF_FORMAT_AIFF)
		return RAW_NONE;
	/* The bytes are decoded as little-endian below: the data must be. */
	bool swap = sf_command(f, SFC_RAW_DATA_NEEDS_ENDSWAP, NULL, 0) == SF_TRUE;
	if (host_le() == swap)
		return RAW_NONE;
	switch (sub) {
	case SF_FORMAT_PCM_16:
		return RAW_S16;
	case SF_FORMAT_PCM_24:
		return RAW_S24;
	case SF_FORMAT_PCM_32:
		return RAW_S32;
	case SF_FORMAT_FLOAT:
		return RAW_F32;
	default:
		return RAW_NONE;
	}
}

/* Four little-endian bytes (the raw buffer has slack at its end, so a
 * 24-bit sample may read one byte past itself). */
static inline uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A little-endian 24-bit sample at p as the top of an int32 (p[3] is read
 * and shifted out: the raw buffer has slack at its end). */
static inline float s24(const unsigned char *p)
{
	uint32_t u;
	memcpy(&u, p, sizeof u);
	return (float)(int32_t)(u << 8) * 0x1p-31f; /* 24 significant bits: exact */
}

/* Little-endian raw samples to planar floats (libsndfile's scaling). */
static void convert(const reader *r, float *const *dst, size_t frames)
{
	const uint32_t ch = r->ch;
	if (r->raw == RAW_S24 && ch == 2 && host_le()) {
		/* The common case in one pass over the bytes. */
		const unsigned char *p = r->bytes;
		float *restrict d0 = dst[0], *restrict d1 = dst[1];
		for (size_t i = 0; i < frames; i++, p += 6) {
			d0[i] = s24(p);
			d1[i] = s24(p + 3);
		}
		return;
	}
	for (uint32_t c = 0; c < ch; c++) {
		const unsigned char *p = r->bytes + c * r->bps;
		const size_t stride = ch * r->bps;
		float *restrict d = dst[c];
		switch (r->raw) {
		case RAW_S16:
			for (size_t i = 0; i < frames; i++, p += stride)
				d[i] = (float)(int16_t)(uint16_t)(p[0] | p[1] << 8) * 0x1p-15f;
			break;
		case RAW_S24:
			/* The 24 bits at the top of an int32: exact in a float. */
			for (size_t i = 0; i < frames; i++, p += stride)
				d[i] = (float)(int32_t)(le32(p) << 8) * 0x1p-31f;
			break;
		case RAW_S32:
			for (size_t i = 0; i < frames; i++, p += stride)
				d[i] = (float)(int32_t)le32(p) * 0x1p-31f;
			break;
		default:
			for (size_t i = 0; i < frames; i++, p += stride) {
				uint32_t u = le32(p);
				float v;
				memcpy(&v, &u, sizeof v);
				d[i] = isfinite(v) ? v : 0.0f;
			}
			break;
		}
	}
}

/* Read up to MXD_FL_SLAB frames into dst[c][0..] (with the history in front).
 * Returns the frames read, 0 at the end, -1 on a read error. */
static long read_slab(reader *r, float *const *dst)
{
	long got;
	if (r->raw != RAW_NONE) {
		size_t fb = r->bps * r->ch;
		sf_count_t b = sf_read_raw(r->f, r->bytes, (sf_count_t)(fb * MXD_FL_SLAB));
		if (b < 0)
			return -1;
		got = (long)((size_t)b / fb);
		convert(r, dst, (size_t)got);
	} else {
		sf_count_t n = sf_readf_float(r->f, r->inter, MXD_FL_SLAB);
		if (n < 0)
			return -1;
		got = (long)n;
		for (uint32_t c = 0; c < r->ch; c++) {
			float *restrict d = dst[c];
			for (long i = 0; i < got; i++) {
				float v = r->inter[(size_t)i * r->ch + c];
				d[i] = isfinite(v) ? v : 0.0f;
			}
		}
	}
	if (got == 0)
		return sf_error(r->f) != SF_ERR_NO_ERROR ? -1 : 0;
	/* History for the interpolator: the previous slab's last samples. */
	for (uint32_t c = 0; c < r->ch; c++) {
		float *h = r->tail + (size_t)c * MXD_FL_HIST;
		memcpy(dst[c] - MXD_FL_HIST, h, MXD_FL_HIST * sizeof *h);
		if (got >= MXD_FL_HIST) {
			memcpy(h, dst[c] + got - MXD_FL_HIST, MXD_FL_HIST * sizeof *h);
		} else {
			memmove(h, h + got, (size_t)(MXD_FL_HIST - got) * sizeof *h);
			memcpy(h + MXD_FL_HIST - got, dst[c], (size_t)got * sizeof *h);
		}
	}
	return got;
}

static void *reader_main(void *arg)
{
	ring *q = arg;
	float *ptr[64];
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->made - q->used == MXD_FL_SLABS)
			pthread_cond_wait(&q->cv, &q->mu);
		size_t s = q->made;
		pthread_mutex_unlock(&q->mu);
		for (uint32_t c = 0; c < q->r->ch; c++)
			ptr[c] = slab_chan(q, s, c);
		long got = read_slab(q->r, ptr);
		if (got > 0)
			mxd_fl_peaks(q->m, (const float *const *)ptr, (size_t)got);
		pthread_mutex_lock(&q->mu);
		q->n[s % MXD_FL_SLABS] = got;
		q->made++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (got <= 0)
			return NULL;
	}
}

/* Meter the whole file; 0, or -1 on a read error. */
static int run(ring *q, int threads, uint64_t *frames)
{
	float *ptr[64];
	pthread_t th;
	bool two = threads > 1 && pthread_create(&th, NULL, reader_main, q) == 0;
	long got;
	for (;;) {
		size_t s = q->used;
		if (two) {
			pthread_mutex_lock(&q->mu);
			while (q->made == s)
				pthread_cond_wait(&q->cv, &q->mu);
			got = q->n[s % MXD_FL_SLABS];
			pthread_mutex_unlock(&q->mu);
		}
		for (uint32_t c = 0; c < q->r->ch; c++)
			ptr[c] = slab_chan(q, s, c);
		if (!two) {
			got = read_slab(q->r, ptr);
			if (got > 0)
				mxd_fl_peaks(q->m, (const float *const *)ptr, (size_t)got);
		}
		if (got > 0) {
			mxd_fl_weigh(q->m, (const float *const *)ptr, (size_t)got);
			*frames += (uint64_t)got;
		}
		if (two) {
			pthread_mutex_lock(&q->mu);
			q->used++;
			pthread_cond_broadcast(&q->cv);
			pthread_mutex_unlock(&q->mu);
		} else {
			q->used++;
		}
		if (got <= 0)
			break;
	}
	if (two)
		pthread_join(th, NULL);
	return got < 0 ? -1 : 0;
}

mixdown_status mxd_fl_analyze_file(const char *path, const mixdown_analysis_options *opt, int threads, bool no_raw,
				   mixdown_analysis **out, mixdown_error *err)
{
	*out = NULL;
	mixdown_analysis_options o = opt ? *opt : mixdown_analysis_options_init();
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return fail(err, MIXDOWN_ERR_AUDIO, path, "cannot open audio file: %s", sf_strerror(NULL));
	double rate = (double)info.samplerate;
	uint32_t ch = (uint32_t)info.channels;
	if (!(rate >= 100.0 && rate <= 1e6) || ch == 0 || ch > 64) {
		sf_close(f);
		return fail(err, MIXDOWN_ERR_AUDIO, path, "unsupported format: %g Hz, %u channels", rate, ch);
	}
	reader r = { .f = f, .ch = ch, .raw = no_raw ? RAW_NONE : pick_raw(f, &info) };
	static const size_t bps[] = { 0, 2, 3, 4, 4 };
	r.bps = bps[r.raw];
	if (r.raw != RAW_NONE)
		r.bytes = malloc(r.bps * ch * MXD_FL_SLAB + 4);
	else
		r.inter = malloc(sizeof *r.inter * ch * MXD_FL_SLAB);
	r.tail = calloc((size_t)ch * MXD_FL_HIST, sizeof *r.tail);
	mxd_fl m;
	ring q = { .r = &r, .m = &m };
	q.mem = calloc((size_t)MXD_FL_SLABS * ch * (MXD_FL_HIST + MXD_FL_SLAB), sizeof *q.mem);
	mixdown_analysis *a = calloc(1, sizeof *a);
	/* BS.1770-4 weights of the speakers the file's channel map names. */
	const mxd_layout *lay = mxd_layout_from_sndfile(f, ch);
	double lw[64];
	if (lay)
		mxd_bs1770_weights(lay, lw);
	bool inited = (r.bytes || r.inter) && r.tail && q.mem && a &&
		      mxd_fl_init(&m, rate, ch, lay ? lw : NULL, o.true_peak) == 0;
	mixdown_status st = MIXDOWN_SUCCESS;
	uint64_t frames = 0;
	if (inited)
		m.tp_prune = true; /* only the whole-file peaks are reported */
	if (!inited) {
		st = fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	} else {
		pthread_mutex_init(&q.mu, NULL);
		pthread_cond_init(&q.cv, NULL);
		if (run(&q, threads, &frames))
			st = fail(err, MIXDOWN_ERR_AUDIO, path, "read error: %s", sf_strerror(f));
		pthread_cond_destroy(&q.cv);
		pthread_mutex_destroy(&q.mu);
		if (st == MIXDOWN_SUCCESS && m.failed)
			st = fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	}
	if (st == MIXDOWN_SUCCESS) {
		snprintf(a->path, sizeof a->path, "%s", path);
		a->loudness_only = true;
		a->sample_rate = rate;
		a->channels = ch;
		a->frames = frames;
		a->duration = (double)frames / rate;
		a->loudness.integrated = mxd_fl_integrated(&m);
		a->loudness.range = mxd_fl_range(&m);
		a->loudness.momentary_max = mxd_lufs(m.m_max);
		a->loudness.short_term_max = mxd_lufs(m.s_max);
		double tp = mxd_fl_true_peak(&m), sp = mxd_fl_sample_peak(&m);
		a->loudness.true_peak = o.true_peak && tp > 0 ? 20.0 * log10(tp) : -INFINITY;
		a->loudness.sample_peak = sp > 0 ? 20.0 * log10(sp) : -INFINITY;
		if (isnan(a->loudness.range))
			st = fail(err, MIXDOWN_ERR_NOMEM, path, "out of memory");
	}
	if (inited)
		mxd_fl_free(&m);
	sf_close(f);
	free(r.bytes);
	free(r.inter);
	free(r.tail);
	free(q.mem);
	if (st != MIXDOWN_SUCCESS) {
		free(a);
		return st;
	}
	*out = a;
	return MIXDOWN_SUCCESS;
}
