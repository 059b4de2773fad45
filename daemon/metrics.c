// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "capacity.h"
#include "definitions.h"
#include "manager.h"
#include "metrics.h"
#include "plan.h"

#define MIB (1024ull * 1024ull)

int metrics_writer_open(MetricsWriter *w)
{
	assert(w);
	*w = (MetricsWriter) {};
	w->f = open_memstream(&w->text, &w->len);
	return w->f ? 0 : -ENOMEM;
}

int metrics_writer_finish(MetricsWriter *w, char **ret, size_t *ret_len)
{
	bool failed;

	assert(w && w->f);
	failed = ferror(w->f);
	if (fclose(w->f) != 0)
		failed = true;
	w->f = NULL;
	if (failed) {
		metrics_writer_done(w);
		return -ENOMEM;
	}
	*ret = TAKE_PTR(w->text);
	*ret_len = w->len;
	return 0;
}

void metrics_writer_done(MetricsWriter *w)
{
	if (w->f)
		fclose(w->f);
	free(w->text);
	*w = (MetricsWriter) {};
}

void metrics_family(MetricsWriter *w, const char *name, MetricType type, const char *help)
{
	fprintf(w->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type == METRIC_COUNTER ? "counter" : "gauge");
}

static void put_label_value(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
}

void metrics_sample(MetricsWriter *w, const char *name, uint64_t value, ...)
{
	const char *label;
	bool first = true;
	va_list ap;

	fputs(name, w->f);
	va_start(ap, value);
	while ((label = va_arg(ap, const char *))) {
		const char *v = va_arg(ap, const char *);

		fprintf(w->f, "%s%s=\"", first ? "{" : ",", label);
		put_label_value(w->f, strempty(v));
		fputc('"', w->f);
		first = false;
	}
	va_end(ap);
	fprintf(w->f, "%s %" PRIu64 "\n", first ? "" : "}", value);
}

/* ---- parents: capacity and use ---- */

/* One parent's figures, as the planner sees them (plan_host() computes the same). */
typedef struct ParentFigures {
	const Parent *parent;
	Resources held, totals;
	bool exact;
	PlanParent room;
} ParentFigures;

typedef enum Amount {
	AMOUNT_CAPACITY,
	AMOUNT_RESERVED,
	AMOUNT_ALLOCATED,
	AMOUNT_AVAILABLE,
	_AMOUNT_MAX,
} Amount;

static const struct {
	const char *name, *help;
} amounts[_AMOUNT_MAX] = {
	[AMOUNT_CAPACITY] = { "capacity", "the GPU's total (memory and fences only where gvtd_parent_capacity_exact is 1)" },
	[AMOUNT_RESERVED] = { "reserved", "what kvmgt keeps for the host" },
	[AMOUNT_ALLOCATED] = { "allocated", "what the parent's vGPUs hold" },
	[AMOUNT_AVAILABLE] = { "available", "what is left for new vGPUs, less what auto-start definitions that do "
			       "not run would take (a lower bound where gvtd_parent_capacity_exact is 0)" },
};

/* 0 and *ret, or -ENODATA where the amount is not known (or not one of the resource). */
static int amount_of(const ParentFigures *f, Resource r, Amount a, uint64_t *ret)
{
	uint64_t scale = r <= RESOURCE_HIDDEN ? MIB : 1;
	unsigned v;

	switch (a) {
	case AMOUNT_CAPACITY:
		if (r == RESOURCE_INSTANCES)
			v = PLAN_MAX_VGPUS_PER_GPU;
		else if (f->exact)
			v = resources_get(&f->totals, r);
		else
			return -ENODATA;
		break;
	case AMOUNT_RESERVED:
		if (r == RESOURCE_INSTANCES)
			return -ENODATA;
		v = resources_get(&capacity_host_reserved, r);
		break;
	case AMOUNT_ALLOCATED:
		v = resources_get(&f->held, r);
		break;
	default:
		v = resources_get(&f->room.free, r);
		break;
	}
	*ret = v * scale;
	return 0;
}

