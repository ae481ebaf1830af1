/*
 * job.c — one attempt on one board: the steps of the profile's plan
 * (profile.h gang_plan), each timed, recorded (steps table, result as an
 * enum) and announced (events), with the target as the step needs it. The
 * first failing step ends the attempt; the attempt row is closed exactly
 * once, at the plan's pass marker or at the failure; steps after the pass
 * are recorded but cannot change it. A pass is
 * recorded only after verify, and committed before the board is released
 * into its firmware: once the pass is on disk nothing the firmware does
 * (turning the SWD pins into GPIO at once, for instance) can undo it, and a
 * crash between the two leaves a recorded pass on a halted board rather than
 * a released board without a record. The engineer's detail goes to the log
 * and the database; the operator gets one sentence.
 *
 * A board that already passed with this profile and image is not programmed
 * again (unless the run says --rework): only the sighting is recorded.
 */
#include "sched/job.h"
#include "sched/job_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flash/flash.h"
#include "flash/ob.h"
#include "image/image.h"
#include "profile/profile.h"
#include "serial/serial_alloc.h"
#include "serial/serial_format.h"
#include "serial/serial_lease.h"
#include "target/target.h"

#define JOB_ALREADY 2            /* the board passed before with this profile and image */
#define JOB_PROGRESS_EVERY_S 0.1 /* progress events at most this often */
#define JOB_BOARD_MIN_MV 1500U   /* below this the board lost its supply */

/* The database records RDP level 0.5 by the code the option bytes give it (db.h, flash/ob.h). */
_Static_assert(GANG_DB_RDP_LEVEL05 == GANG_OB_RDP_LEVEL05, "one code for RDP level 0.5");

void job_event(job *j, gang_event_kind kind, gang_event *ev)
{
	ev->kind = kind;
	ev->uid = j->uid;
	ev->serial = j->serial_text;
	ev->attempt = j->attempt;
	sched_emit(j->s, ev);
}

static void job_progress(void *user, const char *step, uint64_t done, uint64_t total)
{
	job *j = user;
	double now = gang_now_unix();
	gang_event ev = { 0 };

	if (j->pstep != step && (!j->pstep || strcmp(j->pstep, step) != 0)) {
		j->pstep = step;
		j->p_t0 = now;
		j->p_last = 0;
	}
	if (done < total && now - j->p_last < JOB_PROGRESS_EVERY_S)
		return;
	j->p_last = now;
	ev.step = step;
	ev.done = done;
	ev.total = total;
	ev.rate_kib_s = now > j->p_t0 ? (double)done / 1024.0 / (now - j->p_t0) : 0.0;
	job_event(j, GANG_EV_PROGRESS, &ev);
}

#define JOB_OB_RECORD_MIN 16U

/* The option bytes as read, hex, for the attempt record; "" if unreadable. */
static void job_ob_hex(char *out, size_t cap, gang_target *t)
{
	uint8_t raw[GANG_OB_RAW_LEN];
	size_t len = 0;
	gang_ob ob;

	out[0] = '\0';
	if (cap < 2 * GANG_OB_RAW_LEN + 1 || gang_ob_read_len(&ob, &len, t) < 0) {
		gang_diag_clear(gang_target_diag(t));
		return;
	}
	gang_ob_encode(raw, &ob, gang_target_part(t)->family);
	/* 16 bytes as always, more where the part's block is longer (L1: WRP words up to 0x1FF80084) */
	len = len > JOB_OB_RECORD_MIN ? len : JOB_OB_RECORD_MIN;
	for (size_t i = 0; i < len && i < GANG_OB_RAW_LEN; i++)
		snprintf(out + 2 * i, 3, "%02X", raw[i]);
}

/*
 * A UID of all 0s or all 1s is what an erased or counterfeit ID area reads:
 * no two such chips can be told apart, so none may be traced.
 */
static bool job_uid_blank(const char *uid)
{
	size_t n = strlen(uid);

	return n == 0 || strspn(uid, "0") == n || strspn(uid, "Ff") == n;
}

