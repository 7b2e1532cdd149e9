/* mixdown — the terminal view of `mixdown play` as a pure function: a
 * snapshot of the player (status, strips, meters, selection) in, the text of
 * one full screen out. No terminal I/O here, so tests can render a snapshot
 * with known values and check the text.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: levels in dBFS, loudness in LUFS, positions in seconds, loads as
 * shares of a period (0..1+). Meter bars span -60..+3 dBFS linearly in dB.
 * The caller owns every pointer in the snapshot; nothing is kept.
 * Control thread (the CLI's main loop) only.
 */
#ifndef MIXDOWN_CLI_PLAY_VIEW_H
#define MIXDOWN_CLI_PLAY_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "mixdown/mixdown.h"

#define PLAY_VIEW_DB_MIN (-60.0)
#define PLAY_VIEW_DB_MAX 3.0

typedef struct {
	const mixdown_player_status *st;
	const mixdown_strip_state *strips;
	const mixdown_strip_meter *meters;  /* n_strips of them, or NULL (no meters yet) */
	size_t n_strips;
	size_t selected;                    /* highlighted strip */
	double target_lufs;                 /* the session's target; NAN = none */
	int bar, beat;                      /* transport position in bars; bar 0 = no tempo */
	bool loop_on;
	const char *reload;                 /* reload status line ("" / NULL = none) */
	const char *message;                /* a transient note ("solo not available"), or NULL */
	int width;                          /* terminal columns (at least 60 are used) */
	int rows;                           /* terminal rows: strips beyond them scroll around the selection */
	bool ansi;                          /* cursor home, clear-to-end-of-line, highlight, colour */
} play_view;

/* Render one screen into buf (always NUL-terminated when cap > 0); returns
 * the length the full text needs (like snprintf). Lines end in "\n". */
size_t play_view_render(const play_view *v, char *buf, size_t cap);

/* Pieces, exposed for tests. Cells of a `width`-cell bar lit by `dbfs`
 * (-60 dBFS and below: 0; +3 and above: width; rounded to nearest). */
int play_view_cells(double dbfs, int width);
/* Pan -1..+1 as "C", "L50", "R30" (percent, rounded). out: at least 8 bytes. */
void play_view_pan(double pan, char *out, size_t cap);
/* Seconds as "m:ss.mmm" (negative clamps to 0). */
void play_view_time(double s, char *out, size_t cap);

#endif
