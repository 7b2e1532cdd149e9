/* mixdown — the console's message protocol (docs/console.md): JSON text
 * frames over the WebSocket. The server sends "session" (the strips and their
 * live values; again after every reload), "meters" (about 30 per second),
 * "changed" (to every client when anyone changed a value), "saved",
 * "reload_error" and "error" (to one client: its message was refused). The
 * client sends "set", "transport" and "save" (protocol.c reads them with
 * json_read.h and acts through the player API).
 * Called on the server's event-loop thread only (the player's control
 * thread); builders allocate their text with malloc.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SERVE_PROTOCOL_H
#define MIXDOWN_SERVE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#include "mixdown/mixdown.h"

#define PROTO_MAX_MESSAGE 4096 /* bytes; larger client messages are refused */

/* A growing text buffer with `pre` bytes reserved in front (the WebSocket
 * library writes its frame header there). oom: an allocation failed and the
 * text is incomplete. */
typedef struct {
	char *mem;
	size_t pre, len, cap;
	bool oom;
} sbuf;

void sb_init(sbuf *b, size_t pre);
void sb_free(sbuf *b);
char *sb_text(sbuf *b); /* the text after the reserved bytes (NUL-terminated) */
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_jstr(sbuf *b, const char *s);  /* a JSON string literal with escapes */
void sb_jnum(sbuf *b, double v);       /* a number, or null when not finite */

/* A value set live that the player has no getter for (sends, insert
 * parameters): new clients receive them with the session message. */
typedef struct {
	char strip[64], param[128];
	double value;
} proto_override;

#define PROTO_MAX_OVERRIDES 512

typedef struct {
	mixdown_player *p;
	const mixdown_session *s;
	const char *path;   /* the session file: save writes here */
	bool watching;      /* the player follows edits of path (a save comes back as a reload) */
	char *details;      /* mixdown_session_strips_json() of the playing version; owned */
	proto_override ov[PROTO_MAX_OVERRIDES];
	size_t n_ov;
	/* Every value set since the last save, and whether that save's own
	 * reload (the watched file changed) is still to come: changes made while
	 * it was on its way would otherwise be undone by it. */
	proto_override since_save[PROTO_MAX_OVERRIDES];
	size_t n_since_save;
	bool saved_reload_due;
} proto_ctx;

/* After a reload: the description of the file's new version, no overrides;
 * when the reload is the one our save caused, the values set since are set
 * again (they are newer than the file). */
void proto_refresh(proto_ctx *c);

void proto_session(const proto_ctx *c, sbuf *b);
/* t: seconds since the server started. */
void proto_meters(const proto_ctx *c, double t, sbuf *b);
/* "17:3" for the timeline position t s on the session's tempo map; false
 * when the session has no tempo. */
bool proto_bar_beat(const mixdown_session *s, double t, int *bar, int *beat);

/* Act on one client message (text of len bytes) from client `id`: reply
 * receives a message for the sender only (an error), broadcast one for every
 * client (a change); either may stay empty. Never touches playback on
 * malformed input. */
void proto_handle(proto_ctx *c, const char *text, size_t len, int id, sbuf *reply, sbuf *broadcast);

#endif
