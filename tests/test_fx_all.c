/* mixdown — the rules every processor in the registry must keep, checked on
 * each class generically (so a new processor is covered the day it is added):
 *   - run() and set_param() never allocate (this program is linked with
 *     -Wl,--wrap=malloc,calloc,realloc,free, so every allocation made by
 *     mixdown's own code is counted);
 *   - moving any automatable parameter mid-signal makes no click;
 *   - silence in gives silence out once the tail has decayed, and no
 *     subnormal numbers on the way (they would make the CPU crawl);
 *   - after a NaN/Inf burst and reset() the output is finite again;
 *   - latency() is stable and the parameter table is self-consistent.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* ---- allocation counting (active only while `counting` is set) ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
static volatile int counting;
static volatile long allocations;
/* MXT_ABORT_ON_ALLOC=1 stops at the first counted allocation (for a debugger). */
static void counted(void)
{
	allocations++;
	if (getenv("MXT_ABORT_ON_ALLOC"))
		abort();
}
void *__wrap_malloc(size_t n)
{
	if (counting)
		counted();
	return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
	if (counting)
		counted();
	return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
	if (counting)
		counted();
	return __real_realloc(p, n);
}
void __wrap_free(void *p)
{
	if (counting && p)
		counted();
	__real_free(p);
}

enum { RATE = 48000, BLOCK = 256, CH = 2 };

static const char *ir_path;

/* An instance of `cls` with defaults (FILE parameters get a short IR). */
static mxd_fx *make(const mxd_fx_class *cls, uint32_t channels)
{
	char **files = calloc(cls->n_slots ? cls->n_slots : 1, sizeof *files);
	for (size_t i = 0; i < cls->n_params; i++)
		if (cls->params[i].kind == MXD_PARAM_FILE)
			files[cls->params[i].first_slot] = (char *)ir_path;
	char why[256] = "";
	mxd_fx *fx = mxd_fx_instantiate_files(cls, NULL, files, RATE, BLOCK, channels, why, sizeof why);
	CHECK_MSG(fx != NULL, "%s: instantiate failed: %s", cls->name, why);
	free(files);
	return fx;
}

static void run_blocks(mxd_fx *fx, float *const *io, uint32_t channels, const float *src, size_t n_blocks,
		       float *out)
{
	for (size_t b = 0; b < n_blocks; b++) {
		for (uint32_t c = 0; c < channels; c++)
			for (uint32_t i = 0; i < BLOCK; i++)
				io[c][i] = src ? src[b * BLOCK + i] : 0.0f;
		fx->cls->run(fx, io, NULL, BLOCK);
		for (uint32_t i = 0; out && i < BLOCK; i++)
			out[b * BLOCK + i] = io[0][i];
	}
}

/* A value for automatable parameter p distinct from its default. */
static double moved_value(const mxd_param *p)
{
	double v = p->def + 0.3 * (p->max - p->min);
	if (v > p->max)
		v = p->def - 0.3 * (p->max - p->min);
	if (p->integer)
		v = floor(v);
	return v;
}

/* Visit every automatable NUMBER slot (top-level and first list item). */
typedef void (*slot_fn)(const mxd_fx_class *cls, const mxd_param *p, size_t slot, void *ctx);
static void each_automatable(const mxd_fx_class *cls, slot_fn fn, void *ctx)
{
	for (size_t i = 0; i < cls->n_params; i++) {
		const mxd_param *p = &cls->params[i];
		if (p->kind == MXD_PARAM_NUMBER && p->automatable)
			fn(cls, p, p->first_slot, ctx);
		if (p->kind == MXD_PARAM_LIST)
			for (size_t s = 0; s < p->n_sub; s++)
				if (p->sub[s].kind == MXD_PARAM_NUMBER && p->sub[s].automatable)
					fn(cls, &p->sub[s], mxd_param_slot(p, 0, s), ctx);
	}
}

typedef struct {
	mxd_fx *fx;
} set_ctx;

static void set_moved(const mxd_fx_class *cls, const mxd_param *p, size_t slot, void *ctx)
{
	(void)p;
	cls->set_param(((set_ctx *)ctx)->fx, slot, moved_value(p));
}

