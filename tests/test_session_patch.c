/* mixdown — session_patch: changing values in a session's text in place
 * (`mixdown play --save-on-exit`). Everything but the changed scalars stays
 * byte for byte; missing keys are added at the right indentation; refusals
 * name file:line:column; the result parses to the new values.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "session/model.h"
#include "session/session_patch.h"
#include "util.h"

static const char *const SESSION =
	"# My song  (comments stay)\n"
	"mixdown: 1\n"
	"sample_rate: 48000\n"
	"\n"
	"tracks:\n"
	"  - name: Kick        # the kick\n"
	"    gain: -5          # fader\n"
	"    inserts:\n"
	"      - type: eq\n"
	"        bands:\n"
	"          - { type: highpass, freq: 30 }\n"
	"          - { type: peak, freq: 100, gain: 2.5, q: 1 }\n"
	"    sends: [ { to: Echo, level: -18 } ]\n"
	"\n"
	"  - name: \"Snare\"\n"
	"    pan: '0.1'\n"
	"    sends:\n"
	"      - { to: Echo }\n"
	"buses:\n"
	"  - name: Echo\n"
	"    inserts:\n"
	"      - { type: delay, time: 300 }   # quarter\n";

static char *patch(const char *text, const mxd_patch_change *c, size_t n, mixdown_status *st, char *msg, size_t cap)
{
	char *out = NULL;
	size_t len = 0;
	mixdown_error err;
	memset(&err, 0, sizeof err);
	*st = mxd_session_patch(text, strlen(text), "song.yaml", c, n, &out, &len, &err);
	if (msg)
		mixdown_error_format(&err, msg, cap);
	if (out)
		CHECK_INT((long)strlen(out), (long)len);
	return out;
}

static void t_changes_in_place(void)
{
	const mxd_patch_change c[] = {
		{ "tracks[name=Kick].gain", "-7.5" },
		{ "tracks[name=Snare].pan", "-0.25" },
		{ "tracks[name=Kick].mute", "true" },
		{ "tracks[name=Kick].sends[0].level", "-12" },
		{ "tracks[name=Snare].sends[to=Echo].level", "-9" },
		{ "buses[name=Echo].inserts[0].time", "412.5" },
		{ "tracks[name=Kick].inserts[0].bands[1].gain", "-3" },
		{ "master.gain", "-1.5" },
		{ "master.width", "0.8" },
	};
	mixdown_status st;
	char msg[512];
	char *out = patch(SESSION, c, sizeof c / sizeof c[0], &st, msg, sizeof msg);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "%s", msg);
	if (!out)
		return;
	const char *want =
		"# My song  (comments stay)\n"
		"mixdown: 1\n"
		"sample_rate: 48000\n"
		"\n"
		"tracks:\n"
		"  - name: Kick        # the kick\n"
		"    mute: true\n"
		"    gain: -7.5          # fader\n"
		"    inserts:\n"
		"      - type: eq\n"
		"        bands:\n"
		"          - { type: highpass, freq: 30 }\n"
		"          - { type: peak, freq: 100, gain: -3, q: 1 }\n"
		"    sends: [ { to: Echo, level: -12 } ]\n"
		"\n"
		"  - name: \"Snare\"\n"
		"    pan: '-0.25'\n"
		"    sends:\n"
		"      - { to: Echo, level: -9 }\n"
		"buses:\n"
		"  - name: Echo\n"
		"    inserts:\n"
		"      - { type: delay, time: 412.5 }   # quarter\n"
		"master:\n"
		"  gain: -1.5\n"
		"  width: 0.8\n";
	CHECK_MSG(!strcmp(out, want), "got:\n%s", out);

	/* The result reads back with the new values. */
	mxd_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mxd_session_parse(out, strlen(out), "song.yaml", ".", &s, &err), MIXDOWN_SUCCESS);
	if (s) {
		CHECK_NEAR(s->tracks[0].gain_db, -7.5, 1e-12);
		CHECK(s->tracks[0].mute);
		CHECK_NEAR(s->tracks[0].sends[0].level_db, -12.0, 1e-12);
		CHECK_NEAR(s->tracks[1].pan, -0.25, 1e-12);
		CHECK_NEAR(s->tracks[1].sends[0].level_db, -9.0, 1e-12);
		const mxd_insert *eq = &s->tracks[0].inserts[0];
		long slot = mxd_fx_param_path(eq->cls, "bands.2.gain", NULL);
		CHECK(slot >= 0);
		if (slot >= 0)
			CHECK_NEAR(eq->values[slot], -3.0, 1e-12);
		const mxd_insert *dl = &s->buses[0].inserts[0];
		CHECK_NEAR(dl->values[mxd_fx_param_path(dl->cls, "time", NULL)], 412.5, 1e-12);
		CHECK_NEAR(s->master.gain_db, -1.5, 1e-12);
		CHECK_NEAR(s->master.width, 0.8, 1e-12);
	}
	mxd_session_free(s);
	free(out);
}

