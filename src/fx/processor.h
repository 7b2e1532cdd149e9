/* mixdown — the processor interface every insert implements.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A processor class is a static, immutable description (name, parameter table,
 * function pointers). An instance is created from a class, activated for a sample
 * rate / block size / channel count, run on planar float buffers, and freed.
 *
 * Life cycle and threads:
 *   create()      control thread; may allocate.
 *   activate()    control thread; ALL allocation that run() needs happens here.
 *   set_param()   control thread, between run() calls of the same instance (the
 *                 real-time host will forward values through a lock-free ring;
 *                 the instance smooths every continuous parameter toward the new
 *                 target inside run(), so calling it mid-render never clicks).
 *   run()         audio thread: no allocation, locks, I/O or unbounded loops.
 *                 n may be 0. Processing is in place on io[0..channels-1].
 *   latency()     any thread after activate(); frames of delay the instance adds.
 *   reset()       control thread; clears signal state (filter memories, delay
 *                 lines) and snaps smoothed parameters to their targets.
 *   destroy()     control thread; NULL-safe.
 *
 * Meters: a class may publish named readings (levels, loudness, gain
 * reduction) that run() updates and any thread may read while it runs; see
 * fx/meter.h (mxd_fx_class.meters, mxd_fx_meter_read()).
 *
 * Parameters: every value is a double in the unit of its table entry. Enum
 * parameters store the index of the choice; bool parameters store 0 or 1.
 * A LIST entry (e.g. EQ bands) declares a sub-table repeated `max_items` times;
 * its values live at slot `first_slot + item * n_sub + sub_index` (see
 * mxd_param_slot()). The full parameter path of a list value is
 * "<list>.<item starting at 1>.<sub>", e.g. "bands.2.freq".
 */
#ifndef MIXDOWN_FX_PROCESSOR_H
#define MIXDOWN_FX_PROCESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	MXD_PARAM_NUMBER, /* continuous or integer-valued number in [min, max] */
	MXD_PARAM_ENUM,   /* index into choices[] (NULL-terminated list of names) */
	MXD_PARAM_BOOL,   /* 0 or 1; session files write true/false */
	MXD_PARAM_LIST,   /* a list of items, each described by sub[] */
	MXD_PARAM_FILE,   /* a path to a file (e.g. an impulse response); the parser
			   * resolves it against the session folder and checks it can
			   * be opened; the class receives it through set_file(). Its
			   * value slot is unused (always 0). Not automatable. */
} mxd_param_kind;

typedef struct mxd_param mxd_param;
struct mxd_param {
	const char *name;        /* key users type in the session, e.g. "freq" */
	mxd_param_kind kind;
	const char *unit;        /* "dB", "Hz", "ms", "s", "", ... */
	double min, max, def;    /* range and default (NUMBER; ENUM/BOOL use def) */
	bool integer;            /* NUMBER only: value must be a whole number */
	bool automatable;        /* may move during a render (smoothed by the fx) */
	const char *const *choices; /* ENUM only: NULL-terminated */
	const char *help;        /* one line for `mixdown fx info` and the docs */
	/* LIST only: */
	const mxd_param *sub;    /* sub-table for one item */
	size_t n_sub;
	size_t max_items;
	/* Filled by the class definition: index of this entry's first value slot. */
	size_t first_slot;
};

typedef struct mxd_fx_class mxd_fx_class;
typedef struct mxd_meter mxd_meter; /* a named reading, see fx/meter.h */

/* Base of every instance: each class's state struct starts with this member,
 * so a class casts mxd_fx * to its own type. */
typedef struct mxd_fx {
	const mxd_fx_class *cls;
} mxd_fx;

struct mxd_fx_class {
	const char *name;     /* session `type:` key, e.g. "eq" */
	const char *summary;  /* one line */
	const mxd_param *params;
	size_t n_params;
	size_t n_slots;       /* total value slots including all list items */
	bool wants_sidechain; /* run() receives a sidechain input when routed */
	const mxd_meter *meters; /* readings run() publishes (fx/meter.h); NULL = none */
	size_t n_meters;
	/* NULL: parameters are keys of the insert itself (`{ type: eq, bands: ... }`);
	 * else the key of the mapping that holds them (LV2 plugins: "params", since
	 * port symbols may clash with `id`, `mix`, ...; FILE parameters stay top-level). */
	const char *params_map;

	mxd_fx *(*create)(const mxd_fx_class *cls);
	/* channels: 1..MXD_MAX_CHANNELS. Returns 0 on success, -1 on allocation failure. */
	int (*activate)(mxd_fx *fx, double sample_rate, uint32_t max_block, uint32_t channels);
	void (*set_param)(mxd_fx *fx, size_t slot, double value);
	/* FILE parameters only (NULL otherwise): control thread, after create() and
	 * before activate(). May read the file and allocate. Returns 0, or -1 with
	 * a reason in err (e.g. "not an audio file: ..."). */
	int (*set_file)(mxd_fx *fx, size_t slot, const char *path, char *err, size_t err_size);
	void (*run)(mxd_fx *fx, float *const *io, const float *const *sidechain, uint32_t n);
	uint32_t (*latency)(const mxd_fx *fx);
	void (*reset)(mxd_fx *fx);
	void (*destroy)(mxd_fx *fx);
};

#define MXD_MAX_CHANNELS 16

/* Value slot of a top-level parameter or of sub-parameter `sub` in list item `item`
 * (0-based). For non-list parameters pass item = 0, sub = 0. */
static inline size_t mxd_param_slot(const mxd_param *p, size_t item, size_t sub)
{
	return p->kind == MXD_PARAM_LIST ? p->first_slot + item * p->n_sub + sub : p->first_slot;
}

/* Registry (fx_registry.c). Classes are static; pointers stay valid forever. */
size_t mxd_fx_class_count(void);
const mxd_fx_class *mxd_fx_class_at(size_t i);
const mxd_fx_class *mxd_fx_class_find(const char *name); /* NULL if unknown */

/* Add a class at run time (a plugin host, a test double): control thread only,
 * before sessions that use it are loaded; the class must outlive every use.
 * Returns 0, or -1 if the name is taken or the registry is full (256). */
int mxd_fx_class_register(const mxd_fx_class *cls);

/* Fill `values[cls->n_slots]` with every parameter's default. */
void mxd_fx_defaults(const mxd_fx_class *cls, double *values);

/* Look up a parameter by top-level name; NULL if unknown. */
const mxd_param *mxd_fx_param_find(const mxd_fx_class *cls, const char *name);

/* Resolve a dotted path ("gain", "bands.2.freq") to a slot. Returns the slot or
 * -1 if the path names no value. `out` (may be NULL) receives the leaf entry. */
long mxd_fx_param_path(const mxd_fx_class *cls, const char *path, const mxd_param **out);

/* Create + set every value + activate. Returns NULL on failure. */
mxd_fx *mxd_fx_instantiate(const mxd_fx_class *cls, const double *values, double sample_rate,
			   uint32_t max_block, uint32_t channels);

/* The same with FILE parameters: files[slot] is a path or NULL (files itself may
 * be NULL). On failure returns NULL and, when err is given, a reason. */
mxd_fx *mxd_fx_instantiate_files(const mxd_fx_class *cls, const double *values, char *const *files,
				 double sample_rate, uint32_t max_block, uint32_t channels, char *err,
				 size_t err_size);

#endif
