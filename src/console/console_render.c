/*
 * console_render.c — compose the console's lines as toned text fitted to a
 * terminal width, counting display cells (wcwidth), never bytes: operator
 * sentences carry an em dash (src/core/err.c). Curses only paints what this
 * file composes, so layout is tested on strings (tests/console/test_render.c).
 * Narrow terminals lose whole columns in a fixed order (probe, uid, serial)
 * before the status text is cut.
 */
#include "console/console_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define RENDER_W_LABEL 8
#define RENDER_W_PROBE 8      /* short serial: first 8 characters */
#define RENDER_W_SERIAL 12
#define RENDER_W_UID 8        /* short UID: last 8 hex digits */
#define RENDER_W_STEP 12     /* the longest step name, "option_bytes", whole */
#define RENDER_W_NOTE_MIN 16  /* kept for a note after the bar, so every bar has one width */
#define RENDER_BAR_MIN 4
#define RENDER_BAR_MAX 24
#define RENDER_COLS_PROBE 100 /* below this many columns the probe column goes */
#define RENDER_COLS_UID 80
#define RENDER_COLS_SERIAL 56

/*
 * One display character of s: its bytes to out, its cells, bytes consumed.
 * A character the locale cannot show becomes "-" (dashes) or "?", so the
 * width computed here is the width curses paints.
 */
static size_t render_char(const char *s, char *out, size_t *out_len, int *cells)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, strnlen(s, MB_CUR_MAX), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		bool dash = strncmp(s, "\xe2\x80\x94", 3) == 0 || strncmp(s, "\xe2\x80\x93", 3) == 0;

		out[0] = dash ? '-' : '?';
		*out_len = 1;
		*cells = 1;
		return dash ? 3 : 1;
	}
	w = wcwidth(wc);
	if (w < 0) { /* control character: a blank keeps the line intact */
		out[0] = ' ';
		*out_len = 1;
		*cells = 1;
		return n;
	}
	memcpy(out, s, n);
	*out_len = n;
	*cells = w;
	return n;
}

int gang_console_width(const char *s)
{
	char tmp[8];
	size_t len;
	int cells, total = 0;

	while (s && *s) {
		s += render_char(s, tmp, &len, &cells);
		total += cells;
	}
	return total;
}

int gang_console_fit(char *out, size_t cap, const char *s, int cols, bool pad)
{
	char tmp[8];
	size_t used = 0, len;
	int cells, total = 0;

	if (cap == 0)
		return 0;
	while (s && *s) {
		size_t n = render_char(s, tmp, &len, &cells);

		if (total + cells > cols || used + len >= cap)
			break;
		memcpy(out + used, tmp, len);
		used += len;
		total += cells;
		s += n;
	}
	while (pad && total < cols && used + 1 < cap) {
		out[used++] = ' ';
		total++;
	}
	out[used] = '\0';
	return total;
}

int gang_console_bar(char *out, size_t cap, int width, uint64_t done, uint64_t total)
{
	int fill, i;

	if (width < 0)
		width = 0;
	if ((size_t)width >= cap)
		width = cap ? (int)cap - 1 : 0;
	if (total == 0 || done == 0)
		fill = 0;
	else if (done >= total)
		fill = width;
	else
		fill = (int)((double)done * width / (double)total);
	for (i = 0; i < width; i++)
		out[i] = i < fill ? '#' : '-';
	if (cap)
		out[width] = '\0';
	return width;
}

static void render_reset(gang_console_line *l)
{
	memset(l, 0, sizeof(*l));
}

/* Append s in tone; cells >= 0 pads or cuts to that column width, -1 takes s as is. */
static void render_put(gang_console_line *l, int limit, gang_console_tone tone, const char *s, int cells)
{
	int room = limit - l->cols;
	int want = cells >= 0 ? cells : gang_console_width(s);
	size_t n;
	int got;

	if (room <= 0 || want <= 0 || l->n_segs == GANG_CONSOLE_MAX_SEGS)
		return;
	if (want > room)
		want = room;
	got = gang_console_fit(l->text + l->len, sizeof(l->text) - l->len, s, want, cells >= 0);
	n = strlen(l->text + l->len);
	if (n == 0)
		return;
	/* Neighbours of one tone share a segment: fewer attribute switches for curses. */
	if (l->n_segs && l->segs[l->n_segs - 1].tone == tone) {
		l->segs[l->n_segs - 1].len += n;
	} else {
		l->segs[l->n_segs].tone = tone;
		l->segs[l->n_segs].off = l->len;
		l->segs[l->n_segs++].len = n;
	}
	l->len += n;
	l->cols += got;
}