void job_note(job *j, const char *message, const char *detail)
{
	gang_event ev = { .message = message, .detail = detail };

	job_event(j, GANG_EV_NOTE, &ev);
}

/* Attach and identify; nothing is written to the board or the database yet. */
static int job_connect(job *j)
{
	const gang_profile *p = j->p;
	gang_connect_opts o = { .mode = p->connect, .swd_khz = p->swd_khz, .part = p->target,
				.should_stop = job_target_should_stop, .stop_user = j };
	const gang_target_info *info;
	char other[32];
	int err;

	if ((err = gang_target_attach(&j->t, j->sl, &o)) < 0)
		return err;
	info = gang_target_info_get(j->t);
	snprintf(j->uid, sizeof(j->uid), "%s", info->uid);
	if (job_uid_blank(info->uid))
		return gang_diag_set(j->d, GANG_EUID_BLANK, "unique ID %s (all 0s or all 1s)", info->uid);
	if (!sched_uid_hold(j->s, info->uid, other, sizeof(other)))
		return gang_diag_set(j->d, GANG_EUID_TWICE, "unique ID %s is also on the board in slot %s",
				     info->uid, other);
	job_ob_hex(j->ob_hex, sizeof(j->ob_hex), j->t);
	snprintf(j->detail, sizeof(j->detail), "%s, UID %s, %s, %u kHz, %u mV%s%s",
		 info->part ? info->part->name : "?", info->uid, gang_connect_mode_name(info->mode),
		 info->swd_khz, info->target_mv, info->note[0] ? "; " : "", info->note);
	if (info->note[0]) {
		job_note(j, info->headline, info->note);
		gang_log_warn(&j->s->log, "board %s: %s", info->uid, info->note);
	}
	return GANG_OK;
}

/* The board passed before with this profile and image: JOB_ALREADY unless --rework. */
static int job_seen_before(job *j)
{
	gang_diag dbd;
	int err = gang_db_board_last_pass(&j->seen, j->db, j->uid, j->p->sha256, j->cfg->image->sha256, &dbd);

	if (err < 0)
		return gang_diag_set(j->d, err, "%s", dbd.msg);
	return j->seen.found && !j->cfg->rework ? JOB_ALREADY : GANG_OK;
}

static void job_attempt_info(gang_attempt_info *ai, const job *j)
{
	const gang_run_cfg *cfg = j->cfg;

	*ai = (gang_attempt_info){
		.slot = j->s->label, .probe_serial = j->s->id.serial, .batch = cfg->batch,
		.profile_name = j->p->name, .profile_sha256 = j->p->sha256,
		.image_sha256 = cfg->image->sha256, .operator_name = cfg->operator_name,
		.station = cfg->station, .rework = j->seen.found,
	};
}

/* Open the attempt row; then what connect found, and the connect step. */
static int job_begin(job *j, int connect_err, double t0)
{
	const gang_target_info *info = j->t ? gang_target_info_get(j->t) : NULL;
	gang_attempt_info ai;
	gang_attempt_target at = { 0 };
	gang_step_result r = connect_err < 0 ? GANG_STEP_FAIL : GANG_STEP_PASS;
	gang_diag dbd;
	int err;

	job_attempt_info(&ai, j);
	if ((err = gang_db_attempt_begin(&j->key, j->db, &ai, &dbd)) < 0)
		return gang_diag_set(j->d, err, "%s", dbd.msg);
	if (info && j->uid[0]) {
		at.uid = j->uid;
		at.part = info->part ? info->part->name : NULL;
		at.connect_mode = gang_connect_mode_name(info->mode);
		at.rdp_before = info->rdp_level05 ? GANG_DB_RDP_LEVEL05 : info->rdp_level;
		at.option_bytes = j->ob_hex[0] ? j->ob_hex : NULL;
		if ((err = gang_db_attempt_identify(j->db, &j->key, &at, &dbd)) < 0)
			return gang_diag_set(j->d, err, "%s", dbd.msg);
	}
	err = gang_db_step(j->db, &j->key, "connect", r, (uint32_t)((gang_now_unix() - t0) * 1000.0),
			   connect_err < 0 ? j->d->msg : j->detail, &dbd);
	return err < 0 ? gang_diag_set(j->d, err, "%s", dbd.msg) : GANG_OK;
}

