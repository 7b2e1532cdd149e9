/* mixdown — offline render of a session to files: the mix, optional stems,
 * a report with peak, clipping and integrated loudness.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include "api/render_binaural.h"
#include "api/render_bwf.h"
#include "api/render_meter.h"
#include "graph/engine.h"
#include "graph/engine_pipeline.h"
#include "graph/strip_batch.h"
#include "io/writer.h"
#include "session/model.h"
#include "spatial/chanweight.h"
#include "spatial/downmix.h"

#define RENDER_BLOCK 4096 /* frames per engine call: fewer thread hand-offs per second than 2048, measured faster on W1 */

mixdown_render_options mixdown_render_options_init(void)
{
	mixdown_render_options o;
	memset(&o, 0, sizeof o);
	return o;
}

static mxd_loc noloc(void) { return (mxd_loc){ 0, 0 }; }

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* An output may not overwrite an input (or the session file). */
static mixdown_status refuse_inputs(const mixdown_session *s, const char *out, mixdown_error *err)
{
	if (strcmp(out, "-") == 0)
		return MIXDOWN_SUCCESS;
	if (s->path && same_file(s->path, out))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, out, noloc(), NULL, "refusing to overwrite the session file");
	for (size_t i = 0; i < s->n_tracks; i++)
		for (size_t k = 0; k < s->tracks[i].n_clips; k++)
			if (same_file(s->tracks[i].clips[k].file, out))
				return mxd_fail(err, MIXDOWN_ERR_USAGE, out, noloc(), NULL,
						"refusing to overwrite an input of track \"%s\"", s->tracks[i].name);
	return MIXDOWN_SUCCESS;
}

static char *join_path(const char *dir, const char *name)
{
	if (name[0] == '/' || !dir || !*dir)
		return strdup(name);
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* A file name for a strip's stem: the name with path separators and control
 * characters replaced. */
static void stem_file_name(char *dst, size_t cap, const char *dir, const char *name, const char *ext)
{
	char clean[256];
	size_t n = 0;
	for (const char *p = name; *p && n + 1 < sizeof clean; p++)
		clean[n++] = (*p == '/' || *p == '\\' || (unsigned char)*p < 32) ? '_' : *p;
	clean[n] = '\0';
	if (n == 0 || clean[0] == '.')
		clean[0] = '_';
	snprintf(dst, cap, "%s/%s.%s", dir, clean, ext);
}

static int mkdir_p(const char *path)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return (mkdir(buf, 0777) != 0 && errno != EEXIST) ? -1 : 0;
}

typedef struct {
	size_t node;
	mxd_writer *w;
} stem;

/* A fold-down written alongside the mix (spatial/downmix.h). */
typedef struct {
	mxd_downmix m;
	mxd_writer *w;
	float *bufs[MXD_DOWNMIX_MAX_OUT];
} fold;

#define MAX_FOLDS 3

/* "dir/mix.wav" + "5.1" -> "dir/mix.5.1.wav" (no extension: the format's). */
static void fold_path(char *dst, size_t cap, const char *out, const char *name, mixdown_format fmt)
{
	const char *slash = strrchr(out, '/');
	const char *dot = strrchr(out, '.');
	if (dot && (!slash || dot > slash) && dot != (slash ? slash + 1 : out))
		snprintf(dst, cap, "%.*s.%s%s", (int)(dot - out), out, name, dot);
	else
		snprintf(dst, cap, "%s.%s.%s", out, name, mxd_format_extension(fmt));
}

