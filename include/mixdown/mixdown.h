/* mixdown — a multitrack mixing engine. Public API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Conventions
 *  - Every name is prefixed mixdown_ / MIXDOWN_. Handles are opaque.
 *  - Functions that can fail return mixdown_status; results are written through
 *    out-pointers. mixdown_strerror() names every status.
 *  - Functions taking a mixdown_error * fill it (when non-NULL) with the file,
 *    line, column, key path and message of the first problem found.
 *  - Every *_free() accepts NULL.
 *  - Units: levels in dB (dBFS for peaks), times in seconds, rates in Hz,
 *    loudness in LUFS (ITU-R BS.1770).
 *  - Threads: none of these functions may be called on a real-time audio thread
 *    (they read files, allocate and may block). A handle may be used from one
 *    thread at a time; distinct handles are independent.
 *  - The library never prints; messages reach the caller through mixdown_error
 *    and the render report.
 */
#ifndef MIXDOWN_MIXDOWN_H
#define MIXDOWN_MIXDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIXDOWN_VERSION_STRING "0.1.0"

typedef enum {
	MIXDOWN_SUCCESS = 0,
	MIXDOWN_ERR_NOMEM,      /* allocation failed */
	MIXDOWN_ERR_USAGE,      /* invalid argument or option combination */
	MIXDOWN_ERR_SESSION,    /* session text invalid (syntax, key, type, range, routing) */
	MIXDOWN_ERR_AUDIO,      /* an audio file is missing, unreadable or unsupported */
	MIXDOWN_ERR_IO,         /* writing an output failed (disk full, permission, ...) */
	MIXDOWN_ERR_INTERNAL,   /* a processor failed to activate, resampler failure, ... */
	MIXDOWN_ERR_CANCELLED,  /* the progress callback asked to stop */
} mixdown_status;

/* A static English description of `st`; never NULL. */
const char *mixdown_strerror(mixdown_status st);

/* Where and why something failed. `file` is empty and line/column are 0 when the
 * problem has no place in a session file. `key` is a key path such as
 * "tracks[2].clips[0].gain" (empty when not applicable). */
typedef struct {
	char file[512];
	uint32_t line, column;   /* 1-based */
	char key[256];
	char message[768];
} mixdown_error;

/* Format `err` the way the command line prints it:
 * "file:line:column: key: message" (parts that are empty are left out). */
void mixdown_error_format(const mixdown_error *err, char *buf, size_t size);

/* ------------------------------------------------------------------ sessions */

typedef struct mixdown_session mixdown_session;

/* Parse and validate a session file. Relative audio paths are resolved against
 * the session file's directory; every referenced file is opened to read its
 * header (so missing or unreadable audio is reported here, with the clip's
 * line:column). On failure *out is NULL and MIXDOWN_ERR_SESSION or
 * MIXDOWN_ERR_AUDIO is returned. */
mixdown_status mixdown_session_load(const char *path, mixdown_session **out, mixdown_error *err);

/* The same from text in memory. `name` is used in messages (e.g. "<stdin>");
 * `base_dir` resolves relative paths (NULL = current directory). */
mixdown_status mixdown_session_load_string(const char *text, size_t len, const char *name,
					   const char *base_dir, mixdown_session **out,
					   mixdown_error *err);

void mixdown_session_free(mixdown_session *session);

double mixdown_session_sample_rate(const mixdown_session *session);  /* Hz */
uint32_t mixdown_session_channels(const mixdown_session *session);   /* master channels */
size_t mixdown_session_track_count(const mixdown_session *session);
const char *mixdown_session_track_name(const mixdown_session *session, size_t i);
size_t mixdown_session_bus_count(const mixdown_session *session);
const char *mixdown_session_bus_name(const mixdown_session *session, size_t i);
/* The export file named in the session (resolved), or NULL. */
const char *mixdown_session_export_file(const mixdown_session *session);

/* -------------------------------------------------------------------- engine */

/* A built, running mix graph: tracks -> buses -> master with plugin-delay
 * compensation. It streams its clips from disk and produces the master output
 * block by block, already aligned (the graph's latency is skipped). */
typedef struct mixdown_engine mixdown_engine;

/* max_block: largest n passed to mixdown_engine_process(), 1..65536. */
mixdown_status mixdown_engine_create(const mixdown_session *session, uint32_t max_block,
				     mixdown_engine **out, mixdown_error *err);
void mixdown_engine_free(mixdown_engine *engine);

uint32_t mixdown_engine_channels(const mixdown_engine *engine);
double mixdown_engine_sample_rate(const mixdown_engine *engine);
/* Frames in the render range (from range start to range end or last clip + tail). */
uint64_t mixdown_engine_length(const mixdown_engine *engine);
/* Total latency of the graph in frames (compensated internally). */
uint32_t mixdown_engine_latency(const mixdown_engine *engine);

/* Render the next n frames of the master into out[0..channels-1] (planar,
 * caller-owned, n <= max_block). Past the end the output is silence.
 * May read files; not real-time safe in this release. */
