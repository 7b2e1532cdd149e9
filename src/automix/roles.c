/* mixdown — automix role and genre tables: group, panning and the intended
 * loudness of each role relative to the lead.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Units: offsets in LU relative to the lead (BS.1770 integrated loudness, the
 * energy measure listeners preferred for automatic balance: AES e-lib 17928),
 * pan spread 0..1 (|pan|), width 0..2. The numbers are our own choice, checked
 * against the published ranges in ../shared/docs/mixing-knowledge.md (the
 * Diff-MST rule table is used only as a sanity reference, never shipped);
 * docs/automix.md lists them with that comparison. Constant tables; any
 * thread.
 */
#include <string.h>
#include <strings.h>

#include "automix/automix.h"

typedef struct {
	const char *name;
	mxa_group group;
	bool anchor, melodic;
	double spread, width;
	double offset; /* pop, LU relative to the lead */
} role_info;

static const role_info roles[MXA_N_ROLES] = {
	[MXA_KICK] = { "kick", MXA_G_DRUMS, true, false, 0.0, 0.5, -4.0 },
	[MXA_SNARE] = { "snare", MXA_G_DRUMS, true, false, 0.0, 0.5, -4.0 },
	[MXA_TOMS] = { "toms", MXA_G_DRUMS, false, false, 0.5, 1.0, -7.0 },
	[MXA_HIHAT] = { "hi-hat", MXA_G_DRUMS, false, false, 0.35, 1.0, -9.0 },
	[MXA_OVERHEADS] = { "overheads", MXA_G_DRUMS, false, false, 0.8, 1.0, -8.0 },
	[MXA_ROOM] = { "room", MXA_G_DRUMS, false, false, 0.8, 1.2, -10.0 },
	[MXA_PERCUSSION] = { "percussion", MXA_G_DRUMS, false, false, 0.5, 1.0, -9.0 },
	[MXA_BASS] = { "bass", MXA_G_BASS, true, false, 0.0, 0.5, -3.0 },
	[MXA_EGUITAR] = { "electric guitar", MXA_G_GUITARS, false, true, 0.7, 1.0, -4.0 },
	[MXA_AGUITAR] = { "acoustic guitar", MXA_G_GUITARS, false, true, 0.5, 1.0, -5.0 },
	[MXA_PIANO] = { "piano", MXA_G_KEYS, false, true, 0.3, 1.0, -4.0 },
	[MXA_KEYS] = { "keys", MXA_G_KEYS, false, true, 0.4, 1.0, -6.0 },
	[MXA_SYNTH] = { "synth", MXA_G_KEYS, false, true, 0.4, 1.0, -5.0 },
	[MXA_PAD] = { "pad", MXA_G_KEYS, false, true, 0.5, 1.3, -9.0 },
	[MXA_STRINGS] = { "strings", MXA_G_ORCHESTRA, false, true, 0.5, 1.2, -6.0 },
	[MXA_BRASS] = { "brass", MXA_G_ORCHESTRA, false, true, 0.4, 1.0, -6.0 },
	[MXA_LEAD_VOCAL] = { "lead vocal", MXA_G_VOCALS, true, true, 0.0, 0.5, 0.0 },
	[MXA_BACKING_VOCALS] = { "backing vocals", MXA_G_VOCALS, false, false, 0.5, 1.0, -6.0 },
	[MXA_DIALOGUE] = { "dialogue", MXA_G_DIALOGUE, true, false, 0.0, 0.5, 0.0 },
	[MXA_MUSIC_BED] = { "music bed", MXA_G_MUSIC, false, false, 0.0, 1.0, -14.0 },
	[MXA_EFFECTS] = { "effects", MXA_G_FX, false, false, 0.6, 1.0, -10.0 },
	[MXA_OTHER] = { "other", MXA_G_OTHER, false, true, 0.3, 1.0, -6.0 },
};

/* Genre corrections to the pop offsets, LU (our choice; docs/automix.md). */
typedef struct {
	mxa_role role;
	double delta;
} genre_delta;

static const genre_delta rock[] = { { MXA_KICK, 1 }, { MXA_SNARE, 2 }, { MXA_TOMS, 1 }, { MXA_OVERHEADS, 1 },
				    { MXA_EGUITAR, 2 }, { MXA_N_ROLES, 0 } };
static const genre_delta hiphop[] = { { MXA_KICK, 3 }, { MXA_SNARE, 1 }, { MXA_BASS, 3 }, { MXA_HIHAT, -1 },
				      { MXA_EGUITAR, -2 }, { MXA_PAD, -1 }, { MXA_N_ROLES, 0 } };
static const genre_delta electronic[] = { { MXA_KICK, 3 }, { MXA_BASS, 2 }, { MXA_SYNTH, 2 }, { MXA_PAD, 1 },
					  { MXA_HIHAT, 1 }, { MXA_N_ROLES, 0 } };