/* Open the writers of opt->downmix ("5.1,stereo,mono"); usage errors name the option. */
static mixdown_status open_folds(const mixdown_session *s, const char *downmix, const char *out_path,
				 const mxd_writer_config *wc, uint32_t nc, fold *folds, size_t *n_folds,
				 mixdown_error *err)
{
	if (!strcmp(out_path, "-"))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix",
				"--downmix writes files next to the mix, not to standard output");
	const mxd_layout *from = s->layout ? s->layout : mxd_layout_for_channels(nc);
	if (!from || from->channels != nc)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix",
				"the mix has %u channels and no speaker layout to fold down (set layout: in the session)",
				nc);
	mixdown_format fmt = wc->format != MIXDOWN_FORMAT_AUTO ? wc->format : mxd_format_from_path(out_path);
	const char *p = downmix;
	while (*p) {
		char name[32];
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof name)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix",
					"expected a list of 5.1, stereo, mono, got \"%s\"", downmix);
		memcpy(name, p, len);
		name[len] = 0;
		p += len + (p[len] == ',');
		const mxd_layout *to = mxd_downmix_target(name);
		if (!to)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix",
					"unknown fold-down \"%s\" (use 5.1, stereo or mono)", name);
		if (*n_folds >= MAX_FOLDS)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix", "at most %d fold-downs",
					MAX_FOLDS);
		fold *f = &folds[*n_folds];
		if (mxd_downmix_init(&f->m, from, to, -INFINITY) != 0)
			return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "downmix",
					"cannot fold %s down to %s", from->name, to->name);
		char path[1100];
		fold_path(path, sizeof path, out_path, to->name, fmt);
		mixdown_status st = refuse_inputs(s, path, err);
		if (st != MIXDOWN_SUCCESS)
			return st;
		mxd_writer_config fc = *wc;
		fc.channels = to->channels;
		fc.layout = to;
		fc.seed = wc->seed + 0x1000u + (uint32_t)*n_folds;
		(*n_folds)++; /* counted before the buffers: the caller frees them */
		for (uint32_t c = 0; c < to->channels; c++)
			if (!(f->bufs[c] = malloc(sizeof(float) * RENDER_BLOCK)))
				return MIXDOWN_ERR_NOMEM;
		if ((st = mxd_writer_open(path, &fc, &f->w, err)) != MIXDOWN_SUCCESS)
			return st;
	}
	return MIXDOWN_SUCCESS;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* "START-END", "START-" or "-END" (seconds or bar:beat) onto the engine. */
static mixdown_status apply_range(const mxd_session *s, mixdown_engine *eng, const char *range, double *start_out,
				  mixdown_error *err)
{
	const char *dash = strchr(range, '-');
	if (!dash)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "range",
				"expected START-END, START- or -END (seconds or bar:beat), got \"%s\"", range);
	char a[64], b[64];
	size_t la = (size_t)(dash - range), lb = strlen(dash + 1);
	if (la >= sizeof a || lb >= sizeof b)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "range", "range \"%s\" is too long", range);
	memcpy(a, range, la);
	a[la] = 0;
	memcpy(b, dash + 1, lb + 1);
	double start = 0, end = -1;
	/* A bad time is bad usage (the message is already in err). */
	if (la && mxd_session_time(s, a, "--range", &start, err) != MIXDOWN_SUCCESS)
		return MIXDOWN_ERR_USAGE;
	if (lb && mxd_session_time(s, b, "--range", &end, err) != MIXDOWN_SUCCESS)
		return MIXDOWN_ERR_USAGE;
	if (end >= 0 && end <= start)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, noloc(), "range",
				"the range ends (%.3f s) before it starts (%.3f s)", end, start);
	mxd_engine_set_range(eng, start, end);
	*start_out = start;
	return MIXDOWN_SUCCESS;
}

