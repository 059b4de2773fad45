/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The core's events and who hears them: every change the core makes or
 * notices is one Event, handed to each subscriber (the adapters, the
 * journal, the STATUS= line) in the order they subscribed. Each bumps
 * Manager.generation, so what an adapter derived is stale once it moved.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct Manager Manager;
typedef struct Vgpu Vgpu;
typedef struct Parent Parent;
typedef struct Definition Definition;

typedef enum EventKind {
	EVENT_VGPU_ADDED,
	EVENT_VGPU_REMOVED,
	EVENT_VGPU_STATE_CHANGED,
	EVENT_VGPU_CHANGED,        /* properties other than the state */
	EVENT_PARENT_ADDED,
	EVENT_PARENT_REMOVED,
	EVENT_PARENT_CHANGED,      /* availability or types */
	EVENT_MODULES_CHANGED,
	EVENT_DEFINITION_ADDED,
	EVENT_DEFINITION_REMOVED,  /* definition: the last state, freed after the handlers ran */
	EVENT_DEFINITION_CHANGED,  /* modified, started or stopped */
	_EVENT_KIND_MAX,
} EventKind;

typedef struct Event {
	EventKind kind;
	const Vgpu *vgpu;          /* VGPU events; on removal the last state seen */
	const Parent *parent;      /* PARENT events */
	const Definition *definition; /* DEFINITION events */
} Event;

/* Stable names ("vgpu-added", ...): the REST event stream's, and the metrics' kind label. */
const char *event_kind_to_string(EventKind kind);

typedef void (*EventHandler)(Manager *m, const Event *e, void *userdata);

typedef struct Subscribers {
	struct {
		EventHandler handler;
		void *userdata;
	} list[8];
	size_t n;
} Subscribers;

/* Events emitted since the start, by kind (each manager_emit_event() counts). */
typedef struct EventCounts {
	uint64_t n[_EVENT_KIND_MAX];
} EventCounts;

int manager_subscribe(Manager *m, EventHandler handler, void *userdata);
void manager_unsubscribe(Manager *m, EventHandler handler, void *userdata);
void manager_emit(Manager *m, EventKind kind, const Vgpu *v, const Parent *p);
void manager_emit_event(Manager *m, const Event *e);
