/* mixdown — tests for the `mixdown demo` content (src/demo).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Renders the demo once into a temp dir (and once more for the determinism
 * check) and inspects the stems: format and length, byte-identical reruns,
 * peaks, where each instrument plays and where it is silent, the lead's pitch,
 * the kick's spectrum, the session file, and a stand-alone estimate of the
 * mix peak the session's settings produce.
 */
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo/demo.h"
#include "demo/demo_internal.h"
#include "harness.h"
#include "util.h"

#define RATE 48000.0
#define BAR_S (240.0 / 108.0) /* 4 beats at 108 bpm */

static double bar_t(int bar)
{
	return (bar - 1) * BAR_S;
}

static const char *const stem_files[] = { "kick.wav", "snare.wav", "hats.wav", "bass.wav",
					  "keys.wav", "pad.wav", "lead.wav" };
static const int stem_channels[] = { 1, 1, 1, 1, 2, 2, 1 };
#define N_STEMS (sizeof stem_files / sizeof stem_files[0])

static char demo_dir[512];

/* The demo, rendered once into a (not yet existing) nested directory. */
static const char *demo(void)
{
	if (!demo_dir[0]) {
		char err[256] = "";
		snprintf(demo_dir, sizeof demo_dir, "%s/out/demo", mxt_tempdir());
		if (mxd_demo_write(demo_dir, err, sizeof err) != 0) {
			fprintf(stderr, "# mxd_demo_write: %s\n", err);
			demo_dir[0] = '\0';
			return NULL;
		}
	}
	return demo_dir;
}

typedef struct {
	float *buf;
	int64_t frames;
	int channels, rate, format;
} audio;

static audio stems[N_STEMS];

static const audio *stem(size_t i)
{
	if (!stems[i].buf && demo())
		stems[i].buf = mxt_read_audio(mxt_path(demo(), stem_files[i]), &stems[i].frames,
					      &stems[i].channels, &stems[i].rate, &stems[i].format);
	return stems[i].buf ? &stems[i] : NULL;
}

static size_t stem_index(const char *file)
{
	for (size_t i = 0; i < N_STEMS; i++)
		if (strcmp(stem_files[i], file) == 0)
			return i;
	abort();
}

static double peak_db(const audio *a, int64_t from, int64_t to)
{
	double pk = 0;
	if (from < 0)
		from = 0;
	if (to > a->frames)
		to = a->frames;
	for (int64_t i = from * a->channels; i < to * a->channels; i++)
		if (fabs(a->buf[i]) > pk)
			pk = fabs(a->buf[i]);
	return 20.0 * log10(pk + 1e-30);
}

static int64_t frame_at(double t)
{
	return (int64_t)llround(t * RATE);
}

/* ------------------------------------------------------------------ cases */

static void t_write_creates_files(void)
{
	CHECK(demo() != NULL);
	if (!demo())
		return;
	struct stat st;
	for (size_t i = 0; i < N_STEMS; i++)
		CHECK_MSG(stat(mxt_path(demo(), stem_files[i]), &st) == 0 && st.st_size > 0,
			  "%s missing", stem_files[i]);
	CHECK(stat(mxt_path(demo(), "session.yaml"), &st) == 0 && st.st_size > 0);
}

