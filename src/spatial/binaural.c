/* mixdown — streaming binaural renderer (see binaural.h for the method).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Per source, per block of B samples: x = [previous block | current block]
 * (2B samples, the unreceived tail zero), X = FFT_2B(x) into the ring of the
 * last P input spectra (P = ceil(HRIR length / B)); per ear
 * y = last B of IFFT(sum_p X_{t-p} H_p) with H_p the spectra of the HRIR's
 * partitions (scaled by 1/2B, kissfft's inverse being unnormalised). During a
 * direction change a second filter set is evaluated on the same X and the two
 * results are crossfaded. Memory is allocated in new(); process() only does
 * arithmetic and kissfft transforms with preallocated state. */
#include "spatial/binaural.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <kiss_fftr.h>

typedef struct {
	bool direct;
	float direct_gain;
	double az, el, dist;          /* target set by the caller */
	double az0, el0, dist0;       /* value at the start of the current call */
	double f_az, f_el;            /* direction of filter set `cur` */
	bool have_filter;
	kiss_fft_cpx *H[2];           /* two sets: ears x P x bins */
	int cur;
	bool xfade;                   /* this block crossfades set cur -> !cur */
	double d_old[2], d_new[2];    /* set delays, samples (old -> new over the block) */
	double g_old, g_new;          /* distance gain at block start/end */
	double lp_a, lp_y;            /* air absorption one-pole */
	float *x;                     /* 2B */
	kiss_fft_cpx *fdl;            /* P x bins */
	uint32_t head;
	float *dl[2];                 /* delay lines (only when the set has delays), dl_len each */
	uint32_t dl_pos;
} src;

struct mxd_binaural {
	const mxd_hrtf *h;
	uint32_t n, B, N, bins, P, len;
	uint32_t pos;                 /* samples of the current block received */
	bool air;
	bool delays;                  /* the set has non-zero Data.Delay */
	uint32_t dl_len;              /* power of two */
	double rate;
	kiss_fftr_cfg fwd, inv;
	src *s;
	float *ir[2];                 /* lookup scratch, len each */
	float *t;                     /* 2B time scratch */
	kiss_fft_cpx *acc;            /* bins */
	float *y[2];                  /* B per ear, current filter (then mixed) */
	float *win;                   /* B: crossfade weight of the new filter */
};

static const double PI = 3.14159265358979323846;

void mxd_binaural_free(mxd_binaural *b)
{
	if (!b)
		return;
	for (uint32_t k = 0; b->s && k < b->n; k++) {
		src *s = &b->s[k];
		free(s->H[0]);
		free(s->H[1]);
		free(s->x);
		free(s->fdl);
		free(s->dl[0]);
		free(s->dl[1]);
	}
	free(b->s);
	free(b->ir[0]);
	free(b->ir[1]);
	free(b->t);
	free(b->acc);
	free(b->y[0]);
	free(b->y[1]);
	free(b->win);
	kiss_fftr_free(b->fwd);
	kiss_fftr_free(b->inv);
	free(b);
}

uint32_t mxd_binaural_inputs(const mxd_binaural *b) { return b->n; }

static void src_init(mxd_binaural *b, src *s)
{
	s->az0 = s->az;
	s->el0 = s->el;
	s->dist0 = s->dist;
	s->have_filter = false;
	s->xfade = false;
	s->cur = 0;
	s->head = 0;
	s->lp_y = 0.0;
	s->dl_pos = 0;
	memset(s->x, 0, sizeof(float) * b->N);
	memset(s->fdl, 0, sizeof(kiss_fft_cpx) * b->P * b->bins);
	for (int e = 0; e < 2; e++)
		if (s->dl[e])
			memset(s->dl[e], 0, sizeof(float) * b->dl_len);
}

