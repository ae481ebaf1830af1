/*
 * test_run_steps.c — the profile's own steps in `gang run` on the virtual
 * bench (profiles/README.md "steps", "checksum", "program"): a command
 * with the board's context, one that fails, is missing, hangs (its whole
 * process group ends, a grandchild ignoring SIGTERM included), one after
 * the pass that fails (still a pass); memory checks that pass and time
 * out; the checksum written after the serial; and a board that already
 * holds the image (erase and program skipped, verify still runs).
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define BENCH_FIXED "tests/fixtures/benches/run-fixed.cfg"
#define BENCH_ONE "tests/fixtures/benches/run-by-hand.cfg"

ITEST_SUITE(run_steps, 90);

/* DIR/p.cfg: the demo firmware, a serial, no retries, then extra. */
static const char *profile(const char *extra)
{
	static char path[ITEST_PATH_MAX];
	char text[4096];

	snprintf(text, sizeof(text),
		 "name = \"steps\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"%s/profiles/firmware/demo-f103.hex\"; };\n"
		 "erase = \"mass\";\nverify = \"crc\";\n"
		 "serial = { pool = \"itest\"; address = 0x0803F800; format = \"u32le\"; start = 5000; end = 999999; };\n"
		 "retries = 0;\n%s",
		 env.root, extra);
	cr_assert(itest_write(path, sizeof(path), &env, "p.cfg", text));
	return path;
}

static int run(const char *bench, const char *prof, const char *boards, const char *extra)
{
	const char *argv[] = { "run", prof, "--boards", boards, "--db", env.db, "--plain", "--batch", "b7", extra,
			       NULL };

	return itest_run(&env, bench, argv, 80);
}

static void expect_out(const char *needle, int n)
{
	char *out = itest_slurp(env.out, NULL);

	cr_expect_eq(itest_count(env.out, needle), n, "'%s' %d times in:\n%s", needle, n, out ? out : "");
	free(out);
}

Test(run_steps, a_command_step_passes_with_the_board_context_its_own_group_and_no_blocked_signal)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"verify\"; run = "
				"\"env | grep ^GANG_ | sort > ctx-$GANG_SLOT.txt; grep -E '^Sig(Blk|Ign)' /proc/$$/status "
				">> ctx-$GANG_SLOT.txt; echo pgrp=$(cut -d' ' -f5 /proc/$$/stat) pid=$$ >> "
				"ctx-$GANG_SLOT.txt; echo all good\"; } );\n");
	char path[ITEST_PATH_MAX], uid[32], want[160], *ctx;
	int rc = run(BENCH_ONE, p, "1", NULL);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'selftest' AND result = 'pass' "
				  "AND detail LIKE 'exit 0 in %; output: all good%'"), 1);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	snprintf(path, sizeof(path), "%s/ctx-S1.txt", env.dir);
	ctx = itest_slurp(path, NULL);
	cr_assert_not_null(ctx, "the command ran in the profile's directory");
	snprintf(want, sizeof(want), "GANG_UID=%s\n", uid);
	cr_expect_not_null(strstr(ctx, want), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_SERIAL=5000\n"), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_BATCH=b7\n"), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_SLOT=S1\n"), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_PROFILE=steps\n"), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_ATTEMPT="), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_PROBE="), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_STATION="), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "GANG_IMAGE_SHA256="), "%s", ctx);
	cr_expect_not_null(strstr(ctx, "SigBlk:\t0000000000000000\n"), "gang's blocked SIGINT/SIGTERM leaked: %s", ctx);
	{
		/* no standard signal (1-31) ignored; glibc keeps its own real-time ones (32, 33) as it likes */
		const char *ign = strstr(ctx, "SigIgn:\t");

		cr_assert_not_null(ign);
		cr_expect_eq(strtoull(ign + 8, NULL, 16) & 0x7FFFFFFFULL, 0, "%s", ctx);
	}
	{
		const char *g = strstr(ctx, "pgrp="), *q = strstr(ctx, " pid=");

		cr_assert(g && q);
		cr_expect_eq(atol(g + 5), atol(q + 5), "the command leads its own process group: %s", ctx);
	}
	free(ctx);
	/* gang trace shows the step with its output */
	{
		const char *argv[] = { "trace", uid, "--db", env.db, NULL };

		cr_assert_eq(itest_run(&env, BENCH_ONE, argv, 20), 0);
		cr_expect_eq(itest_count(env.out, "selftest     pass"), 1);
		cr_expect_eq(itest_count(env.out, "exit 0 in "), 1);
	}
}