static void t_no_allocation_in_run_or_set_param(void)
{
	/* The counter sees an allocation (or the wrapping is not in effect). */
	counting = 1;
	void *volatile probe = malloc(16);
	free(probe);
	counting = 0;
	CHECK_INT(allocations, 2);
	float *buf[CH];
	for (int c = 0; c < CH; c++)
		buf[c] = calloc(BLOCK, sizeof(float));
	float *sig = malloc(sizeof(float) * BLOCK * 40);
	mxt_sine(sig, BLOCK * 40, 1, RATE, 440, 0.5, 0);
	for (size_t k = 0; k < mxd_fx_class_count(); k++) {
		const mxd_fx_class *cls = mxd_fx_class_at(k);
		mxd_fx *fx = make(cls, CH);
		if (!fx)
			continue;
		set_ctx sc = { fx };
		allocations = 0;
		counting = 1;
		run_blocks(fx, buf, CH, sig, 20, NULL);
		each_automatable(cls, set_moved, &sc);
		run_blocks(fx, buf, CH, sig + 20 * BLOCK, 20, NULL);
		(void)(cls->latency ? cls->latency(fx) : 0);
		counting = 0;
		CHECK_MSG(allocations == 0, "%s: %ld allocations in run()/set_param()", cls->name, allocations);
		cls->destroy(fx);
	}
	for (int c = 0; c < CH; c++)
		free(buf[c]);
	free(sig);
}

/* Largest sample-to-sample step of x[from, to). */
static double max_step(const float *x, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from + 1; i < to; i++)
		m = fmax(m, fabs((double)x[i] - x[i - 1]));
	return m;
}

typedef struct {
	const float *sig;
	size_t blocks;
	float **buf;
} click_ctx;

/* A 200 Hz sine runs through; at block 100 one parameter jumps to another
 * value. A click is a step far larger than the signal's own steps before
 * and after the change (a 200 Hz sine at 0.5 moves at most 0.013 per sample;
 * processors that add harmonics or echoes raise both references alike).
 * Returns the step around the change over the allowance (> 1 = a click). */
static double click_metric(const mxd_fx_class *cls, const mxd_param *p, size_t slot, click_ctx *c)
{
	mxd_fx *fx = make(cls, CH);
	if (!fx)
		return 0;
	float *out = malloc(sizeof(float) * c->blocks * BLOCK);
	size_t change = 100 * BLOCK;
	run_blocks(fx, c->buf, CH, c->sig, 100, out);
	cls->set_param(fx, slot, moved_value(p));
	run_blocks(fx, c->buf, CH, c->sig + change, c->blocks - 100, out + change);
	size_t win = RATE / 20; /* 50 ms after the change */
	double before = max_step(out, change - win, change);
	double after = max_step(out, change + 4 * win, c->blocks * BLOCK);
	double during = max_step(out, change - 1, change + 4 * win); /* from the last sample before */
	free(out);
	cls->destroy(fx);
	return during / (2.0 * fmax(before, after) + 2e-3);
}

static void click_one(const mxd_fx_class *cls, const mxd_param *p, size_t slot, void *vctx)
{
	double m = click_metric(cls, p, slot, vctx);
	CHECK_MSG(m <= 1.0, "%s.%s %g -> %g: a step %.1f times the allowance", cls->name, p->name, p->def,
		  moved_value(p), m);
}

/* A gain that jumps without smoothing: the detector must call it a click. */
typedef struct {
	mxd_fx base;
	double g;
} jumpy_fx;
static mxd_fx *jumpy_create(const mxd_fx_class *cls)
{
	jumpy_fx *j = calloc(1, sizeof *j);
	j->base.cls = cls;
	return &j->base;
}
static int jumpy_activate(mxd_fx *fx, double r, uint32_t b, uint32_t ch)
{
	(void)fx, (void)r, (void)b, (void)ch;
	return 0;
}
static void jumpy_set(mxd_fx *fx, size_t slot, double v)
{
	(void)slot;
	((jumpy_fx *)fx)->g = pow(10, v / 20);
}
static void jumpy_run(mxd_fx *fx, float *const *io, const float *const *k, uint32_t n)
{
	(void)k;
	for (uint32_t c = 0; c < CH; c++)
		for (uint32_t i = 0; i < n; i++)
			io[c][i] *= (float)((jumpy_fx *)fx)->g;
}
static void jumpy_reset(mxd_fx *fx) { (void)fx; }
static void jumpy_destroy(mxd_fx *fx) { free(fx); }
static const mxd_param jumpy_params[] = { { .name = "gain", .kind = MXD_PARAM_NUMBER, .unit = "dB", .min = -40,
					    .max = 0, .def = 0, .automatable = true, .help = "", .first_slot = 0 } };
static const mxd_fx_class jumpy_class = {
	.name = "test_jumpy", .summary = "", .params = jumpy_params, .n_params = 1, .n_slots = 1,
	.create = jumpy_create, .activate = jumpy_activate, .set_param = jumpy_set, .run = jumpy_run,
	.reset = jumpy_reset, .destroy = jumpy_destroy,
};

