/* mixdown — the terminal view of `mixdown play` rendered from snapshots with
 * known values (no terminal, no JACK): bar lengths on the -60..+3 dBFS scale,
 * the CLIP indicator, the peak-hold tick, pan and time formatting, the
 * header's loudness/DSP figures, scrolling to the selection, and the key
 * decoder for the escape sequences terminals send.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The CLI's view sources are compiled into this program directly (they are
 * part of the `mixdown` executable, not of the library).
 */
#include "cli/play_term.c"
#include "cli/play_view.c"

#include "harness.h"

/* Width that gives the bar its full 63 cells: one cell per dB. */
#define WIDE (61 + 63)

static mixdown_player_status status(void)
{
	mixdown_player_status st;
	memset(&st, 0, sizeof st);
	st.position = 83.4567;
	st.end = 200.0;
	st.playing = true;
	st.momentary_lufs = -13.94;
	st.short_term_lufs = -14.46;
	st.integrated_lufs = -INFINITY;
	st.dsp_load = 0.351;
	st.dsp_load_avg = 0.124;
	st.xruns = 3;
	st.loop_start = st.loop_end = 0.0;
	return st;
}

static mixdown_strip_state strip(const char *name, mixdown_strip_kind kind, double gain, double pan)
{
	mixdown_strip_state s;
	memset(&s, 0, sizeof s);
	snprintf(s.name, sizeof s.name, "%s", name);
	s.kind = kind;
	s.gain_db = gain;
	s.pan = pan;
	return s;
}

/* The line of the strip named `name` (copied into line). */
static bool find_row(const char *text, const char *name, char *line, size_t cap)
{
	char key[80];
	snprintf(key, sizeof key, " %-12.12s ", name);
	const char *at = strstr(text, key);
	if (!at)
		return false;
	while (at > text && at[-1] != '\n')
		at--;
	const char *end = strchr(at, '\n');
	size_t n = end ? (size_t)(end - at) : strlen(at);
	n = n < cap - 1 ? n : cap - 1;
	memcpy(line, at, n);
	line[n] = '\0';
	return true;
}

static size_t count(const char *s, char c, size_t from, size_t to)
{
	size_t n = 0;
	for (size_t i = from; i < to && s[i]; i++)
		n += s[i] == c;
	return n;
}

static void t_cells_and_formats(void)
{
	CHECK_INT(play_view_cells(-20.0, 63), 40);
	CHECK_INT(play_view_cells(0.0, 63), 60);
	CHECK_INT(play_view_cells(3.0, 63), 63);
	CHECK_INT(play_view_cells(12.0, 63), 63);
	CHECK_INT(play_view_cells(-60.0, 63), 0);
	CHECK_INT(play_view_cells(-INFINITY, 63), 0);
	CHECK_INT(play_view_cells(NAN, 63), 0);
	CHECK_INT(play_view_cells(-20.0, 21), 13); /* 40/63 of 21 = 13.33 */
	char b[16];
	play_view_pan(0.0, b, sizeof b);
	CHECK(!strcmp(b, "C"));
	play_view_pan(-0.5, b, sizeof b);
	CHECK(!strcmp(b, "L50"));
	play_view_pan(0.3, b, sizeof b);
	CHECK(!strcmp(b, "R30"));
	play_view_pan(1.7, b, sizeof b);
	CHECK(!strcmp(b, "R100"));
	play_view_pan(0.004, b, sizeof b);
	CHECK(!strcmp(b, "C"));
	play_view_time(83.4567, b, sizeof b);
	CHECK(!strcmp(b, "1:23.457"));
	play_view_time(-3.0, b, sizeof b);
	CHECK(!strcmp(b, "0:00.000"));
	play_view_time(3600.0, b, sizeof b);
	CHECK(!strcmp(b, "60:00.000"));
}

