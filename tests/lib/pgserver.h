/*
 * pgserver.h — test helper: a private PostgreSQL 15 server for one test
 * process. initdb and pg_ctl build and start a cluster in a fresh directory
 * under /tmp; the server listens on a Unix socket in that directory only
 * (listen_addresses is empty: no TCP port at all) and trusts the local
 * socket, which only this machine can reach.
 *
 * PostgreSQL refuses to run as root (PostgreSQL 15 manual, 19.1 "The
 * PostgreSQL User Account"), and CI runs as root: then the cluster belongs
 * to the `postgres` system user the server package creates, and initdb,
 * pg_ctl and the server run as that user (GANG_PG_ACCOUNT names another).
 * As another user they run as that user.
 *
 * Cleanup does not depend on the test reaching its end: pgserver_start
 * forks a watchdog that waits for the test process's end of a pipe to close
 * (pgserver_stop, exit, a failed assertion, a crash or a kill) and then
 * stops the server and removes the directory.
 *
 * Client programs (createdb, psql) come from the same directory, so the
 * helper needs no libpq at link time.
 */
#ifndef GANG_TESTS_PGSERVER_H
#define GANG_TESTS_PGSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the server programs are unless GANG_PG_BINDIR says otherwise (Debian's layout). */
#define PGSERVER_BINDIR "/usr/lib/postgresql/15/bin"
/* Who runs the server when the tests run as root (Debian's server package creates it). */
#define PGSERVER_ACCOUNT "postgres"
/* The cluster's superuser (initdb -U): the same name whoever runs the tests. */
#define PGSERVER_SUPERUSER "gang_admin"

typedef struct pgserver {
	char bindir[192];
	char dir[64];   /* the cluster's directory; also the socket directory */
	char err[512];  /* why the last call failed */
	uid_t uid;      /* who the server runs as */
	gid_t gid;
	pid_t watchdog; /* 0 when no server */
	int wfd;        /* the test's end of the watchdog's pipe */
	int port;       /* the server's port (0: the default 5432, no TCP; socket only) */
} pgserver;

/* Whether initdb, pg_ctl, createdb and psql are in bindir (NULL: GANG_PG_BINDIR or the default). */
bool pgserver_available(const char *bindir);
/* Start a fresh cluster (bindir as above): 0, or -1 with s->err set and nothing left behind. */
int pgserver_start(pgserver *s, const char *bindir);
/* The same, the server also listening on loopback TCP (127.0.0.1, a free port in s->port). */
int pgserver_start_tcp(pgserver *s, const char *bindir);
/* Create database name (letters, digits, '_'): 0, or -1 with s->err. */
int pgserver_createdb(pgserver *s, const char *name);
/* The libpq URI of database name on s (RFC 3986 form; the socket directory as the host parameter). */
void pgserver_uri(char *out, size_t cap, const pgserver *s, const char *name);
/* The same over loopback TCP (host=127.0.0.1; a server from pgserver_start_tcp). */
void pgserver_uri_tcp(char *out, size_t cap, const pgserver *s, const char *name);
/* Run sql with psql on database name as the superuser; unaligned tuples-only output into out: 0, or -1 with s->err. */
int pgserver_sql(char *out, size_t cap, pgserver *s, const char *name, const char *sql);
/* The server's process id from its postmaster.pid (0 when not running). */
pid_t pgserver_pid(const pgserver *s);
/*
 * Stop the server as a fast shutdown does (sessions ended, 57P01), keeping
 * its directory, and start it again on the same data: 0, or -1 with s->err.
 */
int pgserver_halt(pgserver *s);
int pgserver_resume(pgserver *s);
/* Stop the server and remove its directory; waits until both are done. Safe to call twice. */
void pgserver_stop(pgserver *s);

/*
 * One server for a whole test binary: pgserver_hooks.h (included by one
 * file of the binary) starts it in Criterion's runner before the
 * first test and stops it after the last; the tests, each in a process
 * forked from the runner, find it through PGSERVER_ENV_DIR. Nothing starts
 * when the server programs are missing (pgserver_shared then says so).
 */
#define PGSERVER_ENV_DIR "GANG_TEST_PG_DIR"
/* In a test: s names the binary's server (no watchdog of its own); -1 with s->err when there is none. */
int pgserver_shared(pgserver *s);
void pgserver_shared_start(pgserver *s);
#endif
