/* mixdown — real-time playback through JACK (the public mixdown_player_* of
 * mixdown.h; the ALSA fallback, player_alsa.c, runs the same cycle,
 * mxd_player_cycle, on its own thread): the engine runs in the JACK process callback, fed by the disk
 * thread (rt_disk.h) and steered by commands from the control and OSC threads
 * through a lock-free queue (rt_cmdq.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Audio thread (process()): pops commands, applies them (live gain/pan/mute,
 * play/stop/locate), runs the engine in blocks of at most MAX_BLOCK frames
 * straight into the JACK port buffers and publishes position and peak through
 * atomics. It never allocates, locks, waits or does I/O: the engine's track
 * inputs come from the disk thread's rings (mxd_engine_set_track_source).
 * After a locate (and at start) it outputs silence until every ring holds its
 * prefill, then plays from exactly the located frame.
 * Hot reload (rt_reload.h): everything built from one session (engine, disk
 * reader, strip table, meters) is a generation (rt_gen.h). The audio thread
 * plays `cur`; an edited session arrives as a new generation with a swap
 * frame, and from that frame both run for XFADE_MS while the output fades
 * from the old to the new one; then the old one goes back to a control thread
 * to be freed. Commands carry the generation their node index belongs to.
 * This file is the audio thread's part; the control API is in
 * player_control.c, open/close and reload in player_open.c (both control
 * thread); the shared state in player_internal.h. Command producers (control
 * and OSC thread) serialize on `qlock`, which the audio thread never touches.
 */
#include "realtime/player_internal.h"

/* ---- transport, bus outputs, live inputs (audio thread unless noted) */

/* Continue from `frame`: engine, disk stream (with the loop's wrap) and
 * silence until the rings hold their prefill. */
static void void_swap(mixdown_player *p);

static void seek(mixdown_player *p, int64_t frame)
{
	void_swap(p);
	p->pos = frame < 0 ? 0 : frame;
	mixdown_engine *e = p->cur->e;
	mxd_engine_locate(e, p->pos);
	int64_t wrap = mxd_rt_loop_seek(&p->loop, p->pos, mixdown_engine_latency(e));
	mxd_rt_disk_seek_loop(p->cur->disk, p->pos, wrap, p->loop.start);
	p->waiting = true;
}

/* The engine's track source: live inputs for `input:` tracks (this cycle's
 * JACK buffers, read on from where the last call stopped), else the disk. */
void mxd_player_track_source(void *user, size_t node, int64_t t, uint32_t n, float *const *dst, uint32_t channels)
{
	mxd_rt_gen *g = user; /* the generation whose engine asks */
	mixdown_player *p = g->host;
	const mxd_strip *st = &g->s->tracks[node];
	if (!st->n_inputs || !g->in_cursor) {
		mxd_rt_disk_source(g->disk, node, t, n, dst, channels);
		return;
	}
	/* After a locate the engine pre-rolls its latency first, reading more
	 * than a period: the excess is silence. */
	uint32_t at = g->in_cursor[node], m = at < p->in_frames ? p->in_frames - at : 0;
	m = m < n ? m : n;
	for (uint32_t c = 0; c < channels; c++) {
		/* A reloaded session may name inputs beyond the ports made at open. */
		const float *src = c < st->n_inputs && st->inputs[c] <= p->n_in ? p->in_buf[st->inputs[c] - 1] : NULL;
		uint32_t k = src ? m : 0;
		if (k)
			memcpy(dst[c], src + at, k * sizeof(float));
		memset(dst[c] + k, 0, (n - k) * sizeof(float));
	}
	g->in_cursor[node] = at + n;
}

/* Start of a cycle: the live input and bus output buffers; with
 * follow_transport, start/stop/locate as the JACK transport says. */
