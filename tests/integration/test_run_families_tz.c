/*
 * test_run_families_tz.c — gang on the L5/U5 bench parts, end to end:
 * `gang flash` of the U5 demo build on the U575 and U585 with page and
 * mass erase (quad words through the loader, CRC verify), the founding
 * failure on a U5 (firmware that takes PA13/PA14, recovered under reset
 * with the same operator sentence as on an F4), a production run with
 * serials and option bytes by their RM0456 names, and the example profile;
 * RDP level 0.5 from a profile (RM0456 §7.6.2): TrustZone on with one
 * run, rdp = 0.5 with a second on the same board, shown as 0.5, and the
 * next run's attempt records rdp_before 0.5; or both in one profile on a
 * blank board (two option writes).
 * Facts: RM0456 §7.3 (pages, banks, quad words), §7.9.15 (OPTR), §13.4.1
 * (GPIOA_MODER: PA13/PA14 in AF mode carry SWD).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

ITEST_SUITE(run_families_tz, 150);

typedef struct tz_case {
	const char *part;
	const char *probe;
} tz_case;

static const tz_case tz_u575 = { "STM32U575ZI", "066DFF485457725187084E01" };
static const tz_case tz_u585 = { "STM32U585AI", "066DFF485457725187084E02" };
static const tz_case tz_f407 = { "STM32F407VG", "066DFF485457725187084E03" };

/* The U5 demo image with its serial as u32le in page 8 (tools/firmware/demo-u5.ld). */
static const itest_layout u575_layout = { "profiles/firmware/demo-u5.hex", 0x08010000U, 2048U * 1024U };

static void bench_for(char *out, size_t cap, const tz_case *c, const char *extra)
{
	char text[768], name[64];

	snprintf(text, sizeof(text), "probes = ( { serial = \"%s\"; model = \"V2\"; target = \"%s\"; %s } );\n",
		 c->probe, c->part, extra);
	snprintf(name, sizeof(name), "bench-%s.cfg", c->part);
	cr_assert(itest_write(out, cap, &env, name, text));
}

static void flash_one(const tz_case *c, const char *erase)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], *err;
	const char *argv[] = { "flash", img, "--erase", erase, NULL };
	int rc;

	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	bench_for(bench, sizeof(bench), c, "");
	itest_path(img, sizeof(img), &env, "profiles/firmware/demo-u5.hex");
	rc = itest_run(&env, bench, argv, 90);
	err = itest_slurp(env.err, NULL);
	cr_assert_eq(rc, 0, "%s: gang flash --erase %s exit %d: %s", c->part, erase, rc, err ? err : "");
	free(err);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
}

Test(run_families_tz, gang_flash_programs_and_verifies_the_u5_parts)
{
	flash_one(&tz_u575, "pages");
	flash_one(&tz_u575, "mass");
	flash_one(&tz_u585, "pages");
}

/* The line telling the operator why gang connected under reset, the part's name taken out. */
static void reason_line(char *out, size_t cap, const char *part)
{
	char *all = itest_slurp(env.err, NULL), *line, *save = NULL, *p;

	out[0] = '\0';
	cr_assert_not_null(all);
	for (line = strtok_r(all, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "under reset") && !strstr(line, "firmware"))
			continue;
		if ((p = strstr(line, part)) != NULL)
			memmove(p, p + strlen(part), strlen(p + strlen(part)) + 1);
		if ((p = strchr(line, ']')) != NULL && line[0] == '[')
			line = p + 1;
		snprintf(out, cap, "%s", line);
		break;
	}
	free(all);
	cr_assert(out[0] != '\0', "%s: the operator is not told why it connected under reset", part);
}

static void recover_one(char *reason, size_t cap, const tz_case *c, const char *fw_rel, const char *img_rel)
{
	char bench[ITEST_PATH_MAX], img[ITEST_PATH_MAX], fw[ITEST_PATH_MAX], extra[ITEST_PATH_MAX + 128];
	const char *argv[] = { "flash", img, "--erase", "pages", NULL };
	int rc;

	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	itest_path(fw, sizeof(fw), &env, fw_rel);
	snprintf(extra, sizeof(extra), "tray = ( { firmware = \"%s\"; swd_disabled = true; } );", fw);
	bench_for(bench, sizeof(bench), c, extra);
	itest_path(img, sizeof(img), &env, img_rel);
	rc = itest_run(&env, bench, argv, 90);
	cr_assert_eq(rc, 0, "%s: gang flash exit %d", c->part, rc);
	cr_assert_eq(itest_count(env.out, "programmed and verified"), 1, "%s", c->part);
	reason_line(reason, cap, c->part);
}

