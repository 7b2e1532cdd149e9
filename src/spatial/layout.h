/* mixdown — loudspeaker layouts: channel order, speaker directions, WAV
 * channel masks.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Directions follow ITU-R BS.2051-3 (Advanced sound system for programme
 * production, 2022), Table 1 / the systems named below, but with mixdown's
 * azimuth sign: azimuth in degrees, 0 = front centre, POSITIVE TO THE RIGHT
 * (clockwise seen from above, like `pan: +1` = right), range (-180, 180];
 * elevation in degrees, 0 = ear height, +90 = straight up. (BS.2051 and SOFA
 * count azimuth counter-clockwise: negate to convert.)
 *
 * Channel order is the order of the WAVE_FORMAT_EXTENSIBLE dwChannelMask bits
 * (Microsoft, "Multiple channel audio data and WAVE files", 2001), because a
 * WAV file's channels must appear in ascending mask-bit order; for the plain
 * layouts this is also the SMPTE ST 2036-2 / ITU order L R C LFE Ls Rs.
 *
 *   stereo  BS.2051 System A (0+2+0)  L R                          (±30°)
 *   5.1     System B (0+5+0)          L R C LFE Ls Rs              (Ls/Rs ±110°, mask "side")
 *   7.1     System I (0+7+0)          L R C LFE Lrs Rrs Lss Rss    (Lss ±90°, Lrs ±135°)
 *   5.1.2   System C (2+5+0)          5.1 + Ltf Rtf                (tops ±30°, elevation 30°)
 *   5.1.4   System D (4+5+0)          5.1 + Ltf Rtf Ltr Rtr        (tops ±30° / ±110°, elevation 30°)
 *   7.1.4   System J (4+7+0)          7.1 + Ltf Rtf Ltr Rtr        (tops ±45° / ±135°, elevation 30°)
 *   mono    one centre speaker (a fold-down target)
 *
 * Everything here is constant data: any thread may call.
 */
#ifndef MIXDOWN_SPATIAL_LAYOUT_H
#define MIXDOWN_SPATIAL_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
	MXD_LAYOUT_MONO,
	MXD_LAYOUT_STEREO,
	MXD_LAYOUT_5_1,
	MXD_LAYOUT_7_1,
	MXD_LAYOUT_5_1_2,
	MXD_LAYOUT_5_1_4,
	MXD_LAYOUT_7_1_4,
	MXD_LAYOUT_COUNT
} mxd_layout_id;

/* Role of a speaker, for fold-downs (ITU-R BS.775) and for the surround panner. */
typedef enum {
	MXD_SPK_FRONT,   /* L, R, C */
	MXD_SPK_LFE,     /* low-frequency effects: never a panning target */
	MXD_SPK_SURROUND, /* side and rear speakers at ear height */
	MXD_SPK_TOP,     /* height layer */
} mxd_speaker_role;

typedef struct {
	const char *label;      /* "L", "R", "C", "LFE", "Ls", "Ltf", ... */
	double azimuth_deg;     /* mixdown convention: positive = right */
	double elevation_deg;
	mxd_speaker_role role;
	uint32_t wav_mask_bit;  /* SPEAKER_* bit of dwChannelMask */
	int sf_channel;         /* libsndfile SF_CHANNEL_MAP_* value (the ids its WAV writer accepts: LEFT, not FRONT_LEFT) */
} mxd_speaker;

typedef struct mxd_layout_s {
	mxd_layout_id id;
	const char *name;       /* as written in sessions: "5.1", "7.1.4", ... */
	uint32_t channels;
	uint32_t wav_mask;      /* OR of the speakers' bits */
	int lfe;                /* index of the LFE channel, or -1 */
	const mxd_speaker *speakers; /* `channels` entries, in file order */
} mxd_layout;

const mxd_layout *mxd_layout_get(mxd_layout_id id);
/* By session name ("stereo", "5.1", "7.1", "5.1.2", "5.1.4", "7.1.4", "mono");
 * NULL when unknown. */
const mxd_layout *mxd_layout_find(const char *name);
/* The layout a plain channel count implies (1 mono, 2 stereo, 6 5.1, 8 7.1,
 * 10 5.1.4, 12 7.1.4); NULL for other counts (those stay discrete channels). */
const mxd_layout *mxd_layout_for_channels(uint32_t channels);
/* Comma-separated list of the names, for error messages. */
const char *mxd_layout_names(void);

#endif
