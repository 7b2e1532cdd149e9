/* mixdown — one insert on a strip (see insert_slot.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/insert_slot.h"

#define MIX_SMOOTH_MS 20.0

static float *alloc_buf(uint32_t n)
{
	return calloc(n ? n : 1, sizeof(float));
}

int mxd_insert_slot_init(mxd_insert_slot *slot, const mxd_insert *ins, double rate, uint32_t max_block,
			 uint32_t strip_ch, bool mix_moves, char *why, size_t why_size)
{
	memset(slot, 0, sizeof *slot);
	slot->ins = ins;
	slot->strip_ch = strip_ch;
	slot->mode = ins->channels;
	if (strip_ch == 1 && slot->mode != MXD_INSERT_SIDE)
		slot->mode = MXD_INSERT_ALL;
	if (strip_ch == 1 && slot->mode == MXD_INSERT_SIDE)
		return 0; /* a mono signal has no side: nothing to process */
	slot->fx_ch = slot->mode == MXD_INSERT_ALL ? strip_ch : 1;
	slot->fx = mxd_fx_instantiate_files(ins->cls, ins->values, ins->files, rate, max_block, slot->fx_ch, why,
					    why_size);
	if (!slot->fx)
		return -1;
	slot->latency = slot->fx->cls->latency ? slot->fx->cls->latency(slot->fx) : 0;
	mxd_smooth_init(&slot->mix, rate, MIX_SMOOTH_MS, ins->bypass ? 0.0 : ins->mix);
	slot->keep_dry = slot->mode != MXD_INSERT_ALL || ins->mix < 1.0 || mix_moves;
	bool ok = true;
	for (uint32_t c = 0; slot->keep_dry && c < strip_ch; c++) {
		ok = ok && (slot->dry[c] = alloc_buf(max_block)) != NULL;
		ok = ok && (!slot->latency || mxd_delay_alloc(&slot->dry_line[c], slot->latency) == 0);
	}
	if (slot->mode != MXD_INSERT_ALL)
		ok = ok && (slot->work[0] = alloc_buf(max_block)) != NULL;
	for (uint32_t c = 0; ins->sidechain && c < slot->fx_ch; c++)
		ok = ok && (slot->key[c] = alloc_buf(max_block)) != NULL;
	if (!ok) {
		snprintf(why, why_size, "out of memory");
		mxd_insert_slot_free(slot);
		return -1;
	}
	return 0;
}

void mxd_insert_slot_free(mxd_insert_slot *slot)
{
	if (slot->fx)
		slot->fx->cls->destroy(slot->fx);
	for (uint32_t c = 0; c < MXD_MAX_CHANNELS; c++) {
		free(slot->dry[c]);
		free(slot->work[c]);
		free(slot->key[c]);
		mxd_delay_free(&slot->dry_line[c]);
	}
	memset(slot, 0, sizeof *slot);
}

static uint64_t scrub(float *x, uint32_t n)
{
	uint64_t bad = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!isfinite(x[i])) {
			x[i] = 0.0f;
			bad++;
		}
	return bad;
}

/* The key signal in the processor's channel layout. */
static void map_key(mxd_insert_slot *slot, const float *const *key, uint32_t key_ch, uint32_t n)
{
	if (slot->fx_ch == 1 && key_ch > 1) {
		for (uint32_t i = 0; i < n; i++) {
			float sum = 0.0f;
			for (uint32_t c = 0; c < key_ch; c++)
				sum += key[c][i];
			slot->key[0][i] = sum / (float)key_ch;
		}
		return;
	}
	for (uint32_t c = 0; c < slot->fx_ch; c++)
		memcpy(slot->key[c], key[c % key_ch], n * sizeof(float));
}

/* The part of the stereo signal the processor sees, from L and R. */
static inline float part_of(mxd_insert_channels mode, float l, float r)
{
	switch (mode) {
	case MXD_INSERT_MID: return (l + r) * 0.5f;
	case MXD_INSERT_SIDE: return (l - r) * 0.5f;
	case MXD_INSERT_RIGHT: return r;
	default: return l;
	}
}

