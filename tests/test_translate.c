/* mixdown — `mixdown translate`: every playback-system model against its
 * documented curve, planted problems found on the right system (a sub-only
 * bass line on the phone, a side-only element in mono), analytic level
 * changes, listening files, the JSON document and the command line.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Model responses are measured, not computed: an impulse goes through the
 * runtime filter (float samples, as the listening files are made) and the
 * DFT of the response is taken at each documented frequency, at 44.1, 48
 * and 96 kHz. Mixes are synthesized here (sines and a band-limited
 * sawtooth) and written as float WAV files. Levels in dB, loudness in LU.
 */
#include <ctype.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "translate/systems.h"
#include "util.h"

#define RATE 48000

static const mixdown_translate_system *find_sys(const mixdown_translate_result *r, const char *name)
{
	for (size_t s = 0; s < r->n_systems; s++)
		if (!strcmp(r->systems[s].name, name))
			return &r->systems[s];
	mxt_fail(__FILE__, __LINE__, "no system '%s'", name);
	return NULL;
}

static bool has_note(const mixdown_translate_system *o, const char *needle)
{
	for (size_t i = 0; i < o->n_notes; i++)
		if (strstr(o->notes[i], needle))
			return true;
	return false;
}

/* DFT magnitude (dB) of h[0..n-1] at hz, with a double-precision phasor. */
static double dft_db(const float *h, size_t n, double rate, double hz)
{
	double w = 2.0 * M_PI * hz / rate, cr = cos(w), ci = -sin(w), pr = 1.0, pi = 0.0, re = 0.0, im = 0.0;
	for (size_t i = 0; i < n; i++) {
		re += h[i] * pr;
		im += h[i] * pi;
		double t = pr * cr - pi * ci;
		pi = pr * ci + pi * cr;
		pr = t;
		if ((i & 4095) == 4095) { /* renormalise the phasor */
			double m = sqrt(pr * pr + pi * pi);
			pr /= m;
			pi /= m;
		}
	}
	return 10.0 * log10(re * re + im * im);
}

/* Every model, at three rates: the measured response within 1 dB of every
 * documented point below 0.45 fs. */
static void t_model_curves(void)
{
	static const double rates[] = { 44100, 48000, 96000 };
	CHECK_INT(mxd_tr_model_count(), 7);
	for (size_t m = 0; m < mxd_tr_model_count(); m++) {
		const mxd_tr_model *md = mxd_tr_model_get(m);
		CHECK(md->n_curve >= 8);
		for (int ri = 0; ri < 3; ri++) {
			double rate = rates[ri];
			mxd_tr_filter f;
			CHECK_INT(mxd_tr_filter_design(&f, md, rate), 0);
			/* 2 s: the 20 Hz sections have decayed by far more than 100 dB. */
			size_t n = (size_t)(2.0 * rate);
			float *h = calloc(n, sizeof *h);
			mxd_bq_state st[MXD_TR_MAX_BIQUADS] = { { 0 } };
			h[0] = 1.0f;
			for (size_t i = 0; i < n; i += 4096)
				mxd_tr_filter_process(&f, st, h + i, (uint32_t)(n - i < 4096 ? n - i : 4096));
			double worst = 0.0, at = 0.0;
			size_t checked = 0;
			for (size_t p = 0; p < md->n_curve; p++) {
				if (md->curve[p].hz >= 0.45 * rate)
					continue;
				double d = fabs(dft_db(h, n, rate, md->curve[p].hz) - md->curve[p].db);
				checked++;
				if (d > worst) {
					worst = d;
					at = md->curve[p].hz;
				}
			}
			CHECK_MSG(worst <= 1.0, "%s at %.0f Hz: %.2f dB off its curve at %.0f Hz", md->name, rate,
				  worst, at);
			printf("# %-12s %6.0f Hz: worst %.3f dB (at %.0f Hz)\n", md->name, rate, worst, at);
			CHECK(checked >= 8);
			if (md->fit_curve)
				CHECK_MSG(f.fit_error < 0.05, "%s fit error %.3f dB", md->name, f.fit_error);
			free(h);
		}
	}
}

/* The documented numbers behind the earbud table: EarPods raw minus the
 * Harman in-ear 2019 v2 target (AutoEq CSVs) where both are smooth. */
