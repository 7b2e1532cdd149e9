/* mixdown — the tempo map: bar:beat positions to seconds.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session/timeline.h"

static double bar_seconds(const mxd_tempo_section *s)
{
	return (double)s->beats_per_bar * 60.0 / s->bpm;
}

void mxd_timeline_prepare(mxd_tempo_section *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t[i].seconds = i == 0 ? 0.0
				      : t[i - 1].seconds +
						(t[i].bar_start - t[i - 1].bar_start) * bar_seconds(&t[i - 1]);
}

const mxd_tempo_section *mxd_timeline_section(const mxd_tempo_section *t, size_t n, double bar)
{
	if (n == 0)
		return NULL;
	size_t k = 0;
	while (k + 1 < n && t[k + 1].bar_start <= bar)
		k++;
	return &t[k];
}

double mxd_timeline_seconds(const mxd_tempo_section *t, size_t n, double bar, double beat)
{
	const mxd_tempo_section *s = mxd_timeline_section(t, n, bar);
	return s->seconds + (bar - s->bar_start) * bar_seconds(s) + (beat - 1.0) * 60.0 / s->bpm;
}
