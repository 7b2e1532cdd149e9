/* mixdown — tests of mastering: every preset reached on varied programme
 * material (measured here, independently, with libebur128, and with ffmpeg
 * when present), compliant input left alone, album mode, deliverables,
 * dither, chains and bad input.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp/biquad.h"
#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

/* Integrated loudness and true peak of a file, measured by the test itself. */
static void measure(const char *path, double *lufs, double *tp_db)
{
	int64_t n = 0;
	int ch = 0, rate = 0;
	float *x = mxt_read_audio(path, &n, &ch, &rate, NULL);
	*lufs = *tp_db = NAN;
	if (!x)
		return;
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	ebur128_add_frames_float(m, x, (size_t)n);
	ebur128_loudness_global(m, lufs);
	double tp = 0;
	for (int c = 0; c < ch; c++) {
		double v = 0;
		ebur128_true_peak(m, (unsigned)c, &v);
		tp = fmax(tp, v);
	}
	*tp_db = 20 * log10(tp);
	ebur128_destroy(&m);
	free(x);
}

static double mean_square(const float *x, int64_t n)
{
	double s = 0;
	for (int64_t i = 0; i < n; i++)
		s += (double)x[i] * x[i];
	return s / (double)n;
}

typedef struct {
	const char *name;
	int channels;
	int rate;
} programme;

/* Synthesized programme material of different kinds (3 s each). */
static float *make_programme(int kind, int64_t n, int ch, int rate)
{
	float *x = calloc((size_t)(n * ch), sizeof *x);
	float *nz = malloc((size_t)(n * ch) * sizeof *nz);
	mxt_noise(nz, n * ch, 1.0, (uint32_t)(kind + 1) * 7919u);
	mxd_biquad lp;
	mxd_biquad_design(&lp, MXD_BQ_LOWPASS, rate, 2000, 0.707, 0);
	for (int64_t i = 0; i < n; i++) {
		const double t = (double)i / rate;
		for (int c = 0; c < ch; c++) {
			double v = 0, w = nz[i * ch + c];
			switch (kind) {
			case 0: /* dense: loud broadband noise and a bass tone */
				v = 0.25 * w + 0.3 * sin(2 * M_PI * 55 * t);
				break;
			case 1: /* sparse: plucked notes every 0.5 s, decaying over ~0.1 s */
				v = 0.6 * exp(-fmod(t, 0.5) * 10) * sin(2 * M_PI * 330 * t);
				break;
			case 2: /* very dynamic: a quiet first half, a loud second half */
				v = (t < 1.5 ? 0.01 : 0.5) * w;
				break;
			case 3: /* already loud: square-ish clipped tone */
				v = fmax(-0.98, fmin(0.98, 3.0 * sin(2 * M_PI * 110 * t)));
				break;
			case 4: /* very low level: -60 dBFS noise */
				v = 0.001 * w;
				break;
			case 5: /* transients: decaying 80 Hz kicks */
				v = 0.9 * exp(-fmod(t, 0.25) * 30) * sin(2 * M_PI * 80 * fmod(t, 0.25));
				break;
			case 6: /* tonal chord */
				v = 0.15 * (sin(2 * M_PI * 220 * t) + sin(2 * M_PI * 277.2 * t) + sin(2 * M_PI * 329.6 * t));
				break;
			case 7: /* high-frequency heavy: hiss and a 6 kHz tone */
				v = 0.1 * w + 0.2 * sin(2 * M_PI * 6000 * t);
				break;
			case 8: { /* speech-like: band-limited noise, syllables at 4 Hz */
				const double e = 0.5 * (1 + sin(2 * M_PI * 4 * t));
				v = 0.5 * (0.35 + 0.65 * e * e) * w;
				break;
			}
			default: /* wide stereo: opposite-polarity tone in the side */
				v = 0.2 * w + (c ? -0.2 : 0.2) * sin(2 * M_PI * 440 * t);
				break;
			}
			x[i * ch + c] = (float)v;
		}
	}
	if (kind == 8) {
		/* Speech has little above a few kHz: low-pass each channel. */
		for (int c = 0; c < ch; c++) {
			mxd_bq_state st = { 0, 0 };
			for (int64_t i = 0; i < n; i++) {
				float v = x[i * ch + c];
				mxd_biquad_process(&lp, &st, &v, 1);
				x[i * ch + c] = v;
			}
		}
	}
	free(nz);
	return x;
}

