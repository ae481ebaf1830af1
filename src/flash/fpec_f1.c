/*
 * fpec_f1.c — the F0/F1/F3 flash driver ("FPEC" at 0x40022000): unlock
 * and lock, mass and page erase through the debug port, and the
 * option-byte block (erase, program all eight half-words
 * with RDP last, reload). Programming and the CRC stub run on the core
 * (flash/loader_ring.c with tools/loader/loader.S, half-words).
 *
 * Facts: PM0075 and RM0091 §3 (unlock: KEY1, KEY2, check LOCK; erase:
 * PER/MER, AR, STRT, poll BSY, check EOP and errors; AR writes ignored
 * while BSY; option bytes: OB erase OPTER+STRT, OPTPG with hardware
 * complement, RDP regression mass-erase, F0/F3 OBL_LAUNCH resets the
 * chip, F1 reloads at reset), DS5792 flash timing table (20-40 ms erase,
 * t_prog), RM0008 §4 (CRC unit: RCC_AHBENR.CRCEN, CR.RESET, DR).
 */
#include "flash/fpec_f1.h"

#include <inttypes.h>
#include <stdio.h>

#include "flash/ctrl.h"
#include "flash/geom.h"
#include "flash/loader_ring.h"
#include "flash/loaders.inc"

#define F1_ERASE_EXPECT_US   30000U   /* DS5792: 20-40 ms per page or mass erase */
#define F1_ERASE_TIMEOUT_MS  2000U
#define F1_OB_TIMEOUT_MS     5000U    /* OB erase plus a regression mass erase */
#define F1_PROG_TIMEOUT_MS   100U
#define F1_OB_HALFWORDS      8U

uint32_t gang_fpec_f1_reg(gang_target *t, uint32_t off)
{
	return gang_target_part(t)->family->flash.base + off;
}

static int f1_rd(uint32_t *v, gang_target *t, uint32_t off)
{
	return gang_stlink_read32(v, gang_target_stlink(t), gang_fpec_f1_reg(t, off));
}

static int f1_wr(gang_target *t, uint32_t off, uint32_t v)
{
	return gang_stlink_write32(gang_target_stlink(t), gang_fpec_f1_reg(t, off), v);
}

/* The FPEC's registers for the shared unlock and BSY wait (PM0075 §2.3.1). */
static const gang_flash_ctrl_regs f1_regs = {
	F1_FLASH_KEYR, F1_FLASH_SR, F1_FLASH_CR, F1_SR_BSY, F1_SR_ERRORS | F1_SR_EOP, F1_CR_LOCK, 1000U,
};

int gang_fpec_f1_wait(uint32_t *sr_out, gang_target *t, unsigned expect_us, unsigned timeout_ms,
		      const char *what)
{
	return gang_flash_ctrl_wait(sr_out, t, &f1_regs, expect_us, timeout_ms, what);
}

int gang_fpec_f1_check(gang_target *t, uint32_t sr, const char *what, uint32_t addr)
{
	gang_diag *d = gang_target_diag(t);

	if (sr & F1_SR_WRPRTERR)
		return gang_diag_set_at(d, GANG_EWRITE_PROTECTED, addr, "%s at 0x%08" PRIX32 ": write-protected "
				     "(WRPRTERR, FLASH_SR=0x%08" PRIX32 ")", what, addr, sr);
	if (sr & F1_SR_PGERR)
		return gang_diag_set_at(d, GANG_EFLASH, addr, "%s: PGERR at 0x%08" PRIX32 " (FLASH_SR=0x%08"
				     PRIX32 ")", what, addr, sr);
	return GANG_OK;
}

static int f1_unlock(gang_target *t)
{
	return gang_flash_ctrl_unlock(t, &f1_regs);
}

static int f1_lock(gang_target *t)
{
	return f1_wr(t, F1_FLASH_CR, F1_CR_LOCK);
}

/*
 * One erase: CR=mode, [AR], CR=mode|STRT, the overlapped work (once),
 * wait, check. CR keeps the mode: the next operation writes it whole.
 */
