/* mixdown — the in-memory session model, as produced by the session parser.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything here is plain data owned by the mxd_session that contains it
 * (strings and arrays are heap copies freed by mxd_session_free()). Times are
 * resolved to seconds by the parser (bar:beat positions go through the tempo
 * map); levels are in dB; the engine converts to frames and linear gains when
 * it builds the graph. Control thread only.
 */
#ifndef MIXDOWN_SESSION_MODEL_H
#define MIXDOWN_SESSION_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fx/processor.h"
#include "mixdown/mixdown.h"

#define MXD_MAX_INPUT_PORT 64 /* highest live input number (`input:`) */

/* 1-based position of a node in the session file (0 = not from the file). */
typedef struct {
	uint32_t line, column;
} mxd_loc;

typedef enum {
	MXD_FADE_LINEAR,      /* g = x */
	MXD_FADE_EQUAL_POWER, /* g = sin(x * pi/2); constant power crossfades */
	MXD_FADE_EXP,         /* g = x^2 (slow start: the usual "exponential" fade-in) */
	MXD_FADE_LOG,         /* g = 1 - (1 - x)^2 (fast start) */
	MXD_FADE_SCURVE,      /* g = (1 - cos(x * pi)) / 2 */
} mxd_fade_curve;
/* For fade-outs the same curve is applied to the time-reversed ramp, i.e.
 * g_out(x) = g_in(1 - x) with x running 0..1 across the fade. */

typedef struct {
	char *file;           /* path as resolved for opening (session dir + as written) */
	char *file_written;   /* path exactly as written in the session (for messages) */
	double at;            /* timeline position of the clip start, s, >= 0 */
	bool at_bwf;          /* `at: bwf`: `at` came from the file's BWF time reference */
	double offset;        /* start position inside the file, s, >= 0 */
	double length;        /* s; < 0 = until the end of the file */
	double gain_db;       /* clip gain, dB, [-144, +24] */
	double fade_in;       /* s, >= 0 */
	double fade_out;      /* s, >= 0 */
	mxd_fade_curve fade_in_curve, fade_out_curve;
	/* Filled by the parser from the file header (libsndfile): */
	double file_rate;     /* Hz */
	uint32_t file_channels;
	int64_t file_frames;
	mxd_loc loc;
} mxd_clip;

/* `takes:` of a comped track (session/parse_takes.c): a take file starts at
 * `at` on the timeline; `comp:` ranges pick sections of the takes and become
 * ordinary clips (crossfaded at the joins), kept here for `mixdown comp`. */
typedef struct {
	char *name;           /* owned */
	char *file;           /* resolved path; owned */
	char *file_written;   /* as written; owned */
	double at;            /* s, timeline position of the file's first frame */
	double file_rate;     /* Hz */
	uint32_t file_channels;
	int64_t file_frames;
	mxd_loc loc;
} mxd_take;

typedef struct {
	size_t take;          /* index into the strip's takes */
	double from, to;      /* s on the timeline, from < to */
	mxd_loc loc;
} mxd_comp_range;

/* Which part of the strip's signal an insert processes (`channels:`). */
typedef enum {
	MXD_INSERT_ALL,   /* every channel */
	MXD_INSERT_MID,   /* M = (L+R)/2 of a stereo strip, decoded back after */
	MXD_INSERT_SIDE,  /* S = (L-R)/2 */
	MXD_INSERT_LEFT,
	MXD_INSERT_RIGHT,
} mxd_insert_channels;

typedef struct {
	const mxd_fx_class *cls;
	double *values;       /* cls->n_slots values, owned */
	char **files;         /* NULL, or cls->n_slots entries: resolved paths of FILE parameters (or NULL); owned */
	char *id;             /* optional user id (for automation addressing), or NULL */
	bool bypass;
	mxd_insert_channels channels;
	double mix;           /* engine dry/wet 0..1 (1 = fully processed); classes with their own `mix` keep 1 */
	char *sidechain;      /* name of the track/bus keying this insert, or NULL */
	mxd_loc sidechain_loc;
	mxd_loc loc;
} mxd_insert;

