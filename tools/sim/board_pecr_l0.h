/*
 * board_pecr_l0.h — what the two files of the L0/L1 PECR model share
 * (board_pecr_l0.c: registers, keys, program memory; board_pecr_l0_ob.c:
 * option words and data EEPROM): register offsets and bits, the family
 * variant, and the helpers one file calls in the other. Facts and their
 * sources are in board_pecr_l0.c's header. Not the bench's API.
 */
#ifndef GANGSIM_BOARD_PECR_L0_H
#define GANGSIM_BOARD_PECR_L0_H

#include "board_internal.h"

#define PECR_ACR      0x00U
#define PECR_PECR     0x04U
#define PECR_PDKEYR   0x08U
#define PECR_PEKEYR   0x0CU
#define PECR_PRGKEYR  0x10U
#define PECR_OPTKEYR  0x14U
#define PECR_SR       0x18U
#define PECR_OPTR     0x1CU
#define PECR_WRPR1    0x20U
#define PECR_WRPR2    0x80U

#define PECR_PEKEY1   0x89ABCDEFU
#define PECR_PEKEY2   0x02030405U
#define PECR_PRGKEY1  0x8C9DAEBFU
#define PECR_PRGKEY2  0x13141516U
#define PECR_OPTKEY1  0xFBEAD9C8U
#define PECR_OPTKEY2  0x24252627U

#define PECR_PELOCK     (1U << 0)
#define PECR_PRGLOCK    (1U << 1)
#define PECR_OPTLOCK    (1U << 2)
#define PECR_PROG       (1U << 3)
#define PECR_DATA       (1U << 4)
#define PECR_FIX        (1U << 8)   /* L1: FTDW */
#define PECR_ERASE      (1U << 9)
#define PECR_FPRG       (1U << 10)
#define PECR_PARALLBANK (1U << 15)
#define PECR_EOPIE      (1U << 16)
#define PECR_ERRIE      (1U << 17)
#define PECR_OBL_LAUNCH (1U << 18)
#define PECR_NZDISABLE  (1U << 22)  /* L0 */
#define PECR_LOCKS      (PECR_PELOCK | PECR_PRGLOCK | PECR_OPTLOCK)

#define PECR_SR_BSY        (1U << 0)
#define PECR_SR_EOP        (1U << 1)
#define PECR_SR_ENDHV      (1U << 2)
#define PECR_SR_READY      (1U << 3)
#define PECR_SR_WRPERR     (1U << 8)
#define PECR_SR_PGAERR     (1U << 9)
#define PECR_SR_SIZERR     (1U << 10)
#define PECR_SR_OPTVERR    (1U << 11)
#define PECR_SR_OPTVERRUSR (1U << 12)   /* L1 */
#define PECR_SR_RDERR      (1U << 13)   /* L0 */
#define PECR_SR_NOTZEROERR (1U << 16)   /* L0 */
#define PECR_SR_FWWERR     (1U << 17)   /* L0 */

#define PECR_ACR_LATENCY (1U << 0)
#define PECR_ACR_PRFTEN  (1U << 1)
#define PECR_ACR_ACC64   (1U << 2)      /* L1 */

#define PECR_OB_BASE     0x1FF80000U
#define PECR_OB_LOW      8U             /* words at 0x00..0x1C: RDP, USER, WRP half-words 0..5 */
#define PECR_OB_HIGH     0x80U          /* L1 Cat.5/6: WRP half-words 6, 7 (RM0038 §3.8.1) */
/* the option window: L0's words end at 0x1C (its UID is at 0x1FF80050); L1 Cat.3-6 reach 0x84 */
#define PECR_OB_SIZE_L0  (4U * PECR_OB_LOW)
#define PECR_OB_SIZE_L1  (PECR_OB_HIGH + 8U)
#define PECR_OB_WPRMOD   (1U << 8)      /* L0, in word 0 and OPTR */
#define PECR_EE_BASE     0x08080000U
#define PECR_RDP_L0      0xAAU
#define PECR_RDP_L2      0xCCU
#define PECR_SECTOR      4096U          /* one WRP bit (RM0377 §3.3.2, RM0038 §3.3) */

/* What differs between the L0 and the L1 controller. */
typedef struct pecr_variant {
	bool l0;
	uint32_t reg_base;
	unsigned hp_words;        /* words per half page */
	uint32_t pecr_mask;       /* writable PECR bits besides the locks */
	uint32_t sr_w1c;
	uint32_t acr_mask;
	uint32_t burst_err;       /* the flag of a dropped half-page burst */
	uint16_t user_new;        /* USER of a new part (unverified factory value) */
	unsigned wrp_words;
} pecr_variant;

/* board_pecr_l0.c */
const pecr_variant *pecr_var(const sim_board *b);
/* L0 WPRMOD = 1 in force: the WRP bits are PCROP (a clear bit read-protects its sector) */
bool pecr_pcrop_mode(const sim_board *b);
/* RDP level 1 with a debugger attached since power-on: flash and EEPROM off limits */
bool pecr_blocked(const sim_board *b);
bool pecr_busy(const sim_board *b);
void pecr_start(sim_board *b, board_op op, uint64_t dur_ns);
/* complete the running operation if its deadline is at or before t */
void pecr_update(sim_board *b, int64_t t);
/* a half-page burst left unfinished: dropped with the family's flag */
void pecr_burst_drop(sim_board *b);
uint64_t pecr_t_prog(const sim_board *b);
/* erase len bytes of program memory at off to 0x00 */
void pecr_erase_flash(sim_board *b, uint32_t off, uint32_t len);

/* board_pecr_l0_ob.c */
void pecr_ob_load(sim_board *b);
void pecr_ob_new(const sim_board *b, uint8_t *img);
/* the option word programmed (after the regression erase when there is one) */
void pecr_ob_commit(sim_board *b);
board_bus pecr_opt_write(sim_board *b, uint32_t addr, unsigned size, uint32_t val);
board_bus pecr_opt_read(sim_board *b, uint32_t addr, unsigned size, uint32_t *val);

#endif
