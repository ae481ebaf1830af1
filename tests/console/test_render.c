/*
 * test_render.c — the console's text composition: display-cell widths
 * (em dash = one cell), fitting, the progress bar, slot lines at many
 * terminal widths, header, legend and the batch summary.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "console/console_model.h"

#define T0 1700000000.0
#define EM "\xe2\x80\x94"

static void utf8_locale(void)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"), "C.UTF-8 locale missing");
}

TestSuite(console_render, .init = utf8_locale, .timeout = 10);

static gang_console_slot slot_busy(void)
{
	gang_console_slot s = { .label = "A", .probe = "0671FF485049", .uid = "066DFF383358411143123456",
				.serial = "001234", .step = "program", .state = GANG_CONSOLE_BUSY,
				.board_ts = T0, .done = 32768, .total = 65536, .rate_kib_s = 41.5 };
	return s;
}

static gang_console_slot slot_done(gang_ev_result result, const char *msg)
{
	gang_console_slot s = slot_busy();

	s.state = GANG_CONSOLE_DONE;
	s.result = result;
	snprintf(s.message, sizeof(s.message), "%s", msg);
	s.elapsed_s = 8.4;
	return s;
}

/* The text of the segments in tone, concatenated. */
static void tone_text(char *out, size_t cap, const gang_console_line *l, gang_console_tone tone)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < l->n_segs; i++)
		if (l->segs[i].tone == tone && n + l->segs[i].len < cap) {
			memcpy(out + n, l->text + l->segs[i].off, l->segs[i].len);
			n += l->segs[i].len;
			out[n] = '\0';
		}
}

static void assert_line_sane(const gang_console_line *l, int cols)
{
	size_t sum = 0;

	cr_assert_leq(l->cols, cols, "line uses %d cells, terminal has %d: \"%s\"", l->cols, cols, l->text);
	cr_assert_eq(gang_console_width(l->text), l->cols, "cells counted %d, text is %d", l->cols,
		     gang_console_width(l->text));
	for (size_t i = 0; i < l->n_segs; i++)
		sum += l->segs[i].len;
	cr_assert_eq(sum, l->len);
	cr_assert_eq(strlen(l->text), l->len);
}

Test(console_render, em_dash_is_one_cell_and_ascii_one_each)
{
	cr_assert_eq(gang_console_width("abc"), 3);
	cr_assert_eq(gang_console_width("a" EM "b"), 3);
	cr_assert_eq(gang_console_width(""), 0);
	cr_assert_eq(gang_console_width(NULL), 0);
}

Test(console_render, invalid_bytes_and_controls_count_one_cell)
{
	cr_assert_eq(gang_console_width("a\xff" "b"), 3);
	cr_assert_eq(gang_console_width("a\tb\n"), 4);
}

Test(console_render, fit_cuts_by_cells_never_inside_a_character)
{
	char out[32];

	cr_assert_eq(gang_console_fit(out, sizeof(out), "ab" EM "cd", 3, false), 3);
	cr_assert_str_eq(out, "ab" EM);
	cr_assert_eq(gang_console_fit(out, sizeof(out), "ab" EM "cd", 2, false), 2);
	cr_assert_str_eq(out, "ab");
	/* 4 bytes of room: "ab" and the 3-byte dash do not fit together. */
	cr_assert_eq(gang_console_fit(out, 5, "ab" EM "cd", 10, false), 2);
	cr_assert_str_eq(out, "ab");
}

Test(console_render, fit_pads_to_the_column_width)
{
	char out[32];

	cr_assert_eq(gang_console_fit(out, sizeof(out), "ab", 5, true), 5);
	cr_assert_str_eq(out, "ab   ");
	cr_assert_eq(gang_console_fit(out, sizeof(out), NULL, 2, true), 2);
	cr_assert_str_eq(out, "  ");
	cr_assert_eq(gang_console_fit(out, 0, "ab", 5, true), 0);
}

Test(console_render, without_a_utf8_locale_dashes_become_hyphens)
{
	char out[32];

	setlocale(LC_CTYPE, "C");
	cr_assert_eq(gang_console_fit(out, sizeof(out), "a " EM " b", 10, false), 5);
	cr_assert_str_eq(out, "a - b");
	cr_assert_eq(gang_console_fit(out, sizeof(out), "\xc3\xa9", 10, false), 2);
	cr_assert_str_eq(out, "??");
}

