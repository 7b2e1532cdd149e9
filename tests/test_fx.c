/* mixdown — tests of src/fx: registry, parameter tables, and the built-in processors.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "dsp/biquad.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#define PI 3.14159265358979323846
#define FS 48000.0

/* ----------------------------------------------------------------- helpers */

/* Instantiate `name` with defaults overridden by "path=value" pairs. */
static mxd_fx *make(const char *name, double rate, uint32_t channels, const char *const *kv,
		    size_t n_kv)
{
	const mxd_fx_class *cls = mxd_fx_class_find(name);
	if (!cls)
		return NULL;
	double *v = malloc(cls->n_slots * sizeof *v);
	mxd_fx_defaults(cls, v);
	for (size_t i = 0; i < n_kv; i++) {
		char key[64];
		const char *eq = strchr(kv[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
		long slot = mxd_fx_param_path(cls, key, NULL);
		if (slot < 0) {
			mxt_fail(__FILE__, __LINE__, "unknown path %s", key);
			continue;
		}
		v[slot] = atof(eq + 1);
	}
	mxd_fx *fx = mxd_fx_instantiate(cls, v, rate, 1024, channels);
	free(v);
	return fx;
}
#define MAKE(name, rate, ch, ...)                                                            \
	make(name, rate, ch, (const char *const[]){ __VA_ARGS__ },                          \
	     sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "path %s", path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Run a mono buffer through fx (channel count 1) in blocks of `block`. */
static void run_mono(mxd_fx *fx, float *x, size_t n, uint32_t block)
{
	for (size_t i = 0; i < n; i += block) {
		float *io[1] = { x + i };
		fx->cls->run(fx, io, NULL, (uint32_t)(n - i < block ? n - i : block));
	}
}

/* Gain (dB) of fx at frequency f, measured with a sine (0.5 s settle, fit over
 * a whole number of periods, least squares sine + cosine). */
static double measure_db(mxd_fx *fx, double fs, double f)
{
	size_t settle = (size_t)(fs / 2);
	size_t len = settle + (size_t)floor(fmax(1.0, floor(0.25 * f)) * fs / f + 0.5);
	float *y = malloc(len * sizeof *y);
	double w = 2 * PI * f / fs, amp = 0.5;
	fx->cls->reset(fx);
	for (size_t n = 0; n < len; n++)
		y[n] = (float)(amp * sin(w * (double)n));
	run_mono(fx, y, len, 256);
	double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
	for (size_t n = settle; n < len; n++) {
		double s = sin(w * (double)n), c = cos(w * (double)n);
		ss += s * s, cc += c * c, sc += s * c, ys += y[n] * s, yc += y[n] * c;
	}
	double det = ss * cc - sc * sc;
	double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
	free(y);
	return 20 * log10(hypot(a, b) / amp);
}

/* ---------------------------------------------------------------- registry */

static void t_registry_find(void)
{
	static const char *const names[] = { "gain", "polarity", "eq", "delay" };
	CHECK(mxd_fx_class_count() >= 4);
	for (int i = 0; i < 4; i++) {
		const mxd_fx_class *c = mxd_fx_class_find(names[i]);
		CHECK_MSG(c && strcmp(c->name, names[i]) == 0, "class %s", names[i]);
	}
	CHECK(mxd_fx_class_find("nosuch") == NULL);
	CHECK(mxd_fx_class_find("") == NULL);
	CHECK(mxd_fx_class_find("EQ") == NULL);
	CHECK(mxd_fx_class_find(NULL) == NULL);
	CHECK(mxd_fx_class_at(mxd_fx_class_count()) == NULL);
	for (size_t i = 0; i < mxd_fx_class_count(); i++) {
		const mxd_fx_class *c = mxd_fx_class_at(i);
		CHECK(c && mxd_fx_class_find(c->name) == c);
		CHECK(c->summary && c->create && c->activate && c->set_param && c->run && c->latency &&
		      c->reset && c->destroy);
	}
	CHECK(mxd_fx_param_find(mxd_fx_class_find("eq"), "bands") != NULL);
	CHECK(mxd_fx_param_find(mxd_fx_class_find("eq"), "freq") == NULL);
	CHECK(mxd_fx_param_find(mxd_fx_class_find("gain"), "gain") != NULL);
}

/* first_slot/n_slots invariant of every class: top-level slots contiguous in
 * table order, lists take n_sub * max_items, no overlap, total == n_slots;
 * sub-entries carry their offset inside an item. Every slot is reachable
 * through exactly one path. */
static void t_slot_layout(void)
{
	for (size_t i = 0; i < mxd_fx_class_count(); i++) {
		const mxd_fx_class *c = mxd_fx_class_at(i);
		size_t next = 0;
		int *hits = calloc(c->n_slots + 1, sizeof *hits);
		for (size_t k = 0; k < c->n_params; k++) {
			const mxd_param *p = &c->params[k];
			CHECK_MSG(p->first_slot == next, "%s.%s first_slot %zu, want %zu", c->name,
				  p->name, p->first_slot, next);
			if (p->kind != MXD_PARAM_LIST) {
				next += 1;
				long s = mxd_fx_param_path(c, p->name, NULL);
				if (s >= 0 && (size_t)s < c->n_slots)
					hits[s]++;
				continue;
			}
			CHECK(p->sub && p->n_sub > 0 && p->max_items > 0);
			for (size_t s = 0; s < p->n_sub; s++) {
				CHECK_MSG(p->sub[s].first_slot == s, "%s.%s.%s offset", c->name, p->name,
					  p->sub[s].name);
				CHECK(p->sub[s].kind != MXD_PARAM_LIST);
			}
			for (size_t item = 1; item <= p->max_items; item++)
				for (size_t s = 0; s < p->n_sub; s++) {
					char path[128];
					snprintf(path, sizeof path, "%s.%zu.%s", p->name, item, p->sub[s].name);
					long slot = mxd_fx_param_path(c, path, NULL);
					CHECK_MSG(slot >= 0 && (size_t)slot < c->n_slots, "%s: %s", c->name, path);
					if (slot >= 0 && (size_t)slot < c->n_slots)
						hits[slot]++;
				}
			next += p->n_sub * p->max_items;
		}
		CHECK_MSG(next == c->n_slots, "%s: params cover %zu slots, n_slots %zu", c->name, next,
			  c->n_slots);
		for (size_t s = 0; s < c->n_slots; s++)
			CHECK_MSG(hits[s] == 1, "%s: slot %zu reached by %d paths", c->name, s, hits[s]);
		free(hits);
	}
}

static void check_entry(const char *cls, const mxd_param *p)
{
	switch (p->kind) {
	case MXD_PARAM_NUMBER:
		CHECK_MSG(p->min <= p->def && p->def <= p->max, "%s.%s default out of range", cls, p->name);
		break;
	case MXD_PARAM_ENUM: {
		size_t n = 0;
		while (p->choices && p->choices[n])
			n++;
		CHECK_MSG(n > 0 && p->def >= 0 && p->def < (double)n, "%s.%s enum", cls, p->name);
		break;
	}
	case MXD_PARAM_BOOL:
		CHECK_MSG(p->def == 0 || p->def == 1, "%s.%s bool", cls, p->name);
		break;
	case MXD_PARAM_LIST:
		for (size_t s = 0; s < p->n_sub; s++)
			check_entry(cls, &p->sub[s]);
		break;
	case MXD_PARAM_FILE:
		CHECK_MSG(!p->automatable, "%s.%s: a file cannot be automated", cls, p->name);
		break;
	}
	CHECK_MSG(p->name && p->help && p->unit, "%s.%s: name/help/unit", cls, p->name ? p->name : "?");
}

static void t_param_tables(void)
{
	for (size_t i = 0; i < mxd_fx_class_count(); i++) {
		const mxd_fx_class *c = mxd_fx_class_at(i);
		for (size_t k = 0; k < c->n_params; k++)
			check_entry(c->name, &c->params[k]);
	}
}

static void t_param_path(void)
{
	const mxd_fx_class *eq = mxd_fx_class_find("eq");
	const mxd_param *leaf = NULL;
	CHECK_INT(mxd_fx_param_path(eq, "bands.2.freq", &leaf), 6);
	CHECK(leaf && strcmp(leaf->name, "freq") == 0 && strcmp(leaf->unit, "Hz") == 0);
	CHECK_INT(mxd_fx_param_path(eq, "bands.1.type", NULL), 0);
	CHECK_INT(mxd_fx_param_path(eq, "bands.1.slope", NULL), 4);
	CHECK_INT(mxd_fx_param_path(eq, "bands.16.slope", NULL), 79);
	CHECK_INT(mxd_fx_param_path(eq, "bands.10.q", NULL), 48);
	CHECK_INT(mxd_fx_param_path(eq, "bands.17.freq", &leaf), -1);
	CHECK(leaf == NULL);
	CHECK_INT(mxd_fx_param_path(eq, "bands.0.freq", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.2", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.2.", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.2.nope", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.x.freq", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.-1.freq", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands..freq", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "bands.99999999999.freq", NULL), -1);
	CHECK_INT(mxd_fx_param_path(eq, "freq", NULL), -1);
	const mxd_fx_class *g = mxd_fx_class_find("gain");
	CHECK_INT(mxd_fx_param_path(g, "gain", &leaf), 0);
	CHECK(leaf == &g->params[0]);
	CHECK_INT(mxd_fx_param_path(g, "gain.1", NULL), -1);
	CHECK_INT(mxd_fx_param_path(g, "Gain", NULL), -1);
	CHECK_INT(mxd_fx_param_path(g, "", NULL), -1);
	CHECK_INT(mxd_fx_param_path(g, NULL, NULL), -1);
	const mxd_fx_class *d = mxd_fx_class_find("delay");
	CHECK_INT(mxd_fx_param_path(d, "time", NULL), 0);
	CHECK_INT(mxd_fx_param_path(d, "samples", NULL), 1);
	CHECK_INT(mxd_fx_param_path(d, "latency_report", NULL), 2);
	CHECK_INT(mxd_fx_param_path(mxd_fx_class_find("polarity"), "invert", NULL), 0);
}

static void t_defaults(void)
{
	double v[256];
	const mxd_fx_class *eq = mxd_fx_class_find("eq");
	CHECK_INT(eq->n_slots, 80);
	mxd_fx_defaults(eq, v);
	for (int item = 0; item < 16; item++) {
		CHECK(v[item * 5 + 0] == 0);     /* type off */
		CHECK(v[item * 5 + 1] == 1000);  /* freq */
		CHECK(v[item * 5 + 2] == 0);     /* gain */
		CHECK(v[item * 5 + 3] == 0.707); /* q */
		CHECK(v[item * 5 + 4] == 12);    /* slope */
	}
	CHECK(strcmp(eq->params[0].sub[0].choices[0], "off") == 0);
	CHECK(strcmp(eq->params[0].sub[0].choices[5], "peak") == 0);
	mxd_fx_defaults(mxd_fx_class_find("gain"), v);
	CHECK(v[0] == 0);
	mxd_fx_defaults(mxd_fx_class_find("polarity"), v);
	CHECK(v[0] == 1);
	mxd_fx_defaults(mxd_fx_class_find("delay"), v);
	CHECK(v[0] == 0 && v[1] == 0 && v[2] == 0);
	const mxd_param *t = mxd_fx_param_find(mxd_fx_class_find("delay"), "time");
	CHECK(t && !t->automatable && t->max == 10000);
	CHECK(mxd_fx_param_find(mxd_fx_class_find("gain"), "gain")->automatable);
}

static void t_instantiate(void)
{
	for (size_t i = 0; i < mxd_fx_class_count(); i++) {
		const mxd_fx_class *c = mxd_fx_class_at(i);
		CHECK(mxd_fx_instantiate(c, NULL, FS, 64, 0) == NULL);
		CHECK(mxd_fx_instantiate(c, NULL, FS, 64, MXD_MAX_CHANNELS + 1) == NULL);
		CHECK(mxd_fx_instantiate(c, NULL, 0, 64, 2) == NULL);
		mxd_fx *fx = mxd_fx_instantiate(c, NULL, FS, 64, MXD_MAX_CHANNELS);
		CHECK_MSG(fx && fx->cls == c, "%s", c->name);
		if (!fx)
			continue;
		float buf[MXD_MAX_CHANNELS][64];
		float *io[MXD_MAX_CHANNELS];
		for (int ch = 0; ch < MXD_MAX_CHANNELS; ch++) {
			mxt_noise(buf[ch], 64, 0.5, (uint32_t)ch + 1);
			io[ch] = buf[ch];
		}
		c->run(fx, io, NULL, 0);
		c->run(fx, io, NULL, 64);
		/* Latency is reported, exact, and small enough for mixing (< 50 ms). */
		CHECK_MSG(c->latency(fx) < FS * 0.05, "%s: latency %u frames", c->name, c->latency(fx));
		c->reset(fx);
		c->destroy(fx);
		c->destroy(NULL);
	}
}

/* -------------------------------------------------------------------- gain */

static void t_gain_unity_bitexact(void)
{
	mxd_fx *fx = MAKE("gain", FS, 2, "gain=0");
	enum { N = 1000 };
	float a[N], b[N], ra[N], rb[N];
	mxt_noise(a, N, 1.0, 11);
	mxt_noise(b, N, 1e-3, 12);
	b[3] = 1e-40f; /* a subnormal, too */
	memcpy(ra, a, sizeof a);
	memcpy(rb, b, sizeof b);
	float *io[2] = { a, b };
	fx->cls->run(fx, io, NULL, 0);
	fx->cls->run(fx, io, NULL, 600);
	io[0] += 600, io[1] += 600;
	fx->cls->run(fx, io, NULL, 400);
	CHECK(memcmp(a, ra, sizeof a) == 0);
	CHECK(memcmp(b, rb, sizeof b) == 0);
	fx->cls->destroy(fx);
	/* Back to 0 dB after a change: exact identity again once the ramp ends. */
	float x[2048], rx[2048];
	mxt_noise(rx, 2048, 1.0, 13);
	memcpy(x, rx, sizeof x);
	fx = MAKE("gain", FS, 1, "gain=-3");
	set(fx, "gain", 0);
	run_mono(fx, x, 2048, 512);
	CHECK(memcmp(x + 960, rx + 960, sizeof x - 960 * sizeof x[0]) == 0);
	CHECK(x[100] != rx[100]);
	fx->cls->destroy(fx);
}

static void t_gain_halves(void)
{
	mxd_fx *fx = MAKE("gain", FS, 1, "gain=-6.0206");
	enum { N = 4096 };
	float x[N], r[N];
	mxt_noise(x, N, 1.0, 21);
	memcpy(r, x, sizeof x);
	run_mono(fx, x, N, 333);
	double worst = 0;
	for (int i = 0; i < N; i++)
		worst = fmax(worst, fabs(x[i] - 0.5 * r[i]));
	CHECK_MSG(worst < 1e-6, "max |y - x/2| = %g", worst);
	fx->cls->destroy(fx);
	/* Clamping: +100 dB is +24 dB, -1000 dB is -144 dB. */
	fx = MAKE("gain", FS, 1, "gain=100");
	float one[4] = { 1, 1, 1, 1 };
	run_mono(fx, one, 4, 4);
	CHECK_NEAR(one[3], pow(10, 24 / 20.0), 1e-5);
	fx->cls->destroy(fx);
	fx = MAKE("gain", FS, 1, "gain=-1000");
	one[0] = 1;
	run_mono(fx, one, 1, 1);
	CHECK_NEAR(one[0], pow(10, -144 / 20.0), 1e-12);
	CHECK(one[0] > 0);
	fx->cls->destroy(fx);
}

/* A step of the target ramps linearly over 20 ms (960 frames at 48 kHz). */
static void t_gain_smoothing(void)
{
	mxd_fx *fx = MAKE("gain", FS, 1, "gain=0");
	enum { N = 2000 };
	float x[N];
	for (int i = 0; i < N; i++)
		x[i] = 1.0f;
	set(fx, "gain", -20);
	run_mono(fx, x, N, 64);
	double max_step = 0.9 / 960 * 1.0001 + 1e-7;
	CHECK_MSG(fabs(x[0] - 1.0) <= max_step, "first sample jumped to %g", x[0]);
	CHECK(x[0] < 1.0f);
	for (int i = 1; i < N; i++)
		if (fabs(x[i] - x[i - 1]) > max_step) {
			mxt_fail(__FILE__, __LINE__, "jump %g at %d", fabs(x[i] - x[i - 1]), i);
			break;
		}
	CHECK_NEAR(x[479], 0.55, 1e-4); /* halfway, linear */
	CHECK_NEAR(x[958], 0.1 + 0.9 / 960, 1e-5);
	for (int i = 959; i < N; i++)
		if (x[i] != (float)0.1) {
			mxt_fail(__FILE__, __LINE__, "x[%d] = %.9g, want 0.1 after the ramp", i, x[i]);
			break;
		}
	/* reset() snaps to the target. */
	set(fx, "gain", 0);
	fx->cls->reset(fx);
	x[0] = 0.75f;
	run_mono(fx, x, 1, 1);
	CHECK(x[0] == 0.75f);
	fx->cls->destroy(fx);
}

/* ---------------------------------------------------------------- polarity */

static void t_polarity(void)
{
	enum { N = 3000 };
	float x[N], r[N];
	mxt_noise(x, N, 1.0, 31);
	x[5] = 0.0f;
	x[6] = 1e-40f;
	memcpy(r, x, sizeof x);
	mxd_fx *fx = MAKE("polarity", FS, 1, "invert=1");
	run_mono(fx, x, N, 500);
	int exact = 1;
	for (int i = 0; i < N; i++)
		exact &= x[i] == -r[i] && signbit(x[i]) != signbit(r[i]);
	CHECK(exact);
	/* Toggling ramps through zero instead of jumping: DC 1 goes -1 -> +1. */
	for (int i = 0; i < N; i++)
		x[i] = 1.0f;
	set(fx, "invert", 0);
	run_mono(fx, x, N, 500);
	CHECK(x[0] > -1.0f && x[0] < -0.99f);
	CHECK_NEAR(x[479], 0.0, 1e-9);
	CHECK(x[959] == 1.0f && x[N - 1] == 1.0f);
	fx->cls->destroy(fx);
	fx = MAKE("polarity", FS, 1, "invert=0");
	memcpy(x, r, sizeof x);
	run_mono(fx, x, N, 500);
	CHECK(memcmp(x, r, sizeof x) == 0);
	fx->cls->destroy(fx);
}

/* ------------------------------------------------------------------- delay */

static void check_impulse_at(mxd_fx *fx, size_t at, uint32_t block)
{
	enum { N = 5000 };
	static float x[N];
	memset(x, 0, sizeof x);
	x[0] = 1.0f;
	run_mono(fx, x, N, block);
	for (size_t i = 0; i < N; i++) {
		float want = i == at ? 1.0f : 0.0f;
		if (x[i] != want) {
			mxt_fail(__FILE__, __LINE__, "delay output[%zu] = %g, want %g (impulse at %zu)", i,
				 x[i], want, at);
			return;
		}
	}
}

static void t_delay_impulse(void)
{
	/* 1.5 ms at 48 kHz = 72 frames, + 5 samples. */
	mxd_fx *fx = MAKE("delay", FS, 1, "time=1.5", "samples=5");
	check_impulse_at(fx, 77, 7);
	CHECK_INT(fx->cls->latency(fx), 0);
	fx->cls->destroy(fx);
	fx = MAKE("delay", FS, 1, "time=1.5", "samples=5", "latency_report=1");
	CHECK_INT(fx->cls->latency(fx), 77);
	check_impulse_at(fx, 77, 1024);
	fx->cls->destroy(fx);
	/* 1 ms at 44.1 kHz = 44.1 -> 44; 2.5 ms = 110.25 -> 110; 10 s. */
	fx = MAKE("delay", 44100, 1, "time=1", "latency_report=1");
	CHECK_INT(fx->cls->latency(fx), 44);
	check_impulse_at(fx, 44, 100);
	fx->cls->destroy(fx);
	fx = MAKE("delay", 44100, 1, "samples=3", "time=2.5");
	check_impulse_at(fx, 113, 64);
	fx->cls->destroy(fx);
	fx = MAKE("delay", 96000, 1, "time=10000", "samples=1000000", "latency_report=1");
	CHECK_INT(fx->cls->latency(fx), 1960000);
	fx->cls->destroy(fx);
	/* Zero delay is identity; multi-channel lines are independent. */
	fx = MAKE("delay", FS, 2, "samples=3");
	float a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8] = { -1, -2, -3, -4, -5, -6, -7, -8 };
	float *io[2] = { a, b };
	fx->cls->run(fx, io, NULL, 8);
	CHECK(a[0] == 0 && a[2] == 0 && a[3] == 1 && a[7] == 5);
	CHECK(b[0] == 0 && b[3] == -1 && b[7] == -5);
	fx->cls->reset(fx);
	fx->cls->run(fx, io, NULL, 3);
	CHECK(a[0] == 0 && a[1] == 0 && a[2] == 0);
	fx->cls->destroy(fx);
	fx = MAKE("delay", FS, 1, "samples=0");
	float z[3] = { 0.1f, 0.2f, 0.3f };
	run_mono(fx, z, 3, 3);
	CHECK(z[0] == 0.1f && z[2] == 0.3f);
	fx->cls->destroy(fx);
}

/* Changing the delay after activate crossfades over 10 ms (480 frames). */
static void t_delay_change(void)
{
	mxd_fx *fx = MAKE("delay", FS, 1, "samples=40");
	enum { N = 4000 };
	float x[N];
	for (int i = 0; i < N; i++)
		x[i] = (float)(i * 1e-4);
	run_mono(fx, x, 1000, 100);
	set(fx, "samples", 20);
	run_mono(fx, x + 1000, N - 1000, 100);
	for (int i = 1000; i < 1000 + 480; i++)
		if (fabs(x[i] - x[i - 1]) > 1e-4 * 1.05 + 20e-4 / 480 * 1.05) {
			mxt_fail(__FILE__, __LINE__, "step %g at %d", fabs(x[i] - x[i - 1]), i);
			break;
		}
	for (int i = 1480; i < N; i++)
		if (x[i] != (float)((i - 20) * 1e-4)) {
			mxt_fail(__FILE__, __LINE__, "x[%d] = %g, want the input 20 frames earlier", i, x[i]);
			break;
		}
	/* Growing beyond the capacity allocated at activate is clamped to it. */
	set(fx, "samples", 1000);
	CHECK_INT(fx->cls->latency(fx), 0);
	set(fx, "latency_report", 1);
	CHECK_INT(fx->cls->latency(fx), 40);
	fx->cls->destroy(fx);
}

/* ---------------------------------------------------------------------- eq */

static void t_eq_identity(void)
{
	enum { N = 4096 };
	float x[N], r[N];
	mxt_noise(r, N, 1.0, 41);
	/* All bands off (defaults), a 0 dB peak and a 0 dB shelf: bit-exact. */
	mxd_fx *fx = MAKE("eq", FS, 1, "bands.1.type=5", "bands.3.type=3", "bands.3.freq=100");
	memcpy(x, r, sizeof x);
	run_mono(fx, x, N, 256);
	CHECK(memcmp(x, r, sizeof x) == 0);
	/* +6 dB, then back to 0 dB: exact identity again once the filter has rung out. */
	set(fx, "bands.1.gain", 6);
	memcpy(x, r, sizeof x);
	run_mono(fx, x, N, 256);
	CHECK(memcmp(x, r, sizeof x) != 0);
	set(fx, "bands.1.gain", 0);
	for (int k = 0; k < 10; k++) {
		memcpy(x, r, sizeof x);
		run_mono(fx, x, N, 256);
	}
	CHECK(memcmp(x, r, sizeof x) == 0);
	fx->cls->destroy(fx);
}

/* Each EQ band type gives the response of the matching src/dsp design. */
static void t_eq_band_types(void)
{
	static const struct {
		const char *type;
		int idx;
		mxd_bq_type bq;
	} types[] = {
		{ "peak", 5, MXD_BQ_PEAK },          { "lowshelf", 3, MXD_BQ_LOWSHELF },
		{ "highshelf", 4, MXD_BQ_HIGHSHELF }, { "notch", 6, MXD_BQ_NOTCH },
		{ "bandpass", 7, MXD_BQ_BANDPASS },
	};
	static const double fr[] = { 100, 700, 1500, 6000 };
	for (int i = 0; i < 5; i++) {
		char t[32];
		snprintf(t, sizeof t, "bands.2.type=%d", types[i].idx);
		mxd_fx *fx = MAKE("eq", FS, 1, t, "bands.2.freq=1200", "bands.2.gain=-7.5",
				  "bands.2.q=1.7");
		mxd_biquad c;
		mxd_biquad_design(&c, types[i].bq, FS, 1200, 1.7, -7.5);
		for (int k = 0; k < 4; k++) {
			double want;
			mxd_biquad_response(&c, FS, fr[k], &want, NULL);
			double got = measure_db(fx, FS, fr[k]);
			CHECK_MSG(fabs(got - want) < 0.01, "%s at %g Hz: %.4f dB, want %.4f", types[i].type,
				  fr[k], got, want);
		}
		fx->cls->destroy(fx);
	}
	/* Peak gain at f0, shelf half gain at f0. */
	mxd_fx *fx = MAKE("eq", FS, 1, "bands.1.type=5", "bands.1.freq=2500", "bands.1.gain=9",
			  "bands.1.q=2");
	CHECK_NEAR(measure_db(fx, FS, 2500), 9.0, 0.01);
	fx->cls->destroy(fx);
	fx = MAKE("eq", FS, 1, "bands.1.type=3", "bands.1.freq=200", "bands.1.gain=-10");
	CHECK_NEAR(measure_db(fx, FS, 200), -5.0, 0.01);
	fx->cls->destroy(fx);
}

static void t_eq_highpass_lowpass(void)
{
	static const int slopes[] = { 6, 12, 18, 24, 36, 48 };
	for (int i = 0; i < 6; i++) {
		char s[32];
		snprintf(s, sizeof s, "bands.1.slope=%d", slopes[i]);
		mxd_fx *hp = MAKE("eq", FS, 1, "bands.1.type=1", "bands.1.freq=80", s);
		mxd_fx *lp = MAKE("eq", FS, 1, "bands.1.type=2", "bands.1.freq=5000", s);
		CHECK_NEAR(measure_db(hp, FS, 80), -3.0103, 0.01);
		CHECK_NEAR(measure_db(lp, FS, 5000), -3.0103, 0.01);
		double slope = measure_db(hp, FS, 10) - measure_db(hp, FS, 5);
		CHECK_MSG(fabs(slope - 6.0206 * slopes[i] / 6) < 0.1, "HP %d: %.3f dB/oct", slopes[i],
			  slope);
		CHECK_NEAR(measure_db(hp, FS, 2000), 0.0, 0.01);
		hp->cls->destroy(hp);
		lp->cls->destroy(lp);
	}
	/* Off-list slopes round to the nearest allowed one: 20 -> 18, 30 -> 24, 100 -> 48. */
	static const struct { double given, as; } rounding[] = { { 20, 18 }, { 30, 24 }, { 100, 48 }, { 7, 6 } };
	for (int i = 0; i < 4; i++) {
		char a[32], b[32];
		snprintf(a, sizeof a, "bands.1.slope=%g", rounding[i].given);
		snprintf(b, sizeof b, "bands.1.slope=%g", rounding[i].as);
		mxd_fx *fa = MAKE("eq", FS, 1, "bands.1.type=1", "bands.1.freq=300", a);
		mxd_fx *fb = MAKE("eq", FS, 1, "bands.1.type=1", "bands.1.freq=300", b);
		float x[2048], y[2048];
		mxt_noise(x, 2048, 1, 51);
		memcpy(y, x, sizeof x);
		run_mono(fa, x, 2048, 512);
		run_mono(fb, y, 2048, 512);
		CHECK_MSG(memcmp(x, y, sizeof x) == 0, "slope %g should act as %g", rounding[i].given,
			  rounding[i].as);
		fa->cls->destroy(fa);
		fb->cls->destroy(fb);
	}
}

/* Two bands in series multiply their responses; freq above Nyquist is clamped. */
static void t_eq_cascade_and_clamp(void)
{
	mxd_fx *fx = MAKE("eq", FS, 1, "bands.1.type=5", "bands.1.freq=1000", "bands.1.gain=6",
			  "bands.1.q=1", "bands.4.type=1", "bands.4.freq=100", "bands.4.slope=24");
	mxd_biquad pk;
	mxd_bq_cascade hp;
	mxd_biquad_design(&pk, MXD_BQ_PEAK, FS, 1000, 1, 6);
	mxd_butterworth_design(&hp, true, FS, 100, 4);
	static const double fr[] = { 50, 100, 400, 1000, 3000 };
	for (int k = 0; k < 5; k++) {
		double a, b;
		mxd_biquad_response(&pk, FS, fr[k], &a, NULL);
		mxd_bq_cascade_response(&hp, FS, fr[k], &b, NULL);
		CHECK_NEAR(measure_db(fx, FS, fr[k]), a + b, 0.01);
	}
	fx->cls->destroy(fx);
	/* 40 kHz at 44.1 kHz: designed at 0.49 fs, stable and finite. */
	fx = MAKE("eq", 44100, 1, "bands.1.type=2", "bands.1.freq=40000", "bands.1.slope=48",
		  "bands.2.type=5", "bands.2.freq=40000", "bands.2.gain=12", "bands.2.q=40");
	float x[44100];
	mxt_noise(x, 44100, 0.5, 61);
	run_mono(fx, x, 44100, 512);
	double peak = 0;
	for (int i = 0; i < 44100; i++)
		peak = isfinite(x[i]) ? fmax(peak, fabs(x[i])) : INFINITY;
	CHECK_MSG(peak < 10, "peak %g", peak);
	fx->cls->destroy(fx);
}

/* A gain step on a band moves over 20 ms instead of jumping. */
static void t_eq_smoothing(void)
{
	mxd_fx *fx = MAKE("eq", FS, 1, "bands.1.type=5", "bands.1.freq=1000", "bands.1.q=1");
	enum { N = 9600, P = 48 }; /* 1 kHz: 48 frames per period */
	float x[N];
	for (int i = 0; i < N; i++)
		x[i] = (float)(0.25 * sin(2 * PI * 1000 * i / FS));
	run_mono(fx, x, 2400, 256); /* steady at 0 dB (identity) */
	set(fx, "bands.1.gain", 12);
	run_mono(fx, x + 2400, N - 2400, 256);
	double lvl[N / P];
	for (int k = 0; k < N / P; k++) {
		double acc = 0;
		for (int i = 0; i < P; i++)
			acc += (double)x[k * P + i] * x[k * P + i];
		lvl[k] = 10 * log10(acc / P / (0.25 * 0.25 / 2));
	}
	CHECK_NEAR(lvl[2400 / P - 1], 0.0, 0.01);
	/* 10 ms into the 20 ms ramp the gain is about half way (in dB). */
	double mid = lvl[(2400 + 480) / P];
	CHECK_MSG(mid > 3 && mid < 9, "level 10 ms into the ramp: %.2f dB", mid);
	/* Monotonic rise, no period jumping more than ~1.5 dB. */
	for (int k = 2400 / P; k < (2400 + 960) / P; k++)
		CHECK_MSG(lvl[k + 1] - lvl[k] < 1.5 && lvl[k + 1] > lvl[k] - 0.01, "period %d: %.2f -> %.2f", k,
			  lvl[k], lvl[k + 1]);
	CHECK_NEAR(lvl[N / P - 1], 12.0, 0.02);
	fx->cls->destroy(fx);
}

/* ------------------------------------------------------------- robustness */

static void t_nan_recovery(void)
{
	static const struct {
		const char *name;
		const char *kv[6];
	} cfg[] = {
		{ "gain", { "gain=-6" } },
		{ "polarity", { "invert=1" } },
		{ "delay", { "samples=10", "time=1" } },
		{ "eq", { "bands.1.type=1", "bands.1.freq=100", "bands.1.slope=48", "bands.2.type=5",
			  "bands.2.gain=6", "bands.3.type=4" } },
	};
	for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
		size_t n_kv = 0;
		while (n_kv < 6 && cfg[c].kv[n_kv])
			n_kv++;
		mxd_fx *fx = make(cfg[c].name, FS, 2, cfg[c].kv, n_kv);
		mxd_fx *ref = make(cfg[c].name, FS, 2, cfg[c].kv, n_kv);
		enum { B = 256, BLOCKS = 200 };
		float a[B], b[B], ra[B], rb[B];
		float *io[2] = { a, b }, *rio[2] = { ra, rb };
		mxt_noise(a, B, 0.5, 71);
		mxt_noise(b, B, 0.5, 72);
		a[3] = NAN;
		b[100] = INFINITY;
		a[200] = -INFINITY;
		fx->cls->run(fx, io, NULL, B);
		int finite = 1;
		double diff = 0;
		for (int k = 0; k < BLOCKS; k++) {
			mxt_noise(a, B, 0.5, 100 + (uint32_t)k);
			mxt_noise(b, B, 0.5, 1000 + (uint32_t)k);
			memcpy(ra, a, sizeof a);
			memcpy(rb, b, sizeof b);
			fx->cls->run(fx, io, NULL, B);
			ref->cls->run(ref, rio, NULL, B);
			if (k >= 10)
				for (int i = 0; i < B; i++)
					finite &= isfinite(a[i]) && isfinite(b[i]);
			if (k == BLOCKS - 1)
				for (int i = 0; i < B; i++)
					diff = fmax(diff, fmax(fabs(a[i] - ra[i]), fabs(b[i] - rb[i])));
		}
		CHECK_MSG(finite, "%s: non-finite output after recovery", cfg[c].name);
		CHECK_MSG(diff < 1e-5, "%s: differs from a fresh instance by %g", cfg[c].name, diff);
		fx->cls->destroy(fx);
		ref->cls->destroy(ref);
	}
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_registry_find),
		MXT(t_slot_layout),
		MXT(t_param_tables),
		MXT(t_param_path),
		MXT(t_defaults),
		MXT(t_instantiate),
		MXT(t_gain_unity_bitexact),
		MXT(t_gain_halves),
		MXT(t_gain_smoothing),
		MXT(t_polarity),
		MXT(t_delay_impulse),
		MXT(t_delay_change),
		MXT(t_eq_identity),
		MXT(t_eq_band_types),
		MXT(t_eq_highpass_lowpass),
		MXT(t_eq_cascade_and_clamp),
		MXT(t_eq_smoothing),
		MXT(t_nan_recovery),
	};
	return MXT_RUN(cases);
}
