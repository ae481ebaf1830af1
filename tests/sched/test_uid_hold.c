/*
 * test_uid_hold.c — a chip's unique ID sits in one slot at a time: the
 * scheduler refuses the same UID in a second slot while the first still
 * holds its board (two chips with one ID are clones; neither can be
 * traced), and frees it when the board is taken out. The virtual bench
 * keeps one state directory per UID, so it cannot put two boards with one
 * UID in two fixtures at once; this is tested on the scheduler itself.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sched/sched_internal.h"

static sched_run run;
static sched_slot s1, s2;

static void setup(void)
{
	memset(&run, 0, sizeof(run));
	pthread_mutex_init(&run.mu, NULL);
	pthread_cond_init(&run.cv, NULL);
	s1 = (sched_slot){ .run = &run, .label = "S1" };
	s2 = (sched_slot){ .run = &run, .label = "S2" };
	run.slots[0] = &s1;
	run.slots[1] = &s2;
	run.n_slots = 2;
}

static void teardown(void)
{
	pthread_cond_destroy(&run.cv);
	pthread_mutex_destroy(&run.mu);
}

TestSuite(sched_uid, .init = setup, .fini = teardown, .timeout = 10);

#define UID "3A0041001851363036363742"

Test(sched_uid, a_uid_held_by_one_slot_is_refused_in_another_naming_the_holder)
{
	char other[32] = "";

	cr_assert(sched_uid_hold(&s1, UID, other, sizeof(other)));
	cr_assert_not(sched_uid_hold(&s2, UID, other, sizeof(other)));
	cr_assert_str_eq(other, "S1");
	cr_assert_str_empty(s2.uid_held, "the refused slot holds nothing");
}

Test(sched_uid, the_same_slot_may_take_its_own_board_again)
{
	char other[32] = "";

	cr_assert(sched_uid_hold(&s1, UID, other, sizeof(other)));
	cr_assert(sched_uid_hold(&s1, UID, other, sizeof(other)), "a retry on the same board");
}

Test(sched_uid, a_board_taken_out_frees_its_uid_for_any_slot)
{
	char other[32] = "";

	cr_assert(sched_uid_hold(&s1, UID, other, sizeof(other)));
	sched_uid_drop(&s1);
	cr_assert(sched_uid_hold(&s2, UID, other, sizeof(other)));
	cr_assert_str_eq(s2.uid_held, UID);
}

Test(sched_uid, different_uids_do_not_meet)
{
	char other[32] = "";

	cr_assert(sched_uid_hold(&s1, UID, other, sizeof(other)));
	cr_assert(sched_uid_hold(&s2, "3A0041001851363036363743", other, sizeof(other)));
}
