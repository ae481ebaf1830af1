/*
 * job.c — one attempt on one board: the ordered steps of the profile, each
 * timed, recorded (steps table) and announced (events). The first failing
 * step ends the attempt; the attempt row is closed exactly once, and a
 * pass is recorded only after verify (DESIGN "Serial numbers and
 * traceability"). The engineer's detail goes to the log and the database;
 * the operator gets one sentence.
 */
#include "sched/job.h"

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
#include "target/target.h"

#define JOB_SKIPPED 1            /* a step that had nothing to do */
#define JOB_PROGRESS_EVERY_S 0.1 /* progress events at most this often */

typedef struct job {
	sched_slot *s;
	const gang_run_cfg *cfg;
	const gang_profile *p;
	gang_db *db;
	gang_stlink *sl;
	gang_target *t;
	gang_diag *d;
	int64_t attempt_id;
	int attempt;
	char uid[25];
	char serial_text[96];
	gang_image *img;          /* per-board copy with the serial patched in */
	double t_board;
	char detail[GANG_DIAG_LEN]; /* what a passing step did, for the steps table */
	/* progress throttle */
	const char *pstep;
	double p_t0, p_last;
} job;

static void job_event(job *j, gang_event_kind kind, gang_event *ev)
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

/* The option bytes as read, hex, for the attempt record; NULL if unreadable. */
static const char *job_ob_hex(char *out, size_t cap, gang_target *t)
{
	uint8_t raw[GANG_OB_RAW_LEN];
	gang_ob ob;

	if (cap < 2 * GANG_OB_RAW_LEN + 1 || gang_ob_read(&ob, t) < 0) {
		gang_diag_clear(gang_target_diag(t));
		return NULL;
	}
	gang_ob_encode(raw, &ob);
	for (size_t i = 0; i < GANG_OB_RAW_LEN; i++)
		snprintf(out + 2 * i, 3, "%02X", raw[i]);
	return out;
}

static int job_connect(job *j)
{
	const gang_profile *p = j->p;
	gang_connect_opts o = { .mode = p->connect, .swd_khz = p->swd_khz, .part = p->target };
	const gang_target_info *info;
	gang_attempt_target at = { 0 };
	char ob_hex[2 * GANG_OB_RAW_LEN + 1];
	gang_diag dbd;
	int err;

	if ((err = gang_target_attach(&j->t, j->sl, &o)) < 0)
		return err;
	info = gang_target_info_get(j->t);
	snprintf(j->uid, sizeof(j->uid), "%s", info->uid);
	at.uid = info->uid;
	at.part = info->part ? info->part->name : NULL;
	at.connect_mode = gang_connect_mode_name(info->mode);
	at.rdp_before = info->rdp_level;
	at.option_bytes = job_ob_hex(ob_hex, sizeof(ob_hex), j->t);
	snprintf(j->detail, sizeof(j->detail), "%s, UID %s, %s, %u kHz, %u mV%s%s", at.part ? at.part : "?",
		 info->uid, at.connect_mode, info->swd_khz, info->target_mv, info->note[0] ? "; " : "",
		 info->note);
	if ((err = gang_db_attempt_identify(j->db, j->attempt_id, &at, &dbd)) < 0)
		return gang_diag_set(j->d, err, "%s", dbd.msg);
	if (info->note[0]) {
		gang_event ev = { .message = "SWD disabled by firmware — recovered under reset",
				  .detail = info->note };

		job_event(j, GANG_EV_NOTE, &ev);
		gang_log_warn(&j->s->log, "board %s: %s", info->uid, info->note);
	}
	return GANG_OK;
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
	if ((err = gang_serial_reserve(&value, j->db, ps->pool, j->uid, j->attempt_id, j->d)) < 0)
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
	return gang_db_attempt_serial_text(j->db, j->attempt_id, j->serial_text, j->d);
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
	snprintf(j->detail, sizeof(j->detail), "RDP 1 -> 0: chip mass-erased by the regression");
	{
		gang_event ev = { .message = "read protection removed — chip was mass-erased" };

		job_event(j, GANG_EV_NOTE, &ev);
	}
	return GANG_OK;
}

static const gang_image *job_image(const job *j)
{
	return j->img ? j->img : j->cfg->image;
}

