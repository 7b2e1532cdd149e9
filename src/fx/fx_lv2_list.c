/* mixdown — `mixdown fx list --lv2` and `mixdown fx info URI`: installed LV2 plugins
 * and their control ports, as text.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The list reads the plugins' Turtle only (nothing is loaded or run); info
 * describes one plugin as mixdown hosts it (the processor class, after the
 * probe). Threads: control thread.
 */
#include <math.h>
#include <string.h>

#include "fx/fx_lv2_internal.h"
#include "mixdown/mixdown.h"

static void print_value(FILE *out, float v)
{
	if (isnan(v))
		fprintf(out, "-");
	else
		fprintf(out, "%g", (double)v);
}

int mxd_lv2_list(FILE *out, FILE *err)
{
	lv2_lock();
	LilvWorld *w = lv2_world();
	if (!w) {
		lv2_unlock();
		fprintf(err, "mixdown: cannot read the installed LV2 plugins\n");
		return -1;
	}
	const lv2_vocab *v = lv2_vocab_get();
	const LilvPlugins *all = lilv_world_get_all_plugins(w);
	LILV_FOREACH (plugins, it, all) {
		const LilvPlugin *p = lilv_plugins_get(all, it);
		LilvNode *name = lilv_plugin_get_name(p);
		uint32_t np = lilv_plugin_get_num_ports(p);
		float mins[np + 1], maxs[np + 1], defs[np + 1];
		lilv_plugin_get_port_ranges_float(p, mins, maxs, defs);
		fprintf(out, "%s\n  name: %s\n  audio: %u in, %u out%s\n", lilv_node_as_uri(lilv_plugin_get_uri(p)),
			name ? lilv_node_as_string(name) : "?",
			lilv_plugin_get_num_ports_of_class(p, v->audio, v->input, NULL),
			lilv_plugin_get_num_ports_of_class(p, v->audio, v->output, NULL),
			lilv_plugin_has_latency(p) ? "; reports latency" : "");
		lilv_node_free(name);
		for (uint32_t i = 0; i < np; i++) {
			const LilvPort *port = lilv_plugin_get_port_by_index(p, i);
			if (!lilv_port_is_a(p, port, v->control) || !lilv_port_is_a(p, port, v->input))
				continue;
			fprintf(out, "  %s: ", lilv_node_as_string(lilv_port_get_symbol(p, port)));
			print_value(out, mins[i]);
			fprintf(out, " .. ");
			print_value(out, maxs[i]);
			fprintf(out, ", default ");
			print_value(out, defs[i]);
			fprintf(out, "%s\n", lilv_port_has_property(p, port, v->toggled) ? " (on/off)"
					     : lilv_port_has_property(p, port, v->enumeration) ? " (choice)"
					     : lilv_port_has_property(p, port, v->integer)     ? " (integer)"
											       : "");
		}
	}
	lv2_unlock();
	return 0;
}

static const char *kind_name(const mxd_param *p)
{
	switch (p->kind) {
	case MXD_PARAM_BOOL: return "bool";
	case MXD_PARAM_ENUM: return "enum";
	case MXD_PARAM_FILE: return "file";
	default: return p->integer ? "integer" : "number";
	}
}

int mxd_lv2_info(const char *uri, FILE *out, FILE *err)
{
	char why[1024];
	const mxd_fx_class *cls = mxd_lv2_class(uri, why, sizeof why);
	if (!cls) {
		fprintf(err, "mixdown: %s\n", why);
		return -1;
	}
	const lv2_class *c = (const lv2_class *)cls;
	fprintf(out, "lv2 %s: %s\n", c->uri, c->label);
	fprintf(out, "audio: %u in, %u out, %u sidechain in; latency: %s\n", c->n_audio_in, c->n_audio_out,
		c->n_sc_in, c->latency_port >= 0 ? "reported" : "none");
	fprintf(out, "params (under `params:`; `state:` is the insert's state file):\n");
	for (size_t i = 0; i < c->n_ctl; i++) {
		const mxd_param *p = &c->params[i];
		fprintf(out, "  %-20s %-7s", p->name, kind_name(p));
		if (p->kind == MXD_PARAM_ENUM) {
			for (size_t k = 0; p->choices[k]; k++)
				fprintf(out, "%s\"%s\"", k ? " | " : " ", p->choices[k]);
			fprintf(out, ", default \"%s\"", p->choices[(size_t)p->def]);
		} else if (p->kind == MXD_PARAM_BOOL) {
			fprintf(out, " default %s", p->def > 0 ? "true" : "false");
		} else {
			fprintf(out, " %g .. %g%s%s, default %g", p->min, p->max, p->unit[0] ? " " : "", p->unit, p->def);
		}
		fprintf(out, "  (%s)\n", p->help);
	}
	if (cls->n_meters) {
		fprintf(out, "readings (control outputs):");
		for (size_t i = 0; i < cls->n_meters; i++)
			fprintf(out, " %s", cls->meters[i].name);
		fprintf(out, "\n");
	}
	return 0;
}

/* The public names (mixdown.h) of the two above. */
int mixdown_lv2_list(FILE *out, FILE *err)
{
	return mxd_lv2_list(out, err);
}

int mixdown_lv2_info(const char *uri, FILE *out, FILE *err)
{
	return mxd_lv2_info(uri, out, err);
}
