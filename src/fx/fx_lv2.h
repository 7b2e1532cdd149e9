/* mixdown — hosting LV2 plugins (lilv) as inserts: `{ type: lv2, uri: ..., params: {...}, state: FILE }`.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every installed plugin that is used becomes its own processor class, made on
 * first use from the plugin's Turtle description and kept for the life of the
 * process (so ins->cls of an LV2 insert points at it like at a built-in class):
 *   - control input ports -> parameters named by the port symbol (NUMBER with
 *     the port's range and default; lv2:integer -> integer NUMBER, lv2:toggled
 *     -> BOOL, lv2:enumeration -> ENUM whose choices are the scale-point labels),
 *     units from the units extension (dB, Hz, ms, s, %);
 *   - one FILE parameter "state" (the plugin's state file, LV2 state extension);
 *   - control output ports -> meter readings named by their symbol (fx/meter.h);
 *     the lv2:reportsLatency output is the insert's latency for PDC.
 * Such classes are not in the registry (mxd_fx_class_find("lv2") is NULL): the
 * session parser asks for them by URI; their `params_map` is "params", so their
 * values are written under `params:` in a session.
 *
 * Built without lilv, every function here fails with "this mixdown was built
 * without LV2" (fx_lv2_stub.c).
 *
 * Threads: control thread only (the lilv world and the class cache are guarded
 * by a mutex, so several control threads are safe). Returned classes are never
 * freed.
 */
#ifndef MIXDOWN_FX_LV2_H
#define MIXDOWN_FX_LV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fx/processor.h"

/* The processor class of the plugin `uri`. Loads the installed plugins on first
 * use (LV2_PATH or lilv's default path), checks the plugin's required features
 * and probes it once in a forked child (a plugin that crashes or hangs on
 * instantiate cannot take the process down). NULL with a reason in err:
 * not installed, unsupported features, no audio ports, crashed/hung in the probe. */
const mxd_fx_class *mxd_lv2_class(const char *uri, char *err, size_t err_size);

/* true if cls was made by mxd_lv2_class(). */
bool mxd_lv2_is_class(const mxd_fx_class *cls);

/* The plugin URI of an LV2 class (NULL for other classes). */
const char *mxd_lv2_class_uri(const mxd_fx_class *cls);

/* Read the control-port values stored in the LV2 state file `path` into
 * values[] (slots of cls; ports the state does not name keep their value).
 * Returns 0, or -1 with a reason. */
int mxd_lv2_state_values(const mxd_fx_class *cls, const char *path, double *values, char *err, size_t err_size);

/* `mixdown fx list --lv2`: every installed plugin (URI, name, audio in/out,
 * latency) with its control ports; `info`: one plugin. Return 0, or -1 with a
 * message printed on `err` (unknown URI, built without LV2). */
int mxd_lv2_list(FILE *out, FILE *err);
int mxd_lv2_info(const char *uri, FILE *out, FILE *err);

#endif
