/*
 * sched.c — threads of a production run: discovers ST-Links (and keeps
 * discovering: a newly attached probe gets a slot), starts one worker per
 * slot, waits for SIGINT/SIGTERM with sigtimedwait (no global flag, no
 * handler), enforces the --boards budget and the --sync barrier, and sums
 * the batch. Slot labels come from the database slot map (job.c).
 */
#include "sched/sched_internal.h"

#include "db/db.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHED_RESCAN_MS 1000

sched_stop sched_stop_level(sched_run *run)
{
	sched_stop s;

	pthread_mutex_lock(&run->mu);
	s = run->stop;
	pthread_mutex_unlock(&run->mu);
	return s;
}

bool sched_claim_board(sched_run *run)
{
	bool ok;

	pthread_mutex_lock(&run->mu);
	ok = run->stop == SCHED_RUN &&
	     (run->cfg->boards_max <= 0 || run->claimed < run->cfg->boards_max);
	if (ok)
		run->claimed++;
	pthread_mutex_unlock(&run->mu);
	return ok;
}

void sched_board_done(sched_run *run, sched_board_result result, int attempts)
{
	pthread_mutex_lock(&run->mu);
	if (result == SCHED_BOARD_ABORTED || result == SCHED_BOARD_ALREADY) {
		/* Not finished (probe lost, board pulled, stop) or left as it was: its budget goes back. */
		run->claimed--;
		if (result == SCHED_BOARD_ABORTED)
			run->totals.aborted++;
		else
			run->totals.already++;
	} else {
		run->totals.boards++;
		if (result == SCHED_BOARD_PASS) {
			run->totals.passed++;
			if (attempts == 1)
				run->totals.first_pass++;
		} else {
			run->totals.failed++;
		}
	}
	if (run->cfg->boards_max > 0 && (long)run->totals.boards >= run->cfg->boards_max &&
	    run->stop == SCHED_RUN)
		run->stop = SCHED_DRAIN;
	pthread_cond_broadcast(&run->cv);
	pthread_mutex_unlock(&run->mu);
}

static unsigned sched_live_slots(sched_run *run)
{
	unsigned n = 0;

	for (size_t i = 0; i < run->n_slots; i++)
		n += !run->slots[i]->finished;
	return n;
}

bool sched_sync_wait(sched_run *run)
{
	unsigned gen;
	bool ok;

	pthread_mutex_lock(&run->mu);
	gen = run->sync_gen;
	run->sync_waiting++;
	if (run->sync_waiting >= sched_live_slots(run)) {
		run->sync_waiting = 0;
		run->sync_gen++;
		pthread_cond_broadcast(&run->cv);
	}
	while (run->sync_gen == gen && run->stop == SCHED_RUN)
		pthread_cond_wait(&run->cv, &run->mu);
	ok = run->sync_gen != gen;
	if (!ok)
		run->sync_waiting--;
	pthread_mutex_unlock(&run->mu);
	return ok;
}

void sched_emit(sched_slot *s, gang_event *ev)
{
	ev->ts = gang_now_unix();
	if (!ev->slot)
		ev->slot = s->label;
	if (!ev->probe)
		ev->probe = s->id.serial;
	gang_sink_emit(s->run->cfg->sink, ev);
}

bool sched_uid_hold(sched_slot *s, const char *uid, char *other_out, size_t cap)
{
	sched_run *run = s->run;
	bool ok = true;

	pthread_mutex_lock(&run->mu);
	for (size_t i = 0; i < run->n_slots && ok; i++) {
		const sched_slot *o = run->slots[i];

		if (o != s && strcmp(o->uid_held, uid) == 0) {
			snprintf(other_out, cap, "%s", o->label);
			ok = false;
		}
	}
	if (ok)
		snprintf(s->uid_held, sizeof(s->uid_held), "%s", uid);
	pthread_mutex_unlock(&run->mu);
	return ok;
}

void sched_uid_drop(sched_slot *s)
{
	pthread_mutex_lock(&s->run->mu);
	s->uid_held[0] = '\0';
	pthread_mutex_unlock(&s->run->mu);
}

void sched_set_pool_exhausted(sched_run *run, int err, const char *msg)
{
	pthread_mutex_lock(&run->mu);
	if (!run->pool_exhausted) {
		run->dry_err = err;
		snprintf(run->dry_msg, sizeof(run->dry_msg), "%s", msg);
	}
	run->pool_exhausted = true;
	pthread_mutex_unlock(&run->mu);
}

bool sched_pool_exhausted(sched_run *run, char *msg, size_t cap, int *err_out)
{
	bool e;

	pthread_mutex_lock(&run->mu);
	e = run->pool_exhausted;
	if (msg && cap)
		snprintf(msg, cap, "%s", run->dry_msg);
	if (err_out)
		*err_out = run->dry_err;
	pthread_mutex_unlock(&run->mu);
	return e;
}

