/*
 * board_fpec_h7_ob.c — the option registers of the H7 flash controller
 * (board_fpec_h7.c): OPTKEYR, OPTCR (OPTLOCK, OPTSTART, MER, SWAP_BANK in
 * force), OPTSR_CUR/OPTSR_PRG (RDP, BCM4/BCM7 on dual-core parts,
 * SWAP_BANK_OPT, user bits), OPTCCR, WPSN_CUR/PRG per bank, BOOT_CUR/PRG,
 * BOOT4_CUR/PRG on the dual-core parts (a single-core part has no such
 * register: it reads 0 and ignores writes, the stricter reading of a
 * reserved offset), PRAR/SCAR (stored, not enforced) and their file
 * option_bytes.bin.
 *
 * Facts: RM0433 §4.4 (option bytes: OPTSTART programs the _PRG values and
 * loads them into the _CUR registers when OPT_BUSY clears; there is no
 * OBL_LAUNCH; SWAP_BANK in OPTCR follows SWAP_BANK_OPT only after a reset;
 * OPTCHANGEERR when a change is refused), §4.5 (RDP 0xAA level 0, 0xCC
 * level 2 (final), anything else level 1; 1 -> 0 erases both banks first;
 * WPSN bit clear protects the sector), §4.3.10 (OPTCR.MER erases both
 * banks), §4.9.7-§4.9.20 (bits). Dual core (RM0399 §4.4): BCM7/BCM4 say
 * which core boots; BOOT_CUR is then BOOT7 (the CM7's addresses).
 * Factory values (unverified: from the RM's register reset values as
 * remembered): OPTSR 0x0006AAD0 (IWDG1_SW, NRST_STOP_D1, NRST_STBY_D1,
 * RDP 0xAA, FZ_IWDG_STOP/SDBY), dual core also IWDG2_SW, BCM4, BCM7,
 * NRST_STOP_D2/STBY_D2 (0x03C6AAF0); WPSN 0xFF; BOOT 0x1FF00800 (CM7 boot
 * from 0x08000000, or system memory with BOOT0 high); dual core BOOT4
 * 0x10000810 (CM4 boot from bank 2 at 0x08100000, or D2 SRAM at
 * 0x10000000: the reset value in ST's register description files,
 * unverified against RM0399 §4.9); PRAR/SCAR 0xFF (the area empty: start
 * above end).
 * Times: an option change takes the bench's t_ob_erase_ns (ChromiumOS EC
 * flash-stm32h7.c: "around 300 ms" in practice), plus a bank erase when
 * RDP goes from 1 to 0 (both banks erase in parallel; unverified).
 */
#include "board_fpec_h7.h"

/* option_bytes.bin words */
#define OB_OPTSR         0U
#define OB_WPSN1         4U
#define OB_WPSN2         8U
#define OB_BOOT          12U
#define OB_PRAR1         16U
#define OB_PRAR2         20U
#define OB_SCAR1         24U
#define OB_SCAR2         28U
#define OB_BOOT4         32U

#define OPTSR_FACTORY    0x0006AAD0U
#define OPTSR_DUAL       0x03C00020U   /* IWDG2_SW, BCM4, BCM7, NRST_STOP_D2, NRST_STBY_D2 */
/* bits OPTSR_PRG keeps (single core: no BCMx, IWDG2_SW, NRST_*_D2) */
#define OPTSR_MASK       0xA03EFFFCU
#define OPTCCR_CLR_ERR   (1U << 30)
#define BOOT_FACTORY     0x1FF00800U
#define BOOT4_FACTORY    0x10000810U
#define AREA_EMPTY       0x000000FFU
#define WPSN_MASK        0xFFU

static uint32_t ob_get(const sim_board *b, uint32_t at)
{
	return board_le_get(b->ob + at, 4);
}

static uint32_t ob_optsr_mask(const sim_board *b)
{
	return OPTSR_MASK | (board_dual_core(b) ? OPTSR_DUAL : 0U);
}

