/*
 * test_bench_tz.c — the L5/U5 TrustZone driver (flash/fpec_tz.c) against
 * the virtual bench's L552/U575/U585 boards (tools/sim/board_fpec_tz.c):
 * with TrustZone off, erase, program and CRC verify on every part checked
 * against the board's own state file, images spanning both banks, mass
 * erase; option bytes by RM names round-tripped through OPTSTRT and
 * OBL_LAUNCH; the irreversible changes (RDP 2, a U5 WRP area's UNLOCK = 0,
 * TZEN) refused without the confirmation and done with it; with TrustZone
 * on, secure pages programmed through the secure registers at RDP 0, and
 * at RDP 0.5 non-secure pages programmed while secure ones are refused
 * with the operator's sentence; an L552 in single-bank mode refused; from
 * the bench's command trace, that programming neither reads OPTR again nor
 * writes PG or NSSR after the erase (the speed work of issue 15). RDP
 * level 0.5 written by gang: 0 -> 0.5 with TrustZone on, shown apart from
 * level 1, refused without TZEN, and 0.5 -> 0 refused without the
 * regression's permission and with it done, the flash erased; the HDP
 * areas (HDPxEN, HDPx_PEND in SECWMxR2) written, kept through OBL_LAUNCH
 * and a reset, and refused outside their watermark.
 * References: RM0438 §6.3 (L5: pages, DBANK, double words), RM0456 §7.3
 * (U5: quad words, banks), §7.4 (option bytes, OBL_LAUNCH), §7.5
 * (watermark security), §7.6.2 (RDP 0.5), §7.9.18 (WRPxyR.UNLOCK).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flash/flash.h"
#include "flash/geom.h"
#include "flash/loader_abi.h"
#include "flash/loader_ring.h"
#include "flash/ob.h"
#include "bench_multi.h"
#include "stlink/stlink.h"
#include "target/target.h"

#define TZ_OPTR      0x40022040U
#define TZ_SECWM1R1  0x40022050U
#define TZ_SECWM2R1  0x40022060U

typedef struct tz_case {
	bench_board b;
	uint32_t bank2;
} tz_case;

static const tz_case tz_cases[] = {
	{ { "STM32L552ZE", "066DFF48545772518708E001", "V2" }, 0x08040000U },
	{ { "STM32U575ZI", "003F00213137510A3938E002", "V3" }, 0x08100000U },
	{ { "STM32U585AI", "066DFF48545772518708E003", "V2" }, 0x08100000U },
};

static bench_session F;
static bench_multi M;
static char trace_dir[64];   /* holds the bench's command trace, checked below */

static void fx_trace_path(char *out, size_t cap)
{
	snprintf(out, cap, "%s/trace", trace_dir);
}

/* One bench with a board of every part (bench_multi.h), tracing every ST-Link command the host sends. */
static void fx_init(void)
{
	char path[128];

	snprintf(trace_dir, sizeof(trace_dir), "/tmp/gang-tztrace-XXXXXX");
	cr_assert_not_null(mkdtemp(trace_dir));
	fx_trace_path(path, sizeof(path));
	setenv("GANGSIM_TRACE", path, 1);   /* read when USB opens, in bench_multi_open */
	bench_multi_open(&M, &F, &tz_cases[0].b, sizeof(tz_cases) / sizeof(tz_cases[0]), sizeof(tz_cases[0]), "tz");
}

static void fx_fini(void)
{
	char path[128];

	bench_multi_close(&M);
	unsetenv("GANGSIM_TRACE");
	fx_trace_path(path, sizeof(path));
	remove(path);
	rmdir(trace_dir);
}

TestSuite(flash_bench_tz, .init = fx_init, .fini = fx_fini, .timeout = 180);

/* TrustZone off: double words (L5) and quad words (U5) through the loader, a serial inside the last unit. */
Test(flash_bench_tz, every_part_erases_programs_and_verifies_with_trustzone_off)
{
	for (size_t i = 0; i < sizeof(tz_cases) / sizeof(tz_cases[0]); i++) {
		gang_image *img = bench_image(0x08000404U, 6001, (unsigned)i + 40U);

		bench_multi_up(&M, tz_cases[i].b.part);
		bench_image_add(img, 0x08001C76U, 2, 7U);   /* a serial-sized piece in the image's last program unit */
		bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
		gang_image_free(img);
		img = bench_image(0x08000000U, 20000, (unsigned)i + 50U);
		bench_multi_program_check(&M, img, GANG_ERASE_MASS);
		gang_image_free(img);
	}
}

