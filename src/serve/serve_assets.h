/* mixdown — the console page's files, embedded at build time (embed.py writes
 * serve_assets.c from src/serve/assets). Read-only static data; any thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SERVE_ASSETS_H
#define MIXDOWN_SERVE_ASSETS_H

#include <stddef.h>

typedef struct {
	const char *path; /* URL path: "/" for index.html, "/app.js", ... */
	const char *mime;
	const unsigned char *data;
	size_t len;
} serve_asset;

/* Terminated by an entry with path NULL. */
extern const serve_asset serve_assets[];

#endif