static void t_earbud_source(void)
{
	const mxd_tr_model *md = NULL;
	for (size_t m = 0; m < mxd_tr_model_count(); m++)
		if (!strcmp(mxd_tr_model_get(m)->name, "earbuds"))
			md = mxd_tr_model_get(m);
	CHECK(md && !md->approximation && !md->mono);
	if (!md)
		return;
	mxd_tr_filter f;
	CHECK_INT(mxd_tr_filter_design(&f, md, 48000), 0);
	/* raw EarPods (dB re. 1 kHz) - Harman IE 2019 v2 at 20 / 100 / 200 / 500 Hz and 1 / 2 kHz */
	static const double pts[][2] = { { 20, -25.42 - 7.61 }, { 100, -4.56 - 2.81 }, { 200, -4.09 + 0.97 },
					 { 500, -3.40 + 1.41 }, { 1000, 0.0 },	{ 2000, 12.67 - 5.81 } };
	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
		CHECK_NEAR(mxd_tr_filter_response(&f, pts[i][0]) - mxd_tr_filter_response(&f, 1000), pts[i][1], 1.0);
}

/* Mixes ----------------------------------------------------------------- */

typedef struct {
	double mid_amp;   /* 440 Hz + 1 kHz + 2.5 kHz, centred */
	double bass_hz, bass_amp;
	int bass_harmonics; /* 1 = sine; N = band-limited sawtooth with N harmonics */
	double side_hz, side_amp; /* L = +s, R = -s */
} mix_spec;