static void render_duration(char *out, size_t cap, double s)
{
	unsigned u = s > 0 ? (unsigned)s : 0;

	if (s < 100.0)
		snprintf(out, cap, "%.1fs", s > 0 ? s : 0.0);
	else if (u < 3600U)
		snprintf(out, cap, "%um%02us", u / 60U, u % 60U);
	else
		snprintf(out, cap, "%uh%02um", u / 3600U, u / 60U % 60U);
}

static void render_plural(char *out, size_t cap, const char *verb, unsigned n)
{
	snprintf(out, cap, "%s %u board%s", verb, n, n == 1 ? "" : "s");
}

/* What the run is doing about its end: stopping (q, Ctrl-C), target reached, ended. */
static void render_ending(gang_console_line *out, const gang_console_model *m, int cols)
{
	char buf[96], what[48];
	unsigned busy = gang_console_busy(m);

	if (m->t_end > 0.0) {
		render_put(out, cols, GANG_CONSOLE_TONE_NOTE, "  run ended", -1);
		return;
	}
	if (m->stop_level > 0) {
		render_plural(what, sizeof(what), m->stop_level >= 2 ? "aborting" : "finishing", busy);
		snprintf(buf, sizeof(buf), "stopping: %s", busy ? what : "no board in progress");
	} else if (m->boards_max > 0 && (long)m->boards >= m->boards_max) {
		render_plural(what, sizeof(what), "finishing", busy);
		snprintf(buf, sizeof(buf), "target reached%s%s", busy ? ": " : "", busy ? what : "");
	} else {
		return;
	}
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, "  ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_ALERT, buf, -1);
}

/* Yield, boards per hour and time left; an em dash until they mean something. */
static void render_rates(gang_console_line *out, const gang_console_model *m, double now, int cols)
{
	char buf[128], left[24];
	bool known = gang_console_rates_known(m, now);
	double t = gang_console_time_left(m, now);

	if (known)
		snprintf(buf, sizeof(buf), "  first-pass yield %.1f%%  %.1f boards/h", gang_console_yield(m),
			 gang_console_boards_per_hour(m, now));
	else
		snprintf(buf, sizeof(buf), "  first-pass yield \xe2\x80\x94  \xe2\x80\x94 boards/h");
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
	if (m->boards_max <= 0 || m->t_end > 0.0)
		return;
	if (t >= 0.0) {
		render_duration(left, sizeof(left), t);
		snprintf(buf, sizeof(buf), "  time left ~%s", left);
	} else {
		snprintf(buf, sizeof(buf), "  time left \xe2\x80\x94");
	}
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
}

void gang_console_header(gang_console_line *out, const gang_console_model *m, int row, double now, int cols)
{
	char buf[256];
	double end = m->t_end > 0.0 ? m->t_end : now;

	render_reset(out);
	if (row == 0) {
		char t[24];

		render_duration(t, sizeof(t), m->t_start > 0.0 ? end - m->t_start : 0.0);
		snprintf(buf, sizeof(buf), "gang run  profile %s  batch %s  time %s", *m->profile ? m->profile : "-",
			 *m->batch ? m->batch : "-", t);
		render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
		render_ending(out, m, cols);
		return;
	}
	if (m->boards_max > 0)
		snprintf(buf, sizeof(buf), "boards %u/%ld  ", m->boards, m->boards_max);
	else
		snprintf(buf, sizeof(buf), "boards %u  ", m->boards);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
	snprintf(buf, sizeof(buf), "passed %u", m->passed);
	render_put(out, cols, m->passed ? GANG_CONSOLE_TONE_PASS : GANG_CONSOLE_TONE_NORMAL, buf, -1);
	snprintf(buf, sizeof(buf), "  failed %u", m->failed);
	render_put(out, cols, m->failed ? GANG_CONSOLE_TONE_FAIL : GANG_CONSOLE_TONE_NORMAL, buf, -1);
	render_rates(out, m, now, cols);
}

static void render_columns(gang_console_line *l, int cols, const char *probe, const char *serial, const char *uid)
{
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
	if (cols >= RENDER_COLS_PROBE) {
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, probe, RENDER_W_PROBE);
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
	}
	if (cols >= RENDER_COLS_SERIAL) {
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, serial, RENDER_W_SERIAL);
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
	}
	if (cols >= RENDER_COLS_UID) {
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, uid, RENDER_W_UID);
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
	}
}

