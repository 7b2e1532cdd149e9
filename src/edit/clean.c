/* mixdown — `mixdown clean`: reads each chosen track's clips and runs the
 * detectors (strip silence, DC, clicks, clipping, hum, noise floor) and the
 * alignment to a reference track; see docs/clean.md.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Clips are read whole at their file's own rate for the detectors (times stay
 * exact in the file); alignment reads each track's clips onto the session
 * timeline at the session rate (mono: the mean of the channels, clip gains
 * and the strip's polarity applied, fades not) over the first ALIGN_WINDOW_S
 * seconds where both tracks play. Memory: one clip at a time. Control thread;
 * deterministic (no clocks, no random numbers).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "edit/clean.h"
#include "io/reader.h"

#define READ_BLOCK 8192
#define ALIGN_WINDOW_S 20.0
#define ALIGN_MIN_CONTRAST 5.0 /* peak over correlation RMS below this: no clear common source */
#define DENOISE_FLOOR_DB -70.0 /* a noise floor above this is worth reducing */
#define DENOISE_TARGET_DB -74.0 /* amount = floor - target, 6..24 dB */

mixdown_clean_options mixdown_clean_options_init(void)
{
	return (mixdown_clean_options){ .strip_silence = true,
					.declick = true,
					.declip = true,
					.denoise = true,
					.dehum = true,
					.dc = true };
}

static void free_chans(float **ch, uint32_t n)
{
	if (!ch)
		return;
	for (uint32_t c = 0; c < n; c++)
		free(ch[c]);
	free(ch);
}

/* `frames` frames (fewer at the end of the file) of `path` from file frame
 * `start`, at `rate`, into new planar buffers. */
