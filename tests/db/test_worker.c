/*
 * test_worker.c — worker connections opened from a main one: they share
 * the in-process writer queue, may outlive the main handle, and need a
 * read-write main; the queue admits one writer at a time in ticket order;
 * the default database path.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sys/stat.h>

#include "test_fixture.h"

static fix_dir tmp;

static void setup(void)
{
	fix_dir_make(&tmp);
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
	cr_expect_eq(w->gate, main_db->gate);
	cr_expect_neq(w->conn, main_db->conn, "its own connection");
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

	for (int i = 0; i < 500; i++) {
		db_gate_enter(p->gate);
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
