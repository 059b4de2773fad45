// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"
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

int config_set(Config *c, const char *section, const char *key, const char *value)
{
	if (streq(section, "Modules")) {
		if (streq(key, "Profile")) {
			Profile p = profile_from_string(value);

			if (p < 0)
				return -EINVAL;
			c->profile = p;
			return 0;
		}
		if (streq(key, "SimFallback"))
			return parse_bool(value, &c->sim_fallback);
		if (streq(key, "ModuleDir"))
			return set_string(&c->module_dir, value);
		if (streq(key, "GvtBaseParameters"))
			return set_string(&c->gvt_base_options, value);
		if (streq(key, "LoadOnStart"))
			return parse_bool(value, &c->load_on_start);
		if (streq(key, "WaitTimeoutSec"))
			return parse_unsigned(value, 1, 3600, &c->wait_timeout_sec);
	} else if (streq(section, "Access")) {
		if (streq(key, "AdminGroup"))
			return set_string(&c->admin_group, value);
		if (streq(key, "Polkit")) {
			bool b;

			if (streq(value, "auto"))
				c->polkit = POLKIT_AUTO;
			else if (parse_bool(value, &b) >= 0)
				c->polkit = b ? POLKIT_YES : POLKIT_NO;
			else
				return -EINVAL;
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
			return parse_unsigned(value, 1, 4096, &c->api_max_connections);
		if (streq(key, "RequestTimeoutSec"))
			return parse_unsigned(value, 1, 3600, &c->api_request_timeout_sec);
	} else if (streq(section, "Definitions")) {
		if (streq(key, "MaxDefinitions"))
			return parse_unsigned(value, 1, 1000000, &c->max_definitions);
		if (streq(key, "MaxDefinitionsPerOwner"))
			return parse_unsigned(value, 1, 1000000, &c->max_definitions_per_owner);
		if (streq(key, "MaxDefinitionSize"))
			return parse_unsigned(value, 256, 1024 * 1024, &c->max_definition_bytes);
	} else if (streq(section, "Callouts")) {
		if (streq(key, "Enabled"))
			return parse_bool(value, &c->callouts);
		/* Below the watchdog's 30 s (gvtd.service), which a pre and a post together must not reach. */
		if (streq(key, "TimeoutSec"))
			return parse_unsigned(value, 1, 10, &c->callout_timeout_sec);
	}
	return -ENOENT;
}

static char *strip(char *s)
{
	char *end;

	while (isspace((unsigned char) *s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char) end[-1]))
		*--end = '\0';
	return s;
}

int config_parse(Config *c, const char *buf, size_t len, const char *path)
{
	char section[64] = "";
	unsigned lineno = 0;

	assert(c);
	assert(buf || len == 0);
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
		_cleanup_free_ char *line = strndup(p, n);
		char *l, *eq;
		int r;

		if (!line)
			return log_oom();
		if (memchr(p, '\0', n))
			return log_error_errno(EINVAL, "%s:%u: a NUL byte: not a text file.", path, lineno + 1);
		p += n + (nl ? 1 : 0);
		l = strip(line);
		lineno++;
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');

			if (!close || close[1] != '\0' || (size_t) (close - l) >= sizeof(section)) {
				log_warning("%s:%u: bad section header, ignoring.", path, lineno);
				continue;
			}
			*close = '\0';
			strcpy(section, l + 1);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			log_warning("%s:%u: expected Key=Value, ignoring.", path, lineno);
			continue;
		}
		*eq = '\0';
		r = config_set(c, section, strip(l), strip(eq + 1));
		if (r == -ENOENT)
			log_warning("%s:%u: unknown setting [%s] %s, ignoring.", path, lineno, section, strip(l));
		else if (r < 0)
			return log_error_errno(r, "%s:%u: bad value for %s: %m", path, lineno, strip(l));
	}
	return 0;
}

int config_parse_file(Config *c, const char *path)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size = 0;
	struct stat st;

	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : log_error_errno(errno, "Failed to open %s: %m", path);
	/* fopen() opens a directory for reading; its reads fail with EISDIR, which looked like an empty file. */
	if (fstat(fileno(f), &st) < 0)
		return log_error_errno(errno, "Failed to read %s: %m", path);
	if (!S_ISREG(st.st_mode))
		return log_error_errno(EINVAL, "%s is not a regular file: make it one (see gvtd.conf(5)) or remove it.",
				       path);
	for (;;) {
		size_t n;

		if (len == size) {
			char *b = realloc(buf, size + LINE_MAX);

			if (!b)
				return log_oom();
			buf = b;
			size += LINE_MAX;
		}
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		return log_error_errno(EIO, "Failed to read %s: %m", path);
	return config_parse(c, buf, len, path);
}