static void t_format_and_length(void)
{
	int64_t frames0 = -1;
	for (size_t i = 0; i < N_STEMS; i++) {
		const audio *a = stem(i);
		CHECK_MSG(a != NULL, "cannot read %s", stem_files[i]);
		if (!a)
			continue;
		CHECK_INT(a->rate, 48000);
		CHECK_INT(a->format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
		CHECK_INT(a->format & SF_FORMAT_SUBMASK, SF_FORMAT_PCM_24);
		CHECK_INT(a->channels, stem_channels[i]);
		double secs = (double)a->frames / RATE;
		CHECK_MSG(secs >= 20.0 && secs <= 40.0, "%s is %.2f s", stem_files[i], secs);
		if (frames0 < 0)
			frames0 = a->frames;
		CHECK_INT(a->frames, frames0);
	}
	CHECK_INT(frames0, mxd_demo_frames());
	printf("# stems: %.3f s, %lld frames\n", (double)frames0 / RATE, (long long)frames0);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
	*n = b ? fread(b, 1, (size_t)len, f) : 0;
	fclose(f);
	return b;
}

static void t_deterministic(void)
{
	const char *d1 = demo();
	CHECK(d1 != NULL);
	if (!d1)
		return;
	char d2[512], err[256];
	snprintf(d2, sizeof d2, "%s", mxt_tempdir()); /* already exists: must be reused */
	CHECK_INT(mxd_demo_write(d2, err, sizeof err), 0);
	for (size_t i = 0; i <= N_STEMS; i++) {
		const char *name = i < N_STEMS ? stem_files[i] : "session.yaml";
		size_t n1 = 0, n2 = 0;
		unsigned char *b1 = slurp(mxt_path(d1, name), &n1), *b2 = slurp(mxt_path(d2, name), &n2);
		CHECK_MSG(b1 && b2 && n1 == n2 && n1 > 0 && memcmp(b1, b2, n1) == 0,
			  "%s differs between runs", name);
		free(b1);
		free(b2);
	}
}

static void t_stem_peaks(void)
{
	for (size_t i = 0; i < N_STEMS; i++) {
		const audio *a = stem(i);
		CHECK(a != NULL);
		if (!a)
			continue;
		double pk = peak_db(a, 0, a->frames);
		printf("# %-9s peak %6.2f dBFS\n", stem_files[i], pk);
		CHECK_MSG(pk >= -12.0 && pk <= -1.0, "%s peak %.2f dBFS", stem_files[i], pk);
	}
}

/* Where each stem must sound (RMS of every bar in range above -45 dBFS) and
 * where it must be silent (digital silence), from the arrangement:
 *   1-4 intro: pad, keys (hats from 3)  5-8 verse: all  9-10 break: no drums/bass
 *   11-16 chorus: all  17 ending. Silent windows allow for release tails. */
typedef struct {
	const char *file;
	int play[4][2];                 /* bar ranges, {0,0} ends */
	struct { double from, to; } quiet[3]; /* s, from bar times; {0,0} ends */
} section_spec;

static void t_sections(void)
{
	const section_spec spec[] = {
		{ "kick.wav", { { 5, 8 }, { 11, 16 } },
		  { { 0, bar_t(5) - 0.001 }, { bar_t(9) + 0.35, bar_t(11) - 0.001 } } },
		{ "snare.wav", { { 5, 8 }, { 11, 16 } },
		  { { 0, bar_t(5) - 0.001 }, { bar_t(9) + 0.4, bar_t(10) + 0.5 * BAR_S } } },
		{ "hats.wav", { { 3, 8 }, { 11, 16 } },
		  { { 0, bar_t(3) - 0.001 }, { bar_t(9) + 0.3, bar_t(11) - 0.001 } } },
		{ "bass.wav", { { 5, 8 }, { 11, 17 } },
		  { { 0, bar_t(5) - 0.001 }, { bar_t(9) + 0.1, bar_t(11) - 0.001 } } },
		{ "keys.wav", { { 1, 17 } }, { { 0, 0 } } },
		{ "pad.wav", { { 1, 4 }, { 9, 17 } }, { { bar_t(6), bar_t(9) - 0.001 } } },
		{ "lead.wav", { { 5, 17 } }, { { 0, bar_t(5) - 0.001 } } },
	};
	for (size_t s = 0; s < sizeof spec / sizeof spec[0]; s++) {
		const audio *a = stem(stem_index(spec[s].file));
		CHECK(a != NULL);
		if (!a)
			continue;
		for (int r = 0; r < 4 && spec[s].play[r][0]; r++)
			for (int bar = spec[s].play[r][0]; bar <= spec[s].play[r][1]; bar++) {
				int64_t from = frame_at(bar_t(bar)), n = frame_at(BAR_S);
				if (from + n > a->frames)
					n = a->frames - from;
				for (int c = 0; c < a->channels; c++) {
					double rms = mxt_rms_db(a->buf, a->channels, c, from, n);
					CHECK_MSG(rms > -45.0, "%s ch%d bar %d: RMS %.1f dBFS, expected sound",
						  spec[s].file, c, bar, rms);
				}
			}
		for (int q = 0; q < 3 && spec[s].quiet[q].to > 0; q++) {
			double pk = peak_db(a, frame_at(spec[s].quiet[q].from), frame_at(spec[s].quiet[q].to));
			CHECK_MSG(pk < -100.0, "%s %.2f..%.2f s: peak %.1f dBFS, expected silence",
				  spec[s].file, spec[s].quiet[q].from, spec[s].quiet[q].to, pk);
		}
	}
}

/* Hann-windowed DFT magnitude of x[0..n) at frequency f. */
static double dft_mag(const float *x, int64_t n, int stride, double f)
{
	double re = 0, im = 0;
	for (int64_t i = 0; i < n; i++) {
		double w = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(n - 1));
		double ph = 2.0 * M_PI * f * (double)i / RATE;
		re += w * x[i * stride] * cos(ph);
		im -= w * x[i * stride] * sin(ph);
	}
	return sqrt(re * re + im * im);
}

