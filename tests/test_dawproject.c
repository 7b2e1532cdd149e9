/* mixdown — tests of DAWproject import/export (src/interop, docs/dawproject.md):
 * a session built here round-trips through export and import unchanged (model
 * field by field, and the rendered audio), the export validates against
 * Project.xsd (xmllint and libxml2), the published example project imports
 * with its missing audio listed, and broken input fails with the XML line.
 * The schema and example are read from ../shared/testdata/dawproject (skipped
 * when absent). SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "harness.h"
#include "session/model.h"
#include "util.h"

#define TESTDATA MIXDOWN_SOURCE_DIR "/../shared/testdata/dawproject"

static const char session_yaml[] =
	"mixdown: 1\n"
	"sample_rate: 48000\n"
	"tempo: 120\n"
	"tracks:\n"
	"  - name: Lead\n"
	"    color: \"#d04040\"\n"
	"    clips:\n"
	"      - { file: a.wav, at: 0.5, offset: 0.1, length: 0.6, fade_in: 0.05, fade_out: 0.1 }\n"
	"      - { file: a.wav, at: \"2:1\" }\n"
	"    gain: -3\n"
	"    pan: -0.4\n"
	"    inserts:\n"
	"      - type: eq\n"
	"        id: tone\n"
	"        bands:\n"
	"          - { type: highpass, freq: 80, slope: 24 }\n"
	"          - { type: peak, freq: 2500, gain: 3, q: 1.2 }\n"
	"          - { type: highshelf, freq: 9000, gain: -2, q: 0.8 }\n"
	"    sends:\n"
	"      - { to: Echo, level: -12 }\n"
	"    automation:\n"
	"      gain: [[0, -3], [1, -9], [1.5, -6, hold], [2.2, -4]]\n"
	"      \"sends.Echo.level\": [[0, -20], [1.2, -6]]\n"
	"  - name: Kick\n"
	"    clips:\n"
	"      - { file: b.wav, at: 0.25 }\n"
	"    gain: -6.5\n"
	"    pan: 0.3\n"
	"    output: Drums\n"
	"    automation:\n"
	"      pan: [[0, -0.5], [2, 0.5]]\n"
	"      mute: [[0, false], [1.75, true], [2.0, false]]\n"
	"  - name: Pad\n"
	"    clips:\n"
	"      - { file: c.wav, at: 1.0, offset: 0.2 }\n"
	"    gain: -10\n"
	"    sends:\n"
	"      - { to: Echo, level: -18, pre: true }\n"
	"buses:\n"
	"  - name: Drums\n"
	"    gain: -1\n"
	"  - name: Echo\n"
	"    gain: -2\n"
	"    inserts:\n"
	"      - { type: compressor, threshold: -20, ratio: 3, attack: 5, release: 150, makeup: 2 }\n"
	"      - { type: gate, threshold: -70, range: 40, attack: 2, release: 200 }\n"
	"master:\n"
	"  gain: -0.5\n";

static void make_audio(const char *dir)
{
	int64_t n = 48000;
	float *buf = malloc(sizeof(float) * 2 * 96000);
	mxt_sine(buf, n, 2, 48000, 440, 0.4, 0.3);
	mxt_write_audio(mxt_path(dir, "a.wav"), buf, n, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	mxt_noise(buf, 72000, 0.3, 7);
	mxt_write_audio(mxt_path(dir, "b.wav"), buf, 72000, 1, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	mxt_sine(buf, 38400, 2, 48000, 150, 0.5, 0.0);
	mxt_write_audio(mxt_path(dir, "c.wav"), buf, 38400, 2, 48000, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
	free(buf);
}

static void print_report(const mixdown_dawproject_report *r)
{
	for (size_t i = 0; i < r->n_lost; i++)
		printf("# lost: %s\n", r->lost[i]);
	for (size_t i = 0; i < r->n_missing; i++)
		printf("# missing: %s\n", r->missing[i]);
}

/* project.xml of a .dawproject, written to `out` (for xmllint). */
static int unzip_project(const char *zpath, const char *out)
{
	zip_t *z = zip_open(zpath, ZIP_RDONLY, NULL);
	if (!z)
		return -1;
	zip_stat_t st;
	zip_file_t *f = zip_stat(z, "project.xml", 0, &st) == 0 ? zip_fopen(z, "project.xml", 0) : NULL;
	char *buf = f ? malloc(st.size) : NULL;
	int rc = buf && zip_fread(f, buf, st.size) == (zip_int64_t)st.size ? 0 : -1;
	if (rc == 0) {
		FILE *o = fopen(out, "wb");
		rc = o && fwrite(buf, 1, st.size, o) == st.size ? 0 : -1;
		if (o)
			fclose(o);
	}
	free(buf);
	if (f)
		zip_fclose(f);
	zip_discard(z);
	return rc;
}

