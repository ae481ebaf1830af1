/*
 * test_worker.c — worker connections opened from a main one: they share
 * the in-process writer queue, may outlive the main handle, and need a
 * read-write main; the queue admits one writer at a time in FIFO order and
 * lets a waiter whose deadline passed leave; waits for another program's
 * lock overlap across workers, are bounded by gang_db_set_wait and are
 * reported; the default database path.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/stat.h>

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

TestSuite(db_worker, .init = setup, .fini = teardown, .timeout = 30);

Test(db_worker, a_worker_shares_the_queue_and_may_outlive_the_main_handle)
{
	gang_db *main_db = fix_open(tmp.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	gang_db *w = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(gang_db_open_worker(&w, main_db, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(db_sqlite_of(w)->gate, db_sqlite_of(main_db)->gate);
	cr_expect_neq(db_sqlite_of(w)->conn, db_sqlite_of(main_db)->conn, "its own connection");
	gang_db_close(main_db);
	cr_expect_eq(gang_db_board_seen(w, "0123456789ABCDEF01234567", "STM32F103RC", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(fix_q_int(w, "SELECT count(*) FROM boards"), 1);
	gang_db_close(w);
}

Test(db_worker, a_read_only_main_handle_cannot_give_workers)
{
	gang_db *main_db, *w = (gang_db *)1;
	gang_diag d = { 0 };

	gang_db_close(fix_open(tmp.db, GANG_DB_CREATE));
	main_db = fix_open(tmp.db, GANG_DB_READONLY);
	cr_expect_eq(gang_db_open_worker(&w, main_db, &d), GANG_ERR);
	cr_expect_null(w);
	cr_expect_not_null(strstr(d.msg, "need a read-write main"), "got: %s", d.msg);
	gang_db_close(main_db);
}

typedef struct gate_probe {
	db_gate *gate;
	pthread_mutex_t lock;
	int inside, max_inside, entries;
} gate_probe;

static void *gate_worker(void *arg)
{
	gate_probe *p = arg;
	db_gate_node node;

	for (int i = 0; i < 500; i++) {
		cr_assert_eq(db_gate_enter(p->gate, &node, db_now_us() + 60000000U, NULL, NULL), 0);
		pthread_mutex_lock(&p->lock);
		p->inside++;
		p->entries++;
		if (p->inside > p->max_inside)
			p->max_inside = p->inside;
		pthread_mutex_unlock(&p->lock);
		sched_yield();
		pthread_mutex_lock(&p->lock);
		p->inside--;
		pthread_mutex_unlock(&p->lock);
		db_gate_leave(p->gate);
	}
	return NULL;
}

Test(db_worker, the_writer_queue_admits_one_thread_at_a_time)
{
	gate_probe p = { .gate = db_gate_new(), .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[8];

	cr_assert_not_null(p.gate);
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, gate_worker, &p);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	cr_expect_eq(p.max_inside, 1);
	cr_expect_eq(p.entries, 8 * 500);
	db_gate_unref(p.gate);
}

Test(db_worker, a_waiter_whose_deadline_passes_leaves_the_queue_and_the_rest_go_on)
{
	db_gate *g = db_gate_new();
	db_gate_node a, b, c;
	uint64_t t0 = db_now_us();

	cr_assert_eq(db_gate_enter(g, &a, t0 + 1000000U, NULL, NULL), 0);
	cr_expect_eq(db_gate_enter(g, &b, t0 + 200000U, NULL, NULL), -1, "a is inside: b times out");
	cr_expect_geq(db_now_us() - t0, 200000U);
	db_gate_leave(g);
	cr_expect_eq(db_gate_enter(g, &c, db_now_us() + 200000U, NULL, NULL), 0, "b left no ghost in the queue");
	db_gate_leave(g);
	db_gate_unref(g);
}

/* A second program's connection holding the write lock (an sqlite3 shell's BEGIN EXCLUSIVE). */
static sqlite3 *hold_lock(const char *path)
{
	sqlite3 *other;

	cr_assert_eq(sqlite3_open(path, &other), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	return other;
}

typedef struct writer {
	gang_db *h;   /* a worker handle, opened before the lock is taken */
	char uid[32];
	int err;
	double took_s;
	gang_diag d;
} writer;

static void *write_one(void *arg)
{
	writer *w = arg;
	uint64_t t0 = db_now_us();

	w->err = gang_db_board_seen(w->h, w->uid, NULL, &w->d);
	w->took_s = (double)(db_now_us() - t0) / 1e6;
	return NULL;
}

static void open_writers(writer *w, int n, gang_db *main_db)
{
	for (int i = 0; i < n; i++) {
		cr_assert_eq(gang_db_open_worker(&w[i].h, main_db, &w[i].d), GANG_OK, "%s", w[i].d.msg);
		snprintf(w[i].uid, sizeof(w[i].uid), "0123456789ABCDEF0123456%u", (unsigned)i % 10U);
	}
}

/* All n write at once; each handle is used by its thread only, then closed. */
static void run_writers(writer *w, int n)
{
	pthread_t th[8];

	for (int i = 0; i < n; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, write_one, &w[i]), 0);
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		gang_db_close(w[i].h);
	}
}

