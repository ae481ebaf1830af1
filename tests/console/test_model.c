/*
 * test_model.c — the console's model: events → slot states and the run's
 * counters (yield, boards per hour), following the order of sched/events.h.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "console/console_model.h"

#define T0 1700000000.0

TestSuite(console_model, .timeout = 10);

static gang_console_model model;

static void ev(gang_event e)
{
	gang_console_model_apply(&model, &e);
}

/* One board through a slot: board → step → progress → result. */
static void board(const char *slot, const char *serial, gang_ev_result result, int attempt, const char *cls)
{
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0 + 10, .slot = slot, .uid = "066DFF383358411143123456",
			 .attempt = attempt });
	ev((gang_event){ .kind = GANG_EV_STEP, .slot = slot, .step = "program", .serial = serial });
	ev((gang_event){ .kind = GANG_EV_RESULT, .slot = slot, .result = result, .attempt = attempt,
			 .error_class = cls, .message = cls ? "it failed" : NULL, .elapsed_s = 5.5 });
}

Test(console_model, run_start_sets_profile_batch_and_clock)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .profile = "f103", .batch = "B7" });
	cr_assert_str_eq(model.profile, "f103");
	cr_assert_str_eq(model.batch, "B7");
	cr_assert_eq(model.t_start, T0);
	cr_assert_eq(model.n_slots, 0);
}

Test(console_model, slots_appear_on_first_event_sorted_in_natural_label_order)
{
	const char *labels[] = { "s10", "s2", "s1", "a" };

	gang_console_model_init(&model);
	for (size_t i = 0; i < 4; i++)
		ev((gang_event){ .kind = i % 2 ? GANG_EV_WAITING : GANG_EV_SLOT_UP, .slot = labels[i], .probe = "P" });
	cr_assert_eq(model.n_slots, 4);
	cr_assert_str_eq(model.slots[0].label, "a");
	cr_assert_str_eq(model.slots[1].label, "s1");
	cr_assert_str_eq(model.slots[2].label, "s2");
	cr_assert_str_eq(model.slots[3].label, "s10");
	cr_assert_eq(model.slots[3].state, GANG_CONSOLE_WAITING);
}

Test(console_model, events_without_a_slot_label_do_not_create_slots)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_NOTE, .message = "x" });
	ev((gang_event){ .kind = GANG_EV_NOTE, .slot = "", .message = "x" });
	cr_assert_eq(model.n_slots, 0);
}

Test(console_model, board_starts_busy_slot_with_uid_serial_and_clock)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_SLOT_UP, .slot = "A", .probe = "0671FF485049" });
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0 + 3, .slot = "A", .uid = "UID1", .attempt = 1 });
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_BUSY);
	cr_assert_str_eq(model.slots[0].uid, "UID1");
	cr_assert_str_eq(model.slots[0].probe, "0671FF485049");
	cr_assert_eq(model.slots[0].board_ts, T0 + 3);
	ev((gang_event){ .kind = GANG_EV_STEP, .slot = "A", .step = "serial", .serial = "000042" });
	cr_assert_str_eq(model.slots[0].serial, "000042");
	cr_assert_str_eq(model.slots[0].step, "serial");
}

Test(console_model, progress_updates_bar_and_a_new_step_resets_it)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_PROGRESS, .slot = "A", .step = "program", .done = 100, .total = 400,
			 .rate_kib_s = 12.5 });
	cr_assert_eq(model.slots[0].done, 100);
	cr_assert_eq(model.slots[0].total, 400);
	cr_assert_float_eq(model.slots[0].rate_kib_s, 12.5, 1e-9);
	ev((gang_event){ .kind = GANG_EV_STEP, .slot = "A", .step = "verify" });
	cr_assert_eq(model.slots[0].done, 0);
	cr_assert_eq(model.slots[0].total, 0);
	cr_assert_str_eq(model.slots[0].step, "verify");
}

Test(console_model, note_shows_until_the_next_board)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_NOTE, .slot = "A", .message = "recovered under reset" });
	cr_assert_str_eq(model.slots[0].note, "recovered under reset");
	ev((gang_event){ .kind = GANG_EV_RESULT, .slot = "A", .result = GANG_RESULT_PASS, .attempt = 1 });
	cr_assert_str_eq(model.slots[0].note, "recovered under reset");
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1 });
	cr_assert_str_empty(model.slots[0].note);
}

Test(console_model, pass_counts_board_pass_and_first_pass)
{
	gang_console_model_init(&model);
	board("A", "001234", GANG_RESULT_PASS, 1, NULL);
	cr_assert_eq(model.boards, 1);
	cr_assert_eq(model.passed, 1);
	cr_assert_eq(model.first_pass, 1);
	cr_assert_eq(model.failed, 0);
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_DONE);
	cr_assert_eq(model.slots[0].result, GANG_RESULT_PASS);
	cr_assert_float_eq(model.slots[0].elapsed_s, 5.5, 1e-9);
	cr_assert_eq(model.slots[0].passed, 1);
}