void h7_ob_new(const sim_board *b, uint8_t *img)
{
	uint32_t optsr = OPTSR_FACTORY | (board_dual_core(b) ? OPTSR_DUAL : 0U);

	if (b->cfg.rdp)
		optsr = (optsr & ~(0xFFU << H7_OPTSR_RDP_SH)) | H7_RDP_L1 << H7_OPTSR_RDP_SH;
	for (unsigned i = 0; i < H7_OB_FILE_LEN; i++)
		img[i] = 0;   /* reserved words, and the ECC map: every word consistent */
	board_le_put(img + OB_OPTSR, 4, optsr);
	board_le_put(img + OB_WPSN1, 4, b->cfg.wrp & WPSN_MASK);
	board_le_put(img + OB_WPSN2, 4, (b->cfg.wrp >> 8) & WPSN_MASK);
	board_le_put(img + OB_BOOT, 4, BOOT_FACTORY);
	board_le_put(img + OB_BOOT4, 4, board_dual_core(b) ? BOOT4_FACTORY : 0U);
	board_le_put(img + OB_PRAR1, 4, AREA_EMPTY);
	board_le_put(img + OB_PRAR2, 4, AREA_EMPTY);
	board_le_put(img + OB_SCAR1, 4, AREA_EMPTY);
	board_le_put(img + OB_SCAR2, 4, AREA_EMPTY);
}

/* The option words in force become the _CUR registers (and the _PRG ones read them back). */
static void ob_load(sim_board *b)
{
	board_fpech7 *h = &b->h7;
	uint32_t rdp;

	h->optsr_cur = ob_get(b, OB_OPTSR) & ~(H7_OPTSR_BUSY | H7_OPTSR_CHANGEERR);
	h->optsr_prg = h->optsr_cur;
	h->wpsn_cur[0] = h->wpsn_prg[0] = ob_get(b, OB_WPSN1) & WPSN_MASK;
	h->wpsn_cur[1] = h->wpsn_prg[1] = ob_get(b, OB_WPSN2) & WPSN_MASK;
	h->boot_cur = h->boot_prg = ob_get(b, OB_BOOT);
	h->boot4_cur = h->boot4_prg = ob_get(b, OB_BOOT4);
	h->prar_prg[0] = ob_get(b, OB_PRAR1);
	h->prar_prg[1] = ob_get(b, OB_PRAR2);
	h->scar_prg[0] = ob_get(b, OB_SCAR1);
	h->scar_prg[1] = ob_get(b, OB_SCAR2);
	rdp = (h->optsr_cur >> H7_OPTSR_RDP_SH) & 0xFFU;
	h->rdp_level = rdp == H7_RDP_L0 ? 0 : rdp == H7_RDP_L2 ? 2 : 1;
}

/* Reset: the option words load; SWAP_BANK follows SWAP_BANK_OPT only here (RM0433 §4.3.13). */
void h7_ob_reset(sim_board *b)
{
	board_fpech7 *h = &b->h7;

	ob_load(b);
	h->optkey_stage = 0;
	h->optkey_dead = false;
	h->ob_op = BOARD_OP_NONE;
	h->ob_regress = false;
	h->swapped = (h->optsr_cur & H7_OPTSR_SWAP) != 0 && h7_dual(b);
	h->optcr = H7_OPTCR_OPTLOCK | (h->swapped ? H7_OPTCR_SWAP : 0U);
}

/* RDP or a mapping changed: a running core sees flash anew from its next run. */
static void ob_remap(sim_board *b)
{
	if (b->core.in_emu)
		board_core_stop_by(b, board_core_now(b));
	else
		board_core_map_flash(b);
}

static void ob_commit(sim_board *b)
{
	board_fpech7 *h = &b->h7;

	board_le_put(b->ob + OB_OPTSR, 4, h->optsr_prg & ob_optsr_mask(b));
	board_le_put(b->ob + OB_WPSN1, 4, h->wpsn_prg[0]);
	board_le_put(b->ob + OB_WPSN2, 4, h->wpsn_prg[1]);
	board_le_put(b->ob + OB_BOOT, 4, h->boot_prg);
	board_le_put(b->ob + OB_BOOT4, 4, h->boot4_prg);
	board_le_put(b->ob + OB_PRAR1, 4, h->prar_prg[0]);
	board_le_put(b->ob + OB_PRAR2, 4, h->prar_prg[1]);
	board_le_put(b->ob + OB_SCAR1, 4, h->scar_prg[0]);
	board_le_put(b->ob + OB_SCAR2, 4, h->scar_prg[1]);
	ob_load(b);
	ob_remap(b);
}