/* Strongest frequency within +-3 % of `expect` in a 0.2 s window at t. */
static double measure_pitch(const audio *a, double t, double expect, double *ratio_sub)
{
	int64_t from = frame_at(t), n = frame_at(0.2);
	const float *x = a->buf + from * a->channels;
	double best_f = 0, best = -1;
	for (double f = expect * 0.97; f <= expect * 1.03; f += expect * 0.0002) {
		double m = dft_mag(x, n, a->channels, f);
		if (m > best) {
			best = m;
			best_f = f;
		}
	}
	/* Energy an octave below should be negligible (really the fundamental). */
	*ratio_sub = dft_mag(x, n, a->channels, expect / 2.0) / best;
	return best_f;
}

static void t_lead_pitch(void)
{
	const audio *a = stem(stem_index("lead.wav"));
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(a->channels, 1);
	/* Bar 5 beat 1: E5 (first note of the melody); bar 6 beat 1: A5;
	 * bar 9 beat 1: A5 held (measured before its delayed vibrato). */
	const struct { int bar; double freq; } notes[] = {
		{ 5, 659.2551 }, { 6, 880.0 }, { 9, 880.0 },
	};
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		double sub;
		double f = measure_pitch(a, bar_t(notes[i].bar) + 0.09, notes[i].freq, &sub);
		printf("# lead bar %d: %.2f Hz (expected %.2f)\n", notes[i].bar, f, notes[i].freq);
		CHECK_NEAR(f / notes[i].freq, 1.0, 0.005);
		CHECK_MSG(sub < 0.1, "bar %d: strong content an octave below (%.3f)", notes[i].bar, sub);
	}
}

/* Fraction of a kick hit's energy below 150 Hz (exact DFT + Parseval). */
static double low_fraction(const audio *a, double t)
{
	int64_t from = frame_at(t), n = frame_at(0.45);
	const float *x = a->buf + from;
	double total = 0, low = 0;
	for (int64_t i = 0; i < n; i++)
		total += (double)x[i] * x[i];
	for (int64_t k = 0; (double)k * RATE / (double)n < 150.0; k++) {
		double re = 0, im = 0;
		for (int64_t i = 0; i < n; i++) {
			double ph = 2.0 * M_PI * (double)((k * i) % n) / (double)n;
			re += x[i] * cos(ph);
			im -= x[i] * sin(ph);
		}
		low += (k == 0 ? 1.0 : 2.0) * (re * re + im * im) / (double)n;
	}
	return low / total;
}

