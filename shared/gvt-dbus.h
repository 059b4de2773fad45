/* SPDX-License-Identifier: GPL-2.0-only */
/* The fixed D-Bus names (docs/dbus-api.md), shared by gvtd and gvtctl. */
#pragma once

#define GVT_BUS_NAME "org.gvtd1"
/* root's direct connections to gvtd, no broker in between (below --root for gvtd) */
#define GVT_PRIVATE_SOCKET "/run/gvtd/private"
#define GVT_MANAGER_PATH "/org/gvtd1"
#define GVT_MANAGER_IFACE "org.gvtd1.Manager"
#define GVT_VGPU_PREFIX "/org/gvtd1/vgpu"
#define GVT_VGPU_IFACE "org.gvtd1.VGPU"
#define GVT_PARENT_PREFIX "/org/gvtd1/parent"
#define GVT_PARENT_IFACE "org.gvtd1.Parent"
#define GVT_ERROR_PREFIX "org.gvtd1.Error."

/* Signatures of the structured members, one place for both ends. */
#define GVT_TYPE_SIG "(sssuuusuu)"   /* parent, type, name, aperture MiB, hidden MiB, fences, resolution, weight, available */
#define GVT_VGPU_SIG "(ossss)"       /* path, uuid, parent, type, state */
#define GVT_MODULE_SIG "(ssss)"      /* step, kind, state, reason */
/* uuid, parent, type, autostart, active (its vGPU runs), owner, attributes in order */
#define GVT_DEFINITION_SIG "(sssbbsa(ss))"
/* uuid, parent, path, reason: a definition file gvtd cannot use, left as it is */
#define GVT_UNREADABLE_SIG "(ssss)"
/* owner (or "@default"), limits set, usage: name -> value ("vgpus", "aperture-mib", ...) */
#define GVT_QUOTA_SIG "(sa{st}a{st})"
