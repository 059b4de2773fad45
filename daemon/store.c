// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "io.h"
#include "store.h"

#define STORE_READ_MAX (1024 * 1024)

/* dirname() and basename() modify their argument: work on copies. */
static int split_path(const char *path, char dir[static PATH_MAX], char name[static NAME_MAX + 1])
{
	char a[PATH_MAX], b[PATH_MAX];

	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(a, path);
	strcpy(b, path);
	if (strlen(basename(b)) > NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(dir, dirname(a));
	strcpy(name, basename(b));
	return 0;
}

static int fsync_dir(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return fsync(fd) < 0 ? -errno : 0;
}

int store_mkdir_parents(const char *path)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	int r;

	r = split_path(path, dir, name);
	if (r < 0)
		return r;
	if (access(dir, F_OK) >= 0)
		return 0;
	if (!streq(dir, "/") && !streq(dir, ".")) {
		r = store_mkdir_parents(dir);
		if (r < 0)
			return r;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	/* The new entry in the grandparent must survive a crash too. */
	{
		char up[PATH_MAX], base[NAME_MAX + 1];

		if (split_path(dir, up, base) >= 0)
			(void) fsync_dir(up);
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= n;
	}
	return 0;
}

int store_write_mode(const char *path, const char *data, size_t len, mode_t mode)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], tmp[PATH_MAX];
	_cleanup_close_ int fd = -1;
	int r, n;

	r = split_path(path, dir, name);
	if (r < 0)
		return r;
	r = store_mkdir_parents(path);
	if (r < 0)
		return r;
	n = snprintf(tmp, sizeof(tmp), "%s/%c#%s.XXXXXX", dir, STORE_HIDDEN_PREFIX, name);
	if (n < 0 || (size_t) n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void) unlink(tmp);
		return r;
	}
	return fsync_dir(dir);
}

int store_write(const char *path, const char *data, size_t len)
{
	return store_write_mode(path, data, len, 0644);
}

int store_remove(const char *path)
{
	char dir[PATH_MAX], name[NAME_MAX + 1];
	int r;

	r = split_path(path, dir, name);
	if (r < 0)
		return r;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync_dir(dir);
}

int store_read(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;
	int r;

	/* O_NONBLOCK: a FIFO (or a device) named like our file must not hold the loop in open() or read(). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -EBADFD : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADFD;
	if (st.st_size > STORE_READ_MAX)
		return -EFBIG;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	r = io_read_full(fd, buf, st.st_size, &len);
	if (r < 0)
		return r;
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

bool store_read_error_is_the_file(int r)
{
	return r == -EBADFD || r == -EFBIG;
}

int store_set_aside(const char *path, const char *reason)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], aside[PATH_MAX];
	int r, n;

	r = split_path(path, dir, name);
	if (r < 0)
		return r;
	n = snprintf(aside, sizeof(aside), "%s/%c%s.corrupt-%lld", dir, STORE_HIDDEN_PREFIX, name,
		     (long long) time(NULL));
	if (n < 0 || (size_t) n >= sizeof(aside))
		return -ENAMETOOLONG;
	if (rename(path, aside) < 0) {
		r = -errno;
		log_error("Cannot read %s (%s) and failed to set it aside: %s", path, reason, strerror(-r));
		return r;
	}
	(void) fsync_dir(dir);
	log_error("Set aside %s as %s: %s. Fix or delete it; gvtd ignores it.", path, aside, reason);
	return 0;
}
