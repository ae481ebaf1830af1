/*
 * test_config.c — the station's defaults (src/core/config.c): XDG default
 * paths, /etc/gang/gang.conf then the user's gang.conf (the later wins),
 * the command line over both, errors naming file, line and key; and the
 * commands that open the database (run, report, trace, check) resolving it
 * the same way. Every test points XDG_* and GANG_SYSTEM_CONFIG at its own
 * temporary directory: the real /etc/gang and $HOME are never read.
 * Run from the repository root (as `make test` does).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/config.h"
#include "db/db.h"
#include "db/db_testing.h"

static char cf_dir[64];
static char cf_root[256];

static void cf_setup(void)
{
	char p[128];

	cr_assert_not_null(getcwd(cf_root, sizeof(cf_root)));
	snprintf(cf_dir, sizeof(cf_dir), "/tmp/gang-config-XXXXXX");
	cr_assert_not_null(mkdtemp(cf_dir));
	snprintf(p, sizeof(p), "%s/data", cf_dir);
	setenv("XDG_DATA_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/state", cf_dir);
	setenv("XDG_STATE_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/cfg", cf_dir);
	setenv("XDG_CONFIG_HOME", p, 1);
	snprintf(p, sizeof(p), "%s/etc/gang.conf", cf_dir);
	setenv("GANG_SYSTEM_CONFIG", p, 1);
	setenv("HOME", cf_dir, 1);
}

static void cf_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cf_dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(config, .init = cf_setup, .fini = cf_teardown, .timeout = 60);

/* Write text to cf_dir/rel, making its directory. */
static void cf_write(const char *rel, const char *text)
{
	char path[256], cmd[320];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", cf_dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	cr_assert_eq(system(cmd), 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void cf_path(char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s/%s", cf_dir, rel);
}

static int cf_mode(const char *rel)
{
	char path[256];
	struct stat st;

	cf_path(path, sizeof(path), rel);
	if (stat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

/* ---- resolution, in process ------------------------------------------- */

Test(config, without_files_the_defaults_are_the_xdg_paths_and_the_host_name)
{
	gang_config c;
	gang_diag d = { 0 };
	char want[256], host[GANG_CONFIG_NAME_MAX] = "", log[512];

	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), "data/gang/gang.sqlite");
	cr_expect_str_eq(c.db, want);
	cr_assert_eq(gang_config_log_path(log, sizeof(log), &c, false, &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), "state/gang/gang.log");
	cr_expect_str_eq(log, want);
	cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
	cr_expect_str_eq(c.station, host);
	cr_expect_str_empty(c.operator_name);
	cr_expect_str_empty(c.slots);
	cr_expect_not(c.log_dir_is_set, "no file named a log_dir");
}

Test(config, without_xdg_variables_the_defaults_are_under_home)
{
	gang_config c;
	gang_diag d = { 0 };
	char want[256];

	unsetenv("XDG_DATA_HOME");
	setenv("XDG_STATE_HOME", "relative/state", 1); /* the XDG spec: relative values are ignored */
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), ".local/share/gang/gang.sqlite");
	cr_expect_str_eq(c.db, want);
	cf_path(want, sizeof(want), ".local/state/gang");
	cr_expect_str_eq(c.log_dir, want);
}

Test(config, the_users_file_overrides_the_system_file_key_by_key)
{
	gang_config c;
	gang_diag d = { 0 };

	cf_write("etc/gang.conf", "db = \"/srv/line.sqlite\";\nstation = \"line-2\";\noperator = \"amelie\";\n");
	cf_write("cfg/gang/gang.conf", "# this PC is the rework bench\nstation = \"rework-1\";\n");
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(c.db, "/srv/line.sqlite");
	cr_expect_str_eq(c.station, "rework-1");
	cr_expect_str_eq(c.operator_name, "amelie");
	cr_expect_not(c.db_is_default);
}

Test(config, relative_paths_in_a_file_are_taken_from_its_directory)
{
	gang_config c;
	gang_diag d = { 0 };
	char want[256];

	cf_write("cfg/gang/gang.conf", "db = \"line.sqlite\";\nslots = \"slots.txt\";\nlog_dir = \"logs\";\n");
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), "cfg/gang/line.sqlite");
	cr_expect_str_eq(c.db, want);
	cf_path(want, sizeof(want), "cfg/gang/slots.txt");
	cr_expect_str_eq(c.slots, want);
	cf_path(want, sizeof(want), "cfg/gang/logs");
	cr_expect_str_eq(c.log_dir, want);
	cr_expect(c.log_dir_is_set);
}

