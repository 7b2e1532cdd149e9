/* mixdown — the HTML report: page skeleton, stylesheet, text helpers and
 * mixdown_analysis_write_html().
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One HTML5 page, UTF-8, readable offline and printable: the stylesheet is
 * inline, plots are inline SVG (no xmlns needed in HTML5), there is no script
 * and no URL of any kind (no fonts, images or links to fetch). Dark text on a
 * light page, one card per analyzed file, then one card for the tracks of a
 * multitrack analysis. Everything taken from the analyses (paths, names,
 * messages) is escaped. Writes straight to the caller's FILE, no allocation.
 * Units: as in mixdown/mixdown.h. Any thread, distinct FILEs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analysis/report_html.h"

/* Light page, dark text; the palette is shared with the SVG classes. Colour
 * is never the only carrier: values, ticks and labels are always written. */
static const char css[] =
	":root{--ink:#1d232b;--muted:#5b6572;--line:#d9dee5;--card:#fff;--page:#f3f5f8;"
	"--blue:#1f5fa8;--sky:#8db4e2;--orange:#d9822b;--good:#1e7d45;--warn:#a86400;--bad:#b3261e}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--page);color:var(--ink);"
	"font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
	"font-variant-numeric:tabular-nums}\n"
	"main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}\n"
	"header.page h1{margin:0;font-size:26px;letter-spacing:-.01em}\n"
	"header.page p{margin:4px 0 20px;color:var(--muted)}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
	"box-shadow:0 1px 3px rgba(20,30,40,.06);padding:20px 24px;margin:0 0 28px}\n"
	".card>header h2{margin:0;font-size:21px;word-break:break-all}\n"
	".card>header .path,.card>header .meta{margin:2px 0 0;color:var(--muted);font-size:13px;word-break:break-all}\n"
	"h3{font-size:16px;margin:22px 0 6px}\n"
	"h4{font-size:14px;margin:14px 0 4px;color:var(--muted)}\n"
	"section{min-width:0}\n"
	".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(152px,1fr));gap:10px;margin:16px 0 4px}\n"
	".tile{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:8px;padding:8px 12px}\n"
	".tile .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}\n"
	".tile .v{font-size:21px;font-weight:600;white-space:nowrap}\n"
	".tile .n{font-size:12px;color:var(--muted)}\n"
	".tile.good{border-left-color:var(--good)}.tile.good .v{color:var(--good)}\n"
	".tile.warn{border-left-color:var(--warn)}.tile.warn .v{color:var(--warn)}\n"
	".tile.bad{border-left-color:var(--bad)}.tile.bad .v{color:var(--bad)}\n"
	".two{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:24px;align-items:start}\n"
	".half{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:24px;align-items:start}\n"
	"@media (max-width:820px){.two,.half{grid-template-columns:minmax(0,1fr)}}\n"
	"svg.plot{display:block;width:100%;height:auto;max-width:100%}\n"
	"svg.scope{max-width:340px;margin:0 auto}\n"
	".plot .frame{fill:#fbfcfd;stroke:#b9c1cc}\n"
	".plot .grid{stroke:#e3e7ec;stroke-width:1}\n"
	".plot .minor{stroke:#eff1f4;stroke-width:1}\n"
	".plot .zero{stroke:#8a94a1;stroke-width:1.2}\n"
	".plot text{font-size:11px;fill:var(--muted)}\n"
	".plot text.lab{font-size:12px;fill:var(--ink);font-weight:600}\n"
	/* A halo keeps labels readable where they cross a line. */
	".plot text{paint-order:stroke;stroke:#fbfcfd;stroke-width:3px;stroke-linejoin:round}\n"
	".plot .m{fill:none;stroke:var(--sky);stroke-width:1.2}\n"
	".plot .s{fill:none;stroke:var(--blue);stroke-width:2.2;stroke-linejoin:round}\n"
	".plot .i{stroke:var(--orange);stroke-width:1.8;stroke-dasharray:7 4}\n"
	".plot .mix{fill:none;stroke:var(--blue);stroke-width:2.4;stroke-linejoin:round}\n"
	".plot .dot{fill:var(--blue)}\n"
	".plot .c{fill:none;stroke:var(--blue);stroke-width:1.8;stroke-linejoin:round}\n"
	".plot .neg{fill:#b3261e;fill-opacity:.07}\n"
	".plot .r0{fill:none;stroke:#2e8b57;stroke-width:1.8;stroke-dasharray:6 3}.plot "
	".b0{fill:#2e8b57;fill-opacity:.16}\n"
	".plot .r1{fill:none;stroke:#b5485d;stroke-width:1.8;stroke-dasharray:6 3}.plot "
	".b1{fill:#b5485d;fill-opacity:.16}\n"
	".plot .r2{fill:none;stroke:#7b5ea7;stroke-width:1.8;stroke-dasharray:6 3}.plot "
	".b2{fill:#7b5ea7;fill-opacity:.16}\n"
	".plot .r3{fill:none;stroke:#a07c10;stroke-width:1.8;stroke-dasharray:6 3}.plot "
	".b3{fill:#a07c10;fill-opacity:.16}\n"
	".plot .cell{fill:#173a63}\n"
	".plot .axis{stroke:#9aa4b1;stroke-width:1;stroke-dasharray:3 3}\n"
	".plot .bar{fill:var(--blue)}.plot .bar.bus{fill:#6f8fb8}\n"
	".plot .tp{fill:var(--orange)}\n"
	".plot .mask{fill:#b3261e}\n"
	".legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px;"
	"font-size:13px;color:var(--muted)}\n"
	".legend li::before{content:'';display:inline-block;width:18px;height:0;border-top:3px solid;"
	"vertical-align:middle;margin-right:6px}\n"
	".legend .m::before{border-color:var(--sky)}.legend .s::before{border-color:var(--blue)}\n"
	".legend .i::before{border-top-style:dashed;border-color:var(--orange)}\n"
	".legend .r0::before{border-top-style:dashed;border-color:#2e8b57}"
	".legend .r1::before{border-top-style:dashed;border-color:#b5485d}\n"
	".legend .r2::before{border-top-style:dashed;border-color:#7b5ea7}"
	".legend .r3::before{border-top-style:dashed;border-color:#a07c10}\n"
	".legend .tp::before{border-color:var(--orange);width:4px;border-top-width:12px}\n"
	".note{font-size:13px;color:var(--muted);margin:4px 0}\n"
	"table{border-collapse:collapse;width:100%;font-size:13.5px;margin:4px 0}\n"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}\n"
	"th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}\n"
	"td.num,th.num{text-align:right;white-space:nowrap}\n"
	"tr.good td.ok{color:var(--good);font-weight:600}tr.bad td.ok{color:var(--bad);font-weight:600}\n"
	"tr.bad{background:#fdf3f2}\n"
	"ul.fb,ul.probs{list-style:none;margin:4px 0;padding:0}\n"
	"ul.fb li,ul.probs li{padding:6px 0;border-bottom:1px solid var(--line)}\n"
	".badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;"
	"border-radius:4px;padding:1px 6px;margin-right:6px;color:#fff;vertical-align:1px}\n"
	".p1{background:var(--bad)}.p2{background:var(--warn)}.p3{background:#6b7785}\n"
	".topic{font-size:12px;color:var(--muted);margin-right:6px}\n"
	".ok-text{color:var(--good)}\n"
	"@media print{body{background:#fff}.card{box-shadow:none;break-inside:avoid-page}}\n";