/* The bench's command trace from byte offset at on (what the host sent since then), NUL-terminated. */
static char *fx_trace_since(long at)
{
	char path[128];
	FILE *fp;
	long end;
	char *buf;

	fx_trace_path(path, sizeof(path));
	fp = fopen(path, "r");
	cr_assert_not_null(fp, "no trace %s", path);
	cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
	end = ftell(fp);
	cr_assert_geq(end, at);
	buf = malloc((size_t)(end - at) + 1U);
	cr_assert_not_null(buf);
	cr_assert_eq(fseek(fp, at, SEEK_SET), 0);
	cr_assert_eq(fread(buf, 1, (size_t)(end - at), fp), (size_t)(end - at));
	buf[end - at] = '\0';
	fclose(fp);
	return buf;
}

static long fx_trace_size(void)
{
	char *all = fx_trace_since(0);
	long n = (long)strlen(all);

	free(all);
	return n;
}

/*
 * The commands a program spends between attach and the loader's first unit:
 * OPTR is known from attach (gang_target_info.opt_reg), the loader sets PG
 * itself, and EOP alone is not cleared after the erase, so none of those
 * three go over the link; the image still lands and verifies.
 */
Test(flash_bench_tz, programming_sends_no_optr_read_pg_write_or_eop_clear)
{
	for (size_t i = 0; i < sizeof(tz_cases) / sizeof(tz_cases[0]); i++) {
		gang_image *img = bench_image(0x08000000U, 8192, (unsigned)i + 90U);
		long at;
		char *tr, *strt;

		bench_multi_up(&M, tz_cases[i].b.part);
		at = fx_trace_size();
		bench_multi_program_check(&M, img, GANG_ERASE_MASS);
		tr = fx_trace_since(at);
		cr_assert_null(strstr(tr, "READDEBUGREG 0x40022040"), "%s: OPTR read again:\n%s", tz_cases[i].b.part, tr);
		cr_assert_null(strstr(tr, "WRITEDEBUGREG 0x40022028=0x00000001 "), "%s: the host wrote PG:\n%s",
			       tz_cases[i].b.part, tr);
		strt = strstr(tr, "WRITEDEBUGREG 0x40022028=0x00018004");
		cr_assert_not_null(strt, "%s: no mass erase seen:\n%s", tz_cases[i].b.part, tr);
		cr_assert_null(strstr(strt, "WRITEDEBUGREG 0x40022020="), "%s: NSSR written after the erase:\n%s",
			       tz_cases[i].b.part, strt);
		free(tr);
		gang_image_free(img);
	}
}

/*
 * The mass erase is the last before programming, so staging lets the
 * loader go inside it (DHCSR run after STRT) and the loader waits the
 * erase out: the host reads NSSR no more once STRT is written, and the
 * image still lands and verifies.
 */
Test(flash_bench_tz, the_loader_is_let_go_inside_the_mass_erase_and_waits_it_out)
{
	for (size_t i = 0; i < sizeof(tz_cases) / sizeof(tz_cases[0]); i++) {
		gang_image *img = bench_image(0x08000000U, 20000, (unsigned)i + 70U);
		long at;
		char *tr, *strt;

		bench_multi_up(&M, tz_cases[i].b.part);
		at = fx_trace_size();
		bench_multi_program_check(&M, img, GANG_ERASE_MASS);
		tr = fx_trace_since(at);
		strt = strstr(tr, "WRITEDEBUGREG 0x40022028=0x00018004");
		cr_assert_not_null(strt, "%s: no mass erase seen:\n%s", tz_cases[i].b.part, tr);
		/* after gang's reset nothing needs C_MASKINTS: the go is C_DEBUGEN alone */
		cr_assert_not_null(strstr(strt, "WRITEDEBUGREG 0xE000EDF0=0xA05F0001"), "%s: the loader never ran:\n%s",
				   tz_cases[i].b.part, strt);
		cr_assert_null(strstr(strt, "READDEBUGREG 0x40022020"), "%s: NSSR polled after STRT:\n%s",
			       tz_cases[i].b.part, strt);
		free(tr);
		gang_image_free(img);
	}
}

