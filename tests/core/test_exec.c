/*
 * test_exec.c — a line's own command (core/exec.h): exit status and
 * signals as they are, output kept to its last GANG_EXEC_OUT_MAX bytes with
 * control characters made visible, the caller's entries set over the
 * environment, the working directory, and a stop or a time-out ending the
 * whole process group, a process that ignores SIGTERM included.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/exec.h"

TestSuite(exec, .timeout = 20);

static gang_exec_result *run(const char *cmd, uint32_t timeout_ms)
{
	static gang_exec_result r;
	gang_exec_opts o = { .cmd = cmd, .timeout_ms = timeout_ms, .grace_ms = 300 };
	gang_diag d = { 0 };

	cr_assert_eq(gang_exec_run(&r, &o, &d), GANG_OK, "%s", d.msg);
	return &r;
}

Test(exec, the_exit_status_and_the_output_are_the_commands)
{
	gang_exec_result *r = run("echo out; echo err >&2; exit 7", 0);

	cr_expect_eq(r->end, GANG_EXEC_EXITED);
	cr_expect_eq(r->status, 7);
	cr_expect_str_eq(r->out, "out\nerr");
	cr_expect(!r->truncated);
}

Test(exec, a_missing_command_exits_127_and_a_signal_is_named)
{
	gang_exec_result *r = run("no-such-command-anywhere", 0);

	cr_expect_eq(r->end, GANG_EXEC_EXITED);
	cr_expect_eq(r->status, 127);
	r = run("kill -SEGV $$", 0);
	cr_expect_eq(r->end, GANG_EXEC_SIGNALED);
	cr_expect_eq(r->status, SIGSEGV);
}

Test(exec, only_the_last_4096_bytes_are_kept_and_control_characters_are_shown)
{
	gang_exec_result *r = run("i=0; while [ $i -lt 1000 ]; do printf 'line %04d\\n' $i; i=$((i+1)); done;"
				  " printf 'bell\\007 end'", 0);

	cr_expect(r->truncated);
	cr_expect_eq(r->out_len, GANG_EXEC_OUT_MAX);
	cr_expect_eq(strlen(r->out), GANG_EXEC_OUT_MAX);
	cr_expect_not_null(strstr(r->out, "line 0999\nbell? end"), "%s", r->out + r->out_len - 40);
	cr_expect_null(strstr(r->out, "line 0000"));
}

Test(exec, the_environment_entries_and_the_directory_are_the_callers)
{
	const char *env[] = { "GANG_UID=ABC", "HOME=/nowhere", NULL };
	gang_exec_opts o = { .cmd = "echo $GANG_UID $HOME $(pwd)", .dir = "/tmp", .env = env };
	gang_exec_result r;
	gang_diag d = { 0 };

	cr_assert_eq(gang_exec_run(&r, &o, &d), GANG_OK, "%s", d.msg);
	cr_expect_str_eq(r.out, "ABC /nowhere /tmp");
}

Test(exec, a_time_out_ends_the_group_even_a_process_ignoring_sigterm)
{
	gang_exec_result *r = run("trap '' TERM; sleep 30 & echo started; wait", 200);

	cr_expect_eq(r->end, GANG_EXEC_TIMEOUT);
	cr_expect_str_eq(r->out, "started");
	cr_expect_lt(r->seconds, 5.0, "ended after the grace period, not by itself: %.1f s", r->seconds);
}

static bool stop_now(void *user)
{
	int *calls = user;

	return ++*calls > 5;
}

Test(exec, a_stop_ends_the_command_at_once)
{
	int calls = 0;
	gang_exec_opts o = { .cmd = "sleep 30", .should_stop = stop_now, .user = &calls, .grace_ms = 300 };
	gang_exec_result r;
	gang_diag d = { 0 };

	cr_assert_eq(gang_exec_run(&r, &o, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(r.end, GANG_EXEC_STOPPED);
	cr_expect_lt(r.seconds, 5.0);
}
