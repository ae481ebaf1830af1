/*
 * exec.c — a line's own command in its own process group (core/exec.h).
 * posix_spawn (POSIX.1-2017; glibc's addchdir_np and addclosefrom_np,
 * 2.29 and 2.34) rather than fork: gang is multi-threaded, and between a
 * fork and its exec only async-signal-safe calls are allowed.
 */
#include "core/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXEC_POLL_MS 20
#define EXEC_ENV_MAX 64U /* entries of o->env */

extern char **environ;

typedef struct exec_run {
	pid_t pid;
	int fd;                      /* read end of the output pipe, -1 at EOF */
	uint64_t total;              /* bytes read */
	char ring[GANG_EXEC_OUT_MAX];
	double t0;
} exec_run;

static double exec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True when entry "NAME=..." is set again by env. */
static bool exec_overridden(const char *entry, const char *const *env)
{
	const char *eq = strchr(entry, '=');
	size_t n = eq ? (size_t)(eq - entry) + 1 : strlen(entry);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], entry, n) == 0)
			return true;
	return false;
}

/* gang's environment less what env sets, then env; *out malloc'd (the strings are borrowed). */
static int exec_envp(char ***out, const char *const *env)
{
	size_t n = 0, k = 0, extra = 0;
	char **v;

	while (environ && environ[n])
		n++;
	while (env && env[extra] && extra < EXEC_ENV_MAX)
		extra++;
	if (!(v = calloc(n + extra + 1, sizeof(*v))))
		return GANG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!exec_overridden(environ[i], env))
			v[k++] = environ[i];
	for (size_t i = 0; i < extra; i++)
		v[k++] = (char *)env[i];
	*out = v;
	return GANG_OK;
}

/* Own process group, nothing blocked, every signal at its default. */
static int exec_attr(posix_spawnattr_t *a)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawnattr_init(a) != 0)
		return -1;
	if (posix_spawnattr_setflags(a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) ||
	    posix_spawnattr_setpgroup(a, 0) || posix_spawnattr_setsigmask(a, &none) ||
	    posix_spawnattr_setsigdefault(a, &all)) {
		posix_spawnattr_destroy(a);
		return -1;
	}
	return 0;
}

/* stdin /dev/null, stdout and stderr the pipe, nothing else open, dir as cwd. */
static int exec_files(posix_spawn_file_actions_t *f, int wfd, const char *dir)
{
	if (posix_spawn_file_actions_init(f) != 0)
		return -1;
	if (posix_spawn_file_actions_addopen(f, 0, "/dev/null", O_RDONLY, 0) ||
	    posix_spawn_file_actions_adddup2(f, wfd, 1) || posix_spawn_file_actions_adddup2(f, wfd, 2) ||
	    posix_spawn_file_actions_addclosefrom_np(f, 3) ||
	    (dir && posix_spawn_file_actions_addchdir_np(f, dir))) {
		posix_spawn_file_actions_destroy(f);
		return -1;
	}
	return 0;
}

static int exec_start(exec_run *r, const gang_exec_opts *o, gang_diag *d)
{
	char *argv[] = { "sh", "-c", (char *)o->cmd, NULL };
	posix_spawn_file_actions_t f;
	posix_spawnattr_t a;
	char **envp = NULL;
	int p[2] = { -1, -1 }, rc = GANG_ERR, e = 0;

	if (pipe2(p, O_CLOEXEC) != 0)
		return gang_diag_set(d, GANG_ERR, "pipe for the command's output: %s", strerror(errno));
	if (exec_envp(&envp, o->env) < 0 || exec_attr(&a) != 0)
		goto out;
	if (exec_files(&f, p[1], o->dir) == 0) {
		e = posix_spawn(&r->pid, "/bin/sh", &f, &a, argv, envp);
		posix_spawn_file_actions_destroy(&f);
		rc = e == 0 ? GANG_OK : GANG_ERR;
	}
	posix_spawnattr_destroy(&a);
out:
	free(envp);
	close(p[1]);
	if (rc < 0) {
		close(p[0]);
		return gang_diag_set(d, GANG_ERR, "cannot start /bin/sh -c '%.200s': %s", o->cmd,
				     e ? strerror(e) : "out of memory");
	}
	r->fd = p[0];
	return GANG_OK;
}

