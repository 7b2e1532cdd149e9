/* mixdown — the metering processors (meter, loudness_meter, correlation_meter) and the
 * generic reading API of src/fx/meter.h.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Checks: audio passes bit-exactly; sample peak exact; hold then fall at the
 * set rate; RMS of a sine = peak - 3.01 dB and the window length; true peak
 * of a fs/4 sine at 45 degrees (+3.01 dB over its samples); K-weighting
 * coefficients against BS.1770-4 Tables 1-2; momentary / short-term /
 * integrated loudness against libebur128 (stereo pink noise, 1 kHz sine,
 * 5.1 and 7.1 noise; 44.1 and 48 kHz); correlation / width / balance of
 * planted pairs and the integration time constant; gain reduction of a
 * compressor through the generic API; meters as inserts in a session.
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/meter.h"
#include "fx/meter_gr.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#define MAXCH 8

/* ---- signals ---- */

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s;
}

static double white(uint32_t *s)
{
	return ((double)(lcg(s) >> 8) / (double)(1u << 24)) * 2.0 - 1.0;
}

/* Pink-ish noise (Voss-McCartney: 16 white rows, row k redrawn every 2^k
 * samples, plus a white term), peak about amp. */
static void pink(float *x, size_t n, double amp, uint32_t seed)
{
	double rows[16] = { 0 }, sum = 0;
	uint32_t s = seed;
	for (size_t i = 0; i < n; i++) {
		unsigned k = 0;
		for (size_t v = i + 1; !(v & 1) && k < 15; v >>= 1)
			k++;
		double w = white(&s);
		sum += w - rows[k];
		rows[k] = w;
		x[i] = (float)(amp * (sum + white(&s)) / 17.0);
	}
}

typedef struct {
	uint32_t ch;
	size_t n;
	float *x[MAXCH];
} planar;

static planar planar_new(uint32_t ch, size_t n)
{
	planar p = { ch, n, { 0 } };
	for (uint32_t c = 0; c < ch; c++)
		p.x[c] = calloc(n ? n : 1, sizeof(float));
	return p;
}

static void planar_free(planar *p)
{
	for (uint32_t c = 0; c < p->ch; c++)
		free(p->x[c]);
}

static float *interleave(const planar *p, size_t from, size_t n)
{
	float *y = malloc(sizeof(float) * p->ch * (n ? n : 1));
	for (size_t i = 0; i < n; i++)
		for (uint32_t c = 0; c < p->ch; c++)
			y[i * p->ch + c] = p->x[c][from + i];
	return y;
}

/* ---- running a processor ---- */

static mxd_fx *make(const char *cls_name, double rate, uint32_t ch)
{
	const mxd_fx_class *cls = mxd_fx_class_find(cls_name);
	CHECK_MSG(cls != NULL, "no class %s", cls_name);
	if (!cls)
		return NULL;
	mxd_fx *fx = mxd_fx_instantiate(cls, NULL, rate, 1024, ch);
	CHECK_MSG(fx != NULL, "%s: instantiate failed", cls_name);
	return fx;
}

static void set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "%s: no parameter %s", fx->cls->name, path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Run frames [from, from + n) of p through fx in place, in blocks of at most
 * `block` frames. */
static void run_span(mxd_fx *fx, planar *p, size_t from, size_t n, uint32_t block)
{
	float *io[MAXCH];
	for (size_t done = 0; done < n;) {
		uint32_t m = n - done < block ? (uint32_t)(n - done) : block;
		for (uint32_t c = 0; c < p->ch; c++)
			io[c] = p->x[c] + from + done;
		fx->cls->run(fx, io, NULL, m);
		done += m;
	}
}

static double get(const mxd_fx *fx, const char *name)
{
	double v = mxd_fx_meter_get(fx, name);
	CHECK_MSG(!isnan(v), "%s: no reading %s", fx->cls->name, name);
	return v;
}

/* ---- the reading API ---- */

