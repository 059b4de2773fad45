// SPDX-License-Identifier: GPL-2.0-only
/* gvtctl: the operator's client for gvtd, over D-Bus (docs/gvtctl.md). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "gvt-dbus.h"
#include "macro.h"
#include "table.h"

/* Exit codes: documented in gvtctl(1). */
#define EXIT_OK 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_NO_FIT 3   /* the answer is no: plan does not fit, doctor found a failing check */

/* Loading modules waits for the kernel: give it time. */
#define LONG_CALL_USEC (120 * 1000000ULL)

DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free)

static bool arg_json;
static const char *arg_output;         /* --output: the columns shown */
static bool arg_noheadings;
static bool use_private_socket;       /* root, the system bus, not monitor */
static const char *arg_bus_address;
static const char *arg_verb;          /* the command, once known: usage hints name it */
static bool usage_hinted;             /* usage_error() said how to get help */

typedef struct Verb {
	const char *name;
	const char *synopsis;
	const char *help;
	int (*run)(sd_bus *bus, int argc, char *argv[]);
	bool table;               /* prints one table: --output and --noheadings apply */
} Verb;

static int usage_error(const char *format, ...) _printf_(1, 2);
static int usage_error(const char *format, ...)
{
	va_list ap;

	fprintf(stderr, "gvtctl: ");
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'gvtctl %s%s--help'.\n", strempty(arg_verb), arg_verb ? " " : "");
	usage_hinted = true;
	return -EXIT_USAGE;
}

/* The columns --output chose, checked before the first bus call: 0 or a usage error. */
static int select_columns(Table *t)
{
	char error[512];

	if (table_select(t, arg_output, error, sizeof(error)) < 0)
		return usage_error("--output: %s", error);
	return 0;
}

static int print_table(Table *t)
{
	return table_print(t, arg_json, arg_noheadings) < 0 ? -EXIT_FAILED : 0;
}

/*
 * The bus is connected on first use, so that a usage error is told before
 * any connection (and without a bus). 0, or -EXIT_FAILED having said why.
 */
/*
 * root's direct connection to gvtd on its private socket, as systemctl uses
 * /run/systemd/private: no broker handshake (SASL, Hello) and no hop per
 * message. 0: connected; < 0: not there (gvtd not running, older, or not
 * root), and the bus is used.
 */
static const char *private_socket(void)
{
	return getenv("GVTCTL_PRIVATE_SOCKET") ?: GVT_PRIVATE_SOCKET;
}

static int private_connect(sd_bus *bus)
{
	const char *path = private_socket();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (!use_private_socket || geteuid() != 0 || isempty(path) || strlen(path) >= sizeof(sa.sun_path))
		return -ENOENT;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = sd_bus_set_fd(bus, fd, fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	return sd_bus_set_bus_client(bus, false);
}

static int bus_ready(sd_bus *bus)
{
	const char *address = NULL;
	int r;

	if (sd_bus_is_open(bus) > 0)
		return 0;
	if (private_connect(bus) >= 0) {
		r = sd_bus_start(bus);
		if (r >= 0)
			return 0;
		fprintf(stderr, "gvtctl: cannot talk to gvtd on %s: %s\n", private_socket(), strerror(-r));
		return -EXIT_FAILED;
	}
	r = sd_bus_start(bus);
	if (r >= 0)
		return 0;
	(void) sd_bus_get_address(bus, &address);
	if (arg_bus_address)
		fprintf(stderr, "gvtctl: cannot connect to the bus at %s: %s\n", arg_bus_address, strerror(-r));
	else
		fprintf(stderr, "gvtctl: no system bus (%s: %s): is dbus running? (systemctl status dbus)\n",
			strempty(address), strerror(-r));
	return -EXIT_FAILED;
}

/* The daemon's message as it is: it says what went wrong and what to do. */
static int call_failed(const char *what, const sd_bus_error *error, int r)
{
	if (error && (sd_bus_error_has_name(error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		      sd_bus_error_has_name(error, SD_BUS_ERROR_NAME_HAS_NO_OWNER)))
		fprintf(stderr, "gvtctl: gvtd is not running: nobody owns %s on the %s bus (start it: systemctl "
			"start gvtd)\n", GVT_BUS_NAME, arg_bus_address ? "given" : "system");
	else if (error && sd_bus_error_is_set(error))
		fprintf(stderr, "gvtctl: %s\n", error->message);
	else
		fprintf(stderr, "gvtctl: %s: %s\n", what, strerror(-r));
	return -EXIT_FAILED;
}

typedef struct AttrArgs AttrArgs;
static int append_attrs(sd_bus_message *m, const AttrArgs *a);

/* One Manager method call. With attrs, the arguments are followed by the
 * attributes and the interactive flag (CreateVGPUEx, DefineVGPU, ModifyDefinition).
 */
static int vcall(sd_bus *bus, const char *method, sd_bus_message **reply, const AttrArgs *attrs,
		 const char *types, va_list ap)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, GVT_BUS_NAME, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, method);
	if (r >= 0 && types)
		r = sd_bus_message_appendv(m, types, ap);
	if (r >= 0 && attrs)
		r = append_attrs(m, attrs);
	if (r >= 0 && attrs)
		r = sd_bus_message_append(m, "b", true);
	if (r < 0)
		return call_failed(method, NULL, r);
	r = sd_bus_call(bus, m, LONG_CALL_USEC, &error, reply);
	return r < 0 ? call_failed(method, &error, r) : 0;
}

static int call(sd_bus *bus, const char *method, sd_bus_message **reply, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = vcall(bus, method, reply, NULL, types, ap);
	va_end(ap);
	return r;
}

static int get_property(sd_bus *bus, const char *path, const char *iface, const char *name, const char *sig,
			sd_bus_message **reply)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_get_property(bus, GVT_BUS_NAME, path, iface, name, &error, reply, sig);
	return r < 0 ? call_failed(name, &error, r) : 0;
}

static int get_string(sd_bus *bus, const char *path, const char *iface, const char *name, char **ret)
{
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_get_property_string(bus, GVT_BUS_NAME, path, iface, name, &error, ret);
	return r < 0 ? call_failed(name, &error, r) : 0;
}

static int count_paths(sd_bus *bus, const char *property, unsigned *ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *p;
	int r;

	r = get_property(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, property, "ao", &reply);
	if (r < 0)
		return r;
	*ret = 0;
	r = sd_bus_message_enter_container(reply, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(reply, "o", &p)) > 0)
		(*ret)++;
	return r < 0 ? call_failed(property, NULL, r) : 0;
}

static const char *uint_str(unsigned v, char buf[static 16])
{
	snprintf(buf, 16, "%u", v);
	return buf;
}

