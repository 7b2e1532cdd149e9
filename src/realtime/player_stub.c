/* mixdown — mixdown_player_* in builds without JACK/liblo: open fails with
 * MIXDOWN_ERR_USAGE, the rest are unreachable no-ops.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>

#include "mixdown/mixdown.h"
#include "session/model.h"

mixdown_player_options mixdown_player_options_init(void)
{
	return (mixdown_player_options){ .threads = 1 };
}

mixdown_status mixdown_player_open(const mixdown_session *session, const mixdown_player_options *opt,
				   mixdown_player **out, mixdown_error *err)
{
	(void)session;
	(void)opt;
	*out = NULL;
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL,
			"this mixdown was built without JACK and liblo: no real-time playback");
}

void mixdown_player_close(mixdown_player *p) { (void)p; }
void mixdown_player_play(mixdown_player *p) { (void)p; }
void mixdown_player_stop(mixdown_player *p) { (void)p; }
void mixdown_player_locate(mixdown_player *p, double seconds) { (void)p; (void)seconds; }
void mixdown_player_loop(mixdown_player *p, double start_s, double end_s) { (void)p; (void)start_s; (void)end_s; }

bool mixdown_player_locate_bars(mixdown_player *p, const char *pos)
{
	(void)p;
	(void)pos;
	return false;
}

bool mixdown_player_set(mixdown_player *p, const char *strip, const char *param, double value)
{
	(void)p;
	(void)strip;
	(void)param;
	(void)value;
	return false;
}

mixdown_status mixdown_player_control(mixdown_player *p, const char *strip, const char *param, double value,
				      mixdown_error *err)
{
	(void)p;
	(void)strip;
	(void)param;
	(void)value;
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no real-time playback in this build");
}

mixdown_status mixdown_player_save(mixdown_player *p, const char *path, mixdown_error *err)
{
	(void)p;
	(void)path;
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no real-time playback in this build");
}

void mixdown_player_get_status(mixdown_player *p, mixdown_player_status *st)
{
	(void)p;
	memset(st, 0, sizeof *st);
	st->peak_dbfs = -INFINITY;
}

mixdown_status mixdown_player_reload(mixdown_player *p, const char *path, mixdown_error *err)
{
	(void)p;
	(void)path;
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){ 0, 0 }, NULL, "no real-time playback in this build");
}

size_t mixdown_player_strips(mixdown_player *p, mixdown_strip_state *out, size_t max)
{
	(void)p;
	(void)out;
	(void)max;
	return 0;
}

size_t mixdown_player_meters(mixdown_player *p, mixdown_strip_meter *out, size_t max)
{
	(void)p;
	(void)out;
	(void)max;
	return 0;
}
