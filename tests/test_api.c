/* mixdown — the embedding case: a small program that uses only the public
 * header to load a session from text, run the engine block by block, and
 * render to a file.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mixdown/mixdown.h"
#include "util.h"

static void t_embed_engine_blocks(void)
{
	const char *dir = mxt_tempdir();
	enum { N = 96000 }; /* 2 s: longer than BS.1770's 400 ms gating block */
	float *x = malloc(sizeof(float) * N);
	mxt_noise(x, N, 0.5, 3);
	CHECK(mxt_write_audio(mxt_path(dir, "x.wav"), x, N, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT) == 0);
	const char *yaml = "mixdown: 1\n"
			   "channels: 2\n"
			   "tracks:\n"
			   "  - { name: Vox, file: x.wav, gain: -6.0206, pan: 0, pan_law: -6 }\n"
			   "buses:\n"
			   "  - { name: Aux }\n";
	mixdown_session *s = NULL;
	mixdown_error err;
	CHECK_INT(mixdown_session_load_string(yaml, strlen(yaml), "embedded", dir, &s, &err), MIXDOWN_SUCCESS);
	if (!s)
		return;
	CHECK_INT(mixdown_session_track_count(s), 1);
	CHECK(strcmp(mixdown_session_track_name(s, 0), "Vox") == 0);
	CHECK_INT(mixdown_session_bus_count(s), 1);
	CHECK(strcmp(mixdown_session_bus_name(s, 0), "Aux") == 0);
	CHECK_NEAR(mixdown_session_sample_rate(s), 48000, 0);
	mixdown_engine *e = NULL;
	CHECK_INT(mixdown_engine_create(s, 256, &e, &err), MIXDOWN_SUCCESS);
	if (e) {
		CHECK_INT(mixdown_engine_channels(e), 2);
		CHECK_INT(mixdown_engine_length(e), N);
		CHECK_INT(mixdown_engine_latency(e), 0);
		float l[256], r[256];
		float *out[2] = { l, r };
		double maxerr = 0;
		/* Odd block sizes: the engine must not care. */
		for (uint64_t pos = 0; pos < N;) {
			uint32_t n = (uint32_t)((pos / 7) % 255 + 1);
			if (pos + n > N)
				n = (uint32_t)(N - pos);
			CHECK_INT(mixdown_engine_process(e, out, n, &err), MIXDOWN_SUCCESS);
			for (uint32_t i = 0; i < n; i++) {
				/* -6.02 dB fader and -6 dB law at centre: x / 4 per side */
				maxerr = fmax(maxerr, fabs(l[i] - x[pos + i] * 0.25));
				maxerr = fmax(maxerr, fabs(r[i] - x[pos + i] * 0.25));
			}
			pos += n;
		}
		CHECK_MSG(maxerr < 1e-6, "engine output differs by %g", maxerr);
		CHECK_INT(mixdown_engine_process(e, out, 300, &err), MIXDOWN_ERR_USAGE); /* > max_block */
	}
	mixdown_engine_free(e);

	mixdown_render_options o = mixdown_render_options_init();
	o.output = mxt_path(dir, "o.flac");
	mixdown_render_report rep;
	CHECK_INT(mixdown_render(s, &o, &rep, &err), MIXDOWN_SUCCESS);
	CHECK_INT(rep.frames, N);
	CHECK_INT(rep.n_files, 1);
	/* Uniform noise at 0.289 RMS, -12 dB per side: the two channels' mean
	 * squares sum to -19.8 dB, -0.691 makes -20.5 LUFS before weighting; the
	 * K-weighting shelf (+4 dB above ~1.5 kHz) lifts white noise ~3.7 dB. */
	CHECK(rep.integrated_lufs > -17.3 && rep.integrated_lufs < -16.3);
	printf("# integrated loudness of the embedded render: %.2f LUFS\n", rep.integrated_lufs);
	mixdown_session_free(s);
	mixdown_session_free(NULL);
	mixdown_engine_free(NULL);
	free(x);
}

static void t_embed_errors(void)
{
	mixdown_session *s = NULL;
	mixdown_error err;
	const char *bad = "tracks:\n  - { name: X, colour: red }\n";
	CHECK_INT(mixdown_session_load_string(bad, strlen(bad), "mem.yaml", ".", &s, &err), MIXDOWN_ERR_SESSION);
	CHECK(s == NULL);
	CHECK(strcmp(err.file, "mem.yaml") == 0);
	CHECK_INT(err.line, 2);
	CHECK_STR_CONTAINS(err.message, "color");
	char msg[1024];
	mixdown_error_format(&err, msg, sizeof msg);
	CHECK_STR_CONTAINS(msg, "mem.yaml:2:");
	CHECK(strcmp(mixdown_strerror(MIXDOWN_ERR_SESSION), "invalid session") == 0);
	CHECK_INT(mixdown_session_load("/nonexistent/session.yaml", &s, &err), MIXDOWN_ERR_SESSION);
	CHECK(mixdown_fx_count() >= 4);
	mixdown_param_info p[64];
	bool found = false;
	for (size_t i = 0; i < mixdown_fx_count(); i++)
		if (strcmp(mixdown_fx_name(i), "gain") == 0) {
			size_t n = mixdown_fx_params(i, p, 64);
			CHECK(n >= 1);
			CHECK(strcmp(p[0].name, "gain") == 0 && strcmp(p[0].unit, "dB") == 0);
			found = true;
		}
	CHECK(found);
}

int main(void)
{
	static const mxt_case cases[] = {
		MXT(t_embed_engine_blocks),
		MXT(t_embed_errors),
	};
	return MXT_RUN(cases);
}