/* The founding failure on a U5: firmware turns PA13/PA14 into outputs; the same sentence as on an F4. */
Test(run_families_tz, firmware_that_takes_the_swd_pins_is_recovered_under_reset_on_a_u5)
{
	char u5[512], f4[512];

	recover_one(u5, sizeof(u5), &tz_u575, "tools/firmware/demo-u5-swdoff.bin", "profiles/firmware/demo-u5.hex");
	recover_one(f4, sizeof(f4), &tz_f407, "tools/firmware/demo-f407-swdoff.bin",
		    "profiles/firmware/demo-f407.hex");
	cr_assert_str_eq(u5, f4, "the U5 and the F4 operator hear different sentences");
}

/* Four U575 boards: serials in page 8, option bytes by RM0456 names, every board traceable. */
Test(run_families_tz, production_run_on_u575_with_serials_and_option_bytes)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], why[ITEST_WHY_MAX] = "", text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "4", "--db", env.db, "--plain", NULL };
	int rc;

	bench_for(bench, sizeof(bench), &tz_u575, "boards = 4; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, u575_layout.image);
	snprintf(text, sizeof(text),
		 "name = \"u5\";\ntarget = \"STM32U575ZI\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\n"
		 "serial = { pool = \"u5\"; address = 0x08010000; format = \"u32le\"; start = 100; end = 999; };\n"
		 "option_bytes = { user = { BOR_LEV = 1; nRST_STOP = true; }; };\n"
		 "after = \"run\";\nretries = 1;\n", img);
	cr_assert(itest_write(prof, sizeof(prof), &env, "u5.cfg", text));
	rc = itest_run(&env, bench, argv, 150);
	cr_assert_eq(rc, 0, "gang run exit %d", rc);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM serials WHERE state = 'burned'"), 4);
	cr_assert_eq(itest_db_int(&env, "SELECT count(DISTINCT uid) FROM attempts"), 4);
	cr_assert(itest_invariants(&env, &u575_layout, why, sizeof(why)), "%s", why);
}

/* The shipped example runs as it is on its part's bench. */
Test(run_families_tz, the_u575_example_profile_runs_on_the_bench)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };

	bench_for(bench, sizeof(bench), &tz_u575, "boards = 2; swap_s = 0.3;");
	itest_path(prof, sizeof(prof), &env, "profiles/u575.cfg");
	cr_assert_eq(itest_run(&env, bench, argv, 120), 0, "profiles/u575.cfg");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
}

/*
 * A U5 WRP area locked for good (WRP2B_UNLOCK = 0, RM0456 §7.9.18) from a
 * profile: without confirm_permanent_lock every board is refused before
 * its option bytes change; with it the run passes.
 */
static int unlock_run(const char *confirm)
{
	char bench[ITEST_PATH_MAX], prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "2", "--db", env.db, "--plain", NULL };

	bench_for(bench, sizeof(bench), &tz_u575, "boards = 2; swap_s = 0.3;");
	itest_path(img, sizeof(img), &env, u575_layout.image);
	snprintf(text, sizeof(text),
		 "name = \"u5lock\";\ntarget = \"STM32U575ZI\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\n"
		 "option_bytes = { user = { WRP2B = 0x7F7E; WRP2B_UNLOCK = false; }; %s };\n"
		 "after = \"run\";\nretries = 0;\n", img, confirm);
	cr_assert(itest_write(prof, sizeof(prof), &env, "u5lock.cfg", text));
	return itest_run(&env, bench, argv, 120);
}

Test(run_families_tz, a_u5_wrp_area_is_locked_for_good_only_with_the_profiles_confirmation)
{
	cr_assert_neq(unlock_run(""), 0, "locked without the confirmation");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 0);
	cr_assert_geq(itest_count(env.out, "change the chip permanently") + itest_count(env.err, "change the chip "
		      "permanently"), 1, "the operator hears the refusal");
	itest_env_cleanup(&env);
	cr_assert(itest_env_init(&env));
	cr_assert_eq(unlock_run("confirm_permanent_lock = \"I understand this locks the chip forever\";"), 0);
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 2);
}