Test(config, a_database_uri_is_kept_as_written_not_taken_as_a_relative_path)
{
	static const char *const uris[] = { "postgresql://gang@db.line2/gang?sslmode=verify-full",
					    "postgres:///line?host=/run/postgresql",
					    "host=db.line2 dbname=gang sslmode=verify-full" };
	gang_config c;
	gang_diag d = { 0 };
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		snprintf(text, sizeof(text), "db = \"%s\";\n", uris[i]);
		cf_write("cfg/gang/gang.conf", text);
		cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
		cr_expect_str_eq(c.db, uris[i]);
	}
	cf_write("cfg/gang/gang.conf", "db = \"1db://x.sqlite\";\n");   /* not a scheme: a path */
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), "cfg/gang/1db://x.sqlite");
	cr_expect_str_eq(c.db, want);
}

/* Load with cfg/gang/gang.conf = text: GANG_ECONFIG and a message starting with want. */
static void cf_expect_bad(const char *text, const char *want)
{
	gang_config c;
	gang_diag d = { 0 };
	char full[512];

	cf_write("cfg/gang/gang.conf", text);
	cr_assert_eq(gang_config_load(&c, &d), GANG_ECONFIG, "accepted: %s", text);
	snprintf(full, sizeof(full), "%s/cfg/gang/gang.conf:%s", cf_dir, want);
	cr_expect_eq(strncmp(d.msg, full, strlen(full)), 0, "got '%s', want it to start with '%s'", d.msg, full);
}

Test(config, an_unknown_key_is_an_error_naming_file_line_and_key)
{
	cf_expect_bad("db = \"a.sqlite\";\n\ndatabase = \"b.sqlite\";\n", "3: database: unknown key (expected one of:");
}

Test(config, a_wrong_type_is_an_error_naming_file_line_and_key)
{
	cf_expect_bad("station = \"line-2\";\ndb = 42;\n", "2: db: expected a string");
	cf_expect_bad("operator = [\"a\", \"b\"];\n", "1: operator: expected a string");
}

Test(config, bad_values_and_bad_syntax_are_errors_naming_file_and_line)
{
	cf_expect_bad("station = \"line 2/b\";\n", "1: station: 'line 2/b' may contain only letters");
	cf_expect_bad("\nlog_dir = \"\";\n", "2: log_dir: must not be empty");
	cf_expect_bad("db = \"x.sqlite\";\nstation = ;\n", "2: syntax error");
}

Test(config, a_bad_system_file_is_reported_even_when_the_users_file_is_good)
{
	gang_config c;
	gang_diag d = { 0 };

	cf_write("etc/gang.conf", "colour = \"blue\";\n");
	cf_write("cfg/gang/gang.conf", "station = \"ok\";\n");
	cr_expect_eq(gang_config_load(&c, &d), GANG_ECONFIG);
	cr_expect_not_null(strstr(d.msg, "etc/gang.conf:1: colour: unknown key"), "%s", d.msg);
}

Test(config, an_unreadable_file_is_an_error_but_a_missing_one_is_not)
{
	gang_config c;
	gang_diag d = { 0 };

	cr_expect_eq(gang_config_read_file(&c, "/nonexistent/gang.conf", &d), GANG_OK);
	cf_write("cfg/gang/gang.conf/x", ""); /* a directory where the file should be */
	cr_expect_eq(gang_config_load(&c, &d), GANG_ECONFIG);
	cr_expect_not_null(strstr(d.msg, "gang.conf: cannot read"), "%s", d.msg);
}

