/* mixdown — automix: build the plan (inputs, analysis, the stage list) and
 * the public entry points mixdown_automix_*.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Inputs are files or folders (every audio file in a folder, sorted by name).
 * All stems are analyzed together with mixdown_analyze_tracks() (per-track
 * loudness, peaks, spectrum, dynamics, stereo, plus alignment between tracks);
 * stems at different rates are analyzed one by one and get no alignment.
 * Near-silent stems are removed: sample peak below -54 dBFS or no gated
 * loudness (nothing but noise, bleed or digital silence).
 * Then the stages run in order; see `stages` below, the extension point for
 * EQ, dynamics and space helpers (automix.h).
 * Threads: control thread only (reads files, allocates).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/analysis.h"
#include "automix/automix.h"
#include "session/model.h"

#define SILENT_PEAK_DBFS -54.0

typedef void (*mxa_stage_fn)(mxa_plan *p);

/* The pipeline. EXTENSION POINT: an EQ, dynamics or space stage goes between
 * mxa_stage_pan and mxa_stage_master (it sees roles, levels and pans), adding
 * processors with mxa_track_add_insert()/mxa_track_add_send()/mxa_plan_add_aux(). */
static const mxa_stage_fn stages[] = {
	mxa_stage_roles,
	mxa_stage_align,
	mxa_stage_gain,
	mxa_stage_balance,
	mxa_stage_pan,
	mxa_stage_gate,
	mxa_stage_eq,
	mxa_stage_dynamics,
	mxa_stage_space,
	mxa_stage_master,
};

double mxa_round1(double x)
{
	double r = round(x * 10.0) / 10.0;
	return r == 0.0 ? 0.0 : r; /* no "-0.0" in the file */
}

double mxa_round2(double x)
{
	double r = round(x * 100.0) / 100.0;
	return r == 0.0 ? 0.0 : r;
}

int mxa_track_add_insert(mxa_track *t, const char *yaml, const char *reason)
{
	if (t->n_inserts >= MXA_MAX_INSERTS)
		return -1;
	mxa_insert *i = &t->inserts[t->n_inserts++];
	snprintf(i->yaml, sizeof i->yaml, "%s", yaml);
	snprintf(i->reason, sizeof i->reason, "%s", reason);
	return 0;
}

int mxa_track_add_send(mxa_track *t, const char *to, double level, const char *reason)
{
	if (t->n_sends >= MXA_MAX_SENDS)
		return -1;
	mxa_send *s = &t->sends[t->n_sends++];
	snprintf(s->to, sizeof s->to, "%s", to);
	s->level = level;
	snprintf(s->reason, sizeof s->reason, "%s", reason);
	return 0;
}

int mxa_plan_add_aux(mxa_plan *p, const char *name, const char *inserts_yaml, const char *reason)
{
	if (p->n_aux >= MXA_MAX_AUX)
		return -1;
	mxa_aux *a = &p->aux[p->n_aux++];
	snprintf(a->name, sizeof a->name, "%s", name);
	snprintf(a->inserts_yaml, sizeof a->inserts_yaml, "%s", inserts_yaml);
	snprintf(a->reason, sizeof a->reason, "%s", reason);
	return 0;
}

int mxa_plan_add_bus_insert(mxa_plan *p, mxa_group g, const char *yaml, const char *reason)
{
	if ((unsigned)g >= MXA_N_GROUPS || p->n_bus_inserts[g] >= MXA_MAX_BUS_INSERTS)
		return -1;
	mxa_insert *i = &p->bus_inserts[g][p->n_bus_inserts[g]++];
	snprintf(i->yaml, sizeof i->yaml, "%s", yaml);
	snprintf(i->reason, sizeof i->reason, "%s", reason);
	return 0;
}