/* Reserve (or find) the UID's serial, encode it, patch a per-board image copy. */
static int job_serial(job *j)
{
	const gang_profile_serial *ps = &j->p->serial;
	uint8_t bytes[128];
	size_t len = 0;
	uint64_t value;
	time_t now = time(NULL);
	int err;

	if (!ps->present)
		return JOB_SKIPPED;
	err = j->cfg->lease ? gang_serial_lease_reserve(&value, j->cfg->lease, j->db, j->uid, NULL, &j->key, j->d)
			    : gang_serial_reserve(&value, j->db, ps->pool, j->uid, &j->key, j->d);
	if (err < 0)
		return err;
	if ((err = gang_serial_encode(bytes, &len, sizeof(bytes), &ps->fmt, value, now, j->d)) < 0)
		return err;
	gang_serial_format_text(j->serial_text, sizeof(j->serial_text), &ps->fmt, value, now);
	if ((err = gang_image_clone(&j->img, j->cfg->image)) < 0)
		return gang_diag_set(j->d, err, "cannot copy the image for serial injection");
	if ((err = gang_image_patch(j->img, ps->address, bytes, len, ps->overlay, j->d)) < 0)
		return err;
	snprintf(j->detail, sizeof(j->detail), "pool %s value %" PRIu64 " \"%s\" at 0x%08" PRIX32, ps->pool, value,
		 j->serial_text, ps->address);
	return gang_db_attempt_serial_text(j->db, &j->key, j->serial_text, j->d);
}

/* RDP level 1: unprotect (mass erase) only when the profile allows it. */
static int job_unprotect(job *j)
{
	const gang_target_info *info = gang_target_info_get(j->t);
	int err;

	if (info->rdp_level < 1)
		return JOB_SKIPPED;
	if (!j->p->ob.allow_unprotect)
		return gang_diag_set(j->d, GANG_EREAD_PROTECTED,
				     "RDP level %d; option_bytes.allow_unprotect is not set in the profile",
				     info->rdp_level);
	if ((err = gang_flash_unprotect(j->t)) < 0)
		return err;
	j->unprotected = true;
	snprintf(j->detail, sizeof(j->detail), "RDP 1 -> 0: chip mass-erased by the regression");
	job_note(j, "read protection removed — chip was mass-erased", NULL);
	return GANG_OK;
}

const gang_image *job_image(const job *j)
{
	return j->img ? j->img : j->cfg->image;
}

static int job_program(job *j)
{
	gang_program_opts o = { .erase = j->p->erase, .allow_unprotect = false,
				.progress = job_progress, .user = j };
	int err = job_same(j);

	if (err != GANG_OK)
		return err;
	err = gang_flash_program_image(j->t, job_image(j), &o);
	if (err == GANG_OK)
		snprintf(j->detail, sizeof(j->detail), "%zu bytes, erase %s", gang_image_size(job_image(j)),
			 gang_erase_mode_name(j->p->erase));
	return err;
}

static int job_verify(job *j)
{
	if (j->p->verify == GANG_VERIFY_NONE)
		return JOB_SKIPPED;
	snprintf(j->detail, sizeof(j->detail), "%s", gang_verify_mode_name(j->p->verify));
	return gang_flash_verify(j->t, job_image(j), j->p->verify, job_progress, j);
}

/* The WRP words protecting the profile's pages (bit = 0 protected), false when it sets none. */
static bool job_ob_wrp(gang_ob_wrp_bits *out, const gang_profile_ob *pob, const gang_part *part)
{
	gang_ob_wrp_none(out, part->family);
	for (size_t i = 0; pob->wrp_set && i < pob->n_wrp; i++)
		gang_ob_wrp_protect(out, pob->wrp_pages[i], part);
	return pob->wrp_set;
}

