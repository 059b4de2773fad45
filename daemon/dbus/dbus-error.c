// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "dbus.h"
#include "gvt-dbus.h"

int bus_error_from_gvt(sd_bus_error *ret, int r, const GvtError *e)
{
	const char *message;
	GvtErrorKind kind = gvt_error_resolve(r, e, &message);
	char name[128];

	snprintf(name, sizeof(name), GVT_ERROR_PREFIX "%s", gvt_error_kind_to_string(kind));
	return sd_bus_error_set(ret, name, message);
}
