/* mixdown — DAWproject interop: declarations shared by src/interop.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * DAWproject 1.0 (bitwig/dawproject, Project.xsd): a zip with project.xml,
 * metadata.xml and the audio files. The reader turns project.xml into session
 * YAML text (docs/session-format.md) that the normal parser then validates;
 * the writer turns the session model into project.xml. Units are converted in
 * dawproject_units.c. Control thread only; nothing here is real-time safe.
 */
#ifndef MIXDOWN_INTEROP_DAWPROJECT_H
#define MIXDOWN_INTEROP_DAWPROJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mixdown/mixdown.h"
#include "session/model.h"

/* Project.xsd simpleType "unit". */
typedef enum {
	DP_UNIT_NONE = -1, /* attribute absent */
	DP_UNIT_LINEAR,
	DP_UNIT_NORMALIZED,
	DP_UNIT_PERCENT,
	DP_UNIT_DECIBEL,
	DP_UNIT_HERTZ,
	DP_UNIT_SEMITONES,
	DP_UNIT_SECONDS,
	DP_UNIT_BEATS,
	DP_UNIT_BPM,
	DP_UNIT_UNKNOWN, /* a value outside the enumeration */
} dp_unit;

dp_unit dp_unit_parse(const char *s); /* NULL -> DP_UNIT_NONE */
const char *dp_unit_name(dp_unit u);

/* A RealParameter's value in mixdown's unit. Each returns false when the unit
 * cannot express that quantity (the caller reports the element and its line). */
bool dp_volume_db(dp_unit u, double v, double *db); /* Volume: linear gain or dB -> dB */
bool dp_pan(dp_unit u, double v, double min, double max, double *pan); /* -> -1..+1 */
bool dp_level_db(dp_unit u, double v, double *db); /* thresholds, gains: dB or linear -> dB */
bool dp_seconds(dp_unit u, double v, double bpm, double *s); /* seconds or beats -> s */
bool dp_hertz(dp_unit u, double v, double *hz);
bool dp_ratio(dp_unit u, double v, double *ratio); /* linear N:1 */
/* Inverses for the writer: the units it always writes. */
double dp_pan_normalized(double pan); /* -1..+1 -> 0..1 */
/* Beats (quarter notes, the DAWproject beat) to seconds at a constant tempo. */
double dp_beats_to_seconds(double beats, double bpm);

/* Append a line to one of the report's lists (dropped silently when full). */
void dp_note(char (*list)[256], size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* dawproject_zip.c: project.xml (and metadata) from a zip or a bare XML file. */
typedef struct dp_container dp_container;
/* Opens `path`: a zip (must hold project.xml) or an XML file. */
mixdown_status dp_open(const char *path, dp_container **out, mixdown_error *err);
void dp_close(dp_container *c);
/* project.xml's bytes (owned by c). */
const char *dp_project_xml(const dp_container *c, size_t *len);
/* Whether `name` (a path inside the container, or relative to a bare XML's folder) exists. */
bool dp_has_file(const dp_container *c, const char *name);
/* Copy entry `name` to `dest` (temp file + rename). */
mixdown_status dp_extract(const dp_container *c, const char *name, const char *dest, mixdown_error *err);

/* dawproject_read.c: project.xml -> session YAML on `out`. `audio_dir` is the
 * folder audio is extracted to and `audio_rel` the same as the session names it. */
typedef struct {
	const char *project; /* path for messages */
	const dp_container *c;
	const char *audio_dir;
	const char *audio_rel;
	mixdown_dawproject_report *rep;
} dp_read_ctx;
mixdown_status dp_read_project(dp_read_ctx *ctx, FILE *out, mixdown_error *err);

/* dawproject_write.c: the session as project.xml text (malloc'd, *len bytes).
 * `audio_names[i]` is the zip path given to the i-th distinct clip file, in
 * the order of dp_audio_files(). */
typedef struct {
	char **src; /* resolved source paths */
	char **zip_name; /* "audio/NAME" */
	size_t n;
} dp_audio_list;
mixdown_status dp_audio_files(const mxd_session *s, dp_audio_list *out);
void dp_audio_list_free(dp_audio_list *l);
mixdown_status dp_write_project(const mxd_session *s, const dp_audio_list *audio, mixdown_dawproject_report *rep,
				char **xml, size_t *len, mixdown_error *err);
/* metadata.xml text (static). */
const char *dp_metadata_xml(void);

#endif
