/* mixdown — a starting session from a folder of stems (`mixdown new`).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Takes any DAW's stem export as it comes: every file libsndfile reads
 * (WAV/BWF/RF64, AIFF, FLAC, Ogg, Opus, MP3, ...), at any rate, bit depth,
 * length and channel count. Track names are the file names cleaned by the
 * automix cleaner (numbering, underscores, extension) with export noise
 * ("(Bounce)", "Stem", "Print", "Export") removed and made unique. The
 * session rate is the most common rate among the files (ties: the higher);
 * the others are resampled by the engine. Files whose bext chunk carries a
 * time reference are placed `at: bwf` when the references differ, with the
 * earliest as `timeline_origin` (so the export's relative timing is kept).
 * Control thread only.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "automix/automix.h"
#include "io/text_out.h"
#include "session/model.h"
#include "session/yaml_quote.h"

typedef struct {
	char *file;          /* name inside the folder */
	char name[128];      /* track name */
	SF_INFO info;
	bool has_ref;
	uint64_t ref;        /* BWF time reference, samples at the file's rate */
} stem_file;

static int cmp_stem(const void *a, const void *b)
{
	return strcmp(((const stem_file *)a)->file, ((const stem_file *)b)->file);
}

/* Words DAW exports add to names that say nothing about the part. */
static bool noise_word(const char *w, size_t n)
{
	static const char *const words[] = { "bounce", "bounced", "stem", "stems", "print", "printed",
					     "export", "exported", "render", "rendered", "consolidated" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && strncasecmp(w, words[i], n) == 0)
			return true;
	return false;
}

/* Remove noise words (and brackets left empty by that) from a cleaned name,
 * in place; a name that would become empty is kept as it was. */
static void strip_noise(char *name)
{
	char out[128];
	size_t o = 0;
	for (const char *p = name; *p;) {
		if (isalnum((unsigned char)*p)) {
			const char *e = p;
			while (isalnum((unsigned char)*e))
				e++;
			if (!noise_word(p, (size_t)(e - p)))
				for (const char *q = p; q < e && o + 1 < sizeof out; q++)
					out[o++] = *q;
			p = e;
		} else {
			if (o + 1 < sizeof out)
				out[o++] = *p;
			p++;
		}
	}
	out[o] = '\0';
	/* Drop "()" / "[]" pairs emptied above, then tidy spaces and dashes at the ends. */
	char tidy[128];
	size_t t = 0;
	for (size_t i = 0; i < o; i++) {
		if (out[i] == '(' || out[i] == '[') {
			char close = out[i] == '(' ? ')' : ']';
			size_t j = i + 1;
			while (j < o && out[j] == ' ')
				j++;
			if (j < o && out[j] == close) {
				i = j;
				continue;
			}
		}
		if (out[i] == ' ' && t > 0 && tidy[t - 1] == ' ')
			continue;
		tidy[t++] = out[i];
	}
	tidy[t] = '\0';
	char *s = tidy;
	while (*s == ' ' || *s == '-' || *s == '_')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '-' || s[len - 1] == '_'))
		s[--len] = '\0';
	if (len > 0)
		memmove(name, s, len + 1);
}

static bool name_used(const stem_file *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return true;
	return !strcmp(name, "master"); /* reserved by the session format */
}

/* Track name for stems[i], unique among stems[0..i-1] ("Kick", "Kick 2"). */
static void track_name(stem_file *f, size_t i)
{
	char base[128];
	mxa_clean_name(f[i].file, base, sizeof base);
	strip_noise(base);
	snprintf(f[i].name, sizeof f[i].name, "%s", base);
	for (int k = 2; name_used(f, i, f[i].name); k++)
		snprintf(f[i].name, sizeof f[i].name, "%.100s %d", base, k);
}

/* The most common rate; ties go to the higher rate (nothing is lost to a
 * lower one). */
static int session_rate(const stem_file *f, size_t n)
{
	int best = 0, best_count = 0;
	for (size_t i = 0; i < n; i++) {
		int count = 0;
		for (size_t j = 0; j < n; j++)
			count += f[j].info.samplerate == f[i].info.samplerate;
		if (count > best_count || (count == best_count && f[i].info.samplerate > best)) {
			best = f[i].info.samplerate;
			best_count = count;
		}
	}
	return best;
}

