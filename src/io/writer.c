/* mixdown — safe audio file writer.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "io/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dsp/simd_clone.h"
#include "session/model.h"
#include "spatial/layout.h"

struct mxd_writer {
	char *target;     /* final path, or "-" */
	char *temp;       /* temporary file being written */
	SNDFILE *file;
	mxd_writer_config cfg;
	soxr_t soxr;      /* NULL when in_rate == out_rate */
	float *inter;     /* interleaved input, max_block frames */
	float *resampled; /* interleaved resampler output */
	size_t resampled_cap;
	int32_t *ints;    /* quantized interleaved samples */
	size_t ints_cap;
	int bits;         /* 16, 24, or 32 (float) */
	uint32_t dither_state;
	double shape_hist[16][MXD_SHAPE_TAPS]; /* per channel, noise-shaping error history */
	uint64_t clipped, nonfinite, frames;
	mixdown_format written;  /* the format as written (WAV past 4 GB: RF64) */
	SF_BROADCAST_INFO *bext; /* the bext chunk, or NULL */
};

mixdown_format mxd_format_from_path(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return MIXDOWN_FORMAT_AUTO;
	if (!strcasecmp(dot, ".wav") || !strcasecmp(dot, ".wave"))
		return MIXDOWN_FORMAT_WAV;
	if (!strcasecmp(dot, ".flac"))
		return MIXDOWN_FORMAT_FLAC;
	if (!strcasecmp(dot, ".aif") || !strcasecmp(dot, ".aiff") || !strcasecmp(dot, ".aifc"))
		return MIXDOWN_FORMAT_AIFF;
	if (!strcasecmp(dot, ".rf64"))
		return MIXDOWN_FORMAT_RF64;
	if (!strcasecmp(dot, ".ogg") || !strcasecmp(dot, ".oga"))
		return MIXDOWN_FORMAT_OGG;
	if (!strcasecmp(dot, ".opus"))
		return MIXDOWN_FORMAT_OPUS;
	if (!strcasecmp(dot, ".mp3"))
		return MIXDOWN_FORMAT_MP3;
	return MIXDOWN_FORMAT_AUTO;
}

const char *mxd_format_extension(mixdown_format f)
{
	switch (f) {
	case MIXDOWN_FORMAT_FLAC: return "flac";
	case MIXDOWN_FORMAT_AIFF: return "aiff";
	case MIXDOWN_FORMAT_RF64: return "rf64";
	case MIXDOWN_FORMAT_OGG: return "ogg";
	case MIXDOWN_FORMAT_OPUS: return "opus";
	case MIXDOWN_FORMAT_MP3: return "mp3";
	default: return "wav";
	}
}

const char *mxd_format_name(mixdown_format f)
{
	switch (f) {
	case MIXDOWN_FORMAT_FLAC: return "FLAC";
	case MIXDOWN_FORMAT_AIFF: return "AIFF";
	case MIXDOWN_FORMAT_RF64: return "RF64";
	case MIXDOWN_FORMAT_OGG: return "Ogg Vorbis";
	case MIXDOWN_FORMAT_OPUS: return "Ogg Opus";
	case MIXDOWN_FORMAT_MP3: return "MP3";
	default: return "WAV";
	}
}

bool mxd_format_lossy(mixdown_format f)
{
	return f == MIXDOWN_FORMAT_OGG || f == MIXDOWN_FORMAT_OPUS || f == MIXDOWN_FORMAT_MP3;
}

static mixdown_status io_fail(mixdown_error *err, const char *path, const char *what, const char *why)
{
	return mxd_fail(err, MIXDOWN_ERR_IO, path, (mxd_loc){ 0, 0 }, NULL, "%s: %s", what, why);
}

/* xorshift32: fast, deterministic, good enough for dither noise. */
static inline uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* q limited to [lo, hi]; a sample that had to be limited is counted. */
static int32_t clip_to(double q, double lo, double hi, uint64_t *clipped)
{
	if (q > hi || q < lo) {
		(*clipped)++;
		q = q > hi ? hi : lo;
	}
	return (int32_t)q;
}