static const programme programmes[] = {
	{ "dense", 2, 44100 },     { "sparse", 2, 48000 },    { "dynamic", 2, 44100 }, { "loud", 2, 48000 },
	{ "low-level", 2, 44100 }, { "transients", 1, 48000 }, { "chord", 1, 44100 },   { "bright", 2, 96000 },
	{ "speech", 1, 48000 },    { "wide", 2, 44100 },
};
#define N_PROGRAMMES (sizeof programmes / sizeof programmes[0])

static const char *write_programme(const char *dir, size_t k)
{
	const programme *p = &programmes[k];
	const int64_t n = 3 * p->rate;
	float *x = make_programme((int)k, n, p->channels, p->rate);
	char name[64];
	snprintf(name, sizeof name, "%s.wav", p->name);
	const char *path = mxt_path(dir, name);
	CHECK_INT(mxt_write_audio(path, x, n, p->channels, p->rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	return path;
}

/* Every preset on every programme: within 0.1 LU and at or below the ceiling. */
static void t_every_preset(void)
{
	const char *dir = mxt_tempdir();
	int done = 0, met = 0;
	/* Under the sanitizers (10x slower) every preset still runs, on 4 programmes. */
	const size_t n_prog = getenv("MXT_ASAN") ? 4 : N_PROGRAMMES;
	for (size_t k = 0; k < n_prog; k++) {
		char in[1024];
		snprintf(in, sizeof in, "%s", write_programme(dir, k));
		for (size_t i = 0; i < mixdown_master_preset_count(); i++) {
			const mixdown_master_preset *p = mixdown_master_preset_get(i);
			char out[1024];
			snprintf(out, sizeof out, "%s/%s.%s.wav", dir, programmes[k].name, p->name);
			mixdown_master_options o = mixdown_master_options_init();
			o.preset = p->name;
			o.warn_limiting = 60; /* the loud presets on quiet material limit hard: that is tested elsewhere */
			mixdown_master_report r;
			mixdown_error err;
			mixdown_status st = mixdown_master_file(in, out, &o, &r, &err);
			CHECK_MSG(st == MIXDOWN_SUCCESS, "%s/%s: %s", programmes[k].name, p->name, err.message);
			if (st != MIXDOWN_SUCCESS)
				continue;
			double lufs, tp;
			measure(out, &lufs, &tp);
			const double target = programmes[k].channels == 1 ? p->loudness_mono : p->loudness;
			CHECK_MSG(fabs(lufs - target) <= 0.1, "%s/%s: %.3f LUFS for %.1f (%d renders, gain %+.1f dB, limiting %.1f dB)",
				  programmes[k].name, p->name, lufs, target, r.passes, r.gain, r.limiting_max);
			CHECK_MSG(tp <= p->true_peak, "%s/%s: %.3f dBTP over %.1f", programmes[k].name, p->name, tp,
				  p->true_peak);
			/* The report tells the truth about the file. */
			CHECK_NEAR(r.loudness, lufs, 1e-6);
			CHECK(r.met);
			met += r.met;
			done++;
			unlink(out);
		}
	}
	CHECK_INT(done, (int)(n_prog * mixdown_master_preset_count()));
	printf("# %d masters, %d met their target\n", done, met);
}

/* Material no limiter can bring to the target without destroying it (30 ms
 * clicks every 0.5 s, to -9 LUFS at -1 dBTP): the master is written, the
 * report says the target was missed and why, and the command exits 1. */
static void t_unreachable(void)
{
	const int rate = 48000;
	const int64_t n = 3 * rate;
	float *x = calloc((size_t)n, sizeof *x);
	mxt_noise(x, n, 0.6, 99);
	for (int64_t i = 0; i < n; i++)
		if (fmod((double)i / rate, 0.5) >= 0.03)
			x[i] = 0;
	const char *dir = mxt_tempdir();
	char in[1024], out[1024];
	snprintf(in, sizeof in, "%s", mxt_path(dir, "clicks.wav"));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "clicks-cd.wav"));
	CHECK_INT(mxt_write_audio(in, x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mxt_run_cli("master '%s' -o '%s' --target cd", in, out), 1);
	CHECK(strstr(mxt_cli_out, "TARGET MISSED") != NULL);
	CHECK(strstr(mxt_cli_out, "not within 0.1 LU of -9.0 LUFS") != NULL);
	double lufs, tp;
	measure(out, &lufs, &tp);
	CHECK(lufs < -9.1 && tp <= -1.0); /* as loud as it gets, and never over the ceiling */
	free(x);
}

/* ffmpeg's BS.1770 meter agrees on a few masters (skips without ffmpeg). */
static void t_ffmpeg_agrees(void)
{
	if (system("command -v ffmpeg >/dev/null 2>&1") != 0) {
		mxt_skip("ffmpeg is not installed");
		return;
	}
	const char *dir = mxt_tempdir();
	const char *presets[] = { "spotify", "ebu", "cd", "podcast" };
	for (size_t k = 0; k < 4; k++) {
		char in[1024], out[1024], cmd[2400];
		snprintf(in, sizeof in, "%s", write_programme(dir, k * 2));
		snprintf(out, sizeof out, "%s/ff-%s.wav", dir, presets[k]);
		mixdown_master_options o = mixdown_master_options_init();
		o.preset = presets[k];
		mixdown_master_report r;
		mixdown_error err;
		CHECK_INT(mixdown_master_file(in, out, &o, &r, &err), MIXDOWN_SUCCESS);
		snprintf(cmd, sizeof cmd,
			 "ffmpeg -nostats -hide_banner -i '%s' -af ebur128=peak=true -f null - 2>&1 | "
			 "awk '/I:/ {i=$2} /Peak:/ {p=$2} END {print i, p}'",
			 out);
		FILE *f = popen(cmd, "r");
		double lufs = NAN, peak = NAN;
		CHECK(f && fscanf(f, "%lf %lf", &lufs, &peak) == 2);
		if (f)
			pclose(f);
		CHECK_MSG(fabs(lufs - r.target_loudness) <= 0.1, "%s: ffmpeg reads %.2f LUFS for %.1f", presets[k], lufs,
			  r.target_loudness);
		CHECK_MSG(peak <= r.ceiling, "%s: ffmpeg reads %.2f dBTP over %.1f", presets[k], peak, r.ceiling);
	}
}

/* A file already at -14 LUFS with peaks well below -1 dBTP comes out within
 * 0.1 dB of itself (only the tiny gain to the exact target, no limiter). */
static void t_compliant_passes(void)
{
	const char *dir = mxt_tempdir();
	char in[1024], out[1024];
	snprintf(in, sizeof in, "%s", write_programme(dir, 6)); /* tonal chord, mono */
	snprintf(out, sizeof out, "%s/first.wav", dir);
	mixdown_master_options o = mixdown_master_options_init();
	o.loudness = -16.95;
	o.sample = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_master_report r;
	mixdown_error err;
	CHECK_INT(mixdown_master_file(in, out, &o, &r, &err), MIXDOWN_SUCCESS);
	/* Now "out" is compliant with a -17 LUFS target: master it again. */
	char again[1024];
	snprintf(again, sizeof again, "%s/again.wav", dir);
	o.loudness = -17.0;
	CHECK_INT(mixdown_master_file(out, again, &o, &r, &err), MIXDOWN_SUCCESS);
	CHECK(strstr(r.steps, "limiter") == NULL);
	CHECK(fabs(r.gain) < 0.1);
	int64_t n1, n2;
	int ch;
	float *a = mxt_read_audio(out, &n1, &ch, NULL, NULL), *b = mxt_read_audio(again, &n2, NULL, NULL, NULL);
	CHECK(a && b && n1 == n2);
	double worst = 0;
	for (int64_t i = 0; a && b && n1 == n2 && i < n1 * ch; i++)
		if (fabs(a[i]) > 1e-3)
			worst = fmax(worst, fabs(20 * log10(fabs(b[i] / a[i]))));
	CHECK_MSG(worst < 0.1, "changed by %.3f dB", worst);
	free(a);
	free(b);
}

/* Album: the differences between songs are kept within 0.1 LU. */
static void t_album(void)
{
	const char *dir = mxt_tempdir();
	char songs[3][1024];
	const size_t kinds[3] = { 0, 4, 8 }; /* dense, low-level, speech-like */
	for (int i = 0; i < 3; i++)
		snprintf(songs[i], sizeof songs[i], "%s", write_programme(dir, kinds[i]));
	double before[3], tp;
	for (int i = 0; i < 3; i++)
		measure(songs[i], &before[i], &tp);
	const char *in[3] = { songs[0], songs[1], songs[2] };
	char out_dir[1024];
	snprintf(out_dir, sizeof out_dir, "%s", mxt_path(dir, "album"));
	int rc = mxt_run_cli("master --album --target spotify -o '%s' '%s' '%s' '%s'", out_dir, in[0], in[1], in[2]);
	CHECK_INT(rc, 0);
	double after[3];
	const char *names[3] = { "dense.wav", "low-level.wav", "speech.wav" };
	char path[1200];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", out_dir, names[i]);
		measure(path, &after[i], &tp);
		CHECK(tp <= -1.0);
	}
	for (int i = 1; i < 3; i++)
		CHECK_MSG(fabs((after[i] - after[0]) - (before[i] - before[0])) <= 0.1,
			  "song %d: difference %.2f LU became %.2f LU", i, before[i] - before[0], after[i] - after[0]);
	snprintf(path, sizeof path, "%s/manifest.json", out_dir);
	CHECK(access(path, R_OK) == 0);
}

