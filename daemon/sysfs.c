// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <systemd/sd-id128.h>

#include "macro.h"
#include "sysfs.h"

bool gvt_name_is_valid(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, GVT_NAME_MAX + 1);
	if (n == 0 || n > GVT_NAME_MAX)
		return false;
	if (streq(s, ".") || streq(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:+-") == n;
}

int gvt_uuid_normalize(const char *s, char ret[GVT_UUID_STRING_MAX])
{
	size_t i;

	if (!s || strnlen(s, GVT_UUID_STRING_MAX) != GVT_UUID_STRING_MAX - 1)
		return -EINVAL;
	for (i = 0; i < GVT_UUID_STRING_MAX - 1; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return -EINVAL;
		} else if (c >= '0' && c <= '9') {
			/* fine as it is */
		} else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
			c |= 0x20;
		} else {
			return -EINVAL;
		}
		ret[i] = c;
	}
	ret[i] = '\0';
	return 0;
}

int gvt_uuid_generate(char ret[GVT_UUID_STRING_MAX])
{
	sd_id128_t id;
	int r;

	r = sd_id128_randomize(&id);
	if (r < 0)
		return r;
	sd_id128_to_uuid_string(id, ret);
	return 0;
}

int sysfs_path(char **ret, const char *root, const char *base, ...)
{
	char buf[PATH_MAX];
	size_t len;
	const char *c;
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "%s/%s", isempty(root) || streq(root, "/") ? "" : root, base);
	if (n < 0 || (size_t) n >= sizeof(buf))
		return -ENAMETOOLONG;
	len = n;

	va_start(ap, base);
	while ((c = va_arg(ap, const char *))) {
		if (!gvt_name_is_valid(c)) {
			va_end(ap);
			return -EINVAL;
		}
		n = snprintf(buf + len, sizeof(buf) - len, "/%s", c);
		if (n < 0 || (size_t) n >= sizeof(buf) - len) {
			va_end(ap);
			return -ENAMETOOLONG;
		}
		len += n;
	}
	va_end(ap);

	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int sysfs_read(const char *path, char **ret)
{
	_cleanup_close_ int fd = -1;
	char buf[4097];
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int sysfs_read_uint(const char *path, unsigned *ret)
{
	_cleanup_free_ char *s = NULL;
	unsigned long v;
	char *end;
	int r;

	r = sysfs_read(path, &s);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT_MAX)
		return -EBADMSG;
	*ret = v;
	return 0;
}

int sysfs_write(const char *path, const char *value)
{
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0)
		return -errno;
	return (size_t) n == len ? 0 : -EIO;
}

int sysfs_read_link(const char *path, char buf[static PATH_MAX])
{
	ssize_t n = readlink(path, buf, PATH_MAX - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int sysfs_read_link_name(const char *path, char **ret)
{
	char buf[PATH_MAX];
	const char *slash;
	int r;

	r = sysfs_read_link(path, buf);
	if (r < 0)
		return r;
	slash = strrchr(buf, '/');
	*ret = strdup(slash ? slash + 1 : buf);
	return *ret ? 0 : -ENOMEM;
}
