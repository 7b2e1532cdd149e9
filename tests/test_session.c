/* mixdown — tests for the session parser (src/session).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Positive cases parse complete sessions and check every model value; error
 * cases assert the status, line, column, key path and exact message of the
 * first problem; the robustness cases feed random bytes, every truncation of
 * a valid session, random mutations and deeply nested or alias-bomb documents
 * (run them under ASan/UBSan to catch memory errors).
 */
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx/processor.h"
#include "harness.h"
#include "session/model.h"
#include "session/suggest.h"
#include "session/timeline.h"
#include "util.h"

/* -------------------------------------------------------------------- fixture */

static char dir[512];

/* a.wav: 48 kHz stereo, 2 s. b.wav: 44.1 kHz mono, 1 s. x.wav: text. */
static const char *audio_dir(void)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "%s", mxt_tempdir());
		float *buf = calloc(48000 * 2 * 2, sizeof *buf);
		mxt_sine(buf, 96000, 2, 48000, 440, 0.25, 0);
		if (mxt_write_audio(mxt_path(dir, "a.wav"), buf, 96000, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16) ||
		    mxt_write_audio(mxt_path(dir, "b.wav"), buf, 44100, 1, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16) ||
		    mxt_write_text(mxt_path(dir, "x.wav"), "this is not a sound file\n"))
			abort();
		free(buf);
	}
	return dir;
}

static mixdown_status parse(const char *text, mxd_session **s, mixdown_error *e)
{
	memset(e, 0, sizeof *e);
	return mxd_session_parse(text, strlen(text), "test.yaml", audio_dir(), s, e);
}

/* Parse `text`, which must succeed; NULL (after reporting) otherwise. */
static mxd_session *parse_ok_at(int line, const char *text)
{
	mxd_session *s = NULL;
	mixdown_error e;
	mixdown_status st = parse(text, &s, &e);
	if (st != MIXDOWN_SUCCESS || !s) {
		char buf[1600];
		mixdown_error_format(&e, buf, sizeof buf);
		mxt_fail(__FILE__, line, "parse failed (%d): %s", (int)st, buf);
		mxd_session_free(s);
		return NULL;
	}
	return s;
}
#define PARSE_OK(text) parse_ok_at(__LINE__, text)

static void expect_error_at(int line, const char *text, mixdown_status want, uint32_t l, uint32_t col,
			    const char *key, const char *msg)
{
	mxd_session *s = (mxd_session *)1;
	mixdown_error e;
	mixdown_status st = parse(text, &s, &e);
	if (s)
		mxt_fail(__FILE__, line, "*out not NULL on failure");
	if (st != want)
		mxt_fail(__FILE__, line, "status %d, expected %d (message: %s)", (int)st, (int)want, e.message);
	if (strcmp(e.file, "test.yaml") != 0)
		mxt_fail(__FILE__, line, "file \"%s\", expected \"test.yaml\"", e.file);
	if (e.line != l || e.column != col)
		mxt_fail(__FILE__, line, "at %u:%u, expected %u:%u (%s)", e.line, e.column, l, col, e.message);
	if (strcmp(e.key, key) != 0)
		mxt_fail(__FILE__, line, "key \"%s\", expected \"%s\"", e.key, key);
	if (strcmp(e.message, msg) != 0)
		mxt_fail(__FILE__, line, "message\n#     got:      %s\n#     expected: %s", e.message, msg);
}
#define EXPECT_ERR(text, st, l, c, key, msg) expect_error_at(__LINE__, text, st, l, c, key, msg)
#define SESSION_ERR(text, l, c, key, msg) EXPECT_ERR(text, MIXDOWN_ERR_SESSION, l, c, key, msg)

/* --------------------------------------------------------------- full session */

static const char full_text[] =
	"mixdown: 1\n"
	"sample_rate: 48000\n"
	"channels: 2\n"
	"tempo: 120\n"
	"time_signature: 4/4\n"
	"range: { start: 1.5, end: \"3:1\" }\n"
	"tail: 2.5\n"
	"tracks:\n"
	"  - name: Kick\n"                          /* 9 */
	"    color: \"#D04040\"\n"
	"    group: Drums\n"
	"    gain: -5.5\n"
	"    pan: -0.25\n"
	"    pan_law: -4.5\n"
	"    width: 0.5\n"
	"    invert: true\n"
	"    mute: false\n"
	"    solo: yes\n"
	"    output: Drums\n"
	"    clips:\n"
	"      - file: a.wav\n"
	"        at: 0.5\n"
	"        offset: 0.25\n"
	"        length: 1.5\n"
	"        gain: -3\n"
	"        fade_in: 0.1\n"
	"        fade_out: 0.2\n"
	"        fade_curve: scurve\n"
	"        fade_out_curve: equal_power\n"
	"      - { file: b.wav, at: \"2:1\", fade_in_curve: exp }\n"
	"    inserts:\n"
	"      - type: eq\n"
	"        id: tone\n"
	"        bands:\n"
	"          - { type: highpass, freq: 30, slope: 24 }\n"
	"          - { type: peak, freq: 330, gain: -3, q: 1.4 }\n"
	"      - { type: gain, gain: -inf, bypass: true }\n"
	"    sends:\n"
	"      - { to: Echo, level: -12 }\n"
	"      - { to: Verb, level: \"-inf\", pre: true }\n"
	"  - name: Bass\n"
	"    file: b.wav\n"
	"    gain: \"-inf\"\n"
	"    output: master\n"
	"buses:\n"
	"  - name: Drums\n"
	"    gain: -1\n"
	"    inserts: [ { type: polarity, invert: true } ]\n"
	"  - name: Echo\n"
	"    inserts:\n"
	"      - { type: delay, time: 416.7, samples: 12, latency_report: true }\n"
	"  - name: Verb\n"
	"    solo_safe: false\n"
	"master:\n"
	"  gain: -0.5\n"
	"  width: 1.25\n"
	"  inserts: [ { type: gain, gain: 1.5 } ]\n"
	"export: { file: out/mix.flac, format: flac, bits: 32f, sample_rate: 96000 }\n";