/* Deliverables: a 24-bit master, a 16-bit 44.1 kHz CD master and an
 * unlimited pre-master with -6 dB of headroom, listed in a manifest. */
static void t_deliver(void)
{
	const char *dir = mxt_tempdir();
	char in[1024], out_dir[1024], path[1200];
	snprintf(in, sizeof in, "%s", write_programme(dir, 3)); /* already loud, 48 kHz */
	snprintf(out_dir, sizeof out_dir, "%s", mxt_path(dir, "deliver"));
	int rc = mxt_run_cli("master '%s' --deliver streaming,cd,mastering-engineer -o '%s' --json", in, out_dir);
	CHECK_INT(rc, 0);
	CHECK(strstr(mxt_cli_out, "\"schema\": \"mixdown-master/1\"") != NULL);
	SF_INFO info;
	snprintf(path, sizeof path, "%s/loud.cd.wav", out_dir);
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(info.samplerate, 44100);
		CHECK_INT(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_PCM_16);
		sf_close(f);
	}
	double lufs, tp;
	measure(path, &lufs, &tp);
	CHECK_NEAR(lufs, -14.0, 0.1);
	CHECK(tp <= -1.0);
	snprintf(path, sizeof path, "%s/loud.streaming.wav", out_dir);
	memset(&info, 0, sizeof info);
	f = sf_open(path, SFM_READ, &info);
	CHECK(f && info.samplerate == 48000 && (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_24);
	if (f)
		sf_close(f);
	snprintf(path, sizeof path, "%s/loud.premaster.wav", out_dir);
	measure(path, &lufs, &tp);
	CHECK_NEAR(tp, -6.0, 0.05);
	snprintf(path, sizeof path, "%s/manifest.json", out_dir);
	CHECK(access(path, R_OK) == 0);
	CHECK_INT(mxt_run_cli("master '%s' --deliver vinyl -o '%s'", in, out_dir), 2);
}