Test(console_render, bar_fills_in_proportion)
{
	char out[32];

	cr_assert_eq(gang_console_bar(out, sizeof(out), 10, 0, 100), 10);
	cr_assert_str_eq(out, "----------");
	gang_console_bar(out, sizeof(out), 10, 50, 100);
	cr_assert_str_eq(out, "#####-----");
	gang_console_bar(out, sizeof(out), 10, 99, 100);
	cr_assert_str_eq(out, "#########-");
	gang_console_bar(out, sizeof(out), 10, 100, 100);
	cr_assert_str_eq(out, "##########");
	gang_console_bar(out, sizeof(out), 4, 500, 100);
	cr_assert_str_eq(out, "####");
}

Test(console_render, bar_without_total_is_empty_and_width_is_bounded)
{
	char out[8];

	gang_console_bar(out, sizeof(out), 5, 10, 0);
	cr_assert_str_eq(out, "-----");
	cr_assert_eq(gang_console_bar(out, sizeof(out), 20, 1, 2), 7);
	cr_assert_str_eq(out, "###----");
	cr_assert_eq(gang_console_bar(out, sizeof(out), -3, 1, 2), 0);
	cr_assert_str_eq(out, "");
}

Test(console_render, busy_line_shows_step_bar_percent_rate_and_elapsed)
{
	gang_console_slot s = slot_busy();
	gang_console_line l;
	char bar[64];

	gang_console_slot_line(&l, &s, 1, true, T0 + 12.3, 120);
	assert_line_sane(&l, 120);
	cr_assert(strstr(l.text, "program"), "%s", l.text);
	cr_assert(strstr(l.text, " 50%"), "%s", l.text);
	cr_assert(strstr(l.text, "41.5 KiB/s"), "%s", l.text);
	cr_assert(strstr(l.text, "12.3s"), "%s", l.text);
	cr_assert(strstr(l.text, "0671FF48 "), "probe cut to 8: %s", l.text);
	cr_assert_null(strstr(l.text, "0671FF4850"), "%s", l.text);
	cr_assert(strstr(l.text, "43123456"), "uid is its last 8 digits: %s", l.text);
	cr_assert_null(strstr(l.text, "066DFF"), "%s", l.text);
	cr_assert(strstr(l.text, "001234"), "%s", l.text);
	tone_text(bar, sizeof(bar), &l, GANG_CONSOLE_TONE_BAR);
	cr_assert_gt(strlen(bar), 0);
	cr_assert_eq(strspn(bar, "#"), strlen(bar), "bar tone holds only the filled part: %s", bar);
	tone_text(bar, sizeof(bar), &l, GANG_CONSOLE_TONE_SELECT);
	cr_assert_str_eq(bar, ">");
}

Test(console_render, busy_line_before_any_progress_shows_no_percent)
{
	gang_console_slot s = slot_busy();
	gang_console_line l;

	s.total = s.done = 0;
	s.rate_kib_s = 0;
	gang_console_slot_line(&l, &s, 1, false, T0 + 1, 120);
	cr_assert_null(strstr(l.text, "%"), "%s", l.text);
	cr_assert_null(strstr(l.text, "KiB/s"), "%s", l.text);
	cr_assert(strstr(l.text, "[----"), "%s", l.text);
}

Test(console_render, busy_line_shows_the_note_in_note_tone)
{
	gang_console_slot s = slot_busy();
	gang_console_line l;
	char note[256];

	snprintf(s.note, sizeof(s.note), "SWD disabled by firmware " EM " recovered under reset");
	gang_console_slot_line(&l, &s, 1, false, T0 + 1, 160);
	tone_text(note, sizeof(note), &l, GANG_CONSOLE_TONE_NOTE);
	cr_assert(strstr(note, "SWD disabled by firmware " EM " recovered under reset"), "%s", note);
}

