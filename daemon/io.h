/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading a file descriptor to its end, for files whose size stat cannot tell (/proc) or can. */
#pragma once

#include <stddef.h>

/* Up to size bytes into buf, retrying short reads and EINTR, until end of file: 0 or -errno. */
int io_read_full(int fd, char *buf, size_t size, size_t *ret_len);