/* 16-bit TPDF dither of a -100 dBFS sine: the sine survives at its level with
 * no truncation harmonics, and the noise is the TPDF floor (LSB/2 RMS:
 * variance LSB^2/6 of the dither plus LSB^2/12 of the rounding). */
static void t_dither(void)
{
	const int rate = 48000;
	const int64_t n = 2 * rate;
	float *x = malloc((size_t)n * sizeof *x);
	const double amp = pow(10.0, -100.0 / 20.0);
	for (int64_t i = 0; i < n; i++)
		x[i] = (float)(amp * sin(2 * M_PI * 1000.0 * (double)i / rate));
	const char *dir = mxt_tempdir();
	char in[1024], out[1024];
	snprintf(in, sizeof in, "%s", mxt_path(dir, "quiet.wav"));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "quiet16.wav"));
	CHECK_INT(mxt_write_audio(in, x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	mixdown_master_options o = mixdown_master_options_init();
	o.loudness = -70;
	o.fixed_gain = 0;
	o.no_limiter = true;
	o.sample = MIXDOWN_SAMPLE_INT16;
	o.dither = MIXDOWN_DITHER_ALWAYS;
	mixdown_master_report r;
	mixdown_error err;
	CHECK_INT(mixdown_master_file(in, out, &o, &r, &err), MIXDOWN_SUCCESS);
	int64_t m = 0;
	float *y = mxt_read_audio(out, &m, NULL, NULL, NULL);
	CHECK(y && m == n);
	if (y && m == n) {
		/* Project onto the 1 kHz and 3 kHz sines (whole periods). */
		double s1 = 0, c1 = 0, s3 = 0, c3 = 0, res = 0;
		for (int64_t i = 0; i < n; i++) {
			const double ph = 2 * M_PI * 1000.0 * (double)i / rate;
			s1 += y[i] * sin(ph);
			c1 += y[i] * cos(ph);
			s3 += y[i] * sin(3 * ph);
			c3 += y[i] * cos(3 * ph);
			res += (y[i] - x[i]) * (double)(y[i] - x[i]);
		}
		const double a1 = 2 * hypot(s1, c1) / (double)n, a3 = 2 * hypot(s3, c3) / (double)n;
		CHECK_NEAR(20 * log10(a1), -100.0, 0.5);
		/* Plain truncation would put the sine into a +-1 LSB square-ish
		 * wave with strong odd harmonics; dithered, 3 kHz is at the noise:
		 * the noise per DFT bin is about RMS * 2/sqrt(n) = -126 dBFS here. */
		CHECK_MSG(20 * log10(a3) < -115.0, "3rd harmonic at %.1f dBFS", 20 * log10(a3));
		const double lsb = 1.0 / 32768.0;
		CHECK_NEAR(10 * log10(res / (double)n), 20 * log10(lsb / 2), 0.5);
	}
	/* Noise shaping: the same sine, shaped. The sine survives; the noise in
	 * 2-5 kHz is far below plain TPDF's and the noise above 16 kHz above it. */
	char shaped[1024];
	snprintf(shaped, sizeof shaped, "%s", mxt_path(dir, "quiet16s.wav"));
	o.dither = MIXDOWN_DITHER_SHAPED;
	CHECK_INT(mixdown_master_file(in, shaped, &o, &r, &err), MIXDOWN_SUCCESS);
	float *z = mxt_read_audio(shaped, &m, NULL, NULL, NULL);
	CHECK(z && m == n);
	if (y && z && m == n) {
		double mid_plain, mid_shaped, hf_plain, hf_shaped;
		float *res = malloc((size_t)n * sizeof *res);
		const float *outs[2] = { y, z };
		double *mids[2] = { &mid_plain, &mid_shaped }, *hfs[2] = { &hf_plain, &hf_shaped };
		for (int v = 0; v < 2; v++) {
			mxd_biquad bp, hp;
			mxd_bq_state s1 = { 0, 0 }, s2 = { 0, 0 };
			mxd_biquad_design(&bp, MXD_BQ_BANDPASS, rate, 3200, 1.0, 0);
			mxd_biquad_design(&hp, MXD_BQ_HIGHPASS, rate, 17000, 0.707, 0);
			for (int64_t i = 0; i < n; i++)
				res[i] = outs[v][i] - x[i];
			float *tmp = malloc((size_t)n * sizeof *tmp);
			memcpy(tmp, res, (size_t)n * sizeof *tmp);
			/* Four band-pass sections: 24 dB/octave skirts keep the shaped
			 * noise near 20 kHz out of the 2-5 kHz reading. */
			for (int k = 0; k < 4; k++) {
				s1 = (mxd_bq_state){ 0, 0 };
				mxd_biquad_process(&bp, &s1, tmp, (uint32_t)n);
			}
			*mids[v] = 10 * log10(mean_square(tmp, n));
			memcpy(tmp, res, (size_t)n * sizeof *tmp);
			mxd_biquad_process(&hp, &s2, tmp, (uint32_t)n);
			*hfs[v] = 10 * log10(mean_square(tmp, n));
			free(tmp);
		}
		printf("# noise 2-5 kHz: plain %.1f dB, shaped %.1f dB; above 17 kHz: plain %.1f dB, shaped %.1f dB\n",
		       mid_plain, mid_shaped, hf_plain, hf_shaped);
		CHECK_MSG(mid_shaped < mid_plain - 10, "2-5 kHz noise: shaped %.1f dB, plain %.1f dB", mid_shaped,
			  mid_plain);
		CHECK_MSG(hf_shaped > hf_plain + 6, "noise above 17 kHz: shaped %.1f dB, plain %.1f dB", hf_shaped,
			  hf_plain);
		double s1 = 0, c1 = 0;
		for (int64_t i = 0; i < n; i++) {
			const double ph = 2 * M_PI * 1000.0 * (double)i / rate;
			s1 += z[i] * sin(ph);
			c1 += z[i] * cos(ph);
		}
		CHECK_NEAR(20 * log10(2 * hypot(s1, c1) / (double)n), -100.0, 0.5);
		free(res);
	}
	free(x);
	free(y);
	free(z);
}

/* A chain in the session syntax runs before the limiter; an error in it is
 * reported at the chain file's own line and column. */
static void t_chain(void)
{
	const char *dir = mxt_tempdir();
	char in[1024], out[1024], chain[1024];
	snprintf(in, sizeof in, "%s", write_programme(dir, 0));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "chained.wav"));
	snprintf(chain, sizeof chain, "%s", mxt_path(dir, "chain.yaml"));
	CHECK_INT(mxt_write_text(chain, "# mastering chain\n"
					"inserts:\n"
					"  - type: eq\n"
					"    bands:\n"
					"      - { type: highpass, freq: 30, slope: 24 }\n"
					"      - { type: highshelf, freq: 8000, gain: 2 }\n"),
		  0);
	int rc = mxt_run_cli("master '%s' -o '%s' --chain '%s' --target ebu", in, out, chain);
	CHECK_INT(rc, 0);
	CHECK(strstr(mxt_cli_out, "chain (eq) > gain") != NULL);
	double lufs, tp;
	measure(out, &lufs, &tp);
	CHECK_NEAR(lufs, -23.0, 0.1);
	/* The example of docs/mastering.md runs as written. */
	CHECK_INT(mxt_write_text(chain, "inserts:\n"
					"  - type: eq\n"
					"    bands:\n"
					"      - { type: highpass, freq: 30, slope: 24 }\n"
					"      - { type: highshelf, freq: 8000, gain: 1.5 }\n"
					"  - type: multiband\n"
					"    bands: 3\n"
					"    xover1: 120\n"
					"    xover2: 4000\n"
					"    band:\n"
					"      - { threshold: -24, ratio: 2, attack: 30, release: 250 }\n"
					"      - { threshold: -20, ratio: 1.5 }\n"
					"      - { threshold: -26, ratio: 2.5, attack: 5, release: 80 }\n"
					"  - type: stereo\n"
					"    width: 1.1\n"
					"    mono_bass: 120\n"
					"  - type: compressor\n"
					"    threshold: -18\n"
					"    ratio: 1.5\n"
					"    attack: 30\n"
					"    release: 200\n"),
		  0);
	rc = mxt_run_cli("master '%s' -o '%s' --chain '%s' --target apple", in, out, chain);
	CHECK_MSG(rc == 0, "%s", mxt_cli_err);
	measure(out, &lufs, &tp);
	CHECK_NEAR(lufs, -16.0, 0.1);
	CHECK_INT(mxt_write_text(chain, "inserts:\n  - type: eq\n    bands:\n      - { type: highpass, freq: -30 }\n"), 0);
	rc = mxt_run_cli("master '%s' -o '%s' --chain '%s'", in, out, chain);
	CHECK_INT(rc, 2);
	CHECK_MSG(strstr(mxt_cli_err, "chain.yaml:4:") != NULL, "stderr: %s", mxt_cli_err);
}

