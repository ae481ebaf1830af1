/*
 * report-bench.c — how fast are `gang report` and `gang trace` on a big
 * database? Creates a database through gang_db_open (so the schema and
 * indexes are the real ones) holding N attempts (default 1,000,000) with
 * about four steps each, filled in one transaction with prepared
 * statements, then times, end to end through the CLI entry points:
 * report text and html over everything, report text of one batch, and
 * trace of one UID. The budget is 2 s per report. The rows go in
 * through a connection of the bench's own on the SQLite file, as any SQLite
 * tool would write them: through gang's write API (one durable transaction
 * per call) a million attempts would take hours, and the bench measures
 * the reading.
 *
 * Data model (deterministic, fixed seed): 8 slots with one probe each;
 * 10,000 attempts per batch; passing cycle 9-13 s per slot; 93 % of boards
 * pass first time, failures are retried once on the same board; failures
 * split over target / flash / verify / no-board (never identified) / probe
 * classes; 0.2 % aborted; one serial pool, a serial reserved per
 * identified board and burned on its pass.
 *
 * usage: report-bench [-n N] [--db PATH] [--reuse]
 *   --db     default /tmp/gang-report-bench.sqlite (recreated)
 *   --reuse  time an existing database made by an earlier run (N = its size)
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/db.h"
#include "db/db_report.h"
#include "report/report.h"

#define RB_SLOTS 8
#define RB_PER_BATCH 10000L
#define RB_T0_MS 1793512800000LL /* 2026-11-01T06:00:00Z */
#define RB_POOL_END 100000000LL

typedef struct rb_ctx {
	sqlite3 *conn;
	sqlite3_stmt *att, *step, *board, *serial;
	uint64_t rng;
	int64_t slot_free_ms[RB_SLOTS];
	long next_board;
	long attempts, target;
} rb_ctx;

static uint64_t rb_rand(rb_ctx *c)
{
	/* xorshift64: fast and reproducible, statistics quality is enough for a data mix */
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static double rb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rb_prepare(rb_ctx *c)
{
	static const char *const sql[] = {
		"INSERT INTO attempts (id, uid, slot, probe_serial, batch, profile_name, profile_sha256, "
		"image_sha256, operator, station, connect_mode, part, rdp_before, option_bytes, serial_pool, "
		"serial_value, serial_text, started_at, finished_at, result, error_class, error_message) VALUES "
		"(?1, ?2, ?3, ?4, ?5, 'demo-f103', 'ab12', 'cd34', 'amelie', 'line-2', ?6, 'STM32F103RC', 0, "
		"'A55AFF00', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		"INSERT INTO steps (attempt_id, step, result, duration_ms, detail, at) VALUES (?1, ?2, ?3, ?4, NULL, ?5)",
		"INSERT INTO boards (uid, serial, part, first_seen, last_seen, last_result) VALUES "
		"(?1, ?2, 'STM32F103RC', ?3, ?3, ?4) ON CONFLICT (uid) DO UPDATE SET serial = "
		"COALESCE(excluded.serial, serial), last_seen = excluded.last_seen, last_result = excluded.last_result",
		"INSERT INTO serials (pool, value, uid, state, attempt_id, reserved_at, burned_at) VALUES "
		"('bench', ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (pool, value) DO UPDATE SET state = excluded.state, "
		"burned_at = excluded.burned_at",
	};
	sqlite3_stmt **st[] = { &c->att, &c->step, &c->board, &c->serial };

	for (int i = 0; i < 4; i++)
		if (sqlite3_prepare_v2(c->conn, sql[i], -1, st[i], NULL) != SQLITE_OK) {
			fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(c->conn));
			return -1;
		}
	return 0;
}

static int rb_run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

typedef struct rb_att {
	long id, board;
	int slot, result; /* 0 pass, 1 fail, 2 aborted */
	int cls;          /* index into rb_classes when failed */
	int64_t start_ms, finish_ms;
} rb_att;

