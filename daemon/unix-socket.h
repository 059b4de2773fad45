/* SPDX-License-Identifier: GPL-2.0-only */
/* A listening AF_UNIX stream socket at a path, created with its directories and its mode from the start. */
#pragma once

#include <sys/types.h>

/*
 * Creates PATH's missing directories (0755), replaces a stale socket at
 * PATH, binds with umask MASK (no moment with a wider mode) and listens.
 * The fd is non-blocking and close-on-exec. Logs what failed, naming
 * WHAT ("the REST socket"); 0 or -errno.
 */
int unix_socket_listen(const char *path, mode_t mask, const char *what, int *ret_fd);