/* io = dry + mix * (processed - dry), channel by channel (mode ALL). */
static void blend_all(mxd_insert_slot *slot, float *const *io, uint32_t n)
{
	for (uint32_t c = 0; c < slot->strip_ch; c++)
		for (uint32_t i = 0; i < n; i++) {
			float m = (float)mxd_smooth_at(&slot->mix, i);
			io[c][i] = slot->dry[c][i] + m * (io[c][i] - slot->dry[c][i]);
		}
}

/* Add the processed part's change back to the delayed L/R (modes other than ALL). */
static void recombine(mxd_insert_slot *slot, float *const *io, uint32_t n)
{
	float *l = slot->dry[0], *r = slot->dry[1];
	const float *w = slot->work[0];
	for (uint32_t i = 0; i < n; i++) {
		float m = (float)mxd_smooth_at(&slot->mix, i);
		float d = m * (w[i] - part_of(slot->mode, l[i], r[i]));
		switch (slot->mode) {
		case MXD_INSERT_MID: io[0][i] = l[i] + d, io[1][i] = r[i] + d; break;
		case MXD_INSERT_SIDE: io[0][i] = l[i] + d, io[1][i] = r[i] - d; break;
		case MXD_INSERT_LEFT: io[0][i] = l[i] + d, io[1][i] = r[i]; break;
		case MXD_INSERT_RIGHT: io[0][i] = l[i], io[1][i] = r[i] + d; break;
		default: break;
		}
	}
	for (uint32_t c = 2; c < slot->strip_ch; c++)
		memcpy(io[c], slot->dry[c], n * sizeof(float));
}

void mxd_insert_slot_run(mxd_insert_slot *slot, float *const *io, const float *const *key, uint32_t key_ch,
			 uint32_t n)
{
	if (!slot->fx || n == 0)
		return;
	for (uint32_t c = 0; c < slot->strip_ch; c++)
		slot->nonfinite += scrub(io[c], n);
	for (uint32_t c = 0; slot->keep_dry && c < slot->strip_ch; c++) {
		memcpy(slot->dry[c], io[c], n * sizeof(float));
		if (slot->latency)
			mxd_delay_process(&slot->dry_line[c], slot->dry[c], n, slot->latency);
	}
	float *const *w = io;
	if (slot->mode != MXD_INSERT_ALL) {
		const float *l = io[0], *r = io[slot->strip_ch > 1 ? 1 : 0];
		for (uint32_t i = 0; i < n; i++)
			slot->work[0][i] = part_of(slot->mode, l[i], r[i]);
		w = slot->work;
	}
	const float *const *k = NULL;
	if (key && slot->key[0]) {
		map_key(slot, key, key_ch, n);
		k = (const float *const *)slot->key;
	}
	slot->fx->cls->run(slot->fx, w, k, n);

	/* A processor that produced NaN/Inf is reset; the block falls back to the
	 * dry signal where there is one, silence otherwise. */
	uint64_t bad = 0;
	for (uint32_t c = 0; c < slot->fx_ch; c++)
		bad += scrub(w[c], n);
	if (bad) {
		slot->nonfinite += bad;
		slot->fx->cls->reset(slot->fx);
		for (uint32_t c = 0; c < slot->fx_ch; c++) {
			if (slot->mode == MXD_INSERT_ALL && slot->keep_dry)
				memcpy(w[c], slot->dry[c], n * sizeof(float));
			else if (slot->mode == MXD_INSERT_ALL)
				memset(w[c], 0, n * sizeof(float));
			else
				for (uint32_t i = 0; i < n; i++)
					w[c][i] = part_of(slot->mode, slot->dry[0][i], slot->dry[slot->strip_ch > 1][i]);
		}
	}

	if (slot->mode != MXD_INSERT_ALL)
		recombine(slot, io, n);
	else if (slot->keep_dry && !(mxd_smooth_settled(&slot->mix) && slot->mix.cur == 1.0))
		blend_all(slot, io, n);
	mxd_smooth_advance(&slot->mix, n);
}
