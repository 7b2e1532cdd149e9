/* mixdown — the playback-system models of `mixdown translate` and their
 * design into biquad cascades.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sources (../shared/docs/playback-systems.md; docs/translate.md has the full
 * table with every parameter):
 *  - earbuds: the Apple EarPods measurement of oratory1990 in AutoEq
 *    (measurements/oratory1990/data/earbud/Apple EarPods, eardrum-referenced)
 *    minus AutoEq's Harman in-ear 2019 v2 target (targets/harman_in-ear_
 *    2019v2.csv), both smoothed over 1/3 octave and taken relative to 1 kHz,
 *    at the one-third-octave centres 20 Hz .. 16 kHz: the coloration an
 *    EarPods listener hears relative to a neutral (Harman) in-ear response.
 *  - car: Dennis (Nissan), AES 139th Convention paper 9393: listeners
 *    preferred +13 dB bass and -2 dB treble relative to a flat in-car
 *    response; the rise below ~80 Hz follows the cabin gain (about 12 dB per
 *    octave below 70-90 Hz, 10-12 dB at 30 Hz; secondary sources).
 *  - phone, laptop, TV, club PA, mono speaker: parametric approximations.
 *    Phone: a ported 10-inch tablet micro-speaker reached down to 300 Hz
 *    (Chang & Wang, J. Mechanics 2018), phones "barely reproduce anything
 *    below 200 Hz" (secondary); a vented enclosure is a fourth-order
 *    high-pass (R. H. Small, "Vented-box loudspeaker systems", JAES 21(5),
 *    1973), hence the 24 dB/octave slopes. Everything else (cut-offs of the
 *    laptop, TV, club and mono speaker, the phone's presence peak, the shelf
 *    frequencies) is a stated assumption, not a measurement.
 * The curve tables of the parametric models are their design responses at
 * 48 kHz (rounded to 0.1 dB), points above -60 dB only; the earbud table is
 * the data the fit reproduces.
 *
 * Threads: any. Tables are static const.
 */
#include <math.h>

#include "translate/systems.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const mxd_tr_section phone_sec[] = {
	{ MXD_TR_HIGHPASS, 350.0, 4, 0, 0 },
	{ MXD_TR_PEAK, 3000.0, 0, 1.0, 4.0 },
};
static const mxd_tr_point phone_curve[] = {
	{ 80, -51.3 },   { 125, -35.8 },  { 200, -19.5 },  { 315, -5.2 },   { 500, -0.1 },
	{ 800, 0.3 },    { 1250, 0.8 },   { 2000, 2.3 },   { 3150, 4.0 },   { 5000, 1.8 },
	{ 8000, 0.5 },   { 12500, 0.1 },  { 16000, 0.1 },
};

static const mxd_tr_section laptop_sec[] = {
	{ MXD_TR_HIGHPASS, 170.0, 4, 0, 0 },
};
static const mxd_tr_point laptop_curve[] = {
	{ 31.5, -58.6 }, { 50, -42.5 },   { 80, -26.2 },   { 125, -11.0 },  { 200, -1.0 },
	{ 315, 0.0 },    { 500, 0.0 },    { 800, 0.0 },    { 1250, 0.0 },   { 2000, 0.0 },
	{ 3150, 0.0 },   { 5000, 0.0 },   { 8000, 0.0 },   { 12500, 0.0 },  { 16000, 0.0 },
};

static const mxd_tr_section earbuds_sec[] = {
	{ MXD_TR_HIGHPASS, 100.0, 2, 0, 0 },
};
/* EarPods minus Harman in-ear 2019 v2, 1/3-octave smoothed, re. 1 kHz, at
 * the base-10 one-third-octave centres (computed from the two AutoEq CSVs). */
static const mxd_tr_point earbuds_curve[] = {
	{ 19.95, -32.9 }, { 25.12, -31.0 }, { 31.62, -27.6 }, { 39.81, -23.8 }, { 50.12, -19.4 },
	{ 63.10, -14.9 }, { 79.43, -10.7 }, { 100.0, -7.5 },  { 125.9, -5.3 },  { 158.5, -4.0 },
	{ 199.5, -3.2 },  { 251.2, -2.7 },  { 316.2, -2.4 },  { 398.1, -2.2 },  { 501.2, -2.0 },
	{ 631.0, -1.7 },  { 794.3, -1.0 },  { 1000, 0.0 },    { 1259, 1.7 },    { 1585, 4.9 },
	{ 1995, 6.7 },    { 2512, 6.5 },    { 3162, 4.9 },    { 3981, 2.9 },    { 5012, 5.0 },
	{ 6310, 5.5 },    { 7943, 3.4 },    { 10000, 2.0 },   { 12589, 1.6 },   { 15849, -1.3 },
};

