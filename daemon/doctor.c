// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capacity.h"
#include "definitions.h"
#include "doctor.h"
#include "kernel.h"
#include "manager.h"
#include "modules.h"
#include "sysfs.h"

static const char *const state_names[_CHECK_STATE_MAX] = {
	[CHECK_OK] = "ok",
	[CHECK_WARN] = "warn",
	[CHECK_FAIL] = "fail",
};

const char *check_state_to_string(CheckState s)
{
	return s >= 0 && s < _CHECK_STATE_MAX ? state_names[s] : NULL;
}

static void add(Diagnosis *d, const char *id, CheckState state, const char *fix, const char *seen, ...)
	_printf_(5, 6);
static void add(Diagnosis *d, const char *id, CheckState state, const char *fix, const char *seen, ...)
{
	Check *c;
	va_list ap;

	if (d->n_checks == DOCTOR_CHECKS_MAX)
		return;
	c = &d->checks[d->n_checks++];
	*c = (Check) { .id = id, .state = state };
	va_start(ap, seen);
	vsnprintf(c->seen, sizeof(c->seen), seen, ap);
	va_end(ap);
	snprintf(c->fix, sizeof(c->fix), "%s", strempty(fix));
	if (state > d->worst)
		d->worst = state;
}

/* ROOT/rel (rel has no user input in it). */
static char *rooted(const char *root, const char *rel)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s", isempty(root) ? "" : root, rel) < 0)
		return NULL;
	return p;
}

static bool exists(const char *root, const char *rel)
{
	_cleanup_free_ char *p = rooted(root, rel);

	return p && access(p, F_OK) >= 0;
}

/* The word of the kernel command line that starts with key (e.g. "i915.enable_gvt="), or NULL. */
static const char *cmdline_word(const char *cmdline, const char *key, char buf[static 64])
{
	size_t n = strlen(key);

	for (const char *w = cmdline; w && *w; w = strchr(w, ' '), w = w ? w + 1 : NULL)
		if (strncmp(w, key, n) == 0) {
			snprintf(buf, 64, "%.*s", (int) strcspn(w, " \n"), w);
			return buf;
		}
	return NULL;
}

static bool word_is(const char *word, const char *key, const char *const values[])
{
	if (!word)
		return false;
	for (size_t i = 0; values[i]; i++)
		if (streq(word + strlen(key), values[i]))
			return true;
	return false;
}

static void check_gpu(Manager *m, Diagnosis *d)
{
	const char *root = m->config.root;

	if (kernel_have_pci_gpu(root, 0x8086, gvt_capable_device_id))
		add(d, "gpu", CHECK_OK, NULL, "An Intel GPU of a GVT-g generation (Broadwell to Comet Lake) is present");
	else if (kernel_have_pci_gpu(root, 0x8086, NULL))
		add(d, "gpu", modules_profile(m) == PROFILE_SIM ? CHECK_WARN : CHECK_FAIL,
		    "GVT-g ends with Comet Lake (Gen9.5); for Gen11 and newer Intel GPUs the path is SR-IOV "
		    "(i915/xe virtual functions), not gvtd",
		    "The Intel GPU is not of a GVT-g generation%s",
		    modules_profile(m) == PROFILE_SIM ? "; the simulated GPU (profile sim) stands in" : "");
	else
		add(d, "gpu", modules_profile(m) == PROFILE_SIM ? CHECK_WARN : CHECK_FAIL,
		    modules_profile(m) == PROFILE_SIM ? "Nothing to do for testing; a real host needs an Intel GPU from "
		    "Broadwell to Comet Lake" : "Use a host with an Intel GPU from Broadwell to Comet Lake, or Profile=sim "
		    "to try gvtd with the simulated GPU",
		    "No Intel GPU%s", modules_profile(m) == PROFILE_SIM ? " (the simulated GPU, profile sim, stands in)" : "");
}