static void transport_cycle(mixdown_player *p, jack_nframes_t nframes)
{
	for (uint32_t i = 0; p->client && i < p->n_in; i++)
		p->in_buf[i] = jack_port_get_buffer(p->in_port[i], nframes);
	p->in_frames = p->client ? nframes : 0; /* ALSA: no live inputs (silence) */
	mxd_rt_gen *gens[2] = { p->cur, p->fading };
	for (int k = 0; k < 2; k++)
		if (gens[k] && gens[k]->in_cursor)
			memset(gens[k]->in_cursor, 0, gens[k]->s->n_tracks * sizeof *gens[k]->in_cursor);
	for (size_t i = 0; i < p->n_bus_ports; i++)
		p->bus_buf[i] = jack_port_get_buffer(p->bus_port[i], nframes);
	if (!p->follow)
		return;
	jack_position_t jp;
	jack_transport_state_t js = jack_transport_query(p->client, &jp); /* real-time safe */
	mxd_rt_tp_state ts = js == JackTransportRolling ? MXD_RT_TP_ROLLING
			     : js == JackTransportStopped ? MXD_RT_TP_STOPPED : MXD_RT_TP_STARTING;
	unsigned a = mxd_rt_follow(ts, jp.frame, p->playing, p->pos);
	if (a & MXD_RT_FOLLOW_STOP) {
		p->playing = false;
		void_swap(p); /* as MXD_RT_STOP: a reload waiting for its frame starts again */
	}
	if (a & MXD_RT_FOLLOW_LOCATE)
		seek(p, jp.frame);
	if (a & MXD_RT_FOLLOW_PLAY)
		p->playing = true;
}

/* JACK's slow-sync callback (process thread, before process): locate to
 * where the transport will start and hold it in Starting until the disk
 * streams are filled, so playback starts exactly with the transport. */
int mxd_player_on_sync(jack_transport_state_t state, jack_position_t *jp, void *arg)
{
	(void)state;
	mixdown_player *p = arg;
	if ((int64_t)jp->frame != p->pos)
		seek(p, jp->frame);
	if (p->waiting && mxd_rt_disk_ready(p->cur->disk))
		p->waiting = false;
	return !p->waiting;
}

/* The engine's block [off, off + m) of the cycle is in out: copy the buses'
 * post-fader taps to their ports, de-click a loop wrap, and wrap. */
static void transport_block(mixdown_player *p, float *const *out, uint32_t off, uint32_t m)
{
	const mxd_session *s = p->cur->s;
	for (size_t i = 0; i < p->n_bus_ports; i++) {
		/* Ports are made at open; a reloaded session may have fewer buses. */
		if (i / p->channels >= s->n_buses) {
			memset(p->bus_buf[i] + off, 0, m * sizeof(float));
			continue;
		}
		const float *const *tap = mxd_engine_tap(p->cur->e, s->n_tracks + i / p->channels);
		memcpy(p->bus_buf[i] + off, tap[i % p->channels], m * sizeof(float));
	}
	if (mxd_rt_loop_gains(&p->loop, p->pos, m, p->loop_gain)) {
		for (uint32_t ch = 0; ch < p->channels; ch++)
			for (uint32_t k = 0; k < m; k++)
				out[ch][off + k] *= p->loop_gain[k];
		for (size_t i = 0; i < p->n_bus_ports; i++)
			for (uint32_t k = 0; k < m; k++)
				p->bus_buf[i][off + k] *= p->loop_gain[k];
	}
	p->pos += m;
	if (mxd_rt_loop_wrap(&p->loop, &p->pos)) {
		void_swap(p); /* the wrap is faded out and in: a crossfade may end here */
		mxd_engine_locate(p->cur->e, p->pos); /* tails carry over; the disk stream already wrapped */
	}
}

/* ---- generations: swap and crossfade (audio thread) */

/* Hand back a swap not yet done (rejected) or a crossfade in progress (the
 * old generation goes at once): after a locate, stop or loop wrap. */
static void void_swap(mixdown_player *p)
{
	p->locates++;
	if (p->next) {
		p->next->rejected = true;
		mxd_rt_reload_retire(&p->reload, p->next);
		p->next = NULL;
	}
	if (p->fading) {
		mxd_rt_reload_retire(&p->reload, p->fading);
		p->fading = NULL;
	}
}

/* Start of a cycle: a generation handed over by rt_reload.c is refused when
 * its swap frame has passed or a locate/stop came after it was chosen; while
 * the output is silent and it starts here, it replaces the current one at
 * once; otherwise it waits for its frame. */
static void take_pending(mixdown_player *p)
{
	if (p->next || p->fading)
		return; /* one swap at a time (a reload waits for the previous one) */
	mxd_rt_gen *g = mxd_rt_reload_take(&p->reload);
	if (!g)
		return;
	if (g->locates != p->locates || g->swap_at < p->pos) {
		g->rejected = true;
		mxd_rt_reload_retire(&p->reload, g);
	} else if ((!p->playing || p->waiting) && g->swap_at == p->pos) {
		mxd_rt_reload_retire(&p->reload, p->cur);
		p->cur = g;
	} else {
		p->next = g;
	}
}

