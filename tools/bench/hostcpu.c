/*
 * hostcpu.c — where a gang process spends host CPU and waiting time, for
 * tools/bench/scaling. Built as build/bench/libhostcpu.so and preloaded in
 * front of build/libgangsim.so:
 *
 *   LD_PRELOAD=build/bench/libhostcpu.so:build/libgangsim.so \
 *   GANG_HOSTCPU_OUT=FILE GANGSIM_BENCH=... build/gang run ...
 *
 * It wraps the libusb calls gang makes to move data (libusb_bulk_transfer,
 * libusb_control_transfer) and the SQLite calls that touch the database
 * (sqlite3_prepare_v2, sqlite3_step, sqlite3_exec), measuring wall time and
 * the calling thread's CPU time inside each (outermost call only). At exit
 * it appends one line to GANG_HOSTCPU_OUT:
 *
 *   cpu_s=  usb_calls= usb_wall_s= usb_cpu_s= db_calls= db_wall_s= db_cpu_s= maxrss_kb=
 *
 * cpu_s is the whole process (getrusage RUSAGE_SELF). On the bench the CPU
 * inside libusb calls is the simulator's (probe, board and Unicorn core), so
 * cpu_s - usb_cpu_s is what gang itself costs the host; on a real station the
 * USB calls are sleeps in the kernel. DB wall time includes SQLite's busy
 * waits and fsync. A benchmark tool, not part of gang: counters are global
 * atomics because the wrapped calls come from every slot thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

typedef struct libusb_device_handle libusb_device_handle;
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

typedef struct hc_acc {
	atomic_ullong calls;
	atomic_ullong wall_ns;
	atomic_ullong cpu_ns;
} hc_acc;

typedef struct hc_mark {
	uint64_t wall, cpu;
} hc_mark;

static hc_acc hc_usb, hc_db;
static _Thread_local int hc_depth;   /* nested wrapped calls count once */

static uint64_t hc_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static hc_mark hc_enter(void)
{
	hc_mark m = { 0, 0 };

	if (hc_depth++ == 0) {
		m.wall = hc_ns(CLOCK_MONOTONIC);
		m.cpu = hc_ns(CLOCK_THREAD_CPUTIME_ID);
	}
	return m;
}

static void hc_leave(hc_acc *a, hc_mark m)
{
	if (--hc_depth != 0)
		return;
	atomic_fetch_add(&a->calls, 1ULL);
	atomic_fetch_add(&a->wall_ns, hc_ns(CLOCK_MONOTONIC) - m.wall);
	atomic_fetch_add(&a->cpu_ns, hc_ns(CLOCK_THREAD_CPUTIME_ID) - m.cpu);
}

/* The next definition of NAME (the simulator's or the real library's). */
static void *hc_next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "hostcpu: %s not found after the preload\n", name);
		abort();
	}
	return f;
}

/*
 * Each wrapper's next pointer is resolved by hc_init (a constructor: the
 * preloaded and linked libraries are all loaded by then, and no thread of
 * the program runs yet), so the slot threads only read it.
 */
#define HC_WRAP(acc, ret, name, params, args)                                  \
	static ret (*hc_next_##name) params;                                   \
	ret name params                                                        \
	{                                                                      \
		hc_mark m;                                                     \
		ret r;                                                         \
		if (!hc_next_##name)                                           \
			*(void **)&hc_next_##name = hc_next(#name);            \
		m = hc_enter();                                                \
		r = hc_next_##name args;                                       \
		hc_leave(&acc, m);                                             \
		return r;                                                      \
	}

HC_WRAP(hc_usb, int, libusb_bulk_transfer,
	(libusb_device_handle *h, unsigned char ep, unsigned char *data, int len, int *done, unsigned int to),
	(h, ep, data, len, done, to))
HC_WRAP(hc_usb, int, libusb_control_transfer,
	(libusb_device_handle *h, uint8_t rt, uint8_t rq, uint16_t v, uint16_t i, unsigned char *d, uint16_t l,
	 unsigned int to),
	(h, rt, rq, v, i, d, l, to))
HC_WRAP(hc_db, int, sqlite3_step, (sqlite3_stmt *st), (st))
HC_WRAP(hc_db, int, sqlite3_exec,
	(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg, char **err),
	(db, sql, cb, arg, err))
HC_WRAP(hc_db, int, sqlite3_prepare_v2,
	(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st, const char **tail),
	(db, sql, n, st, tail))

/* Missing here is not fatal: the wrapper resolves (or reports) it when called. */
#define HC_RESOLVE(name) (*(void **)&hc_next_##name = dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void hc_init(void)
{
	HC_RESOLVE(libusb_bulk_transfer);
	HC_RESOLVE(libusb_control_transfer);
	HC_RESOLVE(sqlite3_step);
	HC_RESOLVE(sqlite3_exec);
	HC_RESOLVE(sqlite3_prepare_v2);
}

static double hc_s(atomic_ullong *ns)
{
	return (double)atomic_load(ns) / 1e9;
}

__attribute__((destructor)) static void hc_report(void)
{
	const char *path = getenv("GANG_HOSTCPU_OUT");
	struct rusage ru;
	FILE *f;

	if (!path || !*path || getrusage(RUSAGE_SELF, &ru) != 0 || !(f = fopen(path, "a")))
		return;
	fprintf(f, "cpu_s=%.6f usb_calls=%llu usb_wall_s=%.6f usb_cpu_s=%.6f db_calls=%llu db_wall_s=%.6f "
		   "db_cpu_s=%.6f maxrss_kb=%ld\n",
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
		atomic_load(&hc_usb.calls), hc_s(&hc_usb.wall_ns), hc_s(&hc_usb.cpu_ns),
		atomic_load(&hc_db.calls), hc_s(&hc_db.wall_ns), hc_s(&hc_db.cpu_ns), ru.ru_maxrss);
	fclose(f);
}