static int verb_status(sd_bus *bus, int argc, char *argv[])
{
	_cleanup_free_ char *version = NULL, *profile = NULL, *state = NULL, *error = NULL;
	unsigned parents, vgpus;
	int r;

	if (argc > 1)
		return usage_error("status takes no arguments: %s", argv[1]);
	if ((r = get_string(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Version", &version)) < 0 ||
	    (r = get_string(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Profile", &profile)) < 0 ||
	    (r = get_string(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "ModulesState", &state)) < 0 ||
	    (r = get_string(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "ModulesError", &error)) < 0 ||
	    (r = count_paths(bus, "Parents", &parents)) < 0 || (r = count_paths(bus, "VGPUs", &vgpus)) < 0)
		return r;

	if (arg_json) {
		_cleanup_(json_decrefp) json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "version", version,
							      "profile", profile, "modules", state, "modules_error", error,
							      "parents", (int) parents, "vgpus", (int) vgpus);

		if (!o)
			return call_failed("status", NULL, -ENOMEM);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		return 0;
	}
	printf("gvtd %s, profile %s\nModules: %s%s%s\nParents: %u\nvGPUs:   %u\n", version, profile, state,
	       *error ? ": " : "", error, parents, vgpus);
	return 0;
}

static int show_modules(sd_bus *bus)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("STEP", "KIND", "STATE", "REASON", NULL);
	const char *name, *kind, *state, *reason;
	int r;

	if (!t)
		return call_failed("modules", NULL, -ENOMEM);
	table_set_truncatable(t, 3);
	r = select_columns(t);
	if (r < 0)
		return r;
	r = get_property(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Modules", "a" GVT_MODULE_SIG, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_MODULE_SIG);
	while (r >= 0 && (r = sd_bus_message_read(reply, GVT_MODULE_SIG, &name, &kind, &state, &reason)) > 0)
		r = table_add_row(t, name, kind, state, reason);
	if (r < 0)
		return call_failed("Modules", NULL, r);
	return print_table(t);
}

static int verb_modules(sd_bus *bus, int argc, char *argv[])
{
	int r;

	if (argc > 2)
		return usage_error("modules takes at most one argument: %s", argv[2]);
	if (argc == 1)
		return show_modules(bus);
	if (arg_output || arg_noheadings)
		return usage_error("--output and --noheadings are for the table of \"gvtctl modules\"");
	if (streq(argv[1], "load"))
		r = call(bus, "LoadModules", NULL, "b", true);
	else if (streq(argv[1], "unload"))
		r = call(bus, "UnloadModules", NULL, "b", true);
	else
		return usage_error("unknown modules action \"%s\": use load or unload", argv[1]);
	if (r < 0)
		return r;
	return arg_json ? show_modules(bus) : 0;
}

static int verb_parents(sd_bus *bus, int argc, char *argv[])
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("PARENT", "DRIVER", "TYPES", "OBJECT", NULL);
	const char *path;
	int r;

	if (argc > 1)
		return usage_error("parents takes no arguments: %s", argv[1]);
	if (!t)
		return call_failed("parents", NULL, -ENOMEM);
	table_set_numeric(t, 2);
	table_set_truncatable(t, 3);
	r = select_columns(t);
	if (r < 0)
		return r;
	r = get_property(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Parents", "ao", &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(reply, "o", &path)) > 0) {
		_cleanup_(sd_bus_message_unrefp) sd_bus_message *types = NULL;
		_cleanup_free_ char *name = NULL, *driver = NULL;
		unsigned n = 0;
		char buf[16];

		if ((r = get_string(bus, path, GVT_PARENT_IFACE, "Name", &name)) < 0 ||
		    (r = get_string(bus, path, GVT_PARENT_IFACE, "Driver", &driver)) < 0 ||
		    (r = get_property(bus, path, GVT_PARENT_IFACE, "Types", "a" GVT_TYPE_SIG, &types)) < 0)
			return r;
		r = sd_bus_message_enter_container(types, 'a', GVT_TYPE_SIG);
		while (r >= 0 && (r = sd_bus_message_skip(types, GVT_TYPE_SIG)) > 0)
			n++;
		if (r >= 0)
			r = table_add_row(t, name, driver, uint_str(n, buf), path);
	}
	if (r < 0)
		return call_failed("Parents", NULL, r);
	return print_table(t);
}

static int verb_types(sd_bus *bus, int argc, char *argv[])
{
	static const struct option options[] = {
		{ "parent", required_argument, NULL, 'p' },
		{}
	};
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("PARENT", "TYPE", "NAME", "APERTURE MIB", "HIDDEN MIB", "FENCES",
						      "RESOLUTION", "WEIGHT", "AVAILABLE", NULL);
	const char *parent = "", *p, *type, *name, *res;
	unsigned low, high, fences, weight, avail;
	int c, r;

	while ((c = getopt_long(argc, argv, "p:", options, NULL)) >= 0) {
		if (c != 'p')
			return -EXIT_USAGE;
		parent = optarg;
	}
	if (optind < argc)
		return usage_error("types takes no positional arguments: %s", argv[optind]);
	if (!t)
		return call_failed("types", NULL, -ENOMEM);
	for (size_t i = 3; i <= 8; i++)
		if (i != 6)
			table_set_numeric(t, i);
	r = select_columns(t);
	if (r < 0)
		return r;

	r = call(bus, "ListTypes", &reply, "s", parent);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_TYPE_SIG);
	while (r >= 0 && (r = sd_bus_message_read(reply, GVT_TYPE_SIG, &p, &type, &name, &low, &high, &fences, &res,
						  &weight, &avail)) > 0) {
		char b[5][16];

		r = table_add_row(t, p, type, name, uint_str(low, b[0]), uint_str(high, b[1]), uint_str(fences, b[2]),
				  res, uint_str(weight, b[3]), uint_str(avail, b[4]));
	}
	if (r < 0)
		return call_failed("ListTypes", NULL, r);
	return print_table(t);
}

/* COUNTxTYPE or TYPE: 0, or a usage error. */
static int parse_ask(const char *arg, const char **ret_type, uint32_t *ret_count)
{
	const char *x = strchr(arg, 'x');
	unsigned long n = 1;
	char *end;

	*ret_type = arg;
	if (x && x > arg && isdigit((unsigned char) arg[0])) {
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (end != x || errno || n == 0 || n > 64)
			return usage_error("%s: the count before 'x' must be 1 to 64 (e.g. 2xGVTg_V5_4)", arg);
		*ret_type = x + 1;
	}
	if (!**ret_type)
		return usage_error("%s: no type after the count (e.g. 2xGVTg_V5_4)", arg);
	*ret_count = n;
	return 0;
}

/* Plan's reply, as JSON: {fits, exact, placements, short, most}. */
static int plan_json(sd_bus_message *reply, int fits, int exact)
{
	json_t *o = json_pack("{s:b, s:b, s:[], s:n, s:[]}", "fits", fits, "exact", exact, "placements", "short",
			      "most");
	const char *a, *b, *c;
	uint32_t n;
	int r;

	if (!o)
		return -ENOMEM;
	r = sd_bus_message_enter_container(reply, 'a', "(sss)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &a, &b, &c)) > 0)
		json_array_append_new(json_object_get(o, "placements"),
				      json_pack("{s:s, s:s?, s:s?}", "vgpu", a, "parent", *b ? b : NULL, "type",
						*c ? c : NULL));
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "(sss)", &a, &b, &c);
	if (r >= 0 && !fits)
		json_object_set_new(o, "short", json_pack("{s:s, s:s?, s:s?}", "vgpu", a, "parent", *b ? b : NULL,
							  "resource", *c ? c : NULL));
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "(ssu)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(ssu)", &a, &b, &n)) > 0)
		json_array_append_new(json_object_get(o, "most"), json_pack("{s:s, s:s, s:I}", "parent", a, "type", b,
									   "most", (json_int_t) n));
	if (r >= 0 && json_dumpf(o, stdout, JSON_INDENT(2)) == 0)
		putchar('\n');
	json_decref(o);
	return r;
}

static int verb_plan(sd_bus *bus, int argc, char *argv[])
{
	static const struct option options[] = {
		{ "parent", required_argument, NULL, 'p' },
		{}
	};
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(table_freep) Table *t = table_new("VGPU", "PARENT", "TYPE", NULL);
	_cleanup_(table_freep) Table *most = table_new("PARENT", "TYPE", "MOST", NULL);
	const char *parent = "", *type, *a, *b, *c;
	int fits, exact, ch, r;
	uint32_t count;

	while ((ch = getopt_long(argc, argv, "p:", options, NULL)) >= 0) {
		if (ch != 'p')
			return -EXIT_USAGE;
		parent = optarg;
	}
	if (optind == argc)
		return usage_error("plan needs the vGPUs to plan, as COUNTxTYPE (e.g. plan 2xGVTg_V5_4 3xGVTg_V5_8)");
	if (!t || !most)
		return call_failed("plan", NULL, -ENOMEM);
	table_set_numeric(most, 2);
	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, GVT_BUS_NAME, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Plan");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(su)");
	for (int i = optind; r >= 0 && i < argc; i++) {
		r = parse_ask(argv[i], &type, &count);
		if (r < 0)
			return r;
		r = sd_bus_message_append(m, "(su)", type, count);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", parent);
	if (r < 0)
		return call_failed("Plan", NULL, r);
	r = sd_bus_call(bus, m, 0, &error, &reply);
	if (r < 0)
		return call_failed("Plan", &error, r);
	r = sd_bus_message_read(reply, "bb", &fits, &exact);
	if (r >= 0 && arg_json) {
		r = plan_json(reply, fits, exact);
		return r < 0 ? call_failed("Plan", NULL, r) : fits ? 0 : -EXIT_NO_FIT;
	}
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "(sss)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &a, &b, &c)) > 0)
		r = table_add_row(t, a, *b ? b : "-", *c ? c : "-");
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "(sss)", &a, &b, &c);
	if (r < 0)
		return call_failed("Plan", NULL, r);
	if (fits)
		printf("Fits%s: each vGPU and the parent it would go to:\n", exact ? "" : " (estimated: the GPU's sizes "
		       "are not known, the figures are lower bounds)");
	else
		printf("Does not fit%s: no room for %s%s%s%s%s.\n", exact ? "" : " (estimated)", a,
		       *b ? " on " : "", b, *c ? ", out of " : "", c);
	if (table_print(t, false, false) < 0)
		return -EXIT_FAILED;
	r = sd_bus_message_enter_container(reply, 'a', "(ssu)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(ssu)", &a, &b, &count)) > 0) {
		char buf[16];

		r = table_add_row(most, a, b, uint_str(count, buf));
	}
	if (r < 0)
		return call_failed("Plan", NULL, r);
	printf("\nThe most of each type that fit now, before this plan:\n");
	if (table_print(most, false, false) < 0)
		return -EXIT_FAILED;
	return fits ? 0 : -EXIT_NO_FIT;
}

/* Who has a vGPU open, from its VGPU object's properties. */
typedef struct Opener {
	char path[128];
	uint32_t pid;
	char who[320];            /* "PID NAME (VM NAME)" */
	uint64_t since_usec;
	char owner[64];
} Opener;

static int read_opener_property(sd_bus_message *reply, Opener *o)
{
	const char *name, *s;
	int r;

	r = sd_bus_message_read(reply, "s", &name);
	if (r < 0)
		return r;
	if (streq(name, "OpenedBy"))
		return sd_bus_message_read(reply, "v", "u", &o->pid);
	if (streq(name, "OpenedSince"))
		return sd_bus_message_read(reply, "v", "t", &o->since_usec);
	if (streq(name, "Owner")) {
		r = sd_bus_message_read(reply, "v", "s", &s);
		if (r >= 0)
			snprintf(o->owner, sizeof(o->owner), "%s", s);
		return r;
	}
	if (streq(name, "OpenerName") || streq(name, "OpenerVM")) {
		size_t len = strlen(o->who);

		r = sd_bus_message_read(reply, "v", "s", &s);
		if (r >= 0 && *s)
			snprintf(o->who + len, sizeof(o->who) - len, streq(name, "OpenerName") ? " %s" : " (VM %s)", s);
		return r;
	}
	return sd_bus_message_skip(reply, "v");
}