Test(run_steps, a_failing_step_fails_the_attempt_naming_the_step_and_keeps_its_output)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"verify\"; "
				"run = \"echo LED D3 dark >&2; exit 3\"; } );\n");
	int rc = run(BENCH_FIXED, p, "2", NULL);

	cr_assert_eq(rc, 1, "exit %d", rc);
	expect_out("FAIL step 'selftest' failed (exit 3) — set board aside", 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'fail' AND error_class = 'step' "
				  "AND error_message = 'step ''selftest'' failed (exit 3) — set board aside'"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'selftest' AND result = 'fail' "
				  "AND detail LIKE '%LED D3 dark%'"), 2);
	/* not retried, nothing after it ran, no serial burned: as any failed attempt */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'option_bytes'"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 0);
}

Test(run_steps, a_missing_command_says_so)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"program\"; "
				"run = \"no-such-tester-here --all\"; } );\n");
	int rc = run(BENCH_ONE, p, "1", NULL);

	cr_assert_eq(rc, 1, "exit %d", rc);
	expect_out("FAIL step 'selftest': command not found (exit 127) — set board aside", 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'selftest' AND detail LIKE "
				  "'%no-such-tester-here: not found%'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify'"), 0);
}

/* The process is gone, or a zombie nobody waits for (/proc/PID/stat: "pid (comm) Z ..."). */
static bool gone(pid_t pid, char *stat, size_t cap)
{
	char path[64];
	FILE *f;

	stat[0] = '\0';
	if (kill(pid, 0) != 0)
		return errno == ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	if (!fgets(stat, (int)cap, f))
		stat[0] = '\0';
	fclose(f);
	return strstr(stat, ") Z ") != NULL;
}

Test(run_steps, a_hanging_step_times_out_and_its_whole_group_ends_even_what_ignores_sigterm)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"verify\"; timeout_s = 1; run = "
				"\"sh -c 'trap \\\"\\\" TERM; echo $$ > gc.pid; exec sleep 60' & echo waiting; sleep 60\"; } );\n");
	char path[ITEST_PATH_MAX], *pid;
	int rc = run(BENCH_ONE, p, "1", NULL);

	cr_assert_eq(rc, 1, "exit %d", rc);
	expect_out("FAIL step 'selftest' timed out after 1 s — set board aside", 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'selftest' AND result = 'fail' AND "
				  "duration_ms >= 1000 AND detail LIKE '%waiting%'"), 1);
	snprintf(path, sizeof(path), "%s/gc.pid", env.dir);
	cr_assert_not_null(pid = itest_slurp(path, NULL));
	{
		char st[256];

		cr_expect(gone((pid_t)atol(pid), st, sizeof(st)), "the grandchild %ld that ignores SIGTERM outlived "
			  "the step: %s", atol(pid), st);
	}
	free(pid);
}

Test(run_steps, stopping_the_run_twice_ends_a_running_command_and_its_group_at_once)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"verify\"; timeout_s = 120; run = "
				"\"echo $$ > cmd.pid; sleep 100\"; } );\n");
	const char *argv[] = { "run", p, "--boards", "1", "--db", env.db, "--plain", NULL };
	struct timespec gap = { 0, 200 * 1000000L };
	char path[ITEST_PATH_MAX + 16], st[256], *pid;
	pid_t gang = itest_spawn(&env, BENCH_ONE, argv);
	int rc;

	cr_assert_gt(gang, 0);
	snprintf(path, sizeof(path), "%s/cmd.pid", env.dir);
	for (int i = 0; i < 200 && access(path, F_OK) != 0; i++)
		nanosleep(&gap, NULL);
	cr_assert_eq(access(path, F_OK), 0, "the command never started");
	kill(gang, SIGTERM);
	nanosleep(&gap, NULL);
	kill(gang, SIGTERM);
	rc = itest_wait(gang, 20);
	cr_assert_geq(rc, 0, "gang did not end");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'aborted'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'selftest' AND result = 'fail' AND "
				  "duration_ms < 20000"), 1);
	/* its serial stays reserved to the board, as for any aborted board */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'reserved'"), 1);
	cr_assert_not_null(pid = itest_slurp(path, NULL));
	cr_expect(gone((pid_t)atol(pid), st, sizeof(st)), "the command %ld outlived the stop: %s", atol(pid), st);
	free(pid);
}

