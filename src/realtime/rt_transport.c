/* mixdown — transport logic of the real-time player: loop and JACK transport
 * following (see rt_transport.h). Audio thread; no allocation, locks or I/O.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "realtime/rt_transport.h"

#include <math.h>

void mxd_rt_loop_init(mxd_rt_loop *l, double rate)
{
	*l = (mxd_rt_loop){ .start = 0, .end = 0, .pend_start = 0 };
	l->fade = (uint32_t)lround(MXD_RT_LOOP_FADE_S * rate);
}

void mxd_rt_loop_set(mxd_rt_loop *l, int64_t start, int64_t end)
{
	l->start = start < 0 ? 0 : start;
	l->end = end;
	l->armed = l->wrapped = false;
}

int64_t mxd_rt_loop_seek(mxd_rt_loop *l, int64_t frame, uint32_t latency)
{
	l->wrapped = false;
	l->armed = l->end > l->start && frame < l->end;
	return l->armed ? l->end + latency : -1;
}

uint32_t mxd_rt_loop_span(const mxd_rt_loop *l, int64_t pos, uint32_t n)
{
	if (l->armed && pos < l->end && l->end - pos < (int64_t)n)
		return (uint32_t)(l->end - pos);
	return n;
}

/* Raised cosine (Hann half-window) from 0 at x = 0 to 1 at x = 1: its slope
 * is zero at both ends, so the fade adds no click of its own. */
static float rise(double x)
{
	return (float)(0.5 - 0.5 * cos(M_PI * x));
}

bool mxd_rt_loop_gains(mxd_rt_loop *l, int64_t pos, uint32_t n, float *g)
{
	if (!l->armed || l->fade == 0)
		return false;
	/* A loop shorter than both fades gets shorter fades. */
	int64_t f = l->fade, len = l->end - l->start;
	if (2 * f > len)
		f = len / 2;
	if (f <= 0)
		return false;
	int64_t out0 = l->end - f, in1 = l->start + f;
	bool fade_in = l->wrapped && pos < in1;
	if (l->wrapped && pos >= in1)
		l->wrapped = false; /* past the fade-in until the next wrap */
	if (!fade_in && pos + n <= out0)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		int64_t t = pos + (int64_t)i;
		float gi = 1.0f;
		if (t >= out0 && t < l->end)
			gi = rise((double)(l->end - t - 1) / (double)f); /* the last frame before the wrap is 0 */
		if (fade_in && t >= l->start && t < in1)
			gi *= rise((double)(t - l->start) / (double)f); /* the first frame after it is 0 */
		g[i] = gi;
	}
	return true;
}

bool mxd_rt_loop_wrap(mxd_rt_loop *l, int64_t *pos)
{
	if (!l->armed || *pos != l->end)
		return false;
	*pos = l->start;
	l->wrapped = true;
	return true;
}

unsigned mxd_rt_follow(mxd_rt_tp_state st, int64_t tp_frame, bool playing, int64_t pos)
{
	switch (st) {
	case MXD_RT_TP_ROLLING:
		return playing ? 0u : MXD_RT_FOLLOW_PLAY | (tp_frame != pos ? MXD_RT_FOLLOW_LOCATE : 0u);
	case MXD_RT_TP_STARTING:
	case MXD_RT_TP_STOPPED:
	default:
		return (playing ? MXD_RT_FOLLOW_STOP : 0u) | (tp_frame != pos ? MXD_RT_FOLLOW_LOCATE : 0u);
	}
}
