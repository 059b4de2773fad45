// SPDX-License-Identifier: GPL-2.0-only
/* gvtd: wiring only. The core is manager/modules/inventory/lifecycle; adapters are dbus* and rest*. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

#include "autostart.h"
#include "journal-events.h"
#include "dbus.h"
#include "dbus-polkit.h"
#include "definitions-watch.h"
#include "definitions.h"
#include "gvt-dbus.h"
#include "log.h"
#include "manager.h"
#include "rest.h"
#include "status.h"


typedef struct Options {
	const char *config_file;
	const char *bus_address;
	const char *polkit;
	Config overrides;         /* only the fields set on the command line */
	bool set_profile, set_load;
} Options;

static void help(void)
{
	printf("Usage: gvtd [OPTIONS]\n"
	       "Manage Intel GVT-g virtual GPUs: module load order, inventory, lifecycle.\n\n"
	       "  --profile=sim|kvmgt|auto  which modules to load (default: from the configuration)\n"
	       "  --module-dir=DIR          load gvt_base.ko and gvt_mdev.ko from DIR (implies sim for auto)\n"
	       "  --no-load                 do not load the modules at start (LoadModules does)\n"
	       "  --root=DIR                prefix for /sys, /etc, /var/lib/gvtd and /run/gvtd (tests)\n"
	       "  --config=FILE             configuration file (default: ROOT/etc/gvtd/gvtd.conf)\n"
	       "  --bus-address=ADDRESS     serve on this bus instead of the system bus\n"
	       "  --admin-group=GROUP       without polkit: group allowed what root may do\n"
	       "  --polkit=auto|yes|no      ask polkit about callers other than root (default: auto)\n"
	       "  -v, --verbose             log debug messages\n"
	       "  -h, --help                show this help\n"
	       "      --version             show the version\n");
}

static int parse_argv(int argc, char *argv[], Options *o)
{
	enum { ARG_PROFILE = 0x100, ARG_MODULE_DIR, ARG_NO_LOAD, ARG_ROOT, ARG_CONFIG, ARG_BUS, ARG_GROUP, ARG_POLKIT, ARG_VERSION };
	static const struct option options[] = {
		{ "profile", required_argument, NULL, ARG_PROFILE },
		{ "module-dir", required_argument, NULL, ARG_MODULE_DIR },
		{ "no-load", no_argument, NULL, ARG_NO_LOAD },
		{ "root", required_argument, NULL, ARG_ROOT },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "bus-address", required_argument, NULL, ARG_BUS },
		{ "admin-group", required_argument, NULL, ARG_GROUP },
		{ "polkit", required_argument, NULL, ARG_POLKIT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, ARG_VERSION },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "vh", options, NULL)) >= 0) {
		switch (c) {
		case ARG_PROFILE:
			o->overrides.profile = profile_from_string(optarg);
			if (o->overrides.profile < 0)
				return log_error_errno(EINVAL, "Unknown profile \"%s\": use sim, kvmgt or auto.", optarg);
			o->set_profile = true;
			break;
		case ARG_MODULE_DIR:
			o->overrides.module_dir = optarg;
			break;
		case ARG_NO_LOAD:
			o->set_load = true;
			break;
		case ARG_ROOT:
			o->overrides.root = optarg;
			break;
		case ARG_CONFIG:
			o->config_file = optarg;
			break;
		case ARG_BUS:
			o->bus_address = optarg;
			break;
		case ARG_GROUP:
			o->overrides.admin_group = optarg;
			break;
		case ARG_POLKIT:
			o->polkit = optarg;
			break;
		case 'v':
			log_set_max_level(LOG_DEBUG);
			break;
		case 'h':
			help();
			return 0;
		case ARG_VERSION:
			printf("gvtd %s\n", PROJECT_VERSION);
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc)
		return log_error_errno(EINVAL, "gvtd takes no positional arguments.");
	return 1;
}

/* Configuration file first, the command line on top. */
static int load_config(Manager *m, const Options *o)
{
	_cleanup_free_ char *path = NULL;
	Config *c = &m->config;
	int r;

	if (o->overrides.root && !(c->root = strdup(o->overrides.root)))
		return log_oom();
	if (o->config_file)
		r = config_parse_file(c, o->config_file);
	else {
		_cleanup_free_ char *vendor = NULL;

		if (asprintf(&path, "%s" GVTD_CONFDIR, strempty(c->root)) < 0 ||
		    asprintf(&vendor, "%s" GVTD_VENDORCONFDIR, strempty(c->root)) < 0)
			return log_oom();
		r = config_load(c, path, vendor);
	}
	if (r < 0)
		return r;

	if (o->set_profile)
		c->profile = o->overrides.profile;
	if (o->set_load)
		c->load_on_start = false;
	if (o->bus_address && !(c->bus_address = strdup(o->bus_address)))
		return log_oom();
	if (o->polkit && config_set(c, "Access", "Polkit", o->polkit) < 0)
		return log_error_errno(EINVAL, "--polkit takes auto, yes or no, not \"%s\".", o->polkit);
	if ((o->overrides.module_dir && config_set(c, "Modules", "ModuleDir", o->overrides.module_dir) < 0) ||
	    (o->overrides.admin_group && config_set(c, "Access", "AdminGroup", o->overrides.admin_group) < 0))
		return log_oom();
	return 0;
}