Test(console_render, pass_line_is_pass_toned_with_the_sentence)
{
	gang_console_slot s = slot_done(GANG_RESULT_PASS, "SWD disabled by firmware " EM " recovered under reset");
	gang_console_line l;
	char t[64];

	gang_console_slot_line(&l, &s, 2, false, T0 + 99, 120);
	assert_line_sane(&l, 120);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_PASS);
	cr_assert_str_eq(t, "PASS");
	cr_assert(strstr(l.text, "PASS SWD disabled by firmware " EM " recovered under reset"), "%s", l.text);
	cr_assert(strstr(l.text, "8.4s"), "%s", l.text);
	cr_assert_null(strstr(l.text, "["), "no bar after the result: %s", l.text);
}

Test(console_render, pass_without_a_sentence_keeps_the_note)
{
	gang_console_slot s = slot_done(GANG_RESULT_PASS, "");
	gang_console_line l;

	snprintf(s.note, sizeof(s.note), "recovered under reset");
	gang_console_slot_line(&l, &s, 2, false, T0, 120);
	cr_assert(strstr(l.text, "PASS recovered under reset"), "%s", l.text);
}

Test(console_render, fail_and_aborted_lines_have_their_words_and_tones)
{
	gang_console_slot s = slot_done(GANG_RESULT_FAIL, "verify failed at 0x08012344 " EM " set board aside");
	gang_console_line l;
	char t[64];

	gang_console_slot_line(&l, &s, 3, false, T0, 120);
	/* the verdict in reverse video, its sentence bold red: the operator must set the board aside */
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_ALERT);
	cr_assert_str_eq(t, "FAIL");
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_FAIL);
	cr_assert_str_eq(t, "verify failed at 0x08012344 " EM " set board aside");
	cr_assert(strstr(l.text, "FAIL verify failed at 0x08012344 " EM " set board aside"), "%s", l.text);
	s = slot_done(GANG_RESULT_ABORTED, "stopped");
	gang_console_slot_line(&l, &s, 3, false, T0, 120);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_NOTE);
	cr_assert(strstr(t, "ABORTED"), "%s", l.text);
	s = slot_done(GANG_RESULT_ALREADY, "already programmed (PASS 2026-12-06 21:10, serial 5000) " EM " remove it");
	gang_console_slot_line(&l, &s, 3, false, T0, 120);
	cr_assert(strstr(l.text, "SKIP already programmed (PASS 2026-12-06 21:10, serial 5000)"), "%s", l.text);
}

Test(console_render, waiting_line_shows_last_result_and_paused_state)
{
	gang_console_slot s = slot_done(GANG_RESULT_PASS, "");
	gang_console_line l;

	s.state = GANG_CONSOLE_WAITING;
	s.has_last = true;
	s.last_result = GANG_RESULT_PASS;
	snprintf(s.last_id, sizeof(s.last_id), "001234");
	gang_console_slot_line(&l, &s, 1, false, T0, 120);
	cr_assert(strstr(l.text, "waiting for a board  last: PASS 001234"), "%s", l.text);
	s.paused = true;
	gang_console_slot_line(&l, &s, 1, false, T0, 120);
	cr_assert(strstr(l.text, "paused (p resumes)"), "%s", l.text);
	cr_assert_eq(strncmp(l.text, "   1P A", 7), 0, "%s", l.text);
}

Test(console_render, probe_gone_line_is_highlighted_never_dimmed)
{
	gang_console_slot s = { .label = "D", .probe = "DEADBEEF0001", .state = GANG_CONSOLE_DOWN,
				.message = "probe unplugged" };
	gang_console_line l;
	char t[64];

	gang_console_slot_line(&l, &s, 4, false, T0, 120);
	cr_assert(strstr(l.text, "probe gone: probe unplugged"), "%s", l.text);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_ALERT);
	cr_assert_str_eq(t, "probe gone");
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_FAIL);
	cr_assert_str_eq(t, ": probe unplugged");
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_DIM);
	cr_assert_str_eq(t, "", "nothing of a gone probe's line is dimmed: \"%s\"", t);
}

