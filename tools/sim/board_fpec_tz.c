/*
 * board_fpec_tz.c — the L5/U5 TrustZone flash controller (0x40022000,
 * secure alias 0x50022000; main flash also at the secure alias
 * 0x0C000000) as two board_flash_model instances (flash_model.h): its
 * non-secure and secure register sets, keys, programming and erase. The
 * option registers, RDP levels, TrustZone and write protection are in
 * board_fpec_tz_ob.c.
 *
 * Facts: RM0438 §6 (L552/562) and RM0456 §7 (U575/585) (the chapters are
 * certain; sub-section numbers here and below are unverified):
 * - two register sets: NSKEYR/NSSR/NSCR drive non-secure pages,
 *   SECKEYR/SECSR/SECCR (secure access only) secure pages; with TZEN = 0
 *   every page is non-secure and the secure set reads as zero and ignores
 *   writes (RM0438 §6.3.2; RAZ/WI unverified);
 * - KEY1 then KEY2 into xKEYR clears xCR.LOCK, OPTKEY1/OPTKEY2 into
 *   OPTKEYR clears NSCR.OPTLOCK; a wrong key, or a key while already
 *   unlocked, is a bus error and locks until reset (RM0456 §7.3.5);
 * - the program unit: L5 a double word (two word stores), U5 a quad word
 *   (four word stores in address order; RM0456 §7.3.7); U5 BWR: a burst
 *   of 8 quad words (128 bytes; size unverified, reference §6); a
 *   narrower store is SIZERR, a store off the unit's next word PGAERR,
 *   a store without PG (or with PER/MER) or while an error flag is set
 *   PGSERR, a unit neither erased nor written with all zeros PROGERR, a
 *   protected or wrong-security page WRPERR (RM0456 §7.3.9);
 * - page erase PER with PNB and BKER, bank erase MER1/MER2 (RM0456
 *   §7.3.6); L5 pages are 4 KiB with DBANK = 0 (one bank) and 2 KiB with
 *   DBANK = 1 (two banks of 128 pages), U5 pages 8 KiB (RM0438 §6.2);
 * - BSY stalls flash reads and xCR writes while an operation runs.
 * Timings (all unverified: DS12736 and DS13086 were not at hand; the L4
 * typicals of DS11451 are taken, as src/target/part.c does): 82 us per
 * double or quad word (8 quad words per burst take 8 of them), page erase
 * 22 ms, bank erase 22.1 ms per bank; OPTSTRT the bench's t_ob_erase_ms
 * (plus a two-bank erase on an RDP regression).
 * Security as a debugger meets it: an access through a secure alias is
 * secure, any other non-secure; the debugger may make secure accesses only
 * with TZEN = 1 at RDP level 0 (board_fpec_tz_ob.c), the core always (it
 * runs Secure from reset; its non-secure world, the SAU/IDAU and GTZC are
 * not modelled, and its reads of the mapped flash are not filtered). A
 * non-secure read of a secure page reads zero; a write to a page of the
 * other world sets WRPERR in the set used.
 * Not modelled: ECC (ECCR reads 0), the U5 OPSR, HDP areas (SECWMxR2 are
 * stored only), SWAP_BANK (stored; the banks are not exchanged in the
 * address map), privilege (PRIVCFGR/PRIVBB), power-down keys (PDKEYR).
 */
#include <string.h>

#include "board_fpec_tz.h"

#define TZ_KEY1        0x45670123U
#define TZ_KEY2        0xCDEF89ABU
#define TZ_OPTKEY1     0x08192A3BU
#define TZ_OPTKEY2     0x4C5D6E7FU

#define TZ_REG_BASE    0x40022000U
#define TZ_FLASH_S     0x0C000000U
#define TZ_T_PROG_NS   82000U       /* unverified (L4: DS11451 t_prog typ) */
#define TZ_T_PAGE_NS   22000000U    /* unverified (L4: 22.02 ms) */
#define TZ_T_BANK_NS   22100000U    /* unverified (L4: 22.13 ms per bank) */
#define TZ_U5_BURST    128U
#define TZ_L5_ACR_MASK 0x0000E00FU  /* LATENCY[3:0], RUN_PD, SLEEP_PD, LVEN (RM0438 §6.9.1) */
#define TZ_U5_ACR_MASK 0x0000790FU  /* LATENCY, PRFTEN, LPM, PDREQ1/2, SLEEP_PD (RM0456 §7.9.1) */
#define TZ_OTP_BASE    0x0BFA0000U
#define TZ_OTP_SIZE    512U

