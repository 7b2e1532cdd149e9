/* mixdown — tests for the mix assistant (src/automix, `mixdown automix`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Role recognition from names (the LMMS stems of ../shared/testdata, skipped
 * when absent; common abbreviations) and from the audio (the demo song's
 * stems renamed track1..7); grouping and ordering; planted problems (an
 * inverted duplicate mic, a 1.3 ms late one, an empty track, a track 20 dB
 * too hot); balance recovered from random level offsets (+-12 dB, fixed
 * seed) within 1.5 LU, measured on the written session's post-fader taps
 * (mixdown_analyze_session); the session renders and its master meets its
 * target; two runs write identical bytes; the command line; the LMMS stems
 * recognized from their audio alone; a cut toward a role's tonal target and
 * the loudness it takes; the tempo of drum loops, the demo and the LMMS
 * reggae; a sung line, a played one and speech told apart by their pitch.
 */
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/analysis.h"
#include "automix/automix.h"
#include "demo/demo.h"
#include "harness.h"
#include "util.h"

#define LMMS MIXDOWN_SOURCE_DIR "/../shared/testdata/lmms-capdan-reggaetry/stems"

static const char *const demo_names[] = { "kick", "snare", "hats", "bass", "keys", "pad", "lead" };
static const mxa_role demo_roles[] = { MXA_KICK, MXA_SNARE, MXA_HIHAT, MXA_BASS, MXA_KEYS, MXA_PAD, MXA_LEAD_VOCAL };
#define N_DEMO 7

static char demo_dir[512];

static const char *demo(void)
{
	if (!demo_dir[0]) {
		char err[256] = "";
		snprintf(demo_dir, sizeof demo_dir, "%s/demo", mxt_tempdir());
		if (mxd_demo_write(demo_dir, err, sizeof err) != 0) {
			fprintf(stderr, "# demo: %s\n", err);
			demo_dir[0] = '\0';
			return NULL;
		}
	}
	return demo_dir;
}

/* Copy demo stem k to dir/name.wav as float, scaled by gain_db (optionally
 * inverted, delayed by `delay` frames). */
static int copy_stem(size_t k, const char *dir, const char *name, double gain_db, bool invert, int delay)
{
	char src[600];
	snprintf(src, sizeof src, "%s/%s.wav", demo(), demo_names[k]);
	int64_t frames;
	int ch, rate;
	float *x = mxt_read_audio(src, &frames, &ch, &rate, NULL);
	if (!x)
		return -1;
	float *y = calloc((size_t)(frames * ch), sizeof *y);
	double g = pow(10.0, gain_db / 20.0) * (invert ? -1.0 : 1.0);
	for (int64_t i = 0; i + delay < frames; i++)
		for (int c = 0; c < ch; c++)
			y[(i + delay) * ch + c] = (float)(g * x[i * ch + c]);
	char dst[700];
	snprintf(dst, sizeof dst, "%s/%s.wav", dir, name);
	int rc = mxt_write_audio(dst, y, frames, ch, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	free(y);
	return rc;
}

static const mxa_track *find(const mixdown_automix *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->t[i].name, name))
			return &p->t[i];
	return NULL;
}

static mixdown_automix *plan_dir(const char *dir, const char *genre)
{
	mixdown_automix_options o = mixdown_automix_options_init();
	if (genre)
		o.genre = genre;
	mixdown_automix *p = NULL;
	mixdown_error err = { 0 };
	const char *in[] = { dir };
	mixdown_status st = mixdown_automix_plan(in, 1, &o, &p, &err);
	if (st != MIXDOWN_SUCCESS)
		fprintf(stderr, "# plan: %s\n", err.message);
	return p;
}

