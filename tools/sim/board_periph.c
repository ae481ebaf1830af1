/*
 * board_periph.c — the peripherals of the virtual board other than the
 * flash controller: the CRC unit, RCC (plain registers with reset values;
 * per family: sim_family_io), AFIO_MAPR.SWJ_CFG on F1 (which can switch
 * the SW-DP off), PWR_CR, IWDG_KR (the H7 IWDG1 as registers), DBGMCU on F0 (0x40015800), and the rest
 * of 0x40000000-0x4002FFFF reading 0; on F0/F3 and F2/F4/F7 GPIOA_MODER,
 * whose PA13/PA14 fields leaving alternate-function mode switch the SW-DP
 * off just as SWJ_CFG does on F1; and Stop/Standby entry, which silences
 * the debug port unless DBGMCU_CR keeps it.
 *
 * Facts: RM0008 §3.3 (addresses), §9.4.2 (AFIO_MAPR.SWJ_CFG write-only;
 * 1xx turns SWD off until system reset), §31 (DBGMCU_CR survives system
 * reset; DBG_STOP/DBG_STANDBY), §5.3 (PWR_CR.PDDS), §4 (CRC: poly
 * 0x04C11DB7, init 0xFFFFFFFF, whole words MSB first), §7.3
 * (RCC_AHBENR.CRCEN clock gate); RM0090 §6.3.10 (RCC_AHB1ENR.CRCEN b12,
 * GPIOAEN b0), §8.4.1 (GPIOA_MODER reset 0xA8000000), §38.16 (DBGMCU).
 */
#include "board_internal.h"

#define PERIPH_CRC_DEFAULT 0x40023000U
#define PERIPH_WINDOW      0x400U        /* one peripheral's register block */

/*
 * An IWDG as registers (RM0433 §45.4, IWDG1 of the H7 at 0x58004800,
 * RM0433 §2.3.2): KR (write-only: 0xAAAA reloads, 0x5555 opens PR, RLR and
 * WINR to writes, 0xCCCC starts, any other key closes them again), PR
 * [2:0] reset 0, RLR [11:0] reset 0xFFF, SR reading 0 (the updates taken
 * at once: silicon needs a few LSI cycles), WINR [11:0] reset 0xFFF.
 * The counter does not run: a board is never reset by its watchdog here;
 * gang's reloads are what the model is for.
 */
#define IWDG_KR            0x00U
#define IWDG_PR            0x04U
#define IWDG_RLR           0x08U
#define IWDG_SR            0x0CU
#define IWDG_WINR          0x10U
#define IWDG_KEY_RELOAD    0xAAAAU
#define IWDG_KEY_ACCESS    0x5555U
#define IWDG_KEY_START     0xCCCCU
#define IWDG_RLR_RESET     0xFFFU
#define PERIPH_AFIO_MAPR   0x40010004U
#define PERIPH_PWR_CR      0x40007000U   /* F0/F1/F3/F2/F4/F7 (RM0008 §5.4.1, RM0090 §5.4.1) */
#define PWR_CR_PDDS        (1U << 1)
#define PERIPH_PWR_CR1_U5  0x46020800U   /* U5 PWR_CR1 (RM0456 §10.10.1; L5/U5 section numbers unverified) */
#define PWR_CR1_LPMS       0x7U          /* L5/U5 and the double-word families: 000-010 Stop 0-2, 011 Standby, 1xx Shutdown */
#define PWR_LPMS_STANDBY   3U
#define PWR_L5_CR1_RESET   0x00000400U   /* VOS = 10: range 2 (RM0438 §8.6.1, unverified) */
#define PERIPH_PWR_VOSR_U5 0x4602080CU   /* RM0456 §10.10.4 */
#define PWR_VOSR_RESET     0x00008000U   /* VOSRDY, VOS = 00: range 4 (unverified) */
#define PWR_VOSR_W         0x00070000U   /* VOS[17:16], BOOSTEN b18 */
#define PWR_VOSR_VOSRDY    (1U << 15)
#define PWR_VOSR_BOOSTRDY  (1U << 14)
#define PWR_VOSR_BOOSTEN   (1U << 18)
#define PERIPH_IWDG_KR     0x40003000U
#define PERIPH_PWR_CR1_WB  0x58000400U   /* WB/WL PWR_CR1 (RM0434 §6.6.1) */
#define RCC_APBENR1        0x3CU         /* G0/C0: DBGEN b27 clocks DBGMCU (RM0444 §5.4.15) */
#define RCC_APBENR1_DBGEN  (1U << 27)

