/* SPDX-License-Identifier: GPL-2.0-only */
/* gvtd's configuration: /etc/gvtd/gvtd.conf (below the root prefix), then the command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef enum Profile {
	PROFILE_AUTO,
	PROFILE_SIM,
	PROFILE_KVMGT,
	_PROFILE_MAX,
	_PROFILE_INVALID = -1,
} Profile;

/* Who decides for callers other than root: polkit, or the AdminGroup rule. */
typedef enum PolkitMode {
	POLKIT_AUTO,              /* polkit if polkitd is reachable, else the group rule */
	POLKIT_YES,
	POLKIT_NO,
	_POLKIT_MODE_MAX,
} PolkitMode;

typedef struct Config {
	char *root;               /* prefix for /sys, /etc, /var/lib/gvtd, /run/gvtd; NULL = / */
	Profile profile;
	bool sim_fallback;        /* auto: use sim when no GVT-capable GPU is present */
	char *module_dir;         /* load gvt_base/gvt_mdev from here instead of the installed ones */
	char *gvt_base_options;   /* module parameters for gvt_base */
	bool load_on_start;
	unsigned wait_timeout_sec;
	char *admin_group;        /* without polkit: members may do everything root may */
	PolkitMode polkit;
	char *bus_address;        /* NULL: the system bus (served on, and polkit's) */

	/* The REST API; paths are below the root prefix. */
	char *api_socket;         /* unix socket; NULL: none (unless socket-activated) */
	char *api_socket_group;   /* the socket's group (mode 0660) */
	char *api_listen;         /* TCP "address:port"; NULL: no TCP listener */
	char *api_tls_certificate;
	char *api_tls_key;
	char *api_token_file;     /* "sha256:HEX OWNER ROLE" lines */
	unsigned api_max_connections;
	unsigned api_request_timeout_sec;   /* to send a whole request, from connecting or the last answer */

	/* [Definitions]: what callers may make gvtd keep in memory and on disk (definitions.c). */
	unsigned max_definitions;            /* in all, whoever owns them */
	unsigned max_definitions_per_owner;  /* of one owner other than root */
	unsigned max_definition_bytes;       /* one definition's file, as gvtd writes it */

	/* [Callouts]: mdevctl's callout scripts around gvtd's operations (callouts.c). */
	bool callouts;
	unsigned callout_timeout_sec;        /* each script's; the loop waits for it */
} Config;

const char *profile_to_string(Profile p);
Profile profile_from_string(const char *s);

void config_init(Config *c);
void config_done(Config *c);

/*
 * Reads one INI file through libeconf; a missing file is not an error.
 * Unknown keys are logged and ignored; a bad value or a line libeconf
 * cannot parse is an error naming file:line and what is allowed.
 */
int config_parse_file(Config *c, const char *path);
/*
 * gvtd.conf as systemd reads its own: ETC_DIR/gvtd.conf (or, without it,
 * VENDOR_DIR/gvtd.conf), then the drop-ins ETC_DIR/gvtd.conf.d/\*.conf and
 * VENDOR_DIR/gvtd.conf.d/\*.conf in the order of their names (one in ETC_DIR
 * hides the vendor's of the same name; a link to /dev/null hides and is not
 * read); later files win. Each checked and parsed by config_parse_file().
 */
int config_load(Config *c, const char *etc_dir, const char *vendor_dir);
/* Applies one setting; -ENOENT for an unknown key, -EINVAL for a bad value. */
int config_set(Config *c, const char *section, const char *key, const char *value);
/* The same, with what the setting takes in allowed on -EINVAL ("a whole number from 1 to 3600"). */
int config_set_explained(Config *c, const char *section, const char *key, const char *value, char *allowed,
			 size_t allowed_size);