static const genre_delta acoustic[] = { { MXA_KICK, -3 }, { MXA_SNARE, -3 }, { MXA_HIHAT, -2 },
					{ MXA_OVERHEADS, -1 }, { MXA_AGUITAR, 2 }, { MXA_PIANO, 1 },
					{ MXA_BASS, -1 }, { MXA_N_ROLES, 0 } };
static const genre_delta classical[] = { { MXA_KICK, -4 }, { MXA_SNARE, -4 }, { MXA_TOMS, -4 }, { MXA_HIHAT, -4 },
					 { MXA_STRINGS, 2 }, { MXA_BRASS, 1 }, { MXA_PIANO, 1 }, { MXA_N_ROLES, 0 } };
static const genre_delta podcast[] = { { MXA_MUSIC_BED, -4 }, { MXA_EFFECTS, -2 }, { MXA_N_ROLES, 0 } };

static const struct {
	const char *name, *preset;
	const genre_delta *deltas;
} genres[MXA_N_GENRES] = {
	[MXA_POP] = { "pop", "spotify", NULL },
	[MXA_ROCK] = { "rock", "spotify", rock },
	[MXA_HIPHOP] = { "hiphop", "spotify", hiphop },
	[MXA_ELECTRONIC] = { "electronic", "spotify", electronic },
	/* Quieter targets keep the dynamics these genres live on (AES TD1008 -18, Apple -16). */
	[MXA_ACOUSTIC] = { "acoustic", "apple", acoustic },
	[MXA_CLASSICAL] = { "classical", "aes-streaming", classical },
	[MXA_PODCAST] = { "podcast", "podcast", podcast },
};

static const struct {
	const char *name, *colour;
} groups[MXA_N_GROUPS] = {
	[MXA_G_DRUMS] = { "Drums", "#d04040" },      [MXA_G_BASS] = { "Bass", "#4060d0" },
	[MXA_G_GUITARS] = { "Guitars", "#e08c30" },  [MXA_G_KEYS] = { "Keys", "#40a060" },
	[MXA_G_ORCHESTRA] = { "Orchestra", "#a060c0" }, [MXA_G_VOCALS] = { "Vocals", "#e0c040" },
	[MXA_G_DIALOGUE] = { "Dialogue", "#c0a060" }, [MXA_G_MUSIC] = { "Music", "#6090a0" },
	[MXA_G_FX] = { "FX", "#808080" },            [MXA_G_OTHER] = { "Other", "#a0a0a0" },
};

static mxa_role clamp_role(mxa_role r)
{
	return (unsigned)r < MXA_N_ROLES ? r : MXA_OTHER;
}

const char *mxa_role_name(mxa_role r)
{
	return roles[clamp_role(r)].name;
}

mxa_group mxa_role_group(mxa_role r)
{
	return roles[clamp_role(r)].group;
}

bool mxa_role_is_anchor(mxa_role r)
{
	return roles[clamp_role(r)].anchor;
}

bool mxa_role_is_melodic(mxa_role r)
{
	return roles[clamp_role(r)].melodic;
}

double mxa_role_spread(mxa_role r)
{
	return roles[clamp_role(r)].spread;
}

double mxa_role_width(mxa_role r)
{
	return roles[clamp_role(r)].width;
}

double mxa_role_offset(mxa_role r, mxa_genre g)
{
	double o = roles[clamp_role(r)].offset;
	if ((unsigned)g < MXA_N_GENRES && genres[g].deltas)
		for (const genre_delta *d = genres[g].deltas; d->role != MXA_N_ROLES; d++)
			if (d->role == r)
				o += d->delta;
	return o;
}

const char *mxa_group_name(mxa_group g)
{
	return groups[(unsigned)g < MXA_N_GROUPS ? g : MXA_G_OTHER].name;
}

const char *mxa_group_colour(mxa_group g)
{
	return groups[(unsigned)g < MXA_N_GROUPS ? g : MXA_G_OTHER].colour;
}

const char *mxa_genre_name(mxa_genre g)
{
	return genres[(unsigned)g < MXA_N_GENRES ? g : MXA_POP].name;
}

const char *mxa_genre_preset(mxa_genre g)
{
	return genres[(unsigned)g < MXA_N_GENRES ? g : MXA_POP].preset;
}

int mxa_genre_parse(const char *s, mxa_genre *out)
{
	for (int g = 0; g < MXA_N_GENRES; g++)
		if (!strcasecmp(s, genres[g].name)) {
			*out = (mxa_genre)g;
			return 0;
		}
	if (!strcasecmp(s, "hip-hop") || !strcasecmp(s, "rap")) {
		*out = MXA_HIPHOP;
		return 0;
	}
	return -1;
}
