/*
 * test_profile_steps.c — the profile's own steps, the checksum and the
 * program group: the plan they make (order, target needs, after the pass)
 * and every refusal, each naming file, line and key. Lines 1-5 of each
 * case are a valid minimal profile (BASE); the key under test is on line 6.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/geom.h"
#include "profile/profile.h"

static const gang_flash_region st_pages[] = { { 0x08000000U, 2048U, 128U, 0, 0 } };
static const gang_flash_geom st_geom = { st_pages, 1, 2, 0xFFU };

static char tmp_dir[64];
static char tmp_cfg[128];

static void st_setup(void)
{
	strcpy(tmp_dir, "/tmp/gang-profsteps-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp_dir));
	snprintf(tmp_cfg, sizeof(tmp_cfg), "%s/x.cfg", tmp_dir);
}

static void st_teardown(void)
{
	remove(tmp_cfg);
	cr_expect_eq(rmdir(tmp_dir), 0);
}

TestSuite(profile_steps, .init = st_setup, .fini = st_teardown, .timeout = 10);

#define BASE \
	"name = \"t\";\n" \
	"target = \"STM32F103RC\";\n" \
	"image = { file = \"fw.hex\"; };\n" \
	"erase = \"mass\";\n" \
	"verify = \"crc\";\n"

static int load(gang_profile **p, gang_diag *d, const char *text)
{
	FILE *fp = fopen(tmp_cfg, "w");

	cr_assert_not_null(fp);
	fputs(text, fp);
	fclose(fp);
	return gang_profile_load(p, tmp_cfg, d);
}

static void expect_error(const char *text, const char *tail)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char want[GANG_DIAG_LEN];

	cr_assert_eq(load(&p, &d, text), GANG_EPROFILE, "%s", d.msg);
	cr_expect_null(p);
	snprintf(want, sizeof(want), "%s:%s", tmp_cfg, tail);
	cr_expect_str_eq(d.msg, want);
}

/* "connect serial ... pass label" */
static void plan_names(char *out, size_t cap, const gang_profile *p)
{
	out[0] = '\0';
	for (size_t i = 0; i < p->plan.n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", p->plan.step[i].name);
}

Test(profile_steps, without_steps_the_plan_is_the_built_in_order)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char names[256];

	cr_assert_eq(load(&p, &d, BASE), GANG_OK, "%s", d.msg);
	plan_names(names, sizeof(names), p);
	cr_expect_str_eq(names, "connect serial unprotect program verify option_bytes pass");
	cr_expect(p->skip_if_same, "skipping a board that holds the image is the default");
	gang_profile_free(p);
}

Test(profile_steps, own_steps_are_placed_after_their_anchor_in_profile_order)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char names[256];

	cr_assert_eq(load(&p, &d, BASE "steps = (\n"
			  " { name = \"selftest\"; after = \"verify\"; run = \"tests/selftest.sh\"; timeout_s = 20; },\n"
			  " { name = \"label\"; after = \"pass\"; run = \"lp -d zebra label.zpl\"; },\n"
			  " { name = \"result\"; after = \"verify\"; check = { address = 0x20000000; equals = 0x600DF00D;"
			  " timeout_s = 5; }; },\n"
			  " { name = \"power\"; after = \"selftest\"; run = \"true\"; target = \"running\"; }\n);\n"
			  "checksum = { address = 0x0803F7FC; over = [0x08000000, 0x0803F7FC]; };\n"
			  "program = { skip_if_same = false; };\n"),
		     GANG_OK, "%s", d.msg);
	plan_names(names, sizeof(names), p);
	/* power follows selftest and the own steps already placed behind it (result) */
	cr_expect_str_eq(names, "connect serial checksum unprotect program verify selftest result power "
			 "option_bytes pass label");
	cr_expect_eq(p->plan.step[6].need, GANG_NEED_HALTED);
	cr_expect_eq(p->plan.step[6].timeout_ms, 20000U);
	cr_expect_eq(p->plan.step[6].kind, GANG_KIND_EXEC);
	cr_expect_eq(p->plan.step[8].need, GANG_NEED_RUNNING);
	cr_expect_eq(p->plan.step[7].kind, GANG_KIND_MEMCHECK);
	cr_expect_eq(p->plan.step[7].need, GANG_NEED_RUNNING);
	cr_expect_eq(p->plan.step[7].own->check_equals, 0x600DF00DU);
	cr_expect(!p->plan.step[7].after_pass);
	cr_expect(p->plan.step[11].after_pass);
	cr_expect_eq(p->plan.step[11].need, GANG_NEED_NONE, "after the pass: nothing of the target");
	cr_expect_eq(p->plan.step[11].timeout_ms, 60000U, "60 s unless the step says");
	cr_expect_eq(p->checksum.kind, GANG_CHECKSUM_CRC32);
	cr_expect(!p->skip_if_same);
	gang_profile_free(p);
}

