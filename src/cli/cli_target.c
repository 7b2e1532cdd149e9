/* mixdown — `mixdown target build|list|show`: spectral targets.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   mixdown target build DIR -o TARGET.json [--name NAME]
 *       analyzes every file in DIR that libsndfile can read (in name order,
 *       hidden files skipped; others are noted on stderr and skipped) and
 *       writes their median and 10th/90th percentile band levels (relative
 *       to integrated loudness) as a "mixdown-target/1" JSON file, through a
 *       temporary file renamed into place; never over one of the inputs.
 *   mixdown target list
 *       the built-in targets and where their numbers come from.
 *   mixdown target show NAME|FILE [--json]
 *       a target's bands (p10, median, p90 in dB re. LUFS), or its JSON.
 * Exit status: 0 success, 1 an output could not be written, 2 bad usage, an
 * invalid target file or no usable reference. Uses only the public API.
 * Main thread only.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Sorted regular files of dir (full paths), hidden ones left out. */
static int list_dir(const char *dir, char ***out, size_t *n_out)
{
	DIR *d = opendir(dir);
	if (!d)
		return cli_usage_error("cannot open folder '%s'", dir);
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = EXIT_OK;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		const size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		if (!p) {
			rc = EXIT_FAIL;
			break;
		}
		snprintf(p, len, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == cap) {
			char **bigger = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof *v);
			if (!bigger) {
				free(p);
				rc = EXIT_FAIL;
				break;
			}
			v = bigger;
		}
		v[n++] = p;
	}
	closedir(d);
	if (rc != EXIT_OK) {
		fprintf(stderr, "%s: out of memory\n", cli_prog);
		free_names(v, n);
		return rc;
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_str);
	*out = v;
	*n_out = n;
	return EXIT_OK;
}

static int target_build(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output") || !strcmp(argv[i], "--name")) {
			if (i + 1 >= argc)
				return cli_usage_error("option %s needs a value", argv[i]);
			if (!strcmp(argv[i], "--name"))
				name = argv[++i];
			else
				out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("unknown option '%s'", argv[i]);
		} else if (!dir) {
			dir = argv[i];
		} else {
			return cli_usage_error("unexpected argument '%s'", argv[i]);
		}
	}
	if (!dir || !out)
		return cli_usage_error("usage: mixdown target build DIR -o TARGET.json [--name NAME]");
	char **files = NULL;
	size_t n_files = 0;
	int rc = list_dir(dir, &files, &n_files);
	if (rc != EXIT_OK)
		return rc;
	mixdown_analysis **res = calloc(n_files ? n_files : 1, sizeof *res);
	if (!res) {
		free_names(files, n_files);
		fprintf(stderr, "%s: out of memory\n", cli_prog);
		return EXIT_FAIL;
	}
	size_t n = 0;
	for (size_t i = 0; i < n_files; i++) {
		mixdown_error err;
		mixdown_status st = mixdown_analyze_file(files[i], NULL, &res[n], &err);
		if (st == MIXDOWN_ERR_NOMEM) {
			rc = cli_report_error(st, &err);
			goto done;
		}
		if (st != MIXDOWN_SUCCESS) {
			char msg[2048];
			mixdown_error_format(&err, msg, sizeof msg);
			fprintf(stderr, "%s: skipping %s\n", cli_prog, msg);
			continue;
		}
		if (cli_same_file(files[i], out)) {
			mixdown_analysis_free(res[n]);
			rc = cli_usage_error("refusing to write the target over an input (%s)", files[i]);
			goto done;
		}
		fprintf(stderr, "%s: %s: %.1f LUFS\n", cli_prog, files[i], res[n]->loudness.integrated);
		n++;
	}
	char base[256];
	if (!name) { /* default: the folder's name */
		snprintf(base, sizeof base, "%s", dir);
		size_t len = strlen(base);
		while (len > 1 && base[len - 1] == '/')
			base[--len] = '\0';
		const char *slash = strrchr(base, '/');
		name = slash && slash[1] ? slash + 1 : base;
	}
	mixdown_target t;
	mixdown_error err;
	mixdown_status st = mixdown_target_build((const mixdown_analysis *const *)res, n, name, &t, &err);
	if (st != MIXDOWN_SUCCESS) {
		if (n == 0)
			rc = cli_usage_error("no readable audio files in '%s'", dir);
		else
			rc = cli_report_error(st, &err);
		goto done;
	}
	char tmp[4200];
	FILE *f = cli_output_open(out, tmp, sizeof tmp);
	if (!f) {
		rc = EXIT_FAIL;
		goto done;
	}
	rc = cli_output_commit(f, tmp, out, mixdown_target_write(&t, f) == 0);
	if (rc == EXIT_OK)
		fprintf(stderr, "%s: wrote %s (target '%s' from %zu file%s)\n", cli_prog, out, t.name, t.n_files,
			t.n_files == 1 ? "" : "s");