/* RM0456 §7.5.2: a WRP area makes the mass erase fail; the loader waiting it out programs nothing and says so. */
Test(flash_bench_tz, a_mass_erase_refused_by_a_wrp_area_is_reported_by_the_waiting_loader)
{
	const gang_family *f;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_image *img = bench_image(0x08000000U, 8192, 91U);
	gang_program_opts o = { GANG_ERASE_MASS, false, NULL, NULL };
	bool halted = false;
	size_t n = 0, n0 = 0;
	uint8_t *fl, *before;
	long at;
	char *tr;

	bench_multi_up(&M, "STM32U575ZI");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x0302, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	before = bench_multi_flash(&n0, &M);
	at = fx_trace_size();
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "mass erase"), "%s", bench_multi_msg(&M));
	tr = fx_trace_since(at);
	cr_assert_not_null(strstr(tr, "WRITEDEBUGREG 0xE000EDF0=0xA05F0001"), "the loader was not let go:\n%s", tr);
	free(tr);
	cr_assert_eq(gang_target_poll_halt(&halted, F.t), GANG_OK);
	cr_assert(halted, "the loader still runs after the failed erase");
	fl = bench_multi_flash(&n, &M);
	cr_assert_eq(n, n0);
	cr_assert_arr_eq(fl, before, n, "flash changed although the erase failed");
	free(fl);
	free(before);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x007F, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	bench_multi_program_check(&M, img, GANG_ERASE_MASS);
	gang_image_free(img);
}

/* A loader that never reports the erase's end (none runs here): the wait halts the core and says so. */
Test(flash_bench_tz, an_erase_wait_without_word_from_the_loader_fails_after_its_timeout)
{
	uint8_t zero[GANG_LDR_BYTES] = { 0 };
	gang_loader l = { .sr_off = 0x20U, .busy = 1U << 16, .unit = 16U };
	uint32_t sr = 0;
	bool halted = false;

	bench_multi_up(&M, "STM32U575ZI");
	cr_assert_eq(gang_stlink_write_mem(F.sl, 0x20000100U, zero, sizeof(zero)), GANG_OK);
	cr_assert_eq(gang_loader_erase_wait(&sr, F.t, &l, 0U, 30U, "mass erase"), GANG_EFLASH);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "mass erase: the flash loader waiting for it reported no end "
				  "within 30 ms"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_target_poll_halt(&halted, F.t), GANG_OK);
	cr_assert(halted);
}

/* What the host sent from trace offset at up to the first NSKEYR key, NUL-terminated (asserts there is one). */
static char *fx_trace_to_keys(long at)
{
	char *tr = fx_trace_since(at), *keys = strstr(tr, "WRITEDEBUGREG 0x40022008=0x45670123");

	cr_assert_not_null(keys, "no NSKEYR key sent:\n%s", tr);
	*keys = '\0';
	return tr;
}

/*
 * Right after gang's reset the controller is locked with no error flag
 * (RM0456 §7.9.4 reset values), so the keys go first: no NSSR clear, no
 * NSCR read before them. Attached again without a reset (hot plug) gang
 * cannot know, and looks first.
 */
Test(flash_bench_tz, an_unlock_right_after_the_reset_sends_the_keys_without_looking_first)
{
	gang_image *img = bench_image(0x08000000U, 4096, 91U);
	char *tr;
	long at;

	bench_multi_up(&M, "STM32U575ZI");
	at = fx_trace_size();
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	tr = fx_trace_to_keys(at);
	cr_expect_null(strstr(tr, "READDEBUGREG 0x40022028"), "NSCR read before the keys:\n%s", tr);
	cr_expect_null(strstr(tr, "WRITEDEBUGREG 0x40022020="), "NSSR cleared before the keys:\n%s", tr);
	free(tr);

	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_HOT_PLUG, "STM32U575ZI"), GANG_OK, "%s",
		     bench_multi_msg(&M));
	at = fx_trace_size();
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	tr = fx_trace_to_keys(at);
	cr_expect_not_null(strstr(tr, "READDEBUGREG 0x40022028"), "no look at NSCR after a hot plug:\n%s", tr);
	free(tr);
	gang_image_free(img);
}

/* Both banks: bank-2 pages numbered from 0 and erased with BKER; a mass erase empties both. */
Test(flash_bench_tz, images_spanning_both_banks_are_erased_programmed_and_verified)
{
	for (size_t i = 0; i < sizeof(tz_cases) / sizeof(tz_cases[0]); i++) {
		uint32_t b2 = tz_cases[i].bank2;
		gang_image *img = bench_image(b2 - 5000U, 12000, (unsigned)i + 70U);

		bench_multi_up(&M, tz_cases[i].b.part);
		bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
		gang_image_free(img);
		cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", bench_multi_msg(&M));
		cr_assert_eq(gang_flash_blank_check(F.t, b2 - 8192U, 16384U), GANG_OK, "%s: %s", tz_cases[i].b.part,
			     bench_multi_msg(&M));
	}
}

