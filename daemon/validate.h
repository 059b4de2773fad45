/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The checks of what a caller names, with messages a person can act on.
 * The core runs them on every operation; adapters run the same ones first
 * when malformed input must be reported even to callers who may not act.
 */
#pragma once

#include <stdbool.h>

#include "errors.h"
#include "mdevctl.h"
#include "sysfs.h"

/* A parent or type name (what names a file in sysfs); what says what it is in the message. */
int validate_name(const char *what, const char *value, GvtError *e);
/* Normalized into ret. */
int validate_uuid(const char *value, char ret[GVT_UUID_STRING_MAX], GvtError *e);
/* A user name as useradd accepts it. */
int validate_owner(const char *value, GvtError *e);
#define ATTR_NAME_MAX 64

/*
 * An attribute name gvtd writes into a vGPU's sysfs directory, wherever it
 * comes from (a caller, a definition file): 1 to ATTR_NAME_MAX of a-z 0-9 _ -
 * (no slash, no dot, so never ".."; the - of mdevctl's own examples), and none of the files every device has
 * (remove, uevent, power, driver, subsystem, mdev_type, iommu_group...).
 */
bool attr_name_is_safe(const char *name);
int validate_attr_name(const char *name, GvtError *e);
/* Names: attr_name_is_safe(); values: printable, at most 4 KiB. */
int validate_attrs(const Attr *attrs, size_t n, GvtError *e);

/* Shows a caller's string safely in a message: printable ASCII only, cut short. */
const char *validate_quote(const char *s, char buf[static 48]);
