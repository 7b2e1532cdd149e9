/* mixdown — DAWproject writer: the session model -> project.xml (libxml2
 * xmlTextWriter), in the element order Project.xsd's sequences require.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Written units: Volume and send levels in decibel, Pan normalized (0..1),
 * times in seconds (Lanes timeUnit="seconds"), device times in seconds,
 * frequencies in hertz, Tempo in bpm of quarter notes. Tracks -> Track with a
 * regular Channel; buses -> submix (or effect, when fed by sends only);
 * master -> master. Inserts eq/compressor/gate/limiter -> Equalizer,
 * Compressor, NoiseGate, Limiter; placeholders (bypassed gain inserts with a
 * "KIND|deviceID|name" id) -> that plugin element; other processors have no
 * DAWproject equivalent and are listed. Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "interop/dawproject.h"

#define MAX_IDS 64

typedef struct {
	xmlTextWriterPtr w;
	mixdown_dawproject_report *rep;
	unsigned next; /* id counter */
	int rc; /* < 0 after a writer error */
} wctx;

/* The XML ids of one strip's automatable parameters. */
typedef struct {
	unsigned channel, volume, pan, mute;
	unsigned send[MAX_IDS];
	struct {
		size_t insert, slot;
		unsigned id;
		char unit; /* 'd' dB, 'h' Hz, 'l' linear, 's' ms->s, 'n' -dB */
	} ins[MAX_IDS * 4];
	size_t n_ins;
} strip_ids;

static void W(wctx *c, int rc)
{
	if (rc < 0)
		c->rc = rc;
}

static void start(wctx *c, const char *name)
{
	W(c, xmlTextWriterStartElement(c->w, BAD_CAST name));
}

static void end(wctx *c)
{
	W(c, xmlTextWriterEndElement(c->w));
}

static void attr(wctx *c, const char *name, const char *v)
{
	W(c, xmlTextWriterWriteAttribute(c->w, BAD_CAST name, BAD_CAST v));
}

static void attr_num(wctx *c, const char *name, double v)
{
	char b[40];
	snprintf(b, sizeof b, "%.17g", v == 0.0 ? 0.0 : v);
	attr(c, name, b);
}

static void attr_id(wctx *c, const char *name, unsigned id)
{
	char b[24];
	snprintf(b, sizeof b, "id%u", id);
	attr(c, name, b);
}

static unsigned new_id(wctx *c)
{
	return c->next++;
}

static unsigned real_param(wctx *c, const char *elem, const char *name, const char *unit, double v, double min,
			   double max)
{
	unsigned id = new_id(c);
	start(c, elem);
	attr_id(c, "id", id);
	if (name)
		attr(c, "name", name);
	if (isfinite(max))
		attr_num(c, "max", max);
	if (isfinite(min))
		attr_num(c, "min", min);
	attr(c, "unit", unit);
	attr_num(c, "value", v);
	end(c);
	return id;
}

static unsigned bool_param(wctx *c, const char *elem, const char *name, bool v)
{
	unsigned id = new_id(c);
	start(c, elem);
	attr_id(c, "id", id);
	if (name)
		attr(c, "name", name);
	attr(c, "value", v ? "true" : "false");
	end(c);
	return id;
}

static double val(const mxd_insert *ins, const char *path)
{
	long slot = mxd_fx_param_path(ins->cls, path, NULL);
	return slot >= 0 ? ins->values[slot] : 0.0;
}

static void remember(strip_ids *ids, size_t insert, const mxd_insert *ins, const char *path, unsigned id, char unit)
{
	long slot = mxd_fx_param_path(ins->cls, path, NULL);
	if (slot < 0 || ids->n_ins >= sizeof ids->ins / sizeof ids->ins[0])
		return;
	ids->ins[ids->n_ins].insert = insert, ids->ins[ids->n_ins].slot = (size_t)slot;
	ids->ins[ids->n_ins].id = id, ids->ins[ids->n_ins].unit = unit;
	ids->n_ins++;
}

/* A device parameter: element, unit, value in mixdown's unit, conversion. */
static void dev_param(wctx *c, strip_ids *ids, size_t k, const mxd_insert *ins, const char *elem, const char *path,
		      char unit)
{
	double v = val(ins, path);
	unsigned id;
	switch (unit) {
	case 's': id = real_param(c, elem, NULL, "seconds", v / 1000.0, NAN, NAN); break;
	case 'h': id = real_param(c, elem, NULL, "hertz", v, NAN, NAN); break;
	case 'l': id = real_param(c, elem, NULL, "linear", v, NAN, NAN); break;
	case 'n': id = real_param(c, elem, NULL, "decibel", -v, NAN, NAN); break;
	default: id = real_param(c, elem, NULL, "decibel", v, NAN, NAN); break;
	}
	remember(ids, k, ins, path, id, unit);
}