static int job_program(job *j)
{
	gang_program_opts o = { .erase = j->p->erase, .allow_unprotect = false,
				.progress = job_progress, .user = j };
	int err = gang_flash_program_image(j->t, job_image(j), &o);

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

/* WRPR value protecting the profile's pages (bit = 0 protected; the last bit covers the rest). */
static int64_t job_ob_wrp(const gang_profile_ob *pob, const gang_part *part)
{
	uint32_t wrp = 0xFFFFFFFFU;

	if (!pob->wrp_set)
		return GANG_OB_UNCHANGED;
	for (size_t i = 0; i < pob->n_wrp; i++)
		wrp = gang_ob_wrp_protect(wrp, pob->wrp_pages[i], part);
	return wrp;
}

static int job_option_bytes(job *j)
{
	const gang_profile_ob *pob = &j->p->ob;
	gang_ob_write_opts o = { .allow_rdp_regression = pob->allow_unprotect,
				 .confirm_level2 = pob->confirm_lock ? GANG_OB_LEVEL2_CONFIRM : NULL };
	gang_ob_want w;
	gang_ob cur;
	bool changed = false;
	int err;

	if (!pob->present)
		return JOB_SKIPPED;
	if ((err = gang_ob_read(&cur, j->t)) < 0)
		return err;
	gang_ob_want_init(&w);
	w.rdp_level = pob->rdp;
	w.user = gang_ob_user_with(cur.user, pob->wdg_sw, pob->nrst_stop, pob->nrst_stdby);
	if (w.user == cur.user)
		w.user = GANG_OB_UNCHANGED;
	w.data0 = pob->data0;
	w.data1 = pob->data1;
	w.wrp = job_ob_wrp(pob, gang_target_part(j->t));
	if ((err = gang_ob_write(&changed, j->t, &w, &o)) < 0)
		return err;
	snprintf(j->detail, sizeof(j->detail), "%s", changed ? "written, reloaded and confirmed" : "already as wanted");
	return changed ? GANG_OK : JOB_SKIPPED;
}

/* Operator sentence for a failure: what happened, where, and what to do. */
static void job_sentence(char *out, size_t cap, int err, const gang_diag *d, const gang_profile *p)
{
	const char *at = d ? strstr(d->msg, "0x08") : NULL;
	unsigned long addr = at ? strtoul(at, NULL, 16) : 0;

	switch (err) {
	case GANG_EVERIFY:
		if (at)
			snprintf(out, cap, "verify failed at 0x%08lX — set board aside", addr);
		else
			snprintf(out, cap, "verify failed — set board aside");
		return;
	case GANG_EFLASH:
	case GANG_EWRITE_PROTECTED:
		if (at) {
			snprintf(out, cap, "%s at 0x%08lX — set board aside",
				 err == GANG_EFLASH ? "flash programming failed" : "flash is write-protected", addr);
			return;
		}
		break;
	case GANG_EREAD_PROTECTED:
		snprintf(out, cap, "chip is read-protected (RDP 1) and the profile does not allow "
			 "unprotecting it — set board aside");
		return;
	case GANG_ESERIAL_EXHAUSTED:
		snprintf(out, cap, "serial pool '%s' is exhausted — stop and ask the engineer", p->serial.pool);
		return;
	default:
		break;
	}
	snprintf(out, cap, "%s", gang_strerror(err));
}

typedef int (*job_step_fn)(job *j);

static const struct job_step_row {
	const char *name;
	job_step_fn fn;
} job_steps[] = {
	{ "connect", job_connect },
	{ "serial", job_serial },
	{ "unprotect", job_unprotect },
	{ "program", job_program },
	{ "verify", job_verify },
	{ "option_bytes", job_option_bytes },
};

/* Run one step: event, timing, steps-table row. Returns the step's result (< 0 failure). */
static int job_run_step(job *j, const struct job_step_row *row)
{
	gang_event ev = { .step = row->name };
	gang_diag dbd;
	double t0;
	int err, dberr;
	gang_step_result r;

	if (sched_stop_level(j->s->run) == SCHED_ABORT)
		return gang_diag_set(j->d, GANG_ECANCELLED, "stopped by the operator before %s", row->name);
	job_event(j, GANG_EV_STEP, &ev);
	j->detail[0] = '\0';
	gang_diag_clear(j->d);
	t0 = gang_now_unix();
	err = row->fn(j);
	r = err == JOB_SKIPPED ? GANG_STEP_SKIP : err < 0 ? GANG_STEP_FAIL : GANG_STEP_PASS;
	dberr = gang_db_step(j->db, j->attempt_id, row->name, r, (uint32_t)((gang_now_unix() - t0) * 1000.0),
			     err < 0 ? j->d->msg : j->detail, &dbd);
	if (err < 0)
		gang_log_err(&j->s->log, "%s: %s (%s)", row->name, gang_strerror(err), j->d->msg);
	else
		gang_log_info(&j->s->log, "%s: %s", row->name, r == GANG_STEP_SKIP ? "skipped" : j->detail);
	if (err >= 0 && dberr < 0)
		return gang_diag_set(j->d, dberr, "%s", dbd.msg);
	return err < 0 ? err : GANG_OK;
}

static gang_detach_after job_after(const gang_profile *p)
{
	/* The profile's run and reset both start the new firmware from its reset vector. */
	return p->after == GANG_AFTER_HALT ? GANG_DETACH_HALT : GANG_DETACH_RESET;
}

static int job_begin(job *j)
{
	const gang_run_cfg *cfg = j->cfg;
	gang_attempt_info ai = {
		.slot = j->s->label, .probe_serial = j->s->id.serial, .batch = cfg->batch,
		.profile_name = j->p->name, .profile_sha256 = j->p->sha256,
		.image_sha256 = cfg->image->sha256, .operator_name = cfg->operator_name,
		.station = cfg->station,
	};

	return gang_db_attempt_begin(&j->attempt_id, j->db, &ai, j->d);
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
	case GANG_EREAD_PROTECTED:
	case GANG_ELOCKED_FOREVER:
	case GANG_EDB:
	case GANG_ECANCELLED:
	case GANG_ENO_BOARD:
	case GANG_ENRST_UNWIRED:
		return false;
	default:
		return !job_probe_error(err);
	}
}