/* Named fields through OPTSTRT and OBL_LAUNCH (bench_multi.h). */
static void fx_ob_round_trip(const char *part, const char *name, int64_t value)
{
	bench_multi_ob_round_trip(&M, part, name, value, false);
}

Test(flash_bench_tz, option_bytes_round_trip_through_optstrt_and_obl_launch)
{
	fx_ob_round_trip("STM32L552ZE", "BOR_LEV", 2);
	fx_ob_round_trip("STM32U575ZI", "nRST_STOP", 0);
	fx_ob_round_trip("STM32U585AI", "IWDG_STOP", 0);
	fx_ob_round_trip("STM32U575ZI", "WRP2A", 0x0504);
	fx_ob_round_trip("STM32L552ZE", "SECWM2", 0x0302);
}

/* RM0456 §7.5.2: a WRP1A area refuses its pages (WRPERR) until cleared. */
Test(flash_bench_tz, a_wrp_area_refuses_its_pages_until_cleared)
{
	const gang_family *f;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_image *img = bench_image(0x08004000U, 4096, 90U);
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };

	bench_multi_up(&M, "STM32U575ZI");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x0302, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_program_image(F.t, img, &o), GANG_EWRITE_PROTECTED, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "WRPERR"), "%s", bench_multi_msg(&M));
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP1A", 0x007F, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	gang_image_free(img);
}

/* RM0456 §7.9.18: UNLOCK = 0 only with the sentence, and then the area is frozen for good. */
Test(flash_bench_tz, a_u5_wrp_unlock_needs_the_confirmation_and_then_never_changes)
{
	const gang_family *f;
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	gang_ob_write_opts ok = { false, GANG_OB_LEVEL2_CONFIRM };

	bench_multi_up(&M, "STM32U585AI");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP2B", 0x7F7E, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP2B_UNLOCK", 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ELOCKED_FOREVER, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "WRP2B_UNLOCK = 0 locks write-protection area WRP2B"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "WRP2B_UNLOCK")), 1, "nothing written");
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &ok), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "WRP2B_UNLOCK")), 0);
	cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "WRP2B")), 0x7F7E);
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "WRP2B", 0x007F, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &ok), GANG_ELOCKED_FOREVER, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "locked for good"), "%s", bench_multi_msg(&M));
}

/* RDP 2 without the sentence: refused, nothing written. */
Test(flash_bench_tz, rdp2_is_refused_without_the_sentence)
{
	gang_ob_want w;
	gang_ob ob;

	bench_multi_up(&M, "STM32L552ZE");
	gang_ob_want_init(&w);
	w.rdp_level = 2;
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ELOCKED_FOREVER, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_assert_eq(ob.rdp, 0xAA);
}

/* TZEN = 1 (confirmed) with a secure watermark over bank 1's first 4 pages; then the RM0438 §6.6.2 levels. */
static void fx_trustzone_on(const char *part)
{
	const gang_family *f;
	gang_ob_want w;
	gang_diag d = { 0 };
	gang_ob_write_opts ok = { false, GANG_OB_LEVEL2_CONFIRM };
	uint32_t optr = 0;

	bench_multi_up(&M, part);
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "TZEN", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ELOCKED_FOREVER, "TZEN needs the sentence");
	cr_assert_not_null(strstr(bench_multi_msg(&M), "TZEN = 1 can be undone only by an RDP regression"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_want_set(&w, f, "SECWM1", 0x0300, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "SECWM2", 0x007F, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, &ok), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, TZ_OPTR), GANG_OK);
	cr_assert(optr & (1U << 31), "TZEN in force after OBL_LAUNCH (OPTR 0x%08X)", (unsigned)optr);
}

