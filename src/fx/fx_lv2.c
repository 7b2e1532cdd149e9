/* mixdown — an LV2 plugin instance as an insert processor (the class comes from fx_lv2_class.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Channels: a plugin with one main audio output runs as one instance per
 * channel of the insert (a mono plugin on a stereo strip: two instances with the
 * same parameters). Otherwise one instance runs: its audio input k is fed channel
 * k % channels (a stereo plugin on a mono strip gets the channel on both inputs)
 * and channel c takes output c; when the strip has fewer channels than the
 * plugin has outputs, the surplus outputs are averaged into the last channel (a
 * stereo plugin on mono: (L + R) / 2); channels beyond the plugin's outputs pass
 * through unchanged. Sidechain inputs get the insert's key (channel k % channels)
 * or silence when the session gives no `sidechain:`.
 *
 * Real time: run() copies the strip into buffers made at activate(), calls
 * lilv_instance_run in pieces of at most LV2_MAX_BLOCK frames, hands worker
 * responses back, copies the outputs and publishes control outputs as meter
 * readings (relaxed atomics). Parameters are plain floats the plugin reads at
 * its next run (set_param is called between runs); LV2 plugins smooth, or not,
 * as their authors chose.
 *
 * Latency: after activation the plugin runs on PRIME_FRAMES frames of silence
 * until its lv2:reportsLatency output gives the same value twice (at most
 * PRIME_RUNS times: plugins write the report in run(), some one block late), which
 * and kept as latency() (PDC is fixed for a render; a plugin whose latency moves
 * with a parameter keeps the value it had at activation).
 *
 * reset() deactivates and reactivates the plugin; LV2 does not promise that this
 * is real-time safe, so a plugin that outputs NaN/Inf (the insert slot then
 * resets it on the audio thread) may allocate there.
 *
 * Threads: create/activate/set_param/set_file/reset/destroy on the control
 * thread; run on the audio thread.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/state/state.h>

#include "fx/fx_lv2_internal.h"

#define PRIME_FRAMES 64u
#define PRIME_RUNS 8
#define MAX_FEATURES 10

typedef struct {
	LilvInstance *inst;
	lv2_worker *worker;
	float *ctl_out;          /* n_ports */
	float **port_buf;        /* n_ports: audio/CV buffers (LV2_MAX_BLOCK floats) or atom buffers */
	LV2_Worker_Schedule sched;
	LV2_Feature f_sched;
	const LV2_Feature *features[MAX_FEATURES];
} lv2_one;

typedef struct {
	mxd_fx base;
	const lv2_class *c;
	float *ctl_in;           /* n_ports: control inputs, shared by the instances */
	char *state_path;
	uint32_t channels, n_inst, latency;
	bool active;
	lv2_one one[MXD_MAX_CHANNELS];
	/* Features (the same for every instance). */
	int32_t min_block, max_block, nominal_block;
	float rate;
	LV2_Options_Option opts[5];
	LV2_Log_Log log;
	LV2_Feature f_map, f_unmap, f_opts, f_bounded, f_log, f_default_state;
	LV2_URID atom_sequence, atom_chunk;
	mxd_meter_value meters[]; /* one per control output (lv2_class.meters) */
} lv2_fx;

size_t lv2_meter_offset(size_t i)
{
	return offsetof(lv2_fx, meters) + i * sizeof(mxd_meter_value);
}

/* Plugins' log messages go to stderr only with MIXDOWN_LV2_LOG set (printing is
 * not real-time safe and plugins may log from run()). */
static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
	(void)type;
	return h ? vfprintf(stderr, fmt, ap) : 0;
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = log_vprintf(h, type, fmt, ap);
	va_end(ap);
	return r;
}

static mxd_fx *lv2_create(const mxd_fx_class *cls)
{
	const lv2_class *c = (const lv2_class *)cls;
	lv2_fx *x = calloc(1, sizeof *x + cls->n_meters * sizeof(mxd_meter_value));
	if (!x)
		return NULL;
	x->base.cls = cls;
	x->c = c;
	x->ctl_in = calloc(c->n_ports + 1, sizeof *x->ctl_in);
	if (!x->ctl_in) {
		free(x);
		return NULL;
	}
	memcpy(x->ctl_in, c->defaults, c->n_ports * sizeof *x->ctl_in);
	for (size_t i = 0; i < cls->n_meters; i++)
		mxd_meter_store(&x->meters[i], 0.0);
	return &x->base;
}

