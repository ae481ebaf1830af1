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

typedef struct slot_ctx {
	sched_slot *s;
	gang_db *db;
	gang_stlink *sl;
	bool down_reported;
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

/* Probe gone: close it and report once; the loop reopens it. */
static void slot_probe_lost(slot_ctx *c, int err)
{
	gang_stlink_close(c->sl);
	c->sl = NULL;
	if (!c->down_reported) {
		slot_emit(c->s, GANG_EV_SLOT_DOWN, gang_strerror(err));
		gang_log_warn(&c->s->log, "probe lost: %s (%s)", gang_strerror(err), c->s->diag.msg);
		c->down_reported = true;
	}
}

/* Open the probe; the first time also learn the slot label. */
static int slot_open(slot_ctx *c)
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
	slot_emit(s, GANG_EV_SLOT_UP, NULL);
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
 * (stm32-targets.md §5.3); it restarts the firmware, which is harmless on
 * a finished board. True when it is another board, or when NRST cannot
 * tell (not wired: assume a swap, as before this check).
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
				if (swapped) {
					s->last_uid[0] = '\0';
					slot_emit(s, GANG_EV_REMOVED, NULL);
					return GANG_OK;
				}
				answered = uid[0] != '\0';
			}
		}
		slot_sleep_ms(SLOT_POLL_MS);
	}
}

static void slot_result(sched_slot *s, const job_outcome *o, int attempts, double t0)
{
	gang_event ev = { .kind = GANG_EV_RESULT, .result = o->result, .uid = o->uid,
			  .serial = o->serial, .attempt = attempts, .elapsed_s = gang_now_unix() - t0,
			  .message = o->err ? o->sentence : NULL,
			  .error_class = o->err ? gang_err_class(o->err) : NULL,
			  .detail = o->err ? o->detail : NULL };

	sched_emit(s, &ev);
}

/*
 * The database cannot record boards (disk full, read-only, gone): this slot
 * stops — programming boards that cannot be traced would be worse, and
 * retrying at once would spin — and the run reports the failure (exit 4).
 */
static void slot_db_stop(sched_slot *s, const char *detail)
{
	/* class "database": the console says the slot stopped, not that its probe is gone */
	gang_event ev = { .kind = GANG_EV_SLOT_DOWN, .message = gang_strerror(GANG_EDB),
			  .error_class = gang_err_class(GANG_EDB), .detail = detail };

	sched_emit(s, &ev);
	gang_log_err(&s->log, "database: %s — this slot stops", detail[0] ? detail : gang_strerror(GANG_EDB));
	pthread_mutex_lock(&s->run->mu);
	/* no detail: the exit line says the sentence once, not "sentence (sentence)" */
	if (!s->run->db_diag.code)
		gang_diag_set(&s->run->db_diag, GANG_EDB, "%s", detail);
	pthread_mutex_unlock(&s->run->mu);
}

/* One board: attempts until pass, a final failure, or the probe is lost. */
static int slot_board(slot_ctx *c)
{
	sched_slot *s = c->s;
	int retries = s->run->cfg->profile->retries;
	double t0 = gang_now_unix();
	job_outcome o;
	int attempt = 0;

	do {
		attempt++;
		job_attempt(&o, s, c->db, c->sl, attempt);
		if (o.err != GANG_OK && o.retryable && attempt <= retries) {
			char msg[sizeof(o.sentence) + 40];
			gang_event ev = { .kind = GANG_EV_NOTE, .uid = o.uid, .message = msg, .detail = o.detail };

			snprintf(msg, sizeof(msg), "attempt %d failed (%s); retrying", attempt, o.sentence);

			sched_emit(s, &ev);
		}
	} while (o.err != GANG_OK && o.retryable && attempt <= retries &&
		 sched_stop_level(s->run) != SCHED_ABORT);
	slot_result(s, &o, attempt, t0);
	if (strcmp(o.result, "aborted") != 0 || o.err == GANG_ECANCELLED)
		snprintf(s->last_uid, sizeof(s->last_uid), "%s", o.uid[0] ? o.uid : "?");
	sched_board_done(s->run, o.result, attempt);
	if (o.err == GANG_EDB)
		slot_db_stop(s, o.detail);
	return o.probe_lost || o.err == GANG_EDB ? o.err : GANG_OK;
}

static void slot_loop(slot_ctx *c)
{
	sched_slot *s = c->s;
	int err;

	while (!slot_stopping(s)) {
		if (!c->sl) {
			if (slot_open(c) < 0) {
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
		if (!sched_claim_board(s->run))
			break;
		if (s->run->cfg->sync && !sched_sync_wait(s->run))
			break;
		if ((err = slot_board(c)) == GANG_EDB)
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
