/* mixdown — a starting session from a folder of stems (`mixdown new`).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/model.h"
#include "session/yaml_quote.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

mixdown_status mixdown_session_write_from_folder(const char *stems_dir, const char *session_path,
						 bool overwrite, mixdown_error *err)
{
	mxd_loc none = { 0, 0 };
	if (!overwrite && access(session_path, F_OK) == 0)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL,
				"already exists (use --force to replace it)");
	char abs_dir[PATH_MAX], abs_session_dir[PATH_MAX];
	if (!realpath(stems_dir, abs_dir))
		return mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "cannot open folder: %s", strerror(errno));
	char *sdir = strdup(session_path);
	if (!sdir)
		return MIXDOWN_ERR_NOMEM;
	char *slash = strrchr(sdir, '/');
	if (slash)
		slash[slash == sdir ? 1 : 0] = '\0';
	const char *session_dir = slash ? sdir : ".";
	if (!realpath(session_dir, abs_session_dir)) {
		free(sdir);
		return mxd_fail(err, MIXDOWN_ERR_USAGE, session_path, none, NULL, "folder does not exist");
	}
	free(sdir);

	DIR *d = opendir(abs_dir);
	if (!d)
		return mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "cannot open folder: %s", strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	mixdown_status st = MIXDOWN_SUCCESS;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **bigger = realloc(names, (cap = cap ? cap * 2 : 32) * sizeof *names);
			if (!bigger) {
				st = MIXDOWN_ERR_NOMEM;
				break;
			}
			names = bigger;
		}
		if (!(names[n] = strdup(de->d_name))) {
			st = MIXDOWN_ERR_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (st == MIXDOWN_SUCCESS && n)
		qsort(names, n, sizeof *names, cmp_str);

	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.%ld.part", session_path, (long)getpid());
	FILE *f = st == MIXDOWN_SUCCESS ? fopen(tmp, "wx") : NULL;
	if (st == MIXDOWN_SUCCESS && !f)
		st = mxd_fail(err, MIXDOWN_ERR_IO, session_path, none, NULL, "cannot write: %s", strerror(errno));
	size_t tracks = 0;
	int rate = 0;
	if (f) {
		fprintf(f, "# Written by mixdown new from %s: every file a track, faders at 0 dB, centred.\n"
			   "mixdown: 1\n", abs_dir);
		for (size_t i = 0; i < n; i++) {
			char full[PATH_MAX * 2];
			snprintf(full, sizeof full, "%s/%s", abs_dir, names[i]);
			SF_INFO info = { 0 };
			SNDFILE *sf = sf_open(full, SFM_READ, &info);
			if (!sf)
				continue; /* not audio: skip silently, like a DAW import */
			sf_close(sf);
			if (!rate) {
				rate = info.samplerate;
				fprintf(f, "sample_rate: %d\ntracks:\n", rate);
			}
			char title[256];
			snprintf(title, sizeof title, "%s", names[i]);
			char *dot = strrchr(title, '.');
			if (dot && dot != title)
				*dot = '\0';
			fprintf(f, "  - name: ");
			mxd_yaml_put_quoted(f, title);
			fprintf(f, "\n    clips:\n      - file: ");
			mxd_yaml_put_quoted(f, mxd_path_relative_to(abs_session_dir, full));
			fprintf(f, "   # %d Hz, %d ch, %.2f s\n    gain: 0\n    pan: 0\n", info.samplerate, info.channels,
				(double)info.frames / info.samplerate);
			tracks++;
		}
		if (!tracks)
			fprintf(f, "tracks: []\n");
		fprintf(f, "master:\n  gain: 0\n");
		if (fclose(f) != 0)
			st = mxd_fail(err, MIXDOWN_ERR_IO, session_path, none, NULL, "write failed: %s", strerror(errno));
		else if (!tracks)
			st = mxd_fail(err, MIXDOWN_ERR_USAGE, stems_dir, none, NULL, "no audio files found");
		else if (rename(tmp, session_path) != 0)
			st = mxd_fail(err, MIXDOWN_ERR_IO, session_path, none, NULL, "cannot rename into place: %s",
				      strerror(errno));
		if (st != MIXDOWN_SUCCESS)
			unlink(tmp);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return st;
}
