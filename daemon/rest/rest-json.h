/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Core objects as JSON: the shapes api/openapi.yaml names (rest-json.c).
 */
#pragma once

#include <jansson.h>

#include "inventory.h"
#include "quotas.h"

typedef struct Manager Manager;

json_t *rest_json_vgpu(Manager *m, const Vgpu *v);
json_t *rest_json_type(const Parent *p, const MdevType *t);
json_t *rest_json_parent(const Parent *p);
json_t *rest_json_host(Manager *m);
typedef struct Definition Definition;
json_t *rest_json_definition(Manager *m, const Definition *d);
/* GET /v1/definitions: {definitions: [Definition...], unreadable: [{uuid, parent, path, reason}...]}. */
json_t *rest_json_definitions(Manager *m);
/* A running vGPU (defined or not) or a stopped definition, as the Vgpu resource; NULL if neither. */
json_t *rest_json_vgpu_by_uuid(Manager *m, const char *uuid);
/* Running vGPUs and stopped definitions matching every filter that is not NULL. */
json_t *rest_json_vgpus(Manager *m, const char *parent, const char *type, const char *owner, const char *state);
/* An owner's limits (its own entry; none if it has none) and usage. */
json_t *rest_json_quota(Manager *m, const char *owner);
typedef struct HostPlan HostPlan;
/* The capacity plan: {fits, exact, placements, short, most}. */
json_t *rest_json_plan(const HostPlan *plan);
/* A line of GET /v1/quotas. */
json_t *rest_json_quota_row(const QuotaRow *row);