static void t_render_rows(void)
{
	mixdown_player_status st = status();
	mixdown_strip_state strips[3] = { strip("Vocal", MIXDOWN_STRIP_TRACK, -4.5, -0.5),
					  strip("Drums", MIXDOWN_STRIP_BUS, 0.0, 0.3),
					  strip("master", MIXDOWN_STRIP_MASTER, 0.0, 0.0) };
	strips[1].mute = true;
	strips[1].solo = true;
	mixdown_strip_meter m[3] = {
		/* -20 dBFS peak and RMS: 40 '#' cells, no '=' and no tick (hold = peak). */
		{ .peak_dbfs = -20.0f, .rms_dbfs = -20.0f, .peak_hold_dbfs = -20.0f, .clip = false, .gain_reduction_db = 3.3f },
		/* RMS -30, peak -10, hold -3: 30 '#', 20 '=', tick at cell 57 (1-based). */
		{ .peak_dbfs = -10.0f, .rms_dbfs = -30.0f, .peak_hold_dbfs = -3.0f, .clip = false, .gain_reduction_db = 0 },
		/* A full-scale peak: CLIP. */
		{ .peak_dbfs = 0.0f, .rms_dbfs = -3.01f, .peak_hold_dbfs = 0.0f, .clip = true, .gain_reduction_db = 0 },
	};
	play_view v = { .st = &st, .strips = strips, .meters = m, .n_strips = 3, .selected = 1, .target_lufs = -14.0,
			.bar = 17, .beat = 3, .width = WIDE, .rows = 40, .ansi = false };
	char buf[8192];
	size_t len = play_view_render(&v, buf, sizeof buf);
	CHECK_INT(len, strlen(buf));
	printf("%s", buf);
	CHECK_STR_CONTAINS(buf, "PLAYING");
	CHECK_STR_CONTAINS(buf, "1:23.457 / 3:20.000");
	CHECK_STR_CONTAINS(buf, "bar 17:3");
	CHECK_STR_CONTAINS(buf, "M  -13.9  S  -14.5  I     -- LUFS  target -14.0");
	CHECK_STR_CONTAINS(buf, "DSP  12% avg  35% max  xruns 3");
	CHECK(!strstr(buf, "\x1b")); /* no escape codes without ansi */

	char row[512];
	CHECK(find_row(buf, "Vocal", row, sizeof row));
	const char *lb = strchr(row, '['), *rb = strchr(row, ']');
	CHECK(lb && rb && rb - lb - 1 == 63);
	if (!lb || !rb)
		return;
	size_t a = (size_t)(lb - row) + 1, z = (size_t)(rb - row);
	CHECK_INT(count(row, '#', a, z), 40);
	CHECK_INT(count(row, '=', a, z), 0);
	CHECK_INT(count(row, '|', a, z), 0);
	CHECK(row[a + 39] == '#' && row[a + 40] == ' ');
	CHECK(!strstr(row, "CLIP"));
	CHECK_STR_CONTAINS(row, " -20.0 ");
	CHECK_STR_CONTAINS(row, "GR  3.3 ");
	CHECK_STR_CONTAINS(row, "fdr  -4.5 L50 ");
	CHECK(row[0] == ' '); /* not selected */

	CHECK(find_row(buf, "Drums", row, sizeof row));
	CHECK(!strncmp(row, "> ", 2)); /* the selection */
	lb = strchr(row, '[');
	rb = strchr(row, ']');
	a = (size_t)(lb - row) + 1;
	z = (size_t)(rb - row);
	CHECK_INT(count(row, '#', a, z), 30);
	CHECK_INT(count(row, '=', a, z), 20);
	CHECK_INT(count(row, '|', a, z), 1);
	CHECK(row[a + 56] == '|'); /* -3 dBFS: cell 57 */
	CHECK_STR_CONTAINS(row, "R30 ");
	CHECK_STR_CONTAINS(row, " MS");
	CHECK_STR_CONTAINS(row, " bus [");

	CHECK(find_row(buf, "master", row, sizeof row));
	CHECK_STR_CONTAINS(row, "   0.0 CLIP ");
	lb = strchr(row, '[');
	rb = strchr(row, ']');
	a = (size_t)(lb - row) + 1;
	z = (size_t)(rb - row);
	CHECK_INT(count(row, '#', a, z), 57); /* -3.01 dB: 56.99 cells */
	CHECK_INT(count(row, '=', a, z), 3);
	CHECK_STR_CONTAINS(row, " mst [");
	CHECK_STR_CONTAINS(row, "fdr  +0.0 C    --");

	/* Truncation reports the full length, like snprintf. */
	char small[64];
	CHECK_INT(play_view_render(&v, small, sizeof small), len);
	CHECK_INT(strlen(small), sizeof small - 1);
}