static mixdown_status read_span(const char *path, double rate, int64_t start, int64_t frames, float ***out,
				uint32_t *channels, int64_t *got_frames, mixdown_error *err)
{
	*out = NULL;
	*got_frames = 0;
	mxd_reader *r = NULL;
	mixdown_status st = mxd_reader_open(path, rate, start, READ_BLOCK, &r, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	uint32_t nc = mxd_reader_channels(r);
	int64_t avail = mxd_reader_length(r);
	if (frames < 0 || frames > avail)
		frames = avail;
	float **ch = calloc(nc, sizeof *ch);
	for (uint32_t c = 0; ch && c < nc; c++)
		if (!(ch[c] = calloc(frames > 0 ? (size_t)frames : 1, sizeof *ch[c]))) {
			free_chans(ch, nc);
			ch = NULL;
		}
	if (!ch) {
		mxd_reader_close(r);
		return MIXDOWN_ERR_NOMEM;
	}
	int64_t pos = 0;
	while (pos < frames && st == MIXDOWN_SUCCESS) {
		float *dst[MXD_MAX_CHANNELS];
		for (uint32_t c = 0; c < nc && c < MXD_MAX_CHANNELS; c++)
			dst[c] = ch[c] + pos;
		uint32_t want = frames - pos < READ_BLOCK ? (uint32_t)(frames - pos) : READ_BLOCK, got = 0;
		st = mxd_reader_read(r, dst, want, &got, err);
		pos += got;
		if (got < want)
			break;
	}
	mxd_reader_close(r);
	if (st != MIXDOWN_SUCCESS) {
		free_chans(ch, nc);
		return st;
	}
	*out = ch;
	*channels = nc;
	*got_frames = pos;
	return MIXDOWN_SUCCESS;
}

/* Seconds the clip plays. */
static double clip_len(const mxd_clip *k)
{
	if (k->length >= 0)
		return k->length;
	double l = (double)k->file_frames / k->file_rate - k->offset;
	return l > 0 ? l : 0.0;
}

static double db(double p)
{
	return p > 1e-30 ? 10.0 * log10(p) : -300.0;
}

/* Strip silence on one clip: the kept regions, or none when nothing would go
 * (cuts shorter than min_silence at the clip's ends are not made, so a clip
 * already cut to its phrase stays as it is: a second run proposes nothing). */
static int clip_silence(mxd_clean_track *t, size_t i, const float *const *ch, uint32_t nc, int64_t frames,
			double rate)
{
	mxd_silence_params p = mxd_silence_defaults();
	mxd_region *r = NULL;
	size_t n = 0;
	if (mxd_silence_find(ch, nc, frames, rate, &p, &r, &n) != 0)
		return -1;
	double len = (double)frames / rate;
	if (n && r[0].start < p.min_silence)
		r[0].start = 0.0;
	if (n && len - r[n - 1].end < p.min_silence)
		r[n - 1].end = len;
	if (n == 1 && r[0].start == 0.0 && r[0].end == len) {
		free(r);
		return 0;
	}
	t->gaps += n ? n - 1 + (r[0].start > 0) + (r[n - 1].end < len) : 1;
	t->gap_seconds += mxd_silence_removed(r, n, len);
	t->keep[i] = r;
	t->n_keep[i] = n;
	t->split = true;
	if (!r) { /* all silent: the clip goes; a marker region of zero length says so */
		if (!(t->keep[i] = calloc(1, sizeof *r)))
			return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static bool has_insert(const mxd_strip *s, const char *type, const char *id)
{
	for (size_t i = 0; i < s->n_inserts; i++)
		if ((s->inserts[i].id && !strcmp(s->inserts[i].id, id)) ||
		    (type && s->inserts[i].cls && !strcmp(s->inserts[i].cls->name, type)))
			return true;
	return false;
}

static mixdown_status scan_track(const mxd_clean *c, mxd_clean_track *t, mixdown_error *err)
{
	const mxd_strip *s = t->strip;
	const mixdown_clean_options *o = &c->opt;
	if (!(t->keep = calloc(s->n_clips + 1, sizeof *t->keep)) || !(t->n_keep = calloc(s->n_clips + 1, sizeof(size_t))))
		return MIXDOWN_ERR_NOMEM;
	t->hum_db = -300.0;
	t->noise_db = -300.0;
	double noise_p = 0.0, noise_w = 0.0;
	for (size_t i = 0; i < s->n_clips; i++) {
		const mxd_clip *k = &s->clips[i];
		float **ch = NULL;
		uint32_t nc = 0;
		int64_t frames = 0;
		int64_t want = (int64_t)llround(clip_len(k) * k->file_rate);
		mixdown_status st = read_span(k->file, k->file_rate, (int64_t)llround(k->offset * k->file_rate), want, &ch,
					      &nc, &frames, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		const float *const *cc = (const float *const *)ch;
		double rate = k->file_rate;
		int fail = 0;
		if (o->strip_silence)
			fail = clip_silence(t, i, cc, nc, frames, rate);
		if (o->dc) {
			double dc[MXD_MAX_CHANNELS];
			mxd_dc_measure(cc, nc, frames, dc);
			for (uint32_t ci = 0; ci < nc; ci++)
				if (fabs(dc[ci]) > fabs(t->dc))
					t->dc = dc[ci];
			t->dc_run = true;
		}
		if (o->declick) {
			mxd_click found[MXD_CLEAN_MAX_CLICKS];
			size_t n = mxd_click_scan(cc, nc, frames, rate, 0.5, found, MXD_CLEAN_MAX_CLICKS);
			for (size_t j = 0; j < n && j < MXD_CLEAN_MAX_CLICKS && t->n_clicks + j < MXD_CLEAN_MAX_CLICKS; j++)
				t->click_time[t->n_clicks + j] = k->at + found[j].time;
			t->n_clicks += n;
			t->clicks_run = true;
		}
		if (o->declip) {
			double level = 0.0;
			t->clip_runs += mxd_clip_scan(cc, nc, frames, &level);
			if (level > t->clip_level)
				t->clip_level = level;
			t->clip_run = true;
		}
		if (o->dehum) {
			double level = -300.0, f = mxd_hum_detect(cc, nc, frames, rate, &level);
			if (f > 0 && level > t->hum_db) {
				t->hum_hz = f;
				t->hum_db = level;
			}
			t->hum_run = true;
		}
		if (o->denoise) {
			double prof[MXD_NOISE_BANDS];
			if (mxd_noise_profile_learn(cc, nc, frames, rate, -1, -1, prof) == 0) {
				/* Bands read as white noise of that RMS: the floor is their
				 * median (tones that never stop, hum, stand out in a few
				 * bands and would dominate a mean). */
				double sorted[MXD_NOISE_BANDS];
				for (int b = 0; b < MXD_NOISE_BANDS; b++) {
					t->noise_band[b] += pow(10.0, prof[b] / 10.0) * (double)frames; /* clips weighted by length */
					sorted[b] = prof[b];
				}
				qsort(sorted, MXD_NOISE_BANDS, sizeof *sorted, cmp_double);
				double p = pow(10.0, 0.5 * (sorted[MXD_NOISE_BANDS / 2 - 1] + sorted[MXD_NOISE_BANDS / 2]) / 10.0);
				noise_p += p * (double)frames;
				noise_w += (double)frames;
			}
			t->noise_run = true;
		}
		free_chans(ch, nc);
		if (fail)
			return MIXDOWN_ERR_NOMEM;
	}
	if (noise_w > 0) {
		t->noise_db = db(noise_p / noise_w);
		for (int b = 0; b < MXD_NOISE_BANDS; b++)
			t->noise_band[b] = db(t->noise_band[b] / noise_w);
		if (t->noise_db > DENOISE_FLOOR_DB)
			t->denoise_db = fmin(24.0, fmax(6.0, round(t->noise_db - DENOISE_TARGET_DB)));
	}
	t->dc_fix = t->dc_run && fabs(t->dc) >= MXD_CLEAN_DC_MIN && !has_insert(s, NULL, "clean-dc");
	t->have_declick = has_insert(s, "declick", "clean-declick");
	t->have_declip = has_insert(s, "declip", "clean-declip");
	t->have_dehum = has_insert(s, "dehum", "clean-dehum");
	t->have_denoise = has_insert(s, "denoise", "clean-denoise");
	return MIXDOWN_SUCCESS;
}

/* The track's clips summed onto the timeline [t0, t0 + frames) at the session rate, mono. */
static mixdown_status timeline_mono(const mxd_session *s, const mxd_strip *st_, double t0, int64_t frames,
				    float *out, mixdown_error *err)
{
	double rate = s->sample_rate;
	memset(out, 0, (size_t)frames * sizeof *out);
	for (size_t i = 0; i < st_->n_clips; i++) {
		const mxd_clip *k = &st_->clips[i];
		double a = fmax(k->at, t0), b = fmin(k->at + clip_len(k), t0 + (double)frames / rate);
		if (b <= a)
			continue;
		int64_t at = (int64_t)llround((a - t0) * rate), n = (int64_t)llround((b - a) * rate);
		if (at + n > frames)
			n = frames - at;
		float **ch = NULL;
		uint32_t nc = 0;
		int64_t got = 0;
		int64_t start = (int64_t)llround((k->offset + a - k->at) * k->file_rate);
		mixdown_status st = read_span(k->file, rate, start, n, &ch, &nc, &got, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		double g = pow(10.0, k->gain_db / 20.0) / nc * (st_->invert ? -1.0 : 1.0);
		for (uint32_t c = 0; c < nc; c++)
			for (int64_t j = 0; j < got; j++)
				out[at + j] += (float)(g * ch[c][j]);
		free_chans(ch, nc);
	}
	return MIXDOWN_SUCCESS;
}

static void track_span(const mxd_strip *s, double *start, double *end)
{
	*start = INFINITY;
	*end = -INFINITY;
	for (size_t i = 0; i < s->n_clips; i++) {
		*start = fmin(*start, s->clips[i].at);
		*end = fmax(*end, s->clips[i].at + clip_len(&s->clips[i]));
	}
}

/* Whole-sample move plus fractional delay for the measured offset. `finedelay`
 * can only delay, so the clips move earlier by ceil(offset) and the insert
 * delays them back by the fraction; the measurement reads the clips without
 * their inserts, so a second run measures -fine and plans the same insert
 * (idempotent). A fraction within MXD_CLEAN_FRAC_MIN of a whole sample is
 * left to the move alone; an existing clean-align value that close to the
 * plan is kept. */
static void plan_fine(mxd_clean_track *t)
{
	double off = t->al.offset, up = ceil(off);
	t->have_fine = -1.0;
	for (size_t i = 0; i < t->strip->n_inserts; i++) {
		const mxd_insert *in = &t->strip->inserts[i];
		if (in->id && !strcmp(in->id, "clean-align") && in->cls && !strcmp(in->cls->name, "finedelay"))
			t->have_fine = in->values[0];
	}
	if (fabs(off - round(off)) < MXD_CLEAN_FRAC_MIN) {
		t->shift = (int64_t)llround(off);
		t->fine = 0.0;
	} else {
		t->shift = (int64_t)up;
		t->fine = up - off;
	}
	t->fine_fix = t->have_fine < 0 ? t->fine > 0 : fabs(t->fine - t->have_fine) >= MXD_CLEAN_FRAC_MIN;
}

static mixdown_status align_track(const mxd_clean *c, const mxd_strip *ref, mxd_clean_track *t, mixdown_error *err)
{
	double rs, re, xs, xe, rate = c->s->sample_rate;
	track_span(ref, &rs, &re);
	track_span(t->strip, &xs, &xe);
	double t0 = fmax(rs, xs), t1 = fmin(fmin(re, xe), t0 + ALIGN_WINDOW_S);
	t->aligned = true;
	if (!(t1 - t0 > 0.1)) {
		snprintf(t->align_note, sizeof t->align_note, "does not play at the same time as %s", ref->name);
		return MIXDOWN_SUCCESS;
	}
	int64_t n = (int64_t)floor((t1 - t0) * rate);
	float *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
	mixdown_status st = a && b ? MIXDOWN_SUCCESS : MIXDOWN_ERR_NOMEM;
	if (st == MIXDOWN_SUCCESS)
		st = timeline_mono(c->s, ref, t0, n, a, err);
	if (st == MIXDOWN_SUCCESS)
		st = timeline_mono(c->s, t->strip, t0, n, b, err);
	if (st == MIXDOWN_SUCCESS) {
		if (mxd_align_measure(a, n, b, n, rate, 0.0, 0.0, &t->al) != 0) {
			snprintf(t->align_note, sizeof t->align_note, "silent: nothing to align");
		} else if (t->al.contrast < ALIGN_MIN_CONTRAST) {
			snprintf(t->align_note, sizeof t->align_note,
				 "no clear common source with %s (correlation contrast %.1f < %.0f): left alone", ref->name,
				 t->al.contrast, ALIGN_MIN_CONTRAST);
		} else {
			t->align_ok = true;
			plan_fine(t);
			t->flip = t->al.inverted;
		}
	}
	free(a);
	free(b);
	return st;
}

bool mxd_clean_has_changes(const mxd_clean_track *t)
{
	return t->split || t->dc_fix || t->shift != 0 || t->flip || t->fine_fix || (t->hum_hz > 0 && !t->have_dehum) ||
	       (t->denoise_db > 0 && !t->have_denoise) || (t->clicks_run && t->n_clicks > 0 && !t->have_declick) ||
	       (t->clip_run && t->clip_runs > 0 && !t->have_declip);
}

static void clean_free(mxd_clean *c)
{
	for (size_t i = 0; i < c->n; i++) {
		for (size_t k = 0; c->t[i].keep && k <= c->t[i].strip->n_clips; k++)
			free(c->t[i].keep[k]);
		free(c->t[i].keep);
		free(c->t[i].n_keep);
	}
	free(c->t);
	mixdown_session_free(c->s);
}

static const mxd_strip *find_track(const mxd_session *s, const char *name)
{
	for (size_t i = 0; i < s->n_tracks; i++)
		if (!strcmp(s->tracks[i].name, name))
			return &s->tracks[i];
	return NULL;
}

mixdown_status mixdown_clean(const char *session_path, const mixdown_clean_options *opt, FILE *report,
			     mixdown_error *err)
{
	mxd_clean c = { .path = session_path, .opt = opt ? *opt : mixdown_clean_options_init() };
	mixdown_status st = mixdown_session_load(session_path, &c.s, err);
	if (st != MIXDOWN_SUCCESS)
		return st;
	const mxd_session *s = c.s;
	const mxd_strip *ref = NULL;
	if (c.opt.align_ref && !(ref = find_track(s, c.opt.align_ref))) {
		st = mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, (mxd_loc){ 0, 0 }, NULL,
			      "--align: no track named \"%s\" in the session", c.opt.align_ref);
		goto out;
	}
	for (size_t i = 0; i < c.opt.n_tracks && c.opt.tracks; i++)
		if (!find_track(s, c.opt.tracks[i])) {
			st = mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, (mxd_loc){ 0, 0 }, NULL,
				      "no track named \"%s\" in the session", c.opt.tracks[i]);
			goto out;
		}
	if (!(c.t = calloc(s->n_tracks ? s->n_tracks : 1, sizeof *c.t))) {
		st = MIXDOWN_ERR_NOMEM;
		goto out;
	}
	/* Session order, whatever order the names were given in. */
	for (size_t i = 0; i < s->n_tracks && st == MIXDOWN_SUCCESS; i++) {
		const mxd_strip *tr = &s->tracks[i];
		bool chosen = !c.opt.tracks || !c.opt.n_tracks;
		for (size_t k = 0; !chosen && k < c.opt.n_tracks; k++)
			chosen = !strcmp(c.opt.tracks[k], tr->name);
		if (!chosen || !tr->n_clips)
			continue;
		mxd_clean_track *t = &c.t[c.n++];
		t->strip = tr;
		st = scan_track(&c, t, err);
		if (st == MIXDOWN_SUCCESS && ref && tr != ref)
			st = align_track(&c, ref, t, err);
	}
	if (st != MIXDOWN_SUCCESS)
		goto out;
	c.ref = ref ? ref->name : NULL;
	bool any = false;
	for (size_t i = 0; i < c.n; i++)
		any |= mxd_clean_has_changes(&c.t[i]);
	if (c.opt.apply && any)
		st = mxd_clean_apply(&c, err);
	if (st == MIXDOWN_SUCCESS && report)
		mxd_clean_report(&c, report, c.opt.apply && any);
out:
	clean_free(&c);
	return st;
}
