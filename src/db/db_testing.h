/*
 * db_testing.h — test support: what a test needs from a database that the
 * domain API (db.h) deliberately does not offer, such as a history at fixed
 * times or a record damaged on purpose. Production code never calls it.
 */
#ifndef GANG_DB_DB_TESTING_H
#define GANG_DB_DB_TESTING_H

#include <stddef.h>

#include "core/err.h"
#include "db/db.h"

/*
 * Run one SQL statement (no result rows) in the backend's own dialect, in
 * its own transaction. GANG_EDB with the backend's message when the
 * database refuses it (a constraint, a syntax error); GANG_ERR when the
 * backend runs no raw statements (its test_exec slot is NULL, store.h).
 */
int gang_db_test_exec(gang_db *db, const char *sql, gang_diag *d);
/*
 * The first column of the first row of a query, as text into out (cap
 * bytes): "" when there is no row, "NULL" for an SQL NULL. Errors as
 * gang_db_test_exec.
 */
int gang_db_test_query(char *out, size_t cap, gang_db *db, const char *sql, gang_diag *d);

#endif