/* The profile's option bytes as named fields of the part's family (its driver's names). */
static int job_ob_want(gang_ob_want *w, const gang_profile_ob *pob, const gang_part *part, gang_diag *d)
{
	gang_ob_wrp_bits wrp;
	bool wrp_set = job_ob_wrp(&wrp, pob, part);
	int err = GANG_OK;

	gang_ob_want_init(w);
	if (pob->rdp >= 0)
		err = gang_ob_want_set(w, part->family, "RDP", pob->rdp, d);
	for (size_t i = 0; i < pob->n_fields && err == GANG_OK; i++)
		err = gang_ob_want_set_part(w, part, pob->fields[i].name, pob->fields[i].value, d);
	if (err == GANG_OK && wrp_set)
		err = gang_ob_want_wrp(w, &wrp, part->family, d);
	return err;
}

static int job_option_bytes(job *j)
{
	const gang_profile_ob *pob = &j->p->ob;
	gang_ob_write_opts o = { .allow_rdp_regression = pob->allow_unprotect,
				 .confirm_level2 = pob->confirm_lock ? GANG_OB_LEVEL2_CONFIRM : NULL };
	gang_ob_want w;
	gang_ob now;
	char note[200] = "";
	bool changed = false;
	int err;

	if (!pob->present)
		return JOB_SKIPPED;
	if ((err = job_ob_want(&w, pob, gang_target_part(j->t), j->d)) < 0 ||
	    (err = gang_ob_write(&changed, j->t, &w, &o)) < 0)
		return err;
	/* what the new option bytes mean beyond their fields (H7: which bank now answers at 0x08000000) */
	if (changed && gang_ob_read(&now, j->t) == GANG_OK)
		gang_ob_note(note, sizeof(note), &now, gang_target_part(j->t));
	snprintf(j->detail, sizeof(j->detail), "%s%s%s", changed ? "written, reloaded and confirmed" : "already as wanted",
		 note[0] ? "; " : "", note);
	return changed ? GANG_OK : JOB_SKIPPED;
}

/*
 * What happened, for the operator, without advice: "verify failed at
 * 0x08000004". The advice (set the board aside, ask the engineer) is added
 * only to a final result, never to a note that announces a retry.
 */
static void job_what(char *out, size_t cap, int err, const gang_diag *d, const gang_profile *p)
{
	const char *s = gang_strerror(err);
	const char *dash = strstr(s, " — ");

	switch (err) {
	case GANG_EVERIFY:
	case GANG_EFLASH:
	case GANG_EWRITE_PROTECTED:
		if (d != NULL && d->has_addr) {
			snprintf(out, cap, "%s at 0x%08" PRIX32, err == GANG_EVERIFY ? "verify failed" :
				 err == GANG_EFLASH ? "flash programming failed" : "flash is write-protected", d->addr);
			return;
		}
		break;
	case GANG_EREAD_PROTECTED:
		snprintf(out, cap, "the chip is read-protected (RDP 1) and the profile does not allow removing it "
			 "(option_bytes.allow_unprotect)");
		return;
	case GANG_ESERIAL_EXHAUSTED:
		snprintf(out, cap, "serial pool '%s' is exhausted", p->serial.pool);
		return;
	case GANG_EPOOL_DRY:
	case GANG_ESCAN_TAKEN:
	case GANG_ECANCELLED:    /* "stopped by the operator during program at 0x08004000" */
		if (d != NULL && d->msg[0]) {
			snprintf(out, cap, "%.190s", d->msg);
			return;
		}
		break;
	default:
		break;
	}
	snprintf(out, cap, "%.*s", dash ? (int)(dash - s) : (int)strlen(s), s);
}

