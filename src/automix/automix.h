/* mixdown — internal interface of the mix assistant (`mixdown automix`, src/automix/).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The assistant turns raw stems into a plan: one list of decisions per track
 * (role, bus, order, colour, clip gain, fader, pan, width, polarity, time
 * offset), each with the reason in words, plus the master target. The plan
 * is built by a fixed list of stages (plan.c: roles, alignment, gain
 * staging, balance, panning, gate, EQ, dynamics, space, master) that each fill their decisions from
 * the measurements of mixdown_analyze_tracks(); the session writer
 * (write_session.c) turns the plan into an ordinary, commented session and
 * explain.c prints it as a report.
 *
 * EXTENSION POINT for later helpers (EQ, dynamics, space): add a stage
 * function to the `stages` table in plan.c that appends processors with
 * mxa_track_add_insert() (per track) / mxa_track_add_send() and aux buses with
 * mxa_plan_add_aux(); the writer emits them in the track's `inserts:` and
 * `sends:` and in `buses:`, each with its reason as a comment, and --explain
 * lists them. Nothing else needs to change.
 *
 * Units: dB (gains, peaks), LUFS / LU (loudness), seconds (times), pan -1..+1,
 * width 0..2. Ownership: the plan owns everything it points to, including the
 * multitrack analysis; mixdown_automix_free() releases it. Threads: a plan is
 * used by one thread at a time; nothing here is for the audio thread.
 */
#ifndef MIXDOWN_AUTOMIX_AUTOMIX_H
#define MIXDOWN_AUTOMIX_AUTOMIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "mixdown/mixdown.h"

/* Roles, in mix order (rhythm section first). */
typedef enum {
	MXA_KICK,
	MXA_SNARE,
	MXA_TOMS,
	MXA_HIHAT,
	MXA_OVERHEADS,
	MXA_ROOM,
	MXA_PERCUSSION,
	MXA_BASS,
	MXA_EGUITAR,
	MXA_AGUITAR,
	MXA_PIANO,
	MXA_KEYS,
	MXA_SYNTH,
	MXA_PAD,
	MXA_STRINGS,
	MXA_BRASS,
	MXA_LEAD_VOCAL,
	MXA_BACKING_VOCALS,
	MXA_DIALOGUE,
	MXA_MUSIC_BED,
	MXA_EFFECTS,
	MXA_OTHER,
	MXA_N_ROLES
} mxa_role;

/* Groups: one bus each (only for groups that have tracks). */
typedef enum {
	MXA_G_DRUMS,
	MXA_G_BASS,
	MXA_G_GUITARS,
	MXA_G_KEYS,
	MXA_G_ORCHESTRA,
	MXA_G_VOCALS,
	MXA_G_DIALOGUE,
	MXA_G_MUSIC,
	MXA_G_FX,
	MXA_G_OTHER,
	MXA_N_GROUPS
} mxa_group;

typedef enum {
	MXA_POP,
	MXA_ROCK,
	MXA_HIPHOP,
	MXA_ELECTRONIC,
	MXA_ACOUSTIC,
	MXA_CLASSICAL,
	MXA_PODCAST,
	MXA_N_GENRES
} mxa_genre;

/* roles.c: the role and genre tables (docs/automix.md gives the sources). */
const char *mxa_role_name(mxa_role r);      /* "kick", "hi-hat", "lead vocal", ... */
mxa_group mxa_role_group(mxa_role r);
bool mxa_role_is_anchor(mxa_role r);        /* low-frequency / lead anchors: always centred */
bool mxa_role_is_melodic(mxa_role r);       /* may serve as the lead when there is no vocal */
double mxa_role_spread(mxa_role r);         /* |pan| for a mono supporting part */
double mxa_role_width(mxa_role r);          /* width for a stereo source of this role */
/* Intended loudness of the role relative to the lead, LU, for a genre; the
 * second form names where the number comes from (for the comments). */
double mxa_role_offset(mxa_role r, mxa_genre g);
const char *mxa_group_name(mxa_group g);    /* bus name, "Drums" */
const char *mxa_group_colour(mxa_group g);  /* "#rrggbb" */
const char *mxa_genre_name(mxa_genre g);
int mxa_genre_parse(const char *s, mxa_genre *out); /* 0, or -1 when unknown */
const char *mxa_genre_preset(mxa_genre g);  /* delivery preset of the genre (mixdown_master_preset_find) */

/* names.c: track names. */
/* File name -> track name: directory, extension, numbering prefix, separators removed. */
void mxa_clean_name(const char *path, char *out, size_t cap);
/* Role from a cleaned name; MXA_N_ROLES when the name says nothing. `why`
 * receives the matched word. */
mxa_role mxa_role_from_name(const char *name, char *why, size_t cap);

/* classify.c: role from the audio measurements when the name says nothing. */
/* v: the voice measurements of the file (analysis.h), or NULL. */
mxa_role mxa_role_from_audio(const mixdown_analysis *a, const mxd_voice_stats *v, char *why, size_t cap);

/* One decision kind per reason slot. */
typedef enum {
	MXA_D_ROLE,
	MXA_D_BUS,
	MXA_D_CLIP_GAIN,
	MXA_D_FADER,
	MXA_D_PAN,
	MXA_D_WIDTH,
	MXA_D_POLARITY,
	MXA_D_OFFSET,
	MXA_D_COUNT
} mxa_decision;

#define MXA_REASON 240
#define MXA_MAX_INSERTS 8
#define MXA_MAX_SENDS 4
#define MXA_MAX_AUX 4
#define MXA_MAX_BUS_INSERTS 2

/* A processor decided by a stage: `yaml` is the insert as a YAML flow
 * mapping, e.g. "{ type: eq, bands: [ { type: highpass, freq: 80 } ] }". */