/* Every vGPU object's owner and opener, from one GetManagedObjects; *ret NULL-safe to free. */
static int read_openers(sd_bus *bus, Opener **ret, size_t *ret_n)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	const char *path, *iface;
	Opener *all = NULL;
	size_t n = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_call_method(bus, GVT_BUS_NAME, GVT_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
			       "GetManagedObjects", &error, &reply, NULL);
	if (r < 0)
		return call_failed("GetManagedObjects", &error, r);
	r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		Opener o = {};
		bool vgpu = false;

		r = sd_bus_message_read(reply, "o", &path);
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}");
		while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
			r = sd_bus_message_read(reply, "s", &iface);
			if (r >= 0 && !streq(iface, GVT_VGPU_IFACE))
				r = sd_bus_message_skip(reply, "a{sv}");
			else if (r >= 0) {
				vgpu = true;
				r = sd_bus_message_enter_container(reply, 'a', "{sv}");
				while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
					r = read_opener_property(reply, &o);
					if (r >= 0)
						r = sd_bus_message_exit_container(reply);
				}
				if (r >= 0)
					r = sd_bus_message_exit_container(reply);
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0 && vgpu) {
			Opener *p = realloc(all, (n + 1) * sizeof(*all));
			char who[sizeof(o.who)];

			if (!p) {
				r = -ENOMEM;
				break;
			}
			all = p;
			snprintf(o.path, sizeof(o.path), "%s", path);
			if (o.pid)
				snprintf(who, sizeof(who), "%u%s", o.pid, o.who);
			else
				snprintf(who, sizeof(who), "-");
			memcpy(o.who, who, sizeof(who));
			all[n++] = o;
		}
	}
	if (r < 0) {
		free(all);
		return call_failed("GetManagedObjects", NULL, r);
	}
	*ret = all;
	*ret_n = n;
	return 0;
}

/* How long since usec (CLOCK_REALTIME): "45s", "12m03s", "3h07m", "2d04h". */
static const char *duration_str(uint64_t since_usec, char buf[static 16])
{
	struct timespec now;
	uint64_t s;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!since_usec || (uint64_t) now.tv_sec * 1000000 < since_usec)
		return "-";
	s = ((uint64_t) now.tv_sec * 1000000 - since_usec) / 1000000;
	if (s < 60)
		snprintf(buf, 16, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, 16, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, 16, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, 16, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
	return buf;
}

static int verb_doctor(sd_bus *bus, int argc, char *argv[])
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("CHECK", "STATE", "SEEN", "FIX", NULL);
	const char *worst, *id, *state, *seen, *fix;
	int r;

	if (argc > 1)
		return usage_error("doctor takes no arguments: %s", argv[1]);
	if (!t)
		return call_failed("doctor", NULL, -ENOMEM);
	r = call(bus, "Diagnose", &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "s", &worst);
	if (r >= 0)
		r = sd_bus_message_enter_container(reply, 'a', "(ssss)");
	while (r >= 0 && (r = sd_bus_message_read(reply, "(ssss)", &id, &state, &seen, &fix)) > 0) {
		if (arg_json)
			r = table_add_row(t, id, state, seen, fix);
		else {
			printf("%-4s  %-15s %s\n", state, id, seen);
			if (*fix)
				printf("      %-15s fix: %s\n", "", fix);
		}
	}
	if (r < 0)
		return call_failed("Diagnose", NULL, r);
	if (arg_json && print_table(t) < 0)
		return -EXIT_FAILED;
	if (!arg_json)
		printf("\n%s\n", streq(worst, "fail") ? "Some checks failed: GVT-g cannot work on this host until they are fixed." :
		       streq(worst, "warn") ? "Every check passed or warned." : "Every check passed.");
	return streq(worst, "fail") ? -EXIT_NO_FIT : 0;
}

static int list_definitions(sd_bus *bus, bool dumpjson);

static int verb_list(sd_bus *bus, int argc, char *argv[])
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("UUID", "PARENT", "TYPE", "STATE", "OWNER", "OPENED BY",
						      "OPEN FOR", "OBJECT", NULL);
	const char *path, *uuid, *parent, *type, *state;
	_cleanup_free_ Opener *openers = NULL;
	size_t n_openers;
	int r;

	if (argc > 1) {
		bool defined = false, dumpjson = false;

		/* mdevctl spells --defined -d too */
		for (int i = 1; i < argc; i++) {
			if (streq(argv[i], "--defined") || streq(argv[i], "-d"))
				defined = true;
			else if (streq(argv[i], "--dumpjson"))
				dumpjson = true;
			else
				return usage_error("list takes no arguments but --defined (-d) and --dumpjson: %s", argv[i]);
		}
		if (!defined)
			return usage_error("--dumpjson is for list --defined");
		return list_definitions(bus, dumpjson);
	}
	if (!t)
		return call_failed("list", NULL, -ENOMEM);
	for (size_t i = 4; i <= 6; i++)
		table_set_nullable(t, i);
	table_set_truncatable(t, 5);
	table_set_truncatable(t, 7);
	r = select_columns(t);
	if (r < 0)
		return r;
	r = call(bus, "ListVGPUs", &reply, NULL);
	if (r < 0)
		return r;
	r = read_openers(bus, &openers, &n_openers);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_VGPU_SIG);
	while (r >= 0 && (r = sd_bus_message_read(reply, GVT_VGPU_SIG, &path, &uuid, &parent, &type, &state)) > 0) {
		const Opener *o = NULL;
		char buf[16];

		for (size_t i = 0; i < n_openers && !o; i++)
			if (streq(openers[i].path, path))
				o = &openers[i];
		r = table_add_row(t, uuid, parent, type, state, o && *o->owner ? o->owner : "-", o ? o->who : "-",
				  o && o->pid ? duration_str(o->since_usec, buf) : "-", path);
	}
	if (r < 0)
		return call_failed("ListVGPUs", NULL, r);
	return print_table(t);
}

/* NAME=VALUE arguments of --attr, in order. */
struct AttrArgs {
	const char *names[64];
	const char *values[64];
	size_t n;
	char *copies[64];
};

static void attr_args_done(AttrArgs *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->copies[i]);
}

static int attr_args_add(AttrArgs *a, const char *arg)
{
	char *copy, *eq;

	if (a->n >= ELEMENTSOF(a->names))
		return usage_error("at most %zu --attr", ELEMENTSOF(a->names));
	eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return usage_error("--attr takes NAME=VALUE, not \"%s\"", arg);
	copy = strdup(arg);
	if (!copy)
		return call_failed("--attr", NULL, -ENOMEM);
	copy[eq - arg] = '\0';
	a->copies[a->n] = copy;
	a->names[a->n] = copy;
	a->values[a->n++] = copy + (eq - arg) + 1;
	return 0;
}

static int append_attrs(sd_bus_message *m, const AttrArgs *a)
{
	int r = sd_bus_message_open_container(m, 'a', "(ss)");

	for (size_t i = 0; r >= 0 && i < a->n; i++)
		r = sd_bus_message_append(m, "(ss)", a->names[i], a->values[i]);
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int call_with_attrs(sd_bus *bus, const char *method, sd_bus_message **reply, const AttrArgs *attrs,
			   const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = vcall(bus, method, reply, attrs, types, ap);
	va_end(ap);
	return r;
}

static void print_uuid(const char *id, const char *path)
{
	if (arg_json && path)
		printf("{\n  \"uuid\": \"%s\",\n  \"object\": \"%s\"\n}\n", id, path);
	else if (arg_json)
		printf("{\n  \"uuid\": \"%s\"\n}\n", id);
	else
		printf("%s\n", id);
}

/* create and define: the same options, define adds --auto. */
/*
 * mdevctl's definition file (define --jsonfile): "mdev_type", "start"
 * ("auto"; anything else is manual, as mdevctl reads it) and "attrs" (an
 * ordered list of one-member objects, or null). Other keys are mdevctl's
 * business and ignored. A usage error says what is wrong with the file.
 */
static int read_jsonfile(const char *path, json_t **ret, const char **ret_type, bool *ret_auto, AttrArgs *attrs)
{
	json_error_t err;
	json_t *v, *a;
	size_t i;

	json_decref(*ret);
	*ret = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!*ret)
		return usage_error("--jsonfile %s: %s (line %d)", path, err.text, err.line);
	if (!json_is_object(*ret))
		return usage_error("--jsonfile %s: not a JSON object", path);
	v = json_object_get(*ret, "mdev_type");
	if (!json_is_string(v))
		return usage_error("--jsonfile %s: \"mdev_type\" is missing or not a string", path);
	*ret_type = json_string_value(v);
	v = json_object_get(*ret, "start");
	*ret_auto = json_is_string(v) && streq(json_string_value(v), "auto");
	v = json_object_get(*ret, "attrs");
	if (v && !json_is_null(v) && !json_is_array(v))
		return usage_error("--jsonfile %s: \"attrs\" is not a list", path);
	json_array_foreach(v, i, a) {
		const char *name;
		json_t *value;
		char buf[4096];

		if (!json_is_object(a) || json_object_size(a) != 1)
			return usage_error("--jsonfile %s: attrs[%zu] is not an object with one member", path, i);
		json_object_foreach(a, name, value) {
			if (json_is_string(value))
				snprintf(buf, sizeof(buf), "%s=%s", name, json_string_value(value));
			else if (json_is_integer(value))
				snprintf(buf, sizeof(buf), "%s=%" JSON_INTEGER_FORMAT, name, json_integer_value(value));
			else
				return usage_error("--jsonfile %s: attrs[%zu] (%s) is neither a string nor an integer", path,
						   i, name);
			if (attr_args_add(attrs, buf) < 0)
				return -EXIT_USAGE;
		}
	}
	return 0;
}

