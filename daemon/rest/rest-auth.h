/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who a REST caller is (rest-auth.c): SO_PEERCRED on the unix socket, a
 * bearer token (tokens.h) over TCP.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth.h"

/* SO_PEERCRED and SO_PEERGROUPS of a unix socket. */
typedef struct RestPeer {
	pid_t pid;
	uint64_t start_time;      /* auth_process_start_time() of pid, 0 if it was gone */
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t n_groups;
} RestPeer;

/* The token of an "Authorization: Bearer X" header, or NULL. */
const char *rest_bearer_token(const char *authorization);

int rest_peer_from_fd(int fd, RestPeer *ret);
