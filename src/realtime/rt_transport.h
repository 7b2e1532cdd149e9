/* mixdown — transport logic of the real-time player (player.c): the loop
 * (where the stream wraps, how a block is split at the wrap, the fades around
 * it) and following the JACK transport, as plain state and decisions so they
 * can be tested without a JACK server.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Positions are timeline frames of the session (0 = the session's 0 s) at
 * the session rate; "pos" is the frame of the next output sample.
 *
 * Loop: when output reaches `end` while the loop is armed, the player locates
 * the engine at `start` (mxd_engine_locate: state such as reverb tails and
 * compressor envelopes carries over, like a tape loop; nothing is reset) and
 * the disk stream, which was told at the last seek to continue from `start`
 * after `end + latency` (mxd_rt_disk_seek_loop), already holds the frames
 * that follow, so there is no gap. A loop is armed when it lies ahead of the
 * position of the last seek (a locate past its end plays on). The wrap is
 * de-clicked by a raised-cosine fade-out over the last MXD_RT_LOOP_FADE_S
 * before `end` and a fade-in over the same time after the wrap (not a
 * crossfade: the material after `end` is never produced).
 *
 * Everything here runs on the audio thread (no allocation, locks or I/O),
 * except mxd_rt_loop_init (any thread, before use).
 */
#ifndef MIXDOWN_REALTIME_RT_TRANSPORT_H
#define MIXDOWN_REALTIME_RT_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#define MXD_RT_LOOP_FADE_S 0.005 /* s, each of the fade-out and fade-in at a wrap */

typedef struct {
	int64_t start, end;  /* frames; end <= start = no loop */
	uint32_t fade;       /* frames of each fade at the session rate */
	bool armed;          /* the stream wraps at `end` (set by mxd_rt_loop_seek) */
	bool wrapped;        /* output since the last wrap: the fade-in applies */
	int64_t pend_start;  /* a loop start received, waiting for its end */
} mxd_rt_loop;

void mxd_rt_loop_init(mxd_rt_loop *l, double rate);
/* A new loop [start, end) (end <= start: off). The caller then re-seeks the
 * stream at its position (mxd_rt_loop_seek) so the disk thread knows. */
void mxd_rt_loop_set(mxd_rt_loop *l, int64_t start, int64_t end);
/* At every seek to `frame`: arms the loop if it lies ahead and returns the
 * frame after which the input stream continues at `start` (end + latency:
 * the engine reads its input `latency` frames ahead of its output), or -1. */
int64_t mxd_rt_loop_seek(mxd_rt_loop *l, int64_t frame, uint32_t latency);
/* How many of the next n frames from pos may run before the wrap (1..n). */
uint32_t mxd_rt_loop_span(const mxd_rt_loop *l, int64_t pos, uint32_t n);
/* The fade gains of output frames [pos, pos + n) into g[0..n-1]; false (g
 * untouched) when they are all 1. */
bool mxd_rt_loop_gains(mxd_rt_loop *l, int64_t pos, uint32_t n, float *g);
/* After a block: if *pos reached the armed loop's end, *pos = start and
 * true (the caller locates the engine there). */
bool mxd_rt_loop_wrap(mxd_rt_loop *l, int64_t *pos);

/* ---- following the JACK transport (jack_transport_query's state). */
typedef enum { MXD_RT_TP_STOPPED, MXD_RT_TP_STARTING, MXD_RT_TP_ROLLING } mxd_rt_tp_state;

enum {
	MXD_RT_FOLLOW_PLAY = 1,   /* start playing */
	MXD_RT_FOLLOW_STOP = 2,   /* stop */
	MXD_RT_FOLLOW_LOCATE = 4, /* locate to the transport's frame */
};

/* What the player does this cycle, given the transport's state and frame and
 * its own: stopped or starting, it goes (stopped) wherever the transport is;
 * when the transport rolls it plays from there. While both roll, the frames
 * are not compared (a loop wraps the player but not the transport); a
 * relocation while rolling goes through the Starting state. A bit set. */
unsigned mxd_rt_follow(mxd_rt_tp_state st, int64_t tp_frame, bool playing, int64_t pos);

#endif
