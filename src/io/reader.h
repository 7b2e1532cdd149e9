/* mixdown — streaming audio file reader with sample-rate conversion.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Decodes any file libsndfile reads, from a start frame, into planar float at a
 * requested output rate. Files at another rate go through libsoxr (very high
 * quality, linear phase) whose output is time-aligned with its input, so a
 * clip keeps its position and length (round(frames * out_rate / in_rate)).
 * Memory is bounded by the block size, whatever the file's length.
 *
 * Control/disk thread only (it does file I/O and may allocate on open).
 * One reader per open clip; not shared between threads.
 */
#ifndef MIXDOWN_IO_READER_H
#define MIXDOWN_IO_READER_H

#include <stdint.h>

#include "mixdown/mixdown.h"

typedef struct mxd_reader mxd_reader;

/* Open `path` and position it at `start_frame` (in the file's own frames).
 * `out_rate` is the rate the caller wants (Hz). `max_block` bounds the n of
 * mxd_reader_read(). Errors are MIXDOWN_ERR_AUDIO naming the file. */
mixdown_status mxd_reader_open(const char *path, double out_rate, int64_t start_frame,
			       uint32_t max_block, mxd_reader **out, mixdown_error *err);

uint32_t mxd_reader_channels(const mxd_reader *r);
double mxd_reader_file_rate(const mxd_reader *r);
/* Frames the reader will deliver from its start frame to the end of the file,
 * at the output rate. */
int64_t mxd_reader_length(const mxd_reader *r);

/* Read up to n (<= max_block) frames into out[0..channels-1]. *got receives
 * the count (less than n only at the end of the file). Non-finite samples
 * in the file are replaced by 0 and counted (mxd_reader_nonfinite). */
mixdown_status mxd_reader_read(mxd_reader *r, float *const *out, uint32_t n, uint32_t *got,
			       mixdown_error *err);

uint64_t mxd_reader_nonfinite(const mxd_reader *r);
/* Tests: whether the file's samples are read raw and converted by io/pcm24.h. */
bool mxd_reader_fast_pcm24(const mxd_reader *r);

void mxd_reader_close(mxd_reader *r); /* NULL-safe */

#endif