void h7_ob_update(sim_board *b, int64_t t)
{
	board_fpech7 *h = &b->h7;

	if (h->ob_op == BOARD_OP_NONE || t < h->ob_end)
		return;
	if (h->ob_op == BOARD_OP_OB_PROG) {
		if (h->ob_regress)
			h7_erase(b, 0, b->flash_size);
		ob_commit(b);
	}
	h->ob_op = BOARD_OP_NONE;
	h->ob_regress = false;
	h->optcr &= ~(H7_OPTCR_OPTSTART | H7_OPTCR_MER);
}

static void ob_start(sim_board *b, board_op op, uint64_t dur_ns)
{
	board_fpech7 *h = &b->h7;

	h->ob_op = op;
	h->ob_start = board_time(b);
	h->ob_end = h->ob_start + (int64_t)dur_ns;
}

/* OPTSTART (RM0433 §4.4.3): refused at RDP level 2, which is final. */
static void ob_start_prog(sim_board *b)
{
	board_fpech7 *h = &b->h7;
	uint32_t rdp_new = (h->optsr_prg >> H7_OPTSR_RDP_SH) & 0xFFU;

	if (h->rdp_level == 2) {
		h->optcr &= ~H7_OPTCR_OPTSTART;
		h->optsr_cur |= H7_OPTSR_CHANGEERR;
		return;
	}
	h->ob_regress = h->rdp_level == 1 && rdp_new == H7_RDP_L0;
	ob_start(b, BOARD_OP_OB_PROG, b->cfg.timing.t_ob_erase_ns +
		 (h->ob_regress ? h7_bank_erase_ns(&h->bank[0]) : 0U));
}

static bool ob_any_protected(const sim_board *b)
{
	return b->h7.wpsn_cur[0] != WPSN_MASK || (h7_dual(b) && b->h7.wpsn_cur[1] != WPSN_MASK);
}

/* MER: both banks at once, each its BSY; one bank's time (RM0433 §4.3.10). */
static void ob_start_mer(sim_board *b)
{
	board_fpech7 *h = &b->h7;
	unsigned n = h7_dual(b) ? 2U : 1U;
	uint64_t dur = h7_bank_erase_ns(&h->bank[0]);

	if (ob_any_protected(b) || (h->rdp_level >= 1 && b->dbg_attached)) {
		for (unsigned i = 0; i < n; i++)
			h->bank[i].sr |= H7_SR_WRPERR;   /* strict: nothing is erased */
		h->optcr &= ~H7_OPTCR_MER;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		board_h7bank *k = &h->bank[i];
		k->op = BOARD_OP_MASS_ERASE;
		k->op_addr = i * h7_bank_size(b);
		k->op_len = h7_bank_size(b);
		k->op_start = board_time(b);
		k->op_end = k->op_start + (int64_t)dur;
	}
	ob_start(b, BOARD_OP_MASS_ERASE, dur);
}

static bool ob_banks_busy(const sim_board *b)
{
	return b->h7.bank[0].op != BOARD_OP_NONE || b->h7.bank[1].op != BOARD_OP_NONE;
}

static board_bus ob_write_optcr(sim_board *b, uint32_t val)
{
	board_fpech7 *h = &b->h7;

	if (h->optcr & H7_OPTCR_OPTLOCK)
		return BOARD_BUS_OK;   /* read-only while OPTLOCK (RM0433 §4.9.7) */
	if (h->ob_op != BOARD_OP_NONE || ((val & (H7_OPTCR_OPTSTART | H7_OPTCR_MER)) && ob_banks_busy(b)))
		return BOARD_BUS_STALL;   /* strict: waits for the running operation */
	h->optcr = (h->optcr & H7_OPTCR_SWAP) | (val & H7_OPTCR_WMASK);
	if (h->optcr & H7_OPTCR_OPTLOCK)
		return BOARD_BUS_OK;
	if (val & H7_OPTCR_MER)
		ob_start_mer(b);
	else if (val & H7_OPTCR_OPTSTART) {
		h->optcr |= H7_OPTCR_OPTSTART;
		ob_start_prog(b);
	}
	return BOARD_BUS_OK;
}

static board_bus ob_write_optkeyr(sim_board *b, uint32_t val)
{
	board_fpech7 *h = &b->h7;
	board_bus r = h7_key(&h->optkey_stage, &h->optkey_dead, val, H7_OPTKEY1, H7_OPTKEY2,
			     (h->optcr & H7_OPTCR_OPTLOCK) != 0);

	if (r == BOARD_BUS_OK && h->optkey_stage == 0)
		h->optcr &= ~H7_OPTCR_OPTLOCK;
	return r;
}