/* RDP 0 with TrustZone on: secure pages through SECCR and the 0x0C000000 alias, the rest non-secure. */
Test(flash_bench_tz, trustzone_on_at_rdp0_programs_secure_and_non_secure_pages)
{
	gang_image *img = bench_image(0x08000000U, 24576, 101U);   /* L5 2 KiB pages: secure 0-3, then not */

	fx_trustzone_on("STM32L552ZE");
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	gang_image_free(img);
	/* not page-aligned: verify's read-back crosses from the secure page 3 to the non-secure page 4 */
	img = bench_image(0x08000404U, 20000, 104U);
	bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
	gang_image_free(img);
	/* with TrustZone on, a watermark takes only secure writes (the secure register alias) */
	{
		const gang_family *f = gang_target_part(F.t)->family;
		gang_ob_want w;
		gang_ob ob;
		gang_diag d = { 0 };

		gang_ob_want_init(&w);
		cr_assert_eq(gang_ob_want_set(&w, f, "SECWM1", 0x0100, &d), GANG_OK, "%s", d.msg);
		cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
		cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
		cr_assert_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "SECWM1")), 0x0100);
		img = bench_image(0x08000000U, 0x6800U, 105U);   /* pages 0-1 secure now, 2-12 not */
		bench_multi_program_check(&M, img, GANG_ERASE_PAGES);
		gang_image_free(img);
	}
}

/*
 * RDP 0.5 (0x55 with TZEN = 1, set by hand: OPTKEYR, OPTR, OPTSTRT,
 * OBL_LAUNCH): gang programs non-secure pages and refuses secure ones with
 * the operator's sentence, naming the first secure address.
 */
Test(flash_bench_tz, trustzone_on_at_rdp05_programs_non_secure_pages_and_refuses_secure_ones)
{
	gang_program_opts o = { GANG_ERASE_PAGES, false, NULL, NULL };
	gang_stlink *sl;
	gang_image *ns, *sec;
	uint32_t optr = 0, sr = 0;

	fx_trustzone_on("STM32U575ZI");
	sl = F.sl;
	cr_assert_eq(gang_stlink_read32(&optr, sl, TZ_OPTR), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0x45670123U), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0xCDEF89ABU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022010U, 0x08192A3BU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022010U, 0x4C5D6E7FU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, TZ_OPTR, (optr & ~0xFFU) | 0x55U), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022028U, 1U << 17), GANG_OK);   /* OPTSTRT */
	for (int i = 0; i < 200 && gang_stlink_read32(&sr, sl, 0x40022020U) == GANG_OK && (sr & (1U << 16)); i++)
		usleep(1000);
	cr_assert_eq(sr & 0x20FAU, 0U, "OPTSTRT took 0x55 (NSSR 0x%08X)", (unsigned)sr);
	gang_stlink_write32(sl, 0x40022028U, 1U << 27);   /* OBL_LAUNCH: the chip resets */
	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_UNDER_RESET, "STM32U575ZI"), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, TZ_OPTR), GANG_OK);
	cr_assert_eq(optr & 0xFFU, 0x55U, "level 0.5 in force (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_target_info_get(F.t)->rdp_level, 0, "level 0.5 lets the debugger at non-secure flash");
	/* bank 1 pages 0-3 are secure (SECWM1 0..3); SECWM2 0x007F is off (start above end): bank 2 non-secure */
	ns = bench_image(0x08008000U, 20000, 102U);
	bench_multi_program_check(&M, ns, GANG_ERASE_PAGES);
	sec = bench_image(0x08006000U, 9000, 103U);
	cr_assert_eq(gang_flash_program_image(F.t, sec, &o), GANG_ETZ_SECURE, "%s", bench_multi_msg(&M));
	cr_assert_not_null(strstr(bench_multi_msg(&M), "page erase at 0x08006000: the page is secure (inside a SECWMx "
				  "watermark area) and the STM32U575ZI is at RDP level 0.5"), "%s", bench_multi_msg(&M));
	cr_assert_str_eq(gang_strerror(GANG_ETZ_SECURE), "TrustZone keeps this flash secure and no debugger may "
			 "touch it at RDP level 0.5 — set the board aside and ask the engineer");
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_ETZ_SECURE, "%s", bench_multi_msg(&M));
	gang_image_free(ns);
	gang_image_free(sec);
}

/*
 * The L552 row is the factory DBANK = 1 layout: a board switched to one
 * bank of 4 KiB pages behind gang's back is refused with a sentence, and
 * gang will not pick that layout itself.
 */
