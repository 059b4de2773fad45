/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Crash-safe files. A write goes to a temporary file in the same directory,
 * is fsync'd, renamed over the target and the directory fsync'd: after a
 * crash at any point the target holds either the old or the new contents,
 * never a torn mix. gvtd's own files (owner records, quotas) that cannot be
 * read are set aside (renamed, never deleted) so the daemon starts with
 * everything else; definition files, shared with mdevctl, never are.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Creates the missing directories of path's parent (mode 0755). */
int store_mkdir_parents(const char *path);

/* Replaces path with data atomically (mode 0644); creates missing parent directories. */
int store_write(const char *path, const char *data, size_t len);
/* The same with the given mode; the temporary file is 0600 until then, so a secret is never readable. */
int store_write_mode(const char *path, const char *data, size_t len, mode_t mode);

/* Removes path and fsyncs its directory; a missing file is not an error. */
int store_remove(const char *path);

/*
 * Reads a whole regular file (at most 1 MiB), NUL-terminated, without
 * blocking: -EBADFD for anything but a regular file (a FIFO, a device, a
 * symbolic link), -EFBIG for a larger one; other errors are the reading's.
 */
int store_read(const char *path, char **ret, size_t *ret_len);

/*
 * Whether a store_read() error says the file itself is bad (-EBADFD, -EFBIG),
 * so that it is to be set aside. Any other error (EMFILE, ENFILE, ENOMEM,
 * EIO, EACCES) says nothing about the file: leave it where it is and retry.
 */
bool store_read_error_is_the_file(int r);

/*
 * Renames path to ".<name>.corrupt-<time>" in the same directory (names that
 * neither gvtd nor mdevctl read as a definition) and logs the path and reason.
 */
int store_set_aside(const char *path, const char *reason);

/* Temporary and set-aside files: names gvtd's own directory scans skip. */
#define STORE_HIDDEN_PREFIX '.'
