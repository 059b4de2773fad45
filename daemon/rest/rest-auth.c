// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who the caller is. On the unix socket, the kernel says (SO_PEERCRED); over
 * TCP, a bearer token, looked up in the core's table (tokens.c).
 */
#include <errno.h>
#include <sys/socket.h>

#include "auth.h"
#include "log.h"
#include "rest-request.h"
#include "rest-auth.h"

const char *rest_bearer_token(const char *authorization)
{
	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	authorization += 7;
	while (*authorization == ' ')
		authorization++;
	return *authorization ? authorization : NULL;
}

int rest_peer_from_fd(int fd, RestPeer *ret)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	RestPeer p = {};

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	p.pid = cred.pid;
	/* Now, with the credentials: polkit then refuses a later process of the same pid. 0 if it is gone. */
	if (auth_process_start_time(p.pid, &p.start_time) < 0)
		p.start_time = 0;
	p.uid = cred.uid;
	p.gid = cred.gid;
	len = sizeof(p.groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p.groups, &len) >= 0)
		p.n_groups = len / sizeof(gid_t);
	else
		log_debug_errno(errno, "SO_PEERGROUPS failed, deciding on the primary group alone: %m");
	*ret = p;
	return 0;
}