static void t_reading_tables(void)
{
	static const struct {
		const char *cls;
		const char *names[6];
	} want[] = {
		{ "meter", { "peak_db", "peak_max_db", "rms_db", "true_peak_db", "true_peak_max_db", NULL } },
		{ "loudness_meter",
		  { "momentary_lufs", "short_term_lufs", "integrated_lufs", "momentary_max_lufs", "short_term_max_lufs",
		    NULL } },
		{ "correlation_meter", { "correlation", "width", "balance_db", NULL } },
		{ "compressor", { "gain_reduction_db", NULL } },
		{ "gate", { "gain_reduction_db", NULL } },
		{ "expander", { "gain_reduction_db", NULL } },
		{ "deesser", { "gain_reduction_db", NULL } },
		{ "gain", { NULL } },
		{ "eq", { NULL } },
	};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		const mxd_fx_class *cls = mxd_fx_class_find(want[k].cls);
		CHECK_MSG(cls != NULL, "no class %s", want[k].cls);
		if (!cls)
			continue;
		size_t n = 0;
		while (want[k].names[n])
			n++;
		CHECK_MSG(mxd_fx_class_meter_count(cls) == n, "%s: %zu readings, want %zu", cls->name,
			  mxd_fx_class_meter_count(cls), n);
		mxd_fx *fx = mxd_fx_instantiate(cls, NULL, 48000, 256, 2);
		CHECK(fx != NULL);
		if (!fx)
			continue;
		CHECK_INT(mxd_fx_meter_count(fx), n);
		for (size_t i = 0; i < n; i++) {
			CHECK_INT(mxd_fx_meter_find(fx, want[k].names[i]), i);
			CHECK(mxd_fx_meter_name(fx, i) && strcmp(mxd_fx_meter_name(fx, i), want[k].names[i]) == 0);
			const mxd_meter *m = mxd_fx_class_meter_at(cls, i);
			CHECK(m && m->unit && m->help && m->help[0]);
			/* Before any audio: the reading of silence (never NaN). */
			CHECK_MSG(!isnan(mxd_fx_meter_read(fx, i)), "%s.%s reads NaN", cls->name, want[k].names[i]);
		}
		CHECK(isnan(mxd_fx_meter_read(fx, n)));
		CHECK(mxd_fx_meter_name(fx, n) == NULL);
		CHECK_INT(mxd_fx_meter_find(fx, "no_such_reading"), -1);
		cls->destroy(fx);
	}
	CHECK_INT(mxd_fx_meter_count(NULL), 0);
	CHECK(isnan(mxd_fx_meter_read(NULL, 0)));
	CHECK(isnan(mxd_fx_meter_get(NULL, "peak_db")));
	mxd_meter_value v;
	atomic_init(&v, 0.0f);
	CHECK(atomic_is_lock_free(&v)); /* a reader can never block the audio thread */
}

/* ---- pass-through ---- */

static void t_pass_through_is_bit_exact(void)
{
	static const char *classes[] = { "meter", "meter+tp", "loudness_meter", "correlation_meter" };
	static const uint32_t chans[] = { 1, 2, 6 };
	static const uint32_t blocks[] = { 1, 37, 480, 1024 };
	const size_t n = 48000;
	for (size_t k = 0; k < 4; k++)
		for (size_t j = 0; j < 3; j++) {
			uint32_t ch = chans[j];
			planar p = planar_new(ch, n), ref = planar_new(ch, n);
			for (uint32_t c = 0; c < ch; c++) {
				mxt_noise(p.x[c], (int64_t)n, 1.5, 100 + c);
				/* Values a careless meter could disturb. */
				p.x[c][10] = NAN;
				p.x[c][11] = INFINITY;
				p.x[c][12] = -0.0f;
				p.x[c][13] = 1e-42f; /* subnormal */
				memcpy(ref.x[c], p.x[c], n * sizeof(float));
			}
			int tp = strcmp(classes[k], "meter+tp") == 0;
			mxd_fx *fx = make(tp ? "meter" : classes[k], 48000, ch);
			if (fx && tp)
				set(fx, "true_peak", 1);
			size_t at = 0;
			for (size_t b = 0; fx && at < n; b++) {
				size_t m = blocks[b % 4] < n - at ? blocks[b % 4] : n - at;
				run_span(fx, &p, at, m, 1024);
				at += m;
			}
			for (uint32_t c = 0; c < ch; c++)
				CHECK_MSG(memcmp(p.x[c], ref.x[c], n * sizeof(float)) == 0,
					  "%s on %u channels changed channel %u", classes[k], ch, c);
			if (fx) {
				CHECK_INT(fx->cls->latency(fx), 0);
				fx->cls->destroy(fx);
			}
			planar_free(&p);
			planar_free(&ref);
		}
}

/* ---- meter ---- */