static double slot(const mxd_insert *ins, const char *path)
{
	long k = mxd_fx_param_path(ins->cls, path, NULL);
	if (k < 0) {
		mxt_fail(__FILE__, __LINE__, "no parameter %s in %s", path, ins->cls->name);
		return -12345;
	}
	return ins->values[k];
}

static void t_full_session(void)
{
	mxd_session *s = PARSE_OK(full_text);
	if (!s)
		return;
	CHECK_STR_CONTAINS(s->path, "test.yaml");
	CHECK(strcmp(s->dir, audio_dir()) == 0);
	CHECK_INT(s->version, 1);
	CHECK_NEAR(s->sample_rate, 48000, 0);
	CHECK_INT(s->channels, 2);
	CHECK_INT(s->n_tempo, 1);
	CHECK_NEAR(s->tempo[0].bpm, 120, 0);
	CHECK_INT(s->tempo[0].beats_per_bar, 4);
	CHECK_INT(s->tempo[0].beat_unit, 4);
	CHECK_NEAR(s->range_start, 1.5, 0);
	CHECK_NEAR(s->range_end, 4.0, 1e-12);
	CHECK_NEAR(s->tail, 2.5, 0);
	CHECK_INT(s->n_tracks, 2);
	CHECK_INT(s->n_buses, 3);

	const mxd_strip *k = &s->tracks[0];
	CHECK_INT(k->kind, MXD_STRIP_TRACK);
	CHECK(strcmp(k->name, "Kick") == 0);
	CHECK(k->color && strcmp(k->color, "#D04040") == 0);
	CHECK(k->group && strcmp(k->group, "Drums") == 0);
	CHECK_NEAR(k->gain_db, -5.5, 0);
	CHECK_NEAR(k->pan, -0.25, 0);
	CHECK_NEAR(k->pan_law_db, -4.5, 0);
	CHECK_NEAR(k->width, 0.5, 0);
	CHECK(k->invert && !k->mute && k->solo);
	CHECK(k->output && strcmp(k->output, "Drums") == 0);
	CHECK_INT(k->output_loc.line, 19);
	CHECK_INT(k->output_loc.column, 13);
	CHECK_INT(k->loc.line, 9);
	CHECK_INT(k->loc.column, 5);

	CHECK_INT(k->n_clips, 2);
	const mxd_clip *c = &k->clips[0];
	CHECK(strcmp(c->file_written, "a.wav") == 0);
	CHECK(strcmp(c->file, mxt_path(audio_dir(), "a.wav")) == 0);
	CHECK_NEAR(c->at, 0.5, 0);
	CHECK_NEAR(c->offset, 0.25, 0);
	CHECK_NEAR(c->length, 1.5, 0);
	CHECK_NEAR(c->gain_db, -3, 0);
	CHECK_NEAR(c->fade_in, 0.1, 0);
	CHECK_NEAR(c->fade_out, 0.2, 0);
	CHECK_INT(c->fade_in_curve, MXD_FADE_SCURVE);
	CHECK_INT(c->fade_out_curve, MXD_FADE_EQUAL_POWER);
	CHECK_NEAR(c->file_rate, 48000, 0);
	CHECK_INT(c->file_channels, 2);
	CHECK_INT(c->file_frames, 96000);
	CHECK_INT(c->loc.line, 21);
	CHECK_INT(c->loc.column, 9);
	c = &k->clips[1];
	CHECK(strcmp(c->file_written, "b.wav") == 0);
	CHECK_NEAR(c->at, 2.0, 1e-12); /* bar 2 at 120 bpm 4/4 */
	CHECK_NEAR(c->offset, 0, 0);
	CHECK(c->length < 0);
	CHECK_NEAR(c->gain_db, 0, 0);
	CHECK_INT(c->fade_in_curve, MXD_FADE_EXP);
	CHECK_INT(c->fade_out_curve, MXD_FADE_LINEAR);
	CHECK_NEAR(c->file_rate, 44100, 0);
	CHECK_INT(c->file_channels, 1);
	CHECK_INT(c->file_frames, 44100);

	CHECK_INT(k->n_inserts, 2);
	const mxd_insert *eq = &k->inserts[0];
	CHECK(eq->cls && strcmp(eq->cls->name, "eq") == 0);
	CHECK(eq->id && strcmp(eq->id, "tone") == 0);
	CHECK(!eq->bypass);
	CHECK_INT(eq->loc.line, 32);
	CHECK_NEAR(slot(eq, "bands.1.type"), 1, 0); /* highpass */
	CHECK_NEAR(slot(eq, "bands.1.freq"), 30, 0);
	CHECK_NEAR(slot(eq, "bands.1.slope"), 24, 0);
	CHECK_NEAR(slot(eq, "bands.1.q"), 0.707, 1e-12); /* default */
	CHECK_NEAR(slot(eq, "bands.2.type"), 5, 0);      /* peak */
	CHECK_NEAR(slot(eq, "bands.2.freq"), 330, 0);
	CHECK_NEAR(slot(eq, "bands.2.gain"), -3, 0);
	CHECK_NEAR(slot(eq, "bands.2.q"), 1.4, 0);
	CHECK_NEAR(slot(eq, "bands.3.type"), 0, 0); /* unused bands stay off */
	CHECK_NEAR(slot(eq, "bands.16.freq"), 1000, 0);
	const mxd_insert *g = &k->inserts[1];
	CHECK(strcmp(g->cls->name, "gain") == 0 && g->bypass && !g->id);
	CHECK_NEAR(slot(g, "gain"), -144, 0);

	CHECK_INT(k->n_sends, 2);
	CHECK(strcmp(k->sends[0].to, "Echo") == 0);
	CHECK_NEAR(k->sends[0].level_db, -12, 0);
	CHECK(!k->sends[0].pre_fader);
	CHECK_INT(k->sends[0].loc.line, 39);
	CHECK_INT(k->sends[0].loc.column, 15);
	CHECK(strcmp(k->sends[1].to, "Verb") == 0);
	CHECK_NEAR(k->sends[1].level_db, -144, 0);
	CHECK(k->sends[1].pre_fader);

	const mxd_strip *b = &s->tracks[1];
	CHECK(strcmp(b->name, "Bass") == 0);
	CHECK_INT(b->n_clips, 1);
	CHECK(strcmp(b->clips[0].file_written, "b.wav") == 0);
	CHECK_NEAR(b->clips[0].at, 0, 0);
	CHECK(b->clips[0].length < 0);
	CHECK_NEAR(b->gain_db, -144, 0);
	CHECK(b->output == NULL); /* "master" */
	CHECK_NEAR(b->pan, 0, 0);
	CHECK_NEAR(b->pan_law_db, -3, 0);
	CHECK_NEAR(b->width, 1, 0);
	CHECK(!b->color && !b->group && !b->invert && !b->solo && !b->mute);

	const mxd_strip *d = &s->buses[0], *echo = &s->buses[1], *verb = &s->buses[2];
	CHECK_INT(d->kind, MXD_STRIP_BUS);
	CHECK(strcmp(d->name, "Drums") == 0);
	CHECK_NEAR(d->gain_db, -1, 0);
	CHECK(!d->solo_safe); /* a group bus: fed through `output` */
	CHECK_INT(d->n_inserts, 1);
	CHECK_NEAR(slot(&d->inserts[0], "invert"), 1, 0);
	CHECK(echo->solo_safe); /* an effect return: only sends */
	CHECK_NEAR(slot(&echo->inserts[0], "time"), 416.7, 1e-12);
	CHECK_NEAR(slot(&echo->inserts[0], "samples"), 12, 0);
	CHECK_NEAR(slot(&echo->inserts[0], "latency_report"), 1, 0);
	CHECK(!verb->solo_safe); /* explicitly off */

	CHECK_INT(s->master.kind, MXD_STRIP_MASTER);
	CHECK(strcmp(s->master.name, "master") == 0);
	CHECK_NEAR(s->master.gain_db, -0.5, 0);
	CHECK_NEAR(s->master.width, 1.25, 0);
	CHECK_INT(s->master.n_inserts, 1);
	CHECK_NEAR(slot(&s->master.inserts[0], "gain"), 1.5, 0);

	CHECK(s->export_file && strcmp(s->export_file, "out/mix.flac") == 0);
	CHECK_INT(s->export_format, MXD_FORMAT_FLAC);
	CHECK_INT(s->export_bits, 32);
	CHECK_NEAR(s->export_rate, 96000, 0);
	mxd_session_free(s);
}