mixdown_status mixdown_engine_process(mixdown_engine *engine, float *const *out, uint32_t n,
				      mixdown_error *err);

/* -------------------------------------------------------------------- render */

typedef enum {
	MIXDOWN_FORMAT_AUTO = 0, /* from the output file's extension (WAV for "-") */
	MIXDOWN_FORMAT_WAV,
	MIXDOWN_FORMAT_FLAC,
	MIXDOWN_FORMAT_AIFF,
} mixdown_format;

typedef enum {
	MIXDOWN_SAMPLE_AUTO = 0, /* session export setting, else 24-bit */
	MIXDOWN_SAMPLE_INT16,
	MIXDOWN_SAMPLE_INT24,
	MIXDOWN_SAMPLE_FLOAT32,
} mixdown_sample_format;

typedef enum {
	/* TPDF dither on every sample that is not already on the output grid:
	 * unity paths of integer sources (and digital silence) stay bit-exact. */
	MIXDOWN_DITHER_AUTO = 0,
	MIXDOWN_DITHER_ALWAYS, /* TPDF on every sample of integer output */
	MIXDOWN_DITHER_OFF,    /* plain rounding */
} mixdown_dither;

/* Called about ten times a second of wall time and at the end. Return false to
 * cancel (the render fails with MIXDOWN_ERR_CANCELLED and writes nothing). */
typedef bool (*mixdown_progress_fn)(void *user, double done_seconds, double total_seconds,
				    float peak_dbfs, uint64_t clipped_samples);

typedef struct {
	const char *output;          /* path; "-" = WAV on standard output; NULL = session export */
	mixdown_format format;
	mixdown_sample_format sample_format;
	double sample_rate;          /* output rate; 0 = session rate (else resampled, soxr VHQ) */
	mixdown_dither dither;
	const char *stems_dir;       /* also write every bus as DIR/<bus>.<ext>; NULL = none */
	bool stems_tracks;           /* with stems_dir: every track as well */
	mixdown_progress_fn progress;
	void *progress_user;
	/* A section to render instead of the session's range: "START-END",
	 * "START-" or "-END", times in seconds or bar:beat[:tick] ("17:1-25:1").
	 * Everything before START is still processed (silently), so effect tails,
	 * envelopes and automation are exactly as in a full render. NULL = none. */
	const char *range;
} mixdown_render_options;

/* Defaults for every field (so new fields get defaults in old callers). */
mixdown_render_options mixdown_render_options_init(void);

#define MIXDOWN_MAX_REPORT_FILES 256

typedef struct {
	double duration;             /* s of audio written */
	uint64_t frames;
	uint32_t channels;
	double sample_rate;
	double peak_dbfs;            /* sample peak of the mix before conversion; -inf if silent */
	uint64_t clipped_samples;    /* samples (all files) limited at integer conversion */
	uint64_t nonfinite_samples;  /* NaN/Inf replaced by 0 before writing */
	double integrated_lufs;      /* BS.1770 of the mix; -inf for silence */
	uint32_t latency;            /* compensated graph latency, frames */
	size_t n_files;
	char files[MIXDOWN_MAX_REPORT_FILES][512]; /* every file written, mix first */
} mixdown_render_report;

/* Render the session to files. Outputs are written to temporary files next to
 * their targets and renamed into place only when everything succeeded; an
 * output path that is one of the session's inputs is refused
 * (MIXDOWN_ERR_USAGE). `report` may be NULL. */
mixdown_status mixdown_render(const mixdown_session *session, const mixdown_render_options *opt,
			      mixdown_render_report *report, mixdown_error *err);

/* ------------------------------------------------------------ session files */

/* Write a starting session for every audio file in `stems_dir` (sorted by
 * name; file names without extension become track names; faders at 0 dB,
 * centred, all to the master) to `session_path` (temporary file + rename).
 * Paths in the session are relative to the session file's folder. Refuses to
 * overwrite an existing file unless `overwrite`. */
mixdown_status mixdown_session_write_from_folder(const char *stems_dir, const char *session_path,
						 bool overwrite, mixdown_error *err);

/* Synthesize the demo song (drums, bass, keys, pad, lead; about 35 s, 48 kHz,
 * deterministic) as stems plus `session.yaml` into `dir` (created if needed). */
mixdown_status mixdown_demo_write(const char *dir, mixdown_error *err);

/* ---------------------------------------------------------------- processors */

typedef struct {
	const char *name;         /* e.g. "freq", or "bands.*.freq" for list items */
	const char *unit;
	const char *kind;         /* "number", "enum", "bool", "list" */
	double min, max, def;
	const char *const *choices; /* enum only */
	const char *help;
	bool automatable;
} mixdown_param_info;

size_t mixdown_fx_count(void);
const char *mixdown_fx_name(size_t i);
const char *mixdown_fx_summary(size_t i);
/* Flattened parameter table of processor i (list sub-parameters appear as
 * "list.*.sub"). Returns the number of entries; fills at most `cap`. */
size_t mixdown_fx_params(size_t i, mixdown_param_info *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