void gang_console_heading(gang_console_line *out, int cols)
{
	render_reset(out);
	render_put(out, cols, GANG_CONSOLE_TONE_DIM, "   #  ", 6);
	render_put(out, cols, GANG_CONSOLE_TONE_DIM, "slot", RENDER_W_LABEL);
	render_columns(out, cols, "probe", "serial", "uid");
	render_put(out, cols, GANG_CONSOLE_TONE_DIM, "status", -1);
	for (size_t i = 0; i < out->n_segs; i++)
		out->segs[i].tone = GANG_CONSOLE_TONE_DIM;
}

static gang_console_tone render_result_tone(gang_ev_result result)
{
	if (result == GANG_RESULT_PASS)
		return GANG_CONSOLE_TONE_PASS;
	return result == GANG_RESULT_FAIL ? GANG_CONSOLE_TONE_FAIL : GANG_CONSOLE_TONE_NOTE;
}

/* "already": a board that passed before with this profile and image, left as it is. */
static const char *render_result_word(gang_ev_result result)
{
	if (result == GANG_RESULT_PASS)
		return "PASS";
	if (result == GANG_RESULT_ALREADY)
		return "SKIP";
	return result == GANG_RESULT_FAIL ? "FAIL" : "ABORTED";
}

/* After the elapsed time: retry, stuck, paused, then the note (cut to what is left). */
static void render_busy_tail(gang_console_line *l, const gang_console_slot *s, double now, int cols)
{
	char buf[64];

	if (s->attempt > 1) {
		snprintf(buf, sizeof(buf), " retry %d", s->attempt - 1);
		render_put(l, cols, GANG_CONSOLE_TONE_NOTE, buf, -1);
	}
	if (gang_console_slot_stuck(s, now)) {
		render_duration(buf, sizeof(buf), now - s->last_ts);
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
		render_put(l, cols, GANG_CONSOLE_TONE_ALERT, "stuck: no progress for ", -1);
		render_put(l, cols, GANG_CONSOLE_TONE_ALERT, buf, -1);
	}
	if (s->paused)
		render_put(l, cols, GANG_CONSOLE_TONE_NOTE, " paused after this board", -1);
	if (*s->note) {
		render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
		render_put(l, cols, GANG_CONSOLE_TONE_NOTE, s->note, -1);
	}
}

/*
 * The text after the fixed columns while a board is being programmed. The
 * bar's width depends on the terminal width only, so bars line up and do
 * not jump when a note comes or goes.
 */
static void render_busy(gang_console_line *l, const gang_console_slot *s, double now, int cols)
{
	char buf[64], bar[RENDER_BAR_MAX + 1];
	size_t fill;
	int fixed = RENDER_W_STEP + 2 + 2 + 5 + 12 + 8;
	int room = cols - l->cols - fixed - RENDER_W_NOTE_MIN;
	int width = room < RENDER_BAR_MIN ? RENDER_BAR_MIN : room > RENDER_BAR_MAX ? RENDER_BAR_MAX : room;

	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, *s->step ? s->step : "starting", RENDER_W_STEP);
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " [", 2);
	gang_console_bar(bar, sizeof(bar), width, s->done, s->total);
	fill = strspn(bar, "#");
	memcpy(buf, bar, fill);
	buf[fill] = '\0';
	render_put(l, cols, GANG_CONSOLE_TONE_BAR, buf, -1);
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, bar + fill, -1);
	if (s->total)
		snprintf(buf, sizeof(buf), "] %3u%% ", (unsigned)(s->done >= s->total ? 100 : s->done * 100 / s->total));
	else
		snprintf(buf, sizeof(buf), "]   -  ");
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, buf, 7);
	if (s->rate_kib_s > 0.0)
		snprintf(buf, sizeof(buf), "%6.1f KiB/s ", s->rate_kib_s);
	else
		buf[0] = '\0';
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, buf, 13);
	render_duration(buf, sizeof(buf), now - s->board_ts);
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, buf, 7);
	render_busy_tail(l, s, now, cols);
}

static void render_last(gang_console_line *l, const gang_console_slot *s, int cols)
{
	if (!s->has_last)
		return;
	render_put(l, cols, GANG_CONSOLE_TONE_DIM, "  last: ", -1);
	render_put(l, cols, render_result_tone(s->last_result), render_result_word(s->last_result), -1);
	render_put(l, cols, GANG_CONSOLE_TONE_DIM, " ", 1);
	render_put(l, cols, GANG_CONSOLE_TONE_DIM, s->last_id, -1);
}