void mxr_esc_n(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t chars = 0; p && *p; chars++) {
		if (chars == max) {
			fputs("&#8230;", f);
			return;
		}
		unsigned c = *p;
		if (c < 0x80) {
			switch (c) {
			case '&': fputs("&amp;", f); break;
			case '<': fputs("&lt;", f); break;
			case '>': fputs("&gt;", f); break;
			case '"': fputs("&quot;", f); break;
			case '\'': fputs("&#39;", f); break;
			default:
				/* Control characters are not allowed in HTML text (tab and newline are). */
				if (c < 32 && c != '\t' && c != '\n')
					fputs("\xEF\xBF\xBD", f);
				else
					fputc((int)c, f);
			}
			p++;
			continue;
		}
		/* A well-formed UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF) is copied. */
		size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		bool ok = len > 0;
		for (size_t i = 1; ok && i < len; i++)
			ok = (p[i] & 0xC0) == 0x80;
		if (ok && len == 3)
			ok = !(c == 0xE0 && p[1] < 0xA0) && !(c == 0xED && p[1] >= 0xA0);
		if (ok && len == 4)
			ok = !(c == 0xF0 && p[1] < 0x90) && !(c == 0xF4 && p[1] >= 0x90);
		if (ok) {
			fwrite(p, 1, len, f);
			p += len;
		} else {
			fputs("\xEF\xBF\xBD", f);
			p++;
		}
	}
}

void mxr_esc(FILE *f, const char *s)
{
	mxr_esc_n(f, s, SIZE_MAX);
}

