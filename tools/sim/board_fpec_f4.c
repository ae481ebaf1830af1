/*
 * board_fpec_f4.c — the F2/F4/F7 sector flash controller (0x40023C00), its
 * option bytes (OPTCR/OPTCR1) and OTP, as two board_flash_model instances
 * (flash_model.h): F2/F4 and F7, which differ in the OPTCR layout, the OTP
 * address and where the option bytes show in the memory map.
 *
 * Facts: RM0090 §3 (F405-F439): §3.5 (KEYR, OPTKEYR sequences; a wrong key
 * locks until reset), §3.6.2 (PSIZE and the supply), §3.6.3/§3.6.4
 * (sector and mass erase: SER/SNB/MER/MER1/STRT), §3.6.5 (programming with
 * PG: the access size must match PSIZE (PGPERR), the data must fit one
 * 128-bit row (PGAERR), a wrong sequence sets PGSERR, a protected sector
 * WRPERR; BSY stalls the bus), §3.7 (option bytes: OPTLOCK, OPTSTRT, RDP
 * 0xAA/0xCC/other, nWRP per sector, the mass erase of an RDP 1->0
 * regression), §3.8 (OTP: 16 blocks of 32 bytes at 0x1FFF7800, lock bytes
 * at 0x1FFF7A00, a locked block cannot be programmed), §3.9 (register
 * bits, dual-bank SNB 0x10|n and MER1 on F42x/F43x); RM0033 §2 (F2: the
 * same controller without ERRIE/PCROP); RM0385 §3 and RM0410 §3 (F7:
 * OPTCR WWDG_SW/IWDG_SW/nDBOOT/nDBANK/IWDG_STDBY/IWDG_STOP, OPTCR1
 * BOOT_ADD0/1, bit 7 named ERSERR, OTP 16 x 64 bytes at 0x1FF0F000 with
 * lock bytes at 0x1FF0F400, option bytes at 0x1FFF0000).
 * Timings: DS8626 (F405/F407) table "Flash memory programming" (typical:
 * 16 us per program unit at every PSIZE; sector 16/64/128 KiB: x8 400 ms /
 * 1.2 s / 2 s, x16 300 / 700 ms / 1.3 s, x32 250 / 550 ms / 1 s; mass
 * erase x8 16 s, x16 11 s, x32 8 s). F2 and F7 use the same figures
 * (unverified: the DS6329 / DS10916 / DS11532 tables were not at hand); the
 * F7's 32 KiB and 256 KiB sectors take the F4 per-KiB time of the 16 KiB
 * and 128 KiB sectors (unverified).
 * Where the manuals leave behaviour open the stricter choice is taken and
 * marked "strict".
 */
#include <string.h>

#include "board_internal.h"

#define F4_ACR       0x00U
#define F4_KEYR      0x04U
#define F4_OPTKEYR   0x08U
#define F4_SR        0x0CU
#define F4_CR        0x10U
#define F4_OPTCR     0x14U
#define F4_OPTCR1    0x18U

#define F4_KEY1      0x45670123U
#define F4_KEY2      0xCDEF89ABU
#define F4_OPTKEY1   0x08192A3BU
#define F4_OPTKEY2   0x4C5D6E7FU

#define F4_SR_EOP    (1U << 0)
#define F4_SR_OPERR  (1U << 1)
#define F4_SR_WRPERR (1U << 4)
#define F4_SR_PGAERR (1U << 5)
#define F4_SR_PGPERR (1U << 6)
#define F4_SR_PGSERR (1U << 7)   /* F7: ERSERR */
#define F4_SR_BSY    (1U << 16)
#define F4_SR_W1C    0x000000F3U

#define F4_CR_PG     (1U << 0)
#define F4_CR_SER    (1U << 1)
#define F4_CR_MER    (1U << 2)
#define F4_CR_SNB_SH 3U
#define F4_CR_SNB    (0x1FU << 3)
#define F4_CR_PSIZE_SH 8U
#define F4_CR_PSIZE  (3U << 8)
#define F4_CR_MER1   (1U << 15)
#define F4_CR_STRT   (1U << 16)
#define F4_CR_EOPIE  (1U << 24)
#define F4_CR_ERRIE  (1U << 25)
#define F4_CR_LOCK   (1U << 31)