static int f1_erase_op(gang_target *t, uint32_t mode, uint32_t addr, const char *what,
		       gang_flash_overlap *ov)
{
	uint32_t sr = 0;
	uint64_t spent = 0;
	int err, oerr;

	if ((err = f1_wr(t, F1_FLASH_CR, mode)) < 0 ||
	    (mode == F1_CR_PER && (err = f1_wr(t, F1_FLASH_AR, addr)) < 0) ||
	    (err = f1_wr(t, F1_FLASH_CR, mode | F1_CR_STRT)) < 0)
		return err;
	oerr = gang_flash_overlap_run(&spent, ov, F1_ERASE_EXPECT_US);
	if ((err = gang_fpec_f1_wait(&sr, t, spent < F1_ERASE_EXPECT_US ? (unsigned)(F1_ERASE_EXPECT_US - spent) : 0U,
				     F1_ERASE_TIMEOUT_MS, what)) < 0)
		return err;
	err = oerr < 0 ? oerr : gang_fpec_f1_check(t, sr, what, addr);
	if (err == GANG_OK && !(sr & F1_SR_EOP))
		err = gang_diag_set_at(gang_target_diag(t), GANG_EFLASH, addr, "%s at 0x%08" PRIX32 ": no EOP "
				    "(FLASH_SR=0x%08" PRIX32 ")", what, addr, sr);
	f1_wr(t, F1_FLASH_SR, F1_SR_ERRORS | F1_SR_EOP);
	return err;
}

static int f1_mass_erase(gang_target *t, gang_flash_overlap *ov)
{
	return f1_erase_op(t, F1_CR_MER, GANG_FLASH_BASE, "mass erase", ov);
}

/* PER with the page's address in AR: the FPEC names pages by address, not number. */
static int f1_erase_units(gang_target *t, unsigned first, unsigned count, const gang_flash_progress *p,
			  gang_flash_overlap *ov)
{
	const gang_flash_geom *g = &gang_target_part(t)->geom;
	gang_flash_unit u;
	uint64_t done = 0;
	int err = GANG_OK;

	for (unsigned i = first; i < first + count && err == GANG_OK; i++) {
		if (!gang_geom_unit(&u, g, i))
			return gang_diag_set(gang_target_diag(t), GANG_ERR, "erase: page %u does not exist", i);
		err = f1_erase_op(t, F1_CR_PER, u.addr, "page erase", ov);
		done += u.size;
		gang_flash_progress_report(p, done);
	}
	return err;
}

static int f1_ob_read(uint8_t *raw, size_t *len_out, gang_target *t)
{
	*len_out = 2U * F1_OB_HALFWORDS;
	return gang_stlink_read_mem(raw, gang_target_stlink(t), gang_target_part(t)->family->flash.ob_base,
				    *len_out);
}

/* FPEC unlocked: OPTKEYR, then OPTER+STRT (a regression from RDP 1 mass-erases first). */
static int f1_ob_erase(gang_target *t)
{
	uint32_t cr = 0, sr = 0;
	int err;

	if ((err = f1_wr(t, F1_FLASH_OPTKEYR, GANG_FLASH_KEY1)) < 0 ||
	    (err = f1_wr(t, F1_FLASH_OPTKEYR, GANG_FLASH_KEY2)) < 0 ||
	    (err = f1_rd(&cr, t, F1_FLASH_CR)) < 0)
		return err;
	if (!(cr & F1_CR_OPTWRE))
		return gang_diag_set(gang_target_diag(t), GANG_EFLASH, "option bytes stay write-locked "
				     "after the OPTKEYR sequence (FLASH_CR=0x%08" PRIX32 ")", cr);
	if ((err = f1_wr(t, F1_FLASH_CR, F1_CR_OPTER | F1_CR_OPTWRE)) < 0 ||
	    (err = f1_wr(t, F1_FLASH_CR, F1_CR_OPTER | F1_CR_STRT | F1_CR_OPTWRE)) < 0 ||
	    (err = gang_fpec_f1_wait(&sr, t, F1_ERASE_EXPECT_US, F1_OB_TIMEOUT_MS,
				     "option-byte erase")) < 0)
		return err;
	return gang_fpec_f1_check(t, sr, "option-byte erase", gang_target_part(t)->family->flash.ob_base);
}