Test(flash_bench_tz, an_l552_in_single_bank_mode_is_refused_with_a_sentence)
{
	const gang_family *f;
	gang_stlink *sl;
	gang_ob_want w;
	gang_diag d = { 0 };
	uint32_t optr = 0, sr = 0;

	bench_multi_up(&M, "STM32L552ZE");
	sl = F.sl;
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "DBANK", 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ENOTSUP, "gang must not pick another layout");
	cr_assert_eq(gang_stlink_read32(&optr, sl, TZ_OPTR), GANG_OK);
	cr_assert(optr & (1U << 22), "factory DBANK = 1 (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0x45670123U), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022008U, 0xCDEF89ABU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022010U, 0x08192A3BU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022010U, 0x4C5D6E7FU), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, TZ_OPTR, optr & ~(1U << 22)), GANG_OK);
	cr_assert_eq(gang_stlink_write32(sl, 0x40022028U, 1U << 17), GANG_OK);
	for (int i = 0; i < 200 && gang_stlink_read32(&sr, sl, 0x40022020U) == GANG_OK && (sr & (1U << 16)); i++)
		usleep(1000);
	gang_stlink_write32(sl, 0x40022028U, 1U << 27);
	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_UNDER_RESET, "STM32L552ZE"), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_ENOTSUP);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "the STM32L552ZE's flash is in single-bank mode (FLASH_OPTR.DBANK = 0, "
				  "4 KiB pages), a layout gang does not program: set option byte DBANK = 1"),
			   "%s", bench_multi_msg(&M));
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "DBANK", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_erase_mass(F.t), GANG_OK, "%s", bench_multi_msg(&M));
}

/*
 * OTP at 0x0BFA0000 (RM0456 §7.3.1: 512 bytes, programmed like flash in
 * quad words, never erased): a serial-sized piece inside a quad word goes
 * in only with the OTP sentence, reads back, and a second, different
 * value for the same bytes is refused naming the address.
 */
Test(flash_bench_tz, u5_otp_is_written_once_in_quad_words_and_only_with_its_sentence)
{
	static const uint8_t serial[6] = { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC };
	static const uint8_t other[6] = { 0x21, 0x43, 0x65, 0x87, 0xA9, 0xCB };
	uint8_t back[16];
	gang_image *img = NULL, *again = NULL;

	bench_multi_up(&M, "STM32U575ZI");
	cr_assert_eq(gang_image_from_buffer(&img, 0x0BFA0024U, serial, sizeof(serial)), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, img, NULL), GANG_ELOCKED_FOREVER, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read_mem(back, F.sl, 0x0BFA0020U, sizeof(back)), GANG_OK);
	cr_assert_arr_eq(back + 4, serial, sizeof(serial));
	cr_assert(back[0] == 0xFF && back[3] == 0xFF && back[10] == 0xFF && back[15] == 0xFF,
		  "the rest of the quad word stays erased");
	cr_assert_eq(gang_flash_otp_program(F.t, img, GANG_OTP_CONFIRM), GANG_OK, "the same bytes again: nothing to do");
	cr_assert_eq(gang_image_from_buffer(&again, 0x0BFA0024U, other, sizeof(other)), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, again, GANG_OTP_CONFIRM), GANG_EFLASH);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "OTP byte at 0x0BFA0024 already holds 0x12"), "%s", bench_multi_msg(&M));
	gang_image_free(again);
	/* erased bytes of a quad word already written: the unit takes one write, ever */
	cr_assert_eq(gang_image_from_buffer(&again, 0x0BFA0020U, other, 4), GANG_OK);
	cr_assert_eq(gang_flash_otp_program(F.t, again, GANG_OTP_CONFIRM), GANG_EFLASH);
	cr_assert_not_null(strstr(bench_multi_msg(&M), "OTP unit at 0x0BFA0020 is written already"), "%s", bench_multi_msg(&M));
	gang_image_free(img);
	gang_image_free(again);
}

/* Flash word at addr as the board holds it (the bench's own file, not a read through gang). */
static uint32_t fx_flash_word(uint32_t addr)
{
	size_t len = 0;
	uint8_t *fl = bench_multi_flash(&len, &M);
	uint32_t off = addr - 0x08000000U, v;

	cr_assert_lt(off + 4U, len);
	v = (uint32_t)fl[off] | (uint32_t)fl[off + 1U] << 8 | (uint32_t)fl[off + 2U] << 16 | (uint32_t)fl[off + 3U] << 24;
	free(fl);
	return v;
}

/* RDP = value by the family's field, with opts o; returns gang_ob_write's code. */
static int fx_rdp(int level, const gang_ob_write_opts *o)
{
	gang_ob_want w;
	gang_diag d = { 0 };

	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, gang_target_part(F.t)->family, "RDP", level, &d), GANG_OK, "%s", d.msg);
	return gang_ob_write(NULL, F.t, &w, o);
}