static int verb_create_or_define(sd_bus *bus, int argc, char *argv[], bool define)
{
	static const struct option options[] = {
		{ "type", required_argument, NULL, 't' },
		{ "parent", required_argument, NULL, 'p' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "owner", required_argument, NULL, 'o' },
		{ "attr", required_argument, NULL, 'a' },
		{ "auto", no_argument, NULL, 'A' },
		{ "jsonfile", required_argument, NULL, 'J' },
		{}
	};
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(attr_args_done) AttrArgs attrs = {};
	_cleanup_(json_decrefp) json_t *file = NULL;
	const char *type = NULL, *parent = "", *uuid = "", *owner = "", *path = NULL, *id;
	bool autostart = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "t:p:u:o:a:", options, NULL)) >= 0) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'p':
			parent = optarg;
			break;
		case 'u':
			uuid = optarg;
			break;
		case 'o':
			owner = optarg;
			break;
		case 'a':
			r = attr_args_add(&attrs, optarg);
			if (r < 0)
				return r;
			break;
		case 'A':
			if (!define)
				return usage_error("--auto is for define");
			autostart = true;
			break;
		case 'J':
			if (!define)
				return usage_error("--jsonfile is for define");
			r = read_jsonfile(optarg, &file, &type, &autostart, &attrs);
			if (r < 0)
				return r;
			break;
		default:
			return -EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("%s takes no positional arguments: %s", argv[0], argv[optind]);
	if (!type)
		return usage_error("%s needs --type (see 'gvtctl types')%s", argv[0], define ? " or --jsonfile" : "");

	if (define)
		r = call_with_attrs(bus, "DefineVGPU", &reply, &attrs, "ssssb", parent, type, uuid, owner, autostart);
	else if (isempty(owner) && attrs.n == 0)
		r = call(bus, "CreateVGPU", &reply, "sssb", parent, type, uuid, true);
	else
		r = call_with_attrs(bus, "CreateVGPUEx", &reply, &attrs, "ssss", parent, type, uuid, owner);
	if (r < 0)
		return r;
	r = define ? sd_bus_message_read(reply, "s", &id) : sd_bus_message_read(reply, "os", &path, &id);
	if (r < 0)
		return call_failed(argv[0], NULL, r);
	print_uuid(id, path);
	return 0;
}

static int verb_create(sd_bus *bus, int argc, char *argv[])
{
	return verb_create_or_define(bus, argc, argv, false);
}

static int verb_define(sd_bus *bus, int argc, char *argv[])
{
	return verb_create_or_define(bus, argc, argv, true);
}

/*
 * The one UUID a command names: positional, or as mdevctl spells it
 * (-u UUID, --uuid UUID, --uuid=UUID). NULL after a usage error.
 */
static const char *uuid_argument(int argc, char *argv[])
{
	const char *uuid = NULL;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (streq(a, "-u") || streq(a, "--uuid")) {
			if (i + 1 == argc) {
				usage_error("%s: %s needs a UUID", argv[0], a);
				return NULL;
			}
			a = argv[++i];
		} else if (strncmp(a, "--uuid=", 7) == 0)
			a += 7;
		else if (a[0] == '-') {
			usage_error("%s: unknown option %s", argv[0], a);
			return NULL;
		}
		uuid = a;
		n++;
	}
	if (n != 1) {
		usage_error("%s needs exactly one UUID (or -u UUID)", argv[0]);
		return NULL;
	}
	return uuid;
}

static int verb_uuid_call(sd_bus *bus, int argc, char *argv[], const char *method)
{
	const char *uuid = uuid_argument(argc, argv);

	return uuid ? call(bus, method, NULL, "sb", uuid, true) : -EXIT_USAGE;
}

static int verb_undefine(sd_bus *bus, int argc, char *argv[])
{
	return verb_uuid_call(bus, argc, argv, "UndefineVGPU");
}

static int verb_start(sd_bus *bus, int argc, char *argv[])
{
	return verb_uuid_call(bus, argc, argv, "StartVGPU");
}

static int verb_stop(sd_bus *bus, int argc, char *argv[])
{
	return verb_uuid_call(bus, argc, argv, "StopVGPU");
}

/*
 * mdevctl's modify --addattr NAME --value VALUE / --delattr [--index I]:
 * the definition's attributes with one added at I (default: the end) or
 * the one at I removed (default: the last), into *ret for ModifyDefinition.
 */
static int edit_attrs(sd_bus *bus, const char *uuid, const char *add, const char *value, long index, AttrArgs *ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *id, *parent, *type, *owner, *name, *v;
	int autostart, active, r;
	bool found = false;

	r = call(bus, "ListDefinitions", &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_DEFINITION_SIG);
	while (r >= 0 && !found && (r = sd_bus_message_enter_container(reply, 'r', "sssbbsa(ss)")) > 0) {
		r = sd_bus_message_read(reply, "sssbbs", &id, &parent, &type, &autostart, &active, &owner);
		found = r >= 0 && strcasecmp(id, uuid) == 0;
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'a', "(ss)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &name, &v)) > 0) {
			char buf[4096];

			snprintf(buf, sizeof(buf), "%s=%s", name, v);
			if (found && attr_args_add(ret, buf) < 0)
				return -EXIT_USAGE;
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r < 0)
		return call_failed("ListDefinitions", NULL, r);
	if (!found) {
		fprintf(stderr, "gvtctl: No definition %s: list them with \"gvtctl list --defined\"\n", uuid);
		return -EXIT_FAILED;
	}
	if (add) {
		char buf[4096];
		size_t at = index < 0 ? ret->n : (size_t) index;

		if (at > ret->n)
			return usage_error("--index %ld: the definition has %zu attribute(s), so 0 to %zu", index, ret->n,
					   ret->n);
		snprintf(buf, sizeof(buf), "%s=%s", add, value);
		r = attr_args_add(ret, buf);
		if (r < 0)
			return r;
		/* added at the end: move it to at */
		{
			size_t last = ret->n - 1;
			const char *n = ret->names[last], *val = ret->values[last];
			char *copy = ret->copies[last];

			memmove(&ret->names[at + 1], &ret->names[at], (last - at) * sizeof(ret->names[0]));
			memmove(&ret->values[at + 1], &ret->values[at], (last - at) * sizeof(ret->values[0]));
			memmove(&ret->copies[at + 1], &ret->copies[at], (last - at) * sizeof(ret->copies[0]));
			ret->names[at] = n;
			ret->values[at] = val;
			ret->copies[at] = copy;
		}
		return 0;
	}
	if (ret->n == 0)
		return usage_error("--delattr: the definition has no attributes");
	{
		size_t at = index < 0 ? ret->n - 1 : (size_t) index;

		if (at >= ret->n)
			return usage_error("--index %ld: the definition has %zu attribute(s), so 0 to %zu", index, ret->n,
					   ret->n - 1);
		free(ret->copies[at]);
		for (size_t i = at; i + 1 < ret->n; i++) {
			ret->names[i] = ret->names[i + 1];
			ret->values[i] = ret->values[i + 1];
			ret->copies[i] = ret->copies[i + 1];
		}
		ret->n--;
	}
	return 0;
}