#define RCC_CSR_RESET      0x0C000000U   /* PINRSTF, PORRSTF */
#define RCC_RSR_H7_RESET   0x00C00000U   /* H7 RCC_RSR: PINRSTF b22, PORRSTF b23 (RM0433 §8.7.38) */
#define RCC_APB2ENR        0x18U         /* F1 */
#define RCC_APB2ENR_AFIOEN (1U << 0)

#define CRC_DR             0x0U
#define CRC_IDR            0x4U
#define CRC_CR             0x8U
#define CRC_CR_RESET       (1U << 0)
#define CRC_POLY           0x04C11DB7U
#define CRC_INIT           0xFFFFFFFFU

#define AFIO_SWJ_CFG_MASK  (7U << 24)
#define AFIO_SWJ_OFF_BIT   (1U << 26)    /* 100 = SW-DP off; other 1xx forbidden, modelled off */

#define DBGMCU_CR_MASK     0x00000307U   /* DBG_SLEEP/STOP/STANDBY, IWDG/WWDG stop */
#define DBGMCU_CR_STOP     (1U << 1)
#define DBGMCU_CR_STANDBY  (1U << 2)
#define SCB_SCR_SLEEPDEEP  (1U << 2)

/*
 * GPIOA_MODER (RM0091 §8.4.1, RM0316 §11.4.1, RM0090 §8.4.1): PA13 (SWDIO)
 * and PA14 (SWCLK) reset in alternate-function mode (10); any other mode
 * takes the pins from the SW-DP until a reset restores MODER. With the
 * port's clock off, writes are lost.
 */
#define GPIOA_SWD_MASK     0x3C000000U   /* MODER13 | MODER14 */
#define GPIOA_SIZE         0x400U

static uint32_t *periph_rcc(sim_board *b, uint32_t off)
{
	return &b->periph.rcc[off / 4U];
}

static bool periph_rcc_on(const sim_board *b, uint32_t off, uint32_t bit)
{
	return (b->periph.rcc[off / 4U] & bit) != 0;
}

void board_periph_reset(sim_board *b)
{
	board_periph *p = &b->periph;

	const sim_family_io *io = b->part->io;

	for (unsigned i = 0; i < BOARD_RCC_N; i++)
		p->rcc[i] = 0;
	board_clock_reset(b);
	*periph_rcc(b, io->rcc_crc_off) = io->rcc_crc_reset;
	*periph_rcc(b, io->rcc_csr_off) = io->dbgmcu_apb != 0 ? RCC_RSR_H7_RESET : RCC_CSR_RESET;
	p->gpioa_moder = io->gpioa_moder_reset;
	p->pwr_cr = b->part->flash_ctl == SIM_FLASH_L5 ? PWR_L5_CR1_RESET : 0U;
	p->pwr_vosr = PWR_VOSR_RESET;
	p->crc_dr = CRC_INIT;
	p->crc_idr = 0;
	p->afio_mapr = 0;
	p->iwdg_pr = 0;
	p->iwdg_rlr = IWDG_RLR_RESET;
	p->iwdg_winr = IWDG_RLR_RESET;
	p->iwdg_access = false;
	p->iwdg_on = false;
	p->iwdg_reloads = 0;
}

/* One 32-bit word through the F1 CRC unit, most significant bit first (RM0008 §4). */
uint32_t board_periph_crc_word(uint32_t crc, uint32_t word)
{
	crc ^= word;
	for (unsigned i = 0; i < 32; i++)
		crc = (crc & 0x80000000U) ? (crc << 1) ^ CRC_POLY : crc << 1;
	return crc;
}

uint32_t board_dbgmcu_idcode(const sim_board *b)
{
	return (uint32_t)b->part->rev_id << 16 | b->part->dev_id;
}

