/* mixdown — session keys for Broadcast WAV time references: a clip's
 * `at: bwf` and the top-level `timeline_origin`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A BWF file's bext chunk (EBU Tech 3285) holds a time reference: the sample
 * count since midnight of the file's first sample, at the file's own rate.
 * `timeline_origin` is the time of day (seconds since midnight) at the
 * session's timeline 0 (default 0 = midnight), so a clip `at: bwf` starts at
 * time_reference / file_rate + offset - timeline_origin seconds: a trimmed
 * clip (offset) stays in sync with its recording, as in a DAW. The renderer
 * writes the same time base back into the bext chunk of a WAV export.
 * Control thread only (opens the clip's file again to read the chunk).
 */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/parse_internal.h"

/* "HH:MM:SS" or "HH:MM:SS.sss" (24-hour clock) into seconds since midnight. */
static bool parse_clock(const char *s, double *out)
{
	unsigned h = 0, m = 0;
	double sec = 0;
	int used = 0;
	if (sscanf(s, "%2u:%2u:%lf%n", &h, &m, &sec, &used) != 3 || s[used] != '\0')
		return false;
	if (h > 23 || m > 59 || !(sec >= 0 && sec < 60) || s[0] < '0' || s[0] > '9')
		return false;
	*out = h * 3600.0 + m * 60.0 + sec;
	return true;
}

mixdown_status px_timeline_origin(mxd_pctx *c, const mxy_node *root)
{
	const mxy_node *v = mxy_get(root, "timeline_origin", NULL);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "timeline_origin");
	if (v->kind == MXY_SCALAR && memchr(v->str, ':', v->len)) {
		char got[96];
		if (!parse_clock(v->str, &c->s->timeline_origin))
			return px_fail(c, MIXDOWN_ERR_SESSION, v->loc,
				       "expected a time of day \"HH:MM:SS[.sss]\" or seconds since midnight, got %s",
				       px_describe(v, got, sizeof got));
	} else {
		PX_TRY(px_number(c, v, "s", 0, 86400, false, &c->s->timeline_origin));
	}
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}

/* "10:00:02.500" for messages. */
static const char *clock_text(double t, char *buf, size_t size)
{
	double a = fabs(t);
	unsigned h = (unsigned)(a / 3600), m = (unsigned)(fmod(a, 3600) / 60);
	snprintf(buf, size, "%s%02u:%02u:%06.3f", t < 0 ? "-" : "", h, m, fmod(a, 60));
	return buf;
}

mixdown_status px_clip_at_bwf(mxd_pctx *c, const mxy_node *at, mxd_clip *clip)
{
	size_t old = px_key(c, "at");
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(clip->file, SFM_READ, &info);
	SF_BROADCAST_INFO bi;
	memset(&bi, 0, sizeof bi);
	bool has = f && sf_command(f, SFC_GET_BROADCAST_INFO, &bi, sizeof bi) == SF_TRUE;
	if (f)
		sf_close(f);
	if (!has)
		return px_fail(c, MIXDOWN_ERR_SESSION, at->loc,
			       "'%s' has no BWF time reference (no bext chunk): give `at:` a time instead",
			       clip->file_written);
	uint64_t ref = (uint64_t)bi.time_reference_high << 32 | bi.time_reference_low;
	double start = (double)ref / clip->file_rate;
	clip->at = start + clip->offset - c->s->timeline_origin;
	clip->at_bwf = true;
	if (clip->at < 0) {
		char a[32], b[32];
		return px_fail(c, MIXDOWN_ERR_SESSION, at->loc,
			       "'%s' starts at %s (BWF time reference), before the timeline origin %s "
			       "(set `timeline_origin:` at the top level)",
			       clip->file_written, clock_text(start + clip->offset, a, sizeof a),
			       clock_text(c->s->timeline_origin, b, sizeof b));
	}
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}
