/* mixdown — the console's HTTP + WebSocket server on libwebsockets (serve.h).
 * One protocol callback serves GET of the embedded assets (serve_assets.h)
 * and the /ws WebSocket: each client gets the "session" message on connect,
 * a "meters" frame every 33 ms (30 per second; a slow client skips frames
 * instead of queueing them), and every "changed" broadcast (protocol.h).
 * Access: a token when bound beyond loopback (auth.h), the Origin of
 * WebSocket upgrades. A client message over 4 KiB or malformed gets an error
 * frame and changes nothing. Event-loop thread only (lws is single-threaded
 * here); the player API is called from that thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "serve.h"

#include <libwebsockets.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "protocol.h"
#include "serve_assets.h"

#define QUEUE_MAX 256      /* frames waiting for a client; beyond it the client is closed */
#define METER_US 33333     /* 30 meter frames a second */
#define HTTP_CHUNK 16384

typedef struct conn {
	/* HTTP */
	const serve_asset *asset;
	size_t sent;
	/* WebSocket */
	bool ws;
	int id;
	char *q[QUEUE_MAX];
	size_t qlen[QUEUE_MAX];
	int qh, qn;
	unsigned meter_seq;      /* the meters frame this client was sent last */
	char rx[PROTO_MAX_MESSAGE + 1];
	size_t rxn;
	bool rx_over, rx_binary;
	bool overflow;           /* its queue overflowed: closed at the next chance */
	struct conn *next;
} conn;

typedef struct {
	struct lws_context *ctx;
	const struct lws_protocols *proto; /* ours, as the vhost holds it */
	proto_ctx pc;
	bool need_token;
	char token[AUTH_TOKEN_LEN + 1];
	conn *clients;
	int next_id;
	sbuf meters;             /* the latest meters frame */
	unsigned meter_seq;
	lws_sorted_usec_list_t sul;
	double t0;
	uint64_t reloads;
	char reload_error[512];
} server;

static server srv;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Queue a copy of text (len bytes) for c; false when its queue is full. */
static bool enqueue(conn *c, const char *text, size_t len)
{
	char *m = c->qn < QUEUE_MAX ? malloc(LWS_PRE + len + 1) : NULL;
	if (!m) { /* it would miss a change: close it; the page reconnects and starts afresh */
		c->overflow = true;
		return false;
	}
	memcpy(m + LWS_PRE, text, len);
	int k = (c->qh + c->qn) % QUEUE_MAX;
	c->q[k] = m;
	c->qlen[k] = len;
	c->qn++;
	return true;
}

static void wake_all(void)
{
	if (srv.proto)
		lws_callback_on_writable_all_protocol(srv.ctx, srv.proto);
}

static void send_to(conn *c, sbuf *b, struct lws *wsi)
{
	char *t = sb_text(b);
	if (!t || !b->len)
		return;
	enqueue(c, t, b->len);
	lws_callback_on_writable(wsi);
}

static void broadcast(sbuf *b)
{
	char *t = sb_text(b);
	if (!t || !b->len)
		return;
	for (conn *c = srv.clients; c; c = c->next)
		enqueue(c, t, b->len);
	wake_all();
}

static void broadcast_session(void)
{
	sbuf b;
	sb_init(&b, 0);
	proto_session(&srv.pc, &b);
	broadcast(&b);
	sb_free(&b);
}

/* Every 33 ms: a meters frame for all, and the reload state. */
static void tick(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	srv.meters.len = 0;
	srv.meters.oom = false;
	proto_meters(&srv.pc, now_s() - srv.t0, &srv.meters);
	if (!srv.meters.oom)
		srv.meter_seq++;
	mixdown_player_status ps;
	mixdown_player_get_status(srv.pc.p, &ps);
	if (ps.reloads != srv.reloads) {
		srv.reloads = ps.reloads;
		proto_refresh(&srv.pc);
		broadcast_session();
	}
	if (strcmp(ps.reload_error, srv.reload_error)) {
		snprintf(srv.reload_error, sizeof srv.reload_error, "%s", ps.reload_error);
		if (ps.reload_error[0]) {
			sbuf b;
			sb_init(&b, 0);
			sb_printf(&b, "{\"type\":\"reload_error\",\"message\":");
			sb_jstr(&b, ps.reload_error);
			sb_printf(&b, "}");
			broadcast(&b);
			sb_free(&b);
		}
	}
	wake_all();
	lws_sul_schedule(srv.ctx, 0, &srv.sul, tick, METER_US);
}