/* The advice that ends a final sentence. */
static const char *job_advice(int err)
{
	const char *s = gang_strerror(err);
	const char *dash = strstr(s, " — ");

	switch (err) {
	case GANG_EVERIFY:
	case GANG_EFLASH:
	case GANG_EWRITE_PROTECTED:
	case GANG_EREAD_PROTECTED:
	case GANG_ESTEP:
	case GANG_ESCAN_TAKEN:
		return "set board aside";
	case GANG_ESERIAL_EXHAUSTED:
	case GANG_EPOOL_DRY:
		return "stop and ask the engineer";
	default:
		return dash ? dash + strlen(" — ") : NULL;
	}
}

typedef int (*job_step_fn)(job *j);

/* What runs each kind of step; index = gang_step_kind (connect and pass are the attempt's own). */
static const job_step_fn job_kind_fn[] = {
	[GANG_KIND_SCAN] = job_scan,
	[GANG_KIND_SERIAL] = job_serial,
	[GANG_KIND_DATA] = job_data,
	[GANG_KIND_CHECKSUM] = job_checksum,
	[GANG_KIND_UNPROTECT] = job_unprotect,
	[GANG_KIND_PROGRAM] = job_program,
	[GANG_KIND_VERIFY] = job_verify,
	[GANG_KIND_OPTION_BYTES] = job_option_bytes,
	[GANG_KIND_EXEC] = job_exec,
	[GANG_KIND_MEMCHECK] = job_memcheck,
};

bool job_should_stop(void *user)
{
	const job *j = user;

	return sched_stop_level(j->s->run) == SCHED_ABORT;
}

/* A built-in step past its own deadline (program.timeout_s). */
static bool job_step_late(const job *j)
{
	const gang_plan_step *st = j->step;

	return st && !st->own && st->timeout_ms && gang_now_unix() - j->step_t0 >= st->timeout_ms / 1000.0;
}

bool job_target_should_stop(void *user)
{
	return job_should_stop(user) || job_step_late(user);
}

/* A built-in step that its deadline, not the operator, stopped: say so, keeping where it stopped. */
static int job_step_deadline(job *j, int err)
{
	char at[GANG_DIAG_LEN];
	const char *p;

	if (err != GANG_ECANCELLED || job_should_stop(j) || !job_step_late(j))
		return err;
	p = strstr(j->d->msg, " at 0x");
	snprintf(at, sizeof(at), "%s", p ? p : "");
	snprintf(j->what, sizeof(j->what), "step '%s' timed out after %" PRIu32 " s", j->step->name,
		 j->step->timeout_ms / 1000U);
	return gang_diag_set(j->d, GANG_ESTEP, "%s%s (program.timeout_s)", j->what, at);
}

/* The step's body, with the target as it needs it: a "running" step lets the firmware run, then re-attaches. */
static int job_step_body(job *j, const gang_plan_step *st)
{
	int err, rerr;

	if (st->need == GANG_NEED_RELEASED) {
		if ((err = job_probe_release(j)) < 0)
			return err;
		err = job_kind_fn[st->kind](j);
		rerr = job_probe_take(j, !st->after_pass);
		return err < 0 ? err : rerr < 0 ? rerr : err;
	}
	if (st->need != GANG_NEED_RUNNING || st->kind == GANG_KIND_MEMCHECK)
		return job_kind_fn[st->kind](j);
	if ((err = job_let_run(j)) < 0)
		return err;
	err = job_kind_fn[st->kind](j);
	rerr = job_reattach(j);
	return err < 0 ? err : rerr < 0 ? rerr : err;
}

static void job_step_event(job *j, const char *name)
{
	gang_event ev = { .step = name };

	job_event(j, GANG_EV_STEP, &ev);
}