#define F4_OPTCR_OPTLOCK (1U << 0)
#define F4_OPTCR_OPTSTRT (1U << 1)
#define F4_OPTCR_RDP_SH  8U
#define F4_OPTCR_NWRP_SH 16U
#define F4_RDP_L0        0xAAU
#define F4_RDP_L2        0xCCU
#define F4_RDP_L1        0x55U   /* what a new "rdp = 1" board holds: any value but AA/CC */

#define F4_REG_BASE      0x40023C00U
#define F4_ACR_MASK      0x00001F0FU   /* LATENCY[3:0], PRFTEN, ICEN, DCEN, ICRST, DCRST */
#define F4_ACR_LATENCY   0x0000000FU
#define F4_BANK_SECTORS  12U
#define F4_VDD_X32_MV    2700U   /* x32/x64 need 2.7-3.6 V (RM0090 §3.6.2 Table 7) */
#define F4_T_PROG_NS     16000U  /* DS8626 t_prog typ, any PSIZE */
#define F4_OB_LEN        8U      /* option_bytes.bin: OPTCR, OPTCR1 (little-endian words) */
#define F4_MS            1000000ULL

/* F2/F4 and F7 differences. */
typedef struct f4_variant {
	bool f7;
	uint32_t otp_base, otp_blocks, otp_block_len;
} f4_variant;

static const f4_variant f4_f24 = { false, 0x1FFF7800U, 16U, 32U };
static const f4_variant f4_f7 = { true, 0x1FF0F000U, 16U, 64U };

static const f4_variant *f4_var(const sim_board *b)
{
	return b->part->flash_ctl == SIM_FLASH_F7 ? &f4_f7 : &f4_f24;
}

/* ---- geometry ------------------------------------------------------------------ */

static bool f4_dual(const sim_board *b)
{
	return b->part->regions[b->part->n_regions - 1].bank != 0;
}

static uint32_t f4_bank_sectors(const sim_board *b, uint32_t bank)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < b->part->n_regions; i++)
		if (b->part->regions[i].bank == bank)
			n += b->part->regions[i].count;
	return n;
}

/* The sector numbered no (bank 2 from 12): its flash offset and size; false if none. */
static bool f4_sector(const sim_board *b, uint32_t no, uint32_t *off, uint32_t *len)
{
	for (unsigned i = 0; i < b->part->n_regions; i++) {
		const sim_region *r = &b->part->regions[i];
		if (no >= r->first_no && no < r->first_no + r->count) {
			*off = r->base - BOARD_FLASH_BASE + (no - r->first_no) * r->unit;
			*len = r->unit;
			return true;
		}
	}
	return false;
}

/* The number of the sector holding flash offset off. */
static uint32_t f4_sector_of(const sim_board *b, uint32_t off)
{
	for (unsigned i = 0; i < b->part->n_regions; i++) {
		const sim_region *r = &b->part->regions[i];
		uint32_t ro = r->base - BOARD_FLASH_BASE;
		if (off >= ro && off - ro < r->unit * r->count)
			return r->first_no + (off - ro) / r->unit;
	}
	return 0;
}

/* SNB: 0..11 (F7 single bank: as many as there are); dual bank: 0x10|n is sector 12+n. */
static bool f4_snb_sector(const sim_board *b, uint32_t snb, uint32_t *no)
{
	if (f4_dual(b) && (snb & 0x10U))
		*no = F4_BANK_SECTORS + (snb & 0x0FU);
	else if (snb & 0x10U)
		return false;
	else
		*no = snb;
	return (*no < F4_BANK_SECTORS || f4_dual(b)) &&
	       *no < F4_BANK_SECTORS + f4_bank_sectors(b, 1);
}

/* nWRP in force: bit clear = protected (RM0090 §3.7.4); bank 2 in OPTCR1. */
static bool f4_protected(const sim_board *b, uint32_t no)
{
	const board_fpec4 *f = &b->f4;

	if (no < F4_BANK_SECTORS)
		return (f->wrp0 & (1U << no)) == 0;
	return (f->wrp1 & (1U << (no - F4_BANK_SECTORS))) == 0;
}

/* ---- option bytes ------------------------------------------------------------ */

static uint32_t f4_nwrp_mask(uint32_t sectors)
{
	return ((1U << (sectors > F4_BANK_SECTORS ? F4_BANK_SECTORS : sectors)) - 1U);
}