/* The token from ?token= or the cookie; true when none is needed. */
static bool authorised(struct lws *wsi)
{
	if (!srv.need_token)
		return true;
	char buf[128], cookie[1024];
	const char *t = lws_get_urlarg_by_name(wsi, "token=", buf, sizeof buf);
	if (t && auth_token_equal(t, srv.token))
		return true;
	char v[64];
	return lws_hdr_copy(wsi, cookie, sizeof cookie, WSI_TOKEN_HTTP_COOKIE) > 0 &&
	       auth_cookie_value(cookie, "mixdown_token", v, sizeof v) && auth_token_equal(v, srv.token);
}

static int http_request(struct lws *wsi, conn *c, const char *uri)
{
	if (!authorised(wsi))
		return lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, "a token is needed: use the URL printed at start")
			       ? -1 : lws_http_transaction_completed(wsi);
	const serve_asset *a = serve_assets;
	for (; a->path && strcmp(a->path, uri); a++)
		;
	if (!a->path) {
		if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL))
			return -1;
		return lws_http_transaction_completed(wsi);
	}
	unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr - 1;
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, a->mime, a->len, &p, end))
		return 1;
	static const char csp[] = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:";
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:", (const unsigned char *)"no-store",
					8, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"content-security-policy:",
					(const unsigned char *)csp, (int)strlen(csp), &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
					(const unsigned char *)"nosniff", 7, &p, end))
		return 1;
	if (srv.need_token) { /* the page's own requests then need no ?token= */
		char ck[128];
		int n = snprintf(ck, sizeof ck, "mixdown_token=%s; Path=/; SameSite=Strict; HttpOnly", srv.token);
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"set-cookie:", (const unsigned char *)ck, n,
						&p, end))
			return 1;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return 1;
	c->asset = a;
	c->sent = 0;
	lws_callback_on_writable(wsi);
	return 0;
}

static int http_write(struct lws *wsi, conn *c)
{
	static unsigned char buf[LWS_PRE + HTTP_CHUNK];
	if (!c->asset)
		return 0;
	size_t n = c->asset->len - c->sent;
	n = n > HTTP_CHUNK ? HTTP_CHUNK : n;
	bool last = c->sent + n >= c->asset->len;
	memcpy(buf + LWS_PRE, c->asset->data + c->sent, n);
	if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
		return 1;
	c->sent += n;
	if (!last) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	c->asset = NULL;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* The upgrade's path, token and Origin; non-zero refuses it. */
static int ws_filter(struct lws *wsi)
{
	char uri[256] = "", origin[256], host[256];
	lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI);
	if (strcmp(uri, "/ws"))
		return 1;
	if (!authorised(wsi))
		return 1;
	bool has_origin = lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) > 0;
	if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0)
		host[0] = '\0';
	if (!auth_origin_ok(has_origin ? origin : NULL, host)) {
		lwsl_user("console: refused a WebSocket from origin %s (host %s)\n", origin, host);
		return 1;
	}
	return 0;
}

