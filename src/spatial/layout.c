/* mixdown — the loudspeaker layout tables (see layout.h for sources and the
 * azimuth convention).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spatial/layout.h"

#include <sndfile.h>
#include <stddef.h>
#include <string.h>

/* dwChannelMask bits (Microsoft, "Multiple channel audio data and WAVE files"). */
enum {
	W_FL = 0x1, W_FR = 0x2, W_FC = 0x4, W_LFE = 0x8, W_BL = 0x10, W_BR = 0x20,
	W_SL = 0x200, W_SR = 0x400, W_TFL = 0x1000, W_TFR = 0x4000, W_TBL = 0x8000, W_TBR = 0x20000,
};

#define SPK_L   { "L", -30, 0, MXD_SPK_FRONT, W_FL, SF_CHANNEL_MAP_LEFT }
#define SPK_R   { "R", 30, 0, MXD_SPK_FRONT, W_FR, SF_CHANNEL_MAP_RIGHT }
#define SPK_C   { "C", 0, 0, MXD_SPK_FRONT, W_FC, SF_CHANNEL_MAP_CENTER }
#define SPK_LFE { "LFE", 0, -30, MXD_SPK_LFE, W_LFE, SF_CHANNEL_MAP_LFE }

static const mxd_speaker mono[] = { SPK_C };
static const mxd_speaker stereo[] = { SPK_L, SPK_R };
/* 5.1 surrounds at ±110° carry the "side" mask bits (KSAUDIO_SPEAKER_5POINT1_SURROUND). */
#define SPK_5_1 SPK_L, SPK_R, SPK_C, SPK_LFE, \
	{ "Ls", -110, 0, MXD_SPK_SURROUND, W_SL, SF_CHANNEL_MAP_SIDE_LEFT }, \
	{ "Rs", 110, 0, MXD_SPK_SURROUND, W_SR, SF_CHANNEL_MAP_SIDE_RIGHT }
/* 7.1: rear pair (back bits) comes before the side pair in mask-bit order. */
#define SPK_7_1 SPK_L, SPK_R, SPK_C, SPK_LFE, \
	{ "Lrs", -135, 0, MXD_SPK_SURROUND, W_BL, SF_CHANNEL_MAP_REAR_LEFT }, \
	{ "Rrs", 135, 0, MXD_SPK_SURROUND, W_BR, SF_CHANNEL_MAP_REAR_RIGHT }, \
	{ "Lss", -90, 0, MXD_SPK_SURROUND, W_SL, SF_CHANNEL_MAP_SIDE_LEFT }, \
	{ "Rss", 90, 0, MXD_SPK_SURROUND, W_SR, SF_CHANNEL_MAP_SIDE_RIGHT }
#define SPK_TOP(label, az, bit, sf) { label, az, 30, MXD_SPK_TOP, bit, sf }

static const mxd_speaker s5_1[] = { SPK_5_1 };
static const mxd_speaker s7_1[] = { SPK_7_1 };
static const mxd_speaker s5_1_2[] = {
	SPK_5_1,
	SPK_TOP("Ltf", -30, W_TFL, SF_CHANNEL_MAP_TOP_FRONT_LEFT),
	SPK_TOP("Rtf", 30, W_TFR, SF_CHANNEL_MAP_TOP_FRONT_RIGHT),
};
static const mxd_speaker s5_1_4[] = {
	SPK_5_1,
	SPK_TOP("Ltf", -30, W_TFL, SF_CHANNEL_MAP_TOP_FRONT_LEFT),
	SPK_TOP("Rtf", 30, W_TFR, SF_CHANNEL_MAP_TOP_FRONT_RIGHT),
	SPK_TOP("Ltr", -110, W_TBL, SF_CHANNEL_MAP_TOP_REAR_LEFT),
	SPK_TOP("Rtr", 110, W_TBR, SF_CHANNEL_MAP_TOP_REAR_RIGHT),
};
static const mxd_speaker s7_1_4[] = {
	SPK_7_1,
	SPK_TOP("Ltf", -45, W_TFL, SF_CHANNEL_MAP_TOP_FRONT_LEFT),
	SPK_TOP("Rtf", 45, W_TFR, SF_CHANNEL_MAP_TOP_FRONT_RIGHT),
	SPK_TOP("Ltr", -135, W_TBL, SF_CHANNEL_MAP_TOP_REAR_LEFT),
	SPK_TOP("Rtr", 135, W_TBR, SF_CHANNEL_MAP_TOP_REAR_RIGHT),
};

#define N(a) ((uint32_t)(sizeof a / sizeof a[0]))
static const mxd_layout layouts[MXD_LAYOUT_COUNT] = {
	{ MXD_LAYOUT_MONO, "mono", N(mono), W_FC, -1, mono },
	{ MXD_LAYOUT_STEREO, "stereo", N(stereo), W_FL | W_FR, -1, stereo },
	{ MXD_LAYOUT_5_1, "5.1", N(s5_1), W_FL | W_FR | W_FC | W_LFE | W_SL | W_SR, 3, s5_1 },
	{ MXD_LAYOUT_7_1, "7.1", N(s7_1), W_FL | W_FR | W_FC | W_LFE | W_BL | W_BR | W_SL | W_SR, 3, s7_1 },
	{ MXD_LAYOUT_5_1_2, "5.1.2", N(s5_1_2), W_FL | W_FR | W_FC | W_LFE | W_SL | W_SR | W_TFL | W_TFR, 3, s5_1_2 },
	{ MXD_LAYOUT_5_1_4, "5.1.4", N(s5_1_4),
	  W_FL | W_FR | W_FC | W_LFE | W_SL | W_SR | W_TFL | W_TFR | W_TBL | W_TBR, 3, s5_1_4 },
	{ MXD_LAYOUT_7_1_4, "7.1.4", N(s7_1_4),
	  W_FL | W_FR | W_FC | W_LFE | W_BL | W_BR | W_SL | W_SR | W_TFL | W_TFR | W_TBL | W_TBR, 3, s7_1_4 },
};

const mxd_layout *mxd_layout_get(mxd_layout_id id)
{
	return (unsigned)id < MXD_LAYOUT_COUNT ? &layouts[id] : NULL;
}

const mxd_layout *mxd_layout_find(const char *name)
{
	for (int i = 0; name && i < MXD_LAYOUT_COUNT; i++)
		if (strcmp(layouts[i].name, name) == 0)
			return &layouts[i];
	return NULL;
}

const mxd_layout *mxd_layout_for_channels(uint32_t channels)
{
	switch (channels) {
	case 1: return &layouts[MXD_LAYOUT_MONO];
	case 2: return &layouts[MXD_LAYOUT_STEREO];
	case 6: return &layouts[MXD_LAYOUT_5_1];
	case 8: return &layouts[MXD_LAYOUT_7_1];
	case 10: return &layouts[MXD_LAYOUT_5_1_4];
	case 12: return &layouts[MXD_LAYOUT_7_1_4];
	default: return NULL;
	}
}

const char *mxd_layout_names(void)
{
	return "mono, stereo, 5.1, 7.1, 5.1.2, 5.1.4, 7.1.4";
}
