/* mixdown — status strings and error records.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mixdown/mixdown.h"
#include "session/model.h"

const char *mixdown_strerror(mixdown_status st)
{
	switch (st) {
	case MIXDOWN_SUCCESS: return "success";
	case MIXDOWN_ERR_NOMEM: return "out of memory";
	case MIXDOWN_ERR_USAGE: return "invalid usage";
	case MIXDOWN_ERR_SESSION: return "invalid session";
	case MIXDOWN_ERR_AUDIO: return "audio file error";
	case MIXDOWN_ERR_IO: return "output error";
	case MIXDOWN_ERR_INTERNAL: return "internal error";
	case MIXDOWN_ERR_CANCELLED: return "cancelled";
	}
	return "unknown status";
}

mixdown_status mxd_fail(mixdown_error *err, mixdown_status st, const char *file, mxd_loc loc,
			const char *key, const char *fmt, ...)
{
	if (!err)
		return st;
	memset(err, 0, sizeof *err);
	if (file)
		snprintf(err->file, sizeof err->file, "%s", file);
	err->line = loc.line;
	err->column = loc.column;
	if (key)
		snprintf(err->key, sizeof err->key, "%s", key);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return st;
}

void mixdown_error_format(const mixdown_error *err, char *buf, size_t size)
{
	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!err)
		return;
	char where[600] = "";
	if (err->file[0] && err->line)
		snprintf(where, sizeof where, "%s:%u:%u: ", err->file, err->line, err->column);
	else if (err->file[0])
		snprintf(where, sizeof where, "%s: ", err->file);
	snprintf(buf, size, "%s%s%s%s", where, err->key, err->key[0] ? ": " : "", err->message);
}
