/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Validated path building and attribute access. Every path gvtd touches is
 * root + a fixed base + components that passed gvt_name_is_valid(), so no
 * string from a caller reaches the file system unchecked.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#define GVT_NAME_MAX 128
#define GVT_UUID_STRING_MAX 37

/* Fixed bases below the root prefix. */
#define SYSFS_MDEV_BUS "sys/class/mdev_bus"
#define SYSFS_MDEV_DEVICES "sys/bus/mdev/devices"
#define SYSFS_MODULES "sys/module"
#define SYSFS_PCI_DEVICES "sys/bus/pci/devices"
#define SYSFS_TYPES_DIR "mdev_supported_types"

/* One path component: 1..GVT_NAME_MAX of [A-Za-z0-9._:+-], not "." or "..". */
bool gvt_name_is_valid(const char *s);

/* 8-4-4-4-12 hex digits; writes the lowercase form (as sysfs names the device). */
int gvt_uuid_normalize(const char *s, char ret[GVT_UUID_STRING_MAX]);
int gvt_uuid_generate(char ret[GVT_UUID_STRING_MAX]);

/*
 * root/base/component/... for a NULL-terminated list of components, each of
 * which must pass gvt_name_is_valid(); -EINVAL otherwise. root "" means "/".
 */
int sysfs_path(char **ret, const char *root, const char *base, ...) __attribute__((sentinel));

/* Whole attribute, trailing newlines removed. */
int sysfs_read(const char *path, char **ret);
int sysfs_read_uint(const char *path, unsigned *ret);
/* Writes value in one write(2), as sysfs wants; never creates the file. */
int sysfs_write(const char *path, const char *value);
/* A symlink's target, as written (relative ones stay relative). */
int sysfs_read_link(const char *path, char buf[static PATH_MAX]);
/* The last component of a symlink's target. */
int sysfs_read_link_name(const char *path, char **ret);