static void lost_default(wctx *c, const char *strip, const mxd_insert *ins, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		const mxd_param *p = mxd_fx_param_find(ins->cls, names[i]);
		if (p && fabs(ins->values[p->first_slot] - p->def) > 1e-9)
			dp_note(c->rep->lost, &c->rep->n_lost, "%s: %s %s (no DAWproject parameter)", strip,
				ins->cls->name, names[i]);
	}
}

static void device_head(wctx *c, const char *elem, const char *dev_name, const mxd_insert *ins)
{
	start(c, elem);
	attr_id(c, "id", new_id(c));
	if (ins->id)
		attr(c, "name", ins->id);
	attr(c, "deviceName", dev_name);
	attr(c, "deviceRole", "audioFX");
	attr(c, "deviceVendor", "mixdown");
	bool_param(c, "Enabled", "On/Off", !ins->bypass);
}

static const char *band_type(int t)
{
	/* eq choices: off highpass lowpass lowshelf highshelf peak notch bandpass tilt */
	static const char *const map[] = {"bell", "highPass", "lowPass",  "lowShelf", "highShelf",
					  "bell", "notch",    "bandPass", NULL};
	return t >= 0 && t < 8 ? map[t] : NULL;
}

static void equalizer(wctx *c, strip_ids *ids, size_t k, const mxd_insert *ins, const char *strip)
{
	const mxd_param *bands = mxd_fx_param_find(ins->cls, "bands");
	size_t last = 0;
	for (size_t b = 0; b < bands->max_items; b++)
		if (ins->values[mxd_param_slot(bands, b, 0)] != 0)
			last = b + 1;
	device_head(c, "Equalizer", "EQ", ins);
	for (size_t b = 0; b < last; b++) {
		int t = (int)ins->values[mxd_param_slot(bands, b, 0)];
		char path[32];
		if (!band_type(t)) {
			dp_note(c->rep->lost, &c->rep->n_lost,
				"%s: eq band %zu (tilt) has no DAWproject type; left out", strip, b + 1);
			continue;
		}
		start(c, "Band");
		attr(c, "type", band_type(t));
		double slope = ins->values[mxd_param_slot(bands, b, 4)];
		if (t == 1 || t == 2) {
			char o[8];
			snprintf(o, sizeof o, "%.0f", fmax(1.0, round(slope / 6.0)));
			attr(c, "order", o);
		} else if ((t == 3 || t == 4) && slope <= 1.0) {
			dp_note(c->rep->lost, &c->rep->n_lost,
				"%s: eq band %zu shelf slope S %.2f (DAWproject has Q only)", strip, b + 1, slope);
		}
		snprintf(path, sizeof path, "bands.%zu.freq", b + 1);
		dev_param(c, ids, k, ins, "Freq", path, 'h');
		snprintf(path, sizeof path, "bands.%zu.gain", b + 1);
		dev_param(c, ids, k, ins, "Gain", path, 'd');
		snprintf(path, sizeof path, "bands.%zu.q", b + 1);
		dev_param(c, ids, k, ins, "Q", path, 'l');
		bool_param(c, "Enabled", NULL, t != 0);
		end(c);
	}
	end(c);
}

static void compressor(wctx *c, strip_ids *ids, size_t k, const mxd_insert *ins, const char *strip)
{
	static const char *const lost[] = {"knee",      "auto_release",  "detector", "stereo_link",
					   "lookahead", "sidechain_hpf", NULL};
	device_head(c, "Compressor", "Compressor", ins);
	dev_param(c, ids, k, ins, "Attack", "attack", 's');
	bool_param(c, "AutoMakeup", NULL, val(ins, "auto_makeup") != 0);
	dev_param(c, ids, k, ins, "OutputGain", "makeup", 'd');
	dev_param(c, ids, k, ins, "Ratio", "ratio", 'l');
	dev_param(c, ids, k, ins, "Release", "release", 's');
	dev_param(c, ids, k, ins, "Threshold", "threshold", 'd');
	end(c);
	lost_default(c, strip, ins, lost);
}

