/*
 * serial_lease.c — a station's serial lease during a run (serial_lease.h).
 * The unused values are kept lowest first; a slot takes one under the
 * mutex and binds it outside it (the central transaction is the slow
 * part), and gives it back when the board turned out to have a serial
 * already. The station's unused values are read from the central
 * database once, when the run starts; later the next lease is taken. A value whose binding failed is not given back: the failure
 * may have come after the server committed it (a lost connection), and
 * an unused leased value is only a gap, never a duplicate.
 */
#include "serial/serial_lease.h"
#include "db/db_lease.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gang_serial_lease {
	pthread_mutex_t mu;    /* guards v, head, n */
	char station[GANG_DB_STATION_MAX];
	char pool[GANG_DB_POOL_NAME_MAX];
	uint32_t size;         /* values per lease taken (serial.lease) */
	int64_t *v;            /* unused values, v[head..n) lowest first; capacity size */
	size_t head, n;
};

/* Fill l->v with a new lease of l->size values. */
static int lease_take(gang_serial_lease *l, gang_db *db, gang_diag *d)
{
	gang_db_lease taken;
	int err;

	l->head = l->n = 0;
	if ((err = gang_db_lease_take(&taken, db, l->station, l->pool, l->size, d)) < 0)
		return err;
	for (int64_t x = taken.first; x <= taken.last && l->n < l->size; x++)
		l->v[l->n++] = x;
	return GANG_OK;
}

/*
 * At the start of a run: the station's unused leased values, else a new
 * lease. Only then: mid-run, a value another slot is binding still looks
 * unused centrally, so a refill takes a new lease instead.
 */
static int lease_first_fill(gang_serial_lease *l, gang_db *db, gang_diag *d)
{
	int err;

	l->head = l->n = 0;
	if ((err = gang_db_lease_unused(l->v, l->size, &l->n, db, l->station, l->pool, d)) < 0 || l->n > 0)
		return err;
	return lease_take(l, db, d);
}

int gang_serial_lease_open(gang_serial_lease **out, gang_db *db, const char *station, const char *pool, uint32_t n,
			   gang_diag *d)
{
	gang_serial_lease *l;
	int err;

	*out = NULL;
	if (!station || !*station || !pool || !*pool || n == 0 || n > 1000000U)
		return gang_diag_set(d, GANG_EUSAGE, "serial lease: a station name, a pool and a size of 1..1000000 "
						     "are needed");
	if (strlen(station) >= GANG_DB_STATION_MAX || strlen(pool) >= GANG_DB_POOL_NAME_MAX)
		return gang_diag_set(d, GANG_EUSAGE, "serial lease: station or pool name too long");
	if (!(l = calloc(1, sizeof(*l))) || !(l->v = calloc(n, sizeof(*l->v)))) {
		free(l);
		return gang_diag_set(d, GANG_ENOMEM, "out of memory for a serial lease of %u values", n);
	}
	pthread_mutex_init(&l->mu, NULL);
	snprintf(l->station, sizeof(l->station), "%s", station);
	snprintf(l->pool, sizeof(l->pool), "%s", pool);
	l->size = n;
	if ((err = lease_first_fill(l, db, d)) < 0) {
		gang_serial_lease_free(l);
		return err;
	}
	*out = l;
	return GANG_OK;
}

void gang_serial_lease_free(gang_serial_lease *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l->v);
	free(l);
}

/* The lease is used up and no new one can be had: the slot stops before programming (issue 14). */
static int lease_offline(const gang_serial_lease *l, gang_diag *d)
{
	char why[GANG_DIAG_LEN];

	snprintf(why, sizeof(why), "%s", d ? d->msg : "");
	return gang_diag_set(d, GANG_ELEASE_OFFLINE, "no new lease for station '%s' in pool '%s': %.400s", l->station,
			     l->pool, why);
}

static int lease_next(int64_t *value, gang_serial_lease *l, gang_db *db, gang_diag *d)
{
	int err = GANG_OK;

	pthread_mutex_lock(&l->mu);
	if (l->head == l->n && (err = lease_take(l, db, d)) < 0 && gang_db_unreachable(db))
		err = lease_offline(l, d);
	if (err == GANG_OK)
		*value = l->v[l->head++];
	pthread_mutex_unlock(&l->mu);
	return err;
}

static void lease_give_back(gang_serial_lease *l, int64_t value)
{
	pthread_mutex_lock(&l->mu);
	if (l->head > 0)
		l->v[--l->head] = value;
	pthread_mutex_unlock(&l->mu);
}

int gang_serial_lease_reserve(uint64_t *value_out, gang_serial_lease *l, gang_db *db, const char *uid,
			      const char *part, const gang_attempt_key *attempt, gang_diag *d)
{
	gang_lease_binding b = { .station = l->station, .pool = l->pool, .uid = uid, .part = part,
				 .attempt = attempt, .online = true };
	gang_lease_bound out;
	int err;

	if ((err = lease_next(&b.value, l, db, d)) < 0)
		return err;
	if ((err = gang_db_lease_bind(&out, db, &b, d)) < 0)
		return err;
	if (out.outcome == GANG_LEASE_EXISTING)   /* the board had a serial: the value is still unused */
		lease_give_back(l, b.value);
	*value_out = (uint64_t)out.value;
	return GANG_OK;
}