/* RCC_CR/CFGR/PLLCFGR are the clock tree's (board_clock.c); the rest plain registers. */
static uint32_t periph_rcc_read(sim_board *b, uint32_t off)
{
	uint32_t v = b->periph.rcc[off / 4U];

	board_clock_read(b, off, &v);
	return v;
}

static bool periph_in_rcc(const sim_board *b, uint32_t addr)
{
	uint32_t base = b->part->io->rcc_base;

	return addr >= base && addr < base + 4U * BOARD_RCC_N;
}

/*
 * DBGMCU writes take effect only with their RCC clock: G0/C0
 * RCC_APBENR1.DBGEN (RM0444 §40.9, BMP-g0); L0 RCC_APB2ENR.DBGEN, named by
 * the family's io row (RM0377 §27.9). IDCODE reads always.
 */
static bool periph_dbgmcu_on(const sim_board *b)
{
	const sim_family_io *io = b->part->io;
	sim_flash_ctl c = b->part->flash_ctl;

	if (io->dbgmcu_en_bit != 0)
		return periph_rcc_on(b, io->dbgmcu_en_off, io->dbgmcu_en_bit);
	return (c != SIM_FLASH_G0 && c != SIM_FLASH_C0) || periph_rcc_on(b, RCC_APBENR1, RCC_APBENR1_DBGEN);
}

static bool periph_crc_on(const sim_board *b)
{
	const sim_family_io *io = b->part->io;

	return periph_rcc_on(b, io->rcc_crc_off, io->rcc_crc_bit);
}

/*
 * PWR_CR (F-series), PWR_CR1 (double-word families; 0x58000400 on WB/WL;
 * L5 at 0x40007000, RM0438 §8.6.1; U5 at 0x46020800) or the family's own
 * register with the Standby bit (H7 PWR_CPUCR).
 */
static uint32_t periph_pwr_addr(const sim_board *b)
{
	if (b->part->flash_ctl == SIM_FLASH_U5)
		return PERIPH_PWR_CR1_U5;
	if (b->part->io->pwr_pdds_addr != 0)
		return b->part->io->pwr_pdds_addr;
	return b->part->io->rcc_base == 0x58000000U ? PERIPH_PWR_CR1_WB : PERIPH_PWR_CR;
}

static uint32_t periph_pdds_bit(const sim_board *b)
{
	return b->part->io->pwr_pdds_bit != 0 ? b->part->io->pwr_pdds_bit : PWR_CR_PDDS;
}

/* Deep sleep enters Standby (or Shutdown, as deep for the debug port) rather than Stop. */
static bool periph_standby(const sim_board *b)
{
	uint32_t cr = b->periph.pwr_cr;

	if (b->part->flash_ctl == SIM_FLASH_L5 || b->part->flash_ctl == SIM_FLASH_U5 || board_clock_is_dw(b))
		return (cr & PWR_CR1_LPMS) >= PWR_LPMS_STANDBY;
	return (cr & periph_pdds_bit(b)) != 0;   /* H7: PWR_CPUCR.PDDS_D1 */
}

static uint32_t periph_crc_base(const sim_board *b)
{
	return b->part->io->crc_base != 0 ? b->part->io->crc_base : PERIPH_CRC_DEFAULT;
}

static bool periph_in_iwdg(const sim_board *b, uint32_t addr)
{
	uint32_t base = b->part->io->iwdg_base;

	return base != 0 && addr >= base && addr < base + PERIPH_WINDOW;
}

static uint32_t periph_iwdg_read(const sim_board *b, uint32_t off)
{
	const board_periph *p = &b->periph;

	switch (off) {
	case IWDG_PR: return p->iwdg_pr;
	case IWDG_RLR: return p->iwdg_rlr;
	case IWDG_WINR: return p->iwdg_winr;
	default: return 0;   /* KR is write-only; SR: no update pending */
	}
}

static void periph_iwdg_write(sim_board *b, uint32_t off, uint32_t val)
{
	board_periph *p = &b->periph;

	if (off == IWDG_KR) {
		uint32_t key = val & 0xFFFFU;

		if (key == IWDG_KEY_RELOAD)
			p->iwdg_reloads++;
		else if (key == IWDG_KEY_START)
			p->iwdg_on = true;
		p->iwdg_access = key == IWDG_KEY_ACCESS;   /* any other value protects them again */
		return;
	}
	if (!p->iwdg_access)
		return;   /* write-protected: ignored */
	if (off == IWDG_PR)
		p->iwdg_pr = val & 0x7U;
	else if (off == IWDG_RLR)
		p->iwdg_rlr = val & 0xFFFU;
	else if (off == IWDG_WINR)
		p->iwdg_winr = val & 0xFFFU;
}

