/* mixdown — order statistics: the k-th smallest of an array (medians of
 * spectra and residuals).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Hoare's selection (C. A. R. Hoare, "Algorithm 65: Find", CACM 4(7), 1961)
 * with median-of-three pivots: expected O(n), in place, no allocation, so the
 * audio thread may call it. v is reordered; n >= 1, k < n.
 */
#ifndef MIXDOWN_DSP_SELECT_H
#define MIXDOWN_DSP_SELECT_H

#include <stddef.h>

double mxd_select_kth(double *v, size_t n, size_t k);

#endif