/* RM0456 §7.6.2: TZEN = 1, then level 0.5 by gang; 0.5 -> 0 only as a permitted regression, which erases. */
Test(flash_bench_tz, rdp05_is_set_with_trustzone_and_left_for_0_only_by_a_permitted_regression)
{
	gang_image *ns = bench_image(0x08008000U, 9000, 111U);   /* U575 8 KiB pages: page 4 on, non-secure */
	gang_ob_write_opts regress = { true, NULL };
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	uint32_t optr = 0, word;

	fx_trustzone_on("STM32U575ZI");
	bench_multi_program_check(&M, ns, GANG_ERASE_PAGES);
	word = fx_flash_word(0x08008000U);
	cr_assert_neq(word, 0xFFFFFFFFU);
	cr_assert_eq(fx_rdp(GANG_OB_RDP_LEVEL05, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, TZ_OPTR), GANG_OK);
	cr_expect_eq(optr & 0xFFU, 0x55U, "OPTR 0x%08X", (unsigned)optr);
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", bench_multi_msg(&M));
	cr_expect_eq(ob.rdp_level, GANG_OB_RDP_LEVEL05);
	cr_expect(gang_target_info_get(F.t)->rdp_level05, "the attach info tells 0.5 apart");
	cr_expect_eq(gang_target_info_get(F.t)->rdp_level, 0, "the debugger still reaches non-secure flash");
	/* a secure option register cannot change now: refused before anything is written */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, gang_target_part(F.t)->family, "SECWM1", 0x0200, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EUSAGE, "%s", bench_multi_msg(&M));
	cr_expect_not_null(strstr(bench_multi_msg(&M), "SECWM1 cannot change at RDP level 0.5"), "%s", bench_multi_msg(&M));
	/* 0.5 -> 0 without permission: refused, the chip stays at 0.5 with its data */
	cr_assert_eq(fx_rdp(0, NULL), GANG_EREAD_PROTECTED, "%s", bench_multi_msg(&M));
	cr_expect_not_null(strstr(bench_multi_msg(&M), "lowering RDP from level 0.5 to 0 mass-erases the chip"), "%s",
			   bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_expect_eq(ob.rdp_level, GANG_OB_RDP_LEVEL05);
	cr_expect_eq(fx_flash_word(0x08008000U), word, "nothing erased");
	/* with it: level 0, TrustZone still on, the flash erased */
	cr_assert_eq(fx_rdp(0, &regress), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_expect_eq(ob.rdp_level, 0);
	cr_expect_eq(ob.rdp, 0xAA);
	cr_expect(ob.user & (1U << 31), "TZEN stays");
	cr_expect(!gang_target_info_get(F.t)->rdp_level05);
	cr_expect_eq(fx_flash_word(0x08008000U), 0xFFFFFFFFU, "the regression erased the flash");
	gang_image_free(ns);
}

/*
 * A blank chip to level 0.5 in one call: TZEN = 1 and the watermark in a
 * first write, reloaded, then RDP 0.5 (RM0456 §7.6.2: 0x55 is level 0.5
 * once TZEN = 1 is in force); without the TZEN sentence nothing is written.
 */
Test(flash_bench_tz, a_blank_chip_reaches_rdp05_with_trustzone_in_one_call_of_two_writes)
{
	gang_ob_write_opts ok = { false, GANG_OB_LEVEL2_CONFIRM };
	const gang_family *f;
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	uint32_t optr = 0;
	bool changed = false;

	bench_multi_up(&M, "STM32U575ZI");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "TZEN", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "SECWM1", 0x0300, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_check(&w, f, &d), GANG_OK, "one profile may ask for both: %s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_ELOCKED_FOREVER, "TZEN needs the sentence");
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, TZ_OPTR), GANG_OK);
	cr_expect_eq(optr & 0x800000FFU, 0xAAU, "nothing written (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, &ok), GANG_OK, "%s", bench_multi_msg(&M));
	cr_expect(changed);
	cr_assert_eq(gang_stlink_read32(&optr, F.sl, TZ_OPTR), GANG_OK);
	cr_expect_eq(optr & 0x800000FFU, 0x80000055U, "TZEN and 0x55 in force (OPTR 0x%08X)", (unsigned)optr);
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", bench_multi_msg(&M));
	cr_expect_eq(ob.rdp_level, GANG_OB_RDP_LEVEL05);
	cr_expect(gang_target_info_get(F.t)->rdp_level05);
	cr_assert_eq(gang_ob_write(&changed, F.t, &w, &ok), GANG_OK, "%s", bench_multi_msg(&M));
	cr_expect_not(changed, "the same want again writes nothing");
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "TZEN", 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "RDP", GANG_OB_RDP_LEVEL05, &d), GANG_OK, "%s", d.msg);
	cr_expect_eq(gang_ob_want_check(&w, f, &d), GANG_EUSAGE);
	cr_expect_str_eq(d.msg, "level 0.5 exists only with TrustZone on, and user.TZEN = false here");
}