/* OPTCR bits a write may change, per family (RM0033 §2.9.6, RM0090 §3.9.10, RM0385 §3.7.8). */
static uint32_t f4_optcr_mask(const sim_board *b)
{
	uint32_t nwrp = f4_nwrp_mask(f4_bank_sectors(b, 0)) << F4_OPTCR_NWRP_SH;

	if (f4_var(b)->f7)
		return 0xF000FFFCU | nwrp;   /* user bits, RDP, nWRP, nDBOOT, nDBANK, IWDG_* */
	if (b->part->flash_ctl == SIM_FLASH_F2)
		return 0x0000FFECU | nwrp;   /* F2: BOR_LEV, WDG_SW, nRST_*, RDP, nWRP */
	if (f4_dual(b))
		return 0xC000FFFCU | nwrp;   /* F42x: + BFB2 b4, DB1M b30, SPRMOD b31 */
	return 0x8000FFECU | nwrp;           /* F4: + SPRMOD */
}

static uint32_t f4_optcr1_mask(const sim_board *b)
{
	if (f4_var(b)->f7)
		return 0xFFFFFFFFU;          /* BOOT_ADD1[31:16], BOOT_ADD0[15:0] */
	return f4_dual(b) ? f4_nwrp_mask(f4_bank_sectors(b, 1)) << F4_OPTCR_NWRP_SH : 0U;
}

/*
 * New silicon: RDP 0xAA (or level 1 with cfg->rdp), BOR off, watchdogs in
 * software, no reset on Stop/Standby, nWRP from cfg->wrp (bit i = sector i,
 * bits 12..23 = bank 2). Factory values: F2/F4 OPTCR 0x0FFFAAED, F42x
 * OPTCR1 0x0FFF0000 (RM0090 §3.9.10/§3.9.11); F7 OPTCR 0xC0FFAAFD (F76x
 * also nDBOOT/nDBANK set), OPTCR1 0x00400080 (RM0385 §3.7.8/§3.7.9).
 */
static void f4_ob_new(const sim_board *b, uint8_t *img)
{
	uint32_t n0 = f4_bank_sectors(b, 0);
	uint32_t rdp = b->cfg.rdp ? F4_RDP_L1 : F4_RDP_L0;
	uint32_t nwrp0 = (b->cfg.wrp & f4_nwrp_mask(n0)) << F4_OPTCR_NWRP_SH;
	uint32_t optcr = 0x000000ECU, optcr1 = 0;

	if (f4_var(b)->f7) {
		optcr = 0xC00000FCU | (n0 > 8U ? 0x30000000U : 0U);
		optcr1 = 0x00400080U;
	} else if (f4_dual(b)) {
		optcr1 = ((b->cfg.wrp >> F4_BANK_SECTORS) & f4_optcr1_mask(b) >> F4_OPTCR_NWRP_SH)
			 << F4_OPTCR_NWRP_SH;
	}
	optcr |= rdp << F4_OPTCR_RDP_SH | nwrp0;
	board_le_put(img, 4, optcr);
	board_le_put(img + 4, 4, optcr1);
}

/* Reset: the option bytes in force and the registers reload (RM0090 §3.7.1). */
static void f4_reset(sim_board *b)
{
	board_fpec4 *f = &b->f4;
	uint32_t rdp;

	f->acr = 0;
	f->cr = F4_CR_LOCK;
	f->sr = 0;
	f->key_stage = f->optkey_stage = 0;
	f->key_dead = f->optkey_dead = false;
	f->optcr = (board_le_get(b->ob, 4) & f4_optcr_mask(b)) | F4_OPTCR_OPTLOCK;
	f->optcr1 = board_le_get(b->ob + 4, 4) & f4_optcr1_mask(b);
	rdp = (f->optcr >> F4_OPTCR_RDP_SH) & 0xFFU;
	f->rdp_level = rdp == F4_RDP_L0 ? 0 : rdp == F4_RDP_L2 ? 2 : 1;
	f->wrp0 = f->optcr >> F4_OPTCR_NWRP_SH;
	f->wrp1 = f4_dual(b) ? f->optcr1 >> F4_OPTCR_NWRP_SH : 0xFFFU;
	if (f4_var(b)->f7)   /* F7 has no SPRMOD and IWDG_* sit above nWRP */
		f->wrp0 &= f4_nwrp_mask(f4_bank_sectors(b, 0));
	f->wrp0 |= ~f4_nwrp_mask(f4_bank_sectors(b, 0));
}

