// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "manager.h"
#include "removals.h"
#include "kernel.h"

struct Removal {
	Manager *manager;
	char uuid[GVT_UUID_STRING_MAX];
	char *root;               /* the config's, copied: the thread reads it */
	atomic_int result;        /* the thread's: set before it signals efd */
	int efd;
	sd_event_source *done_source, *slow_timer;
	RemovalDone done;
	void *userdata;
	Removal *next;
};

/* The thread touches r only before it signals: after the eventfd write the loop may free r. */
static void *removal_thread(void *userdata)
{
	Removal *r = userdata;
	uint64_t one = 1;

	atomic_store(&r->result, kernel_vgpu_remove(r->root, r->uuid));
	(void) !write(r->efd, &one, sizeof(one));
	return NULL;
}

static void removal_free(Removal *r)
{
	sd_event_source_disable_unref(r->done_source);
	sd_event_source_disable_unref(r->slow_timer);
	if (r->efd >= 0)
		close(r->efd);
	free(r->root);
	free(r);
}

static void unlink_removal(Manager *m, Removal *r)
{
	for (Removal **p = &m->removals.first; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			return;
		}
}

static int on_slow(sd_event_source *s, uint64_t usec, void *userdata)
{
	Removal *r = userdata;
	Manager *m = r->manager;
	Vgpu *v = inventory_find_vgpu(&m->inventory, r->uuid);
	uint32_t pid;

	openers_sync(m);
	pid = openers_pid(m, r->uuid);
	log_warning("The kernel holds the removal of vGPU %s until %s%.0u closes it; it completes then.",
		    r->uuid, pid ? "process " : "its user", pid);
	if (v && v->state != VGPU_REMOVING) {
		v->state = VGPU_REMOVING;
		manager_emit(m, EVENT_VGPU_STATE_CHANGED, v, NULL);
	}
	return 0;
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	Removal *r = userdata;
	Manager *m = r->manager;
	Vgpu *v = inventory_find_vgpu(&m->inventory, r->uuid);
	int result = atomic_load(&r->result);

	unlink_removal(m, r);
	/* Still there (the write failed): active again, which the sync below reports. */
	if (v && v->state == VGPU_REMOVING && result < 0) {
		v->state = VGPU_ACTIVE;
		manager_emit(m, EVENT_VGPU_STATE_CHANGED, v, NULL);
	}
	r->done(m, r->uuid, result, r->userdata);
	removal_free(r);
	return 0;
}

bool removals_pending(const Manager *m, const char *uuid)
{
	for (const Removal *r = m->removals.first; r; r = r->next)
		if (streq(r->uuid, uuid))
			return true;
	return false;
}

int removals_start(Manager *m, const char *uuid, RemovalDone done, void *userdata)
{
	pthread_attr_t attr;
	pthread_t thread;
	Removal *r;
	int k;

	if (removals_pending(m, uuid))
		return -EBUSY;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (Removal) { .manager = m, .efd = -1, .done = done, .userdata = userdata };
	snprintf(r->uuid, sizeof(r->uuid), "%s", uuid);
	r->root = strdup(strempty(m->config.root));
	k = r->root ? 0 : -ENOMEM;
	if (k >= 0) {
		r->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (r->efd < 0)
			k = -errno;
	}
	if (k >= 0)
		k = sd_event_add_io(m->event, &r->done_source, r->efd, EPOLLIN, on_done, r);
	if (k >= 0)
		k = sd_event_add_time_relative(m->event, &r->slow_timer, CLOCK_MONOTONIC, REMOVAL_SLOW_USEC, 0,
					       on_slow, r);
	if (k >= 0 && (k = -pthread_attr_init(&attr)) >= 0) {
		/* Detached: a thread the kernel holds at exit is never waited for. */
		k = -pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (k >= 0)
			k = -pthread_attr_setstacksize(&attr, 64 * 1024);
		if (k >= 0)
			k = -pthread_create(&thread, &attr, removal_thread, r);
		pthread_attr_destroy(&attr);
	}
	if (k < 0) {
		removal_free(r);
		return k;
	}
	r->next = m->removals.first;
	m->removals.first = r;
	return 0;
}

void removals_done(Manager *m)
{
	for (Removal *r = m->removals.first; r; r = r->next) {
		/* The thread may still write r->result and r->efd: both stay; the loop goes. */
		r->done_source = sd_event_source_disable_unref(r->done_source);
		r->slow_timer = sd_event_source_disable_unref(r->slow_timer);
		log_warning("vGPU %s: its removal is still held by the kernel at exit; it completes without gvtd.",
			    r->uuid);
	}
	m->removals.first = NULL;
}
