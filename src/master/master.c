/* mixdown — mixdown_master_file(): loudness targeting that is measured, not
 * guessed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 1. Measure the input after the chain (and the tonal match) with libebur128.
 * 2. Already compliant (within 0.1 LU, true peak at or below the ceiling):
 *    apply only the small gain to the exact target, no limiter.
 * 3. Otherwise gain G = target - measured, true-peak-limit to the ceiling,
 *    write, measure the written file, and correct: the first correction adds
 *    the remaining error, later ones use the secant through the last two
 *    (gain, loudness) points, because limiting makes loudness grow by less
 *    than 1 dB per dB of gain. A measured true peak over the ceiling lowers
 *    the limiter's ceiling by the excess. Until |error| <= 0.05 LU (half the
 *    0.1 LU promise, so other BS.1770 meters agree too) and the true peak is
 *    at or below the ceiling, at most MAX_PASSES renders.
 * Every pass writes a complete file next to the output; only the accepted
 * one is renamed onto it. The limiter's work is reported (largest and mean
 * gain reduction) and a warning names the cost when the largest exceeds
 * opt->warn_limiting: we never switch to compression silently.
 * Control thread; deterministic (same input, same bytes out).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "master/master.h"
#include "master/match.h"
#include "spatial/chanweight.h"

/* The speaker layout an input's channel mask names (a 5.1.2 is not a 7.1),
 * else the one its channel count implies; NULL for mono/stereo or unreadable. */
static const mxd_layout *file_layout(const char *path)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return NULL;
	const mxd_layout *l = mxd_layout_from_sndfile(f, (uint32_t)info.channels);
	sf_close(f);
	return l;
}

#define MAX_PASSES 10
#define AIM_LU 0.05
#define PROMISE_LU 0.1
#define MAX_GAIN_DB 60.0 /* more than any real master needs; noise floors come up by as much */

mixdown_master_options mixdown_master_options_init(void)
{
	mixdown_master_options o;
	memset(&o, 0, sizeof o);
	o.loudness = NAN;
	o.true_peak = NAN;
	o.match_amount = 1.0;
	o.warn_limiting = 3.0;
	o.fixed_gain = NAN;
	return o;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int sample_bits(mixdown_sample_format s)
{
	return s == MIXDOWN_SAMPLE_INT16 ? 16 : s == MIXDOWN_SAMPLE_FLOAT32 ? 32 : 24;
}

/* Resolve target loudness and ceiling from the options, preset and reference. */
static mixdown_status resolve_target(const mixdown_master_options *o, uint32_t channels, double ref_loudness,
				     double *target, double *ceiling, mixdown_error *err)
{
	const mixdown_master_preset *p = NULL;
	if (o->preset && !(p = mixdown_master_preset_find(o->preset)))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "unknown mastering preset '%s'", o->preset);
	*target = isfinite(o->loudness) ? o->loudness
		: p			? (channels == 1 ? p->loudness_mono : p->loudness)
					: ref_loudness;
	*ceiling = isfinite(o->true_peak) ? o->true_peak : p ? p->true_peak : -1.0;
	if (!isfinite(*target))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL,
				       "no loudness target: give a preset, a loudness or a reference");
	if (*target < -70.0 || *target > 0.0)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "loudness target %.1f LUFS is outside -70..0",
				       *target);
	if (*ceiling < -30.0 || *ceiling > 0.0)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "true-peak ceiling %.1f dBTP is outside -30..0",
				       *ceiling);
	return MIXDOWN_SUCCESS;
}

/* "<dir>/.<name>.pass<k>.<ext>": a pass's file, next to the output. */
static void pass_path(char *dst, size_t cap, const char *out, int k, const char *ext)
{
	const char *slash = strrchr(out, '/');
	int dir_len = slash ? (int)(slash - out + 1) : 0;
	snprintf(dst, cap, "%.*s.%s.pass%d.%s", dir_len, out, slash ? slash + 1 : out, k, ext);
}

static void add_step(mixdown_master_report *r, const char *s)
{
	size_t n = strlen(r->steps);
	snprintf(r->steps + n, sizeof r->steps - n, "%s%s", n ? " > " : "", s);
}