static bool f4_blocked(const sim_board *b)
{
	return b->f4.rdp_level >= 1 && b->dbg_attached;
}

static bool f4_dp_dead(const sim_board *b)
{
	return b->f4.rdp_level == 2;
}

/* ---- operations ------------------------------------------------------------------ */

static bool f4_busy(const sim_board *b)
{
	return b->f4.op != BOARD_OP_NONE;
}

static int64_t f4_busy_until(const sim_board *b)
{
	return b->f4.op_end;
}

static void f4_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_fpec4 *f = &b->f4;

	f->op = op;
	f->op_start = board_time(b);
	f->op_end = f->op_start + (int64_t)dur_ns;
}

/* The new option bytes become the file's; RDP/WRP in force wait for reset (strict). */
static void f4_ob_commit(sim_board *b)
{
	board_le_put(b->ob, 4, b->f4.optcr & f4_optcr_mask(b));
	board_le_put(b->ob + 4, 4, b->f4.optcr1);
}

static void f4_update(sim_board *b, int64_t t)
{
	board_fpec4 *f = &b->f4;

	if (f->op == BOARD_OP_NONE || t < f->op_end)
		return;
	if (f->op == BOARD_OP_SECTOR_ERASE || f->op == BOARD_OP_MASS_ERASE)
		board_flash_erase(b, f->op_addr, f->op_len);
	else if (f->op == BOARD_OP_OB_PROG) {
		if (f->op_regress)
			board_flash_erase(b, 0, b->flash_size);
		f4_ob_commit(b);
		f->optcr &= ~F4_OPTCR_OPTSTRT;
	}
	f->op = BOARD_OP_NONE;
	f->sr |= F4_SR_EOP;   /* strict: EOP set whether or not EOPIE is */
	f->cr &= ~F4_CR_STRT;
}

/* typical ms per sector of 16/64/128 KiB at PSIZE x8, x16, x32 (DS8626); x64 as x32 (unverified) */
static const uint16_t f4_sector_ms[3][3] = {
	{ 400, 1200, 2000 }, { 300, 700, 1300 }, { 250, 550, 1000 },
};
static const uint16_t f4_mass_ms[3] = { 16000, 11000, 8000 };

static uint32_t f4_psize(const sim_board *b)
{
	uint32_t p = (b->f4.cr & F4_CR_PSIZE) >> F4_CR_PSIZE_SH;

	return p > 2U ? 2U : p;
}

/* 32 KiB and 256 KiB (F7) scale the 16 KiB and 128 KiB figures per KiB (unverified). */
static uint64_t f4_erase_ns(const sim_board *b, uint32_t len)
{
	const uint16_t *row = f4_sector_ms[f4_psize(b)];
	uint32_t kib = len / 1024U;

	if (kib <= 32U)
		return (uint64_t)row[0] * kib / 16U * F4_MS;
	if (kib == 64U)
		return (uint64_t)row[1] * F4_MS;
	return (uint64_t)row[2] * kib / 128U * F4_MS;
}

/* x32 and x64 below 2.7 V: the RM only says "not allowed"; the bench fails them (strict). */
static bool f4_supply_ok(const sim_board *b)
{
	uint32_t p = (b->f4.cr & F4_CR_PSIZE) >> F4_CR_PSIZE_SH;

	return p < 2U || b->cfg.vdd_mv >= F4_VDD_X32_MV;
}

/* Operation refused: the flag is set and nothing changes. */
static void f4_refuse(sim_board *b, uint32_t flag)
{
	b->f4.sr |= flag;
	b->f4.cr &= ~F4_CR_STRT;
}

static void f4_start_sector_erase(sim_board *b)
{
	board_fpec4 *f = &b->f4;
	uint32_t no, off, len;

	if (!f4_snb_sector(b, (f->cr & F4_CR_SNB) >> F4_CR_SNB_SH, &no) ||
	    !f4_sector(b, no, &off, &len)) {
		f4_refuse(b, F4_SR_PGSERR);   /* strict: no such sector */
	} else if (f4_protected(b, no)) {
		f4_refuse(b, F4_SR_WRPERR);
	} else {
		f->op_addr = off;
		f->op_len = len;
		f4_start(b, BOARD_OP_SECTOR_ERASE, f4_erase_ns(b, len));
	}
}

