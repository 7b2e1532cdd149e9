/* mixdown — album mastering and deliverables, built on mixdown_master_file().
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Album: every song is measured after the chain; the album's loudness is the
 * BS.1770 integrated loudness of all songs as one programme (libebur128's
 * ebur128_loudness_global_multiple: one gating over all blocks), and the album
 * gain A = target - album loudness. Song i is then mastered to its own
 * loudness + A. Because each song is corrected by measurement, limiting that
 * takes more from a loud song than from a quiet one does not squeeze the
 * differences between them: they stay as they were (within the 0.05 LU each
 * master aims for), and the album as a whole lands on the target.
 * Deliverables: each is a mixdown_master_file() call with its own format.
 * Control thread.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "master/master.h"

/* out_dir/<base name of input without extension><suffix>.<ext> */
static void output_name(char *dst, size_t cap, const char *dir, const char *input, const char *suffix,
			const char *ext)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	const char *dot = strrchr(base, '.');
	int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
	snprintf(dst, cap, "%s/%.*s%s.%s", dir, len, base, suffix, ext);
}

static mixdown_status measure_after_chain(const char *input, const char *chain, ebur128_state **meter,
					  double *loudness, mixdown_error *err)
{
	mixdown_session *ses = NULL;
	mixdown_status st = mxd_master_session(input, chain, &ses, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	mxd_pass_config pc = { .session = ses, .keep_meter = true };
	mxd_pass_result r;
	st = mxd_master_pass(&pc, &r, err);
	mixdown_session_free(ses);
	if (st == MIXDOWN_SUCCESS) {
		*meter = r.meter;
		*loudness = r.loudness;
	}
	return st;
}

mixdown_status mixdown_master_album(const char *const *inputs, size_t n, const char *out_dir,
				    const mixdown_master_options *opt_in, mixdown_master_report *reports,
				    mixdown_error *err)
{
	mixdown_master_options opt = opt_in ? *opt_in : mixdown_master_options_init();
	if (n == 0)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "an album needs at least one song");
	const mixdown_master_preset *p = opt.preset ? mixdown_master_preset_find(opt.preset) : NULL;
	if (opt.preset && !p)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "unknown mastering preset '%s'", opt.preset);
	const double target = isfinite(opt.loudness) ? opt.loudness : p ? p->loudness : NAN;
	if (!isfinite(target))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "album mode needs a preset or a loudness target");
	ebur128_state **meters = calloc(n, sizeof *meters);
	double *song = calloc(n, sizeof *song);
	mixdown_status st = meters && song ? MIXDOWN_SUCCESS : mxd_master_fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	for (size_t i = 0; i < n && st == MIXDOWN_SUCCESS; i++)
		st = measure_after_chain(inputs[i], opt.chain, &meters[i], &song[i], err);
	double album = -INFINITY;
	if (st == MIXDOWN_SUCCESS &&
	    (ebur128_loudness_global_multiple(meters, n, &album) != EBUR128_SUCCESS || !isfinite(album)))
		st = mxd_master_fail(err, MIXDOWN_ERR_AUDIO, NULL, "the album is silent (below the -70 LUFS gate)");
	for (size_t i = 0; meters && i < n; i++)
		if (meters[i])
			ebur128_destroy(&meters[i]);
	free(meters);
	mixdown_format fmt = opt.format == MIXDOWN_FORMAT_AUTO ? MIXDOWN_FORMAT_WAV : opt.format;
	for (size_t i = 0; i < n && st == MIXDOWN_SUCCESS; i++) {
		mixdown_master_options o = opt;
		o.format = fmt;
		o.loudness = isfinite(song[i]) ? song[i] + (target - album) : target;
		if (!isfinite(o.true_peak))
			o.true_peak = p ? p->true_peak : -1.0;
		o.preset = NULL;
		char out[1200];
		output_name(out, sizeof out, out_dir, inputs[i], "", mxd_format_extension(fmt));
		st = mixdown_master_file(inputs[i], out, &o, &reports[i], err);
	}
	free(song);
	return st;
}

mixdown_status mixdown_master_deliver(const char *input, const char *out_dir, const char *what,
				      const mixdown_master_options *opt_in, mixdown_master_report *reports,
				      size_t *n_reports, mixdown_error *err)
{
	mixdown_master_options opt = opt_in ? *opt_in : mixdown_master_options_init();
	*n_reports = 0;
	char list[256];
	snprintf(list, sizeof list, "%s", what ? what : "");
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		mixdown_master_options o = opt;
		o.format = MIXDOWN_FORMAT_WAV;
		const char *suffix;
		if (!strcmp(tok, "streaming")) {
			suffix = ".streaming";
			o.sample = MIXDOWN_SAMPLE_INT24;
			o.sample_rate = 0;
		} else if (!strcmp(tok, "cd")) {
			suffix = ".cd";
			o.sample = MIXDOWN_SAMPLE_INT16;
			o.sample_rate = 44100;
			o.dither = opt.dither == MIXDOWN_DITHER_SHAPED ? MIXDOWN_DITHER_SHAPED : MIXDOWN_DITHER_ALWAYS;
		} else if (!strcmp(tok, "mastering-engineer")) {
			/* No limiting, peaks at -6 dBTP at most: the engineer's headroom. */
			suffix = ".premaster";
			o.sample = MIXDOWN_SAMPLE_INT24;
			o.sample_rate = 0;
			o.no_limiter = true;
			o.reference = NULL;
			mixdown_session *ses = NULL;
			mixdown_status st = mxd_master_session(input, o.chain, &ses, err);
			if (st != MIXDOWN_SUCCESS)
				return st;
			mxd_pass_config pc = { .session = ses };
			mxd_pass_result r;
			st = mxd_master_pass(&pc, &r, err);
			mixdown_session_free(ses);
			if (st != MIXDOWN_SUCCESS)
				return st;
			/* 0.02 dB under -6 dBTP: 24-bit rounding must not push it over. */
			o.fixed_gain = fmin(0.0, -6.02 - r.true_peak);
			o.loudness = isfinite(r.loudness) ? r.loudness + o.fixed_gain : -70.0;
			o.true_peak = -6.0;
			o.preset = NULL;
		} else {
			return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL,
					       "unknown deliverable '%s' (streaming, cd, mastering-engineer)", tok);
		}
		if (*n_reports >= 3)
			return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "each deliverable once, please");
		char out[1200];
		output_name(out, sizeof out, out_dir, input, suffix, "wav");
		mixdown_status st = mixdown_master_file(input, out, &o, &reports[*n_reports], err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		(*n_reports)++;
	}
	if (!*n_reports)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "--deliver needs at least one deliverable");
	return MIXDOWN_SUCCESS;
}
