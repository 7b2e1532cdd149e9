/* mixdown — mastering presets: loudness target and true-peak ceiling per
 * platform or delivery specification.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Sources (collected in ../shared/docs/delivery-targets.md; docs/mastering.md
 * repeats the table):
 *  - Spotify: -14 LUFS normal; "Loud" -11 LUFS, and Spotify's loudness page
 *    asks masters louder than -14 LUFS to keep the true peak below -2 dBTP.
 *  - Apple Music (Sound Check) -16 LUFS (AES TD1008 music tracks).
 *  - YouTube, Amazon Music, Tidal -14; Deezer -15 (production-expert.com).
 *  - SoundCloud: -14 (production-expert.com; Ardour's factory table says -10).
 *  - Podcast: -16 LUFS stereo / -19 LUFS mono, -1 dBTP (common practice).
 *  - AES streaming: -18 LUFS (AES TD1008 speech / assorted content anchor).
 *  - EBU R 128: -23 LUFS, -1 dBTP (EBU Tech 3343).
 *  - ATSC A/85: -24 LKFS, -2 dBTP (CALM Act practice).
 *  - CD: -9 LUFS (Ardour's factory "CD" preset), -1 dBTP: a loud master for
 *    a medium with no normalization.
 * Static table; any thread.
 */
#include <string.h>

#include "mixdown/mixdown.h"

static const mixdown_master_preset presets[] = {
	{ "spotify", "Spotify (normal)", -14, -14, -1, "Spotify for Artists: loudness normalization" },
	{ "spotify-loud", "Spotify (loud)", -11, -11, -2, "Spotify for Artists: loudness normalization" },
	{ "apple", "Apple Music (Sound Check)", -16, -16, -1, "AES TD1008" },
	{ "youtube", "YouTube", -14, -14, -1, "productionadvice.co.uk (no official Google document)" },
	{ "amazon", "Amazon Music", -14, -14, -1, "production-expert.com" },
	{ "tidal", "Tidal", -14, -14, -1, "production-expert.com" },
	{ "deezer", "Deezer", -15, -15, -1, "production-expert.com" },
	{ "soundcloud", "SoundCloud", -14, -14, -1, "production-expert.com (Ardour's table: -10)" },
	{ "podcast", "Podcast", -16, -19, -1, "common practice; AES TD1008 speech -18 +-2" },
	{ "aes-streaming", "AES streaming (TD1008)", -18, -18, -1, "AES TD1008" },
	{ "ebu", "EBU R 128 broadcast", -23, -23, -1, "EBU R 128, EBU Tech 3343" },
	{ "atsc", "ATSC A/85 (US TV)", -24, -24, -2, "ATSC A/85, CALM Act" },
	{ "cd", "CD (no normalization)", -9, -9, -1, "Ardour loudness assistant factory preset" },
};
#define N_PRESETS (sizeof presets / sizeof presets[0])

size_t mixdown_master_preset_count(void)
{
	return N_PRESETS;
}

const mixdown_master_preset *mixdown_master_preset_get(size_t i)
{
	return i < N_PRESETS ? &presets[i] : NULL;
}

const mixdown_master_preset *mixdown_master_preset_find(const char *name)
{
	for (size_t i = 0; name && i < N_PRESETS; i++)
		if (!strcmp(name, presets[i].name))
			return &presets[i];
	return NULL;
}