/*
 * H7 DBGMCU on the system bus (RM0433 §60.5.8): CR keeps D1/D2/D3
 * sleep/stop/standby, TRACECLKEN, D1DBGCKEN, D3DBGCKEN, TRGOEN; the
 * freeze registers APB3FZ1 .. APB4FZ1 (0x34-0x54) answer only while
 * D1DBGCKEN and D3DBGCKEN are set (the debug clocks; strict: both).
 */
#define H7_DBGMCU_CR_MASK  0x107001BFU
#define H7_DBGMCU_CKEN     0x00600000U
#define H7_DBGMCU_FZ_FIRST 0x34U

static bool periph_dbgmcu_h7(const sim_board *b, uint32_t addr)
{
	uint32_t id = b->part->idcode_addr;

	return b->part->io->dbgmcu_apb != 0 && addr >= id && addr < id + PERIPH_WINDOW;
}

/*
 * The rest of the H7's system-bus debug block 0x5C000000-0x5C00FFFF (SWO,
 * SWTF funnel at 0x5C004000, trace: RM0433 §60.2) answers and is not
 * modelled: reads 0, writes are accepted (OpenOCD's stm32h7x.cfg sets
 * SWTF_CTRL in its examine-end handler).
 */
#define H7_DEBUG_SYS_BASE  0x5C000000U
#define H7_DEBUG_SYS_SIZE  0x10000U

static bool periph_debug_sys_h7(const sim_board *b, uint32_t addr)
{
	return b->part->io->dbgmcu_apb != 0 && addr >= H7_DEBUG_SYS_BASE &&
	       addr < H7_DEBUG_SYS_BASE + H7_DEBUG_SYS_SIZE;
}

uint32_t board_dbgmcu_h7_read(const sim_board *b, uint32_t off)
{
	const board_core *c = &b->core;
	uint32_t i = (off - H7_DBGMCU_FZ_FIRST) / 4U;

	if (off == 0)
		return board_dbgmcu_idcode(b);
	if (off == 4U)
		return c->dbgmcu_cr;
	if (off >= H7_DBGMCU_FZ_FIRST && i < BOARD_DBGMCU_FZ_N &&
	    (c->dbgmcu_cr & H7_DBGMCU_CKEN) == H7_DBGMCU_CKEN)
		return c->dbgmcu_fz[i];
	return 0;
}

void board_dbgmcu_h7_write(sim_board *b, uint32_t off, uint32_t val)
{
	board_core *c = &b->core;
	uint32_t i = (off - H7_DBGMCU_FZ_FIRST) / 4U;

	if (off == 4U)
		c->dbgmcu_cr = val & H7_DBGMCU_CR_MASK;
	else if (off >= H7_DBGMCU_FZ_FIRST && i < BOARD_DBGMCU_FZ_N &&
		 (c->dbgmcu_cr & H7_DBGMCU_CKEN) == H7_DBGMCU_CKEN)
		c->dbgmcu_fz[i] = val;
}

/* Peripherals a family places outside 0x40000000-0x4002FFFF (H7: D1/D3 domains). */
bool board_periph_owns(const sim_board *b, uint32_t addr)
{
	uint32_t fpec = b->fm->reg_base, crc = periph_crc_base(b);

	return (addr >= fpec && addr < fpec + PERIPH_WINDOW) || periph_in_rcc(b, addr) ||
	       (addr >= crc && addr < crc + PERIPH_WINDOW) || board_in_gpioa(b, addr) ||
	       periph_debug_sys_h7(b, addr) || addr == periph_pwr_addr(b) || periph_in_iwdg(b, addr);
}