static int verb_modify(sd_bus *bus, int argc, char *argv[])
{
	static const struct option options[] = {
		{ "type", required_argument, NULL, 't' },
		{ "auto", no_argument, NULL, 'A' },
		{ "manual", no_argument, NULL, 'M' },
		{ "attr", required_argument, NULL, 'a' },
		{ "clear-attrs", no_argument, NULL, 'C' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "addattr", required_argument, NULL, 'D' },
		{ "value", required_argument, NULL, 'V' },
		{ "delattr", no_argument, NULL, 'X' },
		{ "index", required_argument, NULL, 'i' },
		{}
	};
	_cleanup_(attr_args_done) AttrArgs attrs = {};
	const char *type = "", *start = "", *uuid = NULL, *add = NULL, *value = NULL;
	bool set_attrs = false, del = false;
	long index = -1;
	char *end;
	int c, r;

	while ((c = getopt_long(argc, argv, "t:a:u:i:", options, NULL)) >= 0) {
		switch (c) {
		case 't':
			type = optarg;
			break;
		case 'u':
			uuid = optarg;
			break;
		case 'D':
			add = optarg;
			break;
		case 'V':
			value = optarg;
			break;
		case 'X':
			del = true;
			break;
		case 'i':
			errno = 0;
			index = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || index < 0 || index > 63)
				return usage_error("--index takes 0 to 63, not \"%s\"", optarg);
			break;
		case 'A':
			start = "auto";
			break;
		case 'M':
			start = "manual";
			break;
		case 'a':
			r = attr_args_add(&attrs, optarg);
			if (r < 0)
				return r;
			set_attrs = true;
			break;
		case 'C':
			set_attrs = true;
			break;
		default:
			return -EXIT_USAGE;
		}
	}
	if (optind + !uuid != argc)
		return usage_error("modify needs exactly one UUID (or -u UUID)");
	uuid = uuid ?: argv[optind];
	if (add || del || value || index >= 0) {
		if (set_attrs)
			return usage_error("--addattr/--delattr edit the attributes one at a time; --attr and --clear-attrs "
					   "replace them all: use one way");
		if (!!add == del)
			return usage_error("give either --addattr NAME --value VALUE or --delattr");
		if (!add != !value)
			return usage_error("--addattr and --value go together");
		r = edit_attrs(bus, uuid, add, value, index, &attrs);
		if (r < 0)
			return r;
		set_attrs = true;
	}
	return call_with_attrs(bus, "ModifyDefinition", NULL, &attrs, "sssb", uuid, type, start, set_attrs);
}

static const char *only_key(json_t *o)
{
	void *it = json_object_iter(o);

	return it ? json_object_iter_key(it) : "";
}

static int compare_only_keys(const void *a, const void *b)
{
	return strcmp(only_key(*(json_t *const *) a), only_key(*(json_t *const *) b));
}

/* An array of one-member objects in the order of their keys, as mdevctl's maps list them. */
static int sort_by_key(json_t *array)
{
	size_t n = json_array_size(array);
	_cleanup_free_ json_t **items = calloc(n ?: 1, sizeof(*items));

	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(array, i));
	qsort(items, n, sizeof(*items), compare_only_keys);
	json_array_clear(array);
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(array, items[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* mdevctl list --defined --dumpjson's shape: [{PARENT: [{UUID: {mdev_type, start, attrs}}...]}...]. */
static int dump_definition(json_t *top, const char *uuid, const char *parent, const char *type, bool autostart,
			   json_t *attrs)
{
	json_t *group = NULL, *list, *def;
	size_t i;
	json_t *g;

	json_array_foreach(top, i, g)
		if (json_object_get(g, parent))
			group = g;
	if (!group && json_array_append_new(top, group = json_pack("{s:[]}", parent)) < 0)
		return -ENOMEM;
	list = json_object_get(group, parent);
	def = json_pack("{s:{s:s, s:s, s:O}}", uuid, "mdev_type", type, "start", autostart ? "auto" : "manual",
			"attrs", attrs);
	return def && json_array_append_new(list, def) >= 0 ? 0 : -ENOMEM;
}

/*
 * The files in /etc/mdevctl.d gvtd cannot use: a row each (state
 * "unreadable") unless dumpjson, and on stderr the path and why.
 */
static int list_unreadable(sd_bus *bus, Table *t, bool dumpjson)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *uuid, *parent, *path, *reason;
	int r;

	r = call(bus, "ListUnreadableDefinitions", &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_UNREADABLE_SIG);
	while (r >= 0 && (r = sd_bus_message_read(reply, GVT_UNREADABLE_SIG, &uuid, &parent, &path, &reason)) > 0) {
		fprintf(stderr, "%s: cannot be used, left as it is: %s\n", path, reason);
		if (!dumpjson)
			r = table_add_row(t, uuid, parent, "-", "-", "unreadable", "-", "");
	}
	return r < 0 ? call_failed("ListUnreadableDefinitions", NULL, r) : 0;
}

static int list_definitions(sd_bus *bus, bool dumpjson)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = table_new("UUID", "PARENT", "TYPE", "START", "STATE", "OWNER", "ATTRS", NULL);
	_cleanup_(json_decrefp) json_t *dump = json_array();
	const char *uuid, *parent, *type, *owner, *name, *value;
	int autostart, active, r;

	if (!t || !dump)
		return call_failed("list", NULL, -ENOMEM);
	table_set_pairs(t, 6);
	/* null in JSON for a file gvtd cannot use */
	table_set_nullable(t, 2);
	table_set_nullable(t, 3);
	table_set_nullable(t, 5);
	table_set_truncatable(t, 6);
	if (dumpjson && (arg_output || arg_noheadings))
		return usage_error("--dumpjson prints mdevctl's JSON: --output and --noheadings do not apply");
	r = select_columns(t);
	if (r < 0)
		return r;
	r = call(bus, "ListDefinitions", &reply, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', GVT_DEFINITION_SIG);
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sssbbsa(ss)")) > 0) {
		_cleanup_(json_decrefp) json_t *list = json_array();
		char attrs[1024] = "";

		r = list ? sd_bus_message_read(reply, "sssbbs", &uuid, &parent, &type, &autostart, &active, &owner) :
			   -ENOMEM;
		if (r >= 0)
			r = sd_bus_message_enter_container(reply, 'a', "(ss)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &name, &value)) > 0) {
			snprintf(attrs + strlen(attrs), sizeof(attrs) - strlen(attrs), "%s%s%c%s",
				 *attrs ? (char[]) { TABLE_PAIR_SEP, 0 } : "", name, TABLE_KV_SEP, value);
			if (json_array_append_new(list, json_pack("{s:s}", name, value)) < 0)
				r = -ENOMEM;
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
		if (r >= 0 && dumpjson)
			r = dump_definition(dump, uuid, parent, type, autostart, list);
		else if (r >= 0)
			r = table_add_row(t, uuid, parent, type, autostart ? "auto" : "manual",
					  active ? "active" : "stopped", owner, attrs);
	}
	if (r < 0)
		return call_failed("ListDefinitions", NULL, r);
	r = list_unreadable(bus, t, dumpjson);
	if (r < 0)
		return r;
	if (dumpjson) {
		json_t *g;
		size_t i;

		/* mdevctl orders parents by name and each parent's definitions by UUID */
		r = sort_by_key(dump);
		json_array_foreach(dump, i, g)
			if (r >= 0)
				r = sort_by_key(json_object_get(g, only_key(g)));
		if (r < 0 || json_dumpf(dump, stdout, JSON_INDENT(2)) < 0)
			return -EXIT_FAILED;
		putchar('\n');
		return 0;
	}
	return print_table(t);
}

static int verb_quota(sd_bus *bus, int argc, char *argv[])
{
	static const struct option options[] = {
		{ "max-vgpus", required_argument, NULL, 'v' },
		{ "max-aperture-mib", required_argument, NULL, 'a' },
		{ "max-hidden-mib", required_argument, NULL, 'h' },
		{ "max-fences", required_argument, NULL, 'f' },
		{ "max-weight", required_argument, NULL, 'w' },
		{}
	};
	static const char *const keys[] = { "vgpus", "aperture-mib", "hidden-mib", "fences", "weight" };
	static const char *const shorts = "vahfw";
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
	_cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
	_cleanup_(table_freep) Table *t = NULL;
	uint64_t values[5];
	bool set[5] = {};
	const char *owner, *name;
	uint64_t value;
	int c, r;

	if (argc >= 2 && streq(argv[1], "show")) {
		const char *only = argc == 3 ? argv[2] : NULL;

		if (argc > 3)
			return usage_error("quota show takes at most one OWNER");
		t = table_new("OWNER", "LIMIT", "MAX", "USED", NULL);
		if (!t)
			return call_failed("quota", NULL, -ENOMEM);
		table_set_numeric(t, 2);
		table_set_numeric(t, 3);
		r = select_columns(t);
		if (r < 0)
			return r;
		r = call(bus, "ListQuotas", &reply, NULL);
		if (r < 0)
			return r;
		r = sd_bus_message_enter_container(reply, 'a', GVT_QUOTA_SIG);
		while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sa{st}a{st}")) > 0) {
			char max[5][24];

			for (size_t i = 0; i < 5; i++)
				strcpy(max[i], "-");
			r = sd_bus_message_read(reply, "s", &owner);
			for (int pass = 0; r >= 0 && pass < 2; pass++) {
				r = sd_bus_message_enter_container(reply, 'a', "{st}");
				while (r >= 0 && (r = sd_bus_message_read(reply, "{st}", &name, &value)) > 0)
					for (size_t i = 0; i < 5; i++) {
						if (!streq(name, keys[i]))
							continue;
						if (pass == 0)
							snprintf(max[i], sizeof(max[i]), "%" PRIu64, value);
						else if (!only || streq(only, owner)) {
							char used[24];

							snprintf(used, sizeof(used), "%" PRIu64, value);
							r = table_add_row(t, owner, keys[i], max[i], used);
						}
					}
				if (r >= 0)
					r = sd_bus_message_exit_container(reply);
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r < 0)
			return call_failed("ListQuotas", NULL, r);
		return print_table(t);
	}
	if (argc < 3 || !streq(argv[1], "set"))
		return usage_error("quota show [OWNER] | quota set OWNER [--max-vgpus N] ...");
	if (arg_output || arg_noheadings)
		return usage_error("--output and --noheadings are for quota show");
	owner = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		const char *k = strchr(shorts, c);
		char *end;

		if (!k)
			return -EXIT_USAGE;
		errno = 0;
		values[k - shorts] = strtoull(optarg, &end, 10);
		if (errno || end == optarg || *end || optarg[0] == '-')
			return usage_error("--max-%s takes a non-negative number, not \"%s\"", keys[k - shorts], optarg);
		set[k - shorts] = true;
	}
	if (optind < argc)
		return usage_error("quota set takes no more arguments: %s", argv[optind]);
	r = bus_ready(bus);
	if (r < 0)
		return r;
	r = sd_bus_message_new_method_call(bus, &m, GVT_BUS_NAME, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "SetQuota");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", owner);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "{st}");
	for (size_t i = 0; r >= 0 && i < 5; i++)
		if (set[i])
			r = sd_bus_message_append(m, "{st}", keys[i], values[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "b", true);
	if (r < 0)
		return call_failed("SetQuota", NULL, r);
	r = sd_bus_call(bus, m, LONG_CALL_USEC, &error, NULL);
	return r < 0 ? call_failed("SetQuota", &error, r) : 0;
}

/* token add OWNER ROLE | token list | token revoke ID: the REST API's bearer tokens (TokenFile=). */
static int verb_token(sd_bus *bus, int argc, char *argv[])
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_(table_freep) Table *t = NULL;
	const char *sub = argc >= 2 ? argv[1] : "";
	const char *id, *token, *owner, *role;
	int r;

	if (streq(sub, "list")) {
		if (argc > 2)
			return usage_error("token list takes no arguments: %s", argv[2]);
		t = table_new("ID", "OWNER", "ROLE", NULL);
		if (!t)
			return call_failed("token", NULL, -ENOMEM);
		r = select_columns(t);
		if (r < 0)
			return r;
		r = call(bus, "ListTokens", &reply, "b", true);
		if (r < 0)
			return r;
		r = sd_bus_message_enter_container(reply, 'a', "(sss)");
		while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &id, &owner, &role)) > 0)
			r = table_add_row(t, id, owner, role);
		if (r < 0)
			return call_failed("ListTokens", NULL, r);
		return print_table(t);
	}
	if (arg_output || arg_noheadings)
		return usage_error("--output and --noheadings are for token list");
	if (streq(sub, "add")) {
		if (argc != 4)
			return usage_error("token add takes an OWNER and a ROLE (reader, user or admin)");
		if (!streq(argv[3], "reader") && !streq(argv[3], "user") && !streq(argv[3], "admin"))
			return usage_error("ROLE is reader, user or admin, not \"%s\"", argv[3]);
		r = call(bus, "AddToken", &reply, "ssb", argv[2], argv[3], true);
		if (r >= 0)
			r = sd_bus_message_read(reply, "ss", &id, &token);
		if (r < 0)
			return r == -EXIT_FAILED ? r : call_failed("AddToken", NULL, r);
		if (arg_json) {
			_cleanup_(json_decrefp) json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "owner", argv[2],
								      "role", argv[3], "token", token);

			if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0)
				return -EXIT_FAILED;
			putchar('\n');
		} else {
			/* The secret alone on stdout, for token=$(gvtctl token add ...); the rest on stderr. */
			printf("%s\n", token);
			fprintf(stderr, "Token %s for %s (%s). It is shown this once: gvtd keeps only its hash.\n",
				id, argv[2], argv[3]);
		}
		return 0;
	}
	if (streq(sub, "revoke")) {
		if (argc != 3)
			return usage_error("token revoke takes one ID, as 'gvtctl token list' shows it");
		return call(bus, "RevokeToken", NULL, "sb", argv[2], true);
	}
	return usage_error("token add OWNER ROLE | token list | token revoke ID");
}

