/* mixdown — the demo mix (a table of strips) and the writer that turns it into
 * session.yaml, with the mix engineer's notes as YAML comments.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units as in the session format: fader/send/EQ gains in dB, frequencies in
 * Hz, delay in ms, pan -1..+1. The tables are static constants; the writer
 * only formats them (numbers with '.' as decimal separator whatever the
 * locale), so the file is byte-identical on every run.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_internal.h"

#define HP(f, s, w) { MXD_DEMO_EQ_HIGHPASS, (f), 0.0, 0.0, (s), (w) }
#define LP(f, s, w) { MXD_DEMO_EQ_LOWPASS, (f), 0.0, 0.0, (s), (w) }
#define LS(f, g, q, w) { MXD_DEMO_EQ_LOWSHELF, (f), (g), (q), 0, (w) }
#define HS(f, g, q, w) { MXD_DEMO_EQ_HIGHSHELF, (f), (g), (q), 0, (w) }
#define PK(f, g, q, w) { MXD_DEMO_EQ_PEAK, (f), (g), (q), 0, (w) }

const mxd_demo_strip mxd_demo_tracks[] = {
	{ .name = "Kick", .stem = MXD_DEMO_KICK, .color = "#d04040", .group = "Drums",
	  .gain_db = -4.5, .pan = 0.0, .output = "Drums",
	  .bands = { HP(30, 12, "nothing musical below the 44 Hz fundamental"),
		     PK(330, -3, 1.4, "scoop the boxy, cardboard midrange") },
	  .comment = "Drums go through the Drums bus so the kit rides on one fader.\n"
		     "Kick and snare stay dead centre: they anchor the mix." },
	{ .name = "Snare", .stem = MXD_DEMO_SNARE, .color = "#e06040", .group = "Drums",
	  .gain_db = -4.5, .pan = 0.0, .output = "Drums",
	  .bands = { HP(90, 12, "leave the low end to kick and bass"),
		     PK(200, 1.5, 1.0, "a little body"),
		     HS(6000, 2, 0.7, "crack and snap") } },
	{ .name = "Hats", .stem = MXD_DEMO_HATS, .color = "#e0a040", .group = "Drums",
	  .gain_db = -10.5, .pan = 0.3, .output = "Drums",
	  .bands = { HP(400, 24, "hats only need the top; steep cut keeps kick spill out"),
		     HS(9000, -1.5, 0.7, "tame the fizz") },
	  .comment = "Hats a little right of centre, as from the drummer's seat;\n"
		   "they are bright and busy, so they sit well under the snare." },
	{ .name = "Bass", .stem = MXD_DEMO_BASS, .color = "#4060d0",
	  .gain_db = -6.0, .pan = 0.0,
	  .bands = { HP(30, 12, "subsonic clean-up only; the low A is 55 Hz, the low F 44 Hz"),
		     PK(250, -2, 1.0, "less mud where bass, keys and kick overlap"),
		     PK(900, 1.5, 1.2, "definition so the line reads on small speakers") },
	  .comment = "Bass in mono, centre, straight to the master (no high-pass beyond clean-up)." },
	{ .name = "Keys", .stem = MXD_DEMO_KEYS, .color = "#40a060",
	  .gain_db = -8.5, .pan = -0.15,
	  .bands = { HP(140, 12, "the bass owns everything below"),
		     PK(400, -2, 1.0, "clear room for the lead and snare body") },
	  .comment = "Stereo electric piano (it auto-pans); balanced slightly left to\n"
		     "leave the right side for the hats and the lead's echo." },
	{ .name = "Pad", .stem = MXD_DEMO_PAD, .color = "#8050c0",
	  .gain_db = -11.5, .pan = 0.0,
	  .bands = { HP(220, 12, "a pad is glue, not weight"),
		     LP(9000, 12, "keep it soft behind the lead") },
	  .send_to = "Echo", .send_db = -18.0,
	  .comment = "Wide detuned pad, low in the mix; a touch of echo makes it bloom." },
	{ .name = "Lead", .stem = MXD_DEMO_LEAD, .color = "#e0d040",
	  .gain_db = -7.5, .pan = 0.1,
	  .bands = { HP(180, 12, "nothing below the melody's range (B4 = 494 Hz)"),
		     PK(3000, 2, 1.0, "presence so it speaks over the keys") },
	  .send_to = "Echo", .send_db = -9.0,
	  .comment = "The melody: forward, nearly centre, with a dotted-8th echo." },
};
const size_t mxd_demo_n_tracks = sizeof mxd_demo_tracks / sizeof mxd_demo_tracks[0];

const mxd_demo_strip mxd_demo_buses[] = {
	{ .name = "Drums", .stem = -1, .gain_db = -0.5,
	  .bands = { LS(80, 1.5, 0.7, "a little extra thump for the whole kit"),
		     HS(8000, 1, 0.7, "air") },
	  .comment = "Kit bus: one fader and one EQ for kick, snare and hats." },
	{ .name = "Echo", .stem = -1, .gain_db = -2.0, .delay_ms = 416.7,
	  .bands = { HP(300, 12, "no low-end build-up from the repeats"),
		     LP(4000, 12, "dark repeats stay behind the dry sound") },
	  .comment = "Aux echo: 100% wet, fed post-fader by the lead and the pad.\n"
		     "416.7 ms is a dotted 8th at 108 bpm (0.75 beat), so repeats fall on the groove." },
};
const size_t mxd_demo_n_buses = sizeof mxd_demo_buses / sizeof mxd_demo_buses[0];

/* ------------------------------------------------------------------ writer */

