/* TEMPORARY (removed before commit): weak stand-ins while the real ones are written. */
#include "analysis/analysis.h"
#define W __attribute__((weak))
W const mixdown_target *mixdown_target_find(const char *n) { (void)n; return NULL; }
W size_t mixdown_target_builtin_count(void) { return 0; }
W const mixdown_target *mixdown_target_builtin(size_t i) { (void)i; return NULL; }
W int mixdown_analysis_compare_file(mixdown_analysis *a, const mixdown_analysis *r) { (void)a; (void)r; return 0; }
W int mixdown_analysis_compare_target(mixdown_analysis *a, const mixdown_target *t) { (void)a; (void)t; return 0; }
W int mixdown_analysis_feedback(mixdown_analysis *a) { (void)a; return 0; }
W int mixdown_analysis_write_html(const mixdown_analysis *const *a, size_t n, const mixdown_multitrack_analysis *m, FILE *f) { (void)a; (void)n; (void)m; (void)f; return -1; }
W mixdown_status mixdown_target_load(const char *p, mixdown_target *o, mixdown_error *e) { (void)p; (void)o; (void)e; return MIXDOWN_ERR_USAGE; }
#include "master/match.h"
W mixdown_status mxd_match_design(const char *i, const char *r, double a, mxd_match **o, mixdown_error *e) { (void)i; (void)r; (void)a; (void)e; *o = NULL; return MIXDOWN_ERR_USAGE; }
W uint32_t mxd_match_latency(const mxd_match *m) { (void)m; return 0; }
W void mxd_match_process(mxd_match *m, const float *const *in, float *const *out, uint32_t n) { (void)m; (void)in; (void)out; (void)n; }
W void mxd_match_reset(mxd_match *m) { (void)m; }
W void mxd_match_curve(const mxd_match *m, double a[MIXDOWN_BANDS], double b[MIXDOWN_BANDS]) { (void)m; (void)a; (void)b; }
W void mxd_match_free(mxd_match *m) { (void)m; }