static void gate(wctx *c, strip_ids *ids, size_t k, const mxd_insert *ins, const char *strip)
{
	static const char *const lost[] = {"hold", "hysteresis", "sidechain_hpf", "sidechain_lpf", "duck", NULL};
	device_head(c, "NoiseGate", "Noise Gate", ins);
	dev_param(c, ids, k, ins, "Attack", "attack", 's');
	dev_param(c, ids, k, ins, "Range", "range", 'n');
	dev_param(c, ids, k, ins, "Release", "release", 's');
	dev_param(c, ids, k, ins, "Threshold", "threshold", 'd');
	end(c);
	lost_default(c, strip, ins, lost);
}

static void limiter(wctx *c, strip_ids *ids, size_t k, const mxd_insert *ins, const char *strip)
{
	static const char *const lost[] = {"auto_release", NULL};
	device_head(c, "Limiter", "Limiter", ins);
	dev_param(c, ids, k, ins, "Attack", "lookahead", 's');
	dev_param(c, ids, k, ins, "InputGain", "gain", 'd');
	dev_param(c, ids, k, ins, "Release", "release", 's');
	dev_param(c, ids, k, ins, "Threshold", "ceiling", 'd');
	end(c);
	lost_default(c, strip, ins, lost);
	if (val(ins, "true_peak") != 0)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: limiter true_peak (the generic Limiter is sample peak)",
			strip);
}

/* A placeholder written back as the plugin it stands for. */
static bool placeholder(wctx *c, const mxd_insert *ins)
{
	static const char *const kinds[] = {"Vst2Plugin",    "Vst3Plugin", "ClapPlugin", "AuPlugin",
					    "BuiltinDevice", "Device",     NULL};
	if (strcmp(ins->cls->name, "gain") != 0 || !ins->bypass || !ins->id)
		return false;
	const char *bar = strchr(ins->id, '|'), *bar2 = bar ? strchr(bar + 1, '|') : NULL;
	if (!bar2)
		return false;
	char kind[32], devid[256];
	snprintf(kind, sizeof kind, "%.*s", (int)(bar - ins->id), ins->id);
	snprintf(devid, sizeof devid, "%.*s", (int)(bar2 - bar - 1), bar + 1);
	bool known = false;
	for (size_t i = 0; kinds[i]; i++)
		known |= !strcmp(kinds[i], kind);
	if (!known)
		return false;
	start(c, kind);
	attr_id(c, "id", new_id(c));
	attr(c, "name", bar2 + 1);
	if (devid[0])
		attr(c, "deviceID", devid);
	attr(c, "deviceName", bar2 + 1);
	attr(c, "deviceRole", "audioFX");
	bool_param(c, "Enabled", "On/Off", true);
	end(c);
	return true;
}

static void devices(wctx *c, const mxd_strip *st, strip_ids *ids)
{
	if (!st->n_inserts)
		return;
	start(c, "Devices");
	for (size_t k = 0; k < st->n_inserts; k++) {
		const mxd_insert *ins = &st->inserts[k];
		const char *t = ins->cls->name;
		if (ins->channels != MXD_INSERT_ALL || fabs(ins->mix - 1.0) > 1e-9 || ins->sidechain)
			dp_note(c->rep->lost, &c->rep->n_lost, "%s: insert %zu (%s) channels/mix/sidechain", st->name,
				k + 1, t);
		if (!strcmp(t, "eq"))
			equalizer(c, ids, k, ins, st->name);
		else if (!strcmp(t, "compressor"))
			compressor(c, ids, k, ins, st->name);
		else if (!strcmp(t, "gate"))
			gate(c, ids, k, ins, st->name);
		else if (!strcmp(t, "limiter"))
			limiter(c, ids, k, ins, st->name);
		else if (!placeholder(c, ins)) {
			dp_note(c->rep->lost, &c->rep->n_lost,
				"%s: insert %zu (%s) has no DAWproject equivalent; left out", st->name, k + 1, t);
			continue;
		}
		c->rep->n_inserts++;
	}
	end(c);
}

static const mxd_strip *bus_named(const mxd_session *s, const char *name, size_t *index)
{
	for (size_t i = 0; name && i < s->n_buses; i++)
		if (!strcmp(s->buses[i].name, name)) {
			*index = i;
			return &s->buses[i];
		}
	return NULL;
}