void mxr_num(FILE *f, double v, int decimals, const char *unit, const char *none)
{
	if (!isfinite(v)) {
		fputs(none ? none : "&#8212;", f);
		return;
	}
	if (fabs(v) < 0.5 * pow(10.0, -decimals))
		v = 0.0; /* no "-0.0" */
	fprintf(f, "%.*f", decimals, v);
	if (unit && *unit)
		fprintf(f, "&#160;%s", unit);
}

void mxr_time(char *buf, size_t cap, double s, bool tenths)
{
	if (!isfinite(s)) {
		snprintf(buf, cap, "?");
		return;
	}
	if (s < 0)
		s = 0;
	if (s < 60.0) {
		snprintf(buf, cap, tenths ? "%.1f s" : "%.0f s", s);
		return;
	}
	double r = tenths ? round(s * 10.0) / 10.0 : round(s);
	long whole = (long)floor(r);
	double frac = r - (double)whole;
	long h = whole / 3600, m = whole / 60 % 60, sec = whole % 60;
	if (h > 0)
		snprintf(buf, cap, "%ld:%02ld:%02ld", h, m, sec);
	else if (tenths)
		snprintf(buf, cap, "%ld:%04.1f", m, (double)sec + frac);
	else
		snprintf(buf, cap, "%ld:%02ld", m, sec);
}

const char *mxr_basename(const char *p)
{
	const char *b = strrchr(p, '/');
	return b && b[1] ? b + 1 : p;
}

void mxr_channels(FILE *f, uint32_t mask)
{
	bool first = true;
	for (uint32_t c = 0; c < 32; c++)
		if (mask & (1u << c)) {
			fprintf(f, first ? "%u" : ", %u", c + 1);
			first = false;
		}
}

const char *mxr_cue_class(mxr_cue c)
{
	return c == MXR_GOOD ? "good" : c == MXR_WARN ? "warn" : c == MXR_BAD ? "bad" : "plain";
}

static void file_card(FILE *f, const mixdown_analysis *a, size_t index)
{
	fprintf(f, "<article class=\"card file\" id=\"file-%zu\">\n<header><h2>", index + 1);
	mxr_esc(f, mxr_basename(a->path));
	fputs("</h2>\n<p class=\"path\">", f);
	mxr_esc(f, a->path);
	char d[32];
	mxr_time(d, sizeof d, a->duration, true);
	fprintf(f, "</p>\n<p class=\"meta\">%s &#183; %.0f Hz &#183; %u channel%s</p></header>\n", d, a->sample_rate,
		a->channels, a->channels == 1 ? "" : "s");
	mxr_file_summary(f, a);
	mxr_file_loudness(f, a);
	mxr_file_spectrum(f, a);
	fputs("<div class=\"two\">\n", f);
	mxr_file_correlation(f, a);
	mxr_file_vectorscope(f, a);
	fputs("</div>\n<div class=\"half\">\n<section class=\"feedback\"><h3>Feedback</h3>\n", f);
	mxr_feedback_list(f, a->feedback, a->n_feedback, "No suggestions.");
	fputs("</section>\n", f);
	mxr_file_problems(f, a);
	fputs("</div>\n", f);
	mxr_file_delivery(f, a);
	fputs("</article>\n", f);
}

int mixdown_analysis_write_html(const mixdown_analysis *const *a, size_t n, const mixdown_multitrack_analysis *m,
				FILE *f)
{
	if (!f)
		return -1;
	/* A session analysis passed without files still shows its mix. */
	const mixdown_analysis *const mix_only[1] = { m ? m->mix : NULL };
	if (n == 0 && mix_only[0]) {
		a = mix_only;
		n = 1;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"mixdown analyze\">\n<title>",
	      f);
	if (n == 1 && a[0]) {
		mxr_esc(f, mxr_basename(a[0]->path));
		fputs(" &#8212; ", f);
	}
	fputs("mixdown analysis</title>\n<style>\n", f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<main>\n<header class=\"page\"><h1>Mix analysis</h1>\n<p>", f);
	size_t shown = 0;
	for (size_t i = 0; i < n; i++)
		shown += a[i] != NULL;
	fprintf(f, "%zu file%s", shown, shown == 1 ? "" : "s");
	if (m)
		fprintf(f, " &#183; %zu track%s", m->n_tracks, m->n_tracks == 1 ? "" : "s");
	fputs(" &#183; loudness per ITU-R BS.1770-5 / EBU R 128</p></header>\n", f);
	if (shown == 0 && !m)
		fputs("<p class=\"note\">Nothing was analyzed.</p>\n", f);
	for (size_t i = 0; i < n; i++)
		if (a[i])
			file_card(f, a[i], i);
	if (m)
		mxr_multitrack(f, m);
	fputs("</main>\n</body>\n</html>\n", f);
	return ferror(f) || fflush(f) ? -1 : 0;
}
