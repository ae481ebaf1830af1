/*
 * board_periph.c — the peripherals of the virtual board other than the
 * flash controller: the CRC unit, RCC (plain registers with reset values),
 * AFIO_MAPR.SWJ_CFG (which can switch the SW-DP off), IWDG_KR, DBGMCU on
 * F0 (0x40015800), and the rest of 0x40000000-0x4002FFFF reading 0; on
 * F0/F3 GPIOA_MODER, whose PA13/PA14 fields leaving alternate-function
 * mode switch the SW-DP off just as SWJ_CFG does on F1.
 *
 * Facts: RM0008 §3.3 (addresses), §9.4.2 (AFIO_MAPR.SWJ_CFG write-only;
 * 1xx turns SWD off until system reset), §31 (DBGMCU_CR survives system
 * reset), §4 (CRC: poly 0x04C11DB7, init 0xFFFFFFFF, whole words MSB first),
 * §7.3 (RCC_AHBENR.CRCEN clock gate).
 */
#include "board_internal.h"

#define PERIPH_FPEC_BASE   0x40022000U
#define PERIPH_FPEC_END    0x40022400U
#define PERIPH_RCC_BASE    0x40021000U
#define PERIPH_RCC_N       10U
#define PERIPH_CRC_BASE    0x40023000U
#define PERIPH_AFIO_MAPR   0x40010004U
#define PERIPH_IWDG_KR     0x40003000U

#define RCC_CR             0U
#define RCC_CFGR           1U
#define RCC_AHBENR         5U
#define RCC_APB2ENR        6U
#define RCC_CSR            9U
#define RCC_CR_RESET       0x00000083U   /* HSION, HSIRDY, HSITRIM=16 */
#define RCC_AHBENR_RESET   0x00000014U   /* SRAMEN, FLITFEN (RM0008 §7.3.6) */
#define RCC_CSR_RESET      0x0C000000U   /* PINRSTF, PORRSTF */
#define RCC_CR_ON_BITS     0x01010001U   /* PLLON, HSEON, HSION: RDY is the next bit up */
#define RCC_CFGR_SW        0x3U
#define RCC_AHBENR_CRCEN   (1U << 6)
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

/*
 * F0/F3 GPIOA (RM0091 §8.4.1, RM0316 §11.4.1): MODER resets to 0x28000000,
 * PA13 (SWDIO) and PA14 (SWCLK) in alternate-function mode (10); any other
 * mode takes the pins from the SW-DP until a reset restores MODER. The
 * port's clock is RCC_AHBENR.IOPAEN (bit 17); with it off writes are lost.
 */
#define GPIOA_MODER_RESET  0x28000000U
#define GPIOA_SWD_MASK     0x3C000000U   /* MODER13 | MODER14 */
#define RCC_AHBENR_IOPAEN  (1U << 17)

static bool periph_is_f1(const sim_board *b)
{
	return b->part->rdp_unprotected == 0xA5U;
}

