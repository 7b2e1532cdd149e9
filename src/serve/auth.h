/* mixdown — access checks of the console server: the session token (128
 * random bits from getrandom(2), 32 hex digits), constant-time comparison,
 * whether a bind address is loopback-only, and the WebSocket Origin check
 * (RFC 6455 section 10.2: a browser names the page's origin; it must be the
 * host the page was served from). No allocation; any thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SERVE_AUTH_H
#define MIXDOWN_SERVE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_TOKEN_LEN 32 /* hex digits */

/* Fill token[AUTH_TOKEN_LEN + 1]; false when the kernel gives no randomness. */
bool auth_new_token(char *token);
/* a == token, in time independent of where they differ; a may be NULL. */
bool auth_token_equal(const char *a, const char *token);
/* The IPv4/IPv6 literal or name is 127.0.0.0/8, ::1 or "localhost". */
bool auth_is_loopback(const char *addr);
/* Origin (NULL when the client sent none: not a browser) against Host: the
 * origin must be http://<host> exactly (case-insensitive). */
bool auth_origin_ok(const char *origin, const char *host);
/* The value of `name` in a Cookie header ("a=1; token=..."), copied to out. */
bool auth_cookie_value(const char *cookie, const char *name, char *out, size_t cap);

#endif