/* Bad input loses nothing: the output over the input is refused, a missing
 * input is named, a silent input is an error, unknown presets are usage errors. */
static void t_bad_input(void)
{
	const char *dir = mxt_tempdir();
	char in[1024], silent[1024];
	snprintf(in, sizeof in, "%s", write_programme(dir, 0));
	snprintf(silent, sizeof silent, "%s", mxt_path(dir, "silent.wav"));
	float z[48000] = { 0 };
	CHECK_INT(mxt_write_audio(silent, z, 48000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16), 0);
	CHECK_INT(mxt_run_cli("master '%s' -o '%s'", in, in), 2);
	double lufs, tp;
	measure(in, &lufs, &tp);
	CHECK(isfinite(lufs)); /* the input is untouched */
	CHECK_INT(mxt_run_cli("master '%s' -o '%s'", mxt_path(dir, "missing.wav"), mxt_path(dir, "x.wav")), 1);
	CHECK(strstr(mxt_cli_err, "missing.wav") != NULL);
	CHECK_INT(mxt_run_cli("master '%s' -o '%s'", silent, mxt_path(dir, "x.wav")), 1);
	CHECK(strstr(mxt_cli_err, "silent") != NULL);
	CHECK_INT(mxt_run_cli("master '%s' -o '%s' --target nowhere", in, mxt_path(dir, "x.wav")), 2);
	CHECK_INT(mxt_run_cli("master '%s'", in), 2);
	CHECK(access(mxt_path(dir, "x.wav"), F_OK) != 0);
}