/* The bank's sectors [first, first + n): any protected? */
static bool f4_any_protected(const sim_board *b, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (f4_protected(b, first + i))
			return true;
	return false;
}

/* MER: bank 1 (the whole flash on single bank), MER1: bank 2; both: everything. */
static void f4_start_mass_erase(sim_board *b)
{
	board_fpec4 *f = &b->f4;
	bool b1 = (f->cr & F4_CR_MER) != 0, b2 = f4_dual(b) && (f->cr & F4_CR_MER1);
	uint32_t n0 = f4_bank_sectors(b, 0), n1 = f4_bank_sectors(b, 1);
	uint32_t half = f4_dual(b) ? b->flash_size / 2U : b->flash_size;

	/* strict: a protected sector aborts the whole mass erase (as on F1, PM0075) */
	if ((b1 && f4_any_protected(b, 0, n0)) || (b2 && f4_any_protected(b, F4_BANK_SECTORS, n1))) {
		f4_refuse(b, F4_SR_WRPERR);
		return;
	}
	f->op_addr = b1 ? 0 : half;
	f->op_len = (b1 ? half : 0) + (b2 ? b->flash_size - half : 0);
	/* one bank's time per bank erased (dual bank: unverified) */
	f4_start(b, BOARD_OP_MASS_ERASE, (uint64_t)f4_mass_ms[f4_psize(b)] * F4_MS * (b1 && b2 ? 2U : 1U));
}

static void f4_start_erase(sim_board *b)
{
	uint32_t cr = b->f4.cr;
	bool mer = (cr & F4_CR_MER) || (f4_dual(b) && (cr & F4_CR_MER1));

	if (f4_blocked(b))
		f4_refuse(b, F4_SR_WRPERR);   /* RDP level 1 with a debugger (RM0090 §3.7.3) */
	else if (!f4_supply_ok(b))
		f4_refuse(b, F4_SR_PGPERR);
	else if ((cr & F4_CR_PG) || ((cr & F4_CR_SER) && mer) || (!(cr & F4_CR_SER) && !mer))
		f4_refuse(b, F4_SR_PGSERR);   /* strict: exactly one of SER, MER(1) and no PG */
	else if (cr & F4_CR_SER)
		f4_start_sector_erase(b);
	else
		f4_start_mass_erase(b);
}

/* OPTSTRT: program OPTCR/OPTCR1; leaving level 1 for 0xAA mass-erases first (RM0090 §3.7.3). */
static void f4_start_ob_prog(sim_board *b)
{
	board_fpec4 *f = &b->f4;
	uint32_t rdp_new = (f->optcr >> F4_OPTCR_RDP_SH) & 0xFFU;

	if (f->rdp_level == 2) {
		f->optcr &= ~F4_OPTCR_OPTSTRT;   /* level 2 is final (RM0090 §3.7.3) */
		f->sr |= F4_SR_WRPERR;
		return;
	}
	f->op_regress = f->rdp_level == 1 && rdp_new == F4_RDP_L0;
	/* no datasheet figure for OPTSTRT: the bench's option-byte time (t_ob_erase_ms) */
	f4_start(b, BOARD_OP_OB_PROG, b->cfg.timing.t_ob_erase_ns +
		 (f->op_regress ? (uint64_t)f4_mass_ms[2] * F4_MS : 0U));
}

/* ---- registers ------------------------------------------------------------------ */

static board_bus f4_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	board_fpec4 *f = &b->f4;

	f4_update(b, board_time(b));
	switch (off) {
	case F4_ACR: *val = f->acr; break;
	case F4_SR:
		*val = f->sr | (f->op != BOARD_OP_NONE ? F4_SR_BSY : 0U);
		if (core && f->op != BOARD_OP_NONE)
			board_core_spin(b, f->op_end);
		break;
	case F4_CR: *val = f->cr; break;
	case F4_OPTCR: *val = f->optcr; break;
	case F4_OPTCR1: *val = f->optcr1; break;
	default: *val = 0; break;   /* KEYR/OPTKEYR are write-only and read 0 */
	}
	return BOARD_BUS_OK;
}

