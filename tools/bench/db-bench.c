/*
 * db-bench.c — throughput and latency of the traceability database with
 * concurrent writers on a file database, as on a gang station: N worker
 * threads (default 16), each with its own connection from
 * gang_db_open_worker, first reserving serials for new UIDs, then writing
 * complete attempt records (begin, identify, reserve, 4 steps, pass).
 *
 *   build/db-bench [--threads N] [--count N] [--db FILE|URI] [--independent] [--journal] [--rate R]
 *
 * --independent opens each worker with gang_db_open instead (no in-process
 * writer queue), which is how two gang processes on one file behave.
 * --journal (a central PostgreSQL database) opens the station's journal
 * first, as `gang run` does (db/journal.h): each attempt op is written to
 * the local journal and delivered by the one delivery thread, so an
 * attempt record's latency is what a slot waits with the journal on.
 * --rate R paces the attempt records: the slots start R records a second
 * between them, evenly spread (slot t starts its i-th record at
 * (i + t / threads) * threads / R seconds), as a line whose boards come at
 * that rate; a record's latency runs from when it was due, so one started
 * late because the database fell behind counts its wait (no coordinated
 * omission). Without it the slots write as fast as the database answers,
 * which measures throughput, and a latency then is mostly queueing
 * (32 slots at N records/s wait about 32/N s each: Little's law).
 * Each slot's first operation of a phase runs before the clock starts and
 * is reported on a line of its own: on a central database it opens the
 * station's sessions and makes each server session prepare the statements
 * and compile the server functions (PL/pgSQL compiles a function at its
 * first call in a session, PostgreSQL 15 manual 43.11.2 "Plan Caching"), about 100 ms
 * once per session, which a station pays on the first boards of a run,
 * not on every board. Counted in, those first records were about 2% of a
 * paced run of 6,400 and were most of its p99.
 * Wall-clock figures: they depend on the disk's fsync time (synchronous=FULL).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/db_lease.h"
#include "serial/serial_alloc.h"

#define BENCH_THREADS_MAX 64

typedef struct bench_opts {
	int threads;
	int count; /* operations per thread and phase */
	int independent;
	int journal;
	double rate; /* attempt records a second, all slots together (0: as fast as they go) */
	char path[256];
	char journal_path[256];
} bench_opts;

typedef struct bench_worker {
	const bench_opts *o;
	gang_db *main_db;
	int index;
	int phase; /* 0: reservations, 1: attempt records */
	pthread_barrier_t *start;
	double *lat_ms;
	double first_ms; /* the slot's first operation of the phase, before the clock starts */
	int err;
	char msg[GANG_DIAG_LEN];
} bench_worker;

static double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void bench_sleep_ms(double ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000.0), .tv_nsec = (long)(fmod(ms, 1000.0) * 1e6) };

	nanosleep(&ts, NULL);
}

static int bench_attempt(gang_db *db, const char *uid, gang_diag *d)
{
	static const char *const steps[] = { "connect", "erase", "program", "verify" };
	gang_attempt_info info = { .slot = "S1", .probe_serial = "066DFF485457725187092334",
				   .batch = "bench", .profile_name = "demo-f103", .operator_name = "bench" };
	gang_attempt_target t = { .uid = uid, .part = "STM32F103RC", .connect_mode = "normal",
				  .rdp_before = 0 };
	uint64_t serial;
	gang_attempt_key id;
	int err;

	if ((err = gang_db_attempt_begin(&id, db, &info, d)) < 0 ||
	    (err = gang_db_attempt_identify(db, &id, &t, d)) < 0 ||
	    (err = gang_serial_reserve(&serial, db, "bench-attempts", uid, &id, d)) < 0)
		return err;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if ((err = gang_db_step(db, &id, steps[i], GANG_STEP_PASS, 10, NULL, d)) < 0)
			return err;
	return gang_db_attempt_finish(db, &id, GANG_ATTEMPT_PASS, NULL, NULL, d);
}