static void check_cmdline(Manager *m, Diagnosis *d, const char *cmdline, bool real)
{
	static const char *const on[] = { "1", "y", "Y", "on", NULL };
	_cleanup_free_ char *param = NULL;
	char w[64];
	const char *gvt = cmdline_word(cmdline, "i915.enable_gvt=", w);
	bool groups = false;

	if (!real)
		add(d, "enable-gvt", CHECK_OK, NULL, "Not needed: the profile is sim (the simulated GPU)");
	else if (!word_is(gvt, "i915.enable_gvt=", on))
		add(d, "enable-gvt", CHECK_FAIL, "Add i915.enable_gvt=1 to the kernel command line (GRUB_CMDLINE_LINUX in "
		    "/etc/default/grub, then update-grub) and reboot", "The kernel command line has %s",
		    gvt ? gvt : "no i915.enable_gvt=");
	else if (kernel_module_parameter(m->config.root, "i915", "enable_gvt", &param) < 0)
		add(d, "enable-gvt", CHECK_WARN, "Load i915 (or check that this kernel's i915 has GVT-g: "
		    "CONFIG_DRM_I915_GVT)", "%s is set, but i915 shows no enable_gvt parameter", gvt);
	else
		add(d, "enable-gvt", streq(param, "Y") || streq(param, "1") ? CHECK_OK : CHECK_FAIL,
		    streq(param, "Y") || streq(param, "1") ? NULL : "i915 was loaded before the option applied: reboot",
		    "%s, and i915 sees enable_gvt=%s", gvt, param);

	{
		_cleanup_free_ char *dir = rooted(m->config.root, "sys/kernel/iommu_groups");
		_cleanup_closedir_ DIR *g = dir ? opendir(dir) : NULL;
		struct dirent *de;

		while (g && (de = readdir(g)))
			groups = groups || de->d_name[0] != '.';
	}
	if (!real)
		add(d, "iommu", CHECK_OK, NULL, "Not needed: the simulated GPU's vGPUs use an emulated IOMMU");
	else if (groups)
		add(d, "iommu", CHECK_OK, NULL, "IOMMU groups exist (%s)", cmdline_word(cmdline, "intel_iommu=", w) ?: "on");
	else
		add(d, "iommu", CHECK_FAIL, "Add intel_iommu=on to the kernel command line and enable VT-d in the "
		    "firmware setup", "No IOMMU groups in /sys/kernel/iommu_groups");
}

/* kvmgt, vfio_iommu_type1, mdev for the running kernel: in modules.dep or modules.builtin. */
static void check_module_files(Manager *m, Diagnosis *d, bool real)
{
	static const char *const names[] = { "kvmgt", "vfio_iommu_type1", "mdev" };
	char missing[128] = "", rel[128];
	_cleanup_free_ char *dep = NULL, *builtin = NULL;
	struct utsname u;

	if (uname(&u) < 0)
		return;
	snprintf(rel, sizeof(rel), "lib/modules/%s/modules.dep", u.release);
	dep = rooted(m->config.root, rel);
	snprintf(rel, sizeof(rel), "lib/modules/%s/modules.builtin", u.release);
	builtin = rooted(m->config.root, rel);
	for (size_t i = real ? 0 : 1; i < ELEMENTSOF(names); i++) {
		char needle[64];
		bool found = false;

		snprintf(needle, sizeof(needle), "/%s.ko", names[i]);
		for (int f = 0; f < 2 && !found; f++) {
			_cleanup_fclose_ FILE *fp = fopen(f ? builtin : dep, "re");
			char line[1024];

			while (fp && !found && fgets(line, sizeof(line), fp))
				found = strstr(line, needle) != NULL;
		}
		if (!found)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s", *missing ? ", " : "",
				 names[i]);
	}
	if (*missing)
		add(d, "kernel-modules", CHECK_FAIL, "Install the kernel's own modules package (linux-image-…) for the "
		    "running kernel", "Not in modules.dep of %s: %s", u.release, missing);
	else
		add(d, "kernel-modules", CHECK_OK, NULL, "%s available for %s",
		    real ? "kvmgt, vfio_iommu_type1 and mdev" : "vfio_iommu_type1 and mdev", u.release);
}

static void check_load_order(Manager *m, Diagnosis *d)
{
	const char *state = modules_state_to_string(m->modules.state);

	if (m->modules.state == MODULES_READY)
		add(d, "load-order", CHECK_OK, NULL, "Modules loaded in order for profile %s",
		    profile_to_string(modules_profile(m)));
	else if (m->modules.state == MODULES_FAILED)
		add(d, "load-order", CHECK_FAIL, "Fix what the error says, then gvtctl modules load", "Profile %s: %s",
		    profile_to_string(modules_profile(m)), m->modules.error);
	else
		add(d, "load-order", CHECK_WARN, "gvtctl modules load (or LoadOnStart=yes)", "Modules %s (profile %s)",
		    state, profile_to_string(modules_profile(m)));
}

static void check_parents(Manager *m, Diagnosis *d)
{
	if (m->inventory.n_parents == 0) {
		add(d, "aperture", CHECK_WARN, "Load the modules first (gvtctl modules load)", "No mdev parent yet");
		return;
	}
	for (size_t i = 0; i < m->inventory.n_parents; i++) {
		const Parent *p = m->inventory.parents[i];
		Resources t;

		if (capacity_totals(m->config.root, p, &t) < 0)
			add(d, "aperture", CHECK_WARN, NULL, "%s (%s): the aperture size cannot be known", p->name,
			    strempty(p->driver));
		else
			add(d, "aperture", t.aperture_mib <= 256 ? CHECK_WARN : CHECK_OK,
			    t.aperture_mib <= 256 ? "Raise the aperture size (DVMT pre-allocated / aperture size) in the "
			    "firmware setup: each vGPU needs 64 MiB or more of it" : NULL,
			    "%s: aperture %u MiB, %u MiB of it for vGPUs (a GVTg_V5_4 takes 128 MiB)", p->name,
			    t.aperture_mib, t.aperture_mib > HOST_APERTURE_MIB ? t.aperture_mib - HOST_APERTURE_MIB : 0);
	}
}