typedef struct {
	char *to;             /* name of an aux/group bus */
	double level_db;      /* [-144, +24]; -inf is written as "-inf" or off */
	bool pre_fader;
	mxd_loc loc;
} mxd_send;

/* ------------------------------------------------------------- automation */

/* Shape of the segment from a point to the next one. */
typedef enum {
	MXD_AUTO_LINEAR, /* straight line in the parameter's unit (dB for gains) */
	MXD_AUTO_HOLD,   /* keep the value until the next point (`hold` or `step`) */
	MXD_AUTO_SMOOTH, /* S-curve: (1 - cos(pi x)) / 2 */
	MXD_AUTO_EXP,    /* exponential: geometric between positive values (frequencies),
			  * otherwise x^2 (slow start, fast finish) */
} mxd_auto_curve;

typedef struct {
	double time;          /* s on the timeline (bar:beat converted by the parser) */
	double value;         /* in the target's unit, within its range */
	mxd_auto_curve curve;
} mxd_auto_point;

typedef enum {
	MXD_TARGET_GAIN,      /* fader, dB */
	MXD_TARGET_TRIM,      /* relative dB added to the fader (vocal rides) */
	MXD_TARGET_PAN,       /* -1..1 */
	MXD_TARGET_WIDTH,     /* 0..2 */
	MXD_TARGET_MUTE,      /* 0 or 1; switched with a 10 ms crossfade */
	MXD_TARGET_SEND,      /* sends[index] level, dB */
	MXD_TARGET_INSERT,    /* inserts[index] parameter `slot` */
	MXD_TARGET_BYPASS,    /* inserts[index] bypass 0/1; 10 ms crossfade */
	MXD_TARGET_OBJ_AZIMUTH,   /* object.azimuth, degrees; points unwrapped (shortest way round) */
	MXD_TARGET_OBJ_ELEVATION, /* object.elevation, degrees -90..90 */
	MXD_TARGET_OBJ_DISTANCE,  /* object.distance 0.1..100 */
	MXD_TARGET_OBJ_SPREAD,    /* object.spread, degrees 0..180 */
	MXD_TARGET_SUR_X,         /* surround.x -1..1 */
	MXD_TARGET_SUR_Y,         /* surround.y -1..1 */
	MXD_TARGET_SUR_Z,         /* surround.z 0..1 */
	MXD_TARGET_LFE,           /* lfe send, dB */
} mxd_auto_target;

/* MXD_LFO_RAMP rises from -depth to +depth and jumps back: on object.azimuth
 * with depth 180 that jump is +180 -> -180, the same direction, so the
 * source circles the listener continuously. */
typedef enum { MXD_LFO_SINE, MXD_LFO_TRIANGLE, MXD_LFO_SQUARE, MXD_LFO_RANDOM, MXD_LFO_RAMP } mxd_lfo_shape;

/* A periodic modulation added to the lane's value: depth * shape(phase). */
typedef struct {
	bool on;
	mxd_lfo_shape shape;
	double rate_hz;       /* cycles per second (tempo notes converted: one cycle per note) */
	double depth;         /* peak deviation in the target's unit */
	double phase;         /* start phase in cycles, 0..1 */
	double stereo_offset; /* gain/trim lanes on a stereo strip: the right
			       * channel's phase lead in cycles, 0..1 (0.5 = auto-pan) */
	uint32_t seed;        /* random-smooth shape */
} mxd_lfo;

/* An envelope follower on another strip: value += range * amount, where the
 * amount moves toward 1 while the source is above `threshold` and toward 0
 * otherwise, with the attack/release time constants (ducking). */
