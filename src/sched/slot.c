/*
 * slot.c — the life of one slot thread: open its ST-Link (and reopen it
 * after an unplug), take its stable label from the database slot map, then
 * loop: wait for a board, claim it from the --boards budget, run the
 * profile (with retries), announce the result, wait until the board is
 * taken out. Everything here is owned by the slot thread; only the run's
 * counters are shared (sched.c).
 */
#include "sched/job.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profile/profile.h"
#include "target/target.h"

#define SLOT_POLL_MS 300U          /* board presence poll */
#define SLOT_REOPEN_MS 500U        /* reopen an unplugged probe */
#define SLOT_BOARD_MIN_MV 1500U    /* a powered board */
/*
 * Attempts cut off by the probe (lost USB commands, a reset ST-Link) on one
 * board: each is followed by a back-off that doubles from SLOT_BACKOFF_MS;
 * after SLOT_MAX_ABORTS in a row the slot gives up instead of looping.
 */
#define SLOT_MAX_ABORTS 5
#define SLOT_BACKOFF_MS 250U
/* Probe losses closer together than this are one storm: one event with a count. */
#define SLOT_STORM_S 60.0

typedef struct slot_ctx {
	sched_slot *s;
	gang_db *db;
	gang_stlink *sl;
	bool down_reported;  /* this outage was announced (slot_down) */
	bool down_shown;     /* the last slot_down reached the operator: slot_up follows it */
	double storm_t0;     /* first probe loss of the current storm (0: none) */
	unsigned storm_n;    /* probe losses in it */
	unsigned aborts;     /* attempts cut off by the probe since a board was finished */
} slot_ctx;

static void slot_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000U, (long)(ms % 1000U) * 1000000L };

	nanosleep(&ts, NULL);
}

static void slot_emit(sched_slot *s, gang_event_kind kind, const char *msg)
{
	gang_event ev = { .kind = kind, .message = msg };

	sched_emit(s, &ev);
}

/*
 * Probe gone: close it and report the outage once; the loop reopens it.
 * Losses within SLOT_STORM_S of the storm's first are counted, not
 * announced one by one: the operator sees one slot_down, then its count.
 */
static void slot_probe_lost(slot_ctx *c, int err)
{
	double now = gang_now_unix();
	char msg[256];

	gang_stlink_close(c->sl);
	c->sl = NULL;
	sched_uid_drop(c->s);
	if (c->down_reported)
		return;
	c->down_reported = true;
	if (c->storm_t0 == 0 || now - c->storm_t0 > SLOT_STORM_S) {
		c->storm_t0 = now;
		c->storm_n = 0;
	}
	c->storm_n++;
	gang_log_warn(&c->s->log, "probe lost (%u in %.0f s): %s (%s)", c->storm_n, now - c->storm_t0,
		      gang_strerror(err), c->s->diag.msg);
	c->down_shown = c->storm_n == 1 || c->storm_n % 10 == 0;
	if (!c->down_shown)
		return;
	if (c->storm_n == 1)
		snprintf(msg, sizeof(msg), "%s", gang_strerror(err));
	else
		snprintf(msg, sizeof(msg), "%s (lost %u times in %.0f s)", gang_strerror(err), c->storm_n,
			 now - c->storm_t0);
	slot_emit(c->s, GANG_EV_SLOT_DOWN, msg);
}

/* Open the probe (quiet: inside a board, after a cut-off attempt; no slot_up). */
static int slot_open(slot_ctx *c, bool quiet)
{
	sched_slot *s = c->s;
	char label[GANG_DB_LABEL_MAX];
	int err;

	err = gang_stlink_open(&c->sl, s->run->usb, s->selector, &s->diag);
	if (err < 0)
		return err;
	/* Records the probe's firmware; the label was assigned at discovery and stays. */
	err = gang_db_probe_seen(label, sizeof(label), c->db, s->id.serial, s->id.port_path, s->id.model,
				 gang_stlink_get_version(c->sl)->text, &s->diag);
	if (err < 0)
		return err;
	c->down_reported = false;
	if (!quiet && (c->down_shown || !c->storm_t0))
		slot_emit(s, GANG_EV_SLOT_UP, NULL);
	c->down_shown = false;
	return GANG_OK;
}