typedef struct {
	char yaml[480];
	char reason[MXA_REASON];
} mxa_insert;

typedef struct {
	char to[64];
	double level;             /* dB */
	char reason[MXA_REASON];
} mxa_send;

/* An effect-return bus (reverb, delay) decided by a stage. */
typedef struct {
	char name[64];
	char inserts_yaml[960];   /* YAML flow list of inserts, e.g. "[ { type: reverb } ]" */
	char reason[MXA_REASON];
} mxa_aux;

typedef struct {
	char path[1024];          /* absolute path of the stem */
	char name[128];           /* cleaned, unique track name */
	mxa_role role;
	bool role_from_audio;
	size_t index;             /* index in the multitrack analysis */
	const mixdown_analysis *a; /* borrowed from the plan's analysis */
	uint32_t channels;
	bool dual_mono;           /* a stereo file whose channels are (nearly) identical */
	double loudness;          /* measured integrated loudness, LUFS */
	double peak;              /* measured sample peak, dBFS */
	/* decisions */
	double clip_gain;         /* dB */
	double fader;             /* dB */
	double pan, width;
	bool invert;
	double at, offset;        /* s: clip start on the timeline, seconds skipped into the file */
	double target_lu;         /* intended loudness relative to the lead, LU */
	bool is_lead;
	char reason[MXA_D_COUNT][MXA_REASON];
	size_t n_inserts;
	mxa_insert inserts[MXA_MAX_INSERTS];
	size_t n_sends;
	mxa_send sends[MXA_MAX_SENDS];
} mxa_track;

typedef struct {
	char name[128];
	char path[1024];
	char reason[MXA_REASON];
} mxa_removed;

struct mixdown_automix {
	mxa_genre genre;
	char reference[1024];     /* "" = none */
	double reference_lufs;
	double rate;              /* Hz of the stems */
	size_t n;                 /* tracks kept, in mix order after the role stage */
	mxa_track *t;
	size_t n_removed;
	mxa_removed *removed;
	size_t lead;              /* index into t, or (size_t)-1 */
	double mix_estimate;      /* LUFS: the estimated loudness of the sum */
	double lr_balance;        /* sum of pan * power weight over the total weight (-1..1) */
	double tempo_bpm;         /* estimated from the rhythm stems (space stage); NAN = no steady pulse */
	char tempo_reason[MXA_REASON];
	char master_preset[32];
	double master_loudness;   /* LUFS target; NAN = the preset's */
	char master_reason[MXA_REASON * 2];
	size_t n_aux;
	mxa_aux aux[MXA_MAX_AUX];
	size_t n_bus_inserts[MXA_N_GROUPS]; /* processors on the group buses (drum-bus glue) */
	mxa_insert bus_inserts[MXA_N_GROUPS][MXA_MAX_BUS_INSERTS];
	char notes[4][MXA_REASON]; /* plan-wide remarks for --explain and the header */
	size_t n_notes;
	mixdown_multitrack_analysis *m; /* owned */
	mixdown_analysis **own;   /* per-file analyses when the stems' rates differ (owned) */
	size_t n_own;
};
typedef struct mixdown_automix mxa_plan;

/* The extension API for stages. Return 0, or -1 when the list is full. */
int mxa_track_add_insert(mxa_track *t, const char *yaml, const char *reason);
int mxa_track_add_send(mxa_track *t, const char *to, double level, const char *reason);
int mxa_plan_add_aux(mxa_plan *p, const char *name, const char *inserts_yaml, const char *reason);
int mxa_plan_add_bus_insert(mxa_plan *p, mxa_group g, const char *yaml, const char *reason);
void mxa_note(mxa_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stages (plan.c runs them in this order). */
void mxa_stage_roles(mxa_plan *p);   /* roles.c/plan.c: roles, order, buses, colours */
void mxa_stage_align(mxa_plan *p);   /* align.c: polarity and time offset of multi-mic pairs */
void mxa_stage_gain(mxa_plan *p);    /* balance.c: clip gain */
void mxa_stage_balance(mxa_plan *p); /* balance.c: faders */
void mxa_stage_pan(mxa_plan *p);     /* pan.c: pan and width */
void mxa_stage_gate(mxa_plan *p);    /* dynamics.c: gates where bleed is measured */
void mxa_stage_eq(mxa_plan *p);      /* eq.c: high-pass and masking cuts */
void mxa_stage_dynamics(mxa_plan *p); /* dynamics.c: compressors, de-essers, drum-bus glue */
void mxa_stage_space(mxa_plan *p);   /* space.c: reverb and delay returns, sends */
void mxa_stage_master(mxa_plan *p);  /* balance.c: master target */

/* tonal.c: one peaking cut (hz, gain_db < 0, reason) where the track's
 * octave spectrum stands out most above its role's tonal target; false when
 * none is due (no target for the role, no spectrum, or nothing stands out).
 * hp_hz: the track's high-pass corner (0 = none). */
bool mxa_tonal_cut(const mxa_track *t, double hp_hz, double *hz, double *gain_db, char *reason, size_t len);
/* Loudness change (dB, BS.1770 K-weighted) that a peaking band (RBJ, at
 * `rate` Hz) makes on the track's measured spectrum; 0 without one. */
double mxa_peak_loudness_change(const mxa_track *t, double rate, double hz, double gain_db, double q);

/* Loudness change (dB) of a track's pan/width setting relative to centre
 * and width 1 (pan.c), so the balance stage can compensate it. */
double mxa_pan_loudness_change(const mxa_track *t);

/* Round to 0.1 (decisions are written with one decimal; the plan keeps the
 * rounded values so the file and the report agree). */
double mxa_round1(double x);
double mxa_round2(double x);

#endif
