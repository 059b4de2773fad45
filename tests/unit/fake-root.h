/* SPDX-License-Identifier: GPL-2.0-only */
/* Scratch sysfs trees made by fake-sysfs.sh (path in $FAKE_SYSFS) for tests that read or write them. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A new tree with one parent; more with fake_root_add_parent(). Aborts the test run on failure. */
static inline char *fake_root_new(void)
{
	char tmpl[] = "/tmp/gvtd-test-XXXXXX", cmd[512];
	char *root = mkdtemp(tmpl);

	if (!root || !getenv("FAKE_SYSFS"))
		abort();
	snprintf(cmd, sizeof(cmd), "'%s' '%s'", getenv("FAKE_SYSFS"), root);
	if (system(cmd) != 0)
		abort();
	return strdup(root);
}

static inline void fake_root_add_parent(const char *root, const char *parent, const char *driver)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' '%s'", getenv("FAKE_SYSFS"), root, parent, driver);
	if (system(cmd) != 0)
		abort();
}

/* Makes a vGPU appear as the mdev core would show it. */
static inline void fake_root_add_vgpu(const char *root, const char *parent, const char *type, const char *uuid)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "d='%1$s/sys/devices/pci0000:00/%2$s/%4$s' && mkdir -p \"$d/intel_vgpu\" && echo 3 >\"$d/intel_vgpu/vgpu_id\" && "
		 ": >\"$d/remove\" && ln -s '../mdev_supported_types/%3$s' \"$d/mdev_type\" && "
		 "ln -s '../../../devices/pci0000:00/%2$s/%4$s' '%1$s/sys/bus/mdev/devices/%4$s'",
		 root, parent, type, uuid);
	if (system(cmd) != 0)
		abort();
}

static inline void fake_root_write(const char *root, const char *relpath, const char *value)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, relpath);
	f = fopen(path, "we");
	if (!f)
		abort();
	fputs(value, f);
	fclose(f);
}

static inline void fake_root_free(char *root)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		abort();
	free(root);
}