/* Minimal session: every default. */
static void t_defaults(void)
{
	mxd_session *s = PARSE_OK("tracks:\n  - name: A\n    file: b.wav\n");
	if (!s)
		return;
	CHECK_NEAR(s->sample_rate, 44100, 0); /* from the first clip */
	CHECK_INT(s->channels, 2);
	CHECK_INT(s->n_tempo, 0);
	CHECK(s->tempo == NULL);
	CHECK_NEAR(s->range_start, 0, 0);
	CHECK(s->range_end < 0);
	CHECK_NEAR(s->tail, 0, 0);
	CHECK_INT(s->n_buses, 0);
	CHECK_NEAR(s->master.gain_db, 0, 0);
	CHECK_NEAR(s->master.width, 1, 0);
	CHECK(s->export_file == NULL);
	CHECK_INT(s->export_format, MXD_FORMAT_AUTO);
	CHECK_INT(s->export_bits, 0);
	CHECK_NEAR(s->export_rate, 0, 0);
	const mxd_clip *c = &s->tracks[0].clips[0];
	CHECK_NEAR(c->gain_db, 0, 0);
	CHECK_NEAR(c->fade_in, 0, 0);
	CHECK_INT(c->fade_in_curve, MXD_FADE_LINEAR);
	CHECK_INT(c->loc.line, 3);
	CHECK_INT(c->loc.column, 11);
	mxd_session_free(s);

	/* First clip = the first track's first clip, even if a later one differs. */
	s = PARSE_OK("tracks:\n  - { name: E }\n  - { name: A, clips: [ { file: a.wav }, { file: b.wav } ] }\n"
		     "  - { name: B, file: b.wav }\n");
	if (s) {
		CHECK_NEAR(s->sample_rate, 48000, 0);
		CHECK_INT(s->tracks[0].n_clips, 0);
	}
	mxd_session_free(s);
	s = PARSE_OK("channels: 1\ntracks: []\n");
	if (s) {
		CHECK_NEAR(s->sample_rate, 48000, 0); /* no clips */
		CHECK_INT(s->channels, 1);
		CHECK_INT(s->n_tracks, 0);
	}
	mxd_session_free(s);
	s = PARSE_OK("sample_rate: 96000\ntracks:\n  - { name: A, file: b.wav }\nexport: { bits: 32 }\n");
	if (s) {
		CHECK_NEAR(s->sample_rate, 96000, 0); /* given: not the clip's */
		CHECK_INT(s->export_bits, 32);
	}
	mxd_session_free(s);
	/* A file path given absolute is kept. */
	char text[1200];
	snprintf(text, sizeof text, "tracks: [ { name: A, file: \"%s\" } ]\n", mxt_path(audio_dir(), "a.wav"));
	s = PARSE_OK(text);
	if (s)
		CHECK(strcmp(s->tracks[0].clips[0].file, mxt_path(audio_dir(), "a.wav")) == 0);
	mxd_session_free(s);
}

/* ---------------------------------------------------------------- bar:beat */

static double clip_at(const char *tempo, const char *at)
{
	char text[600];
	snprintf(text, sizeof text, "%s\ntracks: [ { name: A, clips: [ { file: a.wav, at: \"%s\" } ] } ]\n", tempo, at);
	mxd_session *s = NULL;
	mixdown_error e;
	if (parse(text, &s, &e) != MIXDOWN_SUCCESS) {
		mxt_fail(__FILE__, __LINE__, "%s / %s: %s", tempo, at, e.message);
		return -1;
	}
	double v = s->tracks[0].clips[0].at;
	mxd_session_free(s);
	return v;
}

