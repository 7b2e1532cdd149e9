/* mixdown — DAWproject reader: state shared by the structure reader
 * (dawproject_read.c, dawproject_devices.c) and the arrangement reader
 * (dawproject_arrange.c). Control thread only.
 *
 * Every strip collects its YAML pieces in memory streams while the XML is
 * walked; dawproject_read.c prints them in session order at the end.
 */
#ifndef MIXDOWN_INTEROP_DAWPROJECT_READ_H
#define MIXDOWN_INTEROP_DAWPROJECT_READ_H

#include <libxml/tree.h>

#include "interop/dawproject.h"

#define DP_MAX_STRIPS 1024
#define DP_MAX_PARAMS 8192

typedef enum { DP_TRACK, DP_BUS, DP_MASTER } dp_kind;

/* A memory stream (open_memstream). */
typedef struct {
	char *buf;
	size_t len;
	FILE *f;
} dp_buf;

typedef struct {
	dp_kind kind;
	char name[128];
	const xmlChar *channel_id, *track_id; /* attributes of the XML (owned by the document) */
	xmlNode *channel;
	const xmlChar *dest_id;
	size_t n_inserts, n_sends, n_clips, n_lanes;
	char lane_keys[64][96]; /* automation keys already written (no duplicates) */
	dp_buf head; /* name..output, inserts, sends */
	dp_buf clips; /* "      - {...}" lines */
	dp_buf autom; /* "      KEY: [...]" lines */
} dp_strip;

/* What an automatable parameter id maps to, and how its values convert. */
typedef enum {
	DP_CV_VOLUME, /* dB from linear/decibel */
	DP_CV_PAN, /* -1..1 */
	DP_CV_BOOL, /* mute: 0/1 */
	DP_CV_HZ,
	DP_CV_DB, /* device levels: dB */
	DP_CV_LINEAR, /* plain number (Q) */
	DP_CV_MS, /* seconds -> ms */
	DP_CV_RATIO,
	DP_CV_NEG_DB, /* gate range: -dB -> positive attenuation */
} dp_conv;

typedef struct {
	const xmlChar *id;
	size_t strip;
	char key[96]; /* automation key: "gain", "sends.Echo.level", "inserts.2.bands.1.freq" */
	dp_conv conv;
	dp_unit unit; /* the parameter's own unit */
	double min, max; /* its min/max attributes (NAN when absent) */
	double lo, hi; /* mixdown's range of the key */
} dp_param;

typedef struct {
	dp_read_ctx *ctx;
	mixdown_error *err;
	xmlDoc *doc;
	double bpm; /* quarter notes per minute */
	double sample_rate; /* first Audio's rate, 0 = none */
	dp_strip *strips;
	size_t n_strips;
	dp_param *params;
	size_t n_params;
	char (*extracted)[256]; /* zip names already extracted */
	size_t n_extracted;
	mixdown_status st; /* first failure */
} dp_reader;

/* Attribute helpers (xmlGetProp copies; these return document-owned strings). */
const char *dp_attr(const xmlNode *n, const char *name);
bool dp_attr_double(const xmlNode *n, const char *name, double *v);
xmlNode *dp_child(const xmlNode *n, const char *name);
bool dp_is(const xmlNode *n, const char *name);

/* Fail with the element's line: "PROJECT:LINE:0: ELEMENT: message". */
mixdown_status dp_fail(dp_reader *r, const xmlNode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Read a RealParameter's value in mixdown's unit (fails on a unit that cannot express it). */
mixdown_status dp_real(dp_reader *r, const xmlNode *p, dp_conv conv, double *out);
/* Convert a value given in `unit` (min/max of its parameter) to mixdown's unit. */
mixdown_status dp_convert(dp_reader *r, const xmlNode *where, dp_conv conv, dp_unit unit, double min, double max,
			  double v, double *out);
/* Remember an automatable parameter id. */
void dp_param_add(dp_reader *r, const xmlNode *p, size_t strip, const char *key, dp_conv conv, double lo, double hi);
const dp_param *dp_param_find(const dp_reader *r, const char *id);
size_t dp_strip_by_channel(const dp_reader *r, const char *id); /* (size_t)-1 if none */
size_t dp_strip_by_track(const dp_reader *r, const char *id);

/* dawproject_devices.c: the Devices of a channel as `inserts:` lines on s->head. */
mixdown_status dp_read_devices(dp_reader *r, size_t strip, const xmlNode *devices);
/* dawproject_arrange.c: clips and automation of the Arrangement. */
mixdown_status dp_read_arrangement(dp_reader *r, const xmlNode *arr);

/* Parse project.xml; a malformed document fails with the line and column of
 * its first error (nothing is printed). */
mixdown_status dp_parse_xml(const char *xml, size_t len, const char *file, xmlDoc **out, mixdown_error *err);

/* A YAML number: up to 12 significant digits (exact to 1 ns for times up to 1000 s). */
void dp_num(FILE *f, double v);

#endif