static void *bench_run(void *arg)
{
	bench_worker *w = arg;
	gang_diag d = { 0 };
	gang_db *db = NULL;
	char uid[32];

	if (w->o->independent)
		w->err = gang_db_open(&db, w->o->path, 0, &d);
	else
		w->err = gang_db_open_worker(&db, w->main_db, &d);
	if (w->err == 0) {
		double t0 = bench_now_ms();
		uint64_t v;

		snprintf(uid, sizeof(uid), "%04X%04XFFFFFFFFFFFFFFFF", (unsigned)w->phase, (unsigned)w->index);
		w->err = w->phase == 0 ? gang_serial_reserve(&v, db, "bench-serials", uid, NULL, &d)
				       : bench_attempt(db, uid, &d);
		w->first_ms = bench_now_ms() - t0;
	}
	pthread_barrier_wait(w->start);
	double start = bench_now_ms(), period = w->o->rate > 0 ? 1000.0 * w->o->threads / w->o->rate : 0;

	for (int i = 0; i < w->o->count && w->err == 0; i++) {
		double t0 = bench_now_ms();
		uint64_t v;

		if (w->phase == 1 && period > 0) {   /* due at its time: waited for, or late and counted from then */
			double due = start + period * ((double)i + (double)w->index / w->o->threads);

			if (due > t0)
				bench_sleep_ms(due - t0);
			t0 = due;
		}

		snprintf(uid, sizeof(uid), "%04X%04X%016X", (unsigned)w->phase, (unsigned)w->index, (unsigned)i);
		if (w->phase == 0)
			w->err = gang_serial_reserve(&v, db, "bench-serials", uid, NULL, &d);
		else
			w->err = bench_attempt(db, uid, &d);
		w->lat_ms[i] = bench_now_ms() - t0;
	}
	snprintf(w->msg, sizeof(w->msg), "%s", d.msg);
	gang_db_close(db);
	return NULL;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_report(const char *what, double *lat, size_t n, double wall_ms)
{
	qsort(lat, n, sizeof(*lat), bench_cmp);
	printf("%-22s %7zu in %8.1f ms = %8.0f /s   latency p50 %6.2f ms  p95 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n",
	       what, n, wall_ms, (double)n * 1000.0 / wall_ms, lat[n / 2], lat[n * 95 / 100], lat[n * 99 / 100],
	       lat[n - 1]);
}

/* The slots' first operations, timed before the phase's clock started. */
static void bench_first(const bench_worker *w, int n)
{
	double first[BENCH_THREADS_MAX];

	for (int t = 0; t < n; t++)
		first[t] = w[t].first_ms;
	qsort(first, (size_t)n, sizeof(first[0]), bench_cmp);
	printf("  first of each slot     %4d, not counted below:  latency p50 %6.2f ms  max %7.2f ms\n", n,
	       first[n / 2], first[n - 1]);
}

static int bench_phase(const bench_opts *o, gang_db *main_db, int phase, double *lat)
{
	bench_worker w[BENCH_THREADS_MAX];
	pthread_t th[BENCH_THREADS_MAX];
	pthread_barrier_t start;
	double t0;
	int rc = 0;

	pthread_barrier_init(&start, NULL, (unsigned)o->threads + 1U);
	for (int t = 0; t < o->threads; t++) {
		w[t] = (bench_worker){ .o = o, .main_db = main_db, .index = t, .phase = phase, .start = &start,
				       .lat_ms = lat + (size_t)t * (size_t)o->count };
		pthread_create(&th[t], NULL, bench_run, &w[t]);
	}
	pthread_barrier_wait(&start);
	t0 = bench_now_ms();
	for (int t = 0; t < o->threads; t++)
		pthread_join(th[t], NULL);
	bench_report(phase == 0 ? "serial reservations" : "attempt records", lat,
		     (size_t)o->threads * (size_t)o->count, bench_now_ms() - t0);
	bench_first(w, o->threads);
	pthread_barrier_destroy(&start);
	for (int t = 0; t < o->threads; t++)
		if (w[t].err < 0) {
			fprintf(stderr, "db-bench: thread %d: %s\n", t, w[t].msg);
			rc = 1;
		}
	return rc;
}

static int bench_parse(bench_opts *o, int argc, char **argv)
{
	*o = (bench_opts){ .threads = 16, .count = 200 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			o->threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			o->count = atoi(argv[++i]);
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			snprintf(o->path, sizeof(o->path), "%s", argv[++i]);
		else if (strcmp(argv[i], "--independent") == 0)
			o->independent = 1;
		else if (strcmp(argv[i], "--journal") == 0)
			o->journal = 1;
		else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
			o->rate = atof(argv[++i]);
		else
			return -1;
	}
	if (o->threads < 1 || o->threads > BENCH_THREADS_MAX || o->count < 1 || o->rate < 0)
		return -1;
	return 0;
}

static int bench_setup(gang_db **main_out, const bench_opts *o)
{
	gang_diag d = { 0 };
	/* one value more per slot: its first operation of each phase, before the clock starts */
	uint64_t n = (uint64_t)o->threads * ((uint64_t)o->count + 1);

	if (gang_db_open(main_out, o->path, GANG_DB_CREATE | (o->journal ? 0 : GANG_DB_RECOVER), &d) < 0 ||
	    (o->journal && (gang_db_journal_open(*main_out, o->journal_path, "bench", &d) < 0 ||
			    gang_db_recover(*main_out, NULL, &d) < 0)) ||
	    gang_serial_pool_ensure(*main_out, "bench-serials", 1, n, "u32le", &d) < 0 ||
	    gang_serial_pool_ensure(*main_out, "bench-attempts", 1, n, "u32le", &d) < 0) {
		fprintf(stderr, "db-bench: %s\n", d.msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/gang-db-bench-XXXXXX";
	gang_db *main_db = NULL;
	bench_opts o;
	double *lat;
	int rc;

	if (bench_parse(&o, argc, argv) < 0) {
		fprintf(stderr, "usage: db-bench [--threads 1-%d] [--count N] [--db FILE|URI] [--independent] "
			"[--journal] [--rate RECORDS_PER_S]\n",
			BENCH_THREADS_MAX);
		return 2;
	}
	if (!o.path[0] || o.journal) {
		if (!mkdtemp(dir))
			return perror("db-bench: mkdtemp"), 1;
		if (!o.path[0])
			snprintf(o.path, sizeof(o.path), "%s/bench.sqlite", dir);
		snprintf(o.journal_path, sizeof(o.journal_path), "%s/journal.sqlite", dir);
	}
	printf("db-bench: %d writers x %d, %s connections%s, %s\n", o.threads, o.count,
	       o.independent ? "independent" : "worker", o.journal ? ", the station journal on" : "", o.path);
	if (o.rate > 0)
		printf("db-bench: attempt records paced at %.0f /s (latency from when each was due)\n", o.rate);
	lat = calloc((size_t)o.threads * (size_t)o.count, sizeof(*lat));
	rc = !lat || bench_setup(&main_db, &o);
	if (!rc)
		rc = bench_phase(&o, main_db, 0, lat) | bench_phase(&o, main_db, 1, lat);
	gang_db_close(main_db);
	free(lat);
	return rc;
}