Test(run_steps, a_step_after_the_pass_that_fails_is_recorded_and_the_board_stays_a_pass)
{
	const char *p = profile("steps = ( { name = \"label\"; after = \"pass\"; run = \"echo printer offline; "
				"exit 1\"; } );\n");
	int rc = run(BENCH_FIXED, p, "2", NULL);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'label' AND result = 'fail' AND "
				  "detail LIKE '%printer offline%'"), 2);
	expect_out("note: step 'label' failed (exit 1) — the board passed", 2);
}

Test(run_steps, a_running_step_lets_the_firmware_run_and_reattaches_to_the_same_board)
{
	const char *p = profile("steps = ( { name = \"powered\"; after = \"verify\"; target = \"running\"; "
				"run = \"sleep 0.2\"; },\n"
				"{ name = \"alive\"; after = \"powered\"; check = { address = 0x20000000; equals = 0x474E4147; "
				"timeout_s = 5; }; } );\n");
	int rc = run(BENCH_FIXED, p, "2", NULL);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step IN ('powered', 'alive') AND "
				  "result = 'pass'"), 4);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'alive' AND detail LIKE "
				  "'0x20000000 reads 0x474E4147 after %'"), 2);
	/* option_bytes ran after both, on the re-attached core */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'option_bytes'"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
}

Test(run_steps, a_released_step_frees_the_st_link_for_the_command_and_gang_takes_it_back)
{
	char extra[ITEST_PATH_MAX * 4];
	const char *p;
	int rc;

	/* the command opens the probe itself (gang probes, on the bench gang runs on) */
	snprintf(extra, sizeof(extra), "steps = ( { name = \"held\"; after = \"verify\"; run = \"%s probes; true\"; },\n"
		 "{ name = \"own-probe\"; after = \"held\"; target = \"released\"; "
		 "run = \"%s probes; echo probes exit $?\"; },\n"
		 "{ name = \"label\"; after = \"pass\"; target = \"released\"; run = \"%s probes\"; } );\n",
		 env.gang, env.gang, env.gang);
	p = profile(extra);
	rc = run(BENCH_ONE, p, "1", NULL);
	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE "
				  "s.step IN ('own-probe', 'label') AND s.result = 'pass' AND s.detail LIKE '%' || a.uid || '%'"),
		     2, "the command reached the board through the released probe");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'own-probe' AND detail LIKE "
				  "'%probes exit 0%'"), 1);
	/* while gang holds it (halted), the same command finds the probe in use */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'held' AND detail LIKE "
				  "'%in use by another program%'"), 1);
	/* gang re-attached to the same board: option_bytes ran, the pass was recorded */
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'option_bytes'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1);
}

