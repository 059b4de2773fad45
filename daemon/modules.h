/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Load order. gvtd owns it because nobody else can: gvt_mdev needs gvt_base's
 * snapshot, and nothing may request_module() its way around that.
 *
 *   sim:   vfio, vfio_iommu_type1, mdev -> gvt_base -> snapshot published
 *          -> gvt_mdev -> mdev parents present
 *   kvmgt: i915 loaded with enable_gvt -> kvmgt, vfio_iommu_type1, mdev
 *          -> mdev parents present
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "errors.h"

typedef struct Manager Manager;

typedef enum StepKind {
	STEP_MODULE,              /* insert a module */
	STEP_CHECK_I915,          /* i915 loaded with enable_gvt=Y */
	STEP_WAIT_SNAPSHOT,       /* gvt_base published golden_hw_state */
	STEP_WAIT_PARENTS,        /* an mdev parent exists */
	_STEP_KIND_MAX,
} StepKind;

typedef enum StepState {
	STEP_PENDING,
	STEP_IN_PROGRESS,
	STEP_DONE,
	STEP_FAILED,
	STEP_UNLOADED,
	_STEP_STATE_MAX,
} StepState;

typedef enum ModulesState {
	MODULES_IDLE,             /* nothing attempted yet */
	MODULES_LOADING,
	MODULES_READY,
	MODULES_FAILED,
	MODULES_UNLOADING,
	MODULES_UNLOADED,
	_MODULES_STATE_MAX,
} ModulesState;

typedef struct ModuleStep {
	StepKind kind;
	char name[32];            /* module name, or what is waited for */
	char *path;               /* STEP_MODULE from --module-dir: the .ko file */
	char *options;            /* module parameters */
	StepState state;
	char reason[GVT_ERROR_MESSAGE_MAX];
} ModuleStep;

#define MODULES_STEPS_MAX 8

typedef void (*ModulesDone)(Manager *m, int r, const GvtError *e, void *userdata);

typedef struct Modules {
	Profile profile;          /* resolved: never auto once planned */
	ModulesState state;
	ModuleStep steps[MODULES_STEPS_MAX];
	size_t n_steps;
	size_t current;
	uint64_t wait_deadline;
	sd_event_source *timer;
	struct kmod_ctx *kmod;
	struct {
		ModulesDone done;
		void *userdata;
	} waiters[8];
	size_t n_waiters;
	char error[GVT_ERROR_MESSAGE_MAX];  /* why the last load failed */
} Modules;

const char *step_kind_to_string(StepKind k);
const char *step_state_to_string(StepState s);
const char *modules_state_to_string(ModulesState s);

/* auto -> kvmgt if a GVT-capable Intel GPU is on the PCI bus below root, else sim or error. */
int modules_resolve_profile(const Config *c, Profile *ret, GvtError *e);

/* Fills the step list for a resolved profile; no side effects. */
int modules_plan(Modules *mods, Profile profile, const char *module_dir, const char *gvt_base_options);
void modules_done(Modules *mods);

/* Resolves the configured profile and plans it; on failure the state is failed with the reason. */
int modules_setup(Manager *m, GvtError *e);

/*
 * Runs the plan, asynchronously where it waits. done (if set) runs once it
 * finishes, also when it finishes at once. Already ready: done(0) at once.
 */
int modules_load(Manager *m, ModulesDone done, void *userdata, GvtError *e);
/*
 * Nothing to do for a load (the modules are ready) or an unload (nothing is
 * loaded): answered at once, without asking who the caller is.
 */
bool modules_request_is_noop(const Modules *mods, bool load);
/* The profile in effect: the one planned, else the configured one (maybe auto). */
Profile modules_profile(const Manager *m);
/* Reverse order; refused (Busy) while vGPUs exist. */
int modules_unload(Manager *m, GvtError *e);

/* Intel device ids of the generations GVT-g supports (Broadwell .. Comet Lake). */
bool gvt_capable_device_id(unsigned device);
