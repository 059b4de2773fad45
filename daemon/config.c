// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libeconf.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config.h"
#include "io.h"
#include "log.h"
#include "macro.h"

static const char *const profile_names[_PROFILE_MAX] = {
	[PROFILE_AUTO] = "auto",
	[PROFILE_SIM] = "sim",
	[PROFILE_KVMGT] = "kvmgt",
};

const char *profile_to_string(Profile p)
{
	return p >= 0 && p < _PROFILE_MAX ? profile_names[p] : NULL;
}

Profile profile_from_string(const char *s)
{
	for (Profile p = 0; p < _PROFILE_MAX; p++)
		if (s && streq(s, profile_names[p]))
			return p;
	return _PROFILE_INVALID;
}

void config_init(Config *c)
{
	*c = (Config) {
		.profile = PROFILE_AUTO,
		.load_on_start = true,
		.wait_timeout_sec = 30,
		.admin_group = strdup("gvt"),
		.api_socket = strdup("/run/gvtd/api.sock"),
		.api_socket_group = strdup("gvt"),
		.api_token_file = strdup("/etc/gvtd/api-tokens"),
		.api_max_connections = 64,
		.api_request_timeout_sec = 10,
		.max_definitions = 1024,
		.max_definitions_per_owner = 64,
		.max_definition_bytes = 16384,
		.callouts = true,
		.callout_timeout_sec = 5,
	};
}

void config_done(Config *c)
{
	free(c->root);
	free(c->module_dir);
	free(c->gvt_base_options);
	free(c->admin_group);
	free(c->api_socket);
	free(c->api_socket_group);
	free(c->api_listen);
	free(c->api_tls_certificate);
	free(c->api_tls_key);
	free(c->api_token_file);
	free(c->bus_address);
	*c = (Config) {};
}

