/* mixdown — reference matching: design from two files, streaming M/S linear-phase correction (match.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Design (control thread): spectra (match_spectrum.c) -> curves
 * (match_curve.c) -> one FIR per channel (match_fir.c) -> a 2-path
 * partitioned convolver (mid -> mid, side -> side; dsp/convolver.h,
 * partition n/4). Processing converts L/R to M/S in chunks of CHUNK frames
 * into preallocated scratch, convolves, and converts back (L = M + S,
 * R = M - S). Amount 0 bypasses the filter: a plain delay line of the same
 * latency gives the input back bit for bit.
 * Units: frames, dB. Ownership: the object owns everything it allocates.
 * Threads: see match.h.
 */
#include "master/match.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/convolver.h"
#include "master/match_internal.h"
#include "session/model.h"

#define CHUNK 1024u /* frames of M/S scratch per convolver call */

struct mxd_match {
	double rate;
	uint32_t channels, n, latency;
	bool bypass;
	mxd_convolver *conv;     /* NULL when bypassed */
	float *scr[4];           /* CHUNK each: M in, S in, M out, S out */
	float *ring[2];          /* bypass: latency frames per channel */
	uint32_t pos;            /* bypass: next slot of the rings */
	double mid_db[MIXDOWN_BANDS], side_db[MIXDOWN_BANDS];
};

uint32_t mxd_match_channels(const mxd_match *m)
{
	return m ? m->channels : 0;
}

double mxd_match_rate(const mxd_match *m)
{
	return m ? m->rate : 0.0;
}

uint32_t mxd_match_latency(const mxd_match *m)
{
	return m ? m->latency : 0;
}

void mxd_match_free(mxd_match *m)
{
	if (!m)
		return;
	mxd_convolver_free(m->conv);
	for (int i = 0; i < 4; i++)
		free(m->scr[i]);
	free(m->ring[0]);
	free(m->ring[1]);
	free(m);
}

void mxd_match_reset(mxd_match *m)
{
	if (!m)
		return;
	mxd_convolver_reset(m->conv);
	for (uint32_t c = 0; c < m->channels; c++)
		if (m->ring[c])
			memset(m->ring[c], 0, m->latency * sizeof(float));
	m->pos = 0;
}

static void bypass(mxd_match *m, const float *const *in, float *const *out, uint32_t n)
{
	const uint32_t len = m->latency;
	uint32_t pos = m->pos;
	for (uint32_t c = 0; c < m->channels; c++) {
		float *r = m->ring[c];
		pos = m->pos;
		for (uint32_t i = 0; i < n; i++) {
			const float x = in[c][i]; /* read before writing: in may be out */
			out[c][i] = r[pos];
			r[pos] = x;
			if (++pos == len)
				pos = 0;
		}
	}
	m->pos = pos;
}

void mxd_match_process(mxd_match *m, const float *const *in, float *const *out, uint32_t n)
{
	if (m->bypass) {
		bypass(m, in, out, n);
		return;
	}
	const bool st = m->channels > 1;
	float *const sm = m->scr[0], *const ss = m->scr[1];
	for (uint32_t done = 0; done < n;) {
		const uint32_t len = n - done < CHUNK ? n - done : CHUNK;
		for (uint32_t i = 0; i < len; i++) {
			float l = in[0][done + i];
			l = isfinite(l) ? l : 0.0f; /* the convolver needs finite input */
			if (st) {
				float r = in[1][done + i];
				r = isfinite(r) ? r : 0.0f;
				sm[i] = 0.5f * (l + r);
				ss[i] = 0.5f * (l - r);
			} else {
				sm[i] = l;
			}
		}
		mxd_convolver_process(m->conv, (const float *const *)m->scr, m->scr + 2, len);
		const float *om = m->scr[2], *os = m->scr[3];
		for (uint32_t i = 0; i < len; i++) {
			if (st) {
				out[0][done + i] = om[i] + os[i];
				out[1][done + i] = om[i] - os[i];
			} else {
				out[0][done + i] = om[i];
			}
		}
		done += len;
	}
}

void mxd_match_curve(const mxd_match *m, double mid_db[MIXDOWN_BANDS], double side_db[MIXDOWN_BANDS])
{
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		mid_db[k] = m ? m->mid_db[k] : 0.0;
		side_db[k] = m ? m->side_db[k] : 0.0;
	}
}

/* Report per band: power mean of the realized response |H_k| =
 * (A_{k-1} + 2 A_k + A_{k+1}) / 4 (match_fir.c) over the band's bins. */
