/* mixdown — changing values in a session file's text without disturbing the
 * rest of it (live changes written back: `mixdown play --save-on-exit`, the
 * web console). SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A change names one scalar by a path and gives its new text. The result is
 * the input with exactly those scalars replaced where they are written (byte
 * ranges from libyaml's event marks; the quoting style is kept) and missing
 * keys added as new lines; comments, blank lines, key order, anchors and
 * everything else stay byte for byte.
 *
 * Paths: segments joined by '.', each a mapping key, optionally followed by
 * selectors on a sequence: `[N]` (0-based item) or `[KEY=VALUE]` (the item
 * whose KEY is VALUE; VALUE runs to the first ']' that ends the segment):
 *   tracks[name=Lead Vocal].gain        buses[name=Verb].mute
 *   tracks[name=Gtr].sends[0].level     tracks[name=Gtr].sends[to=Plate].level
 *   tracks[name=Vox].inserts[1].bands[2].gain   master.gain
 * Only the last key may be missing (or, with plain keys after it, a missing
 * mapping such as `master:`): in a block mapping it becomes a new line
 * indented like its siblings, right after the line of the mapping's `name:`
 * (else of its first one-line pair; at the end of the file for the top
 * level); in a flow mapping it is appended before the `}`. Refused, with
 * file:line:column and the path: YAML errors, paths that name nothing or a
 * collection, a missing sequence item, values shared through an anchor that
 * an alias uses elsewhere, block scalars. A value that is itself an alias
 * (`gain: *g`) is replaced by the new value (only that use changes).
 *
 * Values are written as given when they are safe plain YAML (numbers, words,
 * -inf); otherwise double-quoted. Any thread; no global state.
 */
#ifndef MIXDOWN_SESSION_SESSION_PATCH_H
#define MIXDOWN_SESSION_SESSION_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "mixdown/mixdown.h"

typedef struct {
	const char *path;  /* see above */
	const char *value; /* the new value as plain text: "-4.5", "true", "-inf", "peak" */
} mxd_patch_change;

/* Apply `n` changes to `text` (len bytes, UTF-8, one YAML document). On
 * success *out is a new NUL-terminated text (free() it) of *out_len bytes.
 * Errors: MIXDOWN_ERR_SESSION (err names `name`:line:column and the change's
 * path), MIXDOWN_ERR_NOMEM. `name` is the file name for messages. */
mixdown_status mxd_session_patch(const char *text, size_t len, const char *name, const mxd_patch_change *changes,
				 size_t n, char **out, size_t *out_len, mixdown_error *err);

/* Read `path`, patch it and write it back (a temporary file next to it,
 * renamed into place; the file is untouched on any error). MIXDOWN_ERR_IO for
 * reading or writing. Control thread (file I/O). */
mixdown_status mxd_session_patch_file(const char *path, const mxd_patch_change *changes, size_t n,
				      mixdown_error *err);

/* `v` as a session number: the shortest text that reads back as the same
 * float (single precision is what live controls carry). */
void mxd_patch_number(double v, char *buf, size_t size);

/* `mixdown clean`: the list `key` of the mapping at `map_path` (e.g.
 * "tracks[name=Lead]", keys and selectors as above, all present) replaced by
 * `items` (one-line YAML texts, e.g. "{ file: a.wav, at: 1.5 }"), or with
 * `append` the items added after its last one. A missing list is created:
 * in place of the `alt_key` pair when there is one (`file:`, the shorthand
 * that `clips:` replaces; not with append), else as a new key after the
 * mapping's `name:` line. Block lists keep their indentation; flow lists stay
 * flow. Everything outside the replaced list is kept byte for byte (comments
 * between the replaced items go with them). *out as for mxd_session_patch. */
mixdown_status mxd_session_patch_list(const char *text, size_t len, const char *name, const char *map_path,
				      const char *key, const char *alt_key, const char *const *items, size_t n_items,
				      bool append, char **out, size_t *out_len, mixdown_error *err);

#endif
