/* mixdown — the tempo map: bar:beat positions to seconds.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sections start at whole bars (bar_start, 1-based); the first starts at bar 1.
 * A beat is the meter's denominator note (beat_unit) and bpm counts those
 * beats, so a bar of a section lasts beats_per_bar * 60 / bpm seconds. A tempo
 * or meter change takes effect at the start of its bar.
 */
#ifndef MIXDOWN_SESSION_TIMELINE_H
#define MIXDOWN_SESSION_TIMELINE_H

#include <stddef.h>

#include "session/model.h"

/* Fill every section's `seconds` from the bars and tempos before it. The
 * sections must be sorted by bar_start, the first at bar 1. */
void mxd_timeline_prepare(mxd_tempo_section *t, size_t n);

/* The section in effect at `bar` (>= 1): the last one starting at or before it. */
const mxd_tempo_section *mxd_timeline_section(const mxd_tempo_section *t, size_t n, double bar);

/* Seconds at `beat` (1-based, fractional allowed, 1 = downbeat) of `bar`
 * (1-based, whole): the start of the bar plus (beat - 1) beats at the
 * section's tempo. n must be >= 1. */
double mxd_timeline_seconds(const mxd_tempo_section *t, size_t n, double bar, double beat);

#endif