/* --reference: the master takes the reference's loudness and its tonal
 * balance (the report's correction shows the planted EQ); --amount 0 keeps
 * the tone and still matches the loudness. */
static void t_reference(void)
{
	const char *dir = mxt_tempdir();
	char in[1024], ref[1024], out[1024], chain[1024];
	snprintf(in, sizeof in, "%s", write_programme(dir, 9)); /* wide: noise plus a side tone, 44.1 kHz */
	snprintf(ref, sizeof ref, "%s", mxt_path(dir, "reference.wav"));
	snprintf(out, sizeof out, "%s", mxt_path(dir, "matched.wav"));
	snprintf(chain, sizeof chain, "%s", mxt_path(dir, "tone.yaml"));
	/* The reference: the same material with +6 dB below 150 Hz, at -18 LUFS (no limiting). */
	CHECK_INT(mxt_write_text(chain, "inserts:\n  - type: eq\n    bands:\n"
					"      - { type: lowshelf, freq: 150, gain: 6 }\n"),
		  0);
	mixdown_master_options o = mixdown_master_options_init();
	o.loudness = -18;
	o.chain = chain;
	mixdown_master_report r;
	mixdown_error err;
	CHECK_INT(mixdown_master_file(in, ref, &o, &r, &err), MIXDOWN_SUCCESS);
	o = mixdown_master_options_init();
	o.reference = ref;
	mixdown_status st = mixdown_master_file(in, out, &o, &r, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "%s", err.message);
	double lufs, tp, ref_lufs;
	measure(ref, &ref_lufs, &tp);
	measure(out, &lufs, &tp);
	CHECK_NEAR(lufs, ref_lufs, 0.1);
	CHECK(tp <= -1.0);
	CHECK(strstr(r.steps, "match 100%") != NULL);
	/* Band 8 is 63 Hz, band 19 is 1.6 kHz: the correction lifts the lows
	 * relative to the mids by what the shelf planted, as the analyzer
	 * measures the two files (loudness-normalized band levels). */
	mixdown_analysis *ai = NULL, *ar = NULL;
	CHECK_INT(mixdown_analyze_file(in, NULL, &ai, &err), MIXDOWN_SUCCESS);
	CHECK_INT(mixdown_analyze_file(ref, NULL, &ar, &err), MIXDOWN_SUCCESS);
	if (ai && ar) {
		const double planted = (ar->spectrum.level[8] - ar->spectrum.level[19]) -
				       (ai->spectrum.level[8] - ai->spectrum.level[19]);
		printf("# reference match: planted %+.2f dB, correction 63 Hz %+.2f dB, 1.6 kHz %+.2f dB\n", planted,
		       r.match_mid[8], r.match_mid[19]);
		CHECK(planted > 3.0);
		CHECK_NEAR(r.match_mid[8] - r.match_mid[19], planted, 0.5);
	}
	mixdown_analysis_free(ai);
	mixdown_analysis_free(ar);
	o.match_amount = 0;
	CHECK_INT(mixdown_master_file(in, out, &o, &r, &err), MIXDOWN_SUCCESS);
	CHECK_NEAR(r.match_mid[8], 0.0, 1e-9);
	measure(out, &lufs, &tp);
	CHECK_NEAR(lufs, ref_lufs, 0.1);
}