/* ---- geometry ------------------------------------------------------------------ */

bool tz_u5(const sim_board *b)
{
	return b->part->flash_ctl == SIM_FLASH_U5;
}

bool tz_dual(const sim_board *b)
{
	if (tz_u5(b))
		return true;   /* U575/585 (2 MiB): always two banks (RM0456 §7.3.1) */
	return (b->tz.opt_f[TZ_O_OPTR] & TZ_OPTR_DBANK) != 0;
}

uint32_t tz_page_size(const sim_board *b)
{
	if (tz_u5(b))
		return 8192U;
	return tz_dual(b) ? 2048U : 4096U;
}

uint32_t tz_bank_size(const sim_board *b)
{
	return tz_dual(b) ? b->flash_size / 2U : b->flash_size;
}

void tz_page_of(const sim_board *b, uint32_t off, uint32_t *bank, uint32_t *page)
{
	uint32_t bs = tz_bank_size(b);

	*bank = off / bs;
	*page = (off % bs) / tz_page_size(b);
}

/* The program unit: L5 double word, U5 quad word, U5 burst with BWR. */
static uint32_t tz_unit(const sim_board *b, int set)
{
	if (!tz_u5(b))
		return 8U;
	return (b->tz.cr[set] & TZ_CR_BWR) ? TZ_U5_BURST : 16U;
}

/* ---- operations ------------------------------------------------------------------ */

static bool tz_busy(const sim_board *b)
{
	return b->tz.op != BOARD_OP_NONE;
}

static int64_t tz_busy_until(const sim_board *b)
{
	return b->tz.op_end;
}

void tz_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_fpectz *f = &b->tz;

	f->op = op;
	f->op_start = board_time(b);
	f->op_end = f->op_start + (int64_t)dur_ns;
}

static void tz_update(sim_board *b, int64_t t)
{
	board_fpectz *f = &b->tz;

	if (f->op == BOARD_OP_NONE || t < f->op_end)
		return;
	if (f->op == BOARD_OP_PAGE_ERASE || f->op == BOARD_OP_MASS_ERASE)
		board_flash_erase(b, f->op_addr, f->op_len);
	else if (f->op == BOARD_OP_OB_PROG)
		tz_ob_done(b);
	f->op = BOARD_OP_NONE;
	/* the set that started it gets EOP (strict: with or without EOPIE); both lose STRT */
	f->sr[f->op_set] |= TZ_SR_EOP;
	f->cr[TZ_NS] &= ~(TZ_CR_STRT | TZ_CR_OPTSTRT);
	f->cr[TZ_S] &= ~TZ_CR_STRT;
}

static void tz_reset(sim_board *b)
{
	board_fpectz *f = &b->tz;

	f->acr = 0;
	f->cr[TZ_NS] = TZ_CR_LOCK | TZ_CR_OPTLOCK;
	f->cr[TZ_S] = TZ_CR_LOCK;
	f->sr[TZ_NS] = f->sr[TZ_S] = 0;
	f->key_stage[0] = f->key_stage[1] = f->optkey_stage = 0;
	f->key_dead[0] = f->key_dead[1] = f->optkey_dead = false;
	f->op = BOARD_OP_NONE;
	f->buf_set = -1;
	f->buf_fill = 0;
	memset(f->secbb, 0, sizeof(f->secbb));   /* SECBBxRy reset to non-secure (RM0456 §7.9.27) */
	tz_ob_reset(b);
}

static bool tz_blocked(const sim_board *b)
{
	uint8_t l = b->tz.rdp_level;

	return (l == 1U || l == 2U) && b->dbg_attached;
}

static bool tz_dp_dead(const sim_board *b)
{
	return b->tz.rdp_level == 2U;
}

/* A non-secure read of a secure page reads as zero (illegal access; RM0456 §7.5.3). */
static bool tz_flash_readable(const sim_board *b, uint32_t off, bool secure)
{
	uint32_t bank, page;

	if (!b->tz.tzen)
		return !secure;   /* no secure alias without TrustZone (strict) */
	tz_page_of(b, off, &bank, &page);
	return secure == tz_page_secure(b, bank, page);
}

/* Refused: the flag in the set's SR, nothing changes, STRT drops. */
static void tz_refuse(sim_board *b, int set, uint32_t flag)
{
	b->tz.sr[set] |= flag;
	b->tz.cr[set] &= ~TZ_CR_STRT;
}