static void t_sample_peak_is_exact(void)
{
	const size_t n = 9600;
	planar p = planar_new(2, n);
	mxt_noise(p.x[0], (int64_t)n, 0.25, 1);
	mxt_noise(p.x[1], (int64_t)n, 0.25, 2);
	p.x[1][4321] = -0.7123f; /* the largest sample, on the right, negative */
	p.x[0][100] = NAN;       /* non-finite samples are not levels */
	p.x[0][101] = -INFINITY;
	mxd_fx *fx = make("meter", 48000, 2);
	if (!fx)
		return;
	run_span(fx, &p, 0, n, 256);
	double want = 20 * log10((double)0.7123f);
	CHECK_NEAR(get(fx, "peak_max_db"), want, 1e-5);
	CHECK_NEAR(get(fx, "peak_db"), want, 1e-5); /* 0.1 s later: still held */
	CHECK(isinf(get(fx, "true_peak_db")) && get(fx, "true_peak_db") < 0); /* off by default */
	fx->cls->reset(fx);
	CHECK(isinf(get(fx, "peak_max_db")) && get(fx, "peak_max_db") < 0);
	CHECK(isinf(get(fx, "rms_db")) && get(fx, "rms_db") < 0);
	fx->cls->destroy(fx);
	planar_free(&p);
}

/* One sample of 0.5 (-6.02 dBFS), then silence: the indication holds for
 * peak_hold, then falls peak_fall dB per second, exactly per frame. */
static void t_peak_hold_then_fall(void)
{
	static const struct {
		double rate, hold, fall;
	} cases[] = { { 48000, 1.5, 20 }, { 44100, 1.5, 20 }, { 48000, 1.0, 11.8 } };
	for (size_t k = 0; k < 3; k++) {
		double rate = cases[k].rate, hold = cases[k].hold, fall = cases[k].fall;
		size_t n = (size_t)(rate * (hold + 2.5));
		planar p = planar_new(1, n);
		const size_t at = 1000;
		p.x[0][at] = 0.5f;
		mxd_fx *fx = make("meter", rate, 1);
		if (!fx)
			continue;
		set(fx, "peak_hold", hold);
		set(fx, "peak_fall", fall);
		size_t done = 0;
		double after_1s = 0;
		/* Read at: just before the hold ends, and 0.5 s, 1 s and 1.7 s after it. */
		const double t_read[] = { hold - 0.01, hold + 0.5, hold + 1.0, hold + 1.7 };
		for (int r = 0; r < 4; r++) {
			size_t upto = at + (size_t)floor(t_read[r] * rate) + 1; /* frames processed */
			run_span(fx, &p, done, upto - done, 480);
			done = upto;
			double elapsed = (double)(upto - 1 - at); /* frames since the peak frame */
			double holdf = floor(hold * rate + 0.5);
			double want = 20 * log10(0.5) - (elapsed > holdf ? fall * (elapsed - holdf) / rate : 0);
			CHECK_MSG(fabs(get(fx, "peak_db") - want) < 0.01,
				  "rate %g hold %g fall %g at %.2f s: %.4f dB, want %.4f", rate, hold, fall, t_read[r],
				  get(fx, "peak_db"), want);
			if (r == 2)
				after_1s = get(fx, "peak_db");
		}
		/* Hold + 1 s: `fall` dB under the peak (20 dB with the defaults); with
		 * the IEC 60268-18 return (11.8 dB/s), 20 dB after hold + 1.7 s. */
		CHECK_NEAR(after_1s, 20 * log10(0.5) - fall, 0.01);
		if (fall != 20)
			CHECK_NEAR(get(fx, "peak_db"), 20 * log10(0.5) - 20.06, 0.01);
		CHECK_NEAR(get(fx, "peak_max_db"), 20 * log10(0.5), 1e-6);
		fx->cls->destroy(fx);
		planar_free(&p);
	}
}

static void t_rms_of_a_sine(void)
{
	static const struct {
		double rate, freq, amp;
	} cases[] = { { 48000, 1000, 0.5 }, { 44100, 997, 0.8 }, { 48000, 57.3, 0.25 } };
	for (size_t k = 0; k < 3; k++) {
		double rate = cases[k].rate;
		size_t n = (size_t)rate * 2;
		planar p = planar_new(2, n);
		float *tmp = malloc(sizeof(float) * n * 2);
		mxt_sine(tmp, (int64_t)n, 2, rate, cases[k].freq, cases[k].amp, 0);
		for (size_t i = 0; i < n; i++)
			p.x[0][i] = tmp[2 * i], p.x[1][i] = 0.5f * tmp[2 * i + 1]; /* right 6 dB lower */
		free(tmp);
		mxd_fx *fx = make("meter", rate, 2);
		if (!fx)
			continue;
		run_span(fx, &p, 0, n, 512);
		double pk = get(fx, "peak_db"), rms = get(fx, "rms_db");
		CHECK_NEAR(pk, 20 * log10(cases[k].amp), 0.01); /* the sampled sine reaches its crest */
		CHECK_MSG(fabs(rms - (pk - 3.0103)) <= 0.05, "%g Hz at %g: RMS %.4f, peak %.4f (want peak - 3.01)",
			  cases[k].freq, rate, rms, pk);
		fx->cls->destroy(fx);
		planar_free(&p);
	}
}

