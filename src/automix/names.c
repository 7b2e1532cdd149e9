/* mixdown — automix track names: cleaning file names and recognizing roles
 * from them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Cleaning: directory and extension dropped, underscores become spaces,
 * a leading numbering ("01 - ", "1_", "3.") removed, spaces collapsed.
 * Recognition: the name is lowercased and split into alphanumeric tokens
 * (any other character separates); a rule matches a keyword either
 *  - anywhere in the name with separators removed (long, unambiguous words:
 *    "kick", "hihat", "overhead", "guitar"), or
 *  - as a whole token, optionally followed by digits (abbreviations: "bd",
 *    "sd", "hh", "oh", "bv", "gtr", "vox" match "BD_03", "OH1"), or
 *  - as the start of a token ("tom" matches "Toms", "tom2", not "bottom").
 * Rules are tried in order; the first hit decides, so "bass drum" is a kick
 * and "synth bass" a bass, and a bare "lead" (the lead part) comes last.
 * Pure functions; any thread.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "automix/automix.h"

void mxa_clean_name(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s", base);
	char *dot = strrchr(tmp, '.');
	if (dot && dot != tmp)
		*dot = '\0';
	for (char *c = tmp; *c; c++)
		if (*c == '_')
			*c = ' ';
	/* A numbering prefix: digits followed by a separator (not "808 bass"'s
	 * digits, which are followed by a letter after a space: kept when the
	 * rest would be empty). */
	const char *s = tmp;
	while (*s == ' ')
		s++;
	const char *d = s;
	while (isdigit((unsigned char)*d))
		d++;
	if (d > s && d - s <= 3 && (*d == ' ' || *d == '.' || *d == '-' || *d == ')')) {
		const char *r = d;
		while (*r == ' ' || *r == '.' || *r == '-' || *r == ')')
			r++;
		if (*r)
			s = r;
	}
	size_t n = 0;
	bool space = false;
	for (; *s && n + 1 < cap; s++) {
		if (*s == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < cap)
			out[n++] = ' ';
		space = false;
		out[n++] = *s;
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, cap, "track");
}

enum { SUB, TOK, PRE };

typedef struct {
	mxa_role role;
	int how;
	const char *kw;
} name_rule;

