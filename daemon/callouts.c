// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "callouts.h"
#include "log.h"
#include "utf8.h"

extern char **environ;

static const char *const event_names[_CALLOUT_EVENT_MAX] = {
	[CALLOUT_EVENT_PRE] = "pre",
	[CALLOUT_EVENT_POST] = "post",
	[CALLOUT_EVENT_NOTIFY] = "notify",
};
DEFINE_STRING_TABLE_LOOKUP(callout_event, CalloutEvent, event_names, _CALLOUT_EVENT_MAX)

static const char *const action_names[_CALLOUT_ACTION_MAX] = {
	[CALLOUT_ACTION_START] = "start",
	[CALLOUT_ACTION_STOP] = "stop",
	[CALLOUT_ACTION_DEFINE] = "define",
	[CALLOUT_ACTION_UNDEFINE] = "undefine",
	[CALLOUT_ACTION_MODIFY] = "modify",
};
DEFINE_STRING_TABLE_LOOKUP(callout_action, CalloutAction, action_names, _CALLOUT_ACTION_MAX)

static const char *const state_names[_CALLOUT_STATE_MAX] = {
	[CALLOUT_STATE_NONE] = "none",
	[CALLOUT_STATE_SUCCESS] = "success",
	[CALLOUT_STATE_FAILURE] = "failure",
};
DEFINE_STRING_TABLE_LOOKUP(callout_state, CalloutState, state_names, _CALLOUT_STATE_MAX)

/* mdevctl's directories, in its order: the packaged one first, then the administrator's. */
static const char *const callout_dirs[] = {
	"usr/lib/mdevctl/scripts.d/callouts",
	MDEVCTL_DIR "/scripts.d/callouts",
};
static const char *const notifier_dirs[] = {
	"usr/lib/mdevctl/scripts.d/notifiers",
	MDEVCTL_DIR "/scripts.d/notifiers",
};

/* "Not my device type": the script passes the event on to the next one. */
#define CALLOUT_EXIT_NOT_MINE 2
/* What is kept of a script's stderr for the log; the rest is read and dropped. */
#define CALLOUT_STDERR_MAX 4096

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * What the pipe takes now of the script's stdin. A script that exits
 * without reading it makes the write fail with EPIPE: its SIGPIPE is held
 * in this thread and dropped, so no process-wide disposition is touched.
 */
static int feed(int fd, const char **p, size_t *left)
{
	struct timespec zero = {};
	sigset_t pipe_set, old;
	ssize_t n;
	int r = 0;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, *p, *left);
	if (n < 0) {
		r = errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (r == -EPIPE)
			(void) sigtimedwait(&pipe_set, NULL, &zero);
	} else {
		*p += n;
		*left -= n;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Reads what there is; -1 at the end (EOF or an error), else 0. */
static int drain(int fd, char *buf, size_t *len)
{
	char scratch[512];

	for (;;) {
		bool room = *len < CALLOUT_STDERR_MAX;
		ssize_t n = room ? read(fd, buf + *len, CALLOUT_STDERR_MAX - *len) : read(fd, scratch, sizeof(scratch));

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;
		if (room)
			*len += n;
	}
}

/* The script's stderr into the log, a line each under its name (mdevctl prints "name: line"); the first kept. */
static void log_stderr(const char *path, char *buf, size_t len, char *first, size_t first_size)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	bool have_first = false;

	buf[len] = '\0';
	for (char *line = buf, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (!*line)
			continue;
		if (!have_first) {
			utf8_valid(line, first, first_size);
			have_first = true;
		}
		log_info("%s: %s", name, line);
	}
}

static int close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
	return -1;
}

static int spawn(const char *path, char *const argv[], int in_fd, int err_fd, pid_t *ret)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_init(&actions) != 0)
		return -ENOMEM;
	if (posix_spawnattr_init(&attr) != 0) {
		posix_spawn_file_actions_destroy(&actions);
		return -ENOMEM;
	}
	r = in_fd >= 0 ? posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO)
		       : posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
	/* Nothing of gvtd's (the bus, the REST sockets) leaks into the script. */
	if (r == 0)
		r = posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
	/*
	 * The script starts as mdevctl's would: no signal blocked (gvtd blocks
	 * SIGTERM for its loop), default dispositions, and in a process group
	 * of its own, so a timeout kills what it started too.
	 */
	if (r == 0)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						    POSIX_SPAWN_SETPGROUP);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (r == 0)
		r = posix_spawnattr_setpgroup(&attr, 0);
	if (r == 0)
		r = posix_spawn(ret, path, &actions, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&actions);
	return -r;
}

