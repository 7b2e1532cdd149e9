/* mixdown — DAWproject functions in builds without libxml2 or libzip: every
 * call fails with MIXDOWN_ERR_USAGE and says why. Control thread only.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "mixdown/mixdown.h"
#include "session/model.h"

static mixdown_status unavailable(mixdown_error *err)
{
	return mxd_fail(err, MIXDOWN_ERR_USAGE, NULL, (mxd_loc){0, 0}, NULL,
			"DAWproject support is not built in (needs libxml2 and libzip)");
}

mixdown_status mixdown_dawproject_import(const char *project, const char *session_path, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err)
{
	(void)project, (void)session_path, (void)overwrite;
	if (report)
		memset(report, 0, sizeof *report);
	return unavailable(err);
}

mixdown_status mixdown_dawproject_export(const mixdown_session *session, const char *project, bool overwrite,
					 mixdown_dawproject_report *report, mixdown_error *err)
{
	(void)session, (void)project, (void)overwrite;
	if (report)
		memset(report, 0, sizeof *report);
	return unavailable(err);
}

mixdown_status mixdown_dawproject_validate(const char *project, const char *xsd_path, mixdown_error *err)
{
	(void)project, (void)xsd_path;
	return unavailable(err);
}
