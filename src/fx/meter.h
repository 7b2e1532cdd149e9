/* mixdown — named meter readings that processors publish, and the generic way to read them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A processor class may list readings in mxd_fx_class.meters / n_meters
 * (zero-initialised = none): each mxd_meter names one float that the
 * instance's run() keeps current ("peak_db", "momentary_lufs",
 * "correlation", ...). The value lives inside the instance struct as an
 * mxd_meter_value (an _Atomic float) at byte offset `offset`; run() writes it
 * with a relaxed atomic store (mxd_meter_store) at the end of every block, so
 * any thread may read it at any time without locks and never sees a torn
 * value. Relaxed order is enough: each reading is independent, a meter only
 * needs "recent", and readings of one block are not promised to be read as a
 * set.
 *
 * Dynamics processors with the gain-reduction meter of fx/meter_gr.h
 * (compressor, gate, expander, deesser) publish it here as
 * "gain_reduction_db" (dB, >= 0) without any table of their own: the lookup
 * below adds that entry for every class mxd_fx_class_has_gain_reduction()
 * names, so mxd_fx_gain_reduction_db() and this API read the same float.
 *
 * Conventions for readings: levels in dBFS / LUFS / dB as floats;
 * -INFINITY means "no signal" (digital silence); a reading that is not
 * measured in the current configuration (e.g. true peak switched off) is also
 * -INFINITY. Values before the first run() and after reset() are those of
 * silence.
 *
 * The metering processors (meter, loudness_meter, correlation_meter; see
 * docs/effects.md "Meters") pass their audio through untouched, bit for bit:
 * a meter can sit anywhere in a chain of inserts on a track, bus or the
 * master. Their readings pool the channels (peak: the loudest channel);
 * a per-channel meter is an insert with `channels: left` / `right`.
 *
 * Ownership: tables are static and immutable. Reading an instance requires
 * that it is alive (not destroyed); the reader owns nothing.
 * Threads: every function here may be called from any thread, concurrently
 * with run(); they never allocate or block.
 */
#ifndef MIXDOWN_FX_METER_H
#define MIXDOWN_FX_METER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "dsp/biquad.h"
#include "fx/processor.h"

typedef _Atomic float mxd_meter_value;

struct mxd_meter {
	const char *name;  /* e.g. "peak_db"; unique within the class */
	const char *unit;  /* "dBFS", "dBTP", "LUFS", "dB", "" */
	const char *help;  /* one line for documentation and user interfaces */
	size_t offset;     /* offsetof(<instance struct>, <mxd_meter_value member>) */
};

/* Audio thread: publish a reading. */
static inline void mxd_meter_store(mxd_meter_value *v, double x)
{
	atomic_store_explicit(v, (float)x, memory_order_relaxed);
}

/* Readings of a class: its own table, or "gain_reduction_db" for the
 * dynamics processors of fx/meter_gr.h. at() returns NULL out of range;
 * find() returns the index or -1. */
size_t mxd_fx_class_meter_count(const mxd_fx_class *cls);
const mxd_meter *mxd_fx_class_meter_at(const mxd_fx_class *cls, size_t i);
long mxd_fx_class_meter_find(const mxd_fx_class *cls, const char *name);

/* The same on an instance (NULL-safe: count 0, name NULL, find -1). */
size_t mxd_fx_meter_count(const mxd_fx *fx);
const char *mxd_fx_meter_name(const mxd_fx *fx, size_t i);
long mxd_fx_meter_find(const mxd_fx *fx, const char *name);

/* Current value of reading i of fx; NAN if fx is NULL or i out of range. */
double mxd_fx_meter_read(const mxd_fx *fx, size_t i);

/* Convenience: the reading called `name`; NAN if fx has none. */
double mxd_fx_meter_get(const mxd_fx *fx, const char *name);

/* ---- helpers shared by the metering processors (fx_meter_*.c) ---- */

/* Metering processors integrate over sub-blocks of round(fs / 100) frames
 * (10 ms at 44.1 / 48 / 96 kHz), the cadence at which they refresh windowed
 * readings (RMS, loudness): EBU Tech 3341 asks for at least 10 Hz. */
#define MXD_METER_SUB_PER_S 100
#define MXD_METER_MAX_SUBS 300 /* longest window: 3 s (short-term loudness) */

/* Frames per sub-block at `rate` (>= 1). */
unsigned mxd_meter_sub_frames(double rate);

/* 20 log10(a) for an amplitude, 10 log10(p) for a power; -INFINITY at 0. */
double mxd_meter_amp_db(double a);
double mxd_meter_pow_db(double p);

/* The K-weighting filter of ITU-R BS.1770-4 (Annex 1: the "pre-filter" high
 * shelf, then the "RLB" high-pass) designed for `rate` (fx_meter_loudness.c).
 * At 48 kHz it reproduces the coefficients of Tables 1 and 2 of the standard. */
void mxd_kweight_design(double rate, mxd_biquad *shelf, mxd_biquad *highpass);

/* BS.1770-4 channel weight of channel c (0-based) of a `channels`-channel
 * strip in WAV/SMPTE order (as mixdown.h documents for analysis): 1.0 for
 * L, R, C and mono, 1.41 for the surrounds at +-110 / +-90 degrees, 0 for LFE,
 * 1.0 for back channels (7.1 backs at +-135 degrees, 6.1 back centre). */
double mxd_kweight_channel_weight(unsigned channels, unsigned c);

#endif