/* Read what is there (waiting at most ms); the ring keeps the last bytes. */
static void exec_drain(exec_run *r, int ms)
{
	struct pollfd pf = { .fd = r->fd, .events = POLLIN };
	char buf[1024];
	ssize_t n;

	if (r->fd < 0 || poll(&pf, 1, ms) <= 0)
		return;
	n = read(r->fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(r->fd);
			r->fd = -1;
		}
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		r->ring[(r->total + (uint64_t)i) % GANG_EXEC_OUT_MAX] = buf[i];
	r->total += (uint64_t)n;
}

/* SIGTERM to the group, SIGKILL when anything of it is left after the grace period. */
static void exec_kill_group(exec_run *r, uint32_t grace_ms, int *status, bool *reaped)
{
	double until = exec_now() + grace_ms / 1000.0;

	kill(-r->pid, SIGTERM);
	while (exec_now() < until) {
		if (!*reaped && waitpid(r->pid, status, WNOHANG) == r->pid)
			*reaped = true;
		if (*reaped && kill(-r->pid, 0) != 0)
			return;
		exec_drain(r, EXEC_POLL_MS);
	}
	kill(-r->pid, SIGKILL);
	if (!*reaped && waitpid(r->pid, status, 0) == r->pid)
		*reaped = true;
}

/* The ring, oldest byte first, with control characters made visible. */
static void exec_output(gang_exec_result *out, const exec_run *r)
{
	uint64_t n = r->total < GANG_EXEC_OUT_MAX ? r->total : GANG_EXEC_OUT_MAX;
	uint64_t first = r->total - n;

	for (uint64_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)r->ring[(first + i) % GANG_EXEC_OUT_MAX];

		out->out[i] = (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F ? '?' : (char)ch;
	}
	out->truncated = r->total > n;
	while (n > 0 && (out->out[n - 1] == '\n' || out->out[n - 1] == '\t' || out->out[n - 1] == ' '))
		n--;   /* a last line's newline is no output of its own */
	out->out[n] = '\0';
	out->out_len = (size_t)n;
}

/* Wait for the command, reading its output, until it ends, times out or is stopped. */
static gang_exec_end exec_wait(exec_run *r, const gang_exec_opts *o, int *status)
{
	double deadline = o->timeout_ms ? r->t0 + o->timeout_ms / 1000.0 : 0;
	uint32_t grace = o->grace_ms ? o->grace_ms : GANG_EXEC_GRACE_MS;
	bool reaped = false;

	for (;;) {
		exec_drain(r, EXEC_POLL_MS);
		if (waitpid(r->pid, status, WNOHANG) == r->pid) {
			reaped = true;
			break;
		}
		if (deadline && exec_now() >= deadline) {
			exec_kill_group(r, grace, status, &reaped);
			return GANG_EXEC_TIMEOUT;
		}
		if (o->should_stop && o->should_stop(o->user)) {
			exec_kill_group(r, grace, status, &reaped);
			return GANG_EXEC_STOPPED;
		}
	}
	/* what it left running in its group (a background job) does not outlive the step */
	if (kill(-r->pid, 0) == 0)
		exec_kill_group(r, grace, status, &reaped);
	return WIFSIGNALED(*status) ? GANG_EXEC_SIGNALED : GANG_EXEC_EXITED;
}

int gang_exec_run(gang_exec_result *out, const gang_exec_opts *o, gang_diag *d)
{
	exec_run *r = calloc(1, sizeof(*r));
	int status = 0, err;

	memset(out, 0, sizeof(*out));
	if (!r)
		return gang_diag_set(d, GANG_ENOMEM, "out of memory starting a command");
	r->t0 = exec_now();
	if ((err = exec_start(r, o, d)) < 0) {
		free(r);
		return err;
	}
	out->end = exec_wait(r, o, &status);
	out->status = WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status);
	for (int i = 0; i < 50 && r->fd >= 0; i++)
		exec_drain(r, 0);
	if (r->fd >= 0)
		close(r->fd);
	out->seconds = exec_now() - r->t0;
	exec_output(out, r);
	free(r);
	return GANG_OK;
}
