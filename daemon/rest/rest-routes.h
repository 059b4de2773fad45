/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The resource table under /v1 and its handlers (rest-routes.c).
 */
#pragma once

#include "rest-request.h"

typedef int (*RestHandler)(RestRequest *req, RestReply *reply);

struct RestRoute {
	const char *pattern;      /* "/v1/vgpus/{uuid}": one {…} segment at most */
	RestHandler handlers[5];  /* by bit of RestMethod */
};

/*
 * The route for path and method: 0 and *ret_route, *ret_param (into path);
 * -ENOENT no such path; -EOPNOTSUPP path known, method not (*ret_allow).
 */
int rest_route_find(const char *path, RestMethod method, const RestRoute **ret_route, const char **ret_param,
		    unsigned *ret_allow);
int rest_route_dispatch(RestRequest *req);