typedef struct {
	bool on;
	char *source;         /* track or bus name; owned */
	mxd_loc source_loc;
	double attack_ms, release_ms;
	double threshold_db;
	double range;         /* in the target's unit (dB for gains) */
} mxd_follow;

typedef struct {
	char *path;           /* as written, e.g. "sends.Plate.level"; owned */
	mxd_auto_target target;
	size_t index;         /* send or insert index */
	size_t slot;          /* insert parameter slot */
	double min, max;      /* the target's range */
	double base;          /* value without points (the static setting) */
	mxd_auto_point *points; /* sorted by time; owned; may be empty */
	size_t n_points;
	mxd_lfo lfo;
	mxd_follow follow;
	mxd_loc loc;
} mxd_lane;

typedef enum { MXD_STRIP_TRACK, MXD_STRIP_BUS, MXD_STRIP_MASTER } mxd_strip_kind;

/* `object:` — a track panned as a point source by VBAP (src/spatial). Angles
 * use mixdown's convention (spatial/layout.h): azimuth positive to the right. */
typedef struct {
	bool on;
	double azimuth_deg;   /* (-180, 180], 0 = front */
	double elevation_deg; /* [-90, 90], 0 = ear height */
	double distance;      /* relative to the speaker radius, > 0; 1 = on the speakers */
	double spread_deg;    /* source size [0, 180]; 0 = a point */
	bool air;             /* binaural: air-absorption low-pass with distance (spatial/binaural.h) */
} mxd_object;

/* `surround:` — the bed panner: position in the room box. */
typedef struct {
	bool on;
	double x;             /* -1 left .. +1 right */
	double y;             /* -1 back .. +1 front */
	double z;             /* 0 ear height .. 1 top layer */
} mxd_surround_pan;

/* A channel strip: a track, a bus or the master. Signal order through a strip:
 * clips (tracks) / summed inputs (buses) -> polarity -> inserts -> pre-fader sends
 * -> fader gain -> pan/balance/width -> mute -> post-fader sends -> output. */
typedef struct {
	mxd_strip_kind kind;
	char *name;
	char *color;          /* "#rrggbb" or NULL */
	char *group;          /* free-form group label or NULL */
	mxd_clip *clips;      /* tracks only */
	size_t n_clips;
	/* Tracks with `input:` (instead of clips): the player's live JACK inputs
	 * in_N feeding the strip's channels, 1-based; silent offline. */
	uint32_t inputs[MXD_MAX_CHANNELS];
	uint32_t n_inputs;    /* 0 = a clip track */
	double gain_db;       /* fader, [-144, +24]; -144 or below = silence */
	bool mute;
	bool solo;
	bool solo_safe;       /* buses: not muted by other strips' solo */
	bool invert;          /* polarity, all channels */
	double pan;           /* -1 (L) .. +1 (R); balance for stereo sources */
	double pan_law_db;    /* one of 0, -3, -4.5, -6: gain of each side at centre */
	double width;         /* stereo width 0..2 (1 = unchanged, 0 = mono, 2 = wide) */
	mxd_object object;    /* tracks: `object:` panning (replaces pan when on) */
	mxd_surround_pan surround; /* tracks/buses: `surround:` bed panning */
	double lfe_db;        /* `lfe:` send to the layout's LFE channel, dB; -inf (default) = none */
	char *output;         /* destination bus name; NULL = master (not for master) */
	mxd_insert *inserts;
	size_t n_inserts;
	mxd_send *sends;
	size_t n_sends;
	mxd_lane *lanes;      /* `automation:`; owned */
	size_t n_lanes;
	mxd_take *takes;      /* comped tracks (`takes:`), else NULL; owned */
	size_t n_takes;
	mxd_comp_range *comp; /* `comp:` ranges, sorted; owned */
	size_t n_comp;
	double comp_crossfade; /* s, `crossfade:` at each join */
	mxd_loc loc;
	mxd_loc output_loc;   /* where `output:` was written (for routing errors) */
} mxd_strip;