static const char *write_mix(const char *dir, const char *name, const mix_spec *m, double secs, int channels,
			     int rate)
{
	int64_t n = (int64_t)(secs * rate);
	float *x = calloc((size_t)n * (size_t)channels, sizeof *x);
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, c = 0.0, s = 0.0;
		c += m->mid_amp *
		     (sin(2 * M_PI * 440 * t) + 0.7 * sin(2 * M_PI * 1000 * t) + 0.5 * sin(2 * M_PI * 2500 * t));
		for (int h = 1; h <= m->bass_harmonics; h++)
			c += m->bass_amp / h * sin(2 * M_PI * m->bass_hz * h * t);
		s = m->side_amp * sin(2 * M_PI * m->side_hz * t);
		if (channels == 1) {
			x[i] = (float)c;
		} else {
			x[2 * i] = (float)(c + s);
			x[2 * i + 1] = (float)(c - s);
		}
	}
	const char *path = mxt_path(dir, name);
	CHECK_INT(mxt_write_audio(path, x, n, channels, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	return path;
}

static mixdown_translate_result *translate(const char *path, const char *out_dir)
{
	mixdown_translate_result *r = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_translate(path, out_dir, &r, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "translate %s: %s", path, err.message);
	return r;
}

/* A sub-only bass line (50 Hz sine) is lost on the phone; the car keeps it. */
static void t_sub_bass_phone(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = { .mid_amp = 0.1, .bass_hz = 50, .bass_amp = 0.4, .bass_harmonics = 1 };
	mixdown_translate_result *r = translate(write_mix(dir, "sub.wav", &m, 6.0, 2, RATE), NULL);
	if (!r)
		return;
	const mixdown_translate_system *ph = find_sys(r, "phone"), *car = find_sys(r, "car");
	CHECK(r->bass_seconds > 5.0);
	CHECK_INT(ph->bass, MIXDOWN_BASS_LOST);
	CHECK(ph->bass_lost > 0.95);
	CHECK(ph->low_change < -40.0);
	CHECK(has_note(ph, "bass line lost"));
	CHECK_INT(car->bass, MIXDOWN_BASS_KEPT);
	/* Analytic: a 50 Hz sine through the car model gains its response at 50 Hz. */
	CHECK_NEAR(car->low_change, car->response[4], 0.3); /* band 4 = 50 Hz */
	CHECK(car->bass_kept > 0.95);
	CHECK_STR_CONTAINS(r->summary, "Translates worst to");
	/* Phone and laptop both lose the line; the phone's presence peak pushes the vocal band further. */
	CHECK(!strcmp(r->systems[r->worst].name, "phone") || !strcmp(r->systems[r->worst].name, "laptop"));
	mixdown_translate_free(r);
}

/* A bass line with harmonics (55 Hz sawtooth) is still heard on the phone. */
static void t_harmonic_bass_phone(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = { .mid_amp = 0.1, .bass_hz = 55, .bass_amp = 0.4, .bass_harmonics = 12 };
	mixdown_translate_result *r = translate(write_mix(dir, "saw.wav", &m, 6.0, 2, RATE), NULL);
	if (!r)
		return;
	const mixdown_translate_system *ph = find_sys(r, "phone");
	CHECK_INT(ph->bass, MIXDOWN_BASS_HARMONICS);
	CHECK(ph->bass_harmonics > 0.95);
	CHECK(ph->low_change < -40.0);
	CHECK(has_note(ph, "still heard through its harmonics"));
	CHECK_INT(find_sys(r, "club")->bass, MIXDOWN_BASS_KEPT);
	mixdown_translate_free(r);
}

/* No bass at all: no verdict anywhere. */
static void t_no_bass(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = { .mid_amp = 0.2 };
	mixdown_translate_result *r = translate(write_mix(dir, "mid.wav", &m, 4.0, 2, RATE), NULL);
	if (!r)
		return;
	for (size_t s = 0; s < r->n_systems; s++)
		CHECK_INT(r->systems[s].bass, MIXDOWN_BASS_NONE);
	CHECK(r->bass_seconds < 0.5);
	mixdown_translate_free(r);
}

/* A side-only element (L = -R at 3.15 kHz) cancels on the mono speaker only. */
static void t_side_only_mono(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = { .mid_amp = 0.1, .side_hz = 3150, .side_amp = 0.1 };
	mixdown_translate_result *r = translate(write_mix(dir, "side.wav", &m, 5.0, 2, RATE), NULL);
	if (!r)
		return;
	const mixdown_translate_system *mo = find_sys(r, "mono-speaker");
	CHECK(mo->mono);
	CHECK_NEAR(mo->mono_worst_hz, 3162.3, 1.0);
	CHECK(mo->mono_worst_drop > 40.0);
	CHECK(has_note(mo, "mono fold-down: the 3.16 kHz band drops"));
	CHECK(mo->mono_drop > 1.0);
	/* Centred bands do not move in the fold. */
	CHECK_NEAR(mo->mono_band_drop[13], 0.0, 0.1); /* 400 Hz band holds the 440 Hz tone */
	CHECK_NEAR(mo->mono_band_drop[17], 0.0, 0.1); /* 1 kHz */
	CHECK_STR_CONTAINS(r->summary, "Mono Bluetooth speaker");
	for (size_t s = 0; s < r->n_systems; s++)
		if (!r->systems[s].mono)
			CHECK(!has_note(&r->systems[s], "mono"));
	mixdown_translate_free(r);

	/* The same mix without the side element: nothing cancels. */
	mix_spec c = { .mid_amp = 0.1 };
	r = translate(write_mix(dir, "centre.wav", &c, 5.0, 2, RATE), NULL);
	if (!r)
		return;
	mo = find_sys(r, "mono-speaker");
	CHECK(mo->mono_worst_drop < 0.1);
	CHECK_NEAR(mo->mono_drop, 0.0, 0.05);
	CHECK(!has_note(mo, "mono fold-down"));
	mixdown_translate_free(r);
}

/* Level changes against the models' analytic responses. */
static void t_analytic_changes(void)
{
	const char *dir = mxt_tempdir();
	/* 1 kHz only: every system's loudness changes by its response at 1 kHz. */
	int64_t n = 5 * RATE;
	float *x = malloc((size_t)n * 2 * sizeof *x);
	mxt_sine(x, n, 2, RATE, 1000, 0.25, 0);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "k.wav"), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	mixdown_translate_result *r = translate(mxt_path(dir, "k.wav"), NULL);
	for (size_t s = 0; r && s < r->n_systems; s++)
		CHECK_MSG(fabs(r->systems[s].loudness_change - r->systems[s].response[17]) < 0.05,
			  "%s: loudness change %.3f LU, response at 1 kHz %.3f dB", r->systems[s].name,
			  r->systems[s].loudness_change, r->systems[s].response[17]);
	mixdown_translate_free(r);
	/* 500 Hz + 2 kHz at equal level: the vocal band (2 kHz) against the rest (500 Hz) moves by
	 * the difference of the responses. */
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / RATE;
		x[2 * i] = x[2 * i + 1] = (float)(0.2 * sin(2 * M_PI * 500 * t) + 0.2 * sin(2 * M_PI * 2000 * t));
	}
	CHECK_INT(mxt_write_audio(mxt_path(dir, "v.wav"), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	r = translate(mxt_path(dir, "v.wav"), NULL);
	if (r) {
		CHECK_NEAR(r->vocal_balance, 0.0, 0.1);
		for (size_t s = 0; s < r->n_systems; s++) {
			mxd_tr_filter f;
			mxd_tr_filter_design(&f, mxd_tr_model_get(s), RATE);
			double want = mxd_tr_filter_response(&f, 2000) - mxd_tr_filter_response(&f, 500);
			CHECK_MSG(fabs(r->systems[s].vocal_change - want) < 0.2, "%s: vocal change %.2f, expected %.2f",
				  r->systems[s].name, r->systems[s].vocal_change, want);
		}
	}
	mixdown_translate_free(r);
	free(x);
}

/* A car's +13 dB bass makes a quieter 100-125 Hz part disappear under it. */
static void t_car_masking(void)
{
	const char *dir = mxt_tempdir();
	int64_t n = 6 * RATE;
	float *x = malloc((size_t)n * 2 * sizeof *x);
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / RATE;
		x[2 * i] = x[2 * i + 1] = (float)(0.3 * sin(2 * M_PI * 40 * t) + 0.15 * sin(2 * M_PI * 125 * t) +
						  0.1 * sin(2 * M_PI * 1000 * t));
	}
	CHECK_INT(mxt_write_audio(mxt_path(dir, "m.wav"), x, n, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	free(x);
	mixdown_translate_result *r = translate(mxt_path(dir, "m.wav"), NULL);
	if (!r)
		return;
	const mixdown_translate_system *car = find_sys(r, "car");
	CHECK(car->n_masking >= 1);
	if (car->n_masking) {
		CHECK_NEAR(car->masking[0].hz, 125.9, 0.5);
		CHECK_NEAR(car->masking[0].masker_hz, 39.8, 0.5);
		CHECK(car->masking[0].share_before < 0.1 && car->masking[0].share_after > 0.9);
	}
	CHECK_INT(find_sys(r, "phone")->n_masking, 0); /* the phone filters the 40 Hz away instead */
	mixdown_translate_free(r);
}

static int64_t file_frames(const char *path, int *ch, int *rate)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	if (!f)
		return -1;
	sf_close(f);
	*ch = info.channels;
	*rate = info.samplerate;
	CHECK_INT(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_24);
	return info.frames;
}

/* Listening files: one per system, the mix's rate and length, loudness-matched. */
static void t_listening_files(void)
{
	const char *dir = mxt_tempdir(), *out = mxt_tempdir();
	static const int rates[] = { 44100, 48000 };
	static const int chans[] = { 2, 1 };
	for (int k = 0; k < 2; k++) {
		mix_spec m = { .mid_amp = 0.1, .bass_hz = 55, .bass_amp = 0.3, .bass_harmonics = 6 };
		char name[32];
		snprintf(name, sizeof name, "song%d.wav", k);
		const char *path = write_mix(dir, name, &m, 3.3, chans[k], rates[k]);
		mixdown_translate_result *r = translate(path, out);
		if (!r)
			continue;
		CHECK_INT(r->frames, (int64_t)(3.3 * rates[k]));
		for (size_t s = 0; s < r->n_systems; s++) {
			const mixdown_translate_system *o = &r->systems[s];
			char want[64];
			snprintf(want, sizeof want, "/song%d.%s.wav", k, o->name);
			CHECK_STR_CONTAINS(o->file, want);
			int ch = 0, rate = 0;
			CHECK_INT(file_frames(o->file, &ch, &rate), (int64_t)r->frames);
			CHECK_INT(rate, rates[k]);
			CHECK_INT(ch, o->mono ? 1 : chans[k]);
			/* Not peak-limited here, so the file plays at the mix's loudness. */
			CHECK_NEAR(o->file_gain, -o->loudness_change, 0.01);
			if (s == 0) {
				mixdown_analysis *a = NULL;
				CHECK_INT(mixdown_analyze_file(o->file, NULL, &a, NULL), MIXDOWN_SUCCESS);
				if (a)
					CHECK_NEAR(a->loudness.integrated, r->loudness, 0.1);
				mixdown_analysis_free(a);
			}
		}
		mixdown_translate_free(r);
	}
	/* No leftovers from the temporary files. */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 14", out);
	CHECK_INT(system(cmd), 0);
}

/* Errors: a missing file, too many channels, a missing output directory. */
static void t_errors(void)
{
	const char *dir = mxt_tempdir();
	mixdown_translate_result *r = (mixdown_translate_result *)1;
	mixdown_error err;
	CHECK_INT(mixdown_translate(mxt_path(dir, "none.wav"), NULL, &r, &err), MIXDOWN_ERR_AUDIO);
	CHECK(r == NULL);
	float x[4 * 3] = { 0 };
	CHECK_INT(mxt_write_audio(mxt_path(dir, "quad.wav"), x, 4, 3, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mixdown_translate(mxt_path(dir, "quad.wav"), NULL, &r, &err), MIXDOWN_ERR_AUDIO);
	CHECK_STR_CONTAINS(err.message, "mono or stereo");
	mix_spec m = { .mid_amp = 0.1 };
	const char *p = write_mix(dir, "ok.wav", &m, 1.0, 2, RATE);
	CHECK_INT(mixdown_translate(p, mxt_path(dir, "no-such-dir"), &r, &err), MIXDOWN_ERR_IO);
	/* Shorter than one analysis frame: loudness still measured, spectra empty. */
	float tiny[2 * 100] = { 0 };
	for (int i = 0; i < 100; i++)
		tiny[2 * i] = tiny[2 * i + 1] = 0.5f * (float)sin(i * 0.3);
	CHECK_INT(mxt_write_audio(mxt_path(dir, "tiny.wav"), tiny, 100, 2, RATE, SF_FORMAT_WAV | SF_FORMAT_FLOAT), 0);
	CHECK_INT(mixdown_translate(mxt_path(dir, "tiny.wav"), NULL, &r, &err), MIXDOWN_SUCCESS);
	if (r)
		CHECK_INT(r->frames, 100);
	mixdown_translate_free(r);
}

/* A small JSON reader for the checks below: validates the whole text and
 * finds a value by a path of keys and indices ("systems/0/bass/verdict"). */
static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *skip_value(const char *p);

static const char *skip_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && !*++p)
			return NULL;
	return *p == '"' ? p + 1 : NULL;
}

