/*
 * fpec_f4.c — the F2/F4/F7 flash driver (the sector controller at
 * 0x40023C00): unlock and lock, sector and mass erase through the debug
 * port, option bytes through FLASH_OPTCR/OPTCR1, and programming with the
 * streaming loaders (tools/loader/loader.S: words at x32, half-words at x16).
 *
 * Facts: RM0090 §3.6 (unlock KEY1/KEY2, a wrong key locks the controller
 * until reset; sector erase SER + SNB + STRT, mass erase MER (+MER1 for
 * bank 2 on F42x/F43x), PSIZE per supply: x32 needs 2.7-3.6 V; bank-2
 * sectors are SNB 0x10 | n), §3.7 (OPTKEYR, OPTSTRT, option bytes in
 * force after a reset; RDP 1 -> 0 erases the flash), RM0033 §2.4 (F2),
 * RM0385/RM0410 §3 (F7: the same sequences); DS8626 "Flash memory
 * programming" (x32: 16/64/128 KiB sector erase 250/550/1000 ms typical,
 * 500/1100/2000 ms maximum, mass erase 8 s typical and 16 s maximum per
 * MiB). F7's 32 and 256 KiB sectors are assumed to take twice the 16 and
 * 128 KiB figures (unverified: DS10916/DS11532 were not at hand).
 */
#include "flash/fpec_f4.h"
#include "core/bytes.h"

#include <inttypes.h>
#include <stdio.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define F4_X32_MIN_MV        2700U     /* PSIZE x32 needs 2.7 V (RM0090 §3.6.2 Table 7) */
#define F4_X16_MIN_MV        2100U     /* PSIZE x16 needs 2.1 V */
#define F4_POLL_US           2000U
#define F4_MASS_MS_PER_MIB   8000U     /* typical; the maximum is twice that */
#define F4_OB_TIMEOUT_MS     40000U    /* OPTSTRT with an RDP regression erases every sector */
#define F4_OB_EXPECT_US      20000U

static uint32_t f4_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

static int f4_rd(uint32_t *v, gang_target *t, uint32_t off)
{
	return gang_stlink_read32(v, gang_target_stlink(t), f4_reg(t, off));
}

static int f4_wr(gang_target *t, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), f4_reg(t, off), v);
}

bool gang_fpec_f4_dual_bank(const gang_part *p)
{
	return p->geom.n_regions > 0 && p->geom.regions[p->geom.n_regions - 1].bank > 0;
}

bool gang_fpec_f4_has_optcr1(const gang_part *p)
{
	return (p->family->flash.flags & GANG_CTRL_F7_OPTCR) || gang_fpec_f4_dual_bank(p);
}

/* The controller's registers for the shared unlock and BSY wait (RM0090 §3.5.1). */
static const gang_flash_ctrl_regs f4_regs = {
	F4_FLASH_KEYR, F4_FLASH_SR, F4_FLASH_CR, F4_SR_BSY, F4_SR_ERRORS | F4_SR_EOP, F4_CR_LOCK, F4_POLL_US,
};

static int f4_wait(uint32_t *sr_out, gang_target *t, unsigned expect_us, unsigned timeout_ms,
		   const char *what)
{
	return gang_flash_ctrl_wait(sr_out, t, &f4_regs, expect_us, timeout_ms, what);
}

/* SR error bits after an operation, in words an engineer can act on (RM0090 §3.9.4). */
static const gang_flash_sr_errs f4_errs = {
	F4_SR_WRPERR, "sector", "WRPERR",
	{ { F4_SR_PGAERR, "misaligned (PGAERR)" },
	  { F4_SR_PGPERR, "parallelism does not match the access or the supply (PGPERR)" },
	  { F4_SR_PGSERR, "sequence error (PGSERR/ERSERR)" },
	  { F4_SR_OPERR, "operation error (OPERR)" } },
};

static int f4_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	return gang_flash_ctrl_check(t, sr, what, addr, &f4_errs);
}

/*
 * The parallelism the supply allows (RM0090 §3.6.2 Table 7): x32 from
 * 2.7 V, x16 from 2.1 V; an unmeasured supply counts as 3.3 V.
 */