static void t_names_lmms(void)
{
	static const char *const files[] = { "1_E-Piano.wav", "2_Bass_Slap_02.wav", "3_Strings__high_.wav",
					     "4_Strings__low_.wav", "5_BD_03.wav", "6_Snare_05.wav",
					     "7_Snare_06.wav", "8_Open_HiHat_02.wav", "9_Closed_HihHat_03.wav" };
	static const mxa_role want[] = { MXA_KEYS, MXA_BASS, MXA_STRINGS, MXA_STRINGS, MXA_KICK,
					 MXA_SNARE, MXA_SNARE, MXA_HIHAT, MXA_HIHAT };
	static const char *const clean[] = { "E-Piano", "Bass Slap 02", "Strings high", "Strings low", "BD 03",
					     "Snare 05", "Snare 06", "Open HiHat 02", "Closed HihHat 03" };
	for (size_t i = 0; i < 9; i++) {
		char name[128];
		mxa_clean_name(files[i], name, sizeof name);
		CHECK_MSG(!strcmp(name, clean[i]), "%s cleaned to \"%s\"", files[i], name);
		CHECK_MSG(mxa_role_from_name(name, NULL, 0) == want[i], "%s: %s", name,
			  mxa_role_name(mxa_role_from_name(name, NULL, 0)));
	}
	struct stat st;
	if (stat(LMMS, &st) != 0) {
		SKIP("%s absent", LMMS);
		return;
	}
	mixdown_automix *p = plan_dir(LMMS, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	/* 6_Snare_05.wav is digital silence: removed and listed. */
	CHECK_INT(p->n, 8);
	CHECK_INT(p->n_removed, 1);
	if (p->n_removed)
		CHECK(!strcmp(p->removed[0].name, "Snare 05"));
	/* Rhythm section first: kick, snare, hats, bass, then keys and strings. */
	static const mxa_role order[] = { MXA_KICK, MXA_SNARE, MXA_HIHAT, MXA_HIHAT,
					  MXA_BASS, MXA_KEYS, MXA_STRINGS, MXA_STRINGS };
	for (size_t i = 0; i < p->n && i < 8; i++)
		CHECK_MSG(p->t[i].role == order[i], "track %zu %s is %s", i, p->t[i].name, mxa_role_name(p->t[i].role));
	const mxa_track *hi = find(p, "Strings high"), *lo = find(p, "Strings low");
	CHECK(hi && lo);
	if (hi && lo && (hi->channels == 1 || hi->dual_mono) && (lo->channels == 1 || lo->dual_mono))
		CHECK_MSG(hi->pan * lo->pan < 0, "two strings on opposite sides: %.2f %.2f", hi->pan, lo->pan);
	mixdown_automix_free(p);
}

/* The LMMS stems renamed track1..9: roles from the audio alone. */
static void t_roles_lmms_audio(void)
{
	struct stat st;
	if (stat(LMMS, &st) != 0) {
		SKIP("%s absent", LMMS);
		return;
	}
	static const char *const files[] = { "1_E-Piano", "2_Bass_Slap_02", "3_Strings__high_", "4_Strings__low_",
					     "5_BD_03", "7_Snare_06", "8_Open_HiHat_02", "9_Closed_HihHat_03" };
	/* E-piano: keys; high strings: a pad (not told apart from audio). */
	static const mxa_role want[] = { MXA_KEYS, MXA_BASS, MXA_PAD, MXA_STRINGS, MXA_KICK, MXA_SNARE, MXA_HIHAT, MXA_HIHAT };
	const char *dir = mxt_tempdir();
	for (size_t i = 0; i < 8; i++) {
		char src[700], dst[700];
		snprintf(src, sizeof src, "%s/%s.wav", LMMS, files[i]);
		snprintf(dst, sizeof dst, "%s/track%zu.wav", dir, i + 1);
		int64_t n;
		int ch, rate;
		float *x = mxt_read_audio(src, &n, &ch, &rate, NULL);
		CHECK(x && mxt_write_audio(dst, x, n, ch, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
		free(x);
	}
	mixdown_automix *p = plan_dir(dir, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	for (size_t i = 0; i < 8; i++) {
		char name[16];
		snprintf(name, sizeof name, "track%zu", i + 1);
		const mxa_track *t = find(p, name);
		CHECK(t && t->role_from_audio);
		if (t && t->role != want[i])
			fprintf(stderr, "# %s (%s): %s, expected %s\n", name, files[i], mxa_role_name(t->role),
				mxa_role_name(want[i]));
		CHECK(t && t->role == want[i]);
	}
	/* the reggae's 90 bpm, from kick, bass, snare and hats */
	CHECK_NEAR(p->tempo_bpm, 90.0, 0.1);
	mixdown_automix_free(p);
}

static void t_names_abbrev(void)
{
	static const struct {
		const char *file;
		mxa_role role;
	} cases[] = {
		{ "01 - Kick In.wav", MXA_KICK }, { "SD_top.wav", MXA_SNARE }, { "HH.wav", MXA_HIHAT },
		{ "OH L.flac", MXA_OVERHEADS }, { "Tom2.wav", MXA_TOMS }, { "Room Mics.wav", MXA_ROOM },
		{ "Vox Lead.wav", MXA_LEAD_VOCAL }, { "BV 1.wav", MXA_BACKING_VOCALS }, { "Gtr L.wav", MXA_EGUITAR },
		{ "Ac Gtr.wav", MXA_AGUITAR }, { "Synth Bass.wav", MXA_BASS }, { "Bass Drum.wav", MXA_KICK },
		{ "Shaker.wav", MXA_PERCUSSION }, { "Piano.wav", MXA_PIANO }, { "Warm Pad.wav", MXA_PAD },
		{ "Violins.wav", MXA_STRINGS }, { "Trumpet.wav", MXA_BRASS }, { "Host mic.wav", MXA_DIALOGUE },
		{ "Music bed.wav", MXA_MUSIC_BED }, { "SFX whoosh.wav", MXA_EFFECTS }, { "Bottom.wav", MXA_N_ROLES },
		{ "Lead Synth.wav", MXA_SYNTH }, { "E-Piano.wav", MXA_KEYS }, { "track3.wav", MXA_N_ROLES },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[128];
		mxa_clean_name(cases[i].file, name, sizeof name);
		mxa_role r = mxa_role_from_name(name, NULL, 0);
		CHECK_MSG(r == cases[i].role, "%s -> \"%s\": %s", cases[i].file, name,
			  r == MXA_N_ROLES ? "(none)" : mxa_role_name(r));
	}
}

static void t_demo_roles(void)
{
	if (!demo()) {
		CHECK(0);
		return;
	}
	const char *dir = mxt_path(mxt_tempdir(), "");
	char d[600];
	snprintf(d, sizeof d, "%s", dir);
	for (size_t k = 0; k < N_DEMO; k++)
		CHECK(copy_stem(k, d, demo_names[k], 0, false, 0) == 0);
	mixdown_automix *p = plan_dir(d, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(p->n, N_DEMO);
	for (size_t k = 0; k < N_DEMO; k++) {
		const mxa_track *t = find(p, demo_names[k]);
		CHECK_MSG(t && t->role == demo_roles[k], "%s", demo_names[k]);
	}
	/* mix order */
	static const char *const order[] = { "kick", "snare", "hats", "bass", "keys", "pad", "lead" };
	for (size_t i = 0; i < N_DEMO && i < p->n; i++)
		CHECK_MSG(!strcmp(p->t[i].name, order[i]), "position %zu: %s", i, p->t[i].name);
	CHECK(!strcmp(mxa_group_name(mxa_role_group(find(p, "hats")->role)), "Drums"));
	CHECK(find(p, "lead")->is_lead);
	CHECK(find(p, "kick")->pan == 0.0 && find(p, "bass")->pan == 0.0 && find(p, "lead")->pan == 0.0);
	mixdown_automix_free(p);

	/* The same audio under meaningless names. */
	snprintf(d, sizeof d, "%s", mxt_tempdir());
	for (size_t k = 0; k < N_DEMO; k++) {
		char nm[32];
		snprintf(nm, sizeof nm, "track%zu", (k * 3) % N_DEMO + 1); /* shuffled */
		CHECK(copy_stem(k, d, nm, 0, false, 0) == 0);
	}
	p = plan_dir(d, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	for (size_t k = 0; k < N_DEMO; k++) {
		char nm[32];
		snprintf(nm, sizeof nm, "track%zu", (k * 3) % N_DEMO + 1);
		const mxa_track *t = find(p, nm);
		CHECK(t && t->role_from_audio);
		if (t)
			fprintf(stderr, "# %s (%s) -> %s: %s\n", nm, demo_names[k], mxa_role_name(t->role),
				t->reason[MXA_D_ROLE]);
		if (t && k <= 3) /* kick, snare, hats, bass must be recognized */
			CHECK_MSG(t->role == demo_roles[k], "%s (%s) recognized as %s", nm, demo_names[k],
				  mxa_role_name(t->role));
	}
	mixdown_automix_free(p);
}

/* Loudness of every track after the session's faders, from its post-fader tap. */
static double tap_lufs(const mixdown_multitrack_analysis *m, const char *name)
{
	for (size_t i = 0; i < m->n_tracks; i++)
		if (!m->is_bus[i] && !strcmp(m->names[i], name))
			return m->tracks[i]->loudness.integrated;
	return NAN;
}

static void t_planted(void)
{
	if (!demo()) {
		CHECK(0);
		return;
	}
	char d[600];
	snprintf(d, sizeof d, "%s", mxt_tempdir());
	/* 62 frames at 48 kHz = 1.29 ms */
	CHECK(copy_stem(0, d, "kick in", 0, false, 0) == 0);
	CHECK(copy_stem(0, d, "kick out", -3, true, 0) == 0);
	CHECK(copy_stem(0, d, "kick sub", -2, false, 62) == 0);
	CHECK(copy_stem(1, d, "snare", 20, false, 0) == 0); /* 20 dB too hot (float file) */
	CHECK(copy_stem(3, d, "bass", 0, false, 0) == 0);
	CHECK(copy_stem(6, d, "lead", 0, false, 0) == 0);
	float *z = calloc(48000 * 2, sizeof *z);
	CHECK(mxt_write_audio(mxt_path(d, "empty.wav"), z, 48000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_24) == 0);
	free(z);
	mixdown_automix *p = plan_dir(d, NULL);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_INT(p->n, 6);
	CHECK_INT(p->n_removed, 1);
	if (p->n_removed)
		CHECK(!strcmp(p->removed[0].name, "empty"));
	const mxa_track *kin = find(p, "kick in"), *kout = find(p, "kick out"), *ksub = find(p, "kick sub");
	CHECK(kin && kout && ksub);
	if (!kin || !kout || !ksub) {
		mixdown_automix_free(p);
		return;
	}
	CHECK(!kin->invert && kout->invert && !ksub->invert);
	CHECK(kin->offset == 0 && kin->at == 0 && kout->offset == 0 && kout->at == 0);
	CHECK_NEAR(ksub->offset, 62.0 / 48000.0, 0.00005);
	char ses[700];
	snprintf(ses, sizeof ses, "%s/mix.yaml", d);
	mixdown_error err = { 0 };
	CHECK(mixdown_automix_write(p, ses, false, &err) == MIXDOWN_SUCCESS);
	/* never over an existing file (without overwrite) nor over a stem */
	CHECK(mixdown_automix_write(p, ses, false, &err) == MIXDOWN_ERR_USAGE);
	CHECK(mixdown_automix_write(p, mxt_path(d, "bass.wav"), true, &err) == MIXDOWN_ERR_USAGE);
	mixdown_multitrack_analysis *m = NULL;
	mixdown_analysis_options o = mixdown_analysis_options_init();
	o.true_peak = false;
	CHECK(mixdown_analyze_session(ses, &o, &m, &err) == MIXDOWN_SUCCESS);
	if (m) {
		/* the snare is back in balance: its offset to the lead as intended */
		double lead = tap_lufs(m, "lead"), snare = tap_lufs(m, "snare");
		CHECK_NEAR(snare - lead, mxa_role_offset(MXA_SNARE, MXA_POP), 1.5);
		/* the three kick mics now sum coherently: after alignment no pair is inverted or offset */
		for (size_t i = 0; i < m->n_alignment; i++) {
			const mixdown_alignment *al = &m->alignment[i];
			if (strncmp(al->a, "kick", 4) || strncmp(al->b, "kick", 4))
				continue;
			CHECK_MSG(!al->inverted, "%s/%s still inverted", al->a, al->b);
			CHECK_MSG(fabs(al->offset_ms) < 0.05, "%s/%s offset %.3f ms", al->a, al->b, al->offset_ms);
		}
		mixdown_multitrack_analysis_free(m);
	}
	mixdown_automix_free(p);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	static char buf[2][1 << 16];
	static int k;
	char *b = buf[k++ & 1];
	size_t n = fread(b, 1, sizeof buf[0] - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

static void t_balance_render(void)
{
	if (!demo()) {
		CHECK(0);
		return;
	}
	char d[600];
	snprintf(d, sizeof d, "%s", mxt_tempdir());
	uint32_t seed = 7;
	for (size_t k = 0; k < N_DEMO; k++) {
		double off = (double)(lcg(&seed) % 2401) / 100.0 - 12.0; /* -12..+12 dB */
		CHECK(copy_stem(k, d, demo_names[k], off, false, 0) == 0);
	}
	mixdown_automix *p = plan_dir(d, "rock");
	CHECK(p != NULL);
	if (!p)
		return;
	char ses[700], ses2[700], d2[600];
	snprintf(ses, sizeof ses, "%s/auto.yaml", d);
	snprintf(d2, sizeof d2, "%s", mxt_tempdir());
	snprintf(ses2, sizeof ses2, "%s/auto.yaml", d2);
	mixdown_error err = { 0 };
	CHECK(mixdown_automix_write(p, ses, false, &err) == MIXDOWN_SUCCESS);
	mixdown_automix_free(p);
	/* determinism: a second run from scratch, written elsewhere (absolute stem paths then) */
	p = plan_dir(d, "rock");
	CHECK(p && mixdown_automix_write(p, ses2, false, &err) == MIXDOWN_SUCCESS);
	mixdown_automix_free(p);
	char *a = slurp(ses), *b = slurp(ses2);
	CHECK(a && b);
	if (a && b) {
		/* identical apart from the stem paths (relative in the first, absolute in the second) */
		size_t la = strlen(a), lb = strlen(b);
		CHECK(la > 500 && lb > la);
		CHECK_STR_CONTAINS(a, "# fader ");
		CHECK_STR_CONTAINS(a, "target: { preset: spotify }");
		CHECK_STR_CONTAINS(b, d);
	}
	/* a third run to the same path gives the same bytes */
	{
		char first[720];
		snprintf(first, sizeof first, "%s/first.yaml.keep", d);
		CHECK(rename(ses, first) == 0);
		p = plan_dir(d, "rock");
		CHECK(p && mixdown_automix_write(p, ses, false, &err) == MIXDOWN_SUCCESS);
		mixdown_automix_free(p);
		char *c = slurp(ses);
		a = slurp(first);
		CHECK(c && a && strcmp(c, a) == 0);
	}
	mixdown_multitrack_analysis *m = NULL;
	mixdown_analysis_options o = mixdown_analysis_options_init();
	o.true_peak = false;
	CHECK(mixdown_analyze_session(ses, &o, &m, &err) == MIXDOWN_SUCCESS);
	if (m) {
		double lead = tap_lufs(m, "lead");
		for (size_t k = 0; k + 1 < N_DEMO; k++) {
			double got = tap_lufs(m, demo_names[k]) - lead;
			double want = mxa_role_offset(demo_roles[k], MXA_ROCK);
			CHECK_NEAR(got, want, 1.5);
			fprintf(stderr, "# %s: %+.2f LU to the lead (intended %+.1f)\n", demo_names[k], got, want);
		}
		mixdown_multitrack_analysis_free(m);
	}
	/* the session loads, renders, and its master meets its target */
	mixdown_session *s = NULL;
	CHECK(mixdown_session_load(ses, &s, &err) == MIXDOWN_SUCCESS);
	if (s) {
		mixdown_render_options ro = mixdown_render_options_init();
		ro.output = mxt_path(d, "out.wav");
		mixdown_render_report rep;
		CHECK(mixdown_render(s, &ro, &rep, &err) == MIXDOWN_SUCCESS);
		CHECK(rep.mastered);
		CHECK(rep.master_met);
		CHECK_NEAR(rep.integrated_lufs, -14.0, 0.15);
		mixdown_session_free(s);
	}
}

static void t_cli(void)
{
	if (!demo()) {
		CHECK(0);
		return;
	}
	const char *d = mxt_tempdir();
	char ses[600];
	snprintf(ses, sizeof ses, "%s/s.yaml", d);
	int rc = mxt_run_cli("automix '%s' -o '%s' --genre hiphop --explain", demo(), ses);
	CHECK_INT(rc, 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "lead \"lead\"");
	CHECK_STR_CONTAINS(mxt_cli_out, "fader");
	CHECK_INT(mxt_run_cli("automix '%s' -o '%s'", demo(), ses), 2); /* exists */
	CHECK_INT(mxt_run_cli("automix '%s' -o '%s' --genre polka", demo(), ses), 2);
	CHECK_INT(mxt_run_cli("check '%s'", ses), 0);
}

/* ------------------------------------------------ EQ, dynamics, space (items 5-7) */

#define SR 48000
#define SECS 8

/* Sum of sines log-spaced over [f0, f1] Hz with fixed random phases; the
 * amplitude of each falls as (f / knee)^-1 above `knee` (a voice-like tilt). */
static void band(float *y, int64_t n, double f0, double f1, int count, double amp, double knee, uint32_t seed)
{
	for (int k = 0; k < count; k++) {
		double f = f0 * pow(f1 / f0, (double)k / (count - 1));
		double a = amp * (f > knee ? knee / f : 1.0), ph = 6.283185307 * (double)(lcg(&seed) % 10000) / 10000.0;
		double w = 6.283185307 * f / SR;
		for (int64_t i = 0; i < n; i++)
			y[i] += (float)(a * sin(w * (double)i + ph));
	}
}

static int write_mono(const char *dir, const char *name, const float *y)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s.wav", dir, name);
	return mxt_write_audio(path, y, (int64_t)SR * SECS, 1, SR, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
}

/* A lead vocal (band noise 300 Hz - 5 kHz falling above 800 Hz, syllables at
 * 2.5 Hz), a louder guitar-like band 2.3-4.2 kHz, a bass on 55 Hz and a kick
 * (60 Hz hits every 0.5 s). */
static int build_masking_stems(const char *dir)
{
	const int64_t n = (int64_t)SR * SECS;
	float *y = calloc((size_t)n, sizeof *y);
	int rc = 0;
	band(y, n, 300, 5000, 60, 0.03, 800, 11);
	for (int64_t i = 0; i < n; i++)
		y[i] *= (float)(0.35 + 0.65 * fabs(sin(3.14159265 * 2.5 * (double)i / SR)));
	rc |= write_mono(dir, "lead vocal", y);
	memset(y, 0, (size_t)n * sizeof *y);
	band(y, n, 2300, 4200, 20, 0.05, 1e9, 12);
	for (int64_t i = 0; i < n; i++)
		y[i] *= (float)(0.8 + 0.2 * sin(6.283185307 * 5.0 * (double)i / SR));
	rc |= write_mono(dir, "guitar", y);
	memset(y, 0, (size_t)n * sizeof *y);
	for (int h = 1; h <= 12; h++)
		for (int64_t i = 0; i < n; i++)
			y[i] += (float)(0.25 / h * sin(6.283185307 * 55.0 * h * (double)i / SR));
	rc |= write_mono(dir, "bass", y);
	memset(y, 0, (size_t)n * sizeof *y);
	for (int64_t i = 0; i < n; i++) {
		double t = (double)(i % (SR / 2)) / SR; /* time since the last hit */
		y[i] = (float)(0.8 * exp(-t / 0.08) * sin(6.283185307 * 60.0 * t));
	}
	rc |= write_mono(dir, "kick", y);
	free(y);
	return rc;
}

static const mixdown_masking *masking_of(const mixdown_multitrack_analysis *m, const char *masked,
					 const char *masker)
{
	for (size_t i = 0; i < m->n_masking; i++)
		if (!strcmp(m->masking[i].masked, masked) && !strcmp(m->masking[i].masker, masker))
			return &m->masking[i];
	return NULL;
}

/* The first insert of `t` containing `what`, or NULL. */
static const char *insert_with(const mxa_track *t, const char *what)
{
	for (size_t i = 0; i < t->n_inserts; i++)
		if (strstr(t->inserts[i].yaml, what))
			return t->inserts[i].yaml;
	return NULL;
}

static double yaml_num(const char *yaml, const char *key)
{
	const char *k = yaml ? strstr(yaml, key) : NULL;
	return k ? atof(k + strlen(key)) : NAN;
}

static void t_eq_dynamics_space(void)
{
	char d[600];
	snprintf(d, sizeof d, "%s", mxt_tempdir());
	CHECK(build_masking_stems(d) == 0);
	/* The unity sum: every stem at 0 dB. */
	char unity[700];
	snprintf(unity, sizeof unity, "%s/unity.yaml", d);
	CHECK(mxt_write_text(unity, "mixdown: 1\ntracks:\n"
				    "  - { name: kick, file: kick.wav }\n  - { name: bass, file: bass.wav }\n"
				    "  - { name: guitar, file: guitar.wav }\n  - { name: lead vocal, file: lead vocal.wav }\n") == 0);
	mixdown_analysis_options o = mixdown_analysis_options_init();
	o.true_peak = false;
	mixdown_error err = { 0 };
	mixdown_multitrack_analysis *m0 = NULL;
	CHECK(mixdown_analyze_session(unity, &o, &m0, &err) == MIXDOWN_SUCCESS);
	const mixdown_masking *mk0 = m0 ? masking_of(m0, "lead vocal", "guitar") : NULL;
	CHECK_MSG(mk0 != NULL, "the planted masking is measured in the unity sum");
	double before = mk0 ? mk0->amount : NAN;
	if (mk0)
		fprintf(stderr, "# unity: guitar masks the vocal by %.1f dB at %.0f Hz\n", mk0->amount, mk0->cut_hz);

	const char *in[] = { mxt_path(d, "kick.wav"), mxt_path(d, "bass.wav"), mxt_path(d, "guitar.wav"),
			     mxt_path(d, "lead vocal.wav") };
	char paths[4][700];
	for (int i = 0; i < 4; i++)
		snprintf(paths[i], sizeof paths[i], "%s", in[i]);
	const char *pv[] = { paths[0], paths[1], paths[2], paths[3] };
	mixdown_automix_options ao = mixdown_automix_options_init();
	mixdown_automix *p = NULL;
	CHECK(mixdown_automix_plan(pv, 4, &ao, &p, &err) == MIXDOWN_SUCCESS);
	if (!p) {
		mixdown_multitrack_analysis_free(m0);
		return;
	}
	const mxa_track *voc = find(p, "lead vocal"), *gtr = find(p, "guitar"), *bass = find(p, "bass"),
			*kick = find(p, "kick");
	CHECK(voc && gtr && bass && kick);
	if (!voc || !gtr || !bass || !kick) {
		mixdown_automix_free(p);
		mixdown_multitrack_analysis_free(m0);
		return;
	}
	/* EQ: the cut is on the guitar (it ranks below the lead), near 3 kHz, 2-4 dB. */
	const char *cut = insert_with(gtr, "type: peak");
	CHECK_MSG(cut != NULL, "a masking cut on the guitar");
	for (size_t i = 0; i < gtr->n_inserts; i++)
		fprintf(stderr, "# guitar: %s\n#   %s\n", gtr->inserts[i].yaml, gtr->inserts[i].reason);
	double cut_hz = yaml_num(cut, "freq: "), cut_db = yaml_num(cut, "gain: ");
	CHECK_MSG(fabs(log2(cut_hz / 3000.0)) <= 0.5, "cut at %.0f Hz", cut_hz);
	CHECK_MSG(cut_db <= -2.0 && cut_db >= -4.0, "cut %.1f dB", cut_db);
	CHECK(insert_with(voc, "type: peak") == NULL); /* the lead is never cut for the guitar */
	/* High-pass on the vocal in its range; on the bass only below its 55 Hz fundamental. */
	double hp_voc = yaml_num(insert_with(voc, "highpass"), "freq: ");
	CHECK_MSG(hp_voc >= 80 && hp_voc <= 150, "vocal high-pass %.0f Hz", hp_voc);
	const char *hb = insert_with(bass, "highpass");
	CHECK_MSG(!hb || yaml_num(hb, "freq: ") < 55.0 / 1.2, "bass high-pass %.0f Hz", yaml_num(hb, "freq: "));
	const char *hk = insert_with(kick, "highpass");
	CHECK_MSG(!hk || yaml_num(hk, "freq: ") < 60.0 / 1.2, "kick high-pass %.0f Hz", yaml_num(hk, "freq: "));
	/* Dynamics: the peaky kick is compressed with FxNorm's drum settings, threshold under its staged peak. */
	const char *comp = insert_with(kick, "type: compressor");
	CHECK_MSG(comp != NULL, "compressor on the kick (crest %.1f dB)", kick->a->dynamics.crest_factor);
	CHECK(kick->a->dynamics.crest_factor > 12.0);
	CHECK_NEAR(yaml_num(comp, "attack: "), 10.0, 1e-9);
	CHECK_NEAR(yaml_num(comp, "release: "), 180.0, 1e-9);
	CHECK_NEAR(yaml_num(comp, "ratio: "), 6.0, 1e-9);
	double thr = yaml_num(comp, "threshold: ");
	CHECK_MSG(thr < kick->peak + kick->clip_gain - 2.0 && thr > kick->loudness + kick->clip_gain,
		  "threshold %.1f between loudness %.1f and peak %.1f", thr, kick->loudness + kick->clip_gain,
		  kick->peak + kick->clip_gain);
	const char *cv = insert_with(voc, "type: compressor");
	if (cv) /* vocals: 7.5/400 ms ratio 4 */
		CHECK(strstr(cv, "attack: 7.5, release: 400") && strstr(cv, "ratio: 4,"));
	CHECK(insert_with(kick, "type: gate") == NULL); /* no bleed in a synthetic kick */
	/* Space: reverb and delay returns, high-passed; sends on the vocal and guitar, none on kick and bass. */
	CHECK_INT(p->n_aux, 2);
	for (size_t i = 0; i < p->n_aux && i < 2; i++)
		CHECK_MSG(strstr(p->aux[i].inserts_yaml, "type: highpass") != NULL, "%s high-passed", p->aux[i].name);
	CHECK(p->n_aux >= 1 && !strcmp(p->aux[0].name, "Reverb") && strstr(p->aux[0].inserts_yaml, "type: reverb"));
	bool voc_verb = false, gtr_verb = false;
	for (size_t i = 0; i < voc->n_sends; i++)
		voc_verb |= !strcmp(voc->sends[i].to, "Reverb");
	for (size_t i = 0; i < gtr->n_sends; i++)
		gtr_verb |= !strcmp(gtr->sends[i].to, "Reverb");
	CHECK(voc_verb && gtr_verb);
	CHECK_INT(kick->n_sends, 0);
	CHECK_INT(bass->n_sends, 0);

	/* The written session: masking measured again is smaller; it renders and meets its target. */
	char ses[700];
	snprintf(ses, sizeof ses, "%s/auto.yaml", d);
	CHECK(mixdown_automix_write(p, ses, false, &err) == MIXDOWN_SUCCESS);
	mixdown_automix_free(p);
	mixdown_multitrack_analysis *m1 = NULL;
	CHECK(mixdown_analyze_session(ses, &o, &m1, &err) == MIXDOWN_SUCCESS);
	if (m1) {
		const mixdown_masking *mk1 = masking_of(m1, "lead vocal", "guitar");
		double after = mk1 ? mk1->amount : 0.0; /* not reported: under 3 dB */
		fprintf(stderr, "# automix: guitar masks the vocal by %.1f dB%s\n", after, mk1 ? "" : " (not reported)");
		CHECK_MSG(after < before - 3.0, "masking %.1f -> %.1f dB", before, after);
		mixdown_multitrack_analysis_free(m1);
	}
	mixdown_session *s = NULL;
	CHECK(mixdown_session_load(ses, &s, &err) == MIXDOWN_SUCCESS);
	if (s) {
		mixdown_render_options ro = mixdown_render_options_init();
		ro.output = mxt_path(d, "out.wav");
		mixdown_render_report rep;
		CHECK(mixdown_render(s, &ro, &rep, &err) == MIXDOWN_SUCCESS);
		CHECK(rep.mastered && rep.master_met);
		CHECK_NEAR(rep.integrated_lufs, -14.0, 0.15);
		mixdown_session_free(s);
	}
	mixdown_multitrack_analysis_free(m0);
}

/* A hip-hop lead vocal stays dry of reverb (delay instead); podcasts get no space. */
static void t_space_genres(void)
{
	char d[600];
	snprintf(d, sizeof d, "%s", mxt_tempdir());
	CHECK(build_masking_stems(d) == 0);
	mixdown_automix *p = plan_dir(d, "hiphop");
	CHECK(p != NULL);
	if (p) {
		const mxa_track *voc = find(p, "lead vocal");
		CHECK(voc && voc->n_sends == 1 && !strcmp(voc->sends[0].to, "Delay"));
		mixdown_automix_free(p);
	}
	p = plan_dir(d, "podcast");
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->n_aux, 0);
		for (size_t i = 0; i < p->n; i++)
			CHECK_INT(p->t[i].n_sends, 0);
		mixdown_automix_free(p);
	}
}

/* A spectrum whose octaves follow the stem's MUSDB18 target (each octave's
 * power split over its three one-third-octave bands), shifted by `offset`
 * and with `bump` dB added in octave `bump_oct`. */
static void tonal_spectrum(mixdown_analysis *a, mxd_stem stem, double offset, size_t bump_oct, double bump)
{
	a->spectrum.valid = true;
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		a->spectrum.level[k] = -INFINITY;
	for (size_t o = 0; o < MXD_STEM_OCTAVES; o++)
		for (size_t k = 3 * o + 1; k <= 3 * o + 3 && k < MIXDOWN_BANDS; k++)
			a->spectrum.level[k] = mxd_stem_octave_level(stem, o) + offset - 10.0 * log10(3.0) +
					       (o == bump_oct ? bump : 0.0);
}

static void t_tonal_target(void)
{
	mixdown_analysis *a = calloc(1, sizeof *a);
	mxa_track t = { .role = MXA_LEAD_VOCAL, .a = a };
	double hz = 0, g = 0;
	char why[MXA_REASON];
	/* On target (any level): nothing to do. */
	tonal_spectrum(a, MXD_STEM_VOCALS, -31.0, 99, 0.0);
	CHECK(!mxa_tonal_cut(&t, 100.0, &hz, &g, why, sizeof why));
	/* +10 dB in the 500 Hz octave: (10 - 3) / 2 = 3.5, clamped to a 3 dB cut there. */
	tonal_spectrum(a, MXD_STEM_VOCALS, -25.0, 4, 10.0);
	CHECK(mxa_tonal_cut(&t, 100.0, &hz, &g, why, sizeof why));
	CHECK_NEAR(hz, 500.0, 1e-9);
	CHECK_NEAR(g, -3.0, 1e-9);
	CHECK(strstr(why, "vocal") != NULL);
	/* +7 dB in the 2 kHz octave of a guitar: a 2.0 dB cut at 2 kHz. */
	t.role = MXA_EGUITAR;
	tonal_spectrum(a, MXD_STEM_OTHER, -40.0, 6, 7.0);
	CHECK(mxa_tonal_cut(&t, 100.0, &hz, &g, why, sizeof why));
	CHECK_NEAR(hz, 2000.0, 1e-9);
	CHECK_NEAR(g, -2.0, 1e-9);
	/* +5 dB stays below the 6 dB threshold. */
	tonal_spectrum(a, MXD_STEM_OTHER, -40.0, 6, 5.0);
	CHECK(!mxa_tonal_cut(&t, 100.0, &hz, &g, why, sizeof why));
	/* An octave below twice the high-pass corner is not judged. */
	tonal_spectrum(a, MXD_STEM_OTHER, -40.0, 4, 10.0);
	CHECK(!mxa_tonal_cut(&t, 300.0, &hz, &g, why, sizeof why));
	/* The loudness the cut takes: all of a spectrum in the cut's centre band
	 * loses the full 3 dB; a spread spectrum loses less, but some. */
	for (size_t k = 0; k < MIXDOWN_BANDS; k++)
		a->spectrum.level[k] = k == 14 ? -20.0 : -INFINITY; /* the 501 Hz band */
	CHECK_NEAR(mxa_peak_loudness_change(&t, 48000.0, 501.187, -3.0, 1.0), -3.0, 0.01);
	tonal_spectrum(a, MXD_STEM_OTHER, -40.0, 4, 10.0);
	double dl = mxa_peak_loudness_change(&t, 48000.0, 500.0, -3.0, 1.0);
	CHECK(dl < -0.5 && dl > -3.0);
	/* A kick has no tonal target of its own (the drum stem is a whole kit). */
	t.role = MXA_KICK;
	tonal_spectrum(a, MXD_STEM_DRUMS, -30.0, 4, 12.0);
	CHECK(!mxa_tonal_cut(&t, 30.0, &hz, &g, why, sizeof why));
	free(a);
}

/* A drum loop: a decaying 60 Hz kick on every beat and a 30 ms noise hat on
 * every eighth note, `secs` long at `bpm`, mono 44.1 kHz. */
static int write_loop(const char *path, double bpm, double secs)
{
	const int rate = 44100;
	int64_t n = (int64_t)(secs * rate);
	float *x = calloc((size_t)n, sizeof *x), *noise = malloc(sizeof(float) * (size_t)n);
	mxt_noise(noise, n, 0.2, 99u);
	double eighth = 30.0 / bpm;
	for (int k = 0; k * eighth < secs; k++) {
		int64_t at = (int64_t)llround(k * eighth * rate);
		for (int64_t i = 0; i < rate / 4 && at + i < n; i++) {
			double t = (double)i / rate;
			if (k % 2 == 0)
				x[at + i] += (float)(0.6 * exp(-t / 0.06) * sin(2 * M_PI * 60.0 * t));
			if (t < 0.03)
				x[at + i] += (float)(noise[at + i] * exp(-t / 0.01));
		}
	}
	int rc = mxt_write_audio(path, x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	free(noise);
	return rc;
}

static void t_tempo(void)
{
	const char *dir = mxt_tempdir();
	static const double tempi[] = { 96.0, 137.0, 174.0 };
	for (size_t i = 0; i < 3; i++) {
		const char *path = mxt_path(dir, "loop.wav");
		CHECK(write_loop(path, tempi[i], 20.0) == 0);
		double conf = 0;
		mixdown_error err = { 0 };
		double bpm = mxd_tempo_estimate(&path, 1, &conf, &err);
		fprintf(stderr, "# loop at %.1f bpm: estimated %.2f (confidence %.2f)\n", tempi[i], bpm, conf);
		CHECK_NEAR(bpm, tempi[i], 0.1);
		CHECK(conf > 0.5);
	}
	/* 8 s (the LMMS stems' length): 12.8 beats at 96 bpm, still enough */
	{
		const char *path = mxt_path(dir, "short.wav");
		CHECK(write_loop(path, 96.0, 8.0) == 0);
		double bpm = mxd_tempo_estimate(&path, 1, NULL, NULL);
		fprintf(stderr, "# 8 s loop at 96.0 bpm: estimated %.2f\n", bpm);
		CHECK_NEAR(bpm, 96.0, 0.2);
	}
	/* The demo song's rhythm section: 108 bpm. */
	if (demo()) {
		char paths[4][600];
		const char *pp[4];
		static const char *const rhythm[] = { "kick", "snare", "hats", "bass" };
		for (size_t k = 0; k < 4; k++) {
			snprintf(paths[k], sizeof paths[k], "%s/%s.wav", demo(), rhythm[k]);
			pp[k] = paths[k];
		}
		double bpm = mxd_tempo_estimate(pp, 4, NULL, NULL);
		fprintf(stderr, "# demo rhythm section: estimated %.2f bpm (108)\n", bpm);
		CHECK_NEAR(bpm, 108.0, 0.1);
		/* automix writes it as the session's tempo and times the delay to
		 * a dotted eighth: 45000 / 108 = 416.7 ms */
		mixdown_automix *p = plan_dir(demo(), "pop");
		CHECK(p != NULL);
		if (p) {
			CHECK_NEAR(p->tempo_bpm, 108.0, 1e-9);
			bool timed = false;
			for (size_t k = 0; k < p->n_aux; k++)
				timed |= strstr(p->aux[k].inserts_yaml, "type: delay, time: 416.7,") != NULL;
			CHECK(timed);
			mixdown_automix_free(p);
		}
	}
	/* Steady noise has no pulse; a missing file is an error. */
	const char *noise = mxt_path(dir, "noise.wav");
	int64_t n = 44100 * 10;
	float *x = malloc(sizeof(float) * (size_t)n);
	mxt_noise(x, n, 0.3, 5u);
	CHECK(mxt_write_audio(noise, x, n, 1, 44100, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	free(x);
	double conf = 1;
	CHECK(isnan(mxd_tempo_estimate(&noise, 1, &conf, NULL)));
	const char *missing = mxt_path(dir, "nope.wav");
	mixdown_error err = { 0 };
	CHECK(isnan(mxd_tempo_estimate(&missing, 1, NULL, &err)));
	CHECK_STR_CONTAINS(err.file, "nope.wav");
}

/* A melody (8 notes of 0.7 s, phrases of 4 with a 0.3 s breath holding a
 * short "s") sung: harmonics shaped by three formants (700, 1200, 2600 Hz),
 * 80 ms scoops between notes and a 5.5 Hz vibrato of +-50 cents after
 * 150 ms; or played (voice false): a bright tone, the pitch dead steady. */
static int write_melody(const char *path, bool voice, double secs)
{
	const int rate = 44100;
	static const double notes[] = { 220.0, 246.9, 261.6, 293.7, 329.6, 293.7, 261.6, 246.9 };
	int64_t n = (int64_t)(secs * rate);
	float *x = calloc((size_t)n, sizeof *x);
	double phase[16] = { 0 };
	uint32_t seed = 3;
	const double note_s = 0.7, gap_s = 0.3;
	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, cycle = 4 * note_s + gap_s, in = fmod(t, cycle);
		if (in >= 4 * note_s) { /* the breath: an "s" */
			double u = in - 4 * note_s;
			if (u > 0.1 && u < 0.22)
				x[i] = (float)(0.04 * ((double)(lcg(&seed) % 2001) / 1000.0 - 1.0));
			continue;
		}
		int k = (int)(in / note_s) + 4 * ((int)(t / cycle) % 2);
		double into = fmod(in, note_s), cents = 0.0;
		if (voice) {
			if (into < 0.08 && k % 4 != 0) /* scoop from the previous note */
				cents = 1200.0 * log2(notes[k - 1] / notes[k]) * (1.0 - into / 0.08);
			if (into > 0.15)
				cents += 50.0 * sin(2 * M_PI * 5.5 * (into - 0.15));
		}
		double f0 = notes[k] * pow(2.0, cents / 1200.0);
		double env = fmin(1.0, into / 0.03) * fmin(1.0, (note_s - into) / 0.03);
		double y = 0.0;
		for (int h = 1; h <= 15 && h * f0 < 0.45 * rate; h++) {
			double f = h * f0, g = 1.0 / h;
			if (voice) {
				g = 0.05;
				static const double fm[3] = { 700, 1200, 2600 }, bw[3] = { 100, 120, 150 };
				for (int j = 0; j < 3; j++)
					g += 1.0 / (1.0 + ((f - fm[j]) / bw[j]) * ((f - fm[j]) / bw[j]));
				g /= pow(h, 0.5);
			}
			phase[h] += 2 * M_PI * f / rate;
			y += g * sin(phase[h]);
		}
		x[i] = (float)(0.15 * env * y);
	}
	int rc = mxt_write_audio(path, x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	return rc;
}

/* Speech-like: syllables of 0.18 s whose pitch falls from 200 to 160 Hz
 * (formant-shaped), each after a 0.1 s noise consonant, 0.12 s pauses. */
static int write_speech(const char *path, double secs)
{
	const int rate = 44100;
	int64_t n = (int64_t)(secs * rate);
	float *x = calloc((size_t)n, sizeof *x);
	double phase[16] = { 0 };
	uint32_t seed = 9;
	for (int64_t i = 0; i < n; i++) {
		double in = fmod((double)i / rate, 0.4);
		if (in < 0.1) {
			x[i] = (float)(0.05 * ((double)(lcg(&seed) % 2001) / 1000.0 - 1.0));
			continue;
		}
		if (in >= 0.28)
			continue;
		double u = in - 0.1, f0 = 200.0 * pow(160.0 / 200.0, u / 0.18), y = 0.0;
		for (int h = 1; h <= 15; h++) {
			double f = h * f0, g = 0.05;
			static const double fm[3] = { 500, 1500, 2500 }, bw[3] = { 100, 120, 150 };
			for (int j = 0; j < 3; j++)
				g += 1.0 / (1.0 + ((f - fm[j]) / bw[j]) * ((f - fm[j]) / bw[j]));
			phase[h] += 2 * M_PI * f / rate;
			y += g / sqrt(h) * sin(phase[h]);
		}
		x[i] = (float)(0.15 * fmin(1.0, u / 0.02) * fmin(1.0, (0.18 - u) / 0.02) * y);
	}
	int rc = mxt_write_audio(path, x, n, 1, rate, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(x);
	return rc;
}

static void t_voice(void)
{
	const char *dir = mxt_tempdir();
	char sung[700], played[700];
	snprintf(sung, sizeof sung, "%s/track1.wav", dir);
	snprintf(played, sizeof played, "%s/track2.wav", dir);
	CHECK(write_melody(sung, true, 8.0) == 0);
	CHECK(write_melody(played, false, 8.0) == 0);
	mxd_voice_stats v, w;
	CHECK_INT(mxd_voice_measure(sung, &v, NULL), MIXDOWN_SUCCESS);
	CHECK_INT(mxd_voice_measure(played, &w, NULL), MIXDOWN_SUCCESS);
	fprintf(stderr, "# sung: %.0f%% pitched, %zu notes, wobble %.1f cents, notes %.2f s; played: %.0f%%, %zu notes, "
			"wobble %.1f cents, notes %.2f s\n",
		100 * v.voiced, v.notes, v.wobble_cents, v.note_s, 100 * w.voiced, w.notes, w.wobble_cents, w.note_s);
	/* +-50 cents of vibrato is a standard deviation of about 35 cents */
	CHECK(v.voiced > 0.8 && v.wobble_cents > 20.0);
	CHECK(w.voiced > 0.8 && w.wobble_cents < 2.0);
	CHECK(w.note_s > 0.5 && w.note_s < 0.75); /* the played notes, 0.7 s each */
	/* the demo's synth lead (a 0.45 % vibrato on held notes) is an instrument */
	if (demo()) {
		char lead[600];
		snprintf(lead, sizeof lead, "%s/lead.wav", demo());
		mxd_voice_stats d;
		CHECK_INT(mxd_voice_measure(lead, &d, NULL), MIXDOWN_SUCCESS);
		fprintf(stderr, "# demo lead: %.0f%% pitched, wobble %.1f cents\n", 100 * d.voiced, d.wobble_cents);
		CHECK(!(d.wobble_cents >= 15.0));
	}
	/* automix, names saying nothing: the sung line is the lead vocal */
	mixdown_automix *p = plan_dir(dir, NULL);
	CHECK(p != NULL);
	if (p) {
		const mxa_track *a = find(p, "track1"), *b = find(p, "track2");
		CHECK(a && a->role == MXA_LEAD_VOCAL);
		CHECK(b && b->role != MXA_LEAD_VOCAL && b->role != MXA_DIALOGUE);
		if (a)
			fprintf(stderr, "# track1: %s\n", a->reason[MXA_D_ROLE]);
		mixdown_automix_free(p);
	}
	/* speech: pitched syllables with a moving pitch between consonants */
	const char *sdir = mxt_tempdir();
	char speech[700];
	snprintf(speech, sizeof speech, "%s/take.wav", sdir);
	CHECK(write_speech(speech, 8.0) == 0);
	mxd_voice_stats sp;
	CHECK_INT(mxd_voice_measure(speech, &sp, NULL), MIXDOWN_SUCCESS);
	fprintf(stderr, "# speech: %.0f%% pitched, %zu notes, wobble %.1f cents\n", 100 * sp.voiced, sp.notes,
		sp.wobble_cents);
	CHECK(sp.voiced > 0.4 && sp.voiced < 0.7 && sp.wobble_cents > 15.0);
	p = plan_dir(sdir, NULL);
	CHECK(p && p->n == 1 && p->t[0].role == MXA_DIALOGUE);
	mixdown_automix_free(p);
	mixdown_error err = { 0 };
	CHECK(mxd_voice_measure(mxt_path(dir, "missing.wav"), &v, &err) == MIXDOWN_ERR_AUDIO);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_names_lmms), MXT(t_roles_lmms_audio), MXT(t_names_abbrev), MXT(t_demo_roles), MXT(t_planted), MXT(t_balance_render), MXT(t_cli),
		MXT(t_eq_dynamics_space), MXT(t_space_genres), MXT(t_tonal_target),
		MXT(t_tempo), MXT(t_voice),
	};
	return MXT_RUN(cases);
}