typedef struct {
	double bar_start;     /* first bar (1-based, fractional allowed) this tempo applies from */
	double seconds;       /* filled: timeline time of that bar */
	double bpm;           /* beats per minute; a beat is the time signature's denominator note */
	uint32_t beats_per_bar, beat_unit;
} mxd_tempo_section;

/* Same order as mixdown_format (the renderer casts one to the other). */
typedef enum {
	MXD_FORMAT_AUTO, MXD_FORMAT_WAV, MXD_FORMAT_FLAC, MXD_FORMAT_AIFF,
	MXD_FORMAT_RF64, MXD_FORMAT_OGG, MXD_FORMAT_OPUS, MXD_FORMAT_MP3
} mxd_format;

typedef struct mixdown_session mxd_session;
struct mixdown_session {
	char *path;           /* session file path as given (NULL for in-memory text) */
	char *dir;            /* directory relative files are resolved against */
	int version;          /* `mixdown:` format version; only 1 exists */
	double sample_rate;   /* Hz; 0 in the file = first clip's rate (resolved by the parser) */
	uint32_t channels;    /* master channel count, 1..MXD_MAX_CHANNELS, default 2 */
	const struct mxd_layout_s *layout; /* `layout:` (spatial/layout.h); NULL = discrete `channels` */
	bool binaural;        /* `layout: binaural`: stereo out, objects rendered through the HRTF */
	char *hrtf_file;      /* `hrtf:` SOFA file (resolved), NULL = libmysofa's installed default; owned */
	mxd_tempo_section *tempo; /* at least one section when tempo was given */
	size_t n_tempo;
	double range_start;   /* s; render range; start >= 0 */
	double range_end;     /* s; < 0 = end of the last clip */
	double tail;          /* s of extra render after the last clip (effect tails) */
	/* `timeline_origin`: time of day (s since midnight) at timeline 0, for
	 * BWF time references (clips `at: bwf`, the export's bext chunk). */
	double timeline_origin;
	mxd_strip *tracks;
	size_t n_tracks;
	mxd_strip *buses;
	size_t n_buses;
	mxd_strip master;
	/* master: target: — the export is mastered (src/master) when given */
	bool master_target;
	char *master_preset;      /* mastering preset name, or NULL */
	double master_loudness;   /* LUFS; NAN = the preset's */
	double master_true_peak;  /* dBTP; NAN = the preset's, else -1 */
	/* export defaults (the command line overrides them) */
	char *export_file;    /* relative to dir, or NULL */
	mxd_format export_format;
	int export_bits;      /* 16, 24, or 32 (float); 0 = 24 */
	double export_rate;   /* 0 = session rate */
	char *export_downmix; /* fold-downs "5.1,stereo,mono" (docs/spatial.md), or NULL; --downmix overrides */
};

void mxd_session_free(mxd_session *s); /* NULL-safe */

/* Parse and validate session text (session/parse.c). `name` appears in
 * messages; `base_dir` resolves relative file paths (NULL = "."). Opens every
 * clip's file header. On failure returns MIXDOWN_ERR_SESSION (syntax, keys,
 * types, ranges, routing) or MIXDOWN_ERR_AUDIO (missing/unreadable file) with
 * `err` filled, and *out = NULL. */
mixdown_status mxd_session_parse(const char *text, size_t len, const char *name,
				 const char *base_dir, mxd_session **out, mixdown_error *err);

/* A time written like a session time ("12.5", "17:1", "17:1:240") in seconds
 * on the session's tempo map; `what` names the source in errors. */
mixdown_status mxd_session_time(const mxd_session *s, const char *text, const char *what, double *out,
				mixdown_error *err);

/* Fill `err` (may be NULL) printf-style; returns `st` for tail calls. */
mixdown_status mxd_fail(mixdown_error *err, mixdown_status st, const char *file, mxd_loc loc,
			const char *key, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