/* A page (bank, page) the set may change: not protected, of its security. */
static uint32_t tz_page_check(const sim_board *b, int set, uint32_t bank, uint32_t page)
{
	if (tz_page_protected(b, bank, page))
		return TZ_SR_WRPERR;
	if (b->tz.tzen && tz_page_secure(b, bank, page) != (set == TZ_S))
		return TZ_SR_WRPERR;   /* the other set's page (RM0456 §7.5.4) */
	return 0;
}

static void tz_start_page_erase(sim_board *b, int set)
{
	board_fpectz *f = &b->tz;
	uint32_t cr = f->cr[set], page = (cr & TZ_CR_PNB) >> TZ_CR_PNB_SH;
	uint32_t bank = tz_dual(b) && (cr & TZ_CR_BKER) ? 1U : 0U, err;
	uint32_t ps = tz_page_size(b);

	if ((uint64_t)page * ps >= tz_bank_size(b)) {
		tz_refuse(b, set, TZ_SR_PGSERR);   /* strict: no such page */
		return;
	}
	err = tz_page_check(b, set, bank, page);
	if (err != 0) {
		tz_refuse(b, set, err);
		return;
	}
	f->op_addr = bank * tz_bank_size(b) + page * ps;
	f->op_len = ps;
	f->op_set = set;
	tz_start(b, BOARD_OP_PAGE_ERASE, TZ_T_PAGE_NS);
}

/* Every page of the bank allowed to the set? A non-secure bank erase stops at a secure page. */
static uint32_t tz_bank_check(const sim_board *b, int set, uint32_t bank)
{
	uint32_t n = tz_bank_size(b) / tz_page_size(b);

	for (uint32_t p = 0; p < n; p++) {
		if (tz_page_protected(b, bank, p))
			return TZ_SR_WRPERR;
		/* strict: a secure mass erase of non-secure pages is allowed (RM0456 §7.5.4) */
		if (set == TZ_NS && b->tz.tzen && tz_page_secure(b, bank, p))
			return TZ_SR_WRPERR;
	}
	return 0;
}

static void tz_start_mass_erase(sim_board *b, int set)
{
	board_fpectz *f = &b->tz;
	uint32_t cr = f->cr[set], bs = tz_bank_size(b), err = 0;
	bool b1 = (cr & TZ_CR_MER1) != 0, b2 = (cr & TZ_CR_MER2) != 0;

	if (!tz_dual(b) && b2 && !b1) {
		tz_refuse(b, set, TZ_SR_PGSERR);   /* strict: one bank, MER2 alone names nothing */
		return;
	}
	if (!tz_dual(b))
		b2 = false;
	if (b1)
		err = tz_bank_check(b, set, 0);
	if (err == 0 && b2)
		err = tz_bank_check(b, set, 1);
	if (err != 0) {
		tz_refuse(b, set, err);
		return;
	}
	f->op_addr = b1 ? 0 : bs;
	f->op_len = (b1 ? bs : 0) + (b2 ? bs : 0);
	f->op_set = set;
	tz_start(b, BOARD_OP_MASS_ERASE, (uint64_t)TZ_T_BANK_NS * ((b1 && b2) ? 2U : 1U));
}

/* STRT: exactly one of PER, MER1|MER2 and no PG, no error flag pending (RM0456 §7.3.9). */
static void tz_start_erase(sim_board *b, int set)
{
	uint32_t cr = b->tz.cr[set];
	bool mer = (cr & (TZ_CR_MER1 | TZ_CR_MER2)) != 0, per = (cr & TZ_CR_PER) != 0;

	if (tz_blocked(b))
		tz_refuse(b, set, TZ_SR_WRPERR);   /* RDP level 1 with a debugger (RM0456 §7.6.2) */
	else if ((cr & TZ_CR_PG) || per == mer || (b->tz.sr[set] & TZ_SR_ERRS) || b->tz.buf_set >= 0)
		tz_refuse(b, set, TZ_SR_PGSERR);
	else if (per)
		tz_start_page_erase(b, set);
	else
		tz_start_mass_erase(b, set);
}

/* ---- registers ------------------------------------------------------------------ */

