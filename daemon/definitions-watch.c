// SPDX-License-Identifier: GPL-2.0-only
/*
 * Notices changes to ROOT/etc/mdevctl.d made by anyone (mdevctl, libvirt, an
 * editor, gvtd itself) with inotify, so the definitions are reread only when
 * the directory changed, and the change is announced as Definition* events.
 *
 * It only reports what changed; definitions.c rereads. Two ways in: the
 * event loop's io source calls the owner's changed() (the change is
 * announced soon after it happened, with no request), and
 * definitions_watch_collect(), which definitions_sync() calls before every
 * operation and listing: it drains the inotify queue itself, so a
 * definition that `mdevctl define` wrote before the request was sent is
 * seen by that request whatever order the event loop dispatches in.
 *
 * Watched: the top directory (parent directories made, removed or renamed:
 * everything is reread) and each parent directory (a definition finished
 * writing, renamed into place or deleted: that file is reread). Not
 * IN_CREATE/IN_MODIFY of a file: mdevctl truncates and then writes, and a
 * half-written file must not be read. Writing 1000 definitions costs 1000
 * file reads, not 1000 rereads of the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "definitions-watch.h"
#include "log.h"
#include "mdevctl.h"

#define WATCH_TOP_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | \
			IN_ONLYDIR)
#define WATCH_PARENT_MASK (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* Copies a name that fits (parent and UUID names do); false for one that does not. */
static bool copy_name(char dst[static GVT_NAME_MAX], const char *src)
{
	size_t n = strlen(src);

	if (n >= GVT_NAME_MAX)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

static int remember_dir(DefinitionsWatch *w, int wd, const char *name)
{
	void *l;

	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd) {
			/* the same directory again, or a new one that got a freed descriptor */
			(void) copy_name(w->dirs[i].name, name);
			return 0;
		}
	l = realloc(w->dirs, (w->n_dirs + 1) * sizeof(w->dirs[0]));
	if (!l)
		return -ENOMEM;
	w->dirs = l;
	/* A name too long to keep (GVT_NAME_MAX itself) is watched but never named: it is no parent. */
	if (copy_name(w->dirs[w->n_dirs].name, name)) {
		w->dirs[w->n_dirs].wd = wd;
		w->n_dirs++;
	}
	return 0;
}

static const char *dir_of(const DefinitionsWatch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd)
			return w->dirs[i].name;
	return NULL;
}

static void forget_dir(DefinitionsWatch *w, int wd)
{
	for (size_t i = 0; i < w->n_dirs; i++)
		if (w->dirs[i].wd == wd) {
			w->dirs[i] = w->dirs[--w->n_dirs];
			return;
		}
}

/* Watches the top directory and every parent directory in it; 0 or -errno. */
static int watch_all(DefinitionsWatch *w)
{
	_cleanup_free_ char *top = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int r, wd;

	r = sysfs_path(&top, w->root, MDEVCTL_DIR, NULL);
	if (r < 0)
		return r;
	if (mkdir(top, 0755) < 0 && errno != EEXIST)
		return -errno;
	w->top_wd = inotify_add_watch(w->fd, top, WATCH_TOP_MASK);
	if (w->top_wd < 0)
		return -errno;
	d = opendir(top);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_name[0] == '.' || !gvt_name_is_valid(de->d_name))
			continue;
		if (sysfs_path(&sub, w->root, MDEVCTL_DIR, de->d_name, NULL) < 0)
			continue;
		/* A plain file here is not ours to read: IN_ONLYDIR refuses it. */
		wd = inotify_add_watch(w->fd, sub, WATCH_PARENT_MASK);
		if (wd < 0) {
			if (errno == ENOTDIR || errno == ENOENT)
				continue;
			return -errno;
		}
		r = remember_dir(w, wd, de->d_name);
		if (r < 0)
			return r;
	}
	return 0;
}

static void note_event(DefinitionsWatch *w, const struct inotify_event *ev)
{
	const char *parent;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->rewatch = w->reread_all = true;
		return;
	}
	if (ev->wd == w->top_wd) {
		/* The directory itself went: watch (and read) it anew. A parent came or went: read all. */
		if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
			w->rewatch = true;
		w->reread_all = true;
		return;
	}
	parent = dir_of(w, ev->wd);
	if (!parent)
		return; /* a directory forgotten already */
	if (ev->mask & IN_IGNORED) {
		/* The parent directory went; the top's IN_DELETE or IN_MOVED_FROM rereads. */
		forget_dir(w, ev->wd);
		return;
	}
	if (!ev->len || ev->name[0] == '.' || w->reread_all)
		return; /* temporary and set-aside files are no definitions */
	if (w->n_pending == ELEMENTSOF(w->pending)) {
		w->reread_all = true;
		return;
	}
	if (copy_name(w->pending[w->n_pending].parent, parent) && copy_name(w->pending[w->n_pending].name, ev->name))
		w->n_pending++;
}

/* Reads what the kernel queued into w; 1 if there was anything, 0 if not, or -errno. */
static int drain(DefinitionsWatch *w)
{
	bool any = false;

	for (;;) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t n = read(w->fd, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *) p;

			note_event(w, ev);
			any = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	return any;
}

static int rewatch(DefinitionsWatch *w)
{
	int fd, r;

	/* A fresh descriptor drops every old watch at once. */
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = sd_event_source_set_io_fd(w->source, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	close(w->fd);
	w->fd = fd;
	w->n_dirs = 0;
	w->rewatch = false;
	return watch_all(w);
}

static void fall_back(DefinitionsWatch *w, int r)
{
	log_warning_errno(r, "Failed to watch %s for changes, rereading it on every request instead: %m",
			  MDEVCTL_DIR);
	definitions_watch_stop(w);
}

int definitions_watch_collect(DefinitionsWatch *w)
{
	int r;

	if (w->fd < 0)
		return 1;
	r = drain(w);
	if (r < 0) {
		fall_back(w, r);
		return 1;
	}
	if (!w->reread_all)
		return 0;
	/* Watch before reading, so nothing written in between is missed; adding a watch twice is harmless. */
	r = w->rewatch ? rewatch(w) : watch_all(w);
	if (r < 0)
		fall_back(w, r);
	w->reread_all = false;
	w->n_pending = 0;
	return 1;
}

void definitions_watch_clear(DefinitionsWatch *w)
{
	w->n_pending = 0;
}

static int on_inotify(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	DefinitionsWatch *w = userdata;

	(void) s;
	(void) fd;
	(void) revents;
	w->changed(w->userdata);
	return 0;
}

int definitions_watch_start(DefinitionsWatch *w, sd_event *event, const char *root, void (*changed)(void *userdata),
			    void *userdata)
{
	int r;

	w->root = root;
	w->changed = changed;
	w->userdata = userdata;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		fall_back(w, -errno);
		return 0;
	}
	r = sd_event_add_io(event, &w->source, w->fd, EPOLLIN, on_inotify, w);
	if (r < 0) {
		fall_back(w, r);
		return 0;
	}
	r = watch_all(w);
	if (r < 0)
		fall_back(w, r);
	return 0;
}

void definitions_watch_stop(DefinitionsWatch *w)
{

	w->source = sd_event_source_disable_unref(w->source);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->dirs);
	w->dirs = NULL;
	w->n_dirs = 0;
	w->n_pending = 0;
	w->reread_all = w->rewatch = false;
}