/* How many of the next m frames run before a pending swap (a block ends at
 * the swap frame); at the swap frame the crossfade starts. */
static uint32_t swap_span(mixdown_player *p, uint32_t m)
{
	if (!p->next)
		return m;
	int64_t d = p->next->swap_at - p->pos;
	if (d > 0)
		return d < m ? (uint32_t)d : m;
	p->fading = p->cur;
	p->cur = p->next;
	p->next = NULL;
	p->xf_pos = 0;
	return m;
}

/* Both generations rendered the same timeline frames from the same files, so
 * their outputs are strongly correlated; a linear (equal-gain) crossfade,
 * whose gains sum to 1, keeps the level of correlated signals steady, while
 * an equal-power fade (for uncorrelated signals) would bulge by up to 3 dB
 * mid-fade (U. Zölzer (ed.), DAFX: Digital Audio Effects, 2nd ed., Wiley
 * 2011). blk holds the new generation's block; the old one is mixed in. */
static void crossfade(mixdown_player *p, float *const *blk, uint32_t m)
{
	mixdown_engine_process(p->fading->e, p->xf_buf, m, NULL);
	uint32_t n = m < p->xf_len - p->xf_pos ? m : p->xf_len - p->xf_pos;
	for (uint32_t ch = 0; ch < p->channels; ch++)
		for (uint32_t i = 0; i < n; i++) {
			float g = ((float)(p->xf_pos + i) + 0.5f) / (float)p->xf_len;
			blk[ch][i] = g * blk[ch][i] + (1.0f - g) * p->xf_buf[ch][i];
		}
	p->xf_pos += n;
	if (p->xf_pos == p->xf_len) {
		mxd_rt_reload_retire(&p->reload, p->fading);
		p->fading = NULL;
	}
}

/* One engine block of the cycle into blk (m <= MAX_BLOCK frames). */
static void run_block(mixdown_player *p, float *const *blk, uint32_t m)
{
	mixdown_engine_process(p->cur->e, blk, m, NULL); /* fails only for m > max_block */
	if (p->fading)
		crossfade(p, blk, m);
}

/* Node commands go to the engine of the generation they were resolved in
 * (0: untagged, the current one); others are dropped (node indexes differ). */
static mixdown_engine *engine_of(mixdown_player *p, uint32_t gen)
{
	if (gen == 0 || gen == p->cur->id)
		return p->cur->e;
	if (p->fading && gen == p->fading->id)
		return p->fading->e;
	return NULL;
}

static void apply(mixdown_player *p, const mxd_rt_cmd *c)
{
	mixdown_engine *e = engine_of(p, c->gen);
	switch (c->kind) {
	case MXD_RT_PLAY: p->playing = true; break;
	case MXD_RT_STOP:
		p->playing = false;
		void_swap(p);
		break;
	case MXD_RT_LOCATE: seek(p, (int64_t)c->value); break;
	case MXD_RT_LOOP_START: p->loop.pend_start = (int64_t)c->value; break;
	case MXD_RT_LOOP_END:
		mxd_rt_loop_set(&p->loop, p->loop.pend_start, (int64_t)c->value);
		seek(p, p->pos); /* tells the disk thread where to wrap */
		break;
	case MXD_RT_GAIN: if (e) mxd_engine_live_gain(e, c->node, c->value); break;
	case MXD_RT_PAN: if (e) mxd_engine_live_pan(e, c->node, c->value); break;
	case MXD_RT_MUTE: if (e) mxd_engine_live_mute(e, c->node, c->value >= 0.5); break;
	case MXD_RT_SOLO: if (e) mxd_engine_live_solo(e, c->node, c->value >= 0.5); break;
	case MXD_RT_SEND: if (e) mxd_engine_live_send(e, c->node, c->index, c->value); break;
	case MXD_RT_INSERT: if (e) mxd_engine_live_insert(e, c->node, c->index, c->slot, c->value); break;
	case MXD_RT_POLARITY: if (e) mxd_engine_live_polarity(e, c->node, c->value >= 0.5); break;
	case MXD_RT_BYPASS: if (e) mxd_engine_live_bypass(e, c->node, c->index, c->value >= 0.5); break;
	case MXD_RT_WIDTH: if (e) mxd_engine_live_width(e, c->node, c->value); break;
	}
}