/* A 100 ms burst (mean square 0.5) then silence: a 300 ms window reads it at a
 * third of its energy (-3.01 - 4.77 dB) while the burst is in the window,
 * silence once it has left; a 100 ms window reads -3.01 at the burst's end. */
static void t_rms_window(void)
{
	const double rate = 48000;
	const size_t n = 48000;
	planar p = planar_new(1, n);
	float *tmp = malloc(sizeof(float) * 4800);
	mxt_sine(tmp, 4800, 1, rate, 1000, 1.0, 0);
	memcpy(p.x[0] + 9600, tmp, 4800 * sizeof(float)); /* 200 .. 300 ms */
	free(tmp);
	mxd_fx *fx = make("meter", rate, 1), *fx100 = make("meter", rate, 1);
	if (!fx || !fx100)
		return;
	set(fx100, "rms_window", 100);
	run_span(fx, &p, 0, 14400, 300);
	run_span(fx100, &p, 0, 14400, 300);
	CHECK_NEAR(get(fx100, "rms_db"), -3.0103, 0.01);
	CHECK_NEAR(get(fx, "rms_db"), -3.0103 - 10 * log10(3.0), 0.01);
	run_span(fx, &p, 14400, 9600, 300); /* to 500 ms: the burst still in the window */
	CHECK_NEAR(get(fx, "rms_db"), -3.0103 - 10 * log10(3.0), 0.01);
	run_span(fx, &p, 24000, 4800, 300); /* to 600 ms: it has left */
	CHECK(isinf(get(fx, "rms_db")) && get(fx, "rms_db") < 0);
	fx->cls->destroy(fx);
	fx100->cls->destroy(fx100);
	planar_free(&p);
}

/* A sine at fs/4 sampled at 45 degrees: every sample is amp / sqrt(2), so
 * the sample peak is 3.01 dB under the true peak (BS.1770-4 Annex 2). */