static uint32_t f4_psize(gang_target *t)
{
	unsigned mv = gang_target_info_get(t)->target_mv;

	return (mv == 0 || mv >= F4_X32_MIN_MV) ? F4_CR_PSIZE_X32 : F4_CR_PSIZE_X16;
}

/* Below 2.1 V only byte programming is allowed, which gang does not build; say so before the controller refuses. */
static int f4_supply_check(gang_target *t)
{
	unsigned mv = gang_target_info_get(t)->target_mv;

	if (mv == 0 || mv >= F4_X16_MIN_MV)
		return GANG_OK;
	return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "the %s erases and programs half-words only "
			     "at 2.1 V or more, and the board's supply reads %u.%02u V (x8 programming for "
			     "supplies of 1.8-2.1 V is not built)", gang_target_part(t)->name, mv / 1000U,
			     mv % 1000U / 10U);
}

static int f4_unlock(gang_target *t)
{
	return gang_flash_ctrl_unlock(t, &f4_regs);
}

static int f4_lock(gang_target *t)
{
	return f4_wr(t, F4_FLASH_CR, F4_CR_LOCK);
}

/* Typical x32 erase time of one sector of size bytes (DS8626; F7's 32/256 KiB unverified). */
static unsigned f4_sector_ms(uint32_t size)
{
	if (size <= 16384U)
		return 250U;
	if (size <= 32768U)
		return 500U;
	if (size <= 65536U)
		return 550U;
	return size / 131072U * 1000U;
}

/* One erase: CR = mode | PSIZE, then | STRT, the overlapped work (once), wait, check, clear. */
static int f4_erase_op(gang_target *t, uint32_t mode, uint32_t addr, unsigned typ_ms, const char *what,
		       gang_flash_overlap *ov)
{
	uint32_t sr = 0, cr = mode | f4_psize(t);
	uint64_t expect = (uint64_t)typ_ms * 900U, spent = 0;
	int err, oerr;

	if ((err = f4_supply_check(t)) < 0 || (err = f4_wr(t, F4_FLASH_CR, cr)) < 0 ||
	    (err = f4_wr(t, F4_FLASH_CR, cr | F4_CR_STRT)) < 0)
		return err;
	oerr = gang_flash_overlap_run(&spent, ov, expect);
	if ((err = f4_wait(&sr, t, spent < expect ? (unsigned)(expect - spent) : 0U, typ_ms * 4U + 1000U,
			   what)) < 0)
		return err;
	err = oerr < 0 ? oerr : f4_check(t, sr, what, addr);
	f4_wr(t, F4_FLASH_SR, F4_SR_ERRORS | F4_SR_EOP);
	return err;
}

static int f4_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	const gang_part *p = gang_target_part(t);
	uint32_t mode = F4_CR_MER | (gang_fpec_f4_dual_bank(p) ? F4_CR_MER1 : 0U);
	unsigned ms = (unsigned)(F4_MASS_MS_PER_MIB * (uint64_t)p->flash_kib / 1024U);

	return f4_erase_op(t, mode, GANG_FLASH_BASE, ms, "mass erase", ov);
}

/* SER with the sector's number in SNB (bank 2: 0x10 | n). */
static int f4_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	gang_flash_unit u;
	uint64_t done = 0;
	int err = GANG_OK;

	for (unsigned i = first; i < first + count && err == GANG_OK; i++) {
		uint32_t snb;

		if (!gang_geom_unit(&u, g, i))
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: sector %u does not exist", i);
		snb = u.bank ? F4_SNB_BANK2 | (u.no - F4_BANK_SECTORS) : u.no;
		err = f4_erase_op(t, F4_CR_SER | snb << F4_CR_SNB_SHIFT, u.addr, f4_sector_ms(u.size),
				  "sector erase", ov);
		done += u.size;
		gang_flash_progress_report(p, done);
	}
	return err;
}