mxd_binaural *mxd_binaural_new(const mxd_hrtf *h, uint32_t n_inputs, uint32_t block)
{
	if (!h || n_inputs == 0 || block < 16 || block > 8192 || (block & 1u))
		return NULL;
	mxd_binaural *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->h = h;
	b->n = n_inputs;
	b->B = block;
	b->N = 2 * block;
	b->bins = block + 1;
	b->len = mxd_hrtf_length(h);
	b->P = (b->len + block - 1) / block;
	b->rate = mxd_hrtf_rate(h);
	double maxd = mxd_hrtf_max_delay(h);
	b->delays = maxd > 0.0;
	b->dl_len = 1;
	while (b->dl_len < (uint32_t)ceil(maxd) + 4)
		b->dl_len <<= 1;
	b->fwd = kiss_fftr_alloc((int)b->N, 0, NULL, NULL);
	b->inv = kiss_fftr_alloc((int)b->N, 1, NULL, NULL);
	b->s = calloc(n_inputs, sizeof *b->s);
	b->ir[0] = malloc(sizeof(float) * b->len);
	b->ir[1] = malloc(sizeof(float) * b->len);
	b->t = malloc(sizeof(float) * b->N);
	b->acc = malloc(sizeof(kiss_fft_cpx) * b->bins);
	b->y[0] = malloc(sizeof(float) * block);
	b->y[1] = malloc(sizeof(float) * block);
	b->win = malloc(sizeof(float) * block);
	bool ok = b->fwd && b->inv && b->s && b->ir[0] && b->ir[1] && b->t && b->acc && b->y[0] && b->y[1] && b->win;
	size_t hs = (size_t)2 * b->P * b->bins;
	for (uint32_t k = 0; ok && k < n_inputs; k++) {
		src *s = &b->s[k];
		s->H[0] = malloc(sizeof(kiss_fft_cpx) * hs);
		s->H[1] = malloc(sizeof(kiss_fft_cpx) * hs);
		s->x = malloc(sizeof(float) * b->N);
		s->fdl = malloc(sizeof(kiss_fft_cpx) * (size_t)b->P * b->bins);
		if (b->delays) {
			s->dl[0] = malloc(sizeof(float) * b->dl_len);
			s->dl[1] = malloc(sizeof(float) * b->dl_len);
			ok = s->dl[0] && s->dl[1];
		}
		ok = ok && s->H[0] && s->H[1] && s->x && s->fdl;
		if (ok) {
			s->dist = s->dist0 = 1.0;
			s->g_old = s->g_new = 1.0;
			s->lp_a = 1.0;
			src_init(b, s);
		}
	}
	if (!ok) {
		mxd_binaural_free(b);
		return NULL;
	}
	/* Raised-cosine crossfade: the new filter's weight rises from ~0 to ~1
	 * over the block; the old one's is its complement (sum 1). */
	for (uint32_t i = 0; i < block; i++)
		b->win[i] = (float)(0.5 - 0.5 * cos(PI * (i + 0.5) / block));
	return b;
}

mxd_binaural *mxd_binaural_new_layout(const mxd_hrtf *h, const mxd_layout *layout, uint32_t block,
				      double lfe_gain)
{
	if (!layout)
		return NULL;
	mxd_binaural *b = mxd_binaural_new(h, layout->channels, block);
	if (!b)
		return NULL;
	for (uint32_t c = 0; c < layout->channels; c++) {
		if ((int)c == layout->lfe) {
			mxd_binaural_set_direct(b, c, lfe_gain);
			continue;
		}
		mxd_binaural_set_direction(b, c, layout->speakers[c].azimuth_deg, layout->speakers[c].elevation_deg, 1.0);
		b->s[c].az0 = b->s[c].az;
		b->s[c].el0 = b->s[c].el;
	}
	return b;
}

void mxd_binaural_set_direction(mxd_binaural *b, uint32_t k, double azimuth_deg, double elevation_deg,
				double distance)
{
	if (k >= b->n)
		return;
	src *s = &b->s[k];
	s->direct = false;
	s->az = isfinite(azimuth_deg) ? azimuth_deg : 0.0;
	s->el = isfinite(elevation_deg) ? fmin(90.0, fmax(-90.0, elevation_deg)) : 0.0;
	s->dist = isfinite(distance) && distance > 0.0 ? distance : 1.0;
}