static void t_bar_beat(void)
{
	CHECK_NEAR(clip_at("tempo: 120", "3:1"), 4.0, 1e-12);
	CHECK_NEAR(clip_at("tempo: 120", "2:3"), 3.0, 1e-12);
	CHECK_NEAR(clip_at("tempo: 120", "1:1:480"), 0.25, 1e-12);
	CHECK_NEAR(clip_at("tempo: 120", "1:1"), 0.0, 0);
	CHECK_NEAR(clip_at("tempo: 120", "1:2.5"), 0.75, 1e-12);
	CHECK_NEAR(clip_at("tempo: 120", "1:4:959"), 1.5 + 959 / 960.0 * 0.5, 1e-12);
	CHECK_NEAR(clip_at("tempo: 90\ntime_signature: 3/4", "2:1"), 2.0, 1e-12);
	/* 6/8 at 120 eighths per minute: a bar is 6 x 0.5 s. */
	CHECK_NEAR(clip_at("tempo: 120\ntime_signature: 6/8", "2:4"), 4.5, 1e-12);
	/* Plain seconds still work with a tempo. */
	CHECK_NEAR(clip_at("tempo: 120", "1.25"), 1.25, 0);
}

static void t_tempo_map(void)
{
	/* 120 bpm 4/4 for bars 1-2 (4 s), then 60 bpm 3/4 from bar 3. */
	const char *map = "tempo:\n  - { bar: 1, bpm: 120 }\n  - { bar: 3, bpm: 60, meter: \"3/4\" }\n"
			  "  - { bar: 5, meter: 7/8 }\n  - { bar: 6, bpm: 240 }";
	CHECK_NEAR(clip_at(map, "2:4"), 3.5, 1e-12);
	CHECK_NEAR(clip_at(map, "3:1"), 4.0, 1e-12);
	CHECK_NEAR(clip_at(map, "3:2"), 5.0, 1e-12);
	CHECK_NEAR(clip_at(map, "4:1"), 7.0, 1e-12);
	CHECK_NEAR(clip_at(map, "4:3:480"), 9.5, 1e-12);
	/* bar 5: meter 7/8 at the inherited 60 bpm (eighths): 7 s long. */
	CHECK_NEAR(clip_at(map, "5:1"), 10.0, 1e-12);
	CHECK_NEAR(clip_at(map, "5:7"), 16.0, 1e-12);
	/* bar 6: 240 bpm, 7/8 inherited. */
	CHECK_NEAR(clip_at(map, "6:1"), 17.0, 1e-12);
	CHECK_NEAR(clip_at(map, "7:1"), 17.0 + 7 * 0.25, 1e-12);
	/* The first section's meter comes from time_signature when not given. */
	CHECK_NEAR(clip_at("time_signature: 3/4\ntempo: [ { bar: 1, bpm: 60 } ]", "2:1"), 3.0, 1e-12);

	mxd_session *s = PARSE_OK("tempo:\n  - { bar: 1, bpm: 120 }\n  - { bar: 3, bpm: 60, meter: \"3/4\" }\n");
	if (s) {
		CHECK_INT(s->n_tempo, 2);
		CHECK_NEAR(s->tempo[1].bar_start, 3, 0);
		CHECK_NEAR(s->tempo[1].seconds, 4.0, 1e-12);
		CHECK_INT(s->tempo[1].beats_per_bar, 3);
		CHECK_NEAR(mxd_timeline_seconds(s->tempo, s->n_tempo, 4, 1), 7.0, 1e-12);
	}
	mxd_session_free(s);
}

/* Keys in any order: tempo after the tracks that use it, buses before tracks. */
static void t_key_order(void)
{
	mxd_session *a = PARSE_OK("tracks:\n  - { clips: [ { at: \"2:1\", file: a.wav } ], output: G, name: T }\n"
				  "buses: [ { name: G } ]\ntime_signature: 3/4\ntempo: 60\nmixdown: 1\n");
	mxd_session *b = PARSE_OK("mixdown: 1\ntempo: 60\ntime_signature: 3/4\nbuses: [ { name: G } ]\n"
				  "tracks:\n  - { name: T, output: G, clips: [ { file: a.wav, at: \"2:1\" } ] }\n");
	if (a && b) {
		CHECK_NEAR(a->tracks[0].clips[0].at, 3.0, 1e-12);
		CHECK_NEAR(b->tracks[0].clips[0].at, 3.0, 1e-12);
		CHECK(strcmp(a->tracks[0].output, "G") == 0);
		CHECK(strcmp(b->tracks[0].output, "G") == 0);
	}
	mxd_session_free(a);
	mxd_session_free(b);
}

static void t_suggest(void)
{
	static const char *const keys[] = { "name", "gain", "length", "fade_in", "pan_law" };
	CHECK_INT(mxd_edit_distance("gian", "gain"), 1);
	CHECK_INT(mxd_edit_distance("kitten", "sitting"), 3);
	CHECK_INT(mxd_edit_distance("", "abc"), 3);
	CHECK_INT(mxd_edit_distance("GAIN", "gain"), 0);
	CHECK(strcmp(mxd_suggest("gian", keys, 5), "gain") == 0);
	CHECK(strcmp(mxd_suggest("lenght", keys, 5), "length") == 0);
	CHECK(strcmp(mxd_suggest("fadein", keys, 5), "fade_in") == 0);
	CHECK(strcmp(mxd_suggest("panlaw", keys, 5), "pan_law") == 0);
	CHECK(mxd_suggest("volume", keys, 5) == NULL);
	CHECK(mxd_suggest("x", keys, 5) == NULL);
}

/* ------------------------------------------------------------------- errors */

