/* mixdown — DAWproject unit conversions (Project.xsd simpleType "unit").
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A RealParameter carries `value`, `min`, `max` and a required `unit` from the
 * enumeration linear | normalized | percent | decibel | hertz | semitones |
 * seconds | beats | bpm. mixdown keeps levels in dB, pans in -1..+1, times in
 * seconds (ms for processor times, converted by the caller), frequencies in Hz.
 * Pure functions; any thread.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interop/dawproject.h"

static const char *const unit_names[] = {"linear",    "normalized", "percent", "decibel", "hertz",
					 "semitones", "seconds",    "beats",   "bpm"};

dp_unit dp_unit_parse(const char *s)
{
	if (!s)
		return DP_UNIT_NONE;
	for (size_t i = 0; i < sizeof unit_names / sizeof unit_names[0]; i++)
		if (!strcmp(s, unit_names[i]))
			return (dp_unit)i;
	return DP_UNIT_UNKNOWN;
}

const char *dp_unit_name(dp_unit u)
{
	if (u >= 0 && u < DP_UNIT_UNKNOWN)
		return unit_names[u];
	return u == DP_UNIT_NONE ? "(none)" : "(unknown)";
}

/* Channel/Volume and Send/Volume: "linear" is an amplitude factor (Bitwig
 * writes 0..2, 1 = 0 dB), so dB = 20 log10(v); a factor of 0 is silence, which
 * mixdown stores as -144 dB. "decibel" is taken as it is. */
bool dp_volume_db(dp_unit u, double v, double *db)
{
	if (u == DP_UNIT_DECIBEL) {
		*db = v < -144.0 ? -144.0 : v;
		return true;
	}
	if (u == DP_UNIT_LINEAR) {
		*db = v > 1e-7 ? 20.0 * log10(v) : -144.0; /* 1e-7 = -140 dB: below that, silence */
		return true;
	}
	return false;
}

/* Channel/Pan: "normalized" is 0 (left) .. 0.5 (centre) .. 1 (right), so
 * pan = 2v - 1. "linear" and "percent" use the element's min/max when they
 * span a range (e.g. -1..1, -100..100), else -1..1 and -100..100. */
bool dp_pan(dp_unit u, double v, double min, double max, double *pan)
{
	double p;
	if (u == DP_UNIT_NORMALIZED)
		p = 2.0 * v - 1.0;
	else if ((u == DP_UNIT_LINEAR || u == DP_UNIT_PERCENT) && isfinite(min) && isfinite(max) && max > min)
		p = 2.0 * (v - min) / (max - min) - 1.0;
	else if (u == DP_UNIT_LINEAR)
		p = v;
	else if (u == DP_UNIT_PERCENT)
		p = v / 100.0;
	else
		return false;
	*pan = p < -1.0 ? -1.0 : p > 1.0 ? 1.0 : p;
	return true;
}

/* Thresholds and input/output gains of the built-in devices. */
bool dp_level_db(dp_unit u, double v, double *db)
{
	return dp_volume_db(u, v, db);
}

/* A DAWproject beat is a quarter note: Transport/Tempo counts quarter notes per
 * minute (unit "bpm") and Lanes timeUnit="beats" positions are in quarters. */
double dp_beats_to_seconds(double beats, double bpm)
{
	return beats * 60.0 / bpm;
}

bool dp_seconds(dp_unit u, double v, double bpm, double *s)
{
	if (u == DP_UNIT_SECONDS) {
		*s = v;
		return true;
	}
	if (u == DP_UNIT_BEATS && bpm > 0) {
		*s = dp_beats_to_seconds(v, bpm);
		return true;
	}
	return false;
}

bool dp_hertz(dp_unit u, double v, double *hz)
{
	if (u != DP_UNIT_HERTZ)
		return false;
	*hz = v;
	return true;
}

/* Compressor/Ratio, NoiseGate/Ratio: "linear" N for N:1; "percent" is read
 * as the share of the overshoot removed (100 % = limiting): N = 100/(100-p). */
bool dp_ratio(dp_unit u, double v, double *ratio)
{
	if (u == DP_UNIT_LINEAR) {
		*ratio = v;
		return true;
	}
	if (u == DP_UNIT_PERCENT) {
		*ratio = v >= 99.0 ? 100.0 : 100.0 / (100.0 - v);
		return true;
	}
	return false;
}

double dp_pan_normalized(double pan)
{
	return (pan + 1.0) / 2.0;
}

void dp_note(char (*list)[256], size_t *n, const char *fmt, ...)
{
	if (*n >= MIXDOWN_DAWPROJECT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(list[*n], 256, fmt, ap);
	va_end(ap);
	(*n)++;
}
