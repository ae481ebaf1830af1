/*
 * console_model.c — events → the console's model: slot states, the run's
 * counters, failures by error class. Event order per slot is fixed by
 * sched/events.h (board → step… → result → removed); this file trusts that
 * order only as far as it must and never crashes on a stray event.
 * Counting rules match the scheduler (sched.c sched_board_done): an
 * aborted board is not a finished board; first pass = passed on attempt 1.
 */
#include "console/console_model.h"

#include "core/text.h"

#include <stdio.h>
#include <string.h>

/* Text from events (names, UIDs, sentences) is stored terminal-safe: the screen shows it as is. */
static void model_copy(char *dst, size_t cap, const char *src)
{
	if (src)
		gang_text_term(dst, cap, src);
}

/* Copy only when the event carries a non-empty value: fields fill in over time. */
static void model_update(char *dst, size_t cap, const char *src)
{
	if (src && *src)
		gang_text_term(dst, cap, src);
}

void gang_console_model_init(gang_console_model *m)
{
	memset(m, 0, sizeof(*m));
}

gang_console_slot *gang_console_model_find(gang_console_model *m, const char *label)
{
	for (size_t i = 0; i < m->n_slots; i++)
		if (strcmp(m->slots[i].label, label) == 0)
			return &m->slots[i];
	return NULL;
}

/* Find or insert label keeping natural label order, so "s2" sorts before "s10". */
static gang_console_slot *model_slot(gang_console_model *m, const char *label)
{
	gang_console_slot *s = gang_console_model_find(m, label);
	size_t at = 0;

	if (s)
		return s;
	if (m->n_slots == GANG_CONSOLE_MAX_SLOTS) {
		m->dropped_slots++;
		return NULL;
	}
	while (at < m->n_slots && strverscmp(m->slots[at].label, label) < 0)
		at++;
	memmove(&m->slots[at + 1], &m->slots[at], (m->n_slots - at) * sizeof(m->slots[0]));
	m->n_slots++;
	s = &m->slots[at];
	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", label);   /* labels are [A-Za-z0-9_.-] (slot map) */
	return s;
}

static void model_count_class(gang_console_model *m, const char *name)
{
	if (!name || !*name)
		name = "unclassified";
	for (size_t i = 0; i < m->n_classes; i++) {
		if (strcmp(m->classes[i].name, name) == 0) {
			m->classes[i].count++;
			return;
		}
	}
	/* The last row is kept for "other", so a flood of classes cannot push out the first ones. */
	if (m->n_classes + 1 >= GANG_CONSOLE_MAX_CLASSES && strcmp(name, "other") != 0) {
		model_count_class(m, "other");
		return;
	}
	if (m->n_classes == GANG_CONSOLE_MAX_CLASSES)
		return;
	model_copy(m->classes[m->n_classes].name, sizeof(m->classes[0].name), name);
	m->classes[m->n_classes++].count = 1;
}

/* A failed attempt that will be retried: the board is still in progress, nothing is counted. */
static void model_retry(gang_console_slot *s, const gang_event *ev)
{
	char msg[GANG_CONSOLE_TEXT_LEN];

	gang_text_term(msg, sizeof(msg), ev->message ? ev->message : "");
	snprintf(s->note, sizeof(s->note), "attempt %d failed%s%.150s; retrying", ev->attempt, msg[0] ? ": " : "", msg);
}

static void model_result(gang_console_model *m, gang_console_slot *s, const gang_event *ev)
{
	gang_ev_result r = ev->result != GANG_RESULT_NONE ? ev->result : GANG_RESULT_FAIL;

	if (ev->retry) {
		model_retry(s, ev);
		return;
	}
	s->state = GANG_CONSOLE_DONE;
	s->result = r;
	s->message[0] = '\0';
	model_copy(s->message, sizeof(s->message), ev->message);
	s->elapsed_s = ev->elapsed_s;
	s->has_last = true;
	s->last_result = r;
	model_copy(s->last_id, sizeof(s->last_id), *s->serial ? s->serial : s->uid);
	if (r == GANG_RESULT_ABORTED) {
		m->aborted++;
		return;
	}
	if (r == GANG_RESULT_ALREADY)
		return;   /* passed before, left as it is: no board of this batch */
	m->boards++;
	if (r == GANG_RESULT_PASS) {
		m->passed++;
		s->passed++;
		if (ev->attempt <= 1)
			m->first_pass++;
		return;
	}
	m->failed++;
	s->failed++;
	model_count_class(m, ev->error_class);
}

static void model_board(gang_console_slot *s, const gang_event *ev)
{
	s->state = GANG_CONSOLE_BUSY;
	s->has_last = false;
	s->uid[0] = s->serial[0] = s->step[0] = '\0';
	s->result = GANG_RESULT_NONE;
	s->message[0] = '\0';
	/* A retry keeps the note saying why the previous attempt failed. */
	if (ev->attempt <= 1)
		s->note[0] = '\0';
	model_update(s->uid, sizeof(s->uid), ev->uid);
	model_update(s->serial, sizeof(s->serial), ev->serial);
	s->attempt = ev->attempt;
	s->board_ts = ev->ts;
	s->done = s->total = 0;
	s->rate_kib_s = 0.0;
	s->elapsed_s = 0.0;
}

static void model_step(gang_console_slot *s, const gang_event *ev)
{
	if (ev->step && strcmp(ev->step, s->step) != 0) {
		model_copy(s->step, sizeof(s->step), ev->step);
		s->done = s->total = 0;
		s->rate_kib_s = 0.0;
	}
	if (ev->kind == GANG_EV_PROGRESS) {
		s->done = ev->done;
		s->total = ev->total;
		s->rate_kib_s = ev->rate_kib_s;
	}
}

