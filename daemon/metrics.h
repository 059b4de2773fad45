/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's figures in Prometheus' text exposition format 0.0.4: each
 * parent's capacity and use of every resource (capacity.c's and plan.c's
 * arithmetic), the vGPUs by parent, type, owner and state, the quotas,
 * the events and errors by kind, and the kernel's per-vGPU counters (the
 * gvt genl family, vgpu-counters.c). Names carry the gvtd_ prefix, amounts
 * are in base units (bytes), counters end in _total. No HTTP here: the
 * REST adapter serves the text and adds its own requests' counters with
 * the same writer.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "macro.h"

typedef struct Manager Manager;

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef enum MetricType {
	METRIC_GAUGE,
	METRIC_COUNTER,
} MetricType;

typedef struct MetricsWriter {
	FILE *f;
	char *text;
	size_t len;
} MetricsWriter;

int metrics_writer_open(MetricsWriter *w);
/* The text so far: 0 and *ret (NUL-terminated, the caller's), or -ENOMEM. The writer is done after it. */
int metrics_writer_finish(MetricsWriter *w, char **ret, size_t *ret_len);
void metrics_writer_done(MetricsWriter *w);

/* HELP and TYPE of a family: every sample of it must follow before the next family. */
void metrics_family(MetricsWriter *w, const char *name, MetricType type, const char *help);
/* One sample: label name/value pairs, then NULL; values escaped as the format says (\\, \", \n). */
void metrics_sample(MetricsWriter *w, const char *name, uint64_t value, ...) __attribute__((sentinel));

/* The core's families, the definitions and inventory as they are now. */
int metrics_write(Manager *m, MetricsWriter *w);