static void t_render_ansi_message_scroll(void)
{
	mixdown_player_status st = status();
	st.playing = false;
	st.loop_start = 10.0;
	st.loop_end = 20.5;
	enum { N = 30 };
	mixdown_strip_state strips[N];
	for (int i = 0; i < N; i++) {
		char name[16];
		snprintf(name, sizeof name, "T%02d", i);
		strips[i] = strip(name, MIXDOWN_STRIP_TRACK, 0, 0);
	}
	mixdown_strip_meter m[N];
	for (int i = 0; i < N; i++)
		m[i] = (mixdown_strip_meter){ -INFINITY, -INFINITY, -INFINITY, i == 25, 0 };
	play_view v = { .st = &st, .strips = strips, .meters = m, .n_strips = N, .selected = 25, .target_lufs = NAN,
			.width = 100, .rows = 16, .ansi = true, .loop_on = true, .message = "solo not available for T25",
			.reload = "ok (2)" };
	char buf[16384];
	play_view_render(&v, buf, sizeof buf);
	CHECK(!strncmp(buf, "\x1b[H", 3));
	CHECK_STR_CONTAINS(buf, "STOPPED");
	CHECK_STR_CONTAINS(buf, "LOOP 0:10.000-0:20.500");
	CHECK_STR_CONTAINS(buf, "solo not available for T25");
	CHECK_STR_CONTAINS(buf, "reload: ok (2)");
	CHECK(!strstr(buf, "target"));
	CHECK_STR_CONTAINS(buf, "\x1b[7m> T25 ");       /* highlighted */
	CHECK_STR_CONTAINS(buf, "\x1b[1;31mCLIP");       /* red */
	/* 16 rows: 5 header + 1 footer leave 10 strips, centred on the selection. */
	CHECK(!strstr(buf, "T19 "));
	CHECK_STR_CONTAINS(buf, "T20 ");
	CHECK_STR_CONTAINS(buf, "T29 ");
	/* Width 100: a 39-cell bar; -inf levels leave it empty. */
	char empty[128];
	snprintf(empty, sizeof empty, "T20          trk [%39s]", "");
	CHECK_STR_CONTAINS(buf, empty);
}

static void t_keys(void)
{
	play_key k;
	const unsigned char up[] = "\x1b[A", right[] = "\x1bOC", home1[] = "\x1b[1~", home2[] = "\x1b[H", sp[] = " q";
	CHECK_INT(play_term_decode(up, 3, &k), 3);
	CHECK_INT(k.kind, PLAY_KEY_UP);
	CHECK_INT(play_term_decode(right, 3, &k), 3);
	CHECK_INT(k.kind, PLAY_KEY_RIGHT);
	CHECK_INT(play_term_decode(home1, 4, &k), 4);
	CHECK_INT(k.kind, PLAY_KEY_HOME);
	CHECK_INT(play_term_decode(home2, 3, &k), 3);
	CHECK_INT(k.kind, PLAY_KEY_HOME);
	CHECK_INT(play_term_decode(sp, 2, &k), 1);
	CHECK_INT(k.kind, PLAY_KEY_CHAR);
	CHECK_INT(k.ch, ' ');
	const unsigned char esc[] = "\x1b";
	CHECK_INT(play_term_decode(esc, 1, &k), 1); /* a lone Escape is a key */
	CHECK_INT(k.kind, PLAY_KEY_CHAR);
	const unsigned char pgup[] = "\x1b[5~x";
	CHECK_INT(play_term_decode(pgup, 5, &k), 4); /* unknown: consumed, ignored */
	CHECK_INT(k.kind, PLAY_KEY_NONE);
}

int main(void)
{
	static const mxt_case cases[] = { MXT(t_cells_and_formats), MXT(t_render_rows), MXT(t_render_ansi_message_scroll),
					  MXT(t_keys) };
	return MXT_RUN(cases);
}
