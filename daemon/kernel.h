/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel seam: every sysfs (and /proc) read and write the core makes
 * outside the inventory's scan goes through here, by what it means: create
 * and remove a vGPU, set its attribute, a module's parameter, a PCI
 * function's identity, BAR and config space. Paths are built from validated
 * names only (sysfs.c). Each returns 0 or -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The mdev ABI: PARENT/mdev_supported_types/TYPE/create, DEVICE/remove, DEVICE/ATTR. */
int kernel_vgpu_create(const char *root, const char *parent, const char *type, const char *uuid);
int kernel_vgpu_remove(const char *root, const char *uuid);
int kernel_vgpu_set_attr(const char *root, const char *uuid, const char *name, const char *value);

/* /sys/module/NAME exists. */
bool kernel_module_is_loaded(const char *root, const char *name);
/* /sys/module/NAME/parameters/PARAM. */
int kernel_module_parameter(const char *root, const char *module, const char *param, char **ret);
int kernel_module_parameter_uint(const char *root, const char *module, const char *param, unsigned *ret);
/* A device bound to gvt_base has published golden_hw_state. */
bool kernel_snapshot_published(const char *root);

/* A PCI display controller (class 0x03) of vendor whose device id capable() accepts (NULL: any). */
bool kernel_have_pci_gpu(const char *root, unsigned vendor, bool (*capable)(unsigned device));
/* BAR bar's first and last address (the "resource" file). */
int kernel_pci_bar(const char *root, const char *dev, unsigned bar, unsigned long long *ret_start,
		   unsigned long long *ret_end);
/* n bytes of config space from offset. */
int kernel_pci_config(const char *root, const char *dev, long offset, void *buf, size_t n);

/* ROOT/proc/cmdline, the kernel's command line. */
int kernel_cmdline(const char *root, char **ret);
/* /proc/PID/comm. */
int kernel_process_name(uint32_t pid, char **ret);
/* /proc/PID/cmdline: NUL-separated arguments, at most KERNEL_CMDLINE_MAX bytes of them (NUL-terminated). */
#define KERNEL_CMDLINE_MAX (64 * 1024)
int kernel_process_cmdline(uint32_t pid, char **ret, size_t *ret_len);
