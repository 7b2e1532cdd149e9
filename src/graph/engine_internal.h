/* mixdown — the engine's private state, shared by the files of src/graph that
 * build it (engine.c), steer it live (engine_live.c) and meter it
 * (engine_meter.c). Nothing outside src/graph includes this.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Ownership: the engine owns every buffer and processor reachable from it;
 * all of it is allocated in mixdown_engine_create() and freed in
 * mixdown_engine_free(). Threads: as engine.h says for each function.
 */
#ifndef MIXDOWN_GRAPH_ENGINE_INTERNAL_H
#define MIXDOWN_GRAPH_ENGINE_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "dsp/delay.h"
#include "dsp/smooth.h"
#include "graph/clip_player.h"
#include "graph/insert_slot.h"
#include "graph/panner.h"
#include "graph/routing.h"
#include "graph/strip_auto.h"
#include "mixdown/mixdown.h"
#include "session/model.h"

/* A fixed delay for one connection or tap (latency compensation). */
typedef struct {
	uint32_t channels, delay;
	mxd_delay line[MXD_MAX_CHANNELS];
} pdc_line;

#define SMOOTH_MS 10.0 /* fader, mute and send-level ramps */

typedef struct {
	size_t src, dst;
	const mxd_send *send;   /* NULL for the main output */
	const mxd_insert *key;  /* non-NULL: a sidechain edge (see routing.h) */
	size_t key_insert;
	const mxd_lane *follow; /* non-NULL: an automation lane follows src (no audio) */
	mxd_smooth level;
	int level_lane;         /* sends: index of the lane automating the level, or -1 */
	pdc_line pdc;
	float *key_buf[MXD_MAX_CHANNELS]; /* sidechain edges: the aligned key signal */
} edge_rt;

typedef struct {
	const mxd_strip *strip;
	uint32_t in_ch, out_ch;
	float *in[MXD_MAX_CHANNELS];
	float *out[MXD_MAX_CHANNELS];
	float *pre[MXD_MAX_CHANNELS];   /* pre-fader tap (allocated when a pre send exists) */
	bool has_pre;
	mxd_insert_slot *slots;         /* one per session insert (bypassed: inert) */
	edge_rt **key_of;               /* per insert: its sidechain edge or NULL */
	size_t n_slots;
	mxd_pan_matrix pan;
	mxd_smooth fader;               /* fader x mute x solo, linear */
	mxd_smooth pre_gain;            /* mute x solo, for pre-fader sends */
	mxd_strip_auto autom;           /* automation lanes (n == 0: none) */
	double on;                      /* 0 when silenced by another strip's solo */
	mxd_clip_player *clips;
	size_t n_clips;
	uint32_t own_latency, latency_out;
	bool tap_enabled;
	pdc_line tap_line;
	float *tap[MXD_MAX_CHANNELS];
	double live_gain_db;            /* live overrides (mxd_engine_live_*) */
	bool live_mute, pan_pending;
	mxd_pan_matrix pan_to;          /* pan_pending: the matrix the next block ramps to */
	bool live_flip;                 /* polarity flipped live against the session's (in the fader's sign) */
	bool live_pw;                   /* live_pan and live_width hold values set live (else the session's) */
	double live_pan, live_width;
	/* Level meter of the output (post fader), accumulated while the engine's
	 * `metering` is on and handed over by mxd_engine_node_meter_take(). */
	float meter_peak;
	double meter_sumsq;
	uint64_t meter_frames;
	bool in_ready, inserts_done;    /* this block: set by strip_batch.c (input read; inserts run) */
	bool out_done;                  /* this block: pan and fader applied by strip_batch.c */
} node_rt;

/* Scratch of one thread that runs nodes: the engine's own (aliases of its
 * scratch, tmp and send_gain below) or a processing worker's (engine_threads.c).
 * Per-node code uses these, never the engine's, so nodes may run in parallel. */
typedef struct {
	float *scratch[MXD_MAX_CHANNELS]; /* clip reading */
	float *tmp[MXD_MAX_CHANNELS];     /* an edge's gain and delay */
	double *send_gain;                /* max_block per-sample send gains */
} mxd_node_scratch;

