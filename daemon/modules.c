// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "inventory.h"
#include "kernel.h"
#include "log.h"
#include "macro.h"
#include "manager.h"
#include "modules.h"

#define WAIT_POLL_USEC (100 * 1000ULL)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_module *, kmod_module_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, kmod_module_unref_list)

static const char *const step_kind_names[_STEP_KIND_MAX] = {
	[STEP_MODULE] = "module",
	[STEP_CHECK_I915] = "check",
	[STEP_WAIT_SNAPSHOT] = "wait",
	[STEP_WAIT_PARENTS] = "wait",
};

static const char *const step_state_names[_STEP_STATE_MAX] = {
	[STEP_PENDING] = "pending",
	[STEP_IN_PROGRESS] = "in-progress",
	[STEP_DONE] = "done",
	[STEP_FAILED] = "failed",
	[STEP_UNLOADED] = "unloaded",
};

static const char *const modules_state_names[_MODULES_STATE_MAX] = {
	[MODULES_IDLE] = "idle",
	[MODULES_LOADING] = "loading",
	[MODULES_READY] = "ready",
	[MODULES_FAILED] = "failed",
	[MODULES_UNLOADING] = "unloading",
	[MODULES_UNLOADED] = "unloaded",
};

const char *step_kind_to_string(StepKind k)
{
	return k >= 0 && k < _STEP_KIND_MAX ? step_kind_names[k] : NULL;
}

const char *step_state_to_string(StepState s)
{
	return s >= 0 && s < _STEP_STATE_MAX ? step_state_names[s] : NULL;
}

const char *modules_state_to_string(ModulesState s)
{
	return s >= 0 && s < _MODULES_STATE_MAX ? modules_state_names[s] : NULL;
}

bool gvt_capable_device_id(unsigned device)
{
	/* i915's PCI id families for Broadwell, Skylake, Kaby Lake, Coffee Lake, Comet Lake. */
	static const unsigned families[] = { 0x16, 0x19, 0x59, 0x3e, 0x9b };

	if (device == 0x87c0 || device == 0x87ca) /* Amber Lake (Kaby Lake graphics) */
		return true;
	for (size_t i = 0; i < ELEMENTSOF(families); i++)
		if (device >> 8 == families[i])
			return true;
	return false;
}

int modules_resolve_profile(const Config *c, Profile *ret, GvtError *e)
{
	if (c->profile != PROFILE_AUTO) {
		*ret = c->profile;
		return 0;
	}
	if (kernel_have_pci_gpu(c->root, 0x8086, gvt_capable_device_id)) {
		*ret = PROFILE_KVMGT;
		return 0;
	}
	if (c->sim_fallback || c->module_dir) {
		*ret = PROFILE_SIM;
		return 0;
	}
	return gvt_error_set(e, GVT_ERROR_MODULE_FAILURE,
			     "No GVT-capable Intel GPU (Broadwell to Comet Lake) found and the simulated GPU is not "
			     "configured: set Profile=sim (or SimFallback=yes) in /etc/gvtd/gvtd.conf, or start gvtd "
			     "with --profile=sim");
}

static int add_step(Modules *mods, StepKind kind, const char *name, const char *dir, const char *options)
{
	ModuleStep *s;

	if (mods->n_steps >= MODULES_STEPS_MAX)
		return -E2BIG;
	s = &mods->steps[mods->n_steps++];
	*s = (ModuleStep) { .kind = kind, .state = STEP_PENDING };
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (dir && asprintf(&s->path, "%s/%s.ko", dir, name) < 0) {
		s->path = NULL;
		return -ENOMEM;
	}
	if (options && !(s->options = strdup(options)))
		return -ENOMEM;
	return 0;
}

void modules_done(Modules *mods)
{
	for (size_t i = 0; i < mods->n_steps; i++) {
		free(mods->steps[i].path);
		free(mods->steps[i].options);
	}
	mods->n_steps = 0;
	mods->timer = sd_event_source_disable_unref(mods->timer);
	if (mods->kmod)
		mods->kmod = kmod_unref(mods->kmod);
}

