/* mixdown — SVG plot primitives of the HTML report.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A plot is an inline <svg class="plot"> with a viewBox in px and a plot
 * area inside it (margins for the tick labels). Data coordinates map
 * linearly (or log10 for frequency) onto it, y upwards. Elements carry CSS
 * classes only; the look is in the stylesheet of report_html.c. Coordinates
 * are written with 0.1 px precision. Lines break at non-finite values
 * instead of inventing data; values beyond the y range are drawn on the
 * edge. Writes straight to the FILE, no allocation. Any thread.
 */
#include <math.h>
#include <stdio.h>

#include "analysis/report_html.h"

enum { MARGIN_LEFT = 50, MARGIN_RIGHT = 14, MARGIN_TOP = 20, MARGIN_BOTTOM = 28 };

void mxr_plot_begin(mxr_plot *p, FILE *f, const char *id, const char *label, double vw, double vh, double x0, double x1,
		    bool logx, double y0, double y1)
{
	*p = (mxr_plot){ .f = f, .x0 = x0, .x1 = x1, .y0 = y0, .y1 = y1, .logx = logx };
	p->left = MARGIN_LEFT;
	p->top = MARGIN_TOP;
	p->w = vw - MARGIN_LEFT - MARGIN_RIGHT;
	p->h = vh - MARGIN_TOP - MARGIN_BOTTOM;
	fprintf(f, "<svg class=\"plot\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", id, vw, vh);
	mxr_esc(f, label);
	fprintf(f, "\">\n<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", p->left,
		p->top, p->w, p->h);
}

void mxr_plot_end(mxr_plot *p)
{
	fputs("</svg>\n", p->f);
}

static double xpos(const mxr_plot *p, double x)
{
	double u = p->logx ? (log10(x) - log10(p->x0)) / (log10(p->x1) - log10(p->x0)) : (x - p->x0) / (p->x1 - p->x0);
	return p->left + u * p->w;
}

double mxr_px(const mxr_plot *p, double x)
{
	return xpos(p, x);
}

double mxr_py(const mxr_plot *p, double y)
{
	double u = (y - p->y0) / (p->y1 - p->y0);
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	return p->top + (1.0 - u) * p->h;
}

static bool x_inside(const mxr_plot *p, double x)
{
	const double eps = 1e-9 * fabs(p->x1 - p->x0);
	return isfinite(x) && x >= p->x0 - eps && x <= p->x1 + eps && (!p->logx || x > 0);
}

double mxr_nice_step(double span, int n)
{
	if (!(span > 0) || n < 1)
		return 1.0;
	const double raw = span / n, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
	return (r <= 1.0 ? 1.0 : r <= 2.0 ? 2.0 : r <= 5.0 ? 5.0 : 10.0) * mag;
}

static void vline(mxr_plot *p, double x, const char *cls)
{
	const double px = xpos(p, x);
	fprintf(p->f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", cls, px, p->top, px,
		p->top + p->h);
}

static void xlabel(mxr_plot *p, double x, const char *text)
{
	fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", xpos(p, x), p->top + p->h + 16,
		text);
}

void mxr_axis_y(mxr_plot *p, double step, int decimals, const char *unit)
{
	FILE *f = p->f;
	const double eps = 1e-9 * step;
	for (double v = ceil((p->y0 - eps) / step) * step; v <= p->y1 + eps; v += step) {
		const double y = mxr_py(p, v);
		const bool zero = fabs(v) < eps && p->y0 < -eps && p->y1 > eps;
		fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			zero ? "zero" : "grid", p->left, y, p->left + p->w, y);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", p->left - 6, y + 4);
		mxr_num(f, fabs(v) < eps ? 0.0 : v, decimals, NULL, NULL);
		fputs("</text>\n", f);
	}
	if (unit)
		fprintf(f, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", p->left, p->top - 7, unit);
}

void mxr_axis_time(mxr_plot *p)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200 };
	const double span = p->x1 - p->x0;
	double step = steps[sizeof steps / sizeof steps[0] - 1];
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (span / steps[i] <= 10.0) {
			step = steps[i];
			break;
		}
	const bool minutes = p->x1 >= 60.0;
	for (double t = ceil(p->x0 / step - 1e-9) * step; t <= p->x1 + 1e-9 * span; t += step) {
		char buf[32];
		if (fabs(t) < 1e-9 * span)
			t = 0.0; /* not "-0 s" */
		if (minutes)
			mxr_time(buf, sizeof buf, t, false);
		else
			snprintf(buf, sizeof buf, step < 1 ? "%.1f s" : "%.0f s", t);
		vline(p, t, "minor");
		xlabel(p, t, buf);
	}
}

