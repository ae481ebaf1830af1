/*
 * pg-bench.c — the central PostgreSQL database (issue 14) under a line's
 * load, on a private PostgreSQL 15 server this program starts and stops
 * (tests/lib/pgserver.h: initdb and pg_ctl in a temporary directory, the
 * server listening on loopback TCP, 127.0.0.1 and a free port, and on its
 * Unix socket).
 *
 *   1. build/db-bench --threads T --count C on database "line_tcp" over
 *      loopback TCP (the figures), then on "line" over the Unix
 *      socket (unless --tcp-only): T slots,
 *      each with its own connection, reserving serials for new UIDs, then
 *      writing complete attempt records (begin, identify, reserve, four
 *      steps, pass); an attempt record's latency is a board's whole
 *      database time.
 *   1a. the same on "paced_tcp" with the attempt records paced at --rate
 *      a second, all slots together (default 500; db-bench --rate): the
 *      per-board database time of a line whose boards come at that rate,
 *      where 1 measures throughput (its latencies are mostly queueing).
 *   1b. the same on "journal_tcp" over loopback TCP with the station's
 *      journal on (db-bench --journal): each attempt op goes to a local
 *      journal and one delivery thread delivers it, in batches; the
 *      latency is what a slot waits for its board's records.
 *   2. database "big" filled with N attempts (default 1,000,000: one per
 *      board, four steps each, four stations, 8 slots, batches of 10,000,
 *      93 % pass) by SQL on the server (generate_series: through gang's
 *      write API a million attempts would take hours, and this measures
 *      the reading), then build/report-bench --reuse times gang report
 *      and gang trace on it.
 *
 * usage: pg-bench [--threads T] [--count C] [-n N] [--bin DIR] [--tcp-only] [--report-only]
 *                 [--repeat R] [--hold] [--rate R]
 *   --bin          where db-bench and report-bench are (default build)
 *   --tcp-only     skip the Unix socket run of phase 1
 *   --report-only  skip phase 1 (the fill of "big" and the report only)
 *   --repeat R     time the report R times on the one filled database (default 1)
 *   --hold         then print the database's URI and keep the server until
 *                  standard input ends, so other builds' report-bench --reuse
 *                  and psql (EXPLAIN) can read the same database without a
 *                  new two-minute fill
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "pgserver.h"

typedef struct pgb_opts {
	int threads, count;
	int tcp_only, report_only, hold, repeat;
	long n;
	double rate;
	const char *bin;
} pgb_opts;

static double pgb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pgb_parse(pgb_opts *o, int argc, char **argv)
{
	*o = (pgb_opts){ .threads = 32, .count = 200, .n = 1000000L, .bin = "build", .repeat = 1, .rate = 500 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			o->threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			o->count = atoi(argv[++i]);
		else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			o->n = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--tcp-only") == 0)
			o->tcp_only = 1;
		else if (strcmp(argv[i], "--report-only") == 0)
			o->report_only = 1;
		else if (strcmp(argv[i], "--hold") == 0)
			o->hold = 1;
		else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
			o->repeat = atoi(argv[++i]);
		else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
			o->bin = argv[++i];
		else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
			o->rate = atof(argv[++i]);
		else
			return -1;
	}
	return o->threads > 0 && o->count > 0 && o->n > 0 && o->repeat > 0 && o->rate > 0 ? 0 : -1;
}

/* A new database name on s, its URI in uri (over loopback TCP when tcp), gang's schema applied through gang itself. */
static int pgb_database(char *uri, size_t cap, pgserver *s, const char *name, int tcp)
{
	gang_diag d = { 0 };
	gang_db *db = NULL;

	if (pgserver_createdb(s, name) != 0) {
		fprintf(stderr, "pg-bench: %s\n", s->err);
		return -1;
	}
	if (tcp)
		pgserver_uri_tcp(uri, cap, s, name);
	else
		pgserver_uri(uri, cap, s, name);
	if (gang_db_open(&db, uri, GANG_DB_CREATE, &d) < 0) {
		fprintf(stderr, "pg-bench: %s\n", d.msg);
		return -1;
	}
	gang_db_close(db);
	return 0;
}

