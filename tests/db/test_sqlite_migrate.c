/*
 * test_migrate.c — schema migrations: from empty, from every intermediate
 * version, db/schema.sql equal to the migrated schema, the embedded
 * migrations equal to the files, and the version refusals.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <pthread.h>

#include "sqlite_fixture.h"

static fix_dir tmp;

static void setup(void)
{
	fix_sqlite_dir(&tmp);
}

static void teardown(void)
{
	fix_dir_remove(&tmp);
}

TestSuite(db_migrate, .init = setup, .fini = teardown, .timeout = 30);

/* Repository file path: __FILE__ is ".../tests/db/test_migrate.c". */
static void src_path(char *out, size_t cap, const char *rel)
{
	const char *at = strstr(__FILE__, "tests/db/");
	int prefix = at ? (int)(at - __FILE__) : 0;

	snprintf(out, cap, "%.*s%s", prefix, __FILE__, rel);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(fp, "cannot read %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1U);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

/* Drop "--" comments, collapse whitespace, no blanks around punctuation. */
static void normalise_sql(char *out, size_t cap, const char *in)
{
	size_t o = 0;
	int space = 0;

	for (const char *p = in; *p && o + 2 < cap; p++) {
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		}
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space && o && !strchr("(),;", out[o - 1]) && !strchr("(),;", *p))
			out[o++] = ' ';
		space = 0;
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* Every schema object, normalised, one per line, in a stable order. */
static void dump_schema(char *out, size_t cap, sqlite3 *conn)
{
	sqlite3_stmt *st;
	size_t o = 0;
	char norm[8192];

	out[0] = '\0';
	cr_assert_eq(sqlite3_prepare_v2(conn,
					"SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
					"ORDER BY type, name",
					-1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		normalise_sql(norm, sizeof(norm), (const char *)sqlite3_column_text(st, 2));
		o += (size_t)snprintf(out + o, cap - o, "%s %s: %s\n", sqlite3_column_text(st, 0),
				      sqlite3_column_text(st, 1), norm);
		cr_assert_lt(o, cap);
	}
	sqlite3_finalize(st);
}

Test(db_migrate, fresh_database_gets_every_migration_wal_and_foreign_keys)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	char mode[16];

	cr_expect_eq(fix_q_int(db, "PRAGMA user_version"), gang_db_schema_version());
	cr_expect_geq(gang_db_schema_version(), 3);
	fix_q_text(mode, sizeof(mode), db, "PRAGMA journal_mode");
	cr_expect_str_eq(mode, "wal");
	cr_expect_eq(fix_q_int(db, "PRAGMA foreign_keys"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
				   "('boards','attempts','steps','serial_pools','serials','probes','slot_map')"),
		     7);
	cr_expect_str_eq(gang_db_path(db), tmp.db);
	gang_db_close(db);
}

Test(db_migrate, schema_sql_equals_the_result_of_all_migrations)
{
	static char want[65536], got[65536];
	char path[512], *text;
	sqlite3 *ref;
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);

	src_path(path, sizeof(path), "db/schema.sql");
	text = slurp(path);
	cr_assert_eq(sqlite3_open(":memory:", &ref), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(ref, text, NULL, NULL, NULL), SQLITE_OK, "%s: %s", path,
		     sqlite3_errmsg(ref));
	dump_schema(want, sizeof(want), ref);
	dump_schema(got, sizeof(got), db_sqlite_of(db)->conn);
	cr_expect_str_eq(got, want, "db/schema.sql differs from the migrated schema");
	{
		sqlite3_stmt *st;

		sqlite3_prepare_v2(ref, "PRAGMA user_version", -1, &st, NULL);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		cr_expect_eq(sqlite3_column_int(st, 0), gang_db_schema_version(),
			     "schema.sql must set PRAGMA user_version to the newest migration");
		sqlite3_finalize(st);
	}
	sqlite3_close(ref);
	free(text);
	gang_db_close(db);
}

Test(db_migrate, embedded_migrations_equal_the_files_in_db_migrations)
{
	char pattern[256], path[512];

	for (int v = 1; v <= gang_db_schema_version(); v++) {
		FILE *ls;
		char *text;

		src_path(pattern, sizeof(pattern), "db/migrations/sqlite/");
		snprintf(path, sizeof(path), "ls %s%04d_*.sql", pattern, v);
		ls = popen(path, "r");
		cr_assert_not_null(ls);
		cr_assert_not_null(fgets(path, sizeof(path), ls), "no file for migration %d", v);
		pclose(ls);
		path[strcspn(path, "\n")] = '\0';
		text = slurp(path);
		cr_expect_str_eq(db_migration_sql(v), text, "%s changed: rebuild sqlite_migrations.inc", path);
		free(text);
	}
	cr_expect_null(db_migration_sql(0));
	cr_expect_null(db_migration_sql(gang_db_schema_version() + 1));
}

/* A database left at `version` by an older gang, with one board when it has that table. */
static void make_old_database(const char *path, int version)
{
	db_sqlite raw = { .base.ops = &db_sqlite_ops, .path = (char *)path };
	gang_diag d = { 0 };

	cr_assert_eq(sqlite3_open(path, &raw.conn), SQLITE_OK);
	cr_assert_eq(db_migrate(&raw, 0, version, &d), GANG_OK, "%s", d.msg);
	if (version >= 1)
		cr_assert_eq(sqlite3_exec(raw.conn,
					  "INSERT INTO boards (uid, first_seen, last_seen) VALUES "
					  "('0123456789ABCDEF01234567', 'a', 'a')",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	sqlite3_close(raw.conn);
}

Test(db_migrate, every_intermediate_version_upgrades_to_the_newest_keeping_data)
{
	static char want[65536], got[65536];
	gang_db *ref = fix_open(tmp.db, GANG_DB_CREATE);

	dump_schema(want, sizeof(want), db_sqlite_of(ref)->conn);
	gang_db_close(ref);
	for (int v = 0; v < gang_db_schema_version(); v++) {
		char path[256], name[32];
		gang_db *db;

		snprintf(name, sizeof(name), "v%d.sqlite", v);
		fix_path(path, sizeof(path), &tmp, name);
		make_old_database(path, v);
		db = fix_open(path, 0);
		cr_expect_eq(fix_q_int(db, "PRAGMA user_version"), gang_db_schema_version(), "from %d", v);
		dump_schema(got, sizeof(got), db_sqlite_of(db)->conn);
		cr_expect_str_eq(got, want, "schema after upgrading from version %d", v);
		cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards"), v >= 1 ? 1 : 0, "from %d", v);
		gang_db_close(db);
	}
}

Test(db_migrate, newer_schema_is_refused_naming_both_versions)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE);
	gang_diag d = { 0 };
	char want[160];
	int newer = gang_db_schema_version() + 4;

	snprintf(want, sizeof(want), "PRAGMA user_version = %d", newer);
	cr_assert_eq(fix_sqlite_exec(db, want), SQLITE_OK);
	gang_db_close(db);
	db = (gang_db *)1;
	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	cr_expect_null(db);
	snprintf(want, sizeof(want), "schema version %d is newer than this gang (%d); upgrade gang", newer,
		 gang_db_schema_version());
	cr_expect_not_null(strstr(d.msg, want), "got: %s", d.msg);
	cr_expect_eq(gang_db_open(&db, tmp.db, GANG_DB_READONLY, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, want), "read-only got: %s", d.msg);
}

Test(db_migrate, read_only_open_refuses_an_older_schema_and_never_writes)
{
	char path[256];
	gang_db *db;
	gang_diag d = { 0 };

	fix_path(path, sizeof(path), &tmp, "old.sqlite");
	make_old_database(path, 1);
	cr_expect_eq(gang_db_open(&db, path, GANG_DB_READONLY, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "is older than this gang"), "got: %s", d.msg);
	gang_db_close(fix_open(tmp.db, GANG_DB_CREATE));
	db = fix_open(tmp.db, GANG_DB_READONLY);
	cr_expect_neq(fix_sqlite_exec(db, "INSERT INTO boards (uid, first_seen, last_seen) VALUES ('x','a','a')"),
		      SQLITE_OK);
	cr_expect_neq(gang_db_board_seen(db, "0123456789ABCDEF01234567", NULL, &d), GANG_OK);
	gang_db_close(db);
}

Test(db_migrate, a_file_that_is_not_a_database_is_refused)
{
	FILE *fp = fopen(tmp.db, "w");
	gang_db *db;
	gang_diag d = { 0 };

	fputs("this is a firmware image, not a database, and it is long enough to be read by SQLite "
	      "as a header of one hundred bytes or more .......................................\n",
	      fp);
	fclose(fp);
	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	cr_expect_null(db);
	cr_expect_not_null(strstr(d.msg, "is not a gang database"), "got: %s", d.msg);
	cr_expect_not_null(strstr(d.msg, tmp.db), "names the file: %s", d.msg);
}

Test(db_migrate, missing_file_without_create_is_refused)
{
	gang_db *db;
	gang_diag d = { 0 };

	cr_expect_eq(gang_db_open(&db, tmp.db, 0, &d), GANG_EDB);
	cr_expect_not_null(strstr(d.msg, "does not exist"), "got: %s", d.msg);
	cr_expect_eq(access(tmp.db, F_OK), -1, "nothing was created");
	cr_expect_eq(gang_db_open(&db, tmp.db, GANG_DB_READONLY | GANG_DB_CREATE, &d), GANG_EDB);
}

typedef struct opener {
	const char *path;
	int err;
	gang_diag d;
} opener;

static void *open_in_thread(void *arg)
{
	opener *o = arg;
	gang_db *db = NULL;

	o->err = gang_db_open(&db, o->path, GANG_DB_CREATE, &o->d);
	gang_db_close(db);
	return NULL;
}

Test(db_migrate, eight_threads_opening_a_new_file_at_once_migrate_it_once)
{
	pthread_t th[8];
	opener o[8];
	gang_db *db;

	for (int i = 0; i < 8; i++) {
		o[i] = (opener){ .path = tmp.db };
		cr_assert_eq(pthread_create(&th[i], NULL, open_in_thread, &o[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		cr_expect_eq(o[i].err, GANG_OK, "thread %d: %s", i, o[i].d.msg);
	}
	db = fix_open(tmp.db, 0);
	cr_expect_eq(fix_q_int(db, "PRAGMA user_version"), gang_db_schema_version());
	gang_db_close(db);
}

/* Run tools/embed-sql on the given migration file names (created empty in tmp). */
static int run_embed(const char *names)
{
	char tool[256], cmd[1024], list[512] = "", name[64];
	const char *p = names;
	int n;

	while (sscanf(p, "%63s%n", name, &n) == 1) {
		char file[256];
		FILE *fp;

		fix_path(file, sizeof(file), &tmp, name);
		fp = fopen(file, "w");
		cr_assert_not_null(fp);
		fputs("CREATE TABLE t (a TEXT DEFAULT 'x\\y \"z\"');\n", fp);
		fclose(fp);
		strncat(list, " ", sizeof(list) - strlen(list) - 1U);
		strncat(list, file, sizeof(list) - strlen(list) - 1U);
		p += n;
	}
	src_path(tool, sizeof(tool), "tools/embed-sql");
	snprintf(cmd, sizeof(cmd), "%s %s/out.inc%s 2>/dev/null", tool, tmp.dir, list);
	return system(cmd);
}

Test(db_migrate, embed_sql_refuses_gaps_and_misnamed_files_and_escapes_text)
{
	char out[256], *text;

	cr_expect_neq(run_embed("0001_a.sql 0003_c.sql"), 0, "a gap in the numbering");
	cr_expect_neq(run_embed("0002_b.sql"), 0, "not starting at 1");
	cr_expect_neq(run_embed("1_a.sql"), 0, "misnamed");
	cr_expect_neq(run_embed("0001_Upper.sql"), 0, "misnamed");
	fix_path(out, sizeof(out), &tmp, "out.inc");
	cr_expect_eq(access(out, F_OK), -1, "no output after a refusal");
	cr_assert_eq(run_embed("0001_a.sql 0002_b.sql"), 0);
	text = slurp(out);
	cr_expect_not_null(strstr(text, "{ 2, \"0002_b\","), "got: %s", text);
	cr_expect_not_null(strstr(text, "\"CREATE TABLE t (a TEXT DEFAULT 'x\\\\y \\\"z\\\"');\\n\""), "got: %s",
			   text);
	free(text);
}

/*
 * Migration 6 rebuilds boards (per-pool serial uniqueness) while attempts
 * and serials reference it: every row stays, the pool of a burned serial is
 * taken from the board's passing attempt, foreign keys still hold.
 */
Test(db_migrate, boards_rebuild_keeps_referencing_rows_and_fills_the_serial_pool)
{
	static const char *const rows =
		"INSERT INTO boards VALUES ('0123456789ABCDEF01234567', 'GNG-1', 'STM32F103RC', 'a', 'b', 'pass');"
		"INSERT INTO boards VALUES ('76543210FEDCBA9876543210', NULL, NULL, 'a', 'b', 'fail');"
		"INSERT INTO serial_pools VALUES ('prodA', 1, 99, 2, 'u32le', 'a');"
		"INSERT INTO attempts (id, uid, slot, profile_name, serial_pool, serial_value, serial_text, "
		"started_at, finished_at, result) VALUES (1, '0123456789ABCDEF01234567', 'S1', 'p', 'prodA', 1, "
		"'GNG-1', 'a', 'b', 'pass'), (2, '76543210FEDCBA9876543210', 'S2', 'p', NULL, NULL, NULL, 'a', 'b', "
		"'fail');"
		"INSERT INTO steps (attempt_id, step, result, duration_ms, at) VALUES (1, 'connect', 'pass', 5, 'a');"
		"INSERT INTO serials VALUES ('prodA', 1, '0123456789ABCDEF01234567', 'burned', 1, 'a', 'b', NULL, NULL);";
	db_sqlite raw = { .base.ops = &db_sqlite_ops, .path = tmp.db };
	gang_diag d = { 0 };
	gang_db *db;
	char pool[32];

	cr_assert_eq(sqlite3_open(tmp.db, &raw.conn), SQLITE_OK);
	cr_assert_eq(db_migrate(&raw, 0, 5, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(sqlite3_exec(raw.conn, rows, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw.conn));
	sqlite3_close(raw.conn);
	db = fix_open(tmp.db, 0);
	cr_expect_eq(fix_q_int(db, "PRAGMA user_version"), gang_db_schema_version());
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM boards"), 2);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts"), 2);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM steps"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials"), 1);
	fix_q_text(pool, sizeof(pool), db, "SELECT serial_pool FROM boards WHERE serial = 'GNG-1'");
	cr_expect_str_eq(pool, "prodA");
	fix_q_text(pool, sizeof(pool), db, "SELECT serial_pool FROM boards WHERE serial IS NULL");
	cr_expect_str_eq(pool, "NULL");
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM sqlite_temp_master"), 0, "no temporary table left");
	/* the same text in another pool is now allowed, in the same pool it is not */
	cr_expect_eq(fix_sqlite_exec(db, "UPDATE boards SET serial = 'GNG-1', serial_pool = 'prodB' WHERE serial IS NULL"),
		     SQLITE_OK);
	cr_expect_neq(fix_sqlite_exec(db, "UPDATE boards SET serial_pool = 'prodA' WHERE serial_pool = 'prodB'"), SQLITE_OK);
	/* foreign keys are enforced again after the migration */
	cr_expect_neq(fix_sqlite_exec(db, "DELETE FROM boards WHERE uid = '76543210FEDCBA9876543210'"), SQLITE_OK);
	gang_db_close(db);
}

/*
 * Migration 8 gives attempts recorded before it their row id as their number
 * at their station, so the numbers already printed still name them; new
 * attempts continue after the station's highest number.
 */
Test(db_migrate, attempt_keys_of_older_attempts_are_their_row_ids_and_new_ones_follow)
{
	static const char *const rows =
		"INSERT INTO attempts (id, slot, profile_name, station, started_at) VALUES "
		"(5, 'S1', 'p', 'line-2', 'a'), (9, 'S2', 'p', NULL, 'a'), (12, 'S1', 'p', 'line-3', 'a');";
	db_sqlite raw = { .base.ops = &db_sqlite_ops, .path = tmp.db };
	gang_attempt_info info = { .slot = "S1", .profile_name = "p", .station = "line-2" };
	gang_attempt_key k = { .seq = 0 };
	gang_diag d = { 0 };
	gang_db *db;

	cr_assert_eq(sqlite3_open(tmp.db, &raw.conn), SQLITE_OK);
	cr_assert_eq(db_migrate(&raw, 0, 7, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(sqlite3_exec(raw.conn, rows, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(raw.conn));
	sqlite3_close(raw.conn);
	db = fix_open(tmp.db, 0);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM attempts WHERE seq = id"), 3);
	cr_assert_eq(gang_db_attempt_begin(&k, db, &info, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(k.station, "line-2");
	cr_expect_eq(k.seq, 6, "after line-2's highest number (5), not after the highest row id");
	cr_expect_eq(gang_db_attempt_finish(db, &(gang_attempt_key){ .seq = 9 }, GANG_ATTEMPT_ABORTED, "aborted", "x",
					    &d),
		     GANG_OK, "an attempt without a station is found by its number alone: %s", d.msg);
	cr_expect_neq(fix_sqlite_exec(db, "UPDATE attempts SET seq = 5 WHERE id = 13"), SQLITE_OK,
		      "two attempts of one station never share a number");
	gang_db_close(db);
}
