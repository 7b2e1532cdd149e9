/* mixdown — the LV2 host when mixdown is built without lilv: every call fails with
 * "this mixdown was built without LV2" (see fx_lv2.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 * Threads: any.
 */
#include "fx/fx_lv2.h"
#include "mixdown/mixdown.h"

static const char why[] = "this mixdown was built without LV2 (install liblilv-dev and rebuild)";

const mxd_fx_class *mxd_lv2_class(const char *uri, char *err, size_t err_size)
{
	(void)uri;
	if (err && err_size)
		snprintf(err, err_size, "%s", why);
	return NULL;
}

bool mxd_lv2_is_class(const mxd_fx_class *cls)
{
	(void)cls;
	return false;
}

const char *mxd_lv2_class_uri(const mxd_fx_class *cls)
{
	(void)cls;
	return NULL;
}

int mxd_lv2_state_values(const mxd_fx_class *cls, const char *path, double *values, char *err, size_t err_size)
{
	(void)cls, (void)path, (void)values;
	if (err && err_size)
		snprintf(err, err_size, "%s", why);
	return -1;
}

int mxd_lv2_list(FILE *out, FILE *err)
{
	(void)out;
	fprintf(err, "mixdown: %s\n", why);
	return -1;
}

int mxd_lv2_info(const char *uri, FILE *out, FILE *err)
{
	(void)uri;
	return mxd_lv2_list(out, err);
}

/* The public names (mixdown.h) of the two above. */
int mixdown_lv2_list(FILE *out, FILE *err)
{
	return mxd_lv2_list(out, err);
}

int mixdown_lv2_info(const char *uri, FILE *out, FILE *err)
{
	return mxd_lv2_info(uri, out, err);
}