/* 0.5 -> 1 is a plain write; 0.5 without TrustZone is refused with its sentence, nothing written. */
Test(flash_bench_tz, rdp05_needs_trustzone_and_goes_on_to_level1)
{
	gang_ob ob;

	bench_multi_up(&M, "STM32L552ZE");
	cr_assert_eq(fx_rdp(GANG_OB_RDP_LEVEL05, NULL), GANG_EUSAGE, "%s", bench_multi_msg(&M));
	cr_expect_not_null(strstr(bench_multi_msg(&M), "RDP level 0.5 exists only with TrustZone on (TZEN = 1), and "
				  "this chip has TZEN = 0"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_expect_eq(ob.rdp, 0xAA, "nothing written");
	fx_trustzone_on("STM32L552ZE");
	cr_assert_eq(fx_rdp(GANG_OB_RDP_LEVEL05, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(fx_rdp(1, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK);
	cr_expect_eq(ob.rdp_level, 1);
	cr_expect_eq(gang_target_info_get(F.t)->rdp_level, 1);
	cr_expect(!gang_target_info_get(F.t)->rdp_level05);
}

/* HDP1 inside SECWM1 (pages 0..3): written through the secure alias, in force after OBL_LAUNCH and a reset. */
Test(flash_bench_tz, hdp_areas_round_trip_persist_and_stay_inside_their_watermark)
{
	const gang_family *f;
	gang_ob_want w;
	gang_ob ob;
	gang_diag d = { 0 };
	uint32_t r2 = 0;

	fx_trustzone_on("STM32L552ZE");
	f = gang_target_part(F.t)->family;
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP1EN", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP1_PEND", 2, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&r2, F.sl, TZ_SECWM1R1 + 4U), GANG_OK);
	cr_expect_eq(r2, 0x80020000U, "SECWM1R2 = HDP1EN | HDP1_PEND 2 (0x%08X)", (unsigned)r2);
	gang_target_detach(F.t, GANG_DETACH_HALT);
	F.t = NULL;
	cr_assert_eq(bench_session_attach(&F, GANG_CONNECT_UNDER_RESET, "STM32L552ZE"), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_read(&ob, F.t), GANG_OK, "%s", bench_multi_msg(&M));
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "HDP1EN")), 1, "kept through the reset");
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "HDP1_PEND")), 2);
	cr_expect_eq(gang_ob_field_get(&ob, gang_ob_field_find(f, "HDP2EN")), 0);
	/* past SECWM1's last page: refused before anything is written */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP1_PEND", 4, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EUSAGE, "%s", bench_multi_msg(&M));
	cr_expect_not_null(strstr(bench_multi_msg(&M), "HDP1_PEND = 0x04: the hide-protection area runs from SECWM1's "
				  "first page to HDP1_PEND and must lie inside secure watermark area SECWM1 (pages "
				  "0x00..0x03)"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&r2, F.sl, TZ_SECWM1R1 + 4U), GANG_OK);
	cr_expect_eq(r2, 0x80020000U, "nothing written");
	/* HDP2 inside SECWM2, made all of bank 2 in the same write (0x007F is off: start 0x7F > end 0) */
	gang_ob_want_init(&w);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP2EN", 1, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_EUSAGE, "%s", bench_multi_msg(&M));
	cr_expect_not_null(strstr(bench_multi_msg(&M), "SECWM2, which is off"), "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_ob_want_set(&w, f, "SECWM2", 0x7F00, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP2_PEND", 0x7F, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_want_set(&w, f, "HDP1EN", 0, &d), GANG_OK, "%s", d.msg);
	cr_assert_eq(gang_ob_write(NULL, F.t, &w, NULL), GANG_OK, "%s", bench_multi_msg(&M));
	cr_assert_eq(gang_stlink_read32(&r2, F.sl, TZ_SECWM2R1 + 4U), GANG_OK);
	cr_expect_eq(r2, 0x807F0000U, "SECWM2R2 (0x%08X)", (unsigned)r2);
	cr_assert_eq(gang_stlink_read32(&r2, F.sl, TZ_SECWM1R1 + 4U), GANG_OK);
	cr_expect_eq(r2, 0x00020000U, "HDP1EN cleared, HDP1_PEND kept (0x%08X)", (unsigned)r2);
}
