/* mixdown — gated long-term mid/side power spectrum of a whole file, for reference matching.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Method: Welch's averaged periodogram (P. D. Welch, IEEE Trans. Audio
 * Electroacoust. 15(2), 1967): periodic Hann frames of n samples, hop n/2,
 * real FFT (kissfft), of M = (L+R)/2 and S = (L-R)/2 (M = the signal, S = 0,
 * for mono). Bin k of a frame contributes c_k |X_k|^2 with
 * c_k = 2 / (n sum w^2) (half that at DC and Nyquist), so that the bins of a
 * frame sum to its mean square (Parseval; sum w^2 = 3n/8 for Hann).
 *
 * Gate (frames, not the loudest 15 s pieces of Matchering): each frame gets a
 * loudness -0.691 + 10 log10(2 sum_k K(f_k) c_k (|M_k|^2 + |S_k|^2)) LUFS,
 * i.e. the BS.1770-5 K-weighted power of L and R (L^2 + R^2 = 2 (M^2 + S^2);
 * a mono file counts as if played on both speakers). As in BS.1770, frames
 * under -70 LUFS are dropped, then those more than gate_lu (10) under the
 * power mean of the rest. The relative threshold is known only at the end,
 * so frames are summed per 1 dB loudness class while streaming (a class's
 * arrays are allocated the first time a frame falls in it) and the classes
 * whose centre passes the threshold are added at the end: one pass, memory
 * bounded by the number of classes (at most 90 x 4 x (n/2+1) doubles, about
 * 12 MB at 48 kHz; music uses a few dozen classes), not by the file's length.
 * Per class the power sums of M and S are kept, plus the sums of the
 * estimator the parameters ask for (mxd_match_avg: |X| or ln |X|^2, for
 * measurements; the default is the power itself).
 * A tail shorter than the hop is zero-padded into one last frame (so a file
 * shorter than a frame is still analysed).
 *
 * Threads: control thread (reads a file, allocates).
 */
#include <kiss_fftr.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/reader.h"
#include "master/match_internal.h"
#include "session/model.h"

#define ABS_GATE (-70.0)  /* LUFS, BS.1770-5 absolute gate */
#define N_CLASSES 90      /* 1 dB loudness classes from ABS_GATE up */
#define READ_BLOCK 4096

typedef struct {
	uint32_t n, bins, channels;
	kiss_fftr_cfg fft;
	float *win, *fm, *fs, *tmp;   /* n each: window, M and S frames being filled, windowed copy */
	kiss_fft_cpx *xm, *xs;        /* bins each */
	double *c;                    /* bins: c_k */
	double *kw;                   /* bins: K-weighting power gain */
	mxd_match_avg avg;
	double *cls[N_CLASSES];       /* 4 x bins each (power M, S; estimator M, S), NULL until used */
	double cls_e[N_CLASSES];      /* sum of frame K-weighted mean squares (M + S) */
	uint64_t cls_n[N_CLASSES];
	uint32_t fill;                /* samples in fm/fs */
	uint64_t frames;
} acc;

static void acc_free(acc *a)
{
	kiss_fftr_free(a->fft);
	free(a->win);
	free(a->fm);
	free(a->fs);
	free(a->tmp);
	free(a->xm);
	free(a->xs);
	free(a->c);
	free(a->kw);
	for (int i = 0; i < N_CLASSES; i++)
		free(a->cls[i]);
}

static int acc_init(acc *a, double rate, uint32_t n, uint32_t channels, mxd_match_avg avg)
{
	memset(a, 0, sizeof *a);
	a->avg = avg;
	a->n = n;
	a->bins = n / 2 + 1;
	a->channels = channels;
	a->fft = kiss_fftr_alloc((int)n, 0, NULL, NULL);
	a->win = malloc(n * sizeof *a->win);
	a->fm = calloc(n, sizeof *a->fm);
	a->fs = calloc(n, sizeof *a->fs);
	a->tmp = malloc(n * sizeof *a->tmp);
	a->xm = calloc(a->bins, sizeof *a->xm);
	a->xs = calloc(a->bins, sizeof *a->xs); /* stays zero for mono */
	a->c = malloc(a->bins * sizeof *a->c);
	a->kw = malloc(a->bins * sizeof *a->kw);
	if (!a->fft || !a->win || !a->fm || !a->fs || !a->tmp || !a->xm || !a->xs || !a->c || !a->kw)
		return -1;
	double sw2 = 0;
	for (uint32_t i = 0; i < n; i++) {
		a->win[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / n));
		sw2 += (double)a->win[i] * a->win[i];
	}
	for (uint32_t k = 0; k < a->bins; k++) {
		a->c[k] = (k == 0 || k == n / 2 ? 1.0 : 2.0) / (n * sw2);
		a->kw[k] = mxd_match_kweight(k * rate / n);
	}
	return 0;
}