static const char *skip_value(const char *p)
{
	p = skip_ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = skip_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (!(p = skip_string(skip_ws(p))) || *(p = skip_ws(p)) != ':')
					return NULL;
				p++;
			}
			if (!(p = skip_value(p)))
				return NULL;
			p = skip_ws(p);
			if (*p == ',') {
				p++;
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	char *end;
	strtod(p, &end);
	return end == p ? NULL : end;
}

/* The value at path, or NULL. */
static const char *json_at(const char *p, const char *path)
{
	char key[64];
	while (*path) {
		size_t len = strcspn(path, "/");
		snprintf(key, sizeof key, "%.*s", (int)len, path);
		path += len + (path[len] == '/');
		p = skip_ws(p);
		if (*p == '[') {
			long idx = atol(key);
			p = skip_ws(p + 1);
			for (long i = 0; i < idx && p; i++) {
				p = skip_value(p);
				p = p && *(p = skip_ws(p)) == ',' ? p + 1 : NULL;
			}
			if (!p || *skip_ws(p) == ']')
				return NULL;
		} else if (*p == '{') {
			p = skip_ws(p + 1);
			for (;;) {
				const char *k = p, *e = skip_string(p);
				if (!e)
					return NULL;
				bool hit = (size_t)(e - k - 2) == strlen(key) && !strncmp(k + 1, key, strlen(key));
				p = skip_ws(e);
				if (*p != ':')
					return NULL;
				p++;
				if (hit)
					break;
				if (!(p = skip_value(p)) || *(p = skip_ws(p)) != ',')
					return NULL;
				p = skip_ws(p + 1);
			}
		} else {
			return NULL;
		}
	}
	return skip_ws(p);
}