static void t_err_syntax(void)
{
	SESSION_ERR("tracks: [ { name: A }\nbuses: []\n", 2, 1, "",
		    "YAML syntax error: did not find expected ',' or ']' "
		    "(while parsing a flow sequence at line 1, column 9)");
	SESSION_ERR("tracks:\n  - name: \"A\n", 3, 1, "",
		    "YAML syntax error: found unexpected end of stream "
		    "(while scanning a quoted scalar at line 2, column 11)");
	SESSION_ERR("tracks:\n  - name: A\n   gain: 3\n", 3, 4, "",
		    "YAML syntax error: did not find expected '-' indicator "
		    "(while parsing a block collection at line 2, column 3)");
	SESSION_ERR("gain: 1\n\tpan: 0\n", 2, 1, "",
		    "YAML syntax error: found a tab character that violates indentation "
		    "(while scanning a plain scalar at line 1, column 7)");
	SESSION_ERR("a: 1\n---\nb: 2\n", 2, 1, "", "a session file holds one YAML document, found a second one");
	SESSION_ERR("tracks: *nothing\n", 1, 9, "", "alias *nothing does not name an earlier, complete anchor");
	static const char bad_utf8[] = "tracks: []\nname: \xff\n";
	SESSION_ERR(bad_utf8, 2, 7, "", "YAML syntax error: invalid leading UTF-8 octet (#FF)");
}

static void t_err_document(void)
{
	SESSION_ERR("", 1, 1, "", "the session is empty (expected a mapping with `tracks:` and other settings)");
	SESSION_ERR("# only a comment\n", 1, 1, "",
		    "the session is empty (expected a mapping with `tracks:` and other settings)");
	SESSION_ERR("- a\n- b\n", 1, 1, "", "expected a mapping of session settings at the top level, got a list");
	SESSION_ERR("mixdown: 2\ntracks: []\n", 1, 10, "mixdown",
		    "unsupported format version 2 (this mixdown reads version 1)");
	SESSION_ERR("mixdown: one\n", 1, 10, "mixdown", "expected the format version 1, got \"one\"");
	SESSION_ERR("tracks: []\nvolume: 3\n", 2, 1, "volume",
		    "unknown key \"volume\" (valid keys: mixdown, sample_rate, channels, layout, tempo, time_signature, "
		    "range, tail, timeline_origin, tracks, buses, master, export, hrtf)");
	SESSION_ERR("tracks: []\ntrack: []\n", 2, 1, "track", "unknown key \"track\" (did you mean \"tracks\"?)");
	SESSION_ERR("tracks: []\ntracks: []\n", 2, 1, "tracks",
		    "duplicate key \"tracks\" (first given at line 1, column 1)");
	SESSION_ERR("tracks: { name: A }\n", 1, 9, "tracks", "expected a list, got a mapping");
}

static void t_err_keys(void)
{
	SESSION_ERR("tracks:\n  - name: A\n    gian: 3\n", 3, 5, "tracks[0].gian",
		    "unknown key \"gian\" (did you mean \"gain\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    clips:\n      - file: a.wav\n        lenght: 1\n", 5, 9,
		    "tracks[0].clips[0].lenght", "unknown key \"lenght\" (did you mean \"length\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    gain: 1\n    gain: 2\n", 4, 5, "tracks[0].gain",
		    "duplicate key \"gain\" (first given at line 3, column 5)");
	SESSION_ERR("tracks:\n  - gain: 1\n", 2, 5, "tracks[0]", "missing required key \"name\"");
	SESSION_ERR("tracks:\n  - A\n", 2, 5, "tracks[0]", "expected a mapping (a track with `name:`), got \"A\"");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { at: 1 } ]\n", 3, 14, "tracks[0].clips[0]",
		    "missing required key \"file\"");
	SESSION_ERR("master: { gain: 0, pan: 0.5 }\n", 1, 20, "master.pan",
		    "unknown key \"pan\" (valid keys: gain, inserts, width, invert, automation, target)");
	SESSION_ERR("buses:\n  - name: B\n    file: a.wav\n", 3, 5, "buses[0].file",
		    "unknown key \"file\" (valid keys: name, color, group, gain, mute, solo, solo_safe, invert, pan, "
		    "pan_law, width, output, inserts, sends, automation, lfe, surround)");
	SESSION_ERR("tracks:\n  - name: A\n    file: a.wav\n    clips: []\n", 3, 5, "tracks[0].file",
		    "a track has either `file:` or `clips:`, not both");
}

