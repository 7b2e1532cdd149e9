/* mixdown — internals shared by the src/demo files (and tests/test_demo.c).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: times in seconds, frequencies in Hz, levels in dB, positions on the
 * song grid in 16th-note steps (16 per 4/4 bar, bar 1 = step 0). Sample
 * buffers are interleaved float, owned by the caller that allocated them; the
 * synth functions only add into them ("+=") within [0, frames).
 *
 * Files: demo_synth.c  oscillators, filter, envelopes, PRNG, instrument voices
 *        demo_song.c   chords, patterns, melody, arrangement -> one stem buffer
 *        demo_session.c the mix table and the session.yaml writer
 *        demo.c        mxd_demo_write(): render, normalise, write WAVs
 */
#ifndef MIXDOWN_DEMO_INTERNAL_H
#define MIXDOWN_DEMO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---------------------------------------------------------------- the song */

#define MXD_DEMO_RATE 48000
#define MXD_DEMO_BPM 108
#define MXD_DEMO_BARS 17          /* 16 bars of song + a final held chord bar */
#define MXD_DEMO_TAIL 0.5         /* s of silence-bound release after the last bar */

/* Seconds per 16th step / per bar. */
#define MXD_DEMO_STEP_S (60.0 / MXD_DEMO_BPM / 4.0)
#define MXD_DEMO_BAR_S (MXD_DEMO_STEP_S * 16.0)

/* Length of every stem in frames (all stems are the same length). */
int64_t mxd_demo_frames(void);

/* Start time of 1-based bar `bar`, s. */
double mxd_demo_bar_time(int bar);

typedef enum {
	MXD_DEMO_KICK,
	MXD_DEMO_SNARE,
	MXD_DEMO_HATS,
	MXD_DEMO_BASS,
	MXD_DEMO_KEYS,
	MXD_DEMO_PAD,
	MXD_DEMO_LEAD,
	MXD_DEMO_N_STEMS
} mxd_demo_stem;

typedef struct {
	const char *file;     /* file name inside the demo directory */
	int channels;         /* 1 or 2 */
	double peak_db;       /* the stem is normalised to this sample peak, dBFS */
} mxd_demo_stem_info;

extern const mxd_demo_stem_info mxd_demo_stems[MXD_DEMO_N_STEMS];

/* Render stem `stem` into `buf` (frames * channels floats, zeroed by the caller).
 * Not normalised. Returns 0 (no failure modes; kept for symmetry). */
int mxd_demo_render(mxd_demo_stem stem, float *buf, int64_t frames);

/* ------------------------------------------------------- synth primitives */

/* xorshift32; never seed with 0 (mxd_demo_rng_seed maps 0 to 1). */
typedef struct {
	uint32_t s;
} mxd_demo_rng;

void mxd_demo_rng_seed(mxd_demo_rng *r, uint32_t seed);
double mxd_demo_rng_bi(mxd_demo_rng *r);   /* uniform in [-1, 1) */
double mxd_demo_rng_uni(mxd_demo_rng *r);  /* uniform in [0, 1) */

/* Note number to Hz (A4 = 69 = 440 Hz, equal temperament). */
double mxd_demo_mtof(double note);

/* Per-voice parameters common to the instruments. `t0` is the note-on time
 * and `gate` the held length (s); the voice adds its release after the gate. */
typedef struct {
	double t0, gate, freq, vel;  /* vel: 0..1 linear amplitude scale */
	double pan;                  /* -1..+1, stereo voices only */
	uint32_t seed;               /* for noise / oscillator start phases */
} mxd_demo_note;

/* Instrument voices; each adds one note into buf (mono or interleaved stereo). */
void mxd_demo_kick(float *buf, int64_t frames, const mxd_demo_note *n);
void mxd_demo_snare(float *buf, int64_t frames, const mxd_demo_note *n);
void mxd_demo_hat(float *buf, int64_t frames, const mxd_demo_note *n, double decay_s);
void mxd_demo_crash(float *buf, int64_t frames, const mxd_demo_note *n);
void mxd_demo_bass(float *buf, int64_t frames, const mxd_demo_note *n);
void mxd_demo_epiano(float *buf2, int64_t frames, const mxd_demo_note *n);
void mxd_demo_pad(float *buf2, int64_t frames, const mxd_demo_note *n);
void mxd_demo_lead(float *buf, int64_t frames, const mxd_demo_note *n);

/* ------------------------------------------------------------- the mix */

typedef enum {
	MXD_DEMO_EQ_NONE = 0,
	MXD_DEMO_EQ_HIGHPASS,
	MXD_DEMO_EQ_LOWPASS,
	MXD_DEMO_EQ_LOWSHELF,
	MXD_DEMO_EQ_HIGHSHELF,
	MXD_DEMO_EQ_PEAK,
} mxd_demo_eq_type;

typedef struct {
	mxd_demo_eq_type type;
	double freq;          /* Hz */
	double gain;          /* dB (shelves/peak) */
	double q;             /* shelves/peak */
	int slope;            /* dB/oct (highpass/lowpass): 12 or 24 */
	const char *why;      /* YAML comment, or NULL */
} mxd_demo_band;

#define MXD_DEMO_MAX_BANDS 4

/* One strip of the demo mix: a track (stem != -1) or a bus. */
typedef struct {
	const char *name;
	int stem;             /* mxd_demo_stem for tracks, -1 for buses */
	const char *color;    /* "#rrggbb" or NULL */
	const char *group;    /* or NULL */
	double gain_db;       /* fader */
	double pan;           /* -1..+1 (balance for stereo sources) */
	const char *output;   /* bus name, NULL = master */
	double delay_ms;      /* buses: a `delay` insert before the EQ when > 0 */
	mxd_demo_band bands[MXD_DEMO_MAX_BANDS]; /* EQ insert; unused bands are NONE */
	const char *send_to;  /* aux send target or NULL */
	double send_db;       /* send level, post-fader */
	const char *comment;  /* YAML comment above the strip */
} mxd_demo_strip;

extern const mxd_demo_strip mxd_demo_tracks[];
extern const size_t mxd_demo_n_tracks;
extern const mxd_demo_strip mxd_demo_buses[];
extern const size_t mxd_demo_n_buses;

/* Write the session file text for the mix table to `f`. Returns 0 or -1 (I/O). */
int mxd_demo_write_session(FILE *f);

#endif