Test(config, the_default_database_directory_is_made_0700_only_when_creating)
{
	gang_config c;
	gang_diag d = { 0 };
	const char *db;

	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_config_db(&db, &c, NULL, false, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(cf_mode("data"), -1, "a read-only command must not make directories");
	cr_assert_eq(gang_config_db(&db, &c, NULL, true, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(db, c.db);
	cr_expect_eq(cf_mode("data"), 0700);
	cr_expect_eq(cf_mode("data/gang"), 0700);
	cr_assert_eq(gang_config_db(&db, &c, "/x/flag.sqlite", true, &d), GANG_OK);
	cr_expect_str_eq(db, "/x/flag.sqlite", "--db wins");
}

Test(config, a_configured_database_directory_is_not_made)
{
	gang_config c;
	gang_diag d = { 0 };
	const char *db;

	cf_write("cfg/gang/gang.conf", "db = \"sub/line.sqlite\";\n");
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_config_db(&db, &c, NULL, true, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(cf_mode("cfg/gang/sub"), -1, "the administrator makes a configured directory");
}

Test(config, without_home_nor_xdg_there_is_no_default_and_the_error_says_so)
{
	gang_config c;
	gang_diag d = { 0 };
	const char *db;
	char log[256];

	unsetenv("HOME");
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_STATE_HOME");
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_config_db(&db, &c, NULL, true, &d), GANG_ECONFIG);
	cr_expect_not_null(strstr(d.msg, "--db"), "%s", d.msg);
	cr_expect_eq(gang_config_log_path(log, sizeof(log), &c, true, &d), GANG_ECONFIG);
	cr_expect_eq(gang_config_db(&db, &c, "/x/flag.sqlite", true, &d), GANG_OK, "--db needs no default");
}

Test(config, the_default_log_path_is_under_xdg_state_home_with_its_directory_made)
{
	gang_diag d = { 0 };
	char log[512], want[256];

	cr_assert_eq(gang_config_default_log_path(log, sizeof(log), &d), GANG_OK, "%s", d.msg);
	cf_path(want, sizeof(want), "state/gang/gang.log");
	cr_expect_str_eq(log, want);
	cr_expect_eq(cf_mode("state/gang"), 0700);
	cf_write("cfg/gang/gang.conf", "log_dir = \"/var/log/gang-line\";\n");
	cr_assert_eq(gang_config_default_log_path(log, sizeof(log), &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(log, "/var/log/gang-line/gang.log");
}

/* ---- the commands, as a station runs them ------------------------------ */

/*
 * Run `gang ARGS` on the default virtual bench from cf_dir/elsewhere (not
 * the source tree), stdout and stderr to cf_dir/out and cf_dir/err.
 */
static int cf_gang(const char *args)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s/elsewhere' && cd '%s/elsewhere' && '%s/tools/gangsim' --bench '%s/tools/sim/benches/default.cfg' "
		 "--state '%s/bench' -- '%s/build/gang' %s >'%s/out' 2>'%s/err'",
		 cf_dir, cf_dir, cf_root, cf_root, cf_dir, cf_root, args, cf_dir, cf_dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *cf_slurp(const char *rel)
{
	char path[256];
	char *buf = calloc(1, 65536);
	FILE *f;

	cf_path(path, sizeof(path), rel);
	cr_assert_not_null(buf);
	if ((f = fopen(path, "r"))) {
		buf[fread(buf, 1, 65535, f)] = '\0';
		fclose(f);
	}
	return buf;
}

/* "operator|station|batch" of the database's only attempt. */
static void cf_attempt(char *out, size_t cap, const char *db_rel)
{
	char path[256], n[16];
	gang_diag d = { 0 };
	gang_db *db = NULL;

	cf_path(path, sizeof(path), db_rel);
	cr_assert_eq(gang_db_open(&db, path, GANG_DB_READONLY, &d), GANG_OK, "no database %s: %s", path, d.msg);
	cr_assert_eq(gang_db_test_query(n, sizeof(n), db, "SELECT count(*) FROM attempts", &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(n, "1", "one attempt in %s", path);
	cr_assert_eq(gang_db_test_query(out, cap, db,
					"SELECT ifnull(operator,'') || '|' || ifnull(station,'') || '|' || batch "
					"FROM attempts",
					&d),
		     GANG_OK, "%s", d.msg);
	gang_db_close(db);
}

Test(config, run_outside_the_source_tree_creates_the_default_database_and_report_trace_check_find_it)
{
	char profile[320], args[512], got[256], host[GANG_CONFIG_NAME_MAX] = "", want[320];
	char *out;

	snprintf(profile, sizeof(profile), "%s/profiles/demo-f103.cfg", cf_root);
	snprintf(args, sizeof(args), "run '%s' --boards 1 --plain --batch B1", profile);
	cr_assert_eq(cf_gang(args), 0, "gang run failed: %s", cf_slurp("err"));
	cr_expect_eq(cf_mode("data/gang"), 0700);
	cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
	cf_attempt(got, sizeof(got), "data/gang/gang.sqlite");
	snprintf(want, sizeof(want), "|%s|B1", host);
	cr_expect_str_eq(got, want, "the station defaults to the host name");
	cr_assert_eq(cf_gang("report --batch B1"), 0, "gang report: %s", cf_slurp("err"));
	out = cf_slurp("out");
	cr_expect_not_null(strstr(out, "B1"), "%s", out);
	free(out);
	cr_expect_eq(cf_gang("trace 1000"), 0, "gang trace did not find serial 1000: %s", cf_slurp("err"));
	snprintf(args, sizeof(args), "check '%s'", profile);
	cr_assert_eq(cf_gang(args), 0, "gang check: %s", cf_slurp("err"));
	out = cf_slurp("out");
	cr_expect_not_null(strstr(out, "next 1001"), "check should read the pool of the default database:\n%s", out);
	free(out);
}

Test(config, the_config_files_defaults_are_used_and_flags_win_over_them)
{
	char args[1024], got[256];

	cf_write("etc/gang.conf", "db = \"/nonexistent/system.sqlite\";\noperator = \"sys-op\";\n");
	cf_write("cfg/gang/gang.conf", "db = \"line.sqlite\";\nstation = \"line-7\";\nlog_dir = \"logs\";\n");
	cr_assert_eq(mkdir(strcat(strcpy(got, cf_dir), "/cfg/gang/logs"), 0755), 0);
	snprintf(args, sizeof(args), "run '%s/profiles/demo-f103.cfg' --boards 1 --plain --batch C1", cf_root);
	cr_assert_eq(cf_gang(args), 0, "gang run failed: %s", cf_slurp("err"));
	cf_attempt(got, sizeof(got), "cfg/gang/line.sqlite");
	cr_expect_str_eq(got, "sys-op|line-7|C1");
	cr_expect_eq(cf_mode("cfg/gang/logs/gang.log") & 0400, 0400, "the engineer log goes to log_dir/gang.log");
	cr_expect_eq(cf_mode("data"), -1, "the XDG default is not used when gang.conf names a database");

	snprintf(args, sizeof(args),
		 "run '%s/profiles/demo-f103.cfg' --boards 1 --plain --batch C2 --db '%s/flag.sqlite' "
		 "--operator flag-op --station flag-st --log '%s/flag.log'",
		 cf_root, cf_dir, cf_dir);
	cr_assert_eq(cf_gang(args), 0, "gang run failed: %s", cf_slurp("err"));
	cf_attempt(got, sizeof(got), "flag.sqlite");
	cr_expect_str_eq(got, "flag-op|flag-st|C2");
	cr_expect_eq(cf_mode("flag.log") & 0400, 0400);
}

Test(config, a_bad_config_file_stops_every_command_with_one_line_naming_file_line_and_key)
{
	static const char *const cmds[] = { "run profiles/none.cfg", "report", "trace 1000", "check none.cfg" };
	char want[256];
	char *err;

	cf_write("cfg/gang/gang.conf", "station = \"line-2\";\ncolour = \"blue\";\n");
	snprintf(want, sizeof(want), "%s/cfg/gang/gang.conf:2: colour: unknown key", cf_dir);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cr_expect_eq(cf_gang(cmds[i]), GANG_EXIT_USAGE, "gang %s", cmds[i]);
		err = cf_slurp("err");
		cr_expect_not_null(strstr(err, want), "gang %s: %s", cmds[i], err);
		cr_expect_eq(strchr(err, '\n'), err + strlen(err) - 1, "gang %s: want one line: %s", cmds[i], err);
		free(err);
	}
}

Test(config, the_installed_example_gang_conf_with_every_key_uncommented_is_valid)
{
	gang_config c;
	gang_diag d = { 0 };
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/cfg/gang' && sed 's/^#\\([a-z_]* =\\)/\\1/' tools/gang.conf.example >'%s/cfg/gang/gang.conf'",
		 cf_dir, cf_dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(gang_config_load(&c, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(c.db, "/var/lib/gang/gang.sqlite");
	cr_expect_str_eq(c.station, "line-2");
	cr_expect_str_eq(c.operator_name, "amelie");
	cr_expect_str_eq(c.log_dir, "/var/log/gang");
	cr_expect_str_eq(c.slots, "/etc/gang/slots.txt");
}