Test(run_steps, a_memory_check_that_times_out_names_the_address_the_value_seen_and_wanted)
{
	const char *p = profile("steps = ( { name = \"selftest\"; after = \"verify\"; check = { address = "
				"0x20000000; equals = 0x600DF00D; timeout_s = 1; }; } );\n");
	int rc = run(BENCH_ONE, p, "1", NULL);

	cr_assert_eq(rc, 1, "exit %d", rc);
	expect_out("FAIL step 'selftest': the word at 0x20000000 reads 0x474E4147, not 0x600DF00D (after 1 s) — "
		   "set board aside", 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE error_class = 'step'"), 1);
}

/* IEEE CRC-32 (zlib's), independent of gang's. */
static uint32_t crc32_ieee(const uint8_t *b, size_t n)
{
	uint32_t c = 0xFFFFFFFFU;

	for (size_t i = 0; i < n; i++) {
		c ^= b[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320U & (0U - (c & 1U)));
	}
	return ~c;
}

Test(run_steps, the_checksum_covers_the_serial_and_is_written_little_endian)
{
	const char *p = profile("checksum = { address = 0x0803F7F0; over = [0x0803F800, 0x0803F810]; "
				"kind = \"crc32\"; };\n");
	char uid[32], path[ITEST_PATH_MAX + 64];
	uint8_t *flash;
	size_t len = 0;
	uint32_t got;
	int rc = run(BENCH_ONE, p, "1", NULL);

	cr_assert_eq(rc, 0, "exit %d", rc);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	cr_assert_not_null(flash = (uint8_t *)itest_slurp(path, &len));
	cr_assert_geq(len, 0x40000U);
	cr_expect_eq(flash[0x3F800], 0x88, "serial 5000 = 0x1388 little-endian");
	got = (uint32_t)flash[0x3F7F0] | (uint32_t)flash[0x3F7F1] << 8 | (uint32_t)flash[0x3F7F2] << 16 |
	      (uint32_t)flash[0x3F7F3] << 24;
	cr_expect_eq(got, crc32_ieee(flash + 0x3F800, 16), "0x%08X", got);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'checksum' AND result = 'pass'"), 1);
	free(flash);
}

/* CRC-32/MPEG-2 of little-endian words fed most significant byte first: the STM32 CRC unit, independently. */
static uint32_t crc32_stm32_unit(const uint8_t *b, size_t n)
{
	uint32_t c = 0xFFFFFFFFU;

	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 | (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24;

		c ^= w;
		for (int k = 0; k < 32; k++)
			c = (c & 0x80000000U) ? (c << 1) ^ 0x04C11DB7U : c << 1;
	}
	return c;
}

Test(run_steps, the_checksum_of_kind_crc32_stm32_is_what_the_crc_unit_computes)
{
	const char *p = profile("checksum = { address = 0x08000108; over = [0x08000000, 0x08000108]; "
				"kind = \"crc32-stm32\"; };\n");
	char uid[32], path[ITEST_PATH_MAX + 64];
	uint8_t *flash;
	size_t len = 0;
	uint32_t got;

	cr_assert_eq(run(BENCH_ONE, p, "1", NULL), 0);
	cr_assert(itest_db_text(uid, sizeof(uid), &env, "SELECT uid FROM attempts"));
	snprintf(path, sizeof(path), "%s/%s/flash.bin", env.state, uid);
	cr_assert_not_null(flash = (uint8_t *)itest_slurp(path, &len));
	got = (uint32_t)flash[0x108] | (uint32_t)flash[0x109] << 8 | (uint32_t)flash[0x10A] << 16 |
	      (uint32_t)flash[0x10B] << 24;
	cr_expect_eq(got, crc32_stm32_unit(flash, 0x108), "0x%08X", got);
	free(flash);
}

Test(run_steps, a_board_swapped_during_a_running_step_fails_it)
{
	/* run-slow-swap: the operator swaps a released board 4 s (virtual) later; the step outlasts that */
	const char *p = profile("steps = ( { name = \"soak\"; after = \"verify\"; target = \"running\"; "
				"run = \"sleep 5\"; timeout_s = 20; } );\n");
	int rc = run("tests/fixtures/benches/run-slow-swap.cfg", p, "1", NULL);

	cr_assert_eq(rc, 1, "exit %d", rc);
	expect_out("FAIL after step 'soak' another board is in the fixture — set board aside", 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'soak' AND result = 'fail' AND "
				  "detail LIKE 'after step soak the fixture holds UID %'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 0);
}

/* The bench's modelled time of the run's one board, in µs (GANGSIM_STATS: the probe, then its boards). */
static long long modelled_us(const char *stats)
{
	char *s = itest_slurp(stats, NULL), *b;
	long long us = -1;

	cr_assert_not_null(s, "no stats file %s", stats);
	b = strstr(s, "\"boards\"");
	if (b && (b = strstr(b, "\"virtual_us\": ")) != NULL)
		us = atoll(b + strlen("\"virtual_us\": "));
	cr_assert_gt(us, 0, "no board's virtual_us in %s", s);
	free(s);
	return us;
}

static long long run_with_stats(const char *prof, const char *name)
{
	char stats[ITEST_PATH_MAX + 16], set[ITEST_PATH_MAX + 32];
	const char *wrap[] = { "env", set, NULL };

	snprintf(stats, sizeof(stats), "%s/%s", env.dir, name);
	snprintf(set, sizeof(set), "GANGSIM_STATS=%s", stats);
	env.wrap = wrap;
	cr_assert_eq(run(BENCH_ONE, prof, "1", "--rework"), 0);
	env.wrap = NULL;
	return modelled_us(stats);
}

Test(run_steps, a_board_that_already_holds_the_image_skips_erase_and_program_but_is_verified)
{
	const char *p = profile("");
	char why[ITEST_WHY_MAX] = "";
	long long first = run_with_stats(p, "s1.json"), second = run_with_stats(p, "s2.json");

	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'skip' AND "
				  "detail LIKE 'already as wanted%'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'verify' AND result = 'pass'"), 2);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_expect(itest_invariants(&env, &itest_demo_layout, why, sizeof(why)), "%s", why);
	cr_expect_lt(second, first, "modelled %lld us, then %lld us", first, second);
	fprintf(stderr, "run_steps: modelled per board, demo image (268 bytes, mass erase): programmed %.3f s, "
		"already as wanted %.3f s\n", first / 1e6, second / 1e6);
}