static void t_parameter_changes_do_not_click(void)
{
	size_t blocks = 300;
	float *sig = malloc(sizeof(float) * BLOCK * blocks);
	mxt_sine(sig, BLOCK * blocks, 1, RATE, 200, 0.5, 0);
	float *buf[CH];
	for (int c = 0; c < CH; c++)
		buf[c] = calloc(BLOCK, sizeof(float));
	click_ctx ctx = { sig, blocks, buf };
	double jump = click_metric(&jumpy_class, &jumpy_params[0], 0, &ctx);
	CHECK_MSG(jump > 1.0, "the click detector missed an unsmoothed 12 dB jump (%.2f)", jump);
	for (size_t k = 0; k < mxd_fx_class_count(); k++)
		each_automatable(mxd_fx_class_at(k), click_one, &ctx);
	for (int c = 0; c < CH; c++)
		free(buf[c]);
	free(sig);
}

static void t_silence_and_denormals(void)
{
	float *buf[CH];
	for (int c = 0; c < CH; c++)
		buf[c] = calloc(BLOCK, sizeof(float));
	float *burst = malloc(sizeof(float) * BLOCK * 20);
	mxt_noise(burst, BLOCK * 20, 0.5, 7);
	for (size_t k = 0; k < mxd_fx_class_count(); k++) {
		const mxd_fx_class *cls = mxd_fx_class_at(k);
		mxd_fx *fx = make(cls, CH);
		if (!fx)
			continue;
		/* Straight silence: exact zeros out (gates and expanders included). */
		size_t nonzero = 0, subnormal = 0;
		for (int b = 0; b < 40; b++) {
			run_blocks(fx, buf, CH, NULL, 1, NULL);
			for (int c = 0; c < CH; c++)
				for (int i = 0; i < BLOCK; i++)
					nonzero += buf[c][i] != 0.0f;
		}
		CHECK_MSG(nonzero == 0, "%s: %zu nonzero samples from silence", cls->name, nonzero);
		/* A burst, then 30 s of silence: the tail must decay to (near) zero
		 * without passing through subnormal numbers. */
		run_blocks(fx, buf, CH, burst, 20, NULL);
		double last = 0;
		size_t tail_blocks = 30 * RATE / BLOCK;
		for (size_t b = 0; b < tail_blocks; b++) {
			run_blocks(fx, buf, CH, NULL, 1, NULL);
			for (int c = 0; c < CH; c++)
				for (int i = 0; i < BLOCK; i++) {
					subnormal += buf[c][i] != 0.0f && fabsf(buf[c][i]) < 1.17549435e-38f;
					if (b == tail_blocks - 1)
						last = fmax(last, fabsf(buf[c][i]));
				}
		}
		CHECK_MSG(subnormal == 0, "%s: %zu subnormal output samples in the tail", cls->name, subnormal);
		CHECK_MSG(last < 1e-20, "%s: tail still at %g after 30 s of silence", cls->name, last);
		cls->destroy(fx);
	}
	for (int c = 0; c < CH; c++)
		free(buf[c]);
	free(burst);
}