void mxd_binaural_set_direct(mxd_binaural *b, uint32_t k, double gain)
{
	if (k >= b->n)
		return;
	b->s[k].direct = true;
	b->s[k].direct_gain = isfinite(gain) ? (float)gain : 0.0f;
}

void mxd_binaural_set_air(mxd_binaural *b, bool on) { b->air = on; }

void mxd_binaural_reset(mxd_binaural *b)
{
	b->pos = 0;
	for (uint32_t k = 0; k < b->n; k++)
		src_init(b, &b->s[k]);
}

/* The HRIR pair of (az, el) as partition spectra into set `set` of source s. */
static void make_filter(mxd_binaural *b, src *s, int set, double az, double el, double *dl, double *dr)
{
	mxd_hrtf_lookup(b->h, az, el, b->ir[0], b->ir[1], dl, dr);
	float scale = 1.0f / (float)b->N;
	for (int e = 0; e < 2; e++)
		for (uint32_t p = 0; p < b->P; p++) {
			uint32_t off = p * b->B, m = b->len - off < b->B ? b->len - off : b->B;
			for (uint32_t i = 0; i < m; i++)
				b->t[i] = b->ir[e][off + i] * scale;
			memset(b->t + m, 0, sizeof(float) * (b->N - m));
			kiss_fftr(b->fwd, b->t, s->H[set] + ((size_t)e * b->P + p) * b->bins);
		}
}

/* Angular difference b - a, wrapped to (-180, 180]. */
static double az_diff(double a, double b)
{
	double d = fmod(b - a, 360.0);
	if (d > 180.0)
		d -= 360.0;
	else if (d <= -180.0)
		d += 360.0;
	return d;
}

static double dist_gain(double r) { return 1.0 / fmax(r, 0.2); }

/* A block starts for source s: latch its direction (fraction t of the way
 * from the call's start value to the target) and prepare filters. */
static void block_start(mxd_binaural *b, src *s, double t)
{
	double az = s->az0 + t * az_diff(s->az0, s->az);
	double el = s->el0 + t * (s->el - s->el0);
	double r = s->dist0 + t * (s->dist - s->dist0);
	s->g_old = s->g_new;
	s->g_new = dist_gain(r);
	/* One-pole low-pass a = 1 - exp(-2 pi fc / fs) with fc = 100 kHz / r. */
	double fc = 100000.0 / fmax(r, 0.2);
	s->lp_a = b->air && fc < 0.45 * b->rate ? 1.0 - exp(-2.0 * PI * fc / b->rate) : 1.0;
	s->d_old[0] = s->d_new[0];
	s->d_old[1] = s->d_new[1];
	s->xfade = false;
	if (!s->have_filter) {
		make_filter(b, s, s->cur, az, el, &s->d_new[0], &s->d_new[1]);
		s->d_old[0] = s->d_new[0];
		s->d_old[1] = s->d_new[1];
		s->g_old = s->g_new;
		s->have_filter = true;
	} else if (fabs(az_diff(s->f_az, az)) > 1e-6 || fabs(el - s->f_el) > 1e-6) {
		make_filter(b, s, !s->cur, az, el, &s->d_new[0], &s->d_new[1]);
		s->xfade = true;
	} else {
		return;
	}
	s->f_az = az;
	s->f_el = el;
}

/* y = last B samples of IFFT(sum_p X_{t-p} H_p) for one ear and filter set. */
static void convolve(mxd_binaural *b, src *s, int set, int ear, float *y)
{
	const kiss_fft_cpx *H = s->H[set] + (size_t)ear * b->P * b->bins;
	memset(b->acc, 0, sizeof(kiss_fft_cpx) * b->bins);
	for (uint32_t p = 0; p < b->P; p++) {
		const kiss_fft_cpx *X = s->fdl + (size_t)((s->head + b->P - p) % b->P) * b->bins;
		const kiss_fft_cpx *Hp = H + (size_t)p * b->bins;
		for (uint32_t i = 0; i < b->bins; i++) {
			b->acc[i].r += X[i].r * Hp[i].r - X[i].i * Hp[i].i;
			b->acc[i].i += X[i].r * Hp[i].i + X[i].i * Hp[i].r;
		}
	}
	kiss_fftri(b->inv, b->acc, b->t);
	memcpy(y, b->t + b->B, sizeof(float) * b->B);
}