/* KEY1 then KEY2; anything else locks until reset (RM0090 §3.5.1: bus error). */
static board_bus f4_key(unsigned *stage, bool *dead, uint32_t val, uint32_t k1, uint32_t k2)
{
	uint32_t want = *stage == 0 ? k1 : k2;

	if (*dead || val != want) {
		*dead = true;
		*stage = 0;
		return BOARD_BUS_FAULT;
	}
	*stage = *stage == 0 ? 1U : 0U;
	return BOARD_BUS_OK;
}

static board_bus f4_write_keys(sim_board *b, uint32_t off, uint32_t val)
{
	board_fpec4 *f = &b->f4;
	board_bus r;

	if (off == F4_KEYR) {
		r = f4_key(&f->key_stage, &f->key_dead, val, F4_KEY1, F4_KEY2);
		if (r == BOARD_BUS_OK && f->key_stage == 0)
			f->cr &= ~F4_CR_LOCK;
		return r;
	}
	r = f4_key(&f->optkey_stage, &f->optkey_dead, val, F4_OPTKEY1, F4_OPTKEY2);
	if (r == BOARD_BUS_OK && f->optkey_stage == 0)
		f->optcr &= ~F4_OPTCR_OPTLOCK;
	return r;
}

static void f4_write_cr(sim_board *b, uint32_t val)
{
	board_fpec4 *f = &b->f4;
	uint32_t w = F4_CR_PG | F4_CR_SER | F4_CR_MER | F4_CR_SNB | F4_CR_PSIZE | F4_CR_STRT |
		     F4_CR_EOPIE | F4_CR_LOCK;

	if ((f->cr & F4_CR_LOCK) || f->key_dead)
		return;   /* LOCK makes CR read-only until the key sequence (RM0090 §3.5.1) */
	if (f4_dual(b))
		w |= F4_CR_MER1;
	if (b->part->flash_ctl != SIM_FLASH_F2)   /* no ERRIE on F2 (RM0033 §2.9.5) */
		w |= F4_CR_ERRIE;
	f->cr = val & w;
	if ((f->cr & F4_CR_STRT) && !(f->cr & F4_CR_LOCK))
		f4_start_erase(b);
}

static void f4_write_optcr(sim_board *b, uint32_t val)
{
	board_fpec4 *f = &b->f4;

	if (f->optcr & F4_OPTCR_OPTLOCK)
		return;   /* OPTCR is read-only while OPTLOCK (RM0090 §3.7.2) */
	f->optcr = (val & (f4_optcr_mask(b) | F4_OPTCR_OPTLOCK | F4_OPTCR_OPTSTRT));
	if ((f->optcr & F4_OPTCR_OPTSTRT) && !(f->optcr & F4_OPTCR_OPTLOCK))
		f4_start_ob_prog(b);
	else
		f->optcr &= ~F4_OPTCR_OPTSTRT;
}

static board_bus f4_reg_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	board_fpec4 *f = &b->f4;

	(void)core;
	f4_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE && (off == F4_CR || off == F4_OPTCR || off == F4_OPTCR1))
		return BOARD_BUS_STALL;   /* writes stall while BSY (RM0090 §3.6) */
	switch (off) {
	case F4_ACR:
		f->acr = val & F4_ACR_MASK;
		board_clock_flash_changed(b);
		break;
	case F4_KEYR:
	case F4_OPTKEYR: return f4_write_keys(b, off, val);
	case F4_SR: f->sr &= ~(val & F4_SR_W1C); break;
	case F4_CR: f4_write_cr(b, val); break;
	case F4_OPTCR: f4_write_optcr(b, val); break;
	case F4_OPTCR1:
		if (!(f->optcr & F4_OPTCR_OPTLOCK))
			f->optcr1 = val & f4_optcr1_mask(b);
		break;
	default: break;
	}
	return BOARD_BUS_OK;
}

/* ---- programming ---------------------------------------------------------------- */

/*
 * The checks of one store into flash or OTP with PG (RM0090 §3.6.5,
 * §3.9.4): 0 when it may program, else the SR flag. x64 needs VPP
 * (cfg->vpp); with it a word store programs as x32 would (the bench has
 * no 64-bit bus).
 */