void mxa_note(mxa_plan *p, const char *fmt, ...)
{
	if (p->n_notes >= sizeof p->notes / sizeof p->notes[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->notes[p->n_notes++], MXA_REASON, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ inputs */

typedef struct {
	char **v;
	size_t n, cap;
} strlist;

static int push(strlist *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

static void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_audio(const char *path)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	if (!sf)
		return false;
	sf_close(sf);
	return true;
}

static mixdown_status collect(const char *const *inputs, size_t n, strlist *out, mixdown_error *err)
{
	mxd_loc none = { 0, 0 };
	for (size_t i = 0; i < n; i++) {
		char abs[PATH_MAX];
		if (!realpath(inputs[i], abs))
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, inputs[i], none, NULL, "cannot open: %s", strerror(errno));
		struct stat st;
		if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (push(out, abs))
				return MIXDOWN_ERR_NOMEM;
			continue;
		}
		DIR *d = opendir(abs);
		if (!d)
			return mxd_fail(err, MIXDOWN_ERR_AUDIO, inputs[i], none, NULL, "cannot open folder: %s",
					strerror(errno));
		strlist dir = { 0 };
		struct dirent *de;
		int bad = 0;
		while (!bad && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char full[PATH_MAX + 256];
			snprintf(full, sizeof full, "%s/%s", abs, de->d_name);
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && is_audio(full))
				bad = push(&dir, full);
		}
		closedir(d);
		if (!bad && dir.n)
			qsort(dir.v, dir.n, sizeof *dir.v, cmp_str);
		for (size_t k = 0; !bad && k < dir.n; k++)
			bad = push(out, dir.v[k]);
		strlist_free(&dir);
		if (bad)
			return MIXDOWN_ERR_NOMEM;
	}
	if (!out->n)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, n ? inputs[0] : "", none, NULL, "no audio files found");
	return MIXDOWN_SUCCESS;
}

/* ---------------------------------------------------------------- analysis */

static mixdown_status analyze(mxa_plan *p, const strlist *files, mixdown_error *err)
{
	mixdown_analysis_options o = mixdown_analysis_options_init();
	o.true_peak = false; /* sample peaks are what clip gain is set from; halves the work */
	mixdown_status st = mixdown_analyze_tracks((const char *const *)files->v, files->n, &o, &p->m, err);
	if (st == MIXDOWN_SUCCESS)
		return st;
	if (st == MIXDOWN_ERR_NOMEM)
		return st;
	/* Different rates (or too many tracks for the cross-track analysis): one by one. */
	if (!(p->own = calloc(files->n, sizeof *p->own)))
		return MIXDOWN_ERR_NOMEM;
	p->n_own = files->n;
	for (size_t i = 0; i < files->n; i++)
		if ((st = mixdown_analyze_file(files->v[i], &o, &p->own[i], err)) != MIXDOWN_SUCCESS)
			return st;
	if (err)
		memset(err, 0, sizeof *err);
	mxa_note(p, "stems analyzed one by one (different sample rates?): no polarity/offset check");
	return MIXDOWN_SUCCESS;
}

/* --------------------------------------------------------------- the stages */

static int cmp_track(const void *a, const void *b)
{
	const mxa_track *x = a, *y = b;
	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	int c = strcasecmp(x->name, y->name);
	return c ? c : strcmp(x->path, y->path);
}

void mxa_stage_roles(mxa_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		char why[MXA_REASON - 64];
		mxa_clean_name(t->path, t->name, sizeof t->name);
		t->role = mxa_role_from_name(t->name, why, sizeof why);
		if (t->role == MXA_N_ROLES) {
			/* how the pitch moves tells a voice from an instrument */
			mxd_voice_stats v;
			bool have_v = mxd_voice_measure(t->path, &v, NULL) == MIXDOWN_SUCCESS;
			t->role = mxa_role_from_audio(t->a, have_v ? &v : NULL, why, sizeof why);
			t->role_from_audio = true;
			snprintf(t->reason[MXA_D_ROLE], MXA_REASON, "role %s from the audio (%s)", mxa_role_name(t->role),
				 why);
		} else {
			snprintf(t->reason[MXA_D_ROLE], MXA_REASON, "role %s: %s", mxa_role_name(t->role), why);
		}
	}
	/* Rhythm section first: the role enum is in mix order. */
	qsort(p->t, p->n, sizeof *p->t, cmp_track);
	/* Unique names (tracks and buses share one namespace; "master" is reserved). */
	for (size_t i = 0; i < p->n; i++) {
		mxa_track *t = &p->t[i];
		char base[128];
		snprintf(base, sizeof base, "%s", t->name);
		for (int k = 2;; k++) {
			bool clash = !strcasecmp(t->name, "master");
			for (size_t j = 0; j < i && !clash; j++)
				clash = !strcmp(p->t[j].name, t->name);
			for (int g = 0; g < MXA_N_GROUPS && !clash; g++)
				clash = !strcmp(mxa_group_name((mxa_group)g), t->name);
			if (!clash)
				break;
			snprintf(t->name, sizeof t->name, "%.110s %d", base, k);
		}
		mxa_group g = mxa_role_group(t->role);
		snprintf(t->reason[MXA_D_BUS], MXA_REASON, "bus %s (%s group), colour %s", mxa_group_name(g),
			 mxa_role_name(t->role), mxa_group_colour(g));
	}
}

