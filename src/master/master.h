/* mixdown — internal interface of the mastering module (src/master/).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * mixdown_master_file() (master.c) runs passes (pass.c): the chain session
 * (chain_session.c) through the engine, the optional tonal match
 * (match.h), a gain and the true-peak limiter, into a file that is then
 * measured. Units: dB, LUFS, dBTP, Hz, frames. Control thread only.
 */
#ifndef MIXDOWN_MASTER_MASTER_H
#define MIXDOWN_MASTER_MASTER_H

#include <ebur128.h>
#include <stdbool.h>
#include <stdint.h>

#include "io/writer.h"
#include "session/model.h"
#include "mixdown/mixdown.h"

struct mxd_match;

/* An error without a place in a session file (api/error.c). */
#define mxd_master_fail(err, st, file, ...) mxd_fail(err, st, file, (mxd_loc){ 0, 0 }, NULL, __VA_ARGS__)

/* The one-track session playing `input` through the chain file (may be NULL). */
mixdown_status mxd_master_session(const char *input, const char *chain_path, mixdown_session **out,
				  mixdown_error *err);

/* One pass: session -> match -> gain -> limiter -> (writer). */
typedef struct {
	const mixdown_session *session;
	struct mxd_match *match;       /* NULL = none */
	double gain_db;
	bool limit;
	double ceiling_db;             /* the limiter's ceiling */
	bool fast_release;             /* 10 ms fixed release instead of 150 ms programme-dependent */
	const char *path;              /* NULL = measure only */
	bool keep_meter;               /* hand the loudness meter over in the result */
	mxd_writer_config writer;      /* channels/in_rate/max_block are filled by the pass */
} mxd_pass_config;

typedef struct {
	double loudness, true_peak, sample_peak; /* of the float signal before the writer */
	double limiting_max, limiting_mean;      /* dB */
	uint64_t frames;
	uint32_t channels;
	double rate;
	ebur128_state *meter;                    /* with keep_meter: the caller destroys it */
} mxd_pass_result;

mixdown_status mxd_master_pass(const mxd_pass_config *cfg, mxd_pass_result *res, mixdown_error *err);

/* Integrated loudness, true peak and sample peak of a file (libebur128,
 * BS.1770 channel map for 5.1). */
mixdown_status mxd_master_measure(const char *path, double *loudness, double *true_peak, double *sample_peak,
				  mixdown_error *err);

#endif