static mixdown_status render_mix(const mixdown_session *s, const mixdown_render_options *opt_in,
				 mixdown_render_report *report, mixdown_error *err)
{
	mixdown_render_options opt = opt_in ? *opt_in : mixdown_render_options_init();
	mixdown_render_report local;
	if (!report)
		report = &local;
	memset(report, 0, sizeof *report);
	if (err)
		memset(err, 0, sizeof *err);

	char *out_path = opt.output ? strdup(opt.output) : s->export_file ? join_path(s->dir, s->export_file) : NULL;
	if (!out_path)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, noloc(), NULL,
				"no output: give -o FILE or an export: { file: ... } in the session");
	mixdown_sample_format sample = opt.sample_format;
	if (sample == MIXDOWN_SAMPLE_AUTO)
		sample = s->export_bits == 16 ? MIXDOWN_SAMPLE_INT16
		       : s->export_bits == 32 ? MIXDOWN_SAMPLE_FLOAT32
					      : MIXDOWN_SAMPLE_INT24;
	mixdown_format format = opt.format;
	if (format == MIXDOWN_FORMAT_AUTO && !opt.output)
		format = (mixdown_format)s->export_format;
	double out_rate = opt.sample_rate > 0 ? opt.sample_rate : s->export_rate > 0 ? s->export_rate : s->sample_rate;

	mixdown_status st = refuse_inputs(s, out_path, err);
	mixdown_engine *eng = NULL;
	mxd_writer *main_w = NULL;
	stem *stems = NULL;
	size_t n_stems = 0;
	fold folds[MAX_FOLDS];
	size_t n_folds = 0;
	memset(folds, 0, sizeof folds);
	mxd_fl meter = { 0 };       /* the mix's loudness (analysis/fastloud.h); zeroed: mxd_fl_free is a no-op */
	mxr_meter_queue *mq = NULL; /* peak, meter and main writer on a second thread (render_meter.h) */
	mxr_out inline_out = { 0 }; /* the same work on this thread when mq could not start */
	mxr_binaural *bin = NULL; /* --binaural: engine channels -> 2 ears */
	if (st != MIXDOWN_SUCCESS)
		goto done;
	if ((st = mixdown_engine_create(s, RENDER_BLOCK, &eng, err)) != MIXDOWN_SUCCESS)
		goto done;
	if ((st = mxd_strip_batch_threads(eng, opt.threads, err)) != MIXDOWN_SUCCESS)
		goto done;
	double start_s = s->range_start;
	if (opt.range && (st = apply_range(s, eng, opt.range, &start_s, err)) != MIXDOWN_SUCCESS)
		goto done;
	uint32_t nc = mixdown_engine_channels(eng), eng_nc = nc;
	if (opt.binaural && (st = mxr_binaural_open(s, &opt, eng_nc, &bin, err)) != MIXDOWN_SUCCESS)
		goto done;
	if (bin)
		nc = 2;
	mxd_bwf bwf; /* WAV/RF64 outputs: the bext chunk (render_bwf.h) */
	mxr_bwf_fill(&bwf, s, opt.description, NULL, start_s);
	mxd_writer_config wc = {
		.format = format, .sample = sample, .dither = opt.dither, .in_rate = s->sample_rate,
		.out_rate = out_rate, .channels = nc, .max_block = RENDER_BLOCK, .seed = 0x6d697864u,
		.quality = opt.quality, .expected_frames = mixdown_engine_length(eng), .bwf = opt.no_bwf ? NULL : &bwf,
		.layout = bin ? NULL : s->layout,
	};
	/* --downmix overrides the session's `export: downmix:`, which does not apply
	 * to standard output or a binaural render (docs/spatial.md). */
	const char *downmix = opt.downmix ? opt.downmix : bin || !strcmp(out_path, "-") ? NULL : s->export_downmix;
	if (downmix && *downmix &&
	    (st = open_folds(s, downmix, out_path, &wc, nc, folds, &n_folds, err)) != MIXDOWN_SUCCESS)
		goto done;

	if (opt.stems_dir) {
		if (mkdir_p(opt.stems_dir) != 0) {
			st = mxd_fail(err, MIXDOWN_ERR_IO, opt.stems_dir, noloc(), NULL, "cannot create folder: %s",
				      strerror(errno));
			goto done;
		}
		size_t first = opt.stems_tracks ? 0 : s->n_tracks, last = s->n_tracks + s->n_buses;
		stems = calloc(last - first + 1, sizeof *stems);
		if (!stems) {
			st = MIXDOWN_ERR_NOMEM;
			goto done;
		}
		mixdown_format stem_fmt = format;
		if (stem_fmt == MIXDOWN_FORMAT_AUTO)
			stem_fmt = strcmp(out_path, "-") ? mxd_format_from_path(out_path) : MIXDOWN_FORMAT_WAV;
		mxd_writer_config sc = wc;
		sc.format = stem_fmt == MIXDOWN_FORMAT_AUTO ? MIXDOWN_FORMAT_WAV : stem_fmt;
		for (size_t node = first; node < last; node++) {
			const char *name = node < s->n_tracks ? s->tracks[node].name : s->buses[node - s->n_tracks].name;
			char path[1024];
			stem_file_name(path, sizeof path, opt.stems_dir, name, mxd_format_extension(sc.format));
			if ((st = refuse_inputs(s, path, err)) != MIXDOWN_SUCCESS)
				goto done;
			if ((st = mxd_engine_enable_tap(eng, node)) != MIXDOWN_SUCCESS)
				goto done;
			sc.seed = wc.seed + (uint32_t)node + 1;
			mxd_bwf stem_bwf;
			mxr_bwf_fill(&stem_bwf, s, opt.description, name, start_s);
			sc.bwf = opt.no_bwf ? NULL : &stem_bwf;
			if ((st = mxd_writer_open(path, &sc, &stems[n_stems].w, err)) != MIXDOWN_SUCCESS)
				goto done;
			stems[n_stems++].node = node;
		}
	}
	if ((st = mxd_writer_open(out_path, &wc, &main_w, err)) != MIXDOWN_SUCCESS)
		goto done;
	/* The bext loudness fields need range, true peak and the maxima too. */
	bool bwf_loudness = mxd_writer_has_bwf(main_w);
	/* ITU-R BS.1770-4 Table 3 weights of the layout (spatial/chanweight.h): the
	 * LFE is not measured, speakers at 60-120 degrees weigh +1.5 dB. */
	const mxd_layout *meter_layout = s->layout ? s->layout : mxd_layout_for_channels(nc);
	double meter_w[MXD_MAX_CHANNELS];
	bool layout_w = nc > 2 && meter_layout && meter_layout->channels == nc;
	if (layout_w)
		mxd_bs1770_weights(meter_layout, meter_w);
	/* The true peak only for the bext chunk; only its maximum is wanted (tp_prune). */
	bool meter_ok = mxd_fl_init(&meter, s->sample_rate, nc, layout_w ? meter_w : NULL, bwf_loudness) == 0;
	meter.tp_prune = true;
	float *bufs[MXD_MAX_CHANNELS] = { 0 };
	for (uint32_t c = 0; c < eng_nc; c++)
		bufs[c] = malloc(sizeof(float) * RENDER_BLOCK);
	bool bufs_ok = true;
	for (uint32_t c = 0; c < eng_nc; c++)
		bufs_ok &= bufs[c] != NULL;
	if (!meter_ok || !bufs_ok) {
		st = MIXDOWN_ERR_NOMEM;
		goto free_bufs;
	}
	/* From here until mxr_meter_finish main_w belongs to the worker. */
	mq = mxr_meter_start(&meter, main_w, nc, RENDER_BLOCK);
	if (!mq && mxr_out_init(&inline_out, &meter, main_w, nc, RENDER_BLOCK) != 0) {
		st = MIXDOWN_ERR_NOMEM;
		goto free_bufs;
	}

	uint64_t total = mixdown_engine_length(eng), done_frames = 0, asked = 0;
	/* The master on a second thread, a block behind the rest of the graph
	 * (engine_pipeline.h; not with stems, which come from the block just run). */
	const bool pipelined = mxd_engine_pipeline_start(eng);
	double last_progress = now_seconds();
	while (done_frames < total) {
		uint32_t n = total - asked < RENDER_BLOCK ? (uint32_t)(total - asked) : RENDER_BLOCK;
		if (pipelined) {
			uint32_t got = 0;
			if ((st = mxd_engine_process_pipelined(eng, bufs, n, &got, err)) != MIXDOWN_SUCCESS)
				goto free_bufs;
			asked += n;
			if (got == 0 && n > 0)
				continue; /* the first block is still with the master */
			if (got == 0) { /* everything asked for came back, yet frames are missing */
				st = mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, noloc(), NULL,
					      "internal error: the engine returned %llu of %llu frames",
					      (unsigned long long)done_frames, (unsigned long long)total);
				goto free_bufs;
			}
			n = got;
		} else {
			if ((st = mixdown_engine_process(eng, bufs, n, err)) != MIXDOWN_SUCCESS)
				goto free_bufs;
			asked += n;
		}
		if (bin)
			mxr_binaural_run(bin, bufs, n);
		/* A writer failure shows up here: at the next block when the worker has it. */
		st = mq ? mxr_meter_push(mq, (const float *const *)bufs, n)
			: mxr_out_block(&inline_out, (const float *const *)bufs, n);
		if (st != MIXDOWN_SUCCESS)
			goto out_failed;
		for (size_t k = 0; k < n_stems; k++)
			if ((st = mxd_writer_write(stems[k].w, mxd_engine_tap(eng, stems[k].node), n, err)) !=
			    MIXDOWN_SUCCESS)
				goto free_bufs;
		for (size_t k = 0; k < n_folds; k++) {
			mxd_downmix_run(&folds[k].m, (const float *const *)bufs, folds[k].bufs, n);
			if ((st = mxd_writer_write(folds[k].w, (const float *const *)folds[k].bufs, n, err)) !=
			    MIXDOWN_SUCCESS)
				goto free_bufs;
		}
		done_frames += n;
		if (opt.progress) {
			double t = now_seconds();
			if (t - last_progress >= 0.1 || done_frames == total) {
				last_progress = t;
				/* The last call shows the final numbers: wait for the worker. */
				if (mq && done_frames == total && (st = mxr_meter_wait(mq)) != MIXDOWN_SUCCESS)
					goto out_failed;
				float peak = mq ? mxr_meter_peak(mq) : inline_out.peak;
				uint64_t clipped = mq ? mxr_meter_clipped(mq) : mxd_writer_clipped(main_w);
				if (!opt.progress(opt.progress_user, done_frames / s->sample_rate, total / s->sample_rate,
						  peak > 0 ? (float)(20.0 * log10(peak)) : -INFINITY, clipped)) {
					st = mxd_fail(err, MIXDOWN_ERR_CANCELLED, NULL, noloc(), NULL, "render cancelled");
					goto free_bufs;
				}
			}
		}
	}
	float peak = inline_out.peak;
	st = mxr_meter_finish(mq, &peak, err); /* main_w is ours again */
	mq = NULL;
	if (st != MIXDOWN_SUCCESS)
		goto free_bufs;
	report->clipped_samples = mxd_writer_clipped(main_w);
	report->nonfinite_samples = mxd_writer_nonfinite(main_w) + mxd_engine_input_nonfinite(eng);
	report->peak_dbfs = peak > 0 ? 20.0 * log10(peak) : -INFINITY;
	report->channels = nc;
	report->sample_rate = mxd_writer_rate(main_w); /* Opus and MP3 may have resampled */
	report->latency = mixdown_engine_latency(eng);
	for (size_t k = 0; k < s->n_tracks; k++)
		report->silent_inputs += s->tracks[k].n_inputs > 0; /* live inputs exist only in `mixdown play` */
	if (meter.failed) { /* the meter's gating lists are incomplete */
		st = MIXDOWN_ERR_NOMEM;
		goto free_bufs;
	}
	report->integrated_lufs = mxd_fl_integrated(&meter);
	for (size_t k = 0; k < n_stems; k++)
		report->clipped_samples += mxd_writer_clipped(stems[k].w);
	for (size_t k = 0; k < n_folds; k++)
		report->clipped_samples += mxd_writer_clipped(folds[k].w);
	if (bwf_loudness) {
		mxd_bwf_loudness loud;
		mxr_bwf_loudness(&meter, &loud);
		mxd_writer_set_loudness(main_w, &loud);
	}

	/* Everything rendered: put the files in place, stems first so the mix
	 * appears last (a watcher of the mix file sees a complete set). */
	snprintf(report->files[report->n_files++], sizeof report->files[0], "%s", out_path);
	for (size_t k = 0; k < n_stems && st == MIXDOWN_SUCCESS; k++) {
		if (report->n_files < MIXDOWN_MAX_REPORT_FILES)
			snprintf(report->files[report->n_files++], sizeof report->files[0], "%s",
				 mxd_writer_path(stems[k].w));
		st = mxd_writer_commit(stems[k].w, err);
		stems[k].w = NULL;
	}
	for (size_t k = 0; k < n_folds && st == MIXDOWN_SUCCESS; k++) {
		if (report->n_files < MIXDOWN_MAX_REPORT_FILES)
			snprintf(report->files[report->n_files++], sizeof report->files[0], "%s",
				 mxd_writer_path(folds[k].w));
		st = mxd_writer_commit(folds[k].w, err);
		folds[k].w = NULL;
	}
	if (st == MIXDOWN_SUCCESS) {
		report->frames = mxd_writer_frames(main_w);
		report->duration = report->frames / report->sample_rate;
		st = mxd_writer_commit(main_w, err);
		main_w = NULL;
	}
	goto free_bufs;
