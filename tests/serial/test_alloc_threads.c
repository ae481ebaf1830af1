/*
 * test_alloc_threads.c — serial allocation under contention: 16 worker
 * threads, each with its own connection (the documented threading model),
 * reserve 200 UIDs each. Every value must be distinct and the values must
 * be contiguous; reserve latency p99 is measured and printed.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>

#include "../db/test_fixture.h"
#include "serial/serial_alloc.h"

#define THREADS 16
#define PER_THREAD 200
#define POOL_START 500000U
/* A reserve must never wait long; far below the busy budget. */
#define P99_LIMIT_MS 250.0

/* Monotonic microseconds, for latencies (clock_gettime(2) CLOCK_MONOTONIC). */
static uint64_t thr_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000U + (uint64_t)ts.tv_nsec / 1000U;
}

static fix_dir tmp;

static void setup(void)
{
	fix_dir_make(&tmp);
}

static void teardown(void)
{
	fix_dir_remove(&tmp);
}

TestSuite(serial_alloc_threads, .fini = teardown, .timeout = 120);

typedef struct worker {
	int index;
	const char *path;
	gang_db *main_db;      /* workers open from it (shared writer queue) when set */
	const char *fixed_uid; /* all threads reserve this UID when set */
	pthread_barrier_t *start;
	double lat_ms[PER_THREAD];
	uint64_t values[PER_THREAD];
	int err;
	char msg[GANG_DIAG_LEN];
} worker;

static void *worker_run(void *arg)
{
	worker *w = arg;
	gang_diag d = { 0 };
	gang_db *db = NULL;
	char uid[32];

	if (w->main_db)
		w->err = gang_db_open_worker(&db, w->main_db, &d);
	else
		w->err = gang_db_open(&db, w->path, 0, &d);
	/* the test is about uniqueness: sixteen writers on a loaded 2-CPU machine may queue past the 2 s default */
	if (w->err == GANG_OK)
		gang_db_set_wait(db, 30000U);
	pthread_barrier_wait(w->start);
	for (int i = 0; i < PER_THREAD && w->err == GANG_OK; i++) {
		uint64_t t0 = thr_now_us();

		snprintf(uid, sizeof(uid), "%08X%016X", (unsigned)w->index, (unsigned)i);
		w->err = gang_serial_reserve(&w->values[i], db, "line", w->fixed_uid ? w->fixed_uid : uid, 0, &d);
		w->lat_ms[i] = (double)(thr_now_us() - t0) / 1000.0;
	}
	snprintf(w->msg, sizeof(w->msg), "%s", d.msg);
	gang_db_close(db);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void run_workers(worker *w, gang_db *main_db, const char *fixed_uid)
{
	pthread_t th[THREADS];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, THREADS);
	for (int t = 0; t < THREADS; t++) {
		w[t] = (worker){ .index = t, .path = tmp.db, .main_db = main_db, .fixed_uid = fixed_uid,
			      .start = &start };
		cr_assert_eq(pthread_create(&th[t], NULL, worker_run, &w[t]), 0);
	}
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	pthread_barrier_destroy(&start);
	for (int t = 0; t < THREADS; t++)
		cr_assert_eq(w[t].err, GANG_OK, "thread %d: %s", t, w[t].msg);
}

static gang_db *make_pool(uint64_t count)
{
	gang_db *db = fix_open(tmp.db, GANG_DB_CREATE | GANG_DB_RECOVER);
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_pool_ensure(db, "line", POOL_START, POOL_START + count - 1U, "u32le", &d),
		     GANG_OK, "%s", d.msg);
	return db;
}

/* Every value handed out once, all of start..start+count-1; p99 latency in ms. */
static double check_distinct(const worker *w)
{
	static double all[THREADS * PER_THREAD];
	static uint8_t taken[THREADS * PER_THREAD];
	size_t n = 0;

	memset(taken, 0, sizeof(taken));
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++) {
			uint64_t v = w[t].values[i];

			cr_assert(v >= POOL_START && v < POOL_START + THREADS * PER_THREAD, "value %llu out of range",
				  (unsigned long long)v);
			cr_assert_eq(taken[v - POOL_START], 0, "value %llu handed out twice", (unsigned long long)v);
			taken[v - POOL_START] = 1;
			all[n++] = w[t].lat_ms[i];
		}
	qsort(all, n, sizeof(all[0]), cmp_double);
	/* "[----]" so tools/run-tests, which keeps Criterion's lines, shows it. */
	fprintf(stderr, "[----] serial reserve, %d threads x %d (%s): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
		THREADS, PER_THREAD, w[0].main_db ? "worker connections" : "independent connections",
		all[n / 2], all[n * 99 / 100], all[n - 1]);
	return all[n * 99 / 100];
}

static void expect_pool_full(gang_db *db)
{
	gang_serial_pool_counts c;
	gang_diag d = { 0 };

	cr_assert_eq(gang_serial_pool_status(&c, db, "line", &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(c.remaining, 0);
	cr_expect_eq(c.reserved, THREADS * PER_THREAD);
	cr_expect_eq(fix_q_int(db, "SELECT count(DISTINCT uid) FROM serials"), THREADS * PER_THREAD);
}

FIX_STORE_TEST(serial_alloc_threads, sixteen_worker_threads_get_distinct_contiguous_serials_with_low_p99, setup)
{
	static worker w[THREADS];
	gang_db *db = make_pool(THREADS * PER_THREAD);

	run_workers(w, db, NULL);
	cr_expect_lt(check_distinct(w), P99_LIMIT_MS);
	expect_pool_full(db);
	gang_db_close(db);
}

FIX_STORE_TEST(serial_alloc_threads, sixteen_independent_connections_never_share_a_serial, setup)
{
	static worker w[THREADS];
	gang_db *db = make_pool(THREADS * PER_THREAD);

	/* No shared queue: they meet only at SQLite's file lock, like two gang processes. */
	run_workers(w, NULL, NULL);
	check_distinct(w);
	expect_pool_full(db);
	gang_db_close(db);
}

FIX_STORE_TEST(serial_alloc_threads, sixteen_threads_racing_for_one_uid_all_get_the_same_serial, setup)
{
	static worker w[THREADS];
	gang_db *db = make_pool(THREADS * PER_THREAD);

	run_workers(w, db, "0123456789ABCDEF01234567");
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++)
			cr_assert_eq(w[t].values[i], POOL_START, "thread %d call %d", t, i);
	cr_expect_eq(fix_q_int(db, "SELECT count(*) FROM serials"), 1);
	cr_expect_eq(fix_q_int(db, "SELECT next FROM serial_pools"), POOL_START + 1U);
	gang_db_close(db);
}
