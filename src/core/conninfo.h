/*
 * conninfo.h — telling a PostgreSQL connection string from a file name,
 * and showing one without its password. libpq takes two forms (libpq docs
 * 34.1.1 "Connection Strings"): a URI ("postgresql://user@host/db") and
 * keyword/value pairs ("host=db.line2 dbname=gang sslmode=verify-full").
 * gang takes either as a database name (--db, gang.conf's db); anything
 * else is an SQLite file. Core knows the rule so that the configuration
 * file keeps such a value as written instead of resolving it as a path.
 */
#ifndef GANG_CORE_CONNINFO_H
#define GANG_CORE_CONNINFO_H

#include <stdbool.h>
#include <stddef.h>

/* "postgresql://…" or "postgres://…" (both spellings libpq accepts). */
bool gang_conninfo_is_uri(const char *s);
/*
 * Keyword/value form: the first word (after blanks) is one of libpq's
 * connection keywords, directly followed by '=' (blanks allowed around
 * it). "./host=x" or "host=x" as a file name must be written with a
 * directory ("./host=x").
 */
bool gang_conninfo_is_kv(const char *s);
/* Either form: a server, not a file. */
bool gang_conninfo_is_server(const char *s);
/*
 * The keyword/value string s with the value of every password keyword
 * (quoted or not) replaced by "…", for messages; the rest as written.
 */
void gang_conninfo_shown(char *out, size_t cap, const char *s);

#endif