/* The run is ending for this slot (stop requested, or the budget is spent). */
static bool slot_stopping(sched_slot *s)
{
	return sched_stop_level(s->run) != SCHED_RUN;
}

static bool slot_paused(sched_slot *s)
{
	bool p;

	pthread_mutex_lock(&s->run->mu);
	p = s->paused;
	pthread_mutex_unlock(&s->run->mu);
	return p;
}

/* The board's UID without halting, resetting or writing it; "" when it does not answer. */
static int slot_peek_uid(char *uid, size_t cap, slot_ctx *c)
{
	gang_target_info info;
	int err = gang_target_peek(&info, c->sl, c->s->run->cfg->profile->swd_khz);

	uid[0] = '\0';
	if (err == GANG_OK)
		snprintf(uid, cap, "%s", info.uid);
	gang_diag_clear(&c->s->diag);
	/* a silent or unknown board is an answer here ("no UID"), not a probe failure */
	return err == GANG_ETARGET_NOSWD || err == GANG_EWRONG_PART || err == GANG_ENO_BOARD ||
			       err == GANG_ETARGET_FAULT ? GANG_OK : err;
}

/*
 * The board that answered went silent: swapped for one whose firmware
 * disables SWD, or the finished board's own firmware turned SWD off late
 * (after a bootloader's wait). Only a look under reset tells them apart
 * (RM0008 debug support: connect under reset); it restarts the firmware,
 * which is harmless on a finished board. True when it is another board,
 * or when NRST cannot tell (not wired: assume a swap, as before this
 * check).
 */
static bool slot_silence_is_new_board(slot_ctx *c)
{
	gang_connect_opts o = { .mode = GANG_CONNECT_UNDER_RESET, .swd_khz = c->s->run->cfg->profile->swd_khz };
	gang_target *t = NULL;
	bool other = true;

	if (gang_target_attach(&t, c->sl, &o) == GANG_OK)
		other = strcmp(gang_target_info_get(t)->uid, c->s->last_uid) != 0;
	gang_target_detach(t, GANG_DETACH_RESET);
	gang_diag_clear(&c->s->diag);
	if (!other)
		gang_log_info(&c->s->log, "board %s went silent on SWD (its firmware turns SWD off); still the "
			      "finished board", c->s->last_uid);
	return other;
}

/*
 * Wait until a board that has not been programmed in this slot sits in the
 * fixture: a powered board after a removal, or — for a swap so quick that
 * the supply never dropped — a different UID, or silence from a board that
 * answered before, confirmed under reset to be another board (the new one's
 * firmware disables SWD). A finished board whose own firmware silences SWD
 * is recognised as replaced only through its supply dropping, or a
 * different UID answering. GANG_ECANCELLED when the run ends.
 */
