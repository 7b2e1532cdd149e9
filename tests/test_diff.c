/* mixdown — tests of `mixdown diff`: two edited sessions give exactly the
 * expected lines in mixing terms; formatting-only edits are no change; the
 * JSON form; exit codes (0 same, 1 different, 2 bad); the older session
 * from standard input.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Single-threaded; runs the built command (MIXDOWN_BIN).
 */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util.h"

static const char *setup(void)
{
	const char *dir = mxt_tempdir();
	float x[4800];
	mxt_sine(x, 4800, 1, 48000, 440, 0.25, 0);
	static const char *const files[] = { "vox.wav", "snare.wav", "gtr.wav", "bass.wav" };
	for (size_t i = 0; i < 4; i++)
		mxt_write_audio(mxt_path(dir, files[i]), x, 4800, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	return dir;
}

static const char session_a[] =
	"mixdown: 1\n"
	"sample_rate: 48000\n"
	"tempo: 120\n"
	"tracks:\n"
	"  - name: Lead Vocal\n"
	"    clips:\n"
	"      - { file: vox.wav, at: 1.0 }\n"
	"    gain: -4\n"
	"    pan: 0\n"
	"    output: Vocals\n"
	"    inserts:\n"
	"      - { type: compressor, ratio: 3, threshold: -20 }\n"
	"    sends:\n"
	"      - { to: Verb, level: -14 }\n"
	"  - name: Snare\n"
	"    file: snare.wav\n"
	"    gain: -6\n"
	"    inserts:\n"
	"      - { type: eq, bands: [ { type: peak, freq: 200, gain: 2, q: 1 } ] }\n"
	"      - { type: compressor, ratio: 3, threshold: -18 }\n"
	"  - name: Gtr\n"
	"    clips:\n"
	"      - { file: gtr.wav, at: 0 }\n"
	"    pan: -0.5\n"
	"    automation:\n"
	"      gain: [ [0, 0], [0.05, -3] ]\n"
	"  - name: Bass\n"
	"    file: bass.wav\n"
	"buses:\n"
	"  - name: Vocals\n"
	"    inserts: [ { type: eq, bands: [ { type: highpass, freq: 80 } ] } ]\n"
	"  - name: Verb\n"
	"    inserts: [ { type: reverb, decay: 1.8 } ]\n"
	"master:\n"
	"  gain: 0\n";

/* The same mix after a session of edits. */
static const char session_b[] =
	"mixdown: 1\n"
	"sample_rate: 48000\n"
	"tempo: 124\n"
	"tracks:\n"
	"  - name: Lead Vocal\n"
	"    clips:\n"
	"      - { file: vox.wav, at: 1.5, offset: 0.01, gain: -1.5 }\n"
	"    gain: -2.5\n"
	"    pan: 0.25\n"
	"    output: Vocals\n"
	"    inserts:\n"
	"      - { type: compressor, ratio: 3, threshold: -20, bypass: true }\n"
	"    sends:\n"
	"      - { to: Plate, level: -10, pre: true }\n"
	"  - name: Snare\n"
	"    file: snare.wav\n"
	"    gain: -6\n"
	"    invert: true\n"
	"    inserts:\n"
	"      - { type: compressor, ratio: 4, threshold: -18 }\n"
	"      - { type: eq, bands: [ { type: peak, freq: 200, gain: 2, q: 1 } ] }\n"
	"    sends:\n"
	"      - { to: Plate, level: -20 }\n"
	"  - name: Guitar\n"
	"    clips:\n"
	"      - { file: gtr.wav, at: 0 }\n"
	"    pan: -0.5\n"
	"    mute: true\n"
	"    width: 0.5\n"
	"    automation:\n"
	"      gain: [ [0, 0], [0.05, -3], [0.08, -6] ]\n"
	"      pan: [ [0, -0.5], [0.1, 0.5] ]\n"
	"buses:\n"
	"  - name: Vocals\n"
	"    inserts: [ { type: eq, bands: [ { type: highpass, freq: 100 } ] }, { type: limiter } ]\n"
	"  - name: Plate\n"
	"    inserts: [ { type: reverb, decay: 2.2 } ]\n"
	"master:\n"
	"  gain: -1\n"
	"  target: { loudness: -14 }\n";

static const char expected[] =
	"tempo 120 -> 124 bpm\n"
	"Lead Vocal fader -4.0 -> -2.5 dB\n"
	"Lead Vocal pan C -> R25\n"
	"Lead Vocal clip vox.wav position 1.000 -> 1.500 s\n"
	"Lead Vocal clip vox.wav start in file 0.000 -> 0.010 s\n"
	"Lead Vocal clip vox.wav length 0.100 -> 0.090 s\n"
	"Lead Vocal clip vox.wav gain 0.0 -> -1.5 dB\n"
	"Lead Vocal: compressor bypassed\n"
	"Plate send from Lead Vocal -14.0 -> -10.0 dB\n"
	"Plate send from Lead Vocal post-fader -> pre-fader\n"
	"Snare polarity inverted\n"
	"Snare: compressor ratio 3 -> 4\n"
	"Snare: insert order eq, compressor -> compressor, eq\n"
	"Plate send from Snare added (-20.0 dB post-fader)\n"
	"Gtr track renamed to Guitar\n"
	"Guitar muted\n"
	"Guitar width 100 -> 50%\n"
	"Guitar automation gain 2 -> 3 points\n"
	"Guitar automation pan added (2 points)\n"
	"Bass track removed\n"
	"Vocals: eq bands.1.freq 80 -> 100 Hz\n"
	"Vocals: limiter added (insert 2)\n"
	"Verb bus renamed to Plate\n"
	"Plate: reverb decay 1.8 -> 2.2 s\n"
	"master fader 0.0 -> -1.0 dB\n"
	"master target added (-14.0 LUFS)\n";

static void t_diff_lines(void)
{
	const char *dir = setup();
	CHECK_INT(mxt_write_text(mxt_path(dir, "a.yaml"), session_a), 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "b.yaml"), session_b), 0);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/b.yaml'", dir, dir), 1);
	CHECK_MSG(!strcmp(mxt_cli_out, expected), "got:\n%s", mxt_cli_out);
	CHECK_INT(strlen(mxt_cli_err), 0);
	/* And back: additions become removals, values swap. */
	CHECK_INT(mxt_run_cli("diff '%s/b.yaml' '%s/a.yaml'", dir, dir), 1);
	CHECK_STR_CONTAINS(mxt_cli_out, "Lead Vocal fader -2.5 -> -4.0 dB\n");
	CHECK_STR_CONTAINS(mxt_cli_out, "Plate send from Snare removed\n");
	CHECK_STR_CONTAINS(mxt_cli_out, "Bass track added\n");
	CHECK_STR_CONTAINS(mxt_cli_out, "Snare polarity back to normal\n");
	CHECK_STR_CONTAINS(mxt_cli_out, "Guitar track renamed to Gtr\n");
	CHECK_STR_CONTAINS(mxt_cli_out, "master target removed (-14.0 LUFS)\n");
}

