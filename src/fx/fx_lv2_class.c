/* mixdown — an installed LV2 plugin described as a processor class (parameter
 * table, meters, audio port layout), probed once in a forked child, cached per URI.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Port mapping (LV2 core spec, http://lv2plug.in/ns/lv2core):
 *   control input  -> parameter named by lv2:symbol; lv2:toggled -> BOOL,
 *                     lv2:enumeration with scale points -> ENUM (choices = labels,
 *                     sorted by value), lv2:integer -> integer NUMBER; range from
 *                     lv2:minimum/maximum (a missing bound becomes +-1e9), default
 *                     lv2:default clamped into it (missing: the minimum, or 0).
 *   control output -> meter reading named by its symbol (the lv2:reportsLatency /
 *                     designation lv2:latency port is also the latency for PDC).
 *   audio input    -> main input, or sidechain input when the port has
 *                     lv2:isSideChain or belongs to a group that is pg:sideChainOf
 *                     another (LV2 port-groups extension).
 *   atom / CV      -> connected to host buffers (empty sequences, silence).
 * Anything else must be lv2:connectionOptional or the plugin is refused.
 *
 * The probe (fork, instantiate + activate + run a block of silence + free in the
 * child, 20 s timeout) runs once per URI per process: a plugin that crashes or
 * hangs there is reported by name and signal instead of killing the render
 * (MIXDOWN_LV2_NO_PROBE set in the environment skips it). A hosted plugin's
 * library stays loaded until the process exits (RTLD_NODELETE).
 *
 * Threads: control thread; lv2_lock() guards lilv and the cache.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fx/fx_lv2_internal.h"

#define PROBE_TIMEOUT_S 20

typedef struct cache_entry {
	char *uri;
	lv2_class *cls;  /* the description (kept even when refused, so nothing leaks) */
	char *error;     /* why the plugin was refused, or NULL */
	struct cache_entry *next;
} cache_entry;

static cache_entry *cache; /* reachable until exit (never freed) */

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static const char *unit_of(const LilvPlugin *plug, const LilvPort *port)
{
	const lv2_vocab *v = lv2_vocab_get();
	LilvNodes *units = lilv_port_get_value(plug, port, v->unit);
	const char *u = NULL;
	if (units && lilv_nodes_size(units)) {
		const LilvNode *n = lilv_nodes_get_first(units);
		const char *s = lilv_node_is_uri(n) ? lilv_node_as_uri(n) : "";
		static const char *const map[][2] = {
			{ LV2_UNITS__db, "dB" }, { LV2_UNITS__hz, "Hz" }, { LV2_UNITS__ms, "ms" },
			{ LV2_UNITS__s, "s" },   { LV2_UNITS__pc, "%" },
		};
		for (size_t i = 0; i < sizeof map / sizeof map[0] && !u; i++)
			if (strcmp(s, map[i][0]) == 0)
				u = map[i][1];
	}
	lilv_nodes_free(units);
	return u ? u : "";
}

static bool is_sidechain(const LilvPlugin *plug, const LilvPort *port)
{
	const lv2_vocab *v = lv2_vocab_get();
	if (lilv_port_has_property(plug, port, v->sidechain))
		return true;
	LilvNodes *groups = lilv_port_get_value(plug, port, v->group);
	bool sc = false;
	LILV_FOREACH (nodes, i, groups) {
		LilvNodes *of = lilv_world_find_nodes(lv2_world(), lilv_nodes_get(groups, i), v->side_chain_of, NULL);
		sc = sc || (of && lilv_nodes_size(of) > 0);
		lilv_nodes_free(of);
	}
	lilv_nodes_free(groups);
	return sc;
}