static int pgb_system(const char *cmd)
{
	fflush(stdout);
	fprintf(stderr, "pg-bench: %s\n", cmd);
	return system(cmd) == 0 ? 0 : -1;
}

/* The generated history: one row per board g (0 .. n-1); uid as report-bench names board g. */
#define PGB_GEN                                                                                                    \
	"CREATE TEMP TABLE gen AS SELECT g, '0671FF4857725187' || upper(lpad(to_hex(g), 8, '0')) AS uid, "          \
	"to_char(timestamp '2026-11-01 06:00:00' + g * interval '1375 ms', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS st, " \
	"to_char(timestamp '2026-11-01 06:00:11' + g * interval '1375 ms', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS fin, " \
	"CASE WHEN g %% 100 < 93 THEN 'pass' WHEN g %% 500 = 499 THEN 'aborted' ELSE 'fail' END AS res, "           \
	"(ARRAY['target','flash','verify','probe'])[g %% 4 + 1] AS cls FROM generate_series(0, %ld) g;"

static const char *const pgb_fill_sql[] = {
	"INSERT INTO serial_pools (name, start, \"end\", next, format, created_at) SELECT 'bench', 1, max(g) + 1, "
	"max(g) + 2, 'u32le', gang_now() FROM gen;",
	"INSERT INTO boards (uid, serial, serial_pool, part, first_seen, last_seen, last_result) SELECT uid, "
	"CASE WHEN res = 'pass' THEN 'GNG-' || lpad((g + 1)::text, 8, '0') END, CASE WHEN res = 'pass' THEN 'bench' "
	"END, 'STM32F103RC', st, fin, res FROM gen;",
	"INSERT INTO attempts (id, uid, slot, probe_serial, batch, profile_name, profile_sha256, image_sha256, "
	"operator, station, connect_mode, part, rdp_before, serial_pool, serial_value, serial_text, started_at, "
	"finished_at, result, error_class, error_message, seq) SELECT g + 1, uid, 'S' || (g % 8 + 1), "
	"'066DFF4854577251870923' || lpad((g % 8)::text, 2, '0'), 'B-' || lpad((g / 10000)::text, 4, '0'), "
	"'demo-f103', 'ab12', 'cd34', 'bench', 'line-' || (g % 4 + 1), 'normal', 'STM32F103RC', 0, 'bench', g + 1, "
	"'GNG-' || lpad((g + 1)::text, 8, '0'), st, fin, res, CASE WHEN res = 'pass' THEN NULL WHEN res = 'aborted' "
	"THEN 'aborted' ELSE cls END, CASE WHEN res = 'pass' THEN NULL ELSE 'bench failure' END, g / 4 + 1 FROM gen;",
	"INSERT INTO steps (attempt_id, step, result, duration_ms, at) SELECT g + 1, s.step, CASE WHEN res = 'fail' "
	"AND s.i = 4 THEN 'fail' ELSE 'pass' END, 500 + s.i * 1000, fin FROM gen, (VALUES (1, 'connect'), "
	"(2, 'erase'), (3, 'program'), (4, 'verify')) AS s(i, step);",
	"INSERT INTO serials (pool, value, uid, state, attempt_id, reserved_at, burned_at) SELECT 'bench', g + 1, "
	"uid, CASE WHEN res = 'pass' THEN 'burned' ELSE 'reserved' END, g + 1, st, CASE WHEN res = 'pass' THEN fin "
	"END FROM gen;",
};