/* A finished board: PASS (green), FAIL (reverse video, its sentence bold red), ABORTED (yellow). */
static void render_done(gang_console_line *l, const gang_console_slot *s, int cols)
{
	char buf[32];
	bool fail = s->result == GANG_RESULT_FAIL;

	render_duration(buf, sizeof(buf), s->elapsed_s);
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, buf, 7);
	render_put(l, cols, fail ? GANG_CONSOLE_TONE_ALERT : render_result_tone(s->result),
		   render_result_word(s->result), -1);
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, " ", 1);
	/* A pass with no sentence of its own keeps the note (e.g. recovered under reset). */
	render_put(l, cols, fail ? GANG_CONSOLE_TONE_FAIL : GANG_CONSOLE_TONE_NORMAL, *s->message ? s->message : s->note,
		   -1);
	if (s->paused)
		render_put(l, cols, GANG_CONSOLE_TONE_NOTE, "  paused", -1);
}

static void render_status(gang_console_line *l, const gang_console_slot *s, double now, int cols)
{
	switch (s->state) {
	case GANG_CONSOLE_BUSY: render_busy(l, s, now, cols); return;
	case GANG_CONSOLE_DONE: render_done(l, s, cols); return;
	case GANG_CONSOLE_DOWN:
		/* The operator must act (plug the probe back in, or call the engineer): highlighted, never dimmed. */
		if (s->stopped_class[0]) {
			char what[48];

			snprintf(what, sizeof(what), "stopped (%s)", s->stopped_class);
			render_put(l, cols, GANG_CONSOLE_TONE_ALERT, what, -1);
		} else {
			render_put(l, cols, GANG_CONSOLE_TONE_ALERT, "probe gone", -1);
		}
		if (*s->message) {
			render_put(l, cols, GANG_CONSOLE_TONE_FAIL, ": ", -1);
			render_put(l, cols, GANG_CONSOLE_TONE_FAIL, s->message, -1);
		}
		if (s->paused)
			render_put(l, cols, GANG_CONSOLE_TONE_NOTE, "  paused", -1);
		render_last(l, s, cols);
		return;
	case GANG_CONSOLE_WAITING:
		render_put(l, cols, s->paused ? GANG_CONSOLE_TONE_NOTE : GANG_CONSOLE_TONE_NORMAL,
			 s->paused ? "paused (p resumes)" : "waiting for a board", -1);
		render_last(l, s, cols);
		return;
	}
}

void gang_console_slot_line(gang_console_line *out, const gang_console_slot *s, size_t num, bool selected,
			    double now, int cols)
{
	char buf[16];
	const char *uid = s->uid;
	size_t n = strlen(uid);

	render_reset(out);
	render_put(out, cols, GANG_CONSOLE_TONE_SELECT, selected ? ">" : " ", 1);
	snprintf(buf, sizeof(buf), "%3zu", num);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, 3);
	render_put(out, cols, GANG_CONSOLE_TONE_NOTE, s->paused ? "P " : "  ", 2);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, s->label, RENDER_W_LABEL);
	if (n > RENDER_W_UID)
		uid += n - RENDER_W_UID;
	render_columns(out, cols, s->probe, s->serial, uid);
	render_status(out, s, now, cols);
}