static void t_err_types(void)
{
	SESSION_ERR("tracks:\n  - name: A\n    gain: loud\n", 3, 11, "tracks[0].gain",
		    "expected a number in dB, got \"loud\"");
	SESSION_ERR("tracks:\n  - name: A\n    gain: [1]\n", 3, 11, "tracks[0].gain",
		    "expected a number in dB, got a list");
	SESSION_ERR("tracks:\n  - name: A\n    gain:\n", 3, 10, "tracks[0].gain",
		    "expected a number in dB, got an empty value");
	SESSION_ERR("tracks:\n  - name: A\n    mute: 1\n", 3, 11, "tracks[0].mute", "expected true or false, got \"1\"");
	SESSION_ERR("tracks:\n  - name: [A]\n", 2, 11, "tracks[0].name", "expected a string, got a list");
	SESSION_ERR("sample_rate: 44.1k\n", 1, 14, "sample_rate", "expected a whole number in Hz, got \"44.1k\"");
	SESSION_ERR("channels: 2.5\n", 1, 11, "channels", "expected a whole number, got 2.5");
	SESSION_ERR("tail: 0x10\n", 1, 7, "tail", "expected a number in seconds, got \"0x10\"");
	SESSION_ERR("tracks:\n  - name: A\n    color: #d04040\n", 3, 11, "tracks[0].color",
		    "expected a color \"#rrggbb\", got an empty value (quote it: a bare # starts a comment)");
	SESSION_ERR("tracks:\n  - name: A\n    color: red\n", 3, 12, "tracks[0].color",
		    "expected a color \"#rrggbb\", got \"red\"");
	SESSION_ERR("tracks:\n  - name: A\n    pan_law: -5\n", 3, 14, "tracks[0].pan_law",
		    "expected 0, -3, -4.5 or -6 (dB), got \"-5\"");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, fade_curve: lin } ]\n", 3, 41,
		    "tracks[0].clips[0].fade_curve",
		    "expected linear, equal_power, exp, log or scurve, got \"lin\"");
	SESSION_ERR("export: { format: wma }\n", 1, 19, "export.format",
		    "expected wav, flac, aiff, rf64, ogg, opus or mp3, got \"wma\"");
	SESSION_ERR("export: { bits: 8 }\n", 1, 17, "export.bits", "expected 16, 24 or 32f, got \"8\"");
	SESSION_ERR("time_signature: 4/5\n", 1, 17, "time_signature",
		    "the beat unit of 4/5 must be 1, 2, 4, 8, 16 or 32, got 5");
	SESSION_ERR("time_signature: four\n", 1, 17, "time_signature",
		    "expected a meter such as \"4/4\" or \"6/8\", got \"four\"");
	SESSION_ERR("tempo: { bpm: 120 }\n", 1, 8, "tempo",
		    "expected a number in bpm or a list of {bar, bpm, meter} sections, got a mapping");
	SESSION_ERR("range: [0, 1]\n", 1, 8, "range", "expected a mapping ({start, end}), got a list");
	SESSION_ERR("tracks:\n  - name: \"\"\n", 2, 11, "tracks[0].name", "expected a name, got an empty string");
	SESSION_ERR("tracks:\n  - name: A\n    file: ''\n", 3, 11, "tracks[0].file",
		    "expected a file path, got an empty string");
	SESSION_ERR("tracks: [ ~ ]\n", 1, 11, "tracks[0]", "expected a mapping (a track with `name:`), got null");
}

static void t_err_ranges(void)
{
	SESSION_ERR("tracks:\n  - name: A\n    clips:\n      - file: a.wav\n        gain: 30\n", 5, 15,
		    "tracks[0].clips[0].gain", "value 30 is out of range [-144, 24] dB");
	SESSION_ERR("tracks:\n  - name: A\n    pan: -1.5\n", 3, 10, "tracks[0].pan", "value -1.5 is out of range [-1, 1]");
	SESSION_ERR("sample_rate: 4000\n", 1, 14, "sample_rate", "value 4000 is out of range [8000, 384000] Hz");
	SESSION_ERR("channels: 17\n", 1, 11, "channels", "value 17 is out of range [1, 16]");
	SESSION_ERR("tempo: 1000\n", 1, 8, "tempo", "value 1000 is out of range [10, 999] bpm");
	SESSION_ERR("tail: -1\n", 1, 7, "tail", "value -1 is out of range (at least 0 s)");
	SESSION_ERR("tracks:\n  - name: A\n    sends: [ { to: B, level: 25 } ]\nbuses: [ { name: B } ]\n", 3, 30,
		    "tracks[0].sends[0].level", "value 25 is out of range [-144, 24] dB");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, at: -2 } ]\n", 3, 33, "tracks[0].clips[0].at",
		    "value -2 is out of range (at least 0 s)");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, offset: 2 } ]\n", 3, 37,
		    "tracks[0].clips[0].offset", "offset 2 s is not inside 'a.wav' (2 s long)");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, length: 0 } ]\n", 3, 37,
		    "tracks[0].clips[0].length", "value 0 is out of range (greater than 0 s)");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, offset: 1, length: 1.5 } ]\n", 3, 48,
		    "tracks[0].clips[0].length",
		    "the clip runs past the end of 'a.wav': offset + length = 2.5 s, the file is 2 s long");
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, length: 1, fade_in: 0.6, fade_out: 0.5 } ]\n",
		    3, 64, "tracks[0].clips[0].fade_out", "fade_in + fade_out = 1.1 s is longer than the clip (1 s)");
	SESSION_ERR("range: { start: 2, end: 1 }\n", 1, 25, "range.end", "the range ends (1 s) before it starts (2 s)");
	SESSION_ERR("tempo:\n  - { bar: 2, bpm: 100 }\n", 2, 12, "tempo[0].bar",
		    "the first tempo section must start at bar 1, got 2");
	SESSION_ERR("tempo:\n  - { bar: 1, bpm: 100 }\n  - { bar: 5, bpm: 90 }\n  - { bar: 3, bpm: 80 }\n", 4, 12,
		    "tempo[2].bar", "tempo sections must be in increasing bar order: bar 3 comes after bar 5");
	SESSION_ERR("tempo:\n  - { bar: 1, meter: 3/4 }\n", 2, 5, "tempo[0]", "missing required key \"bpm\"");
}

static void t_err_times(void)
{
	SESSION_ERR("tracks:\n  - name: A\n    clips: [ { file: a.wav, at: \"3:1\" } ]\n", 3, 33, "tracks[0].clips[0].at",
		    "the bar:beat time \"3:1\" needs a tempo (set `tempo:` at the top level)");
	SESSION_ERR("range: { end: 2:1 }\n", 1, 15, "range.end",
		    "the bar:beat time \"2:1\" needs a tempo (set `tempo:` at the top level)");
	SESSION_ERR("tempo: 120\nrange: { end: \"0:1\" }\n", 2, 15, "range.end", "bar 0 does not exist (bars count from 1)");
	SESSION_ERR("tempo: 120\nrange: { end: \"2:0.5\" }\n", 2, 15, "range.end",
		    "beat 0.5 does not exist (beats count from 1)");
	SESSION_ERR("tempo: 120\nrange: { end: \"2:5\" }\n", 2, 15, "range.end",
		    "beat 5 is past the end of bar 2 (a bar of 4/4 has 4 beats)");
	SESSION_ERR("tempo: 120\nrange: { end: \"2:4:960\" }\n", 2, 15, "range.end", "tick 960 is out of range [0, 959]");
	SESSION_ERR("tempo: 120\nrange: { end: \"2:x\" }\n", 2, 15, "range.end",
		    "expected a time in seconds or \"bar:beat[:tick]\", got \"2:x\"");
	SESSION_ERR("tempo: 120\nrange: { end: soon }\n", 2, 15, "range.end",
		    "expected a time in seconds or \"bar:beat[:tick]\", got \"soon\"");
}