static int pgb_fill(pgserver *s, long n)
{
	char sql[8192], out[256];
	size_t len = (size_t)snprintf(sql, sizeof(sql), PGB_GEN, n - 1);
	double t0 = pgb_now(), t1;

	for (size_t i = 0; i < sizeof(pgb_fill_sql) / sizeof(pgb_fill_sql[0]); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s", pgb_fill_sql[i]);
	if (len >= sizeof(sql) || pgserver_sql(out, sizeof(out), s, "big", sql) != 0) {
		fprintf(stderr, "pg-bench: filling failed: %s\n", len >= sizeof(sql) ? "statement too long" : s->err);
		return -1;
	}
	t1 = pgb_now();
	/*
	 * Vacuumed as autovacuum leaves a history that grew over months
	 * (PostgreSQL 15 manual 25.1: hint bits set, the visibility map and
	 * statistics up to date): otherwise the first reports would share the
	 * machine with autovacuum's pass over the million new rows and set
	 * their hint bits themselves (2.46-2.49 s against 2.20-2.42 s for the
	 * whole history's text report, docs/benchmarks.md eighth round).
	 * VACUUM runs outside a transaction, so in a statement of its own.
	 */
	if (pgserver_sql(out, sizeof(out), s, "big", "VACUUM (ANALYZE)") != 0) {
		fprintf(stderr, "pg-bench: vacuuming failed: %s\n", s->err);
		return -1;
	}
	printf("database \"big\": %ld attempts (four steps each), %ld boards, filled by SQL in %.1f s, vacuumed "
	       "in %.1f s\n", n, n, t1 - t0, pgb_now() - t1);
	return 0;
}

/*
 * Phase 1 on a new database over TCP or the Unix socket, with the station
 * journal on or not, the records paced at rate a second or not (0).
 */
static int pgb_line(const pgb_opts *o, pgserver *s, int tcp, int journal, double rate)
{
	char uri[256], cmd[1024], pace[48] = "";

	printf("central database over %s%s%s:\n", tcp ? "loopback TCP (127.0.0.1)" : "the Unix socket",
	       journal ? ", the station journal on" : "", rate > 0 ? ", records paced" : "");
	if (pgb_database(uri, sizeof(uri), s, journal ? "journal_tcp" : rate > 0 ? "paced_tcp" : tcp ? "line_tcp" : "line",
			 tcp) < 0)
		return -1;
	if (rate > 0)
		snprintf(pace, sizeof(pace), " --rate %.0f", rate);
	snprintf(cmd, sizeof(cmd), "'%s/db-bench' --threads %d --count %d --db '%s'%s%s", o->bin, o->threads,
		 o->count, uri, journal ? " --journal" : "", pace);
	return pgb_system(cmd);
}

/* Keep the server (and "big") until standard input ends; psql as the superuser: host and port of uri, user gang_admin. */
static int pgb_hold(const pgserver *s, const char *uri)
{
	char line[256];

	printf("holding database \"big\": %s (socket directory %s, superuser %s); end standard input to stop\n", uri,
	       s->dir, PGSERVER_SUPERUSER);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return 0;
}

static int pgb_run(const pgb_opts *o, pgserver *s)
{
	char uri[256], cmd[1024];

	if (!o->report_only && (pgb_line(o, s, 1, 0, 0) < 0 || pgb_line(o, s, 1, 0, o->rate) < 0 ||
				pgb_line(o, s, 1, 1, 0) < 0 || (!o->tcp_only && pgb_line(o, s, 0, 0, 0) < 0)))
		return -1;
	if (pgb_database(uri, sizeof(uri), s, "big", 1) < 0 || pgb_fill(s, o->n) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "'%s/report-bench' --reuse -n %ld --db '%s'", o->bin, o->n, uri);
	for (int i = 0; i < o->repeat; i++)
		if (pgb_system(cmd) < 0)
			return -1;
	return o->hold ? pgb_hold(s, uri) : 0;
}

int main(int argc, char **argv)
{
	pgserver s;
	pgb_opts o;
	int rc;

	if (pgb_parse(&o, argc, argv) < 0) {
		fprintf(stderr, "usage: pg-bench [--threads T] [--count C] [-n ATTEMPTS] [--bin DIR] [--tcp-only] "
			"[--report-only] [--repeat R] [--hold] [--rate RECORDS_PER_S]\n");
		return 2;
	}
	if (!pgserver_available(NULL)) {
		fprintf(stderr, "pg-bench: no PostgreSQL server programs in %s (tools/install-deps installs them)\n",
			PGSERVER_BINDIR);
		return 3;
	}
	if (pgserver_start_tcp(&s, NULL) != 0) {
		fprintf(stderr, "pg-bench: %s\n", s.err);
		return 1;
	}
	rc = pgb_run(&o, &s);
	pgserver_stop(&s);
	return rc < 0 ? 1 : 0;
}