/* Shortest plain decimal for v with up to 2 decimals, '.' separator. */
static const char *num(char buf[32], double v)
{
	snprintf(buf, 32, "%.2f", v);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return buf;
}

static void comment(FILE *f, const char *indent, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);
		fprintf(f, "%s# %.*s\n", indent, len, text);
		text = nl ? nl + 1 : NULL;
	}
}

static const char *band_type(mxd_demo_eq_type t)
{
	switch (t) {
	case MXD_DEMO_EQ_HIGHPASS: return "highpass";
	case MXD_DEMO_EQ_LOWPASS: return "lowpass";
	case MXD_DEMO_EQ_LOWSHELF: return "lowshelf";
	case MXD_DEMO_EQ_HIGHSHELF: return "highshelf";
	case MXD_DEMO_EQ_PEAK: return "peak";
	default: return "?";
	}
}

static void write_inserts(FILE *f, const mxd_demo_strip *s)
{
	char a[32], b[32], c[32];
	int n_bands = 0;
	while (n_bands < MXD_DEMO_MAX_BANDS && s->bands[n_bands].type != MXD_DEMO_EQ_NONE)
		n_bands++;
	if (n_bands == 0 && s->delay_ms <= 0.0) {
		fprintf(f, "    inserts: []\n");
		return;
	}
	fprintf(f, "    inserts:\n");
	if (s->delay_ms > 0.0)
		fprintf(f, "      - { type: delay, time: %s }\n", num(a, s->delay_ms));
	if (n_bands == 0)
		return;
	fprintf(f, "      - type: eq\n        bands:\n");
	for (int i = 0; i < n_bands; i++) {
		const mxd_demo_band *bd = &s->bands[i];
		if (bd->type == MXD_DEMO_EQ_HIGHPASS || bd->type == MXD_DEMO_EQ_LOWPASS)
			fprintf(f, "          - { type: %s, freq: %s, slope: %d }", band_type(bd->type),
				num(a, bd->freq), bd->slope);
		else
			fprintf(f, "          - { type: %s, freq: %s, gain: %s, q: %s }",
				band_type(bd->type), num(a, bd->freq), num(b, bd->gain), num(c, bd->q));
		if (bd->why)
			fprintf(f, "   # %s", bd->why);
		fputc('\n', f);
	}
}

static void write_strip(FILE *f, const mxd_demo_strip *s)
{
	char a[32], b[32];
	fputc('\n', f);
	comment(f, "  ", s->comment);
	fprintf(f, "  - name: %s\n", s->name);
	if (s->color)
		fprintf(f, "    color: \"%s\"\n", s->color);
	if (s->group)
		fprintf(f, "    group: %s\n", s->group);
	if (s->stem >= 0)
		fprintf(f, "    clips:\n      - { file: %s, at: 0 }\n", mxd_demo_stems[s->stem].file);
	fprintf(f, "    gain: %s\n", num(a, s->gain_db));
	if (s->stem >= 0)
		fprintf(f, "    pan: %s\n", num(a, s->pan));
	if (s->output)
		fprintf(f, "    output: %s\n", s->output);
	write_inserts(f, s);
	if (s->send_to)
		fprintf(f, "    sends: [ { to: %s, level: %s, pre: false } ]\n", s->send_to,
			num(b, s->send_db));
}

int mxd_demo_write_session(FILE *f)
{
	fprintf(f,
		"# mixdown demo session, written by `mixdown demo`.\n"
		"#\n"
		"# A short song synthesized from code: %d bars at %d bpm in 4/4, A minor,\n"
		"# Am - F - C - G (vi-IV-I-V of C major) and a final Am.\n"
		"#   bars 1-4 intro (pad, keys, hats from bar 3)   bars 5-8 verse (full band, lead)\n"
		"#   bars 9-10 break (no drums or bass)            bars 11-16 chorus   bar 17 ending\n"
		"# Every stem is dry, starts at 0 and runs the whole song, peaking around -6..-3 dBFS,\n"
		"# so the faders below do the balancing. Render it with:  mixdown render session.yaml\n"
		"\n"
		"mixdown: 1\n"
		"sample_rate: %d\n"
		"tempo: %d\n"
		"time_signature: \"4/4\"\n"
		"\n"
		"tracks:\n",
		MXD_DEMO_BARS, MXD_DEMO_BPM, MXD_DEMO_RATE, MXD_DEMO_BPM);
	for (size_t i = 0; i < mxd_demo_n_tracks; i++)
		write_strip(f, &mxd_demo_tracks[i]);
	fprintf(f, "\nbuses:\n");
	for (size_t i = 0; i < mxd_demo_n_buses; i++)
		write_strip(f, &mxd_demo_buses[i]);
	fprintf(f,
		"\n"
		"# Master left at unity with no processing: the faders above leave the mix\n"
		"# peaking a couple of dB under full scale, room for a limiter if you add one.\n"
		"master:\n"
		"  gain: 0\n"
		"  inserts: []\n"
		"\n"
		"export: { file: mix.wav, format: wav, bits: 24 }\n");
	return ferror(f) ? -1 : 0;
}
