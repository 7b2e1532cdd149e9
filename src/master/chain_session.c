/* mixdown — the session that plays a file through a mastering chain.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * `mixdown master IN --chain FILE` runs IN through the engine as a one-track
 * session whose master strip is FILE: a YAML mapping with the keys of a
 * session's `master:` section (`inserts`, `gain`, `width`; docs/mastering.md).
 * The chain text is placed first, indented under `master:`, so an error in it
 * is reported at the chain file's own line and column (we subtract the one
 * line and two columns we added). The track is unity (pan 0, pan law 0 dB),
 * at the file's own rate and channel count, so without a chain the engine
 * passes the input through bit-exactly.
 * Control thread (reads files, allocates).
 */
#include <errno.h>
#include <limits.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "master/master.h"
#include "session/yaml_quote.h"

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n + 1 < cap)
			break;
		char *b = realloc(buf, cap * 2);
		if (!b) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		cap *= 2;
	}
	bool bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

mixdown_status mxd_master_session(const char *input, const char *chain_path, mixdown_session **out,
				  mixdown_error *err)
{
	*out = NULL;
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *f = sf_open(input, SFM_READ, &info);
	if (!f)
		return mxd_master_fail(err, MIXDOWN_ERR_AUDIO, input, "cannot open audio file: %s", sf_strerror(NULL));
	sf_close(f);
	char abs_in[PATH_MAX];
	if (!realpath(input, abs_in))
		return mxd_master_fail(err, MIXDOWN_ERR_AUDIO, input, "cannot resolve the path: %s", strerror(errno));

	char *chain = NULL;
	size_t chain_len = 0;
	if (chain_path && !(chain = read_text(chain_path, &chain_len)))
		return mxd_master_fail(err, MIXDOWN_ERR_IO, chain_path, "cannot read the chain file: %s",
				       strerror(errno));
	char *t = NULL;
	size_t n = 0;
	FILE *text = open_memstream(&t, &n);
	if (!text) {
		free(chain);
		return mxd_master_fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	}
	uint32_t chain_lines = 0;
	if (chain) {
		fputs("master:\n", text);
		/* Indent every line of the chain by two spaces under master:. */
		for (char *p = chain; *p;) {
			const size_t k = strcspn(p, "\n");
			fprintf(text, "  %.*s\n", (int)k, p);
			chain_lines++;
			p += k + (p[k] ? 1 : 0);
		}
	}
	fprintf(text, "sample_rate: %d\nchannels: %d\ntracks:\n  - name: input\n    pan_law: 0\n    clips: [{ at: 0, file: ",
		info.samplerate, info.channels);
	mxd_yaml_put_quoted(text, abs_in);
	fputs(" }]\n", text);
	free(chain);
	if (fclose(text) != 0 || !t) {
		free(t);
		return mxd_master_fail(err, MIXDOWN_ERR_NOMEM, NULL, "out of memory");
	}
	/* Files named in the chain (impulse responses) are relative to the chain file. */
	char base[PATH_MAX] = ".";
	if (chain_path) {
		const char *slash = strrchr(chain_path, '/');
		if (slash)
			snprintf(base, sizeof base, "%.*s", (int)(slash - chain_path), chain_path);
	}
	mixdown_status st = mixdown_session_load_string(t, n, chain_path ? chain_path : input, base, out, err);
	free(t);
	if (st != MIXDOWN_SUCCESS && err && chain_path) {
		/* Back to the chain file's own coordinates. */
		if (err->line >= 2 && err->line <= chain_lines + 1) {
			err->line -= 1;
			err->column = err->column > 2 ? err->column - 2 : 1;
		} else {
			err->line = err->column = 0;
		}
		if (!strncmp(err->key, "master.", 7))
			memmove(err->key, err->key + 7, strlen(err->key + 7) + 1);
	}
	return st;
}
