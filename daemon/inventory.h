/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the mdev sysfs ABI says exists: parents, their types (description
 * parsed into sizes), and vGPUs. Kept true to sysfs by rescanning on uevents.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "sysfs.h"

typedef struct MdevTypeDescription {
	unsigned low_gm_mib;      /* aperture */
	unsigned high_gm_mib;     /* hidden GM */
	unsigned fences;
	unsigned weight;
	char resolution[32];
} MdevTypeDescription;

typedef struct MdevType {
	char *name;               /* directory name, e.g. "gvt_base-GVTg_V5_4" */
	char *pretty_name;        /* the "name" attribute */
	char *device_api;
	bool described;           /* desc holds a parsed description */
	MdevTypeDescription desc;
	unsigned available;
} MdevType;

typedef struct Parent {
	char *name;               /* device name, e.g. "0000:00:02.0" */
	char *driver;
	MdevType *types;
	size_t n_types;
} Parent;

typedef enum VgpuState {
	VGPU_ACTIVE,              /* the mdev device exists */
	VGPU_REMOVING,            /* exists, and the kernel holds gvtd's removal (device-ops.c) */
	_VGPU_STATE_MAX,
} VgpuState;

typedef struct Vgpu {
	char uuid[GVT_UUID_STRING_MAX];
	char *parent;
	char *type;
	VgpuState state;
	bool has_vgpu_id;
	unsigned vgpu_id;
	bool described;           /* desc copied from the parent's type */
	MdevTypeDescription desc;
} Vgpu;

typedef struct Inventory {
	Parent **parents;
	size_t n_parents;
	Vgpu **vgpus;
	size_t n_vgpus;
} Inventory;

const char *vgpu_state_to_string(VgpuState s);

/* Parses the kvmgt description format; -EBADMSG if a field is missing or malformed. */
int mdev_type_description_parse(const char *s, MdevTypeDescription *ret);

/* Reads the whole inventory below root. Entries with invalid names are skipped and logged.
 * With cache, a type it has keeps its fixed attributes (name, device_api, description):
 * only available_instances is read again. */
int inventory_scan(const char *root, const Inventory *cache, Inventory *ret);
void inventory_done(Inventory *inv);

Parent *inventory_find_parent(const Inventory *inv, const char *name);
Vgpu *inventory_find_vgpu(const Inventory *inv, const char *uuid);
MdevType *parent_find_type(const Parent *p, const char *type);
/*
 * The type on parent or, with the parent away (modules unloaded), the same
 * type on any parent: the sizes are the same. NULL if none offers it.
 */
const MdevType *inventory_find_type_anywhere(const Inventory *inv, const char *parent, const char *type);
/* The parents offering a type of this name, for "which parent?" questions. */
size_t inventory_count_parents_with_type(const Inventory *inv, const char *type);

/* What changed between two scans, reported per object. */
typedef struct InventoryDiffOps {
	void (*vgpu_added)(const Vgpu *v, void *userdata);
	void (*vgpu_removed)(const Vgpu *v, void *userdata);
	void (*vgpu_changed)(const Vgpu *old, const Vgpu *v, void *userdata);
	void (*parent_added)(const Parent *p, void *userdata);
	void (*parent_removed)(const Parent *p, void *userdata);
	void (*parent_changed)(const Parent *p, void *userdata);
} InventoryDiffOps;

void inventory_diff(const Inventory *old, const Inventory *new, const InventoryDiffOps *ops, void *userdata);

/* Building blocks of a partial rescan (inventory-watch.c). */
void vgpu_free(Vgpu *v);
DEFINE_TRIVIAL_CLEANUP_FUNC(Vgpu *, vgpu_free)
int inventory_push(void ***array, size_t *n, void *item);
/* The valid names in a sysfs directory, sorted. */
int inventory_list_names(const char *path, char ***ret, size_t *ret_n);
void inventory_names_free(char **names, size_t n);
int inventory_read_available(const char *root, const char *parent, const char *type, unsigned *ret);
/* One vGPU device; *ret NULL if it is not (yet) whole. */
int inventory_scan_vgpu(const char *root, const char *name, const Inventory *cache, Vgpu **ret);
/* Copies the description of the vGPU's type from inv. */
void inventory_describe_vgpu(const Inventory *inv, Vgpu *v);
bool inventory_vgpu_equal(const Vgpu *a, const Vgpu *b);
