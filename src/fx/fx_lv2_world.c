/* mixdown — the LV2 host's process-wide state: the lilv world (every installed
 * plugin, loaded on first use), the vocabulary nodes and the URID map.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * URID map: a table of strings behind a mutex. Mapping happens when plugins
 * are instantiated (control thread); a plugin that maps URIs inside run() would
 * take that mutex on the audio thread (none of the tested plugins do; the LV2
 * URID spec allows the host's map to be non-real-time). IDs start at 1 and are
 * never reused; strings live until the process exits.
 * Threads: control threads; everything is guarded by one mutex (lv2_lock).
 */
#include <stdlib.h>
#include <string.h>

#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/port-groups/port-groups.h>
#include <lv2/resize-port/resize-port.h>
#include <lv2/state/state.h>
#include <lv2/units/units.h>

#include "fx/fx_lv2_internal.h"

static pthread_mutex_t world_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t urid_mutex = PTHREAD_MUTEX_INITIALIZER;
static LilvWorld *world;
static lv2_vocab vocab;

static char **uris;
static size_t n_uris, cap_uris;

static bool lock_forgotten;

void lv2_lock(void)
{
	if (!lock_forgotten)
		pthread_mutex_lock(&world_mutex);
}

void lv2_unlock(void)
{
	if (!lock_forgotten)
		pthread_mutex_unlock(&world_mutex);
}

void lv2_lock_forget(void)
{
	lock_forgotten = true;
}

static LilvNode *node(const char *uri)
{
	return lilv_new_uri(world, uri);
}

LilvWorld *lv2_world(void)
{
	if (world)
		return world;
	world = lilv_world_new();
	if (!world)
		return NULL;
	lilv_world_load_all(world);
	vocab.audio = node(LV2_CORE__AudioPort);
	vocab.control = node(LV2_CORE__ControlPort);
	vocab.atom = node("http://lv2plug.in/ns/ext/atom#AtomPort");
	vocab.cv = node(LV2_CORE__CVPort);
	vocab.input = node(LV2_CORE__InputPort);
	vocab.output = node(LV2_CORE__OutputPort);
	vocab.optional = node(LV2_CORE__connectionOptional);
	vocab.integer = node(LV2_CORE__integer);
	vocab.toggled = node(LV2_CORE__toggled);
	vocab.enumeration = node(LV2_CORE__enumeration);
	vocab.reports_latency = node(LV2_CORE__reportsLatency);
	vocab.designation = node(LV2_CORE__designation);
	vocab.latency = node(LV2_CORE__latency);
	vocab.sidechain = node(LV2_CORE_PREFIX "isSideChain");
	vocab.group = node(LV2_PORT_GROUPS__group);
	vocab.side_chain_of = node(LV2_PORT_GROUPS__sideChainOf);
	vocab.unit = node(LV2_UNITS__unit);
	vocab.name = node(LV2_CORE__name);
	vocab.minimum_size = node(LV2_RESIZE_PORT__minimumSize);
	vocab.worker_iface = node(LV2_WORKER__interface);
	vocab.state_iface = node(LV2_STATE__interface);
	return world;
}

const lv2_vocab *lv2_vocab_get(void)
{
	return &vocab;
}

LV2_URID lv2_map(const char *uri)
{
	if (!uri)
		return 0;
	pthread_mutex_lock(&urid_mutex);
	LV2_URID id = 0;
	for (size_t i = 0; i < n_uris && !id; i++)
		if (strcmp(uris[i], uri) == 0)
			id = (LV2_URID)(i + 1);
	if (!id) {
		if (n_uris == cap_uris) {
			size_t cap = cap_uris ? cap_uris * 2 : 64;
			char **grown = realloc(uris, cap * sizeof *grown);
			if (grown)
				uris = grown, cap_uris = cap;
		}
		char *copy = n_uris < cap_uris ? strdup(uri) : NULL;
		if (copy) {
			uris[n_uris++] = copy;
			id = (LV2_URID)n_uris;
		}
	}
	pthread_mutex_unlock(&urid_mutex);
	return id;
}

static LV2_URID map_cb(LV2_URID_Map_Handle h, const char *uri)
{
	(void)h;
	return lv2_map(uri);
}

static const char *unmap_cb(LV2_URID_Unmap_Handle h, LV2_URID id)
{
	(void)h;
	pthread_mutex_lock(&urid_mutex);
	const char *s = id >= 1 && id <= n_uris ? uris[id - 1] : NULL;
	pthread_mutex_unlock(&urid_mutex);
	return s;
}

static LV2_URID_Map map_feature = { NULL, map_cb };
static LV2_URID_Unmap unmap_feature = { NULL, unmap_cb };

LV2_URID_Map *lv2_urid_map(void)
{
	return &map_feature;
}

LV2_URID_Unmap *lv2_urid_unmap(void)
{
	return &unmap_feature;
}

/* Features fx_lv2.c passes to every instance (see make_features there). */
static const char *const supported[] = {
	LV2_URID__map,
	LV2_URID__unmap,
	LV2_OPTIONS__options,
	LV2_BUF_SIZE__boundedBlockLength,
	LV2_WORKER__schedule,
	LV2_CORE__hardRTCapable, /* a property of the plugin; nothing for the host to do */
	LV2_CORE__isLive,
	LV2_CORE__inPlaceBroken, /* we never connect an input and an output to one buffer */
	LV2_STATE__loadDefaultState,
	"http://lv2plug.in/ns/ext/log#log",
	NULL,
};

void lv2_missing_features(const LilvPlugin *p, char *out, size_t size)
{
	out[0] = 0;
	size_t o = 0;
	LilvNodes *req = lilv_plugin_get_required_features(p);
	LILV_FOREACH (nodes, i, req) {
		const char *u = lilv_node_as_uri(lilv_nodes_get(req, i));
		bool ok = false;
		for (size_t k = 0; supported[k] && !ok; k++)
			ok = strcmp(supported[k], u) == 0;
		if (!ok && o < size)
			o += (size_t)snprintf(out + o, size - o, "%s%s", o ? ", " : "", u);
	}
	lilv_nodes_free(req);
}