static uint32_t tz_read_sr(sim_board *b, int set)
{
	board_fpectz *f = &b->tz;
	uint32_t v = f->sr[set];

	if (f->op != BOARD_OP_NONE)
		v |= TZ_SR_BSY;
	if (tz_u5(b) && f->buf_set == set)
		v |= TZ_SR_WDW;
	if (tz_u5(b) && set == TZ_NS && (f->opt_f[TZ_O_OEM1] | f->opt_f[TZ_O_OEM1 + 1]) != 0)
		v |= TZ_SR_OEM1LOCK;
	if (tz_u5(b) && set == TZ_NS && (f->opt_f[TZ_O_OEM2] | f->opt_f[TZ_O_OEM2 + 1]) != 0)
		v |= TZ_SR_OEM2LOCK;
	return v;
}

/* The secure registers: secure access with TrustZone on; otherwise RAZ/WI (unverified). */
static bool tz_sec_reg_ok(const sim_board *b)
{
	return b->tz.tzen && b->bus_secure;
}

static board_bus tz_reg_read(sim_board *b, uint32_t off, uint32_t *val, bool core)
{
	board_fpectz *f = &b->tz;

	tz_update(b, board_time(b));
	*val = 0;
	switch (off) {
	case TZ_ACR: *val = f->acr; break;
	case TZ_NSSR:
		*val = tz_read_sr(b, TZ_NS);
		if (core && f->op != BOARD_OP_NONE)
			board_core_spin(b, f->op_end);
		break;
	case TZ_SECSR:
		if (tz_sec_reg_ok(b))
			*val = tz_read_sr(b, TZ_S);
		if (core && f->op != BOARD_OP_NONE)
			board_core_spin(b, f->op_end);
		break;
	case TZ_NSCR: *val = f->cr[TZ_NS]; break;
	case TZ_SECCR: *val = tz_sec_reg_ok(b) ? f->cr[TZ_S] : 0U; break;
	default:
		if (off >= TZ_OPTR && off < TZ_OEM_END)
			tz_opt_reg_read(b, off, val, b->bus_secure);
		else if (off >= TZ_SECBB1 && off < TZ_SECBB2 + 0x10U && (off & 0x1FU) < 0x10U)
			*val = tz_sec_reg_ok(b) ? f->secbb[off >= TZ_SECBB2][(off & 0xFU) / 4U] : 0U;
		break;   /* keys read 0; ECCR/OPSR: no ECC event is modelled */
	}
	return BOARD_BUS_OK;
}

/* KEY1 then KEY2; a wrong key or a key while unlocked: bus error, locked until reset. */
static board_bus tz_key(unsigned *stage, bool *dead, bool unlocked, uint32_t val, uint32_t k1,
			uint32_t k2)
{
	uint32_t want = *stage == 0 ? k1 : k2;

	if (*dead || unlocked || val != want) {
		*dead = true;
		*stage = 0;
		return BOARD_BUS_FAULT;
	}
	*stage = *stage == 0 ? 1U : 0U;
	return BOARD_BUS_OK;
}

static board_bus tz_write_key(sim_board *b, int set, uint32_t val)
{
	board_fpectz *f = &b->tz;
	board_bus r = tz_key(&f->key_stage[set], &f->key_dead[set], !(f->cr[set] & TZ_CR_LOCK), val,
			     TZ_KEY1, TZ_KEY2);

	if (r == BOARD_BUS_OK && f->key_stage[set] == 0)
		f->cr[set] &= ~TZ_CR_LOCK;
	return r;
}

/* OPTKEYR: only while NSCR is unlocked (RM0456 §7.4.2). */
static board_bus tz_write_optkey(sim_board *b, uint32_t val)
{
	board_fpectz *f = &b->tz;
	board_bus r;

	if (f->cr[TZ_NS] & TZ_CR_LOCK)
		return BOARD_BUS_OK;
	r = tz_key(&f->optkey_stage, &f->optkey_dead, !(f->cr[TZ_NS] & TZ_CR_OPTLOCK), val,
		   TZ_OPTKEY1, TZ_OPTKEY2);
	if (r == BOARD_BUS_OK && f->optkey_stage == 0)
		f->cr[TZ_NS] &= ~TZ_CR_OPTLOCK;
	return r;
}

