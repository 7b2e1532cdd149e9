/* mixdown — the console server's access checks (auth.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "auth.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

bool auth_new_token(char *token)
{
	unsigned char r[AUTH_TOKEN_LEN / 2];
	size_t got = 0;
	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(token + 2 * i, 3, "%02x", r[i]);
	return true;
}

bool auth_token_equal(const char *a, const char *token)
{
	if (!a)
		return false;
	size_t n = strlen(token);
	/* Every byte of the token is looked at whatever a holds; the length
	 * difference is folded in rather than returned early. */
	uint8_t diff = (uint8_t)(strlen(a) != n);
	size_t la = strlen(a);
	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)((i < la ? (uint8_t)a[i] : 0) ^ (uint8_t)token[i]);
	return diff == 0;
}

bool auth_is_loopback(const char *addr)
{
	return !strcmp(addr, "localhost") || !strcmp(addr, "::1") || !strncmp(addr, "127.", 4);
}

bool auth_origin_ok(const char *origin, const char *host)
{
	if (!origin)
		return true;
	if (!host || strncasecmp(origin, "http://", 7))
		return false;
	return !strcasecmp(origin + 7, host);
}

bool auth_cookie_value(const char *cookie, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);
	for (const char *p = cookie; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			size_t v = len - n - 1;
			if (v >= cap)
				return false;
			memcpy(out, p + n + 1, v);
			out[v] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}
