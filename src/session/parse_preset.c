/* mixdown — track chain presets (`preset: voice`): named insert chains expanded at parse time.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A preset is written as ordinary `inserts:` YAML and read by the same insert
 * reader, so it is exactly what a user could write by hand (docs/podcast.md
 * lists the chain). Its inserts come first on the strip, before the track's
 * own `inserts:`, and carry ids (voice_hp, voice_deess, voice_comp,
 * voice_presence) so automation can address them. Control thread (parser).
 */
#include <stdlib.h>
#include <string.h>

#include "session/parse_internal.h"

/* `voice`: the usual spoken-word chain. High-pass at 80 Hz, 18 dB/oct
 * (rumble, plosives, below any voice fundamental); de-esser at 6.5 kHz;
 * gentle compression 3:1 from -20 dB with a 6 dB soft knee (10 ms / 150 ms:
 * syllables keep their shape, level differences between phrases shrink);
 * presence +2.5 dB at 4 kHz, Q 0.8 (intelligibility region, cf. ANSI S3.5
 * speech intelligibility index band weights). */
static const char voice_chain[] =
	"- { type: eq, id: voice_hp, bands: [ { type: highpass, freq: 80, slope: 18 } ] }\n"
	"- { type: deesser, id: voice_deess, frequency: 6500, threshold: -30, range: 6 }\n"
	"- { type: compressor, id: voice_comp, threshold: -20, ratio: 3, knee: 6, attack: 10, release: 150 }\n"
	"- { type: eq, id: voice_presence, bands: [ { type: peak, freq: 4000, gain: 2.5, q: 0.8 } ] }\n";

static const struct {
	const char *name, *chain;
} presets[] = {
	{ "voice", voice_chain },
};

mixdown_status px_preset(mxd_pctx *c, const mxy_node *m, mxd_strip *st)
{
	const mxy_node *v = mxy_get(m, "preset", NULL);
	if (!v)
		return MIXDOWN_SUCCESS;
	size_t old = px_key(c, "preset");
	char *name = NULL;
	PX_TRY(px_string(c, v, &name));
	const char *chain = NULL;
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (strcmp(presets[i].name, name) == 0)
			chain = presets[i].chain;
	if (!chain) {
		mixdown_status e = px_fail(c, MIXDOWN_ERR_SESSION, v->loc, "unknown preset \"%s\" (one of: voice)",
				name);
		free(name);
		return e;
	}
	free(name);
	mxy_doc doc = { 0 };
	mixdown_status r = mxy_load(&doc, chain, strlen(chain), c->name, c->err);
	mxd_insert *pre = NULL;
	size_t n_pre = 0;
	if (r == MIXDOWN_SUCCESS)
		r = px_inserts(c, doc.root, &pre, &n_pre);
	mxy_free(&doc);
	if (r != MIXDOWN_SUCCESS)
		return r;
	for (size_t i = 0; i < n_pre; i++)
		pre[i].loc = v->loc;
	/* Preset inserts first, then the track's own. */
	mxd_insert *all = realloc(pre, (n_pre + st->n_inserts) * sizeof *all);
	if (!all) {
		free(pre); /* the slots' own allocations are negligible on this path */
		return px_nomem(c);
	}
	if (st->n_inserts)
		memcpy(all + n_pre, st->inserts, st->n_inserts * sizeof *all);
	for (size_t i = 0; i < st->n_inserts; i++)
		for (size_t j = 0; j < n_pre; j++)
			if (st->inserts[i].id && all[j].id && strcmp(st->inserts[i].id, all[j].id) == 0) {
				free(st->inserts);
				st->inserts = all;
				st->n_inserts += n_pre;
				return px_fail(c, MIXDOWN_ERR_SESSION, st->inserts[n_pre + i].loc,
					       "insert id \"%s\" is taken by the preset's chain", all[j].id);
			}
	free(st->inserts);
	st->inserts = all;
	st->n_inserts += n_pre;
	px_pop(c, old);
	return MIXDOWN_SUCCESS;
}