done:
	for (size_t i = 0; i < n; i++)
		mixdown_analysis_free(res[i]);
	free(res);
	free_names(files, n_files);
	return rc;
}

static void print_num(const char *label, double v, const char *unit)
{
	if (isfinite(v))
		printf("  %-9s %.1f %s\n", label, v, unit);
	else
		printf("  %-9s -\n", label);
}

static void print_db(double v)
{
	if (isfinite(v))
		printf(" %8.1f", v);
	else
		printf(" %8s", "-");
}

static int target_show(int argc, char **argv)
{
	const char *what = NULL;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("unknown option '%s'", argv[i]);
		else if (!what)
			what = argv[i];
		else
			return cli_usage_error("unexpected argument '%s'", argv[i]);
	}
	if (!what)
		return cli_usage_error("usage: mixdown target show NAME|FILE [--json]");
	mixdown_target loaded;
	const mixdown_target *t = mixdown_target_find(what);
	if (!t) {
		struct stat st;
		if (stat(what, &st) != 0) {
			char list[512] = "";
			for (size_t k = 0; k < mixdown_target_builtin_count(); k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
					 mixdown_target_builtin(k)->name);
			return cli_usage_error("'%s' is neither a built-in target (%s) nor a file", what, list);
		}
		mixdown_error err;
		mixdown_status s = mixdown_target_load(what, &loaded, &err);
		if (s != MIXDOWN_SUCCESS)
			return cli_report_error(s, &err);
		t = &loaded;
	}
	if (json) {
		if (mixdown_target_write(t, stdout)) {
			fprintf(stderr, "%s: cannot write the JSON output\n", cli_prog);
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	printf("%s\n  source    %s\n", t->name, t->source);
	if (t->n_files)
		printf("  files     %zu\n", t->n_files);
	print_num("loudness", t->loudness, "LUFS");
	print_num("range", t->range, "LU");
	print_num("PLR", t->plr, "dB");
	printf("  %9s %8s %8s %8s   (dB relative to integrated loudness)\n", "band Hz", "p10", "median", "p90");
	for (size_t k = 0; k < MIXDOWN_BANDS; k++) {
		printf("  %9.0f", mixdown_band_centre(k));
		print_db(t->p10[k]);
		print_db(t->median[k]);
		print_db(t->p90[k]);
		putchar('\n');
	}
	return EXIT_OK;
}

static int target_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error("target list takes no arguments");
	for (size_t i = 0; i < mixdown_target_builtin_count(); i++) {
		const mixdown_target *t = mixdown_target_builtin(i);
		printf("%-11s %s\n", t->name, t->source);
	}
	printf("(\"speech\" is another name for \"podcast\"; see docs/targets.md. Build your own from reference tracks:"
	       " mixdown target build DIR -o target.json)\n");
	return EXIT_OK;
}

int cli_target(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("usage: mixdown target build|list|show ...");
	if (!strcmp(argv[1], "build"))
		return target_build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return target_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return target_show(argc - 1, argv + 1);
	return cli_usage_error("unknown target command '%s' (build, list or show)", argv[1]);
}
