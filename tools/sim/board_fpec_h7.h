/*
 * board_fpec_h7.h — the register map of the H7 flash controller and what
 * its two halves share: board_fpec_h7.c (banks, programming, erase) and
 * board_fpec_h7_ob.c (option registers, RDP, WRP, swap, MER). Not the
 * bench's API.
 *
 * Facts: RM0433 §4.9 (register map and bits), the CMSIS stm32h743xx.h
 * header as quoted in the team reference.
 */
#ifndef GANGSIM_BOARD_FPEC_H7_H
#define GANGSIM_BOARD_FPEC_H7_H

#include "board_internal.h"

#define H7_REG_BASE      0x52002000U
#define H7_BANK2         0x100U        /* bank 2 registers: bank 1's + 0x100 */
#define H7_SECTOR        0x20000U      /* 128 KiB */
#define H7_BANK_SECTORS  8U

/* bank-relative offsets (bank 2 at + H7_BANK2) */
#define H7_ACR           0x00U
#define H7_KEYR          0x04U
#define H7_OPTKEYR       0x08U         /* shared */
#define H7_CR            0x0CU
#define H7_SR            0x10U
#define H7_CCR           0x14U
#define H7_OPTCR         0x18U         /* shared; bank 2 address an alias */
#define H7_OPTSR_CUR     0x1CU
#define H7_OPTSR_PRG     0x20U
#define H7_OPTCCR        0x24U
#define H7_PRAR_CUR      0x28U
#define H7_PRAR_PRG      0x2CU
#define H7_SCAR_CUR      0x30U
#define H7_SCAR_PRG      0x34U
#define H7_WPSN_CUR      0x38U
#define H7_WPSN_PRG      0x3CU
#define H7_BOOT_CUR      0x40U
#define H7_BOOT_PRG      0x44U
#define H7_BOOT4_CUR     0x48U         /* dual core (RM0399 §4.9); reserved on single core */
#define H7_BOOT4_PRG     0x4CU
#define H7_ECC_FA        0x60U

#define H7_KEY1          0x45670123U
#define H7_KEY2          0xCDEF89ABU
#define H7_OPTKEY1       0x08192A3BU
#define H7_OPTKEY2       0x4C5D6E7FU

#define H7_ACR_LATENCY   0x0000000FU
#define H7_ACR_MASK      0x0000003FU   /* LATENCY[3:0], WRHIGHFREQ[5:4] */
/* reset: LATENCY 7, WRHIGHFREQ 3 (WRHIGHFREQ 3 after reset seen on an H743,
 * community.st.com td-p/114027; LATENCY 7 unverified) */
#define H7_ACR_RESET     0x00000037U

#define H7_CR_LOCK       (1U << 0)
#define H7_CR_PG         (1U << 1)
#define H7_CR_SER        (1U << 2)
#define H7_CR_BER        (1U << 3)
#define H7_CR_PSIZE_SH   4U
#define H7_CR_PSIZE      (3U << 4)
#define H7_CR_FW         (1U << 6)
#define H7_CR_START      (1U << 7)
#define H7_CR_SNB_SH     8U
#define H7_CR_SNB        (7U << 8)
#define H7_CR_CRC_EN     (1U << 15)
#define H7_CR_MASK       0x1FFF87FFU   /* + interrupt enables b16-b28 (stored) */

#define H7_SR_BSY        (1U << 0)
#define H7_SR_WBNE       (1U << 1)
#define H7_SR_QW         (1U << 2)
#define H7_SR_EOP        (1U << 16)
#define H7_SR_WRPERR     (1U << 17)
#define H7_SR_PGSERR     (1U << 18)
#define H7_SR_STRBERR    (1U << 19)
#define H7_SR_INCERR     (1U << 21)
#define H7_SR_OPERR      (1U << 22)
#define H7_SR_RDPERR     (1U << 23)
#define H7_SR_RDSERR     (1U << 24)
#define H7_SR_SNECCERR   (1U << 25)
#define H7_SR_DBECCERR   (1U << 26)
#define H7_SR_W1C        0x0FEF0000U   /* CCR: EOP and the error flags */

#define H7_OPTCR_OPTLOCK  (1U << 0)
#define H7_OPTCR_OPTSTART (1U << 1)
#define H7_OPTCR_MER      (1U << 4)
#define H7_OPTCR_SWAP     (1U << 31)
#define H7_OPTCR_WMASK    0x40000011U  /* OPTLOCK, MER, OPTCHANGEERRIE */

#define H7_OPTSR_BUSY     (1U << 0)
#define H7_OPTSR_RDP_SH   8U
#define H7_OPTSR_BCM4     (1U << 22)
#define H7_OPTSR_BCM7     (1U << 23)
#define H7_OPTSR_CHANGEERR (1U << 30)
#define H7_OPTSR_SWAP     (1U << 31)
#define H7_RDP_L0         0xAAU
#define H7_RDP_L2         0xCCU
#define H7_RDP_L1         0x55U        /* what a new "rdp = 1" board holds */

#define H7_T_PROG_NS      130000U      /* one flash word at x32 (unverified, DS12110) */
#define H7_OB_REGS_LEN    64U          /* option_bytes.bin: the option words, then the ECC map */
#define H7_OB_FILE_LEN    (H7_OB_REGS_LEN + 2U * 1024U * 1024U / 32U / 8U)

/* board_fpec_h7.c */
bool h7_dual(const sim_board *b);
uint32_t h7_bank_size(const sim_board *b);
uint32_t h7_phys(const sim_board *b, uint32_t off);
void h7_erase(sim_board *b, uint32_t phys, uint32_t len);
uint64_t h7_bank_erase_ns(const board_h7bank *k);
board_bus h7_key(unsigned *stage, bool *dead, uint32_t val, uint32_t k1, uint32_t k2, bool locked);

/* board_fpec_h7_ob.c */
void h7_ob_new(const sim_board *b, uint8_t *img);
void h7_ob_reset(sim_board *b);
void h7_ob_update(sim_board *b, int64_t t);
void h7_ob_power_loss(sim_board *b, int64_t t);
/* the option registers at a bank-relative offset (bank 2: its WPSN/PRAR/SCAR, aliases) */
board_bus h7_ob_read(sim_board *b, unsigned bank, uint32_t off, uint32_t *val);
board_bus h7_ob_write(sim_board *b, unsigned bank, uint32_t off, uint32_t val);
board_bus h7_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);
board_bus h7_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val);

#endif
