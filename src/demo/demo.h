/* mixdown — `mixdown demo`: a deterministic synthesized multitrack song.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The demo writes a set of dry stems (48 kHz, 24-bit PCM WAV) plus a session
 * file that mixes them, so a new user can try the engine without any audio of
 * their own. Everything is synthesized from code: no sample data, no rand().
 */
#ifndef MIXDOWN_DEMO_DEMO_H
#define MIXDOWN_DEMO_DEMO_H

#include <stddef.h>

/* Synthesize the demo song's stems into `dir` (created if missing) as 48 kHz 24-bit WAV files
 * and write `dir/session.yaml` referencing them. Deterministic: identical bytes on every run.
 * Returns 0 on success, -1 on failure with a message in errbuf. Control thread only. */
int mxd_demo_write(const char *dir, char *errbuf, size_t errsize);

#endif