static void t_styles_and_encodings(void)
{
	/* CRLF line ends, a BOM and multibyte characters before the value:
	 * libyaml counts characters, the patch must cut bytes. */
	const char *text = "\xEF\xBB\xBF# caf\xC3\xA9 \xE2\x80\x94 mix\r\nmaster: { gain: \"-2\" }   # \xC3\xA9\r\n"
			   "x: &g 3\r\ny: *g\r\n";
	const mxd_patch_change c[] = { { "master.gain", "-4" }, { "y", "5" }, { "master.width", "1.5" } };
	mixdown_status st;
	char msg[512];
	char *out = patch(text, c, 3, &st, msg, sizeof msg);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "%s", msg);
	const char *want = "\xEF\xBB\xBF# caf\xC3\xA9 \xE2\x80\x94 mix\r\nmaster: { gain: \"-4\", width: 1.5 }   # "
			   "\xC3\xA9\r\nx: &g 3\r\ny: 5\r\n";
	CHECK_MSG(out && !strcmp(out, want), "got: %s", out ? out : "(null)");
	free(out);

	char num[32];
	mxd_patch_number(0.3f, num, sizeof num);
	CHECK(!strcmp(num, "0.3"));
	mxd_patch_number(-4.5, num, sizeof num);
	CHECK(!strcmp(num, "-4.5"));
	mxd_patch_number(12000.0, num, sizeof num);
	CHECK(!strcmp(num, "12000"));
	mxd_patch_number(-0.0, num, sizeof num);
	CHECK(!strcmp(num, "0"));
	mxd_patch_number((float)1234.567, num, sizeof num);
	CHECK_NEAR(strtod(num, NULL), 1234.567, 1e-3);
}

static void t_refusals(void)
{
	struct {
		const char *text, *path, *want;
	} cases[] = {
		{ "tracks:\n  - name: A\n    gain: [1\n", "tracks[name=A].gain", "song.yaml:4:1" },
		{ SESSION, "tracks[name=Nope].gain", "no item with name: Nope" },
		{ SESSION, "tracks[name=Kick].inserts[0].bands[5].gain", "no item 5" },
		{ SESSION, "tracks[name=Kick].inserts", "names a list, not a value" },
		{ "a: &x { gain: 1 }\nb: *x\n", "a.gain", "shared through the anchor &x" },
		{ "a: &x { gain: 1 }\nb: *x\n", "b.gain", "goes through the alias *x" },
		{ "a:\n  gain: |\n    1\n", "a.gain", "block scalar" },
		{ "a: 1\n---\nb: 2\n", "a", "one YAML document" },
		{ SESSION, "tracks[name=Kick", "malformed selector" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		mxd_patch_change c = { cases[i].path, "1" };
		mixdown_status st;
		char msg[512] = "";
		char *out = patch(cases[i].text, &c, 1, &st, msg, sizeof msg);
		CHECK_MSG(st != MIXDOWN_SUCCESS && !out, "case %zu accepted", i);
		CHECK_MSG(strstr(msg, cases[i].want) != NULL, "case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].want);
		free(out);
	}
	/* The error names the file, line and column of the offending node. */
	mxd_patch_change c = { "a.gain", "2" };
	mixdown_status st;
	char msg[512];
	free(patch("a: &x { gain: 1 }\nb: *x\n", &c, 1, &st, msg, sizeof msg));
	CHECK_STR_CONTAINS(msg, "song.yaml:1:4");
}

static void t_file(void)
{
	const char *dir = mxt_tempdir();
	const char *path = mxt_path(dir, "s.yaml");
	CHECK(mxt_write_text(path, SESSION) == 0);
	mxd_patch_change good = { "tracks[name=Kick].gain", "-inf" }, bad = { "tracks[name=Nope].gain", "1" };
	mixdown_error err;
	CHECK_INT(mxd_session_patch_file(path, &bad, 1, &err), MIXDOWN_ERR_SESSION);
	CHECK_INT(mxd_session_patch_file(path, &good, 1, &err), MIXDOWN_SUCCESS);
	FILE *f = fopen(path, "rb");
	char buf[4096] = "";
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	CHECK_STR_CONTAINS(buf, "    gain: -inf          # fader\n");
	CHECK_INT((long)n, (long)strlen(SESSION) - 2 + 4);
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_changes_in_place), MXT(t_styles_and_encodings), MXT(t_refusals),
					  MXT(t_file) };
	return MXT_RUN(cases);
}