static int parse_bool(const char *v, bool *ret)
{
	if (streq(v, "yes") || streq(v, "true") || streq(v, "1") || streq(v, "on"))
		*ret = true;
	else if (streq(v, "no") || streq(v, "false") || streq(v, "0") || streq(v, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_unsigned(const char *value, unsigned min, unsigned max, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int set_string(char **field, const char *v)
{
	char *s = isempty(v) ? NULL : strdup(v);

	if (!isempty(v) && !s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* What a setting takes, for the error about a value it does not. */
static int allowed_bool(char *allowed, size_t size)
{
	snprintf(allowed, size, "yes or no (also true/false, on/off, 1/0)");
	return -EINVAL;
}

static int set_bool(const char *v, bool *ret, char *allowed, size_t size)
{
	return parse_bool(v, ret) < 0 ? allowed_bool(allowed, size) : 0;
}

static int set_unsigned(const char *v, unsigned min, unsigned max, unsigned *ret, char *allowed, size_t size)
{
	if (parse_unsigned(v, min, max, ret) >= 0)
		return 0;
	snprintf(allowed, size, "a whole number from %u to %u", min, max);
	return -EINVAL;
}

int config_set(Config *c, const char *section, const char *key, const char *value)
{
	char allowed[128];

	return config_set_explained(c, section, key, value, allowed, sizeof(allowed));
}

int config_set_explained(Config *c, const char *section, const char *key, const char *value, char *allowed,
			 size_t allowed_size)
{
	allowed[0] = '\0';
	if (streq(section, "Modules")) {
		if (streq(key, "Profile")) {
			Profile p = profile_from_string(value);

			if (p < 0) {
				snprintf(allowed, allowed_size, "auto, sim or kvmgt");
				return -EINVAL;
			}
			c->profile = p;
			return 0;
		}
		if (streq(key, "SimFallback"))
			return set_bool(value, &c->sim_fallback, allowed, allowed_size);
		if (streq(key, "ModuleDir"))
			return set_string(&c->module_dir, value);
		if (streq(key, "GvtBaseParameters"))
			return set_string(&c->gvt_base_options, value);
		if (streq(key, "LoadOnStart"))
			return set_bool(value, &c->load_on_start, allowed, allowed_size);
		if (streq(key, "WaitTimeoutSec"))
			return set_unsigned(value, 1, 3600, &c->wait_timeout_sec, allowed, allowed_size);
	} else if (streq(section, "Access")) {
		if (streq(key, "AdminGroup"))
			return set_string(&c->admin_group, value);
		if (streq(key, "Polkit")) {
			bool b;

			if (streq(value, "auto"))
				c->polkit = POLKIT_AUTO;
			else if (parse_bool(value, &b) >= 0)
				c->polkit = b ? POLKIT_YES : POLKIT_NO;
			else {
				snprintf(allowed, allowed_size, "auto, yes or no");
				return -EINVAL;
			}
			return 0;
		}
	} else if (streq(section, "API")) {
		static const struct {
			const char *key;
			size_t offset;
		} strings[] = {
			{ "Socket", offsetof(Config, api_socket) },
			{ "SocketGroup", offsetof(Config, api_socket_group) },
			{ "ListenTCP", offsetof(Config, api_listen) },
			{ "TLSCertificate", offsetof(Config, api_tls_certificate) },
			{ "TLSKey", offsetof(Config, api_tls_key) },
			{ "TokenFile", offsetof(Config, api_token_file) },
		};

		for (size_t i = 0; i < ELEMENTSOF(strings); i++)
			if (streq(key, strings[i].key))
				return set_string((char **) ((char *) c + strings[i].offset), value);
		if (streq(key, "MaxConnections"))
			return set_unsigned(value, 1, 4096, &c->api_max_connections, allowed, allowed_size);
		if (streq(key, "RequestTimeoutSec"))
			return set_unsigned(value, 1, 3600, &c->api_request_timeout_sec, allowed, allowed_size);
	} else if (streq(section, "Definitions")) {
		if (streq(key, "MaxDefinitions"))
			return set_unsigned(value, 1, 1000000, &c->max_definitions, allowed, allowed_size);
		if (streq(key, "MaxDefinitionsPerOwner"))
			return set_unsigned(value, 1, 1000000, &c->max_definitions_per_owner, allowed, allowed_size);
		if (streq(key, "MaxDefinitionSize"))
			return set_unsigned(value, 256, 1024 * 1024, &c->max_definition_bytes, allowed, allowed_size);
	} else if (streq(section, "Callouts")) {
		if (streq(key, "Enabled"))
			return set_bool(value, &c->callouts, allowed, allowed_size);
		/* Below the watchdog's 30 s (gvtd.service), which a pre and a post together must not reach. */
		if (streq(key, "TimeoutSec"))
			return set_unsigned(value, 1, 10, &c->callout_timeout_sec, allowed, allowed_size);
	}
	return -ENOENT;
}

/* ---- files: read by libeconf, checked and applied here ---- */

#define CONFIG_FILE_MAX (1024 * 1024)

/* A setting's line, for messages: libeconf keeps values, not where they were (0: not found). */
static unsigned line_of(const char *path, const char *group, const char *key)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0, klen = strlen(key);
	bool in_group = isempty(group);
	unsigned n = 0;

	while (f && getline(&line, &size, f) >= 0) {
		const char *l = line + strspn(line, " \t");

		n++;
		if (*l == '[') {
			size_t glen = group ? strlen(group) : 0;

			in_group = group && strncmp(l + 1, group, glen) == 0 && l[1 + glen] == ']';
		} else if (in_group && strncmp(l, key, klen) == 0 && l[klen + strspn(l + klen, " \t")] == '=')
			return n;
	}
	return 0;
}

/* Before libeconf reads it: a regular file (it takes a directory for an empty file), text, at most 1 MiB. */
static int check_file(const char *path, char *why, size_t why_size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;
	int r;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(why, why_size, "cannot %s it: %s", fd < 0 ? "open" : "stat", strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode))
		return snprintf(why, why_size, "not a regular file: make it one (see gvtd(8)) or remove it"), -EINVAL;
	if (st.st_size > CONFIG_FILE_MAX)
		return snprintf(why, why_size, "over %d bytes: not a configuration file", CONFIG_FILE_MAX), -EFBIG;
	buf = malloc(st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	r = io_read_full(fd, buf, st.st_size + 1, &len);
	if (r < 0)
		return snprintf(why, why_size, "cannot read it: %s", strerror(-r)), r;
	if (memchr(buf, '\0', len))
		return snprintf(why, why_size, "a NUL byte: not a text file"), -EINVAL;
	return 1;
}

/* One file's settings, in its order of groups; unknown ones are logged and skipped, a bad value is an error. */
static int apply_file(Config *c, econf_file *kf, const char *path)
{
	char **groups = NULL, **keys = NULL;
	size_t n_groups = 0, n_keys = 0;
	int r = 0;

	if (econf_getKeys(kf, NULL, &n_keys, &keys) == ECONF_SUCCESS) {
		for (size_t k = 0; k < n_keys; k++)
			log_warning("%s:%u: %s= is outside any [Section], ignoring.", path, line_of(path, NULL, keys[k]),
				    keys[k]);
		econf_freeArray(keys);
	}
	if (econf_getGroups(kf, &n_groups, &groups) != ECONF_SUCCESS)
		return 0; /* no groups: nothing set */
	for (size_t g = 0; r >= 0 && g < n_groups; g++) {
		if (econf_getKeys(kf, groups[g], &n_keys, &keys) != ECONF_SUCCESS)
			continue;
		for (size_t k = 0; r >= 0 && k < n_keys; k++) {
			_cleanup_free_ char *value = NULL;
			char allowed[128];

			if (econf_getStringValue(kf, groups[g], keys[k], &value) != ECONF_SUCCESS)
				value = NULL; /* "Key=": empty */
			r = config_set_explained(c, groups[g], keys[k], strempty(value), allowed, sizeof(allowed));
			if (r == -ENOENT) {
				log_warning("%s:%u: unknown setting [%s] %s, ignoring.", path,
					    line_of(path, groups[g], keys[k]), groups[g], keys[k]);
				r = 0;
			} else if (r == -ENOMEM)
				log_oom();
			else if (r < 0)
				log_error_errno(r, "%s:%u: [%s] %s=%s is not allowed: %s takes %s.", path,
						line_of(path, groups[g], keys[k]), groups[g], keys[k], strempty(value),
						keys[k], isempty(allowed) ? "another value" : allowed);
		}
		econf_freeArray(keys);
	}
	econf_freeArray(groups);
	return r;
}

/* A file libeconf refused: where and why, as it says (syntax). */
static int econf_failed(econf_err e, const char *what)
{
	char *file = NULL;
	uint64_t line = 0;

	if (e == ECONF_NOMEM)
		return log_oom();
	econf_errLocation(&file, &line);
	if (!isempty(file))
		log_error("%s:%" PRIu64 ": %s: fix the line (Key=Value under a [Section]; # starts a comment).", file,
			  line, econf_errString(e));
	else
		log_error("Failed to read %s: %s.", what, econf_errString(e));
	free(file);
	return -EINVAL;
}

int config_parse_file(Config *c, const char *path)
{
	econf_file *kf = NULL;
	char why[256];
	econf_err e;
	int r;

	r = check_file(path, why, sizeof(why));
	if (r == -ENOMEM)
		return log_oom();
	if (r < 0)
		return log_error_errno(r, "%s: %s.", path, why);
	if (r == 0)
		return 0; /* none: the defaults */
	e = econf_readFile(&kf, path, "=", "#;");
	if (e != ECONF_SUCCESS)
		return econf_failed(e, path);
	r = apply_file(c, kf, path);
	econf_freeFile(kf);
	return r;
}

/* A symbolic link to /dev/null (or /dev/null itself): systemd's way to turn a vendor's file off. */
static bool is_masked(const char *path)
{
	struct stat st;

	return stat(path, &st) >= 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

typedef struct Names {
	char **names;
	size_t n;
} Names;

static void names_done(Names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

/* Adds DIR's NAME.conf entries (not hidden) to l, once each; a missing DIR adds none. */
static int names_add_dir(Names *l, const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : log_error_errno(errno, "Failed to read %s: %m", dir);
	while ((errno = 0, de = readdir(d))) {
		size_t len = strlen(de->d_name);
		bool seen = false;
		char **n;

		if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".conf"))
			continue;
		for (size_t i = 0; i < l->n && !seen; i++)
			seen = streq(l->names[i], de->d_name);
		if (seen)
			continue;
		n = realloc(l->names, (l->n + 1) * sizeof(*n));
		if (!n)
			return log_oom();
		l->names = n;
		l->names[l->n] = strdup(de->d_name);
		if (!l->names[l->n])
			return log_oom();
		l->n++;
	}
	return errno ? log_error_errno(errno, "Failed to read %s: %m", dir) : 0;
}

/* ETC/NAME if it exists (a link to /dev/null too), else VENDOR/NAME. */
static int pick(const char *etc, const char *vendor, const char *name, char **ret)
{
	struct stat st;

	if (asprintf(ret, "%s/%s", etc, name) < 0)
		return log_oom();
	if (lstat(*ret, &st) >= 0)
		return 0;
	free(*ret);
	return asprintf(ret, "%s/%s", vendor, name) < 0 ? log_oom() : 0;
}

static int parse_unless_masked(Config *c, const char *path)
{
	if (is_masked(path)) {
		log_debug("%s is masked (/dev/null), skipping.", path);
		return 0;
	}
	return config_parse_file(c, path);
}

/*
 * libeconf parses each file (config_parse_file); which files, in which order,
 * is chosen here: libeconf 0.5's econf_readDirsHistory() reads a vendor
 * drop-in even when /etc has one of the same name, and takes a link to
 * /dev/null for a file, where systemd lets /etc's hide the vendor's.
 */
int config_load(Config *c, const char *etc_dir, const char *vendor_dir)
{
	_cleanup_free_ char *main_conf = NULL, *etc_d = NULL, *vendor_d = NULL;
	_cleanup_(names_done) Names l = {};
	int r;

	r = pick(etc_dir, vendor_dir, "gvtd.conf", &main_conf);
	if (r >= 0)
		r = parse_unless_masked(c, main_conf);
	if (r < 0)
		return r;
	if (asprintf(&etc_d, "%s/gvtd.conf.d", etc_dir) < 0 || asprintf(&vendor_d, "%s/gvtd.conf.d", vendor_dir) < 0)
		return log_oom();
	r = names_add_dir(&l, etc_d);
	if (r >= 0)
		r = names_add_dir(&l, vendor_d);
	if (r < 0)
		return r;
	qsort(l.names, l.n, sizeof(*l.names), name_cmp);
	for (size_t i = 0; i < l.n; i++) {
		_cleanup_free_ char *path = NULL;

		r = pick(etc_d, vendor_d, l.names[i], &path);
		if (r >= 0)
			r = parse_unless_masked(c, path);
		if (r < 0)
			return r;
	}
	return 0;
}