static void t_json(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = {
		.mid_amp = 0.1, .bass_hz = 50, .bass_amp = 0.4, .bass_harmonics = 1, .side_hz = 3150, .side_amp = 0.05
	};
	const char *path = write_mix(dir, "j.wav", &m, 4.0, 2, RATE);
	int rc = mxt_run_cli("translate --json '%s'", path);
	CHECK_INT(rc, 0);
	const char *t = mxt_cli_out;
	const char *end = skip_value(t);
	CHECK_MSG(end && !*skip_ws(end), "stdout is not one JSON value");
	CHECK_STR_CONTAINS(json_at(t, "schema"), "\"mixdown-translate/1\"");
	static const char *const keys[] = { "file/path", "file/sample_rate", "file/channels", "file/frames",
					    "file/duration", "file/loudness", "file/vocal_balance", "file/bass_seconds",
					    "bands/30", "worst", "summary" };
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		CHECK_MSG(json_at(t, keys[k]), "missing %s", keys[k]);
	static const char *const sys_keys[] = {
		"name",		 "label",	 "mono",	 "approximation", "source",	   "curve/0/1",
		"response/30",	 "file",	 "file_gain",	 "loudness",	  "loudness_change", "low_change",
		"bass/verdict",	 "bass/kept",	 "bass/harmonics", "bass/lost",	   "vocal_balance",   "vocal_change",
		"band_change/30", "mono_fold",	 "masking",	 "score",	  "notes",
	};
	char kp[128];
	for (int s = 0; s < 7; s++)
		for (size_t k = 0; k < sizeof sys_keys / sizeof sys_keys[0]; k++) {
			snprintf(kp, sizeof kp, "systems/%d/%s", s, sys_keys[k]);
			CHECK_MSG(json_at(t, kp), "missing %s", kp);
		}
	CHECK(!json_at(t, "systems/7"));
	CHECK_STR_CONTAINS(json_at(t, "systems/0/name"), "\"phone\"");
	CHECK_STR_CONTAINS(json_at(t, "systems/0/bass/verdict"), "\"lost\"");
	CHECK_STR_CONTAINS(json_at(t, "systems/6/name"), "\"mono-speaker\"");
	const char *wd = json_at(t, "systems/6/mono_fold/worst_drop");
	CHECK(wd && atof(wd) > 30.0);
	CHECK_STR_CONTAINS(json_at(t, "systems/6/mono"), "true");
	CHECK_STR_CONTAINS(json_at(t, "systems/0/mono_fold"), "null");
	CHECK_STR_CONTAINS(json_at(t, "systems/0/file"), "null");
}