/* OPTPG: every half-word, RDP (index 0) last so protection changes only when the rest is in. */
static int f1_ob_program(gang_target *t, const uint8_t *raw)
{
	uint32_t base = gang_target_part(t)->family->flash.ob_base, sr = 0;
	int err;

	if ((err = f1_wr(t, F1_FLASH_CR, F1_CR_OPTPG | F1_CR_OPTWRE)) < 0)
		return err;
	for (unsigned k = 1; k <= F1_OB_HALFWORDS; k++) {
		unsigned i = k % F1_OB_HALFWORDS;
		uint32_t a = base + 2U * i;
		uint16_t v = (uint16_t)(raw[2 * i] | (uint16_t)(uint8_t)~raw[2 * i] << 8);
		if ((err = gang_stlink_write16(gang_target_stlink(t), a, v)) < 0 ||
		    (err = gang_fpec_f1_wait(&sr, t, 0, F1_PROG_TIMEOUT_MS, "option-byte program")) < 0 ||
		    (err = gang_fpec_f1_check(t, sr, "option-byte program", a)) < 0)
			return err;
	}
	return GANG_OK;
}

/* Reload: OBL_LAUNCH (F0/F3, resets the chip) or a system reset (F1); halted again either way. */
static int f1_ob_reload(gang_target *t)
{
	const gang_family *f = gang_target_part(t)->family;
	int err;

	if (!(f->flash.flags & GANG_CTRL_OBL_LAUNCH)) {
		f1_lock(t);
		return gang_target_reset_halt(t);
	}
	/* arm the reset-halt vector catch, then let OBL_LAUNCH reset the chip */
	if ((err = gang_target_arm_reset_catch(t)) < 0)
		return err;
	f1_wr(t, F1_FLASH_CR, F1_CR_OBL_LAUNCH);   /* the reset may cut this reply short */
	if ((err = gang_target_wait_halt(t, 500U, 1000U, GANG_ETARGET_NOHALT,
					 "the core after OBL_LAUNCH")) < 0)
		return err;
	return gang_target_read_rdp(t);
}

static int f1_ob_write(gang_target *t, const uint8_t *raw, size_t len)
{
	int err;

	if (len < 2U * F1_OB_HALFWORDS)
		return gang_diag_set(gang_target_diag(t), GANG_ERR, "option-byte block of %zu bytes, "
				     "want %u", len, 2U * F1_OB_HALFWORDS);
	if ((err = f1_unlock(t)) < 0 || (err = f1_ob_erase(t)) < 0 ||
	    (err = f1_ob_program(t, raw)) < 0) {
		f1_lock(t);
		return err;
	}
	return f1_ob_reload(t);
}

/* loader.S for half-words, with FLASH_CR.PG set by the host (PM0075 §2.3.3); BSY, PGERR/WRPRTERR. */
static const gang_loader f1_loader = {
	loader_u16_prog, sizeof(loader_u16_prog), F1_FLASH_CR, F1_CR_PG, F1_FLASH_SR, F1_SR_BSY,
	F1_SR_ERRORS, 2U, 0U, gang_fpec_f1_check,
};

static int f1_program_stage(gang_flash_stage *st, gang_target *t, const gang_flash_run *runs, size_t n,
			    uint64_t budget_us, uint64_t *used_us)
{
	return gang_loader_stage(st, used_us, t, &f1_loader, runs, n, budget_us);
}

static int f1_program(gang_target *t, const gang_flash_run *runs, size_t n, const gang_flash_progress *p,
		      const gang_flash_stage *st)
{
	return gang_loader_program(t, &f1_loader, runs, n, p, st);
}

static int f1_crc(uint32_t *crc_out, gang_target *t, uint32_t addr, uint32_t len)
{
	return gang_loader_crc(crc_out, t, addr, len);
}

const gang_flash_ops gang_flash_ops_f1 = {
	.name = "stm32f0/f1/f3 fpec",
	.unlock = f1_unlock,
	.lock = f1_lock,
	.mass_erase = f1_mass_erase,
	.erase_units = f1_erase_units,
	.program_stage = f1_program_stage,
	.program = f1_program,
	.crc = f1_crc,
	.ob_read = f1_ob_read,
	.ob_write = f1_ob_write,
	.ob_fields = gang_fpec_f1_ob_fields,
	.ob_decode = gang_fpec_f1_ob_decode,
	.ob_encode = gang_fpec_f1_ob_encode,
	.ob_rdp_byte = gang_fpec_f1_ob_rdp_byte,
};