Test(console_render, a_busy_slot_without_events_for_30_s_is_flagged_stuck)
{
	gang_console_slot s = slot_busy();
	gang_console_line l;
	char t[128];

	s.last_ts = T0 + 2;
	gang_console_slot_line(&l, &s, 1, false, T0 + 2 + GANG_CONSOLE_STUCK_S - 1, 140);
	cr_assert_null(strstr(l.text, "stuck"), "%s", l.text);
	gang_console_slot_line(&l, &s, 1, false, T0 + 2 + 45, 140);
	assert_line_sane(&l, 140);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_ALERT);
	cr_assert_str_eq(t, "stuck: no progress for 45.0s", "%s", l.text);
}

Test(console_render, a_paused_slot_says_paused_in_every_state)
{
	gang_console_slot busy = slot_busy(), done = slot_done(GANG_RESULT_PASS, "");
	gang_console_slot gone = { .label = "D", .state = GANG_CONSOLE_DOWN, .message = "probe unplugged" };
	gang_console_line l;

	busy.paused = done.paused = gone.paused = true;
	gang_console_slot_line(&l, &busy, 1, false, T0 + 1, 140);
	cr_assert(strstr(l.text, "paused after this board"), "%s", l.text);
	gang_console_slot_line(&l, &done, 1, false, T0 + 1, 140);
	cr_assert(strstr(l.text, "PASS") && strstr(l.text, "paused"), "%s", l.text);
	gang_console_slot_line(&l, &gone, 1, false, T0 + 1, 140);
	cr_assert(strstr(l.text, "paused"), "%s", l.text);
}

Test(console_render, a_retry_shows_as_a_retry_not_as_a_verdict)
{
	gang_console_slot s = slot_busy();
	gang_console_line l;
	char t[160];

	s.attempt = 2;
	snprintf(s.note, sizeof(s.note), "attempt 1 failed: no answer on SWD; retrying");
	gang_console_slot_line(&l, &s, 1, false, T0 + 1, 200);
	cr_assert_null(strstr(l.text, "FAIL"), "%s", l.text);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_NOTE);
	cr_assert(strstr(t, "retry 1"), "%s", l.text);
	cr_assert(strstr(t, "attempt 1 failed: no answer on SWD; retrying"), "%s", l.text);
}

Test(console_render, every_step_name_shows_whole)
{
	static const char *const steps[] = { "connect", "serial", "unprotect", "erase", "program", "verify",
					     "option_bytes" };
	gang_console_slot s = slot_busy();
	gang_console_line l;
	char want[32];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(s.step, sizeof(s.step), "%s", steps[i]);
		snprintf(want, sizeof(want), " %s ", steps[i]);
		for (int cols = 60; cols <= 160; cols += 20) {
			gang_console_slot_line(&l, &s, 1, false, T0 + 1, cols);
			cr_assert(strstr(l.text, want), "step cut at %d columns: %s", cols, l.text);
		}
	}
}