Test(console_model, pass_on_a_later_attempt_is_not_a_first_pass)
{
	gang_console_model_init(&model);
	board("A", "1", GANG_RESULT_PASS, 2, NULL);
	cr_assert_eq(model.passed, 1);
	cr_assert_eq(model.first_pass, 0);
	cr_assert_float_eq(gang_console_yield(&model), 0.0, 1e-9);
}

Test(console_model, fail_counts_failure_by_error_class_and_slot)
{
	gang_console_model_init(&model);
	board("A", "1", GANG_RESULT_FAIL, 1, "verify");
	board("B", "2", GANG_RESULT_FAIL, 1, "verify");
	board("B", "3", GANG_RESULT_FAIL, 1, "no-board");
	board("C", "4", GANG_RESULT_FAIL, 1, NULL);
	cr_assert_eq(model.failed, 4);
	cr_assert_eq(model.n_classes, 3);
	cr_assert_str_eq(model.classes[0].name, "verify");
	cr_assert_eq(model.classes[0].count, 2);
	cr_assert_str_eq(model.classes[1].name, "no-board");
	cr_assert_str_eq(model.classes[2].name, "unclassified");
	cr_assert_eq(gang_console_model_find(&model, "B")->failed, 2);
	cr_assert_str_eq(gang_console_model_find(&model, "B")->message, "it failed");
}

Test(console_model, aborted_board_is_not_a_finished_board)
{
	gang_console_model_init(&model);
	board("A", "1", GANG_RESULT_ABORTED, 1, NULL);
	cr_assert_eq(model.boards, 0);
	cr_assert_eq(model.aborted, 1);
	cr_assert_eq(model.slots[0].result, GANG_RESULT_ABORTED);
}

/* A board that passed before, left as it is (result "already"), is no board of this batch. */
Test(console_model, a_board_seen_again_is_neither_a_board_nor_an_abort)
{
	gang_console_model_init(&model);
	board("A", "1", GANG_RESULT_ALREADY, 1, NULL);
	cr_assert_eq(model.boards, 0);
	cr_assert_eq(model.aborted, 0);
	cr_assert_eq(model.passed, 0);
	cr_assert_eq(model.slots[0].result, GANG_RESULT_ALREADY);
}

/* Event text reaches the screen as the model stores it: control bytes become visible escapes. */
Test(console_model, event_text_is_stored_terminal_safe)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0, .slot = "A", .uid = "UID\x1b[2J", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_RESULT, .slot = "A", .result = GANG_RESULT_FAIL, .attempt = 1, .error_class = "x",
			 .message = "bad\rS9 PASS\x07" });
	cr_assert_str_eq(model.slots[0].uid, "UID\\x1B[2J");
	cr_assert_str_eq(model.slots[0].message, "bad\\x0DS9 PASS\\x07");
}

Test(console_model, error_classes_beyond_the_table_fold_into_other)
{
	char cls[32];

	gang_console_model_init(&model);
	for (unsigned i = 0; i < GANG_CONSOLE_MAX_CLASSES + 5; i++) {
		snprintf(cls, sizeof(cls), "class-%u", i);
		board("A", "1", GANG_RESULT_FAIL, 1, cls);
	}
	cr_assert_eq(model.n_classes, GANG_CONSOLE_MAX_CLASSES);
	cr_assert_str_eq(model.classes[0].name, "class-0");
	cr_assert_str_eq(model.classes[GANG_CONSOLE_MAX_CLASSES - 1].name, "other");
	cr_assert_eq(model.classes[GANG_CONSOLE_MAX_CLASSES - 1].count, 6);
}

Test(console_model, removed_returns_to_waiting_and_keeps_the_last_result_until_next_board)
{
	gang_console_slot *s;

	gang_console_model_init(&model);
	board("A", "001234", GANG_RESULT_PASS, 1, NULL);
	ev((gang_event){ .kind = GANG_EV_REMOVED, .slot = "A" });
	s = gang_console_model_find(&model, "A");
	cr_assert_eq(s->state, GANG_CONSOLE_WAITING);
	cr_assert(s->has_last);
	cr_assert_eq(s->last_result, GANG_RESULT_PASS);
	cr_assert_str_eq(s->last_id, "001234");
	ev((gang_event){ .kind = GANG_EV_WAITING, .slot = "A" });
	cr_assert(s->has_last);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1, .uid = "U2" });
	cr_assert_not(s->has_last);
	cr_assert_str_empty(s->serial);
	cr_assert_eq(s->result, GANG_RESULT_NONE);
}

