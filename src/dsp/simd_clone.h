/* mixdown — MXD_CLONES: build a hot loop twice, for the baseline x86-64
 * instruction set and for AVX2, and pick one when the program loads (GCC and
 * Clang function multiversioning through an ELF ifunc). The two variants are
 * the same C with the same IEEE operations in the same order (no FMA: AVX2
 * alone, and ISO C forbids contraction), so they give the same bits; AVX2
 * only makes the vectors twice as wide. Elsewhere it expands to nothing.
 * Only on static functions: clang 14 emits the variants (and the resolver)
 * in the translation units that call the function, so an exported one
 * called from another file would not link; export a plain wrapper.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef MIXDOWN_DSP_SIMD_CLONE_H
#define MIXDOWN_DSP_SIMD_CLONE_H

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define MXD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MXD_CLONES
#endif

#endif