out_failed: /* the writer's own message (the worker's copy, or inline_out's) */
	if (mq) {
		(void)mxr_meter_finish(mq, NULL, err);
		mq = NULL;
	} else if (err) {
		*err = inline_out.err;
	}
free_bufs:
	for (uint32_t c = 0; c < eng_nc; c++)
		free(bufs[c]);
done:
	/* Stopped early: the worker lets go of main_w and the meter before they go. */
	(void)mxr_meter_finish(mq, NULL, NULL);
	mxr_out_free(&inline_out);
	mxr_binaural_free(bin);
	mxd_writer_abort(main_w);
	for (size_t k = 0; k < n_stems; k++)
		mxd_writer_abort(stems[k].w);
	free(stems);
	for (size_t k = 0; k < n_folds; k++) {
		mxd_writer_abort(folds[k].w);
		for (uint32_t c = 0; c < MXD_DOWNMIX_MAX_OUT; c++)
			free(folds[k].bufs[c]);
	}
	mxd_fl_free(&meter);
	mixdown_engine_free(eng);
	free(out_path);
	if (st != MIXDOWN_SUCCESS)
		report->n_files = 0;
	return st;
}

/* Master each fold-down of the float mix (mix_path's folds, see open_folds)
 * into out_path's fold path while st is a success; the temporary folds are
 * removed in any case. Returns the new status. */