/* One full frame in fm/fs: transform, classify, add. 0, or -1 without memory. */
static int frame(acc *a)
{
	const uint32_t n = a->n, bins = a->bins;
	const bool st = a->channels > 1;
	for (uint32_t i = 0; i < n; i++)
		a->tmp[i] = a->fm[i] * a->win[i];
	kiss_fftr(a->fft, a->tmp, a->xm);
	if (st) {
		for (uint32_t i = 0; i < n; i++)
			a->tmp[i] = a->fs[i] * a->win[i];
		kiss_fftr(a->fft, a->tmp, a->xs);
	}
	a->frames++;
	double e = 0;
	for (uint32_t k = 0; k < bins; k++) {
		double p = (double)a->xm[k].r * a->xm[k].r + (double)a->xm[k].i * a->xm[k].i;
		if (st)
			p += (double)a->xs[k].r * a->xs[k].r + (double)a->xs[k].i * a->xs[k].i;
		e += a->kw[k] * a->c[k] * p;
	}
	const double lufs = e > 0 ? -0.691 + 10.0 * log10(2.0 * e) : -INFINITY;
	if (!(lufs >= ABS_GATE))
		return 0;
	int cl = (int)floor(lufs - ABS_GATE);
	if (cl >= N_CLASSES)
		cl = N_CLASSES - 1;
	if (!a->cls[cl] && !(a->cls[cl] = calloc(4 * (size_t)bins, sizeof(double))))
		return -1;
	double *pm = a->cls[cl], *ps = pm + bins, *qm = ps + bins, *qs = qm + bins;
	for (uint32_t k = 0; k < bins; k++) {
		const kiss_fft_cpx xm = a->xm[k], xs = a->xs[k];
		const double vm = a->c[k] * ((double)xm.r * xm.r + (double)xm.i * xm.i);
		const double vs = st ? a->c[k] * ((double)xs.r * xs.r + (double)xs.i * xs.i) : 0.0;
		pm[k] += vm;
		ps[k] += vs;
		switch (a->avg) {
		case MXD_MATCH_AVG_POWER:
			break;
		case MXD_MATCH_AVG_MAGNITUDE:
			qm[k] += sqrt(vm);
			qs[k] += sqrt(vs);
			break;
		case MXD_MATCH_AVG_LOG: /* floor far below any audible bin */
			qm[k] += log(vm + 1e-30);
			qs[k] += log(vs + 1e-30);
			break;
		}
	}
	a->cls_e[cl] += e;
	a->cls_n[cl]++;
	return 0;
}

static int push(acc *a, const float *const *x, uint32_t got)
{
	const uint32_t n = a->n, hop = n / 2;
	for (uint32_t i = 0; i < got; i++) {
		if (a->channels > 1) {
			a->fm[a->fill] = 0.5f * (x[0][i] + x[1][i]);
			a->fs[a->fill] = 0.5f * (x[0][i] - x[1][i]);
		} else {
			a->fm[a->fill] = x[0][i];
		}
		if (++a->fill == n) {
			if (frame(a))
				return -1;
			memmove(a->fm, a->fm + hop, hop * sizeof *a->fm);
			memmove(a->fs, a->fs + hop, hop * sizeof *a->fs);
			a->fill = hop;
		}
	}
	return 0;
}

/* The last, partial frame: analysed when it holds samples no frame has seen. */
static int tail(acc *a)
{
	if (a->fill == 0 || (a->frames > 0 && a->fill <= a->n / 2))
		return 0;
	memset(a->fm + a->fill, 0, (a->n - a->fill) * sizeof *a->fm);
	memset(a->fs + a->fill, 0, (a->n - a->fill) * sizeof *a->fs);
	return frame(a);
}

static mixdown_status fail(mixdown_error *err, mixdown_status st, const char *path, const char *msg, const char *what)
{
	return mxd_fail(err, st, path, (mxd_loc){ 0, 0 }, NULL, "%s: %s", what, msg);
}

void mxd_match_spec_free(mxd_match_spec *s)
{
	if (!s)
		return;
	free(s->pm);
	free(s->ps);
	free(s->qm);
	free(s->qs);
	s->pm = s->ps = s->qm = s->qs = NULL;
}