static void check_snapshot(Manager *m, Diagnosis *d, bool real)
{
	if (real)
		add(d, "snapshot", CHECK_OK, NULL, "Upstream kvmgt keeps its own firmware snapshot");
	else if (kernel_snapshot_published(m->config.root))
		add(d, "snapshot", CHECK_OK, NULL, "gvt_base published golden_hw_state");
	else
		add(d, "snapshot", m->modules.state == MODULES_READY ? CHECK_FAIL : CHECK_WARN,
		    "Load gvt_base (gvtctl modules load); see the kernel log if it is loaded",
		    "No golden_hw_state published by gvt_base");
}

/* Files in mdevctl's directory that gvtd leaves as they are: mdevctl 1.2's list fails on most of them too. */
static void check_definition_files(Manager *m, Diagnosis *d)
{
	_cleanup_free_ char *path = NULL;
	const Unreadable *u = m->unreadable;

	if (m->n_unreadable == 0) {
		add(d, "definition-files", CHECK_OK, NULL, "Every file in /etc/mdevctl.d is a definition");
		return;
	}
	if (sysfs_path(&path, m->config.root, MDEVCTL_DIR, u->parent, u->uuid, NULL) < 0)
		return;
	add(d, "definition-files", CHECK_WARN,
	    "Fix or delete it: gvtd leaves it as it is (and \"mdevctl list\" fails on one it cannot read either)",
	    "%zu file(s) in /etc/mdevctl.d gvtd cannot use, first %s: %s", m->n_unreadable, path, u->reason);
}

static void check_peers(Manager *m, Diagnosis *d)
{
	const char *root = m->config.root;
	size_t gone = 0;
	char first[64] = "";

	if (exists(root, "usr/lib/udev/rules.d/60-mdevctl.rules") || exists(root, "lib/udev/rules.d/60-mdevctl.rules"))
		add(d, "mdevctl-udev", exists(root, "etc/udev/rules.d/60-mdevctl.rules") ? CHECK_OK : CHECK_WARN,
		    exists(root, "etc/udev/rules.d/60-mdevctl.rules") ? NULL :
		    "Mask it (ln -s /dev/null /etc/udev/rules.d/60-mdevctl.rules) and let gvtd start auto definitions",
		    exists(root, "etc/udev/rules.d/60-mdevctl.rules") ? "mdevctl's udev rule is masked in /etc" :
		    "mdevctl's udev rule starts auto definitions when a parent appears: it races gvtd's autostart");
	else
		add(d, "mdevctl-udev", CHECK_OK, NULL, "No mdevctl udev rule: gvtd alone starts auto definitions");
	if (exists(root, "usr/sbin/libvirtd") || exists(root, "usr/sbin/virtnodedevd"))
		add(d, "libvirt", CHECK_OK, NULL, "libvirt is installed: its node devices show the parents and vGPUs "
		    "(mdev_<uuid>_<parent>); gvtctl hostdev prints the <hostdev> for a domain");
	else
		add(d, "libvirt", CHECK_OK, NULL, "libvirt is not installed (not needed; gvtctl hostdev --qemu for QEMU)");
	for (size_t i = 0; i < m->n_definitions; i++)
		if (!inventory_find_parent(&m->inventory, m->definitions[i]->parent) && gone++ == 0)
			snprintf(first, sizeof(first), "%s", m->definitions[i]->parent);
	if (gone)
		add(d, "definitions", m->modules.state == MODULES_READY ? CHECK_WARN : CHECK_OK,
		    m->modules.state == MODULES_READY ? "Undefine them (gvtctl undefine UUID) or bring the GPU back" : NULL,
		    "%zu definition(s) for a parent that is not present (%s)", gone, first);
	else
		add(d, "definitions", CHECK_OK, NULL, "%zu definition(s), every parent present", m->n_definitions);
	check_definition_files(m, d);
}

void doctor_diagnose(Manager *m, Diagnosis *ret)
{
	_cleanup_free_ char *cmdline = NULL;
	bool real = modules_profile(m) != PROFILE_SIM;

	*ret = (Diagnosis) {};
	(void) definitions_sync(m);
	(void) kernel_cmdline(m->config.root, &cmdline);
	check_gpu(m, ret);
	check_cmdline(m, ret, strempty(cmdline), real);
	check_module_files(m, ret, real);
	check_load_order(m, ret);
	check_parents(m, ret);
	check_snapshot(m, ret, real);
	check_peers(m, ret);
	add(ret, "config", CHECK_OK, NULL, "Profile %s, REST %s%s%s", profile_to_string(m->config.profile),
	    m->config.api_socket ? m->config.api_socket : "off", m->config.api_listen ? " and TCP " : "",
	    strempty(m->config.api_listen));
}