/* ------------------------------------------------------------- public API */

mixdown_automix_options mixdown_automix_options_init(void)
{
	mixdown_automix_options o = { .genre = "pop", .reference = NULL };
	return o;
}

void mixdown_automix_free(mixdown_automix *p)
{
	if (!p)
		return;
	if (p->own) {
		for (size_t i = 0; i < p->n_own; i++)
			mixdown_analysis_free(p->own[i]);
		free(p->own);
	}
	mixdown_multitrack_analysis_free(p->m);
	free(p->t);
	free(p->removed);
	free(p);
}

mixdown_status mixdown_automix_plan(const char *const *inputs, size_t n, const mixdown_automix_options *opt,
				    mixdown_automix **out, mixdown_error *err)
{
	mxd_loc none = { 0, 0 };
	*out = NULL;
	mixdown_automix_options def = mixdown_automix_options_init();
	if (!opt)
		opt = &def;
	mxa_plan *p = calloc(1, sizeof *p);
	if (!p)
		return MIXDOWN_ERR_NOMEM;
	p->lead = (size_t)-1;
	p->tempo_bpm = NAN;
	p->master_loudness = NAN;
	p->reference_lufs = NAN;
	if (mxa_genre_parse(opt->genre ? opt->genre : "pop", &p->genre) != 0) {
		mixdown_automix_free(p);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, "", none, "genre",
				"unknown genre \"%s\" (one of: pop, rock, hiphop, electronic, acoustic, classical, podcast)",
				opt->genre);
	}
	if (opt->reference)
		snprintf(p->reference, sizeof p->reference, "%s", opt->reference);
	strlist files = { 0 };
	mixdown_status st = collect(inputs, n, &files, err);
	if (st == MIXDOWN_SUCCESS)
		st = analyze(p, &files, err);
	if (st == MIXDOWN_SUCCESS && (!(p->t = calloc(files.n, sizeof *p->t)) ||
				      !(p->removed = calloc(files.n, sizeof *p->removed))))
		st = MIXDOWN_ERR_NOMEM;
	if (st != MIXDOWN_SUCCESS) {
		strlist_free(&files);
		mixdown_automix_free(p);
		return st;
	}
	for (size_t i = 0; i < files.n; i++) {
		const mixdown_analysis *a = p->m ? p->m->tracks[i] : p->own[i];
		p->rate = p->rate ? p->rate : a->sample_rate;
		double peak = a->loudness.sample_peak, lufs = a->loudness.integrated;
		if (!(peak >= SILENT_PEAK_DBFS) || !isfinite(lufs)) {
			mxa_removed *r = &p->removed[p->n_removed++];
			mxa_clean_name(files.v[i], r->name, sizeof r->name);
			snprintf(r->path, sizeof r->path, "%s", files.v[i]);
			if (isfinite(peak))
				snprintf(r->reason, sizeof r->reason, "near-silent: peak %.1f dBFS (below %.0f dBFS)", peak,
					 SILENT_PEAK_DBFS);
			else
				snprintf(r->reason, sizeof r->reason, "empty: digital silence");
			continue;
		}
		mxa_track *t = &p->t[p->n++];
		snprintf(t->path, sizeof t->path, "%s", files.v[i]);
		t->index = i;
		t->a = a;
		t->channels = a->channels;
		t->loudness = lufs;
		t->peak = peak;
		t->width = 1.0;
		/* A stereo file carrying one mono signal pans like a mono source. */
		t->dual_mono = a->channels == 2 && a->stereo.valid && a->stereo.correlation > 0.98 &&
			       a->stereo.width < 0.01;
	}
	strlist_free(&files);
	if (!p->n) {
		mixdown_automix_free(p);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, inputs[0], none, NULL, "every stem is silent");
	}
	for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++)
		stages[s](p);
	*out = p;
	return MIXDOWN_SUCCESS;
}
