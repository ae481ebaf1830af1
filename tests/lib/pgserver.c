/* pgserver.c — see pgserver.h. */
#include "pgserver.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PGS_MAX_FD 1024

/*
 * What the watchdog runs once the test's end of its pipe closes: its stdin
 * is the pipe, so cat returns at that moment. Signals sent to the test's
 * process group (a runner's timeout, ^C) must not cut the cleanup short.
 * "fast" shutdown ends open sessions and still shuts down cleanly
 * (PostgreSQL 15 manual, 19.5 "Shutting Down the Server").
 */
static const char pgs_watchdog_sh[] = "trap '' INT TERM HUP QUIT\n"
				      "cat >/dev/null\n"
				      "\"$1/pg_ctl\" -D \"$2/data\" -m fast -w -s stop >/dev/null 2>&1\n"
				      "rm -rf \"$2\"\n";

static void pgs_bindir(char *out, size_t cap, const char *bindir)
{
	const char *env = getenv("GANG_PG_BINDIR");

	snprintf(out, cap, "%s", bindir ? bindir : env && *env ? env : PGSERVER_BINDIR);
}

bool pgserver_available(const char *bindir)
{
	static const char *const progs[] = { "initdb", "pg_ctl", "postgres", "createdb", "psql" };
	char dir[192], path[256];

	pgs_bindir(dir, sizeof(dir), bindir);
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, progs[i]);
		if (access(path, X_OK) != 0)
			return false;
	}
	return true;
}

/* Root: the server package's account (GANG_PG_ACCOUNT names another); anyone else: themselves. */
static int pgs_owner(pgserver *s)
{
	const char *account = getenv("GANG_PG_ACCOUNT");
	const struct passwd *pw;

	s->uid = getuid();
	s->gid = getgid();
	if (geteuid() != 0)
		return 0;
	if (!account || !*account)
		account = PGSERVER_ACCOUNT;
	pw = getpwnam(account);
	if (!pw || pw->pw_uid == 0) {
		snprintf(s->err, sizeof(s->err),
			 "running as root, and there is no unprivileged '%s' account to run PostgreSQL as "
			 "(the server refuses root; tools/install-deps installs the package that creates it)",
			 account);
		return -1;
	}
	s->uid = pw->pw_uid;
	s->gid = pw->pw_gid;
	return 0;
}

/* In a forked child: become the server's account when we are root (groups first, then gid, then uid). */
static void pgs_child_drop(const pgserver *s)
{
	if (geteuid() != 0)
		return;
	if (setgroups(0, NULL) != 0 || setgid(s->gid) != 0 || setuid(s->uid) != 0)
		_exit(126);
}

static void pgs_child_close_from(int lowest)
{
	for (int fd = lowest; fd < PGS_MAX_FD; fd++)
		close(fd);
}

/* In a forked child: stdout and stderr into out_fd, cwd the cluster's directory, then argv. */
static void pgs_child_exec(const pgserver *s, bool as_server, char *const argv[], int out_fd)
{
	int devnull = open("/dev/null", O_RDONLY);

	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	pgs_child_close_from(3);
	if (as_server)
		pgs_child_drop(s);
	if (chdir(s->dir) != 0)
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

/* Read fd to its end into out (truncated to cap - 1; the rest is drained). */
static void pgs_slurp(char *out, size_t cap, int fd)
{
	size_t n = 0;
	char sink[512];

	for (;;) {
		char *at = n + 1 < cap ? out + n : sink;
		size_t room = n + 1 < cap ? cap - 1 - n : sizeof(sink);
		ssize_t got = read(fd, at, room);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (at != sink)
			n += (size_t)got;
	}
	if (cap)
		out[n] = '\0';
}

/* Run argv to its end, its output into out: its exit status (0 success), -1 when it could not run. */
static int pgs_run(char *out, size_t cap, const pgserver *s, bool as_server, char *const argv[])
{
	int p[2], st = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0)
		pgs_child_exec(s, as_server, argv, p[1]);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	pgs_slurp(out, cap, p[0]);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A failed program: s->err names it and ends with the last of what it printed. */
static int pgs_fail(pgserver *s, const char *what, int rc, const char *out)
{
	size_t len = strlen(out);
	const char *tail = len > 300 ? out + len - 300 : out;

	snprintf(s->err, sizeof(s->err), "%s failed (status %d): %s", what, rc, rc < 0 ? strerror(errno) : tail);
	return -1;
}

/* The watchdog: its own session, the server's account, stdin the read end of a pipe we keep the write end of. */
static int pgs_watchdog(pgserver *s)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "/bin/sh", "-c", (char *)pgs_watchdog_sh, "pgserver-watchdog", s->bindir, s->dir, NULL };

		if (setsid() < 0 || dup2(p[0], 0) < 0)
			_exit(126);
		pgs_child_close_from(3);
		pgs_child_drop(s);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	s->watchdog = pid;
	s->wfd = p[1];
	return 0;
}