/* The resources' families: memory (aperture and hidden, in bytes), fences, vGPU slots. */
static const struct {
	const char *prefix, *unit; /* the family's name: prefix, the amount's name, unit */
	const char *what;
	Resource first, last;
} resource_families[] = {
	{ "gvtd_parent_memory_", "_bytes", "Graphics memory (aperture: low GM, hidden: high GM), ", RESOURCE_APERTURE,
	  RESOURCE_HIDDEN },
	{ "gvtd_parent_fences_", "", "Fence registers, ", RESOURCE_FENCES, RESOURCE_FENCES },
	{ "gvtd_parent_vgpus_", "", "vGPUs (kvmgt allows 7 per GPU), ", RESOURCE_INSTANCES, RESOURCE_INSTANCES },
};

static void write_parents(MetricsWriter *w, const ParentFigures *figures, size_t n)
{
	metrics_family(w, "gvtd_parent_info", METRIC_GAUGE, "An mdev parent (GPU) and the driver it is bound to.");
	for (size_t i = 0; i < n; i++)
		metrics_sample(w, "gvtd_parent_info", 1, "parent", figures[i].parent->name, "driver",
			       figures[i].parent->driver, NULL);
	metrics_family(w, "gvtd_parent_capacity_exact", METRIC_GAUGE,
		       "1 if the GPU's totals are known (the figures are exact), 0 if only the types' counts are.");
	for (size_t i = 0; i < n; i++)
		metrics_sample(w, "gvtd_parent_capacity_exact", figures[i].exact, "parent", figures[i].parent->name,
			       NULL);

	for (size_t k = 0; k < ELEMENTSOF(resource_families); k++)
		for (Amount a = 0; a < _AMOUNT_MAX; a++) {
			char name[64], help[256];
			bool any = false;
			uint64_t v;

			snprintf(name, sizeof(name), "%s%s%s", resource_families[k].prefix, amounts[a].name,
				 resource_families[k].unit);
			snprintf(help, sizeof(help), "%s%s.", resource_families[k].what, amounts[a].help);
			for (size_t i = 0; i < n; i++)
				for (Resource r = resource_families[k].first; r <= resource_families[k].last; r++) {
					if (amount_of(&figures[i], r, a, &v) < 0)
						continue;
					if (!any)
						metrics_family(w, name, METRIC_GAUGE, help);
					any = true;
					if (resource_families[k].first == resource_families[k].last)
						metrics_sample(w, name, v, "parent", figures[i].parent->name, NULL);
					else
						metrics_sample(w, name, v, "parent", figures[i].parent->name, "resource",
							       resource_to_string(r), NULL);
				}
		}

	metrics_family(w, "gvtd_type_available_instances", METRIC_GAUGE,
		       "How many more vGPUs of the type the kernel says fit (available_instances).");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < figures[i].parent->n_types; j++)
			metrics_sample(w, "gvtd_type_available_instances", figures[i].parent->types[j].available, "parent",
				       figures[i].parent->name, "type", figures[i].parent->types[j].name, NULL);
}

static int write_capacity(Manager *m, MetricsWriter *w)
{
	const Inventory *inv = &m->inventory;
	_cleanup_free_ ParentFigures *figures = calloc(inv->n_parents ?: 1, sizeof(ParentFigures));

	if (!figures)
		return -ENOMEM;
	for (size_t i = 0; i < inv->n_parents; i++) {
		ParentFigures *f = &figures[i];

		f->parent = inv->parents[i];
		capacity_allocated(inv, f->parent, &f->held);
		f->exact = capacity_totals(m->config.root, f->parent, &f->totals) >= 0;
		plan_parent(f->parent, &f->held, f->exact ? &f->totals : NULL, inv, m->definitions, m->n_definitions,
			    &f->room);
	}
	write_parents(w, figures, inv->n_parents);
	return 0;
}

/* ---- vGPUs by parent, type, owner, state ---- */

typedef struct VgpuGroup {
	const char *parent, *type, *owner, *state;
	uint64_t n;
} VgpuGroup;

