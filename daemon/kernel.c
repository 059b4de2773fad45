// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io.h"
#include "kernel.h"
#include "macro.h"
#include "sysfs.h"

int kernel_vgpu_create(const char *root, const char *parent, const char *type, const char *uuid)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MDEV_BUS, parent, SYSFS_TYPES_DIR, type, "create", NULL);
	return r < 0 ? r : sysfs_write(path, uuid);
}

int kernel_vgpu_remove(const char *root, const char *uuid)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MDEV_DEVICES, uuid, "remove", NULL);
	return r < 0 ? r : sysfs_write(path, "1");
}

int kernel_vgpu_set_attr(const char *root, const char *uuid, const char *name, const char *value)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MDEV_DEVICES, uuid, name, NULL);
	return r < 0 ? r : sysfs_write(path, value);
}

int kernel_module_parameter(const char *root, const char *module, const char *param, char **ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MODULES, module, "parameters", param, NULL);
	return r < 0 ? r : sysfs_read(path, ret);
}

int kernel_module_parameter_uint(const char *root, const char *module, const char *param, unsigned *ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = sysfs_path(&path, root, SYSFS_MODULES, module, "parameters", param, NULL);
	return r < 0 ? r : sysfs_read_uint(path, ret);
}

int kernel_pci_bar(const char *root, const char *dev, unsigned bar, unsigned long long *ret_start,
		   unsigned long long *ret_end)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	unsigned long long start = 0, end = 0, flags;

	if (sysfs_path(&path, root, SYSFS_PCI_DEVICES, dev, "resource", NULL) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	for (unsigned i = 0; i <= bar; i++)
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			return -ENODATA;
	*ret_start = start;
	*ret_end = end;
	return 0;
}

int kernel_pci_config(const char *root, const char *dev, long offset, void *buf, size_t n)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_fclose_ FILE *f = NULL;

	if (sysfs_path(&path, root, SYSFS_PCI_DEVICES, dev, "config", NULL) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fseek(f, offset, SEEK_SET) < 0 || fread(buf, 1, n, f) != n)
		return -ENODATA;
	return 0;
}

int kernel_process_name(uint32_t pid, char **ret)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	return sysfs_read(path, ret);
}

int kernel_cmdline(const char *root, char **ret)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/cmdline", isempty(root) ? "" : root);
	return sysfs_read(path, ret);
}

int kernel_process_cmdline(uint32_t pid, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(KERNEL_CMDLINE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	r = io_read_full(fd, buf, KERNEL_CMDLINE_MAX, ret_len);
	if (r < 0)
		return r;
	buf[*ret_len] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

static int read_hex(const char *root, const char *dev, const char *attr, unsigned *ret)
{
	_cleanup_free_ char *path = NULL, *s = NULL;
	char *end;
	int r;

	r = sysfs_path(&path, root, SYSFS_PCI_DEVICES, dev, attr, NULL);
	if (r < 0)
		return r;
	r = sysfs_read(path, &s);
	if (r < 0)
		return r;
	errno = 0;
	*ret = strtoul(s, &end, 16);
	return errno || end == s || *end ? -EBADMSG : 0;
}

bool kernel_have_pci_gpu(const char *root, unsigned want_vendor, bool (*capable)(unsigned device))
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (sysfs_path(&path, root, SYSFS_PCI_DEVICES, NULL) < 0)
		return false;
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		unsigned vendor, device, class;

		if (!gvt_name_is_valid(de->d_name) || de->d_name[0] == '.')
			continue;
		if (read_hex(root, de->d_name, "vendor", &vendor) < 0 || vendor != want_vendor ||
		    read_hex(root, de->d_name, "class", &class) < 0 || (class >> 16) != 0x03 ||
		    read_hex(root, de->d_name, "device", &device) < 0)
			continue;
		if (!capable || capable(device))
			return true;
	}
	return false;
}

bool kernel_module_is_loaded(const char *root, const char *name)
{
	_cleanup_free_ char *path = NULL;

	return sysfs_path(&path, root, SYSFS_MODULES, name, NULL) >= 0 && access(path, F_OK) >= 0;
}
/* A device bound to gvt_base with golden_hw_state: the snapshot is published. */
bool kernel_snapshot_published(const char *root)
{
	_cleanup_free_ char *drivers = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (sysfs_path(&drivers, root, SYSFS_MODULES, "gvt_base", "drivers", NULL) < 0)
		return false;
	d = opendir(drivers);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		_cleanup_free_ char *dir = NULL;
		_cleanup_closedir_ DIR *dd = NULL;
		struct dirent *dev;

		if (!gvt_name_is_valid(de->d_name) ||
		    sysfs_path(&dir, root, SYSFS_MODULES, "gvt_base", "drivers", de->d_name, NULL) < 0)
			continue;
		dd = opendir(dir);
		if (!dd)
			continue;
		while ((dev = readdir(dd))) {
			_cleanup_free_ char *attr = NULL;

			if (!gvt_name_is_valid(dev->d_name) ||
			    sysfs_path(&attr, root, SYSFS_MODULES, "gvt_base", "drivers", de->d_name, dev->d_name,
				       "golden_hw_state", NULL) < 0)
				continue;
			if (access(attr, F_OK) >= 0)
				return true;
		}
	}
	return false;
}