Test(console_model, last_result_names_the_uid_when_no_serial_was_given)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1, .uid = "UIDX" });
	ev((gang_event){ .kind = GANG_EV_RESULT, .slot = "A", .result = GANG_RESULT_FAIL, .attempt = 1 });
	cr_assert_str_eq(model.slots[0].last_id, "UIDX");
	cr_assert_eq(model.slots[0].last_result, GANG_RESULT_FAIL);
}

Test(console_model, slot_down_dims_slot_with_message_and_slot_up_brings_it_back)
{
	gang_console_model_init(&model);
	board("A", "1", GANG_RESULT_PASS, 1, NULL);
	ev((gang_event){ .kind = GANG_EV_SLOT_DOWN, .slot = "A", .message = "probe unplugged" });
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_DOWN);
	cr_assert_str_eq(model.slots[0].message, "probe unplugged");
	cr_assert(model.slots[0].has_last);
	ev((gang_event){ .kind = GANG_EV_SLOT_UP, .slot = "A", .probe = "NEWPROBE" });
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_WAITING);
	cr_assert_str_eq(model.slots[0].probe, "NEWPROBE");
}

Test(console_model, waiting_does_not_override_a_board_in_progress)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_WAITING, .slot = "A" });
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_BUSY);
}

Test(console_model, yield_is_first_passes_over_boards_finished)
{
	gang_console_model_init(&model);
	cr_assert_float_eq(gang_console_yield(&model), 0.0, 1e-9);
	board("A", "1", GANG_RESULT_PASS, 1, NULL);
	board("B", "2", GANG_RESULT_PASS, 1, NULL);
	board("C", "3", GANG_RESULT_FAIL, 1, "verify");
	cr_assert_float_eq(gang_console_yield(&model), 200.0 / 3.0, 1e-9);
}

Test(console_model, boards_per_hour_is_boards_over_elapsed_hours)
{
	gang_console_model_init(&model);
	cr_assert_float_eq(gang_console_boards_per_hour(&model, T0), 0.0, 1e-9);
	ev((gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .profile = "p", .batch = "b" });
	cr_assert_float_eq(gang_console_boards_per_hour(&model, T0), 0.0, 1e-9);
	board("A", "1", GANG_RESULT_PASS, 1, NULL);
	board("B", "2", GANG_RESULT_PASS, 1, NULL);
	board("C", "3", GANG_RESULT_FAIL, 1, "verify");
	cr_assert_float_eq(gang_console_boards_per_hour(&model, T0 + 600.0), 18.0, 1e-9);
	cr_assert_float_eq(gang_console_boards_per_hour(&model, T0 + 1800.0), 6.0, 1e-9);
}

Test(console_model, run_end_totals_replace_the_consoles_own_counts)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .profile = "p", .batch = "b" });
	board("A", "1", GANG_RESULT_PASS, 1, NULL);
	ev((gang_event){ .kind = GANG_EV_RUN_END, .ts = T0 + 60, .batch = "b", .boards = 5, .passed = 4,
			 .failed = 1, .first_pass = 3, .boards_per_hour = 300.0 });
	cr_assert_eq(model.boards, 5);
	cr_assert_eq(model.first_pass, 3);
	cr_assert_float_eq(gang_console_boards_per_hour(&model, T0 + 9999), 300.0, 1e-9);
	cr_assert_float_eq(gang_console_yield(&model), 60.0, 1e-9);
}

Test(console_model, pause_toggles_known_slots_only)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_SLOT_UP, .slot = "A" });
	cr_assert(gang_console_model_toggle_pause(&model, "A"));
	cr_assert(model.slots[0].paused);
	cr_assert_not(gang_console_model_toggle_pause(&model, "A"));
	cr_assert_not(model.slots[0].paused);
	cr_assert_not(gang_console_model_toggle_pause(&model, "nope"));
}

Test(console_model, slots_beyond_the_ceiling_are_counted_not_stored)
{
	char label[16];

	gang_console_model_init(&model);
	for (unsigned i = 0; i < GANG_CONSOLE_MAX_SLOTS + 3; i++) {
		snprintf(label, sizeof(label), "s%u", i);
		ev((gang_event){ .kind = GANG_EV_SLOT_UP, .slot = label });
	}
	cr_assert_eq(model.n_slots, GANG_CONSOLE_MAX_SLOTS);
	cr_assert_eq(model.dropped_slots, 3);
	ev((gang_event){ .kind = GANG_EV_WAITING, .slot = "s0" });
	cr_assert_eq(model.n_slots, GANG_CONSOLE_MAX_SLOTS);
	cr_assert_eq(model.dropped_slots, 3);
}

