// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "device-ops.h"
#include "kernel.h"
#include "log.h"
#include "macro.h"
#include "manager.h"

/* Everything the thread reads is the operation's own: copied in, freed by the loop after the thread signalled. */
struct DeviceOp {
	Manager *manager;
	DeviceOpKind kind;
	char uuid[GVT_UUID_STRING_MAX];
	char *root;               /* the config's */
	char *parent, *type;      /* create */
	Attr *attrs;
	size_t n_attrs;
	char owner[OWNER_NAME_MAX + 1];
	Usage usage;
	DeviceOpResult result;    /* the thread's: written before it signals efd */
	int efd;
	sd_event_source *done_source, *slow_timer;
	DeviceOpDone done;
	void *userdata;
	DeviceOp *next;
};

void device_create_now(const char *root, const char *parent, const char *type, const char *uuid, const Attr *attrs,
		       size_t n_attrs, DeviceOpResult *ret)
{
	*ret = (DeviceOpResult) { .failed_attr = n_attrs };
	ret->r = kernel_vgpu_create(root, parent, type, uuid);
	for (size_t i = 0; ret->r >= 0 && i < n_attrs; i++) {
		ret->r = kernel_vgpu_set_attr(root, uuid, attrs[i].name, attrs[i].value);
		if (ret->r < 0) {
			ret->failed_attr = i;
			ret->undo_r = kernel_vgpu_remove(root, uuid);
		}
	}
}

/* The thread touches op only before it signals: after the eventfd write the loop may free op. */
static void *device_op_thread(void *userdata)
{
	DeviceOp *op = userdata;
	uint64_t one = 1;

	if (op->kind == DEVICE_OP_CREATE)
		device_create_now(op->root, op->parent, op->type, op->uuid, op->attrs, op->n_attrs, &op->result);
	else
		op->result = (DeviceOpResult) { .r = kernel_vgpu_remove(op->root, op->uuid) };
	atomic_thread_fence(memory_order_release);
	(void) !write(op->efd, &one, sizeof(one));
	return NULL;
}

static void device_op_free(DeviceOp *op)
{
	sd_event_source_disable_unref(op->done_source);
	sd_event_source_disable_unref(op->slow_timer);
	if (op->efd >= 0)
		close(op->efd);
	attrs_free(op->attrs, op->n_attrs);
	free(op->parent);
	free(op->type);
	free(op->root);
	free(op);
}

static void unlink_op(Manager *m, DeviceOp *op)
{
	for (DeviceOp **p = &m->device_ops.first; *p; p = &(*p)->next)
		if (*p == op) {
			*p = op->next;
			return;
		}
}

static int on_slow(sd_event_source *s, uint64_t usec, void *userdata)
{
	DeviceOp *op = userdata;
	Manager *m = op->manager;
	Vgpu *v = inventory_find_vgpu(&m->inventory, op->uuid);
	uint32_t pid;

	openers_sync(m);
	pid = openers_pid(m, op->uuid);
	log_warning("The kernel holds the removal of vGPU %s until %s%.0u closes it; it completes then.",
		    op->uuid, pid ? "process " : "its user", pid);
	if (v && v->state != VGPU_REMOVING) {
		v->state = VGPU_REMOVING;
		manager_emit(m, EVENT_VGPU_STATE_CHANGED, v, NULL);
	}
	return 0;
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	DeviceOp *op = userdata;
	Manager *m = op->manager;
	Vgpu *v = inventory_find_vgpu(&m->inventory, op->uuid);

	atomic_thread_fence(memory_order_acquire);
	unlink_op(m, op);
	/* A removal that failed leaves the vGPU: active again, which the caller's sync reports. */
	if (op->kind == DEVICE_OP_REMOVE && v && v->state == VGPU_REMOVING && op->result.r < 0) {
		v->state = VGPU_ACTIVE;
		manager_emit(m, EVENT_VGPU_STATE_CHANGED, v, NULL);
	}
	op->done(m, op->uuid, &op->result, op->userdata);
	device_op_free(op);
	return 0;
}

bool device_ops_pending(const Manager *m, const char *uuid, DeviceOpKind *ret_kind)
{
	for (const DeviceOp *op = m->device_ops.first; op; op = op->next)
		if (streq(op->uuid, uuid)) {
			if (ret_kind)
				*ret_kind = op->kind;
			return true;
		}
	return false;
}

