/*
 * test_run_release.c — the founding bug as a product: programming firmware
 * that turns the SWD pins into GPIO the moment it runs. Once verify has
 * passed, releasing the board into that firmware must not fail it, in
 * `gang flash` and in `gang run`, on every family the bench has (F1:
 * AFIO_MAPR.SWJ_CFG, RM0008 §9.4.2; F0/F3: GPIOA_MODER, RM0091 §8.4.1,
 * RM0316 §11.4.1).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_release, 60);

typedef struct family_case {
	const char *part;
	const char *serial;       /* probe serial on the bench */
	uint32_t serial_addr;     /* last page of the part's flash */
} family_case;

static const family_case cases[] = {
	{ "STM32F103RC", "066DFF485457725187084A21", 0x0803F800U },
	{ "STM32F030R8", "066DFF485457725187084A22", 0x0800FC00U },
	{ "STM32F303CC", "066DFF485457725187084A23", 0x0803F800U },
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * F0/F3 firmware that takes PA13/PA14 at once (Thumb-1, runs on M0 and
 * M4): RCC_AHBENR |= IOPAEN; GPIOA_MODER = 0 (every pin an input); b .
 */
static void write_gpio_swd_off(const char *path)
{
	static const uint16_t code[] = {
		0x4803, /* ldr r0, [pc, #12]  -> RCC_AHBENR */
		0x4904, /* ldr r1, [pc, #16]  -> reset value | IOPAEN */
		0x6001, /* str r1, [r0] */
		0x4804, /* ldr r0, [pc, #16]  -> GPIOA_MODER */
		0x2100, /* movs r1, #0 */
		0x6001, /* str r1, [r0] */
		0xE7FE, /* b . */
		0xBF00, /* nop (literal alignment) */
	};
	uint8_t img[36] = { 0 };
	FILE *fp;

	put32(img, 0x20001000U);         /* initial SP */
	put32(img + 4, 0x08000009U);     /* reset vector, Thumb */
	for (size_t i = 0; i < sizeof(code) / sizeof(code[0]); i++) {
		img[8 + 2 * i] = (uint8_t)code[i];
		img[9 + 2 * i] = (uint8_t)(code[i] >> 8);
	}
	put32(img + 24, 0x40021014U);    /* RCC_AHBENR */
	put32(img + 28, 0x00020014U);    /* SRAMEN | FLITFEN | IOPAEN */
	put32(img + 32, 0x48000000U);    /* GPIOA_MODER */
	fp = fopen(path, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(img, 1, sizeof(img), fp), sizeof(img));
	fclose(fp);
}

/* The SWD-disabling image of the family: its path in out. */
static void swd_off_image(char *out, size_t cap, const family_case *c)
{
	if (strcmp(c->part, "STM32F103RC") == 0) {
		itest_path(out, cap, &env, "tools/firmware/demo-f103-swdoff.bin");
		return;
	}
	snprintf(out, cap, "%s/swdoff-%s.bin", env.dir, c->part);
	write_gpio_swd_off(out);
}

static void bench_for(char *out, size_t cap, const family_case *c, const char *extra)
{
	char text[512], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"V2\"; target = \"%s\"; %s } );\n",
		 c->serial, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s.cfg", c->part);
	cr_assert(itest_write(out, cap, &env, name, text));
}

static void check_flash(const family_case *c)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *out;
	const char *flash[] = { "flash", img, "--address", "0x08000000", NULL };
	const char *probes[] = { "probes", "--json", NULL };
	int rc;

	bench_for(bench, sizeof(bench), c, "");
	swd_off_image(img, sizeof(img), c);
	rc = itest_run(&env, bench, flash, 30);
	out = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d: %s", c->part, rc, out ? out : "");
	free(out);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
	/* The firmware did run and take the pins: a plain attach finds the port silent. */
	cr_assert_eq(itest_run(&env, bench, probes, 30), 0);
	cr_assert_eq(itest_count(env.out, "\"error\""), 1, "%s: the board still answers on SWD", c->part);
}

Test(run_release, gang_flash_of_firmware_that_takes_the_swd_pins_succeeds_on_every_family)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		check_flash(&cases[i]);
	}
}

static void check_run(const family_case *c)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], log[ITEST_PATH_MAX], text[1024];
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", "--log", log,
			       "--log-level", "info", NULL };
	char *logtext;
	int rc;

	bench_for(bench, sizeof(bench), c, "boards = 2; swap_s = 1.0;");
	swd_off_image(img, sizeof(img), c);
	snprintf(text, sizeof(text),
		 "name = \"release-%s\";\ntarget = \"%s\";\nimage = { file = \"%s\"; address = 0x08000000; };\n"
		 "connect = { mode = \"auto\"; };\nerase = \"mass\";\nverify = \"crc\";\n"
		 "serial = { pool = \"rel\"; address = 0x%08X; format = \"u32le\"; start = 1; end = 1000; };\n"
		 "after = \"run\";\nretries = 1;\n",
		 c->part, c->part, img, c->serial_addr);
	cr_assert(itest_write(prof, sizeof(prof), &env, "release.cfg", text));
	snprintf(log, sizeof(log), "%s/gang.log", env.dir);
	rc = itest_run(&env, bench, argv, 40);
	cr_assert_eq(rc, 0, "%s: gang run exit %d", c->part, rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts"), 2, "%s: a board was retried", c->part);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2, "%s", c->part);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 2, "%s", c->part);
	cr_assert_eq(itest_count(env.out, "retrying"), 0, "%s", c->part);
	logtext = itest_slurp(log, NULL);
	cr_assert_not_null(logtext);
	cr_assert_not_null(strstr(logtext, "its firmware took the SWD pins"), "%s: the log does not say it: %s",
			   c->part, logtext);
	free(logtext);
}

Test(run_release, gang_run_of_firmware_that_takes_the_swd_pins_passes_every_board_on_every_family)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		itest_env_cleanup(&env);
		cr_assert(itest_env_init(&env));
		check_run(&cases[i]);
	}
}

/*
 * The host dies the moment it lets the board go into its firmware (the
 * bench's kill_on_release fault): the pass must already be on disk, with
 * its serial burned, so the operator who takes that board takes a recorded
 * one. A restart leaves the board as it is (seen again) and goes on.
 */
Test(run_release, a_kill_at_the_release_finds_the_pass_already_committed)
{
	static const char bench_text[] =
		"probes = ( { serial = \"066DFF485457725187084A24\"; model = \"V2\"; target = \"STM32F103RC\";\n"
		"  swap_s = 0.3; tray = ( { kill_on_release = true; }, { } ); } );\n";
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "";
	const char *argv[] = { "run", prof, "--boards", "1", "--db", env.db, "--plain", NULL };
	int rc;

	itest_path(prof, sizeof(prof), &env, "tests/fixtures/profiles/run-basic.cfg");
	cr_assert(itest_write(bench, sizeof(bench), &env, "gap.cfg", bench_text));
	rc = itest_run(&env, bench, argv, 30);
	cr_assert_eq(rc, 128 + 9, "the bench did not kill gang at the release (exit %d)", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 1,
		     "the board was released before its pass was recorded");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE finished_at IS NULL"), 0);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 1);
	/* The restart sees the recorded board again, leaves it, and programs the next one. */
	rc = itest_run(&env, bench, argv, 30);
	cr_assert_eq(rc, 0, "restart: exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM sightings"), 1);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
	cr_assert(itest_invariants(&env, &itest_demo_layout, why, sizeof(why)), "%s", why);
}
