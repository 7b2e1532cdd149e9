/* mixdown — the vectorscope (stereo-image density) of a streamed file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every frame of channels 0 and 1 (L, R) is a point (S, M) with side
 * S = (L-R)/2 and mid M = (L+R)/2, in full-scale units (-1..1 for samples
 * within full scale). The finished analysis holds a MIXDOWN_SCOPE^2 histogram
 * of those points scaled to the file: its half-width is the smallest power of
 * two 2^-K (K = 0..MXD_SCOPE_LEVELS-1) at or above the largest |M| or |S|.
 *
 * Because that peak is only known at the end, each point is counted once, in
 * the grid of the finest scale 2^-k that still holds it (max(|S|, |M|) <=
 * 2^-k; beyond full scale: clamped into the k = 0 grid), at cell
 * floor(24 + v * 24 * 2^k) per axis for MIXDOWN_SCOPE = 48. Finish folds the
 * grids k >= K into the grid of the file's scale K: a cell c at level k lies
 * in cell 24 + floor((c - 24) / 2^(k-K)) at level K, exactly, because the
 * scales are powers of two (floor(floor(w) / d) = floor(w / d) for whole d).
 * The stored grids are one cell wider (0..48): v = +2^-k exactly falls in
 * cell 48 and folds into the right coarser cell; only the kept grid clamps
 * it to 47. Cell layout and row order: mixdown_analysis.vectorscope in
 * mixdown/mixdown.h. Frames with L = R = 0 (digital silence) are not
 * counted: they carry no image and would pile up in one cell.
 *
 * Cost: one comparison per octave of level below full scale, one increment
 * per frame. Memory: MXD_SCOPE_LEVELS x 49^2 + 48^2 uint32 (84 KB) per stereo
 * analyzer, allocated on its first frames; if that fails the file just gets
 * no vectorscope (NULL). finish shrinks the block to the kept grid and hands
 * it to the mixdown_analysis. One thread per analyzer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define N MIXDOWN_SCOPE
#define HALF (N / 2)
#define W (N + 1) /* stored grids: cells 0..N */
#define CELLS ((size_t)N * N)
#define STORED ((size_t)MXD_SCOPE_LEVELS * W * W)

/* Stored cell of u = v * HALF / scale, 0..N (clamped; also for NaN). */
static inline int cell(double u)
{
	u += HALF;
	if (!(u >= 0))
		return 0;
	return u >= N ? N : (int)u;
}

void mxd_scope_add(mxd_scope *s, const float *x, size_t frames, uint32_t channels)
{
	if (channels < 2 || s->failed || frames == 0)
		return;
	if (!s->grid) {
		s->grid = calloc(STORED + CELLS, sizeof *s->grid); /* the grids, then room for the result */
		if (!s->grid) {
			s->failed = true;
			return;
		}
	}
	/* Level k: scale 2^-k, cells per full-scale unit HALF * 2^k. */
	static const double scale[MXD_SCOPE_LEVELS] = { 1, 0x1p-1, 0x1p-2, 0x1p-3, 0x1p-4, 0x1p-5, 0x1p-6, 0x1p-7 };
	static const double gain[MXD_SCOPE_LEVELS] = { HALF, HALF * 0x1p1, HALF * 0x1p2, HALF * 0x1p3,
						       HALF * 0x1p4, HALF * 0x1p5, HALF * 0x1p6, HALF * 0x1p7 };
	_Static_assert(MXD_SCOPE_LEVELS == 8, "one table entry per level");
	double peak = s->peak;
	for (size_t i = 0; i < frames; i++) {
		const double l = x[i * channels], r = x[i * channels + 1];
		if (l == 0 && r == 0)
			continue;
		const double side = 0.5 * (l - r), mid = 0.5 * (l + r);
		const double as = fabs(side), am = fabs(mid), m = as > am ? as : am;
		if (!(m < INFINITY)) /* NaN/Inf: the feeder should have removed them */
			continue;
		if (m > peak)
			peak = m;
		/* The finest level whose scale still holds m. */
		int k = 0;
		while (k + 1 < MXD_SCOPE_LEVELS && m <= scale[k + 1])
			k++;
		s->grid[(size_t)k * W * W + (size_t)cell(mid * gain[k]) * W + (size_t)cell(side * gain[k])]++;
	}
	s->peak = peak;
}

/* floor(a / 2^d) for a possibly negative a. */
static inline int floor_shift(int a, int d)
{
	return a >= 0 ? a >> d : -((-a + (1 << d) - 1) >> d);
}

void mxd_scope_finish(mxd_scope *s, mixdown_analysis *a)
{
	a->vectorscope = NULL;
	a->vectorscope_scale = 1.0;
	if (!s->grid)
		return;
	/* The file's level K: the same rule as for a point, applied to the peak. */
	int K = 0;
	double scale = 1.0;
	while (s->peak > 0 && K + 1 < MXD_SCOPE_LEVELS && s->peak <= 0.5 * scale) {
		K++;
		scale *= 0.5;
	}
	uint32_t *out = s->grid + STORED;
	for (int k = K; k < MXD_SCOPE_LEVELS; k++) {
		const uint32_t *g = s->grid + (size_t)k * W * W;
		for (int y = 0; y < W; y++)
			for (int x = 0; x < W; x++) {
				const uint32_t c = g[y * W + x];
				if (!c)
					continue;
				int X = HALF + floor_shift(x - HALF, k - K), Y = HALF + floor_shift(y - HALF, k - K);
				X = X > N - 1 ? N - 1 : X;
				Y = Y > N - 1 ? N - 1 : Y;
				out[(size_t)Y * N + (size_t)X] += c;
			}
	}
	memmove(s->grid, out, CELLS * sizeof *s->grid);
	uint32_t *kept = realloc(s->grid, CELLS * sizeof *s->grid);
	a->vectorscope = kept ? kept : s->grid; /* a failed shrink leaves the larger block valid */
	a->vectorscope_scale = scale;
	s->grid = NULL;
}

void mxd_scope_free(mxd_scope *s)
{
	free(s->grid);
	memset(s, 0, sizeof *s);
}

void mxd_json_vectorscope(FILE *f, const mixdown_analysis *a)
{
	if (!a->vectorscope) {
		fputs("      \"vectorscope\": null,\n", f);
		return;
	}
	fprintf(f, "      \"vectorscope\": {\"size\": %d, ", N);
	mxd_json_key_num(f, "scale", a->vectorscope_scale, ", \"counts\": [");
	for (size_t i = 0; i < CELLS; i++) {
		if (i)
			fputs(i % N ? ", " : ",\n        ", f);
		else
			fputs("\n        ", f);
		fprintf(f, "%lu", (unsigned long)a->vectorscope[i]);
	}
	fputs("]},\n", f);
}
