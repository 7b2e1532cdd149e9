/* mixdown — 24-bit PCM to float (see pcm24.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "io/pcm24.h"

#include <stdatomic.h>
#include <stdbool.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_X86 1
#endif

void mxd_pcm24le_to_float_scalar(const uint8_t *src, float *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = src + 3 * i;
		int32_t v = (int32_t)((uint32_t)b[0] << 8 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 24);
		dst[i] = (float)v * 0x1p-31f;
	}
}

#ifdef HAVE_X86
/* Eight samples per step: two 16-byte loads of which 12 bytes are used
 * each; the shuffle puts the three bytes of sample j into bytes 1..3 of
 * int32 lane j (byte 0 zero). The loads reach 4 bytes past the 24 bytes of
 * a step, so the last steps are left to the scalar loop. */
__attribute__((target("avx2"))) static void to_float_avx2(const uint8_t *src, float *dst, size_t n)
{
	const __m128i shuf = _mm_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
	const __m256 scale = _mm256_set1_ps(0x1p-31f);
	size_t i = 0;
	for (; i + 8 <= n && 3 * i + 28 <= 3 * n; i += 8) {
		const __m128i lo = _mm_loadu_si128((const __m128i *)(src + 3 * i));
		const __m128i hi = _mm_loadu_si128((const __m128i *)(src + 3 * i + 12));
		const __m256i v = _mm256_set_m128i(_mm_shuffle_epi8(hi, shuf), _mm_shuffle_epi8(lo, shuf));
		_mm256_storeu_ps(dst + i, _mm256_mul_ps(_mm256_cvtepi32_ps(v), scale));
	}
	mxd_pcm24le_to_float_scalar(src + 3 * i, dst + i, n - i);
}
#endif

void mxd_pcm24le_to_float(const uint8_t *src, float *dst, size_t n)
{
#ifdef HAVE_X86
	static _Atomic int avx2 = -1; /* every thread that finds -1 stores the same answer */
	int have = atomic_load_explicit(&avx2, memory_order_relaxed);
	if (have < 0) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx2") ? 1 : 0;
		atomic_store_explicit(&avx2, have, memory_order_relaxed);
	}
	if (have) {
		to_float_avx2(src, dst, n);
		return;
	}
#endif
	mxd_pcm24le_to_float_scalar(src, dst, n);
}