static uint32_t tz_cr_mask(const sim_board *b, int set)
{
	uint32_t m = TZ_CR_PG | TZ_CR_PER | TZ_CR_MER1 | TZ_CR_PNB | TZ_CR_BKER | TZ_CR_MER2 |
		     TZ_CR_STRT | TZ_CR_EOPIE | TZ_CR_ERRIE | TZ_CR_LOCK;

	if (tz_u5(b))
		m |= TZ_CR_BWR;
	if (set == TZ_NS)
		m |= TZ_CR_OPTSTRT | TZ_CR_OBL_LAUNCH | TZ_CR_OPTLOCK;
	return m;
}

/*
 * OBL_LAUNCH (NSCR b27, with OPTLOCK clear): reload the option bytes,
 * which resets the system (RM0456 §7.4.2); the debugger's write gets no
 * answer: the ST-Link reports a DP error (reference §6; OpenOCD's
 * obl_launch ignores it). The debug port answers again afterwards.
 */
static board_bus tz_obl_launch(sim_board *b, bool core)
{
	b->tz.cr[TZ_NS] &= ~TZ_CR_OBL_LAUNCH;
	if (core) {
		b->core.stop = BOARD_STOP_RESET;
		return BOARD_BUS_OK;
	}
	board_system_reset(b, board_time(b));
	b->dp_error_once = true;
	return BOARD_BUS_FAULT;
}

static board_bus tz_write_cr(sim_board *b, int set, uint32_t val, bool core)
{
	board_fpectz *f = &b->tz;
	uint32_t m = tz_cr_mask(b, set), keep = f->cr[set] & TZ_CR_OPTLOCK;

	if (f->cr[set] & TZ_CR_LOCK)
		return BOARD_BUS_OK;   /* LOCK makes xCR read-only until the keys (RM0456 §7.3.5) */
	if (keep)
		m &= ~(TZ_CR_OPTSTRT | TZ_CR_OBL_LAUNCH);
	f->cr[set] = (val & m) | keep;
	if (f->cr[set] & TZ_CR_LOCK)
		f->cr[set] |= set == TZ_NS ? TZ_CR_OPTLOCK : 0U;   /* LOCK also locks the options */
	if (f->cr[set] & TZ_CR_LOCK)
		return BOARD_BUS_OK;
	if (!(f->cr[set] & TZ_CR_PG) && f->buf_set == set)
		f->buf_set = -1;   /* strict: PG dropped mid-unit abandons it */
	if (set == TZ_NS && (f->cr[set] & TZ_CR_OBL_LAUNCH))
		return tz_obl_launch(b, core);
	if (set == TZ_NS && (f->cr[set] & TZ_CR_OPTSTRT)) {
		uint32_t err = (f->sr[TZ_NS] & TZ_SR_ERRS) ? TZ_SR_PGSERR : tz_ob_start(b);
		if (err != 0) {
			f->sr[TZ_NS] |= err;
			f->cr[TZ_NS] &= ~TZ_CR_OPTSTRT;
		}
		return BOARD_BUS_OK;
	}
	if (f->cr[set] & TZ_CR_STRT)
		tz_start_erase(b, set);
	return BOARD_BUS_OK;
}

static board_bus tz_reg_write(sim_board *b, uint32_t off, uint32_t val, bool core)
{
	board_fpectz *f = &b->tz;
	bool sec = tz_sec_reg_ok(b);

	tz_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE && (off == TZ_NSCR || off == TZ_SECCR || off >= TZ_OPTR))
		return BOARD_BUS_STALL;   /* writes wait while BSY */
	switch (off) {
	case TZ_ACR:
		f->acr = val & (tz_u5(b) ? TZ_U5_ACR_MASK : TZ_L5_ACR_MASK);
		board_clock_flash_changed(b);
		return BOARD_BUS_OK;
	case TZ_NSKEYR: return tz_write_key(b, TZ_NS, val);
	case TZ_SECKEYR: return sec ? tz_write_key(b, TZ_S, val) : BOARD_BUS_OK;
	case TZ_OPTKEYR: return tz_write_optkey(b, val);
	case TZ_NSSR: f->sr[TZ_NS] &= ~(val & TZ_SR_W1C); return BOARD_BUS_OK;
	case TZ_SECSR:
		if (sec)
			f->sr[TZ_S] &= ~(val & TZ_SR_W1C & ~TZ_SR_OPTWERR);
		return BOARD_BUS_OK;
	case TZ_NSCR: return tz_write_cr(b, TZ_NS, val, core);
	case TZ_SECCR: return sec ? tz_write_cr(b, TZ_S, val, core) : BOARD_BUS_OK;
	default: break;
	}
	if (off >= TZ_OPTR && off < TZ_OEM_END) {
		if (!(f->cr[TZ_NS] & TZ_CR_OPTLOCK))
			tz_opt_reg_write(b, off, val, b->bus_secure);
	} else if (off >= TZ_SECBB1 && off < TZ_SECBB2 + 0x10U && (off & 0x1FU) < 0x10U && sec) {
		f->secbb[off >= TZ_SECBB2][(off & 0xFU) / 4U] = val;
	}
	return BOARD_BUS_OK;
}