static void ws_receive(struct lws *wsi, conn *c, const char *in, size_t len)
{
	if (lws_is_first_fragment(wsi)) {
		c->rxn = 0;
		c->rx_over = false;
		c->rx_binary = lws_frame_is_binary(wsi);
	}
	if (c->rxn + len > PROTO_MAX_MESSAGE)
		c->rx_over = true;
	else {
		memcpy(c->rx + c->rxn, in, len);
		c->rxn += len;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return;
	sbuf reply, bc;
	sb_init(&reply, 0);
	sb_init(&bc, 0);
	if (c->rx_over)
		sb_printf(&reply, "{\"type\":\"error\",\"message\":\"message too large (the limit is 4096 bytes)\"}");
	else if (c->rx_binary)
		sb_printf(&reply, "{\"type\":\"error\",\"message\":\"binary frames are not accepted\"}");
	else
		proto_handle(&srv.pc, c->rx, c->rxn, c->id, &reply, &bc);
	send_to(c, &reply, wsi);
	if (bc.len) {
		char *t = sb_text(&bc);
		if (t)
			for (conn *o = srv.clients; o; o = o->next)
				enqueue(o, t, bc.len);
		wake_all();
	}
	sb_free(&reply);
	sb_free(&bc);
	c->rxn = 0;
	c->rx_over = false;
}

static int ws_write(struct lws *wsi, conn *c)
{
	if (c->overflow)
		return -1;
	if (c->qn) {
		char *m = c->q[c->qh];
		size_t len = c->qlen[c->qh];
		c->qh = (c->qh + 1) % QUEUE_MAX;
		c->qn--;
		int w = lws_write(wsi, (unsigned char *)m + LWS_PRE, len, LWS_WRITE_TEXT);
		free(m);
		if (w < (int)len)
			return -1;
	} else if (c->meter_seq != srv.meter_seq && srv.meters.len) {
		c->meter_seq = srv.meter_seq;
		if (lws_write(wsi, (unsigned char *)srv.meters.mem + LWS_PRE, srv.meters.len, LWS_WRITE_TEXT) <
		    (int)srv.meters.len)
			return -1;
	}
	if (c->qn || c->meter_seq != srv.meter_seq)
		lws_callback_on_writable(wsi);
	return 0;
}

static void ws_closed(conn *c)
{
	for (conn **pp = &srv.clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	while (c->qn) {
		free(c->q[c->qh]);
		c->qh = (c->qh + 1) % QUEUE_MAX;
		c->qn--;
	}
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	conn *c = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http_request(wsi, c, in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_write(wsi, c);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return ws_filter(wsi);
	case LWS_CALLBACK_ESTABLISHED: {
		memset(c, 0, sizeof *c);
		c->ws = true;
		c->id = ++srv.next_id;
		c->next = srv.clients;
		srv.clients = c;
		sbuf b;
		sb_init(&b, 0);
		sb_printf(&b, "{\"type\":\"hello\",\"id\":%d}", c->id);
		send_to(c, &b, wsi);
		b.len = 0;
		proto_session(&srv.pc, &b);
		send_to(c, &b, wsi);
		sb_free(&b);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		ws_receive(wsi, c, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c->ws ? ws_write(wsi, c) : 0;
	case LWS_CALLBACK_CLOSED:
		if (c->ws)
			ws_closed(c);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "mixdown", callback, sizeof(conn), PROTO_MAX_MESSAGE, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

int serve_run(mixdown_player *p, const mixdown_session *s, const serve_options *opt, volatile sig_atomic_t *stop)
{
	memset(&srv, 0, sizeof srv);
	srv.pc.p = p;
	srv.pc.s = s;
	srv.pc.path = opt->session_path;
	srv.pc.watching = opt->watching;
	srv.pc.details = mixdown_session_strips_json(s);
	const char *bind = opt->bind ? opt->bind : "127.0.0.1";
	srv.need_token = !auth_is_loopback(bind);
	if (srv.need_token && !auth_new_token(srv.token)) {
		fprintf(stderr, "mixdown: no random numbers for the access token\n");
		return 1;
	}
	sb_init(&srv.meters, LWS_PRE);
	/* Our own messages say what failed; the library's log would repeat it. */
	lws_set_log_level(getenv("MIXDOWN_SERVE_DEBUG") ? LLL_ERR | LLL_WARN | LLL_USER : 0, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = opt->port;
	info.iface = bind;
	info.protocols = protocols;
	info.vhost_name = "default";
	srv.ctx = lws_create_context(&info);
	if (!srv.ctx) {
		fprintf(stderr, "mixdown: cannot serve on %s port %d (in use, or not an address of this machine)\n", bind,
			opt->port);
		sb_free(&srv.meters);
		free(srv.pc.details);
		return 1;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(srv.ctx, "default");
	srv.proto = vh ? lws_vhost_name_to_protocol(vh, "mixdown") : NULL;
	int port = vh ? lws_get_vhost_listen_port(vh) : opt->port;
	const char *shown = strchr(bind, ':') ? "[::1]" : strcmp(bind, "0.0.0.0") ? bind : "127.0.0.1";
	if (srv.need_token)
		printf("mixdown: console at http://%s:%d/?token=%s\n", shown, port, srv.token);
	else
		printf("mixdown: console at http://%s:%d/\n", shown, port);
	fflush(stdout);
	srv.t0 = now_s();
	mixdown_player_status ps;
	mixdown_player_get_status(p, &ps);
	srv.reloads = ps.reloads;
	snprintf(srv.reload_error, sizeof srv.reload_error, "%s", ps.reload_error);
	lws_sul_schedule(srv.ctx, 0, &srv.sul, tick, METER_US);
	while (!*stop)
		if (lws_service(srv.ctx, 0) < 0)
			break;
	lws_context_destroy(srv.ctx);
	sb_free(&srv.meters);
	free(srv.pc.details);
	return 0;
}