/* Column of the first '[' and the bar's length up to ']' in a busy line. */
static void bar_span(const gang_console_line *l, size_t *at, size_t *len)
{
	const char *open = strchr(l->text, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	cr_assert(open && close, "no bar in: %s", l->text);
	*at = (size_t)(open - l->text);
	*len = (size_t)(close - open);
}

Test(console_render, progress_bars_keep_one_width_with_or_without_a_note)
{
	gang_console_slot plain = slot_busy(), noted = slot_busy();
	gang_console_line l;
	size_t at0, len0, at1, len1;

	snprintf(noted.note, sizeof(noted.note), "SWD disabled by firmware " EM " recovered under reset, long");
	for (int cols = 70; cols <= 200; cols += 5) {
		gang_console_slot_line(&l, &plain, 1, false, T0 + 1, cols);
		bar_span(&l, &at0, &len0);
		gang_console_slot_line(&l, &noted, 2, false, T0 + 1, cols);
		bar_span(&l, &at1, &len1);
		cr_assert_eq(at0, at1, "bars start apart at %d columns", cols);
		cr_assert_eq(len0, len1, "bar widths %zu and %zu at %d columns", len0, len1, cols);
	}
}

Test(console_render, a_slot_the_database_stopped_is_not_shown_as_probe_gone)
{
	gang_console_model m;
	gang_console_line l;

	gang_console_model_init(&m);
	gang_console_model_apply(&m, &(gang_event){ .kind = GANG_EV_SLOT_DOWN, .slot = "s2",
						    .error_class = "database",
						    .message = "the traceability database cannot be used" });
	gang_console_slot_line(&l, &m.slots[0], 4, false, T0, 120);
	cr_assert(strstr(l.text, "stopped (database): the traceability database cannot be used"), "%s", l.text);
	cr_assert_null(strstr(l.text, "probe gone"), "%s", l.text);
}

Test(console_render, narrow_terminals_drop_probe_then_uid_then_serial)
{
	gang_console_slot s = slot_done(GANG_RESULT_PASS, "ok");
	gang_console_line l;

	gang_console_slot_line(&l, &s, 1, false, T0, 99);
	cr_assert_null(strstr(l.text, "0671FF48"), "%s", l.text);
	cr_assert(strstr(l.text, "43123456"), "%s", l.text);
	gang_console_slot_line(&l, &s, 1, false, T0, 79);
	cr_assert_null(strstr(l.text, "43123456"), "%s", l.text);
	cr_assert(strstr(l.text, "001234"), "%s", l.text);
	gang_console_slot_line(&l, &s, 1, false, T0, 50);
	cr_assert_null(strstr(l.text, "001234"), "%s", l.text);
	cr_assert(strstr(l.text, "PASS"), "%s", l.text);
	gang_console_heading(&l, 79);
	cr_assert_null(strstr(l.text, "uid"), "%s", l.text);
	cr_assert(strstr(l.text, "serial"), "%s", l.text);
}

Test(console_render, every_state_fits_every_width)
{
	gang_console_slot states[4] = { slot_busy(), slot_done(GANG_RESULT_FAIL, "verify failed at 0x08012344 " EM " x"),
					slot_done(GANG_RESULT_PASS, ""), { .label = "D", .state = GANG_CONSOLE_DOWN } };
	gang_console_line l;
	gang_console_model m;

	gang_console_model_init(&m);
	snprintf(m.log_path, sizeof(m.log_path), "/home/op/.local/state/gang/gang.log");

	snprintf(states[0].note, sizeof(states[0].note), "a note " EM " long enough to be cut somewhere");
	states[2].state = GANG_CONSOLE_WAITING;
	states[2].has_last = true;
	for (int cols = 0; cols <= 220; cols++) {
		for (size_t i = 0; i < 4; i++) {
			gang_console_slot_line(&l, &states[i], i + 1, i == 0, T0 + 5, cols);
			assert_line_sane(&l, cols);
		}
		gang_console_heading(&l, cols);
		assert_line_sane(&l, cols);
		gang_console_legend(&l, &m, cols);
		assert_line_sane(&l, cols);
	}
}

Test(console_render, header_shows_profile_batch_and_counters)
{
	gang_console_model m;
	gang_console_line l;

	gang_console_model_init(&m);
	snprintf(m.profile, sizeof(m.profile), "f103-demo");
	snprintf(m.batch, sizeof(m.batch), "B-0042");
	m.t_start = T0;
	m.boards = 3, m.passed = 2, m.failed = 1, m.first_pass = 2;
	gang_console_header(&l, &m, 0, T0 + 600, 120);
	cr_assert(strstr(l.text, "profile f103-demo  batch B-0042  time 10m00s"), "%s", l.text);
	gang_console_header(&l, &m, 1, T0 + 600, 120);
	cr_assert_str_eq(l.text, "boards 3  passed 2  failed 1  first-pass yield 66.7%  18.0 boards/h");
	m.t_end = T0 + 7200;
	gang_console_header(&l, &m, 0, T0 + 9999, 120);
	cr_assert(strstr(l.text, "time 2h00m  run ended"), "%s", l.text);
}

Test(console_render, summary_lists_totals_classes_and_slots_then_ends)
{
	gang_console_model m;
	gang_console_line l;
	size_t rows = 0;
	char all[4096] = "";

	gang_console_model_init(&m);
	gang_console_model_apply(&m, &(gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .batch = "B1" });
	gang_console_model_apply(&m, &(gang_event){ .kind = GANG_EV_RESULT, .slot = "A", .result = GANG_RESULT_PASS,
						     .attempt = 1 });
	gang_console_model_apply(&m, &(gang_event){ .kind = GANG_EV_RESULT, .slot = "B", .result = GANG_RESULT_FAIL,
						     .error_class = "verify" });
	while (gang_console_summary_line(&l, &m, rows, T0 + 60, 70)) {
		assert_line_sane(&l, 70);
		strcat(all, l.text);
		strcat(all, "\n");
		rows++;
	}
	cr_assert_eq(rows, 4 + 1 + 1 + 2 + 1, "%s", all);
	cr_assert(strstr(all, "batch B1"), "%s", all);
	cr_assert(strstr(all, "boards 2   passed 1   failed 1"), "%s", all);
	cr_assert(strstr(all, "first-pass yield 50.0%"), "%s", all);
	cr_assert(strstr(all, "  verify                   1\n"), "%s", all);
	cr_assert(strstr(all, "  A                        1     0\n"), "%s", all);
	cr_assert(strstr(all, "  B                        0     1\n"), "%s", all);
	cr_assert(strstr(all, "(any key closes this summary)"), "%s", all);
}

Test(console_render, summary_without_failures_says_none)
{
	gang_console_model m;
	gang_console_line l;

	gang_console_model_init(&m);
	cr_assert(gang_console_summary_line(&l, &m, 4, T0, 70));
	cr_assert_str_eq(l.text, "  none");
	cr_assert(gang_console_summary_line(&l, &m, 6, T0, 70));
	cr_assert_str_eq(l.text, "(any key closes this summary)");
	cr_assert_not(gang_console_summary_line(&l, &m, 7, T0, 70));
}

Test(console_render, more_line_summarises_hidden_slots_by_state)
{
	gang_console_model m;
	gang_console_line l;
	char label[16];

	gang_console_model_init(&m);
	for (int i = 0; i < 6; i++) {
		snprintf(label, sizeof(label), "s%d", i);
		gang_console_model_apply(&m, &(gang_event){ .kind = i < 3 ? GANG_EV_BOARD : GANG_EV_SLOT_UP,
							     .slot = label });
	}
	gang_console_model_apply(&m, &(gang_event){ .kind = GANG_EV_SLOT_DOWN, .slot = "s5" });
	gang_console_more_line(&l, &m, 2, 120);
	cr_assert(strstr(l.text, "+ 4 more slots: 1 busy, 2 waiting, 0 done, 1 gone"), "%s", l.text);
}

/* A run of 3 boards (2 first-pass) over 600 s, three slots, two of them busy. */
static void model_mid_run(gang_console_model *m)
{
	static const char *const labels[] = { "S1", "S2", "S3" };

	gang_console_model_init(m);
	snprintf(m->profile, sizeof(m->profile), "f103-demo");
	snprintf(m->batch, sizeof(m->batch), "B-0042");
	m->t_start = T0;
	m->boards = 3, m->passed = 2, m->failed = 1, m->first_pass = 2;
	for (size_t i = 0; i < 3; i++) {
		snprintf(m->slots[i].label, sizeof(m->slots[i].label), "%s", labels[i]);
		m->slots[i].state = i < 2 ? GANG_CONSOLE_BUSY : GANG_CONSOLE_WAITING;
	}
	m->n_slots = 3;
}

Test(console_render, yield_and_rate_are_a_dash_until_a_board_finished_and_a_minute_passed)
{
	gang_console_model m;
	gang_console_line l;

	model_mid_run(&m);
	m.boards = m.passed = m.failed = m.first_pass = 0;
	gang_console_header(&l, &m, 1, T0 + 600, 120);
	cr_assert_str_eq(l.text, "boards 0  passed 0  failed 0  first-pass yield " EM "  " EM " boards/h");
	m.boards = m.passed = m.first_pass = 1;
	gang_console_header(&l, &m, 1, T0 + 0.3, 120);
	cr_assert(strstr(l.text, "first-pass yield " EM "  " EM " boards/h"), "one board after 0.3 s: %s", l.text);
	gang_console_header(&l, &m, 1, T0 + GANG_CONSOLE_RATE_MIN_S, 120);
	cr_assert(strstr(l.text, "first-pass yield 100.0%  60.0 boards/h"), "%s", l.text);
	gang_console_summary_line(&l, &m, 2, T0 + 0.3, 120);
	cr_assert(strstr(l.text, "first-pass yield " EM), "summary: %s", l.text);
}

Test(console_render, header_shows_the_target_and_the_time_left)
{
	gang_console_model m;
	gang_console_line l;

	model_mid_run(&m);
	m.boards_max = 12;
	gang_console_header(&l, &m, 1, T0 + 30, 140);
	cr_assert_str_eq(l.text, "boards 3/12  passed 2  failed 1  first-pass yield " EM "  " EM " boards/h  "
				 "time left " EM);
	/* 3 boards in 600 s: 18 an hour, 9 to go: half an hour */
	gang_console_header(&l, &m, 1, T0 + 600, 140);
	cr_assert_str_eq(l.text, "boards 3/12  passed 2  failed 1  first-pass yield 66.7%  18.0 boards/h  "
				 "time left ~30m00s");
	m.boards = 12;
	gang_console_header(&l, &m, 0, T0 + 600, 140);
	cr_assert(strstr(l.text, "target reached: finishing 2 boards"), "%s", l.text);
}

Test(console_render, header_acknowledges_q_and_ctrl_c)
{
	gang_console_model m;
	gang_console_line l;
	char t[128];

	model_mid_run(&m);
	gang_console_header(&l, &m, 0, T0 + 600, 140);
	cr_assert_null(strstr(l.text, "stopping"), "%s", l.text);
	gang_console_model_stop(&m);
	gang_console_header(&l, &m, 0, T0 + 600, 140);
	tone_text(t, sizeof(t), &l, GANG_CONSOLE_TONE_ALERT);
	cr_assert_str_eq(t, "stopping: finishing 2 boards");
	m.slots[1].state = GANG_CONSOLE_DONE;
	gang_console_model_stop(&m);
	gang_console_header(&l, &m, 0, T0 + 600, 140);
	cr_assert(strstr(l.text, "stopping: aborting 1 board"), "%s", l.text);
}

Test(console_render, footer_names_the_log_file_and_the_run_note_line_its_sentence)
{
	gang_console_model m;
	gang_console_line l;

	model_mid_run(&m);
	gang_console_legend(&l, &m, 200);
	cr_assert_null(strstr(l.text, "log:"), "%s", l.text);
	snprintf(m.log_path, sizeof(m.log_path), "/home/op/.local/state/gang/gang.log");
	gang_console_legend(&l, &m, 200);
	cr_assert(strstr(l.text, "log: /home/op/.local/state/gang/gang.log"), "%s", l.text);
	gang_console_note_line(&l, &m, 200);
	cr_assert_str_eq(l.text, "");
	snprintf(m.run_note, sizeof(m.run_note), "66 ST-Links attached; gang drives at most 64 " EM
		 " the others are ignored");
	gang_console_note_line(&l, &m, 200);
	cr_assert_str_eq(l.text, m.run_note);
	cr_assert_eq(l.segs[0].tone, GANG_CONSOLE_TONE_ALERT);
}

Test(console_render, final_table_has_the_header_every_slot_and_names_the_aborted_ones)
{
	gang_console_model m;
	gang_console_line l;
	char all[4096] = "";
	size_t row = 0;

	model_mid_run(&m);
	for (size_t i = 0; i < 3; i++)
		m.slots[i].state = GANG_CONSOLE_DONE;
	m.slots[0].result = GANG_RESULT_PASS;
	for (size_t i = 1; i < 3; i++) {
		m.slots[i].result = GANG_RESULT_ABORTED;
		m.slots[i].has_last = true;
		m.slots[i].last_result = GANG_RESULT_ABORTED;
	}
	while (gang_console_final_line(&l, &m, row, T0 + 600, 120)) {
		assert_line_sane(&l, 120);
		strncat(all, l.text, sizeof(all) - strlen(all) - 2);
		strcat(all, "\n");
		row++;
	}
	cr_assert_eq(row, 2 + 3 + 1, "%s", all);
	cr_assert(strstr(all, "boards 3  passed 2  failed 1"), "%s", all);
	cr_assert(strstr(all, "S1 ") && strstr(all, "PASS"), "%s", all);
	cr_assert(strstr(all, "in slots: S2, S3\n"), "%s", all);
}