static void t_cli(void)
{
	const char *dir = mxt_tempdir();
	mix_spec m = { .mid_amp = 0.1, .bass_hz = 50, .bass_amp = 0.4, .bass_harmonics = 1 };
	const char *path = write_mix(dir, "c.wav", &m, 3.0, 2, RATE);
	char out[600], html[600];
	snprintf(out, sizeof out, "%s", mxt_path(dir, "listen"));
	snprintf(html, sizeof html, "%s", mxt_path(dir, "r.html"));
	CHECK_INT(mxt_run_cli("translate '%s' -o '%s' --html '%s'", path, out, html), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "Translates worst to");
	CHECK_STR_CONTAINS(mxt_cli_out, "Phone speaker");
	CHECK_STR_CONTAINS(mxt_cli_out, "c.mono-speaker.wav");
	struct stat sb;
	CHECK_INT(stat(mxt_path(out, "c.phone.wav"), &sb), 0);
	CHECK_INT(stat(html, &sb), 0);
	FILE *f = fopen(html, "r");
	char *buf = calloc(1, 1 << 20);
	if (f && buf) {
		size_t got = fread(buf, 1, (1 << 20) - 1, f);
		buf[got] = 0;
		CHECK_STR_CONTAINS(buf, "<svg");
		CHECK_STR_CONTAINS(buf, "Mono Bluetooth speaker");
		CHECK_STR_CONTAINS(buf, "</html>");
		CHECK(!strstr(buf, "http://") && !strstr(buf, "https://") && !strstr(buf, "<script"));
	}
	if (f)
		fclose(f);
	free(buf);
	CHECK_INT(mxt_run_cli("translate"), 2);
	CHECK_INT(mxt_run_cli("translate '%s' --bogus", path), 2);
	CHECK_INT(mxt_run_cli("translate '%s' '%s'", path, path), 2);
	CHECK_INT(mxt_run_cli("translate '%s' --html '%s'", path, path), 2); /* the report would overwrite the mix */
	CHECK_STR_CONTAINS(mxt_cli_err, "overwrite");
	CHECK_INT(mxt_run_cli("translate '%s' -o '%s'", path, path), 2);
	CHECK_INT(mxt_run_cli("translate '%s'", mxt_path(dir, "missing.wav")), 1);
	CHECK_INT(mxt_run_cli("translate --help"), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "usage: mixdown translate");
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_model_curves),	MXT(t_earbud_source), MXT(t_sub_bass_phone), MXT(t_harmonic_bass_phone),
		MXT(t_no_bass),		MXT(t_side_only_mono), MXT(t_analytic_changes), MXT(t_car_masking),
		MXT(t_listening_files), MXT(t_errors),	      MXT(t_json),	     MXT(t_cli),
	};
	return MXT_RUN(cases);
}