void board_periph_reset(sim_board *b)
{
	board_periph *p = &b->periph;

	for (unsigned i = 0; i < PERIPH_RCC_N; i++)
		p->rcc[i] = 0;
	p->rcc[RCC_CR] = RCC_CR_RESET;
	p->rcc[RCC_AHBENR] = RCC_AHBENR_RESET;
	p->rcc[RCC_CSR] = RCC_CSR_RESET;
	p->gpioa_moder = GPIOA_MODER_RESET;
	p->crc_dr = CRC_INIT;
	p->crc_idr = 0;
	p->afio_mapr = 0;
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

static uint32_t periph_rcc_read(const sim_board *b, unsigned i)
{
	uint32_t v = b->periph.rcc[i];

	/* oscillators and the PLL are ready as soon as they are switched on */
	if (i == RCC_CR)
		v = (v & ~(RCC_CR_ON_BITS << 1)) | ((v & RCC_CR_ON_BITS) << 1);
	if (i == RCC_CFGR)   /* SWS follows SW */
		v = (v & ~(RCC_CFGR_SW << 2)) | ((v & RCC_CFGR_SW) << 2);
	return v;
}

static uint32_t periph_read32(sim_board *b, uint32_t addr)
{
	board_periph *p = &b->periph;
	bool crc_on = (p->rcc[RCC_AHBENR] & RCC_AHBENR_CRCEN) != 0;

	if (addr >= PERIPH_RCC_BASE && addr < PERIPH_RCC_BASE + 4U * PERIPH_RCC_N)
		return periph_rcc_read(b, (addr - PERIPH_RCC_BASE) / 4U);
	/* strict: a peripheral whose clock is off reads 0 and ignores writes */
	if (addr == PERIPH_CRC_BASE + CRC_DR)
		return crc_on ? p->crc_dr : 0;
	if (addr == PERIPH_CRC_BASE + CRC_IDR)
		return crc_on ? p->crc_idr : 0;
	if (addr == PERIPH_AFIO_MAPR && periph_is_f1(b))
		return p->afio_mapr;   /* SWJ_CFG is write-only (RM0008 §9.4.2) */
	if (addr == b->part->idcode_addr)
		return board_dbgmcu_idcode(b);
	if (addr == b->part->idcode_addr + 4U)
		return b->core.dbgmcu_cr;
	return 0;
}

static void periph_write_afio(sim_board *b, uint32_t val)
{
	if (!periph_is_f1(b) || !(b->periph.rcc[RCC_APB2ENR] & RCC_APB2ENR_AFIOEN))
		return;
	b->periph.afio_mapr = val & ~AFIO_SWJ_CFG_MASK;
	if (val & AFIO_SWJ_OFF_BIT) {
		b->swd_off = true;   /* until the next system reset (RM0008 §9.4.2) */
		b->core.side_gen++;
	}
}

static void periph_write32(sim_board *b, uint32_t addr, uint32_t val)
{
	board_periph *p = &b->periph;
	bool crc_on = (p->rcc[RCC_AHBENR] & RCC_AHBENR_CRCEN) != 0;

	if (addr >= PERIPH_RCC_BASE && addr < PERIPH_RCC_BASE + 4U * PERIPH_RCC_N)
		p->rcc[(addr - PERIPH_RCC_BASE) / 4U] = val;
	else if (addr == PERIPH_CRC_BASE + CRC_DR && crc_on)
		p->crc_dr = board_periph_crc_word(p->crc_dr, val);
	else if (addr == PERIPH_CRC_BASE + CRC_IDR && crc_on)
		p->crc_idr = val & 0xFFU;
	else if (addr == PERIPH_CRC_BASE + CRC_CR && crc_on && (val & CRC_CR_RESET))
		p->crc_dr = CRC_INIT;
	else if (addr == PERIPH_AFIO_MAPR)
		periph_write_afio(b, val);
	else if (addr == b->part->idcode_addr + 4U)
		b->core.dbgmcu_cr = val & DBGMCU_CR_MASK;
	/* IWDG_KR (reload 0xAAAA, start 0xCCCC) and GPIO: accepted, no effect */
}

/* F0/F3 GPIOA: MODER only (the rest of the port reads 0, ignores writes); whole words. */
board_bus board_gpioa_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	if (periph_is_f1(b) || size != 4)
		return BOARD_BUS_FAULT;
	*val = addr == BOARD_GPIOA_BASE ? b->periph.gpioa_moder : 0;
	return BOARD_BUS_OK;
}

board_bus board_gpioa_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val)
{
	if (periph_is_f1(b) || size != 4)
		return BOARD_BUS_FAULT;
	if (addr != BOARD_GPIOA_BASE || !(b->periph.rcc[RCC_AHBENR] & RCC_AHBENR_IOPAEN))
		return BOARD_BUS_OK;
	b->periph.gpioa_moder = val;
	if ((val & GPIOA_SWD_MASK) != (GPIOA_MODER_RESET & GPIOA_SWD_MASK) && !b->swd_off) {
		b->swd_off = true;   /* until the next system reset restores MODER */
		b->core.side_gen++;
	}
	return BOARD_BUS_OK;
}

board_bus board_periph_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val)
{
	uint32_t word = addr & ~3U, sh = (addr & 3U) * 8U;
	uint32_t v;

	if (word >= PERIPH_FPEC_BASE && word < PERIPH_FPEC_END) {
		board_bus r = board_fpec_read(b, word - PERIPH_FPEC_BASE, &v, b->core.in_emu);
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

	if (size != 4)   /* narrow writes land in their byte lanes, other lanes 0 */
		val = (val & ((1U << (8U * size)) - 1U)) << sh;
	b->core.side_gen++;
	if (word >= PERIPH_FPEC_BASE && word < PERIPH_FPEC_END)
		return board_fpec_write(b, word - PERIPH_FPEC_BASE, val, b->core.in_emu);
	if (size == 4 || word != PERIPH_CRC_BASE + CRC_DR)   /* CRC takes whole words only */
		periph_write32(b, word, val);
	return BOARD_BUS_OK;
}