static void publish_peak(mixdown_player *p, float peak)
{
	uint32_t old = atomic_load_explicit(&p->peak_bits, memory_order_relaxed);
	while (peak > mxd_bits_float(old) &&
	       !atomic_compare_exchange_weak_explicit(&p->peak_bits, &old, mxd_float_bits(peak), memory_order_relaxed,
						      memory_order_relaxed))
		;
}

/* Audio thread, end of a cycle: strip meters and master loudness feed (the
 * caller adds the cycle's DSP load). */
static void meter_cycle(mixdown_player *p, float *const *out, uint32_t nframes, bool ran)
{
	mxd_rt_meters_update(p->cur->meters, p->cur->e, nframes, ran);
	mxd_rt_loudness_push(p->loud, (const float *const *)out, nframes);
}

void mxd_player_cycle(mixdown_player *p, float *const *out, uint32_t nframes)
{
	mxd_rt_cmd c;
	while (mxd_rt_cmdq_pop(&p->q, &c))
		apply(p, &c);
	transport_cycle(p, nframes);
	take_pending(p);
	/* Checked even when stopped: it also drains stale rings after a locate,
	 * which the disk thread waits for before refilling. */
	if (p->waiting && mxd_rt_disk_ready(p->cur->disk))
		p->waiting = false;
	bool ran = p->playing && !p->waiting;
	if (!ran) {
		for (uint32_t ch = 0; ch < p->channels; ch++)
			memset(out[ch], 0, nframes * sizeof(float));
		for (size_t i = 0; i < p->n_bus_ports; i++)
			memset(p->bus_buf[i], 0, nframes * sizeof(float));
	} else {
		for (uint32_t off = 0; off < nframes;) {
			uint32_t m = nframes - off < MAX_BLOCK ? nframes - off : MAX_BLOCK;
			m = mxd_rt_loop_span(&p->loop, p->pos, m); /* a block ends at the loop's end */
			m = swap_span(p, m);                       /* ... and at a reload's swap frame */
			float *blk[MXD_MAX_CHANNELS];
			for (uint32_t ch = 0; ch < p->channels; ch++)
				blk[ch] = out[ch] + off;
			run_block(p, blk, m);
			transport_block(p, out, off, m); /* advances pos */
			off += m;
		}
		float peak = 0.0f;
		for (uint32_t ch = 0; ch < p->channels; ch++)
			for (uint32_t i = 0; i < nframes; i++)
				peak = fabsf(out[ch][i]) > peak ? fabsf(out[ch][i]) : peak;
		publish_peak(p, peak);
	}
	atomic_store_explicit(&p->pub_pos, p->pos, memory_order_relaxed);
	atomic_store_explicit(&p->pub_playing, p->playing, memory_order_relaxed);
	atomic_store_explicit(&p->pub_waiting, p->waiting, memory_order_relaxed);
	atomic_store_explicit(&p->pub_locates, p->locates, memory_order_release);
	meter_cycle(p, out, nframes, ran);
}

/* JACK's process callback: the cycle into the port buffers, timed with
 * jack_get_time() (µs) for the DSP load. */
int mxd_player_process(jack_nframes_t nframes, void *arg)
{
	jack_time_t t_in = jack_get_time();
	mixdown_player *p = arg;
	if (p->guard.enter)
		p->guard.enter();
	float *out[MXD_MAX_CHANNELS];
	if (p->bin) { /* --binaural: the master into scratch, the ears to the two ports */
		mxd_player_binaural_process(p, nframes);
	} else {
		for (uint32_t ch = 0; ch < p->channels; ch++)
			out[ch] = jack_port_get_buffer(p->port[ch], nframes);
		mxd_player_cycle(p, out, nframes);
	}
	double period_s = nframes / p->rate;
	mxd_rt_load_add(&p->load, (double)(jack_get_time() - t_in), period_s * 1e6, period_s);
	if (p->guard.leave)
		p->guard.leave();
	return 0;
}

int mxd_player_on_xrun(void *arg)
{
	mixdown_player *p = arg;
	atomic_fetch_add_explicit(&p->xruns, 1, memory_order_relaxed);
	return 0;
}