/* DIR/big.bin: n pseudo-random bytes (no run of erased bytes the loader could skip). */
static void big_image(size_t n)
{
	char path[ITEST_PATH_MAX + 16];
	uint32_t x = 2463534242U;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.bin", env.dir);
	cr_assert_not_null(f = fopen(path, "wb"));
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		fputc((int)(x & 0xFFU), f);
	}
	fclose(f);
}

Test(run_steps, a_128_kib_image_already_on_the_board_costs_a_fraction_of_programming_it)
{
	char text[512];
	const char *p;
	long long first, second;

	big_image(128U * 1024U);
	snprintf(text, sizeof(text), "name = \"big\";\ntarget = \"STM32F103RC\";\n"
		 "image = { file = \"big.bin\"; address = 0x08000000; };\nerase = \"pages\";\nverify = \"crc\";\n"
		 "retries = 0;\n");
	{
		static char path[ITEST_PATH_MAX];

		cr_assert(itest_write(path, sizeof(path), &env, "big.cfg", text));
		p = path;
	}
	first = run_with_stats(p, "b1.json");
	second = run_with_stats(p, "b2.json");
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'skip'"), 1);
	cr_expect_lt(second * 2, first, "modelled %lld us, then %lld us", first, second);
	fprintf(stderr, "run_steps: modelled per board, 128 KiB image (page erase): programmed %.3f s, already as "
		"wanted %.3f s\n", first / 1e6, second / 1e6);
}

/* Modelled time per board of a profile with extra, programmed each time (skip_if_same off). */
static long long cost_of(const char *extra, const char *stats)
{
	char text[2048];

	snprintf(text, sizeof(text), "program = { skip_if_same = false; };\n%s", extra);
	return run_with_stats(profile(text), stats);
}

Test(run_steps, what_each_kind_of_step_costs_per_board)
{
	long long base = cost_of("", "c0.json");
	long long halted = cost_of("steps = ( { name = \"t\"; after = \"verify\"; run = \"true\"; } );\n", "c1.json");
	long long running = cost_of("steps = ( { name = \"t\"; after = \"verify\"; run = \"true\"; target = "
				    "\"running\"; } );\n", "c2.json");
	long long check = cost_of("steps = ( { name = \"t\"; after = \"verify\"; check = { address = 0x20000000; "
				  "equals = 0x474E4147; }; } );\n", "c3.json");
	long long sum = cost_of("checksum = { address = 0x0803F000; over = [0x08000000, 0x0803F000]; };\n",
				"c4.json");

	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 5);
	fprintf(stderr, "run_steps: modelled per board: base %.3f s; command `true` halted +%.3f s, running +%.3f s; "
		"memory check +%.3f s; checksum over 252 KiB +%.3f s\n", base / 1e6, (halted - base) / 1e6,
		(running - base) / 1e6, (check - base) / 1e6, (sum - base) / 1e6);
}

Test(run_steps, skip_if_same_false_programs_the_board_again)
{
	const char *p = profile("program = { skip_if_same = false; };\n");

	cr_assert_eq(run(BENCH_ONE, p, "1", NULL), 0);
	cr_assert_eq(run(BENCH_ONE, p, "1", "--rework"), 0);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM steps WHERE step = 'program' AND result = 'pass'"), 2);
}