static const mxd_tr_section car_sec[] = {
	{ MXD_TR_LOWSHELF, 50.0, 0, 0.7071, 13.0 },
	{ MXD_TR_HIGHSHELF, 4000.0, 0, 0.7071, -2.0 },
};
static const mxd_tr_point car_curve[] = {
	{ 20, 12.6 },    { 31.5, 10.8 },  { 50, 6.5 },     { 80, 2.1 },     { 125, 0.4 },
	{ 200, 0.1 },    { 315, 0.0 },    { 500, 0.0 },    { 800, 0.0 },    { 1250, 0.0 },
	{ 2000, -0.1 },  { 3150, -0.5 },  { 5000, -1.4 },  { 8000, -1.9 },  { 12500, -2.0 },
	{ 16000, -2.0 },
};

static const mxd_tr_section tv_sec[] = {
	{ MXD_TR_HIGHPASS, 110.0, 4, 0, 0 },
	{ MXD_TR_HIGHSHELF, 8000.0, 0, 0.7071, -4.0 },
};
static const mxd_tr_point tv_curve[] = {
	{ 20, -59.2 },   { 31.5, -43.4 }, { 50, -27.4 },   { 80, -11.4 },   { 125, -1.3 },
	{ 200, 0.0 },    { 315, 0.0 },    { 500, 0.0 },    { 800, 0.0 },    { 1250, 0.0 },
	{ 2000, 0.0 },   { 3150, -0.1 },  { 5000, -0.4 },  { 8000, -2.0 },  { 12500, -3.7 },
	{ 16000, -3.9 },
};

static const mxd_tr_section club_sec[] = {
	{ MXD_TR_HIGHPASS, 30.0, 4, 0, 0 },
	{ MXD_TR_LOWSHELF, 80.0, 0, 0.7071, 6.0 },
	{ MXD_TR_HIGHSHELF, 8000.0, 0, 0.7071, -3.0 },
};
static const mxd_tr_point club_curve[] = {
	{ 20, -8.3 },    { 31.5, 3.6 },   { 50, 5.1 },     { 80, 3.0 },     { 125, 0.9 },
	{ 200, 0.2 },    { 315, 0.0 },    { 500, 0.0 },    { 800, 0.0 },    { 1250, 0.0 },
	{ 2000, 0.0 },   { 3150, -0.1 },  { 5000, -0.3 },  { 8000, -1.5 },  { 12500, -2.8 },
	{ 16000, -3.0 },
};

static const mxd_tr_section mono_sec[] = {
	{ MXD_TR_HIGHPASS, 90.0, 4, 0, 0 },
};
static const mxd_tr_point mono_curve[] = {
	{ 20, -52.3 },   { 31.5, -36.5 }, { 50, -20.5 },   { 80, -5.5 },    { 125, -0.3 },
	{ 200, 0.0 },    { 315, 0.0 },    { 500, 0.0 },    { 800, 0.0 },    { 1250, 0.0 },
	{ 2000, 0.0 },   { 3150, 0.0 },   { 5000, 0.0 },   { 8000, 0.0 },   { 12500, 0.0 },
	{ 16000, 0.0 },
};

#define MODEL(nm, lb, src, mono, approx, fit, s, c)                                                     \
	{ nm, lb, src, mono, approx, fit, s, ARRAY_LEN(s), c, ARRAY_LEN(c) }

