/*
 * test_pgserver.c — the private PostgreSQL server the PostgreSQL tests run
 * against (tests/lib/pgserver.h): it starts, serves one database per suite
 * on its socket only, runs as an unprivileged account when we are root, and
 * leaves nothing behind, whether the test stops it or dies first.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pgserver.h"

static pgserver pgs_srv;

static void pgs_need_server(void)
{
	if (!pgserver_available(NULL))
		cr_skip_test("no PostgreSQL 15 server programs in %s (tools/install-deps installs them)", PGSERVER_BINDIR);
}

static void pgs_fini(void)
{
	pgserver_stop(&pgs_srv);
}

/* A process that is gone or a zombie nobody reaped yet (a container's PID 1 may not reap). */
static bool pgs_process_gone(pid_t pid)
{
	char path[64], line[256];
	const char *close_paren;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	close_paren = strrchr(line, ')');
	return close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z';
}

/* Poll for up to 30 s for the directory and the server process to be gone. */
static bool pgs_cleaned_up(const char *dir, pid_t pid)
{
	for (int i = 0; i < 300; i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		if (access(dir, F_OK) != 0 && errno == ENOENT && pgs_process_gone(pid))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

Test(pgserver, starts_serves_a_database_on_its_socket_only_and_stops_cleanly, .fini = pgs_fini)
{
	char out[256], dir[64];
	struct stat st;
	pid_t pid;

	pgs_need_server();
	cr_assert_eq(pgserver_start(&pgs_srv, NULL), 0, "%s", pgs_srv.err);
	cr_assert_eq(pgserver_createdb(&pgs_srv, "suite_a"), 0, "%s", pgs_srv.err);
	cr_assert_eq(pgserver_sql(out, sizeof(out), &pgs_srv, "suite_a", "SELECT current_database()"), 0, "%s",
		     pgs_srv.err);
	cr_expect_str_eq(out, "suite_a");
	cr_assert_eq(pgserver_sql(out, sizeof(out), &pgs_srv, "suite_a", "SHOW listen_addresses"), 0, "%s",
		     pgs_srv.err);
	cr_expect_str_eq(out, "", "the server listens on TCP: '%s'", out);
	snprintf(out, sizeof(out), "%s/.s.PGSQL.5432", pgs_srv.dir);
	cr_expect_eq(stat(out, &st), 0, "no socket at %s", out);
	snprintf(out, sizeof(out), "%s/data", pgs_srv.dir);
	cr_assert_eq(stat(out, &st), 0);
	cr_expect_eq(st.st_uid, pgs_srv.uid);
	if (geteuid() == 0)
		cr_expect_neq(st.st_uid, 0, "the cluster belongs to root");
	pid = pgserver_pid(&pgs_srv);
	cr_assert_gt(pid, 0);
	cr_expect(!pgs_process_gone(pid));
	snprintf(dir, sizeof(dir), "%s", pgs_srv.dir);
	pgserver_stop(&pgs_srv);
	cr_expect(pgs_cleaned_up(dir, pid), "%s or the server (pid %ld) is still there after stop", dir, (long)pid);
	pgserver_stop(&pgs_srv);
}

Test(pgserver, each_suite_gets_its_own_database, .fini = pgs_fini)
{
	char out[256];

	pgs_need_server();
	cr_assert_eq(pgserver_start(&pgs_srv, NULL), 0, "%s", pgs_srv.err);
	cr_assert_eq(pgserver_createdb(&pgs_srv, "suite_a"), 0, "%s", pgs_srv.err);
	cr_assert_eq(pgserver_createdb(&pgs_srv, "suite_b"), 0, "%s", pgs_srv.err);
	cr_assert_eq(pgserver_sql(out, sizeof(out), &pgs_srv, "suite_a", "CREATE TABLE t (x int)"), 0, "%s",
		     pgs_srv.err);
	cr_assert_eq(pgserver_sql(out, sizeof(out), &pgs_srv, "suite_b", "SELECT count(*) FROM pg_tables WHERE tablename = 't'"),
		     0, "%s", pgs_srv.err);
	cr_expect_str_eq(out, "0");
	pgserver_uri(out, sizeof(out), &pgs_srv, "suite_b");
	cr_expect_not_null(strstr(out, "postgresql:///suite_b?host=/tmp/gang-pg-"), "%s", out);
}

/* Started in a child that is then killed: the watchdog still stops the server and removes the directory. */
Test(pgserver, a_test_that_dies_without_stopping_leaves_nothing_behind)
{
	struct { char dir[64]; pid_t pid; } seen = { { 0 }, 0 };
	int p[2], st;
	pid_t child;

	pgs_need_server();
	cr_assert_eq(pipe(p), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		pgserver s;

		close(p[0]);
		if (pgserver_start(&s, NULL) == 0) {
			snprintf(seen.dir, sizeof(seen.dir), "%s", s.dir);
			seen.pid = pgserver_pid(&s);
		}
		if (write(p[1], &seen, sizeof(seen)) != (ssize_t)sizeof(seen))
			_exit(2);
		raise(SIGKILL);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &seen, sizeof(seen)), (ssize_t)sizeof(seen));
	close(p[0]);
	waitpid(child, &st, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	cr_assert_gt(seen.pid, 0, "the child could not start a server");
	cr_expect(pgs_cleaned_up(seen.dir, seen.pid), "%s or the server (pid %ld) outlived the test", seen.dir,
		  (long)seen.pid);
}

Test(pgserver, missing_server_programs_are_one_clear_error_and_leave_nothing)
{
	pgserver s;

	cr_expect(!pgserver_available("/nonexistent/pgbin"));
	cr_assert_eq(pgserver_start(&s, "/nonexistent/pgbin"), -1);
	cr_expect_not_null(strstr(s.err, "/nonexistent/pgbin"), "%s", s.err);
	cr_expect_not_null(strstr(s.err, "tools/install-deps"), "%s", s.err);
	cr_expect_str_eq(s.dir, "");
	cr_expect_eq(s.watchdog, 0);
	pgserver_stop(&s);
}

Test(pgserver, a_bad_database_name_and_failing_sql_are_refused_with_the_reason, .fini = pgs_fini)
{
	char out[512];

	pgs_need_server();
	cr_assert_eq(pgserver_start(&pgs_srv, NULL), 0, "%s", pgs_srv.err);
	cr_expect_eq(pgserver_createdb(&pgs_srv, "x; DROP"), -1);
	cr_expect_not_null(strstr(pgs_srv.err, "not a database name"), "%s", pgs_srv.err);
	cr_expect_eq(pgserver_createdb(&pgs_srv, "postgres"), -1, "createdb of an existing database succeeded");
	cr_expect_not_null(strstr(pgs_srv.err, "createdb failed"), "%s", pgs_srv.err);
	cr_expect_not_null(strstr(pgs_srv.err, "already exists"), "%s", pgs_srv.err);
	cr_expect_eq(pgserver_sql(out, sizeof(out), &pgs_srv, "postgres", "SELECT * FROM no_such_table"), -1);
	cr_expect_not_null(strstr(pgs_srv.err, "no_such_table"), "%s", pgs_srv.err);
}

static char pgs_fake[64];

static void pgs_fake_fini(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pgs_fake);
	if (pgs_fake[0] && system(cmd) != 0)
		cr_log_warn("could not remove %s", pgs_fake);
}

/* A directory of stand-in server programs: initdb and pg_ctl run the given shell bodies, the rest succeed. */
static void pgs_fake_bindir(const char *initdb_body, const char *pg_ctl_body)
{
	static const char *const names[] = { "initdb", "pg_ctl", "postgres", "createdb", "psql" };
	char path[128];

	snprintf(pgs_fake, sizeof(pgs_fake), "/tmp/gang-pgbin-XXXXXX");
	cr_assert_not_null(mkdtemp(pgs_fake));
	cr_assert_eq(chmod(pgs_fake, 0755), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *body = i == 0 ? initdb_body : i == 1 ? pg_ctl_body : "exit 0";
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", pgs_fake, names[i]);
		f = fopen(path, "w");
		cr_assert_not_null(f);
		fprintf(f, "#!/bin/sh\n%s\n", body);
		fclose(f);
		cr_assert_eq(chmod(path, 0755), 0);
	}
}

/* After a failed start: the cluster directory it made is gone (the start waits for the watchdog). */
static void pgs_expect_dir_gone(const pgserver *s)
{
	cr_expect_not_null(strstr(s->dir, "/tmp/gang-pg-"), "no cluster directory was made: '%s'", s->dir);
	cr_expect(access(s->dir, F_OK) != 0 && errno == ENOENT, "%s was left behind", s->dir);
}

Test(pgserver, initdb_failing_is_explained_with_its_output_and_nothing_is_left, .fini = pgs_fake_fini)
{
	pgserver s;

	pgs_fake_bindir("echo 'initdb: no space left on the test device' >&2; exit 1", "exit 0");
	cr_assert_eq(pgserver_start(&s, pgs_fake), -1);
	cr_expect_not_null(strstr(s.err, "initdb failed (status 1)"), "%s", s.err);
	cr_expect_not_null(strstr(s.err, "no space left on the test device"), "%s", s.err);
	cr_expect_eq(s.watchdog, 0);
	pgs_expect_dir_gone(&s);
}

Test(pgserver, pg_ctl_start_failing_is_explained_and_nothing_is_left, .fini = pgs_fake_fini)
{
	pgserver s;

	pgs_fake_bindir("mkdir -p \"$2\" && touch \"$2/postgresql.conf\"",
			"[ \"$(eval echo \\${$#})\" = start ] || exit 0; echo 'could not start server' >&2; exit 1");
	cr_assert_eq(pgserver_start(&s, pgs_fake), -1);
	cr_expect_not_null(strstr(s.err, "pg_ctl start failed (status 1)"), "%s", s.err);
	cr_expect_not_null(strstr(s.err, "could not start server"), "%s", s.err);
	pgs_expect_dir_gone(&s);
}

Test(pgserver, gang_pg_bindir_names_the_server_programs)
{
	pgserver s;

	setenv("GANG_PG_BINDIR", "/nonexistent/from-env", 1);
	cr_expect(!pgserver_available(NULL));
	cr_expect_eq(pgserver_start(&s, NULL), -1);
	cr_expect_not_null(strstr(s.err, "/nonexistent/from-env"), "GANG_PG_BINDIR was not used: %s", s.err);
}

Test(pgserver, as_root_without_an_unprivileged_account_to_run_as_it_says_so)
{
	pgserver s;

	pgs_need_server();
	if (geteuid() != 0)
		cr_skip_test("only root needs another account to run the server as");
	setenv("GANG_PG_ACCOUNT", "gang_no_such_account", 1);
	cr_expect_eq(pgserver_start(&s, NULL), -1);
	cr_expect_not_null(strstr(s.err, "no unprivileged 'gang_no_such_account' account"), "%s", s.err);
	setenv("GANG_PG_ACCOUNT", "root", 1);
	cr_expect_eq(pgserver_start(&s, NULL), -1);
	cr_expect_not_null(strstr(s.err, "'root'"), "%s", s.err);
	cr_expect_str_eq(s.dir, "");
}

Test(pgserver, a_cluster_without_its_configuration_file_is_explained_and_removed, .fini = pgs_fake_fini)
{
	pgserver s;

	pgs_fake_bindir("exit 0", "exit 0");
	cr_assert_eq(pgserver_start(&s, pgs_fake), -1);
	cr_expect_not_null(strstr(s.err, "cannot append to"), "%s", s.err);
	cr_expect_not_null(strstr(s.err, "postgresql.conf"), "%s", s.err);
	pgs_expect_dir_gone(&s);
}