static void model_run(gang_console_model *m, const gang_event *ev)
{
	if (ev->kind == GANG_EV_RUN_START) {
		model_update(m->profile, sizeof(m->profile), ev->profile);
		model_update(m->batch, sizeof(m->batch), ev->batch);
		m->t_start = ev->ts;
		m->boards_max = ev->boards_max;
		return;
	}
	if (ev->kind == GANG_EV_STOPPING) {
		if (ev->stop_level > m->stop_level)
			m->stop_level = ev->stop_level > 2 ? 2 : ev->stop_level;
		return;
	}
	if (ev->kind == GANG_EV_RUN_NOTE) {
		model_copy(m->run_note, sizeof(m->run_note), ev->message ? ev->message : "");
		return;
	}
	if (ev->kind != GANG_EV_RUN_END)
		return;
	/* The scheduler's totals are authoritative at the end of the run. */
	model_update(m->batch, sizeof(m->batch), ev->batch);
	m->t_end = ev->ts;
	m->boards = ev->boards;
	m->passed = ev->passed;
	m->failed = ev->failed;
	m->first_pass = ev->first_pass;
	m->end_boards_per_hour = ev->boards_per_hour;
}

/* Events about one slot; the slot is created by the first one that names it. */
static void model_slot_event(gang_console_model *m, gang_console_slot *s, const gang_event *ev)
{
	model_update(s->probe, sizeof(s->probe), ev->probe);
	if (ev->ts > s->last_ts)
		s->last_ts = ev->ts;
	switch (ev->kind) {
	case GANG_EV_SLOT_UP:
		s->state = GANG_CONSOLE_WAITING;
		break;
	case GANG_EV_WAITING:
		/* A finished board keeps its PASS/FAIL line until it is taken out. */
		if (s->state != GANG_CONSOLE_BUSY && s->state != GANG_CONSOLE_DONE)
			s->state = GANG_CONSOLE_WAITING;
		break;
	case GANG_EV_SLOT_DOWN:
		s->state = GANG_CONSOLE_DOWN;
		model_copy(s->stopped_class, sizeof(s->stopped_class), ev->error_class ? ev->error_class : "");
		model_copy(s->message, sizeof(s->message), ev->message ? ev->message : "");
		break;
	case GANG_EV_BOARD: model_board(s, ev); break;
	case GANG_EV_STEP:
	case GANG_EV_PROGRESS: model_step(s, ev); break;
	case GANG_EV_NOTE: model_copy(s->note, sizeof(s->note), ev->message ? ev->message : ""); break;
	case GANG_EV_RESULT: model_result(m, s, ev); break;
	case GANG_EV_REMOVED: s->state = GANG_CONSOLE_WAITING; break;
	default: break;
	}
	if (ev->kind != GANG_EV_BOARD && s->state != GANG_CONSOLE_WAITING) {
		model_update(s->uid, sizeof(s->uid), ev->uid);
		model_update(s->serial, sizeof(s->serial), ev->serial);
	}
}

void gang_console_model_apply(gang_console_model *m, const gang_event *ev)
{
	gang_console_slot *s;

	if (ev->kind == GANG_EV_RUN_START || ev->kind == GANG_EV_RUN_END || ev->kind == GANG_EV_STOPPING ||
	    ev->kind == GANG_EV_RUN_NOTE) {
		model_run(m, ev);
		return;
	}
	if (!ev->slot || !*ev->slot)
		return;
	s = model_slot(m, ev->slot);
	if (s)
		model_slot_event(m, s, ev);
}

bool gang_console_model_toggle_pause(gang_console_model *m, const char *label)
{
	gang_console_slot *s = gang_console_model_find(m, label);

	if (!s)
		return false;
	s->paused = !s->paused;
	return s->paused;
}

void gang_console_model_stop(gang_console_model *m)
{
	if (m->stop_level < 2)
		m->stop_level++;
}

unsigned gang_console_busy(const gang_console_model *m)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->n_slots; i++)
		n += m->slots[i].state == GANG_CONSOLE_BUSY;
	return n;
}

bool gang_console_slot_stuck(const gang_console_slot *s, double now)
{
	return s->state == GANG_CONSOLE_BUSY && s->last_ts > 0.0 && now - s->last_ts >= GANG_CONSOLE_STUCK_S;
}

bool gang_console_rates_known(const gang_console_model *m, double now)
{
	double end = m->t_end > 0.0 ? m->t_end : now;

	return m->boards > 0 && m->t_start > 0.0 && end - m->t_start >= GANG_CONSOLE_RATE_MIN_S;
}

double gang_console_time_left(const gang_console_model *m, double now)
{
	double per_hour;

	if (m->boards_max <= 0 || m->t_end > 0.0 || !gang_console_rates_known(m, now))
		return -1.0;
	if ((long)m->boards >= m->boards_max)
		return 0.0;
	per_hour = gang_console_boards_per_hour(m, now);
	return per_hour > 0.0 ? (double)(m->boards_max - (long)m->boards) * 3600.0 / per_hour : -1.0;
}

double gang_console_yield(const gang_console_model *m)
{
	return m->boards ? 100.0 * m->first_pass / m->boards : 0.0;
}

double gang_console_boards_per_hour(const gang_console_model *m, double now)
{
	double hours;

	if (m->t_end > 0.0)
		return m->end_boards_per_hour;
	if (m->t_start <= 0.0 || now <= m->t_start)
		return 0.0;
	hours = (now - m->t_start) / 3600.0;
	return m->boards / hours;
}