static void compare_strip(const mxd_strip *a, const mxd_strip *b)
{
	CHECK_MSG(!strcmp(a->name, b->name), "name %s vs %s", a->name, b->name);
	CHECK_NEAR(a->gain_db, b->gain_db, 0.01);
	CHECK_NEAR(a->pan, b->pan, 1e-9);
	CHECK_INT(a->mute, b->mute);
	CHECK_INT(a->solo, b->solo);
	CHECK_MSG((!a->output && !b->output) || (a->output && b->output && !strcmp(a->output, b->output)),
		  "%s: output differs", a->name);
	CHECK_MSG((!a->color && !b->color) || (a->color && b->color && !strcmp(a->color, b->color)), "%s: colour",
		  a->name);
	CHECK_INT(a->n_clips, b->n_clips);
	for (size_t k = 0; k < a->n_clips && k < b->n_clips; k++) {
		const mxd_clip *x = &a->clips[k], *y = &b->clips[k];
		/* to the sample at 48 kHz */
		CHECK_INT(llround(x->at * 48000), llround(y->at * 48000));
		CHECK_INT(llround(x->offset * 48000), llround(y->offset * 48000));
		double lx = x->length >= 0 ? x->length : (double)x->file_frames / x->file_rate - x->offset;
		double ly = y->length >= 0 ? y->length : (double)y->file_frames / y->file_rate - y->offset;
		CHECK_INT(llround(lx * 48000), llround(ly * 48000));
		CHECK_NEAR(x->fade_in, y->fade_in, 1e-9);
		CHECK_NEAR(x->fade_out, y->fade_out, 1e-9);
		CHECK_NEAR(x->gain_db, y->gain_db, 1e-9);
	}
	CHECK_INT(a->n_sends, b->n_sends);
	for (size_t k = 0; k < a->n_sends && k < b->n_sends; k++) {
		CHECK_MSG(!strcmp(a->sends[k].to, b->sends[k].to), "send %s vs %s", a->sends[k].to, b->sends[k].to);
		CHECK_NEAR(a->sends[k].level_db, b->sends[k].level_db, 0.01);
		CHECK_INT(a->sends[k].pre_fader, b->sends[k].pre_fader);
	}
	CHECK_INT(a->n_inserts, b->n_inserts);
	for (size_t k = 0; k < a->n_inserts && k < b->n_inserts; k++) {
		const mxd_insert *x = &a->inserts[k], *y = &b->inserts[k];
		CHECK_MSG(x->cls == y->cls, "%s: insert %zu type %s vs %s", a->name, k, x->cls->name, y->cls->name);
		if (x->cls != y->cls)
			continue;
		CHECK_INT(x->bypass, y->bypass);
		CHECK_MSG((!x->id && !y->id) || (x->id && y->id && !strcmp(x->id, y->id)), "%s: insert id", a->name);
		for (size_t s = 0; s < x->cls->n_slots; s++)
			CHECK_MSG(fabs(x->values[s] - y->values[s]) < 1e-9, "%s: %s slot %zu: %g vs %g", a->name,
				  x->cls->name, s, x->values[s], y->values[s]);
	}
	CHECK_INT(a->n_lanes, b->n_lanes);
	for (size_t k = 0; k < a->n_lanes && k < b->n_lanes; k++) {
		const mxd_lane *x = &a->lanes[k], *y = &b->lanes[k];
		CHECK_INT(x->target, y->target);
		CHECK_INT(x->index, y->index);
		CHECK_INT(x->n_points, y->n_points);
		for (size_t p = 0; p < x->n_points && p < y->n_points; p++) {
			CHECK_NEAR(x->points[p].time, y->points[p].time, 1e-9);
			CHECK_NEAR(x->points[p].value, y->points[p].value, 1e-6);
			CHECK_INT(x->points[p].curve, y->points[p].curve);
		}
	}
}

static float *render(const mixdown_session *s, const char *out, int64_t *frames)
{
	mixdown_render_options o = mixdown_render_options_init();
	o.output = out;
	o.sample_format = MIXDOWN_SAMPLE_FLOAT32;
	mixdown_error err;
	mixdown_status st = mixdown_render(s, &o, NULL, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "render: %s", err.message);
	int ch = 0;
	return st == MIXDOWN_SUCCESS ? mxt_read_audio(out, frames, &ch, NULL, NULL) : NULL;
}