static void lv2_set_param(mxd_fx *fx, size_t slot, double value)
{
	lv2_fx *x = (lv2_fx *)fx;
	const lv2_class *c = x->c;
	if (slot >= c->n_ctl)
		return; /* the state file's slot holds no value */
	const mxd_param *p = &c->params[slot];
	if (p->kind == MXD_PARAM_ENUM) {
		long i = lround(value);
		value = c->enum_values[slot][i < 0 ? 0 : i > (long)p->max ? (long)p->max : i];
	}
	x->ctl_in[c->param_port[slot]] = (float)value;
}

static int lv2_set_file(mxd_fx *fx, size_t slot, const char *path, char *err, size_t err_size)
{
	lv2_fx *x = (lv2_fx *)fx;
	if (slot != x->c->state_slot) {
		snprintf(err, err_size, "not a file parameter");
		return -1;
	}
	free(x->state_path);
	x->state_path = strdup(path);
	if (!x->state_path) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	return 0;
}

static void free_one(lv2_fx *x, lv2_one *o)
{
	lv2w_free(o->worker); /* first: its thread calls into the instance */
	if (o->inst) {
		if (x->active)
			lilv_instance_deactivate(o->inst);
		lilv_instance_free(o->inst);
	}
	for (uint32_t p = 0; o->port_buf && p < x->c->n_ports; p++)
		free(o->port_buf[p]);
	free(o->port_buf);
	free(o->ctl_out);
	memset(o, 0, sizeof *o);
}

static void make_features(lv2_fx *x, double rate, uint32_t max_block)
{
	x->rate = (float)rate;
	x->min_block = 0;
	x->max_block = (int32_t)(max_block < LV2_MAX_BLOCK ? max_block : LV2_MAX_BLOCK);
	x->nominal_block = x->max_block;
	LV2_URID i32 = lv2_map(LV2_ATOM__Int), f32 = lv2_map(LV2_ATOM__Float);
	x->opts[0] = (LV2_Options_Option){ LV2_OPTIONS_INSTANCE, 0, lv2_map(LV2_BUF_SIZE__minBlockLength),
					   sizeof(int32_t), i32, &x->min_block };
	x->opts[1] = (LV2_Options_Option){ LV2_OPTIONS_INSTANCE, 0, lv2_map(LV2_BUF_SIZE__maxBlockLength),
					   sizeof(int32_t), i32, &x->max_block };
	x->opts[2] = (LV2_Options_Option){ LV2_OPTIONS_INSTANCE, 0,
					   lv2_map("http://lv2plug.in/ns/ext/buf-size#nominalBlockLength"),
					   sizeof(int32_t), i32, &x->nominal_block };
	x->opts[3] = (LV2_Options_Option){ LV2_OPTIONS_INSTANCE, 0, lv2_map(LV2_PARAMETERS__sampleRate),
					   sizeof(float), f32, &x->rate };
	x->opts[4] = (LV2_Options_Option){ LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL };
	x->log = (LV2_Log_Log){ getenv("MIXDOWN_LV2_LOG") ? (LV2_Log_Handle)x : NULL, log_printf, log_vprintf };
	x->f_map = (LV2_Feature){ LV2_URID__map, lv2_urid_map() };
	x->f_unmap = (LV2_Feature){ LV2_URID__unmap, lv2_urid_unmap() };
	x->f_opts = (LV2_Feature){ LV2_OPTIONS__options, x->opts };
	x->f_bounded = (LV2_Feature){ LV2_BUF_SIZE__boundedBlockLength, NULL };
	x->f_log = (LV2_Feature){ LV2_LOG__log, &x->log };
	x->f_default_state = (LV2_Feature){ LV2_STATE__loadDefaultState, NULL };
	x->atom_sequence = lv2_map(LV2_ATOM__Sequence);
	x->atom_chunk = lv2_map(LV2_ATOM__Chunk);
}

/* Allocate the port buffers of one instance and connect every port. */
static int connect_one(lv2_fx *x, lv2_one *o)
{
	const lv2_class *c = x->c;
	o->ctl_out = calloc(c->n_ports + 1, sizeof *o->ctl_out);
	o->port_buf = calloc(c->n_ports + 1, sizeof *o->port_buf);
	if (!o->ctl_out || !o->port_buf)
		return -1;
	for (uint32_t p = 0; p < c->n_ports; p++) {
		void *where = NULL;
		switch (c->kind[p]) {
		case PORT_AUDIO_IN:
		case PORT_AUDIO_OUT:
		case PORT_SC_IN:
		case PORT_CV_IN:
		case PORT_CV_OUT:
			where = o->port_buf[p] = calloc(LV2_MAX_BLOCK, sizeof(float));
			break;
		case PORT_ATOM_IN:
		case PORT_ATOM_OUT:
			where = o->port_buf[p] = calloc(c->atom_size[p] / sizeof(float), sizeof(float));
			break;
		case PORT_CTL_IN: where = &x->ctl_in[p]; break;
		case PORT_CTL_OUT: where = &o->ctl_out[p]; break;
		case PORT_NONE: break;
		}
		if (c->kind[p] != PORT_NONE && !where)
			return -1;
		lilv_instance_connect_port(o->inst, p, where);
	}
	return 0;
}

