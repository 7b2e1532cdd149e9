/* mixdown — biquad design (RBJ cookbook), TDF-II processing, analytic response.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "dsp/biquad.h"

#include <complex.h>
#include <math.h>

#define PI 3.14159265358979323846

/* Below this the state is inaudible (-600 dB) and flushed to exact zero. */
#define FLUSH_LEVEL 1e-30
/* Samples between state checks (NaN recovery, denormal flush). */
#define CHECK_EVERY 64u

static double clamp_f0(double sample_rate, double f0)
{
	double hi = 0.49 * sample_rate;
	if (!(f0 > 1.0)) /* also catches NaN; below 1 Hz cos(w0) rounds toward 1 */
		f0 = 1.0;
	return f0 > hi ? hi : f0;
}

static double clamp_q(double q)
{
	return q >= 0.01 ? (q <= 1000.0 ? q : 1000.0) : 0.01; /* NaN -> 0.01 */
}

static double finite_or_zero(double v)
{
	return isfinite(v) ? v : 0.0;
}

void mxd_biquad_identity(mxd_biquad *c)
{
	c->b0 = 1.0;
	c->b1 = c->b2 = c->a1 = c->a2 = 0.0;
}

static void set_normalised(mxd_biquad *c, double b0, double b1, double b2, double a0, double a1,
			   double a2)
{
	double inv = 1.0 / a0;
	c->b0 = b0 * inv;
	c->b1 = b1 * inv;
	c->b2 = b2 * inv;
	c->a1 = a1 * inv;
	c->a2 = a2 * inv;
}

/* Shelves with the cookbook's alpha already computed (Q or S form). */
static void design_shelf(mxd_biquad *c, bool high, double w0, double alpha, double A)
{
	double cs = cos(w0), sa = 2.0 * sqrt(A) * alpha;
	double ap = A + 1.0, am = A - 1.0;
	if (!high)
		set_normalised(c, A * (ap - am * cs + sa), 2.0 * A * (am - ap * cs),
			       A * (ap - am * cs - sa), ap + am * cs + sa, -2.0 * (am + ap * cs),
			       ap + am * cs - sa);
	else
		set_normalised(c, A * (ap + am * cs + sa), -2.0 * A * (am + ap * cs),
			       A * (ap + am * cs - sa), ap - am * cs + sa, 2.0 * (am - ap * cs),
			       ap - am * cs - sa);
}

void mxd_biquad_design(mxd_biquad *c, mxd_bq_type type, double sample_rate, double f0, double q,
		       double gain_db)
{
	f0 = clamp_f0(sample_rate, f0);
	q = clamp_q(q);
	gain_db = finite_or_zero(gain_db);
	double w0 = 2.0 * PI * f0 / sample_rate;
	double cs = cos(w0), sn = sin(w0);
	double alpha = sn / (2.0 * q);
	/* 1 - cos(w0) computed as 2 sin^2(w0/2): no cancellation at low f0. */
	double sh = sin(0.5 * w0), omc = 2.0 * sh * sh;
	double A = pow(10.0, gain_db / 40.0);
	double K = tan(0.5 * w0); /* prewarped bilinear constant for 1st order */

	switch (type) {
	case MXD_BQ_LOWPASS:
		set_normalised(c, 0.5 * omc, omc, 0.5 * omc, 1.0 + alpha, -2.0 * cs, 1.0 - alpha);
		break;
	case MXD_BQ_HIGHPASS:
		set_normalised(c, 0.5 * (2.0 - omc), -(2.0 - omc), 0.5 * (2.0 - omc), 1.0 + alpha,
			       -2.0 * cs, 1.0 - alpha);
		break;
	case MXD_BQ_BANDPASS:
		set_normalised(c, alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cs, 1.0 - alpha);
		break;
	case MXD_BQ_NOTCH:
		set_normalised(c, 1.0, -2.0 * cs, 1.0, 1.0 + alpha, -2.0 * cs, 1.0 - alpha);
		break;
	case MXD_BQ_PEAK:
		set_normalised(c, 1.0 + alpha * A, -2.0 * cs, 1.0 - alpha * A, 1.0 + alpha / A,
			       -2.0 * cs, 1.0 - alpha / A);
		break;
	case MXD_BQ_LOWSHELF:
	case MXD_BQ_HIGHSHELF:
		design_shelf(c, type == MXD_BQ_HIGHSHELF, w0, alpha, A);
		break;
	case MXD_BQ_LOWPASS1: /* H(s) = 1/(s+1), s = (1/K)(1-z^-1)/(1+z^-1) */
		set_normalised(c, K, K, 0.0, K + 1.0, K - 1.0, 0.0);
		break;
	case MXD_BQ_HIGHPASS1: /* H(s) = s/(s+1) */
		set_normalised(c, 1.0, -1.0, 0.0, K + 1.0, K - 1.0, 0.0);
		break;
	default:
		mxd_biquad_identity(c);
		break;
	}
}

