/* mixdown — DAWproject reader: a channel's Devices as mixdown inserts.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Project.xsd's generic built-in devices map to mixdown processors:
 *   Equalizer (Band: type, Freq, Gain, Q, Enabled, order) -> eq
 *   Compressor (Threshold, Ratio, Attack, Release, OutputGain, AutoMakeup) -> compressor
 *   NoiseGate (Threshold, Range, Attack, Release) -> gate
 *   Limiter (Threshold, InputGain, Attack, Release) -> limiter
 * Values outside a processor's range are limited to it (and listed). Every
 * other device (Vst2Plugin, Vst3Plugin, ClapPlugin, AuPlugin, BuiltinDevice,
 * Device) cannot be hosted: it becomes a bypassed `gain` insert whose id
 * "KIND|deviceID|deviceName" keeps its place in the chain and lets export
 * write it back. A device's Enabled=false is the insert's bypass.
 * Control thread only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "interop/dawproject_read.h"
#include "session/yaml_quote.h"

typedef struct {
	dp_reader *r;
	size_t si;
	FILE *f;
	const char *dev; /* device label for notes */
	char prefix[48]; /* "inserts.N." */
} dev_ctx;

/* One numeric parameter: written as "key: value" after range limiting, and
 * remembered for automation. Absent elements keep mixdown's default. */
static mixdown_status param(dev_ctx *d, const xmlNode *dev, const char *elem, const char *key, dp_conv conv, double lo,
			    double hi)
{
	const xmlNode *p = dp_child(dev, elem);
	if (!p)
		return MIXDOWN_SUCCESS;
	double v;
	if (dp_real(d->r, p, conv, &v) != MIXDOWN_SUCCESS)
		return d->r->st;
	if (v < lo || v > hi) {
		mixdown_dawproject_report *rep = d->r->ctx->rep;
		dp_note(rep->lost, &rep->n_lost, "%s: %s %s %g limited to %g..%g", d->r->strips[d->si].name, d->dev,
			elem, v, lo, hi);
		v = v < lo ? lo : hi;
	}
	fprintf(d->f, ", %s: ", key);
	dp_num(d->f, v);
	char full[96];
	if (snprintf(full, sizeof full, "%s%s", d->prefix, key) >= (int)sizeof full)
		return dp_fail(d->r, p, "parameter path too long");
	dp_param_add(d->r, p, d->si, full, conv, lo, hi);
	return MIXDOWN_SUCCESS;
}

static bool bool_value(const xmlNode *p, bool def)
{
	const char *v = p ? dp_attr(p, "value") : NULL;
	return v ? !strcmp(v, "true") || !strcmp(v, "1") : def;
}

/* A gain element that mixdown's processor has no place for: listed unless 0 dB. */
static mixdown_status unused_gain(dev_ctx *d, const xmlNode *dev, const char *elem)
{
	const xmlNode *p = dp_child(dev, elem);
	double db = 0;
	if (p && dp_real(d->r, p, DP_CV_DB, &db) != MIXDOWN_SUCCESS)
		return d->r->st;
	if (fabs(db) > 1e-6) {
		mixdown_dawproject_report *rep = d->r->ctx->rep;
		dp_note(rep->lost, &rep->n_lost, "%s: %s %s %+.2f dB not supported", d->r->strips[d->si].name, d->dev,
			elem, db);
	}
	return MIXDOWN_SUCCESS;
}

static const char *band_type(const char *t)
{
	static const char *const map[][2] = {
		{"highPass", "highpass"}, {"lowPass", "lowpass"}, {"bandPass", "bandpass"}, {"highShelf", "highshelf"},
		{"lowShelf", "lowshelf"}, {"bell", "peak"},       {"notch", "notch"}};
	for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(t, map[i][0]))
			return map[i][1];
	return NULL;
}