/* One board through `gang run` with the option_bytes group ob, the database at db. */
static int rdp05_run(const char *bench, const char *name, const char *ob, const char *db)
{
	char prof[ITEST_PATH_MAX], text[1024], img[ITEST_PATH_MAX];
	const char *argv[] = { "run", prof, "--boards", "1", "--db", db, "--plain", NULL };

	itest_path(img, sizeof(img), &env, u575_layout.image);
	snprintf(text, sizeof(text),
		 "name = \"%s\";\ntarget = \"STM32U575ZI\";\nimage = { file = \"%s\"; };\n"
		 "erase = \"pages\";\nverify = \"crc\";\noption_bytes = { %s };\nafter = \"halt\";\nretries = 0;\n",
		 name, img, ob);
	cr_assert(itest_write(prof, sizeof(prof), &env, name, text));
	return itest_run(&env, bench, argv, 120);
}

/* A blank U575 to level 0.5 in one run: TZEN first, reloaded, then RDP 0.5 (RM0456 §7.6.2). */
Test(run_families_tz, one_profile_takes_a_blank_u575_to_trustzone_and_rdp_0_5)
{
	char bench[ITEST_PATH_MAX], *out;
	const char *show[] = { "options", "show", "--json", NULL };

	bench_for(bench, sizeof(bench), &tz_u575, "");
	cr_assert_eq(rdp05_run(bench, "both.cfg", "rdp = 0.5; user = { TZEN = true; }; confirm_permanent_lock = "
			       "\"I understand this locks the chip forever\";", env.db), 0, "TrustZone and 0.5 in one run");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass' AND rdp_before = 0"), 1);
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "\"rdp_level\":0.5,\"rdp\":\"0x55\""), "%s", out);
	cr_expect_not_null(strstr(out, "\"tzen\":1"), "%s", out);
	free(out);
}

Test(run_families_tz, a_profile_takes_a_u575_to_rdp_0_5_once_trustzone_is_on)
{
	char bench[ITEST_PATH_MAX], db2[ITEST_PATH_MAX + 8], *out;
	const char *show[] = { "options", "show", "--json", NULL };

	bench_for(bench, sizeof(bench), &tz_u575, "");
	snprintf(db2, sizeof(db2), "%s.2", env.db);
	cr_assert_neq(rdp05_run(bench, "half-first.cfg", "rdp = 0.5;", env.db), 0, "TZEN = 0: refused");
	cr_assert_eq(itest_count(env.err, "RDP level 0.5 exists only with TrustZone on") +
		     itest_count(env.out, "RDP level 0.5 exists only with TrustZone on"), 1, "the refusal is heard");
	cr_assert_eq(rdp05_run(bench, "tzen.cfg", "user = { TZEN = true; }; confirm_permanent_lock = "
			       "\"I understand this locks the chip forever\";", db2), 0, "TrustZone on");
	snprintf(db2, sizeof(db2), "%s.3", env.db);
	cr_assert_eq(rdp05_run(bench, "half.cfg", "rdp = 0.5;", db2), 0, "level 0.5");
	cr_assert_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE result = 'pass'"), 0,
		     "the first database holds the refused board only");
	cr_assert_eq(itest_run(&env, bench, show, 60), 0);
	out = itest_slurp(env.out, NULL);
	cr_assert_not_null(out);
	cr_expect_not_null(strstr(out, "\"rdp_level\":0.5,\"rdp\":\"0x55\""), "%s", out);
	free(out);
	/* the next run finds the board at level 0.5 and records the level, not the 0 the debugger sees */
	cr_assert_neq(rdp05_run(bench, "again.cfg", "rdp = 0.5;", env.db), 0, "secure flash: the board is set aside");
	cr_expect_geq(itest_count(env.out, "TrustZone keeps this flash secure"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rdp_before = 0.5 AND result = 'fail'"), 1);
	cr_expect_eq(itest_db_int(&env, "SELECT count(*) FROM attempts WHERE rdp_before = 0"), 1,
		     "the refused run found it at level 0");
}