static int slot_wait_board(slot_ctx *c)
{
	sched_slot *s = c->s;
	unsigned mv = 0;
	bool answered = false;   /* the finished board answered a UID peek since release */
	bool self_silent = false; /* ...and was found to turn SWD off by itself (looked under reset) */
	bool told_silent = false; /* the log says the released board went silent */
	bool swapped;
	char uid[32];
	int err;

	slot_emit(s, GANG_EV_WAITING, NULL);
	for (;;) {
		if (slot_stopping(s))
			return GANG_ECANCELLED;
		if (!slot_paused(s)) {
			if ((err = gang_stlink_target_voltage(&mv, c->sl)) < 0)
				return err;
			if (mv < SLOT_BOARD_MIN_MV && s->last_uid[0]) {
				s->last_uid[0] = '\0';
				sched_uid_drop(s);
				slot_emit(s, GANG_EV_REMOVED, NULL);
			} else if (mv >= SLOT_BOARD_MIN_MV && !s->last_uid[0]) {
				return GANG_OK;
			} else if (mv >= SLOT_BOARD_MIN_MV) {
				/* the peek only reads, so every poll may look (detection within one poll) */
				if ((err = slot_peek_uid(uid, sizeof(uid), c)) < 0)
					return err;
				/*
				 * A different UID, or silence from a board that answered and is
				 * another: swapped. Once the finished board is known to fall
				 * silent by itself, silence is no news (one look under reset only).
				 */
				swapped = uid[0] ? strcmp(uid, s->last_uid) != 0 :
						   answered && !self_silent && slot_silence_is_new_board(c);
				self_silent |= !uid[0] && answered && !swapped;
				if (!uid[0] && !answered && !told_silent) {
					gang_log_info(&s->log, "board %s: no answer on SWD since its release — its "
						      "firmware took the SWD pins (the next connection needs NRST)",
						      s->last_uid);
					told_silent = true;
				}
				if (swapped) {
					s->last_uid[0] = '\0';
					sched_uid_drop(s);
					slot_emit(s, GANG_EV_REMOVED, NULL);
					return GANG_OK;
				}
				answered = uid[0] != '\0';
			}
		}
		slot_sleep_ms(SLOT_POLL_MS);
	}
}

/* A pool ran dry on this board: every slot stops before its next one, saying which pool. */
static void slot_set_dry(sched_slot *s, const job_outcome *o)
{
	char msg[160];

	if (o->err == GANG_ESERIAL_EXHAUSTED)
		snprintf(msg, sizeof(msg), "serial pool '%s' is exhausted — this slot stopped; ask the engineer",
			 s->run->cfg->profile->serial.pool);
	else
		snprintf(msg, sizeof(msg), "%.100s — this slot stopped; ask the engineer", o->what);
	sched_set_pool_exhausted(s->run, o->err, msg);
}

static gang_ev_result slot_result_of(const job_outcome *o)
{
	if (o->already)
		return GANG_RESULT_ALREADY;
	return o->result == GANG_ATTEMPT_PASS ? GANG_RESULT_PASS
	       : o->result == GANG_ATTEMPT_FAIL ? GANG_RESULT_FAIL : GANG_RESULT_ABORTED;
}

static void slot_result(sched_slot *s, const job_outcome *o, int attempts, double t0)
{
	bool said = o->err || o->already;
	gang_event ev = { .kind = GANG_EV_RESULT, .result = slot_result_of(o), .uid = o->uid,
			  .serial = o->serial, .attempt = attempts, .elapsed_s = gang_now_unix() - t0,
			  .message = said ? o->sentence : NULL,
			  .error_class = o->err ? gang_err_class(o->err) : NULL,
			  .detail = o->err ? o->detail : NULL };

	sched_emit(s, &ev);
}

/*
 * Something this slot cannot go on without failed: the database cannot
 * record boards (disk full, read-only, gone) — programming boards that
 * cannot be traced would be worse, and retrying at once would spin — or
 * the probe keeps cutting attempts off, or the serial pool ran dry. The slot
 * stops with one sentence; the run reports the first such failure (exit
 * status by its code).
 */
static void slot_stop(sched_slot *s, int code, const char *sentence, const char *detail)
{
	/* with a class the console and the plain line say the slot stopped, not that its probe is gone */
	gang_event ev = { .kind = GANG_EV_SLOT_DOWN, .message = sentence, .error_class = gang_err_class(code),
			  .detail = detail };

	sched_emit(s, &ev);
	gang_log_err(&s->log, "%s (%s) — this slot stops", sentence, detail[0] ? detail : gang_strerror(code));
	pthread_mutex_lock(&s->run->mu);
	/* no detail: the exit line says the sentence once, not "sentence (sentence)" */
	if (!s->run->stop_diag.code)
		gang_diag_set(&s->run->stop_diag, code, "%s", detail);
	pthread_mutex_unlock(&s->run->mu);
}

