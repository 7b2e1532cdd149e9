/* mixdown bench — mixeval: score an output mix against a target (reference) mix.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: mixeval OUTPUT TARGET [--out-stems DIR --ref-stems DIR] [--json] [--json-file FILE] [--brief]
 *
 * Prints the objective metrics of the open mix-evaluation suite (loudness, spectral, panning,
 * dynamics: MAPE of 40-frame running means, ../shared/docs/mixing-knowledge.md §2.1; definitions in
 * mixeval.h and each mxe_*.c) as a table, or as JSON with --json; --json-file also writes the JSON.
 * --brief prints one line: the four group MAPEs and the stem balance error (n/a when undefined).
 * With both stem folders, adds the per-stem loudness balance error (mxe_stems.c). A mono mix
 * compared with a stereo one is copied to both channels; the rates must match.
 * Exit status: 0 scored, 1 failure reading or computing, 2 bad usage.
 * Ownership: everything freed before exit. Threads: single-threaded command.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixeval.h"

static int usage(void)
{
	fputs("usage: mixeval OUTPUT TARGET [--out-stems DIR --ref-stems DIR] [--json] [--json-file FILE] [--brief]\n"
	      "Scores OUTPUT against TARGET with the mix-evaluation suite's metrics (MAPE, lower is closer).\n",
	      stderr);
	return 2;
}

/* Mono to stereo by copying (the other mix is stereo). 0 ok, -1 no memory. */
static int widen(mxe_audio *a)
{
	float *w = malloc((size_t)(a->frames ? a->frames : 1) * 2 * sizeof *w);
	if (!w)
		return -1;
	for (int64_t i = 0; i < a->frames; i++)
		w[2 * i] = w[2 * i + 1] = a->x[i];
	free(a->x);
	a->x = w;
	a->channels = 2;
	return 0;
}

int main(int argc, char **argv)
{
	const char *pos[2] = { 0 }, *out_stems = NULL, *ref_stems = NULL, *json_file = NULL;
	int n_pos = 0, json = 0, brief = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--brief"))
			brief = 1;
		else if (!strcmp(argv[i], "--out-stems") && i + 1 < argc)
			out_stems = argv[++i];
		else if (!strcmp(argv[i], "--ref-stems") && i + 1 < argc)
			ref_stems = argv[++i];
		else if (!strcmp(argv[i], "--json-file") && i + 1 < argc)
			json_file = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else if (argv[i][0] != '-' && n_pos < 2)
			pos[n_pos++] = argv[i];
		else
			return usage();
	}
	if (n_pos != 2 || (!out_stems != !ref_stems))
		return usage();
	char err[1200];
	mxe_audio out, tar;
	if (mxe_read_audio(pos[0], &out, err, sizeof err)) {
		fprintf(stderr, "mixeval: %s\n", err);
		return 1;
	}
	if (mxe_read_audio(pos[1], &tar, err, sizeof err)) {
		fprintf(stderr, "mixeval: %s\n", err);
		mxe_audio_free(&out);
		return 1;
	}
	int rc = 1;
	mxe_result r;
	mxe_stem_balance b = { 0 }, *bp = NULL;
	if (out.rate != tar.rate) {
		fprintf(stderr, "mixeval: rates differ (%g Hz vs %g Hz); render both at one rate\n", out.rate, tar.rate);
		goto done;
	}
	if ((out.channels == 1 && tar.channels == 2 && widen(&out)) ||
	    (tar.channels == 1 && out.channels == 2 && widen(&tar))) {
		fprintf(stderr, "mixeval: out of memory\n");
		goto done;
	}
	if (out.channels != tar.channels) {
		fprintf(stderr, "mixeval: channel counts differ (%d vs %d)\n", out.channels, tar.channels);
		goto done;
	}
	if (mxe_evaluate(&out, &tar, &r)) {
		fprintf(stderr, "mixeval: out of memory\n");
		goto done;
	}
	if (out_stems) {
		if (mxe_stem_balance_dirs(out_stems, ref_stems, &b, err, sizeof err)) {
			fprintf(stderr, "mixeval: %s\n", err);
			goto done;
		}
		bp = &b;
	}
	if (brief) {
		for (int g = 0; g < MXE_N_GROUPS; g++) {
			if (isfinite(r.group[g]))
				printf("%.4f\t", r.group[g]);
			else
				fputs("n/a\t", stdout);
		}
		if (bp && isfinite(bp->mean_abs_err))
			printf("%.2f\n", bp->mean_abs_err);
		else
			fputs("n/a\n", stdout);
	} else if (json)
		mxe_print_json(stdout, pos[0], pos[1], &r, bp);
	else {
		printf("mixeval: %s vs target %s\n", pos[0], pos[1]);
		mxe_print_table(stdout, &r, bp);
	}
	if (json_file) {
		FILE *f = fopen(json_file, "w");
		if (!f) {
			fprintf(stderr, "mixeval: cannot write %s\n", json_file);
			goto done;
		}
		mxe_print_json(f, pos[0], pos[1], &r, bp);
		if (fclose(f)) {
			fprintf(stderr, "mixeval: cannot write %s\n", json_file);
			goto done;
		}
	}
	rc = 0;
done:
	mxe_stem_balance_free(&b);
	mxe_audio_free(&out);
	mxe_audio_free(&tar);
	return rc;
}