static mixdown_status equalizer(dev_ctx *d, const xmlNode *dev)
{
	fprintf(d->f, ", bands: [");
	size_t k = 0;
	for (xmlNode *b = dev->children; b; b = b->next) {
		if (!dp_is(b, "Band"))
			continue;
		const char *type = band_type(dp_attr(b, "type"));
		if (!type)
			return dp_fail(d->r, b, "unknown band type \"%s\"",
				       dp_attr(b, "type") ? dp_attr(b, "type") : "");
		if (k == 16) {
			mixdown_dawproject_report *rep = d->r->ctx->rep;
			dp_note(rep->lost, &rep->n_lost, "%s: Equalizer bands after the 16th left out",
				d->r->strips[d->si].name);
			break;
		}
		k++;
		if (!bool_value(dp_child(b, "Enabled"), true))
			type = "off";
		fprintf(d->f, "%s{ type: %s", k > 1 ? ", " : "", type);
		dev_ctx bd = *d;
		if (snprintf(bd.prefix, sizeof bd.prefix, "%sbands.%zu.", d->prefix, k) >= (int)sizeof bd.prefix)
			return dp_fail(d->r, b, "too many devices");
		if (!dp_child(b, "Freq"))
			return dp_fail(d->r, b, "a Band needs a Freq");
		if (param(&bd, b, "Freq", "freq", DP_CV_HZ, 10, 40000) ||
		    param(&bd, b, "Gain", "gain", DP_CV_DB, -36, 36) || param(&bd, b, "Q", "q", DP_CV_LINEAR, 0.1, 40))
			return d->r->st;
		double order;
		/* eqBand/@order: the filter order of a pass filter, 6 dB/octave each. */
		if ((!strcmp(type, "highpass") || !strcmp(type, "lowpass")) && dp_attr_double(b, "order", &order) &&
		    order >= 1 && order <= 8)
			fprintf(d->f, ", slope: %.0f", 6.0 * order);
		fprintf(d->f, " }");
	}
	fprintf(d->f, "]");
	if (unused_gain(d, dev, "InputGain") || unused_gain(d, dev, "OutputGain"))
		return d->r->st;
	return MIXDOWN_SUCCESS;
}

static mixdown_status compressor(dev_ctx *d, const xmlNode *dev)
{
	if (param(d, dev, "Threshold", "threshold", DP_CV_DB, -60, 0) ||
	    param(d, dev, "Ratio", "ratio", DP_CV_RATIO, 1, 100) ||
	    param(d, dev, "Attack", "attack", DP_CV_MS, 0.01, 500) ||
	    param(d, dev, "Release", "release", DP_CV_MS, 1, 5000) ||
	    param(d, dev, "OutputGain", "makeup", DP_CV_DB, -24, 36))
		return d->r->st;
	const xmlNode *am = dp_child(dev, "AutoMakeup");
	if (am)
		fprintf(d->f, ", auto_makeup: %s", bool_value(am, false) ? "true" : "false");
	return unused_gain(d, dev, "InputGain");
}

static mixdown_status gate(dev_ctx *d, const xmlNode *dev)
{
	if (param(d, dev, "Threshold", "threshold", DP_CV_DB, -90, 0) ||
	    param(d, dev, "Range", "range", DP_CV_NEG_DB, 0, 90) ||
	    param(d, dev, "Attack", "attack", DP_CV_MS, 0.01, 500) ||
	    param(d, dev, "Release", "release", DP_CV_MS, 1, 5000))
		return d->r->st;
	const xmlNode *ratio = dp_child(dev, "Ratio");
	if (ratio) {
		mixdown_dawproject_report *rep = d->r->ctx->rep;
		dp_note(rep->lost, &rep->n_lost, "%s: NoiseGate Ratio not supported (the gate attenuates by its range)",
			d->r->strips[d->si].name);
	}
	return MIXDOWN_SUCCESS;
}

