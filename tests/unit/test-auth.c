// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who decides when polkit gives no decision: with Polkit=auto the AdminGroup
 * rule only when polkit is absent (or does not know gvtd's actions); a
 * timeout or an error from a polkitd that runs is a refusal. A fake
 * PolkitBackend answers; the caller is a member of the admin group, so the
 * group rule would allow it. And what the D-Bus side makes of polkit's errors;
 * and that the subject of a REST caller names one process (pid and the start
 * time read with its credentials), not whichever has the pid when polkit looks.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth.h"
#include "dbus-polkit.h"
#include "fake-manager.h"
#include "macro.h"
#include "manager.h"
#include "polkit.h"
#include "rest-auth.h"

typedef struct FakePolkit {
	PolkitBackend backend;
	int answer_r;             /* what done gets */
	bool answer_authorized;
	PolkitSubject asked;
	unsigned n_asked;
} FakePolkit;

static int fake_check(PolkitBackend *b, const PolkitSubject *s, const char *action_id, bool interactive,
		      PolkitDone done, void *userdata)
{
	FakePolkit *f = (FakePolkit *) b;

	(void) action_id;
	(void) interactive;
	f->asked = *s;
	f->n_asked++;
	done(f->answer_r, f->answer_authorized, userdata);
	return 0;
}

static void fake_free(PolkitBackend *b)
{
	(void) b;
}

static FakePolkit fake = { .backend = { .check = fake_check, .free = fake_free } };

static int result;
static char message[512];
static unsigned n_done;

static void on_done(int r, const GvtError *e, void *userdata)
{
	(void) userdata;
	result = r;
	snprintf(message, sizeof(message), "%s", e ? e->message : "");
	n_done++;
}

/* A caller other than root in the group this test runs as, made the AdminGroup. */
static Caller member(Manager *m)
{
	struct group *g = getgrgid(getgid());

	assert_non_null(g);
	free(m->config.admin_group);
	m->config.admin_group = strdup(g->gr_name);
	return (Caller) { .uid = 4711, .gid = g->gr_gid, .pid = getpid(), .start_time = 12345 };
}

/* Field 22 of /proc/PID/stat as awk splits it (this test's comm has no spaces). */
static uint64_t start_time_by_awk(pid_t pid)
{
	char cmd[128];
	unsigned long long t = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "awk '{print $22}' /proc/%d/stat", (int) pid);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &t), 1);
	pclose(f);
	return t;
}

/* The verdict when polkit answers (r, authorized): 0 allowed, < 0 refused. */
static int verdict(Manager *m, PolkitMode mode, int r, bool authorized)
{
	Caller c = member(m);
	GvtError e = {};
	int ret;

	m->config.polkit = mode;
	m->polkit = &fake.backend;
	fake.answer_r = r;
	fake.answer_authorized = authorized;
	n_done = 0;
	ret = auth_authorize(m, &c, ACTION_SET_QUOTAS, false, on_done, NULL, &e);
	m->polkit = NULL;
	assert_int_equal(ret, 0);  /* polkit was asked */
	assert_int_equal(n_done, 1);
	return result;
}

static void test_no_decision_is_no_permission(void **state)
{
	Manager *m = fake_manager_new();

	(void) state;
	/* Absent (or no policy): the group rule, which allows a member. */
	assert_int_equal(verdict(m, POLKIT_AUTO, -EHOSTUNREACH, false), 0);
	/* Runs and did not decide: refused, though the caller is a member (before: allowed). */
	assert_true(verdict(m, POLKIT_AUTO, -ETIMEDOUT, false) < 0);
	assert_non_null(strstr(message, "polkit did not decide"));
	assert_non_null(strstr(message, "no answer in time"));
	assert_true(verdict(m, POLKIT_AUTO, -EIO, false) < 0);
	assert_true(verdict(m, POLKIT_AUTO, -EACCES, false) < 0);
	/* Decided: as it said. */
	assert_int_equal(verdict(m, POLKIT_AUTO, 0, true), 0);
	assert_true(verdict(m, POLKIT_AUTO, 0, false) < 0);
	/* Polkit=yes never asks the group. */
	assert_true(verdict(m, POLKIT_YES, -EHOSTUNREACH, false) < 0);
	fake_manager_teardown((void **) &m);
}