/* ---- programming ---------------------------------------------------------------- */

/* The checks of a store that starts or continues a unit: 0 or the SR flag. */
static uint32_t tz_store_check(const sim_board *b, int set, uint32_t off, unsigned size)
{
	const board_fpectz *f = &b->tz;
	uint32_t cr = f->cr[set], unit = tz_unit(b, set);

	if ((cr & TZ_CR_LOCK) || !(cr & TZ_CR_PG) || (cr & (TZ_CR_PER | TZ_CR_MER1 | TZ_CR_MER2)))
		return TZ_SR_PGSERR;
	if (f->sr[set] & TZ_SR_ERRS)
		return TZ_SR_PGSERR;   /* errors of an earlier operation not cleared */
	if (size != 4U)
		return TZ_SR_SIZERR;
	if (f->buf_set >= 0 && (f->buf_set != set || off != f->buf_off + f->buf_fill))
		return TZ_SR_PGAERR;   /* not the next word of the unit being filled */
	if (f->buf_set < 0 && (off & (unit - 1U)))
		return TZ_SR_PGAERR;   /* a unit starts at its own alignment */
	return 0;
}

/* The unit is complete: program it (AND with the cells), unless not erased (PROGERR). */
static void tz_program(sim_board *b, uint8_t *cells, bool otp)
{
	board_fpectz *f = &b->tz;
	int set = f->buf_set;
	uint32_t n = f->buf_len;

	f->buf_set = -1;
	for (uint32_t q = 0; q < n; q += 8U) {   /* each double word: erased, or all zero written */
		bool erased = true, zero = true;
		for (uint32_t i = q; i < q + 8U; i++) {
			erased = erased && cells[i] == 0xFFU;
			zero = zero && f->buf[i] == 0;
		}
		if (!erased && !zero) {
			f->sr[set] |= TZ_SR_PROGERR;
			return;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		f->op_old[i] = cells[i];
		uint8_t v = (uint8_t)(cells[i] & f->buf[i]);
		cells[i] = otp ? v : board_flash_stuck(b, f->buf_off + i, v);
	}
	f->op_addr = f->buf_off;
	f->op_len = n;
	f->op_set = set;
	tz_start(b, otp ? BOARD_OP_OTP_PROG : BOARD_OP_PROG,
		 b->cfg.timing.t_prog_ns * (n > 16U ? n / 16U : 1U));
	if (!otp)
		board_core_dirty_flash(b, f->buf_off, n);
}

/* One word store into the unit; when the unit is full it programs. */
static void tz_fill(sim_board *b, int set, uint32_t off, uint32_t val, uint8_t *base, bool otp)
{
	board_fpectz *f = &b->tz;

	if (f->buf_set < 0) {
		f->buf_set = set;
		f->buf_off = off;
		f->buf_fill = 0;
		f->buf_len = tz_unit(b, set);
		f->buf_otp = otp;
	}
	board_le_put(f->buf + f->buf_fill, 4, val);
	f->buf_fill += 4U;
	if (f->buf_fill == f->buf_len)
		tz_program(b, base + f->buf_off, otp);
}

static board_bus tz_flash_write(sim_board *b, uint32_t off, unsigned size, uint32_t val)
{
	board_fpectz *f = &b->tz;
	int set = b->bus_secure ? TZ_S : TZ_NS;
	uint32_t err, bank, page;

	tz_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	if (tz_blocked(b))
		return BOARD_BUS_FAULT;   /* RDP level 1 with a debugger: bus error */
	if (set == TZ_S && !f->tzen)
		return BOARD_BUS_FAULT;
	err = tz_store_check(b, set, off, size);
	if (err == 0 && f->buf_set < 0) {
		tz_page_of(b, off, &bank, &page);
		err = off + tz_unit(b, set) > b->flash_size ? TZ_SR_WRPERR
							    : tz_page_check(b, set, bank, page);
	}
	if (err != 0) {
		if (f->buf_set == set)
			f->buf_set = -1;   /* the unit is abandoned */
		f->sr[set] |= err;
		return BOARD_BUS_OK;
	}
	tz_fill(b, set, off, val, b->flash, false);
	return BOARD_BUS_OK;
}

/* OTP (512 bytes at 0x0BFA0000): programmed like flash, never erased (RM0456 §7.3.8). */
static board_bus tz_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	board_fpectz *f = &b->tz;
	uint32_t off = addr - TZ_OTP_BASE, err;

	tz_update(b, board_time(b));
	if (f->op != BOARD_OP_NONE)
		return BOARD_BUS_STALL;
	err = tz_store_check(b, TZ_NS, off, size);
	if (err == 0 && f->buf_set < 0 && tz_unit(b, TZ_NS) > 16U)
		err = TZ_SR_PGSERR;   /* strict: no burst into OTP */
	if (err != 0) {
		if (f->buf_set == TZ_NS)
			f->buf_set = -1;
		f->sr[TZ_NS] |= err;
		return BOARD_BUS_OK;
	}
	tz_fill(b, TZ_NS, off, val, b->otp, true);
	return BOARD_BUS_OK;
}

