/* mixdown — playback-system models for `mixdown translate`: what each system
 * does to a mix, as filter sections plus the documented curve they reproduce.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A model is a list of sections (Butterworth high/low-pass of order 1..8,
 * RBJ peaking filters and shelves; dsp/biquad.h) and a documented curve: a
 * table of (Hz, dB) points the model is meant to reproduce, relative to the
 * signal going in (0 dB = unchanged). For parametric models the table is the
 * design's response, stated in docs/translate.md with the sources of each
 * parameter; a model built from a measured curve (the earbuds) instead fits
 * one peaking section per table point on top of its fixed sections, solved
 * at the file's rate (curve_fit.c), so it reproduces the table at every point.
 * Mono models fold the input to (L+R)/2 first (see translate.c).
 *
 * Units: Hz, dB, sample rates in Hz. The model table is static and
 * read-only; mxd_tr_filter is a plain value (no allocation).
 * Threads: any; a filter's state belongs to one caller at a time.
 */
#ifndef MIXDOWN_TRANSLATE_SYSTEMS_H
#define MIXDOWN_TRANSLATE_SYSTEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/biquad.h"

typedef enum {
	MXD_TR_HIGHPASS,   /* Butterworth, `order` 1..8, -3.01 dB at f0 */
	MXD_TR_LOWPASS,    /* Butterworth, `order` 1..8, -3.01 dB at f0 */
	MXD_TR_PEAK,       /* RBJ peakingEQ: q, gain_db */
	MXD_TR_LOWSHELF,   /* RBJ lowShelf: q, gain_db (gain/2 at f0) */
	MXD_TR_HIGHSHELF,  /* RBJ highShelf: q, gain_db (gain/2 at f0) */
} mxd_tr_kind;

typedef struct {
	mxd_tr_kind kind;
	double f0;         /* Hz */
	int order;         /* pass filters only */
	double q;          /* peaks and shelves */
	double gain_db;    /* peaks and shelves */
} mxd_tr_section;

typedef struct {
	double hz, db;
} mxd_tr_point;

typedef struct {
	const char *name;          /* short id used in file names and JSON */
	const char *label;         /* human name */
	const char *source;        /* where the parameters come from (one line) */
	bool mono;                 /* played as (L+R)/2 on one speaker */
	bool approximation;        /* parametric approximation, not a measured curve */
	bool fit_curve;            /* add one peaking section per curve point, solved to the curve */
	const mxd_tr_section *sec;
	size_t n_sec;
	const mxd_tr_point *curve; /* the documented curve */
	size_t n_curve;
} mxd_tr_model;

size_t mxd_tr_model_count(void);
const mxd_tr_model *mxd_tr_model_get(size_t i);

/* Sections of a designed model: fixed sections plus fitted peaks. */
#define MXD_TR_MAX_BIQUADS 48

typedef struct {
	mxd_biquad bq[MXD_TR_MAX_BIQUADS];
	uint32_t n;
	double rate;
	double fit_error;          /* dB: largest |response - curve| at the fitted points (0 if none) */
} mxd_tr_filter;

/* Design model m at `rate`. Curve points at or above 0.45 * rate are not
 * fitted (nor checked). Returns 0, or -1 when the model needs more than
 * MXD_TR_MAX_BIQUADS sections. */
int mxd_tr_filter_design(mxd_tr_filter *f, const mxd_tr_model *m, double rate);

/* Magnitude response (dB) at hz; -INFINITY at an exact zero. */
double mxd_tr_filter_response(const mxd_tr_filter *f, double hz);

/* In place, n samples of one channel; st holds f->n zeroed states at the start.
 * No allocation. Input must be finite (a non-finite state is cleared after the call). */
void mxd_tr_filter_process(const mxd_tr_filter *f, mxd_bq_state *st, float *io, uint32_t n);

/* curve_fit.c: solve the gains of n peaking sections at hz[i] (Q from the
 * spacing of the points) so that pre (np sections) followed by them has the
 * response db[i] at every hz[i]; writes the n sections to out. Returns the
 * largest remaining error (dB). */
double mxd_tr_fit_peaks(const mxd_biquad *pre, uint32_t np, const double *hz, const double *db, uint32_t n,
			double rate, mxd_biquad *out);

#endif