static void test_subject_names_one_process(void **state)
{
	Manager *m = fake_manager_new();
	uint64_t t = 0;
	int sv[2];
	RestPeer peer = {};
	Caller c;
	GvtError e = {};
	pid_t child;

	(void) state;
	assert_int_equal(auth_process_start_time(getpid(), &t), 0);
	assert_true(t > 0);
	assert_int_equal(t, start_time_by_awk(getpid()));
	/* A process that is gone. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(auth_process_start_time(child, &t), -ESRCH);

	/* The REST peer's start time is read with its credentials (here: this process, both ends). */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(rest_peer_from_fd(sv[0], &peer), 0);
	close(sv[0]);
	close(sv[1]);
	assert_int_equal(peer.pid, getpid());
	assert_int_equal(peer.start_time, start_time_by_awk(getpid()));

	/* And reaches polkit's subject (before: start-time 0, polkit reading whatever the pid is now). */
	assert_int_equal(verdict(m, POLKIT_AUTO, 0, true), 0);
	assert_null(fake.asked.bus_name);
	assert_int_equal(fake.asked.pid, getpid());
	assert_int_equal(fake.asked.start_time, 12345);

	/* No start time (the process was gone when its credentials were read): not asked, refused. */
	c = member(m);
	c.start_time = 0;
	m->config.polkit = POLKIT_AUTO;
	m->polkit = &fake.backend;
	fake.n_asked = 0;
	assert_true(auth_authorize(m, &c, ACTION_SET_QUOTAS, false, on_done, NULL, &e) < 0);
	m->polkit = NULL;
	assert_int_equal(fake.n_asked, 0);
	assert_non_null(strstr(e.message, "start time is unknown"));
	fake_manager_teardown((void **) &m);
}

static void test_dbus_errors(void **state)
{
	static const struct {
		const char *name, *message;
		int r;
	} cases[] = {
		{ "org.freedesktop.DBus.Error.ServiceUnknown", "The name is not activatable", -EHOSTUNREACH },
		{ "org.freedesktop.DBus.Error.NameHasNoOwner", NULL, -EHOSTUNREACH },
		{ "org.freedesktop.DBus.Error.Spawn.ChildExited", "polkitd exited", -EHOSTUNREACH },
		{ "org.freedesktop.systemd1.NoSuchUnit", "Unit polkit.service not found.", -EHOSTUNREACH },
		{ "org.freedesktop.PolicyKit1.Error.Failed", "Action org.gvtd1.set-quotas is not registered",
		  -EHOSTUNREACH },
		{ "org.freedesktop.DBus.Error.NoReply", "Connection timed out", -ETIMEDOUT },
		{ "org.freedesktop.DBus.Error.Timeout", NULL, -ETIMEDOUT },
		{ "org.freedesktop.PolicyKit1.Error.Failed", "Error getting authority", -EIO },
		{ "org.freedesktop.PolicyKit1.Error.Cancelled", NULL, -EIO },
		{ "org.freedesktop.DBus.Error.Disconnected", NULL, -EIO },
		{ "org.freedesktop.DBus.Error.AccessDenied", NULL, -EIO },
	};

	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		print_message("%s: %s\n", cases[i].name, strempty(cases[i].message));
		assert_int_equal(bus_polkit_error_to_errno(cases[i].name, cases[i].message), cases[i].r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_decision_is_no_permission),
		cmocka_unit_test(test_subject_names_one_process),
		cmocka_unit_test(test_dbus_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
