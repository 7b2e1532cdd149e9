/* mixdown — helpers shared by the test programs: temp dirs, WAV I/O, running the CLI.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_TESTS_UTIL_H
#define MIXDOWN_TESTS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "mixdown/mixdown.h"

/* A fresh empty directory under $TMPDIR (or /tmp); the returned string is static
 * per call slot (copy it if you need several). Removed at exit. */
const char *mxt_tempdir(void);

/* Path join into a static rotating buffer (8 slots). */
const char *mxt_path(const char *dir, const char *name);

/* Write text to a file; returns 0 on success. */
int mxt_write_text(const char *path, const char *text);

/* Write interleaved float samples as a sound file. `format` is a libsndfile
 * format (e.g. SF_FORMAT_WAV | SF_FORMAT_PCM_16). Returns 0 on success. */
int mxt_write_audio(const char *path, const float *interleaved, int64_t frames, int channels,
		    int rate, int format);

/* Read a whole sound file as interleaved float (caller frees). Returns NULL on
 * failure. Fills frames/channels/rate/format when non-NULL. */
float *mxt_read_audio(const char *path, int64_t *frames, int *channels, int *rate, int *format);

/* Read a sound file as raw integers (caller frees): the exact stored values,
 * for bit-exact comparisons of 16/24-bit files. */
int32_t *mxt_read_audio_int(const char *path, int64_t *frames, int *channels);

/* Run the mixdown command with arguments (a shell-quoted string appended to the
 * binary path). Captures stdout and stderr (truncated to 64 KiB each) into
 * static buffers. Returns the exit code (or -1 if it did not exit normally). */
int mxt_run_cli(const char *args_fmt, ...) __attribute__((format(printf, 1, 2)));
extern char mxt_cli_out[65536];
extern char mxt_cli_err[65536];

/* Deterministic sine into an interleaved buffer (all channels the same unless
 * `channel_phase` differs by channel: phase += c * channel_phase). */
void mxt_sine(float *buf, int64_t frames, int channels, double rate, double freq, double amp,
	      double channel_phase);

/* Deterministic white noise in [-amp, amp], seeded. */
void mxt_noise(float *buf, int64_t n, double amp, uint32_t seed);

/* RMS in dB of a channel of an interleaved buffer over [start, start+count). */
double mxt_rms_db(const float *buf, int channels, int ch, int64_t start, int64_t count);

/* Write `yaml` as dir/session.yaml, load and render it with `opt` (rep may be
 * NULL); failures are printed as TAP comments. */
mixdown_status mxt_render_yaml(const char *dir, const char *yaml, mixdown_render_options *opt,
			       mixdown_render_report *rep, mixdown_error *err);

#endif