/* A directory the server's account owns and other users can pass through (to reach the socket). */
static int pgs_make_dir(pgserver *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/gang-pg-XXXXXX");
	if (!mkdtemp(s->dir) || chown(s->dir, s->uid, s->gid) != 0 || chmod(s->dir, 0711) != 0) {
		snprintf(s->err, sizeof(s->err), "cannot make the cluster directory %s: %s", s->dir, strerror(errno));
		if (s->dir[0] == '/' && !strstr(s->dir, "XXXXXX"))
			rmdir(s->dir);
		s->dir[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * initdb's settings: trust on the local socket only (the directory is the
 * only way in; PostgreSQL 15 manual, 21.1 "The pg_hba.conf File"), the C
 * locale so results do not depend on the machine, and no fsync, since the
 * cluster is thrown away (initdb --no-sync).
 */
static int pgs_initdb(pgserver *s)
{
	char initdb[256], data[96], out[2048];
	char *argv[] = { initdb, "-D", data, "-U", PGSERVER_SUPERUSER, "-A", "trust", "-E", "UTF8",
			 "--locale=C", "--no-sync", "--no-instructions", NULL };
	int rc;

	snprintf(initdb, sizeof(initdb), "%s/initdb", s->bindir);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	rc = pgs_run(out, sizeof(out), s, true, argv);
	return rc == 0 ? 0 : pgs_fail(s, "initdb", rc, out);
}

/*
 * No TCP (listen_addresses empty) unless s->port is set (then loopback
 * only, trusted like the socket: initdb -A trust), the socket in the cluster's
 * directory, open to every local user (tests drop root to nobody);
 * durability off, for speed (PostgreSQL 15 manual, 20.3 "Connections and
 * Authentication", 20.5 "Write Ahead Log").
 */
static int pgs_configure(pgserver *s)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/postgresql.conf", s->dir);
	f = fopen(path, "a");
	if (!f) {
		snprintf(s->err, sizeof(s->err), "cannot append to %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f,
		"\n# pgserver (gang tests)\nlisten_addresses = '%s'\nunix_socket_directories = '%s'\n"
		"unix_socket_permissions = 0777\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n",
		s->port ? "127.0.0.1" : "", s->dir);
	if (s->port)
		fprintf(f, "port = %d\n", s->port);
	if (fclose(f) != 0) {
		snprintf(s->err, sizeof(s->err), "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int pgs_pg_ctl_start(pgserver *s)
{
	char pg_ctl[256], data[96], log[96], out[2048];
	char *argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-s", "start", NULL };
	int rc;

	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", s->bindir);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(log, sizeof(log), "%s/server.log", s->dir);
	rc = pgs_run(out, sizeof(out), s, true, argv);
	return rc == 0 ? 0 : pgs_fail(s, "pg_ctl start", rc, out);
}

/* A loopback port free now (the kernel's choice; another program may take it before the server does). */
static int pgs_free_port(pgserver *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	if (port < 0)
		snprintf(s->err, sizeof(s->err), "no free loopback port: %s", strerror(errno));
	return port;
}

static int pgs_start(pgserver *s, const char *bindir, int tcp)
{
	memset(s, 0, sizeof(*s));
	s->wfd = -1;
	if (tcp && (s->port = pgs_free_port(s)) < 0)
		return -1;
	pgs_bindir(s->bindir, sizeof(s->bindir), bindir);
	if (!pgserver_available(s->bindir)) {
		snprintf(s->err, sizeof(s->err),
			 "no PostgreSQL server programs in %s (initdb, pg_ctl, postgres, createdb, psql): "
			 "tools/install-deps installs them, GANG_PG_BINDIR names another directory",
			 s->bindir);
		return -1;
	}
	if (pgs_owner(s) != 0 || pgs_make_dir(s) != 0)
		return -1;
	if (pgs_watchdog(s) != 0) {
		snprintf(s->err, sizeof(s->err), "cannot start the cleanup watchdog: %s", strerror(errno));
		rmdir(s->dir);
		return -1;
	}
	if (pgs_initdb(s) != 0 || pgs_configure(s) != 0 || pgs_pg_ctl_start(s) != 0) {
		char why[sizeof(s->err)];

		memcpy(why, s->err, sizeof(why));
		pgserver_stop(s);
		memcpy(s->err, why, sizeof(why));
		return -1;
	}
	return 0;
}

int pgserver_start(pgserver *s, const char *bindir)
{
	return pgs_start(s, bindir, 0);
}

int pgserver_start_tcp(pgserver *s, const char *bindir)
{
	return pgs_start(s, bindir, 1);
}

static bool pgs_name_ok(const char *name)
{
	if (!name[0] || strlen(name) > 63)
		return false;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return true;
}

int pgserver_createdb(pgserver *s, const char *name)
{
	char prog[256], out[1024];
	char port[16];
	char *argv[] = { prog, "-h", s->dir, "-p", port, "-U", PGSERVER_SUPERUSER, (char *)name, NULL };
	int rc;

	if (!pgs_name_ok(name)) {
		snprintf(s->err, sizeof(s->err), "'%s' is not a database name here (1-63 of a-z, 0-9, _)", name);
		return -1;
	}
	snprintf(prog, sizeof(prog), "%s/createdb", s->bindir);
	snprintf(port, sizeof(port), "%d", s->port ? s->port : 5432);
	rc = pgs_run(out, sizeof(out), s, false, argv);
	return rc == 0 ? 0 : pgs_fail(s, "createdb", rc, out);
}

/* libpq's URI form puts a socket directory in the host parameter (libpq docs, 34.1.1.2 "Connection URIs"). */
void pgserver_uri(char *out, size_t cap, const pgserver *s, const char *name)
{
	if (s->port)
		snprintf(out, cap, "postgresql:///%s?host=%s&port=%d&user=%s", name, s->dir, s->port,
			 PGSERVER_SUPERUSER);
	else
		snprintf(out, cap, "postgresql:///%s?host=%s&user=%s", name, s->dir, PGSERVER_SUPERUSER);
}

void pgserver_uri_tcp(char *out, size_t cap, const pgserver *s, const char *name)
{
	snprintf(out, cap, "postgresql://127.0.0.1:%d/%s?user=%s", s->port, name, PGSERVER_SUPERUSER);
}

int pgserver_sql(char *out, size_t cap, pgserver *s, const char *name, const char *sql)
{
	char prog[256];
	char port[16];
	char *argv[] = { prog, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", s->dir, "-p", port,
			 "-U", PGSERVER_SUPERUSER, "-d", (char *)name, "-c", (char *)sql, NULL };
	int rc;

	snprintf(prog, sizeof(prog), "%s/psql", s->bindir);
	snprintf(port, sizeof(port), "%d", s->port ? s->port : 5432);
	rc = pgs_run(out, cap, s, false, argv);
	if (rc == 0) {
		size_t n = strlen(out);

		while (n && out[n - 1] == '\n')
			out[--n] = '\0';
		return 0;
	}
	return pgs_fail(s, "psql", rc, out);
}

pid_t pgserver_pid(const pgserver *s)
{
	char path[128];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/postmaster.pid", s->dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

int pgserver_halt(pgserver *s)
{
	char pg_ctl[256], data[96], out[2048];
	char *argv[] = { pg_ctl, "-D", data, "-m", "fast", "-w", "-t", "60", "-s", "stop", NULL };
	int rc;

	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", s->bindir);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	rc = pgs_run(out, sizeof(out), s, true, argv);
	return rc == 0 ? 0 : pgs_fail(s, "pg_ctl stop", rc, out);
}

int pgserver_resume(pgserver *s)
{
	return pgs_pg_ctl_start(s);
}

void pgserver_stop(pgserver *s)
{
	if (!s->watchdog)
		return;
	close(s->wfd);
	while (waitpid(s->watchdog, NULL, 0) < 0 && errno == EINTR)
		;
	s->watchdog = 0;
	s->wfd = -1;
}

void pgserver_shared_start(pgserver *s)
{
	unsetenv(PGSERVER_ENV_DIR);
	if (!pgserver_available(NULL))
		return;
	if (pgserver_start(s, NULL) != 0) {
		fprintf(stderr, "pgserver: %s\n", s->err);
		return;
	}
	setenv(PGSERVER_ENV_DIR, s->dir, 1);
}

int pgserver_shared(pgserver *s)
{
	const char *dir = getenv(PGSERVER_ENV_DIR);

	memset(s, 0, sizeof(*s));
	s->wfd = -1;
	pgs_bindir(s->bindir, sizeof(s->bindir), NULL);
	if (!dir || !*dir) {
		snprintf(s->err, sizeof(s->err),
			 pgserver_available(NULL) ? "the test binary's PostgreSQL server did not start (see its output)"
						  : "no PostgreSQL server programs in %s (tools/install-deps installs them)",
			 s->bindir);
		return -1;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	return 0;
}
