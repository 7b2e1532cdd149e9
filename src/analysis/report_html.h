/* mixdown — internal interface of the HTML report (mixdown_analysis_write_html).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The report is one self-contained HTML5 page: inline CSS, inline SVG plots,
 * no script and no URL of any kind. It is written straight to the caller's
 * FILE while reading the analyses: no allocation (small fixed buffers on the
 * stack only), so memory is the FILE's buffering.
 *   report_html.c        page skeleton, CSS, text/number helpers, entry point
 *   report_html_svg.c    plot primitives (axes, ticks, lines with gaps, bands)
 *   report_html_file.c   per-file plots: loudness, spectrum, correlation, vectorscope
 *   report_html_text.c   per-file summary tiles, problems, feedback, delivery table
 *   report_html_multi.c  multitrack: track levels, masking map, alignment, feedback
 * Units as in mixdown/mixdown.h (LUFS, LU, dBTP, dB, s, Hz). Threads: any,
 * for distinct FILEs; the analyses are only read.
 */
#ifndef MIXDOWN_ANALYSIS_REPORT_HTML_H
#define MIXDOWN_ANALYSIS_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mixdown/mixdown.h"

/* ---- report_html.c: text */
/* s as HTML text or attribute value: & < > " ' escaped, control characters
 * and invalid UTF-8 replaced by U+FFFD. NULL writes nothing. */
void mxr_esc(FILE *f, const char *s);
/* The same, cut after `max` characters (code points) with an ellipsis. */
void mxr_esc_n(FILE *f, const char *s, size_t max);
/* A number with `decimals` digits and a unit ("-14.2 LUFS", the unit after a
 * no-break space; unit may be NULL); a non-finite value as `none`. */
void mxr_num(FILE *f, double v, int decimals, const char *unit, const char *none);
/* Seconds as "12.5 s" below a minute, else "m:ss" / "h:mm:ss" ("m:ss.d" when `tenths`). */
void mxr_time(char *buf, size_t cap, double s, bool tenths);
/* Last path component of p (the file name). */
const char *mxr_basename(const char *p);
/* Comma-separated 1-based channel list of a mixdown_analysis_range mask. */
void mxr_channels(FILE *f, uint32_t mask);

/* Colour cues of the summary tiles and table rows (CSS classes). */
typedef enum { MXR_PLAIN, MXR_GOOD, MXR_WARN, MXR_BAD } mxr_cue;
const char *mxr_cue_class(mxr_cue c);

/* ---- report_html_svg.c: plots in SVG user units (px of the viewBox) */
typedef struct {
	FILE *f;
	double x0, x1, y0, y1; /* data range shown */
	bool logx;
	double left, top, w, h; /* plot area inside the viewBox */
} mxr_plot;

/* Opens <svg id=...> of vw x vh with a plot area leaving room for the axis
 * labels, and draws its frame. `label` is the accessible name (escaped). */
void mxr_plot_begin(mxr_plot *p, FILE *f, const char *id, const char *label, double vw, double vh, double x0,
		    double x1, bool logx, double y0, double y1);
void mxr_plot_end(mxr_plot *p);
double mxr_px(const mxr_plot *p, double x);
double mxr_py(const mxr_plot *p, double y); /* clamped to the plot area */
/* Horizontal grid lines every `step` from a multiple of it, labelled "%.*f". */
void mxr_axis_y(mxr_plot *p, double step, int decimals, const char *unit);
void mxr_axis_time(mxr_plot *p);   /* x ticks in s or m:ss over x0..x1 */
void mxr_axis_freq(mxr_plot *p);   /* log x ticks 20 Hz .. 20 kHz */
/* A polyline through (x_i, y_i), x_i = x ? x[i] : xa + i * dx. Non-finite y
 * values break the line; y outside the range is drawn at the edge. */
void mxr_line(mxr_plot *p, const double *x, double xa, double dx, const double *y, size_t n, const char *cls);
/* Points (x in Hz) as small circles with a tooltip "<frequency>: <y> dB". */
void mxr_dots(mxr_plot *p, const double *x, const double *y, size_t n, const char *cls);
/* A shaded area between lo[i] and hi[i] over x[i]; breaks where either is non-finite. */
void mxr_band(mxr_plot *p, const double *x, const double *lo, const double *hi, size_t n, const char *cls);
/* A horizontal line across the plot with an optional label at its right end. */
void mxr_hline(mxr_plot *p, double y, const char *cls, const char *label);
/* A rectangle in data coordinates (clamped to the plot). */
void mxr_rect(mxr_plot *p, double xa, double xb, double ya, double yb, const char *cls);
/* A "nice" grid step (1, 2, 5 x 10^k) for a span to be cut in about n parts. */
double mxr_nice_step(double span, int n);

/* ---- per-file sections (report_html_file.c, report_html_text.c) */
void mxr_file_summary(FILE *f, const mixdown_analysis *a);
void mxr_file_loudness(FILE *f, const mixdown_analysis *a);
void mxr_file_spectrum(FILE *f, const mixdown_analysis *a);
void mxr_file_correlation(FILE *f, const mixdown_analysis *a);
void mxr_file_vectorscope(FILE *f, const mixdown_analysis *a);
void mxr_file_problems(FILE *f, const mixdown_analysis *a);
void mxr_feedback_list(FILE *f, const mixdown_feedback *fb, size_t n, const char *none);
void mxr_file_delivery(FILE *f, const mixdown_analysis *a);

/* ---- report_html_multi.c */
void mxr_multitrack(FILE *f, const mixdown_multitrack_analysis *m);

#endif