static mixdown_status master_folds(mixdown_status st, const char *mix_path, const char *out_path, const char *downmix,
				   const mixdown_master_options *mo, mixdown_render_report *report, mixdown_error *err)
{
	mixdown_format fmt = mo->format != MIXDOWN_FORMAT_AUTO ? mo->format : mxd_format_from_path(out_path);
	report->n_files = 1;
	for (const char *p = downmix; *p;) {
		char name[32], tmp[1100], dst[sizeof report->files[0]];
		size_t len = strcspn(p, ",");
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
		p += len + (p[len] == ',');
		const mxd_layout *to = mxd_downmix_target(name);
		if (!to)
			continue; /* open_folds has already refused it */
		fold_path(tmp, sizeof tmp, mix_path, to->name, MIXDOWN_FORMAT_WAV);
		fold_path(dst, sizeof dst, out_path, to->name, fmt);
		mixdown_master_report mr;
		if (st == MIXDOWN_SUCCESS && (st = mixdown_master_file(tmp, dst, mo, &mr, err)) == MIXDOWN_SUCCESS &&
		    report->n_files < MIXDOWN_MAX_REPORT_FILES)
			snprintf(report->files[report->n_files++], sizeof report->files[0], "%s", dst);
		unlink(tmp);
	}
	return st;
}