struct mixdown_engine {
	const mxd_session *s;
	mxd_routing routing;
	node_rt *nodes;
	size_t n_nodes;
	edge_rt *edges;
	size_t n_edges;
	uint32_t channels, max_block;
	double rate;
	int64_t start, length;  /* timeline frames */
	int64_t t;              /* timeline frame of the next graph block */
	uint32_t latency;
	int64_t preroll_left;
	float *scratch[MXD_MAX_CHANNELS];
	float *tmp[MXD_MAX_CHANNELS];
	double *send_gain;      /* max_block per-sample send gains */
	uint64_t nonfinite;
	mxd_track_source_fn source; /* non-NULL: tracks' inputs come from the host */
	void *source_user;
	bool metering;          /* accumulate node_rt.meter_* (mxd_engine_set_metering) */
	struct mxd_strip_batch *batch; /* tracks whose inserts run together (strip_batch.h), or NULL */
	struct mxd_prefetch *prefetch; /* clips read a block ahead (engine_prefetch.h), or NULL */
	mxd_node_scratch ws;           /* the calling thread's node scratch */
	struct mxd_threads *threads;   /* nodes run on several cores (engine_threads.h), or NULL */
	struct mxd_pipeline *pipeline; /* the master on a second thread (engine_pipeline.h), or NULL */
	bool master_deferred;          /* run_block leaves the master to the pipeline, its input staged */
	struct mxd_vbap *vbap;         /* the speaker layout's panner (docs/spatial.md), or NULL */
	struct mxd_strip_binaural *binaural; /* `layout: binaural` object tracks (strip_binaural.h), or NULL */
	int lfe;                       /* master channel low-passed as the LFE, or -1 */
	mxd_bq_cascade lfe_lp;         /* 4th-order Linkwitz-Riley low-pass at MXD_LFE_HZ */
	mxd_bq_state lfe_state[MXD_BQ_MAX_SECTIONS];
};

/* dB to linear gain; -144 dB and below is silence. */
static inline double mxd_db_to_gain(double db)
{
	return db <= -144.0 ? 0.0 : pow(10.0, db / 20.0);
}

/* engine.c: a track's input for the next n frames (its clips, then polarity). */
mixdown_status mxd_engine_read_track(mixdown_engine *e, node_rt *nd, uint32_t n, mixdown_error *err);
/* engine.c: track node i's input for the next n frames from the host's track
 * source (e->source, real time), then polarity; sets in_ready. */
void mxd_engine_source_track(mixdown_engine *e, size_t i, uint32_t n);
/* The same for frames [t, t + n) into dst (in_ch buffers) with the given
 * clip scratch (MXD_MAX_CHANNELS buffers); touches nothing else of e or nd
 * but nd's clip players. */
mixdown_status mxd_engine_read_clips(mixdown_engine *e, node_rt *nd, int64_t t, uint32_t n, float *const *dst,
				     float *const *scratch, mixdown_error *err);

/* engine.c: one node's block (inputs already summed into nd->in), and one
 * audio edge's contribution of its source into its destination's input. The
 * single-thread run feeds each node's edges right after it; engine_threads.c
 * feeds a node's incoming edges right before it, in the same order. */
mixdown_status mxd_engine_run_node(mixdown_engine *e, mxd_node_scratch *ws, size_t node, uint32_t n,
				   mixdown_error *err);
/* The same for the block at timeline frame t (engine_pipeline.c: the master
 * of a block the engine's thread has moved past). */
mixdown_status mxd_engine_run_node_at(mixdown_engine *e, mxd_node_scratch *ws, size_t node, int64_t t, uint32_t n,
				      mixdown_error *err);
void mxd_engine_feed_edge(mixdown_engine *e, mxd_node_scratch *ws, edge_rt *ed, uint32_t n);
/* engine.c: whether a node's pan and fader are one settled step this block
 * (no automation, no pan ramp, no pre-fader tap, fader settled, no binaural
 * objects), which mxd_pan_matrix_apply_gain() does in one pass; then
 * strip_batch.c may do it on the thread that ran the node's inserts. */
bool mxd_engine_pan_fader_plain(const mixdown_engine *e, const node_rt *nd);

/* engine_meter.c: add a node's output block to its level meter. */
void mxd_engine_meter_accumulate(node_rt *nd, uint32_t n);

#endif
