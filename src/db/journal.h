/*
 * journal.h — a station's local journal of attempt records (issue 14;
 * docs/stations.md): with the central PostgreSQL database, every attempt
 * record (an attempt begun, its board, serial text, steps and result, a
 * board seen again, a leased serial bound to a board) is written here
 * first, keyed by the station and a sequence number 1, 2, 3 ..., and a
 * delivery worker (src/db/pg/pg_journal.c) delivers the records to the
 * central database in that order, each exactly once. The journal is an
 * SQLite file of its own (not the SQLite backend's database), written with
 * synchronous=FULL so a record the station acted on survives kill -9 and a
 * power cut. One process uses a journal at a time (an fcntl lock on the
 * file); it names the central database it belongs to and refuses another
 * one while records wait for delivery.
 *
 * Threads: every function may be called from any thread; calls are
 * serialised by the journal's own mutex.
 */
#ifndef GANG_DB_JOURNAL_H
#define GANG_DB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct gang_journal gang_journal;

/* What a record says happened (stored as its number; never renumber). */
typedef enum gang_journal_kind {
	GANG_JREC_BEGIN = 1,   /* s: slot, probe, batch, profile, profile sha, image sha, operator; n0 rework */
	GANG_JREC_IDENTIFY,    /* s: uid, part, connect mode, option bytes; n0 RDP before (db.h code, 5: 0.5; -1 unknown) */
	GANG_JREC_SERIAL_TEXT, /* s0: the rendered serial */
	GANG_JREC_STEP,        /* s0 step, s1 detail; n0 result, n1 duration ms */
	GANG_JREC_FINISH,      /* s0 error class, s1 error message; n0 result */
	GANG_JREC_SIGHTING,    /* s: uid, slot, probe, batch, operator, pass station; n0 pass seq */
	GANG_JREC_BIND,        /* s0 pool, s1 uid, s2 part; n0 value: a leased serial bound while offline */
	GANG_JREC_SERIAL,      /* s0 pool, s1 uid; n0 value: the attempt's serial, bound centrally online */
} gang_journal_kind;

#define GANG_JOURNAL_TEXTS 7

/* One record; texts NULL for SQL NULL. Read records own their texts (gang_journal_rec_clear). */
typedef struct gang_journal_rec {
	int64_t seq;          /* the record's number at the station (set by append) */
	gang_journal_kind kind;
	int64_t attempt_seq;  /* the attempt it belongs to (0: none) */
	char at[32];          /* UTC ISO 8601 with milliseconds, the station's clock (set by append) */
	const char *s[GANG_JOURNAL_TEXTS];
	int64_t n[2];
} gang_journal_rec;

/* A record's state once the delivery worker settled it. */
typedef enum gang_journal_state {
	GANG_JOURNAL_PENDING = 0,
	GANG_JOURNAL_DELIVERED,
	GANG_JOURNAL_REFUSED,  /* the central database refused it (code and sentence kept) */
} gang_journal_state;

/* The default file: $XDG_STATE_HOME/gang/journal-<station>-<8 hex of database>.db (~/.local/state/...). */
int gang_journal_default_path(char *out, size_t cap, const char *station, const char *database, gang_diag *d);

/*
 * Open (creating it and its directory) the journal at path for station's
 * records to database (shown URI, no password). GANG_EDB when another gang
 * holds it, when it belongs to another station, or to another database
 * while records wait; GANG_EFILE when it cannot be created. *out NULL on
 * failure.
 */
int gang_journal_open(gang_journal **out, const char *path, const char *station, const char *database,
		      gang_diag *d);
void gang_journal_close(gang_journal *j);
const char *gang_journal_path(const gang_journal *j);
const char *gang_journal_station(const gang_journal *j);

/* What a journal holds, for `gang db pending`. */
typedef struct gang_journal_summary {
	char station[96];
	char database[1024];
	int64_t pending, refused, delivered;
} gang_journal_summary;

/*
 * Read path's summary without taking the journal (a run may be using it):
 * GANG_EFILE when there is no such journal, GANG_EDB when it is not one.
 */
int gang_journal_peek(gang_journal_summary *out, const char *path, gang_diag *d);

/* Write r durably (r->seq and r->at are set); texts borrowed for the call. */
int gang_journal_append(gang_journal *j, gang_journal_rec *r, gang_diag *d);
/* The oldest pending record into out (*found 0: none); clear it with gang_journal_rec_clear. */
int gang_journal_next(gang_journal_rec *out, int *found, gang_journal *j, gang_diag *d);
/*
 * The oldest pending records, in order, into out[0 .. *n_out - 1] (at most
 * cap); clear each with gang_journal_rec_clear. On an error none is held.
 */
int gang_journal_next_n(gang_journal_rec *out, size_t cap, size_t *n_out, gang_journal *j, gang_diag *d);
void gang_journal_rec_clear(gang_journal_rec *r);
/* Settle record seq: delivered (code GANG_OK) or refused with code and sentence. */
int gang_journal_settle(gang_journal *j, int64_t seq, int code, const char *sentence, gang_diag *d);
/* r[0 .. n - 1] delivered, in one local transaction (their central COMMIT is behind them). */
int gang_journal_settle_delivered(gang_journal *j, const gang_journal_rec *r, size_t n, gang_diag *d);
/* Record seq's state, and for a refusal its code and sentence (into msg). */
int gang_journal_outcome(gang_journal_state *state, int *code, char *msg, size_t cap, gang_journal *j, int64_t seq,
			 gang_diag *d);
/* The first record of attempt attempt_seq the central database refused (*found 0: none), its code and sentence. */
int gang_journal_attempt_refusal(int *found, int *code, char *msg, size_t cap, gang_journal *j, int64_t attempt_seq,
				 gang_diag *d);
/* The attempt's last record written (0: none). */
int gang_journal_attempt_last(int64_t *out, gang_journal *j, int64_t attempt_seq, gang_diag *d);
/* How many records wait for delivery, and how many the central database refused. */
int gang_journal_counts(int64_t *pending, int64_t *refused, gang_journal *j, gang_diag *d);
/* Attempts begun in the journal that it has no result for (malloc'd, *n_out of them; free()). */
int gang_journal_open_attempts(int64_t **out, size_t *n_out, gang_journal *j, gang_diag *d);
/*
 * Number the next records after floor at least: the central database
 * already holds deliveries of this station up to floor (a journal lost or
 * replaced), and a record reusing one of their numbers would be taken for
 * one delivered already.
 */
int gang_journal_seq_floor(gang_journal *j, int64_t floor, gang_diag *d);
/* The highest attempt number the journal holds (0: none). */
int gang_journal_max_attempt(int64_t *out, gang_journal *j, gang_diag *d);

#endif