/*
 * The loader for the board's supply (RM0090 §3.6.2 Table 7): words at x32
 * from 2.7 V, half-words at x16 from 2.1 V; FLASH_CR = PG | PSIZE set by
 * the host (§3.6.4), BSY and the error bits in FLASH_SR.
 */
static const gang_loader f4_loader_x32 = {
	loader_u32_prog, sizeof(loader_u32_prog), F4_FLASH_CR, F4_CR_PG | F4_CR_PSIZE_X32, F4_FLASH_SR, F4_SR_BSY,
	F4_SR_ERRORS, 4U, 0U, f4_check,
};
static const gang_loader f4_loader_x16 = {
	loader_u16_prog, sizeof(loader_u16_prog), F4_FLASH_CR, F4_CR_PG | F4_CR_PSIZE_X16, F4_FLASH_SR, F4_SR_BSY,
	F4_SR_ERRORS, 2U, 0U, f4_check,
};

static const gang_loader *f4_loader(gang_target *t)
{
	return f4_psize(t) == F4_CR_PSIZE_X32 ? &f4_loader_x32 : &f4_loader_x16;
}

static int f4_program_stage(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			    uint64_t budget_us, uint64_t *used_us)
{
	int err = f4_supply_check(t);

	return err < 0 ? err : gang_loader_stage(st, used_us, t, f4_loader(t), runs, n, budget_us);
}

static int f4_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	int err = f4_supply_check(t);

	if (err < 0)
		return err;
	err = gang_loader_program(t, f4_loader(t), runs, n, p, st);
	f4_wr(t, F4_FLASH_CR, 0);   /* PG off; the caller locks */
	return err;
}

static int f4_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	return gang_loader_crc(crc_out, t, addr, len);
}

/* OPTCR and OPTCR1 as the block; a part without OPTCR1 reads as "nothing protected in bank 2". */
static int f4_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	uint32_t optcr = 0, optcr1 = F4_NWRP_BITS << F4_OPTCR_NWRP_SHIFT;
	int err = f4_rd(&optcr, t, F4_FLASH_OPTCR);

	if (err == GANG_OK && gang_fpec_f4_has_optcr1(gang_target_part(t)))
		err = f4_rd(&optcr1, t, F4_FLASH_OPTCR1);
	for (unsigned i = 0; i < GANG_OB_RAW_LEN; i++)
		raw[i] = 0;
	gang_le32_put(raw, optcr & ~(F4_OPTCR_OPTLOCK | F4_OPTCR_OPTSTRT));
	gang_le32_put(raw + 4, optcr1);
	*len_out = F4_OB_RAW;
	return err;
}

/* Bits the part cannot take: bank bits on a single-bank F4, nDBANK = 0 (a layout gang does not model). */
static int f4_ob_refuse(gang_target *t, uint32_t optcr, uint32_t cur)
{
	const gang_part *p = gang_target_part(t);
	const gang_family *f = p->family;
	uint32_t bank_bits = (1U << 4) | (1U << 30);

	if ((f->flash.flags & GANG_CTRL_F4_BANKS) && !gang_fpec_f4_dual_bank(p) &&
	    ((optcr ^ cur) & bank_bits))
		return gang_diag_set(gang_target_diag(t), GANG_EUSAGE, "BFB2 and DB1M exist only on the "
				     "dual-bank F42x/F43x parts, not on the %s", p->name);
	if ((f->flash.flags & GANG_CTRL_F7_OPTCR) && !(optcr & (1U << 29)) && (cur & (1U << 29)))
		return gang_diag_set(gang_target_diag(t), GANG_ENOTSUP, "nDBANK = 0 splits the %s's flash "
				     "into two banks of other sectors, a layout gang does not program yet",
				     p->name);
	return GANG_OK;
}

