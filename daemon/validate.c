// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <stddef.h>

#include "macro.h"

#include "owners.h"
#include "validate.h"

#define ATTR_VALUE_MAX 4096

const char *validate_quote(const char *s, char buf[static 48])
{
	size_t i;

	for (i = 0; s[i] && i < 40; i++)
		buf[i] = isprint((unsigned char) s[i]) ? s[i] : '?';
	strcpy(buf + i, s[i] ? "..." : "");
	return buf;
}

int validate_name(const char *what, const char *value, GvtError *e)
{
	char q[48];

	if (isempty(value))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "No %s given", what);
	if (!gvt_name_is_valid(value))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid %s \"%s\": expected 1 to %d of A-Z a-z 0-9 . _ : + -, not \".\" or \"..\"",
				     what, validate_quote(value, q), GVT_NAME_MAX);
	return 0;
}

int validate_uuid(const char *value, char ret[GVT_UUID_STRING_MAX], GvtError *e)
{
	char q[48];

	if (gvt_uuid_normalize(value, ret) < 0)
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid UUID \"%s\": expected 8-4-4-4-12 hexadecimal digits, "
				     "e.g. 0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1", validate_quote(strempty(value), q));
	return 0;
}

int validate_owner(const char *value, GvtError *e)
{
	char q[48];

	if (!owner_name_is_valid(value))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid owner \"%s\": expected a user name (a-z 0-9 _ . -, at most %d characters)",
				     validate_quote(strempty(value), q), OWNER_NAME_MAX);
	return 0;
}

/* Files every device directory has, which a write would act on (remove, uevent) or which are no attribute. */
static const char *const device_files[] = {
	"remove", "uevent", "power", "subsystem", "driver", "driver_override", "mdev_type", "iommu_group",
	"intel_vgpu", "vfio-dev", "firmware_node", "of_node",
};

bool attr_name_is_safe(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, ATTR_NAME_MAX + 1);
	if (n == 0 || n > ATTR_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(device_files); i++)
		if (streq(name, device_files[i]))
			return false;
	return true;
}

int validate_attr_name(const char *name, GvtError *e)
{
	char q[48];

	if (isempty(name))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "No attribute name given");
	if (!attr_name_is_safe(name))
		return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
				     "Invalid attribute name \"%s\": expected 1 to %d of a-z 0-9 _ -, the name of one of the "
				     "vGPU type's own attributes, not remove, uevent or another file of every device",
				     validate_quote(name, q), ATTR_NAME_MAX);
	return 0;
}

int validate_attrs(const Attr *attrs, size_t n, GvtError *e)
{
	char q[48];
	int r;

	for (size_t i = 0; i < n; i++) {
		r = validate_attr_name(attrs[i].name, e);
		if (r < 0)
			return r;
		if (strnlen(attrs[i].value, ATTR_VALUE_MAX + 1) > ATTR_VALUE_MAX)
			return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT, "Value of attribute %s is longer than %d bytes",
					     attrs[i].name, ATTR_VALUE_MAX);
		for (const char *c = attrs[i].value; *c; c++)
			if (!isprint((unsigned char) *c))
				return gvt_error_set(e, GVT_ERROR_INVALID_ARGUMENT,
						     "Value \"%s\" of attribute %s has a non-printable character",
						     validate_quote(attrs[i].value, q), attrs[i].name);
	}
	return 0;
}
