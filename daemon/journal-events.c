// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "journal-events.h"
#include "log.h"

/* The catalog's entries (systemd/gvtd.catalog); never change a published one. */
#define MID_VGPU_ADDED        "78df234410374cbaacc68cba02dc78e6"
#define MID_VGPU_REMOVED      "735ba3e497854ee69ad77946b4604b89"
#define MID_DEFINITION_ADDED  "9ccc7412308642b8ab364df9355935d8"
#define MID_DEFINITION_REMOVED "f7401641d7ad4a36a2b45dd279d57c80"
#define MID_DEFINITION_CHANGED "4e060823f41d47629cb1f45e4d15c6ae"
#define MID_PARENT_ADDED      "f93aa9d4e81a451ba7a932fd5b54bf0e"
#define MID_PARENT_REMOVED    "3281abf5ae5840ad9026f57fae9e02e2"
#define MID_MODULES_READY     "756625eea6d640538736730c5d72b97c"
#define MID_MODULES_FAILED    "88d8e12105d24ad5b4b22847cf4cf774"

typedef struct Fields {
	char vgpu[64], parent[128], type[128], owner[96];
	const char *list[5];
} Fields;

/* The fields of one message; a NULL value leaves its field out. */
static const char *const *fields_set(Fields *f, const char *uuid, const char *parent, const char *type,
				     const char *owner)
{
	size_t n = 0;

	if (uuid && snprintf(f->vgpu, sizeof(f->vgpu), "GVT_VGPU=%s", uuid) > 0)
		f->list[n++] = f->vgpu;
	if (parent && snprintf(f->parent, sizeof(f->parent), "GVT_PARENT=%s", parent) > 0)
		f->list[n++] = f->parent;
	if (type && snprintf(f->type, sizeof(f->type), "GVT_TYPE=%s", type) > 0)
		f->list[n++] = f->type;
	if (owner && snprintf(f->owner, sizeof(f->owner), "GVT_OWNER=%s", owner) > 0)
		f->list[n++] = f->owner;
	f->list[n] = NULL;
	return f->list;
}

static void on_event(Manager *m, const Event *e, void *userdata)
{
	ModulesState *logged_state = userdata;
	const Vgpu *v = e->vgpu;
	const Definition *d = e->definition;
	const Parent *p = e->parent;
	Fields f;

	switch (e->kind) {
	case EVENT_VGPU_ADDED:
		log_struct(LOG_INFO, MID_VGPU_ADDED,
			   fields_set(&f, v->uuid, v->parent, v->type, manager_owner_of(m, v->uuid)),
			   "vGPU %s (%s on %s) appeared, owner %s.", v->uuid, v->type, v->parent,
			   manager_owner_of(m, v->uuid));
		break;
	case EVENT_VGPU_REMOVED:
		log_struct(LOG_INFO, MID_VGPU_REMOVED, fields_set(&f, v->uuid, v->parent, v->type, NULL),
			   "vGPU %s (%s on %s) is gone.", v->uuid, v->type, v->parent);
		break;
	case EVENT_DEFINITION_ADDED:
		log_struct(LOG_INFO, MID_DEFINITION_ADDED,
			   fields_set(&f, d->uuid, d->parent, d->type, manager_owner_of(m, d->uuid)),
			   "Definition %s (%s on %s, %s start) added.", d->uuid, d->type, d->parent,
			   d->autostart ? "auto" : "manual");
		break;
	case EVENT_DEFINITION_REMOVED:
		log_struct(LOG_INFO, MID_DEFINITION_REMOVED, fields_set(&f, d->uuid, d->parent, d->type, NULL),
			   "Definition %s (%s on %s) removed.", d->uuid, d->type, d->parent);
		break;
	case EVENT_DEFINITION_CHANGED:
		log_struct(LOG_INFO, MID_DEFINITION_CHANGED, fields_set(&f, d->uuid, d->parent, d->type, NULL),
			   "Definition %s (%s on %s, %s start) changed, started or stopped.", d->uuid, d->type,
			   d->parent, d->autostart ? "auto" : "manual");
		break;
	case EVENT_PARENT_ADDED:
		log_struct(LOG_INFO, MID_PARENT_ADDED, fields_set(&f, NULL, p->name, NULL, NULL),
			   "GPU %s (driver %s) offers vGPUs.", p->name, p->driver ? p->driver : "none");
		break;
	case EVENT_PARENT_REMOVED:
		log_struct(LOG_INFO, MID_PARENT_REMOVED, fields_set(&f, NULL, p->name, NULL, NULL),
			   "GPU %s no longer offers vGPUs.", p->name);
		break;
	case EVENT_MODULES_CHANGED:
		/* Only a new outcome: each step's progress is in gvtctl modules. */
		if (m->modules.state == *logged_state)
			break;
		*logged_state = m->modules.state;
		if (m->modules.state == MODULES_READY)
			log_struct(LOG_INFO, MID_MODULES_READY, NULL, "The GVT modules are loaded (profile %s).",
				   profile_to_string(m->modules.profile));
		else if (m->modules.state == MODULES_FAILED)
			log_struct(LOG_ERR, MID_MODULES_FAILED, NULL, "The GVT modules did not load: %s",
				   m->modules.error);
		break;
	default:
		break;
	}
}

int journal_events_init(Manager *m)
{
	/* The modules' last state said, for the one Manager of the process. */
	static ModulesState logged_state = _MODULES_STATE_MAX;

	return manager_subscribe(m, on_event, &logged_state);
}