/* strip ids: tracks 0..n_tracks-1, buses next, the master last. */
static void channel(wctx *c, const mxd_session *s, const mxd_strip *st, strip_ids *ids, const strip_ids *all,
		    uint32_t channels, const char *role)
{
	start(c, "Channel");
	attr_id(c, "id", ids->channel);
	char ch[16];
	snprintf(ch, sizeof ch, "%u", channels);
	attr(c, "audioChannels", ch);
	if (st->kind != MXD_STRIP_MASTER) {
		size_t bi = 0;
		const mxd_strip *b = bus_named(s, st->output, &bi);
		attr_id(c, "destination", b ? all[s->n_tracks + bi].channel : all[s->n_tracks + s->n_buses].channel);
	}
	attr(c, "role", role);
	attr(c, "solo", st->solo ? "true" : "false");
	devices(c, st, ids);
	ids->mute = bool_param(c, "Mute", "Mute", st->mute);
	if (st->kind != MXD_STRIP_MASTER)
		ids->pan = real_param(c, "Pan", "Pan", "normalized", dp_pan_normalized(st->pan), 0, 1);
	if (st->n_sends) {
		start(c, "Sends");
		for (size_t k = 0; k < st->n_sends; k++) {
			size_t bi = 0;
			bus_named(s, st->sends[k].to, &bi);
			start(c, "Send");
			attr_id(c, "id", new_id(c));
			attr(c, "name", st->sends[k].to);
			attr_id(c, "destination", all[s->n_tracks + bi].channel);
			attr(c, "type", st->sends[k].pre_fader ? "pre" : "post");
			unsigned id = real_param(c, "Volume", "Send", "decibel", st->sends[k].level_db, -144, 24);
			if (k < MAX_IDS)
				ids->send[k] = id;
			end(c);
		}
		end(c);
	}
	ids->volume = real_param(c, "Volume", "Volume", "decibel", st->gain_db, -144, 24);
	end(c);
}

static void lost_strip(wctx *c, const mxd_strip *st)
{
	if (fabs(st->width - 1.0) > 1e-9)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: width %.2f", st->name, st->width);
	if (st->invert)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: polarity invert", st->name);
	if (st->kind != MXD_STRIP_MASTER && st->pan_law_db != -3.0)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: pan law %.1f dB", st->name, st->pan_law_db);
	if (st->group)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: group label \"%s\"", st->name, st->group);
}

static uint32_t strip_channels(const mxd_session *s, const mxd_strip *st)
{
	uint32_t ch = 0;
	for (size_t k = 0; k < st->n_clips; k++)
		if (st->clips[k].file_channels > ch)
			ch = st->clips[k].file_channels;
	return ch ? ch : s->channels;
}

static void structure(wctx *c, const mxd_session *s, strip_ids *ids, unsigned *track_ids)
{
	start(c, "Structure");
	size_t n = s->n_tracks + s->n_buses;
	for (size_t i = 0; i <= n; i++) {
		const mxd_strip *st = i < s->n_tracks ? &s->tracks[i] : i < n ? &s->buses[i - s->n_tracks] : &s->master;
		const char *role = "regular";
		if (st->kind == MXD_STRIP_MASTER)
			role = "master";
		else if (st->kind == MXD_STRIP_BUS) {
			/* An effect return: fed by sends and by no strip's output. */
			bool fed = false, sent = false;
			for (size_t j = 0; j < n; j++) {
				const mxd_strip *o = j < s->n_tracks ? &s->tracks[j] : &s->buses[j - s->n_tracks];
				fed |= o->output && !strcmp(o->output, st->name);
				for (size_t k = 0; k < o->n_sends; k++)
					sent |= !strcmp(o->sends[k].to, st->name);
			}
			role = sent && !fed ? "effect" : "submix";
		}
		start(c, "Track");
		attr(c, "contentType", "audio");
		attr(c, "loaded", "true");
		track_ids[i] = new_id(c);
		attr_id(c, "id", track_ids[i]);
		attr(c, "name", st->kind == MXD_STRIP_MASTER ? "Master" : st->name);
		if (st->color)
			attr(c, "color", st->color);
		channel(c, s, st, &ids[i], ids, st->kind == MXD_STRIP_TRACK ? strip_channels(s, st) : s->channels,
			role);
		end(c);
		lost_strip(c, st);
		if (st->kind == MXD_STRIP_TRACK)
			c->rep->n_tracks++;
		else if (st->kind == MXD_STRIP_BUS)
			c->rep->n_buses++;
	}
	end(c);
}

static const char *zip_name_of(const dp_audio_list *a, const char *src)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->src[i], src))
			return a->zip_name[i];
	return NULL;
}