Test(console_model, long_strings_are_cut_to_their_fields)
{
	char lng[400];

	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .slot = "A", .uid = lng, .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_NOTE, .slot = "A", .message = lng });
	cr_assert_eq(strlen(model.slots[0].uid), GANG_CONSOLE_LABEL_LEN - 1);
	cr_assert_eq(strlen(model.slots[0].note), GANG_CONSOLE_TEXT_LEN - 1);
}

Test(console_model, a_result_with_retry_is_no_verdict_and_counts_nothing)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0 + 1, .slot = "S1", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_RESULT, .ts = T0 + 2, .slot = "S1", .result = GANG_RESULT_FAIL, .attempt = 1,
			 .retry = true, .error_class = "target", .message = "no answer on SWD" });
	cr_assert_eq(model.slots[0].state, GANG_CONSOLE_BUSY);
	cr_assert_str_eq(model.slots[0].note, "attempt 1 failed: no answer on SWD; retrying");
	cr_assert_eq(model.boards + model.failed + model.n_classes, 0);
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0 + 3, .slot = "S1", .attempt = 2 });
	cr_assert_eq(model.slots[0].attempt, 2);
	cr_assert_str_eq(model.slots[0].note, "attempt 1 failed: no answer on SWD; retrying",
			 "the retry keeps the reason");
	ev((gang_event){ .kind = GANG_EV_RESULT, .ts = T0 + 4, .slot = "S1", .result = GANG_RESULT_PASS, .attempt = 2 });
	cr_assert_eq(model.boards, 1);
	cr_assert_eq(model.passed, 1);
	cr_assert_eq(model.first_pass, 0, "a pass on the second attempt is not first-pass");
}

Test(console_model, run_start_carries_the_target_and_stopping_only_goes_up)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .profile = "f103", .batch = "B7", .boards_max = 12 });
	cr_assert_eq(model.boards_max, 12);
	gang_console_model_stop(&model);
	cr_assert_eq(model.stop_level, 1);
	ev((gang_event){ .kind = GANG_EV_STOPPING, .ts = T0 + 1, .stop_level = 1 });
	cr_assert_eq(model.stop_level, 1, "q then the scheduler's echo of it is one step");
	ev((gang_event){ .kind = GANG_EV_STOPPING, .ts = T0 + 2, .stop_level = 2 });
	cr_assert_eq(model.stop_level, 2);
	gang_console_model_stop(&model);
	ev((gang_event){ .kind = GANG_EV_STOPPING, .ts = T0 + 3, .stop_level = 1 });
	cr_assert_eq(model.stop_level, 2);
	cr_assert_eq(model.n_slots, 0);
}

Test(console_model, run_note_is_kept_for_the_screen)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_RUN_NOTE, .ts = T0, .message = "66 ST-Links attached" });
	cr_assert_str_eq(model.run_note, "66 ST-Links attached");
	cr_assert_eq(model.n_slots, 0);
}

Test(console_model, rates_and_time_left_wait_for_a_board_and_a_minute)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_RUN_START, .ts = T0, .boards_max = 4 });
	cr_assert_not(gang_console_rates_known(&model, T0 + 3600));
	cr_assert_lt(gang_console_time_left(&model, T0 + 3600), 0.0);
	board("S1", "1", GANG_RESULT_PASS, 1, NULL);
	cr_assert_not(gang_console_rates_known(&model, T0 + 0.3));
	cr_assert(gang_console_rates_known(&model, T0 + 60));
	/* one board an hour, three to go */
	cr_assert_float_eq(gang_console_time_left(&model, T0 + 3600), 3 * 3600.0, 1e-6);
}

Test(console_model, a_busy_slot_is_stuck_after_30_s_without_an_event)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0, .slot = "S1", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_STEP, .ts = T0 + 5, .slot = "S1", .step = "verify" });
	cr_assert_not(gang_console_slot_stuck(&model.slots[0], T0 + 5 + GANG_CONSOLE_STUCK_S - 0.5));
	cr_assert(gang_console_slot_stuck(&model.slots[0], T0 + 5 + GANG_CONSOLE_STUCK_S));
	ev((gang_event){ .kind = GANG_EV_RESULT, .ts = T0 + 6, .slot = "S1", .result = GANG_RESULT_PASS, .attempt = 1 });
	cr_assert_not(gang_console_slot_stuck(&model.slots[0], T0 + 600), "a finished board is not stuck");
}

Test(console_model, a_new_board_clears_the_previous_boards_note)
{
	gang_console_model_init(&model);
	ev((gang_event){ .kind = GANG_EV_BOARD, .ts = T0, .slot = "S1", .attempt = 1 });
	ev((gang_event){ .kind = GANG_EV_NOTE, .ts = T0 + 1, .slot = "S1", .message = "recovered under reset" });
	board("S1", "1", GANG_RESULT_PASS, 1, NULL);
	cr_assert_str_eq(model.slots[0].note, "");
}