static uint32_t f4_prog_check(const sim_board *b, uint32_t off, unsigned size)
{
	const board_fpec4 *f = &b->f4;
	uint32_t psize = (f->cr & F4_CR_PSIZE) >> F4_CR_PSIZE_SH;
	unsigned want = psize == 3U ? 4U : 1U << psize;

	/*
	 * PG missing or the controller locked: a sequence error. SER/SNB left
	 * beside PG are not one: st-flash 1.7.0 programs with CR = PG | SER |
	 * SNB | PSIZE after its sector erases, and does so on silicon.
	 */
	if ((f->cr & F4_CR_LOCK) || !(f->cr & F4_CR_PG))
		return F4_SR_PGSERR;
	if (size != want || (psize == 3U && !b->cfg.vpp))
		return F4_SR_PGPERR;
	if (!f4_supply_ok(b))
		return F4_SR_PGPERR;
	/* strict: any misaligned unit (the RM: data crossing a 128-bit row) */
	if (off & (size - 1U))
		return F4_SR_PGAERR;
	return 0;
}

/* Cells AND with the data, no must-be-erased check (RM0090 §3.6.5 note); t_prog. */
static void f4_program(sim_board *b, uint8_t *cells, uint32_t off, unsigned size, uint32_t val,
		       board_op op)
{
	board_fpec4 *f = &b->f4;

	for (unsigned i = 0; i < size; i++) {
		uint8_t v = (uint8_t)(cells[i] & (uint8_t)(val >> (8 * i)));
		f->op_old[i] = cells[i];
		cells[i] = op == BOARD_OP_PROG ? board_flash_stuck(b, off + i, v) : v;
		f->op_new[i] = cells[i];
	}
	f->op_addr = off;
	f->op_len = size;
	f4_start(b, op, b->cfg.timing.t_prog_ns);
}

static board_bus f4_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_fpec4 *f = &b->f4;
	uint32_t err;

	f4_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	if (f4_blocked(b))
		return BOARD_BUS_FAULT;   /* RDP level 1 with a debugger: bus error (RM0090 §3.7.3) */
	err = f4_prog_check(b, off, size);
	if (err == 0 && (off + size > b->flash_size || f4_protected(b, f4_sector_of(b, off))))
		err = F4_SR_WRPERR;
	if (err != 0) {
		f->sr |= err;
		return BOARD_BUS_OK;
	}
	f4_program(b, b->flash + off, off, size, val, BOARD_OP_PROG);
	board_core_dirty_flash(b, off, size);
	return BOARD_BUS_OK;
}

/* OTP data then one lock byte per block (RM0090 §3.8). */
static uint32_t f4_otp_data_len(const sim_board *b)
{
	return f4_var(b)->otp_blocks * f4_var(b)->otp_block_len;
}

static board_bus f4_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_fpec4 *f = &b->f4;
	const f4_variant *v = f4_var(b);
	uint32_t off = addr - v->otp_base, data = f4_otp_data_len(b), err;

	f4_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	if (addr < v->otp_base || off >= b->fm->otp_size)
		return BOARD_BUS_FAULT;   /* the option-byte view is read-only */
	err = f4_prog_check(b, off, size);
	if (err == 0 && off < data && b->otp[data + off / v->otp_block_len] != 0xFFU)
		err = F4_SR_WRPERR;   /* the block is locked */
	if (err == 0 && off + size > b->fm->otp_size)
		err = F4_SR_PGAERR;
	if (err != 0) {
		f->sr |= err;
		return BOARD_BUS_OK;
	}
	f4_program(b, b->otp + off, off, size, val, BOARD_OP_OTP_PROG);
	return BOARD_BUS_OK;
}

/*
 * The option bytes in the memory map: F2/F4 bank 1 at 0x1FFFC000 (RDP and
 * user byte, then nWRP at +8) and F7 at 0x1FFF0000 (OPTCR-ordered words),
 * each 16-bit value followed by its complement (RM0090 §3.7.1 Table 16,
 * RM0385 §3.4.1); the OTP at otp_base as stored.
 */