static void clips(wctx *c, const mxd_strip *st, const dp_audio_list *audio)
{
	if (!st->n_clips)
		return;
	start(c, "Clips");
	attr_id(c, "id", new_id(c));
	for (size_t k = 0; k < st->n_clips; k++) {
		const mxd_clip *cl = &st->clips[k];
		double file_len = (double)cl->file_frames / cl->file_rate;
		double len = cl->length >= 0 ? cl->length : file_len - cl->offset;
		start(c, "Clip");
		attr_num(c, "time", cl->at);
		attr_num(c, "duration", len);
		attr(c, "contentTimeUnit", "seconds");
		attr_num(c, "playStart", cl->offset);
		attr(c, "fadeTimeUnit", "seconds");
		attr_num(c, "fadeInTime", cl->fade_in);
		attr_num(c, "fadeOutTime", cl->fade_out);
		start(c, "Audio");
		attr_id(c, "id", new_id(c));
		attr(c, "timeUnit", "seconds");
		attr_num(c, "duration", file_len);
		char b[24];
		snprintf(b, sizeof b, "%u", cl->file_channels);
		attr(c, "channels", b);
		snprintf(b, sizeof b, "%.0f", cl->file_rate);
		attr(c, "sampleRate", b);
		start(c, "File");
		attr(c, "path", zip_name_of(audio, cl->file));
		end(c);
		end(c);
		end(c);
		if (fabs(cl->gain_db) > 1e-9)
			dp_note(c->rep->lost, &c->rep->n_lost,
				"%s: clip %zu gain %+.2f dB (DAWproject clips have none)", st->name, k + 1,
				cl->gain_db);
		if ((cl->fade_in > 0 && cl->fade_in_curve != MXD_FADE_LINEAR) ||
		    (cl->fade_out > 0 && cl->fade_out_curve != MXD_FADE_LINEAR))
			dp_note(c->rep->lost, &c->rep->n_lost, "%s: clip %zu fade curve (DAWproject fades have none)",
				st->name, k + 1);
		c->rep->n_clips++;
	}
	end(c);
}

static void lane(wctx *c, const mxd_strip *st, const mxd_lane *ln, const strip_ids *ids)
{
	unsigned target = 0;
	const char *unit = "decibel";
	char conv = 'd';
	switch (ln->target) {
	case MXD_TARGET_GAIN: target = ids->volume; break;
	case MXD_TARGET_PAN: target = ids->pan, unit = "normalized", conv = 'p'; break;
	case MXD_TARGET_MUTE: target = ids->mute, conv = 'b'; break;
	case MXD_TARGET_SEND: target = ln->index < MAX_IDS ? ids->send[ln->index] : 0; break;
	case MXD_TARGET_INSERT:
		for (size_t i = 0; i < ids->n_ins; i++)
			if (ids->ins[i].insert == ln->index && ids->ins[i].slot == ln->slot) {
				target = ids->ins[i].id, conv = ids->ins[i].unit;
				unit = conv == 's'   ? "seconds"
				       : conv == 'h' ? "hertz"
				       : conv == 'l' ? "linear"
						     : "decibel";
			}
		break;
	default: break;
	}
	if (!target) {
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: automation of %s", st->name, ln->path);
		return;
	}
	if (ln->lfo.on || ln->follow.on)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: %s lfo/follow (points only)", st->name, ln->path);
	if (!ln->n_points)
		return;
	start(c, "Points");
	attr_id(c, "id", new_id(c));
	if (conv != 'b')
		attr(c, "unit", unit);
	start(c, "Target");
	attr_id(c, "parameter", target);
	end(c);
	bool curves = false;
	for (size_t k = 0; k < ln->n_points; k++) {
		const mxd_auto_point *p = &ln->points[k];
		start(c, conv == 'b' ? "BoolPoint" : "RealPoint");
		attr_num(c, "time", p->time);
		if (conv == 'b') {
			attr(c, "value", p->value != 0 ? "true" : "false");
		} else {
			double v = conv == 'p'   ? dp_pan_normalized(p->value)
				   : conv == 's' ? p->value / 1000.0
				   : conv == 'n' ? -p->value
						 : p->value;
			attr_num(c, "value", v);
			attr(c, "interpolation", p->curve == MXD_AUTO_HOLD ? "hold" : "linear");
		}
		curves |= p->curve == MXD_AUTO_SMOOTH || p->curve == MXD_AUTO_EXP;
		end(c);
	}
	end(c);
	if (curves)
		dp_note(c->rep->lost, &c->rep->n_lost, "%s: %s smooth/exp segments written as linear", st->name,
			ln->path);
	c->rep->n_lanes++;
}