/* OPTKEYR, then OPTCR1 and OPTCR with the new values, OPTSTRT, wait, OPTLOCK. */
static int f4_ob_program(gang_target *t, uint32_t optcr, uint32_t optcr1)
{
	uint32_t cur = 0, sr = 0;
	int err;

	if ((err = f4_rd(&cur, t, F4_FLASH_OPTCR)) < 0)
		return err;
	if ((cur & F4_OPTCR_OPTLOCK) &&
	    ((err = f4_wr(t, F4_FLASH_OPTKEYR, F4_OPT_KEY1)) < 0 ||
	     (err = f4_wr(t, F4_FLASH_OPTKEYR, F4_OPT_KEY2)) < 0 || (err = f4_rd(&cur, t, F4_FLASH_OPTCR)) < 0))
		return err;
	if (cur & F4_OPTCR_OPTLOCK)
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes stay locked after the "
				     "OPTKEYR sequence (FLASH_OPTCR=0x%08" PRIX32 ")", cur);
	if ((err = f4_ob_refuse(t, optcr, cur)) < 0 ||
	    (err = f4_wait(&sr, t, 0, 1000U, "option-byte write")) < 0 ||
	    (gang_fpec_f4_has_optcr1(gang_target_part(t)) && (err = f4_wr(t, F4_FLASH_OPTCR1, optcr1)) < 0) ||
	    (err = f4_wr(t, F4_FLASH_OPTCR, optcr)) < 0 ||
	    (err = f4_wr(t, F4_FLASH_OPTCR, optcr | F4_OPTCR_OPTSTRT)) < 0 ||
	    (err = f4_wait(&sr, t, F4_OB_EXPECT_US, F4_OB_TIMEOUT_MS, "option-byte write")) < 0)
		return err;
	err = f4_check(t, sr, "option-byte write", gang_target_part(t)->family->flash.ob_base);
	f4_wr(t, F4_FLASH_SR, F4_SR_ERRORS | F4_SR_EOP);
	return err;
}

/* The new option bytes take effect at the next reset (RM0090 §3.7.2): reset, halted again. */
static int f4_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	int err;

	if (len < F4_OB_RAW)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, "
				     "want %u", len, F4_OB_RAW);
	if ((err = f4_unlock(t)) < 0 || (err = f4_ob_program(t, gang_le32_get(raw), gang_le32_get(raw + 4))) < 0) {
		f4_wr(t, F4_FLASH_OPTCR, F4_OPTCR_OPTLOCK);
		f4_lock(t);
		return err;
	}
	f4_wr(t, F4_FLASH_OPTCR, gang_le32_get(raw) | F4_OPTCR_OPTLOCK);
	f4_lock(t);
	return gang_target_reset_halt(t);
}

/*
 * OTP bytes (and their block lock bytes) programmed one at a time at x8,
 * which any supply allows (RM0090 §3.8: OTP is programmed like main flash
 * and never erased; a lock byte 0x00 locks its block for good).
 */
static int f4_otp_write(gang_target *t, uint32_t addr, const uint8_t *data, size_t len)
{
	uint32_t sr = 0;
	int err = f4_wr(t, F4_FLASH_CR, F4_CR_PG);   /* PSIZE x8 */

	for (size_t i = 0; i < len && err == GANG_OK; i++) {
		if (data[i] == 0xFFU)
			continue;
		if ((err = gang_stlink_write_mem(gang_target_stlink(t), addr + (uint32_t)i, &data[i], 1)) < 0 ||
		    (err = f4_wait(&sr, t, 0, 100U, "OTP program")) < 0)
			break;
		err = f4_check(t, sr, "OTP program", addr + (uint32_t)i);
	}
	f4_wr(t, F4_FLASH_CR, 0);
	return err;
}

const gang_flash_ops gang_flash_ops_f4 = {
	.name = "stm32f2/f4/f7 sector controller",
	.unlock = f4_unlock,
	.lock = f4_lock,
	.mass_erase = f4_mass_erase,
	.erase_units = f4_erase_units,
	.program_stage = f4_program_stage,
	.program = f4_program,
	.crc = f4_crc,
	.ob_read = f4_ob_read,
	.ob_write = f4_ob_write,
	.ob_fields = gang_fpec_f4_ob_fields,
	.ob_decode = gang_fpec_f4_ob_decode,
	.ob_encode = gang_fpec_f4_ob_encode,
	.ob_rdp_byte = gang_fpec_f4_ob_rdp_byte,
	.otp_write = f4_otp_write,
};
