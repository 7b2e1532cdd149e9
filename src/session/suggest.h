/* mixdown — "did you mean" suggestions for misspelt keys and names.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MIXDOWN_SESSION_SUGGEST_H
#define MIXDOWN_SESSION_SUGGEST_H

#include <stddef.h>

/* Edit distance between a and b ignoring ASCII case: insertions, deletions,
 * substitutions and transpositions of adjacent characters each cost 1
 * (optimal string alignment). Strings longer than 64 bytes compare as far apart. */
size_t mxd_edit_distance(const char *a, const char *b);

/* The candidate closest to `word`, or NULL when none is close enough to be a
 * plausible typo (distance at most 1 for names up to 4 characters, 2 up to 8,
 * else 3, and always less than the length of the word). Ties go to the
 * earlier candidate. NULL entries in `cands` are skipped. */
const char *mxd_suggest(const char *word, const char *const *cands, size_t n);

#endif
