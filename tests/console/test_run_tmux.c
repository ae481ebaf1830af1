/*
 * test_run_tmux.c — the operator's view of a real production run: build/gang
 * run on the demo bench (4 virtual ST-Links, 12 boards, --realtime 1) inside
 * a detached tmux session; the screen is read with capture-pane while the
 * batch runs. Every slot's line must show up, with PASS, the FAIL sentence
 * of the stuck-bit board, and after the console closes the batch totals.
 * Without --log, the engineer log goes to $XDG_STATE_HOME/gang/gang.log and
 * never onto the screen, even when a probe is unplugged mid-run.
 * Skipped when tmux is missing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUN_TMUX_TIMEOUT_S 60
#define RUN_TMUX_CAP 16384

static char run_sock[64];
static char run_dir[64];

static void run_fini(void)
{
	char cmd[256];

	if (run_sock[0]) {
		snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server >/dev/null 2>&1", run_sock);
		(void)system(cmd);
	}
	if (run_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", run_dir);
		(void)system(cmd);
	}
}

TestSuite(console_run, .fini = run_fini, .timeout = 120);

static void run_capture(char *out, size_t cap)
{
	char cmd[256];
	FILE *fp;
	size_t n;

	snprintf(cmd, sizeof(cmd), "tmux -u -L %s capture-pane -p -t r 2>/dev/null", run_sock);
	fp = popen(cmd, "r");
	cr_assert_not_null(fp);
	n = fread(out, 1, cap - 1, fp);
	out[n] = '\0';
	pclose(fp);
}

typedef struct seen {
	bool slots[4], pass, fail_sentence, totals;
} seen;

static void run_look(seen *s, const char *screen)
{
	char label[16];

	for (int i = 0; i < 4; i++) {
		snprintf(label, sizeof(label), "S%d ", i + 1);
		s->slots[i] |= strstr(screen, label) != NULL;
	}
	s->pass |= strstr(screen, "PASS") != NULL;
	s->fail_sentence |= strstr(screen, "verify failed at 0x08000004") != NULL;
	s->totals |= strstr(screen, "12 boards, 11 passed, 1 failed") != NULL;
}

Test(console_run, a_real_batch_shows_every_slot_pass_fail_and_the_totals)
{
	char cmd[1536], screen[RUN_TMUX_CAP];
	seen s = { 0 };
	time_t t0 = time(NULL);
	/* the gang under test: build/gang, or a sanitizer build (make tsan) */
	const char *gang = getenv("GANG_ITEST_GANG") ? getenv("GANG_ITEST_GANG") : "build/gang";

	if (system("tmux -V >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
	cr_assert_eq(access(gang, X_OK), 0, "%s: run 'make' first", gang);
	snprintf(run_dir, sizeof(run_dir), "/tmp/gang-run-tmux-XXXXXX");
	cr_assert_not_null(mkdtemp(run_dir));
	snprintf(run_sock, sizeof(run_sock), "gangrun-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "tmux -u -L %s -f /dev/null new-session -d -s r -x 140 -y 24 -e LC_ALL=C.UTF-8 "
		 "'tools/gangsim --bench tools/sim/benches/demo.cfg --state %s/state --realtime 1 -- "
		 "%s run profiles/demo-f103.cfg --boards 12 --batch tmux --db %s/gang.sqlite "
		 "--log %s/gang.log; sleep 30'",
		 run_sock, run_dir, gang, run_dir, run_dir);
	cr_assert_eq(system(cmd), 0);
	while (!s.totals && time(NULL) - t0 < RUN_TMUX_TIMEOUT_S) {
		run_capture(screen, sizeof(screen));
		run_look(&s, screen);
		usleep(150 * 1000);
	}
	for (int i = 0; i < 4; i++)
		cr_expect(s.slots[i], "slot S%d never appeared on the screen", i + 1);
	cr_expect(s.pass, "no PASS seen");
	cr_expect(s.fail_sentence, "the stuck-bit board's sentence was never shown");
	cr_expect(s.totals, "the batch totals were not left on the terminal; last screen:\n%s", screen);
}

/* The warning a lost probe writes to the engineer log (slot.c), as it would appear on the screen. */
#define RUN_TMUX_LOG_LINE "] probe lost"

Test(console_run, the_engineer_log_goes_to_the_state_file_never_over_the_console)
{
	char cmd[1536], screen[RUN_TMUX_CAP], log[128], footer[160], *text = NULL;
	bool footer_seen = false, gone_seen = false, ended = false;
	time_t t0 = time(NULL);
	const char *gang = getenv("GANG_ITEST_GANG") ? getenv("GANG_ITEST_GANG") : "build/gang";
	FILE *f;

	if (system("tmux -V >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
	cr_assert_eq(access(gang, X_OK), 0, "%s: run 'make' first", gang);
	snprintf(run_dir, sizeof(run_dir), "/tmp/gang-run-tmux-XXXXXX");
	cr_assert_not_null(mkdtemp(run_dir));
	snprintf(run_sock, sizeof(run_sock), "gangrunlog-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "tmux -u -L %s -f /dev/null new-session -d -s r -x 160 -y 24 -e LC_ALL=C.UTF-8 "
		 "-e XDG_STATE_HOME=%s/xdg "
		 "'tools/gangsim --bench tests/fixtures/benches/run-unplug.cfg --state %s/state --realtime 1 -- "
		 "%s run profiles/demo-f103.cfg --boards 9 --batch tmux --db %s/gang.sqlite; "
		 "echo run-ended; sleep 30'",
		 run_sock, run_dir, run_dir, gang, run_dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(log, sizeof(log), "%s/xdg/gang/gang.log", run_dir);
	snprintf(footer, sizeof(footer), "log: %s", log);
	while (!ended && time(NULL) - t0 < RUN_TMUX_TIMEOUT_S) {
		run_capture(screen, sizeof(screen));
		cr_assert_null(strstr(screen, RUN_TMUX_LOG_LINE), "the engineer log was drawn over the console:\n%s",
			       screen);
		footer_seen |= strstr(screen, footer) != NULL;
		gone_seen |= strstr(screen, "probe gone") != NULL;
		ended = strstr(screen, "run-ended") != NULL;
		usleep(100 * 1000);
	}
	cr_assert(ended, "the run did not end; last screen:\n%s", screen);
	cr_expect(footer_seen, "the footer never named %s", log);
	cr_expect(strstr(screen, "9 boards, 9 passed"), "%s", screen);
	/* a run of a few seconds has a yield but no rate yet: the totals line says so, as the console did */
	cr_expect(strstr(screen, "first-pass yield 100.0%, \u2014 boards/h"), "%s", screen);
	f = fopen(log, "r");
	cr_assert_not_null(f, "no log file at %s", log);
	text = calloc(1, 65536);
	cr_assert_not_null(text);
	(void)fread(text, 1, 65535, f);
	fclose(f);
	cr_expect(!gone_seen || strstr(text, RUN_TMUX_LOG_LINE), "the probe went but the log says nothing:\n%s", text);
	cr_expect(strstr(text, RUN_TMUX_LOG_LINE), "the unplug was not logged:\n%s", text);
	free(text);
}

Test(console_run, no_place_for_the_default_log_is_one_error_line_before_any_board)
{
	char cmd[1536], screen[RUN_TMUX_CAP];
	bool ended = false;
	time_t t0 = time(NULL);
	const char *gang = getenv("GANG_ITEST_GANG") ? getenv("GANG_ITEST_GANG") : "build/gang";

	if (system("tmux -V >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
	cr_assert_eq(access(gang, X_OK), 0, "%s: run 'make' first", gang);
	snprintf(run_dir, sizeof(run_dir), "/tmp/gang-run-tmux-XXXXXX");
	cr_assert_not_null(mkdtemp(run_dir));
	snprintf(run_sock, sizeof(run_sock), "gangrunbad-%d", (int)getpid());
	/* XDG_STATE_HOME names a regular file: the gang directory cannot be made under it */
	snprintf(cmd, sizeof(cmd),
		 "touch %s/file && tmux -u -L %s -f /dev/null new-session -d -s r -x 160 -y 24 -e LC_ALL=C.UTF-8 "
		 "-e XDG_STATE_HOME=%s/file "
		 "'tools/gangsim --bench tests/fixtures/benches/run-fixed.cfg --state %s/state -- "
		 "%s run profiles/demo-f103.cfg --boards 1 --db %s/gang.sqlite; echo exit=$?; sleep 30'",
		 run_dir, run_sock, run_dir, run_dir, gang, run_dir);
	cr_assert_eq(system(cmd), 0);
	while (!ended && time(NULL) - t0 < RUN_TMUX_TIMEOUT_S) {
		usleep(100 * 1000);
		run_capture(screen, sizeof(screen));
		ended = strstr(screen, "exit=") != NULL;
	}
	cr_assert(strstr(screen, "cannot create directory"), "%s", screen);
	cr_assert(strstr(screen, "exit=2"), "%s", screen);
	cr_assert_null(strstr(screen, "PASS"), "a board was programmed:\n%s", screen);
	snprintf(cmd, sizeof(cmd), "%s/gang.sqlite", run_dir);
	cr_assert_neq(access(cmd, F_OK), 0, "a database was created by a run that could not start");
}