/* A session with `master: target:` renders straight to a mastered file;
 * a bad target is a session error naming the key. */
static void t_session_target(void)
{
	const char *dir = mxt_tempdir();
	write_programme(dir, 0); /* dense.wav, 44.1 kHz stereo */
	CHECK_INT(mxt_write_text(mxt_path(dir, "song.yaml"),
				 "tracks:\n  - { name: Mix, clips: [{ file: dense.wav, at: 0 }], gain: -12 }\n"
				 "master:\n  target: { preset: ebu }\n"
				 "export: { file: song-master.wav, bits: 24 }\n"),
		  0);
	int rc = mxt_run_cli("render '%s' --json", mxt_path(dir, "song.yaml"));
	CHECK_MSG(rc == 0, "%s", mxt_cli_err);
	CHECK_STR_CONTAINS(mxt_cli_out, ",\n  \"master\": {"); /* valid JSON: a comma before the master object */
	double lufs, tp;
	measure(mxt_path(dir, "song-master.wav"), &lufs, &tp);
	CHECK_NEAR(lufs, -23.0, 0.1);
	CHECK(tp <= -1.0);
	/* No unmastered leftovers beside it. */
	CHECK(access(mxt_path(dir, ".song-master.wav.unmastered.wav"), F_OK) != 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "bad.yaml"),
				 "tracks:\n  - { name: Mix, clips: [{ file: dense.wav, at: 0 }] }\n"
				 "master:\n  target: { preset: radio1 }\n"),
		  0);
	rc = mxt_run_cli("render '%s' -o '%s'", mxt_path(dir, "bad.yaml"), mxt_path(dir, "x.wav"));
	CHECK_INT(rc, 2);
	CHECK_MSG(strstr(mxt_cli_err, "bad.yaml:4:") && strstr(mxt_cli_err, "radio1"), "%s", mxt_cli_err);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_every_preset), MXT(t_unreachable), MXT(t_ffmpeg_agrees), MXT(t_compliant_passes), MXT(t_album),
		MXT(t_deliver),      MXT(t_dither),        MXT(t_chain),            MXT(t_bad_input), MXT(t_session_target), MXT(t_reference),
	};
	return MXT_RUN(cases);
}