/* Built for AVX2 too (dsp/simd_clone.h): there rint() is one instruction
 * (SSE4.1 roundsd) instead of a libm call, same results. Static, with the
 * exported functions below calling them: clang builds the variants only
 * where the function is called. */
MXD_CLONES static uint64_t quantize(const float *in, int32_t *out, size_t n, int bits, mixdown_dither dither,
				    uint32_t *state)
{
	const double scale = bits == 16 ? 32768.0 : 8388608.0;
	const double hi = scale - 1.0, lo = -scale;
	const double unit = 1.0 / 4294967296.0;
	uint64_t clipped = 0;
	for (size_t i = 0; i < n; i++) {
		double v = (double)in[i] * scale;
		double q;
		/* AUTO: a sample already on the grid needs no requantization, so
		 * unity paths of integer sources stay bit-exact. */
		if (dither == MIXDOWN_DITHER_OFF || (dither == MIXDOWN_DITHER_AUTO && v == rint(v))) {
			q = rint(v);
		} else {
			/* TPDF: difference of two uniforms, ±1 LSB peak
			 * (Lipshitz, Wannamaker & Vanderkooy, JAES 1992). */
			double d = (double)next_rand(state) * unit - (double)next_rand(state) * unit;
			q = rint(v + d);
		}
		out[i] = clip_to(q, lo, hi, &clipped);
	}
	return clipped;
}

/* E-weighted noise-shaping filter, 44.1 kHz (Lipshitz, Vanderkooy &
 * Wannamaker, JAES 39(11), 1991). The noise transfer function is
 * 1 - sum h[k] z^-(k+1): about -12 dB at low frequencies, -25 dB near
 * 3 kHz, +25 dB near 20 kHz. */
static const double shape_h[MXD_SHAPE_TAPS] = { 2.412, -3.370, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847 };

MXD_CLONES static uint64_t quantize_shaped(const float *in, int32_t *out, size_t frames, uint32_t channels,
					   int bits, double (*hist)[MXD_SHAPE_TAPS], uint32_t *state)
{
	const double scale = bits == 16 ? 32768.0 : 8388608.0;
	const double hi = scale - 1.0, lo = -scale;
	const double unit = 1.0 / 4294967296.0;
	uint64_t clipped = 0;
	for (size_t i = 0; i < frames; i++)
		for (uint32_t c = 0; c < channels; c++) {
			double *e = hist[c]; /* e[0] newest */
			double fb = 0;
			for (int k = 0; k < MXD_SHAPE_TAPS; k++)
				fb += shape_h[k] * e[k];
			const double v = (double)in[i * channels + c] * scale - fb;
			const double d = (double)next_rand(state) * unit - (double)next_rand(state) * unit;
			const int32_t q = clip_to(rint(v + d), lo, hi, &clipped);
			/* A clipped sample's error is not noise: keep the loop stable
			 * by bounding what is fed back. */
			const double err = fmax(-2.0, fmin(2.0, q - v));
			memmove(e + 1, e, (MXD_SHAPE_TAPS - 1) * sizeof *e);
			e[0] = err;
			out[i * channels + c] = q;
		}
	return clipped;
}

uint64_t mxd_quantize(const float *in, int32_t *out, size_t n, int bits, mixdown_dither dither, uint32_t *state)
{
	return quantize(in, out, n, bits, dither, state);
}

uint64_t mxd_quantize_shaped(const float *in, int32_t *out, size_t frames, uint32_t channels, int bits,
			     double (*hist)[MXD_SHAPE_TAPS], uint32_t *state)
{
	return quantize_shaped(in, out, frames, channels, bits, hist, state);
}

/* Create a new file next to `target` with a unique name; O_EXCL so nothing
 * existing is ever opened, mode 0666 minus umask like any new file. */
static int make_temp(const char *target, char **temp_out)
{
	const char *slash = strrchr(target, '/');
	size_t dirlen = slash ? (size_t)(slash - target) + 1 : 0;
	const char *base = slash ? slash + 1 : target;
	size_t cap = strlen(target) + 64;
	char *t = malloc(cap);
	if (!t)
		return -1;
	static unsigned counter;
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(t, cap, "%.*s.%s.%ld-%u.part", (int)dirlen, target, base, (long)getpid(), counter++);
		int fd = open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*temp_out = t;
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	int e = errno;
	free(t);
	errno = e;
	return -1;
}