static void t_kick_low_energy(void)
{
	const audio *a = stem(stem_index("kick.wav"));
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_INT(a->channels, 1);
	double f1 = low_fraction(a, bar_t(5)), f2 = low_fraction(a, bar_t(11) + BAR_S / 2);
	printf("# kick energy below 150 Hz: %.1f %%, %.1f %%\n", 100 * f1, 100 * f2);
	CHECK(f1 > 0.5);
	CHECK(f2 > 0.5);
}

static void t_session_file(void)
{
	CHECK(demo() != NULL);
	if (!demo())
		return;
	size_t n = 0;
	unsigned char *raw = slurp(mxt_path(demo(), "session.yaml"), &n);
	CHECK(raw != NULL);
	if (!raw)
		return;
	char *text = malloc(n + 1);
	memcpy(text, raw, n);
	text[n] = '\0';
	free(raw);
	CHECK_STR_CONTAINS(text, "mixdown: 1\n");
	CHECK_STR_CONTAINS(text, "sample_rate: 48000\n");
	CHECK_STR_CONTAINS(text, "tempo: 108\n");
	CHECK_STR_CONTAINS(text, "time_signature: \"4/4\"\n");
	CHECK_STR_CONTAINS(text, "\ntracks:\n");
	CHECK_STR_CONTAINS(text, "\nbuses:\n");
	CHECK_STR_CONTAINS(text, "\nmaster:\n");
	CHECK_STR_CONTAINS(text, "name: Drums");
	CHECK_STR_CONTAINS(text, "name: Echo");
	CHECK_STR_CONTAINS(text, "to: Echo");
	CHECK_STR_CONTAINS(text, "type: delay");
	CHECK_STR_CONTAINS(text, "export: { file: mix.wav, format: wav, bits: 24 }");
	for (size_t i = 0; i < N_STEMS; i++) {
		char want[64];
		snprintf(want, sizeof want, "file: %s,", stem_files[i]);
		CHECK_STR_CONTAINS(text, want);
	}
	CHECK(strchr(text, '\t') == NULL); /* YAML forbids tabs in indentation */
	free(text);
}

static void t_error_reported(void)
{
	char err[256] = "";
	char file[600];
	snprintf(file, sizeof file, "%s/plain-file", mxt_tempdir());
	CHECK_INT(mxt_write_text(file, "x"), 0);
	char bad[700];
	snprintf(bad, sizeof bad, "%s/sub", file); /* parent is a regular file */
	CHECK_INT(mxd_demo_write(bad, err, sizeof err), -1);
	CHECK(err[0] != '\0');
	err[0] = '\0';
	CHECK_INT(mxd_demo_write(NULL, err, sizeof err), -1);
	CHECK(err[0] != '\0');
}

/* ----------------------------------------------- estimate of the mix peak */

/* RBJ-cookbook biquads (transposed direct form II), one state per channel. */
typedef struct {
	double b0, b1, b2, a1, a2, z1[2], z2[2];
} biquad;

static void bq_norm(biquad *q, double b0, double b1, double b2, double a0, double a1, double a2)
{
	memset(q, 0, sizeof *q);
	q->b0 = b0 / a0;
	q->b1 = b1 / a0;
	q->b2 = b2 / a0;
	q->a1 = a1 / a0;
	q->a2 = a2 / a0;
}

