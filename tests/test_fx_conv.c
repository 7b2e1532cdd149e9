/* mixdown — tests of `convolution`: exactness against a direct convolution
 * in double, latency, resampling of the IR, channel mapping, file errors, a
 * CLI render, smoothing and robustness.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sndfile.h>
#include <stdint.h>

#include "dsp/biquad.h"
#include "fx/processor.h"
#include "harness.h"
#include "util.h"

#define PI 3.14159265358979323846
#define FS 48000.0
#define BLOCK 256u

static const char *ir_file; /* default IR for make(): set per test */


/* ------------------------------------------------------------ convolution */

/* An exponentially decaying noise IR (deterministic), n frames x ch. */
static float *noise_ir(size_t n, int ch, uint32_t seed)
{
	float *ir = malloc(n * (size_t)ch * sizeof *ir);
	mxt_noise(ir, (int64_t)(n * (size_t)ch), 0.5, seed);
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++)
			ir[i * (size_t)ch + (size_t)c] *= (float)exp(-3.0 * (double)i / (double)n);
	return ir;
}

static const char *write_ir(const char *name, const float *ir, size_t n, int ch, int rate)
{
	const char *dir = mxt_tempdir();
	static char paths[8][512];
	static int slot;
	char *p = paths[slot++ & 7];
	snprintf(p, 512, "%s", mxt_path(dir, name));
	CHECK(mxt_write_audio(p, ir, (int64_t)n, ch, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	return p;
}

static mxd_fx *make_conv(const char *ir, double rate, uint32_t channels, uint32_t max_block, const char *const *kv,
			 size_t n_kv, char *err, size_t err_size)
{
	const mxd_fx_class *cls = mxd_fx_class_find("convolution");
	CHECK(cls != NULL);
	if (!cls)
		return NULL;
	double *v = malloc(cls->n_slots * sizeof *v);
	char **files = calloc(cls->n_slots, sizeof *files);
	mxd_fx_defaults(cls, v);
	for (size_t i = 0; i < n_kv; i++) {
		char key[64];
		const char *eq = strchr(kv[i], '=');
		snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
		long slot = mxd_fx_param_path(cls, key, NULL);
		CHECK_MSG(slot >= 0, "unknown path %s", key);
		if (slot >= 0)
			v[slot] = atof(eq + 1);
	}
	files[mxd_fx_param_path(cls, "ir", NULL)] = (char *)ir;
	mxd_fx *fx = mxd_fx_instantiate_files(cls, v, files, rate, max_block, channels, err, err_size);
	free(v);
	free(files);
	return fx;
}

static mxd_fx *make(const char *name, double rate, uint32_t channels, const char *const *kv, size_t n_kv)
{
	(void)name;
	char err[256] = "";
	mxd_fx *fx = make_conv(ir_file, rate, channels, 1024, kv, n_kv, err, sizeof err);
	CHECK_MSG(fx != NULL, "convolution: %s", err);
	return fx;
}
/* ----------------------------------------------------------------- helpers */

#define MAKE(name, rate, ch, ...)                                                                    \
	make(name, rate, ch, (const char *const[]){ __VA_ARGS__ },                                   \
	     sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static void set(mxd_fx *fx, const char *path, double v)
{
	long slot = mxd_fx_param_path(fx->cls, path, NULL);
	CHECK_MSG(slot >= 0, "path %s", path);
	if (slot >= 0)
		fx->cls->set_param(fx, (size_t)slot, v);
}

/* Run planar buffers ch[0..nch) of n frames through fx in blocks. */
static void run(mxd_fx *fx, float **ch, uint32_t nch, size_t n, uint32_t block)
{
	for (size_t i = 0; i < n; i += block) {
		float *io[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nch; c++)
			io[c] = ch[c] + i;
		fx->cls->run(fx, io, NULL, (uint32_t)(n - i < block ? n - i : block));
	}
}

static float **alloc_ch(uint32_t nch, size_t n)
{
	float **ch = calloc(nch, sizeof *ch);
	for (uint32_t c = 0; c < nch; c++)
		ch[c] = calloc(n, sizeof(float));
	return ch;
}

static void free_ch(float **ch, uint32_t nch)
{
	for (uint32_t c = 0; c < nch; c++)
		free(ch[c]);
	free(ch);
}

/* Click metric (as test_fx_all.c): a 200 Hz sine at 0.5 on 2 channels; after
 * 100 blocks `path` jumps to `to`. Largest step in the 200 ms after the change
 * over twice the largest step before/after (+2e-3). > 1 means a click. */
static double max_step(const float *x, size_t from, size_t to)
{
	double m = 0;
	for (size_t i = from + 1; i < to; i++)
		m = fmax(m, fabs((double)x[i] - x[i - 1]));
	return m;
}

static double click_ratio(mxd_fx *fx, const char *path, double to)
{
	size_t blocks = 300, n = blocks * BLOCK, change = 100 * BLOCK, win = (size_t)FS / 20;
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 200, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	run(fx, ch, 2, change, BLOCK);
	set(fx, path, to);
	float *rest[2] = { ch[0] + change, ch[1] + change };
	run(fx, rest, 2, n - change, BLOCK);
	double worst = 0;
	for (int c = 0; c < 2; c++) {
		double before = max_step(ch[c], change - win, change);
		double after = max_step(ch[c], change + 4 * win, n);
		double during = max_step(ch[c], change - 1, change + 4 * win);
		worst = fmax(worst, during / (2.0 * fmax(before, after) + 2e-3));
	}
	free_ch(ch, 2);
	return worst;
}

/* Silence gives exact zeros; after a noise burst the output is < 1e-20 within
 * tail_s and never subnormal. */
static void check_silence(mxd_fx *fx, double tail_s, const char *what)
{
	size_t nb = (size_t)(FS / 4);
	float **ch = alloc_ch(2, nb);
	run(fx, ch, 2, nb, BLOCK);
	size_t nonzero = 0;
	for (size_t i = 0; i < nb; i++)
		nonzero += ch[0][i] != 0.0f || ch[1][i] != 0.0f;
	CHECK_MSG(nonzero == 0, "%s: %zu nonzero samples from silence", what, nonzero);
	mxt_noise(ch[0], (int64_t)nb, 0.5, 3);
	mxt_noise(ch[1], (int64_t)nb, 0.5, 4);
	run(fx, ch, 2, nb, BLOCK);
	size_t subn = 0, steps = (size_t)(tail_s * 4);
	double last = 0;
	for (size_t k = 0; k < steps; k++) {
		memset(ch[0], 0, nb * sizeof(float));
		memset(ch[1], 0, nb * sizeof(float));
		run(fx, ch, 2, nb, BLOCK);
		for (int c = 0; c < 2; c++)
			for (size_t i = 0; i < nb; i++) {
				float v = fabsf(ch[c][i]);
				subn += v != 0.0f && v < 1.17549435e-38f;
				if (k == steps - 1)
					last = fmax(last, v);
			}
	}
	CHECK_MSG(subn == 0, "%s: %zu subnormal samples in the tail", what, subn);
	CHECK_MSG(last < 1e-20, "%s: tail at %g after %.1f s", what, last, tail_s);
	printf("# %s: last block of the tail max %g%s\n", what, last, last == 0 ? " (exact zeros)" : "");
	free_ch(ch, 2);
}

/* A NaN/Inf burst in a sine, without reset(): finite output again within
 * `within_s` after the burst, and not silent. */
static void check_nan(mxd_fx *fx, double within_s, const char *what)
{
	size_t n = (size_t)(FS * (within_s + 0.5)), burst = (size_t)(FS / 10);
	float **ch = alloc_ch(2, n);
	mxt_sine(ch[0], (int64_t)n, 1, FS, 300, 0.5, 0);
	memcpy(ch[1], ch[0], n * sizeof(float));
	for (size_t i = burst; i < burst + BLOCK; i++)
		ch[0][i] = ch[1][i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
	run(fx, ch, 2, n, BLOCK);
	size_t bad = 0, from = burst + BLOCK + (size_t)(within_s * FS);
	for (int c = 0; c < 2; c++)
		for (size_t i = from; i < n; i++)
			bad += !isfinite(ch[c][i]);
	CHECK_MSG(bad == 0, "%s: %zu non-finite samples %.2f s after the burst", what, bad, within_s);
	size_t any = 0;
	for (size_t i = from; i < n; i++)
		any += ch[0][i] != 0.0f;
	CHECK_MSG(any > 0, "%s: output silent after the burst", what);
	free_ch(ch, 2);
}

/* Direct convolution in double of x (n) with h (m), first n outputs. */
static double *direct(const float *x, size_t n, const float *h, size_t m, size_t hstride, double gain)
{
	double *y = calloc(n, sizeof *y);
	for (size_t i = 0; i < n; i++) {
		if (x[i] == 0.0f)
			continue;
		size_t lim = n - i < m ? n - i : m;
		for (size_t k = 0; k < lim; k++)
			y[i + k] += gain * (double)x[i] * h[k * hstride];
	}
	return y;
}

/* Relative error energy (dB) of out[lat .. lat+n) against ref[0..n). */
static double rel_err_db(const float *out, size_t lat, const double *ref, size_t n)
{
	double e = 0, s = 0;
	for (size_t i = 0; i + lat < n; i++) {
		double d = out[i + lat] - ref[i];
		e += d * d, s += ref[i] * ref[i];
	}
	return 10 * log10(e / s + 1e-300);
}

/* Mono and stereo IRs of 5000 frames (20 partitions of 256) and 40000
 * frames (157 partitions), noise input, block sizes 1, 7, 64, 256, 333, 1000
 * and 1024: output = direct double convolution delayed by latency(), relative
 * error energy below -100 dB. Stereo IR on a stereo strip: L IR for L, R IR
 * for R. */
static void t_conv_matches_direct(void)
{
	static const uint32_t blocks[] = { 1, 7, 64, 256, 333, 1000, 1024 };
	static const size_t lens[] = { 5000, 40000 };
	size_t n = 60000;
	float **x = alloc_ch(2, n);
	mxt_noise(x[0], (int64_t)n, 0.5, 11);
	mxt_noise(x[1], (int64_t)n, 0.5, 12);
	double worst = -400;
	for (int li = 0; li < 2; li++)
		for (int irch = 1; irch <= 2; irch++) {
			size_t m = lens[li];
			float *ir = noise_ir(m, irch, 21 + (uint32_t)irch);
			const char *path = write_ir(irch == 1 ? "mono.wav" : "stereo.wav", ir, m, irch, 48000);
			double *ref[2];
			for (int c = 0; c < 2; c++)
				ref[c] = direct(x[c], n, ir + (irch == 2 ? c : 0), m, (size_t)irch, 1.0);
			for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
				if (blocks[b] == 1 && m > 5000)
					continue; /* per-sample calls: covered by the short IR */
				char err[256] = "";
				mxd_fx *fx = make_conv(path, FS, 2, 1024, NULL, 0, err, sizeof err);
				CHECK_MSG(fx != NULL, "%s", err);
				if (!fx)
					continue;
				uint32_t lat = fx->cls->latency(fx);
				float **y = alloc_ch(2, n);
				memcpy(y[0], x[0], n * sizeof(float));
				memcpy(y[1], x[1], n * sizeof(float));
				run(fx, y, 2, n, blocks[b]);
				for (int c = 0; c < 2; c++) {
					double e = rel_err_db(y[c], lat, ref[c], n);
					worst = fmax(worst, e);
					CHECK_MSG(e < -100, "IR %zu x %d, block %u, channel %d: error %.1f dB", m, irch,
						  blocks[b], c, e);
				}
				free_ch(y, 2);
				fx->cls->destroy(fx);
			}
			free(ref[0]);
			free(ref[1]);
			free(ir);
		}
	printf("# worst relative error energy against direct convolution: %.1f dB\n", worst);
	free_ch(x, 2);
}

/* latency() is the partition (256) and an impulse comes out exactly then,
 * shaped like the IR; predelay moves it by whole samples; mix 0.5 blends the
 * latency-aligned dry impulse; trim scales the wet part. */
static void t_conv_latency_predelay_mix(void)
{
	float ir[100] = { 0 };
	ir[10] = 1.0f, ir[11] = -0.5f, ir[50] = 0.25f;
	ir_file = write_ir("short.wav", ir, 100, 1, 48000);
	mxd_fx *fx = MAKE("convolution", FS, 1, "predelay=0");
	uint32_t lat = fx->cls->latency(fx);
	CHECK_INT(lat, 256);
	size_t n = 4096;
	float **y = alloc_ch(1, n);
	y[0][0] = 1.0f;
	run(fx, y, 1, n, 100);
	for (size_t i = 0; i < n; i++) {
		float want = i >= lat && i - lat < 100 ? ir[i - lat] : 0.0f;
		if (fabsf(y[0][i] - want) > 1e-6f) {
			CHECK_MSG(0, "impulse response at %zu: %g, want %g", i, y[0][i], want);
			break;
		}
	}
	fx->cls->destroy(fx);
	/* predelay 10 ms = 480 samples; mix 0.5; trim -6.0206 dB (x0.5) */
	fx = MAKE("convolution", FS, 1, "predelay=10", "mix=0.5", "trim=-6.0205999");
	memset(y[0], 0, n * sizeof(float));
	y[0][0] = 1.0f;
	run(fx, y, 1, n, 64);
	CHECK_NEAR(y[0][lat], 0.5, 1e-6);                /* dry, aligned */
	CHECK_NEAR(y[0][lat + 480 + 10], 0.25, 1e-6);   /* wet x 0.5 x 0.5 */
	CHECK_NEAR(y[0][lat + 480 + 50], 0.0625, 1e-6);
	CHECK_NEAR(y[0][lat + 10], 0.0, 1e-9);
	free_ch(y, 1);
	fx->cls->destroy(fx);
}

/* A 44.1 kHz IR in a 48 kHz instance is resampled: an impulse at 4410
 * (100 ms) comes out at 4800 + latency; a 1 s noise IR lasts 1 s (48000
 * samples) at 48 kHz: nothing beyond ~48000 + latency + the resampler's
 * filter, and not silent just before. */
static void t_conv_resampled_ir(void)
{
	size_t m = 44100;
	float *ir = calloc(m, sizeof *ir);
	ir[4410] = 1.0f;
	ir_file = write_ir("r44.wav", ir, m, 1, 44100);
	mxd_fx *fx = MAKE("convolution", FS, 1, "mix=1");
	size_t n = 60000, best = 0;
	float **y = alloc_ch(1, n);
	y[0][0] = 1.0f;
	run(fx, y, 1, n, BLOCK);
	for (size_t i = 0; i < n; i++)
		if (fabsf(y[0][i]) > fabsf(y[0][best]))
			best = i;
	printf("# 44.1 kHz impulse at 4410 -> peak at %zu (latency %u), value %.4f\n", best, fx->cls->latency(fx),
	       y[0][best]);
	CHECK_INT(best, 4800 + fx->cls->latency(fx));
	CHECK(y[0][best] > 0.9f);
	fx->cls->destroy(fx);
	free(ir);
	ir = noise_ir(m, 1, 5);
	for (size_t i = 0; i < m; i++)
		ir[i] = (float)(0.5 * sin(0.1 * (double)i)); /* no decay: the end is sharp */
	ir_file = write_ir("r44n.wav", ir, m, 1, 44100);
	fx = MAKE("convolution", FS, 1, "mix=1");
	memset(y[0], 0, n * sizeof(float));
	y[0][0] = 1.0f;
	run(fx, y, 1, n, BLOCK);
	uint32_t lat = fx->cls->latency(fx);
	size_t last = 0;
	for (size_t i = 0; i < n; i++)
		if (fabsf(y[0][i]) > 1e-3f)
			last = i;
	printf("# 1 s IR at 44.1 kHz: response ends at %zu - latency = %zu samples at 48 kHz\n", last,
	       last - lat);
	CHECK_MSG(labs((long)(last - lat) - 48000) < 64, "resampled IR length %zu", last - lat);
	free(ir);
	free_ch(y, 1);
	fx->cls->destroy(fx);
}

/* Mono strip with a stereo IR: the mean of the two; true stereo (4 channels
 * LL, LR, RL, RR) on a stereo strip. */
static void t_conv_channel_mapping(void)
{
	float st[2 * 8] = { 0 };
	st[0] = 1.0f, st[2 * 3 + 1] = 1.0f; /* L: impulse at 0, R: impulse at 3 */
	ir_file = write_ir("st.wav", st, 8, 2, 48000);
	mxd_fx *fx = MAKE("convolution", FS, 1, "mix=1");
	float **y = alloc_ch(2, 1024);
	y[0][0] = 1.0f;
	run(fx, y, 1, 1024, BLOCK);
	CHECK_NEAR(y[0][256], 0.5, 1e-6);
	CHECK_NEAR(y[0][259], 0.5, 1e-6);
	fx->cls->destroy(fx);
	float ts[4 * 8] = { 0 };
	ts[4 * 0 + 0] = 1.0f;  /* L->L at 0 */
	ts[4 * 1 + 1] = 0.5f;  /* L->R at 1 */
	ts[4 * 2 + 2] = 0.25f; /* R->L at 2 */
	ts[4 * 3 + 3] = 0.75f; /* R->R at 3 */
	ir_file = write_ir("ts.wav", ts, 8, 4, 48000);
	fx = MAKE("convolution", FS, 2, "mix=1");
	memset(y[0], 0, 1024 * sizeof(float));
	memset(y[1], 0, 1024 * sizeof(float));
	y[0][0] = 1.0f;   /* L impulse at 0 */
	y[1][100] = 1.0f; /* R impulse at 100 */
	run(fx, y, 2, 1024, BLOCK);
	CHECK_NEAR(y[0][256], 1.0, 1e-6);
	CHECK_NEAR(y[1][257], 0.5, 1e-6);
	CHECK_NEAR(y[0][256 + 102], 0.25, 1e-6);
	CHECK_NEAR(y[1][256 + 103], 0.75, 1e-6);
	CHECK_NEAR(y[1][256 + 100], 0.0, 1e-9);
	free_ch(y, 2);
	fx->cls->destroy(fx);
}

/* normalize: unit energy gain (sum of h^2 = 1 after scaling). */
static void t_conv_normalize(void)
{
	float ir[64] = { 0 };
	ir[0] = 3.0f, ir[5] = 4.0f; /* energy 25 -> scale 1/5 */
	ir_file = write_ir("n.wav", ir, 64, 1, 48000);
	mxd_fx *fx = MAKE("convolution", FS, 1, "normalize=1");
	float **y = alloc_ch(1, 1024);
	y[0][0] = 1.0f;
	run(fx, y, 1, 1024, BLOCK);
	CHECK_NEAR(y[0][256], 0.6, 1e-6);
	CHECK_NEAR(y[0][261], 0.8, 1e-6);
	free_ch(y, 1);
	fx->cls->destroy(fx);
}

/* Files that are not usable give a clear set_file error. */
static void t_conv_bad_files(void)
{
	const char *dir = mxt_tempdir();
	const char *txt = mxt_path(dir, "notes.txt");
	CHECK(mxt_write_text(txt, "this is not audio\n") == 0);
	char err[256] = "";
	mxd_fx *fx = make_conv(txt, FS, 2, 1024, NULL, 0, err, sizeof err);
	CHECK(fx == NULL);
	printf("# error: %s\n", err);
	CHECK_STR_CONTAINS(err, "not an audio file");
	CHECK_STR_CONTAINS(err, "notes.txt");
	float three[3 * 4] = { 1, 1, 1 };
	const char *p3 = write_ir("three.wav", three, 4, 3, 48000);
	fx = make_conv(p3, FS, 2, 1024, NULL, 0, err, sizeof err);
	CHECK(fx == NULL);
	printf("# error: %s\n", err);
	CHECK_STR_CONTAINS(err, "3 channels");
}

/* A session with `type: convolution, ir: room.wav` renders through the CLI:
 * an impulse on a mono track comes out as the IR (x0.5), whatever offset the
 * engine's latency compensation leaves. */
static void t_conv_cli_render(void)
{
	const char *dir = mxt_tempdir();
	size_t m = 3000;
	float *ir = noise_ir(m, 1, 77);
	char room[512];
	snprintf(room, sizeof room, "%s", mxt_path(dir, "room.wav"));
	CHECK(mxt_write_audio(room, ir, (int64_t)m, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	float x[4800] = { 0 };
	x[0] = 0.5f;
	CHECK(mxt_write_audio(mxt_path(dir, "click.wav"), x, 4800, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	CHECK(mxt_write_text(mxt_path(dir, "s.yaml"),
			     "mixdown: 1\nsample_rate: 48000\nchannels: 1\ntail: 0.5\n"
			     "tracks:\n  - name: Click\n    file: click.wav\n"
			     "    inserts: [ { type: convolution, ir: room.wav, mix: 1 } ]\n") == 0);
	int rc = mxt_run_cli("render '%s/s.yaml' -o '%s/out.wav' --bits 32f", dir, dir);
	CHECK_MSG(rc == 0, "render failed: %s", mxt_cli_err);
	int64_t frames = 0;
	int ch = 0;
	float *out = mxt_read_audio(mxt_path(dir, "out.wav"), &frames, &ch, NULL, NULL);
	CHECK(out != NULL && ch == 1 && frames > (int64_t)m + 300);
	if (out && ch == 1 && frames > (int64_t)m + 300) {
		size_t off = 0;
		while (off < 400 && fabsf(out[off]) < 1e-9f)
			off++;
		double e = 0, s = 0;
		for (size_t i = 0; i < m; i++) {
			double d = out[off + i] - 0.5 * ir[i];
			e += d * d, s += 0.25 * (double)ir[i] * ir[i];
		}
		printf("# CLI render: IR found at offset %zu, relative error %.1f dB\n", off, 10 * log10(e / s + 1e-300));
		CHECK(10 * log10(e / s + 1e-300) < -100);
	}
	free(out);
	free(ir);
}

/* Mid-run changes of every automatable parameter: no clicks. */
static void t_conv_no_clicks(void)
{
	float *ir = noise_ir(2400, 1, 8);
	for (size_t i = 0; i < 2400; i++)
		ir[i] *= 0.3f;
	ir[0] = 1.0f;
	ir_file = write_ir("click.wav", ir, 2400, 1, 48000);
	free(ir);
	static const struct {
		const char *path;
		double to;
	} jumps[] = { { "trim", -24 }, { "trim", 12 }, { "mix", 0 }, { "mix", 0.3 },
		      { "predelay", 120 }, { "normalize", 1 } };
	for (size_t k = 0; k < sizeof jumps / sizeof jumps[0]; k++) {
		mxd_fx *fx = MAKE("convolution", FS, 2, "predelay=5", "mix=0.8");
		double m = click_ratio(fx, jumps[k].path, jumps[k].to);
		CHECK_MSG(m <= 1.0, "convolution %s -> %g: click metric %.2f", jumps[k].path, jumps[k].to, m);
		fx->cls->destroy(fx);
	}
}

static void t_conv_robust(void)
{
	float *ir = noise_ir(24000, 2, 9);
	ir_file = write_ir("tail.wav", ir, 24000, 2, 48000);
	free(ir);
	mxd_fx *fx = MAKE("convolution", FS, 2, "predelay=20");
	check_silence(fx, 1.0, "convolution"); /* IR 0.5 s + 20 ms */
	check_nan(fx, 0.01, "convolution");
	fx->cls->destroy(fx);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_conv_matches_direct), MXT(t_conv_latency_predelay_mix), MXT(t_conv_resampled_ir),
		MXT(t_conv_channel_mapping), MXT(t_conv_normalize),          MXT(t_conv_bad_files),
		MXT(t_conv_cli_render),      MXT(t_conv_no_clicks),          MXT(t_conv_robust),
	};
	return MXT_RUN(cases);
}