/* Run one step: event, timing, steps-table row. Returns the step's result (< 0 failure). */
static int job_run_step(job *j, const gang_plan_step *st)
{
	gang_diag dbd;
	double t0;
	int err, dberr;
	gang_step_result r;

	if (job_should_stop(j))
		return gang_diag_set(j->d, GANG_ECANCELLED, "stopped by the operator before %s", st->name);
	job_step_event(j, st->name);
	j->step = st;
	j->detail[0] = '\0';
	j->detail_on_fail = false;
	j->what[0] = '\0';
	gang_diag_clear(j->d);
	t0 = j->step_t0 = gang_now_unix();
	err = job_step_deadline(j, job_step_body(j, st));
	if (err < 0)
		job_data_redact(j);
	r = err == JOB_SKIPPED ? GANG_STEP_SKIP : err < 0 ? GANG_STEP_FAIL : GANG_STEP_PASS;
	dberr = gang_db_step(j->db, &j->key, st->name, r, (uint32_t)((gang_now_unix() - t0) * 1000.0),
			     err < 0 && !j->detail_on_fail ? j->d->msg : j->detail, &dbd);
	if (err < 0)
		gang_log_err(&j->s->log, "%s: %s (%s)", st->name, gang_strerror(err), j->d->msg);
	else
		gang_log_info(&j->s->log, "%s: %s", st->name, r == GANG_STEP_SKIP && !j->detail[0] ? "skipped" :
			      j->detail);
	if (err >= 0 && dberr < 0)
		return gang_diag_set(j->d, dberr, "%s", dbd.msg);
	return err < 0 ? err : GANG_OK;
}

/*
 * A step after the pass: recorded, announced when it fails, never held
 * against the board (its serial is burned, its pass committed).
 */
static void job_run_after_pass(job *j, const gang_plan_step *st)
{
	char msg[240];
	int err = job_run_step(j, st);

	if (err == GANG_OK)
		return;
	snprintf(msg, sizeof(msg), "%.200s — the board passed", j->what[0] ? j->what : gang_strerror(err));
	job_note(j, msg, j->d->msg);
	gang_diag_clear(j->d);
}

static gang_detach_after job_after(const gang_profile *p)
{
	/* The profile's run and reset both start the new firmware from its reset vector. */
	return p->after == GANG_AFTER_HALT ? GANG_DETACH_HALT : GANG_DETACH_RESET;
}

static bool job_probe_error(int err)
{
	return err == GANG_EPROBE_GONE || err == GANG_EPROBE_TIMEOUT || err == GANG_EPROBE_PROTOCOL ||
	       err == GANG_EPROBE_BUSY || err == GANG_EPROBE_ACCESS;
}

static bool job_retryable(int err)
{
	switch (err) {
	case GANG_EWRONG_PART:
	case GANG_ESERIAL_EXHAUSTED:
	case GANG_ELEASE_OFFLINE:
	case GANG_EOFFLINE_DATA:
	case GANG_EPOOL_DRY:
	case GANG_ESCAN_TAKEN:
	case GANG_EREAD_PROTECTED:
	case GANG_ELOCKED_FOREVER:
	case GANG_EDB:
	case GANG_ECANCELLED:
	case GANG_ENO_BOARD:
	case GANG_ENRST_UNWIRED:
	case GANG_EUID_BLANK:
	case GANG_EUID_TWICE:
	case GANG_EUNRECORDED:
	case GANG_ESTEP:           /* the board's own test: programming it again does not change it */
	case GANG_ESERIAL_TAKEN:   /* a retry would reserve the same value and meet the same clash */
		return false;
	default:
		return !job_probe_error(err);
	}
}

/*
 * The chip stopped answering: a board that lost its supply (pulled, power
 * cut mid-programming) looks the same on SWD as firmware that turned SWD
 * off, so the target voltage decides which sentence is true.
 */
static int job_check_supply(job *j, int err)
{
	unsigned mv = 0;

	if (err != GANG_ETARGET_NOSWD && err != GANG_ETARGET_FAULT && err != GANG_ETARGET_NOHALT)
		return err;
	if (gang_stlink_target_voltage(&mv, j->sl) < 0 || mv >= JOB_BOARD_MIN_MV)
		return err;
	return gang_diag_set(j->d, GANG_ENO_BOARD, "target voltage %u mV after: %.400s", mv, j->d->msg);
}