static void t_roundtrip(void)
{
	const char *dir = mxt_tempdir();
	char d[1024];
	snprintf(d, sizeof d, "%s", dir);
	make_audio(d);
	char spath[1100], ppath[1100], back[1100];
	snprintf(spath, sizeof spath, "%s/song.yaml", d);
	snprintf(ppath, sizeof ppath, "%s/song.dawproject", d);
	snprintf(back, sizeof back, "%s/back.yaml", d);
	CHECK_INT(mxt_write_text(spath, session_yaml), 0);
	mixdown_session *s1 = NULL, *s2 = NULL;
	mixdown_error err;
	mixdown_status st = mixdown_session_load(spath, &s1, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "load: %s", err.message);
	if (st != MIXDOWN_SUCCESS)
		return;
	mixdown_dawproject_report *rep = calloc(1, sizeof *rep);
	st = mixdown_dawproject_export(s1, ppath, false, rep, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "export: %s", err.message);
	print_report(rep);
	CHECK_INT(rep->n_lost, 0);
	CHECK_INT(rep->n_tracks, 3);
	CHECK_INT(rep->n_buses, 2);
	CHECK_INT(rep->n_clips, 4);
	CHECK_INT(rep->n_lanes, 4);
	CHECK_INT(rep->n_inserts, 3);
	/* Exporting over the session itself is refused. */
	CHECK_INT(mixdown_dawproject_export(s1, spath, true, rep, &err), MIXDOWN_ERR_USAGE);

	st = mixdown_dawproject_import(ppath, back, false, rep, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "import: %s", err.message);
	print_report(rep);
	CHECK_INT(rep->n_missing, 0);
	CHECK_INT(rep->n_lost, 0);
	CHECK_INT(rep->n_clips, 4);
	CHECK_INT(rep->n_lanes, 4);
	CHECK(access(mxt_path(d, "back-audio/a.wav"), R_OK) == 0);
	/* A second import without overwrite is refused, the first file kept. */
	CHECK_INT(mixdown_dawproject_import(ppath, back, false, rep, &err), MIXDOWN_ERR_USAGE);
	st = mixdown_session_load(back, &s2, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "load back: %s", err.message);
	if (st == MIXDOWN_SUCCESS) {
		const mxd_session *a = s1, *b = s2;
		CHECK_INT(a->n_tracks, b->n_tracks);
		CHECK_INT(a->n_buses, b->n_buses);
		CHECK_NEAR(a->sample_rate, b->sample_rate, 0);
		CHECK_INT(b->n_tempo, 1);
		if (b->n_tempo)
			CHECK_NEAR(b->tempo[0].bpm, 120, 1e-9);
		for (size_t i = 0; i < a->n_tracks && i < b->n_tracks; i++)
			compare_strip(&a->tracks[i], &b->tracks[i]);
		for (size_t i = 0; i < a->n_buses && i < b->n_buses; i++)
			compare_strip(&a->buses[i], &b->buses[i]);
		compare_strip(&a->master, &b->master);
		int64_t n1 = 0, n2 = 0;
		float *x = render(s1, mxt_path(d, "one.wav"), &n1), *y = render(s2, mxt_path(d, "two.wav"), &n2);
		CHECK_INT(n1, n2);
		double worst = x && y && n1 == n2 ? 0 : 1;
		for (int64_t i = 0; x && y && n1 == n2 && i < 2 * n1; i++)
			worst = fmax(worst, fabs((double)x[i] - y[i]));
		printf("# round trip: %lld frames, largest difference %.3g\n", (long long)n1, worst);
		CHECK(worst <= 1e-6);
		free(x);
		free(y);
	}
	mixdown_session_free(s1);
	mixdown_session_free(s2);

	/* The export validates against Project.xsd: libxml2 in-process, and xmllint. */
	if (access(TESTDATA "/Project.xsd", R_OK) != 0) {
		free(rep);
		SKIP("no %s/Project.xsd", TESTDATA);
		return;
	}
	st = mixdown_dawproject_validate(ppath, TESTDATA "/Project.xsd", &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "validate: line %u: %s", err.line, err.message);
	CHECK_INT(unzip_project(ppath, mxt_path(d, "project.xml")), 0);
	if (system("xmllint --version >/dev/null 2>&1") != 0) {
		free(rep);
		SKIP("xmllint not installed (libxml2-utils)");
		return;
	}
	char cmd[2400];
	snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s' '%s/project.xml' 2>/dev/null", TESTDATA "/Project.xsd",
		 d);
	CHECK_INT(system(cmd), 0);
	free(rep);
}