static void t_true_peak(void)
{
	static const double rates[] = { 44100, 48000 };
	for (int r = 0; r < 2; r++) {
		double rate = rates[r];
		size_t n = (size_t)rate;
		planar p = planar_new(2, n);
		/* A 100 ms raised-cosine fade-in: an abrupt start would ring (Gibbs)
		 * above the steady true peak in the band-limited reconstruction. */
		size_t fade = (size_t)(rate / 10);
		for (size_t i = 0; i < n; i++) {
			double g = i < fade ? 0.5 - 0.5 * cos(M_PI * (double)i / (double)fade) : 1.0;
			p.x[0][i] = p.x[1][i] = (float)(g * 0.5 * sin(M_PI / 2 * (double)i + M_PI / 4));
		}
		mxd_fx *fx = make("meter", rate, 2);
		if (!fx)
			continue;
		set(fx, "true_peak", 1);
		run_span(fx, &p, 0, n, 333);
		CHECK_NEAR(get(fx, "peak_max_db"), 20 * log10(0.5) - 3.0103, 0.001);
		printf("# fs/4 sine at %g: true peak %.4f dBTP, sample peak %.4f dBFS\n", rate,
		       get(fx, "true_peak_max_db"), get(fx, "peak_max_db"));
		CHECK_NEAR(get(fx, "true_peak_max_db"), 20 * log10(0.5), 0.02);
		CHECK_NEAR(get(fx, "true_peak_db"), 20 * log10(0.5), 0.02);
		set(fx, "true_peak", 0); /* the readings go to -inf at the next run() */
		run_span(fx, &p, 0, 256, 256);
		CHECK(isinf(get(fx, "true_peak_db")) && get(fx, "true_peak_max_db") < 0);
		fx->cls->destroy(fx);
		planar_free(&p);
		/* Pink noise: against libebur128's true peak (its own 4x interpolator;
		 * short interpolators differ by up to a few tenths of a dB on
		 * broadband transients, so this only bounds gross errors). */
		p = planar_new(2, n);
		pink(p.x[0], n, 0.6, 5 + r);
		pink(p.x[1], n, 0.6, 6 + r);
		fx = make("meter", rate, 2);
		ebur128_state *st = ebur128_init(2, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
		if (!fx || !st)
			continue;
		set(fx, "true_peak", 1);
		run_span(fx, &p, 0, n, 512);
		float *il = interleave(&p, 0, n);
		ebur128_add_frames_float(st, il, n);
		free(il);
		double t0, t1;
		ebur128_true_peak(st, 0, &t0);
		ebur128_true_peak(st, 1, &t1);
		double want = 20 * log10(fmax(t0, t1));
		printf("# pink at %g: true peak %.3f dBTP (libebur128 %.3f), sample peak %.3f dBFS\n", rate,
		       get(fx, "true_peak_max_db"), want, get(fx, "peak_max_db"));
		CHECK_NEAR(get(fx, "true_peak_max_db"), want, 0.2);
		CHECK(get(fx, "true_peak_max_db") >= get(fx, "peak_max_db") - 1e-6);
		ebur128_destroy(&st);
		fx->cls->destroy(fx);
		planar_free(&p);
	}
}

/* ---- loudness_meter ---- */

static void t_kweighting_matches_bs1770_tables(void)
{
	mxd_biquad a, b;
	mxd_kweight_design(48000, &a, &b);
	/* ITU-R BS.1770-4 Table 1 (pre-filter) and Table 2 (RLB), 48 kHz. */
	CHECK_NEAR(a.b0, 1.53512485958697, 1e-9);
	CHECK_NEAR(a.b1, -2.69169618940638, 1e-9);
	CHECK_NEAR(a.b2, 1.19839281085285, 1e-9);
	CHECK_NEAR(a.a1, -1.69065929318241, 1e-9);
	CHECK_NEAR(a.a2, 0.73248077421585, 1e-9);
	CHECK_NEAR(b.b0, 1.0, 0);
	CHECK_NEAR(b.b1, -2.0, 0);
	CHECK_NEAR(b.b2, 1.0, 0);
	CHECK_NEAR(b.a1, -1.99004745483398, 1e-9);
	CHECK_NEAR(b.a2, 0.99007225036621, 1e-9);
	/* Channel weights, BS.1770-4 Table 3, WAV order. */
	CHECK_NEAR(mxd_kweight_channel_weight(2, 1), 1.0, 0);
	CHECK_NEAR(mxd_kweight_channel_weight(6, 3), 0.0, 0);
	CHECK_NEAR(mxd_kweight_channel_weight(6, 4), 1.41, 0);
	CHECK_NEAR(mxd_kweight_channel_weight(8, 4), 1.0, 0);
	CHECK_NEAR(mxd_kweight_channel_weight(8, 7), 1.41, 0);
}

/* The analyzer's channel map (src/analysis/loudness.c) for libebur128. */
static void ebur_map(ebur128_state *st, uint32_t ch)
{
	for (uint32_t c = 0; c < ch; c++) {
		int v = EBUR128_CENTER;
		if (ch == 2)
			v = c == 0 ? EBUR128_LEFT : EBUR128_RIGHT;
		else if (ch == 6)
			v = (int[]){ EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_LEFT_SURROUND,
				     EBUR128_RIGHT_SURROUND }[c];
		else if (ch == 8)
			v = (int[]){ EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_Mp135,
				     EBUR128_Mm135, EBUR128_Mp090, EBUR128_Mm090 }[c];
		ebur128_set_channel(st, c, v);
	}
}

/* Feed p to the meter and to libebur128 in 100 ms steps; returns the largest
 * |difference| of momentary (from 400 ms) and short-term (from 3 s), and the
 * difference of the integrated loudness at the end. */
static void compare_ebur(planar *p, double rate, double *dm, double *ds, double *di, double *last_m)
{
	*dm = *ds = *di = 0;
	mxd_fx *fx = make("loudness_meter", rate, p->ch);
	ebur128_state *st = ebur128_init(p->ch, (unsigned long)rate, EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I);
	CHECK(st != NULL);
	if (!fx || !st)
		return;
	ebur_map(st, p->ch);
	size_t step = (size_t)(rate / 10), steps = p->n / step;
	for (size_t k = 1; k <= steps; k++) {
		size_t from = (k - 1) * step;
		run_span(fx, p, from, step, 512);
		float *il = interleave(p, from, step);
		ebur128_add_frames_float(st, il, step);
		free(il);
		double em, es;
		ebur128_loudness_momentary(st, &em);
		ebur128_loudness_shortterm(st, &es);
		if (k >= 4 && isfinite(em))
			*dm = fmax(*dm, fabs(get(fx, "momentary_lufs") - em));
		if (k >= 30 && isfinite(es))
			*ds = fmax(*ds, fabs(get(fx, "short_term_lufs") - es));
		*last_m = em;
	}
	double ei;
	ebur128_loudness_global(st, &ei);
	*di = fabs(get(fx, "integrated_lufs") - ei);
	printf("# %u ch at %g: M %.2f / S %.2f / I %.2f LUFS (libebur128 I %.2f); max |diff| M %.6f S %.6f I %.6f\n",
	       p->ch, rate, get(fx, "momentary_lufs"), get(fx, "short_term_lufs"), get(fx, "integrated_lufs"), ei, *dm,
	       *ds, *di);
	ebur128_destroy(&st);
	fx->cls->destroy(fx);
}

static void t_loudness_agrees_with_libebur128(void)
{
	static const double rates[] = { 44100, 48000 };
	for (int r = 0; r < 2; r++) {
		double rate = rates[r], dm, ds, di, em;
		size_t n = (size_t)(rate * 8);
		/* Stereo pink noise, independent channels, with a quiet middle part
		 * (so both gates of the integrated loudness act). */
		planar p = planar_new(2, n);
		pink(p.x[0], n, 0.5, 11 + r);
		pink(p.x[1], n, 0.3, 23 + r);
		for (size_t i = (size_t)(rate * 3); i < (size_t)(rate * 5); i++)
			p.x[0][i] *= 0.05f, p.x[1][i] *= 0.05f;
		compare_ebur(&p, rate, &dm, &ds, &di, &em);
		CHECK_MSG(dm <= 0.1 && ds <= 0.1 && di <= 0.1,
			  "pink at %g: M %.3f S %.3f I %.3f LU apart", rate, dm, ds, di);
		planar_free(&p);
		/* 1 kHz sine, stereo. */
		p = planar_new(2, n);
		for (size_t i = 0; i < n; i++)
			p.x[0][i] = p.x[1][i] = (float)(0.5 * sin(2 * M_PI * 1000 * (double)i / rate));
		compare_ebur(&p, rate, &dm, &ds, &di, &em);
		CHECK_MSG(dm <= 0.1 && ds <= 0.1 && di <= 0.1,
			  "sine at %g: M %.3f S %.3f I %.3f LU apart", rate, dm, ds, di);
		planar_free(&p);
		/* 5.1 and 7.1 noise of different levels per channel: the weights. */
		for (uint32_t ch = 6; ch <= 8; ch += 2) {
			p = planar_new(ch, (size_t)(rate * 4));
			for (uint32_t c = 0; c < ch; c++)
				pink(p.x[c], p.n, 0.1 + 0.1 * c, 40 + c);
			compare_ebur(&p, rate, &dm, &ds, &di, &em);
			CHECK_MSG(dm <= 0.1 && ds <= 0.1 && di <= 0.1, "%u ch at %g: M %.3f S %.3f I %.3f LU apart",
				  ch, rate, dm, ds, di);
			planar_free(&p);
		}
	}
}

/* BS.1770's calibration: a 0 dBFS 997 Hz sine in one front channel reads
 * -3.01 LKFS; the same on L and R reads 0. */
static void t_loudness_calibration(void)
{
	const double rate = 48000;
	size_t n = (size_t)rate * 4;
	planar p = planar_new(2, n);
	for (size_t i = 0; i < n; i++)
		p.x[0][i] = (float)sin(2 * M_PI * 997 * (double)i / rate);
	mxd_fx *fx = make("loudness_meter", rate, 2);
	if (!fx)
		return;
	run_span(fx, &p, 0, n, 1000);
	CHECK_NEAR(get(fx, "momentary_lufs"), -3.01, 0.02);
	CHECK_NEAR(get(fx, "short_term_lufs"), -3.01, 0.02);
	CHECK_NEAR(get(fx, "integrated_lufs"), -3.01, 0.02);
	CHECK_NEAR(get(fx, "momentary_max_lufs"), -3.01, 0.02);
	fx->cls->reset(fx);
	memcpy(p.x[1], p.x[0], n * sizeof(float));
	run_span(fx, &p, 0, n, 1000);
	CHECK_NEAR(get(fx, "momentary_lufs"), 0.0, 0.02);
	/* Silence: the windows empty; the integrated value keeps the 37 full
	 * gating blocks of the 4 s and takes the three that straddle the end
	 * (3/4, 1/2, 1/4 of the energy; all above the relative gate):
	 * 10 log10(38.5 / 40) = -0.166 LU. */
	planar q = planar_new(2, n);
	run_span(fx, &q, 0, n, 1000);
	CHECK(isinf(get(fx, "momentary_lufs")) && isinf(get(fx, "short_term_lufs")));
	CHECK_NEAR(get(fx, "integrated_lufs"), 10 * log10(38.5 / 40), 0.01);
	CHECK_NEAR(get(fx, "short_term_max_lufs"), 0.0, 0.02);
	fx->cls->reset(fx);
	CHECK(isinf(get(fx, "integrated_lufs")) && get(fx, "integrated_lufs") < 0);
	fx->cls->destroy(fx);
	planar_free(&p);
	planar_free(&q);
}

/* ---- correlation_meter ---- */

static void t_correlation(void)
{
	const double rate = 48000;
	const size_t n = 48000;
	planar p = planar_new(2, n);
	struct {
		const char *what;
		double corr, width, balance, tol;
	} want[] = {
		{ "identical", 1, 0, 0, 1e-6 },
		{ "inverted", -1, INFINITY, 0, 1e-6 },
		{ "independent", 0, 1, 0, 0.05 },
		{ "right 6 dB down", 1, 1.0 / 9.0, 20 * log10(2.0), 1e-5 },
		{ "silent", 0, 0, 0, 0 },
	};
	for (int k = 0; k < 5; k++) {
		mxt_noise(p.x[0], (int64_t)n, 0.5, 3);
		mxt_noise(p.x[1], (int64_t)n, 0.5, k == 2 ? 4 : 3);
		for (size_t i = 0; i < n; i++) {
			if (k == 1)
				p.x[1][i] = -p.x[0][i];
			if (k == 3)
				p.x[1][i] = 0.5f * p.x[0][i];
			if (k == 4)
				p.x[0][i] = p.x[1][i] = 0;
		}
		mxd_fx *fx = make("correlation_meter", rate, 2);
		if (!fx)
			continue;
		run_span(fx, &p, 0, n, 256);
		double c = get(fx, "correlation"), w = get(fx, "width"), b = get(fx, "balance_db");
		CHECK_MSG(fabs(c - want[k].corr) <= want[k].tol, "%s: correlation %.5f, want %g", want[k].what, c,
			  want[k].corr);
		CHECK_MSG(isinf(want[k].width) ? isinf(w) : fabs(w - want[k].width) <= 2 * want[k].tol + 1e-6,
			  "%s: width %.5f, want %g", want[k].what, w, want[k].width);
		double btol = k == 2 ? 0.5 : 1e-4; /* two independent noises: equal levels only on average */
		CHECK_MSG(fabs(b - want[k].balance) <= btol, "%s: balance %.4f dB, want %g", want[k].what, b,
			  want[k].balance);
		fx->cls->destroy(fx);
	}
	/* One-sided: balance is infinite, correlation 0. */
	mxt_noise(p.x[0], (int64_t)n, 0.5, 5);
	memset(p.x[1], 0, n * sizeof(float));
	mxd_fx *fx = make("correlation_meter", rate, 2);
	if (fx) {
		run_span(fx, &p, 0, n, 256);
		CHECK(get(fx, "correlation") == 0 && isinf(get(fx, "balance_db")) && get(fx, "balance_db") > 0);
		CHECK_NEAR(get(fx, "width"), 1.0, 1e-6); /* L only: M = S */
		fx->cls->destroy(fx);
	}
	/* A mono strip is the same signal on both sides. */
	fx = make("correlation_meter", rate, 1);
	if (fx) {
		run_span(fx, &p, 0, n, 256);
		CHECK_NEAR(get(fx, "correlation"), 1.0, 1e-9);
		CHECK_NEAR(get(fx, "width"), 0.0, 1e-9);
		fx->cls->destroy(fx);
	}
	planar_free(&p);
}

/* Identical channels, then the right one inverted: LR moves from +P to -P
 * exponentially, so tau after the switch the correlation is -1 + 2/e. */
static void t_correlation_integration_time(void)
{
	const double rate = 48000;
	static const double taus[] = { 300, 50 };
	for (int k = 0; k < 2; k++) {
		double tau = taus[k];
		size_t n = (size_t)(rate * (2 + tau / 1000));
		planar p = planar_new(2, n);
		mxt_noise(p.x[0], (int64_t)n, 0.5, 9);
		for (size_t i = 0; i < n; i++)
			p.x[1][i] = i < (size_t)(2 * rate) ? p.x[0][i] : -p.x[0][i];
		mxd_fx *fx = make("correlation_meter", rate, 2);
		if (!fx)
			continue;
		if (tau != 300)
			set(fx, "integration", tau);
		run_span(fx, &p, 0, (size_t)(2 * rate), 480);
		CHECK_NEAR(get(fx, "correlation"), 1.0, 1e-6);
		run_span(fx, &p, (size_t)(2 * rate), n - (size_t)(2 * rate), 480);
		CHECK_MSG(fabs(get(fx, "correlation") - (-1 + 2 / M_E)) < 0.03,
			  "tau %g ms: correlation %.4f, want %.4f", tau, get(fx, "correlation"), -1 + 2 / M_E);
		fx->cls->destroy(fx);
		planar_free(&p);
	}
}

/* ---- gain reduction of a dynamics processor through the generic API ---- */

static void t_gain_reduction_through_api(void)
{
	const double rate = 48000;
	const size_t n = 48000;
	planar p = planar_new(2, n);
	for (size_t i = 0; i < n; i++) /* a 100 Hz square wave of +-0.5: a constant peak level of -6.02 dBFS */
		p.x[0][i] = p.x[1][i] = (i / 240) % 2 ? -0.5f : 0.5f;
	mxd_fx *fx = make("compressor", rate, 2);
	if (!fx)
		return;
	set(fx, "threshold", -20);
	set(fx, "ratio", 4);
	set(fx, "knee", 0);
	set(fx, "attack", 1);
	fx->cls->reset(fx);
	long i = mxd_fx_meter_find(fx, "gain_reduction_db");
	CHECK(i == 0);
	CHECK_NEAR(mxd_fx_meter_read(fx, 0), 0.0, 0);
	run_span(fx, &p, 0, n, 256);
	double want = (20 * log10(0.5) + 20) * (1 - 1.0 / 4); /* GMR eq. 4, hard knee: 10.485 dB */
	CHECK_NEAR(mxd_fx_meter_read(fx, 0), want, 0.05);
	CHECK_NEAR(mxd_fx_meter_read(fx, 0), mxd_fx_gain_reduction_db(fx), 0); /* the same float */
	fx->cls->destroy(fx);
	planar_free(&p);
}

/* ---- in a session ---- */

static void t_meters_as_inserts_leave_the_mix_bit_exact(void)
{
	const char *dir = mxt_tempdir();
	const int rate = 48000, n = rate;
	float *x = malloc(sizeof(float) * 2 * n);
	mxt_noise(x, 2 * n, 0.4, 77);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, n, 2, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	const char *inserts[2] = {
		"[ { type: gain, gain: -3 } ]",
		"[ { type: meter, true_peak: true, peak_hold: 1, peak_fall: 11.8, rms_window: 400 },\n"
		"             { type: loudness_meter }, { type: gain, gain: -3 },\n"
		"             { type: correlation_meter, integration: 100 } ]",
	};
	float *out[2] = { NULL, NULL };
	for (int k = 0; k < 2; k++) {
		char yaml[1024];
		snprintf(yaml, sizeof yaml,
			 "tracks:\n  - { name: T, file: x.wav, inserts: %s }\n"
			 "master:\n  inserts: [ { type: loudness_meter }, { type: meter } ]\n",
			 inserts[k]);
		mixdown_render_options o = mixdown_render_options_init();
		o.output = mxt_path(dir, k ? "b.wav" : "a.wav");
		o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
		mixdown_error err;
		CHECK_INT(mxt_render_yaml(dir, yaml, &o, NULL, &err), MIXDOWN_SUCCESS);
		int64_t frames = 0;
		out[k] = mxt_read_audio(o.output, &frames, NULL, NULL, NULL);
		CHECK_INT(frames, n);
	}
	CHECK(out[0] && out[1] && memcmp(out[0], out[1], sizeof(float) * 2 * n) == 0);
	free(out[0]);
	free(out[1]);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_reading_tables),
		MXT(t_pass_through_is_bit_exact),
		MXT(t_sample_peak_is_exact),
		MXT(t_peak_hold_then_fall),
		MXT(t_rms_of_a_sine),
		MXT(t_rms_window),
		MXT(t_true_peak),
		MXT(t_kweighting_matches_bs1770_tables),
		MXT(t_loudness_agrees_with_libebur128),
		MXT(t_loudness_calibration),
		MXT(t_correlation),
		MXT(t_correlation_integration_time),
		MXT(t_gain_reduction_through_api),
		MXT(t_meters_as_inserts_leave_the_mix_bit_exact),
	};
	return MXT_RUN(cases);
}