static const struct {
	const char *cls, *step, *msg;
	int permille; /* share of failures */
} rb_classes[] = {
	{ "target", "connect", "the chip does not answer on SWD, connect under reset", 400 },
	{ "flash", "program", "flash programming failed, set board aside", 200 },
	{ "verify", "verify", "verify failed at 0x08004000", 150 },
	{ "no-board", "connect", "no board in the fixture, or the board has no power", 150 },
	{ "probe", "erase", "the ST-Link stopped answering (USB timeout)", 100 },
};
static const char *const rb_steps[] = { "connect", "erase", "program", "verify" };

static int rb_pick_class(rb_ctx *c)
{
	int r = (int)(rb_rand(c) % 1000U);

	for (int i = 0; i < 5; i++) {
		if (r < rb_classes[i].permille)
			return i;
		r -= rb_classes[i].permille;
	}
	return 0;
}

/* Durations of the steps up to the failing (or aborted) one; returns how many. */
static int rb_steps_plan(rb_ctx *c, const rb_att *a, int ms[4])
{
	static const int base[] = { 200, 40, 8000, 300 }, spread[] = { 200, 20, 3000, 200 };
	int last = a->result == 1 ? 0 : 3;

	for (int i = 0; a->result == 1 && i < 4; i++)
		if (strcmp(rb_steps[i], rb_classes[a->cls].step) == 0)
			last = i;
	if (a->result == 2)
		last = 2;
	for (int i = 0; i <= last; i++)
		ms[i] = base[i] + (int)(rb_rand(c) % (uint64_t)spread[i]);
	return last + 1;
}

