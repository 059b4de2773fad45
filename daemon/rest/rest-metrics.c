// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "metrics.h"
#include "rest-metrics.h"
#include "rest-routes.h"

void rest_metrics_count(RestMetrics *rm, const RestRoute *route, RestMethod method, unsigned status)
{
	static bool warned;

	for (size_t i = 0; i < rm->n_counts; i++)
		if (rm->counts[i].route == route && rm->counts[i].method == method && rm->counts[i].status == status) {
			rm->counts[i].n++;
			return;
		}
	if (rm->n_counts == rm->size) {
		size_t size = rm->size * 2 + 16;
		void *n = reallocarray(rm->counts, size, sizeof(rm->counts[0]));

		if (!n) {
			if (!warned)
				log_warning("Out of memory for the REST request counters: some requests are not counted.");
			warned = true;
			return;
		}
		rm->counts = n;
		rm->size = size;
	}
	rm->counts[rm->n_counts].route = route;
	rm->counts[rm->n_counts].method = method;
	rm->counts[rm->n_counts].status = status;
	rm->counts[rm->n_counts++].n = 1;
}

void rest_metrics_done(RestMetrics *rm)
{
	free(rm->counts);
	*rm = (RestMetrics) {};
}

int rest_metrics_reply(RestMetrics *rm, Manager *m, RestReply *reply)
{
	MetricsWriter w;
	char *text;
	size_t len;
	int r;

	r = metrics_writer_open(&w);
	if (r < 0)
		return r;
	r = metrics_write(m, &w);
	if (r < 0) {
		metrics_writer_done(&w);
		return r;
	}
	metrics_family(&w, "gvtd_api_requests_total", METRIC_COUNTER,
		       "REST requests answered since gvtd started, by route pattern, method and status code "
		       "(route \"other\": no route has the path and method).");
	for (size_t i = 0; i < rm->n_counts; i++) {
		char code[8];

		snprintf(code, sizeof(code), "%u", rm->counts[i].status);
		metrics_sample(&w, "gvtd_api_requests_total", rm->counts[i].n, "route",
			       rm->counts[i].route ? rm->counts[i].route->pattern : "other", "method",
			       rest_method_to_string(rm->counts[i].method) ?: "other", "code", code, NULL);
	}
	r = metrics_writer_finish(&w, &text, &len);
	if (r < 0)
		return r;
	rest_reply_done(reply);
	reply->status = 200;
	reply->text = text;
	reply->text_len = len;
	reply->content_type = METRICS_CONTENT_TYPE;
	return 0;
}