/* Atom ports before each run: inputs are empty sequences, outputs offer their capacity. */
static void prepare_atoms(const lv2_fx *x, lv2_one *o)
{
	for (uint32_t p = 0; p < x->c->n_ports; p++) {
		LV2_Atom_Sequence *s = (LV2_Atom_Sequence *)o->port_buf[p];
		if (x->c->kind[p] == PORT_ATOM_IN) {
			s->atom.size = sizeof(LV2_Atom_Sequence_Body);
			s->atom.type = x->atom_sequence;
			s->body.unit = 0;
			s->body.pad = 0;
		} else if (x->c->kind[p] == PORT_ATOM_OUT) {
			s->atom.size = x->c->atom_size[p] - sizeof(LV2_Atom);
			s->atom.type = x->atom_chunk;
		}
	}
}

static void run_all(lv2_fx *x, uint32_t n)
{
	for (uint32_t i = 0; i < x->n_inst; i++) {
		prepare_atoms(x, &x->one[i]);
		lilv_instance_run(x->one[i].inst, n);
		if (x->one[i].worker)
			lv2w_deliver(x->one[i].worker);
	}
}

static void ignore_port_value(const char *sym, void *user, const void *value, uint32_t size, uint32_t type)
{
	/* The session already holds the state's port values (mxd_lv2_state_values). */
	(void)sym, (void)user, (void)value, (void)size, (void)type;
}

static int lv2_activate(mxd_fx *fx, double sample_rate, uint32_t max_block, uint32_t channels)
{
	lv2_fx *x = (lv2_fx *)fx;
	const lv2_class *c = x->c;
	x->channels = channels;
	x->n_inst = c->n_audio_out == 1 && channels > 1 ? channels : 1;
	make_features(x, sample_rate, max_block);
	LilvState *state = NULL;
	int rc = 0;
	lv2_lock();
	if (x->state_path && !(state = lilv_state_new_from_file(lv2_world(), lv2_urid_map(), NULL, x->state_path)))
		rc = -1;
	for (uint32_t i = 0; i < x->n_inst && rc == 0; i++) {
		lv2_one *o = &x->one[i];
		size_t nf = 0;
		const LV2_Feature *base[] = { &x->f_map, &x->f_unmap, &x->f_opts, &x->f_bounded, &x->f_log,
					      &x->f_default_state };
		for (size_t k = 0; k < sizeof base / sizeof base[0]; k++)
			o->features[nf++] = base[k];
		if (c->has_worker) {
			if (!(o->worker = lv2w_new()))
				rc = -1;
			o->sched = (LV2_Worker_Schedule){ o->worker, lv2w_schedule };
			o->f_sched = (LV2_Feature){ LV2_WORKER__schedule, &o->sched };
			o->features[nf++] = &o->f_sched;
		}
		o->features[nf] = NULL;
		if (rc == 0 && !(o->inst = lilv_plugin_instantiate(c->plugin, sample_rate, o->features)))
			rc = -1;
		if (rc == 0 && connect_one(x, o) != 0)
			rc = -1;
		if (rc == 0 && o->worker) {
			const LV2_Worker_Interface *wi =
				lilv_instance_get_extension_data(o->inst, LV2_WORKER__interface);
			if (wi && lv2w_start(o->worker, lilv_instance_get_handle(o->inst), wi) != 0)
				rc = -1;
		}
		if (rc == 0 && state)
			lilv_state_restore(state, o->inst, ignore_port_value, NULL, 0, o->features);
	}
	lv2_unlock();
	lilv_state_free(state);
	if (rc != 0)
		return -1;
	for (uint32_t i = 0; i < x->n_inst; i++)
		lilv_instance_activate(x->one[i].inst);
	x->active = true;
	/* Latency is reported through a control output, written by run(); some plugins
	 * report the previous block's value, so run until two reports agree. */
	float prev = NAN;
	for (int k = 0; k < PRIME_RUNS; k++) {
		run_all(x, PRIME_FRAMES < (uint32_t)x->max_block ? PRIME_FRAMES : (uint32_t)x->max_block);
		if (c->latency_port < 0)
			break;
		float l = x->one[0].ctl_out[c->latency_port];
		if (l == prev)
			break;
		prev = l;
	}
	if (c->latency_port >= 0) {
		float l = x->one[0].ctl_out[c->latency_port];
		x->latency = isfinite(l) && l > 0 && l < 1e7f ? (uint32_t)lrintf(l) : 0;
	}
	return 0;
}