int modules_plan(Modules *mods, Profile profile, const char *module_dir, const char *gvt_base_options)
{
	int r = 0;

	modules_done(mods);
	mods->profile = profile;
	mods->state = MODULES_IDLE;
	mods->current = 0;

	switch (profile) {
	case PROFILE_SIM:
		r = r ?: add_step(mods, STEP_MODULE, "vfio", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "vfio_iommu_type1", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "mdev", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "gvt_base", module_dir, gvt_base_options);
		r = r ?: add_step(mods, STEP_WAIT_SNAPSHOT, "snapshot", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "gvt_mdev", module_dir, NULL);
		r = r ?: add_step(mods, STEP_WAIT_PARENTS, "parents", NULL, NULL);
		break;
	case PROFILE_KVMGT:
		r = r ?: add_step(mods, STEP_CHECK_I915, "i915", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "kvmgt", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "vfio_iommu_type1", NULL, NULL);
		r = r ?: add_step(mods, STEP_MODULE, "mdev", NULL, NULL);
		r = r ?: add_step(mods, STEP_WAIT_PARENTS, "parents", NULL, NULL);
		break;
	default:
		return -EINVAL;
	}
	return r;
}

static int step_fail(Manager *m, ModuleStep *s, GvtError *e, const char *format, ...) _printf_(4, 5);
static int step_fail(Manager *m, ModuleStep *s, GvtError *e, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsnprintf(s->reason, sizeof(s->reason), format, ap);
	va_end(ap);
	s->state = STEP_FAILED;
	log_error("Module step %s failed: %s", s->name, s->reason);
	return gvt_error_set(e, GVT_ERROR_MODULE_FAILURE, "%s", s->reason);
}

static const char *insert_hint(int error)
{
	switch (error) {
	case ENOENT:
		return "unknown symbols: a module it needs is not loaded (see dmesg)";
	case ENOEXEC:
		return "not a valid module for the running kernel: rebuild it against its headers";
	case EPERM:
		return "not allowed to load modules: run gvtd as root with CAP_SYS_MODULE";
	case EKEYREJECTED:
	case ENOKEY:
		return "signature rejected: the kernel only accepts signed modules (Secure Boot/lockdown)";
	case EINVAL:
		return "the kernel rejected it or its parameters (see dmesg)";
	default:
		return "see dmesg";
	}
}

static int step_insert(Manager *m, ModuleStep *s, GvtError *e)
{
	_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
	int r;

	if (kernel_module_is_loaded(m->config.root, s->name)) {
		snprintf(s->reason, sizeof(s->reason), "already loaded");
		return 0;
	}
	if (!m->modules.kmod) {
		m->modules.kmod = kmod_new(NULL, NULL);
		if (!m->modules.kmod)
			return step_fail(m, s, e, "Failed to set up libkmod: out of memory");
	}

	if (s->path) {
		r = kmod_module_new_from_path(m->modules.kmod, s->path, &mod);
		if (r < 0)
			return step_fail(m, s, e, "%s not found or unreadable (%s): build the modules or fix --module-dir",
					 s->path, strerror(-r));
		r = kmod_module_insert_module(mod, 0, s->options);
	} else {
		_cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
		struct utsname u;

		r = kmod_module_new_from_lookup(m->modules.kmod, s->name, &list);
		if (r < 0 || !list) {
			uname(&u);
			return step_fail(m, s, e, "Module %s is not installed for kernel %s: install it (or use --module-dir)",
					 s->name, u.release);
		}
		mod = kmod_module_get_module(list);
		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_IGNORE_LOADED, s->options, NULL, NULL, NULL);
		if (r > 0)
			return step_fail(m, s, e, "Module %s is blacklisted: remove the blacklist entry in /etc/modprobe.d",
					 s->name);
	}
	if (r == -EEXIST)
		return 0;
	if (r < 0)
		return step_fail(m, s, e, "Failed to load %s%s%s%s: %s: %s", s->name,
				 s->options ? " (parameters \"" : "", strempty(s->options), s->options ? "\")" : "",
				 strerror(-r), insert_hint(-r));
	log_info("Loaded module %s%s%s.", s->name, s->path ? " from " : "", strempty(s->path));
	return 0;
}

static int step_check_i915(Manager *m, ModuleStep *s, GvtError *e)
{
	_cleanup_free_ char *value = NULL;
	int r;

	if (!kernel_module_is_loaded(m->config.root, "i915"))
		return step_fail(m, s, e, "i915 is not loaded: GVT-g needs the i915 driver bound to the GPU, "
				 "booted with i915.enable_gvt=1 on the kernel command line");
	r = kernel_module_parameter(m->config.root, "i915", "enable_gvt", &value);
	if (r < 0)
		return step_fail(m, s, e, "i915 has no enable_gvt parameter: this kernel's i915 is built without "
				 "CONFIG_DRM_I915_GVT; use a kernel with GVT-g support");
	if (!streq(value, "Y") && !streq(value, "1"))
		return step_fail(m, s, e, "i915.enable_gvt is off: add i915.enable_gvt=1 to the kernel command line "
				 "and reboot (it cannot be changed at runtime)");
	return 0;
}