static int verb_remove(sd_bus *bus, int argc, char *argv[])
{
	return verb_uuid_call(bus, argc, argv, "RemoveVGPU");
}

/*
 * What a vGPU's device offers a VMM beyond plain vfio-pci, known from its
 * parent's driver: upstream kvmgt (parent driver i915) and gvt_mdev (parent
 * driver gvt_base) both give a vGPU a display (VFIO_DEVICE_QUERY_GFX_PLANE,
 * QEMU's display=on) and an OpRegion (the IGD OpRegion region, QEMU's
 * x-igd-opregion=on). Any other driver gets neither: gvtctl cannot open the
 * device to ask, since the VM that is to use it may hold it already.
 */
static const struct ParentFeatures {
	const char *driver;
	bool display, opregion;
} parent_features[] = {
	{ "i915", true, true },
	{ "gvt_base", true, true },
};

static const struct ParentFeatures *parent_features_of(const char *driver)
{
	for (size_t i = 0; i < ELEMENTSOF(parent_features); i++)
		if (streq(parent_features[i].driver, driver))
			return &parent_features[i];
	return NULL;
}

static bool is_uuid(const char *s)
{
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i]))
			return false;
	}
	return s[36] == '\0';
}

/* The parent of a running vGPU, else of a definition; -ENOENT if neither has the UUID. */
static int vgpu_parent(sd_bus *bus, const char *uuid, char **ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *vgpus = NULL, *defs = NULL;
	const char *path, *id, *parent, *type, *state;
	int r;

	r = call(bus, "ListVGPUs", &vgpus, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(vgpus, 'a', GVT_VGPU_SIG);
	while (r >= 0 && (r = sd_bus_message_read(vgpus, GVT_VGPU_SIG, &path, &id, &parent, &type, &state)) > 0)
		if (strcasecmp(id, uuid) == 0)
			goto found;
	if (r < 0)
		return call_failed("ListVGPUs", NULL, r);

	r = call(bus, "ListDefinitions", &defs, NULL);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(defs, 'a', GVT_DEFINITION_SIG);
	while (r >= 0 && (r = sd_bus_message_enter_container(defs, 'r', "sssbbsa(ss)")) > 0) {
		r = sd_bus_message_read(defs, "ss", &id, &parent);
		if (r >= 0 && strcasecmp(id, uuid) == 0)
			goto found;
		if (r >= 0)
			r = sd_bus_message_skip(defs, "sbbsa(ss)");
		if (r >= 0)
			r = sd_bus_message_exit_container(defs);
	}
	if (r < 0)
		return call_failed("ListDefinitions", NULL, r);
	return -ENOENT;
found:
	*ret = strdup(parent);
	return *ret ? 0 : call_failed("hostdev", NULL, -ENOMEM);
}

/* The driver of the parent named parent; "" if gvtd does not show that parent (a definition's, absent). */
static int parent_driver(sd_bus *bus, const char *parent, char **ret)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	const char *path;
	int r;

	r = get_property(bus, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, "Parents", "ao", &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "o");
	while (r >= 0 && (r = sd_bus_message_read(reply, "o", &path)) > 0) {
		_cleanup_free_ char *name = NULL;

		r = get_string(bus, path, GVT_PARENT_IFACE, "Name", &name);
		if (r < 0)
			return r;
		if (streq(name, parent))
			return get_string(bus, path, GVT_PARENT_IFACE, "Driver", ret);
	}
	if (r < 0)
		return call_failed("Parents", NULL, r);
	*ret = strdup("");
	return *ret ? 0 : call_failed("hostdev", NULL, -ENOMEM);
}

#define QEMU_XML_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* The libvirt <hostdev> element. */
static char *hostdev_xml(const char *uuid, bool display)
{
	char *xml = NULL;

	if (asprintf(&xml,
		     "<hostdev mode='subsystem' type='mdev' model='vfio-pci'%s>\n"
		     "  <source>\n"
		     "    <address uuid='%s'/>\n"
		     "  </source>\n"
		     "  <alias name='ua-gvt-%s'/>\n"
		     "</hostdev>\n",
		     display ? " display='on'" : "", uuid, uuid) < 0)
		return NULL;
	return xml;
}

/* libvirt 9 has no XML of its own for the OpRegion: it is QEMU's property, set through the hostdev's alias. */
static char *override_xml(const char *uuid)
{
	char *xml = NULL;

	if (asprintf(&xml,
		     "<qemu:override xmlns:qemu='" QEMU_XML_NS "'>\n"
		     "  <qemu:device alias='ua-gvt-%s'>\n"
		     "    <qemu:frontend>\n"
		     "      <qemu:property name='x-igd-opregion' type='bool' value='true'/>\n"
		     "    </qemu:frontend>\n"
		     "  </qemu:device>\n"
		     "</qemu:override>\n",
		     uuid) < 0)
		return NULL;
	return xml;
}

static char *qemu_device_arg(const char *uuid, bool display, bool opregion)
{
	char *arg = NULL;

	if (asprintf(&arg, "vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s%s%s", uuid, display ? ",display=on" : "",
		     opregion ? ",x-igd-opregion=on" : "") < 0)
		return NULL;
	return arg;
}