static void t_nan_burst_then_reset_recovers(void)
{
	float *buf[CH];
	for (int c = 0; c < CH; c++)
		buf[c] = calloc(BLOCK, sizeof(float));
	float *sig = malloc(sizeof(float) * BLOCK * 10);
	mxt_sine(sig, BLOCK * 10, 1, RATE, 300, 0.5, 0);
	for (size_t k = 0; k < mxd_fx_class_count(); k++) {
		const mxd_fx_class *cls = mxd_fx_class_at(k);
		mxd_fx *fx = make(cls, CH);
		if (!fx)
			continue;
		run_blocks(fx, buf, CH, sig, 4, NULL);
		for (int c = 0; c < CH; c++)
			for (int i = 0; i < BLOCK; i++)
				buf[c][i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
		cls->run(fx, buf, NULL, BLOCK);
		cls->reset(fx);
		run_blocks(fx, buf, CH, sig, 10, NULL);
		size_t bad = 0;
		for (int c = 0; c < CH; c++)
			for (int i = 0; i < BLOCK; i++)
				bad += !isfinite(buf[c][i]);
		CHECK_MSG(bad == 0, "%s: %zu non-finite samples after reset()", cls->name, bad);
		cls->destroy(fx);
	}
	for (int c = 0; c < CH; c++)
		free(buf[c]);
	free(sig);
}

/* Every class works on 1, 2 and 6 channels, and reports the same latency on
 * each (PDC must not depend on the strip's width). */
static void t_channel_counts(void)
{
	float *buf[6];
	for (int c = 0; c < 6; c++)
		buf[c] = calloc(BLOCK, sizeof(float));
	for (size_t k = 0; k < mxd_fx_class_count(); k++) {
		const mxd_fx_class *cls = mxd_fx_class_at(k);
		long lat[3];
		const uint32_t chans[3] = { 1, 2, 6 };
		for (int j = 0; j < 3; j++) {
			mxd_fx *fx = make(cls, chans[j]);
			lat[j] = -1;
			if (!fx)
				continue;
			for (uint32_t c = 0; c < chans[j]; c++)
				mxt_noise(buf[c], BLOCK, 0.3, 11 + c);
			cls->run(fx, buf, NULL, BLOCK);
			lat[j] = cls->latency ? (long)cls->latency(fx) : 0;
			cls->destroy(fx);
		}
		CHECK_MSG(lat[0] == lat[1] && lat[1] == lat[2], "%s: latency %ld / %ld / %ld on 1 / 2 / 6 channels",
			  cls->name, lat[0], lat[1], lat[2]);
	}
	for (int c = 0; c < 6; c++)
		free(buf[c]);
}

/* The engine with automation on every kind of target, a sidechain and a
 * follower: processing blocks allocates nothing. */
static void t_engine_automation_does_not_allocate(void)
{
	const char *dir = mxt_tempdir();
	float *x = malloc(sizeof(float) * RATE * 2);
	mxt_noise(x, RATE * 2, 0.3, 9);
	CHECK(mxt_write_audio(mxt_path(dir, "n.wav"), x, RATE * 2, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	const char *yaml =
		"tempo: 120\n"
		"buses:\n  - { name: Aux, inserts: [ { type: delay, time: \"1/8\" } ] }\n"
		"tracks:\n"
		"  - { name: Key, file: n.wav, gain: -inf }\n"
		"  - name: T\n    file: n.wav\n    sends: [ { to: Aux, level: -6 } ]\n"
		"    inserts: [ { type: eq, id: tone, bands: [ { type: peak, freq: 500, gain: 3 } ] },\n"
		"               { type: gain, sidechain: Key, mix: 0.5 } ]\n"
		"    automation:\n"
		"      gain: [[0, 0], [1, -6, smooth]]\n"
		"      trim: { follow: { source: Key, range: -3 } }\n"
		"      pan: { lfo: { shape: random, rate: 3 } }\n"
		"      width: { motion: macro }\n"
		"      mute: [[0, false], [1.5, true]]\n"
		"      \"sends.Aux.level\": [[0, -20], [2, 0, exp]]\n"
		"      \"inserts.tone.bands.1.freq\": { lfo: { rate: 2, depth: 200 } }\n"
		"      \"inserts.2.bypass\": [[0, false], [0.5, true]]\n";
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load_string(yaml, strlen(yaml), "alloc.yaml", dir, &s, &err), MIXDOWN_SUCCESS);
	mixdown_engine *e = NULL;
	if (s)
		CHECK_INT(mixdown_engine_create(s, BLOCK, &e, &err), MIXDOWN_SUCCESS);
	if (e) {
		float l[BLOCK], r[BLOCK];
		float *out[2] = { l, r };
		CHECK_INT(mixdown_engine_process(e, out, BLOCK, &err), MIXDOWN_SUCCESS); /* opens the clips */
		allocations = 0;
		counting = 1;
		/* 1.8 s: closing a finished clip is file I/O and may free. */
		for (int b = 0; b < RATE * 18 / 10 / BLOCK; b++)
			mixdown_engine_process(e, out, BLOCK, &err);
		counting = 0;
		CHECK_MSG(allocations == 0, "%ld allocations while processing", allocations);
	}
	mixdown_engine_free(e);
	mixdown_session_free(s);
}

int main(void)
{
	const char *dir = mxt_tempdir();
	static char ir[4096];
	snprintf(ir, sizeof ir, "%s", mxt_path(dir, "ir.wav"));
	float h[2400];
	mxt_noise(h, 2400, 0.5, 3);
	for (int i = 0; i < 2400; i++)
		h[i] *= expf(-i / 400.0f);
	if (mxt_write_audio(ir, h, 2400, 1, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT) != 0)
		return 1;
	ir_path = ir;
	static const mxt_case cases[] = {
		MXT(t_no_allocation_in_run_or_set_param),
		MXT(t_parameter_changes_do_not_click),
		MXT(t_silence_and_denormals),
		MXT(t_nan_burst_then_reset_recovers),
		MXT(t_channel_counts),
		MXT(t_engine_automation_does_not_allocate),
	};
	return MXT_RUN(cases);
}
