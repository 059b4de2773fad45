// SPDX-License-Identifier: GPL-2.0-only
/*
 * Notices changes to ROOT/etc/mdevctl.d made by anyone (mdevctl, libvirt, an
 * editor, gvtd itself) with inotify, so the definitions are reread only when
 * the directory changed, and the change is announced as Definition* events.
 *
 * Two ways in: the event loop's io source (the change is announced soon after
 * it happened, with no request), and definitions_watch_sync(), which every
 * operation and listing calls first: it drains the inotify queue itself, so
 * a definition that `mdevctl define` wrote before the request was sent is
 * seen by that request whatever order the event loop dispatches in.
 *
 * Watched: the top directory (parent directories made, removed or renamed)
 * and each parent directory (a definition finished writing, renamed into
 * place or deleted). Not IN_CREATE/IN_MODIFY of a file: mdevctl truncates and
 * then writes, and a half-written file must not be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "definitions.h"
#include "definitions-watch.h"
#include "log.h"
#include "manager.h"

#define WATCH_TOP_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | \
			IN_ONLYDIR)
#define WATCH_PARENT_MASK (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* Watches the top directory and every parent directory in it; 0 or -errno. */
static int watch_all(Manager *m)
{
	_cleanup_free_ char *top = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r;

	r = manager_path(m, &top, MDEVCTL_DIR, NULL);
	if (r < 0)
		return r;
	if (mkdir(top, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (inotify_add_watch(m->definitions_inotify_fd, top, WATCH_TOP_MASK) < 0)
		return -errno;
	d = opendir(top);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_name[0] == '.' || !gvt_name_is_valid(de->d_name))
			continue;
		if (manager_path(m, &sub, MDEVCTL_DIR, de->d_name, NULL) < 0)
			continue;
		/* A plain file here is not ours to read: IN_ONLYDIR refuses it. */
		if (inotify_add_watch(m->definitions_inotify_fd, sub, WATCH_PARENT_MASK) < 0 &&
		    errno != ENOTDIR && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/*
 * Reads what the kernel queued. Returns 1 if anything changed (or the queue
 * overflowed, or the top directory went: watch everything again), 0 if not.
 */
static int drain(Manager *m)
{
	bool changed = false;

	for (;;) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n = read(m->definitions_inotify_fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *) p;

			/* Ignoring the self-events of parent directories: their removal shows in the top. */
			if (ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF))
				m->definitions_rewatch = true;
			if (ev->mask & ~IN_IGNORED)
				changed = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return changed;
}

static int rewatch(Manager *m)
{
	int fd, r;

	/* A fresh descriptor drops every old watch at once. */
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (m->definitions_inotify_fd >= 0 &&
	    (r = sd_event_source_set_io_fd(m->definitions_watch, fd)) < 0) {
		close(fd);
		return r;
	}
	if (m->definitions_inotify_fd >= 0)
		close(m->definitions_inotify_fd);
	m->definitions_inotify_fd = fd;
	m->definitions_rewatch = false;
	return watch_all(m);
}

static void fall_back(Manager *m, int r)
{
	log_warning_errno(r, "Failed to watch %s for changes, rereading it on every request instead: %m",
			  MDEVCTL_DIR);
	m->definitions_watch = sd_event_source_disable_unref(m->definitions_watch);
	if (m->definitions_inotify_fd >= 0)
		close(m->definitions_inotify_fd);
	m->definitions_inotify_fd = -1;
}

int definitions_watch_sync(Manager *m)
{
	int r;

	if (m->definitions_inotify_fd < 0)
		return definitions_refresh(m);
	r = drain(m);
	if (r < 0) {
		fall_back(m, r);
		return definitions_refresh(m);
	}
	if (r == 0)
		return 0;
	/* Before the reread, so nothing written in between is missed; adding a watch twice is harmless. */
	r = m->definitions_rewatch ? rewatch(m) : watch_all(m);
	if (r < 0)
		fall_back(m, r);
	return definitions_refresh(m);
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	(void) s;
	(void) fd;
	(void) revents;
	(void) definitions_watch_sync(userdata);
	return 0;
}

int definitions_watch_start(Manager *m)
{
	int r;

	m->definitions_inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->definitions_inotify_fd < 0) {
		fall_back(m, -errno);
		return 0;
	}
	r = sd_event_add_io(m->event, &m->definitions_watch, m->definitions_inotify_fd, EPOLLIN, on_inotify, m);
	if (r < 0) {
		fall_back(m, r);
		return 0;
	}
	r = watch_all(m);
	if (r < 0)
		fall_back(m, r);
	return 0;
}

void definitions_watch_stop(Manager *m)
{
	m->definitions_watch = sd_event_source_disable_unref(m->definitions_watch);
	if (m->definitions_inotify_fd >= 0)
		close(m->definitions_inotify_fd);
	m->definitions_inotify_fd = -1;
}