/* A zip holding the given entries (name, text pairs). */
static int make_zip(const char *path, const char *const *entries, size_t n)
{
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
	if (!z)
		return -1;
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(z, entries[2 * i + 1], strlen(entries[2 * i + 1]), 0);
		if (!s || zip_file_add(z, entries[2 * i], s, 0) < 0)
			return -1;
	}
	return zip_close(z);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) == (size_t)n)
		b[n] = '\0';
	fclose(f);
	return b;
}

static void t_example(void)
{
	const char *ex = TESTDATA "/README-example-project.xml";
	if (access(ex, R_OK) != 0) {
		SKIP("no %s", ex);
		return;
	}
	mixdown_error err;
	CHECK_INT(mixdown_dawproject_validate(ex, TESTDATA "/Project.xsd", &err), MIXDOWN_SUCCESS);
	const char *dir = mxt_tempdir();
	char d[1024];
	snprintf(d, sizeof d, "%s", dir);
	mixdown_dawproject_report *rep = calloc(1, sizeof *rep);
	mixdown_status st = mixdown_dawproject_import(ex, mxt_path(d, "ex.yaml"), false, rep, &err);
	CHECK_MSG(st == MIXDOWN_SUCCESS, "import: %s", err.message);
	CHECK_INT(rep->n_tracks, 2);
	CHECK_INT(rep->n_buses, 0);
	CHECK_INT(rep->n_clips, 0);
	CHECK_INT(rep->n_missing, 1);
	CHECK_STR_CONTAINS(rep->missing[0], "audio/Drumfunk3 170bpm.wav");
	CHECK_INT(rep->n_placeholders, 1);
	CHECK_STR_CONTAINS(rep->placeholders[0], "Surge XT");
	mixdown_session *s = NULL;
	st = mixdown_session_load(mxt_path(d, "ex.yaml"), &s, &err);
	CHECK(st == MIXDOWN_SUCCESS);
	if (s) {
		const mxd_session *m = s;
		CHECK_NEAR(m->tempo[0].bpm, 149, 1e-9);
		/* Volume linear 0.659140 -> 20 log10 = -3.6204 dB; 0.177125 -> -15.0344 dB. */
		CHECK_NEAR(m->tracks[0].gain_db, -3.6204, 0.001);
		CHECK_NEAR(m->tracks[1].gain_db, -15.0344, 0.001);
		CHECK_INT(m->tracks[0].n_inserts, 1);
		CHECK(m->tracks[0].inserts[0].bypass);
	}
	mixdown_session_free(s);
	/* The command: exit 0 with the missing file named; render of it as a .dawproject: exit 2. */
	CHECK_INT(mxt_run_cli("import '%s' -o '%s/cli.yaml'", ex, d), 0);
	CHECK_STR_CONTAINS(mxt_cli_err, "missing audio: audio/Drumfunk3 170bpm.wav");
	char *xml = slurp(ex);
	const char *entries[] = {"project.xml", xml ? xml : ""};
	char zpath[1100];
	snprintf(zpath, sizeof zpath, "%s/example.dawproject", d);
	CHECK_INT(make_zip(zpath, entries, 1), 0);
	CHECK_INT(mxt_run_cli("render '%s' -o '%s/ex.wav'", zpath, d), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "missing audio");
	CHECK(access(mxt_path(d, "ex.wav"), F_OK) != 0);
	free(xml);
	free(rep);
}

