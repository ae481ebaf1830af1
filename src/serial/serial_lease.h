/*
 * serial_lease.h — a station's serial lease during a run (profile
 * serial.lease = N, issue 14, docs/stations.md): the values of the
 * station's live leases of the pool that no board uses yet, shared by
 * every slot of the run. A board's serial comes from the lease: the
 * central database is asked first for the board's existing serial, and a
 * leased value is bound to the board only when it has none
 * (db_lease.h gang_db_lease_bind, online). When the values run out,
 * the next lease of N is taken (the unused values of the station's
 * leases are read once, when the run starts: mid-run a value another
 * slot is binding still looks unused). Needs the central PostgreSQL
 * database.
 */
#ifndef GANG_SERIAL_SERIAL_LEASE_H
#define GANG_SERIAL_SERIAL_LEASE_H

#include <stdint.h>

#include "core/err.h"
#include "db/db.h"

typedef struct gang_serial_lease gang_serial_lease;

/*
 * The station's unused leased values of pool, read from db; a lease of n
 * (1..1000000) is taken now when there are none. GANG_EDB naming
 * PostgreSQL on a SQLite database; GANG_ESERIAL_EXHAUSTED when the pool
 * has nothing left to lease; GANG_ENOMEM.
 */
int gang_serial_lease_open(gang_serial_lease **out, gang_db *db, const char *station, const char *pool, uint32_t n,
			   gang_diag *d);
/* NULL is a no-op. */
void gang_serial_lease_free(gang_serial_lease *l);

/*
 * The serial of board uid for the open attempt, through db (the calling
 * slot's handle): its existing serial in the pool, else the next leased
 * value, bound to it in one central transaction. Thread-safe: the slots
 * share l. Errors as gang_db_lease_bind and gang_db_lease_take.
 */
int gang_serial_lease_reserve(uint64_t *value_out, gang_serial_lease *l, gang_db *db, const char *uid,
			      const char *part, const gang_attempt_key *attempt, gang_diag *d);

#endif