typedef struct releaser {
	sqlite3 *other;
	unsigned after_ms;
} releaser;

static void *release_later(void *arg)
{
	releaser *r = arg;
	struct timespec ts = { r->after_ms / 1000U, (long)(r->after_ms % 1000U) * 1000000L };

	nanosleep(&ts, NULL);
	sqlite3_exec(r->other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(r->other);
	return NULL;
}

/* What a slot would show: the reports of one handle's waits. */
typedef struct wait_log {
	int waiting, done;
	uint32_t last_ms;
} wait_log;

static void on_wait(void *user, uint32_t waited_ms, int done)
{
	wait_log *l = user;

	if (done)
		l->done++;
	else
		l->waiting++;
	l->last_ms = waited_ms;
}

Test(db_worker, a_lock_held_past_the_old_two_seconds_only_delays_every_writer_together)
{
	gang_db *main_db = fix_open(tmp.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	releaser r = { .after_ms = 3000U };
	writer w[4] = { 0 };
	pthread_t th;

	gang_db_set_wait(main_db, 20000U);
	open_writers(w, 4, main_db);
	r.other = hold_lock(tmp.db);
	cr_assert_eq(pthread_create(&th, NULL, release_later, &r), 0);
	run_writers(w, 4);
	pthread_join(th, NULL);
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(w[i].err, GANG_OK, "writer %d: %s", i, w[i].d.msg);
		cr_expect_geq(w[i].took_s, 2.5, "writer %d waited for the lock", i);
		cr_expect_lt(w[i].took_s, 6.0, "writer %d took %.1f s after a 3 s lock", i, w[i].took_s);
	}
	cr_expect_eq(fix_q_int(main_db, "SELECT count(*) FROM boards"), 4);
	gang_db_close(main_db);
}

Test(db_worker, writers_stuck_behind_a_lock_give_up_together_at_their_budget_not_one_after_another)
{
	gang_db *main_db = fix_open(tmp.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	sqlite3 *other;
	writer w[4] = { 0 };

	gang_db_set_wait(main_db, 1000U);
	open_writers(w, 4, main_db);
	other = hold_lock(tmp.db);
	run_writers(w, 4);
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(w[i].err, GANG_EDB, "writer %d", i);
		cr_expect_not_null(strstr(w[i].d.msg, "is locked by another writer"), "writer %d: %s", i, w[i].d.msg);
		cr_expect_not_null(strstr(w[i].d.msg, "within 1000 ms"), "writer %d: %s", i, w[i].d.msg);
		cr_expect_lt(w[i].took_s, 1.8, "writer %d gave up after %.1f s: the waits were serialised", i,
			     w[i].took_s);
	}
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	gang_db_close(main_db);
}

Test(db_worker, a_long_wait_is_reported_while_it_lasts_and_when_it_ends)
{
	gang_db *main_db = fix_open(tmp.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	releaser r = { .after_ms = 2500U };
	wait_log log = { 0 };
	gang_diag d = { 0 };
	pthread_t th;

	gang_db_set_wait(main_db, 20000U);
	gang_db_on_wait(main_db, on_wait, &log);
	cr_expect_eq(gang_db_board_seen(main_db, "0123456789ABCDEF01234567", NULL, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(log.waiting + log.done, 0, "no wait, no report");
	r.other = hold_lock(tmp.db);
	cr_assert_eq(pthread_create(&th, NULL, release_later, &r), 0);
	cr_expect_eq(gang_db_board_seen(main_db, "0123456789ABCDEF01234567", NULL, &d), GANG_OK, "%s", d.msg);
	pthread_join(th, NULL);
	cr_expect_eq(log.waiting, 1, "reported once after 1 s (the next report is due at 6 s)");
	cr_expect_eq(log.done, 1);
	cr_expect_geq(log.last_ms, 2000U, "the end names the whole wait: %u ms", log.last_ms);
	gang_db_close(main_db);
}

Test(db_worker, no_path_means_db_gang_sqlite_under_the_working_directory)
{
	char path[256];
	gang_db *db = NULL;
	gang_diag d = { 0 };

	fix_path(path, sizeof(path), &tmp, "db");
	cr_assert_eq(mkdir(path, 0700), 0);
	cr_assert_eq(chdir(tmp.dir), 0);
	cr_assert_eq(gang_db_open(&db, NULL, GANG_DB_CREATE, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(gang_db_path(db), GANG_DB_DEFAULT_PATH);
	cr_expect_eq(access(GANG_DB_DEFAULT_PATH, F_OK), 0);
	gang_db_close(db);
	cr_assert_eq(gang_db_open(&db, "", 0, &d), GANG_OK, "empty path too: %s", d.msg);
	gang_db_close(db);
}
