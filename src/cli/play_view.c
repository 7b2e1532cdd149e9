/* mixdown — the terminal view of `mixdown play` (play_view.h): one screen of
 * text from a snapshot; no I/O.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Layout (lines end in "\n"; with ansi each also clears to its end):
 *   transport: state, position / end, bar:beat, loop
 *   master loudness M/S/I (LUFS) and the session's target
 *   DSP load (average and maximum), xruns, underruns, OSC counts, reload
 *   a message line, the meter scale
 *   one row per strip: name, kind, bar, peak, CLIP, GR, fader, pan, M/S
 *   the keys
 * Bars: '#' up to the RMS, '=' from there up to the peak, '|' at the 2 s
 * peak hold when it is above the peak.
 */
#include "play_view.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HEAD_ROWS 5 /* lines above the strips */
#define FOOT_ROWS 1
#define FIXED_COLS 61 /* a strip row without its bar */
#define BAR_MAX 63    /* one cell per dB at most */

typedef struct {
	char *buf;
	size_t cap, len;
} out_buf;

static void put(out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(out_buf *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void end_line(out_buf *o, bool ansi) { put(o, "%s\n", ansi ? "\x1b[K" : ""); }

int play_view_cells(double dbfs, int width)
{
	if (!(dbfs > PLAY_VIEW_DB_MIN)) /* also -inf and NaN */
		return 0;
	double c = (dbfs - PLAY_VIEW_DB_MIN) / (PLAY_VIEW_DB_MAX - PLAY_VIEW_DB_MIN) * width;
	return c >= width ? width : (int)lround(c);
}

void play_view_pan(double pan, char *out, size_t cap)
{
	long pct = isfinite(pan) ? lround(pan * 100.0) : 0;
	pct = pct < -100 ? -100 : pct > 100 ? 100 : pct;
	if (pct == 0)
		snprintf(out, cap, "C");
	else
		snprintf(out, cap, "%c%ld", pct < 0 ? 'L' : 'R', pct < 0 ? -pct : pct);
}

void play_view_time(double s, char *out, size_t cap)
{
	long long ms = isfinite(s) && s > 0 ? llround(s * 1000.0) : 0;
	snprintf(out, cap, "%lld:%02lld.%03lld", ms / 60000, ms / 1000 % 60, ms % 1000);
}

static void lufs(out_buf *o, const char *label, double v)
{
	if (isfinite(v))
		put(o, "  %s %6.1f", label, v);
	else
		put(o, "  %s %6s", label, "--");
}

static void header(out_buf *o, const play_view *v, int bar_w)
{
	const mixdown_player_status *st = v->st;
	char pos[32], end[32], a[32], b[32];
	play_view_time(st->position, pos, sizeof pos);
	play_view_time(st->end, end, sizeof end);
	put(o, "mixdown play  %-9s  %s / %s", st->waiting ? "BUFFERING" : st->playing ? "PLAYING" : "STOPPED", pos, end);
	if (v->bar > 0)
		put(o, "  bar %d:%d", v->bar, v->beat);
	if (v->loop_on && st->loop_end > st->loop_start) {
		play_view_time(st->loop_start, a, sizeof a);
		play_view_time(st->loop_end, b, sizeof b);
		put(o, "  LOOP %s-%s", a, b);
	}
	end_line(o, v->ansi);
	put(o, "master");
	lufs(o, "M", st->momentary_lufs);
	lufs(o, "S", st->short_term_lufs);
	lufs(o, "I", st->integrated_lufs);
	put(o, " LUFS");
	if (isfinite(v->target_lufs))
		put(o, "  target %.1f", v->target_lufs);
	end_line(o, v->ansi);
	put(o, "DSP %3.0f%% avg %3.0f%% max  xruns %llu  underruns %llu  OSC %llu (%llu rejected)", st->dsp_load_avg * 100.0,
	    st->dsp_load * 100.0, (unsigned long long)st->xruns, (unsigned long long)st->underruns,
	    (unsigned long long)st->osc_messages, (unsigned long long)st->osc_rejected);
	if (v->reload && *v->reload)
		put(o, "  reload: %s", v->reload);
	end_line(o, v->ansi);
	if (st->error[0])
		put(o, "%s%s%s", v->ansi ? "\x1b[1;31m" : "", st->error, v->ansi ? "\x1b[0m" : "");
	else if (v->message && *v->message)
		put(o, "%s", v->message);
	end_line(o, v->ansi);
	/* The scale: labels at their cells, under the bars' first cell. */
	char scale[BAR_MAX + 8];
	memset(scale, ' ', sizeof scale);
	static const int marks[] = { -60, -40, -20, -10, -6, 0 };
	int free_from = 0; /* first column not taken by a label and its gap */
	for (size_t k = 0; k < sizeof marks / sizeof *marks; k++) {
		char lab[8];
		int len = snprintf(lab, sizeof lab, "%d", marks[k]);
		int at = 1 + play_view_cells(marks[k] + 1e-9, bar_w); /* column 0 is the '[' */
		at = at + len > bar_w + 2 ? bar_w + 2 - len : at;
		if (at < free_from)
			continue; /* would overlap the previous label */
		memcpy(scale + at, lab, (size_t)len);
		free_from = at + len + 1;
	}
	scale[bar_w + 2] = '\0';
	put(o, "%*s%s", 2 + 12 + 1 + 3 + 1, "", scale);
	end_line(o, v->ansi);
}

static const char *kind_name(mixdown_strip_kind k)
{
	return k == MIXDOWN_STRIP_TRACK ? "trk" : k == MIXDOWN_STRIP_BUS ? "bus" : "mst";
}

static void strip_row(out_buf *o, const play_view *v, size_t i, int bar_w)
{
	const mixdown_strip_state *ss = &v->strips[i];
	mixdown_strip_meter m = v->meters ? v->meters[i]
					  : (mixdown_strip_meter){ -INFINITY, -INFINITY, -INFINITY, false, 0.0f };
	bool sel = i == v->selected;
	if (sel && v->ansi)
		put(o, "\x1b[7m");
	put(o, "%s%-12.12s %s [", sel ? "> " : "  ", ss->name, kind_name(ss->kind));
	int r = play_view_cells(m.rms_dbfs, bar_w), p = play_view_cells(m.peak_dbfs, bar_w);
	int h = play_view_cells(m.peak_hold_dbfs, bar_w);
	char bar[BAR_MAX + 1];
	for (int c = 0; c < bar_w; c++)
		bar[c] = c < r ? '#' : c < p ? '=' : (c == h - 1 && h > p) ? '|' : ' ';
	bar[bar_w] = '\0';
	put(o, "%s] ", bar);
	if (isfinite(m.peak_dbfs))
		put(o, "%6.1f ", m.peak_dbfs);
	else
		put(o, "%6s ", "-inf");
	if (m.clip)
		put(o, "%sCLIP%s ", v->ansi ? "\x1b[1;31m" : "", v->ansi ? (sel ? "\x1b[0;7m" : "\x1b[0m") : "");
	else
		put(o, "     ");
	char pan[8];
	play_view_pan(ss->pan, pan, sizeof pan);
	put(o, "GR %4.1f fdr %+5.1f %-4s %c%c", m.gain_reduction_db, ss->gain_db, pan, ss->mute ? 'M' : '-',
	    ss->solo ? 'S' : '-');
	if (sel && v->ansi)
		put(o, "\x1b[0m");
	end_line(o, v->ansi);
}

size_t play_view_render(const play_view *v, char *buf, size_t cap)
{
	out_buf o = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	int width = v->width < 60 ? 60 : v->width;
	int bar_w = width - FIXED_COLS;
	bar_w = bar_w < 10 ? 10 : bar_w > BAR_MAX ? BAR_MAX : bar_w;
	if (v->ansi)
		put(&o, "\x1b[H");
	header(&o, v, bar_w);
	/* Strips that fit; the window follows the selection. */
	size_t room = v->rows > HEAD_ROWS + FOOT_ROWS + 1 ? (size_t)(v->rows - HEAD_ROWS - FOOT_ROWS) : 1;
	size_t first = 0;
	if (v->n_strips > room && v->selected >= room / 2)
		first = v->selected - room / 2 + room > v->n_strips ? v->n_strips - room : v->selected - room / 2;
	for (size_t i = first; i < v->n_strips && i < first + room; i++)
		strip_row(&o, v, i, bar_w);
	put(&o, "space play/stop  left/right -/+5 s  0 start  up/down select  m mute  s solo  +/- fader  "
		"[ ] l loop  q quit");
	end_line(&o, v->ansi);
	if (v->ansi)
		put(&o, "\x1b[J");
	return o.len;
}