static int verb_hostdev(sd_bus *bus, int argc, char *argv[])
{
	enum { ARG_QEMU = 0x100, ARG_NO_DISPLAY, ARG_NO_OPREGION };
	static const struct option options[] = {
		{ "qemu", no_argument, NULL, ARG_QEMU },
		{ "no-display", no_argument, NULL, ARG_NO_DISPLAY },
		{ "no-opregion", no_argument, NULL, ARG_NO_OPREGION },
		{}
	};
	_cleanup_free_ char *uuid = NULL, *parent = NULL, *driver = NULL, *xml = NULL, *override = NULL,
			    *device = NULL;
	const struct ParentFeatures *features;
	bool qemu = false, no_display = false, no_opregion = false, display, opregion;
	int c, r;

	while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
		switch (c) {
		case ARG_QEMU:
			qemu = true;
			break;
		case ARG_NO_DISPLAY:
			no_display = true;
			break;
		case ARG_NO_OPREGION:
			no_opregion = true;
			break;
		default:
			return -EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return usage_error("hostdev needs exactly one UUID");
	if (!is_uuid(argv[optind]))
		return usage_error("\"%s\" is not a UUID (8-4-4-4-12 hex digits)", argv[optind]);
	uuid = strdup(argv[optind]);
	if (!uuid)
		return call_failed("hostdev", NULL, -ENOMEM);
	/* sysfs and libvirt spell UUIDs in lower case */
	for (char *p = uuid; *p; p++)
		*p = tolower((unsigned char) *p);

	r = vgpu_parent(bus, uuid, &parent);
	if (r == -ENOENT) {
		fprintf(stderr, "gvtctl: No vGPU or definition %s: 'gvtctl list' and 'gvtctl list --defined' show them\n",
			uuid);
		return -EXIT_FAILED;
	}
	if (r < 0)
		return r;
	r = parent_driver(bus, parent, &driver);
	if (r < 0)
		return r;
	features = parent_features_of(driver);
	display = features && features->display && !no_display;
	opregion = features && features->opregion && !no_opregion;

	xml = hostdev_xml(uuid, display);
	override = opregion ? override_xml(uuid) : strdup("");
	device = qemu_device_arg(uuid, display, opregion);
	if (!xml || !override || !device)
		return call_failed("hostdev", NULL, -ENOMEM);
	if (arg_json) {
		_cleanup_(json_decrefp) json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s?, s:[s,s]}", "uuid",
							      uuid, "parent", parent, "driver", driver, "display",
							      display, "opregion", opregion, "hostdev", xml,
							      "qemu_override", opregion ? override : NULL, "qemu",
							      "-device", device);

		if (!o)
			return call_failed("hostdev", NULL, -ENOMEM);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else if (qemu)
		printf("-device %s\n", device);
	else
		printf("%s%s%s", xml, opregion ? "<!-- the override below goes into <domain> itself, beside <devices> -->\n" : "",
		       override);
	return 0;
}

/* One event, as the REST event stream names it: "vgpu-added UUID", or its JSON. */
static void print_event(const char *event, const char *key, const char *value, const char *path, const char *state)
{
	if (arg_json) {
		_cleanup_(json_decrefp) json_t *o = json_pack("{s:s}", "event", event);

		if (o && key)
			json_object_set_new(o, key, json_string(value));
		if (o && path)
			json_object_set_new(o, "object", json_string(path));
		if (o && state)
			json_object_set_new(o, "state", json_string(state));
		if (o)
			json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else
		printf("%-18s %s%s%s\n", event, strempty(value), state ? " " : "", strempty(state));
	fflush(stdout);
}

/* The Manager's own signals: vGPUs and definitions. */
static int on_signal(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	static const struct {
		const char *member, *event;
	} events[] = {
		{ "VGPUAdded", "vgpu-added" },
		{ "VGPURemoved", "vgpu-removed" },
		{ "VGPUStateChanged", "vgpu-state-changed" },
		{ "DefinitionAdded", "definition-added" },
		{ "DefinitionRemoved", "definition-removed" },
		{ "DefinitionChanged", "definition-changed" },
	};
	const char *member = sd_bus_message_get_member(m), *path = NULL, *uuid = NULL, *state = NULL;
	int r = -EINVAL;

	for (size_t i = 0; i < ELEMENTSOF(events); i++) {
		if (!streq(member, events[i].member))
			continue;
		if (i == 2)
			r = sd_bus_message_read(m, "oss", &path, &uuid, &state);
		else if (i < 2)
			r = sd_bus_message_read(m, "os", &path, &uuid);
		else
			r = sd_bus_message_read(m, "s", &uuid);
		if (r >= 0)
			print_event(events[i].event, "uuid", uuid, path, state);
	}
	return 0;
}

/* A vGPU's UUID from its object path (the daemon writes '-' as '_'); NULL for other paths. */
static const char *vgpu_of_path(const char *path, char buf[static 64])
{
	size_t n = strlen(GVT_VGPU_PREFIX);

	if (strncmp(path, GVT_VGPU_PREFIX "/", n + 1) != 0)
		return NULL;
	snprintf(buf, 64, "%s", path + n + 1);
	for (char *c = buf; *c; c++)
		if (*c == '_')
			*c = '-';
	return buf;
}

static bool is_parent_path(const char *path)
{
	return strncmp(path, GVT_PARENT_PREFIX "/", strlen(GVT_PARENT_PREFIX) + 1) == 0;
}

/* PropertiesChanged: the modules on the Manager, vgpu-changed and parent-changed on their objects. */
static int on_properties(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path = sd_bus_message_get_path(m), *iface, *name, *value;
	char buf[128];
	int r;

	r = sd_bus_message_read(m, "s", &iface);
	if (r < 0)
		return 0;
	if (streq(iface, GVT_VGPU_IFACE) && vgpu_of_path(path, buf))
		print_event("vgpu-changed", "uuid", buf, path, NULL);
	else if (streq(iface, GVT_PARENT_IFACE) && is_parent_path(path))
		print_event("parent-changed", NULL, path, path, NULL);
	if (!streq(iface, GVT_MANAGER_IFACE))
		return 0;
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r > 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if (sd_bus_message_read(m, "s", &name) < 0)
			break;
		if (streq(name, "ModulesState") && sd_bus_message_read(m, "v", "s", &value) >= 0)
			print_event("modules-changed", NULL, NULL, NULL, value);
		else if (sd_bus_message_skip(m, "v") < 0)
			break;
		r = sd_bus_message_exit_container(m);
	}
	return 0;
}

/*
 * ObjectManager: parents come and go as objects (vGPUs have their own
 * signals); an added one's Name is in the signal, a removed one has its path
 * only (the path's escaping loses ':' and '.').
 */
static int on_interfaces(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path, *iface, *name, *parent = NULL;
	int r;

	if (sd_bus_message_read(m, "o", &path) < 0 || !is_parent_path(path))
		return 0;
	if (streq(sd_bus_message_get_member(m), "InterfacesRemoved")) {
		print_event("parent-removed", NULL, path, path, NULL);
		return 0;
	}
	r = sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
	while (r > 0 && !parent && (r = sd_bus_message_enter_container(m, 'e', "sa{sv}")) > 0) {
		if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
			break;
		while (!parent && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
			if (sd_bus_message_read(m, "s", &name) < 0)
				break;
			if (streq(iface, GVT_PARENT_IFACE) && streq(name, "Name"))
				r = sd_bus_message_read(m, "v", "s", &parent);
			else
				r = sd_bus_message_skip(m, "v");
			if (r < 0 || sd_bus_message_exit_container(m) < 0)
				break;
		}
		if (parent || sd_bus_message_exit_container(m) < 0 || sd_bus_message_exit_container(m) < 0)
			break;
	}
	print_event("parent-added", parent ? "parent" : NULL, parent ?: path, path, NULL);
	return 0;
}

static int verb_monitor(sd_bus *bus, int argc, char *argv[])
{
	static const char *const signals[] = {
		"VGPUAdded", "VGPURemoved", "VGPUStateChanged", "DefinitionAdded", "DefinitionRemoved",
		"DefinitionChanged",
	};
	int r;

	if (argc > 1)
		return usage_error("monitor takes no arguments: %s", argv[1]);
	r = bus_ready(bus);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
		r = sd_bus_match_signal(bus, NULL, GVT_BUS_NAME, GVT_MANAGER_PATH, GVT_MANAGER_IFACE, signals[i],
					on_signal, NULL);
		if (r < 0)
			return call_failed("AddMatch", NULL, r);
	}
	r = sd_bus_match_signal(bus, NULL, GVT_BUS_NAME, NULL, "org.freedesktop.DBus.Properties",
				"PropertiesChanged", on_properties, NULL);
	if (r >= 0)
		r = sd_bus_match_signal(bus, NULL, GVT_BUS_NAME, GVT_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
					"InterfacesAdded", on_interfaces, NULL);
	if (r >= 0)
		r = sd_bus_match_signal(bus, NULL, GVT_BUS_NAME, GVT_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
					"InterfacesRemoved", on_interfaces, NULL);
	if (r < 0)
		return call_failed("AddMatch", NULL, r);
	/* Tell a script that the matches are in place: nothing after this line is missed. */
	if (!arg_json)
		printf("Monitoring gvtd; Ctrl-C to stop.\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return call_failed("monitor", NULL, r);
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR)
			return call_failed("monitor", NULL, r);
	}
}

