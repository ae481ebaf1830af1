/*
 * test_scan_tmux.c — scanned labels on the operator console: build/gang
 * run in a detached tmux session on the virtual bench with a profile that
 * asks for a label; keys are typed with send-keys as a USB barcode scanner
 * types them. The prompt shows in the slot's area with what was typed; a
 * scan that does not match is refused naming the pattern and asked again;
 * the matching one is bound to the board, which passes. Skipped when tmux
 * is missing.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCAN_TMUX_TIMEOUT_S 40
#define SCAN_TMUX_CAP 16384

static char scan_sock[64];
static char scan_dir[64];

static void scan_fini(void)
{
	char cmd[256];

	if (scan_sock[0]) {
		snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server >/dev/null 2>&1", scan_sock);
		(void)system(cmd);
	}
	if (scan_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", scan_dir);
		(void)system(cmd);
	}
}

TestSuite(console_scan, .fini = scan_fini, .timeout = 120);

static void scan_capture(char *out, size_t cap)
{
	char cmd[256];
	FILE *fp;
	size_t n;

	snprintf(cmd, sizeof(cmd), "tmux -u -L %s capture-pane -p -t r 2>/dev/null", scan_sock);
	fp = popen(cmd, "r");
	cr_assert_not_null(fp);
	n = fread(out, 1, cap - 1, fp);
	out[n] = '\0';
	pclose(fp);
}

/* Wait until the screen shows needle; false after the time-out. */
static bool scan_wait_for(char *screen, size_t cap, const char *needle)
{
	time_t t0 = time(NULL);

	while (time(NULL) - t0 < SCAN_TMUX_TIMEOUT_S) {
		scan_capture(screen, cap);
		if (strstr(screen, needle))
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static void scan_type(const char *text)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tmux -L %s send-keys -t r -l '%s' && tmux -L %s send-keys -t r Enter", scan_sock,
		 text, scan_sock);
	cr_assert_eq(system(cmd), 0);
}

static void scan_profile(char *path, size_t cap)
{
	char cwd[256];
	FILE *f;

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	snprintf(path, cap, "%s/p.cfg", scan_dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "name = \"scan\";\ntarget = \"STM32F103RC\";\nimage = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		"erase = \"mass\";\nverify = \"crc\";\nretries = 0;\n"
		"scan = { required = true; pattern = \"^PCB-[0-9]{8}$\"; };\n", cwd);
	fclose(f);
}

static int scan_db_count(const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	snprintf(path, sizeof(path), "%s/gang.sqlite", scan_dir);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

Test(console_scan, the_prompt_takes_typed_keys_refuses_a_mismatch_and_binds_the_label)
{
	char cmd[1536], screen[SCAN_TMUX_CAP], prof[128];
	const char *gang = getenv("GANG_ITEST_GANG") ? getenv("GANG_ITEST_GANG") : "build/gang";

	if (system("tmux -V >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
	cr_assert_eq(access(gang, X_OK), 0, "%s: run 'make' first", gang);
	snprintf(scan_dir, sizeof(scan_dir), "/tmp/gang-scan-tmux-XXXXXX");
	cr_assert_not_null(mkdtemp(scan_dir));
	snprintf(scan_sock, sizeof(scan_sock), "gangscan-%d", (int)getpid());
	scan_profile(prof, sizeof(prof));
	snprintf(cmd, sizeof(cmd),
		 "tmux -u -L %s -f /dev/null new-session -d -s r -x 220 -y 24 -e LC_ALL=C.UTF-8 "
		 "'tools/gangsim --bench tests/fixtures/benches/run-fixed.cfg --state %s/state -- "
		 "%s run %s --boards 1 --probe 066DFF485457725187084919 --db %s/gang.sqlite --log %s/gang.log; "
		 "echo exit=$?; sleep 30'",
		 scan_sock, scan_dir, gang, prof, scan_dir, scan_dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert(scan_wait_for(screen, sizeof(screen), "scan the board's label: _"), "no prompt:\n%s", screen);
	scan_type("pcb-1");
	cr_assert(scan_wait_for(screen, sizeof(screen), "scan 'pcb-1' refused"), "no refusal:\n%s", screen);
	cr_expect_null(strstr(screen, "stuck"), "waiting for a scan is not stuck:\n%s", screen);
	scan_type("PCB-00000042");
	cr_assert(scan_wait_for(screen, sizeof(screen), "exit="), "the run did not end:\n%s", screen);
	cr_expect(strstr(screen, "exit=0"), "%s", screen);
	cr_expect_eq(scan_db_count("SELECT count(*) FROM scans WHERE text = 'PCB-00000042'"), 1);
	cr_expect_eq(scan_db_count("SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
}
