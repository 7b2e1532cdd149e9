/* mixdown — the console server of `mixdown serve` (docs/console.md): HTTP for
 * the embedded page and a WebSocket for live control and meters, in one
 * libwebsockets event loop run on the calling thread (the player's control
 * thread). Allocates per connection; never touches the audio thread except
 * through the player API.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SERVE_H
#define MIXDOWN_SERVE_H

#include <signal.h>
#include <stdbool.h>

#include "mixdown/mixdown.h"

typedef struct {
	const char *bind; /* IPv4/IPv6 address; NULL = "127.0.0.1" */
	int port;         /* TCP port; 0 = any free one */
	const char *session_path;
	bool watching;    /* the player was opened with watch_path = session_path */
} serve_options;

/* Serve until *stop becomes non-zero. Prints the page's URL (with the token
 * when the bind address is not loopback) on stdout once listening.
 * 0 on a clean stop; 1 when the server cannot start (message on stderr). */
int serve_run(mixdown_player *p, const mixdown_session *s, const serve_options *opt, volatile sig_atomic_t *stop);

#endif