static void t_err_audio(void)
{
	EXPECT_ERR("tracks:\n  - name: A\n    clips:\n      - { at: 0, file: nope.wav }\n", MIXDOWN_ERR_AUDIO, 4, 24,
		   "tracks[0].clips[0].file", "cannot open 'nope.wav': No such file or directory");
	EXPECT_ERR("tracks:\n  - name: A\n    file: x.wav\n", MIXDOWN_ERR_AUDIO, 3, 11, "tracks[0].file",
		   "cannot read 'x.wav' as audio: Format not recognised");
	EXPECT_ERR("tracks:\n  - name: A\n    file: .\n", MIXDOWN_ERR_AUDIO, 3, 11, "tracks[0].file",
		   "cannot open '.': Is a directory");
}

static void t_err_routing(void)
{
	SESSION_ERR("buses:\n  - name: Drums\ntracks:\n  - name: A\n    output: Drms\n", 5, 13, "tracks[0].output",
		    "unknown bus \"Drms\" (did you mean \"Drums\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    output: mastr\n", 3, 13, "tracks[0].output",
		    "unknown bus \"mastr\" (did you mean \"master\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    output: Bus\n", 3, 13, "tracks[0].output",
		    "unknown bus \"Bus\" (the session has no buses)");
	SESSION_ERR("buses: [ { name: Echo } ]\ntracks:\n  - name: A\n    sends: [ { to: Ecko, level: -6 } ]\n", 4, 20,
		    "tracks[0].sends[0].to", "unknown bus \"Ecko\" (did you mean \"Echo\"?)");
	SESSION_ERR("buses: [ { name: Echo }, { name: Drums } ]\ntracks:\n  - name: A\n    sends: [ { to: Reverb } ]\n",
		    4, 20, "tracks[0].sends[0].to", "unknown bus \"Reverb\" (buses: Echo, Drums)");
	SESSION_ERR("buses:\n  - name: Echo\n    sends: [ { to: Echo } ]\n", 3, 20, "buses[0].sends[0].to",
		    "bus \"Echo\" cannot send to itself");
	SESSION_ERR("buses:\n  - name: Echo\n    output: Echo\n", 3, 13, "buses[0].output",
		    "bus \"Echo\" cannot output to itself");
	SESSION_ERR("tracks:\n  - name: A\n    sends: [ { to: master } ]\n", 3, 20, "tracks[0].sends[0].to",
		    "sends feed buses, not the master (use `output: master`)");
	SESSION_ERR("tracks:\n  - name: A\n    sends: [ { level: -3 } ]\n", 3, 14, "tracks[0].sends[0]",
		    "missing required key \"to\"");
	SESSION_ERR("tracks:\n  - name: A\n  - name: B\nbuses:\n  - name: A\n", 5, 11, "buses[0].name",
		    "duplicate name \"A\" (already used by tracks[0])");
	SESSION_ERR("tracks:\n  - name: A\n  - name: B\n  - name: B\n", 4, 11, "tracks[2].name",
		    "duplicate name \"B\" (already used by tracks[1])");
	SESSION_ERR("buses:\n  - name: master\n", 2, 11, "buses[0].name",
		    "the name \"master\" is reserved for the master bus");
}

static void t_err_inserts(void)
{
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - type: eqq\n", 4, 15, "tracks[0].inserts[0].type",
		    "unknown insert type \"eqq\" (did you mean \"eq\"?)");
	/* Far from every name: the message lists the registry, in its order. */
	char avail[1024] = "unknown insert type \"wobbulator\" (available: ";
	for (size_t i = 0; i < mxd_fx_class_count(); i++)
		snprintf(avail + strlen(avail), sizeof avail - strlen(avail), "%s%s", i ? ", " : "",
			 mxd_fx_class_at(i)->name);
	strcat(avail, ")");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - type: wobbulator\n", 4, 15,
		    "tracks[0].inserts[0].type", avail);
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { gain: 3 }\n", 4, 9, "tracks[0].inserts[0]",
		    "missing required key \"type\"");
	static const char bands[] = "tracks:\n  - name: A\n    inserts:\n      - type: eq\n        bands:\n"
				    "          - { type: peak, freq: 100 }\n";
	char text[4096];
	snprintf(text, sizeof text, "%s          - { type: peek, freq: 100 }\n", bands);
	SESSION_ERR(text, 7, 21, "tracks[0].inserts[0].bands[1].type",
		    "expected off, highpass, lowpass, lowshelf, highshelf, peak, notch, bandpass or tilt, got \"peek\" "
		    "(did you mean \"peak\"?)");
	snprintf(text, sizeof text, "%s          - { type: peak, freq: 50000 }\n", bands);
	SESSION_ERR(text, 7, 33, "tracks[0].inserts[0].bands[1].freq", "value 50000 is out of range [10, 40000] Hz");
	snprintf(text, sizeof text, "%s          - { freq: 100 }\n", bands);
	SESSION_ERR(text, 7, 13, "tracks[0].inserts[0].bands[1]", "missing required key \"type\"");
	snprintf(text, sizeof text, "%s          - { type: peak, frq: 100 }\n", bands);
	SESSION_ERR(text, 7, 27, "tracks[0].inserts[0].bands[1].frq", "unknown key \"frq\" (did you mean \"freq\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: eq, bands: { type: peak } }\n", 4, 28,
		    "tracks[0].inserts[0].bands", "expected a list, got a mapping");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: eq, bands: [ peak ] }\n", 4, 30,
		    "tracks[0].inserts[0].bands[0]", "expected a mapping, got \"peak\"");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: gain, gian: 3 }\n", 4, 23,
		    "tracks[0].inserts[0].gian", "unknown key \"gian\" (did you mean \"gain\"?)");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: delay, samples: 1.5 }\n", 4, 33,
		    "tracks[0].inserts[0].samples", "expected a whole number in samples, got 1.5");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: polarity, invert: maybe }\n", 4, 35,
		    "tracks[0].inserts[0].invert", "expected true or false, got \"maybe\"");
	SESSION_ERR("tracks:\n  - name: A\n    inserts:\n      - { type: gain, id: x }\n      - { type: gain, id: x }\n",
		    5, 27, "tracks[0].inserts[1].id", "duplicate insert id \"x\" (also used by inserts[0])");
	/* At most max_items bands. */
	size_t o = (size_t)snprintf(text, sizeof text, "tracks:\n  - name: A\n    inserts:\n      - type: eq\n        bands:\n");
	for (int i = 0; i < 17; i++)
		o += (size_t)snprintf(text + o, sizeof text - o, "          - { type: peak }\n");
	SESSION_ERR(text, 6, 11, "tracks[0].inserts[0].bands", "too many items: 17 (at most 16)");
}