void mxr_axis_freq(mxr_plot *p)
{
	static const double major[] = { 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 };
	static const char *const names[] = { "20", "50", "100", "200", "500", "1k", "2k", "5k", "10k", "20k" };
	for (double dec = 10; dec <= 10000; dec *= 10)
		for (int k = 1; k <= 9; k++)
			if (x_inside(p, k * dec) && k != 1 && k != 2 && k != 5)
				vline(p, k * dec, "minor");
	for (size_t i = 0; i < sizeof major / sizeof major[0]; i++) {
		if (!x_inside(p, major[i]))
			continue;
		vline(p, major[i], "grid");
		xlabel(p, major[i], names[i]);
	}
	fprintf(p->f, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">Hz</text>\n", p->left + p->w,
		p->top - 7);
}

static double xat(const double *x, double xa, double dx, size_t i)
{
	return x ? x[i] : xa + (double)i * dx;
}

void mxr_line(mxr_plot *p, const double *x, double xa, double dx, const double *y, size_t n, const char *cls)
{
	if (!y || n == 0)
		return;
	FILE *f = p->f;
	fprintf(f, "<path class=\"%s\" d=\"", cls);
	size_t run = 0; /* points in the current piece */
	for (size_t i = 0; i < n; i++) {
		const double xi = xat(x, xa, dx, i);
		if (!isfinite(y[i]) || !x_inside(p, xi)) {
			if (run == 1)
				fputs("h0.1", f); /* a lone point still shows (round caps) */
			run = 0;
			continue;
		}
		fprintf(f, "%s%.1f %.1f", run ? "L" : "M", xpos(p, xi), mxr_py(p, y[i]));
		run++;
	}
	if (run == 1)
		fputs("h0.1", f);
	fputs("\"/>\n", f);
}

void mxr_dots(mxr_plot *p, const double *x, const double *y, size_t n, const char *cls)
{
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(y[i]) || !x_inside(p, x[i]))
			continue;
		fprintf(p->f, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\"><title>", cls, xpos(p, x[i]),
			mxr_py(p, y[i]));
		if (x[i] >= 1000)
			fprintf(p->f, "%.3g kHz: ", x[i] / 1000.0);
		else
			fprintf(p->f, "%.3g Hz: ", x[i]);
		mxr_num(p->f, y[i], 1, "dB", NULL);
		fputs("</title></circle>\n", p->f);
	}
}

void mxr_band(mxr_plot *p, const double *x, const double *lo, const double *hi, size_t n, const char *cls)
{
	FILE *f = p->f;
	bool open = false;
	size_t i = 0;
	while (i < n) {
		/* One contiguous run [i, j) where both edges are defined. */
		size_t j = i;
		while (j < n && isfinite(lo[j]) && isfinite(hi[j]) && x_inside(p, x[j]))
			j++;
		if (j - i >= 2) {
			if (!open) {
				fprintf(f, "<path class=\"%s\" d=\"", cls);
				open = true;
			}
			for (size_t k = i; k < j; k++)
				fprintf(f, "%s%.1f %.1f", k == i ? "M" : "L", xpos(p, x[k]), mxr_py(p, hi[k]));
			for (size_t k = j; k-- > i;)
				fprintf(f, "L%.1f %.1f", xpos(p, x[k]), mxr_py(p, lo[k]));
			fputc('Z', f);
		}
		i = j > i ? j : i + 1;
	}
	if (open)
		fputs("\"/>\n", f);
}

void mxr_hline(mxr_plot *p, double y, const char *cls, const char *label)
{
	if (!isfinite(y) || y < p->y0 || y > p->y1)
		return;
	const double py = mxr_py(p, y);
	fprintf(p->f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", cls, p->left, py,
		p->left + p->w, py);
	if (label) {
		fprintf(p->f, "<text class=\"lab\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", p->left + p->w - 4,
			py - 5);
		mxr_esc(p->f, label);
		fputs("</text>\n", p->f);
	}
}

void mxr_rect(mxr_plot *p, double xa, double xb, double ya, double yb, const char *cls)
{
	double x0 = xpos(p, xa), x1 = xpos(p, xb);
	x0 = x0 < p->left ? p->left : x0;
	x1 = x1 > p->left + p->w ? p->left + p->w : x1;
	const double y0 = mxr_py(p, yb), y1 = mxr_py(p, ya);
	if (x1 <= x0 || y1 <= y0)
		return;
	fprintf(p->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", cls, x0, y0,
		x1 - x0, y1 - y0);
}
