/* mixdown — internal view of the engine (the public part is mixdown_engine_*
 * in mixdown.h): stem taps for the renderer.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A tap is the post-fader, post-pan output of one track or bus, delayed so it
 * lines up sample for sample with the master output (the stems of the strips
 * that feed the master sum to the master's input). Taps are enabled before the
 * first mixdown_engine_process() call; afterwards, each process call leaves
 * the tap's block for the same frames in mxd_engine_tap(). Control thread only.
 */
#ifndef MIXDOWN_GRAPH_ENGINE_H
#define MIXDOWN_GRAPH_ENGINE_H

#include "mixdown/mixdown.h"

/* node: 0..T-1 tracks, T..T+B-1 buses (session order). */
mixdown_status mxd_engine_enable_tap(mixdown_engine *e, size_t node);
const float *const *mxd_engine_tap(const mixdown_engine *e, size_t node);
/* NaN/Inf samples replaced while reading the inputs so far. */
uint64_t mxd_engine_input_nonfinite(const mixdown_engine *e);

/* Render timeline frames [start_s, end_s) (seconds; end_s < 0 = the session's
 * end) instead of the session's range. Call before the first process call.
 * Everything from 0 to start_s runs as pre-roll, so state (tails, envelopes)
 * is exactly that of a full render. */
void mxd_engine_set_range(mixdown_engine *e, double start_s, double end_s);

/* ---- real-time host hooks (src/realtime). All but set_track_source are
 * called on the audio thread between process calls; none allocates. */

/* Supplies a track's input (its clips, summed) for timeline frames [t, t + n)
 * into dst[0..channels-1] instead of the engine reading the clips itself, so a
 * host can stream the files on a disk thread. node: the track's index. */
typedef void (*mxd_track_source_fn)(void *user, size_t node, int64_t t, uint32_t n, float *const *dst,
				    uint32_t channels);
/* Control thread, while no other thread runs the engine: before the first
 * process call, or after process calls that read the clips itself (a warm-up
 * before real-time play; the source only replaces where inputs come from). */
void mxd_engine_set_track_source(mixdown_engine *e, mxd_track_source_fn fn, void *user);
/* A node's input channels (a track: its widest clip). */
uint32_t mxd_engine_node_channels(const mixdown_engine *e, size_t node);
/* Continue from timeline frame `frame`: the next output frame is that frame
 * (state such as reverb tails carries over, as on a tape machine). */
void mxd_engine_locate(mixdown_engine *e, int64_t frame);
/* Live fader (dB), mute and pan (-1..+1) of a node, overriding the session:
 * gain and mute ramp over 10 ms, a pan change ramps over the next block.
 * Ignored where an automation lane drives the same target. */
void mxd_engine_live_gain(mixdown_engine *e, size_t node, double gain_db);
void mxd_engine_live_mute(mixdown_engine *e, size_t node, bool mute);
void mxd_engine_live_pan(mixdown_engine *e, size_t node, double pan);
/* Live solo of a node: every node's audibility is recomputed exactly as the
 * build does (solo-in-place, solo-safe buses; routing.h) and ramps over 10 ms
 * (a strip whose fader is automated switches at the block). */
void mxd_engine_live_solo(mixdown_engine *e, size_t node, bool solo);
/* Live level (dB, -144..+24) of every send from `node` to the bus node `bus`,
 * ramped over 10 ms; ignored for a send whose level is automated. */
void mxd_engine_live_send(mixdown_engine *e, size_t node, size_t bus, double level_db);
/* Control thread: insert `ref` (1-based position or its `id:`) of `node` and
 * the value slot of its parameter `param` ("threshold", "bands.2.gain"), if
 * that parameter may change live (automatable, not automated, the insert
 * running). Returns the slot and sets *insert, or -1 with a reason in why. */
long mxd_engine_live_insert_resolve(const mixdown_engine *e, size_t node, const char *ref, const char *param,
				    size_t *insert, char *why, size_t why_size);
/* Audio thread: hand a resolved parameter its new value (the processor's
 * unit; it clamps and smooths), as automation does. */
void mxd_engine_live_insert(mixdown_engine *e, size_t node, size_t insert, size_t slot, double value);
/* Live width (0..2, as the session's `width:`) of a node: the pan matrix
 * ramps to it over the next block, like a live pan. */
void mxd_engine_live_width(mixdown_engine *e, size_t node, double width);
/* Live polarity (true = inverted, the session's `invert:`): the fader's sign
 * ramps over 10 ms (through silence), so the flip does not click. Like live
 * gain, not heard where an automation lane drives the fader. */
void mxd_engine_live_polarity(mixdown_engine *e, size_t node, bool invert);
/* Control thread, before the first process call: give every running insert a
 * dry path so its bypass can crossfade live (costs one copy per insert and
 * block). */
mixdown_status mxd_engine_live_prepare(mixdown_engine *e);
/* Control thread: insert `ref` of `node` if its bypass may change live (it
 * runs, has a dry path, no automation lane switches it): its index, else -1
 * with the reason in why. */
long mxd_engine_live_bypass_resolve(const mixdown_engine *e, size_t node, const char *ref, char *why, size_t why_size);
/* Audio thread: bypass (true) or engage a resolved insert: its dry/wet
 * amount ramps over 20 ms between the session's mix and 0, as a bypass
 * automation lane does. */
void mxd_engine_live_bypass(mixdown_engine *e, size_t node, size_t insert, bool bypass);

/* ---- metering (engine_meter.c): per-strip output levels for a live host. */

/* Number of nodes: tracks, then buses, then the master (the last). */
size_t mxd_engine_node_count(const mixdown_engine *e);
/* Start or stop accumulating every node's post-fader output level (off by
 * default: it costs one pass over each strip's output per block). Audio
 * thread or before the first process call. */
void mxd_engine_set_metering(mixdown_engine *e, bool on);
/* Hands over and resets a node's meter: the sample peak (linear, max over
 * channels), the sum of squares over all channels and the frames it covers
 * (mean square = sumsq / (frames * channels)). Audio thread. */
void mxd_engine_node_meter_take(mixdown_engine *e, size_t node, float *peak, double *sumsq, uint64_t *frames);
/* Output channels of a node (1 or 2 for a track's strip output). */
uint32_t mxd_engine_node_out_channels(const mixdown_engine *e, size_t node);
/* Deepest gain reduction (dB, >= 0) of the node's dynamics inserts right now
 * (compressor, gate, expander, deesser; fx/meter_gr.h); 0 when it has none.
 * Any thread while the engine lives (the readings are atomics). */
double mxd_engine_node_gain_reduction_db(const mixdown_engine *e, size_t node);

#endif
