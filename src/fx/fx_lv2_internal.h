/* mixdown — shared internals of the LV2 host (fx_lv2*.c): the lilv world, URID map,
 * per-plugin class description and the worker.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Ownership: the world, the URID table and every lv2_class live until the
 * process exits (classes are handed out as mxd_fx_class pointers that sessions
 * keep). Threads: everything here is control-thread code except the worker's
 * audio-side calls (lv2w_schedule, lv2w_deliver), which are lock-free.
 */
#ifndef MIXDOWN_FX_LV2_INTERNAL_H
#define MIXDOWN_FX_LV2_INTERNAL_H

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/units/units.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "fx/fx_lv2.h"
#include "fx/meter.h"

/* The largest block handed to a plugin at once (bufsz:maxBlockLength); longer
 * engine blocks are run in pieces of this size. */
#define LV2_MAX_BLOCK 4096u
/* Smallest capacity of an atom port's buffer (bytes); a port's rsz:minimumSize
 * (LV2 resize-port extension) raises it. */
#define LV2_ATOM_CAPACITY 8192u

/* Nodes of the vocabulary we query, made once with the world. */
typedef struct {
	LilvNode *audio, *control, *atom, *cv, *input, *output;
	LilvNode *optional, *integer, *toggled, *enumeration, *reports_latency, *designation, *latency;
	LilvNode *sidechain, *group, *side_chain_of, *unit, *name, *minimum_size;
	LilvNode *worker_iface, *state_iface;
} lv2_vocab;

/* World, vocabulary and the URID map (fx_lv2_world.c). lv2_world() loads all
 * installed plugins on first call; callers hold lv2_lock() around it and any
 * lilv use. */
void lv2_lock(void);
void lv2_unlock(void);
/* In the probe's child: the parent's lock is held by a thread that does not exist here. */
void lv2_lock_forget(void);
LilvWorld *lv2_world(void);
const lv2_vocab *lv2_vocab_get(void);
LV2_URID_Map *lv2_urid_map(void);
LV2_URID_Unmap *lv2_urid_unmap(void);
LV2_URID lv2_map(const char *uri);

/* Host features we provide (NULL-terminated URI list) and a comma-separated list of
 * the plugin's required features we lack (empty if none). */
void lv2_missing_features(const LilvPlugin *p, char *out, size_t size);

typedef enum { PORT_AUDIO_IN, PORT_AUDIO_OUT, PORT_SC_IN, PORT_CTL_IN, PORT_CTL_OUT, PORT_ATOM_IN, PORT_ATOM_OUT,
	       PORT_CV_IN, PORT_CV_OUT, PORT_NONE } lv2_port_kind;

/* One plugin as a processor class (fx_lv2_class.c). cls must stay the first member. */
typedef struct {
	mxd_fx_class cls;
	char *uri, *label;
	const LilvPlugin *plugin;
	uint32_t n_ports;
	lv2_port_kind *kind;        /* per port */
	float *defaults;            /* per port: control default (inputs) */
	uint32_t *atom_size;        /* per port: atom buffer bytes (multiple of 8) */
	uint32_t *audio_in, *audio_out, *sc_in; /* port indices */
	uint32_t n_audio_in, n_audio_out, n_sc_in;
	mxd_param *params;          /* n_ctl + 1 ("state") */
	uint32_t *param_port;       /* param index -> port (controls only) */
	double **enum_values;       /* param index -> scale point values (ENUM only) */
	size_t n_ctl;
	size_t state_slot;
	mxd_meter *meters;          /* control outputs */
	uint32_t *meter_port;
	long latency_port;          /* -1: none */
	bool has_worker, has_state;
} lv2_class;

/* Offset of reading i inside an instance (fx_lv2.c lays readings out after the struct). */
size_t lv2_meter_offset(size_t i);

/* Instance operations the class table points at (fx_lv2.c). */
extern const mxd_fx_class lv2_template;

/* Run one instance of the plugin in this process on silence (used by the probe in a child). */
int lv2_probe_run(const mxd_fx_class *cls);

/* ---- worker (fx_lv2_worker.c) ---- */
typedef struct lv2_worker lv2_worker;
/* A worker (its rings) before the plugin exists, so its schedule feature can be
 * passed to instantiate; lv2w_start starts its thread once the instance is made.
 * NULL / -1 on failure. Control thread. */
lv2_worker *lv2w_new(void);
int lv2w_start(lv2_worker *w, LV2_Handle handle, const LV2_Worker_Interface *iface);
void lv2w_free(lv2_worker *w); /* stops and joins; NULL-safe */
/* The LV2_Worker_Schedule the plugin receives (handle = the worker). */
LV2_Worker_Status lv2w_schedule(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data);
/* Audio thread, end of run(): hand queued responses to the plugin, then end_run. */
void lv2w_deliver(lv2_worker *w);

#endif