/* Layout, key order, flow vs block style, comments, spelled-out defaults:
 * not mix changes. */
static void t_diff_identical(void)
{
	const char *dir = setup();
	CHECK_INT(mxt_write_text(mxt_path(dir, "a.yaml"), session_a), 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "a2.yaml"),
				 "# the same mix, written differently\n"
				 "tempo: 120\n"
				 "sample_rate: 48000\n"
				 "master: { gain: 0.0, width: 1 }\n"
				 "buses:\n"
				 "  - { name: Vocals, inserts: [ { type: eq, bands: [ { freq: 80, type: highpass } ] } ] }\n"
				 "  - { name: Verb, inserts: [ { decay: 1.8, type: reverb } ] }\n"
				 "tracks:\n"
				 "  - { name: Lead Vocal, clips: [ { at: 1, file: vox.wav } ], gain: -4.0, output: Vocals,\n"
				 "      inserts: [ { threshold: -20, type: compressor, ratio: 3.0 } ],\n"
				 "      sends: [ { level: -14, to: Verb, pre: false } ] }\n"
				 "  - name: Snare\n"
				 "    gain: -6\n"
				 "    clips: [ { file: snare.wav } ]\n"
				 "    inserts:\n"
				 "      - type: eq\n"
				 "        bands:\n"
				 "          - { type: peak, freq: 200, gain: 2, q: 1 }\n"
				 "      - { type: compressor, ratio: 3, threshold: -18 }\n"
				 "  - { name: Gtr, file: gtr.wav, pan: -0.5, automation: { gain: [ [0, 0], [0.05, -3] ] } }\n"
				 "  - { name: Bass, file: bass.wav, pan: 0, mute: false }\n"),
		  0);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/a2.yaml'", dir, dir), 0);
	CHECK_INT(strlen(mxt_cli_out), 0);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/a2.yaml' --json", dir, dir), 0);
	CHECK(!strcmp(mxt_cli_out, "{\n  \"schema\": \"mixdown-diff/1\",\n  \"identical\": true,\n  \"changes\": []\n}\n"));
}