static void job_outcome_fill(job_outcome *out, const job *j, int err)
{
	out->err = err;
	out->probe_lost = job_probe_error(err);
	out->result = err == GANG_OK ? GANG_ATTEMPT_PASS
		      : (err == GANG_ECANCELLED || out->probe_lost || err == GANG_ENO_BOARD) ? GANG_ATTEMPT_ABORTED
											    : GANG_ATTEMPT_FAIL;
	out->retryable = job_retryable(err);
	snprintf(out->uid, sizeof(out->uid), "%s", j->uid);
	snprintf(out->serial, sizeof(out->serial), "%s", j->serial_text);
	if (err != GANG_OK) {
		const char *advice = job_advice(err);

		job_what(out->what, sizeof(out->what), err, j->d, j->p);
		if (err == GANG_ESTEP && j->what[0])
			snprintf(out->what, sizeof(out->what), "%s", j->what);
		snprintf(out->sentence, sizeof(out->sentence), "%s%s%s", out->what, advice ? " — " : "",
			 advice ? advice : "");
		snprintf(out->detail, sizeof(out->detail), "%s", j->d->msg);
	}
}

/* Close the attempt row with the outcome; GANG_OK or the database's error (in dbd). */
static int job_close(job *j, const job_outcome *out, gang_diag *dbd)
{
	return gang_db_attempt_finish(j->db, &j->key, out->result, out->err ? gang_err_class(out->err) : NULL,
				      out->err ? out->sentence : NULL, dbd);
}

/*
 * The pass could not be recorded (the serial was voided meanwhile, the
 * database refused): the board is programmed and verified but not a pass.
 * The attempt is closed as failed with the database's reason; programming
 * the board again would not make the record possible, so it is no retry.
 * If even that cannot be written, the database itself is unusable.
 */
static void job_pass_unrecorded(job *j, job_outcome *out, const gang_diag *why)
{
	gang_diag dbd;

	gang_log_err(&j->s->log, "recording the pass failed: %s", why->msg);
	gang_diag_set(j->d, GANG_EUNRECORDED, "%s", why->msg);
	job_outcome_fill(out, j, GANG_EUNRECORDED);
	if (why->code != GANG_EDB && why->code != GANG_ERR && why->code < 0) {
		/* the database said why (a serial voided meanwhile): the operator hears it too */
		char reason[128];

		job_what(reason, sizeof(reason), why->code, NULL, j->p);
		snprintf(out->what, sizeof(out->what), "programmed and verified, but the pass could not be recorded: %.130s",
			 reason);
		snprintf(out->sentence, sizeof(out->sentence), "%s — %s", out->what, job_advice(GANG_EUNRECORDED));
	}
	if (job_close(j, out, &dbd) < 0) {
		gang_diag_set(j->d, GANG_EDB, "%s; closing the attempt as failed: %s", why->msg, dbd.msg);
		job_outcome_fill(out, j, GANG_EDB);
	}
}

/*
 * Release the passed board into its firmware. Its pass is already on disk:
 * a firmware that takes the SWD pins the moment it runs may leave the
 * probe without an answer, which is logged, never held against the board.
 */
static void job_release(job *j)
{
	int err = gang_target_detach(j->t, job_after(j->p));

	j->t = NULL;
	if (err < 0) {
		gang_log_info(&j->s->log, "board %s released; no answer on SWD once its firmware ran (the firmware "
			      "takes the SWD pins): %s", j->uid, j->d->msg);
		gang_diag_clear(j->d);
	}
}