static void slot_db_stop(sched_slot *s, const char *detail)
{
	slot_stop(s, GANG_EDB, gang_strerror(GANG_EDB), detail);
}

/* A note that the board gets another attempt: what happened, never the final advice. */
static void slot_retry_note(sched_slot *s, const job_outcome *o, int attempt, unsigned wait_ms)
{
	char msg[sizeof(o->what) + 64];
	gang_event ev = { .kind = GANG_EV_NOTE, .uid = o->uid, .message = msg, .detail = o->detail };

	if (wait_ms)
		snprintf(msg, sizeof(msg), "attempt %d cut off: %s; retrying in %.1f s", attempt, o->what,
			 wait_ms / 1000.0);
	else
		snprintf(msg, sizeof(msg), "attempt %d failed: %s; retrying", attempt, o->what);
	sched_emit(s, &ev);
}

/*
 * An attempt was cut off by the probe (a lost command, a reset ST-Link):
 * back off, then reopen the probe quietly. False when it does not come
 * back (unplugged): the slot then waits for it as for any unplug.
 */
static bool slot_recover_probe(slot_ctx *c, unsigned wait_ms)
{
	gang_stlink_close(c->sl);
	c->sl = NULL;
	slot_sleep_ms(wait_ms);
	return slot_open(c, true) == GANG_OK;
}

/* The probe cut off SLOT_MAX_ABORTS attempts in a row: the slot gives up. */
static void slot_give_up(job_outcome *o, unsigned cut_off)
{
	const char *s = gang_strerror(GANG_EPROBE_FLAKY);

	o->err = GANG_EPROBE_FLAKY;
	o->result = GANG_ATTEMPT_ABORTED;
	o->retryable = false;
	snprintf(o->sentence, sizeof(o->sentence), "%s (%u attempts cut off in a row; last: %s)", s, cut_off,
		 o->what);
}

/* Attempts on one board until pass, a final failure, the probe gone, or the slot giving up. */
static int slot_attempts(job_outcome *o, slot_ctx *c, int *attempt_out)
{
	sched_slot *s = c->s;
	int retries = s->run->cfg->profile->retries, failures = 0, attempt = 0;

	for (;;) {
		attempt++;
		*attempt_out = attempt;
		job_attempt(o, s, c->db, &c->sl, attempt);
		if (o->err == GANG_OK || sched_stop_level(s->run) == SCHED_ABORT)
			return GANG_OK;
		if (o->probe_lost) {
			unsigned wait = SLOT_BACKOFF_MS << (c->aborts < 4 ? c->aborts : 4);

			if (++c->aborts >= SLOT_MAX_ABORTS) {
				slot_give_up(o, c->aborts);
				return GANG_EPROBE_FLAKY;
			}
			slot_retry_note(s, o, attempt, wait);
			if (!slot_recover_probe(c, wait))
				return o->err;
			continue;
		}
		if (!o->retryable || ++failures > retries)
			return GANG_OK;
		slot_retry_note(s, o, attempt, 0);
	}
}

/* The central database is away and the station cannot go on without it: the slot stops (issue 14). */
static bool slot_offline(int err)
{
	return err == GANG_ELEASE_OFFLINE || err == GANG_EOFFLINE_DATA;
}