/* -------------------------------------------------------------- robustness */

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1664525u + 1013904223u;
	return rng >> 8;
}

/* Parse and require either success or a filled error; never a crash. */
static void survive(const char *text, size_t len)
{
	mxd_session *s = NULL;
	mixdown_error e;
	memset(&e, 0, sizeof e);
	mixdown_status st = mxd_session_parse(text, len, "fuzz.yaml", audio_dir(), &s, &e);
	if (st == MIXDOWN_SUCCESS) {
		CHECK(s != NULL);
		mxd_session_free(s);
	} else {
		CHECK(s == NULL);
		CHECK_MSG(e.message[0] != '\0', "status %d without a message", (int)st);
		CHECK_MSG(st == MIXDOWN_ERR_SESSION || st == MIXDOWN_ERR_AUDIO, "status %d", (int)st);
	}
}

static void t_garbage(void)
{
	char buf[512];
	for (int i = 0; i < 3000; i++) {
		size_t n = next_rand() % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = (char)next_rand();
		survive(buf, n);
	}
	/* Random bytes drawn from YAML's special characters. */
	static const char alphabet[] = "[]{}:,-?&*!|>'\"%@`#\n \t.0123456789abc:";
	for (int i = 0; i < 3000; i++) {
		size_t n = next_rand() % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = alphabet[next_rand() % (sizeof alphabet - 1)];
		survive(buf, n);
	}
	survive(NULL, 0);
}

static void t_truncated_and_mutated(void)
{
	size_t len = strlen(full_text);
	for (size_t n = 0; n <= len; n++)
		survive(full_text, n);
	char *copy = malloc(len + 1);
	static const char special[] = "[]{}:,-&*!\"'#\n 0x";
	for (int i = 0; i < 1500; i++) {
		memcpy(copy, full_text, len + 1);
		int edits = 1 + (int)(next_rand() % 3);
		for (int k = 0; k < edits; k++)
			copy[next_rand() % len] = special[next_rand() % (sizeof special - 1)];
		survive(copy, len);
	}
	free(copy);
}

static void t_nesting_and_aliases(void)
{
	size_t n = 200000;
	char *deep = malloc(2 * n + 16);
	memcpy(deep, "tracks: ", 8);
	for (size_t i = 0; i < n; i++)
		deep[8 + i] = '[';
	survive(deep, 8 + n);
	for (size_t i = 0; i < n; i++)
		deep[8 + n + i] = ']';
	survive(deep, 8 + 2 * n);
	/* Block-style nesting. */
	size_t o = 0;
	for (size_t i = 0; i < 2000 && o + 4100 < 2 * n; i++) {
		for (size_t k = 0; k < i % 2000; k++)
			deep[o++] = ' ';
		memcpy(deep + o, "a:\n", 3);
		o += 3;
		if (o > 200000)
			break;
	}
	survive(deep, o);
	free(deep);

	mixdown_error e;
	mxd_session *s = NULL;
	const char *limit = "x: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]";
	CHECK(parse(limit, &s, &e) == MIXDOWN_ERR_SESSION);
	CHECK_STR_CONTAINS(e.message, "nested too deeply");

	/* "Billion laughs": each level doubles the expanded size. */
	char bomb[4096];
	o = (size_t)snprintf(bomb, sizeof bomb, "a0: &a0 [x, x]\n");
	for (int i = 1; i < 40; i++)
		o += (size_t)snprintf(bomb + o, sizeof bomb - o, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
	CHECK(parse(bomb, &s, &e) == MIXDOWN_ERR_SESSION);
	CHECK_STR_CONTAINS(e.message, "too large");
	/* A recursive alias cannot name an anchor that is still open. */
	SESSION_ERR("tracks: &t [ *t ]\n", 1, 14, "", "alias *t does not name an earlier, complete anchor");
	/* Aliases within bounds are fine (shared settings). */
	s = PARSE_OK("buses: [ { name: B } ]\ntracks:\n  - { name: A, inserts: &fx [ { type: gain, gain: -2 } ] }\n"
		     "  - { name: C, inserts: *fx }\n");
	if (s) {
		CHECK_INT(s->tracks[1].n_inserts, 1);
		CHECK_NEAR(s->tracks[1].inserts[0].values[0], -2, 0);
	}
	mxd_session_free(s);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_full_session),  MXT(t_defaults),     MXT(t_bar_beat),      MXT(t_tempo_map),
		MXT(t_key_order),     MXT(t_suggest),      MXT(t_err_syntax),    MXT(t_err_document),
		MXT(t_err_keys),      MXT(t_err_types),    MXT(t_err_ranges),    MXT(t_err_times),
		MXT(t_err_audio),     MXT(t_err_routing),  MXT(t_err_inserts),   MXT(t_garbage),
		MXT(t_truncated_and_mutated), MXT(t_nesting_and_aliases),
	};
	return MXT_RUN(cases);
}
