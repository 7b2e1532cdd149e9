/* mixdown — the shared engine of the `gate` and `expander` processors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Key path: the key (the sidechain when given, else the input), non-finite
 * samples read as 0, through an optional 2nd-order Butterworth high-pass
 * (sidechain_hpf) and low-pass (sidechain_lpf), 0 Hz = off (src/dsp/biquad.h).
 * Channels are linked: the key level is the largest |key| over the channels.
 *
 * Level: L = 20 log10 of the sliding maximum of |key| over the last
 * max(hold, 10 ms) (mxd_dyn_peakwin). Rising levels register on the sample
 * they arrive; a fall registers only when no sample has reached the level
 * for that window. So `hold` is the time the key must stay below the close
 * level before the gate starts to close (at least 10 ms, one period of
 * 100 Hz, so a sample-peak detector never chatters inside a waveform).
 *
 * Hysteresis state: `open` becomes true when L >= threshold and false when
 * L < threshold - hysteresis.
 *
 * Gain computer (reduction r in dB, >= 0):
 *   gate:            r = 0 when open, range when closed;
 *   gate, duck:      r = range when open, 0 when closed;
 *   expander:        r = min(range, (ratio - 1)(t - L)) for L < t, else 0
 *                    (downward expansion, GMR sec. 2.2: below t the output
 *                    falls `ratio` dB per dB), t = threshold while closed
 *                    and threshold - hysteresis while open;
 *   expander, duck:  r = min(range, (ratio - 1)(L - t)) for L > t, else 0.
 * Ballistics: smooth branching one-pole in dB (GMR eq. 16; src/dsp/dynamics.h).
 * `attack` acts when the reduction moves toward the key-present state
 * (opening a gate; engaging a duck), `release` the other way; times are the
 * 63 % times of a step, alpha = exp(-1 / (tau fs)).
 * Output: every channel multiplied by 10^(-r / 20).
 *
 * Smoothing: threshold, range, ratio and hysteresis ramp over 20 ms
 * (mxd_smooth); attack, release, hold and the key filters act on the
 * detector and the ballistics only, so they change at once without a step in
 * the gain. Silence in gives exact zeros out. Non-finite input samples leave
 * the state finite.
 *
 * Ownership: the core owns its window buffer (mxd_gate_core_activate
 * allocates it, mxd_gate_core_free releases it). Threads: activate/free/set on
 * the control thread; process on the audio thread (no allocation).
 */
#ifndef MIXDOWN_DSP_GATE_CORE_H
#define MIXDOWN_DSP_GATE_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/dynamics.h"
#include "dsp/smooth.h"

#define MXD_GATE_MAX_CH 16
#define MXD_GATE_CHUNK 256u
#define MXD_GATE_MAX_HOLD_MS 2000.0
#define MXD_GATE_MIN_WINDOW_MS 10.0

typedef enum {
	MXD_GC_THRESHOLD,
	MXD_GC_RANGE,
	MXD_GC_RATIO,
	MXD_GC_ATTACK,
	MXD_GC_HOLD,
	MXD_GC_RELEASE,
	MXD_GC_HYSTERESIS,
	MXD_GC_HPF,
	MXD_GC_LPF,
	MXD_GC_DUCK,
	MXD_GC_N
} mxd_gc_param;

typedef struct {
	bool expander;
	double v[MXD_GC_N];
	double rate; /* 0 until activated */
	uint32_t channels;
	mxd_smooth thr, range, ratio, hyst;
	double a_att, a_rel;
	uint32_t window; /* frames */
	bool hpf_on, lpf_on;
	mxd_bq_cascade hpf, lpf;
	mxd_bq_state hst[MXD_GATE_MAX_CH][MXD_BQ_MAX_SECTIONS];
	mxd_bq_state lst[MXD_GATE_MAX_CH][MXD_BQ_MAX_SECTIONS];
	mxd_dyn_peakwin win;
	bool open;
	double y; /* current reduction, dB */
	float det[MXD_GATE_MAX_CH][MXD_GATE_CHUNK];
} mxd_gate_core;

/* Values must be set (mxd_gate_core_set) for every parameter, then activate. */
void mxd_gate_core_init(mxd_gate_core *g, bool expander);
int mxd_gate_core_activate(mxd_gate_core *g, double rate, uint32_t channels);
void mxd_gate_core_set(mxd_gate_core *g, mxd_gc_param p, double v); /* v already range-checked */
void mxd_gate_core_reset(mxd_gate_core *g);
void mxd_gate_core_free(mxd_gate_core *g);
/* Returns the reduction (dB) at the last frame. */
double mxd_gate_core_process(mxd_gate_core *g, float *const *io, const float *const *key, uint32_t n);

#endif