/* Summary rows: totals (0-3), failures by class, per-slot counts, closing hint. */
static void render_summary_totals(gang_console_line *l, const gang_console_model *m, size_t row, double now,
				  int cols)
{
	char buf[256], t[24];
	double end = m->t_end > 0.0 ? m->t_end : now;

	render_duration(t, sizeof(t), m->t_start > 0.0 ? end - m->t_start : 0.0);
	if (row == 0)
		snprintf(buf, sizeof(buf), "Batch summary: batch %s, profile %s", *m->batch ? m->batch : "-",
			 *m->profile ? m->profile : "-");
	else if (row == 1)
		snprintf(buf, sizeof(buf), "boards %u   passed %u   failed %u   aborted %u", m->boards, m->passed,
			 m->failed, m->aborted);
	else if (row == 2 && gang_console_rates_known(m, now))
		snprintf(buf, sizeof(buf), "first-pass yield %.1f%%   %.1f boards/h   run time %s",
			 gang_console_yield(m), gang_console_boards_per_hour(m, now), t);
	else if (row == 2)
		snprintf(buf, sizeof(buf), "first-pass yield \xe2\x80\x94   \xe2\x80\x94 boards/h   run time %s", t);
	else
		snprintf(buf, sizeof(buf), "Failures by error class:");
	render_put(l, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
}

bool gang_console_summary_line(gang_console_line *out, const gang_console_model *m, size_t row, double now,
			       int cols)
{
	size_t n_class = m->n_classes ? m->n_classes : 1;
	char buf[96];

	render_reset(out);
	if (row < 4) {
		render_summary_totals(out, m, row, now, cols);
		return true;
	}
	row -= 4;
	if (row < n_class) {
		if (m->n_classes)
			snprintf(buf, sizeof(buf), "  %-20s %5u", m->classes[row].name, m->classes[row].count);
		render_put(out, cols, m->n_classes ? GANG_CONSOLE_TONE_FAIL : GANG_CONSOLE_TONE_NORMAL,
			 m->n_classes ? buf : "  none", -1);
		return true;
	}
	row -= n_class;
	if (row == 0) {
		render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, "Per slot:               pass  fail", -1);
		return true;
	}
	if (--row < m->n_slots) {
		snprintf(buf, sizeof(buf), "  %-20s %5u %5u", m->slots[row].label, m->slots[row].passed,
			 m->slots[row].failed);
		render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, buf, -1);
		return true;
	}
	if (row - m->n_slots == 0) {
		render_put(out, cols, GANG_CONSOLE_TONE_DIM, "(any key closes this summary)", -1);
		return true;
	}
	return false;
}

void gang_console_legend(gang_console_line *out, const gang_console_model *m, int cols)
{
	render_reset(out);
	render_put(out, cols, GANG_CONSOLE_TONE_SELECT, " q ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, " stop after current boards  ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_SELECT, " p ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, " pause/resume slot  ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_SELECT, " up/down 1-9 ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, " select  ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_SELECT, " r ", -1);
	render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, " summary", -1);
	if (*m->log_path) {
		render_put(out, cols, GANG_CONSOLE_TONE_DIM, "   log: ", -1);
		render_put(out, cols, GANG_CONSOLE_TONE_DIM, m->log_path, -1);
	}
}

void gang_console_note_line(gang_console_line *out, const gang_console_model *m, int cols)
{
	render_reset(out);
	if (*m->run_note)
		render_put(out, cols, GANG_CONSOLE_TONE_ALERT, m->run_note, -1);
}

/* "aborted (not finished; the next run programs them again): S2, S4" */
static void render_aborted(gang_console_line *out, const gang_console_model *m, int cols)
{
	bool any = false;

	for (size_t i = 0; i < m->n_slots; i++) {
		const gang_console_slot *s = &m->slots[i];

		if (!s->has_last || s->last_result != GANG_RESULT_ABORTED)
			continue;
		render_put(out, cols, GANG_CONSOLE_TONE_ALERT,
			   any ? ", " : "boards aborted (not finished; program them again) in slots: ", -1);
		render_put(out, cols, GANG_CONSOLE_TONE_ALERT, s->label, -1);
		any = true;
	}
	if (!any)
		render_put(out, cols, GANG_CONSOLE_TONE_NORMAL, "no board was aborted", -1);
}

bool gang_console_final_line(gang_console_line *out, const gang_console_model *m, size_t row, double now,
			     int cols)
{
	render_reset(out);
	if (row < 2) {
		gang_console_header(out, m, (int)row, now, cols);
		return true;
	}
	row -= 2;
	if (row < m->n_slots) {
		gang_console_slot_line(out, &m->slots[row], row + 1, false, now, cols);
		return true;
	}
	if (row == m->n_slots) {
		render_aborted(out, m, cols);
		return true;
	}
	return false;
}

void gang_console_more_line(gang_console_line *out, const gang_console_model *m, size_t from, int cols)
{
	unsigned n[4] = { 0, 0, 0, 0 };
	char buf[160];

	render_reset(out);
	for (size_t i = from; i < m->n_slots; i++)
		n[m->slots[i].state]++;
	snprintf(buf, sizeof(buf), "   + %zu more slots: %u busy, %u waiting, %u done, %u gone (up/down scrolls)",
		 from < m->n_slots ? m->n_slots - from : 0, n[GANG_CONSOLE_BUSY], n[GANG_CONSOLE_WAITING],
		 n[GANG_CONSOLE_DONE], n[GANG_CONSOLE_DOWN]);
	render_put(out, cols, GANG_CONSOLE_TONE_DIM, buf, -1);
}