static board_bus tz_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = board_le_get(b->otp + (addr - TZ_OTP_BASE), size);
	return BOARD_BUS_OK;
}

static unsigned tz_latency(const sim_board *b)
{
	return b->tz.acr & 0xFU;
}

/* ---- power loss ------------------------------------------------------------------ */

static void tz_power_loss(sim_board *b, int64_t t)
{
	board_fpectz *f = &b->tz;
	int64_t done = t - f->op_start, total = f->op_end - f->op_start;
	uint64_t part = total > 0 ? (uint64_t)done * 256U / (uint64_t)total : 256U;

	tz_update(b, t);
	if (f->op == BOARD_OP_PROG || f->op == BOARD_OP_OTP_PROG) {
		/* cut early: the cells keep their old value (strict: the whole unit) */
		uint8_t *p = (f->op == BOARD_OP_PROG ? b->flash : b->otp) + f->op_addr;
		if (part < 128U)
			memcpy(p, f->op_old, f->op_len);
		if (f->op == BOARD_OP_PROG)
			board_core_dirty_flash(b, f->op_addr, f->op_len);
	} else if (f->op == BOARD_OP_PAGE_ERASE || f->op == BOARD_OP_MASS_ERASE) {
		board_flash_erase(b, f->op_addr, (uint32_t)((uint64_t)f->op_len * part / 256U));
	} else if (f->op == BOARD_OP_OB_PROG && f->op_regress) {
		board_flash_erase(b, 0, (uint32_t)((uint64_t)b->flash_size * part / 256U));
	}
	f->op = BOARD_OP_NONE;
	f->buf_set = -1;
}

/* ---- the models ------------------------------------------------------------------ */

uint64_t tz_mass_ns(const sim_board *b)
{
	return (uint64_t)TZ_T_BANK_NS * (tz_dual(b) ? 2U : 1U);
}

#define TZ_MODEL_OPS \
	.reg_base = TZ_REG_BASE, \
	.ob_base = TZ_OTP_BASE + 0x800U, \
	.ob_size = 0, \
	.otp_base = TZ_OTP_BASE, \
	.otp_size = TZ_OTP_SIZE, \
	.ob_file_len = BOARD_TZ_OPT_N * 4U, \
	.t_prog_ns = TZ_T_PROG_NS, \
	.ob_new = tz_ob_new, \
	.reset = tz_reset, \
	.update = tz_update, \
	.busy = tz_busy, \
	.busy_until = tz_busy_until, \
	.reg_read = tz_reg_read, \
	.reg_write = tz_reg_write, \
	.flash_write = tz_flash_write, \
	.opt_read = tz_opt_read, \
	.opt_write = tz_opt_write, \
	.blocked = tz_blocked, \
	.dp_dead = tz_dp_dead, \
	.latency = tz_latency, \
	.power_loss = tz_power_loss, \
	.sec_flash_base = TZ_FLASH_S, \
	.sec_ok = tz_secure_ok, \
	.flash_readable = tz_flash_readable

const board_flash_model board_fpec_l5_model = {
	.name = "L5 TrustZone controller",
	TZ_MODEL_OPS,
};

const board_flash_model board_fpec_u5_model = {
	.name = "U5 TrustZone controller",
	TZ_MODEL_OPS,
};