/* Read the folder's audio files (sorted by name); non-audio files are skipped. */
static mixdown_status scan(const char *abs_dir, stem_file **out, size_t *n_out)
{
	DIR *d = opendir(abs_dir);
	if (!d)
		return MIXDOWN_ERR_USAGE;
	stem_file *f = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	mixdown_status st = MIXDOWN_SUCCESS;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char full[PATH_MAX * 2];
		snprintf(full, sizeof full, "%s/%s", abs_dir, de->d_name);
		SF_INFO info = { 0 };
		SNDFILE *sf = sf_open(full, SFM_READ, &info);
		if (!sf)
			continue; /* not audio: skip silently, like a DAW import */
		SF_BROADCAST_INFO bi;
		memset(&bi, 0, sizeof bi);
		bool has_ref = sf_command(sf, SFC_GET_BROADCAST_INFO, &bi, sizeof bi) == SF_TRUE;
		sf_close(sf);
		if (info.frames <= 0 || info.samplerate <= 0)
			continue;
		if (n == cap) {
			stem_file *bigger = realloc(f, (cap = cap ? cap * 2 : 32) * sizeof *f);
			if (!bigger) {
				st = MIXDOWN_ERR_NOMEM;
				break;
			}
			f = bigger;
		}
		memset(&f[n], 0, sizeof f[n]);
		if (!(f[n].file = strdup(de->d_name))) {
			st = MIXDOWN_ERR_NOMEM;
			break;
		}
		f[n].info = info;
		f[n].has_ref = has_ref;
		f[n].ref = (uint64_t)bi.time_reference_high << 32 | bi.time_reference_low;
		n++;
	}
	closedir(d);
	if (n)
		qsort(f, n, sizeof *f, cmp_stem);
	*out = f;
	*n_out = n;
	return st;
}

static void free_stems(stem_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].file);
	free(f);
}

/* Earliest BWF start (s since midnight) when the files' references differ
 * and every file has one; else -1 (the files are placed at 0). */
static double bwf_origin(const stem_file *f, size_t n)
{
	double first = -1;
	bool differ = false;
	for (size_t i = 0; i < n; i++) {
		if (!f[i].has_ref)
			return -1;
		double t = (double)f[i].ref / f[i].info.samplerate;
		if (i > 0 && t != (double)f[0].ref / f[0].info.samplerate)
			differ = true;
		if (first < 0 || t < first)
			first = t;
	}
	return differ ? first : -1;
}

static void write_session(FILE *f, const char *abs_dir, const char *abs_session_dir, stem_file *s, size_t n)
{
	fprintf(f, "# Written by mixdown new from %s: every file a track, faders at 0 dB, centred.\n"
		   "mixdown: 1\n", abs_dir);
	int rate = session_rate(s, n);
	fprintf(f, "sample_rate: %d   # the most common rate of the files; others are resampled\n", rate);
	double origin = bwf_origin(s, n);
	if (origin >= 0)
		fprintf(f, "timeline_origin: %.6f   # s since midnight: the earliest BWF time reference\n", origin);
	fprintf(f, "tracks:\n");
	for (size_t i = 0; i < n; i++) {
		track_name(s, i);
		char full[PATH_MAX * 2];
		snprintf(full, sizeof full, "%s/%s", abs_dir, s[i].file);
		fprintf(f, "  - name: ");
		mxd_yaml_put_quoted(f, s[i].name);
		fprintf(f, "\n    clips:\n      - file: ");
		mxd_yaml_put_quoted(f, mxd_path_relative_to(abs_session_dir, full));
		if (origin >= 0)
			fprintf(f, "\n        at: bwf");
		fprintf(f, "   # %d Hz, %d ch, %.2f s\n    gain: 0\n    pan: 0\n", s[i].info.samplerate, s[i].info.channels,
			(double)s[i].info.frames / s[i].info.samplerate);
	}
	fprintf(f, "master:\n  gain: 0\n");
}

mixdown_status mixdown_session_write_from_folder(const char *stems_dir, const char *session_path,
						 bool overwrite, mixdown_error *err)
{
	mxd_loc none = { 0, 0 };
	if (!overwrite && access(session_path, F_OK) == 0)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL,
				"already exists (use --force to replace it)");
	char abs_dir[PATH_MAX], abs_session_dir[PATH_MAX];
	if (!realpath(stems_dir, abs_dir))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "cannot open folder: %s", strerror(errno));
	char *sdir = strdup(session_path);
	if (!sdir)
		return MIXDOWN_ERR_NOMEM;
	char *slash = strrchr(sdir, '/');
	if (slash)
		slash[slash == sdir ? 1 : 0] = '\0';
	const char *session_dir = slash ? sdir : ".";
	if (!realpath(session_dir, abs_session_dir)) {
		free(sdir);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL, "folder does not exist");
	}
	free(sdir);

	stem_file *stems = NULL;
	size_t n = 0;
	mixdown_status st = scan(abs_dir, &stems, &n);
	if (st == MIXDOWN_ERR_USAGE)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "cannot open folder: %s", strerror(errno));
	if (st == MIXDOWN_SUCCESS && n == 0)
		st = mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "no audio files found");
	if (st != MIXDOWN_SUCCESS) {
		free_stems(stems, n);
		return st;
	}
	char tmp[PATH_MAX + 32];
	FILE *f = mxd_text_out_open(session_path, tmp, sizeof tmp, err);
	if (!f) {
		free_stems(stems, n);
		return MIXDOWN_ERR_IO;
	}
	write_session(f, abs_dir, abs_session_dir, stems, n);
	st = mxd_text_out_commit(f, tmp, session_path, true, err);
	free_stems(stems, n);
	return st;
}