static void bq_design(biquad *q, mxd_demo_eq_type type, double f, double gain, double Q)
{
	double w = 2.0 * M_PI * f / RATE, cw = cos(w), al = sin(w) / (2.0 * Q);
	double A = pow(10.0, gain / 40.0), sA = 2.0 * sqrt(A) * al;
	switch (type) {
	case MXD_DEMO_EQ_HIGHPASS:
		bq_norm(q, (1 + cw) / 2, -(1 + cw), (1 + cw) / 2, 1 + al, -2 * cw, 1 - al);
		break;
	case MXD_DEMO_EQ_LOWPASS:
		bq_norm(q, (1 - cw) / 2, 1 - cw, (1 - cw) / 2, 1 + al, -2 * cw, 1 - al);
		break;
	case MXD_DEMO_EQ_PEAK:
		bq_norm(q, 1 + al * A, -2 * cw, 1 - al * A, 1 + al / A, -2 * cw, 1 - al / A);
		break;
	case MXD_DEMO_EQ_LOWSHELF:
		bq_norm(q, A * ((A + 1) - (A - 1) * cw + sA), 2 * A * ((A - 1) - (A + 1) * cw),
			A * ((A + 1) - (A - 1) * cw - sA), (A + 1) + (A - 1) * cw + sA,
			-2 * ((A - 1) + (A + 1) * cw), (A + 1) + (A - 1) * cw - sA);
		break;
	case MXD_DEMO_EQ_HIGHSHELF:
		bq_norm(q, A * ((A + 1) + (A - 1) * cw + sA), -2 * A * ((A - 1) + (A + 1) * cw),
			A * ((A + 1) + (A - 1) * cw - sA), (A + 1) - (A - 1) * cw + sA,
			2 * ((A - 1) - (A + 1) * cw), (A + 1) - (A - 1) * cw - sA);
		break;
	default:
		abort();
	}
}

/* Expand a strip's EQ bands into biquads (12 dB/oct = 1 Butterworth section,
 * 24 dB/oct = 2). Returns the count. */
static int strip_eq(const mxd_demo_strip *s, biquad *out)
{
	int n = 0;
	for (int b = 0; b < MXD_DEMO_MAX_BANDS && s->bands[b].type != MXD_DEMO_EQ_NONE; b++) {
		const mxd_demo_band *bd = &s->bands[b];
		if (bd->type == MXD_DEMO_EQ_HIGHPASS || bd->type == MXD_DEMO_EQ_LOWPASS) {
			if (bd->slope == 12) {
				bq_design(&out[n++], bd->type, bd->freq, 0, M_SQRT1_2);
			} else {
				CHECK_INT(bd->slope, 24);
				bq_design(&out[n++], bd->type, bd->freq, 0, 0.54119610);
				bq_design(&out[n++], bd->type, bd->freq, 0, 1.30656296);
			}
		} else {
			bq_design(&out[n++], bd->type, bd->freq, bd->gain, bd->q);
		}
	}
	return n;
}

static void run_eq(biquad *q, int nq, float *x, int64_t n, int stride, int ch)
{
	for (int k = 0; k < nq; k++) {
		biquad *b = &q[k];
		double z1 = b->z1[ch], z2 = b->z2[ch];
		for (int64_t i = 0; i < n; i++) {
			double in = x[i * stride], y = b->b0 * in + z1;
			z1 = b->b1 * in - b->a1 * y + z2;
			z2 = b->b2 * in - b->a2 * y;
			x[i * stride] = (float)y;
		}
		b->z1[ch] = z1;
		b->z2[ch] = z2;
	}
}

static double db2lin(double db)
{
	return pow(10.0, db / 20.0);
}

/* Stereo strip output: EQ -> fader -> pan into `out` (interleaved L/R).
 * Mono sources: law_db -3 = constant power (cos/sin), 0 = near side unity;
 * stereo sources: balance (opposite side scaled by 1 - |p|). */
static void strip_process(const mxd_demo_strip *s, const float *in, int ch, int64_t n, double law_db,
			  float *out)
{
	biquad q[8];
	int nq = strip_eq(s, q);
	float *x = malloc(sizeof(float) * (size_t)(n * ch));
	memcpy(x, in, sizeof(float) * (size_t)(n * ch));
	for (int c = 0; c < ch; c++)
		run_eq(q, nq, x + c, n, ch, c);
	double g = db2lin(s->gain_db), gl, gr;
	if (ch == 1) {
		double th = (s->pan + 1.0) * M_PI / 4.0;
		gl = law_db == 0.0 ? fmin(1.0, 1.0 - s->pan) : cos(th);
		gr = law_db == 0.0 ? fmin(1.0, 1.0 + s->pan) : sin(th);
	} else {
		gl = s->pan > 0 ? 1.0 - s->pan : 1.0;
		gr = s->pan < 0 ? 1.0 + s->pan : 1.0;
	}
	for (int64_t i = 0; i < n; i++) {
		double l = x[i * ch], r = x[i * ch + ch - 1];
		out[2 * i] = (float)(l * g * gl);
		out[2 * i + 1] = (float)(r * g * gr);
	}
	free(x);
}