static mixdown_status limiter(dev_ctx *d, const xmlNode *dev)
{
	/* The generic limiter is a sample-peak limiter: Threshold is its ceiling,
	 * Attack its lookahead. */
	if (param(d, dev, "Threshold", "ceiling", DP_CV_DB, -30, 0) ||
	    param(d, dev, "InputGain", "gain", DP_CV_DB, -24, 36) ||
	    param(d, dev, "Attack", "lookahead", DP_CV_MS, 0.5, 20) ||
	    param(d, dev, "Release", "release", DP_CV_MS, 1, 2000))
		return d->r->st;
	fprintf(d->f, ", true_peak: false");
	return unused_gain(d, dev, "OutputGain");
}

/* The id of a placeholder: "KIND|deviceID|deviceName" (YAML-quoted; automation
 * never addresses a placeholder, so dots in it do no harm). */
static void placeholder(dev_ctx *d, const xmlNode *dev, bool enabled)
{
	const char *kind = (const char *)dev->name, *id = dp_attr(dev, "deviceID"), *name = dp_attr(dev, "deviceName");
	mixdown_dawproject_report *rep = d->r->ctx->rep;
	char full[256];
	snprintf(full, sizeof full, "%s|%s|%s", kind, id ? id : "", name ? name : "");
	fprintf(d->f, "type: gain, id: ");
	mxd_yaml_put_quoted(d->f, full);
	fprintf(d->f, ", bypass: true");
	dp_note(rep->placeholders, &rep->n_placeholders, "%s: %s \"%s\"%s%s%s (%s)", d->r->strips[d->si].name, kind,
		name ? name : "", id ? " [" : "", id ? id : "", id ? "]" : "",
		enabled ? "bypassed placeholder" : "was off");
}

mixdown_status dp_read_devices(dp_reader *r, size_t si, const xmlNode *devices)
{
	dp_strip *s = &r->strips[si];
	bool any = false;
	char used_ids[64][64];
	size_t n_ids = 0;
	for (xmlNode *dev = devices->children; dev && r->st == MIXDOWN_SUCCESS; dev = dev->next) {
		if (dev->type != XML_ELEMENT_NODE)
			continue;
		if (!any)
			fprintf(s->head.f, "    inserts:\n");
		any = true;
		s->n_inserts++;
		dev_ctx d = {.r = r, .si = si, .f = s->head.f, .dev = (const char *)dev->name};
		snprintf(d.prefix, sizeof d.prefix, "inserts.%zu.", s->n_inserts);
		bool enabled = bool_value(dp_child(dev, "Enabled"), true);
		const char *type = dp_is(dev, "Equalizer")    ? "eq"
				   : dp_is(dev, "Compressor") ? "compressor"
				   : dp_is(dev, "NoiseGate")  ? "gate"
				   : dp_is(dev, "Limiter")    ? "limiter"
							      : NULL;
		fprintf(s->head.f, "      - { ");
		if (!type) {
			placeholder(&d, dev, enabled);
			fprintf(s->head.f, " }\n");
			continue;
		}
		fprintf(s->head.f, "type: %s", type);
		/* The device's own name becomes the insert id when it is not just the
		 * device's product name (export writes the id there). */
		const char *nm = dp_attr(dev, "name"), *dn = dp_attr(dev, "deviceName");
		bool dup = false;
		for (size_t i = 0; nm && i < n_ids; i++)
			dup |= !strcmp(used_ids[i], nm);
		if (nm && nm[0] && (!dn || strcmp(nm, dn) != 0) && !dup && !strchr(nm, '.') && strlen(nm) < 64 &&
		    n_ids < 64) {
			snprintf(used_ids[n_ids++], 64, "%s", nm);
			fprintf(s->head.f, ", id: ");
			mxd_yaml_put_quoted(s->head.f, nm);
		}
		if (!enabled)
			fprintf(s->head.f, ", bypass: true");
		if (!strcmp(type, "eq"))
			equalizer(&d, dev);
		else if (!strcmp(type, "compressor"))
			compressor(&d, dev);
		else if (!strcmp(type, "gate"))
			gate(&d, dev);
		else
			limiter(&d, dev);
		fprintf(s->head.f, " }\n");
	}
	return r->st;
}