void mxd_biquad_design_allpass(mxd_biquad *c, double sample_rate, double f0, double q)
{
	f0 = clamp_f0(sample_rate, f0);
	double w0 = 2.0 * PI * f0 / sample_rate, cs = cos(w0), alpha = sin(w0) / (2.0 * clamp_q(q));
	set_normalised(c, 1.0 - alpha, -2.0 * cs, 1.0 + alpha, 1.0 + alpha, -2.0 * cs, 1.0 - alpha);
}

void mxd_biquad_design_tilt(mxd_biquad *c, double sample_rate, double f0, double gain_db)
{
	f0 = clamp_f0(sample_rate, f0);
	double K = tan(PI * f0 / sample_rate), g = pow(10.0, finite_or_zero(gain_db) / 40.0);
	/* s = (1/K)(1 - z^-1)/(1 + z^-1) in (g s + 1)/(s + g), times K (1 + z^-1) */
	set_normalised(c, g + K, K - g, 0.0, 1.0 + g * K, g * K - 1.0, 0.0);
}

double mxd_biquad_shelf_q(double slope_s, double gain_db)
{
	double A = pow(10.0, finite_or_zero(gain_db) / 40.0);
	double s = slope_s >= 0.01 ? (slope_s <= 1.0 ? slope_s : 1.0) : 0.01;
	return 1.0 / sqrt((A + 1.0 / A) * (1.0 / s - 1.0) + 2.0);
}

void mxd_biquad_design_shelf_slope(mxd_biquad *c, mxd_bq_type type, double sample_rate, double f0,
				   double slope_s, double gain_db)
{
	if (type != MXD_BQ_LOWSHELF && type != MXD_BQ_HIGHSHELF) {
		mxd_biquad_identity(c);
		return;
	}
	mxd_biquad_design(c, type, sample_rate, f0, mxd_biquad_shelf_q(slope_s, gain_db), gain_db);
}

int mxd_butterworth_order(double slope_db_oct)
{
	static const int slopes[] = { 6, 12, 18, 24, 36, 48 };
	if (!isfinite(slope_db_oct))
		return 2;
	int best = 0;
	for (int i = 1; i < 6; i++)
		if (fabs(slope_db_oct - slopes[i]) < fabs(slope_db_oct - slopes[best]))
			best = i;
	return slopes[best] / 6;
}

void mxd_butterworth_design(mxd_bq_cascade *c, bool highpass, double sample_rate, double f0,
			    int order)
{
	mxd_butterworth_design_res(c, highpass, sample_rate, f0, order, 1.0);
}

void mxd_butterworth_design_res(mxd_bq_cascade *c, bool highpass, double sample_rate, double f0,
				int order, double res)
{
	if (!(res >= 0.05)) /* also NaN */
		res = 0.05;
	if (res > 100.0)
		res = 100.0;
	if (order < 1)
		order = 1;
	if (order > 2 * MXD_BQ_MAX_SECTIONS)
		order = 2 * MXD_BQ_MAX_SECTIONS;
	c->n = 0;
	/* Pole pair k (k = 1..N/2) sits at angle theta_k = pi (2k + N - 1) / (2N) on
	 * the unit circle; its section has Q_k = -1 / (2 cos theta_k). */
	for (int k = 1; k <= order / 2; k++) {
		double theta = PI * (double)(2 * k + order - 1) / (2.0 * order);
		double q = -1.0 / (2.0 * cos(theta));
		if (k == 1)
			q *= res;
		mxd_biquad_design(&c->sec[c->n++], highpass ? MXD_BQ_HIGHPASS : MXD_BQ_LOWPASS,
				  sample_rate, f0, q, 0.0);
	}
	if (order & 1) /* the real pole at s = -1 */
		mxd_biquad_design(&c->sec[c->n++], highpass ? MXD_BQ_HIGHPASS1 : MXD_BQ_LOWPASS1,
				  sample_rate, f0, 0.0, 0.0);
}

void mxd_bq_cascade_single(mxd_bq_cascade *c, const mxd_biquad *sec)
{
	c->sec[0] = *sec;
	c->n = 1;
}