static board_bus f4_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	const board_flash_model *m = b->fm;
	uint8_t img[16];

	if (m->otp_size != 0 && addr >= m->otp_base && addr < m->otp_base + m->otp_size) {
		*val = board_le_get(b->otp + (addr - m->otp_base), size);
		return BOARD_BUS_OK;
	}
	uint32_t optcr = board_le_get(b->ob, 4), optcr1 = board_le_get(b->ob + 4, 4);
	uint16_t w[4] = { (uint16_t)optcr, (uint16_t)(optcr >> 16), (uint16_t)optcr1,
			  (uint16_t)(optcr1 >> 16) };
	for (unsigned i = 0; i < 4; i++) {
		board_le_put(img + 4 * i, 2, w[i]);
		board_le_put(img + 4 * i + 2, 2, (uint16_t)~w[i]);
	}
	if (!f4_var(b)->f7) {   /* F2/F4: +0 RDP/user, +8 nWRP */
		board_le_put(img + 8, 2, w[1]);
		board_le_put(img + 10, 2, (uint16_t)~w[1]);
		board_le_put(img + 4, 4, 0xFFFFFFFFU);
	}
	*val = board_le_get(img + (addr - m->ob_base), size);
	return BOARD_BUS_OK;
}

/* FLASH_ACR.LATENCY[3:0] (RM0033 §2.3.4, RM0090 §3.9.1, RM0410 §3.7.1). */
static unsigned f4_latency(const sim_board *b)
{
	return b->f4.acr & F4_ACR_LATENCY;
}

/* ---- power loss ------------------------------------------------------------------ */

static void f4_power_loss(sim_board *b, int64_t t)
{
	board_fpec4 *f = &b->f4;
	int64_t done = t - f->op_start, total = f->op_end - f->op_start;
	uint64_t part = total > 0 ? (uint64_t)done * 256U / (uint64_t)total : 256U;

	f4_update(b, t);
	if (f->op == BOARD_OP_PROG || f->op == BOARD_OP_OTP_PROG) {
		/* the bits not yet programmed keep their old value */
		uint8_t *p = (f->op == BOARD_OP_PROG ? b->flash : b->otp) + f->op_addr;
		for (unsigned i = 0; i < f->op_len && i < 4U; i++)
			p[i] = (uint8_t)(f->op_old[i] & (f->op_new[i] | (part < 128U ? 0xF0U : 0U)));
		if (f->op == BOARD_OP_PROG)
			board_core_dirty_flash(b, f->op_addr, f->op_len);
	} else if (f->op == BOARD_OP_SECTOR_ERASE || f->op == BOARD_OP_MASS_ERASE) {
		board_flash_erase(b, f->op_addr, (uint32_t)((uint64_t)f->op_len * part / 256U));
	} else if (f->op == BOARD_OP_OB_PROG && f->op_regress) {
		/* the option bytes stay as they were: RDP level 1 (STM32CubeF7 issue #96) */
		board_flash_erase(b, 0, (uint32_t)((uint64_t)b->flash_size * part / 256U));
	}
	f->op = BOARD_OP_NONE;
}

/* ---- the models ------------------------------------------------------------------ */

#define F4_MODEL_OPS \
	.ob_file_len = F4_OB_LEN, \
	.t_prog_ns = F4_T_PROG_NS, \
	.ob_new = f4_ob_new, \
	.reset = f4_reset, \
	.update = f4_update, \
	.busy = f4_busy, \
	.busy_until = f4_busy_until, \
	.reg_read = f4_reg_read, \
	.reg_write = f4_reg_write, \
	.flash_write = f4_flash_write, \
	.opt_read = f4_opt_read, \
	.opt_write = f4_opt_write, \
	.blocked = f4_blocked, \
	.dp_dead = f4_dp_dead, \
	.latency = f4_latency, \
	.power_loss = f4_power_loss

const board_flash_model board_fpec_f24_model = {
	.name = "F2/F4 sector controller",
	.reg_base = F4_REG_BASE,
	.ob_base = 0x1FFFC000U,
	.ob_size = 16U,
	.otp_base = 0x1FFF7800U,
	.otp_size = 512U + 16U,
	F4_MODEL_OPS,
};

const board_flash_model board_fpec_f7_model = {
	.name = "F7 sector controller",
	.reg_base = F4_REG_BASE,
	.ob_base = 0x1FFF0000U,
	.ob_size = 16U,
	.otp_base = 0x1FF0F000U,
	.otp_size = 1024U + 16U,
	F4_MODEL_OPS,
};
