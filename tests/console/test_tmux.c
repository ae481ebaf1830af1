/*
 * test_tmux.c — the console as an operator sees it: the driver
 * (console_driver.c, this same binary) runs in a detached tmux session of
 * fixed size; the tests read the screen with `tmux capture-pane -p`, type
 * with `tmux send-keys`, resize with `tmux resize-window`, and read what
 * poll_key returned from the driver's file. Skipped when tmux is missing.
 * Each test runs its own tmux server (-L) so tests can run in parallel.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TMUX_WAIT_MS 8000
#define TMUX_CAP 16384

typedef struct tmux {
	char sock[48];
	char out[64];
	char screen[TMUX_CAP];
} tmux;

/* The session of the running test, so .fini tears it down even after a failed assertion. */
static tmux *tmux_current;

static int tmux_run(const tmux *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tmux_run(const tmux *t, const char *fmt, ...)
{
	char args[512], cmd[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "tmux -u -L %s -f /dev/null %s >/dev/null 2>&1", t->sock, args);
	return system(cmd);
}

static void tmux_need(void)
{
	if (system("tmux -V >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
}

/* Start the driver in a cols x rows pane; extra idle slots for scrolling tests; log: the engineer log or "". */
static void tmux_start_log(tmux *t, int cols, int rows, int extra, const char *log)
{
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd;

	tmux_need();
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	snprintf(t->sock, sizeof(t->sock), "gangcon-%d", (int)getpid());
	snprintf(t->out, sizeof(t->out), "/tmp/gangcon-keys-XXXXXX");
	fd = mkstemp(t->out);
	cr_assert_geq(fd, 0);
	close(fd);
	tmux_current = t;
	cr_assert_eq(tmux_run(t, "new-session -d -s c -x %d -y %d -e GANG_CONSOLE_DRIVER=%s "
			      "-e GANG_CONSOLE_DRIVER_EXTRA=%d %s%s -e LC_ALL=C.UTF-8 '%s'",
			      cols, rows, t->out, extra, *log ? "-e GANG_CONSOLE_DRIVER_LOG=" : "", log, exe), 0);
}


static void tmux_stop(tmux *t)
{
	tmux_run(t, "kill-server");
	unlink(t->out);
	tmux_current = NULL;
}

static void tmux_fini(void)
{
	if (tmux_current)
		tmux_stop(tmux_current);
}

static void tmux_capture(tmux *t)
{
	char cmd[128];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "tmux -u -L %s capture-pane -p -t c", t->sock);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	n = fread(t->screen, 1, sizeof(t->screen) - 1, p);
	t->screen[n] = '\0';
	pclose(p);
}

/* Capture until the screen holds needle (or, with absent, no longer holds it). */
static bool tmux_wait(tmux *t, const char *needle, bool absent)
{
	for (int i = 0; i < TMUX_WAIT_MS / 50; i++) {
		tmux_capture(t);
		if ((strstr(t->screen, needle) == NULL) == absent)
			return true;
		usleep(50000);
	}
	return false;
}

/* Wait until the driver's key file holds needle. */
static bool file_wait(const tmux *t, const char *needle, char *buf, size_t cap)
{
	for (int i = 0; i < TMUX_WAIT_MS / 50; i++) {
		FILE *f = fopen(t->out, "r");
		size_t n = f ? fread(buf, 1, cap - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = '\0';
		if (strstr(buf, needle))
			return true;
		usleep(50000);
	}
	return false;
}

/* The screen line (copied to out) whose row number is num and slot label is label. */
static bool slot_line(const tmux *t, int num, const char *label, char *out, size_t cap)
{
	char head[32];
	const char *p = t->screen;

	snprintf(head, sizeof(head), "%3d%c %s ", num, ' ', label);
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > 1 && (strncmp(p + 1, head, strlen(head)) == 0 ||
				(strncmp(p + 1, head, 3) == 0 && p[4] == 'P' && strncmp(p + 6, label, strlen(label)) == 0))) {
			snprintf(out, cap, "%.*s", (int)len, p);
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

static void assert_slot(const tmux *t, int num, const char *label, const char *want)
{
	char line[1024];

	cr_assert(slot_line(t, num, label, line, sizeof(line)), "no line for slot %d %s in:\n%s", num, label,
		  t->screen);
	cr_assert(strstr(line, want), "slot %s line lacks \"%s\": %s", label, want, line);
}

static void start_ready_log(tmux *t, int cols, int rows, int extra, const char *log)
{
	char keys[256];

	tmux_start_log(t, cols, rows, extra, log);
	cr_assert(file_wait(t, "ready", keys, sizeof(keys)), "driver never got ready: %s", keys);
	cr_assert(tmux_wait(t, "SWD disabled by firmware", false), "screen:\n%s", t->screen);
	usleep(300000);
	tmux_capture(t);
}

static void start_ready(tmux *t, int cols, int rows, int extra)
{
	start_ready_log(t, cols, rows, extra, "");
}

TestSuite(console_tmux, .fini = tmux_fini, .timeout = 60);

Test(console_tmux, every_slot_line_shows_its_state)
{
	static tmux t;

	start_ready(&t, 120, 30, 0);
	cr_assert(strstr(t.screen, "profile f103-demo  batch B-0042"), "%s", t.screen);
	cr_assert(strstr(t.screen, "boards 3  passed 2  failed 1  first-pass yield 66.7%"), "%s", t.screen);
	assert_slot(&t, 1, "A", "waiting for a board  last: PASS 001234");
	assert_slot(&t, 1, "A", "0671FF48 ");
	assert_slot(&t, 2, "B", "PASS SWD disabled by firmware \xe2\x80\x94 recovered under reset");
	assert_slot(&t, 2, "B", "431234AB");
	assert_slot(&t, 3, "C", "FAIL verify failed at 0x08012344 \xe2\x80\x94 set board aside");
	assert_slot(&t, 4, "D", "probe gone: probe unplugged \xe2\x80\x94 plug it back in");
	assert_slot(&t, 5, "E", "program");
	assert_slot(&t, 5, "E", "------]  50%");
	assert_slot(&t, 5, "E", "41.5 KiB/s");
	assert_slot(&t, 5, "E", "s    retry 1 SWD dis");
	cr_assert(strstr(t.screen, "q  stop after current boards"), "legend missing:\n%s", t.screen);
	tmux_stop(&t);
}

Test(console_tmux, r_shows_the_summary_any_key_closes_it_and_q_reaches_poll_key)
{
	static tmux t;
	char keys[256];

	start_ready(&t, 120, 30, 0);
	tmux_run(&t, "send-keys -t c r");
	cr_assert(tmux_wait(&t, "Batch summary: batch B-0042", false), "%s", t.screen);
	cr_assert(strstr(t.screen, "verify                   1"), "%s", t.screen);
	cr_assert(strstr(t.screen, "C                        0     1"), "%s", t.screen);
	tmux_run(&t, "send-keys -t c x");
	cr_assert(tmux_wait(&t, "Batch summary", true), "%s", t.screen);
	tmux_run(&t, "send-keys -t c Down p");
	cr_assert(file_wait(&t, "p B\n", keys, sizeof(keys)), "keys: %s", keys);
	cr_assert(tmux_wait(&t, ">  2P B", false), "paused mark missing:\n%s", t.screen);
	tmux_run(&t, "send-keys -t c 4 p");
	cr_assert(file_wait(&t, "p D\n", keys, sizeof(keys)), "keys: %s", keys);
	tmux_run(&t, "send-keys -t c q");
	cr_assert(file_wait(&t, "closed\n", keys, sizeof(keys)), "keys: %s", keys);
	cr_assert_str_eq(keys, "ready\np B\np D\nq\nclosed\n", "r and x stay inside the console");
	cr_assert(tmux_wait(&t, "console closed", false), "%s", t.screen);
	cr_assert_null(strstr(t.screen, "stop after current boards"), "screen not restored:\n%s", t.screen);
	tmux_stop(&t);
}

Test(console_tmux, q_is_acknowledged_and_the_final_table_stays_on_the_terminal)
{
	static tmux t;
	char keys[256];

	start_ready(&t, 120, 30, 0);
	tmux_run(&t, "send-keys -t c q");
	cr_assert(file_wait(&t, "closed\n", keys, sizeof(keys)), "keys: %s", keys);
	cr_assert(tmux_wait(&t, "console closed", false), "%s", t.screen);
	/* the header as it was when the console closed: q acknowledged, slot E still busy */
	cr_assert(strstr(t.screen, "stopping: finishing 1 board"), "%s", t.screen);
	cr_assert(strstr(t.screen, "C        30303030 001236       4312CAFE 6.0s   FAIL verify failed at 0x08012344"),
		  "final table missing:\n%s", t.screen);
	cr_assert(strstr(t.screen, "probe gone: probe unplugged"), "%s", t.screen);
	cr_assert(strstr(t.screen, "no board was aborted\nconsole closed"), "%s", t.screen);
	tmux_stop(&t);
}

Test(console_tmux, stderr_goes_to_the_log_file_never_over_the_screen)
{
	static tmux t;
	char keys[256], log[64], *text;
	FILE *f;
	long n;
	int fd;

	snprintf(log, sizeof(log), "/tmp/gangcon-log-XXXXXX");
	fd = mkstemp(log);
	cr_assert_geq(fd, 0);
	close(fd);
	start_ready_log(&t, 120, 30, 0, log);
	cr_assert(tmux_wait(&t, "probe gone", false), "%s", t.screen);
	usleep(300000);
	tmux_capture(&t);
	cr_assert_null(strstr(t.screen, "LIBUSB_ERROR_NO_DEVICE"), "stderr drawn over the console:\n%s", t.screen);
	cr_assert(strstr(t.screen, "log: /tmp/gangcon-log-"), "footer does not name the log:\n%s", t.screen);
	tmux_run(&t, "send-keys -t c q");
	cr_assert(file_wait(&t, "closed\n", keys, sizeof(keys)), "keys: %s", keys);
	f = fopen(log, "r");
	cr_assert_not_null(f);
	text = calloc(1, 4096);
	n = (long)fread(text, 1, 4095, f);
	fclose(f);
	unlink(log);
	cr_assert_gt(n, 0);
	cr_assert(strstr(text, "probe lost: LIBUSB_ERROR_NO_DEVICE (driver)"), "log file: %s", text);
	free(text);
	tmux_stop(&t);
}

Test(console_tmux, resize_keeps_every_line_intact)
{
	static tmux t;

	start_ready(&t, 120, 30, 0);
	tmux_run(&t, "resize-window -t c -x 72 -y 20");
	cr_assert(tmux_wait(&t, "0671FF48", true), "probe column must go at 72 columns:\n%s", t.screen);
	assert_slot(&t, 1, "A", "waiting for a board");
	assert_slot(&t, 2, "B", "PASS SWD disabled");
	assert_slot(&t, 3, "C", "FAIL verify failed");
	assert_slot(&t, 4, "D", "probe gone");
	assert_slot(&t, 5, "E", "program");
	cr_assert(strstr(t.screen, "boards 3  passed 2  failed 1"), "%s", t.screen);
	cr_assert_eq(strncmp(t.screen, "gang run", 8), 0, "header not on the first row:\n%s", t.screen);
	tmux_run(&t, "resize-window -t c -x 150 -y 40");
	cr_assert(tmux_wait(&t, "0671FF48", false), "probe column must return:\n%s", t.screen);
	assert_slot(&t, 3, "C", "FAIL verify failed at 0x08012344 \xe2\x80\x94 set board aside");
	tmux_stop(&t);
}

Test(console_tmux, more_slots_than_rows_scroll_to_the_selection_and_summarise_the_rest)
{
	static tmux t;

	start_ready(&t, 120, 14, 30);
	cr_assert(strstr(t.screen, "+ 26 more slots"), "hidden slots not summarised:\n%s", t.screen);
	tmux_run(&t, "send-keys -t c 2 0");
	cr_assert(tmux_wait(&t, "> 20  X15", false), "selection not scrolled into view:\n%s", t.screen);
	cr_assert(strstr(t.screen, "+ 15 more slots"), "%s", t.screen);
	tmux_run(&t, "send-keys -t c q");
	tmux_stop(&t);
}
