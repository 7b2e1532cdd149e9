/* mixdown bench — mixeval: per-stem loudness balance error between an output and a reference mix.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Issue 7 item 10's balance measure: for every stem present in both mixes (matched by normalised
 * file name), its integrated loudness relative to the loudness of the sum of all stems of its mix,
 * rel = L(stem) - L(sum of stems) in LU, in the output and in the reference; the error of a stem is
 * rel_out - rel_ref and the score is the mean absolute error (LU). Energy (BS.1770) loudness is the
 * balance feature listeners preferred for static balance (mixing-knowledge.md, "Static balance").
 * Loudness: ITU-R BS.1770-4 integrated (gated) loudness via libebur128. Mono stems are measured and
 * summed as the centre of a stereo mix (copied to both channels) when the other stems are stereo.
 * A stem below the -70 LUFS gate has no loudness: its error is undefined (NAN, not averaged).
 * Ownership: b->stems is malloc'd (mxe_stem_balance_free). Threads: any.
 */
#include <ctype.h>
#include <dirent.h>
#include <ebur128.h>
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mixeval.h"

#define MAX_STEMS 256

double mxe_integrated_lufs(const float *x, int64_t frames, int channels, double rate)
{
	ebur128_state *st = ebur128_init((unsigned)channels, (unsigned long)rate, EBUR128_MODE_I);
	double l = -HUGE_VAL;
	if (!st)
		return NAN;
	if (ebur128_add_frames_float(st, x, (size_t)frames) != EBUR128_SUCCESS ||
	    ebur128_loudness_global(st, &l) != EBUR128_SUCCESS)
		l = NAN;
	ebur128_destroy(&st);
	return l;
}

void mxe_stem_name_normalise(const char *file_name, char *out, size_t outlen)
{
	const char *base = strrchr(file_name, '/');
	base = base ? base + 1 : file_name;
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	size_t i = 0, k = 0;
	/* "01 - Kick In.wav" and "kick_in.flac" name the same stem. */
	while (i < len && (isdigit((unsigned char)base[i]) || strchr(" _-.", base[i])))
		i++;
	for (; i < len && k + 1 < outlen; i++)
		if (isalnum((unsigned char)base[i]))
			out[k++] = (char)tolower((unsigned char)base[i]);
	out[k] = 0;
}

static int is_audio(const char *n)
{
	const char *dot = strrchr(n, '.');
	static const char *const ext[] = { ".wav", ".flac", ".aiff", ".aif", ".ogg", ".w64", ".caf" };
	if (!dot)
		return 0;
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (!strcasecmp(dot, ext[i]))
			return 1;
	return 0;
}

typedef struct {
	char file[1024];
	char name[128];
	double lufs;
} stem_file;

typedef struct {
	stem_file s[MAX_STEMS];
	size_t n;
	double sum_lufs;
} stem_set;

static int cmp_stem(const void *a, const void *b)
{
	return strcmp(((const stem_file *)a)->name, ((const stem_file *)b)->name);
}