mixdown_status mixdown_master_file(const char *input, const char *output, const mixdown_master_options *opt_in,
				   mixdown_master_report *rep, mixdown_error *err)
{
	mixdown_master_options o = opt_in ? *opt_in : mixdown_master_options_init();
	mixdown_master_report local;
	if (!rep)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	if (err)
		memset(err, 0, sizeof *err);
	if (!input || !output)
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "master needs an input and an output");
	if (same_file(input, output))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, output, "refusing to write the master over its input");
	if (o.reference && same_file(o.reference, output))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, output, "refusing to write the master over the reference");
	if (o.chain && same_file(o.chain, output))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, output, "refusing to write the master over the chain file");
	if (!(o.match_amount >= 0.0 && o.match_amount <= 1.0))
		return mxd_master_fail(err, MIXDOWN_ERR_USAGE, NULL, "match amount %g is outside 0..1", o.match_amount);

	mixdown_session *ses = NULL;
	struct mxd_match *match = NULL;
	char chain_tmp[1200] = "", pass_file[1200] = "", accepted[1200] = "";
	mixdown_status st = mxd_master_session(input, o.chain, &ses, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	snprintf(rep->output, sizeof rep->output, "%s", output);
	if (o.chain) {
		/* "chain (eq, multiband, stereo)": the report names every step. */
		char s[256] = "chain (";
		for (size_t i = 0; i < ses->master.n_inserts; i++)
			snprintf(s + strlen(s), sizeof s - strlen(s), "%s%s", i ? ", " : "", ses->master.inserts[i].cls->name);
		snprintf(s + strlen(s), sizeof s - strlen(s), ")");
		add_step(rep, ses->master.n_inserts ? s : "chain");
	}

	mixdown_format fmt = o.format != MIXDOWN_FORMAT_AUTO ? o.format : mxd_format_from_path(output);
	if (fmt == MIXDOWN_FORMAT_AUTO)
		fmt = MIXDOWN_FORMAT_WAV;
	const char *ext = mxd_format_extension(fmt);
	mxd_pass_config pc = {
		.session = ses,
		.writer = { .format = fmt,
			    .layout = file_layout(input), /* the mask and the BS.1770 weights */
			    .sample = o.sample == MIXDOWN_SAMPLE_AUTO ? MIXDOWN_SAMPLE_INT24 : o.sample,
			    .dither = o.dither,
			    .out_rate = o.sample_rate > 0 ? o.sample_rate : mixdown_session_sample_rate(ses),
			    .seed = 0x6d617374u },
	};
	rep->bits = sample_bits(pc.writer.sample);
	rep->sample_rate = pc.writer.out_rate;

	/* The tonal match is designed on what reaches it: the chain's output. */
	double ref_loudness = NAN;
	if (o.reference) {
		double tp, sp;
		if ((st = mxd_master_measure(o.reference, &ref_loudness, &tp, &sp, err)) != MIXDOWN_SUCCESS)
			goto done;
		const char *design_in = input;
		if (o.chain) {
			pass_path(chain_tmp, sizeof chain_tmp, output, 0, "wav");
			mxd_pass_config c0 = pc;
			c0.path = chain_tmp;
			c0.writer.format = MIXDOWN_FORMAT_WAV;
			c0.writer.sample = MIXDOWN_SAMPLE_FLOAT32;
			c0.writer.out_rate = mixdown_session_sample_rate(ses);
			mxd_pass_result r0;
			if ((st = mxd_master_pass(&c0, &r0, err)) != MIXDOWN_SUCCESS)
				goto done;
			design_in = chain_tmp;
		}
		if ((st = mxd_match_design(design_in, o.reference, o.match_amount, &match, err)) != MIXDOWN_SUCCESS)
			goto done;
		mxd_match_curve(match, rep->match_mid, rep->match_side);
		pc.match = match;
		char s[32];
		snprintf(s, sizeof s, "match %.0f%%", 100.0 * o.match_amount);
		add_step(rep, s);
	}

	mxd_pass_result r;
	if ((st = mxd_master_pass(&pc, &r, err)) != MIXDOWN_SUCCESS)
		goto done;
	rep->in_loudness = r.loudness;
	rep->in_true_peak = r.true_peak;
	double target = NAN, ceiling = NAN;
	if ((st = resolve_target(&o, r.channels, ref_loudness, &target, &ceiling, err)) != MIXDOWN_SUCCESS)
		goto done;
	rep->target_loudness = target;
	rep->ceiling = ceiling;
	const bool fixed = isfinite(o.fixed_gain);
	if (!isfinite(r.loudness) && !fixed) {
		st = mxd_master_fail(err, MIXDOWN_ERR_AUDIO, input,
				     "the input is silent (below the -70 LUFS gate): nothing to bring to %.1f LUFS", target);
		goto done;
	}

	double gain = fixed ? o.fixed_gain : target - r.loudness;
	bool compliant = fabs(target - r.loudness) <= PROMISE_LU && r.true_peak <= ceiling;
	pc.limit = !o.no_limiter && !(compliant && !fixed);
	pc.ceiling_db = ceiling;
	double g_prev = NAN, l_prev = NAN, best_score = INFINITY;
	bool best_limit = false, best_fast = false;
	int passes = 0;
	for (int k = 1; k <= MAX_PASSES; k++) {
		pass_path(pass_file, sizeof pass_file, output, k, ext);
		pc.gain_db = gain;
		pc.path = pass_file;
		if ((st = mxd_master_pass(&pc, &r, err)) != MIXDOWN_SUCCESS)
			goto done;
		double lu, tp, sp;
		if ((st = mxd_master_measure(pass_file, &lu, &tp, &sp, err)) != MIXDOWN_SUCCESS)
			goto done;
		passes = k;
		const double error = target - lu;
		const bool tp_ok = tp <= ceiling;
		/* Keep the best pass so far: within the ceiling first, then closest
		 * to the target; 10 dB more limiting weighs like 0.1 LU (when the
		 * target is out of reach, the least crushed of equals wins). */
		const double score = (tp_ok ? 0.0 : 1000.0 + tp - ceiling) + fabs(error) +
				     0.01 * (pc.limit ? r.limiting_max : 0.0);
		if (!accepted[0] || score < best_score) {
			if (accepted[0])
				unlink(accepted);
			snprintf(accepted, sizeof accepted, "%s", pass_file);
			best_score = score;
			rep->gain = gain;
			rep->loudness = lu;
			rep->true_peak = tp;
			rep->sample_peak = sp;
			rep->limiting_max = pc.limit ? r.limiting_max : 0.0;
			rep->limiting_mean = pc.limit ? r.limiting_mean : 0.0;
			rep->frames = r.frames;
			rep->met = fabs(error) <= PROMISE_LU && tp_ok;
			best_limit = pc.limit;
			best_fast = pc.fast_release;
		} else {
			unlink(pass_file);
		}
		if ((fabs(error) <= AIM_LU && tp_ok) || fixed || o.no_limiter)
			break;
		if (!pc.limit && (!tp_ok || fabs(error) > PROMISE_LU)) {
			/* The pass-through guess did not hold (rounding, dither): limit. */
			pc.limit = !o.no_limiter;
		}
		if (!tp_ok)
			pc.ceiling_db -= tp - ceiling + 0.02;
		double step = error, slope = NAN;
		if (isfinite(g_prev) && fabs(gain - g_prev) > 1e-6)
			slope = (lu - l_prev) / (gain - g_prev);
		if (slope > 0.05 && slope < 1.5)
			step = error / slope;
		/* Diminishing returns: more gain mostly feeds the limiter's slow
		 * release. Switch to the fast release once (reported), and
		 * restart the secant from there. */
		if (error > 0 && slope < 0.25 && pc.limit && !pc.fast_release && k >= 2) {
			pc.fast_release = true;
			g_prev = NAN;
			continue;
		}
		g_prev = gain;
		l_prev = lu;
		/* Beyond MAX_GAIN_DB only the limiter would grow: stop there with
		 * the loudest honest master and report the miss. */
		if (gain >= MAX_GAIN_DB && step > 0)
			break;
		gain = fmin(MAX_GAIN_DB, gain + fmax(-24.0, fmin(24.0, step)));
	}
	if (rename(accepted, output) != 0) {
		st = mxd_master_fail(err, MIXDOWN_ERR_IO, output, "cannot move the master into place: %s", strerror(errno));
		goto done;
	}
	accepted[0] = '\0';
	rep->passes = passes;
	if (best_limit)
		add_step(rep, best_fast ? "gain > true-peak limiter (fast release)" : "gain > true-peak limiter");
	else
		add_step(rep, "gain");
	if (rep->sample_rate != mixdown_session_sample_rate(ses)) {
		char s[64];
		snprintf(s, sizeof s, "resample to %.0f Hz", rep->sample_rate);
		add_step(rep, s);
	}
	if (rep->bits < 32) {
		static const char *const how[] = { "TPDF dither", "TPDF dither", "no dither", "noise-shaped dither" };
		char s[64];
		snprintf(s, sizeof s, "%d-bit, %s", rep->bits, how[pc.writer.dither <= MIXDOWN_DITHER_SHAPED ? pc.writer.dither : 0]);
		add_step(rep, s);
	}
	if (!rep->met)
		snprintf(rep->warning, sizeof rep->warning,
			 "after %d renders the master is at %.2f LUFS / %.2f dBTP, not within 0.1 LU of %.1f LUFS at or "
			 "below %.1f dBTP",
			 rep->passes, rep->loudness, rep->true_peak, target, ceiling);
	else if (rep->limiting_max > o.warn_limiting)
		snprintf(rep->warning, sizeof rep->warning,
			 "reaching %.1f LUFS took up to %.1f dB of limiting (%.1f dB on average): expect audible "
			 "flattening of transients; aim lower (e.g. %.1f LUFS) or compress the mix before mastering",
			 target, rep->limiting_max, rep->limiting_mean, target - (rep->limiting_max - o.warn_limiting));
done:
	if (accepted[0])
		unlink(accepted);
	if (chain_tmp[0])
		unlink(chain_tmp);
	mxd_match_free(match);
	mixdown_session_free(ses);
	return st;
}