/* _PRG registers are writable only with OPTLOCK clear and no change running. */
static bool ob_prg_open(const sim_board *b)
{
	return !(b->h7.optcr & H7_OPTCR_OPTLOCK) && b->h7.ob_op == BOARD_OP_NONE;
}

board_bus h7_ob_write(sim_board *b, unsigned bank, uint32_t off, uint32_t val)
{
	board_fpech7 *h = &b->h7;

	switch (off) {
	case H7_OPTKEYR: return ob_write_optkeyr(b, val);
	case H7_OPTCR: return ob_write_optcr(b, val);
	case H7_OPTCCR:
		if (val & OPTCCR_CLR_ERR)
			h->optsr_cur &= ~H7_OPTSR_CHANGEERR;
		break;
	case H7_OPTSR_PRG:
		if (ob_prg_open(b))
			h->optsr_prg = val & ob_optsr_mask(b);
		break;
	case H7_WPSN_PRG: if (ob_prg_open(b)) h->wpsn_prg[bank] = val & WPSN_MASK; break;
	case H7_PRAR_PRG: if (ob_prg_open(b)) h->prar_prg[bank] = val; break;
	case H7_SCAR_PRG: if (ob_prg_open(b)) h->scar_prg[bank] = val; break;
	case H7_BOOT_PRG: if (ob_prg_open(b)) h->boot_prg = val; break;
	case H7_BOOT4_PRG: if (ob_prg_open(b) && board_dual_core(b)) h->boot4_prg = val; break;
	default: break;   /* _CUR registers are read-only */
	}
	return BOARD_BUS_OK;
}

board_bus h7_ob_read(sim_board *b, unsigned bank, uint32_t off, uint32_t *val)
{
	const board_fpech7 *h = &b->h7;
	uint32_t busy = h->ob_op == BOARD_OP_OB_PROG ? H7_OPTSR_BUSY : 0U;

	switch (off) {
	case H7_OPTCR: *val = h->optcr; break;
	case H7_OPTSR_CUR: *val = h->optsr_cur | busy; break;
	case H7_OPTSR_PRG: *val = h->optsr_prg; break;
	case H7_WPSN_CUR: *val = h->wpsn_cur[bank]; break;
	case H7_WPSN_PRG: *val = h->wpsn_prg[bank]; break;
	case H7_BOOT_CUR: *val = h->boot_cur; break;
	case H7_BOOT_PRG: *val = h->boot_prg; break;
	case H7_BOOT4_CUR: *val = board_dual_core(b) ? h->boot4_cur : 0U; break;
	case H7_BOOT4_PRG: *val = board_dual_core(b) ? h->boot4_prg : 0U; break;
	case H7_PRAR_CUR: *val = ob_get(b, bank ? OB_PRAR2 : OB_PRAR1); break;
	case H7_PRAR_PRG: *val = h->prar_prg[bank]; break;
	case H7_SCAR_CUR: *val = ob_get(b, bank ? OB_SCAR2 : OB_SCAR1); break;
	case H7_SCAR_PRG: *val = h->scar_prg[bank]; break;
	default: *val = 0; break;   /* KEYR/OPTKEYR are write-only and read 0 */
	}
	return BOARD_BUS_OK;
}

/* A power loss during OPTSTART leaves the old option words (RDP 1 after a half regression). */
void h7_ob_power_loss(sim_board *b, int64_t t)
{
	board_fpech7 *h = &b->h7;
	int64_t done = t - h->ob_start, total = h->ob_end - h->ob_start;

	if (h->ob_op == BOARD_OP_OB_PROG && h->ob_regress && total > 0)
		h7_erase(b, 0, (uint32_t)((uint64_t)b->flash_size * (uint64_t)done / (uint64_t)total) &
			 ~(BOARD_H7_WORD - 1U));
	h->ob_op = BOARD_OP_NONE;
}

/* No option bytes in the memory map (RM0433 §2.3: registers only). */
board_bus h7_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	(void)b, (void)addr, (void)size;
	*val = 0;
	return BOARD_BUS_FAULT;
}

board_bus h7_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	(void)b, (void)addr, (void)size, (void)val;
	return BOARD_BUS_FAULT;
}