static int sndfile_format(const mxd_writer_config *cfg, mixdown_format fmt, int *bits)
{
	/* Lossy codecs take float and quantize on their own terms. */
	*bits = 32;
	switch (fmt) {
	case MIXDOWN_FORMAT_OGG: return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	case MIXDOWN_FORMAT_OPUS: return SF_FORMAT_OGG | SF_FORMAT_OPUS;
	case MIXDOWN_FORMAT_MP3: return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
	default: break;
	}
	int major = fmt == MIXDOWN_FORMAT_FLAC ? SF_FORMAT_FLAC
		  : fmt == MIXDOWN_FORMAT_AIFF ? SF_FORMAT_AIFF
		  : fmt == MIXDOWN_FORMAT_RF64 ? SF_FORMAT_RF64
					       : SF_FORMAT_WAV;
	switch (cfg->sample) {
	case MIXDOWN_SAMPLE_INT16: *bits = 16; return major | SF_FORMAT_PCM_16;
	case MIXDOWN_SAMPLE_FLOAT32: *bits = 32; return major | SF_FORMAT_FLOAT;
	default: *bits = 24; return major | SF_FORMAT_PCM_24;
	}
}

/* The rate nearest to `rate` that a lossy codec takes (libsndfile 1.2
 * refuses others). Opus runs at 48 kHz internally (RFC 6716, 2.1.1); MP3
 * has the MPEG-1/2/2.5 rates (ISO/IEC 11172-3, 13818-3). */
static double codec_rate(mixdown_format fmt, double rate)
{
	static const double opus[] = { 8000, 12000, 16000, 24000, 48000 };
	static const double mp3[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000 };
	const double *ok = fmt == MIXDOWN_FORMAT_OPUS ? opus : mp3;
	size_t n = fmt == MIXDOWN_FORMAT_OPUS ? sizeof opus / sizeof *opus : sizeof mp3 / sizeof *mp3;
	if (fmt != MIXDOWN_FORMAT_OPUS && fmt != MIXDOWN_FORMAT_MP3)
		return rate;
	for (size_t i = 0; i < n; i++)
		if (rate == ok[i])
			return rate;
	return fmt == MIXDOWN_FORMAT_MP3 && fmod(rate, 11025.0) == 0 ? 44100 : 48000;
}

/* A fixed-size bext text field: cut, NUL-padded (EBU Tech 3285, 2.3). */
static void put_field(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size);
	memset(dst, 0, size);
	memcpy(dst, src, n);
}

/* Date and time of origination: now, or SOURCE_DATE_EPOCH for reproducible
 * files (reproducible-builds.org convention). */
