/* mixdown — the real-time player's master loudness meter (rt_loudness.h):
 * audio thread -> ring -> meter thread -> libebur128 -> atomics.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Channel weights: BS.1770-4 table 3 of the session's layout when it has the
 * output's channel count (a 5.1.2 is not a 7.1), else of the layout the
 * channel count implies (spatial/chanweight.h: 6 = 5.1, 8 = 7.1, 10 = 5.1.4,
 * 12 = 7.1.4), else
 * libebur128's default map (L, R, C, LFE unused, Ls, Rs; a mono master counts
 * once, weight 1.0).
 */
#include <ebur128.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "realtime/rt_loudness.h"
#include "realtime/rt_ring.h"
#include "spatial/chanweight.h"

#define RING_FRAMES 65536u /* about 1.4 s at 48 kHz */
#define CHUNK 4096u        /* frames per hand-over to libebur128 */
#define POLL_NS 20000000L  /* meter thread period: 20 ms */

struct mxd_rt_loudness {
	uint32_t channels;
	mxd_rt_ring ring;
	ebur128_state *st;
	pthread_t thread;
	bool started;
	_Atomic bool quit;
	_Atomic double m, s, i;    /* LUFS */
	_Atomic double tp;         /* dBTP, the highest since the meter started */
	_Atomic uint64_t dropped;  /* frames the ring had no room for */
	float *planar[MXD_MAX_CHANNELS];
	float *inter;              /* CHUNK interleaved frames */
};

/* Drain the ring into libebur128; true if anything was measured. */
static bool drain(mxd_rt_loudness *l)
{
	bool any = false;
	uint64_t fill;
	while ((fill = mxd_rt_ring_fill(&l->ring)) > 0) {
		uint32_t n = fill < CHUNK ? (uint32_t)fill : CHUNK;
		mxd_rt_ring_read(&l->ring, l->planar, n);
		for (uint32_t c = 0; c < l->channels; c++)
			for (uint32_t k = 0; k < n; k++)
				l->inter[(size_t)k * l->channels + c] = l->planar[c][k];
		ebur128_add_frames_float(l->st, l->inter, n);
		any = true;
	}
	return any;
}

static double lufs_or_inf(int rc, double v) { return rc == EBUR128_SUCCESS && isfinite(v) ? v : -INFINITY; }

static void publish(mxd_rt_loudness *l)
{
	double v = 0;
	int rc = ebur128_loudness_momentary(l->st, &v);
	atomic_store_explicit(&l->m, lufs_or_inf(rc, v), memory_order_relaxed);
	rc = ebur128_loudness_shortterm(l->st, &v);
	atomic_store_explicit(&l->s, lufs_or_inf(rc, v), memory_order_relaxed);
	rc = ebur128_loudness_global(l->st, &v);
	atomic_store_explicit(&l->i, lufs_or_inf(rc, v), memory_order_relaxed);
	/* libebur128's true peak: 4x oversampled below 96 kHz (ITU-R BS.1770-4
	 * Annex 2), the maximum since the start; the highest channel counts. */
	double peak = 0;
	for (uint32_t c = 0; c < l->channels; c++)
		if (ebur128_true_peak(l->st, c, &v) == EBUR128_SUCCESS && v > peak)
			peak = v;
	atomic_store_explicit(&l->tp, peak > 0 ? 20.0 * log10(peak) : -INFINITY, memory_order_relaxed);
}

static void *meter_main(void *arg)
{
	mxd_rt_loudness *l = arg;
	const struct timespec ts = { 0, POLL_NS };
	while (!atomic_load_explicit(&l->quit, memory_order_acquire)) {
		if (drain(l))
			publish(l);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

mxd_rt_loudness *mxd_rt_loudness_new(uint32_t channels, double rate, const mxd_layout *layout)
{
	if (channels < 1 || channels > MXD_MAX_CHANNELS)
		return NULL;
	mxd_rt_loudness *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->channels = channels;
	atomic_init(&l->quit, false);
	atomic_init(&l->m, -INFINITY);
	atomic_init(&l->s, -INFINITY);
	atomic_init(&l->i, -INFINITY);
	atomic_init(&l->tp, -INFINITY);
	atomic_init(&l->dropped, 0);
	bool ok = mxd_rt_ring_init(&l->ring, channels, RING_FRAMES) == 0;
	for (uint32_t c = 0; ok && c < channels; c++)
		ok = (l->planar[c] = malloc(CHUNK * sizeof(float))) != NULL;
	ok = ok && (l->inter = malloc((size_t)CHUNK * channels * sizeof(float)));
	ok = ok && (l->st = ebur128_init(channels, (unsigned long)lround(rate),
					 EBUR128_MODE_M | EBUR128_MODE_S | EBUR128_MODE_I | EBUR128_MODE_HISTOGRAM |
						 EBUR128_MODE_TRUE_PEAK));
	const mxd_layout *lay = channels <= 2 ? NULL
				: layout && layout->channels == channels ? layout
									 : mxd_layout_for_channels(channels);
	if (ok && lay)
		mxd_bs1770_set_ebur128(l->st, lay);
	ok = ok && pthread_create(&l->thread, NULL, meter_main, l) == 0;
	l->started = ok;
	if (!ok) {
		mxd_rt_loudness_free(l);
		return NULL;
	}
	return l;
}

void mxd_rt_loudness_free(mxd_rt_loudness *l)
{
	if (!l)
		return;
	if (l->started) {
		atomic_store_explicit(&l->quit, true, memory_order_release);
		pthread_join(l->thread, NULL);
	}
	if (l->st)
		ebur128_destroy(&l->st);
	mxd_rt_ring_free(&l->ring);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++)
		free(l->planar[c]);
	free(l->inter);
	free(l);
}

void mxd_rt_loudness_push(mxd_rt_loudness *l, const float *const *out, uint32_t n)
{
	uint64_t space = mxd_rt_ring_space(&l->ring);
	uint32_t w = space < n ? (uint32_t)space : n;
	if (w)
		mxd_rt_ring_write(&l->ring, out, w);
	if (w < n)
		atomic_fetch_add_explicit(&l->dropped, n - w, memory_order_relaxed);
}

void mxd_rt_loudness_get(const mxd_rt_loudness *l, double *momentary, double *short_term, double *integrated,
			 uint64_t *dropped)
{
	*momentary = atomic_load_explicit(&l->m, memory_order_relaxed);
	*short_term = atomic_load_explicit(&l->s, memory_order_relaxed);
	*integrated = atomic_load_explicit(&l->i, memory_order_relaxed);
	if (dropped)
		*dropped = atomic_load_explicit(&l->dropped, memory_order_relaxed);
}

double mxd_rt_loudness_true_peak(const mxd_rt_loudness *l)
{
	return atomic_load_explicit(&l->tp, memory_order_relaxed);
}