static bool sched_wanted(const gang_run_cfg *cfg, const gang_probe_id *id)
{
	if (cfg->n_probes == 0)
		return true;
	for (size_t i = 0; i < cfg->n_probes; i++)
		if (strcasecmp(cfg->probes[i], id->serial) == 0 || strcmp(cfg->probes[i], id->port_path) == 0)
			return true;
	return false;
}

/* Serial shared by another attached probe (clones with garbage serials). */
static bool sched_serial_dup(const gang_probe_id *all, size_t n, const gang_probe_id *id)
{
	unsigned c = 0;

	for (size_t i = 0; i < n; i++)
		c += strcmp(all[i].serial, id->serial) == 0;
	return c > 1;
}

/* A probe is known by its port path, or by its serial when that is unique. */
static bool sched_known(sched_run *run, const gang_probe_id *id, bool dup)
{
	for (size_t i = 0; i < run->n_slots; i++) {
		const gang_probe_id *k = &run->slots[i]->id;

		if (strcmp(k->port_path, id->port_path) == 0)
			return true;
		if (!dup && strcmp(k->serial, id->serial) == 0)
			return true;
	}
	return false;
}

/*
 * More wanted probes than slots: say so once per run, to the operator (an
 * event every sink shows) and in the engineer log, instead of ignoring the
 * rest silently. attached counts the slots plus the probes left out.
 */
static void sched_report_limit(sched_run *run, size_t attached)
{
	char msg[128];
	gang_event ev = { .kind = GANG_EV_RUN_NOTE, .message = msg };
	gang_log run_log, *lg = &run_log;

	if (run->limit_reported)
		return;
	run->limit_reported = true;
	snprintf(msg, sizeof(msg), "%zu ST-Links attached; gang drives at most %d \xe2\x80\x94 the others are ignored",
		 attached, SCHED_MAX_SLOTS);
	gang_log_init(lg, run->cfg->log_fp, run->cfg->log_level, "[run]");
	gang_log_warn(lg, "%s", msg);
	ev.ts = gang_now_unix();
	gang_sink_emit(run->cfg->sink, &ev);
}

static int sched_add_slot(sched_run *run, const gang_probe_id *id, bool dup)
{
	sched_slot *s;

	if (run->n_slots >= SCHED_MAX_SLOTS)
		return GANG_OK;
	s = calloc(1, sizeof(*s));
	if (!s)
		return GANG_ENOMEM;
	s->run = run;
	s->id = *id;
	snprintf(s->selector, sizeof(s->selector), "%s", dup ? id->port_path : id->serial);
	/* Labels come from the slot map, assigned here in port order so they are stable. */
	if (gang_db_probe_seen(s->label, sizeof(s->label), run->cfg->db, id->serial, id->port_path, id->model,
			       NULL, &s->diag) < 0) {
		int err = s->diag.code;

		free(s);
		return err;
	}
	pthread_mutex_lock(&run->mu);
	run->slots[run->n_slots++] = s;
	pthread_mutex_unlock(&run->mu);
	if (pthread_create(&s->thread, NULL, sched_slot_main, s) != 0) {
		pthread_mutex_lock(&run->mu);
		s->finished = true;
		pthread_mutex_unlock(&run->mu);
		return GANG_ERR;
	}
	s->started = true;
	return GANG_OK;
}

/* List probes and give every new wanted one a slot. */
static int sched_scan(sched_run *run, gang_diag *d)
{
	gang_probe_id *ids = NULL;
	size_t n = 0, ignored = 0;
	int err;

	err = gang_usb_list(&ids, &n, run->usb, d);
	if (err < 0)
		return err;
	for (size_t i = 0; i < n && err == GANG_OK; i++) {
		bool dup = sched_serial_dup(ids, n, &ids[i]);

		if (!sched_wanted(run->cfg, &ids[i]) || sched_known(run, &ids[i], dup) ||
		    sched_stop_level(run) != SCHED_RUN)
			continue;
		if (run->n_slots >= SCHED_MAX_SLOTS)
			ignored++;
		else
			err = sched_add_slot(run, &ids[i], dup);
	}
	free(ids);
	if (err == GANG_OK && ignored)
		sched_report_limit(run, run->n_slots + ignored);
	return err;
}

static bool sched_all_finished(sched_run *run)
{
	bool done;

	pthread_mutex_lock(&run->mu);
	done = run->n_slots > 0 && sched_live_slots(run) == 0;
	pthread_mutex_unlock(&run->mu);
	return done;
}