static bool wait_satisfied(Manager *m, const ModuleStep *s)
{
	if (s->kind == STEP_WAIT_SNAPSHOT)
		return kernel_snapshot_published(m->config.root);
	(void) inventory_sync(m);
	return m->inventory.n_parents > 0;
}

static void wait_timed_out(Manager *m, ModuleStep *s)
{
	unsigned t = m->config.wait_timeout_sec;

	if (s->kind == STEP_WAIT_SNAPSHOT)
		step_fail(m, s, NULL, "gvt_base is loaded but no device bound to it published golden_hw_state "
			  "within %u s: check dmesg for gvt_base probe errors", t);
	else if (m->modules.profile == PROFILE_KVMGT)
		step_fail(m, s, NULL, "kvmgt is loaded but no mdev parent appeared within %u s: check dmesg for "
			  "\"gvt:\" errors (an unsupported GPU or a failed GVT-g init)", t);
	else
		step_fail(m, s, NULL, "gvt_mdev is loaded but no mdev parent appeared within %u s: check dmesg for "
			  "gvt_mdev errors", t);
}

static void finish(Manager *m, int r, const GvtError *e)
{
	Modules *mods = &m->modules;
	size_t n = mods->n_waiters;

	mods->state = r < 0 ? MODULES_FAILED : MODULES_READY;
	snprintf(mods->error, sizeof(mods->error), "%s", r < 0 && e ? e->message : "");
	mods->timer = sd_event_source_disable_unref(mods->timer);
	manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
	mods->n_waiters = 0;
	for (size_t i = 0; i < n; i++)
		mods->waiters[i].done(m, r, e, mods->waiters[i].userdata);
}

static void advance(Manager *m);

static int on_wait_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	advance(userdata);
	return 0;
}

/* Runs steps until one must wait (a timer brings us back) or all are done. */
static void advance(Manager *m)
{
	Modules *mods = &m->modules;
	GvtError e = {};
	int r;

	while (mods->current < mods->n_steps) {
		ModuleStep *s = &mods->steps[mods->current];
		uint64_t now;

		if (s->state != STEP_IN_PROGRESS) {
			s->state = STEP_IN_PROGRESS;
			s->reason[0] = '\0';
			manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
		}

		switch (s->kind) {
		case STEP_MODULE:
			r = step_insert(m, s, &e);
			break;
		case STEP_CHECK_I915:
			r = step_check_i915(m, s, &e);
			break;
		default:
			if (wait_satisfied(m, s)) {
				r = 0;
				break;
			}
			(void) sd_event_now(m->event, CLOCK_MONOTONIC, &now);
			if (mods->wait_deadline == 0)
				mods->wait_deadline = now + m->config.wait_timeout_sec * 1000000ULL;
			if (now >= mods->wait_deadline) {
				wait_timed_out(m, s);
				r = gvt_error_set(&e, GVT_ERROR_MODULE_FAILURE, "%s", s->reason);
				break;
			}
			mods->timer = sd_event_source_disable_unref(mods->timer);
			r = sd_event_add_time_relative(m->event, &mods->timer, CLOCK_MONOTONIC, WAIT_POLL_USEC, 0,
						       on_wait_timer, m);
			if (r >= 0)
				return;
			r = step_fail(m, s, &e, "Failed to arm a timer: %s", strerror(-r));
			break;
		}
		mods->wait_deadline = 0;
		if (r < 0) {
			finish(m, r, &e);
			return;
		}
		s->state = STEP_DONE;
		mods->current++;
		manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
	}
	(void) inventory_sync(m);
	log_info("Modules ready (profile %s).", profile_to_string(mods->profile));
	finish(m, 0, NULL);
}

int modules_setup(Manager *m, GvtError *e)
{
	Modules *mods = &m->modules;
	Profile profile;
	int r;

	r = modules_resolve_profile(&m->config, &profile, e);
	if (r >= 0)
		r = modules_plan(mods, profile, m->config.module_dir, m->config.gvt_base_options);
	if (r < 0) {
		gvt_error_ensure(e, r);
		mods->state = MODULES_FAILED;
		snprintf(mods->error, sizeof(mods->error), "%s", e ? e->message : strerror(-r));
		log_error("%s", mods->error);
		manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
		return r;
	}
	log_info("Module profile: %s%s%s.", profile_to_string(profile), m->config.module_dir ? ", modules from " : "",
		 strempty(m->config.module_dir));
	return 0;
}