static void arrangement(wctx *c, const mxd_session *s, const strip_ids *ids, const dp_audio_list *audio,
			const unsigned *track_ids)
{
	start(c, "Arrangement");
	attr_id(c, "id", new_id(c));
	start(c, "Lanes");
	attr(c, "timeUnit", "seconds");
	attr_id(c, "id", new_id(c));
	size_t n = s->n_tracks + s->n_buses;
	for (size_t i = 0; i <= n; i++) {
		const mxd_strip *st = i < s->n_tracks ? &s->tracks[i] : i < n ? &s->buses[i - s->n_tracks] : &s->master;
		if (!st->n_clips && !st->n_lanes)
			continue;
		start(c, "Lanes");
		attr_id(c, "track", track_ids[i]);
		attr_id(c, "id", new_id(c));
		clips(c, st, audio);
		for (size_t k = 0; k < st->n_lanes; k++)
			lane(c, st, &st->lanes[k], &ids[i]);
		end(c);
	}
	end(c);
	end(c);
}

mixdown_status dp_write_project(const mxd_session *s, const dp_audio_list *audio, mixdown_dawproject_report *rep,
				char **xml, size_t *len, mixdown_error *err)
{
	size_t n = s->n_tracks + s->n_buses + 1;
	strip_ids *ids = calloc(n, sizeof *ids);
	unsigned *track_ids = calloc(n, sizeof *track_ids);
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!ids || !track_ids || !w) {
		free(ids);
		free(track_ids);
		if (buf)
			xmlBufferFree(buf);
		return MIXDOWN_ERR_NOMEM;
	}
	wctx c = {.w = w, .rep = rep, .next = 1};
	/* Channel and track ids first: destinations and Lanes refer to them. */
	for (size_t i = 0; i < n; i++)
		ids[i].channel = new_id(&c);
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	W(&c, xmlTextWriterStartDocument(w, NULL, "UTF-8", "yes"));
	start(&c, "Project");
	attr(&c, "version", "1.0");
	start(&c, "Application");
	attr(&c, "name", "mixdown");
	attr(&c, "version", MIXDOWN_VERSION_STRING);
	end(&c);
	if (s->n_tempo) {
		const mxd_tempo_section *t = &s->tempo[0];
		start(&c, "Transport");
		/* mixdown's bpm counts the meter's beat unit; DAWproject's counts quarters. */
		real_param(&c, "Tempo", "Tempo", "bpm", t->bpm * 4.0 / t->beat_unit, 20, 999);
		start(&c, "TimeSignature");
		char b[16];
		snprintf(b, sizeof b, "%u", t->beat_unit);
		attr(&c, "denominator", b);
		snprintf(b, sizeof b, "%u", t->beats_per_bar);
		attr(&c, "numerator", b);
		attr_id(&c, "id", new_id(&c));
		end(&c);
		end(&c);
		if (s->n_tempo > 1)
			dp_note(rep->lost, &rep->n_lost, "tempo changes after bar 1 (times are written in seconds)");
	}
	structure(&c, s, ids, track_ids);
	arrangement(&c, s, ids, audio, track_ids);
	end(&c);
	W(&c, xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w);
	if (s->range_end >= 0 || s->range_start > 0 || s->tail > 0)
		dp_note(rep->lost, &rep->n_lost, "render range and tail");
	if (s->master_target || s->export_file)
		dp_note(rep->lost, &rep->n_lost, "export settings and master target");
	mixdown_status st = MIXDOWN_SUCCESS;
	if (c.rc < 0) {
		st = mxd_fail(err, MIXDOWN_ERR_INTERNAL, NULL, (mxd_loc){0, 0}, NULL, "cannot write project.xml");
	} else if (!(*xml = malloc((size_t)buf->use + 1))) {
		st = MIXDOWN_ERR_NOMEM;
	} else {
		memcpy(*xml, buf->content, buf->use);
		(*xml)[buf->use] = '\0';
		*len = buf->use;
	}
	xmlBufferFree(buf);
	free(ids);
	free(track_ids);
	return st;
}

const char *dp_metadata_xml(void)
{
	return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<MetaData>\n"
	       "  <Comment>Written by mixdown</Comment>\n</MetaData>\n";
}