static void job_finish(job *j, job_outcome *out, int err)
{
	gang_diag dbd;

	if (err == GANG_OK) {
		job_outcome_fill(out, j, GANG_OK);
		/* the pass burns the serial and the data values in its own transaction: all or nothing */
		if (job_close(j, out, &dbd) == GANG_OK) {
			job_release(j);
			return;
		}
		job_pass_unrecorded(j, out, &dbd);
	} else {
		job_outcome_fill(out, j, job_check_supply(j, err));
		if (job_close(j, out, &dbd) < 0) {
			gang_log_err(&j->s->log, "recording the failure failed: %s", dbd.msg);
			gang_diag_set(j->d, GANG_EDB, "%s", dbd.msg);
			job_outcome_fill(out, j, GANG_EDB);
		}
	}
	gang_target_detach(j->t, GANG_DETACH_HALT);
	j->t = NULL;
}

/* Seen again after a pass: record the sighting, let the firmware run again, leave it be. */
static void job_sighting(job *j, job_outcome *out)
{
	gang_attempt_info ai;
	gang_diag dbd;
	int err;

	job_attempt_info(&ai, j);
	err = gang_db_sighting(j->db, &ai, j->uid, &j->seen.attempt, &dbd);
	gang_target_detach(j->t, job_after(j->p));
	j->t = NULL;
	gang_diag_clear(j->d);
	if (err < 0) {
		gang_diag_set(j->d, err, "%s", dbd.msg);
		job_outcome_fill(out, j, err);
		out->result = GANG_ATTEMPT_ABORTED;
		return;
	}
	job_outcome_fill(out, j, GANG_OK);
	out->already = true;
	snprintf(out->serial, sizeof(out->serial), "%s", j->seen.serial_text);
	snprintf(out->sentence, sizeof(out->sentence), "already programmed (PASS %.10s %.5s%s%s) — remove it",
		 j->seen.finished_at, j->seen.finished_at[0] ? j->seen.finished_at + 11 : "",
		 j->seen.serial_text[0] ? ", serial " : "", j->seen.serial_text);
	gang_log_info(&j->s->log, "board %s: %s (attempt %" PRId64 ")", j->uid, out->sentence, j->seen.attempt.seq);
}

/*
 * The plan after connect: each step in order until one fails; at "pass"
 * the outcome is committed and the board released; the steps after it are
 * recorded but cannot change the outcome.
 */
static void job_plan(job *j, job_outcome *out, int err)
{
	const gang_plan *pl = &j->p->plan;
	size_t i = 1;

	for (; i < pl->n && err == GANG_OK && pl->step[i].kind != GANG_KIND_PASS; i++)
		err = job_run_step(j, &pl->step[i]);
	job_finish(j, out, err);
	if (err != GANG_OK || out->result != GANG_ATTEMPT_PASS)
		return;
	for (i++; i < pl->n; i++)
		job_run_after_pass(j, &pl->step[i]);
}

void job_attempt(job_outcome *out, sched_slot *s, gang_db *db, gang_stlink **sl, int attempt)
{
	job j = { .s = s, .cfg = s->run->cfg, .p = s->run->cfg->profile, .db = db, .sl = *sl, .slp = sl,
		  .d = &s->diag, .attempt = attempt };
	gang_event ev = { 0 };
	double t0;
	int err, berr;

	memset(out, 0, sizeof(*out));
	job_event(&j, GANG_EV_BOARD, &ev);
	job_step_event(&j, "connect");
	gang_diag_clear(j.d);
	t0 = gang_now_unix();
	err = sched_stop_level(s->run) == SCHED_ABORT ?
		      gang_diag_set(j.d, GANG_ECANCELLED, "stopped by the operator before connect") : job_connect(&j);
	if (err < 0)
		gang_log_err(&s->log, "connect: %s (%s)", gang_strerror(err), j.d->msg);
	if (err == GANG_OK && (err = job_seen_before(&j)) == JOB_ALREADY) {
		job_sighting(&j, out);
		return;
	}
	if ((berr = job_begin(&j, err, t0)) < 0) {
		/* nothing was written to the board: the attempt was never opened */
		job_outcome_fill(out, &j, berr);
		out->result = GANG_ATTEMPT_ABORTED;
		gang_target_detach(j.t, GANG_DETACH_HALT);
		return;
	}
	job_plan(&j, out, err);
	gang_image_free(j.img);
}
