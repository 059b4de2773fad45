// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "dbus.h"
#include "gvt-dbus.h"

int bus_error_from_gvt(sd_bus_error *ret, int r, const GvtError *e)
{
	GvtErrorKind kind = e && e->kind != GVT_ERROR_NONE ? e->kind : gvt_error_kind_from_errno(r);
	const char *message = e && e->kind != GVT_ERROR_NONE ? e->message : strerror(r < 0 ? -r : r);
	char name[128];

	if (kind == GVT_ERROR_NONE)
		kind = GVT_ERROR_FAILED;
	snprintf(name, sizeof(name), GVT_ERROR_PREFIX "%s", gvt_error_kind_to_string(kind));
	return sd_bus_error_set(ret, name, message);
}