Test(profile_steps, gang_check_prints_the_plan_the_job_runs)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	cr_assert_eq(load(&p, &d, BASE "steps = ( { name = \"label\"; after = \"pass\"; run = \"lp x\"; },"
			  " { name = \"st\"; after = \"verify\"; check = { address = 0x20000000; equals = 1; }; } );\n"),
		     GANG_OK, "%s", d.msg);
	cr_assert_not_null(fp = open_memstream(&buf, &len));
	cr_assert_eq(gang_profile_plan(fp, p, NULL, &st_geom, NULL), GANG_OK);
	fclose(fp);
	cr_expect_not_null(strstr(buf, "  verify        CRC-32 of each programmed segment, computed on the chip\n"
				  "  st            firmware runs until the word at 0x20000000 reads 0x00000001, at most 10 s;"
				  " then re-attached (same UID)\n"
				  "  option bytes  unchanged\n"
				  "  pass          recorded (serial burned), then the board is released\n"
				  "  after         reset and run the firmware\n"
				  "  label         command `lp x` (board released, at most 60 s; its failure is recorded but "
				  "the board stays a pass)\n"), "%s", buf);
	free(buf);
	gang_profile_free(p);
}

Test(profile_steps, gang_check_counts_the_checksum_word_and_its_page)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	cr_assert_eq(load(&p, &d, "name = \"t\";\ntarget = \"STM32F103RC\";\nimage = { file = \"fw.hex\"; };\n"
			  "erase = \"pages\";\nverify = \"crc\";\n"
			  "checksum = { address = 0x0803FFFC; over = [0x08000000, 0x08001000]; kind = \"crc32-stm32\"; };\n"),
		     GANG_OK, "%s", d.msg);
	cr_assert_not_null(fp = open_memstream(&buf, &len));
	cr_assert_eq(gang_profile_plan(fp, p, NULL, &st_geom, NULL), GANG_OK);
	fclose(fp);
	cr_expect_not_null(strstr(buf, "  checksum      crc32-stm32 of [0x08000000, 0x08001000) written at 0x0803FFFC "
				  "(little-endian), after the serial\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\npages to erase    1 (2048 bytes): 127\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\nbytes to program  4 (image 0 + checksum 4)\n"), "%s", buf);
	free(buf);
	gang_profile_free(p);
}

Test(profile_steps, an_unknown_anchor_names_the_steps_it_could_follow)
{
	expect_error(BASE "steps = ( { name = \"x\"; after = \"verfy\"; run = \"true\"; } );\n",
		     "6: steps[0].after: no step 'verfy' before this one (expected one of: connect, serial, unprotect, "
		     "program, verify, option_bytes, pass)");
}

Test(profile_steps, a_step_may_not_take_a_built_in_name_or_one_twice)
{
	expect_error(BASE "steps = ( { name = \"verify\"; after = \"pass\"; run = \"true\"; } );\n",
		     "6: steps[0].name: 'verify' is already a step of the attempt");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"pass\"; run = \"true\"; },\n"
		     "{ name = \"a\"; after = \"verify\"; run = \"true\"; } );\n",
		     "7: steps[1].name: 'a' is already a step of the attempt");
}

Test(profile_steps, run_and_check_are_exclusive_and_one_is_needed)
{
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; } );\n",
		     "6: steps[0].run: missing (a step needs run = \"command\" or check = { ... })");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; run = \"x\"; check = { address = 0; "
		     "equals = 1; }; } );\n", "6: steps[0].check: a step has either run or check, not both");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; check = { address = 0x20000000; equals = 1; "
		     "}; timeout_s = 3; } );\n", "6: steps[0].timeout_s: not used by a memory check (it runs the "
		     "firmware; its time-out is check.timeout_s)");
}

Test(profile_steps, time_outs_targets_and_addresses_are_checked)
{
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; run = \"x\"; timeout_s = 0; } );\n",
		     "6: steps[0].timeout_s: 0 out of range 1-3600");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; run = \"x\"; target = \"asleep\"; } );\n",
		     "6: steps[0].target: unknown value 'asleep' (expected halted, running, released)");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; check = { address = 0x20000002; "
		     "equals = 1; }; } );\n",
		     "6: steps[0].check.address: 0x20000002 is not a multiple of 4 (a 32-bit word is read)");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"verify\"; check = { address = 0x20000000; }; } );\n",
		     "6: steps[0].check.equals: missing (required)");
	expect_error(BASE "steps = ( { name = \"a b\"; after = \"verify\"; run = \"x\"; } );\n",
		     "6: steps[0].name: 'a b' may contain only letters, digits, '_' and '-'");
}

Test(profile_steps, the_target_must_suit_the_side_of_the_pass)
{
	expect_error(BASE "steps = ( { name = \"a\"; after = \"pass\"; run = \"x\"; target = \"halted\"; } );\n",
		     "6: steps[0].target: 'halted' is not possible after the pass: the board is released then "
		     "(use \"released\" or leave target out)");
	expect_error(BASE "steps = ( { name = \"a\"; after = \"pass\"; check = { address = 0x20000000; equals = 1; "
		     "}; } );\n", "6: steps[0].after: a memory check needs the probe; after the pass the board is "
		     "released (place it before \"pass\")");
}