static int rb_steps_insert(rb_ctx *c, const rb_att *a, const int ms[4], int n)
{
	int64_t t = a->start_ms + 50;
	char at[GANG_REPORT_TIME_LEN];

	for (int i = 0; i < n; i++) {
		int failed = i == n - 1 && a->result == 1;

		t += ms[i];
		gang_report_time_text(at, sizeof(at), t);
		sqlite3_bind_int64(c->step, 1, a->id);
		sqlite3_bind_text(c->step, 2, rb_steps[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(c->step, 3, failed ? "fail" : "pass", -1, SQLITE_STATIC);
		sqlite3_bind_int(c->step, 4, ms[i]);
		sqlite3_bind_text(c->step, 5, at, -1, SQLITE_TRANSIENT);
		if (rb_run(c->step) < 0)
			return -1;
	}
	return 0;
}

static void rb_uid(char *out, size_t cap, long board)
{
	snprintf(out, cap, "0671FF48%08X%08lX", 0x57725187U ^ (unsigned)(board >> 32), (unsigned long)board & 0xFFFFFFFFUL);
}

static int rb_board_serial(rb_ctx *c, const rb_att *a, const char *uid, const char *started, const char *finished)
{
	static const char *const res[] = { "pass", "fail", "aborted" };
	char text[32];

	snprintf(text, sizeof(text), "GNG-%08ld", a->board + 1);
	sqlite3_bind_text(c->board, 1, uid, -1, SQLITE_STATIC);
	if (a->result == 0)
		sqlite3_bind_text(c->board, 2, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(c->board, 2);
	sqlite3_bind_text(c->board, 3, finished, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->board, 4, res[a->result], -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->serial, 1, a->board + 1);
	sqlite3_bind_text(c->serial, 2, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->serial, 3, a->result == 0 ? "burned" : "reserved", -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->serial, 4, a->id);
	sqlite3_bind_text(c->serial, 5, started, -1, SQLITE_STATIC);
	if (a->result == 0)
		sqlite3_bind_text(c->serial, 6, finished, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(c->serial, 6);
	return rb_run(c->board);
}

static int rb_attempt_insert(rb_ctx *c, rb_att *a)
{
	static const char *const res[] = { "pass", "fail", "aborted" };
	int identified = !(a->result == 1 && strcmp(rb_classes[a->cls].cls, "no-board") == 0);
	char uid[32], slot[16], probe[48], batch[32], started[GANG_REPORT_TIME_LEN], finished[GANG_REPORT_TIME_LEN];
	char text[32];
	int ms[4], n = rb_steps_plan(c, a, ms);

	a->finish_ms = a->start_ms + 100;
	for (int i = 0; i < n; i++)
		a->finish_ms += ms[i];
	rb_uid(uid, sizeof(uid), a->board);
	snprintf(slot, sizeof(slot), "S%d", a->slot + 1);
	snprintf(probe, sizeof(probe), "066DFF4854577251870923%02d", a->slot);
	snprintf(batch, sizeof(batch), "B-%04ld", a->id / RB_PER_BATCH);
	snprintf(text, sizeof(text), "GNG-%08ld", a->board + 1);
	gang_report_time_text(started, sizeof(started), a->start_ms);
	gang_report_time_text(finished, sizeof(finished), a->finish_ms);
	sqlite3_bind_int64(c->att, 1, a->id);
	if (identified)
		sqlite3_bind_text(c->att, 2, uid, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(c->att, 2);
	sqlite3_bind_text(c->att, 3, slot, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->att, 4, probe, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->att, 5, batch, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->att, 6, rb_rand(c) % 10U ? "normal" : "under-reset", -1, SQLITE_STATIC);
	if (identified) {
		sqlite3_bind_text(c->att, 7, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(c->att, 8, a->board + 1);
		sqlite3_bind_text(c->att, 9, text, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(c->att, 7);
		sqlite3_bind_null(c->att, 8);
		sqlite3_bind_null(c->att, 9);
	}
	sqlite3_bind_text(c->att, 10, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->att, 11, finished, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->att, 12, res[a->result], -1, SQLITE_STATIC);
	if (a->result == 0) {
		sqlite3_bind_null(c->att, 13);
		sqlite3_bind_null(c->att, 14);
	} else {
		sqlite3_bind_text(c->att, 13, a->result == 2 ? "aborted" : rb_classes[a->cls].cls, -1, SQLITE_STATIC);
		sqlite3_bind_text(c->att, 14, a->result == 2 ? "gang stopped during this attempt" : rb_classes[a->cls].msg,
				  -1, SQLITE_STATIC);
	}
	/* foreign keys: board before the attempt, the attempt before its serial */
	if (identified && rb_board_serial(c, a, uid, started, finished) < 0)
		return -1;
	if (rb_run(c->att) < 0 || rb_steps_insert(c, a, ms, n) < 0)
		return -1;
	return identified ? rb_run(c->serial) : 0;
}

/* One board: an attempt, and one retry on the same slot when it failed. */
static int rb_board(rb_ctx *c)
{
	rb_att a = { .board = c->next_board++, .slot = (int)(c->next_board % RB_SLOTS) };
	int tries = 0;

	do {
		uint64_t r = rb_rand(c) % 1000U;

		a.id = ++c->attempts;
		a.result = r < 2 ? 2 : r < (tries ? 302U : 72U) ? 1 : 0;
		a.cls = a.result == 1 ? rb_pick_class(c) : 0;
		a.start_ms = c->slot_free_ms[a.slot] + 1000 + (int64_t)(rb_rand(c) % 2000U);
		if (rb_attempt_insert(c, &a) < 0) {
			fprintf(stderr, "insert attempt %ld: %s\n", a.id, sqlite3_errmsg(c->conn));
			return -1;
		}
		c->slot_free_ms[a.slot] = a.finish_ms;
	} while (a.result == 1 && tries++ == 0 && c->attempts < c->target);
	return 0;
}

static int rb_exec(rb_ctx *c, const char *sql)
{
	if (sqlite3_exec(c->conn, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "report-bench: %s: %s\n", sql, sqlite3_errmsg(c->conn));
	return -1;
}

static int rb_fill(rb_ctx *c)
{
	int err = 0;

	for (int i = 0; i < RB_SLOTS; i++)
		c->slot_free_ms[i] = RB_T0_MS + i * 1000;
	if (rb_exec(c, "PRAGMA foreign_keys = ON") < 0 || rb_exec(c, "PRAGMA synchronous = OFF") < 0 ||
	    rb_exec(c, "PRAGMA cache_size = -262144") < 0 || rb_exec(c, "BEGIN") < 0 ||
	    rb_exec(c, "INSERT INTO serial_pools (name, start, \"end\", next, format, created_at) VALUES "
		       "('bench', 1, 100000000, 1, 'text', '2026-11-01T06:00:00.000Z')") < 0 ||
	    rb_prepare(c) < 0)
		return -1;
	while (err == 0 && c->attempts < c->target)
		err = rb_board(c);
	sqlite3_finalize(c->att);
	sqlite3_finalize(c->step);
	sqlite3_finalize(c->board);
	sqlite3_finalize(c->serial);
	if (err == 0 && rb_exec(c, "COMMIT") < 0)
		err = -1;
	return err;
}

static double rb_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time returned; CPU time printed too, since a shared machine inflates wall time. */
static double rb_time_cmd(int (*cmd)(int, char **), int argc, char **argv, int *rc)
{
	double t0 = rb_now(), c0 = rb_cpu(), wall;

	*rc = cmd(argc, argv);
	wall = rb_now() - t0;
	fprintf(stderr, "  [cpu %.3f s]", rb_cpu() - c0);
	return wall;
}

static void rb_measure(const char *path, long boards)
{
	char uid[32], dbp[512];
	char *rep_text[] = { "report", "--db", dbp, "--out", "/dev/null", NULL };
	char *rep_html[] = { "report", "--db", dbp, "--format", "html", "--out", "/dev/null", NULL };
	char *rep_batch[] = { "report", "--db", dbp, "--batch", "B-0042", "--out", "/dev/null", NULL };
	char *rep_day[] = { "report", "--db", dbp, "--since", "2026-11-03", "--until", "2026-11-03",
			    "--format", "json", "--out", "/dev/null", NULL };
	char *trace[] = { "trace", "--db", dbp, uid, NULL };
	int rc, saved, null_fd;
	double t;

	snprintf(dbp, sizeof(dbp), "%s", path);
	rb_uid(uid, sizeof(uid), boards / 2);
	printf("report text, everything:   %.3f s", rb_time_cmd(gang_cmd_report, 5, rep_text, &rc));
	printf(" (exit %d)\n", rc);
	printf("report html, everything:   %.3f s", rb_time_cmd(gang_cmd_report, 7, rep_html, &rc));
	printf(" (exit %d)\n", rc);
	printf("report text, one batch:    %.3f s", rb_time_cmd(gang_cmd_report, 7, rep_batch, &rc));
	printf(" (exit %d)\n", rc);
	printf("report json, one day:      %.3f s", rb_time_cmd(gang_cmd_report, 11, rep_day, &rc));
	printf(" (exit %d)\n", rc);
	fflush(stdout);
	/* trace prints to stdout: point fd 1 at /dev/null while it runs */
	saved = dup(1);
	null_fd = open("/dev/null", O_WRONLY);
	if (saved < 0 || null_fd < 0 || dup2(null_fd, 1) < 0)
		return;
	t = rb_time_cmd(gang_cmd_trace, 4, trace, &rc);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	close(null_fd);
	printf("trace one UID (%s): %.3f s (exit %d)\n", uid, t, rc);
}

int main(int argc, char **argv)
{
	rb_ctx c = { .rng = 0x9E3779B97F4A7C15ULL, .target = 1000000L };
	const char *path = "/tmp/gang-report-bench.sqlite";
	gang_db *db = NULL;
	gang_diag d = { 0 };
	int reuse = 0;
	double t0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			c.target = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--reuse") == 0)
			reuse = 1;
		else {
			fprintf(stderr, "usage: report-bench [-n ATTEMPTS] [--db PATH] [--reuse]\n");
			return 2;
		}
	}
	if (reuse) {
		/* boards of an earlier run with the same -n: the traced UID is the middle one */
		rb_measure(path, c.target * 934847L / 1000000L);
		return 0;
	}
	unlink(path);
	/* gang creates the file, so the schema and indexes are the real ones */
	if (gang_db_open(&db, path, GANG_DB_CREATE, &d) < 0) {
		fprintf(stderr, "report-bench: %s\n", d.msg);
		return 4;
	}
	gang_db_close(db);
	if (sqlite3_open_v2(path, &c.conn, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "report-bench: cannot open %s: %s\n", path, sqlite3_errmsg(c.conn));
		return 4;
	}
	t0 = rb_now();
	if (rb_fill(&c) < 0)
		return 4;
	sqlite3_close(c.conn);
	printf("created %s: %ld attempts, %ld boards in %.1f s\n", path, c.attempts, c.next_board, rb_now() - t0);
	rb_measure(path, c.next_board);
	return 0;
}