static int cmp_points(const void *a, const void *b)
{
	const double *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* An ENUM from the port's scale points; false if it has none. */
static bool make_enum(const LilvPlugin *plug, const LilvPort *port, mxd_param *p, double **values, double def)
{
	LilvScalePoints *sp = lilv_port_get_scale_points(plug, port);
	size_t n = sp ? lilv_scale_points_size(sp) : 0;
	if (!n) {
		lilv_scale_points_free(sp);
		return false;
	}
	double *pairs = calloc(2 * n, sizeof *pairs); /* value, original index */
	const char **labels = calloc(n, sizeof *labels);
	const char **choices = calloc(n + 1, sizeof *choices);
	*values = calloc(n, sizeof **values);
	size_t k = 0;
	LILV_FOREACH (scale_points, i, sp) {
		const LilvScalePoint *pt = lilv_scale_points_get(sp, i);
		if (!pairs || !labels || k >= n)
			break;
		pairs[2 * k] = lilv_node_as_float(lilv_scale_point_get_value(pt));
		pairs[2 * k + 1] = (double)k;
		labels[k++] = lilv_node_as_string(lilv_scale_point_get_label(pt));
	}
	bool ok = pairs && labels && choices && *values && k == n;
	if (ok) {
		qsort(pairs, n, 2 * sizeof *pairs, cmp_points);
		size_t best = 0;
		for (size_t i = 0; i < n; i++) {
			(*values)[i] = pairs[2 * i];
			choices[i] = strdup(labels[(size_t)pairs[2 * i + 1]]);
			ok = ok && choices[i];
			if (fabs(pairs[2 * i] - def) < fabs(pairs[2 * best] - def))
				best = i;
		}
		p->kind = MXD_PARAM_ENUM;
		p->choices = choices;
		p->min = 0;
		p->max = (double)(n - 1);
		p->def = (double)best;
	}
	free(pairs);
	free(labels);
	lilv_scale_points_free(sp);
	if (!ok) {
		free(choices);
		free(*values);
		*values = NULL;
	}
	return ok;
}

/* Fill the class from the plugin's ports into *out (set as soon as it exists, so the
 * caller keeps it either way). 0, or -1 with a reason if it cannot be hosted. */
static int describe(const LilvPlugin *plug, lv2_class **out, char *err, size_t err_size)
{
	const lv2_vocab *v = lv2_vocab_get();
	const char *uri = lilv_node_as_uri(lilv_plugin_get_uri(plug));
	char missing[512];
	lv2_missing_features(plug, missing, sizeof missing);
	if (missing[0]) {
		snprintf(err, err_size, "LV2 plugin %s requires features mixdown does not provide: %s", uri, missing);
		return -1;
	}
	uint32_t np = lilv_plugin_get_num_ports(plug);
	lv2_class *c = *out = calloc(1, sizeof *c);
	if (!c)
		goto nomem;
	c->cls = lv2_template;
	c->plugin = plug;
	c->n_ports = np;
	c->latency_port = -1;
	c->uri = strdup(uri);
	LilvNode *name = lilv_plugin_get_name(plug);
	c->label = dup_or_empty(name ? lilv_node_as_string(name) : uri);
	lilv_node_free(name);
	c->kind = calloc(np + 1, sizeof *c->kind);
	c->defaults = calloc(np + 1, sizeof *c->defaults);
	c->atom_size = calloc(np + 1, sizeof *c->atom_size);
	c->audio_in = calloc(np + 1, sizeof *c->audio_in);
	c->audio_out = calloc(np + 1, sizeof *c->audio_out);
	c->sc_in = calloc(np + 1, sizeof *c->sc_in);
	c->params = calloc(np + 1, sizeof *c->params);
	c->param_port = calloc(np + 1, sizeof *c->param_port);
	c->enum_values = calloc(np + 1, sizeof *c->enum_values);
	c->meters = calloc(np + 1, sizeof *c->meters);
	c->meter_port = calloc(np + 1, sizeof *c->meter_port);
	float *mins = calloc(np + 1, sizeof *mins), *maxs = calloc(np + 1, sizeof *maxs);
	if (!c->uri || !c->label || !c->kind || !c->defaults || !c->atom_size || !c->audio_in || !c->audio_out || !c->sc_in ||
	    !c->params || !c->param_port || !c->enum_values || !c->meters || !c->meter_port || !mins || !maxs) {
		free(mins);
		free(maxs);
		goto nomem;
	}
	lilv_plugin_get_port_ranges_float(plug, mins, maxs, c->defaults);
	size_t n_meters = 0;
	for (uint32_t i = 0; i < np; i++) {
		const LilvPort *port = lilv_plugin_get_port_by_index(plug, i);
		bool in = lilv_port_is_a(plug, port, v->input), out = lilv_port_is_a(plug, port, v->output);
		const char *sym = lilv_node_as_string(lilv_port_get_symbol(plug, port));
		c->kind[i] = PORT_NONE;
		if (lilv_port_is_a(plug, port, v->audio)) {
			if (in && is_sidechain(plug, port))
				c->kind[i] = PORT_SC_IN, c->sc_in[c->n_sc_in++] = i;
			else if (in)
				c->kind[i] = PORT_AUDIO_IN, c->audio_in[c->n_audio_in++] = i;
			else if (out)
				c->kind[i] = PORT_AUDIO_OUT, c->audio_out[c->n_audio_out++] = i;
		} else if (lilv_port_is_a(plug, port, v->control) && (in || out)) {
			double lo = isnan(mins[i]) ? -1e9 : mins[i], hi = isnan(maxs[i]) ? 1e9 : maxs[i];
			double def = isnan(c->defaults[i]) ? (isnan(mins[i]) ? 0.0 : lo) : c->defaults[i];
			def = def < lo ? lo : def > hi ? hi : def;
			c->defaults[i] = (float)def;
			if (out) {
				c->kind[i] = PORT_CTL_OUT;
				if (lilv_port_has_property(plug, port, v->reports_latency) && c->latency_port < 0)
					c->latency_port = i;
				c->meters[n_meters] = (mxd_meter){ .name = strdup(sym), .unit = unit_of(plug, port),
								   .help = "LV2 control output",
								   .offset = lv2_meter_offset(n_meters) };
				c->meter_port[n_meters++] = i;
				continue;
			}
			c->kind[i] = PORT_CTL_IN;
			mxd_param *p = &c->params[c->n_ctl];
			*p = (mxd_param){ .name = strdup(sym), .kind = MXD_PARAM_NUMBER, .unit = unit_of(plug, port),
					  .min = lo, .max = hi, .def = def, .automatable = true,
					  .first_slot = c->n_ctl };
			LilvNode *pn = lilv_port_get_name(plug, port);
			p->help = dup_or_empty(pn ? lilv_node_as_string(pn) : sym);
			lilv_node_free(pn);
			if (lilv_port_has_property(plug, port, v->toggled)) {
				p->kind = MXD_PARAM_BOOL;
				p->min = 0, p->max = 1, p->def = def > 0 ? 1 : 0;
			} else if (!(lilv_port_has_property(plug, port, v->enumeration) &&
				     make_enum(plug, port, p, &c->enum_values[c->n_ctl], def))) {
				p->integer = lilv_port_has_property(plug, port, v->integer);
				if (p->integer)
					p->min = ceil(p->min), p->max = floor(p->max), p->def = round(p->def);
			}
			c->param_port[c->n_ctl++] = i;
		} else if (lilv_port_is_a(plug, port, v->atom) && (in || out)) {
			c->kind[i] = in ? PORT_ATOM_IN : PORT_ATOM_OUT;
			c->atom_size[i] = LV2_ATOM_CAPACITY;
			LilvNodes *ms = lilv_port_get_value(plug, port, v->minimum_size);
			if (ms && lilv_nodes_size(ms) && lilv_node_is_int(lilv_nodes_get_first(ms))) {
				int want = lilv_node_as_int(lilv_nodes_get_first(ms));
				if (want > (int)c->atom_size[i] && want < (1 << 24))
					c->atom_size[i] = ((uint32_t)want + 7u) & ~7u;
			}
			lilv_nodes_free(ms);
		} else if (lilv_port_is_a(plug, port, v->cv) && (in || out)) {
			c->kind[i] = in ? PORT_CV_IN : PORT_CV_OUT;
		} else if (!lilv_port_has_property(plug, port, v->optional)) {
			snprintf(err, err_size, "LV2 plugin %s: port \"%s\" has a type mixdown cannot connect", uri, sym);
			free(mins);
			free(maxs);
			return -1;
		}
	}
	free(mins);
	free(maxs);
	if (c->latency_port < 0) {
		/* lv2:designation lv2:latency marks the port as well (LV2 1.18). */
		const LilvPort *lp = lilv_plugin_get_port_by_designation(plug, v->output, v->latency);
		if (lp)
			c->latency_port = lilv_port_get_index(plug, lp);
	}
	if (!c->n_audio_in || !c->n_audio_out) {
		snprintf(err, err_size, "LV2 plugin %s has %u audio input(s) and %u output(s); an insert needs both", uri,
			 c->n_audio_in, c->n_audio_out);
		return -1;
	}
	/* The state file: a FILE parameter after the controls (kept top-level in sessions). */
	c->state_slot = c->n_ctl;
	c->params[c->n_ctl] = (mxd_param){ .name = "state", .kind = MXD_PARAM_FILE,
					   .help = "LV2 state file restored at instantiation",
					   .first_slot = c->n_ctl };
	c->has_worker = lilv_plugin_has_extension_data(plug, v->worker_iface);
	c->has_state = lilv_plugin_has_extension_data(plug, v->state_iface);
	c->cls.summary = c->label;
	c->cls.params = c->params;
	c->cls.n_params = c->n_ctl + 1;
	c->cls.n_slots = c->n_ctl + 1;
	c->cls.meters = c->meters;
	c->cls.n_meters = n_meters;
	c->cls.wants_sidechain = c->n_sc_in > 0;
	return 0;
nomem:
	snprintf(err, err_size, "out of memory");
	return -1;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGKILL: return "SIGKILL";
	default: return "a signal";
	}
}