static void on_startup_load_done(Manager *m, int r, const GvtError *e, void *userdata)
{
	if (r < 0)
		log_error("Loading the modules failed: %s. gvtd keeps running; fix the cause and call LoadModules "
			  "(gvtctl modules load).", e ? e->message : strerror(-r));
	/* Units ordered after gvtd find their vGPUs. */
	autostart_now(m);
	(void) sd_notify(false, "READY=1");
	status_notify(m);
}

/* The adapters: the wiring's own. */
static BusAdapter *bus;
static RestServer *rest;

static int polkit_start(Manager *m)
{
	return bus_polkit_new(m->event, m->config.bus_address, &m->polkit) < 0 ? log_oom() : 0;
}

static void polkit_stop(Manager *m)
{
	m->polkit = polkit_free(m->polkit);
}

static int dbus_start(Manager *m)
{
	_cleanup_free_ char *private_path = NULL;

	/* root's direct connections (gvtctl), beside the bus: /run/gvtd/private below --root */
	if (asprintf(&private_path, "%s" GVT_PRIVATE_SOCKET, strempty(m->config.root)) < 0)
		return log_oom();
	return bus_adapter_new(m, m->config.bus_address, private_path, &bus);
}

static void dbus_stop(Manager *m)
{
	bus = bus_adapter_free(bus);
}

static int rest_start(Manager *m)
{
	return rest_server_new(m, &rest);
}

static void rest_stop(Manager *m)
{
	rest = rest_server_free(rest);
}

static int rest_reload(Manager *m)
{
	return rest ? rest_server_reload(rest) : 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	Manager *m = userdata;

	(void) sd_notify(false, "RELOADING=1\nSTATUS=Reloading the API tokens and the TLS certificate.");
	if (manager_reload(m) < 0)
		log_warning("Reload incomplete: what failed keeps what it had (see above).");
	(void) sd_notify(false, "READY=1");
	status_notify(m);
	return 0;
}

/* Start order, top to bottom; stop order, bottom to top. */
static const Feature features[] = {
	{ "status", status_start, status_stop, NULL },
	{ "journal", journal_events_init, NULL, NULL },
	{ "polkit", polkit_start, polkit_stop, NULL },
	{ "dbus", dbus_start, dbus_stop, NULL },
	{ "rest", rest_start, rest_stop, rest_reload },
	{ "inventory", inventory_start, inventory_stop, NULL },
	/* After the scan: the dump's vGPUs are known, their PropertiesChanged goes out. */
	{ "openers", openers_start, openers_stop, NULL },
	{ "definitions", definitions_init, definitions_exit, NULL },
	{ "autostart", autostart_init, autostart_exit, NULL },
};

static int run(int argc, char *argv[])
{
	_cleanup_(manager_freep) Manager *m = NULL;
	Options o = {};
	sigset_t mask;
	int r;

	r = parse_argv(argc, argv, &o);
	if (r <= 0)
		return r;
	r = manager_new(&m);
	if (r < 0)
		return log_oom();
	r = load_config(m, &o);
	if (r < 0)
		return r;

	r = sd_event_default(&m->event);
	if (r < 0)
		return log_error_errno(r, "Failed to allocate the event loop: %m");
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r = sd_event_add_signal(m->event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
	if (r < 0)
		return log_error_errno(r, "Failed to handle SIGTERM/SIGINT/SIGHUP: %m");
	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning_errno(r, "Failed to enable the watchdog, ignoring: %m");

	r = manager_start(m, features, ELEMENTSOF(features));
	if (r < 0)
		return r;

	/* With an error to fill: its message is what the journal shows. */
	GvtError setup_error = {};

	if (modules_setup(m, &setup_error) >= 0 && m->config.load_on_start)
		/* READY=1 once the load order finished, so units after us find parents. */
		(void) modules_load(m, on_startup_load_done, NULL, NULL);
	else
		on_startup_load_done(m, 0, NULL, NULL);

	r = sd_event_loop(m->event);
	(void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down.");
	if (r < 0)
		return log_error_errno(r, "Event loop failed: %m");
	return 0;
}

int main(int argc, char *argv[])
{
	int r = run(argc, argv);

	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