/* One more step towards the end (q, SIGINT, SIGTERM), announced so the console can acknowledge it. */
static void sched_signal(sched_run *run)
{
	gang_event ev = { .kind = GANG_EV_STOPPING };

	pthread_mutex_lock(&run->mu);
	if (run->stop < SCHED_ABORT)
		run->stop++;
	ev.stop_level = (int)run->stop;
	pthread_cond_broadcast(&run->cv);
	pthread_mutex_unlock(&run->mu);
	ev.ts = gang_now_unix();
	gang_sink_emit(run->cfg->sink, &ev);
}

void sched_drain(sched_run *run)
{
	bool raised = false;

	pthread_mutex_lock(&run->mu);
	if (run->stop == SCHED_RUN) {
		run->stop = SCHED_DRAIN;
		raised = true;
		pthread_cond_broadcast(&run->cv);
	}
	pthread_mutex_unlock(&run->mu);
	if (raised) {
		gang_event ev = { .kind = GANG_EV_STOPPING, .stop_level = (int)SCHED_DRAIN, .ts = gang_now_unix() };

		gang_sink_emit(run->cfg->sink, &ev);
	}
}

/* Operator keys from the console: q stops like SIGINT, p pauses/resumes a slot. */
static void sched_keys(sched_run *run)
{
	char label[32];
	int key;

	while ((key = gang_sink_poll_key(run->cfg->sink, label, sizeof(label))) != 0) {
		if (key == 'q')
			sched_signal(run);
		if (key != 'p')
			continue;
		pthread_mutex_lock(&run->mu);
		for (size_t i = 0; i < run->n_slots; i++)
			if (strcmp(run->slots[i]->label, label) == 0)
				run->slots[i]->paused = !run->slots[i]->paused;
		pthread_cond_broadcast(&run->cv);
		pthread_mutex_unlock(&run->mu);
	}
}

/* Main thread: wait for signals, rescan for new probes, until every slot ends. */
static void sched_supervise(sched_run *run)
{
	sigset_t set;
	struct timespec tmo = { 0, 200 * 1000000L };
	double next_scan = gang_now_unix() + SCHED_RESCAN_MS / 1000.0;
	gang_diag scan_diag;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (!sched_all_finished(run)) {
		int sig = sigtimedwait(&set, NULL, &tmo);

		if (sig == SIGINT || sig == SIGTERM)
			sched_signal(run);
		sched_keys(run);
		if (gang_now_unix() >= next_scan && sched_stop_level(run) == SCHED_RUN) {
			sched_scan(run, &scan_diag);
			next_scan = gang_now_unix() + SCHED_RESCAN_MS / 1000.0;
		}
	}
}

static void sched_emit_end(sched_run *run)
{
	gang_event ev = { .kind = GANG_EV_RUN_END };
	const gang_run_totals *t = &run->totals;

	ev.ts = gang_now_unix();
	ev.batch = run->cfg->batch;
	ev.boards = t->boards;
	ev.passed = t->passed;
	ev.failed = t->failed;
	ev.first_pass = t->first_pass;
	ev.boards_per_hour = t->seconds > 0 ? t->boards * 3600.0 / t->seconds : 0.0;
	gang_sink_emit(run->cfg->sink, &ev);
}

static void sched_join_all(sched_run *run)
{
	for (size_t i = 0; i < run->n_slots; i++) {
		if (run->slots[i]->started)
			pthread_join(run->slots[i]->thread, NULL);
		free(run->slots[i]);
	}
}

int gang_sched_run(gang_run_totals *out, const gang_run_cfg *cfg, gang_diag *d)
{
	sched_run run = { .cfg = cfg };
	int err;

	memset(out, 0, sizeof(*out));
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	run.t_start = gang_now_unix();
	err = gang_usb_new(&run.usb, d);
	if (err < 0)
		goto out;
	err = sched_scan(&run, d);
	if (err == GANG_OK && run.n_slots == 0)
		err = gang_diag_set(d, GANG_EPROBE_NONE, cfg->n_probes ? "none of the probes named is attached"
									: "no ST-Link attached");
	if (err < 0) {
		pthread_mutex_lock(&run.mu);
		run.stop = SCHED_ABORT;
		pthread_mutex_unlock(&run.mu);
		sched_join_all(&run);
		goto out;
	}
	sched_supervise(&run);
	sched_join_all(&run);
	run.totals.seconds = gang_now_unix() - run.t_start;
	sched_emit_end(&run);
	*out = run.totals;
	if (run.stop_diag.code)
		err = gang_diag_set(d, run.stop_diag.code, "%s", run.stop_diag.msg);
out:
	gang_usb_free(run.usb);
	pthread_cond_destroy(&run.cv);
	pthread_mutex_destroy(&run.mu);
	return err;
}