/* Samples [pos, pos + m) of the current block of source s (its input already
 * in s->x), added to left/right. */
static void render_block(mxd_binaural *b, src *s, uint32_t pos, uint32_t m, float *left, float *right)
{
	kiss_fftr(b->fwd, s->x, s->fdl + (size_t)s->head * b->bins);
	for (int e = 0; e < 2; e++) {
		float *y = b->y[0];
		convolve(b, s, s->cur, e, y);
		if (s->xfade) {
			convolve(b, s, !s->cur, e, b->y[1]);
			for (uint32_t i = pos; i < pos + m; i++)
				y[i] += b->win[i] * (b->y[1][i] - y[i]);
		}
		float *out = e ? right : left;
		if (!b->delays) {
			for (uint32_t i = 0; i < m; i++)
				out[i] += y[pos + i];
			continue;
		}
		/* The set's delay, ramped over the block, read with linear interpolation. */
		float *dl = s->dl[e];
		uint32_t mask = b->dl_len - 1, wp = s->dl_pos;
		double d0 = s->d_old[e], dd = (s->d_new[e] - s->d_old[e]) / b->B;
		for (uint32_t i = 0; i < m; i++) {
			dl[(wp + i) & mask] = y[pos + i];
			double d = d0 + dd * (pos + i + 1);
			uint32_t di = (uint32_t)d;
			float fr = (float)(d - di);
			float a = dl[(wp + i - di) & mask], c = dl[(wp + i - di - 1) & mask];
			out[i] += a + fr * (c - a);
		}
	}
	if (b->delays)
		s->dl_pos = (s->dl_pos + m) & (b->dl_len - 1);
}

void mxd_binaural_process(mxd_binaural *b, const float *const *in, float *left, float *right, uint32_t n)
{
	memset(left, 0, sizeof(float) * n);
	memset(right, 0, sizeof(float) * n);
	uint32_t B = b->B, done = 0;
	while (done < n) {
		uint32_t pos = b->pos, m = B - pos < n - done ? B - pos : n - done;
		double t = fmin(1.0, (double)(done + (B - pos)) / n);
		for (uint32_t k = 0; k < b->n; k++) {
			src *s = &b->s[k];
			const float *x = in[k] + done;
			if (s->direct) {
				for (uint32_t i = 0; i < m; i++) {
					left[done + i] += s->direct_gain * x[i];
					right[done + i] += s->direct_gain * x[i];
				}
				continue;
			}
			if (pos == 0)
				block_start(b, s, t);
			/* Input with the distance gain (ramped) and air absorption. */
			float *xb = s->x + B;
			double g0 = s->g_old, dg = (s->g_new - s->g_old) / B, a = s->lp_a, yl = s->lp_y;
			for (uint32_t i = 0; i < m; i++) {
				yl += a * (x[i] - yl);
				xb[pos + i] = (float)(yl * (g0 + dg * (pos + i + 1)));
			}
			s->lp_y = yl;
			render_block(b, s, pos, m, left + done, right + done);
		}
		b->pos += m;
		done += m;
		if (b->pos == B) {
			b->pos = 0;
			for (uint32_t k = 0; k < b->n; k++) {
				src *s = &b->s[k];
				if (s->direct)
					continue;
				if (s->xfade)
					s->cur = !s->cur;
				s->xfade = false;
				s->head = (s->head + 1) % b->P;
				memmove(s->x, s->x + B, sizeof(float) * B);
				memset(s->x + B, 0, sizeof(float) * B);
			}
		}
	}
	for (uint32_t k = 0; k < b->n; k++) {
		b->s[k].az0 = b->s[k].az;
		b->s[k].el0 = b->s[k].el;
		b->s[k].dist0 = b->s[k].dist;
	}
}