static double estimate_mix_peak(double law_db)
{
	int64_t n = stem(0) ? stem(0)->frames : 0;
	size_t nb = mxd_demo_n_buses;
	float *master = calloc((size_t)n * 2, sizeof(float));
	float *tmp = malloc(sizeof(float) * (size_t)n * 2);
	float **bus_in = calloc(nb, sizeof(float *));
	for (size_t b = 0; b < nb; b++)
		bus_in[b] = calloc((size_t)n * 2, sizeof(float));
	for (size_t t = 0; t < mxd_demo_n_tracks; t++) {
		const mxd_demo_strip *s = &mxd_demo_tracks[t];
		const audio *a = stem(stem_index(mxd_demo_stems[s->stem].file));
		strip_process(s, a->buf, a->channels, n, law_db, tmp);
		float *dest = master;
		for (size_t b = 0; b < nb; b++) {
			if (s->output && strcmp(s->output, mxd_demo_buses[b].name) == 0)
				dest = bus_in[b];
			if (s->send_to && strcmp(s->send_to, mxd_demo_buses[b].name) == 0) {
				double sg = db2lin(s->send_db);
				for (int64_t i = 0; i < 2 * n; i++)
					bus_in[b][i] += (float)(tmp[i] * sg);
			}
		}
		for (int64_t i = 0; i < 2 * n; i++)
			dest[i] += tmp[i];
	}
	for (size_t b = 0; b < nb; b++) {
		const mxd_demo_strip *s = &mxd_demo_buses[b];
		int64_t d = (int64_t)llround(s->delay_ms * RATE / 1000.0);
		if (d > 0) {
			memmove(bus_in[b] + 2 * d, bus_in[b], sizeof(float) * (size_t)(2 * (n - d)));
			memset(bus_in[b], 0, sizeof(float) * (size_t)(2 * d));
		}
		strip_process(s, bus_in[b], 2, n, law_db, tmp);
		for (int64_t i = 0; i < 2 * n; i++)
			master[i] += tmp[i];
	}
	double pk = 0;
	for (int64_t i = 0; i < 2 * n; i++)
		if (fabs(master[i]) > pk)
			pk = fabs(master[i]);
	for (size_t b = 0; b < nb; b++)
		free(bus_in[b]);
	free(bus_in);
	free(tmp);
	free(master);
	return 20.0 * log10(pk + 1e-30);
}

static void t_mix_peak_estimate(void)
{
	for (size_t i = 0; i < N_STEMS; i++)
		if (!stem(i)) {
			CHECK(stem(i) != NULL);
			return;
		}
	CHECK_INT(mxd_demo_n_tracks, N_STEMS);
	double pk3 = estimate_mix_peak(-3.0);
	double pk0 = estimate_mix_peak(0.0);
	printf("# estimated mix peak: %.2f dBFS (-3 dB pan law), %.2f dBFS (0 dB pan law)\n", pk3, pk0);
	CHECK_MSG(pk3 > -4.0 && pk3 < -0.8, "mix peak estimate %.2f dBFS", pk3);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_write_creates_files), MXT(t_format_and_length), MXT(t_deterministic),
		MXT(t_stem_peaks),          MXT(t_sections),          MXT(t_lead_pitch),
		MXT(t_kick_low_energy),     MXT(t_session_file),      MXT(t_error_reported),
		MXT(t_mix_peak_estimate),
	};
	int rc = MXT_RUN(cases);
	for (size_t i = 0; i < N_STEMS; i++)
		free(stems[i].buf);
	return rc;
}