Test(profile_steps, released_frees_the_probe_on_either_side_of_the_pass)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };

	cr_assert_eq(load(&p, &d, BASE "steps = ( { name = \"flash-test\"; after = \"verify\"; run = \"x\"; target = "
			  "\"released\"; }, { name = \"label\"; after = \"pass\"; run = \"y\"; target = \"released\"; } );\n"),
		     GANG_OK, "%s", d.msg);
	cr_expect_eq(p->plan.step[5].need, GANG_NEED_RELEASED);
	cr_expect(!p->plan.step[5].after_pass);
	cr_expect_eq(p->plan.step[8].need, GANG_NEED_RELEASED);
	cr_expect(p->plan.step[8].after_pass);
	gang_profile_free(p);
}

Test(profile_steps, a_checksum_may_not_cover_itself)
{
	expect_error(BASE "checksum = { address = 0x08001000; over = [0x08000000, 0x08002000]; };\n",
		     "6: checksum.address: 0x08001000-0x08001003 lies inside the range it covers (over = "
		     "[0x08000000, 0x08002000)): the checksum cannot cover itself");
	expect_error(BASE "checksum = { address = 0x08003000; over = [0x08002000, 0x08001000]; };\n",
		     "6: checksum.over: [0x08002000, 0x08001000) must be a non-empty range of whole words "
		     "(start < end, both multiples of 4)");
	expect_error(BASE "checksum = { address = 0x08003000; over = [0x08000000]; };\n",
		     "6: checksum.over: expected [start, end]: two addresses, the end not included");
	expect_error(BASE "checksum = { address = 0x08003000; over = [0x08000000, 0x08001000]; kind = \"md5\"; };\n",
		     "6: checksum.kind: unknown value 'md5' (expected crc32, crc32-stm32)");
	expect_error(BASE "program = { skip_if_same = 1; };\n", "6: program.skip_if_same: expected true or false, "
		     "got an integer");
	expect_error(BASE "program = { timeout_s = 0; };\n", "6: program.timeout_s: 0 out of range 1-3600");
	expect_error(BASE "program = { timeout_s = 3601; };\n", "6: program.timeout_s: 3601 out of range 1-3600");
}

Test(profile_steps, program_timeout_s_is_the_program_steps_own_deadline_and_gang_check_shows_it)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	cr_assert_eq(load(&p, &d, BASE "program = { timeout_s = 20; };\n"), GANG_OK, "%s", d.msg);
	for (size_t i = 0; i < p->plan.n; i++)
		cr_expect_eq(p->plan.step[i].timeout_ms, p->plan.step[i].kind == GANG_KIND_PROGRAM ? 20000U : 0U,
			     "step %s", p->plan.step[i].name);
	cr_assert_not_null(fp = open_memstream(&buf, &len));
	cr_assert_eq(gang_profile_plan(fp, p, NULL, &st_geom, NULL), GANG_OK);
	fclose(fp);
	cr_expect_not_null(strstr(buf, "at most 20 s with the erase (program.timeout_s)"), "%s", buf);
	free(buf);
	gang_profile_free(p);
	cr_assert_eq(load(&p, &d, BASE), GANG_OK, "%s", d.msg);
	cr_expect_eq(p->program_timeout_ms, 0U, "no deadline of its own unless the profile says");
	gang_profile_free(p);
}

/* Loaded, then checked against the F103RC's flash (128 pages of 2 KiB). */
static void expect_invalid(const char *text, const char *tail)
{
	gang_profile *p = NULL;
	gang_diag d = { 0 };
	char want[GANG_DIAG_LEN];

	cr_assert_eq(load(&p, &d, text), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_profile_validate(p, &st_geom, NULL, &d), GANG_EPROFILE);
	snprintf(want, sizeof(want), "%s:%s", tmp_cfg, tail);
	cr_expect_str_eq(d.msg, want);
	gang_profile_free(p);
}

Test(profile_steps, a_checksum_outside_flash_or_on_the_serial_is_refused_naming_the_key)
{
	expect_invalid(BASE "checksum = { address = 0x08000000;\n over = [0x08000004, 0x08040004]; };\n",
		       "7: checksum.over: [0x08000004, 0x08040004) lies outside flash 0x08000000-0x0803FFFF");
	expect_invalid(BASE "checksum = { address = 0x20000000; over = [0x08000000, 0x08001000]; };\n",
		       "6: checksum.address: 0x20000000 lies outside flash 0x08000000-0x0803FFFF (the checksum is "
		       "written with the image)");
	expect_invalid(BASE "serial = { pool = \"p\"; address = 0x0803F800; format = \"u32le\"; start = 1; end = 9; };\n"
		       "checksum = { address = 0x0803F802; over = [0x08000000, 0x08001000]; };\n",
		       "7: checksum.address: 0x0803F802-0x0803F805 overlaps the serial bytes 0x0803F800-0x0803F803");
}