static const mxd_tr_model models[] = {
	MODEL("phone", "Phone speaker",
	      "approximation: 24 dB/oct high-pass at 350 Hz (ported micro-speakers reach 300-630 Hz, Chang & Wang "
	      "2018), +4 dB presence at 3 kHz (assumed)",
	      false, true, false, phone_sec, phone_curve),
	MODEL("laptop", "Laptop speakers",
	      "approximation: 24 dB/oct high-pass at 170 Hz (assumed from the usual 150-200 Hz)", false, true,
	      false, laptop_sec, laptop_curve),
	MODEL("earbuds", "Earbuds (Apple EarPods)",
	      "measured: oratory1990 EarPods (AutoEq) minus Harman in-ear 2019 v2, 1/3-octave smoothed", false,
	      false, true, earbuds_sec, earbuds_curve),
	MODEL("car", "Car cabin",
	      "Dennis, AES 139 paper 9393: +13 dB bass, -2 dB treble preferred in-car; shape of the rise from cabin "
	      "gain (approximation)",
	      false, true, false, car_sec, car_curve),
	MODEL("tv", "Flat-screen TV",
	      "approximation: 24 dB/oct high-pass at 110 Hz, -4 dB shelf at 8 kHz (assumed)", false, true, false,
	      tv_sec, tv_curve),
	MODEL("club", "Club PA",
	      "approximation: subwoofers to 30 Hz (24 dB/oct), +6 dB low shelf at 80 Hz, -3 dB shelf at 8 kHz "
	      "(assumed)",
	      false, true, false, club_sec, club_curve),
	MODEL("mono-speaker", "Mono Bluetooth speaker",
	      "approximation: mono fold-down (L+R)/2 (the -6 dB sum: centred sources keep their level), 24 dB/oct "
	      "high-pass at 90 Hz (assumed)", true, true, false,
	      mono_sec, mono_curve),
};

size_t mxd_tr_model_count(void)
{
	return ARRAY_LEN(models);
}

const mxd_tr_model *mxd_tr_model_get(size_t i)
{
	return i < ARRAY_LEN(models) ? &models[i] : NULL;
}

static int push(mxd_tr_filter *f, const mxd_biquad *b)
{
	if (f->n >= MXD_TR_MAX_BIQUADS)
		return -1;
	f->bq[f->n++] = *b;
	return 0;
}

int mxd_tr_filter_design(mxd_tr_filter *f, const mxd_tr_model *m, double rate)
{
	f->n = 0;
	f->rate = rate;
	f->fit_error = 0.0;
	for (size_t i = 0; i < m->n_sec; i++) {
		const mxd_tr_section *s = &m->sec[i];
		mxd_biquad b;
		if (s->kind == MXD_TR_HIGHPASS || s->kind == MXD_TR_LOWPASS) {
			mxd_bq_cascade c;
			mxd_butterworth_design(&c, s->kind == MXD_TR_HIGHPASS, rate, s->f0, s->order);
			for (uint32_t k = 0; k < c.n; k++)
				if (push(f, &c.sec[k]))
					return -1;
			continue;
		}
		mxd_bq_type t = s->kind == MXD_TR_PEAK ? MXD_BQ_PEAK
				: s->kind == MXD_TR_LOWSHELF ? MXD_BQ_LOWSHELF : MXD_BQ_HIGHSHELF;
		mxd_biquad_design(&b, t, rate, s->f0, s->q, s->gain_db);
		if (push(f, &b))
			return -1;
	}
	if (!m->fit_curve)
		return 0;
	double hz[MXD_TR_MAX_BIQUADS], db[MXD_TR_MAX_BIQUADS];
	uint32_t n = 0;
	for (size_t i = 0; i < m->n_curve && n < MXD_TR_MAX_BIQUADS; i++)
		if (m->curve[i].hz < 0.45 * rate) {
			hz[n] = m->curve[i].hz;
			db[n++] = m->curve[i].db;
		}
	if (f->n + n > MXD_TR_MAX_BIQUADS)
		return -1;
	f->fit_error = mxd_tr_fit_peaks(f->bq, f->n, hz, db, n, rate, f->bq + f->n);
	f->n += n;
	return 0;
}

double mxd_tr_filter_response(const mxd_tr_filter *f, double hz)
{
	double sum = 0.0;
	for (uint32_t i = 0; i < f->n; i++) {
		double d;
		mxd_biquad_response(&f->bq[i], f->rate, hz, &d, NULL);
		sum += d;
	}
	return sum;
}

/* The whole model is one chain of sections (more than a mxd_bq_cascade holds). */
void mxd_tr_filter_process(const mxd_tr_filter *f, mxd_bq_state *st, float *io, uint32_t n)
{
	mxd_biquad_chain_process(f->bq, f->n, st, io, n);
}
