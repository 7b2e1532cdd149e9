/* mixdown — safe audio file writer: format conversion, dither, clip counting,
 * optional sample-rate conversion, temp-file-and-rename.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Samples arrive as planar float at the engine rate. Integer output is
 * quantized here, once: TPDF dither (±1 LSB triangular, deterministic seed)
 * for samples that are not already on the output grid (MIXDOWN_DITHER_AUTO),
 * then clipped to the integer range, each clipped sample counted. Float output
 * keeps values above 0 dBFS (headroom) and only replaces NaN/Inf by 0.
 *
 * The file is written to "<dir>/.<name>.XXXXXX.part" and renamed onto the
 * target by mxd_writer_commit(); mxd_writer_abort() removes it, so a failed
 * or cancelled render leaves any earlier file at the target untouched. The
 * path "-" writes a WAV to standard output (through a temporary file, since a
 * WAV header needs the final length).
 *
 * Multichannel WAV/RF64 (more than 2 channels) carry WAVE_FORMAT_EXTENSIBLE
 * with the layout's channel mask (docs/spatial.md, "Multichannel files").
 *
 * Formats (mixdown_format): WAV (RF64 by itself when the estimated size
 * passes 4 GB, EBU Tech 3306), RF64, FLAC, AIFF, and lossy previews written
 * from float: Ogg Vorbis, Ogg Opus (8/12/16/24/48 kHz; other rates are
 * resampled to 48 kHz) and MP3 (1-2 channels, <= 48 kHz; higher rates are
 * resampled to 48 or 44.1 kHz). WAV and RF64 can carry a Broadcast WAV bext
 * chunk (EBU Tech 3285 v2): written when the file is opened, its loudness
 * fields updated before the file is closed (mxd_writer_set_loudness).
 *
 * Control thread only (file I/O).
 */
#ifndef MIXDOWN_IO_WRITER_H
#define MIXDOWN_IO_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct {
	mixdown_format format;          /* AUTO = from extension (.wav .flac .aif/.aiff) */
	mixdown_sample_format sample;   /* INT16, INT24 or FLOAT32 */
	mixdown_dither dither;
	double in_rate;                 /* rate of the samples passed in, Hz */
	double out_rate;                /* rate of the file; != in_rate resamples (soxr VHQ) */
	uint32_t channels;              /* 1..16 */
	uint32_t max_block;             /* largest n passed to mxd_writer_write() */
	uint32_t seed;                  /* dither PRNG seed (deterministic renders) */
	int quality;                    /* lossy formats: 1 (small) .. 10 (best); 0 = 7 */
	uint64_t expected_frames;       /* at in_rate, to choose RF64 for WAV over 4 GB; 0 = unknown (WAV) */
	const struct mxd_bwf *bwf;      /* WAV/RF64: bext chunk to write; NULL = none (copied at open) */
	/* Speaker layout (spatial/layout.h) of a file with more than 2 channels: WAV and RF64 are written
	 * as WAVE_FORMAT_EXTENSIBLE with its dwChannelMask. NULL = the layout the channel count implies
	 * (mxd_layout_for_channels), none for other counts. Ignored for 1-2 channels and other formats. */
	const struct mxd_layout_s *layout;
} mxd_writer_config;

/* What goes into the bext chunk. Strings are cut to their field sizes. */
typedef struct mxd_bwf {
	char description[256];
	char originator_reference[32];
	double time_reference;          /* s since midnight of the first sample (written in output samples) */
} mxd_bwf;

/* Loudness of the programme for the bext chunk (EBU Tech 3285 v2 stores
 * each in 0.01 units as int16): LUFS, LU, dBTP; non-finite = not measured
 * (written as 0x7FFF). */
typedef struct {
	double integrated, range, max_true_peak, max_momentary, max_short_term;
} mxd_bwf_loudness;

typedef struct mxd_writer mxd_writer;

/* Resolve AUTO from a path's extension; MIXDOWN_FORMAT_AUTO if unknown. */
mixdown_format mxd_format_from_path(const char *path);
const char *mxd_format_extension(mixdown_format f); /* "wav", "flac", "aiff", "ogg", "opus", "mp3" */
/* The format's name for messages ("WAV", "Ogg Opus", ...). */
const char *mxd_format_name(mixdown_format f);
/* A lossy format (written from float; no dither, no clip counting). */
bool mxd_format_lossy(mixdown_format f);

mixdown_status mxd_writer_open(const char *path, const mxd_writer_config *cfg, mxd_writer **out,
			       mixdown_error *err);
mixdown_status mxd_writer_write(mxd_writer *w, const float *const *planar, uint32_t n,
				mixdown_error *err);
/* Flush, close and rename into place (or copy to stdout); frees w. */
mixdown_status mxd_writer_commit(mxd_writer *w, mixdown_error *err);
/* Close and delete the temporary file; frees w. NULL-safe. */
void mxd_writer_abort(mxd_writer *w);

uint64_t mxd_writer_clipped(const mxd_writer *w);    /* samples clipped so far */
uint64_t mxd_writer_nonfinite(const mxd_writer *w);  /* NaN/Inf replaced so far */
uint64_t mxd_writer_frames(const mxd_writer *w);     /* frames written to the file */
const char *mxd_writer_path(const mxd_writer *w);    /* the target path */
double mxd_writer_rate(const mxd_writer *w);         /* Hz of the file (lossy formats may resample) */
mixdown_format mxd_writer_format(const mxd_writer *w); /* as written: WAV over 4 GB reads RF64 */
bool mxd_writer_has_bwf(const mxd_writer *w);        /* a bext chunk is being written */
/* Set the bext loudness fields (before commit; no-op without a bext chunk). */
void mxd_writer_set_loudness(mxd_writer *w, const mxd_bwf_loudness *l);

/* Quantize one block of float samples to integers of `bits` (16 or 24) in
 * place of `out`, as the writer does. Exposed for the tests. `state` is the
 * dither PRNG state (non-zero). Returns the number of clipped samples. */
uint64_t mxd_quantize(const float *in, int32_t *out, size_t n, int bits, mixdown_dither dither,
		      uint32_t *state);
/* The same with TPDF and error-feedback noise shaping (MIXDOWN_DITHER_SHAPED):
 * interleaved `frames` x `channels`, hist[channel] the error history (zeroed
 * at the start of a file). */
#define MXD_SHAPE_TAPS 9
uint64_t mxd_quantize_shaped(const float *in, int32_t *out, size_t frames, uint32_t channels, int bits,
			     double (*hist)[MXD_SHAPE_TAPS], uint32_t *state);

#endif
