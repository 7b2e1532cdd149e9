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
 * Control thread only (file I/O).
 */
#ifndef MIXDOWN_IO_WRITER_H
#define MIXDOWN_IO_WRITER_H

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
} mxd_writer_config;

typedef struct mxd_writer mxd_writer;

/* Resolve AUTO from a path's extension; MIXDOWN_FORMAT_AUTO if unknown. */
mixdown_format mxd_format_from_path(const char *path);
const char *mxd_format_extension(mixdown_format f); /* "wav", "flac", "aiff" */

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