static uint32_t periph_read32(sim_board *b, uint32_t addr)
{
	board_periph *p = &b->periph;
	bool crc_on = periph_crc_on(b);
	uint32_t crc = periph_crc_base(b);

	if (periph_in_rcc(b, addr))
		return periph_rcc_read(b, addr - b->part->io->rcc_base);
	if (periph_in_iwdg(b, addr))
		return periph_iwdg_read(b, addr - b->part->io->iwdg_base);
	/* strict: a peripheral whose clock is off reads 0 and ignores writes */
	if (periph_dbgmcu_h7(b, addr))
		return board_dbgmcu_h7_read(b, addr - b->part->idcode_addr);
	if (addr == crc + CRC_DR)
		return crc_on ? p->crc_dr : 0;
	if (addr == crc + CRC_IDR)
		return crc_on ? p->crc_idr : 0;
	if (addr == PERIPH_AFIO_MAPR && b->part->io->has_afio)
		return p->afio_mapr;   /* SWJ_CFG is write-only (RM0008 §9.4.2) */
	if (addr == periph_pwr_addr(b))
		return p->pwr_cr;
	if (addr == PERIPH_PWR_VOSR_U5 && b->part->flash_ctl == SIM_FLASH_U5)   /* the switch is instant */
		return p->pwr_vosr | PWR_VOSR_VOSRDY |
		       ((p->pwr_vosr & PWR_VOSR_BOOSTEN) ? PWR_VOSR_BOOSTRDY : 0U);
	if (addr == b->part->idcode_addr)
		return board_dbgmcu_idcode(b);
	if (addr == b->part->idcode_addr + 4U)
		return b->core.dbgmcu_cr;
	return 0;
}

static void periph_write_afio(sim_board *b, uint32_t val)
{
	if (!b->part->io->has_afio || !periph_rcc_on(b, RCC_APB2ENR, RCC_APB2ENR_AFIOEN))
		return;
	b->periph.afio_mapr = val & ~AFIO_SWJ_CFG_MASK;
	if (val & AFIO_SWJ_OFF_BIT) {
		b->swd_off = true;   /* until the next system reset (RM0008 §9.4.2) */
		b->core.side_gen++;
	}
}

static void periph_write_crc(sim_board *b, uint32_t addr, uint32_t val)
{
	board_periph *p = &b->periph;
	uint32_t crc = periph_crc_base(b);

	if (!periph_crc_on(b))
		return;
	if (addr == crc + CRC_DR)
		p->crc_dr = board_periph_crc_word(p->crc_dr, val);
	else if (addr == crc + CRC_IDR)
		p->crc_idr = val & 0xFFU;
	else if (addr == crc + CRC_CR && (val & CRC_CR_RESET))
		p->crc_dr = CRC_INIT;
}

static void periph_write32(sim_board *b, uint32_t addr, uint32_t val)
{
	uint32_t rcc = addr - b->part->io->rcc_base, crc = periph_crc_base(b);

	if (periph_in_rcc(b, addr)) {
		if (!board_clock_write(b, rcc, val))
			*periph_rcc(b, rcc) = val;
	} else if (periph_dbgmcu_h7(b, addr)) {
		board_dbgmcu_h7_write(b, addr - b->part->idcode_addr, val);
	} else if (periph_in_iwdg(b, addr)) {
		periph_iwdg_write(b, addr - b->part->io->iwdg_base, val);
	} else if (addr >= crc && addr <= crc + CRC_CR)
		periph_write_crc(b, addr, val);
	else if (addr == PERIPH_AFIO_MAPR)
		periph_write_afio(b, val);
	else if (addr == periph_pwr_addr(b)) {
		b->periph.pwr_cr = val;
		board_clock_flash_changed(b);   /* L5 VOS: the wait states the flash needs */
	} else if (addr == PERIPH_PWR_VOSR_U5 && b->part->flash_ctl == SIM_FLASH_U5) {
		b->periph.pwr_vosr = val & PWR_VOSR_W;
		board_clock_flash_changed(b);
	} else if (addr == b->part->idcode_addr + 4U && periph_dbgmcu_on(b))
		b->core.dbgmcu_cr = val & DBGMCU_CR_MASK;
	/* IWDG_KR (reload 0xAAAA, start 0xCCCC) and GPIO: accepted, no effect */
}

