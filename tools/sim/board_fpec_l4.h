/*
 * board_fpec_l4.h — private to the double-word controller model of
 * G0/C0/G4/L4/L4+/WB/WL: board_fpec_l4.c (the controller: keys, program,
 * fast row, erase, ECC) and board_fpec_l4_ob.c (the family table, the
 * option registers and their page, the bank layout they select).
 */
#ifndef GANGSIM_BOARD_FPEC_L4_H
#define GANGSIM_BOARD_FPEC_L4_H

#include "board_internal.h"

/* Registers (RM0351 §3.7, RM0444 §3.7, RM0434 §3.10). */
#define DW_ACR       0x00U
#define DW_PDKEYR    0x04U
#define DW_KEYR      0x08U
#define DW_OPTKEYR   0x0CU
#define DW_SR        0x10U
#define DW_CR        0x14U
#define DW_ECCR      0x18U
#define DW_OPTR      0x20U
#define DW_SFR       0x80U   /* WB: secure flash start (CPU2) */

#define DW_SR_EOP     (1U << 0)
#define DW_SR_OPERR   (1U << 1)
#define DW_SR_PROGERR (1U << 3)
#define DW_SR_WRPERR  (1U << 4)
#define DW_SR_PGAERR  (1U << 5)
#define DW_SR_SIZERR  (1U << 6)
#define DW_SR_PGSERR  (1U << 7)
#define DW_SR_MISSERR (1U << 8)
#define DW_SR_FASTERR (1U << 9)
#define DW_SR_RDERR   (1U << 14)
#define DW_SR_OPTVERR (1U << 15)
#define DW_SR_BSY     (1U << 16)
#define DW_SR_CFGBSY  (1U << 18)
#define DW_SR_ERR     0x0000C3FAU   /* the flags an operation needs clear (RM0351 §3.3.8) */
#define DW_SR_W1C     0x0000C3FBU

#define DW_CR_PG         (1U << 0)
#define DW_CR_PER        (1U << 1)
#define DW_CR_MER1       (1U << 2)
#define DW_CR_PNB_SH     3U
#define DW_CR_MER2       (1U << 15)
#define DW_CR_STRT       (1U << 16)
#define DW_CR_OPTSTRT    (1U << 17)
#define DW_CR_FSTPG      (1U << 18)
#define DW_CR_EOPIE      (1U << 24)
#define DW_CR_ERRIE      (1U << 25)
#define DW_CR_RDERRIE    (1U << 26)
#define DW_CR_OBL_LAUNCH (1U << 27)
#define DW_CR_OPTLOCK    (1U << 30)
#define DW_CR_LOCK       (1U << 31)

#define DW_RDP_L0     0xAAU
#define DW_RDP_L2     0xCCU
#define DW_ROW        256U          /* fast programming: 32 double words */
#define DW_ROW_DWS    32U

/* One option register: offset, the bits a write may change, the factory value. */
typedef struct dw_opt {
	uint32_t off, mask, dflt;
	bool bank2;                   /* exists on two-bank parts only */
} dw_opt;

/* What differs between the families sharing the controller. */
typedef struct dw_family {
	const char *name;
	uint32_t pnb_mask;            /* PNB width after >> 3 */
	uint32_t bker;                /* BKER bit; 0: none */
	bool pdkeyr, cfgbsy, rderrie;
	uint32_t bank_bit;            /* OPTR bit selecting two banks; 0: the part's layout */
	uint32_t bank2_no;            /* PNB of bank 2's first page (G0: 256) */
	bool single_doubles_page;     /* one bank: pages twice the two-bank size (G4, L4+) */
	bool secure_area;             /* WB: SFR.SFSA pages belong to CPU2 */
	uint32_t pcrop_unit;          /* bytes per PCROP start/end step */
	uint32_t latency_mask;        /* FLASH_ACR.LATENCY */
	uint32_t acr_reset;
	uint64_t t_page_ns, t_mass_ns, t_row_ns;
	const dw_opt *opts;
	unsigned n_opts;
} dw_family;

const dw_family *dw_fam(const sim_board *b);
/* G0/C0: FLASH_ACR.EMPTY (b16), software may change it */
bool dw_has_empty(const sim_board *b);
#define DW_ACR_EMPTY (1U << 16)

/* board_fpec_l4_ob.c */
void dw_ob_new(const sim_board *b, uint8_t *img);
void dw_reset(sim_board *b);
const dw_opt *dw_opt_find(const sim_board *b, uint32_t off);
uint32_t dw_slot(uint32_t off);
void dw_ob_commit(sim_board *b);
/* the option page was being rewritten when the supply dropped */
void dw_ob_cut(sim_board *b);
board_bus dw_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);
/* page geometry in force */
uint32_t dw_bank_size(const sim_board *b);
bool dw_page_of_pnb(const sim_board *b, uint32_t pnb, bool bker, uint32_t *off);
bool dw_protected(const sim_board *b, uint32_t off);
bool dw_secure(const sim_board *b, uint32_t off);
/* ECC marks: double words left half-programmed, persisted with the option bytes */
void dw_ecc_mark(sim_board *b, uint32_t off);
void dw_ecc_clear(sim_board *b, uint32_t off, uint32_t len);
bool dw_ecc_marked(const sim_board *b, uint32_t off);

#define DW_OB_SLOTS_LEN (4U * BOARD_DW_OPT_N)
#define DW_ECC_MARKS    16U
#define DW_OB_BROKEN    (DW_OB_SLOTS_LEN + 4U * DW_ECC_MARKS)   /* word: not 0xFFFFFFFF = page cut */
#define DW_OB_LEN       (DW_OB_BROKEN + 4U)

#endif
