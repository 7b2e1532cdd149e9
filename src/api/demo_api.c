/* mixdown — public entry to the demo song generator.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "demo/demo.h"
#include "session/model.h"

mixdown_status mixdown_demo_write(const char *dir, mixdown_error *err)
{
	char msg[512] = "";
	if (mxd_demo_write(dir, msg, sizeof msg) != 0)
		return mxd_fail(err, MIXDOWN_ERR_IO, dir, (mxd_loc){ 0, 0 }, NULL, "%s", msg[0] ? msg : "demo failed");
	return MIXDOWN_SUCCESS;
}