/*
 * WFI/WFE with SCR.SLEEPDEEP enters Stop, or Standby with PWR_CR.PDDS
 * (double-word families: PWR_CR1.LPMS 011 Standby, 1xx Shutdown, RM0351
 * §5.4.1, RM0444 §4.4.1; Shutdown is taken as Standby, unverified).
 * Without DBGMCU_CR.DBG_STOP (DBG_STANDBY) the clocks stop (the domain
 * powers down) and the AHB-AP no longer answers: the probe sees no ACK
 * until NRST or a power cycle (RM0008 §31.16.1, RM0090 §38.16.1). Nothing
 * here wakes the core again, so the silence lasts until then.
 */
void board_periph_deep_sleep(sim_board *b)
{
	/* H7: PWR_CPUCR.PDDS_D1; DBGSTOP_D1 / DBGSTBY_D1 are the same bits (RM0433 §60.5.8) */
	uint32_t keep = periph_standby(b) ? DBGMCU_CR_STANDBY : DBGMCU_CR_STOP;

	if (!(b->core.scr & SCB_SCR_SLEEPDEEP) || (b->core.dbgmcu_cr & keep))
		return;
	b->swd_off = true;   /* until NRST: sim_board_set_nrst and board_system_reset */
	b->core.side_gen++;
}

bool board_in_gpioa(const sim_board *b, uint32_t addr)
{
	uint32_t base = b->part->io->gpioa_base;

	return base != 0 && addr >= base && addr < base + GPIOA_SIZE;
}

bool board_periph_claims(const sim_board *b, uint32_t addr)
{
	return board_in_gpioa(b, addr) || periph_in_rcc(b, addr) ||
	       (addr & ~3U) == periph_pwr_addr(b) ||
	       (b->part->flash_ctl == SIM_FLASH_U5 && (addr & ~3U) == PERIPH_PWR_VOSR_U5);
}

/* GPIOA: MODER only (the rest of the port reads 0, ignores writes); whole words. */
board_bus board_gpioa_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	if (!board_in_gpioa(b, addr) || size != 4)
		return BOARD_BUS_FAULT;
	*val = addr == b->part->io->gpioa_base ? b->periph.gpioa_moder : 0;
	return BOARD_BUS_OK;
}

board_bus board_gpioa_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	const sim_family_io *io = b->part->io;

	if (!board_in_gpioa(b, addr) || size != 4)
		return BOARD_BUS_FAULT;
	if (addr != io->gpioa_base || !periph_rcc_on(b, io->gpioa_en_off, io->gpioa_en_bit))
		return BOARD_BUS_OK;
	b->periph.gpioa_moder = val;
	if ((val & GPIOA_SWD_MASK) != (io->gpioa_moder_reset & GPIOA_SWD_MASK) && !b->swd_off) {
		b->swd_off = true;   /* until the next system reset restores MODER */
		b->core.side_gen++;
	}
	return BOARD_BUS_OK;
}

board_bus board_periph_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t word = addr & ~3U, sh = (addr & 3U) * 8U;
	uint32_t v, fpec = b->fm->reg_base;

	if (board_in_gpioa(b, addr))
		return board_gpioa_read(b, addr, size, val);
	if (word >= fpec && word < fpec + 0x400U) {
		board_bus r = b->fm->reg_read(b, word - fpec, &v, b->core.in_emu);
		if (r != BOARD_BUS_OK)
			return r;
	} else {
		v = periph_read32(b, word);
	}
	v >>= sh;
	*val = size == 4 ? v : v & ((1U << (8U * size)) - 1U);
	return BOARD_BUS_OK;
}

board_bus board_periph_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t word = addr & ~3U, sh = (addr & 3U) * 8U;
	uint32_t fpec = b->fm->reg_base;

	if (board_in_gpioa(b, addr))
		return board_gpioa_write(b, addr, size, val);
	if (size != 4)   /* narrow writes land in their byte lanes, other lanes 0 */
		val = (val & ((1U << (8U * size)) - 1U)) << sh;
	b->core.side_gen++;
	if (word >= fpec && word < fpec + 0x400U)
		return b->fm->reg_write(b, word - fpec, val, b->core.in_emu);
	if (size == 4 || word != periph_crc_base(b) + CRC_DR)   /* CRC takes whole words only */
		periph_write32(b, word, val);
	return BOARD_BUS_OK;
}