static const name_rule rules[] = {
	{ MXA_KICK, SUB, "kick" }, { MXA_KICK, SUB, "bassdrum" }, { MXA_KICK, TOK, "bd" }, { MXA_KICK, TOK, "kik" },
	{ MXA_KICK, TOK, "kck" },
	{ MXA_SNARE, SUB, "snare" }, { MXA_SNARE, TOK, "sd" }, { MXA_SNARE, TOK, "sn" }, { MXA_SNARE, TOK, "snr" },
	{ MXA_TOMS, PRE, "tom" }, { MXA_TOMS, SUB, "floortom" }, { MXA_TOMS, SUB, "racktom" },
	{ MXA_HIHAT, SUB, "hihat" }, { MXA_HIHAT, SUB, "hat" }, { MXA_HIHAT, TOK, "hh" },
	{ MXA_OVERHEADS, SUB, "overhead" }, { MXA_OVERHEADS, TOK, "oh" }, { MXA_OVERHEADS, TOK, "ohs" },
	{ MXA_OVERHEADS, SUB, "cymbal" }, { MXA_OVERHEADS, SUB, "crash" }, { MXA_OVERHEADS, TOK, "ride" },
	{ MXA_ROOM, SUB, "room" }, { MXA_ROOM, SUB, "ambience" }, { MXA_ROOM, TOK, "amb" },
	{ MXA_PERCUSSION, SUB, "perc" }, { MXA_PERCUSSION, SUB, "shaker" }, { MXA_PERCUSSION, SUB, "tambourine" },
	{ MXA_PERCUSSION, SUB, "conga" }, { MXA_PERCUSSION, SUB, "bongo" }, { MXA_PERCUSSION, SUB, "clap" },
	{ MXA_PERCUSSION, SUB, "cowbell" }, { MXA_PERCUSSION, PRE, "tamb" },
	{ MXA_BACKING_VOCALS, SUB, "backing" }, { MXA_BACKING_VOCALS, SUB, "bgv" }, { MXA_BACKING_VOCALS, TOK, "bv" },
	{ MXA_BACKING_VOCALS, TOK, "bvs" }, { MXA_BACKING_VOCALS, SUB, "harmony" }, { MXA_BACKING_VOCALS, SUB, "choir" },
	{ MXA_BACKING_VOCALS, SUB, "bkg" }, { MXA_BACKING_VOCALS, SUB, "backvoc" },
	{ MXA_DIALOGUE, SUB, "dialog" }, { MXA_DIALOGUE, SUB, "speech" }, { MXA_DIALOGUE, SUB, "voiceover" },
	{ MXA_DIALOGUE, PRE, "host" }, { MXA_DIALOGUE, PRE, "guest" }, { MXA_DIALOGUE, SUB, "interview" },
	{ MXA_DIALOGUE, SUB, "narrat" }, { MXA_DIALOGUE, TOK, "dx" },
	{ MXA_LEAD_VOCAL, SUB, "vocal" }, { MXA_LEAD_VOCAL, SUB, "vox" }, { MXA_LEAD_VOCAL, SUB, "voice" },
	{ MXA_LEAD_VOCAL, TOK, "vx" }, { MXA_LEAD_VOCAL, TOK, "lv" }, { MXA_LEAD_VOCAL, PRE, "sing" },
	{ MXA_MUSIC_BED, SUB, "musicbed" }, { MXA_MUSIC_BED, PRE, "bed" }, { MXA_MUSIC_BED, SUB, "music" },
	{ MXA_MUSIC_BED, SUB, "jingle" },
	{ MXA_EFFECTS, TOK, "fx" }, { MXA_EFFECTS, TOK, "sfx" }, { MXA_EFFECTS, SUB, "effect" },
	{ MXA_EFFECTS, SUB, "riser" }, { MXA_EFFECTS, SUB, "sweep" }, { MXA_EFFECTS, SUB, "impact" },
	{ MXA_EFFECTS, SUB, "foley" },
	{ MXA_BASS, SUB, "bass" }, { MXA_BASS, TOK, "sub" }, { MXA_BASS, TOK, "808" }, { MXA_BASS, TOK, "bs" },
	{ MXA_AGUITAR, SUB, "acoustic" }, { MXA_AGUITAR, TOK, "ag" }, { MXA_AGUITAR, SUB, "acgtr" },
	{ MXA_AGUITAR, TOK, "agtr" }, { MXA_AGUITAR, SUB, "nylon" },
	{ MXA_EGUITAR, SUB, "guitar" }, { MXA_EGUITAR, TOK, "gtr" }, { MXA_EGUITAR, TOK, "gtrs" },
	{ MXA_EGUITAR, TOK, "gt" }, { MXA_EGUITAR, TOK, "eg" }, { MXA_EGUITAR, SUB, "egtr" },
	{ MXA_KEYS, SUB, "epiano" }, { MXA_KEYS, SUB, "rhodes" }, { MXA_KEYS, SUB, "wurli" },
	{ MXA_KEYS, SUB, "elpiano" }, { MXA_KEYS, TOK, "ep" },
	{ MXA_PIANO, SUB, "piano" }, { MXA_PIANO, TOK, "pno" },
	{ MXA_KEYS, SUB, "keys" }, { MXA_KEYS, SUB, "keyboard" }, { MXA_KEYS, SUB, "organ" }, { MXA_KEYS, SUB, "clav" },
	{ MXA_KEYS, TOK, "key" },
	{ MXA_PAD, SUB, "pad" },
	{ MXA_STRINGS, SUB, "string" }, { MXA_STRINGS, SUB, "violin" }, { MXA_STRINGS, SUB, "viola" },
	{ MXA_STRINGS, SUB, "cello" }, { MXA_STRINGS, SUB, "fiddle" }, { MXA_STRINGS, SUB, "harp" },
	{ MXA_STRINGS, TOK, "vln" }, { MXA_STRINGS, TOK, "vc" }, { MXA_STRINGS, TOK, "str" },
	{ MXA_STRINGS, TOK, "strs" },
	{ MXA_BRASS, SUB, "brass" }, { MXA_BRASS, SUB, "trumpet" }, { MXA_BRASS, SUB, "trombone" },
	{ MXA_BRASS, SUB, "horn" }, { MXA_BRASS, SUB, "sax" }, { MXA_BRASS, SUB, "tuba" }, { MXA_BRASS, TOK, "tpt" },
	{ MXA_BRASS, TOK, "tbn" },
	{ MXA_SYNTH, SUB, "synth" }, { MXA_SYNTH, PRE, "arp" }, { MXA_SYNTH, SUB, "pluck" }, { MXA_SYNTH, TOK, "seq" },
	{ MXA_LEAD_VOCAL, TOK, "lead" }, { MXA_LEAD_VOCAL, SUB, "melody" },
};

#define MAX_TOKENS 16

static bool tok_is(const char *tok, const char *kw, bool prefix)
{
	size_t n = strlen(kw);
	if (strncmp(tok, kw, n) != 0)
		return false;
	if (prefix)
		return true;
	for (const char *c = tok + n; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	return true;
}

mxa_role mxa_role_from_name(const char *name, char *why, size_t cap)
{
	char compact[256], tokens[MAX_TOKENS][64];
	size_t nc = 0, nt = 0, tl = 0;
	for (const char *c = name;; c++) {
		bool alnum = *c && isalnum((unsigned char)*c);
		if (alnum) {
			char lc = (char)tolower((unsigned char)*c);
			if (nc + 1 < sizeof compact)
				compact[nc++] = lc;
			if (nt < MAX_TOKENS && tl + 1 < sizeof tokens[0])
				tokens[nt][tl++] = lc;
		} else if (tl) {
			tokens[nt][tl] = '\0';
			nt++;
			tl = 0;
		}
		if (!*c)
			break;
	}
	compact[nc] = '\0';
	for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
		const name_rule *ru = &rules[r];
		bool hit = false;
		if (ru->how == SUB)
			hit = strstr(compact, ru->kw) != NULL;
		else
			for (size_t k = 0; k < nt && !hit; k++)
				hit = tok_is(tokens[k], ru->kw, ru->how == PRE);
		if (hit) {
			if (why)
				snprintf(why, cap, "\"%s\" in the name", ru->kw);
			return ru->role;
		}
	}
	if (why && cap)
		why[0] = '\0';
	return MXA_N_ROLES;
}