static void group_add(VgpuGroup *groups, size_t *n, const char *parent, const char *type, const char *owner,
		      const char *state)
{
	for (size_t i = 0; i < *n; i++)
		if (streq(groups[i].parent, parent) && streq(groups[i].type, type) && streq(groups[i].owner, owner) &&
		    streq(groups[i].state, state)) {
			groups[i].n++;
			return;
		}
	groups[(*n)++] = (VgpuGroup) { parent, type, owner, state, 1 };
}

static int write_vgpus(Manager *m, MetricsWriter *w)
{
	const Inventory *inv = &m->inventory;
	_cleanup_free_ VgpuGroup *groups = calloc(inv->n_vgpus + m->n_definitions + 1, sizeof(VgpuGroup));
	size_t n = 0;

	if (!groups)
		return -ENOMEM;
	for (size_t i = 0; i < inv->n_vgpus; i++) {
		const Vgpu *v = inv->vgpus[i];

		group_add(groups, &n, v->parent, v->type, manager_owner_of(m, v->uuid), vgpu_state_to_string(v->state));
	}
	for (size_t i = 0; i < m->n_definitions; i++) {
		const Definition *d = m->definitions[i];

		/* a running definition counts as its vGPU */
		if (!inventory_find_vgpu(inv, d->uuid))
			group_add(groups, &n, d->parent, d->type, manager_owner_of(m, d->uuid), "defined");
	}
	metrics_family(w, "gvtd_vgpus", METRIC_GAUGE,
		       "vGPUs by parent, type, owner and state: active (the mdev exists) or defined (a stopped definition).");
	for (size_t i = 0; i < n; i++)
		metrics_sample(w, "gvtd_vgpus", groups[i].n, "parent", groups[i].parent, "type", groups[i].type, "owner",
			       groups[i].owner, "state", groups[i].state, NULL);
	return 0;
}

/* ---- quotas ---- */

/* Each limit's family suffix in base units (the quota file's MiB are bytes here). */
static const struct {
	const char *suffix;
	uint64_t scale;
} quota_units[_QUOTA_LIMIT_MAX] = {
	[QUOTA_VGPUS] = { "vgpus", 1 },
	[QUOTA_APERTURE_MIB] = { "aperture_bytes", MIB },
	[QUOTA_HIDDEN_MIB] = { "hidden_bytes", MIB },
	[QUOTA_FENCES] = { "fences", 1 },
	[QUOTA_WEIGHT] = { "weight", 1 },
};

static int write_quotas(Manager *m, MetricsWriter *w)
{
	_cleanup_free_ QuotaRow *rows = NULL;
	size_t n = 0;
	int r;

	r = definitions_quota_rows(m, &rows, &n);
	if (r < 0)
		return r;
	for (int usage = 0; usage <= 1; usage++)
		for (QuotaLimit l = 0; l < _QUOTA_LIMIT_MAX; l++) {
			char name[64], help[192];

			snprintf(name, sizeof(name), "gvtd_quota_%s_%s", usage ? "usage" : "limit", quota_units[l].suffix);
			snprintf(help, sizeof(help), usage ?
				 "What the owner holds against the quota limit \"%s\" (running vGPUs and definitions)." :
				 "The owner's quota limit \"%s\" (@default: owners without their own).",
				 quota_limit_to_string(l));
			metrics_family(w, name, METRIC_GAUGE, help);
			for (size_t i = 0; i < n; i++) {
				if (usage && streq(rows[i].owner, QUOTA_DEFAULT))
					continue;
				if (!usage && !(rows[i].quota && rows[i].quota->set[l]))
					continue;
				metrics_sample(w, name, (usage ? rows[i].usage.v[l] : rows[i].quota->max[l]) *
					       quota_units[l].scale, "owner", rows[i].owner, NULL);
			}
		}
	return 0;
}

/* ---- events, errors, the kernel's counters ---- */