/* One board: its attempts, its result, and what the slot does next. */
static int slot_board(slot_ctx *c)
{
	sched_slot *s = c->s;
	double t0 = gang_now_unix();
	job_outcome o;
	int attempt = 0;
	int err = slot_attempts(&o, c, &attempt);

	slot_result(s, &o, attempt, t0);
	if (o.result != GANG_ATTEMPT_ABORTED || o.err == GANG_ECANCELLED || o.already)
		snprintf(s->last_uid, sizeof(s->last_uid), "%s", o.uid[0] ? o.uid : "?");
	if (o.result != GANG_ATTEMPT_ABORTED && !o.already)
		c->aborts = 0;
	sched_board_done(s->run, o.already ? SCHED_BOARD_ALREADY : (sched_board_result)o.result, attempt);
	if (o.err == GANG_ESERIAL_EXHAUSTED || o.err == GANG_EPOOL_DRY)
		slot_set_dry(s, &o);
	if (err == GANG_EPROBE_FLAKY) {
		slot_stop(s, GANG_EPROBE_FLAKY, o.sentence, o.detail);
		return err;
	}
	if (o.err == GANG_EDB)
		slot_db_stop(s, o.detail);
	/* the lease is this station's: the slot stops before its next board, each slot when it gets there */
	if (slot_offline(o.err))
		slot_stop(s, o.err, gang_strerror(o.err), o.detail);
	return o.probe_lost || o.err == GANG_EDB || slot_offline(o.err) ? o.err : GANG_OK;
}

/* A pool is dry or the scans ended: stop before touching another board, and say why. */
static bool slot_pool_dry(sched_slot *s)
{
	char msg[160];
	int why = 0;

	if (!sched_pool_exhausted(s->run, msg, sizeof(msg), &why))
		return false;
	{
		gang_event ev = { .kind = GANG_EV_SLOT_DOWN, .message = msg, .error_class = gang_err_class(why) };

		sched_emit(s, &ev);
	}
	gang_log_err(&s->log, "%s", msg);
	return true;
}

static void slot_loop(slot_ctx *c)
{
	sched_slot *s = c->s;
	int err;

	while (!slot_stopping(s)) {
		if (!c->sl) {
			if (slot_open(c, false) < 0) {
				slot_probe_lost(c, s->diag.code ? s->diag.code : GANG_EPROBE_GONE);
				slot_sleep_ms(SLOT_REOPEN_MS);
				continue;
			}
		}
		err = slot_wait_board(c);
		if (err == GANG_ECANCELLED)
			break;
		if (err < 0) {
			slot_probe_lost(c, err);
			continue;
		}
		if (slot_pool_dry(s) || !sched_claim_board(s->run))
			break;
		if (s->run->cfg->sync && !sched_sync_wait(s->run))
			break;
		err = slot_board(c);
		if (err == GANG_EDB || err == GANG_EPROBE_FLAKY || slot_offline(err))
			break;
		if (err < 0)
			slot_probe_lost(c, err);
	}
}

/*
 * Another program holds the database (a backup, a report, an sqlite3
 * shell): the board waits, it has not failed. Told by the database handle
 * while it waits (gang_db_on_wait), on this slot's thread.
 */
static void slot_db_wait(void *user, uint32_t waited_ms, int done)
{
	sched_slot *s = user;
	char msg[64];

	if (done)
		snprintf(msg, sizeof(msg), "database free again after %u s", (waited_ms + 500U) / 1000U);
	else
		snprintf(msg, sizeof(msg), "database busy — waiting (%u s)", waited_ms / 1000U);
	slot_emit(s, GANG_EV_NOTE, msg);
	gang_log_warn(&s->log, "%s", msg);
}

void *sched_slot_main(void *arg)
{
	sched_slot *s = arg;
	slot_ctx c = { .s = s };
	const gang_run_cfg *cfg = s->run->cfg;

	char prefix[48];

	snprintf(prefix, sizeof(prefix), "[%s %.8s]", s->label, s->id.serial);
	gang_log_init(&s->log, cfg->log_fp, cfg->log_level, prefix);
	if (gang_db_open_worker(&c.db, cfg->db, &s->diag) < 0) {
		slot_db_stop(s, s->diag.msg);
	} else {
		gang_db_on_wait(c.db, slot_db_wait, s);
		slot_loop(&c);
	}
	gang_stlink_close(c.sl);
	gang_db_close(c.db);
	pthread_mutex_lock(&s->run->mu);
	s->finished = true;
	pthread_cond_broadcast(&s->run->cv);
	pthread_mutex_unlock(&s->run->mu);
	return NULL;
}
