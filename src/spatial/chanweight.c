/* mixdown — BS.1770-4 channel weights of a layout (see chanweight.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "spatial/chanweight.h"

#include <math.h>
#include <stddef.h>

double mxd_bs1770_weight(const mxd_speaker *s)
{
	if (s->role == MXD_SPK_LFE)
		return 0.0;
	double az = fabs(s->azimuth_deg);
	return s->elevation_deg < 30.0 && az >= 60.0 && az <= 120.0 ? 1.41 : 1.0;
}

/* libebur128 names directions the ITU way: "+" = left, mixdown's azimuth is
 * positive to the right, so M+110 is mixdown's -110°. */
typedef struct {
	int az;   /* mixdown azimuth, degrees */
	int ch;   /* enum channel of ebur128.h */
} dir_id;

static const dir_id middle[] = {
	{ 0, EBUR128_Mp000 }, { -30, EBUR128_Mp030 }, { 30, EBUR128_Mm030 }, { -60, EBUR128_Mp060 },
	{ 60, EBUR128_Mm060 }, { -90, EBUR128_Mp090 }, { 90, EBUR128_Mm090 }, { -110, EBUR128_Mp110 },
	{ 110, EBUR128_Mm110 }, { -135, EBUR128_Mp135 }, { 135, EBUR128_Mm135 }, { 180, EBUR128_Mp180 },
};
static const dir_id upper[] = {
	{ 0, EBUR128_Up000 }, { -30, EBUR128_Up030 }, { 30, EBUR128_Um030 }, { -45, EBUR128_Up045 },
	{ 45, EBUR128_Um045 }, { -90, EBUR128_Up090 }, { 90, EBUR128_Um090 }, { -110, EBUR128_Up110 },
	{ 110, EBUR128_Um110 }, { -135, EBUR128_Up135 }, { 135, EBUR128_Um135 }, { 180, EBUR128_Up180 },
};

int mxd_bs1770_ebur128_channel(const mxd_speaker *s)
{
	if (s->role == MXD_SPK_LFE)
		return EBUR128_UNUSED;
	const dir_id *t = s->elevation_deg >= 15.0 ? upper : middle;
	size_t n = s->elevation_deg >= 15.0 ? sizeof upper / sizeof *upper : sizeof middle / sizeof *middle;
	for (size_t i = 0; i < n; i++)
		if (fabs(s->azimuth_deg - t[i].az) < 0.5)
			return t[i].ch;
	/* No label for this direction: one that libebur128 weights the same. */
	return mxd_bs1770_weight(s) > 1.0 ? EBUR128_Mp110 : EBUR128_Mp000;
}

void mxd_bs1770_weights(const mxd_layout *layout, double *w)
{
	for (uint32_t c = 0; c < layout->channels; c++)
		w[c] = mxd_bs1770_weight(&layout->speakers[c]);
}

void mxd_bs1770_set_ebur128(ebur128_state *st, const mxd_layout *layout)
{
	for (uint32_t c = 0; c < layout->channels; c++)
		ebur128_set_channel(st, c, mxd_bs1770_ebur128_channel(&layout->speakers[c]));
}

/* libsndfile reports WAV mask bits as these ids (bit 0 = LEFT, ...): the
 * same speaker may come back as FRONT_LEFT or LEFT depending on the format. */
static int canon(int id)
{
	switch (id) {
	case SF_CHANNEL_MAP_FRONT_LEFT: return SF_CHANNEL_MAP_LEFT;
	case SF_CHANNEL_MAP_FRONT_RIGHT: return SF_CHANNEL_MAP_RIGHT;
	case SF_CHANNEL_MAP_FRONT_CENTER: case SF_CHANNEL_MAP_MONO: return SF_CHANNEL_MAP_CENTER;
	default: return id;
	}
}

const mxd_layout *mxd_layout_from_sndfile(SNDFILE *f, uint32_t channels)
{
	int map[64];
	const mxd_layout *fallback = channels > 2 ? mxd_layout_for_channels(channels) : NULL;
	if (channels == 0 || channels > 64 ||
	    sf_command(f, SFC_GET_CHANNEL_MAP_INFO, map, (int)(sizeof(int) * channels)) != SF_TRUE)
		return fallback;
	for (int id = 0; id < MXD_LAYOUT_COUNT; id++) {
		const mxd_layout *l = mxd_layout_get((mxd_layout_id)id);
		if (l->channels != channels)
			continue;
		uint32_t c = 0;
		while (c < channels && canon(map[c]) == canon(l->speakers[c].sf_channel))
			c++;
		if (c == channels)
			return l;
	}
	/* 5.1 written with the "back" pair (mask 0x3F, libsndfile's default) is still 5.1. */
	const mxd_layout *l51 = mxd_layout_get(MXD_LAYOUT_5_1);
	if (channels == 6 && canon(map[0]) == SF_CHANNEL_MAP_LEFT && canon(map[1]) == SF_CHANNEL_MAP_RIGHT &&
	    canon(map[2]) == SF_CHANNEL_MAP_CENTER && map[3] == SF_CHANNEL_MAP_LFE && map[4] == SF_CHANNEL_MAP_REAR_LEFT &&
	    map[5] == SF_CHANNEL_MAP_REAR_RIGHT)
		return l51;
	return fallback;
}
