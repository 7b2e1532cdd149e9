/* mixdown — freeing the session model.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>

#include "session/model.h"

static void strip_free(mxd_strip *st)
{
	free(st->name);
	free(st->color);
	free(st->group);
	for (size_t i = 0; i < st->n_clips; i++) {
		free(st->clips[i].file);
		free(st->clips[i].file_written);
	}
	free(st->clips);
	for (size_t i = 0; i < st->n_takes; i++) {
		free(st->takes[i].name);
		free(st->takes[i].file);
		free(st->takes[i].file_written);
	}
	free(st->takes);
	free(st->comp);
	free(st->output);
	for (size_t i = 0; i < st->n_inserts; i++) {
		mxd_insert *ins = &st->inserts[i];
		for (size_t k = 0; ins->files && k < ins->cls->n_slots; k++)
			free(ins->files[k]);
		free(ins->files);
		free(ins->values);
		free(ins->id);
		free(ins->sidechain);
	}
	free(st->inserts);
	for (size_t i = 0; i < st->n_lanes; i++) {
		free(st->lanes[i].path);
		free(st->lanes[i].points);
		free(st->lanes[i].follow.source);
	}
	free(st->lanes);
	for (size_t i = 0; i < st->n_sends; i++)
		free(st->sends[i].to);
	free(st->sends);
}

void mxd_session_free(mxd_session *s)
{
	if (!s)
		return;
	free(s->path);
	free(s->dir);
	free(s->tempo);
	for (size_t i = 0; i < s->n_tracks; i++)
		strip_free(&s->tracks[i]);
	free(s->tracks);
	for (size_t i = 0; i < s->n_buses; i++)
		strip_free(&s->buses[i]);
	free(s->buses);
	strip_free(&s->master);
	free(s->export_file);
	free(s->export_downmix);
	free(s->hrtf_file);
	free(s->master_preset);
	free(s);
}
