/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET /metrics: the core's exposition (metrics.c) and, added here, the REST
 * requests answered, by route pattern (not the raw path: the label's values
 * are bounded by the route table), method and status.
 */
#pragma once

#include <stdint.h>

#include "rest-request.h"

struct RestMetrics {
	struct {
		const RestRoute *route;   /* NULL: no route matched */
		RestMethod method;        /* 0: not one REST knows */
		unsigned status;
		uint64_t n;
	} *counts;
	size_t n_counts, size;
};

/* One request answered; a failed allocation loses the count (and says so once). */
void rest_metrics_count(RestMetrics *rm, const RestRoute *route, RestMethod method, unsigned status);
void rest_metrics_done(RestMetrics *rm);

/* The reply to GET /metrics: 0, or -ENOMEM. */
int rest_metrics_reply(RestMetrics *rm, Manager *m, RestReply *reply);
