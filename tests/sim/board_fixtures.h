/*
 * board_fixtures.h — helpers for the board model tests (tests/sim): a
 * temporary state directory per test, a default STM32F103RC configuration,
 * debugger-side register access that asserts the SWD result, and the
 * hand-assembled Thumb programs the tests run on the virtual core.
 */
#ifndef GANG_TESTS_SIM_BOARD_FIXTURES_H
#define GANG_TESTS_SIM_BOARD_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"

#define FX_FPEC_KEYR    0x40022004U
#define FX_FPEC_OPTKEYR 0x40022008U
#define FX_FPEC_SR      0x4002200CU
#define FX_FPEC_CR      0x40022010U
#define FX_FPEC_AR      0x40022014U
#define FX_FPEC_OBR     0x4002201CU
#define FX_FPEC_WRPR    0x40022020U
#define FX_KEY1         0x45670123U
#define FX_KEY2         0xCDEF89ABU
#define FX_SR_BSY       0x01U
#define FX_SR_PGERR     0x04U
#define FX_SR_WRPRTERR  0x10U
#define FX_SR_EOP       0x20U
#define FX_CR_PG        0x01U
#define FX_CR_PER       0x02U
#define FX_CR_MER       0x04U
#define FX_CR_OPTPG     0x10U
#define FX_CR_OPTER     0x20U
#define FX_CR_STRT      0x40U
#define FX_CR_LOCK      0x80U
#define FX_CR_OPTWRE    0x200U
#define FX_DHCSR        0xE000EDF0U
#define FX_DCRSR        0xE000EDF4U
#define FX_DCRDR        0xE000EDF8U
#define FX_DEMCR        0xE000EDFCU
#define FX_DFSR         0xE000ED30U
#define FX_AIRCR        0xE000ED0CU
#define FX_FLASH        0x08000000U
#define FX_SRAM         0x20000000U
#define FX_MS           1000000LL

extern char fx_dir[64];

void fx_setup(void);
void fx_teardown(void);
sim_board_cfg fx_cfg(void);
sim_board *fx_board(const sim_board_cfg *cfg, int64_t t_insert);
const char *fx_write_file(const char *name, const uint8_t *data, size_t len);

void fx_w(sim_board *b, uint32_t addr, unsigned size, uint32_t val);
uint32_t fx_r(sim_board *b, uint32_t addr, unsigned size);
void fx_unlock(sim_board *b);
void fx_halt(sim_board *b);
void fx_set_reg(sim_board *b, unsigned reg, uint32_t val);
uint32_t fx_get_reg(sim_board *b, unsigned reg);
void fx_system_reset(sim_board *b);

/* Thumb: r0 = source in SRAM, r1 = flash address, r2 = byte count; CR=PG,
 * copy half-words polling SR.BSY, stop on PGERR|WRPRTERR, CR=0, bkpt. */
extern const uint8_t fx_loader[44];
/* Firmware: vectors (SP 0x20001000, PC 0x08000009) then "b .". */
extern const uint8_t fx_fw_loop[10];
/* Firmware: RCC_APB2ENR |= AFIOEN; AFIO_MAPR = SWJ_CFG 100; "b .". */
extern const uint8_t fx_fw_afio[36];

#endif