static const Verb verbs[] = {
	{ "status", "status", "Show the daemon version, the module profile and state, and counts.", verb_status, false },
	{ "modules", "modules [load|unload]",
	  "Show each load-order step with its state and reason; load or unload the modules.", verb_modules , true },
	{ "parents", "parents", "List the mdev parents (GPUs that offer vGPUs).", verb_parents , true },
	{ "types", "types [--parent P]", "List the vGPU types with their sizes and available instances.",
	  verb_types, true },
	{ "doctor", "doctor",
	  "Check the host for GVT-g: GPU generation, i915.enable_gvt, IOMMU, kernel modules, load order, aperture, "
	  "snapshot, mdevctl's udev rule, libvirt, definitions; each with what was seen and the fix (exit 3: a "
	  "check failed).", verb_doctor, false },
	{ "plan", "plan [--parent P] COUNTxTYPE...",
	  "Whether vGPUs (e.g. 2xGVTg_V5_4 3xGVTg_V5_8) fit now, beside what runs and what starts automatically, "
	  "where each would go or what runs out first, and the most of each type that fit (exit 3: does not fit).",
	  verb_plan, false },
	{ "list", "list [--defined [--dumpjson]]", "List the vGPUs, or the definitions with their state and owner; --dumpjson prints the definitions as "
	  "mdevctl list --defined --dumpjson does.", verb_list , true },
	{ "create", "create --type T [--parent P] [--uuid U] [--owner O] [--attr N=V...]",
	  "Create a transient vGPU and print its UUID. Without --parent, the first parent with room for the type.",
	  verb_create, false },
	{ "define", "define --type T [--parent P] [--uuid U] [--auto] [--owner O] [--attr N=V...] [--jsonfile FILE]",
	  "Define a persistent vGPU (mdevctl format) and print its UUID; --auto starts it with its parent; --jsonfile "
	  "takes type, start and attributes from an mdevctl definition file (as mdevctl define --jsonfile).",
	  verb_define, false },
	{ "undefine", "undefine UUID", "Remove a definition (a running vGPU stays, transient). -u UUID is accepted too, as mdevctl spells it.", verb_undefine, false },
	{ "start", "start UUID", "Create the vGPU of a definition. -u UUID is accepted too, as mdevctl spells it.", verb_start, false },
	{ "stop", "stop UUID", "Remove the vGPU of a definition, keep the definition. -u UUID is accepted too, as mdevctl spells it.", verb_stop, false },
	{ "modify", "modify UUID [--type T] [--auto|--manual] [--attr N=V...|--clear-attrs|--addattr N --value V [--index I]|--delattr [--index I]]",
	  "Change a stopped definition (-u UUID is accepted too).", verb_modify, false },
	{ "quota", "quota show [OWNER] | quota set OWNER [--max-vgpus N] [--max-aperture-mib N] "
		   "[--max-hidden-mib N] [--max-fences N] [--max-weight N]",
	  "Show limits and usage per owner; set an owner's limits (@default: owners without an entry; "
	  "no option: remove the entry).", verb_quota, true },
	{ "token", "token add OWNER ROLE | token list | token revoke ID",
	  "Manage the REST API's bearer tokens: add prints a new token for OWNER with ROLE (reader, user or admin) "
	  "once, list shows their ids, revoke ends one at once.", verb_token, true },
	{ "remove", "remove UUID", "Remove a vGPU. -u UUID is accepted too, as mdevctl spells it.", verb_remove, false },
	{ "hostdev", "hostdev [--qemu] [--no-display] [--no-opregion] UUID",
	  "Print the libvirt <hostdev> element (and <qemu:override>) that gives a VM the vGPU, or with --qemu "
	  "QEMU's -device argument; display and OpRegion where the parent's driver offers them.", verb_hostdev, false },
	{ "monitor", "monitor", "Print vGPU and module events as they happen, one per line.", verb_monitor, false },
};

static void help(FILE *f)
{
	fprintf(f, "Usage: gvtctl [--json] [--output=COLUMNS] [--noheadings] [--bus-address=ADDRESS] COMMAND [ARGS]\n"
		   "Manage Intel GVT-g vGPUs through gvtd.\n\nCommands:\n");
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		fprintf(f, "  %-40s %s\n", verbs[i].synopsis, verbs[i].help);
	fprintf(f, "\nOptions:\n"
		   "  --json                 machine-readable output\n"
		   "  -o, --output=COLUMNS   the columns to show, in this order (e.g. uuid,state,opened_by)\n"
		   "                         for modules, parents, types, list, quota show and token list\n"
		   "  -n, --noheadings       no header line\n"
		   "  --bus-address=ADDRESS  talk to gvtd on this bus instead of the system bus\n"
		   "  -h, --help             this help; 'gvtctl COMMAND --help' for one command\n"
		   "      --version          the version\n"
		   "\nExit status: 0 success, 1 the operation failed, 2 usage error.\n");
}

static const Verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
		if (streq(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static bool wants_help(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++)
		if (streq(argv[i], "--help") || streq(argv[i], "-h"))
			return true;
	return false;
}

/* The bus object, not connected yet (bus_ready() connects). */
static int new_bus(sd_bus **ret)
{
	const char *address = arg_bus_address ?: getenv("DBUS_SYSTEM_BUS_ADDRESS");
	int r;

	r = sd_bus_new(ret);
	if (r >= 0)
		r = sd_bus_set_address(*ret, address ?: "unix:path=/run/dbus/system_bus_socket");
	if (r >= 0)
		r = sd_bus_set_bus_client(*ret, true);
	if (r < 0)
		fprintf(stderr, "gvtctl: cannot set up a bus connection: %s\n", strerror(-r));
	return r;
}

static int run(int argc, char *argv[])
{
	enum { ARG_JSON = 0x100, ARG_BUS, ARG_VERSION };
	static const struct option options[] = {
		{ "json", no_argument, NULL, ARG_JSON },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "bus-address", required_argument, NULL, ARG_BUS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{}
	};
	_cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
	const Verb *verb;
	int c, r;

	/* "+": stop at the command; its own options are parsed by the verb. */
	while ((c = getopt_long(argc, argv, "+ho:n", options, NULL)) >= 0) {
		switch (c) {
		case ARG_JSON:
			arg_json = true;
			break;
		case 'o':
			arg_output = optarg;
			break;
		case 'n':
			arg_noheadings = true;
			break;
		case ARG_BUS:
			arg_bus_address = optarg;
			break;
		case 'h':
			help(stdout);
			return 0;
		case ARG_VERSION:
			printf("gvtctl %s\n", PROJECT_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'gvtctl --help'.\n");
			return -EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help(stderr);
		return -EXIT_USAGE;
	}
	verb = find_verb(argv[optind]);
	if (!verb)
		return usage_error("unknown command \"%s\"", argv[optind]);
	arg_verb = verb->name;
	argc -= optind;
	argv += optind;
	if (wants_help(argc, argv)) {
		printf("Usage: gvtctl [--json]%s %s\n%s\n",
		       verb->table ? " [--output=COLUMNS] [--noheadings]" : "", verb->synopsis, verb->help);
		if (verb->table)
			printf("--output takes headers or JSON keys, comma-separated; a name that is none lists them.\n");
		return 0;
	}
	/* --json, --noheadings and --output after the command are accepted too: they are global. */
	for (int i = 1; i < argc; i++) {
		int n = 0;

		if (streq(argv[i], "--json"))
			arg_json = true, n = 1;
		else if (streq(argv[i], "--noheadings"))
			arg_noheadings = true, n = 1;
		else if (strncmp(argv[i], "--output=", strlen("--output=")) == 0)
			arg_output = argv[i] + strlen("--output="), n = 1;
		else if (streq(argv[i], "--output") || (verb->table && streq(argv[i], "-o"))) {
			if (i + 1 >= argc)
				return usage_error("--output needs a list of columns");
			arg_output = argv[i + 1], n = 2;
		} else if (verb->table && strncmp(argv[i], "-o", 2) == 0)
			/* -o and -n after the command for the table commands alone: create's -o is --owner */
			arg_output = argv[i] + 2, n = 1;
		else if (verb->table && streq(argv[i], "-n"))
			arg_noheadings = true, n = 1;
		if (n) {
			memmove(&argv[i], &argv[i + n], (argc - i - n + 1) * sizeof(char *));
			argc -= n;
			i--;
		}
	}
	if ((arg_output || arg_noheadings) && !verb->table)
		return usage_error("%s prints no table: --output and --noheadings are for modules, parents, types, "
				   "list, quota show and token list", verb->name);

	/* monitor's signal matches name gvtd's bus name, which a direct connection has not */
	use_private_socket = !arg_bus_address && !streq(verb->name, "monitor") && !getenv("GVTCTL_FORCE_BUS");
	r = new_bus(&bus);
	if (r < 0)
		return -EXIT_FAILED;
	optind = 0;
	r = verb->run(bus, argc, argv);
	/* getopt said what was wrong; say where help is */
	if (r == -EXIT_USAGE && !usage_hinted)
		fprintf(stderr, "Try 'gvtctl %s --help'.\n", verb->name);
	return r;
}

int main(int argc, char *argv[])
{
	int r = run(argc, argv);

	return r < 0 ? -r : EXIT_OK;
}