static void write_counts(Manager *m, MetricsWriter *w)
{
	metrics_family(w, "gvtd_events_total", METRIC_COUNTER,
		       "Events since gvtd started, by kind (the names of the REST event stream).");
	for (EventKind k = 0; k < _EVENT_KIND_MAX; k++)
		metrics_sample(w, "gvtd_events_total", m->event_counts.n[k], "kind", event_kind_to_string(k), NULL);
	metrics_family(w, "gvtd_errors_total", METRIC_COUNTER,
		       "Errors answered to callers since gvtd started, on any interface, by kind (the D-Bus error "
		       "names and REST problem types).");
	for (GvtErrorKind k = GVT_ERROR_NONE + 1; k < _GVT_ERROR_KIND_MAX; k++)
		metrics_sample(w, "gvtd_errors_total", gvt_error_reported_count(k), "kind", gvt_error_kind_to_string(k),
			       NULL);
}

/* The families of the kernel's counters, by VgpuCounter. */
static const struct {
	const char *name, *op, *help;
} kernel_counters[_VGPU_COUNTER_MAX] = {
	[VGPU_COUNTER_OPENS] = { "gvtd_vgpu_opens_total", NULL, "Times the vGPU was opened (by a VMM), as the kernel counts." },
	[VGPU_COUNTER_CFG_READS] = { "gvtd_vgpu_config_accesses_total", "read",
				     "read()/write() calls on the vGPU's PCI config space region, as the kernel counts." },
	[VGPU_COUNTER_CFG_WRITES] = { "gvtd_vgpu_config_accesses_total", "write", NULL },
	[VGPU_COUNTER_MMIO_READS] = { "gvtd_vgpu_mmio_accesses_total", "read",
				      "read()/write() calls on the vGPU's MMIO BAR (BAR0), as the kernel counts." },
	[VGPU_COUNTER_MMIO_WRITES] = { "gvtd_vgpu_mmio_accesses_total", "write", NULL },
	[VGPU_COUNTER_RESETS] = { "gvtd_vgpu_resets_total", NULL, "Resets of the vGPU, as the kernel counts." },
};

/* Only where the kernel has the gvt genl family (gvt_mdev): upstream kvmgt has no such counters. */
static int write_kernel_counters(Manager *m, MetricsWriter *w)
{
	_cleanup_free_ OpenerMessage *vgpus = NULL;
	size_t n = 0;
	int r;

	r = openers_counters(m, &vgpus, &n);
	if (r == -ENODATA || r == -EIO)
		return 0;
	if (r < 0)
		return r;
	for (VgpuCounter c = 0; c < _VGPU_COUNTER_MAX; c++) {
		/* one family for a read and a write counter: its help comes with the first */
		if (kernel_counters[c].help)
			metrics_family(w, kernel_counters[c].name, METRIC_COUNTER, kernel_counters[c].help);
		for (size_t i = 0; i < n; i++) {
			const Vgpu *v = inventory_find_vgpu(&m->inventory, vgpus[i].uuid);
			/* the parent as the other families name it; the kernel's name for one not scanned yet */
			const char *parent = v ? v->parent : vgpus[i].gpu;

			if (!vgpus[i].has_counters)
				continue;
			if (kernel_counters[c].op)
				metrics_sample(w, kernel_counters[c].name, vgpus[i].counters[c], "uuid", vgpus[i].uuid,
					       "parent", parent, "op", kernel_counters[c].op, NULL);
			else
				metrics_sample(w, kernel_counters[c].name, vgpus[i].counters[c], "uuid", vgpus[i].uuid,
					       "parent", parent, NULL);
		}
	}
	return 0;
}

int metrics_write(Manager *m, MetricsWriter *w)
{
	int r;

	assert(m && w && w->f);
	(void) definitions_sync(m);
	metrics_family(w, "gvtd_build_info", METRIC_GAUGE, "The version of gvtd that runs.");
	metrics_sample(w, "gvtd_build_info", 1, "version", PROJECT_VERSION, NULL);
	metrics_family(w, "gvtd_ready", METRIC_GAUGE, "1 once the modules are loaded and a parent exists.");
	metrics_sample(w, "gvtd_ready", manager_ready(m), NULL);
	r = write_capacity(m, w);
	if (r >= 0)
		r = write_vgpus(m, w);
	if (r >= 0)
		r = write_quotas(m, w);
	if (r < 0)
		return r;
	write_counts(m, w);
	return write_kernel_counters(m, w);
}
