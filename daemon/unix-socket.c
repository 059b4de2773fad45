// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "unix-socket.h"

static int mkdir_parents(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);

	if (!dir)
		return log_oom();
	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return log_error_errno(errno, "Failed to create %s: %m", dir);
		*slash = '/';
	}
	return 0;
}

int unix_socket_listen(const char *path, mode_t mask, const char *what, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	mode_t old;
	int r;

	if (path[0] != '/')
		return log_error_errno(EINVAL, "The path of %s, %s, is not absolute.", what, path);
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(ENAMETOOLONG, "The path of %s, %s, is too long (at most %zu bytes).", what,
				       path, sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	r = mkdir_parents(path);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return log_error_errno(errno, "Failed to create %s: %m", what);
	(void) unlink(path);
	old = umask(mask);
	r = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old);
	if (r < 0)
		return log_error_errno(r, "Failed to bind %s to %s: %m", what, path);
	if (listen(fd, SOMAXCONN) < 0)
		return log_error_errno(errno, "Failed to listen on %s: %m", path);
	*ret_fd = TAKE_FD(fd);
	return 0;
}
