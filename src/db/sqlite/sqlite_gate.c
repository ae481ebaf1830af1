/*
 * sqlite_gate.c — the in-process writer queue shared by a main connection and
 * the worker connections opened from it (db_sqlite_open_worker).
 *
 * Why: SQLite's write lock is a file lock that waiters poll; with 16
 * workers on a 2-core station the poller that wins is random, so an unlucky
 * worker can lose a hundred rounds in a row (measured p99 ~100 ms for a
 * serial reservation). Inside one process we queue writers in FIFO order
 * before BEGIN IMMEDIATE, so each waits only for those ahead of it. Other
 * processes still meet us at the file lock, through the busy handler.
 *
 * Each waiter has a deadline and leaves the queue when it passes, so while
 * another program holds the database the waits of all slots run at the
 * same time and end together, instead of one after the other. The queue is
 * a linked list of the waiters' nodes (owned by their db_sqlite), so one may
 * leave from the middle. Reference: pthread_cond_timedwait(3p),
 * pthread_condattr_setclock(3p) (CLOCK_MONOTONIC: immune to clock steps).
 */
#include "db/sqlite/sqlite_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct db_gate {
	pthread_mutex_t lock; /* guards every field below and the nodes' next */
	pthread_cond_t turn;
	db_gate_node *head;   /* the writer inside the gate, or NULL */
	db_gate_node *tail;
	unsigned refs;
};

db_gate *db_gate_new(void)
{
	db_gate *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->turn, &ca);
	pthread_condattr_destroy(&ca);
	g->refs = 1;
	return g;
}

db_gate *db_gate_ref(db_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->refs++;
	pthread_mutex_unlock(&g->lock);
	return g;
}

void db_gate_unref(db_gate *g)
{
	unsigned left;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	left = --g->refs;
	pthread_mutex_unlock(&g->lock);
	if (left)
		return;
	pthread_cond_destroy(&g->turn);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Unlink n (not the head: the head is inside the gate). Caller holds g->lock. */
static void db_gate_unlink(db_gate *g, db_gate_node *n)
{
	db_gate_node *p = g->head;

	while (p && p->next != n)
		p = p->next;
	if (!p)
		return;
	p->next = n->next;
	if (g->tail == n)
		g->tail = p;
}

static struct timespec db_gate_abs(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000U), (long)(us % 1000000U) * 1000L };

	return ts;
}

int db_gate_enter(db_gate *g, db_gate_node *n, uint64_t deadline_us, db_gate_tick_fn tick, void *arg)
{
	struct timespec ts;
	uint64_t now, until;

	pthread_mutex_lock(&g->lock);
	n->next = NULL;
	if (g->tail)
		g->tail->next = n;
	else
		g->head = n;
	g->tail = n;
	while (g->head != n) {
		if ((now = db_now_us()) >= deadline_us) {
			db_gate_unlink(g, n);
			pthread_mutex_unlock(&g->lock);
			return -1;
		}
		until = now + DB_GATE_TICK_US < deadline_us ? now + DB_GATE_TICK_US : deadline_us;
		ts = db_gate_abs(until);
		pthread_cond_timedwait(&g->turn, &g->lock, &ts);
		if (g->head != n && tick) {
			pthread_mutex_unlock(&g->lock);
			tick(arg, db_now_us());
			pthread_mutex_lock(&g->lock);
		}
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

void db_gate_leave(db_gate *g)
{
	pthread_mutex_lock(&g->lock);
	if (g->head) {
		g->head = g->head->next;
		if (!g->head)
			g->tail = NULL;
	}
	pthread_cond_broadcast(&g->turn);
	pthread_mutex_unlock(&g->lock);
}
