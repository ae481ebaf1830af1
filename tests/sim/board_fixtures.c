/*
 * board_fixtures.c — see board_fixtures.h. The Thumb bytes were assembled
 * with arm-none-eabi-as (Cortex-M3); the listing is kept next to each one.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_fixtures.h"

char fx_dir[64];

void fx_setup(void)
{
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/gang-board-XXXXXX");
	cr_assert_not_null(mkdtemp(fx_dir), "mkdtemp");
}

static int fx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void fx_teardown(void)
{
	nftw(fx_dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
}

sim_board_cfg fx_cfg(void)
{
	sim_board_cfg c;

	memset(&c, 0, sizeof(c));
	c.part = sim_part_find("STM32F103RC");
	for (unsigned i = 0; i < 12; i++)
		c.uid[i] = (uint8_t)(0x30 + i);
	c.state_dir = fx_dir;
	c.wrp = 0xFFFFFFFFU;
	c.nrst_wired = true;
	c.timing.t_prog_ns = 52500;
	c.timing.t_page_erase_ns = 30000000;
	c.timing.t_mass_erase_ns = 30000000;
	c.timing.t_ob_erase_ns = 30000000;
	c.timing.core_hz = 8000000;
	c.power_loss_at_ns = -1;
	c.rng_seed = 1;
	return c;
}

sim_board *fx_board(const sim_board_cfg *cfg, int64_t t_insert)
{
	sim_board *b = NULL;
	char err[256] = "";

	cr_assert_eq(sim_board_new(&b, cfg, t_insert, err, sizeof(err)), 0, "%s", err);
	return b;
}

const char *fx_write_file(const char *name, const uint8_t *data, size_t len)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", fx_dir, name);
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

void fx_w(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	cr_assert_eq(sim_board_write(b, addr, size, val), SIM_SWD_OK,
		     "write 0x%08x <- 0x%x", addr, val);
}

uint32_t fx_r(sim_board *b, uint32_t addr, unsigned size)
{
	uint32_t v = 0;

	cr_assert_eq(sim_board_read(b, addr, size, &v), SIM_SWD_OK, "read 0x%08x", addr);
	return v;
}

void fx_unlock(sim_board *b)
{
	fx_w(b, FX_FPEC_KEYR, 4, FX_KEY1);
	fx_w(b, FX_FPEC_KEYR, 4, FX_KEY2);
	cr_assert_eq(fx_r(b, FX_FPEC_CR, 4) & FX_CR_LOCK, 0);
}

void fx_halt(sim_board *b)
{
	fx_w(b, FX_DHCSR, 4, 0xA05F0003U);
	cr_assert(fx_r(b, FX_DHCSR, 4) & (1U << 17), "core halted");
}

void fx_set_reg(sim_board *b, unsigned reg, uint32_t val)
{
	fx_w(b, FX_DCRDR, 4, val);
	fx_w(b, FX_DCRSR, 4, (1U << 16) | reg);
}

uint32_t fx_get_reg(sim_board *b, unsigned reg)
{
	fx_w(b, FX_DCRSR, 4, reg);
	return fx_r(b, FX_DCRDR, 4);
}

void fx_system_reset(sim_board *b)
{
	fx_w(b, FX_AIRCR, 4, 0x05FA0004U);
}

const uint8_t fx_loader[44] = {
	0x09, 0x4c,             /* 00 ldr  r4, =0x40022000 */
	0x01, 0x25,             /* 02 movs r5, #1 */
	0x25, 0x61,             /* 04 str  r5, [r4, #16]   CR = PG */
	0x05, 0x88,             /* 06 loop: ldrh r5, [r0] */
	0x0d, 0x80,             /* 08 strh r5, [r1] */
	0x02, 0x30,             /* 0a adds r0, #2 */
	0x02, 0x31,             /* 0c adds r1, #2 */
	0xe5, 0x68,             /* 0e wait: ldr r5, [r4, #12]  SR */
	0x01, 0x26,             /* 10 movs r6, #1 */
	0x35, 0x42,             /* 12 tst  r5, r6 */
	0xfb, 0xd1,             /* 14 bne  wait */
	0x14, 0x26,             /* 16 movs r6, #0x14 */
	0x35, 0x42,             /* 18 tst  r5, r6 */
	0x01, 0xd1,             /* 1a bne  done */
	0x02, 0x3a,             /* 1c subs r2, #2 */
	0xf2, 0xdc,             /* 1e bgt  loop */
	0x00, 0x25,             /* 20 done: movs r5, #0 */
	0x25, 0x61,             /* 22 str  r5, [r4, #16] */
	0x00, 0xbe,             /* 24 bkpt #0 */
	0x00, 0xbf,             /* 26 nop */
	0x00, 0x20, 0x02, 0x40, /* 28 .word 0x40022000 */
};

const uint8_t fx_fw_loop[10] = {
	0x00, 0x10, 0x00, 0x20, /* SP 0x20001000 */
	0x09, 0x00, 0x00, 0x08, /* PC 0x08000009 */
	0xfe, 0xe7,             /* 08 b . */
};

const uint8_t fx_fw_afio[36] = {
	0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x08,
	0x04, 0x48,             /* 08 ldr  r0, =0x40021018  RCC_APB2ENR */
	0x01, 0x68,             /* 0a ldr  r1, [r0] */
	0x01, 0x22,             /* 0c movs r2, #1 */
	0x11, 0x43,             /* 0e orrs r1, r2           AFIOEN */
	0x01, 0x60,             /* 10 str  r1, [r0] */
	0x03, 0x48,             /* 12 ldr  r0, =0x40010004  AFIO_MAPR */
	0x4f, 0xf0, 0x80, 0x61, /* 14 mov.w r1, #0x04000000 SWJ_CFG = 100 */
	0x01, 0x60,             /* 18 str  r1, [r0] */
	0xfe, 0xe7,             /* 1a b . */
	0x18, 0x10, 0x02, 0x40, 0x04, 0x00, 0x01, 0x40,
};