/* Frames [off, off + n) of the strip through the plugin(s). */
static void run_piece(lv2_fx *x, float *const *io, const float *const *sc, uint32_t off, uint32_t n)
{
	const lv2_class *c = x->c;
	uint32_t ch = x->channels;
	for (uint32_t i = 0; i < x->n_inst; i++) {
		lv2_one *o = &x->one[i];
		for (uint32_t k = 0; k < c->n_audio_in; k++)
			memcpy(o->port_buf[c->audio_in[k]], io[x->n_inst > 1 ? i : k % ch] + off, n * sizeof(float));
		for (uint32_t k = 0; k < c->n_sc_in; k++) {
			float *dst = o->port_buf[c->sc_in[k]];
			if (sc)
				memcpy(dst, sc[x->n_inst > 1 ? i : k % ch] + off, n * sizeof(float));
			else
				memset(dst, 0, n * sizeof(float));
		}
	}
	run_all(x, n);
	if (x->n_inst > 1) {
		for (uint32_t i = 0; i < x->n_inst; i++)
			memcpy(io[i] + off, x->one[i].port_buf[c->audio_out[0]], n * sizeof(float));
		return;
	}
	lv2_one *o = &x->one[0];
	uint32_t direct = ch < c->n_audio_out ? ch - 1 : c->n_audio_out;
	for (uint32_t k = 0; k < direct; k++)
		memcpy(io[k] + off, o->port_buf[c->audio_out[k]], n * sizeof(float));
	if (ch < c->n_audio_out) {
		/* More outputs than channels: the rest are averaged into the last channel. */
		uint32_t rest = c->n_audio_out - direct;
		float *dst = io[ch - 1] + off;
		for (uint32_t f = 0; f < n; f++) {
			float s = 0.0f;
			for (uint32_t k = direct; k < c->n_audio_out; k++)
				s += o->port_buf[c->audio_out[k]][f];
			dst[f] = s / (float)rest;
		}
	}
}

static void lv2_run(mxd_fx *fx, float *const *io, const float *const *sc, uint32_t n)
{
	lv2_fx *x = (lv2_fx *)fx;
	for (uint32_t off = 0; off < n;) {
		uint32_t m = n - off < (uint32_t)x->max_block ? n - off : (uint32_t)x->max_block;
		run_piece(x, io, sc, off, m);
		off += m;
	}
	for (size_t i = 0; i < x->base.cls->n_meters; i++)
		mxd_meter_store(&x->meters[i], x->one[0].ctl_out[x->c->meter_port[i]]);
}

static uint32_t lv2_latency(const mxd_fx *fx)
{
	return ((const lv2_fx *)fx)->latency;
}

static void lv2_reset(mxd_fx *fx)
{
	lv2_fx *x = (lv2_fx *)fx;
	if (!x->active)
		return;
	for (uint32_t i = 0; i < x->n_inst; i++) {
		lilv_instance_deactivate(x->one[i].inst);
		lilv_instance_activate(x->one[i].inst);
	}
}

static void lv2_destroy(mxd_fx *fx)
{
	lv2_fx *x = (lv2_fx *)fx;
	if (!x)
		return;
	for (uint32_t i = 0; i < MXD_MAX_CHANNELS; i++)
		free_one(x, &x->one[i]);
	free(x->ctl_in);
	free(x->state_path);
	free(x);
}

int lv2_probe_run(const mxd_fx_class *cls)
{
	const lv2_class *c = (const lv2_class *)cls;
	uint32_t ch = c->n_audio_in < MXD_MAX_CHANNELS ? c->n_audio_in : MXD_MAX_CHANNELS;
	mxd_fx *fx = lv2_create(cls);
	if (!fx)
		return -1;
	if (lv2_activate(fx, 48000.0, 256, ch) != 0) {
		lv2_destroy(fx);
		return -1;
	}
	float buf[MXD_MAX_CHANNELS][256];
	float *io[MXD_MAX_CHANNELS];
	for (uint32_t i = 0; i < ch; i++) {
		memset(buf[i], 0, sizeof buf[i]);
		io[i] = buf[i];
	}
	lv2_run(fx, io, NULL, 256);
	lv2_destroy(fx);
	return 0;
}

const mxd_fx_class lv2_template = {
	.name = "lv2",
	.summary = "an LV2 plugin",
	.params_map = "params",
	.create = lv2_create,
	.activate = lv2_activate,
	.set_param = lv2_set_param,
	.set_file = lv2_set_file,
	.run = lv2_run,
	.latency = lv2_latency,
	.reset = lv2_reset,
	.destroy = lv2_destroy,
};