static void check_state(mxd_bq_state *st)
{
	if (!isfinite(st->s1) || !isfinite(st->s2)) {
		st->s1 = st->s2 = 0.0;
		return;
	}
	if (fabs(st->s1) < FLUSH_LEVEL)
		st->s1 = 0.0;
	if (fabs(st->s2) < FLUSH_LEVEL)
		st->s2 = 0.0;
}

void mxd_biquad_process(const mxd_biquad *c, mxd_bq_state *st, float *io, uint32_t n)
{
	mxd_bq_cascade one = { .n = 1 };
	one.sec[0] = *c;
	mxd_bq_cascade_process(&one, st, io, n);
}

void mxd_bq_cascade_process(const mxd_bq_cascade *c, mxd_bq_state *st, float *io, uint32_t n)
{
	mxd_biquad_chain_process(c->sec, c->n, st, io, n);
}

void mxd_biquad_chain_process(const mxd_biquad *sec, uint32_t ns, mxd_bq_state *st, float *io, uint32_t n)
{
	while (n > 0) {
		uint32_t m = n < CHECK_EVERY ? n : CHECK_EVERY;
		for (uint32_t i = 0; i < m; i++) {
			double x = io[i];
			for (uint32_t s = 0; s < ns; s++) {
				const mxd_biquad *k = &sec[s];
				double y = k->b0 * x + st[s].s1;
				st[s].s1 = k->b1 * x - k->a1 * y + st[s].s2;
				st[s].s2 = k->b2 * x - k->a2 * y;
				x = y;
			}
			io[i] = (float)x;
		}
		for (uint32_t s = 0; s < ns; s++)
			check_state(&st[s]);
		io += m;
		n -= m;
	}
}

void mxd_bq_cascade_process_ramp(const mxd_bq_cascade *from, const mxd_bq_cascade *to,
				 mxd_bq_state *st, float *io, uint32_t n)
{
	const uint32_t ns = from->n < to->n ? from->n : to->n;
	if (n == 0)
		return;
	mxd_biquad cur[MXD_BQ_MAX_SECTIONS], step[MXD_BQ_MAX_SECTIONS];
	const double inv = 1.0 / (double)n;
	for (uint32_t s = 0; s < ns; s++) {
		const mxd_biquad *a = &from->sec[s], *b = &to->sec[s];
		step[s] = (mxd_biquad){ (b->b0 - a->b0) * inv, (b->b1 - a->b1) * inv, (b->b2 - a->b2) * inv,
					(b->a1 - a->a1) * inv, (b->a2 - a->a2) * inv };
		cur[s] = *a;
	}
	for (uint32_t i = 0; i < n; i++) {
		double x = io[i];
		double t = (double)(i + 1);
		for (uint32_t s = 0; s < ns; s++) {
			const mxd_biquad *a = &cur[s], *d = &step[s];
			double b0 = a->b0 + d->b0 * t, b1 = a->b1 + d->b1 * t, b2 = a->b2 + d->b2 * t;
			double a1 = a->a1 + d->a1 * t, a2 = a->a2 + d->a2 * t;
			double y = b0 * x + st[s].s1;
			st[s].s1 = b1 * x - a1 * y + st[s].s2;
			st[s].s2 = b2 * x - a2 * y;
			x = y;
		}
		io[i] = (float)x;
	}
	for (uint32_t s = 0; s < ns; s++)
		check_state(&st[s]);
}

static double complex section_h(const mxd_biquad *c, double complex z1)
{
	double complex z2 = z1 * z1;
	return (c->b0 + c->b1 * z1 + c->b2 * z2) / (1.0 + c->a1 * z1 + c->a2 * z2);
}

static void report(double complex h, double *mag_db, double *phase_rad)
{
	if (mag_db)
		*mag_db = 20.0 * log10(cabs(h));
	if (phase_rad)
		*phase_rad = carg(h);
}

void mxd_biquad_response(const mxd_biquad *c, double sample_rate, double f, double *mag_db,
			 double *phase_rad)
{
	double w = 2.0 * PI * f / sample_rate;
	report(section_h(c, cexp(-I * w)), mag_db, phase_rad);
}

void mxd_bq_cascade_response(const mxd_bq_cascade *c, double sample_rate, double f,
			     double *mag_db, double *phase_rad)
{
	double w = 2.0 * PI * f / sample_rate;
	double complex z1 = cexp(-I * w), h = 1.0;
	for (uint32_t s = 0; s < c->n; s++)
		h *= section_h(&c->sec[s], z1);
	report(h, mag_db, phase_rad);
}