/* Measure every audio file of dir and the loudness of their sum. */
static int measure_dir(const char *dir, stem_set *set, char *err, size_t errlen)
{
	set->n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "%s: cannot open folder", dir);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) && set->n < MAX_STEMS) {
		if (e->d_name[0] == '.' || !is_audio(e->d_name))
			continue;
		stem_file *s = &set->s[set->n++];
		snprintf(s->file, sizeof s->file, "%s/%s", dir, e->d_name);
		mxe_stem_name_normalise(e->d_name, s->name, sizeof s->name);
	}
	closedir(d);
	qsort(set->s, set->n, sizeof set->s[0], cmp_stem); /* readdir order is arbitrary */
	/* The sum is built in the widest channel layout found, at the first file's rate. */
	int ch = 1;
	double rate = 0;
	for (size_t i = 0; i < set->n; i++) {
		SF_INFO info = { 0 };
		SNDFILE *f = sf_open(set->s[i].file, SFM_READ, &info);
		if (!f) {
			snprintf(err, errlen, "%s: %s", set->s[i].file, sf_strerror(NULL));
			return -1;
		}
		sf_close(f);
		ch = info.channels > ch ? info.channels : ch;
		if (rate == 0)
			rate = info.samplerate;
		else if (rate != info.samplerate) {
			snprintf(err, errlen, "%s: rate %d differs from the other stems", set->s[i].file, info.samplerate);
			return -1;
		}
	}
	float *sum = NULL;
	int64_t sum_len = 0;
	for (size_t i = 0; i < set->n; i++) {
		mxe_audio a;
		if (mxe_read_audio(set->s[i].file, &a, err, errlen)) {
			free(sum);
			return -1;
		}
		if (a.channels != 1 && a.channels != ch) {
			snprintf(err, errlen, "%s: %d channels among %d-channel stems", set->s[i].file, a.channels, ch);
			mxe_audio_free(&a);
			free(sum);
			return -1;
		}
		/* Widen mono to the layout (same sample in every channel) before measuring and summing. */
		float *w = a.x;
		if (a.channels != ch) {
			w = malloc((size_t)(a.frames ? a.frames : 1) * (size_t)ch * sizeof *w);
			for (int64_t t = 0; w && t < a.frames; t++)
				for (int c = 0; c < ch; c++)
					w[t * ch + c] = a.x[t];
		}
		if (a.frames > sum_len) {
			float *ns = w ? realloc(sum, (size_t)a.frames * (size_t)ch * sizeof *ns) : NULL;
			if (!ns) {
				snprintf(err, errlen, "out of memory");
				if (w != a.x)
					free(w);
				mxe_audio_free(&a);
				free(sum);
				return -1;
			}
			memset(ns + sum_len * ch, 0, (size_t)(a.frames - sum_len) * (size_t)ch * sizeof *ns);
			sum = ns;
			sum_len = a.frames;
		}
		for (int64_t t = 0; t < a.frames * ch; t++)
			sum[t] += w[t];
		set->s[i].lufs = mxe_integrated_lufs(w, a.frames, ch, rate);
		if (w != a.x)
			free(w);
		mxe_audio_free(&a);
	}
	set->sum_lufs = sum ? mxe_integrated_lufs(sum, sum_len, ch, rate) : NAN;
	free(sum);
	return 0;
}

int mxe_stem_balance_dirs(const char *out_dir, const char *ref_dir, mxe_stem_balance *b, char *err,
			  size_t errlen)
{
	memset(b, 0, sizeof *b);
	b->mean_abs_err = NAN;
	stem_set *o = malloc(sizeof *o), *r = malloc(sizeof *r);
	int rc = -1;
	if (!o || !r) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (measure_dir(out_dir, o, err, errlen) || measure_dir(ref_dir, r, err, errlen))
		goto done;
	b->stems = calloc(r->n ? r->n : 1, sizeof *b->stems);
	if (!b->stems) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	double sum = 0;
	size_t n_def = 0;
	for (size_t i = 0; i < r->n; i++) {
		size_t j = 0;
		while (j < o->n && strcmp(o->s[j].name, r->s[i].name))
			j++;
		if (j == o->n) {
			size_t l = strlen(b->unmatched);
			snprintf(b->unmatched + l, sizeof b->unmatched - l, "%sref:%s", l ? "," : "", r->s[i].name);
			continue;
		}
		mxe_stem *s = &b->stems[b->n++];
		snprintf(s->name, sizeof s->name, "%s", r->s[i].name);
		s->rel_out = isfinite(o->s[j].lufs) ? o->s[j].lufs - o->sum_lufs : NAN;
		s->rel_ref = isfinite(r->s[i].lufs) ? r->s[i].lufs - r->sum_lufs : NAN;
		s->err = s->rel_out - s->rel_ref;
		if (isfinite(s->err)) {
			sum += fabs(s->err);
			n_def++;
		}
	}
	for (size_t j = 0; j < o->n; j++) {
		size_t i = 0;
		while (i < r->n && strcmp(o->s[j].name, r->s[i].name))
			i++;
		if (i == r->n) {
			size_t l = strlen(b->unmatched);
			snprintf(b->unmatched + l, sizeof b->unmatched - l, "%sout:%s", l ? "," : "", o->s[j].name);
		}
	}
	b->mean_abs_err = n_def ? sum / (double)n_def : NAN;
	rc = 0;
done:
	free(o);
	free(r);
	return rc;
}

void mxe_stem_balance_free(mxe_stem_balance *b)
{
	free(b->stems);
	memset(b, 0, sizeof *b);
}