/* Close the attempt row exactly once, with the outcome's result. */
static void job_close(job *j, job_outcome *out)
{
	gang_attempt_result r = out->err == GANG_OK ? GANG_ATTEMPT_PASS
				: strcmp(out->result, "aborted") == 0 ? GANG_ATTEMPT_ABORTED : GANG_ATTEMPT_FAIL;
	gang_diag dbd;
	int err;

	err = gang_db_attempt_finish(j->db, j->attempt_id, r, out->err ? gang_err_class(out->err) : NULL,
				     out->err ? out->sentence : NULL, &dbd);
	if (err < 0 && out->err == GANG_OK) {
		/* The pass is not on disk, so it is not a pass. */
		out->err = err;
		out->result = "fail";
		snprintf(out->sentence, sizeof(out->sentence), "%s", gang_strerror(err));
		gang_diag_set(j->d, err, "%s", dbd.msg);   /* the run's exit message names the cause */
		gang_log_err(&j->s->log, "recording the pass failed: %s", dbd.msg);
		/* the board's record refused it (serial voided, text taken): close it as the failure it is */
		if (err != GANG_EDB)
			gang_db_attempt_finish(j->db, j->attempt_id, GANG_ATTEMPT_FAIL, gang_err_class(err),
					       out->sentence, &dbd);
	}
}

void job_attempt(job_outcome *out, sched_slot *s, gang_db *db, gang_stlink *sl, int attempt)
{
	job j = { .s = s, .cfg = s->run->cfg, .p = s->run->cfg->profile, .db = db, .sl = sl,
		  .d = &s->diag, .attempt = attempt, .t_board = gang_now_unix() };
	gang_event ev = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	job_event(&j, GANG_EV_BOARD, &ev);
	err = job_begin(&j);
	if (err < 0) {
		out->err = err;
		out->result = "aborted";
		snprintf(out->sentence, sizeof(out->sentence), "%s", gang_strerror(err));
		snprintf(out->detail, sizeof(out->detail), "%s", j.d->msg);
		return;
	}
	for (size_t i = 0; i < sizeof(job_steps) / sizeof(job_steps[0]) && err == GANG_OK; i++)
		err = job_run_step(&j, &job_steps[i]);
	if (j.t) {
		int derr = gang_target_detach(j.t, err == GANG_OK ? job_after(j.p) : GANG_DETACH_HALT);

		if (err == GANG_OK && derr < 0)
			err = derr;
	}
	out->err = err;
	out->probe_lost = job_probe_error(err);
	out->result = err == GANG_OK ? "pass"
		      : (err == GANG_ECANCELLED || out->probe_lost || err == GANG_ENO_BOARD) ? "aborted" : "fail";
	out->retryable = job_retryable(err);
	snprintf(out->uid, sizeof(out->uid), "%s", j.uid);
	snprintf(out->serial, sizeof(out->serial), "%s", j.serial_text);
	if (err != GANG_OK)
		job_sentence(out->sentence, sizeof(out->sentence), err, j.d, j.p);
	job_close(&j, out);
	snprintf(out->detail, sizeof(out->detail), "%s", out->err ? j.d->msg : "");
	gang_image_free(j.img);
}