/* Instantiate, run and free the plugin in a child process. 0 if it survived. */
static int probe(const lv2_class *c, char *err, size_t err_size)
{
	fflush(NULL); /* the child must not flush our buffered output again */
	pid_t pid = fork();
	if (pid < 0)
		return 0; /* cannot probe: instantiate in-process as a host without probing would */
	if (pid == 0) {
		alarm(PROBE_TIMEOUT_S + 5);
		lv2_lock_forget();
		_exit(lv2_probe_run(&c->cls) == 0 ? 0 : 3);
	}
	int status = 0;
	struct timespec nap = { 0, 5 * 1000 * 1000 };
	for (long waited = 0;; waited += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 0;
		if (waited >= PROBE_TIMEOUT_S * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(err, err_size, "LV2 plugin %s hung on instantiate (no answer in %d s)", c->uri,
				 PROBE_TIMEOUT_S);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	if (WIFSIGNALED(status)) {
		snprintf(err, err_size, "LV2 plugin %s crashed on instantiate (%s)", c->uri,
			 signal_name(WTERMSIG(status)));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(err, err_size, "LV2 plugin %s failed to instantiate", c->uri);
		return -1;
	}
	return 0;
}

const mxd_fx_class *mxd_lv2_class(const char *uri, char *err, size_t err_size)
{
	if (err && err_size)
		err[0] = 0;
	char why[1024] = "";
	lv2_lock();
	cache_entry *e = cache;
	while (e && strcmp(e->uri, uri) != 0)
		e = e->next;
	if (!e) {
		LilvWorld *w = lv2_world();
		const LilvPlugin *plug = NULL;
		if (w) {
			LilvNode *un = lilv_new_uri(w, uri);
			plug = un ? lilv_plugins_get_by_uri(lilv_world_get_all_plugins(w), un) : NULL;
			lilv_node_free(un);
		}
		lv2_class *c = NULL;
		bool ok = false;
		if (!plug)
			snprintf(why, sizeof why, "no LV2 plugin %s is installed (mixdown fx list --lv2 lists them)", uri);
		else
			ok = describe(plug, &c, why, sizeof why) == 0 &&
			     (getenv("MIXDOWN_LV2_NO_PROBE") != NULL || probe(c, why, sizeof why) == 0);
		if (ok) {
			/* Keep the plugin's library loaded for good: lilv unloads it with its last
			 * instance, and plugins keep state (caches, threads) in static memory. */
			char *lib = lilv_file_uri_parse(lilv_node_as_uri(lilv_plugin_get_library_uri(plug)), NULL);
			if (lib)
				dlopen(lib, RTLD_NOW | RTLD_NODELETE);
			lilv_free(lib);
		}
		e = calloc(1, sizeof *e);
		if (e) {
			e->uri = strdup(uri);
			e->cls = c;
			e->error = ok ? NULL : strdup(why);
			e->next = cache;
			cache = e;
		}
	}
	const mxd_fx_class *cls = e && e->cls && !e->error ? &e->cls->cls : NULL;
	if (!cls && err && err_size)
		snprintf(err, err_size, "%s", e && e->error ? e->error : why[0] ? why : "out of memory");
	lv2_unlock();
	return cls;
}

bool mxd_lv2_is_class(const mxd_fx_class *cls)
{
	return cls && cls->create == lv2_template.create;
}

const char *mxd_lv2_class_uri(const mxd_fx_class *cls)
{
	return mxd_lv2_is_class(cls) ? ((const lv2_class *)cls)->uri : NULL;
}

typedef struct {
	const lv2_class *c;
	double *values;
} state_ctx;

static void take_port_value(const char *sym, void *user, const void *value, uint32_t size, uint32_t type)
{
	state_ctx *s = user;
	double x;
	if (type == lv2_map(LV2_ATOM__Float) && size == sizeof(float))
		x = *(const float *)value;
	else if (type == lv2_map(LV2_ATOM__Double) && size == sizeof(double))
		x = *(const double *)value;
	else if (type == lv2_map(LV2_ATOM__Int) && size == sizeof(int32_t))
		x = *(const int32_t *)value;
	else if (type == lv2_map(LV2_ATOM__Bool) && size == sizeof(int32_t))
		x = *(const int32_t *)value != 0;
	else
		return;
	for (size_t i = 0; i < s->c->n_ctl; i++) {
		const mxd_param *p = &s->c->params[i];
		if (strcmp(p->name, sym) != 0)
			continue;
		if (p->kind == MXD_PARAM_ENUM) {
			size_t best = 0;
			for (size_t k = 0; k <= (size_t)p->max; k++)
				if (fabs(s->c->enum_values[i][k] - x) < fabs(s->c->enum_values[i][best] - x))
					best = k;
			x = (double)best;
		} else if (p->kind == MXD_PARAM_BOOL) {
			x = x > 0 ? 1 : 0;
		}
		s->values[p->first_slot] = x < p->min ? p->min : x > p->max ? p->max : x;
	}
}

int mxd_lv2_state_values(const mxd_fx_class *cls, const char *path, double *values, char *err, size_t err_size)
{
	if (!mxd_lv2_is_class(cls)) {
		snprintf(err, err_size, "not an LV2 insert");
		return -1;
	}
	const lv2_class *c = (const lv2_class *)cls;
	lv2_lock();
	LilvState *st = lilv_state_new_from_file(lv2_world(), lv2_urid_map(), NULL, path);
	int rc = 0;
	if (!st) {
		snprintf(err, err_size, "cannot read '%s' as an LV2 state (Turtle)", path);
		rc = -1;
	} else if (strcmp(lilv_node_as_uri(lilv_state_get_plugin_uri(st)), c->uri) != 0) {
		snprintf(err, err_size, "'%s' is the state of %s, not of %s", path,
			 lilv_node_as_uri(lilv_state_get_plugin_uri(st)), c->uri);
		rc = -1;
	} else {
		state_ctx s = { c, values };
		lilv_state_emit_port_values(st, take_port_value, &s);
	}
	lilv_state_free(st);
	lv2_unlock();
	return rc;
}