static void t_diff_json(void)
{
	const char *dir = setup();
	CHECK_INT(mxt_write_text(mxt_path(dir, "a.yaml"), session_a), 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "b.yaml"), session_b), 0);
	CHECK_INT(mxt_run_cli("diff --json '%s/a.yaml' '%s/b.yaml'", dir, dir), 1);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"schema\": \"mixdown-diff/1\",\n  \"identical\": false,");
	CHECK_STR_CONTAINS(mxt_cli_out, "{\"kind\": \"changed\", \"strip\": \"Lead Vocal\", \"what\": \"fader\", "
					"\"from\": \"-4.0 dB\", \"to\": \"-2.5 dB\", "
					"\"text\": \"Lead Vocal fader -4.0 -> -2.5 dB\"}");
	CHECK_STR_CONTAINS(mxt_cli_out, "{\"kind\": \"added\", \"strip\": \"Plate\", \"what\": \"send from Snare\", "
					"\"from\": null, \"to\": null, "
					"\"text\": \"Plate send from Snare added (-20.0 dB post-fader)\"}");
	CHECK_STR_CONTAINS(mxt_cli_out, "{\"kind\": \"removed\", \"strip\": \"Bass\", \"what\": \"track\"");
	/* One object per line of the text form. */
	size_t lines = 0, objects = 0;
	for (const char *p = expected; *p; p++)
		lines += *p == '\n';
	for (const char *p = mxt_cli_out; (p = strstr(p, "{\"kind\"")); p++)
		objects++;
	CHECK_INT(objects, lines);
}

static void t_diff_errors(void)
{
	const char *dir = setup();
	CHECK_INT(mxt_write_text(mxt_path(dir, "a.yaml"), session_a), 0);
	CHECK_INT(mxt_write_text(mxt_path(dir, "bad.yaml"), "tracks:\n  - name: A\n    gain: loud\n"), 0);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/bad.yaml'", dir, dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "bad.yaml:3:11: tracks[0].gain:");
	CHECK_INT(strlen(mxt_cli_out), 0);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml'", dir), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "usage: mixdown diff A B");
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/a.yaml' --color", dir, dir), 2);
	CHECK_INT(mxt_run_cli("diff '%s/a.yaml' '%s/missing.yaml'", dir, dir), 2);
}

/* `git show HEAD:song.yaml | mixdown diff - song.yaml`: files resolved against B's folder. */
static void t_diff_stdin(void)
{
	const char *dir = setup();
	CHECK_INT(mxt_write_text(mxt_path(dir, "b.yaml"), session_b), 0);
	const char *old = mxt_path(mxt_tempdir(), "old.yaml"); /* elsewhere: its relative paths would not resolve */
	CHECK_INT(mxt_write_text(old, session_a), 0);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "cat '%s' | '%s' diff - '%s/b.yaml' 2>&1", old, MIXDOWN_BIN, dir);
	FILE *p = popen(cmd, "r");
	CHECK(p != NULL);
	if (!p)
		return;
	static char out[8192];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	CHECK_INT(WEXITSTATUS(st), 1);
	CHECK_MSG(!strcmp(out, expected), "got:\n%s", out);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_diff_lines), MXT(t_diff_identical), MXT(t_diff_json), MXT(t_diff_errors), MXT(t_diff_stdin),
	};
	return MXT_RUN(cases);
}