static void t_broken(void)
{
	const char *dir = mxt_tempdir();
	char d[1024];
	snprintf(d, sizeof d, "%s", dir);
	mixdown_error err;
	mixdown_dawproject_report *rep = calloc(1, sizeof *rep);
	char p[1100];
	/* A zip without project.xml. */
	const char *only_meta[] = {"metadata.xml", "<MetaData/>"};
	snprintf(p, sizeof p, "%s/nop.dawproject", d);
	CHECK_INT(make_zip(p, only_meta, 1), 0);
	CHECK_INT(mixdown_dawproject_import(p, mxt_path(d, "a.yaml"), false, rep, &err), MIXDOWN_ERR_SESSION);
	CHECK_STR_CONTAINS(err.message, "no project.xml");
	/* Malformed XML: the line of the problem. */
	const char *bad[] = {"project.xml", "<?xml version=\"1.0\"?>\n<Project version=\"1.0\">\n"
					    "  <Application name=\"x\" version=\"1\"/>\n  <Structure>\n"
					    "    <Track id=\"t1\" name=\"A\">\n  </Structure>\n</Project>\n"};
	snprintf(p, sizeof p, "%s/bad.dawproject", d);
	CHECK_INT(make_zip(p, bad, 1), 0);
	CHECK_INT(mixdown_dawproject_import(p, mxt_path(d, "b.yaml"), false, rep, &err), MIXDOWN_ERR_SESSION);
	CHECK_INT(err.line, 6);
	CHECK_STR_CONTAINS(err.message, "malformed XML");
	CHECK_INT(mxt_run_cli("import '%s' -o '%s/b.yaml'", p, d), 2);
	CHECK_STR_CONTAINS(mxt_cli_err, "bad.dawproject:6:");
	/* A unit outside Project.xsd's enumeration, and one that cannot be a volume. */
	const char *units[] = {"project.xml", "<?xml version=\"1.0\"?>\n<Project version=\"1.0\">\n"
					      "  <Application name=\"x\" version=\"1\"/>\n  <Structure>\n"
					      "    <Track id=\"t1\" name=\"A\"><Channel id=\"c1\" role=\"regular\">\n"
					      "      <Volume id=\"v1\" unit=\"furlongs\" value=\"1\"/>\n"
					      "    </Channel></Track>\n  </Structure>\n</Project>\n"};
	snprintf(p, sizeof p, "%s/unit.dawproject", d);
	CHECK_INT(make_zip(p, units, 1), 0);
	CHECK_INT(mixdown_dawproject_import(p, mxt_path(d, "c.yaml"), false, rep, &err), MIXDOWN_ERR_SESSION);
	CHECK_INT(err.line, 6);
	CHECK_STR_CONTAINS(err.message, "unknown unit \"furlongs\"");
	CHECK_STR_CONTAINS(err.key, "Volume");
	const char *hz[] = {"project.xml", "<?xml version=\"1.0\"?>\n<Project version=\"1.0\">\n"
					   "  <Application name=\"x\" version=\"1\"/>\n  <Structure>\n"
					   "    <Track id=\"t1\" name=\"A\"><Channel id=\"c1\" role=\"regular\">\n\n"
					   "      <Volume id=\"v1\" unit=\"hertz\" value=\"1\"/>\n"
					   "    </Channel></Track>\n  </Structure>\n</Project>\n"};
	CHECK_INT(make_zip(p, hz, 1), 0);
	CHECK_INT(mixdown_dawproject_import(p, mxt_path(d, "c.yaml"), false, rep, &err), MIXDOWN_ERR_SESSION);
	CHECK_INT(err.line, 7);
	CHECK_STR_CONTAINS(err.message, "unit \"hertz\" cannot express");
	CHECK(access(mxt_path(d, "c.yaml"), F_OK) != 0);
	free(rep);
}

/* The command line: export, then render the .dawproject directly = render of the session. */
static void t_cli(void)
{
	const char *dir = mxt_tempdir();
	char d[1024];
	snprintf(d, sizeof d, "%s", dir);
	make_audio(d);
	CHECK_INT(mxt_write_text(mxt_path(d, "song.yaml"), session_yaml), 0);
	CHECK_INT(mxt_run_cli("export '%s/song.yaml' -o '%s/song.dawproject' --json", d, d), 0);
	CHECK_STR_CONTAINS(mxt_cli_out, "\"clips\": 4");
	CHECK_INT(mxt_run_cli("export '%s/song.yaml' -o '%s/song.dawproject'", d, d), 2); /* exists */
	int rc = mxt_run_cli("render '%s/song.yaml' -o '%s/mix1.wav' --bits 32f -q", d, d);
	CHECK_MSG(rc == 0, "render: %d %s", rc, mxt_cli_err);
	CHECK_INT(mxt_run_cli("render '%s/song.dawproject' -o '%s/mix2.wav' --bits 32f -q", d, d), 0);
	int64_t na = 0, nb = 0;
	float *a = mxt_read_audio(mxt_path(d, "mix1.wav"), &na, NULL, NULL, NULL);
	float *b = mxt_read_audio(mxt_path(d, "mix2.wav"), &nb, NULL, NULL, NULL);
	CHECK(a && b);
	CHECK_INT(na, nb);
	double worst = 0;
	for (int64_t i = 0; a && b && na == nb && i < 2 * na; i++)
		worst = fmax(worst, fabs((double)a[i] - b[i]));
	CHECK(worst <= 1e-6);
	free(a);
	free(b);
	CHECK_INT(mxt_run_cli("import '%s/song.dawproject' -o '%s/song.dawproject'", d, d), 2); /* over itself */
	CHECK_INT(mxt_run_cli("import"), 2);
}

int main(void)
{
	static const mxt_case cases[] = {MXT(t_roundtrip), MXT(t_example), MXT(t_broken), MXT(t_cli)};
	return MXT_RUN(cases);
}