static void band_report(const double *c_db, uint32_t n, double rate, double out[MIXDOWN_BANDS])
{
	const uint32_t bins = n / 2 + 1;
	const double df = rate / n;
#define AMP(k) pow(10.0, c_db[(k) < 0 ? -(k) : (k) >= (long)bins ? 2 * ((long)bins - 1) - (k) : (k)] / 20.0)
	for (size_t b = 0; b < MIXDOWN_BANDS; b++) {
		const double fc = mixdown_band_centre(b), lo = fc * pow(10.0, -0.05), hi = fc * pow(10.0, 0.05);
		out[b] = 0.0;
		if (fc >= rate / 2)
			continue;
		double s = 0;
		int cnt = 0;
		for (long k = (long)ceil(lo / df); k <= (long)floor(hi / df) && k < (long)bins; k++) {
			const double a = (AMP(k - 1) + 2.0 * AMP(k) + AMP(k + 1)) / 4.0;
			s += a * a;
			cnt++;
		}
		if (cnt) {
			out[b] = 10.0 * log10(s / cnt);
		} else { /* narrower than a bin: the response at the centre */
			const long k = (long)floor(fc / df);
			const double t = fc / df - (double)k;
			const double a0 = (AMP(k - 1) + 2.0 * AMP(k) + AMP(k + 1)) / 4.0;
			const double a1 = (AMP(k) + 2.0 * AMP(k + 1) + AMP(k + 2)) / 4.0;
			out[b] = 20.0 * log10(a0 + t * (a1 - a0));
		}
	}
#undef AMP
}

static mixdown_status probe(const char *path, const char *what, double *rate, uint32_t *channels,
			    mixdown_error *err)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL, "%s: cannot read audio: %s",
				what, sf_strerror(NULL));
	sf_close(f);
	if (info.channels < 1 || info.channels > 2)
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL,
				"%s has %d channels; reference matching needs mono or stereo", what, info.channels);
	*rate = info.samplerate;
	*channels = (uint32_t)info.channels;
	return MIXDOWN_SUCCESS;
}

mixdown_status mxd_match_design(const char *input_path, const char *reference_path, double amount, mxd_match **out,
				mixdown_error *err)
{
	const mxd_match_params p = mxd_match_params_default();
	return mxd_match_design_ex(input_path, reference_path, amount, &p, out, err);
}

mixdown_status mxd_match_design_ex(const char *input_path, const char *reference_path, double amount,
				   const mxd_match_params *params, mxd_match **out, mixdown_error *err)
{
	*out = NULL;
	if (!input_path || !reference_path)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"reference matching needs two files");
	if (!(amount >= 0.0 && amount <= 1.0))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
				"match amount %g is outside 0..1 (0-100 %%)", amount);
	double rate = 0, ref_rate = 0;
	uint32_t ch = 0, ref_ch = 0;
	mixdown_status st = probe(input_path, "input", &rate, &ch, err);
	if (st == MIXDOWN_SUCCESS)
		st = probe(reference_path, "reference", &ref_rate, &ref_ch, err);
	if (st != MIXDOWN_SUCCESS)
		return st;

	const mxd_match_params p = *params;
	const uint32_t n = mxd_match_fft_len(rate), bins = n / 2 + 1, part = n / 4;
	mxd_match_spec si, sr;
	if ((st = mxd_match_spec_read(input_path, "input", rate, n, &p, &si, err)) != MIXDOWN_SUCCESS)
		return st;
	if ((st = mxd_match_spec_read(reference_path, "reference", rate, n, &p, &sr, err)) != MIXDOWN_SUCCESS) {
		mxd_match_spec_free(&si);
		return st;
	}
	mxd_match *m = calloc(1, sizeof *m);
	double *cm = malloc(bins * sizeof *cm), *cs = malloc(bins * sizeof *cs);
	float *hm = malloc(n * sizeof *hm), *hs = malloc(n * sizeof *hs);
	st = MIXDOWN_ERR_NOMEM;
	if (!m || !cm || !cs || !hm || !hs)
		goto done;
	m->rate = rate;
	m->channels = ch;
	m->n = n;
	m->latency = part + n / 2;
	m->bypass = amount == 0.0;
	if (mxd_match_curve_design(&si, ch, &sr, amount, &p, cm, cs))
		goto done;
	if (m->bypass) {
		/* The curves are 0 dB; report them as such without rounding noise. */
		for (uint32_t c = 0; c < ch; c++)
			if (!(m->ring[c] = calloc(m->latency, sizeof(float))))
				goto done;
	} else {
		band_report(cm, n, rate, m->mid_db);
		if (ch > 1)
			band_report(cs, n, rate, m->side_db);
		if (mxd_match_fir(cm, n, hm) || (ch > 1 && mxd_match_fir(cs, n, hs)))
			goto done;
		const mxd_conv_path paths[2] = {
			{ .in = 0, .out = 0, .ir = hm, .len = n, .gain = 1.0 },
			{ .in = 1, .out = 1, .ir = hs, .len = n, .gain = 1.0 },
		};
		if (!(m->conv = mxd_convolver_new(part, ch, ch, paths, ch)))
			goto done;
		for (int i = 0; i < 4; i++)
			if (!(m->scr[i] = calloc(CHUNK, sizeof(float))))
				goto done;
	}
	st = MIXDOWN_SUCCESS;
done:
	mxd_match_spec_free(&si);
	mxd_match_spec_free(&sr);
	free(cm);
	free(cs);
	free(hm);
	free(hs);
	if (st != MIXDOWN_SUCCESS) {
		mxd_match_free(m);
		return mxd_fail(err, st, NULL, (mxd_loc){ 0, 0 }, NULL, "out of memory designing the reference match");
	}
	*out = m;
	return MIXDOWN_SUCCESS;
}