void device_ops_add_usage(const Manager *m, const char *owner, Usage *sum)
{
	for (const DeviceOp *op = m->device_ops.first; op; op = op->next) {
		if (op->kind != DEVICE_OP_CREATE || !streq(op->owner, owner) ||
		    inventory_find_vgpu(&m->inventory, op->uuid))
			continue;
		for (size_t l = 0; l < ELEMENTSOF(sum->v); l++)
			sum->v[l] += op->usage.v[l];
	}
}

static int start(Manager *m, DeviceOp *op)
{
	pthread_attr_t attr;
	pthread_t thread;
	int k;

	op->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	k = op->efd < 0 ? -errno : 0;
	if (k >= 0)
		k = sd_event_add_io(m->event, &op->done_source, op->efd, EPOLLIN, on_done, op);
	if (k >= 0 && op->kind == DEVICE_OP_REMOVE)
		k = sd_event_add_time_relative(m->event, &op->slow_timer, CLOCK_MONOTONIC, REMOVAL_SLOW_USEC, 0,
					       on_slow, op);
	if (k >= 0 && (k = -pthread_attr_init(&attr)) >= 0) {
		/* Detached: a thread the kernel holds at exit is never waited for. */
		k = -pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (k >= 0)
			k = -pthread_attr_setstacksize(&attr, 64 * 1024);
		if (k >= 0)
			k = -pthread_create(&thread, &attr, device_op_thread, op);
		pthread_attr_destroy(&attr);
	}
	if (k < 0) {
		device_op_free(op);
		return k;
	}
	op->next = m->device_ops.first;
	m->device_ops.first = op;
	return 0;
}

static DeviceOp *device_op_new(Manager *m, DeviceOpKind kind, const char *uuid, DeviceOpDone done, void *userdata)
{
	DeviceOp *op = calloc(1, sizeof(*op));

	if (!op)
		return NULL;
	*op = (DeviceOp) { .manager = m, .kind = kind, .efd = -1, .done = done, .userdata = userdata };
	snprintf(op->uuid, sizeof(op->uuid), "%s", uuid);
	op->root = strdup(strempty(m->config.root));
	if (!op->root) {
		device_op_free(op);
		return NULL;
	}
	return op;
}

int device_ops_create(Manager *m, const char *parent, const char *type, const char *uuid, const Attr *attrs,
		      size_t n_attrs, const char *owner, const Usage *usage, DeviceOpDone done, void *userdata)
{
	DeviceOp *op;

	if (device_ops_pending(m, uuid, NULL))
		return -EBUSY;
	op = device_op_new(m, DEVICE_OP_CREATE, uuid, done, userdata);
	if (!op)
		return -ENOMEM;
	op->parent = strdup(parent);
	op->type = strdup(type);
	if (!op->parent || !op->type || attrs_copy(attrs, n_attrs, &op->attrs) < 0) {
		device_op_free(op);
		return -ENOMEM;
	}
	op->n_attrs = n_attrs;
	snprintf(op->owner, sizeof(op->owner), "%s", strempty(owner));
	if (usage)
		op->usage = *usage;
	return start(m, op);
}

int device_ops_remove(Manager *m, const char *uuid, DeviceOpDone done, void *userdata)
{
	DeviceOp *op;

	if (device_ops_pending(m, uuid, NULL))
		return -EBUSY;
	op = device_op_new(m, DEVICE_OP_REMOVE, uuid, done, userdata);
	return op ? start(m, op) : -ENOMEM;
}

void device_ops_done(Manager *m)
{
	for (DeviceOp *op = m->device_ops.first; op; op = op->next) {
		/* The thread may still write op->result and op->efd: both stay; the loop goes. */
		op->done_source = sd_event_source_disable_unref(op->done_source);
		op->slow_timer = sd_event_source_disable_unref(op->slow_timer);
		log_warning("vGPU %s: its %s is still held by the kernel at exit; it completes without gvtd.",
			    op->uuid, op->kind == DEVICE_OP_CREATE ? "create" : "removal");
	}
	m->device_ops.first = NULL;
}