mixdown_status mxd_match_spec_read(const char *path, const char *what, double rate, uint32_t n,
				   const mxd_match_params *p, mxd_match_spec *out, mixdown_error *err)
{
	memset(out, 0, sizeof *out);
	mxd_reader *r = NULL;
	mixdown_status st = mxd_reader_open(path, rate, 0, READ_BLOCK, &r, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const uint32_t ch = mxd_reader_channels(r);
	if (ch > 2) {
		mxd_reader_close(r);
		return mxd_fail(err, MIXDOWN_ERR_AUDIO, path, (mxd_loc){ 0, 0 }, NULL,
				"%s has %u channels; reference matching needs mono or stereo", what, ch);
	}
	acc a;
	float *buf[2] = { malloc(READ_BLOCK * sizeof(float)), malloc(READ_BLOCK * sizeof(float)) };
	if (acc_init(&a, rate, n, ch, p->avg) || !buf[0] || !buf[1]) {
		st = MIXDOWN_ERR_NOMEM;
		goto done;
	}
	for (;;) {
		uint32_t got = 0;
		if ((st = mxd_reader_read(r, buf, READ_BLOCK, &got, err)) != MIXDOWN_SUCCESS)
			goto done;
		if (got == 0)
			break;
		if (push(&a, (const float *const *)buf, got)) {
			st = MIXDOWN_ERR_NOMEM;
			goto done;
		}
		if (got < READ_BLOCK)
			break;
	}
	if (tail(&a)) {
		st = MIXDOWN_ERR_NOMEM;
		goto done;
	}
	/* Relative gate: gate_lu under the power mean of the frames over the absolute gate. */
	double e_sum = 0;
	uint64_t n_sum = 0;
	for (int c = 0; c < N_CLASSES; c++) {
		e_sum += a.cls_e[c];
		n_sum += a.cls_n[c];
	}
	if (n_sum == 0 || !(e_sum > 0)) {
		st = fail(err, MIXDOWN_ERR_AUDIO, path, "silent (no audio above -70 LUFS): nothing to match", what);
		goto done;
	}
	const double rel = -0.691 + 10.0 * log10(2.0 * e_sum / (double)n_sum) - p->gate_lu;
	out->rate = rate;
	out->n = n;
	out->bins = a.bins;
	out->file_channels = ch;
	out->frames = a.frames;
	out->pm = calloc(a.bins, sizeof *out->pm);
	out->ps = calloc(a.bins, sizeof *out->ps);
	out->qm = calloc(a.bins, sizeof *out->qm);
	out->qs = calloc(a.bins, sizeof *out->qs);
	if (!out->pm || !out->ps || !out->qm || !out->qs) {
		st = MIXDOWN_ERR_NOMEM;
		goto done;
	}
	double e_used = 0;
	for (int c = 0; c < N_CLASSES; c++) {
		if (!a.cls_n[c] || ABS_GATE + c + 0.5 < rel)
			continue;
		const double *pm = a.cls[c], *ps = pm + a.bins, *qm = ps + a.bins, *qs = qm + a.bins;
		for (uint32_t k = 0; k < a.bins; k++) {
			out->pm[k] += pm[k];
			out->ps[k] += ps[k];
			out->qm[k] += qm[k];
			out->qs[k] += qs[k];
		}
		e_used += a.cls_e[c];
		out->frames_used += a.cls_n[c];
	}
	/* The loudest class passes (its centre is within 0.5 dB of the loudest
	 * frame, which is at least the mean) unless gate_lu < 0.5. */
	if (out->frames_used == 0) {
		st = fail(err, MIXDOWN_ERR_AUDIO, path, "no frame passes the loudness gate: nothing to match", what);
		goto done;
	}
	const double nu = (double)out->frames_used;
	for (uint32_t k = 0; k < a.bins; k++) {
		out->pm[k] /= nu;
		out->ps[k] /= nu;
		switch (p->avg) {
		case MXD_MATCH_AVG_POWER:
			out->qm[k] = out->pm[k];
			out->qs[k] = out->ps[k];
			break;
		case MXD_MATCH_AVG_MAGNITUDE:
			out->qm[k] = (out->qm[k] / nu) * (out->qm[k] / nu);
			out->qs[k] = (out->qs[k] / nu) * (out->qs[k] / nu);
			break;
		case MXD_MATCH_AVG_LOG:
			out->qm[k] = exp(out->qm[k] / nu);
			out->qs[k] = exp(out->qs[k] / nu);
			break;
		}
	}
	out->kms = e_used / (double)out->frames_used;
	st = MIXDOWN_SUCCESS;
done:
	acc_free(&a);
	free(buf[0]);
	free(buf[1]);
	mxd_reader_close(r);
	if (st != MIXDOWN_SUCCESS)
		mxd_match_spec_free(out);
	return st;
}