int modules_load(Manager *m, ModulesDone done, void *userdata, GvtError *e)
{
	Modules *mods = &m->modules;
	int r;

	if (mods->n_steps == 0) {
		r = modules_setup(m, e);
		if (r < 0)
			return r;
	}

	if (mods->state == MODULES_UNLOADING)
		return gvt_error_set(e, GVT_ERROR_BUSY, "The modules are being unloaded; try again when that finished");
	if (mods->state == MODULES_READY) {
		if (done)
			done(m, 0, NULL, userdata);
		return 0;
	}
	if (done) {
		if (mods->n_waiters >= ELEMENTSOF(mods->waiters))
			return gvt_error_set(e, GVT_ERROR_BUSY, "Too many callers waiting for the modules; try again later");
		mods->waiters[mods->n_waiters].done = done;
		mods->waiters[mods->n_waiters++].userdata = userdata;
	}
	if (mods->state == MODULES_LOADING)
		return 0;

	/* A fresh attempt, e.g. after a failure the administrator fixed. */
	for (size_t i = 0; i < mods->n_steps; i++) {
		mods->steps[i].state = STEP_PENDING;
		mods->steps[i].reason[0] = '\0';
	}
	mods->current = 0;
	mods->wait_deadline = 0;
	mods->state = MODULES_LOADING;
	mods->error[0] = '\0';
	log_info("Loading modules (profile %s).", profile_to_string(mods->profile));
	advance(m);
	return 0;
}

bool modules_request_is_noop(const Modules *mods, bool load)
{
	if (load)
		return mods->state == MODULES_READY;
	return mods->state == MODULES_UNLOADED || mods->state == MODULES_IDLE;
}

Profile modules_profile(const Manager *m)
{
	return m->modules.n_steps ? m->modules.profile : m->config.profile;
}

int modules_unload(Manager *m, GvtError *e)
{
	Modules *mods = &m->modules;
	int r;

	if (mods->state == MODULES_LOADING || mods->state == MODULES_UNLOADING)
		return gvt_error_set(e, GVT_ERROR_BUSY, "The modules are being %s; try again when that finished",
				     mods->state == MODULES_LOADING ? "loaded" : "unloaded");
	(void) inventory_sync(m);
	if (m->inventory.n_vgpus > 0)
		return gvt_error_set(e, GVT_ERROR_BUSY,
				     "%zu vGPU(s) exist (e.g. %s): remove them before unloading the modules",
				     m->inventory.n_vgpus, m->inventory.vgpus[0]->uuid);

	mods->state = MODULES_UNLOADING;
	manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
	if (!mods->kmod)
		mods->kmod = kmod_new(NULL, NULL);

	r = 0;
	for (size_t i = mods->n_steps; i-- > 0;) {
		_cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
		ModuleStep *s = &mods->steps[i];
		int k;

		s->reason[0] = '\0';
		if (s->kind != STEP_MODULE) {
			s->state = STEP_PENDING;
			continue;
		}
		if (!kernel_module_is_loaded(m->config.root, s->name)) {
			s->state = STEP_UNLOADED;
			continue;
		}
		k = mods->kmod ? kmod_module_new_from_name(mods->kmod, s->name, &mod) : -ENOMEM;
		if (k >= 0)
			k = kmod_module_remove_module(mod, 0);
		if (k == -EBUSY || k == -EAGAIN) {
			/* Shared infrastructure (vfio, mdev) may serve others: leaving it is fine. */
			snprintf(s->reason, sizeof(s->reason), "still in use, left loaded");
			s->state = STEP_DONE;
			if (streq(s->name, "gvt_mdev") || streq(s->name, "gvt_base") || streq(s->name, "kvmgt"))
				r = step_fail(m, s, e, "%s is still in use (a vGPU or a VM holds it): stop its users first",
					      s->name);
			continue;
		}
		if (k < 0) {
			r = step_fail(m, s, e, "Failed to unload %s: %s", s->name, strerror(-k));
			continue;
		}
		log_info("Unloaded module %s.", s->name);
		s->state = STEP_UNLOADED;
	}
	mods->current = 0;
	mods->state = r < 0 ? MODULES_FAILED : MODULES_UNLOADED;
	manager_emit(m, EVENT_MODULES_CHANGED, NULL, NULL);
	(void) inventory_sync(m);
	return r;
}