/* With `master: target:` the mix is rendered as 32-bit float next to the
 * output, mastered into the output (src/master: measured loudness, true-peak
 * limiter, the export's format), and the float mix removed. */
static mixdown_status render_mastered(const mixdown_session *s, const mixdown_render_options *opt,
				      mixdown_render_report *report, mixdown_error *err)
{
	char *out_path = opt->output ? strdup(opt->output) : s->export_file ? join_path(s->dir, s->export_file) : NULL;
	if (!out_path)
		return render_mix(s, opt, report, err); /* reports the missing output */
	if (!strcmp(out_path, "-")) {
		free(out_path);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, s->path, noloc(), "master.target",
				"a mastered export needs a file, not standard output");
	}
	const char *slash = strrchr(out_path, '/');
	char mix_path[1100];
	snprintf(mix_path, sizeof mix_path, "%.*s.%s.unmastered.wav", slash ? (int)(slash - out_path + 1) : 0, out_path,
		 slash ? slash + 1 : out_path);
	/* Fold-downs are folded from the float mix and each mastered to the same
	 * target: folding the mastered file could break its true-peak ceiling. */
	const char *downmix = opt->downmix ? opt->downmix : opt->binaural ? NULL : s->export_downmix;
	mixdown_render_options o = *opt;
	o.downmix = downmix;
	o.output = mix_path;
	o.format = MIXDOWN_FORMAT_WAV;
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	o.sample_rate = 0;
	mixdown_status st = render_mix(s, &o, report, err);
	if (st == MIXDOWN_SUCCESS) {
		mixdown_master_options mo = mixdown_master_options_init();
		mo.preset = s->master_preset;
		mo.loudness = s->master_loudness;
		mo.true_peak = s->master_true_peak;
		mo.format = opt->format == MIXDOWN_FORMAT_AUTO && !opt->output ? (mixdown_format)s->export_format
										 : opt->format;
		mo.sample = opt->sample_format != MIXDOWN_SAMPLE_AUTO ? opt->sample_format
			  : s->export_bits == 16			 ? MIXDOWN_SAMPLE_INT16
			  : s->export_bits == 32			 ? MIXDOWN_SAMPLE_FLOAT32
								 : MIXDOWN_SAMPLE_INT24;
		mo.dither = opt->dither;
		mo.sample_rate = opt->sample_rate > 0 ? opt->sample_rate : s->export_rate;
		mixdown_master_report mr;
		st = mixdown_master_file(mix_path, out_path, &mo, &mr, err);
		if (st == MIXDOWN_SUCCESS) {
			report->mastered = true;
			report->integrated_lufs = mr.loudness;
			report->peak_dbfs = mr.sample_peak;
			report->sample_rate = mr.sample_rate;
			report->master_gain = mr.gain;
			report->master_true_peak = mr.true_peak;
			report->master_limiting = mr.limiting_max;
			report->master_met = mr.met;
			snprintf(report->master_warning, sizeof report->master_warning, "%s", mr.warning);
			snprintf(report->files[0], sizeof report->files[0], "%s", out_path);
		}
		if (downmix && *downmix) /* also to remove the temporary folds after a failure */
			st = master_folds(st, mix_path, out_path, downmix, &mo, report, err);
	}
	unlink(mix_path);
	free(out_path);
	if (st != MIXDOWN_SUCCESS)
		report->n_files = 0;
	return st;
}

mixdown_status mixdown_render(const mixdown_session *s, const mixdown_render_options *opt_in,
			      mixdown_render_report *report, mixdown_error *err)
{
	mixdown_render_options opt = opt_in ? *opt_in : mixdown_render_options_init();
	mixdown_render_report local;
	if (!report)
		report = &local;
	return s->master_target ? render_mastered(s, &opt, report, err) : render_mix(s, &opt, report, err);
}