static void fill_bext(SF_BROADCAST_INFO *b, const mxd_bwf *bwf, const mxd_writer *w)
{
	memset(b, 0, sizeof *b);
	put_field(b->description, sizeof b->description, bwf->description);
	put_field(b->originator, sizeof b->originator, "mixdown");
	put_field(b->originator_reference, sizeof b->originator_reference, bwf->originator_reference);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	time_t t = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
	struct tm tm;
	if (epoch && *epoch ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) {
		char d[48], c[48];
		snprintf(d, sizeof d, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		snprintf(c, sizeof c, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		memcpy(b->origination_date, d, sizeof b->origination_date);
		memcpy(b->origination_time, c, sizeof b->origination_time);
	}
	double ref = bwf->time_reference > 0 ? bwf->time_reference * w->cfg.out_rate : 0;
	uint64_t r = (uint64_t)llround(ref);
	b->time_reference_low = (uint32_t)(r & 0xffffffffu);
	b->time_reference_high = (uint32_t)(r >> 32);
	b->version = 2;
	/* Not measured yet: 0x7FFF, the value Tech 3285 v2 reserves for that. */
	b->loudness_value = b->loudness_range = b->max_true_peak_level = 0x7fff;
	b->max_momentary_loudness = b->max_shortterm_loudness = 0x7fff;
	/* Coding history line (EBU R 98): A=algorithm, F=rate, W=word length, M=mode, T=text. */
	const char *mode = w->cfg.channels == 1 ? ",M=mono" : w->cfg.channels == 2 ? ",M=stereo" : "";
	snprintf(b->coding_history, sizeof b->coding_history, "A=PCM,F=%.0f,W=%d%s,T=mixdown %s\r\n",
		 w->cfg.out_rate, w->bits, mode, MIXDOWN_VERSION_STRING);
	b->coding_history_size = (uint32_t)strlen(b->coding_history);
}

/* 0.01 units as int16 (Tech 3285 v2); 0x7FFF when not measured. */
static int16_t loud16(double v)
{
	if (!isfinite(v))
		return 0x7fff;
	double x = round(v * 100.0);
	return (int16_t)(x < -32768 ? -32768 : x > 32766 ? 32766 : x);
}

void mxd_writer_set_loudness(mxd_writer *w, const mxd_bwf_loudness *l)
{
	if (!w->bext)
		return;
	w->bext->loudness_value = loud16(l->integrated);
	w->bext->loudness_range = loud16(l->range);
	w->bext->max_true_peak_level = loud16(l->max_true_peak);
	w->bext->max_momentary_loudness = loud16(l->max_momentary);
	w->bext->max_shortterm_loudness = loud16(l->max_short_term);
}

/* libsndfile's id for each dwChannelMask bit: its WAV writer builds the mask
 * from a channel map of exactly these ids (bit 0 = SF_CHANNEL_MAP_LEFT, not
 * FRONT_LEFT), in ascending bit order, and writes a default mask otherwise. */
static int sf_id_for_mask_bit(uint32_t bit)
{
	static const int ids[18] = {
		SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
		SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT, SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER,
		SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER, SF_CHANNEL_MAP_REAR_CENTER, SF_CHANNEL_MAP_SIDE_LEFT,
		SF_CHANNEL_MAP_SIDE_RIGHT, SF_CHANNEL_MAP_TOP_CENTER, SF_CHANNEL_MAP_TOP_FRONT_LEFT,
		SF_CHANNEL_MAP_TOP_FRONT_CENTER, SF_CHANNEL_MAP_TOP_FRONT_RIGHT, SF_CHANNEL_MAP_TOP_REAR_LEFT,
		SF_CHANNEL_MAP_TOP_REAR_CENTER, SF_CHANNEL_MAP_TOP_REAR_RIGHT,
	};
	for (int k = 0; k < 18; k++)
		if (bit == 1u << k)
			return ids[k];
	return SF_CHANNEL_MAP_INVALID;
}

/* The layout a multichannel WAV/RF64 carries as its channel mask, or NULL. */
static const mxd_layout *mask_layout(const mxd_writer_config *cfg, mixdown_format fmt)
{
	if (cfg->channels <= 2 || (fmt != MIXDOWN_FORMAT_WAV && fmt != MIXDOWN_FORMAT_RF64))
		return NULL;
	const mxd_layout *l = cfg->layout ? cfg->layout : mxd_layout_for_channels(cfg->channels);
	return l && l->channels == cfg->channels ? l : NULL;
}

/* Above this many bytes of audio a WAV is written as RF64: a RIFF size field
 * is 32 bits, and the header and chunks need room too (EBU Tech 3306). */
#define RF64_THRESHOLD 0xFFF00000ull

mixdown_status mxd_writer_open(const char *path, const mxd_writer_config *cfg, mxd_writer **out,
			       mixdown_error *err)
{
	*out = NULL;
	bool to_stdout = strcmp(path, "-") == 0;
	mixdown_format fmt = cfg->format;
	if (fmt == MIXDOWN_FORMAT_AUTO)
		fmt = to_stdout ? MIXDOWN_FORMAT_WAV : mxd_format_from_path(path);
	if (fmt == MIXDOWN_FORMAT_AUTO)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, (mxd_loc){ 0, 0 }, NULL,
				"cannot tell the format from the extension "
				"(use .wav, .rf64, .flac, .aiff, .ogg, .opus, .mp3 or --format)");
	if (to_stdout && fmt != MIXDOWN_FORMAT_WAV)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, (mxd_loc){ 0, 0 }, NULL,
				"standard output carries WAV only");
	if (fmt == MIXDOWN_FORMAT_MP3 && cfg->channels > 2)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, (mxd_loc){ 0, 0 }, NULL,
				"MP3 carries 1 or 2 channels, not %u (use .opus, .ogg, .flac or .wav)", cfg->channels);
	if (fmt == MIXDOWN_FORMAT_FLAC && cfg->sample == MIXDOWN_SAMPLE_FLOAT32)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, (mxd_loc){ 0, 0 }, NULL,
				"FLAC stores integers only: use --bits 16 or 24");
	if (fmt == MIXDOWN_FORMAT_FLAC && cfg->out_rate > 655350)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, path, (mxd_loc){ 0, 0 }, NULL,
				"sample rate too high for FLAC");

	const mxd_bwf *bwf = cfg->bwf;
	mxd_writer *w = calloc(1, sizeof *w);
	if (!w)
		return MIXDOWN_ERR_NOMEM;
	w->cfg = *cfg;
	w->cfg.format = fmt;
	w->cfg.bwf = NULL;
	w->cfg.out_rate = codec_rate(fmt, cfg->out_rate);
	cfg = &w->cfg;
	w->dither_state = cfg->seed ? cfg->seed : 0x9E3779B9u;
	w->target = strdup(path);
	SF_INFO info = { .samplerate = (int)lrint(cfg->out_rate), .channels = (int)cfg->channels };
	info.format = sndfile_format(cfg, fmt, &w->bits);
	/* WAV that would pass 4 GB: RF64, turned back into WAV on close when it
	 * stays smaller after all (the estimate ignores the resampler's rounding). */
	bool auto_rf64 = false;
	if (fmt == MIXDOWN_FORMAT_WAV && cfg->expected_frames > 0 &&
	    (double)cfg->expected_frames * cfg->out_rate / cfg->in_rate * cfg->channels * (w->bits / 8) >
		    (double)RF64_THRESHOLD * 0.98) {
		auto_rf64 = true;
		fmt = MIXDOWN_FORMAT_RF64;
		info.format = sndfile_format(cfg, fmt, &w->bits);
	}
	w->written = fmt;
	/* Multichannel WAV: WAVE_FORMAT_EXTENSIBLE, the only WAV that names its speakers. */
	const mxd_layout *ml = mask_layout(cfg, fmt);
	if (ml && fmt == MIXDOWN_FORMAT_WAV)
		info.format = (info.format & ~SF_FORMAT_TYPEMASK) | SF_FORMAT_WAVEX;
	int fd;
	if (to_stdout) {
		const char *tmpdir = getenv("TMPDIR");
		char tmpl[600];
		snprintf(tmpl, sizeof tmpl, "%s/mixdown-stdout.wav", tmpdir && *tmpdir ? tmpdir : "/tmp");
		fd = make_temp(tmpl, &w->temp);
	} else {
		fd = make_temp(path, &w->temp);
	}
	if (fd < 0) {
		mixdown_status st = io_fail(err, path, "cannot create output", strerror(errno));
		free(w->target);
		free(w);
		return st;
	}
	w->file = sf_open_fd(fd, SFM_WRITE, &info, SF_TRUE);
	if (!w->file) {
		close(fd);
		mixdown_status st = io_fail(err, path, "cannot write this format", sf_strerror(NULL));
		mxd_writer_abort(w);
		return st;
	}
	if (ml) {
		int map[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < ml->channels && c < MXD_MAX_CHANNELS; c++)
			map[c] = sf_id_for_mask_bit(ml->speakers[c].wav_mask_bit);
		if (sf_command(w->file, SFC_SET_CHANNEL_MAP_INFO, map, (int)(sizeof(int) * ml->channels)) != SF_TRUE) {
			mixdown_status st = io_fail(err, path, "cannot write the channel mask", sf_strerror(w->file));
			mxd_writer_abort(w);
			return st;
		}
	}
	if (w->bits == 32)
		sf_command(w->file, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	if (auto_rf64)
		sf_command(w->file, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
	if (mxd_format_lossy(fmt)) {
		int q = cfg->quality >= 1 && cfg->quality <= 10 ? cfg->quality : 7;
		double level = (10 - q) / 9.0; /* libsndfile: 0 = best quality, 1 = smallest file */
		sf_command(w->file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
	}
	/* The bext chunk goes in before any audio; its loudness fields are
	 * rewritten at commit (same size, so the header keeps its layout). */
	if (bwf && (fmt == MIXDOWN_FORMAT_WAV || fmt == MIXDOWN_FORMAT_RF64)) {
		if (!(w->bext = malloc(sizeof *w->bext))) {
			mxd_writer_abort(w);
			return MIXDOWN_ERR_NOMEM;
		}
		fill_bext(w->bext, bwf, w);
		if (sf_command(w->file, SFC_SET_BROADCAST_INFO, w->bext, sizeof *w->bext) != SF_TRUE) {
			mixdown_status st = io_fail(err, path, "cannot write the BWF bext chunk", sf_strerror(w->file));
			mxd_writer_abort(w);
			return st;
		}
	}
	/* We dither and clip ourselves; libsndfile must not touch the values. */
	sf_command(w->file, SFC_SET_CLIPPING, NULL, SF_FALSE);

	size_t nc = cfg->channels;
	w->inter = malloc(sizeof(float) * cfg->max_block * nc);
	size_t frames_out = cfg->max_block;
	if (cfg->in_rate != cfg->out_rate) {
		soxr_error_t e = NULL;
		soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
		w->soxr = soxr_create(cfg->in_rate, cfg->out_rate, cfg->channels, &e, &io, &q, NULL);
		if (!w->soxr) {
			mixdown_status st = io_fail(err, path, "cannot resample", e ? e : "soxr failed");
			mxd_writer_abort(w);
			return st;
		}
		frames_out = (size_t)ceil(cfg->max_block * cfg->out_rate / cfg->in_rate) + 64;
		w->resampled_cap = frames_out;
		w->resampled = malloc(sizeof(float) * frames_out * nc);
	}
	w->ints_cap = frames_out;
	if (w->bits != 32)
		w->ints = malloc(sizeof(int32_t) * frames_out * nc);
	if (!w->inter || !w->target || (w->soxr && !w->resampled) || (w->bits != 32 && !w->ints)) {
		mxd_writer_abort(w);
		return MIXDOWN_ERR_NOMEM;
	}
	*out = w;
	return MIXDOWN_SUCCESS;
}

/* Convert and write `frames` interleaved float frames. */
static mixdown_status emit(mxd_writer *w, const float *inter, size_t frames, mixdown_error *err)
{
	if (frames == 0)
		return MIXDOWN_SUCCESS;
	size_t ns = frames * w->cfg.channels;
	sf_count_t written;
	if (w->bits == 32) {
		written = sf_writef_float(w->file, inter, (sf_count_t)frames);
	} else {
		if (w->cfg.dither == MIXDOWN_DITHER_SHAPED)
			w->clipped += mxd_quantize_shaped(inter, w->ints, frames, w->cfg.channels, w->bits, w->shape_hist,
							  &w->dither_state);
		else
			w->clipped += mxd_quantize(inter, w->ints, ns, w->bits, w->cfg.dither, &w->dither_state);
		/* libsndfile's int API is left-justified 32-bit. */
		int shift = 32 - w->bits;
		for (size_t i = 0; i < ns; i++)
			w->ints[i] = (int32_t)((uint32_t)w->ints[i] << shift);
		written = sf_writef_int(w->file, w->ints, (sf_count_t)frames);
	}
	if (written != (sf_count_t)frames)
		return io_fail(err, w->target, "write failed", sf_strerror(w->file));
	w->frames += frames;
	return MIXDOWN_SUCCESS;
}

static mixdown_status pump_resampler(mxd_writer *w, const float *in, size_t frames, mixdown_error *err)
{
	size_t pos = 0;
	for (;;) {
		size_t used = 0, produced = 0;
		soxr_error_t e = soxr_process(w->soxr, in ? in + pos * w->cfg.channels : NULL, frames - pos, &used,
					      w->resampled, w->resampled_cap, &produced);
		if (e)
			return io_fail(err, w->target, "resampling failed", e);
		pos += used;
		mixdown_status st = emit(w, w->resampled, produced, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		if (in ? (pos >= frames && produced < w->resampled_cap) : produced == 0)
			return MIXDOWN_SUCCESS;
	}
}

mixdown_status mxd_writer_write(mxd_writer *w, const float *const *planar, uint32_t n, mixdown_error *err)
{
	uint32_t nc = w->cfg.channels;
	for (uint32_t off = 0; off < n;) {
		uint32_t chunk = n - off < w->cfg.max_block ? n - off : w->cfg.max_block;
		for (uint32_t c = 0; c < nc; c++) {
			const float *src = planar[c] + off;
			for (uint32_t i = 0; i < chunk; i++) {
				float v = src[i];
				if (!isfinite(v)) {
					v = 0.0f;
					w->nonfinite++;
				}
				w->inter[i * nc + c] = v;
			}
		}
		mixdown_status st = w->soxr ? pump_resampler(w, w->inter, chunk, err) : emit(w, w->inter, chunk, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		off += chunk;
	}
	return MIXDOWN_SUCCESS;
}

static mixdown_status copy_to_stdout(const char *path, mixdown_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return io_fail(err, "-", "cannot reopen temporary file", strerror(errno));
	char buf[65536];
	size_t r;
	mixdown_status st = MIXDOWN_SUCCESS;
	while ((r = fread(buf, 1, sizeof buf, f)) > 0) {
		if (fwrite(buf, 1, r, stdout) != r) {
			st = io_fail(err, "-", "write to standard output failed", strerror(errno));
			break;
		}
	}
	fclose(f);
	if (st == MIXDOWN_SUCCESS && fflush(stdout) != 0)
		st = io_fail(err, "-", "write to standard output failed", strerror(errno));
	return st;
}

mixdown_status mxd_writer_commit(mxd_writer *w, mixdown_error *err)
{
	mixdown_status st = MIXDOWN_SUCCESS;
	if (w->soxr)
		st = pump_resampler(w, NULL, 0, err); /* flush the resampler's tail */
	if (st == MIXDOWN_SUCCESS && w->bext &&
	    sf_command(w->file, SFC_SET_BROADCAST_INFO, w->bext, sizeof *w->bext) != SF_TRUE)
		st = io_fail(err, w->target, "cannot update the BWF bext chunk", sf_strerror(w->file));
	if (st == MIXDOWN_SUCCESS) {
		sf_write_sync(w->file);
		if (sf_close(w->file) != 0)
			st = io_fail(err, w->target, "closing failed", "disk full?");
		w->file = NULL;
	}
	if (st == MIXDOWN_SUCCESS) {
		if (strcmp(w->target, "-") == 0)
			st = copy_to_stdout(w->temp, err);
		else if (rename(w->temp, w->target) != 0)
			st = io_fail(err, w->target, "cannot rename into place", strerror(errno));
		else {
			free(w->temp);
			w->temp = NULL;
		}
	}
	mxd_writer_abort(w);
	return st;
}

void mxd_writer_abort(mxd_writer *w)
{
	if (!w)
		return;
	if (w->file)
		sf_close(w->file);
	if (w->temp) {
		unlink(w->temp);
		free(w->temp);
	}
	if (w->soxr)
		soxr_delete(w->soxr);
	free(w->inter);
	free(w->resampled);
	free(w->ints);
	free(w->target);
	free(w->bext);
	free(w);
}

uint64_t mxd_writer_clipped(const mxd_writer *w) { return w->clipped; }
uint64_t mxd_writer_nonfinite(const mxd_writer *w) { return w->nonfinite; }
uint64_t mxd_writer_frames(const mxd_writer *w) { return w->frames; }
const char *mxd_writer_path(const mxd_writer *w) { return w->target; }
double mxd_writer_rate(const mxd_writer *w) { return w->cfg.out_rate; }
mixdown_format mxd_writer_format(const mxd_writer *w) { return w->written; }
bool mxd_writer_has_bwf(const mxd_writer *w) { return w->bext != NULL; }