int callout_exec(const char *path, CalloutEvent event, CalloutAction action, CalloutState state,
		 const CalloutDevice *dev, unsigned timeout_ms, CalloutExit *ret)
{
	_cleanup_close_ int in_r = -1, in_w = -1, err_r = -1, err_w = -1, pidfd = -1;
	const char *input = dev->json;
	size_t left = input ? strlen(input) : 0, err_len = 0;
	char err[CALLOUT_STDERR_MAX + 1];
	char *argv[] = {
		(char *) path,
		"-t", (char *) dev->type,
		"-e", (char *) callout_event_to_string(event),
		"-a", (char *) callout_action_to_string(action),
		"-s", (char *) callout_state_to_string(state),
		"-u", (char *) dev->uuid,
		"-p", (char *) dev->parent,
		NULL,
	};
	uint64_t deadline;
	pid_t pid;
	int status, r;

	assert(path && dev && dev->uuid && dev->parent && dev->type && ret);
	assert(argv[4] && argv[6] && argv[8]);
	*ret = (CalloutExit) {};

	if (input) {
		int fds[2];

		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		in_r = fds[0];
		in_w = fds[1];
	}
	{
		int fds[2];

		if (pipe2(fds, O_CLOEXEC) < 0)
			return -errno;
		err_r = fds[0];
		err_w = fds[1];
	}
	r = spawn(path, argv, in_r, err_w, &pid);
	if (r < 0)
		return r;
	in_r = close_fd(in_r);
	err_w = close_fd(err_w);
	if (in_w >= 0 && fcntl(in_w, F_SETFL, O_NONBLOCK) < 0)
		in_w = close_fd(in_w);
	(void) fcntl(err_r, F_SETFL, O_NONBLOCK);

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		log_warning_errno(errno, "Failed to watch callout %s (pid %d), killing it: %m", path, (int) pid);
	deadline = now_ms() + timeout_ms;
	while (pidfd >= 0) {
		struct pollfd fds[3] = {
			{ .fd = pidfd, .events = POLLIN },
			{ .fd = err_r, .events = POLLIN },
			{ .fd = in_w, .events = POLLOUT },
		};
		uint64_t now = now_ms();

		if (now >= deadline) {
			ret->timed_out = true;
			break;
		}
		if (poll(fds, ELEMENTSOF(fds), deadline - now) < 0) {
			if (errno == EINTR)
				continue;
			log_warning_errno(errno, "Failed to wait for callout %s, killing it: %m", path);
			ret->timed_out = true;
			break;
		}
		if (fds[2].revents && (feed(in_w, &input, &left) < 0 || left == 0))
			in_w = close_fd(in_w);
		if (fds[1].revents && drain(err_r, err, &err_len) < 0)
			err_r = close_fd(err_r);
		if (fds[0].revents)
			break;
	}
	if (pidfd < 0 || ret->timed_out)
		(void) kill(-pid, SIGKILL);
	/* What it wrote before it exited; a child it left behind may keep the pipe open, so no waiting. */
	if (err_r >= 0)
		(void) drain(err_r, err, &err_len);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return log_error_errno(errno, "Failed to reap callout %s (pid %d): %m", path, (int) pid);

	log_stderr(path, err, err_len, ret->first_line, sizeof(ret->first_line));
	if (WIFEXITED(status)) {
		ret->status = WEXITSTATUS(status);
	} else {
		ret->status = -1;
		ret->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	log_debug("Callout %s %s-%s %s: %s %d%s.", path, callout_event_to_string(event),
		  callout_action_to_string(action), dev->uuid, ret->signal ? "signal" : "exit status",
		  ret->signal ?: ret->status, ret->timed_out ? " (timed out)" : "");
	return 0;
}

static int by_bytes(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The entries of ROOT/dir in byte order, as mdevctl sorts them; an absent directory has none. */
static int list_dir(const char *root, const char *dir, char **ret_path, struct dirent ***ret, int *ret_n)
{
	int n;

	if (asprintf(ret_path, "%s/%s", root, dir) < 0)
		return -ENOMEM;
	n = scandir(*ret_path, ret, NULL, by_bytes);
	if (n < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warning_errno(errno, "Failed to read %s, running none of its callouts: %m", *ret_path);
		n = 0;
	}
	*ret_n = n;
	return 0;
}

static void free_list(struct dirent **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static bool is_dot(const char *name)
{
	return streq(name, ".") || streq(name, "..");
}

/* Runs ROOT/dir/name; false (logged) if it is no script that could run. */
static bool run_entry(const char *dir_path, const char *name, CalloutEvent event, CalloutAction action,
		      CalloutState state, const CalloutDevice *dev, unsigned timeout_ms, char path[PATH_MAX],
		      CalloutExit *ret)
{
	int r;

	if ((size_t) snprintf(path, PATH_MAX, "%s/%s", dir_path, name) >= PATH_MAX)
		return false;
	r = callout_exec(path, event, action, state, dev, timeout_ms, ret);
	if (r < 0)
		log_debug_errno(r, "Not running %s as a callout, it cannot be started: %m", path);
	return r >= 0;
}

int callouts_invoke(const char *root, CalloutEvent event, CalloutAction action, CalloutState state,
		    const CalloutDevice *dev, unsigned timeout_ms, char script[PATH_MAX], CalloutExit *ret)
{
	int r;

	assert(event == CALLOUT_EVENT_PRE || event == CALLOUT_EVENT_POST);
	if (script[0]) {
		r = callout_exec(script, event, action, state, dev, timeout_ms, ret);
		if (r < 0)
			log_warning_errno(r, "Failed to run callout %s again: %m", script);
		return r >= 0;
	}
	for (size_t d = 0; d < ELEMENTSOF(callout_dirs); d++) {
		_cleanup_free_ char *dir_path = NULL;
		struct dirent **list = NULL;
		int n;

		r = list_dir(root, callout_dirs[d], &dir_path, &list, &n);
		if (r < 0)
			return r;
		for (int i = 0; i < n; i++) {
			char path[PATH_MAX];

			if (is_dot(list[i]->d_name) ||
			    !run_entry(dir_path, list[i]->d_name, event, action, state, dev, timeout_ms, path, ret))
				continue;
			/* A hung script would have held mdevctl for ever: it handled the event, and failed. */
			if (!ret->timed_out && ret->signal) {
				log_warning("Callout %s was terminated by signal %d, trying the next one.", path,
					    ret->signal);
				continue;
			}
			if (!ret->timed_out && ret->status == CALLOUT_EXIT_NOT_MINE)
				continue;
			strcpy(script, path);
			free_list(list, n);
			return 1;
		}
		free_list(list, n);
	}
	return 0;
}

void callouts_notify(const char *root, CalloutAction action, CalloutState state, const CalloutDevice *dev,
		     unsigned timeout_ms)
{
	/*
	 * stdin: the JSON, as mdevctl 1.2 (Debian 12's) gives every event; 1.3
	 * on gives notifiers nothing, and a notifier written for those does not
	 * read it: the JSON suits both.
	 */
	for (size_t d = 0; d < ELEMENTSOF(notifier_dirs); d++) {
		_cleanup_free_ char *dir_path = NULL;
		struct dirent **list = NULL;
		int n;

		if (list_dir(root, notifier_dirs[d], &dir_path, &list, &n) < 0) {
			log_oom();
			return;
		}
		for (int i = 0; i < n; i++) {
			char path[PATH_MAX];
			CalloutExit x;

			if (is_dot(list[i]->d_name) ||
			    !run_entry(dir_path, list[i]->d_name, CALLOUT_EVENT_NOTIFY, action, state, dev,
				       timeout_ms, path, &x))
				continue;
			if (x.timed_out)
				log_warning("Notifier %s did not finish within %u ms and was killed.", path, timeout_ms);
			else if (x.status != 0)
				log_info("Notifier %s ended with %s %d, ignored.", path,
					 x.signal ? "signal" : "exit status", x.signal ?: x.status);
		}
		free_list(list, n);
	}
}

static void callouts_free(Callouts *c)
{
	free(c->parent);
	free(c->type);
	free(c->json);
	*c = (Callouts) {};
}

static CalloutDevice device_of(const Callouts *c)
{
	return (CalloutDevice) { .uuid = c->uuid, .parent = c->parent, .type = c->type, .json = c->json };
}

int callouts_pre(const Config *config, CalloutAction action, const Definition *d, Callouts *c, GvtError *e)
{
	Definition plain;
	CalloutDevice dev;
	CalloutExit x;
	int r;

	assert(config && d && c);
	*c = (Callouts) {
		.enabled = config->callouts,
		.root = config->root && !streq(config->root, "/") ? config->root : "",
		.timeout_ms = config->callout_timeout_sec * 1000,
		.action = action,
	};
	if (!c->enabled)
		return 0;
	strcpy(c->uuid, d->uuid);
	c->parent = strdup(d->parent);
	c->type = strdup(d->type);
	/* mdevctl hands a script its three keys only, not the rest of the file. */
	plain = *d;
	plain.document = NULL;
	if (!c->parent || !c->type || mdevctl_format(&plain, &c->json) < 0) {
		callouts_free(c);
		return gvt_error_set_errno(e, ENOMEM, "Failed to prepare the callouts of %s, nothing done", d->uuid);
	}
	dev = device_of(c);
	r = callouts_invoke(c->root, CALLOUT_EVENT_PRE, action, CALLOUT_STATE_NONE, &dev, c->timeout_ms, c->script,
			    &x);
	if (r < 0) {
		callouts_free(c);
		return gvt_error_set_errno(e, r, "Failed to run the callouts of %s, nothing done", d->uuid);
	}
	if (r == 0 || (!x.timed_out && x.status == 0))
		return 0;

	callouts_notify(c->root, action, CALLOUT_STATE_NONE, &dev, c->timeout_ms);
	if (x.timed_out)
		gvt_error_set(e, GVT_ERROR_VETOED,
			      "Callout %s did not finish the pre-%s of %s within %u s and was killed, so nothing was "
			      "done: fix the script, or raise [Callouts] TimeoutSec= in gvtd.conf", c->script,
			      callout_action_to_string(action), c->uuid, config->callout_timeout_sec);
	else
		gvt_error_set(e, GVT_ERROR_VETOED,
			      "Callout %s vetoed the %s of %s (exit status %d%s%s): nothing was done",
			      c->script, callout_action_to_string(action), c->uuid, x.status,
			      x.first_line[0] ? ": " : "", x.first_line);
	callouts_free(c);
	return -ECANCELED;
}

int callouts_pre_vgpu(const Config *config, CalloutAction action, const char *uuid, const char *parent,
		      const char *type, const Attr *attrs, size_t n_attrs, Callouts *c, GvtError *e)
{
	/* A view for the JSON, not owned: callouts_pre() copies what it keeps. */
	Definition d = {
		.parent = (char *) parent,
		.type = (char *) type,
		.attrs = (Attr *) attrs,
		.n_attrs = n_attrs,
	};

	assert(strlen(uuid) < sizeof(d.uuid));
	strcpy(d.uuid, uuid);
	return callouts_pre(config, action, &d, c, e);
}

void callouts_post(Callouts *c, bool succeeded)
{
	CalloutState state = succeeded ? CALLOUT_STATE_SUCCESS : CALLOUT_STATE_FAILURE;
	CalloutDevice dev;
	CalloutExit x;

	if (!c->enabled)
		return;
	dev = device_of(c);
	if (callouts_invoke(c->root, CALLOUT_EVENT_POST, c->action, state, &dev, c->timeout_ms, c->script, &x) > 0 &&
	    (x.timed_out || x.status != 0))
		log_warning("Post-%s callout %s of %s %s, ignored (as mdevctl does).",
			    callout_action_to_string(c->action), c->script, c->uuid,
			    x.timed_out ? "timed out and was killed" : "failed");
	callouts_notify(c->root, c->action, state, &dev, c->timeout_ms);
	callouts_free(c);
}
